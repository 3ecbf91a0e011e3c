//! VirtualService `tcp` and `tls` routes turned into tcp_proxy filters (istiod's
//! `buildOutboundNetworkFilters`), shared by sidecar outbound and gateway listeners.

use super::filters;
use super::Ctx;
use crate::envoy::Value;
use crate::host;
use crate::istio::networking::{Destination, RouteDestination, VirtualService};
use crate::mesh::Service;
use crate::parse::Object;
use crate::translate::names;

/// istiod's `route.GetDestinationCluster`: the explicit port, else the service's only port, else
/// the listener port.
pub fn destination_cluster(
    ctx: &Ctx,
    dest: &Destination,
    vs_namespace: &str,
    listener_port: u32,
) -> String {
    let hostname = host::resolve(&dest.host, vs_namespace);
    let service = ctx.service(&hostname);
    let port = dest
        .port
        .as_ref()
        .map(|p| p.number)
        .filter(|n| *n > 0)
        .or_else(|| {
            service
                .filter(|s| s.ports.len() == 1)
                .map(|s| s.ports[0].port)
        })
        .unwrap_or(listener_port);
    names::outbound_cluster(port, dest.subset.as_deref().unwrap_or(""), &hostname)
}

/// The tcp_proxy for a route's destinations: one cluster, or weighted clusters.
pub fn network_filters(
    ctx: &Ctx,
    routes: &[RouteDestination],
    listener_port: u32,
    vs: &Object,
) -> Vec<Value> {
    if routes.len() == 1 {
        let cluster =
            destination_cluster(ctx, &routes[0].destination, vs.namespace(), listener_port);
        return vec![filters::tcp_proxy(&cluster)];
    }
    let clusters: Vec<(String, u32)> = routes
        .iter()
        .filter(|r| r.weight.unwrap_or(0) > 0)
        .map(|r| {
            (
                destination_cluster(ctx, &r.destination, vs.namespace(), listener_port),
                r.weight.unwrap_or(0),
            )
        })
        .collect();
    if clusters.is_empty() {
        let cluster =
            destination_cluster(ctx, &routes[0].destination, vs.namespace(), listener_port);
        return vec![filters::tcp_proxy(&cluster)];
    }
    let prefix = format!("{}.{}", vs.name(), vs.namespace());
    vec![filters::tcp_proxy_weighted(&prefix, &clusters)]
}

/// VirtualServices whose hosts cover this service (istiod's `getConfigsForHost`).
pub fn for_service<'a>(
    vss: &[(&'a Object, &'a VirtualService)],
    svc: &Service,
) -> Vec<(&'a Object, &'a VirtualService)> {
    vss.iter()
        .filter(|(o, vs)| {
            vs.hosts
                .iter()
                .any(|h| host::intersects(&host::resolve(h, o.namespace()), &svc.hostname))
        })
        .copied()
        .collect()
}

/// `metadata.filter_metadata.istio.config` of a chain made from a VirtualService.
pub fn vs_metadata(vs: &Object) -> Value {
    crate::value!({"filter_metadata": {"istio": {"config": format!(
        "/apis/networking.istio.io/v1/namespaces/{}/virtual-service/{}",
        vs.namespace(),
        vs.name()
    )}}})
}
