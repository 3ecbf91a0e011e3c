//! Sidecar outbound route configurations (httproute.go BuildSidecarOutboundVirtualHosts).
//!
//! A route config named after a port (`9080`) holds one virtual host per HTTP service on that
//! port and per VirtualService host, then the catch-all (`allow_any` or `block_all`). One named
//! `host:port` serves a sniffed port: only that service's virtual host, with domains `*`.

use super::http::{self, Context};
use crate::envoy::Value;
use crate::host;
use crate::istio::networking::VirtualService;
use crate::mesh::{OutboundMode, Scope, Service};
use crate::order;
use crate::parse::Object;
use crate::translate::{names, Memo};
use crate::value;
use std::collections::HashSet;

struct Wrapper<'a> {
    services: Vec<&'a Service>,
    vs_hosts: Vec<String>,
    routes: Vec<Value>,
}

/// The route configuration `name`; `memo` (with the proxy's id in it) shares the routes of
/// VirtualServices and services with the other proxies of the mesh.
pub fn route_config(scope: &Scope, name: &str, memo: Option<(&Memo, usize)>) -> Value {
    // `9080` or `reviews.default.svc.cluster.local:9080` (sniffed).
    let (sniffed_host, port) = match name.rsplit_once(':') {
        Some((h, p)) => (Some(h), p.parse::<u32>().unwrap_or(0)),
        None => (None, name.parse::<u32>().unwrap_or(0)),
    };
    let mut vhosts = virtual_hosts(scope, port, memo);
    order::sort_by(&mut vhosts, |a, b| {
        a["name"].as_str().cmp(&b["name"].as_str())
    });
    if let Some(h) = sniffed_host {
        vhosts.retain(|vh| {
            vh["domains"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x == name || x == h))
        });
        if vhosts.len() == 1 {
            vhosts[0]["domains"] = value!(["*"]);
        }
    } else {
        vhosts.push(catch_all(scope));
    }
    // ProxyHeaders' default for outbound: Envoy adds x-envoy-attempt-count upstream.
    for vh in &mut vhosts {
        vh["include_request_attempt_count"] = value!(true);
    }
    value!({
        "name": name,
        "virtual_hosts": vhosts,
        "validate_clusters": false,
        "max_direct_response_body_size_bytes": http::max_direct_response_body(),
        "ignore_port_in_host_matching": true
    })
}

fn catch_all(scope: &Scope) -> Value {
    match scope.outbound_mode() {
        OutboundMode::AllowAny => value!({
            "name": "allow_any",
            "domains": ["*"],
            "routes": [{
                "name": "allow_any",
                "match": {"prefix": "/"},
                "route": {"cluster": names::PASSTHROUGH_CLUSTER, "timeout": "0s", "max_grpc_timeout": "0s"}
            }]
        }),
        OutboundMode::AllowAnyDynamicDns => value!({
            "name": "allow_any_dynamic_dns",
            "domains": ["*"],
            "routes": [{
                "name": "allow_any_dynamic_dns",
                "match": {"prefix": "/"},
                "route": {"cluster": names::DYNAMIC_DNS_CLUSTER, "timeout": "0s", "max_grpc_timeout": "0s"}
            }]
        }),
        OutboundMode::RegistryOnly => value!({
            "name": "block_all",
            "domains": ["*"],
            "routes": [{"name": "block_all", "match": {"prefix": "/"}, "direct_response": {"status": 502}}]
        }),
    }
}

