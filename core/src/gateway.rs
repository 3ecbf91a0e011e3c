//! Gateway servers merged per listener, as istiod's `MergeGateways` does for one gateway proxy:
//! every Gateway whose selector matches the proxy contributes servers; a server's port is
//! translated through the Service in front of the proxy (80 -> targetPort 8080); plain-text HTTP
//! servers on one port share `http.<port>`; conflicting servers are dropped.

use crate::istio::networking::{Gateway, Server};
use crate::mesh::{Mesh, Protocol, Proxy};
use crate::names;
use crate::parse::Object;

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
        self.server
            .tls
            .as_ref()
            .and_then(|t| t.mode.as_deref())
            .is_some_and(|m| m == "PASSTHROUGH" || m == "AUTO_PASSTHROUGH")
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

/// The Services a Gateway derived from a Gateway API Gateway applies to
/// (`internal.istio.io/gateway-service`), when it is one.
fn gateway_services(gw: &Object) -> Option<Vec<&str>> {
    gw.meta
        .annotations
        .get(crate::gatewayapi::GATEWAY_SERVICE)
        .map(|s| s.split(',').filter(|h| !h.is_empty()).collect())
}

/// Gateways that select this proxy: by label selector, or (Gateway API) by being an endpoint of
/// the gateway's Service in the Gateway's namespace (push_context.go mergeGateways).
pub fn selecting<'a>(mesh: &'a Mesh, proxy: &Proxy) -> Vec<(&'a Object, &'a Gateway)> {
    mesh.gateways()
        .filter(|(o, g)| match gateway_services(o) {
            Some(hosts) => mesh.instances(proxy).iter().any(|i| {
                hosts.contains(&i.service.hostname.as_str()) && i.service.namespace == o.namespace()
            }),
            None => {
                !g.selector.is_empty()
                    && g.selector
                        .iter()
                        .all(|(k, v)| proxy.labels.get(k) == Some(v))
            }
        })
        .collect()
}

/// The port a Gateway API gateway server listens on: the target port of that Service port on one
/// of the gateway's Services, or none (the server is a no-op), as istiod's resolvePorts does
/// without the legacy selector.
fn resolve_service_port(mesh: &Mesh, proxy: &Proxy, gw: &Object, number: u32) -> Option<u32> {
    let hosts = gateway_services(gw)?;
    mesh.instances(proxy)
        .into_iter()
        .find(|i| {
            hosts.contains(&i.service.hostname.as_str())
                && i.service.namespace == gw.namespace()
                && i.port.port == number
        })
        .map(|i| i.target_port)
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

pub fn merged<'a>(mesh: &'a Mesh, proxy: &Proxy) -> Vec<Listener<'a>> {
    let mut listeners: Vec<Listener<'a>> = Vec::new();
    for (gw_obj, gw) in selecting(mesh, proxy) {
        let by_service = gateway_services(gw_obj).is_some();
        for (index, server) in gw.servers.iter().enumerate() {
            let protocol = Protocol::parse(&server.port.protocol);
            let listener_port = if by_service {
                match resolve_service_port(mesh, proxy, gw_obj, server.port.number) {
                    Some(p) => p,
                    None => continue,
                }
            } else {
                resolve_port(mesh, proxy, server.port.number)
            };
            let bind = server.bind.clone().filter(|b| !b.is_empty());
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
    listeners
}
