//! What the proxies of one mesh share: the outbound clusters of a service port, the endpoints of
//! a cluster, a sidecar's outbound route configurations and, inside them, the routes of each
//! VirtualService and the default route of each service no VirtualService claims, are the same
//! for every proxy whose translation reads the same inputs, so they are built once and handed
//! out again (a `Value` is shared copy-on-write: a later EnvoyFilter patch copies before it
//! writes).
//!
//! Each key holds every input its builder reads besides the mesh itself, by identity (the
//! address of the mesh's service, port, DestinationRule, Sidecar or VirtualService), so a
//! [`Memo`] is valid for the one mesh it was first used with and must never outlive it or see
//! another one ([`crate::simulate::trace::World`] keeps both together); after an edit,
//! [`Memo::carry_over`] moves what the edit left valid to the new mesh. The virtual hosts
//! themselves (names, domains, which VirtualService claims which service) are assembled again
//! on each miss: that reads every visible VirtualService and service, cheap next to the routes.
//! `core/tests/memo.rs` holds the shared translation equal to a fresh one for every proxy of
//! every preset, analyzer fixture and generated mesh, and after edits of each input.

use crate::envoy::Value;
use crate::istio::networking::VirtualService;
use crate::mesh::{Mesh, Scope, Service, ServicePort};
use crate::parse::{Kind, Object};
use std::cell::{Cell, OnceCell, RefCell};
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
    /// What a sidecar's outbound routes read from the proxy -> a small id the keys below use.
    proxies: RefCell<HashMap<ProxyKey, usize>>,
    /// (route configuration name, proxy id) -> a sidecar's outbound route configuration.
    routes: RefCell<HashMap<(String, usize), Value>>,
    /// (VirtualService, listener port, proxy id) -> its Envoy routes in a sidecar's virtual host.
    vs_routes: RefCell<HashMap<(usize, u32, usize), Vec<Value>>>,
    /// (service, port, DestinationRule) -> the default route of a service no VirtualService
    /// claims (the rule gives its hash policy).
    default_routes: RefCell<HashMap<(usize, u32, usize), Value>>,
    /// Every label key some VirtualService's `sourceLabels` names: the only labels of a proxy
    /// its routes depend on.
    source_label_keys: OnceCell<Vec<String>>,
    /// The id the next new proxy key gets.
    next_proxy: Cell<usize>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