fn virtual_hosts(scope: &Scope, port: u32, memo: Option<(&Memo, usize)>) -> Vec<Value> {
    // Services that have this port (istiod narrows each to just that port).
    let services: Vec<&Service> = scope
        .services()
        .iter()
        .copied()
        .filter(|s| s.port(port).is_some())
        .collect();
    let on_port: HashSet<&str> = services.iter().map(|s| s.hostname.as_str()).collect();
    // Each VirtualService with its hosts resolved once.
    let mut vss: Vec<(&Object, &VirtualService, Vec<String>)> = scope
        .mesh_virtual_services()
        .iter()
        .map(|(o, vs)| {
            let hosts = vs
                .hosts
                .iter()
                .map(|h| host::resolve(&h.to_ascii_lowercase(), o.namespace()))
                .collect();
            (*o, *vs, hosts)
        })
        .collect();
    if port != 80 {
        vss.retain(|(_, _, hosts)| {
            hosts.iter().any(|h| {
                if h.starts_with('*') {
                    services
                        .iter()
                        .any(|s| host::matches(h, &s.hostname) || host::matches(&s.hostname, h))
                } else {
                    on_port.contains(h.as_str())
                        || services
                            .iter()
                            .any(|s| s.hostname.starts_with('*') && host::matches(&s.hostname, h))
                }
            })
        });
    }
    let labels = &scope.proxy.labels;
    let gateways = vec!["mesh".to_string()];
    let lookup = |fqdn: &str| scope.service(fqdn);
    let hash = |fqdn: &str, p: Option<u32>| {
        scope
            .service(fqdn)
            .and_then(|s| super::hash_policy(scope, s, p))
    };

    // For a service matched only by wildcard VirtualService hosts, the most specific wildcard wins.
    // A VirtualService naming the service exactly always wins over wildcards.
    let exact_hosts: HashSet<&str> = vss
        .iter()
        .flat_map(|(_, _, hosts)| {
            hosts
                .iter()
                .filter(|h| !h.starts_with('*'))
                .map(String::as_str)
        })
        .collect();
    let most_specific_wildcard = |svc: &Service| -> Option<(String, String)> {
        if exact_hosts.contains(svc.hostname.as_str()) {
            return None;
        }
        let mut best: Option<(usize, (String, String))> = None;
        for (o, _, hosts) in &vss {
            for h in hosts {
                if !h.starts_with('*') || !host::matches(h, &svc.hostname) {
                    continue;
                }
                let key = (o.namespace().to_string(), o.name().to_string());
                if best.as_ref().is_none_or(|(len, _)| h.len() > *len) {
                    best = Some((h.len(), key));
                }
            }
        }
        best.map(|(_, k)| k)
    };

    let mut wrappers: Vec<(u32, Wrapper)> = Vec::new();
    let mut claimed: HashSet<&str> = HashSet::new();
    for (obj, vs, hosts) in &vss {
        let ctx = Context {
            labels,
            namespace: &scope.proxy.namespace,
            gateways: &gateways,
            listener_port: port,
            is_tls: false,
            sidecar: true,
            lookup: &lookup,
            hash_policy: &hash,
        };
        let routes = match memo {
            Some((memo, proxy)) => memo.virtual_service_routes(vs, port, proxy, || {
                http::routes_for_virtual_service(&ctx, obj, vs)
            }),
            None => http::routes_for_virtual_service(&ctx, obj, vs),
        };
        if routes.is_empty() {
            continue;
        }
        let mut vs_hosts = Vec::new();
        let mut matched: Vec<&Service> = Vec::new();
        let gateway_semantics = crate::gatewayapi::uses_gateway_semantics(&obj.meta);
        for h in hosts {
            let h = h.clone();
            if h.starts_with('*') && gateway_semantics {
                // Gateway API routes never expand a wildcard to the services it covers.
                vs_hosts.push(h);
            } else if h.starts_with('*') {
                let mut found = false;
                for s in &services {
                    if host::matches(&h, &s.hostname) {
                        found = true;
                        let key = (obj.namespace().to_string(), obj.name().to_string());
                        if most_specific_wildcard(s).as_ref() == Some(&key) {
                            matched.push(s);
                        }
                    }
                }
                if !found {
                    vs_hosts.push(h);
                }
            } else if on_port.contains(h.as_str()) {
                matched.extend(scope.service(&h));
            } else {
                vs_hosts.push(h);
            }
        }
        // A Gateway API route applies only from the proxy's namespace or the service's own.
        if gateway_semantics
            && !matched.iter().any(|s| {
                s.namespace == obj.namespace() || scope.proxy.config_namespace == obj.namespace()
            })
        {
            continue;
        }
        let http_matched: Vec<&Service> = matched
            .into_iter()
            .filter(|s| {
                s.port(port)
                    .is_some_and(|p| p.protocol.is_http() || p.protocol.is_unsupported())
            })
            .collect();
        for s in &http_matched {
            claimed.insert(&s.hostname);
        }
        if !http_matched.is_empty() || port == 80 {
            wrappers.push((
                port,
                Wrapper {
                    services: http_matched,
                    vs_hosts,
                    routes,
                },
            ));
        }
    }
    for s in &services {
        if claimed.contains(s.hostname.as_str()) || s.external_name.is_some() {
            continue;
        }
        let Some(p) = s.port(port) else { continue };
        if !(p.protocol.is_http() || p.protocol.is_unsupported()) {
            continue;
        }
        let build = || {
            let cluster = names::outbound_cluster(port, "", &s.hostname);
            let operation = crate::join!(s.hostname, ":", port, "/*");
            http::default_route(
                &cluster,
                &operation,
                super::hash_policy(scope, s, Some(port)),
            )
        };
        let route = match memo {
            Some((memo, _)) => memo.default_route(scope, s, port, build),
            None => build(),
        };
        wrappers.push((
            port,
            Wrapper {
                services: vec![s],
                vs_hosts: Vec::new(),
                routes: vec![route],
            },
        ));
    }

    let known_fqdn: HashSet<String> = wrappers
        .iter()
        .flat_map(|(p, w)| {
            w.services
                .iter()
                .flat_map(move |s| [crate::join!(s.hostname, ":", *p), s.hostname.clone()])
        })
        .collect();
    let mut names_seen = HashSet::new();
    let mut domains_seen = HashSet::new();
    let mut out = Vec::new();
    for (p, w) in wrappers {
        // (name, domains) of every virtual host this wrapper makes; they share its routes.
        let mut hosts = Vec::new();
        for h in &w.vs_hosts {
            let name = crate::join!(h, ":", p);
            if !names_seen.insert(name.clone()) {
                continue;
            }
            let domains = dedupe(vec![h.clone()], &[], &mut domains_seen, &known_fqdn);
            if !domains.is_empty() {
                hosts.push((name, domains));
            }
        }
        for s in &w.services {
            let name = crate::join!(s.hostname, ":", p);
            if !names_seen.insert(name.clone()) {
                continue;
            }
            let (domains, alt) = service_domains(scope, s);
            let domains = dedupe(domains, &alt, &mut domains_seen, &known_fqdn);
            if !domains.is_empty() {
                hosts.push((name, domains));
            }
        }
        // The last virtual host takes the routes; only the others copy them.
        let last = hosts.len().saturating_sub(1);
        let mut routes = w.routes;
        for (i, (name, domains)) in hosts.into_iter().enumerate() {
            let routes = if i == last {
                std::mem::take(&mut routes)
            } else {
                routes.clone()
            };
            out.push(value!({"name": name, "domains": domains, "routes": routes}));
        }
    }
    out
}

