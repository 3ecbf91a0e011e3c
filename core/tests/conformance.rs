//! Conformance against istiod: the cases in tests/conformance/istio-simulation-dev.json come from
//! Istio's own simulation tests. For each case we load the mesh, translate the proxy, walk the call
//! through the generated Envoy config and compare with what istiod's config did.
//!
//! Prints pass counts per group (Go test function) and in total. Fails only when a case that is not
//! listed in tests/conformance/known-failures.md fails; listed cases that pass are printed so the
//! list can shrink as the translation improves.
//!
//! Routes are matched as Istio's own simulator does (path only: `Options::istio_route_matching`),
//! so a difference means a translation difference, not a simulator one.
//!
//! `CONFORMANCE_FILTER=<substring>` runs some cases, `CONFORMANCE_VERBOSE=1` prints every
//! mismatch, `CONFORMANCE_LIST=1` prints failing cases in known-failures.md form,
//! `CONFORMANCE_DUMP=1` prints the walk and the generated listeners and routes of failing calls.
//! Run with `cargo test -p pilotlight-core --test conformance -- --nocapture` to see the counts.

// std's sorts are fine in native tests; clippy.toml keeps them out of the library (wasm size).
#![allow(clippy::disallowed_methods)]

use std::collections::{BTreeMap, BTreeSet};

use pilotlight_core::envoy::Value;
use serde::Deserialize;

use pilotlight_core::envoy::ProxyConfig;
use pilotlight_core::simulate::{self, Mode, Outcome, Protocol, Request, Tls};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/conformance");

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    config_yaml: String,
    #[serde(default)]
    mesh_config: Option<Value>,
    proxy: ProxyJson,
    #[serde(default)]
    call: Option<CallJson>,
    expect: Value,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ProxyJson {
    kind: String,
    namespace: String,
    config_namespace: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    ip: String,
    ips: Vec<String>,
    id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CallJson {
    call_mode: String,
    address: String,
    port: u16,
    protocol: String,
    #[serde(rename = "TLS")]
    tls: String,
    alpn: String,
    sni: String,
    host_header: String,
    path: String,
    #[serde(default)]
    headers: BTreeMap<String, Vec<String>>,
}

impl CallJson {
    fn request(&self) -> Request {
        let mut headers = pilotlight_core::sorted::SortedMap::new();
        for (k, v) in &self.headers {
            if let Some(first) = v.first() {
                headers.insert(k.clone(), first.clone());
            }
        }
        Request {
            mode: match self.call_mode.as_str() {
                "inbound" => Mode::Inbound,
                "gateway" => Mode::Gateway,
                _ => Mode::Outbound,
            },
            address: self.address.clone(),
            port: self.port,
            protocol: match self.protocol.as_str() {
                "http" => Protocol::Http,
                "http2" => Protocol::Http2,
                "tcp" => Protocol::Tcp,
                _ => Protocol::Unspecified,
            },
            tls: match self.tls.as_str() {
                "tls" => Tls::Tls,
                "mtls" => Tls::Mtls,
                _ => Tls::Plaintext,
            },
            alpn: self.alpn.clone(),
            sni: self.sni.clone(),
            host: self.host_header.clone(),
            path: self.path.clone(),
            method: String::new(),
            headers,
            ..Request::default()
        }
    }
}

/// The one place that talks to the translation core: the case's mesh, its proxy, its config.
fn generate(case: &Case) -> Result<ProxyConfig, String> {
    use pilotlight_core::mesh::{ProxyKind, ProxySpec};
    let mut files = vec![pilotlight_core::SourceFile::new(
        "case.yaml",
        case.config_yaml.clone(),
    )];
    if let Some(mc) = &case.mesh_config {
        let mesh_yaml = serde_yaml_ng::to_string(mc).map_err(|e| e.to_string())?;
        let cm = serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "istio", "namespace": "istio-system"},
            "data": {"mesh": mesh_yaml}});
        files.push(pilotlight_core::SourceFile::new(
            "mesh.yaml",
            serde_yaml_ng::to_string(&cm).map_err(|e| e.to_string())?,
        ));
    }
    let loaded = pilotlight_core::load(&files);
    let spec = ProxySpec {
        name: case.proxy.id.split('.').next().unwrap_or("app").to_string(),
        namespace: case.proxy.namespace.clone(),
        kind: Some(if case.proxy.kind == "gateway" {
            ProxyKind::Gateway
        } else {
            ProxyKind::Sidecar
        }),
        labels: case.proxy.labels.clone().into_iter().collect(),
        ips: case.proxy.ips.clone(),
        config_namespace: Some(case.proxy.config_namespace.clone()),
    };
    let proxy = loaded.mesh.proxy_from_spec(&spec);
    Ok(pilotlight_core::translate::proxy_config(
        &loaded.mesh,
        &proxy,
    ))
}

