//! Per-proxy translation: the four xDS resource sets istiod would push to one proxy.

use crate::envoy::ProxyConfig;
use crate::mesh::{Mesh, Proxy, Scope};
use crate::{cluster, endpoint, listener, route};

pub fn proxy_config(mesh: &Mesh, proxy: &Proxy) -> ProxyConfig {
    let scope = Scope::new(mesh, proxy);
    let clusters = cluster::build(&scope);
    let endpoints = endpoint::build(&scope, &clusters);
    ProxyConfig {
        listeners: listener::build(&scope),
        routes: route::build(&scope),
        clusters,
        endpoints,
    }
}
