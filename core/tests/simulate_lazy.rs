//! The trace's world at any mesh size: a lazy world traces as a fully translated one while
//! translating only the proxies a trace visits; `simulate::guarded` reads from the policies what
//! the translated listeners say.

use pilotlight_core::envoy::Value;
use pilotlight_core::simulate::{self, trace, trace::World, Request};
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE, PRESETS};
use pilotlight_core::{load, SourceFile};

/// Does a tree name one of `filters` (a `name` key at any depth)?
fn uses_any(v: &Value, filters: &[&str]) -> bool {
    match v {
        Value::Object(map) => {
            map.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| filters.contains(&n))
                || map.values().any(|v| uses_any(v, filters))
        }
        Value::Array(items) => items.iter().any(|v| uses_any(v, filters)),
        _ => false,
    }
}

/// Every preset: a lazy world gives the traces of a fully translated one, translating only the
/// proxies the trace visits.
#[test]
fn a_lazy_world_traces_alike_and_translates_only_the_visited_proxies() {
    for p in PRESETS {
        let loaded = std::rc::Rc::new(load(&[
            SourceFile::new(BOOKINFO_FILE, BOOKINFO),
            SourceFile::new("istio.yaml", p.yaml),
        ]));
        let eager = World::from_mesh(&loaded.mesh);
        let lazy = World::lazy(loaded.clone());
        assert_eq!(lazy.translated(), 0, "{}", p.id);
        let request = Request {
            port: 80,
            path: "/productpage".into(),
            ..Request::default()
        };
        for seed in 0..4 {
            let a = trace(&eager, None, &request, seed);
            let b = trace(&lazy, None, &request, seed);
            assert_eq!(a, b, "{} seed {seed}", p.id);
        }
        // One trace translates exactly the proxies on its path.
        let fresh = World::lazy(loaded.clone());
        if let Ok(h) = trace(&fresh, None, &request, 0) {
            let visited: std::collections::BTreeSet<&str> =
                h.walk().iter().map(|h| h.proxy.as_str()).collect();
            assert_eq!(fresh.translated(), visited.len(), "{}", p.id);
            assert!(fresh.translated() < fresh.nodes.len(), "{}", p.id);
        }
        for n in lazy.nodes.iter().filter(|n| n.config.get().is_some()) {
            let e = eager.nodes.iter().find(|e| e.proxy == n.proxy).unwrap();
            assert_eq!(lazy.config(n), eager.config(e), "{}: {}", p.id, n.proxy);
        }
    }
}

/// Every preset: the workloads marked as enforcing a policy are those whose translated listeners
/// carry an RBAC, ext_authz or jwt_authn filter.
#[test]
fn guarded_workloads_are_those_whose_listeners_enforce() {
    const FILTERS: [&str; 4] = [
        "envoy.filters.http.rbac",
        "envoy.filters.network.rbac",
        "envoy.filters.http.jwt_authn",
        "envoy.filters.http.ext_authz",
    ];
    let mut some = 0;
    for p in PRESETS {
        let loaded = load(&[
            SourceFile::new(BOOKINFO_FILE, BOOKINFO),
            SourceFile::new("istio.yaml", p.yaml),
        ]);
        let mut expected: Vec<String> = Vec::new();
        for proxy in loaded.mesh.proxies() {
            let cfg = pilotlight_core::translate::proxy_config(&loaded.mesh, proxy);
            if cfg.listeners.iter().any(|l| uses_any(l, &FILTERS))
                && !expected.contains(&proxy.workload)
            {
                expected.push(proxy.workload.clone());
            }
        }
        some += expected.len();
        assert_eq!(simulate::guarded(&loaded.mesh), expected, "{}", p.id);
    }
    assert!(some > 0, "some preset enforces a policy");
}
