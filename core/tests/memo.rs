//! The shared translation (`translate::proxy_config_shared`, what a trace's world and every-proxy
//! translation use) gives byte for byte the config of a fresh translation, for every proxy,
//! whichever proxy of a class is translated first.

use pilotlight_core::envoy::ProxyConfig;
use pilotlight_core::translate::{proxy_config, proxy_config_shared, Memo};
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE, PRESETS};
use pilotlight_core::{load, SourceFile};

/// Every proxy translated with one memo, in mesh order and again in reverse order with another,
/// equals its fresh translation. Returns the fresh configs.
fn assert_shared_equals_fresh(what: &str, files: &[SourceFile]) -> Vec<ProxyConfig> {
    let loaded = load(files);
    let mesh = &loaded.mesh;
    let fresh: Vec<ProxyConfig> = mesh
        .proxies()
        .iter()
        .map(|p| proxy_config(mesh, p))
        .collect();
    let forward = Memo::new();
    let backward = Memo::new();
    for (p, want) in mesh.proxies().iter().zip(&fresh) {
        let got = proxy_config_shared(mesh, p, &forward);
        assert!(got == *want, "{what}: proxy {} differs (forward)", p.name);
    }
    for (p, want) in mesh.proxies().iter().zip(&fresh).rev() {
        let got = proxy_config_shared(mesh, p, &backward);
        assert!(got == *want, "{what}: proxy {} differs (backward)", p.name);
        // Byte for byte, as the JSON views print it.
        assert_eq!(
            serde_json::to_string(&got.routes).unwrap(),
            serde_json::to_string(&want.routes).unwrap(),
            "{what}: {}",
            p.name
        );
    }
    fresh
}

#[test]
fn every_preset_and_a_generated_mesh() {
    for p in PRESETS {
        assert_shared_equals_fresh(
            p.id,
            &[
                SourceFile::new(BOOKINFO_FILE, BOOKINFO),
                SourceFile::new("istio.yaml", p.yaml),
            ],
        );
    }
    let text = pilotlight_core::bench::generate_mesh(60);
    assert_shared_equals_fresh("generated", &[SourceFile::new("mesh.yaml", text)]);
}

/// Every YAML input of the analyzer fixtures (Sidecars, exportTo, workload-selected rules,
/// EnvoyFilters, Gateway API...), alone and with Bookinfo.
#[test]
fn every_analyzer_fixture() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/analyze");
    let mut files = Vec::new();
    for code in std::fs::read_dir(dir).unwrap() {
        let code = code.unwrap().path();
        if !code.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&code).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "yaml") {
                files.push(f);
            }
        }
    }
    pilotlight_core::order::sort(&mut files);
    assert!(files.len() > 50, "found {} fixtures", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.display().to_string();
        assert_shared_equals_fresh(&name, &[SourceFile::new("in.yaml", text.clone())]);
        assert_shared_equals_fresh(
            &name,
            &[
                SourceFile::new(BOOKINFO_FILE, BOOKINFO),
                SourceFile::new("in.yaml", text),
            ],
        );
    }
}

