//! Build the trace's [`World`] from a loaded mesh: every proxy with its generated Envoy config,
//! its application's calls, and the port mapping of the Service in front of a gateway.

use super::trace::{Call, Node, World};
use crate::mesh::{Mesh, Proxy};

impl World {
    /// Translate every proxy of the mesh.
    pub fn from_mesh(mesh: &Mesh) -> World {
        World {
            nodes: mesh.proxies().iter().map(|p| node(mesh, p)).collect(),
            plain: mesh
                .workloads
                .iter()
                .filter(|w| w.proxy.is_none())
                .flat_map(|w| w.ips.iter().map(|ip| (ip.clone(), w.app.clone())))
                .collect(),
            rule_lines: rule_lines(mesh),
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
        config: crate::translate::proxy_config(mesh, p),
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
