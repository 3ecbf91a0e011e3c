//! The admin `/config_dump` shape: one `*ConfigDump` per resource type, dynamic resources wrapped
//! the way Envoy reports resources received over xDS.

use super::ProxyConfig;
use crate::envoy::type_url;
use crate::envoy::Value;
use crate::{shared, value};

/// A fixed version string: Pilot Light is deterministic, so the same input prints the same dump.
const VERSION: &str = "pilotlight";

fn with_type(resource: &Value, url: &str) -> Value {
    let mut out = crate::envoy::Map::new();
    out.insert("@type".into(), value!(url));
    if let Value::Object(fields) = resource {
        for (k, v) in fields.entries() {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

pub fn listeners(config: &ProxyConfig) -> Value {
    let dynamic: Vec<Value> = config
        .listeners
        .iter()
        .map(|l| {
            value!({
                "name": &l["name"],
                "active_state": {"version_info": VERSION, "listener": with_type(l, type_url::LISTENER)}
            })
        })
        .collect();
    value!({"@type": type_url::LISTENERS_DUMP, "version_info": VERSION, "dynamic_listeners": dynamic})
}

pub fn clusters(config: &ProxyConfig) -> Value {
    let dynamic: Vec<Value> = config
        .clusters
        .iter()
        .map(|c| value!({"version_info": VERSION, "cluster": with_type(c, type_url::CLUSTER)}))
        .collect();
    value!({"@type": type_url::CLUSTERS_DUMP, "version_info": VERSION, "dynamic_active_clusters": dynamic})
}

pub fn routes(config: &ProxyConfig) -> Value {
    let dynamic: Vec<Value> = config
        .routes
        .iter()
        .map(|r| value!({"version_info": VERSION, "route_config": with_type(r, type_url::ROUTE_CONFIGURATION)}))
        .collect();
    value!({"@type": type_url::ROUTES_DUMP, "dynamic_route_configs": dynamic})
}

/// Envoy prints the endpoints of its live clusters, not the assignments it received: every
/// assignment gets the default `policy.overprovisioning_factor` (140) and every endpoint an empty
/// `health_check_config`; STATIC and ORIGINAL_DST clusters, which receive no EDS, are listed with
/// their inline endpoints (none for ORIGINAL_DST). DNS clusters are left out: Envoy would list the
/// addresses it resolved, which only a running proxy knows.
pub fn endpoints(config: &ProxyConfig) -> Value {
    let eds = config.endpoints.iter().cloned();
    let local = config.clusters.iter().filter_map(|c| {
        let ty = c["type"].as_str();
        if ty != Some("STATIC") && ty != Some("ORIGINAL_DST") {
            return None;
        }
        let mut cla = c
            .get("load_assignment")
            .cloned()
            .unwrap_or_else(|| value!({}));
        cla["cluster_name"] = c["name"].clone();
        if cla["endpoints"].as_array().is_some_and(|e| e.is_empty()) {
            if let Value::Object(m) = &mut cla {
                m.remove("endpoints");
            }
        }
        Some(cla)
    });
    let dynamic: Vec<Value> = eds
        .chain(local)
        .map(|e| value!({"version_info": VERSION, "endpoint_config": with_type(&as_admin_prints(e), type_url::CLUSTER_LOAD_ASSIGNMENT)}))
        .collect();
    value!({"@type": type_url::ENDPOINTS_DUMP, "dynamic_endpoint_configs": dynamic})
}

/// Envoy's defaults that its admin prints on a ClusterLoadAssignment.
fn as_admin_prints(mut cla: Value) -> Value {
    if let Some(groups) = cla.get_mut("endpoints").and_then(Value::as_array_mut) {
        for g in groups {
            for lb in g
                .get_mut("lb_endpoints")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(ep) = lb.get_mut("endpoint") {
                    if ep.get("health_check_config").is_none() {
                        ep["health_check_config"] = value!({});
                    }
                }
            }
        }
    }
    if cla.get("policy").is_none() {
        cla["policy"] = shared!({"overprovisioning_factor": 140});
    }
    cla
}

/// The whole dump, in Envoy's order (listeners after clusters, as `/config_dump` prints them).
pub fn config_dump(config: &ProxyConfig) -> Value {
    value!({"configs": [clusters(config), listeners(config), routes(config), endpoints(config)]})
}

/// A resource list with `@type` on each element, as `istioctl proxy-config X -o json` prints.
pub fn typed_list(resources: &[Value], url: &str) -> Value {
    Value::Array(resources.iter().map(|r| with_type(r, url)).collect())
}
