//! EDS: a ClusterLoadAssignment for every EDS cluster, the endpoints istiod would send.

use crate::envoy::Value;
use crate::mesh::{canonical, Endpoint, Scope};
use crate::translate::telemetry::CLUSTER_ID;
use crate::{shared, value};

pub fn build(scope: &Scope, clusters: &[Value]) -> Vec<Value> {
    build_with(scope, clusters, None)
}

/// [`build`], reusing the load assignments `memo` holds for this mesh.
pub(crate) fn build_with(
    scope: &Scope,
    clusters: &[Value],
    memo: Option<&super::Memo>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for cluster in clusters.iter().filter(|c| c["type"] == "EDS") {
        let name = cluster["name"].as_str().unwrap_or_default();
        let Some((port, subset, host)) = parse_outbound(name) else {
            continue;
        };
        let Some(service) = scope.service(host).filter(|s| s.port(port).is_some()) else {
            continue;
        };
        let dr = if subset.is_empty() {
            None
        } else {
            scope.destination_rule(service).map(|(_, dr)| dr)
        };
        let build = || {
            let labels = dr
                .and_then(|dr| dr.subsets.iter().find(|s| s.name == subset))
                .map(|s| &s.labels);
            let endpoints = service.endpoints.iter().filter(|e| {
                labels.is_none_or(|l| l.iter().all(|(k, v)| e.labels.get(k) == Some(v)))
            });
            load_assignment(name, endpoints, port)
        };
        out.push(match memo {
            Some(memo) => {
                let dr = dr.map_or(0, |d| d as *const _ as usize);
                memo.endpoints(name, service, dr, build)
            }
            None => build(),
        });
    }
    out
}

/// `outbound|9080|v1|reviews...` into (9080, "v1", "reviews...").
pub fn parse_outbound(name: &str) -> Option<(u32, &str, &str)> {
    let mut parts = name.splitn(4, '|');
    if parts.next()? != "outbound" {
        return None;
    }
    let port = parts.next()?.parse().ok()?;
    Some((port, parts.next()?, parts.next()?))
}

/// `istio.workload`: `workload;namespace;canonical service;canonical revision;cluster`, the revision
/// left empty when it is the default `latest`, for the stats filter to label requests that never
/// reach a sidecar.
pub fn workload_metadata(e: &Endpoint) -> String {
    let name = canonical::name(&e.labels, &e.workload_name);
    let revision = canonical::revision(&e.labels);
    let revision = if revision == "latest" { "" } else { &revision };
    crate::join!(
        &e.workload_name,
        ";",
        &e.namespace,
        ";",
        name,
        ";",
        revision,
        ";",
        CLUSTER_ID
    )
}

/// The ClusterLoadAssignment of one cluster (also inlined as `load_assignment` of DNS clusters).
pub fn load_assignment<'a>(
    cluster: &str,
    endpoints: impl Iterator<Item = &'a Endpoint>,
    service_port: u32,
) -> Value {
    let lb_endpoints: Vec<Value> = endpoints
        .filter_map(|e| {
            let port = e.port_for(service_port)?;
            // util.AppendLbEndpointMetadata: the tlsMode key only for `istio` (disabled is
            // the default the cluster's catch-all socket match covers).
            let mut meta = crate::envoy::Map::new();
            if e.sidecar {
                meta.insert(
                    "envoy.transport_socket_match".into(),
                    shared!({"tlsMode": "istio"}),
                );
            }
            meta.insert(
                "istio".into(),
                value!({ "workload": workload_metadata(e) }),
            );
            Some(value!({
                "endpoint": {"address": {"socket_address": {"address": &e.address, "port_value": port}}},
                "health_status": "HEALTHY",
                "metadata": {"filter_metadata": meta},
                "load_balancing_weight": e.weight.unwrap_or(1).max(1)
            }))
        })
        .collect();
    let total = lb_endpoints.len();
    let mut groups = Vec::new();
    if total > 0 {
        groups.push(
            value!({"locality": {}, "lb_endpoints": lb_endpoints, "load_balancing_weight": total}),
        );
    }
    value!({"cluster_name": cluster, "endpoints": groups})
}