fn dedupe(
    domains: Vec<String>,
    alt: &[String],
    seen: &mut HashSet<String>,
    known: &HashSet<String>,
) -> Vec<String> {
    domains
        .into_iter()
        .filter(|d| {
            let lower = d.to_ascii_lowercase();
            if seen.contains(&lower) || (alt.contains(d) && known.contains(d)) {
                return false;
            }
            seen.insert(lower);
            true
        })
        .collect()
}

/// A service's vhost domains (ports are not appended: `ignore_port_in_host_matching` is set).
/// Returns the domains and which of them are alternative names.
pub fn service_domains(scope: &Scope, s: &Service) -> (Vec<String>, Vec<String>) {
    let proxy_domain = format!("{}.svc.cluster.local", scope.proxy.config_namespace);
    let alt = alt_hosts(&s.hostname, &proxy_domain);
    let mut domains = vec![s.hostname.clone()];
    domains.extend(alt.iter().cloned());
    if s.headless && s.is_kube() {
        let wild: Vec<String> = domains.iter().map(|d| format!("*.{d}")).collect();
        domains.extend(wild);
    }
    for vip in &s.addresses {
        if vip.contains('/') || vip == "0.0.0.0" {
            continue;
        }
        domains.push(if vip.contains(':') {
            format!("[{vip}]")
        } else {
            vip.clone()
        });
    }
    (domains, alt)
}

fn alt_hosts(hostname: &str, proxy_domain: &str) -> Vec<String> {
    let mut out = Vec::new();
    if hostname.parse::<std::net::IpAddr>().is_err() {
        out.push(crate::join!(hostname, "."));
    }
    let (proxy_ns, _) = proxy_domain
        .split_once(".svc.")
        .unwrap_or((proxy_domain, ""));
    if let Some(ih) = hostname.find(".svc.") {
        if !hostname.ends_with(&proxy_domain[proxy_domain.find(".svc.").unwrap_or(0)..]) {
            return out;
        }
        let Some(ns_dot) = hostname.find('.') else {
            return out;
        };
        if ns_dot + 1 > ih {
            return out;
        }
        let ns = &hostname[ns_dot + 1..ih];
        let short = &hostname[..ns_dot];
        let with_ns = &hostname[..ih];
        if ns == proxy_ns {
            out.extend([
                short.to_string(),
                crate::join!(with_ns, ".svc"),
                with_ns.to_string(),
            ]);
        } else {
            out.extend([with_ns.to_string(), crate::join!(with_ns, ".svc")]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_alternative_names() {
        assert_eq!(
            alt_hosts(
                "reviews.default.svc.cluster.local",
                "default.svc.cluster.local"
            ),
            [
                "reviews.default.svc.cluster.local.",
                "reviews",
                "reviews.default.svc",
                "reviews.default"
            ]
        );
        assert_eq!(
            alt_hosts(
                "reviews.default.svc.cluster.local",
                "other.svc.cluster.local"
            ),
            [
                "reviews.default.svc.cluster.local.",
                "reviews.default",
                "reviews.default.svc"
            ]
        );
        assert_eq!(
            alt_hosts("istio.io", "default.svc.cluster.local"),
            ["istio.io."]
        );
    }
}
