//! RDS: the route configurations a proxy's listeners ask for, by name — `9080` and
//! `reviews.default.svc.cluster.local:9080` on sidecars, `http.8080` and `https.443...` on
//! gateways — each with its virtual hosts and routes.

mod gateway;
pub mod http;
mod sidecar;

use crate::envoy::Value;
use crate::istio::networking::ConsistentHash;
use crate::mesh::{Scope, Service};
use crate::value;

/// Build the named route configurations, in the order asked.
pub fn build(scope: &Scope, names: &[String]) -> Vec<Value> {
    build_with(scope, names, None)
}

/// [`build`], reusing the sidecar route configurations `memo` holds for this mesh.
pub(crate) fn build_with(
    scope: &Scope,
    names: &[String],
    memo: Option<&super::Memo>,
) -> Vec<Value> {
    names
        .iter()
        .map(|name| {
            if scope.proxy.is_gateway() {
                gateway::route_config(scope, name)
            } else if let Some(memo) = memo {
                memo.sidecar_routes(scope, name, |proxy| {
                    sidecar::route_config(scope, name, Some((memo, proxy)))
                })
            } else {
                sidecar::route_config(scope, name, None)
            }
        })
        .collect()
}

/// The route hash policy for a destination whose DestinationRule asks for consistent hashing.
pub(crate) fn hash_policy(scope: &Scope, service: &Service, port: Option<u32>) -> Option<Value> {
    let (_, dr) = scope.destination_rule(service)?;
    let tp = dr.traffic_policy.as_ref()?;
    let port_level = port.and_then(|p| {
        tp.port_level_settings
            .iter()
            .find(|s| s.port.as_ref().is_some_and(|sp| sp.number == p))
            .and_then(|s| s.load_balancer.as_ref())
    });
    let lb = port_level.or(tp.load_balancer.as_ref())?;
    consistent_hash_policy(lb.consistent_hash.as_ref()?)
}

fn consistent_hash_policy(h: &ConsistentHash) -> Option<Value> {
    if let Some(name) = &h.http_header_name {
        return Some(value!({"header": {"header_name": name}}));
    }
    if let Some(c) = &h.http_cookie {
        let mut cookie = crate::envoy::Map::new();
        cookie.insert("name".into(), value!(&c.name));
        if let Some(p) = &c.path {
            cookie.insert("path".into(), value!(p));
        }
        if let Some(t) = &c.ttl {
            cookie.insert("ttl".into(), value!(crate::envoy::duration::json(t)));
        }
        return Some(value!({"cookie": cookie}));
    }
    if h.use_source_ip == Some(true) {
        return Some(value!({"connection_properties": {"source_ip": true}}));
    }
    h.http_query_parameter_name
        .as_ref()
        .map(|q| value!({"query_parameter": {"name": q}}))
}
