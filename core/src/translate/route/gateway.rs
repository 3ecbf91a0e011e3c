//! Gateway route configurations (gateway.go buildGatewayHTTPRouteConfig): for each server behind
//! the route name, the VirtualServices bound to its Gateway whose hosts meet the server's hosts
//! give one virtual host per host, `<host>:<server port>`.

use super::http::{self, Context};
use crate::envoy::Value;
use crate::host;
use crate::istio::networking::VirtualService;
use crate::mesh::scope::exported_to;
use crate::mesh::Scope;
use crate::order;
use crate::parse::Object;
use crate::translate::gateway;
use crate::value;

pub fn route_config(scope: &Scope, name: &str) -> Value {
    let listeners = gateway::merged(scope.mesh, scope.proxy);
    let servers: Vec<&gateway::PlacedServer> = listeners
        .iter()
        .flat_map(|l| l.servers.iter())
        .filter(|s| s.route_config.as_deref() == Some(name))
        .collect();
    let lookup = |fqdn: &str| scope.service(fqdn);
    let hash = |fqdn: &str, p: Option<u32>| {
        scope
            .service(fqdn)
            .and_then(|s| super::hash_policy(scope, s, p))
    };

    // host -> (vhost, server port, the routes' sources for collapsing)
    let mut vhosts: Vec<(String, Value, Vec<String>)> = Vec::new();
    for placed in &servers {
        let gw_name = format!("{}/{}", placed.gateway.namespace(), placed.gateway.name());
        let gateways = vec![gw_name.clone()];
        let port = placed.server.port.number;
        let https_redirect = placed.server.tls.as_ref().is_some_and(|t| t.https_redirect);
        for (obj, vs) in bound_virtual_services(scope, &gw_name) {
            let vs_hosts: Vec<String> = vs.hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
            let hosts = intersect(
                &placed.server.hosts,
                placed.gateway.namespace(),
                obj.namespace(),
                &vs_hosts,
            );
            if hosts.is_empty() {
                continue;
            }
            let ctx = Context {
                labels: &scope.proxy.labels,
                namespace: &scope.proxy.namespace,
                gateways: &gateways,
                listener_port: port,
                is_tls: placed.server.tls.is_some(),
                sidecar: false,
                lookup: &lookup,
                hash_policy: &hash,
            };
            let routes = http::routes_for_virtual_service(&ctx, obj, vs);
            if routes.is_empty() {
                continue;
            }
            let source = format!("{}/{}", obj.namespace(), obj.name());
            for h in hosts {
                match vhosts.iter_mut().find(|(k, _, _)| *k == h) {
                    Some((_, vh, sources)) => {
                        if let Some(arr) = vh["routes"].as_array_mut() {
                            arr.extend(routes.iter().cloned());
                        }
                        sources.push(source.clone());
                        if https_redirect {
                            vh["require_tls"] = value!("ALL");
                        }
                    }
                    None => {
                        let mut vh = value!({"name": format!("{h}:{port}"), "domains": [&h], "routes": routes.clone()});
                        if https_redirect {
                            vh["require_tls"] = value!("ALL");
                        }
                        vhosts.push((h, vh, vec![source.clone()]));
                    }
                }
            }
        }
        if https_redirect {
            for h in &placed.server.hosts {
                let h = strip_namespace(h).to_ascii_lowercase();
                match vhosts.iter_mut().find(|(k, _, _)| *k == h) {
                    Some((_, vh, _)) => vh["require_tls"] = value!("ALL"),
                    None => vhosts.push((
                        h.clone(),
                        value!({"name": format!("{h}:{port}"), "domains": [h], "routes": [], "require_tls": "ALL"}),
                        Vec::new(),
                    )),
                }
            }
        }
    }
    let mut out: Vec<Value> = if vhosts.is_empty() {
        // No VirtualService for this port: everything gets 404 NR.
        let port = servers.first().map_or(0, |s| s.server.port.number);
        vec![value!({"name": format!("blackhole:{port}"), "domains": ["*"], "routes": []})]
    } else {
        let mut out = collapse(vhosts);
        // ProxyHeaders' default: Envoy adds x-envoy-attempt-count (the 404 blackhole vhost has none).
        for vh in &mut out {
            vh["include_request_attempt_count"] = value!(true);
        }
        out
    };
    for vh in &mut out {
        if let Some(routes) = vh["routes"].as_array_mut() {
            // Catch-all routes move behind the specific ones, in their original order.
            let (specific, catch_all): (Vec<Value>, Vec<Value>) =
                routes.drain(..).partition(|r| !http::is_catch_all(r));
            routes.extend(specific);
            routes.extend(catch_all);
        }
    }
    order::sort_by(&mut out, |a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    value!({
        "name": name,
        "virtual_hosts": out,
        "validate_clusters": false,
        "max_direct_response_body_size_bytes": http::max_direct_response_body(),
        "ignore_port_in_host_matching": true
    })
}

/// Hosts whose routes came from exactly the same VirtualServices share one virtual host.
fn collapse(mut vhosts: Vec<(String, Value, Vec<String>)>) -> Vec<Value> {
    order::sort_by(&mut vhosts, |a, b| a.0.cmp(&b.0));
    let mut out: Vec<(Value, Vec<String>)> = Vec::new();
    for (h, vh, sources) in vhosts {
        let mergeable = |(o, s): &&mut (Value, Vec<String>)| {
            !sources.is_empty()
                && *s == sources
                && o["require_tls"] == vh["require_tls"]
                && o["routes"] == vh["routes"]
        };
        if let Some((existing, _)) = out.iter_mut().find(|e| mergeable(e)) {
            if let Some(d) = existing["domains"].as_array_mut() {
                d.push(value!(h));
            }
        } else {
            out.push((vh, sources));
        }
    }
    out.into_iter().map(|(v, _)| v).collect()
}

fn strip_namespace(h: &str) -> &str {
    h.split_once('/').map_or(h, |(_, h)| h)
}

/// Server hosts (optionally `ns/host`, `.` meaning the Gateway's own namespace) that meet the VirtualService's hosts; the more specific
/// of each matching pair is kept, as host.Names.Intersection does.
fn intersect(
    server_hosts: &[String],
    gateway_ns: &str,
    vs_ns: &str,
    vs_hosts: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sh in server_hosts {
        let (ns, h) = match sh.split_once('/') {
            Some((ns, h)) => (ns, h),
            None => ("*", sh.as_str()),
        };
        let ns = if ns == "." { gateway_ns } else { ns };
        if ns != "*" && ns != vs_ns {
            continue;
        }
        for vh in vs_hosts {
            if let Some(p) = host::narrower(h, vh) {
                if !out.iter().any(|o| o == p) {
                    out.push(p.to_string());
                }
            }
        }
    }
    out
}

/// VirtualServices bound to a gateway (`ns/name`), visible to the gateway's namespace.
fn bound_virtual_services<'a>(
    scope: &Scope<'a>,
    gateway: &str,
) -> Vec<(&'a Object, &'a VirtualService)> {
    let ns = scope.proxy.config_namespace.clone();
    let mut out: Vec<(&'a Object, &'a VirtualService)> = scope
        .mesh
        .virtual_services()
        .filter(|(o, vs)| exported_to(&vs.export_to, o.namespace(), &ns))
        .filter(|(o, vs)| {
            vs.gateways.iter().any(|g| {
                let full = if g.contains('/') {
                    g.clone()
                } else {
                    format!("{}/{g}", o.namespace())
                };
                full == gateway
            })
        })
        .collect();
    // Same-namespace Gateway API routes first: the "consumer override" (VirtualServicesForGateway).
    order::sort_by_key(&mut out, |(o, _)| {
        !(crate::gatewayapi::uses_gateway_semantics(&o.meta) && o.namespace() == ns)
    });
    out
}
