//! What the picture needs from the routing, read from the mesh model instead of every proxy's
//! translated config: which workloads each outbound cluster reaches, the DestinationRule subsets
//! each workload is in, which subset clusters some route sends to, and the clusters each gateway
//! routes to.
//!
//! Every proxy's own config would give the same answers, but translating every proxy grows with
//! proxies x services. Here sidecars that see the mesh alike (same config namespace, same Sidecar
//! resource, same workload-selected DestinationRules) share one [`Scope`], so the cost is the
//! number of such classes times the services, plus the routes of each gateway, which are
//! translated (a gateway's routes are what its Gateway-bound VirtualServices make, and few).

use crate::envoy::Value;
use crate::istio::networking::{DestinationRule, TrafficPolicy};
use crate::mesh::protocol::Protocol;
use crate::mesh::scope::{exported_to, sidecar_for};
use crate::mesh::{Mesh, Proxy, Resolution, Scope, Service, ServicePort};
use crate::sorted::{SortedMap, SortedSet};
use crate::translate::names;
use std::collections::{HashMap, HashSet};

/// The routing facts the topology is drawn from.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Summary {
    /// Outbound cluster name -> the workloads its EDS endpoints belong to (empty for clusters
    /// without EDS: DNS, ORIGINAL_DST).
    pub cluster_targets: SortedMap<String, SortedSet<String>>,
    /// Workload -> the DestinationRule subsets whose clusters' endpoints include it.
    pub subsets: SortedMap<String, SortedSet<String>>,
    /// Outbound clusters some proxy's HTTP routes send to.
    pub routed: SortedSet<String>,
    /// Gateway workload -> the clusters its routes send to, gateways in mesh order.
    pub gateway_routes: Vec<(String, SortedSet<String>)>,
}

impl Summary {
    /// `by_ip`: endpoint address -> the workload (node id) owning it.
    pub fn from_mesh(mesh: &Mesh, by_ip: &SortedMap<&str, &str>) -> Summary {
        let mut out = Builder::default();
        // One representative per class of sidecars that see the same services and rules.
        let mut seen: SortedSet<String> = SortedSet::new();
        for p in mesh.proxies() {
            if p.is_gateway() {
                let scope = Scope::new(mesh, p);
                out.clusters(&scope, by_ip);
                let routes = gateway_routes(&scope);
                let clusters = super::route_clusters(&routes);
                out.routed.extend(clusters.iter().cloned());
                match out
                    .gateway_routes
                    .iter_mut()
                    .find(|(w, _)| *w == p.workload)
                {
                    Some((_, c)) => c.extend(clusters),
                    None => out.gateway_routes.push((p.workload.clone(), clusters)),
                }
            } else if seen.insert(class_key(mesh, p)) {
                let scope = Scope::new(mesh, p);
                out.clusters(&scope, by_ip);
            }
        }
        out.sidecar_routes(mesh);
        Summary {
            cluster_targets: out.cluster_targets.into_iter().collect(),
            subsets: out.subsets.into_iter().collect(),
            routed: out.routed.into_iter().collect(),
            gateway_routes: out.gateway_routes,
        }
    }
}

/// The summary while it is gathered: hash maps, sorted once at the end (thousands of clusters
/// inserted out of order into sorted vectors would move them again and again).
#[derive(Default)]
struct Builder {
    cluster_targets: HashMap<String, SortedSet<String>>,
    subsets: HashMap<String, SortedSet<String>>,
    routed: HashSet<String>,
    gateway_routes: Vec<(String, SortedSet<String>)>,
}

impl Builder {
    /// The outbound clusters one proxy's CDS has, and the workloads of their EDS endpoints (as
    /// `translate::cluster` and `translate::endpoint` build them).
    fn clusters(&mut self, scope: &Scope, by_ip: &SortedMap<&str, &str>) {
        for service in scope.services() {
            if service.external_name.is_some() {
                continue;
            }
            let dr = scope.destination_rule(service).map(|(_, d)| d);
            let subsets = std::iter::once(None)
                .chain(dr.into_iter().flat_map(|d| d.subsets.iter()).map(Some));
            for subset in subsets {
                for port in service.ports.iter().filter(|p| p.protocol != Protocol::Udp) {
                    let name = subset.map_or("", |s| s.name.as_str());
                    let labels = subset.map(|s| &s.labels);
                    let matching = || {
                        service.endpoints.iter().filter(move |e| {
                            labels.is_none_or(|l| l.iter().all(|(k, v)| e.labels.get(k) == Some(v)))
                        })
                    };
                    let tp = subset.and_then(|s| s.traffic_policy.as_ref());
                    let kind = discovery(scope.proxy, service, dr, tp, port);
                    if kind == Discovery::Dns && matching().next().is_none() {
                        continue; // istiod skips DNS clusters with nothing to resolve
                    }
                    let cluster = names::outbound_cluster(port.port, name, &service.hostname);
                    let targets = self.cluster_targets.entry(cluster).or_default();
                    if kind != Discovery::Eds {
                        continue;
                    }
                    for e in matching().filter(|e| e.port_for(port.port).is_some()) {
                        let Some(w) = by_ip.get(e.address.as_str()) else {
                            continue;
                        };
                        targets.insert(w.to_string());
                        if !name.is_empty() {
                            self.subsets
                                .entry(w.to_string())
                                .or_default()
                                .insert(name.to_string());
                        }
                    }
                }
            }
        }
    }

