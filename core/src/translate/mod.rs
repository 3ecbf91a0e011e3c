//! Per-proxy translation: the four xDS resource sets istiod would push to one proxy.
//!
//! Order matters the way it does for Envoy: listeners name the route configurations they need
//! (RDS is requested by name), and EDS covers exactly the EDS clusters of CDS.

use crate::envoy::ProxyConfig;
use crate::envoy::Value;
use crate::mesh::{Mesh, Proxy, Scope};

pub mod cluster;
pub mod endpoint;
pub mod envoyfilter;
pub mod gateway;
pub mod listener;
mod memo;
pub mod names;
pub mod route;
pub mod telemetry;

pub mod authz;

pub use memo::Memo;

pub fn proxy_config(mesh: &Mesh, proxy: &Proxy) -> ProxyConfig {
    proxy_config_recorded(mesh, proxy, true).0
}

/// The config istiod would push if no EnvoyFilter existed (the page's with/without diff).
pub fn proxy_config_without_envoy_filters(mesh: &Mesh, proxy: &Proxy) -> ProxyConfig {
    proxy_config_recorded(mesh, proxy, false).0
}

/// The proxy's config and what each EnvoyFilter patch changed in it. EnvoyFilters are applied
/// where istiod applies them: to the listeners once built (so RDS follows the names the patched
/// listeners ask for), to each route configuration, to the clusters before EDS.
pub fn proxy_config_recorded(
    mesh: &Mesh,
    proxy: &Proxy,
    envoy_filters: bool,
) -> (ProxyConfig, envoyfilter::Record) {
    recorded_with(mesh, proxy, envoy_filters, None)
}

/// [`proxy_config`] for one proxy of many: the pieces proxies share (outbound clusters,
/// endpoints, sidecar route configurations) are built once per `memo`. The result equals
/// [`proxy_config`]'s. `memo` must only ever be used with this one `mesh`.
pub fn proxy_config_shared(mesh: &Mesh, proxy: &Proxy, memo: &Memo) -> ProxyConfig {
    recorded_with(mesh, proxy, true, Some(memo)).0
}

/// [`proxy_config_recorded`] with EnvoyFilters, sharing `memo`'s pieces as
/// [`proxy_config_shared`] does (the page's selected proxy, translated again after each edit).
pub fn proxy_config_recorded_shared(
    mesh: &Mesh,
    proxy: &Proxy,
    memo: &Memo,
) -> (ProxyConfig, envoyfilter::Record) {
    recorded_with(mesh, proxy, true, Some(memo))
}

fn recorded_with(
    mesh: &Mesh,
    proxy: &Proxy,
    envoy_filters: bool,
    memo: Option<&Memo>,
) -> (ProxyConfig, envoyfilter::Record) {
    let scope = Scope::new(mesh, proxy);
    let patches = if envoy_filters {
        envoyfilter::select::patches_for(mesh, proxy)
    } else {
        Vec::new()
    };
    let mut rec = envoyfilter::Record::default();
    let gw = proxy.is_gateway();
    let mut listeners = listener::build(&scope);
    authz::apply(&scope, &mut listeners);
    if !patches.is_empty() {
        listeners = envoyfilter::patch_listeners(gw, &patches, listeners, &mut rec);
    }
    let mut routes = route::build_with(&scope, &route_names(&listeners), memo);
    if !patches.is_empty() {
        let port_map = if gw {
            envoyfilter::route::gateway_port_map(mesh, proxy)
        } else {
            Vec::new()
        };
        envoyfilter::patch_routes(gw, &port_map, &patches, &mut routes, &mut rec);
    }
    let mut clusters = cluster::build_with(&scope, memo);
    if !patches.is_empty() {
        let ports = cluster::inbound_ports(&scope);
        let hosts = |port: u32| -> Vec<String> {
            ports
                .iter()
                .filter(|p| p.port == port)
                .flat_map(|p| p.services.iter().map(|s| s.hostname.clone()))
                .collect()
        };
        clusters = envoyfilter::cluster::apply(gw, &patches, clusters, &hosts, &mut rec);
    }
    let endpoints = endpoint::build_with(&scope, &clusters, memo);
    (
        ProxyConfig {
            listeners,
            routes,
            clusters,
            endpoints,
        },
        rec,
    )
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