/// Proxies that differ only in what a shared piece reads (sourceLabels, sourceNamespace, a
/// workload-selected DestinationRule, a Sidecar resource) get their own pieces.
#[test]
fn what_tells_proxies_apart_is_kept_apart() {
    let mut yaml = String::new();
    for (ns, app) in [
        ("a", "front"),
        ("a", "back"),
        ("b", "front"),
        ("b", "other"),
    ] {
        yaml.push_str(&format!(
            "---
apiVersion: v1
kind: Service
metadata: {{name: {app}, namespace: {ns}}}
spec:
  selector: {{app: {app}}}
  ports: [{{name: http, port: 8080}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {app}, namespace: {ns}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {app}}}}}
  template:
    metadata: {{labels: {{app: {app}, version: v1}}}}
    spec: {{containers: [{{name: app, image: x}}]}}
"
        ));
    }
    yaml.push_str(
        "---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: back, namespace: a}
spec:
  hosts: [back.a.svc.cluster.local]
  http:
  - match: [{sourceLabels: {app: front}}]
    route: [{destination: {host: back.a.svc.cluster.local}}]
    timeout: 3s
  - match: [{sourceNamespace: b}]
    route: [{destination: {host: back.a.svc.cluster.local}}]
    timeout: 5s
  - route: [{destination: {host: back.a.svc.cluster.local}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: hashed, namespace: a}
spec:
  host: back.a.svc.cluster.local
  workloadSelector: {matchLabels: {app: back}}
  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: narrow, namespace: b}
spec:
  workloadSelector: {labels: {app: other}}
  egress: [{hosts: [\"./*\"]}]
",
    );
    let fresh = assert_shared_equals_fresh("hand-made", &[SourceFile::new("m.yaml", yaml.clone())]);
    let loaded = load(&[SourceFile::new("m.yaml", yaml)]);
    let routes = |workload: &str, ns: &str| {
        let i = loaded
            .mesh
            .proxies()
            .iter()
            .position(|p| p.workload == workload && p.namespace == ns)
            .unwrap();
        serde_json::to_string(&fresh[i].routes).unwrap()
    };
    // Each differs from the others in its outbound routes: a key too coarse would have failed
    // the equality above.
    let all = [
        routes("front", "a"),
        routes("back", "a"),
        routes("front", "b"),
        routes("other", "b"),
    ];
    for i in 0..all.len() {
        for j in i + 1..all.len() {
            assert_ne!(all[i], all[j], "{i} and {j}");
        }
    }
}

/// After each edit the memo carried over to the new mesh still gives every proxy its fresh
/// config: a route weight, a subset, a Service port, replicas, a PeerAuthentication and
/// MeshConfig changed in turn.
#[test]
fn carried_over_after_edits() {
    let mut text = pilotlight_core::bench::generate_mesh(12);
    let mut old = load(&[SourceFile::new("mesh.yaml", text.clone())]);
    let mut memo = Memo::new();
    for p in old.mesh.proxies() {
        proxy_config_shared(&old.mesh, p, &memo);
    }
    let edits: [(&str, &str); 6] = [
        ("weight: 80", "weight: 70"),
        ("version: v3", "version: v1"),
        ("port: 8080\n    targetPort: 8080", "port: 9090\n    targetPort: 8080"),
        ("replicas: 2", "replicas: 3"),
        (
            "kind: DestinationRule\nmetadata:\n  name: svc-0004",
            "kind: DestinationRule\nmetadata:\n  name: svc-0004\n  labels: {x: y}",
        ),
        ("", "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: default}\nspec: {mtls: {mode: DISABLE}}\n"),
    ];
    for (i, (from, to)) in edits.iter().enumerate() {
        if from.is_empty() {
            text.push_str(to);
        } else {
            assert!(text.contains(from), "edit {i}");
            text = text.replacen(from, to, 1);
        }
        let new = load(&[SourceFile::new("mesh.yaml", text.clone())]);
        memo = memo.carry_over(&old.mesh, &new.mesh);
        for p in new.mesh.proxies() {
            let got = proxy_config_shared(&new.mesh, p, &memo);
            assert!(
                got == proxy_config(&new.mesh, p),
                "edit {i}: proxy {} differs",
                p.name
            );
        }
        old = new;
    }
}

/// A second namespace beside the generated mesh: a Sidecar, a wildcard VirtualService, a
/// delegate, `sourceLabels`, hashing DestinationRules (one for a service of a third namespace
/// that only this namespace's proxies take) and exportTo to edit.
const OTHER_NAMESPACE: &str = "---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {istio-injection: enabled}}
# new VirtualServices go here
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec:
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: other}
spec:
  selector: {app: api}
  ports: [{name: http, port: 8080}, {name: http-admin, port: 9090}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: other}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: v1}}
    spec: {containers: [{name: app, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: other}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, version: v1}}
    spec: {containers: [{name: app, image: x}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: wild, namespace: other}
spec:
  hosts: [\"*.other.svc.cluster.local\"]
  http:
  - route: [{destination: {host: api.other.svc.cluster.local}}]
    timeout: 2s
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: other}
spec:
  hosts: [api.other.svc.cluster.local]
  http:
  - match: [{sourceLabels: {app: web}}]
    route: [{destination: {host: api.other.svc.cluster.local, subset: v1}}]
    timeout: 4s
  - route: [{destination: {host: api.other.svc.cluster.local}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: other}
spec:
  hosts: [web.other.svc.cluster.local]
  http:
  - delegate: {name: web-delegate, namespace: other}
  - route: [{destination: {host: web.other.svc.cluster.local}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: other}
spec:
  host: api.other.svc.cluster.local
  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: third}
spec:
  selector: {app: plain}
  ports: [{name: http, port: 8080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: plain-from-other, namespace: other}
spec:
  host: plain.third.svc.cluster.local
  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-plain}}}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: web, namespace: other}
