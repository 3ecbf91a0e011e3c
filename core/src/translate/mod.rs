//! Per-proxy translation: the four xDS resource sets istiod would push to one proxy.
//!
//! Order matters the way it does for Envoy: listeners name the route configurations they need
//! (RDS is requested by name), and EDS covers exactly the EDS clusters of CDS.

use crate::envoy::ProxyConfig;
use crate::envoy::Value;
use crate::mesh::{Mesh, Proxy, Scope};

pub mod cluster;
pub mod endpoint;
pub mod gateway;
pub mod listener;
pub mod names;
pub mod route;
pub mod telemetry;

pub mod authz;

pub fn proxy_config(mesh: &Mesh, proxy: &Proxy) -> ProxyConfig {
    let scope = Scope::new(mesh, proxy);
    let mut listeners = listener::build(&scope);
    authz::apply(&scope, &mut listeners);
    let routes = route::build(&scope, &route_names(&listeners));
    let clusters = cluster::build(&scope);
    let endpoints = endpoint::build(&scope, &clusters);
    ProxyConfig {
        listeners,
        routes,
        clusters,
        endpoints,
    }
}

/// Every `rds.route_config_name` the listeners' HTTP connection managers refer to, once each,
/// in the order first seen.
pub fn route_names(listeners: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut visit = |chain: &Value| {
        for filter in chain["filters"].as_array().into_iter().flatten() {
            if let Some(name) = filter["typed_config"]["rds"]["route_config_name"].as_str() {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
    };
    for l in listeners {
        for chain in l["filter_chains"].as_array().into_iter().flatten() {
            visit(chain);
        }
        visit(&l["default_filter_chain"]);
    }
    names
}