/// Everything a sidecar's outbound routes read from the proxy: its namespaces (visibility,
/// `sourceNamespace`, domains), its Sidecar resource, the DestinationRules that select it by
/// workloadSelector (hash policies) and the labels `sourceLabels` can test.
#[derive(PartialEq, Eq, Hash)]
struct ProxyKey {
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
        cached(&self.clusters, key, build)
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
        cached(&self.endpoints, key, build)
    }

    /// A sidecar's outbound route configuration `name`; `build` gets the proxy's id for
    /// [`Memo::virtual_service_routes`].
    pub(crate) fn sidecar_routes(
        &self,
        scope: &Scope,
        name: &str,
        build: impl FnOnce(usize) -> Value,
    ) -> Value {
        let proxy = self.proxy_id(scope);
        let key = (name.to_string(), proxy);
        cached(&self.routes, key, || build(proxy))
    }

    /// The routes the VirtualService `vs` gives a virtual host of the sidecar route
    /// configuration on `port`, for the proxy `proxy` (an id from [`Memo::sidecar_routes`]).
    /// They read the VirtualService, the proxy's [`ProxyKey`] and, through the scope, the
    /// services and DestinationRules it sees.
    pub(crate) fn virtual_service_routes(
        &self,
        vs: &VirtualService,
        port: u32,
        proxy: usize,
        build: impl FnOnce() -> Vec<Value>,
    ) -> Vec<Value> {
        let key = (addr(vs), port, proxy);
        cached(&self.vs_routes, key, build)
    }

    /// The default route of `service` on `port`, whose hash policy comes from the
    /// DestinationRule `scope` picks for it: nothing else of the proxy is read.
    pub(crate) fn default_route(
        &self,
        scope: &Scope,
        service: &Service,
        port: u32,
        build: impl FnOnce() -> Value,
    ) -> Value {
        let dr = scope.destination_rule(service).map_or(0, |(_, d)| addr(d));
        let key = (addr(service), port, dr);
        cached(&self.default_routes, key, build)
    }

    /// The memo of `old` made valid for `new`, the mesh after an edit (everything is dropped
    /// when MeshConfig or a PeerAuthentication changed, which every piece may read):
    /// - clusters, load assignments and default routes of every service, port and
    ///   DestinationRule the edit left equal are kept;
    /// - a VirtualService's routes are kept when it is equal (found by kind, namespace and name,
    ///   so adding another one does not shift it) and every Service, DestinationRule and Sidecar is
    ///   equal, in order (its destinations look services and rules up through the proxy's
    ///   scope), as are the label keys `sourceLabels` names;
    /// - whole route configurations are kept only when, in addition, every VirtualService is
    ///   equal, in order (each virtual host reads which other VirtualServices claim its
    ///   service and domains): comment-only and non-networking edits.
    pub fn carry_over(self, old: &Mesh, new: &Mesh) -> Memo {
        let peer_auth = |m: &Mesh| -> Vec<(String, crate::istio::security::PeerAuthentication)> {
            m.peer_authentications()
                .map(|(o, pa)| (o.namespace().to_string(), pa.clone()))
                .collect()
        };
        if old.config != new.config || peer_auth(old) != peer_auth(new) {
            return Memo::new();
        }
        let same_object = |a: &Object, b: &Object| a.meta == b.meta && a.kind == b.kind;
        // Address in `old` -> address in `new` of what the edit left equal, by position.
        let mut moved: HashMap<usize, usize> = HashMap::new();
        let mut services_equal = old.services.len() == new.services.len();
        for (a, b) in old.services.iter().zip(&new.services) {
            if a == b {
                moved.insert(addr(a), addr(b));
                for (pa, pb) in a.ports.iter().zip(&b.ports) {
                    moved.insert(addr(pa), addr(pb));
                }
            } else {
                services_equal = false;
            }
        }
        let mut rules_equal = old.destination_rules().count() == new.destination_rules().count();
        for ((oa, a), (ob, b)) in old.destination_rules().zip(new.destination_rules()) {
            if same_object(oa, ob) && a == b {
                moved.insert(addr(a), addr(b));
            } else {
                rules_equal = false;
            }
        }
        let mut sidecars_equal = old.sidecars().count() == new.sidecars().count();
        for ((oa, a), (ob, b)) in old.sidecars().zip(new.sidecars()) {
            if same_object(oa, ob) && a == b {
                moved.insert(addr(a), addr(b));
            } else {
                sidecars_equal = false;
            }
        }
        // A VirtualService's routes read its own spec, name, namespace and kind, nothing of
        // the other VirtualServices (delegates are not merged): match by kind, namespace and
        // name, so adding one does not shift the others.
        let by_name: HashMap<(Kind, &str, &str), (&Object, &VirtualService)> = new
            .virtual_services()
            .map(|(o, vs)| ((o.kind, o.namespace(), o.name()), (o, vs)))
            .collect();
        for (oa, a) in old.virtual_services() {
            if let Some((ob, b)) = by_name.get(&(oa.kind, oa.namespace(), oa.name())) {
                if same_object(oa, ob) && a == *b {
                    moved.insert(addr(a), addr(*b));
                }
            }
        }
        // Every one equal and in the same place.
        let virtual_services_equal = old.virtual_services().count()
            == new.virtual_services().count()
            && old
                .virtual_services()
                .zip(new.virtual_services())
                .all(|((_, a), (_, b))| moved.get(&addr(a)) == Some(&addr(b)));
        // No DestinationRule (or Sidecar) stays none.
        moved.insert(0, 0);
        let clusters = rekey(self.clusters.into_inner(), |(s, p, d, gw)| {
            Some((*moved.get(&s)?, *moved.get(&p)?, *moved.get(&d)?, gw))
        });
        let endpoints = rekey(self.endpoints.into_inner(), |(name, s, d)| {
            Some((name, *moved.get(&s)?, *moved.get(&d)?))
        });
        let default_routes = rekey(self.default_routes.into_inner(), |(s, port, d)| {
            Some((*moved.get(&s)?, port, *moved.get(&d)?))
        });
        let scopes_equal = services_equal
            && rules_equal
            && sidecars_equal
            && source_label_keys(old) == source_label_keys(new);
        let carried = Memo {
            clusters: RefCell::new(clusters),
            endpoints: RefCell::new(endpoints),
            default_routes: RefCell::new(default_routes),
            next_proxy: self.next_proxy,
            ..Memo::default()
        };
        if !scopes_equal {
            return carried;
        }
        // Every proxy key's Sidecar and rules moved (all are equal): the ids stay.
        let proxies = self
            .proxies
            .into_inner()
            .into_iter()
            .filter_map(|(k, id)| {
                let selected_rules = k
                    .selected_rules
                    .iter()
                    .map(|r| moved.get(r).copied())
                    .collect::<Option<Vec<usize>>>()?;
                let sidecar = *moved.get(&k.sidecar)?;
                Some((
                    ProxyKey {
                        sidecar,
                        selected_rules,
                        ..k
                    },
                    id,
                ))
            })
            .collect();
        let vs_routes = rekey(self.vs_routes.into_inner(), |(vs, port, proxy)| {
            Some((*moved.get(&vs)?, port, proxy))
        });
        Memo {
            proxies: RefCell::new(proxies),
            vs_routes: RefCell::new(vs_routes),
            routes: if virtual_services_equal {
                self.routes
            } else {
                RefCell::default()
            },
            ..carried
        }
    }

    /// The id of what `scope`'s proxy gives its outbound routes to read.
    fn proxy_id(&self, scope: &Scope) -> usize {
        let (mesh, proxy) = (scope.mesh, scope.proxy);
        let keys = self
            .source_label_keys
            .get_or_init(|| source_label_keys(mesh));
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
        let key = ProxyKey {
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
        };
        *self.proxies.borrow_mut().entry(key).or_insert_with(|| {
            let id = self.next_proxy.get();
            self.next_proxy.set(id + 1);
            id
        })
    }
}