spec:
  workloadSelector: {labels: {app: web}}
  egress: [{hosts: [\"./*\", \"default/svc-0001.default.svc.cluster.local\"]}]
";

/// Edits of what one sidecar virtual host reads, each on the mesh the one before left: after
/// each, the carried memo (warmed by translating every proxy) still gives every proxy its
/// fresh config. A key that missed one of these inputs would hand out a stale virtual host.
#[test]
fn virtual_hosts_carried_over_after_networking_edits() {
    let mut text = pilotlight_core::bench::generate_mesh(12);
    text.push_str(OTHER_NAMESPACE);
    let new_vs = "# new VirtualServices go here\n";
    let edits: &[(&str, &str, &str)] = &[
        ("a comment", "# new VirtualServices go here", "# new VirtualServices go here\n# a comment"),
        ("a route's weight", "weight: 80", "weight: 70"),
        ("a route's destination", "        host: svc-0002\n        subset: v1", "        host: svc-0003\n        subset: v1"),
        ("a host changed", "  hosts:\n  - svc-0003\n", "  hosts:\n  - svc-0004\n"),
        ("a host added", "  hosts:\n  - svc-0005\n", "  hosts:\n  - svc-0005\n  - svc-0006\n"),
        ("a host removed", "  hosts:\n  - svc-0005\n  - svc-0006\n", "  hosts:\n  - svc-0005\n"),
        ("a wildcard host added", "  hosts:\n  - svc-0007\n", "  hosts:\n  - svc-0007\n  - \"*.default.svc.cluster.local\"\n"),
        ("a wildcard host widened", "[\"*.other.svc.cluster.local\"]", "[\"*.svc.cluster.local\"]"),
        ("a wildcard host narrowed", "[\"*.svc.cluster.local\"]", "[\"*.other.svc.cluster.local\"]"),
        ("a delegate", "  - delegate: {name: web-delegate, namespace: other}\n", ""),
        ("a VirtualService added before the others", new_vs, "# new VirtualServices go here\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: first, namespace: other}\nspec:\n  hosts: [web.other.svc.cluster.local]\n  http:\n  - route: [{destination: {host: api.other.svc.cluster.local}}]\n    retries: {attempts: 7}\n"),
        ("a VirtualService removed", "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: first, namespace: other}", "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: first, namespace: other}\ndata:\n  x: |\n"),
        ("sourceLabels changed", "sourceLabels: {app: web}", "sourceLabels: {app: api}"),
        ("a sourceLabels key added", "sourceLabels: {app: api}", "sourceLabels: {app: web, version: v1}"),
        ("a hash policy", "httpHeaderName: x-user", "httpCookie: {name: session, ttl: 10s}"),
        ("a hash policy per port", "  trafficPolicy: {loadBalancer: {consistentHash: {httpCookie: {name: session, ttl: 10s}}}}", "  trafficPolicy:\n    portLevelSettings: [{port: {number: 9090}, loadBalancer: {consistentHash: {useSourceIp: true}}}]"),
        ("another namespace's hash policy", "httpHeaderName: x-plain", "httpQueryParameterName: plain"),
        ("subsets", "version: v3", "version: v1"),
        ("a DestinationRule moved off its service", "  host: svc-0006\n", "  host: gone.example.com\n"),
        ("a Service's port", "port: 8080\n    targetPort: 8080", "port: 9090\n    targetPort: 8080"),
        ("a Service's protocol", "ports: [{name: http, port: 8080}]", "ports: [{name: tcp, port: 8080}]"),
        ("a Sidecar's egress hosts", "[\"./*\", \"default/svc-0001.default.svc.cluster.local\"]", "[\"./api.other.svc.cluster.local\", \"default/*\"]"),
        ("a Sidecar's outbound mode", "  workloadSelector: {labels: {app: web}}\n", "  workloadSelector: {labels: {app: web}}\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n"),
        ("a VirtualService's exportTo", "  name: svc-0008\n  namespace: default\nspec:\n  hosts:", "  name: svc-0008\n  namespace: default\nspec:\n  exportTo: [\".\"]\n  hosts:"),
        ("a Service's exportTo", "  name: svc-0009\n  namespace: default\n  labels:", "  name: svc-0009\n  namespace: default\n  annotations: {networking.istio.io/exportTo: \".\"}\n  labels:"),
        ("a DestinationRule's exportTo", "metadata: {name: api, namespace: other}\nspec:\n  host: api", "metadata: {name: api, namespace: other}\nspec:\n  exportTo: [\".\"]\n  host: api"),
        ("replicas", "replicas: 2", "replicas: 3"),
    ];
    let mut old = load(&[SourceFile::new("mesh.yaml", text.clone())]);
    let mut memo = Memo::new();
    let mut before: Vec<(String, ProxyConfig)> = Vec::new();
    for p in old.mesh.proxies() {
        let config = proxy_config_shared(&old.mesh, p, &memo);
        before.push((p.name.clone(), config));
    }
    for (what, from, to) in edits {
        assert!(text.contains(from), "{what}: {from:?} not in the mesh");
        text = text.replacen(from, to, 1);
        let new = load(&[SourceFile::new("mesh.yaml", text.clone())]);
        assert!(new.diagnostics.is_empty(), "{what}: {:?}", new.diagnostics);
        memo = memo.carry_over(&old.mesh, &new.mesh);
        let mut after = Vec::new();
        for p in new.mesh.proxies() {
            let got = proxy_config_shared(&new.mesh, p, &memo);
            let want = proxy_config(&new.mesh, p);
            assert_eq!(
                serde_json::to_string(&got.routes).unwrap(),
                serde_json::to_string(&want.routes).unwrap(),
                "after {what}: proxy {}",
                p.name
            );
            assert!(got == want, "after {what}: proxy {} differs", p.name);
            after.push((p.name.clone(), want));
        }
        // Each edit but the comment and the delegate (not modelled) changes some proxy's
        // config: otherwise it would not test a key.
        let unchanged = ["a comment", "a delegate"].contains(what);
        assert_eq!(after == before, unchanged, "{what} changed nothing?");
        before = after;
        old = new;
    }
}
