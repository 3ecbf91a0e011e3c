//! Read an Envoy admin `/config_dump` (as `istioctl proxy-config all -o json` prints it) into a
//! [`ProxyConfig`], so a real proxy's config can be simulated as well as a generated one.

use crate::envoy::Value;

use crate::envoy::ProxyConfig;

/// Collect listeners, route configurations, clusters and endpoint assignments from a config dump
/// (`{"configs": [...]}`), from static and dynamic sections alike.
pub fn from_config_dump(dump: &Value) -> ProxyConfig {
    let mut cfg = ProxyConfig::default();
    let configs = dump
        .get("configs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| vec![dump.clone()]);
    for c in &configs {
        let ty = c.get("@type").and_then(Value::as_str).unwrap_or("");
        let arr = |k: &str| -> Vec<Value> {
            c.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        if ty.ends_with("ListenersConfigDump") {
            for l in arr("static_listeners") {
                push(&mut cfg.listeners, l.get("listener"));
            }
            for l in arr("dynamic_listeners") {
                push(&mut cfg.listeners, l.pointer("/active_state/listener"));
            }
        } else if ty.ends_with("RoutesConfigDump") {
            for r in arr("static_route_configs")
                .into_iter()
                .chain(arr("dynamic_route_configs"))
            {
                push(&mut cfg.routes, r.get("route_config"));
            }
        } else if ty.ends_with("ClustersConfigDump") {
            for r in arr("static_clusters")
                .into_iter()
                .chain(arr("dynamic_active_clusters"))
            {
                push(&mut cfg.clusters, r.get("cluster"));
            }
        } else if ty.ends_with("EndpointsConfigDump") {
            for r in arr("static_endpoint_configs")
                .into_iter()
                .chain(arr("dynamic_endpoint_configs"))
            {
                push(&mut cfg.endpoints, r.get("endpoint_config"));
            }
        }
    }
    cfg
}

fn push(into: &mut Vec<Value>, v: Option<&Value>) {
    if let Some(v) = v {
        into.push(v.clone());
    }
}