/// The value `map` holds for `key`, built (and kept) on the first ask.
fn cached<K: Eq + std::hash::Hash, V: Clone>(
    map: &RefCell<HashMap<K, V>>,
    key: K,
    build: impl FnOnce() -> V,
) -> V {
    if let Some(hit) = map.borrow().get(&key) {
        return hit.clone();
    }
    let made = build();
    map.borrow_mut().insert(key, made.clone());
    made
}

/// `map` under the keys `f` maps its keys to, without those it maps to `None`; sized up front
/// (collecting a filtered iterator would grow, and rehash, the map many times).
fn rekey<K, L: Eq + std::hash::Hash, V>(
    map: HashMap<K, V>,
    mut f: impl FnMut(K) -> Option<L>,
) -> HashMap<L, V> {
    let mut out = HashMap::with_capacity(map.len());
    for (k, v) in map {
        if let Some(l) = f(k) {
            out.insert(l, v);
        }
    }
    out
}

/// Every label key some VirtualService's `sourceLabels` names, sorted.
fn source_label_keys(mesh: &Mesh) -> Vec<String> {
    let mut keys: Vec<String> = mesh
        .virtual_services()
        .flat_map(|(_, vs)| &vs.http)
        .flat_map(|r| &r.matches)
        .flat_map(|m| m.source_labels.keys().cloned())
        .collect();
    crate::order::sort(&mut keys);
    keys.dedup();
    keys
}
