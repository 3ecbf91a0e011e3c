//! Gateway servers merged per listener, as istiod's `MergeGateways` does for one gateway proxy:
//! every Gateway whose selector matches the proxy contributes servers; a server's port is
//! translated through the Service in front of the proxy (80 -> targetPort 8080); plain-text HTTP
//! servers on one port share `http.<port>`; conflicting servers are dropped.

use crate::istio::networking::{Gateway, Server};
use crate::mesh::{Mesh, Protocol, Proxy};
use crate::order;
use crate::parse::Object;
use crate::translate::names;

/// One server of one Gateway, placed on the port the proxy really listens on.
#[derive(Debug, Clone)]
pub struct PlacedServer<'a> {
    pub gateway: &'a Object,
    pub server: &'a Server,
    /// Index of the server in `spec.servers`, for spans.
    pub index: usize,
    /// The port the listener binds: the Service's targetPort when the server port is a Service port.
    pub listener_port: u32,
    pub protocol: Protocol,
    /// `http.8080`, `https.443.https.gw.ns`, or none for TCP and TLS passthrough.
    pub route_config: Option<String>,
}

impl PlacedServer<'_> {
    pub fn is_tls_passthrough(&self) -> bool {
        self.server.is_tls_passthrough()
    }

    /// An HTTPS/TLS server that terminates TLS and routes HTTP.
    pub fn terminates_https(&self) -> bool {
        self.protocol == Protocol::Https && !self.is_tls_passthrough()
    }

    pub fn bind(&self) -> Option<&str> {
        self.server.bind.as_deref().filter(|b| !b.is_empty())
    }
}

/// Servers grouped by listener (port and bind), in istiod's order.
#[derive(Debug, Clone)]
pub struct Listener<'a> {
    pub port: u32,
    pub bind: Option<String>,
    pub servers: Vec<PlacedServer<'a>>,
}

const DISABLE_PORT_TRANSLATION: &str = "experimental.istio.io/disable-gateway-port-translation";

/// Gateways that select this proxy.
pub fn selecting<'a>(mesh: &'a Mesh, proxy: &Proxy) -> Vec<(&'a Object, &'a Gateway)> {
    mesh.gateways()
        .filter(|(_, g)| {
            !g.selector.is_empty()
                && g.selector
                    .iter()
                    .all(|(k, v)| proxy.labels.get(k) == Some(v))
        })
        .collect()
}

/// The port a gateway server binds, after translation through the Services that select the proxy.
pub fn resolve_port(mesh: &Mesh, proxy: &Proxy, number: u32) -> u32 {
    for inst in mesh.instances(proxy) {
        let obj = &mesh.objects[inst.service.object];
        if obj.meta.labels.contains_key(DISABLE_PORT_TRANSLATION) {
            continue;
        }
        if inst.port.port == number {
            return inst.target_port;
        }
    }
    number
}

/// The service a gateway is attached to by the `internal.istio.io/gateway-service` annotation
/// (Gateway API and Ingress-made Gateways), instead of a label selector.
const GATEWAY_SERVICE: &str = "internal.istio.io/gateway-service";

/// A Gateway that applies to the proxy, with the service ports its server ports translate
/// through (istiod's `gatewayWithInstances`).
pub struct Selected<'a> {
    pub object: &'a Object,
    pub gateway: &'a Gateway,
    /// Selected by labels (or by having no selector at all), rather than by service annotation.
    pub legacy_selector: bool,
    instances: Vec<crate::mesh::ServiceInstance<'a>>,
}

impl Selected<'_> {
    /// The ports a server port binds (istiod's `resolvePorts`): the targetPort of the matching
    /// service port; label-selected gateways fall back to the port as written, annotation-selected
    /// ones bind nothing when no service port matches.
    pub fn resolve_ports(&self, mesh: &Mesh, number: u32) -> Vec<u32> {
        let mut ports = Vec::new();
        for inst in &self.instances {
            let obj = &mesh.objects[inst.service.object];
            if self.legacy_selector && obj.meta.labels.contains_key(DISABLE_PORT_TRANSLATION) {
                continue;
            }
            if inst.port.port == number {
                if self.legacy_selector {
                    return vec![inst.target_port];
                }
                if !ports.contains(&inst.target_port) {
                    ports.push(inst.target_port);
                }
            }
        }
        order::sort(&mut ports);
        if ports.is_empty() && self.legacy_selector {
            return vec![number];
        }
        ports
    }
}

