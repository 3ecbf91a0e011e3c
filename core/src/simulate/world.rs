//! Build the trace's [`World`] from a loaded mesh: every proxy with its generated Envoy config
//! (translated at once, or on a trace's first visit), its application's calls, and the port
//! mapping of the Service in front of a gateway.

use super::trace::{Call, Node, Translator, World};
use crate::mesh::{Mesh, Proxy};
use std::rc::Rc;

impl World {
    /// Translate every proxy of the mesh.
    pub fn from_mesh(mesh: &Mesh) -> World {
        let world = World::untranslated(mesh);
        let memo = crate::translate::Memo::new();
        for (n, p) in world.nodes.iter().zip(mesh.proxies()) {
            let _ = n
                .config
                .set(crate::translate::proxy_config_shared(mesh, p, &memo));
        }
        world
    }

    /// A world whose proxies are translated the first time a trace visits them (a trace
    /// through a 1,000-service mesh translates the few proxies on its path). `source` is the
    /// loaded mesh (a [`crate::Loaded`] or a [`Mesh`]), kept alive by the world.
    pub fn lazy<S: AsRef<Mesh> + 'static>(source: Rc<S>) -> World {
        let mut world = World::untranslated(source.as_ref().as_ref());
        // The pieces the visited proxies share are built once: the memo lives and dies with
        // this world's mesh.
        let memo = crate::translate::Memo::new();
        world.translate = Some(Translator(Rc::new(move |node: &Node| {
            let mesh = source.as_ref().as_ref();
            mesh.proxies()
                .iter()
                .find(|p| p.name == node.proxy && p.namespace == node.namespace)
                .map(|p| crate::translate::proxy_config_shared(mesh, p, &memo))
                .unwrap_or_default()
        })));
        world
    }

    /// Every node without its config: what a trace needs besides the configs.
    fn untranslated(mesh: &Mesh) -> World {
        World {
            nodes: mesh.proxies().iter().map(|p| node(mesh, p)).collect(),
            plain: mesh
                .workloads
                .iter()
                .filter(|w| w.proxy.is_none())
                .flat_map(|w| w.ips.iter().map(|ip| (ip.clone(), w.app.clone())))
                .collect(),
            rule_lines: rule_lines(mesh),
            translate: None,
        }
    }
}

/// The line of every AuthorizationPolicy rule (`spec.rules[i]`), or of the policy when it has
/// none (istiod's never-matching `rule[0]`).
fn rule_lines(mesh: &Mesh) -> crate::sorted::SortedMap<(String, usize), (String, u32)> {
    let mut out = Vec::new();
    for (obj, p) in mesh.authorization_policies() {
        let path = obj.config_path();
        if p.rules.is_empty() {
            out.push((
                (path.clone(), 0),
                (obj.origin.file.clone(), obj.origin.span.start_line),
            ));
        }
        for i in 0..p.rules.len() {
            let span = obj.span_of(&["spec", "rules", &i.to_string()]);
            out.push((
                (path.clone(), i),
                (obj.origin.file.clone(), span.start_line),
            ));
        }
    }
    out.into_iter().collect()
}

fn node(mesh: &Mesh, p: &Proxy) -> Node {
    Node {
        proxy: p.name.clone(),
        workload: p.workload.clone(),
        namespace: p.namespace.clone(),
        is_gateway: p.is_gateway(),
        ips: p.ips.clone(),
        config: Default::default(),
        calls: p
            .calls
            .iter()
            .map(|c| Call {
                host: c.host.clone(),
                port: c.port as u16,
                path: c.path.clone(),
            })
            .collect(),
        forward_headers: p.forward_headers.clone(),
        port_map: service_port_map(mesh, p),
        principal: format!(
            "{}/ns/{}/sa/{}",
            mesh.config.trust_domain, p.namespace, p.service_account
        ),
    }
}

/// For a gateway: (Service port, target port) of every Service whose endpoints are this proxy.
pub fn service_port_map(mesh: &Mesh, p: &Proxy) -> Vec<(u16, u16)> {
    let mut port_map = Vec::new();
    if p.is_gateway() {
        for s in &mesh.services {
            for ep in s.endpoints.iter().filter(|e| p.ips.contains(&e.address)) {
                for port in &s.ports {
                    if let Some(tp) = ep.port_for(port.port) {
                        let pair = (port.port as u16, tp as u16);
                        if !port_map.contains(&pair) {
                            port_map.push(pair);
                        }
                    }
                }
            }
        }
    }
    port_map
}

/// The workloads whose proxies enforce a security policy: RBAC, ext_authz or jwt_authn filters
/// on their inbound (or gateway) listeners, what the diagram's lock marks. A sidecar has them
/// when an AuthorizationPolicy or a RequestAuthentication with jwtRules (of the root namespace or
/// its own) selects it, as `translate::authz` selects them, since its inbound listener always
/// exists; a gateway's listeners (few, and absent without a Gateway) are built and read.
pub fn guarded(mesh: &Mesh) -> Vec<String> {
    use crate::istio::security::target_refs;
    use crate::translate::authz::should_attach;
    let root = mesh.config.root_namespace.as_str();
    let mut seen = crate::sorted::SortedSet::new();
    let mut out: Vec<String> = Vec::new();
    for p in mesh.proxies() {
        if seen.contains(&p.workload) {
            continue;
        }
        let in_scope = |ns: &str| ns == root || ns == p.config_namespace;
        let authz = || {
            mesh.authorization_policies().any(|(o, a)| {
                let refs = target_refs(&a.target_ref, &a.target_refs);
                in_scope(o.namespace())
                    && matches!(
                        a.action.as_deref().unwrap_or("ALLOW"),
                        "ALLOW" | "DENY" | "AUDIT" | "CUSTOM"
                    )
                    && should_attach(p, o.namespace(), a.selector.as_ref(), &refs)
            })
        };
        let jwt = || {
            mesh.request_authentications().any(|(o, r)| {
                let refs = target_refs(&r.target_ref, &r.target_refs);
                in_scope(o.namespace())
                    && !r.jwt_rules.is_empty()
                    && should_attach(p, o.namespace(), r.selector.as_ref(), &refs)
            })
        };
        let enforces = if p.is_gateway() {
            (authz() || jwt()) && gateway_listeners_enforce(mesh, p)
        } else {
            authz() || jwt()
        };
        if enforces {
            seen.insert(p.workload.clone());
            out.push(p.workload.clone());
        }
    }
    out
}

/// Does a gateway's listener set (built with its security filters) carry one of them?
fn gateway_listeners_enforce(mesh: &Mesh, p: &Proxy) -> bool {
    const FILTERS: [&str; 4] = [
        crate::translate::authz::HTTP_RBAC,
        crate::translate::authz::NETWORK_RBAC,
        crate::translate::authz::HTTP_EXT_AUTHZ,
        "envoy.filters.http.jwt_authn",
    ];
    let scope = crate::mesh::Scope::new(mesh, p);
    let mut listeners = crate::translate::listener::build(&scope);
    crate::translate::authz::apply(&scope, &mut listeners);
    listeners.iter().any(|l| uses_any(l, &FILTERS))
}

/// Does a tree name one of `filters` (a `name` key at any depth)?
fn uses_any(v: &crate::envoy::Value, filters: &[&str]) -> bool {
    use crate::envoy::Value;
    match v {
        Value::Object(map) => {
            map.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| filters.contains(&n))
                || map.values().any(|v| uses_any(v, filters))
        }
        Value::Array(items) => items.iter().any(|v| uses_any(v, filters)),
        _ => false,
    }
}
