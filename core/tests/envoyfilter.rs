//! EnvoyFilter on Bookinfo: patches applied as istiod applies them, and the explanation of the
//! ones that change nothing.

#![allow(clippy::disallowed_methods)]

use pilotlight_core::translate::envoyfilter::explain::{explain, PatchReport};
use pilotlight_core::translate::{proxy_config, proxy_config_recorded, proxy_config_without_envoy_filters};
use pilotlight_core::world::{preset, BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{load, Loaded, SourceFile};
use serde_json::Value;

fn with(yaml: &str) -> Loaded {
    let loaded = load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("ef.yaml", yaml),
    ]);
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == pilotlight_core::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    loaded
}

fn preset_world(id: &str) -> Loaded {
    with(preset(id).unwrap_or_else(|| panic!("preset {id}")).yaml)
}

/// One proxy's config as JSON: listeners, routes, clusters.
fn config(l: &Loaded, workload: &str) -> Value {
    let proxy = l.mesh.find_proxy(workload).unwrap_or_else(|| panic!("{workload}"));
    let c = proxy_config(&l.mesh, proxy);
    serde_json::json!({
        "listeners": serde_json::to_value(&c.listeners).unwrap(),
        "routes": serde_json::to_value(&c.routes).unwrap(),
        "clusters": serde_json::to_value(&c.clusters).unwrap(),
    })
}

fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn http_filter_names(listener: &Value) -> Vec<String> {
    listener["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["filters"].as_array().unwrap())
        .filter(|f| f["name"] == "envoy.filters.network.http_connection_manager")
        .flat_map(|f| f["typed_config"]["http_filters"].as_array().unwrap())
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

fn reports(l: &Loaded) -> Vec<PatchReport> {
    explain(&l.mesh)
}

#[test]
fn debug_presets() {
    for id in [
        "envoyfilter-lua-outbound",
        "envoyfilter-hcm-idle-timeout",
        "envoyfilter-vhost-header",
        "envoyfilter-cluster-settings",
        "envoyfilter-no-match",
    ] {
        let l = preset_world(id);
        for r in reports(&l) {
            eprintln!("{id}: {} changed={:?} reasons={:?} failures={:?}", r.envoy_filter, r.changed, r.reasons, r.failures);
        }
    }
    let _ = (config, named, http_filter_names, proxy_config_recorded, proxy_config_without_envoy_filters);
}