/// Gateways that apply to this proxy, in istiod's order (istiod's `PushContext.mergeGateways`):
/// a Gateway with the gateway-service annotation applies when the proxy serves one of those
/// services in the Gateway's namespace; one without a selector applies to every gateway proxy;
/// otherwise its selector must match the proxy's labels.
pub fn selected<'a>(mesh: &'a Mesh, proxy: &Proxy) -> Vec<Selected<'a>> {
    let instances = mesh.instances(proxy);
    let mut out = Vec::new();
    for (obj, gw) in mesh.gateways() {
        if let Some(svcs) = obj.meta.annotations.get(GATEWAY_SERVICE) {
            let known: Vec<&str> = svcs.split(',').collect();
            let ns = obj
                .meta
                .annotations
                .get("internal.istio.io/parent-namespace")
                .filter(|n| !n.is_empty())
                .map_or(obj.namespace(), String::as_str);
            let matching: Vec<_> = instances
                .iter()
                .filter(|i| {
                    known.contains(&i.service.hostname.as_str()) && i.service.namespace == ns
                })
                .cloned()
                .collect();
            if !matching.is_empty() {
                out.push(Selected {
                    object: obj,
                    gateway: gw,
                    legacy_selector: false,
                    instances: matching,
                });
            }
        } else if gw.selector.is_empty()
            || gw
                .selector
                .iter()
                .all(|(k, v)| proxy.labels.get(k) == Some(v))
        {
            out.push(Selected {
                object: obj,
                gateway: gw,
                legacy_selector: true,
                instances: instances.clone(),
            });
        }
    }
    out
}

pub fn merged<'a>(mesh: &'a Mesh, proxy: &Proxy) -> Vec<Listener<'a>> {
    let mut listeners: Vec<Listener<'a>> = Vec::new();
    // TLS hosts already served on each port, with their bind (istiod's tlsHostsByPort).
    let mut tls_hosts: Vec<(u32, &'a str, &'a str)> = Vec::new();
    for sel in selected(mesh, proxy) {
        let (gw_obj, gw) = (sel.object, sel.gateway);
        for (index, server) in gw.servers.iter().enumerate() {
            for listener_port in sel.resolve_ports(mesh, server.port.number) {
                let protocol = Protocol::parse(&server.port.protocol);
                let bind = server.bind.clone().filter(|b| !b.is_empty());
                if server.tls.is_some() {
                    // A TLS server repeating a host already served on this port and bind is
                    // skipped whole (model/gateway.go CheckDuplicates).
                    let b = server.bind.as_deref().unwrap_or("");
                    let duplicate = server.hosts.iter().any(|h| {
                        tls_hosts
                            .iter()
                            .any(|(p, kh, kb)| *p == listener_port && kh == h && *kb == b)
                    });
                    if duplicate {
                        continue;
                    }
                    tls_hosts.extend(server.hosts.iter().map(|h| (listener_port, h.as_str(), b)));
                }
                let placed = PlacedServer {
                    gateway: gw_obj,
                    server,
                    index,
                    listener_port,
                    protocol,
                    route_config: names::gateway_route_config(server, listener_port, gw_obj),
                };
                match listeners
                    .iter_mut()
                    .find(|l| l.port == listener_port && l.bind == bind)
                {
                    None => listeners.push(Listener {
                        port: listener_port,
                        bind,
                        servers: vec![placed],
                    }),
                    Some(existing) => {
                        let first = &existing.servers[0];
                        let both_plain_http = first.protocol.is_http() && protocol.is_http();
                        let both_tls = first.server.tls.is_some() && server.tls.is_some();
                        let tcp_with_tls = (first.protocol.is_tcp() && server.tls.is_some())
                            || (first.server.tls.is_some() && protocol.is_tcp());
                        if both_plain_http
                            || both_tls
                            || (tcp_with_tls
                                && first.protocol != Protocol::Tcp
                                && protocol != Protocol::Tcp)
                        {
                            existing.servers.push(placed);
                        }
                        // Anything else conflicts with the server already on this port and is
                        // dropped, as istiod drops it (the analyzer reports IST0145).
                    }
                }
            }
        }
    }
    listeners
}
