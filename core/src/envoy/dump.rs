//! The admin `/config_dump` shape: one `*ConfigDump` per resource type, dynamic resources wrapped
//! the way Envoy reports resources received over xDS.

use super::ProxyConfig;
use crate::envoy::type_url;
use crate::envoy::Value;
use crate::value;

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

pub fn endpoints(config: &ProxyConfig) -> Value {
    let dynamic: Vec<Value> = config
        .endpoints
        .iter()
        .map(|e| value!({"version_info": VERSION, "endpoint_config": with_type(e, type_url::CLUSTER_LOAD_ASSIGNMENT)}))
        .collect();
    value!({"@type": type_url::ENDPOINTS_DUMP, "dynamic_endpoint_configs": dynamic})
}

/// The whole dump, in Envoy's order (listeners after clusters, as `/config_dump` prints them).
pub fn config_dump(config: &ProxyConfig) -> Value {
    value!({"configs": [clusters(config), listeners(config), routes(config), endpoints(config)]})
}

/// A resource list with `@type` on each element, as `istioctl proxy-config X -o json` prints.
pub fn typed_list(resources: &[Value], url: &str) -> Value {
    Value::Array(resources.iter().map(|r| with_type(r, url)).collect())
}
