//! What the proxies of one mesh share: the outbound clusters of a service port, the endpoints of
//! a cluster and a sidecar's outbound route configurations are the same for every proxy whose
//! translation reads the same inputs, so they are built once and handed out again (a `Value` is
//! shared copy-on-write: a later EnvoyFilter patch copies before it writes).
//!
//! Each key holds every input its builder reads besides the mesh itself, by identity (the
//! address of the mesh's service, port, DestinationRule or Sidecar), so a [`Memo`] is valid for
//! the one mesh it was first used with and must never outlive it or see another one
//! ([`crate::simulate::trace::World`] keeps both together); after an edit, [`Memo::carry_over`]
//! moves what the edit left valid to the new mesh. `core/tests/memo.rs` holds the shared
//! translation equal to a fresh one for every proxy of every preset, analyzer fixture and
//! generated mesh, and after edits.

use crate::envoy::Value;
use crate::mesh::{Mesh, Proxy, Scope, Service, ServicePort};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

/// (service, port, DestinationRule, gateway?), each by address (0: no DestinationRule).
type ClusterKey = (usize, usize, usize, bool);

/// The pieces built so far for one mesh.
#[derive(Default)]
pub struct Memo {
    /// (service, port, DestinationRule, gateway?) -> the port's outbound clusters.
    clusters: RefCell<HashMap<ClusterKey, Vec<Value>>>,
    /// (cluster name, service, DestinationRule) -> its ClusterLoadAssignment.
    endpoints: RefCell<HashMap<(String, usize, usize), Value>>,
    /// A sidecar's outbound route configuration by name and the proxy's inputs to it.
    routes: RefCell<HashMap<RouteKey, Value>>,
    /// Every label key some VirtualService's `sourceLabels` names: the only labels of a proxy
    /// its routes depend on.
    source_label_keys: OnceCell<Vec<String>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

/// Everything a sidecar's outbound route configuration reads from the proxy: its namespaces
/// (visibility, `sourceNamespace`, domains), its Sidecar resource, the DestinationRules that
/// select it by workloadSelector (hash policies) and the labels `sourceLabels` can test.
#[derive(PartialEq, Eq, Hash)]
struct RouteKey {
    name: String,
    namespace: String,
    config_namespace: String,
    sidecar: usize,
    selected_rules: Vec<usize>,
    labels: Vec<(String, String)>,
}

fn addr<T>(r: &T) -> usize {
    r as *const T as usize
}

impl Memo {
    pub fn new() -> Memo {
        Memo::default()
    }

    /// The outbound clusters of `service`'s `port` as `build` makes them for this scope.
    pub(crate) fn clusters(
        &self,
        scope: &Scope,
        service: &Service,
        port: &ServicePort,
        build: impl FnOnce() -> Vec<Value>,
    ) -> Vec<Value> {
        let dr = scope.destination_rule(service).map_or(0, |(_, d)| addr(d));
        let key = (addr(service), addr(port), dr, scope.proxy.is_gateway());
        if let Some(hit) = self.clusters.borrow().get(&key) {
            return hit.clone();
        }
        let made = build();
        self.clusters.borrow_mut().insert(key, made.clone());
        made
    }

    /// The load assignment of the EDS cluster `name` of `service` (its subset's labels from
    /// the DestinationRule `dr`).
    pub(crate) fn endpoints(
        &self,
        name: &str,
        service: &Service,
        dr: usize,
        build: impl FnOnce() -> Value,
    ) -> Value {
        let key = (name.to_string(), addr(service), dr);
        if let Some(hit) = self.endpoints.borrow().get(&key) {
            return hit.clone();
        }
        let made = build();
        self.endpoints.borrow_mut().insert(key, made.clone());
        made
    }

    /// A sidecar's outbound route configuration `name`.
    pub(crate) fn sidecar_routes(
        &self,
        scope: &Scope,
        name: &str,
        build: impl FnOnce() -> Value,
    ) -> Value {
        let key = self.route_key(scope.mesh, scope.proxy, scope, name);
        if let Some(hit) = self.routes.borrow().get(&key) {
            return hit.clone();
        }
        let made = build();
        self.routes.borrow_mut().insert(key, made.clone());
        made
    }

    /// The memo of `old` made valid for `new`, the mesh after an edit: the clusters and load
    /// assignments of every service, port and DestinationRule the edit left equal are kept, the
    /// rest is dropped (as is everything when MeshConfig or a PeerAuthentication changed, which
    /// every cluster reads). Route configurations are dropped: they read every VirtualService.
    pub fn carry_over(self, old: &Mesh, new: &Mesh) -> Memo {
        let peer_auth = |m: &Mesh| -> Vec<(String, crate::istio::security::PeerAuthentication)> {
            m.peer_authentications()
                .map(|(o, pa)| (o.namespace().to_string(), pa.clone()))
                .collect()
        };
        if old.config != new.config || peer_auth(old) != peer_auth(new) {
            return Memo::new();
        }
        // Address in `old` -> address in `new` of what the edit left equal, by position.
        let mut moved: HashMap<usize, usize> = HashMap::new();
        if old.services.len() == new.services.len() {
            for (a, b) in old.services.iter().zip(&new.services) {
                if a == b {
                    moved.insert(addr(a), addr(b));
                    for (pa, pb) in a.ports.iter().zip(&b.ports) {
                        moved.insert(addr(pa), addr(pb));
                    }
                }
            }
        }
        for ((oa, a), (ob, b)) in old.destination_rules().zip(new.destination_rules()) {
            if oa.meta == ob.meta && oa.config_path() == ob.config_path() && a == b {
                moved.insert(addr(a), addr(b));
            }
        }
        // No DestinationRule stays no DestinationRule.
        moved.insert(0, 0);
        let clusters = self
            .clusters
            .into_inner()
            .into_iter()
            .filter_map(|((s, p, d, gw), v)| {
                Some(((*moved.get(&s)?, *moved.get(&p)?, *moved.get(&d)?, gw), v))
            })
            .collect();
        let endpoints = self
            .endpoints
            .into_inner()
            .into_iter()
            .filter_map(|((name, s, d), v)| Some(((name, *moved.get(&s)?, *moved.get(&d)?), v)))
            .collect();
        Memo {
            clusters: RefCell::new(clusters),
            endpoints: RefCell::new(endpoints),
            ..Memo::default()
        }
    }

    fn route_key(&self, mesh: &Mesh, proxy: &Proxy, scope: &Scope, name: &str) -> RouteKey {
        let keys = self.source_label_keys.get_or_init(|| {
            let mut keys: Vec<String> = mesh
                .virtual_services()
                .flat_map(|(_, vs)| &vs.http)
                .flat_map(|r| &r.matches)
                .flat_map(|m| m.source_labels.keys().cloned())
                .collect();
            crate::order::sort(&mut keys);
            keys.dedup();
            keys
        });
        // A superset of the rules the scope's index takes by workloadSelector (it also checks
        // exportTo): a finer key, never a wrong hit.
        let selected_rules = mesh
            .destination_rules()
            .filter(|(o, dr)| {
                dr.workload_selector.as_ref().is_some_and(|sel| {
                    o.namespace() == proxy.config_namespace && sel.matches(&proxy.labels)
                })
            })
            .map(|(_, dr)| addr(dr))
            .collect();
        RouteKey {
            name: name.to_string(),
            namespace: proxy.namespace.clone(),
            config_namespace: proxy.config_namespace.clone(),
            sidecar: scope.sidecar.map_or(0, |(_, s)| addr(s)),
            selected_rules,
            labels: proxy
                .labels
                .iter()
                .filter(|(k, _)| keys.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}