/// Istio's test harness leaves the domain suffix empty; compare names without it.
fn norm(s: &str) -> String {
    s.replace(".svc.cluster.local", "")
}

/// Compare a call's outcome with `expect` (Istio's `Result.Matches`). Returns the mismatches.
fn check_call(o: &Outcome, cfg: &ProxyConfig, expect: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    let strict = expect.get("StrictMatch").and_then(Value::as_bool) == Some(true);
    let want_err = expect.get("Error").and_then(Value::as_str);
    let got_err = o.error.map(|e| e.message());
    if want_err != got_err {
        bad.push(format!("error: want {want_err:?} got {got_err:?}"));
    }
    let fields: [(&str, Option<&str>); 6] = [
        ("ListenerMatched", o.listener.as_deref()),
        ("FilterChainMatched", o.filter_chain.as_deref()),
        ("RouteConfigMatched", o.route_config.as_deref()),
        ("VirtualHostMatched", o.virtual_host.as_deref()),
        ("RouteMatched", o.route.as_deref()),
        // Istio's simulator reports a cluster only for single-cluster routes and TCP proxies.
        (
            "ClusterMatched",
            match &o.action {
                Some(simulate::Action::Cluster { .. }) => o.cluster.as_deref(),
                _ => None,
            },
        ),
    ];
    for (k, got) in fields {
        let want = expect.get(k).and_then(Value::as_str);
        let got = got.unwrap_or("");
        match want {
            Some(w) if (!w.is_empty() || strict) && norm(w) != norm(got) => {
                bad.push(format!("{k}: want {w:?} got {got:?}"));
            }
            None if strict && !got.is_empty() => bad.push(format!("{k}: want \"\" got {got:?}")),
            _ => {}
        }
    }
    if let Some(want) = expect.get("InboundClusters").and_then(Value::as_object) {
        let got = inbound_clusters(cfg);
        let want: BTreeMap<String, Option<BTreeSet<String>>> = want
            .iter()
            .map(|(k, v)| {
                let eps = v.as_array().map(|a| {
                    a.iter()
                        .filter_map(|e| e.as_str().map(str::to_string))
                        .collect()
                });
                (k.to_string(), eps)
            })
            .collect();
        if want != got {
            bad.push(format!("InboundClusters: want {want:?} got {got:?}"));
        }
    }
    bad
}

/// `inbound|...` clusters and their endpoint addresses (None = no endpoints).
fn inbound_clusters(cfg: &ProxyConfig) -> BTreeMap<String, Option<BTreeSet<String>>> {
    let mut out = BTreeMap::new();
    for c in &cfg.clusters {
        let Some(name) = c.get("name").and_then(Value::as_str) else {
            continue;
        };
        if !name.starts_with("inbound|") {
            continue;
        }
        let cla = c.get("load_assignment").cloned().or_else(|| {
            let svc = c
                .pointer("/eds_cluster_config/service_name")
                .and_then(Value::as_str)
                .unwrap_or(name);
            cfg.endpoints
                .iter()
                .find(|e| e.get("cluster_name").and_then(Value::as_str) == Some(svc))
                .cloned()
        });
        let mut eps = BTreeSet::new();
        for loc in cla
            .as_ref()
            .and_then(|c| c.get("endpoints"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for lb in loc
                .get("lb_endpoints")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(sa) = lb.pointer("/endpoint/address/socket_address") {
                    let a = sa.get("address").and_then(Value::as_str).unwrap_or("");
                    let p = sa.get("port_value").and_then(Value::as_u64).unwrap_or(0);
                    eps.insert(format!("{a}:{p}"));
                }
            }
        }
        out.insert(name.to_string(), (!eps.is_empty()).then_some(eps));
    }
    out
}

/// A `route_table` case: the route configuration exists; each listed domain's virtual host
/// routes to exactly these clusters (null: no virtual host has the domain, or it has no cluster).
fn check_route_table(cfg: &ProxyConfig, expect: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    let name = expect
        .get("RouteConfig")
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(rc) = cfg
        .routes
        .iter()
        .find(|r| r.get("name").and_then(Value::as_str) == Some(name))
    else {
        return vec![format!("route configuration {name:?} not generated")];
    };
    let vhosts = rc
        .get("virtual_hosts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (domain, want) in expect
        .get("DomainToClusters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let vh = vhosts.iter().find(|vh| {
            vh.get("domains")
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|d| d.as_str().map(norm) == Some(norm(domain))))
        });
        let mut got: Vec<String> = vh
            .and_then(|vh| vh.get("routes"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.pointer("/route/cluster").and_then(Value::as_str))
            .filter(|c| !c.is_empty())
            .map(norm)
            .collect();
        got.sort();
        let want: Option<Vec<String>> = want.as_array().map(|a| {
            let mut v: Vec<String> = a.iter().filter_map(|c| c.as_str().map(norm)).collect();
            v.sort();
            v
        });
        let ok = match &want {
            None => got.is_empty(),
            Some(w) => *w == got,
        };
        if !ok {
            bad.push(format!("domain {domain}: want {want:?} got {got:?}"));
        }
    }
    bad
}