    /// The subset clusters sidecar routes send to: the destinations of every VirtualService bound
    /// to the mesh (`gateways` empty or `mesh`) and exported to a namespace with a sidecar, at
    /// the destination's port or, without one, at each port of the destination service (the
    /// listener ports it is reached on).
    fn sidecar_routes(&mut self, mesh: &Mesh) {
        let namespaces: SortedSet<&str> = mesh
            .proxies()
            .iter()
            .filter(|p| !p.is_gateway())
            .map(|p| p.config_namespace.as_str())
            .collect();
        let mut ports_of: SortedMap<&str, Vec<u32>> = SortedMap::new();
        for s in &mesh.services {
            let ports = ports_of.entry(s.hostname.as_str()).or_default();
            ports.extend(s.ports.iter().map(|p| p.port));
        }
        for (obj, vs) in mesh.virtual_services() {
            let for_mesh = vs.gateways.is_empty() || vs.gateways.iter().any(|g| g == "mesh");
            let visible = namespaces
                .iter()
                .any(|ns| exported_to(&vs.export_to, obj.namespace(), ns));
            if !for_mesh || !visible {
                continue;
            }
            for http in vs.http.iter().filter(|h| h.delegate.is_none()) {
                if http.redirect.is_some() || http.direct_response.is_some() {
                    continue;
                }
                for d in http.route.iter().map(|r| &r.destination) {
                    let Some(subset) = d.subset.as_deref().filter(|s| !s.is_empty()) else {
                        continue;
                    };
                    let fqdn = crate::host::resolve(&d.host, obj.namespace());
                    let ports: Vec<u32> = match &d.port {
                        Some(p) if p.number > 0 => vec![p.number],
                        _ => ports_of.get(fqdn.as_str()).cloned().unwrap_or_default(),
                    };
                    for port in ports {
                        self.routed
                            .insert(names::outbound_cluster(port, subset, &fqdn));
                    }
                }
            }
        }
    }
}

/// Sidecars with the same key see the same services and DestinationRules: the config namespace,
/// the Sidecar resource that applies, and the workload-selected DestinationRules that select them.
fn class_key(mesh: &Mesh, p: &Proxy) -> String {
    let sidecar = sidecar_for(mesh, p).map(|(o, _)| o.seq);
    let mut key = format!("{}|{sidecar:?}", p.config_namespace);
    for (o, dr) in mesh.destination_rules() {
        if let Some(sel) = &dr.workload_selector {
            if o.namespace() == p.config_namespace && sel.matches(&p.labels) {
                key.push('|');
                key.push_str(&o.seq.to_string());
            }
        }
    }
    key
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Discovery {
    Eds,
    Dns,
    /// ORIGINAL_DST: no endpoints of its own.
    OriginalDst,
}

/// How a cluster finds its endpoints (`translate::cluster`'s discovery type): a PASSTHROUGH load
/// balancer (the subset's, the port's, then the rule's) makes any cluster ORIGINAL_DST.
fn discovery(
    proxy: &Proxy,
    service: &Service,
    dr: Option<&DestinationRule>,
    subset_policy: Option<&TrafficPolicy>,
    port: &ServicePort,
) -> Discovery {
    let lb = |tp: Option<&TrafficPolicy>, inherited: Option<String>| -> Option<String> {
        let Some(tp) = tp else { return inherited };
        let mut lb = tp
            .load_balancer
            .as_ref()
            .map(|l| l.simple.clone())
            .unwrap_or(inherited);
        if let Some(pl) = tp
            .port_level_settings
            .iter()
            .find(|p| p.port.as_ref().is_some_and(|s| s.number == port.port))
        {
            if let Some(l) = &pl.load_balancer {
                lb = l.simple.clone();
            }
        }
        lb
    };
    let simple = lb(
        subset_policy,
        lb(dr.and_then(|d| d.traffic_policy.as_ref()), None),
    );
    if simple.as_deref() == Some("PASSTHROUGH") {
        return Discovery::OriginalDst;
    }
    match service.resolution {
        Resolution::ClientSideLb => Discovery::Eds,
        Resolution::DnsLb | Resolution::DnsRoundRobin => Discovery::Dns,
        Resolution::Passthrough if proxy.is_gateway() => Discovery::Eds,
        Resolution::Passthrough => Discovery::OriginalDst,
    }
}

/// A gateway's route configurations: the names its listeners ask for, translated.
fn gateway_routes(scope: &Scope) -> Vec<Value> {
    let listeners = crate::translate::listener::build(scope);
    crate::translate::route::build(scope, &crate::translate::route_names(&listeners))
}