/// Case ids listed in known-failures.md: lines starting with "- `<id>`".
fn known_failures() -> BTreeSet<String> {
    let text = std::fs::read_to_string(format!("{DIR}/known-failures.md")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- `"))
        .filter_map(|l| l.split_once('`').map(|(id, _)| id.to_string()))
        .collect()
}

fn run_case(case: &Case) -> Vec<String> {
    let cfg = match std::panic::catch_unwind(|| generate(case)) {
        Ok(Ok(cfg)) => cfg,
        Ok(Err(e)) => return vec![format!("generation failed: {e}")],
        Err(_) => return vec!["translation panicked".into()],
    };
    match case.kind.as_str() {
        "route_table" => {
            let bad = check_route_table(&cfg, &case.expect);
            if !bad.is_empty() && std::env::var("CONFORMANCE_DUMP").is_ok() {
                let name = case.expect.get("RouteConfig").cloned().unwrap_or_default();
                println!("\n==== {}", case.id);
                for rc in cfg.routes.iter().filter(|r| r.get("name") == Some(&name)) {
                    for vh in rc["virtual_hosts"].as_array().into_iter().flatten() {
                        let clusters: Vec<&Value> = vh["routes"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|r| &r["route"]["cluster"])
                            .collect();
                        println!(
                            "  vhost {} domains {} -> {:?}",
                            vh["name"], vh["domains"], clusters
                        );
                    }
                }
            }
            bad
        }
        _ => {
            let Some(call) = &case.call else {
                return vec!["call case without a call".into()];
            };
            // Istio's simulator matches routes by path only: compare translations, not simulators.
            let opts = simulate::Options {
                istio_route_matching: true,
            };
            let o = simulate::simulate_with_options(&cfg, &call.request(), 0, &opts);
            let bad = check_call(&o, &cfg, &case.expect);
            if !bad.is_empty() && std::env::var("CONFORMANCE_DUMP").is_ok() {
                // Everything needed to triage: the walk, with reasons, and what we generated.
                println!("\n==== {}\n{}", case.id, o.short());
                let dump = serde_json::json!({
                    "listeners": cfg.listeners, "routes": cfg.routes,
                    "clusters": cfg.clusters.iter().map(|c| c.get("name")).collect::<Vec<_>>()});
                println!(
                    "{}",
                    serde_json::to_string_pretty(&dump).unwrap_or_default()
                );
            }
            bad
        }
    }
}

#[test]
fn istio_simulation_conformance() {
    let text = std::fs::read_to_string(format!("{DIR}/istio-simulation-dev.json")).unwrap();
    let cases: Vec<Case> = serde_json::from_str(&text).unwrap();
    let known = known_failures();
    let filter = std::env::var("CONFORMANCE_FILTER").unwrap_or_default();
    let verbose = std::env::var("CONFORMANCE_VERBOSE").is_ok();

    let mut groups: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    let mut failures = Vec::new();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for case in cases.iter().filter(|c| c.id.contains(&filter)) {
        let group = case.id.split('/').next().unwrap_or("").to_string();
        let bad = run_case(case);
        let g = groups.entry(group).or_default();
        g.1 += 1;
        if bad.is_empty() {
            g.0 += 1;
            if known.contains(&case.id) {
                fixed.push(case.id.clone());
            }
        } else {
            let line = format!("{}\n    {}", case.id, bad.join("\n    "));
            if !known.contains(&case.id) {
                unexpected.push(line.clone());
            }
            failures.push(line);
        }
    }
    std::panic::set_hook(default_hook);

    let (pass, total) = groups
        .values()
        .fold((0, 0), |(p, t), (gp, gt)| (p + gp, t + gt));
    println!("\nconformance (istio-simulation-dev.json):");
    for (g, (p, t)) in &groups {
        println!("  {g:<40} {p:>3}/{t:<3}");
    }
    println!(
        "  {:<40} {pass:>3}/{total:<3} ({:.1}%)",
        "TOTAL",
        pass as f64 * 100.0 / total.max(1) as f64
    );
    if verbose {
        println!("\nfailures:\n{}", failures.join("\n"));
    }
    if std::env::var("CONFORMANCE_LIST").is_ok() {
        // Entries to paste into known-failures.md (each still needs its reason).
        for f in &failures {
            let id = f.lines().next().unwrap_or("");
            let why = f.lines().nth(1).unwrap_or("").trim();
            println!("- `{id}`: {why}");
        }
    }
    assert!(
        unexpected.is_empty(),
        "{} case(s) fail that are not in known-failures.md:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    if !fixed.is_empty() {
        println!(
            "\nthese cases pass now; remove them from known-failures.md:\n  {}",
            fixed.join("\n  ")
        );
    }
}
