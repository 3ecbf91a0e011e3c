//! Gateway listeners (istiod's `buildGatewayListeners`): one `0.0.0.0_<port>` listener per merged
//! server port ([`crate::translate::gateway::merged`]), binding the real port.
//!
//! - Plain HTTP ports: one HCM chain with RDS `http.<port>`.
//! - HTTPS servers that terminate TLS: one HCM chain per server, matched on the server's hosts as
//!   SNI, with a DownstreamTlsContext (`kubernetes://<credentialName>` over SDS) and RDS
//!   `https.<port>.<portName>.<gateway>.<namespace>`.
//! - TLS passthrough servers: one tcp_proxy chain per VirtualService `tls` match, on its SNI hosts;
//!   AUTO_PASSTHROUGH: one chain per mesh service port on the `outbound_.<port>_._.<host>` SNI.
//! - TCP servers (and TLS servers that terminate): a tcp_proxy from the first VirtualService
//!   `tcp` route bound to the gateway (TLSRoute-made VirtualServices use their `tls` routes).
//!
//! A listener whose servers produce no chain is dropped, as istiod drops it.

use super::filters::{self, ChainOpts, HttpClass, HttpOpts, Routes};
use super::{routes, Ctx};
use crate::envoy::{Map, Value};
use crate::host;
use crate::istio::networking::{Server, ServerTls, VirtualService};
use crate::mesh::Protocol;
use crate::order;
use crate::parse::Object;
use crate::sorted::SortedMap;
use crate::translate::gateway::PlacedServer;
use crate::translate::names;
use crate::value;

pub(crate) fn build(ctx: &Ctx) -> Vec<Value> {
    let merged = crate::translate::gateway::merged(ctx.mesh, ctx.proxy);
    // SNI hosts already taken by a passthrough route, per listener port (host -> bind).
    let mut tls_hosts: SortedMap<u32, SortedMap<String, String>> = SortedMap::new();
    let mut out = Vec::new();
    for listener in &merged {
        let Some(first) = listener.servers.first() else {
            continue;
        };
        let bind = listener
            .bind
            .clone()
            .unwrap_or_else(|| ctx.wildcard.to_string());
        let mut chains: Vec<ChainOpts> = Vec::new();
        if first.protocol.is_http() {
            let rds = first
                .route_config
                .clone()
                .unwrap_or_else(|| format!("http.{}", listener.port));
            chains.push(ChainOpts::http(http_opts(ctx, rds, first.protocol, None)));
        } else {
            for s in &listener.servers {
                if terminates_https(s.server) {
                    let rds = s.route_config.clone().unwrap_or_default();
                    let mut c = ChainOpts::http(http_opts(
                        ctx,
                        rds,
                        s.protocol,
                        s.server.name.clone().filter(|n| !n.is_empty()),
                    ));
                    c.sni_hosts = sni_hosts(s.server);
                    c.tls_context = s.server.tls.as_ref().map(|t| tls_context(ctx, t, false));
                    chains.push(c);
                } else {
                    chains.extend(tcp_chains(ctx, s, listener.port, &mut tls_hosts));
                }
            }
        }
        if chains.is_empty() {
            continue;
        }
        out.push(listener_json(ctx, &bind, listener.port, &chains));
    }
    out
}

fn listener_json(ctx: &Ctx, bind: &str, port: u32, chains: &[ChainOpts]) -> Value {
    let name = names::listener(bind, port);
    let mut l = Map::new();
    l.insert("name".into(), value!(&name));
    l.insert("address".into(), filters::address(bind, port));
    let stat_prefix = format!("outbound_{name};");
    l.insert(
        "filter_chains".into(),
        Value::Array(
            chains
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    c.connect_timeout = Some(filters::TRANSPORT_SOCKET_CONNECT_TIMEOUT);
                    c.to_json(&stat_prefix, &ctx.tel, HttpClass::Gateway)
                })
                .collect(),
        ),
    );
    if chains.iter().any(ChainOpts::needs_tls_inspector) {
        l.insert(
            "listener_filters".into(),
            value!([filters::tls_inspector()]),
        );
    }
    l.insert("traffic_direction".into(), value!("OUTBOUND"));
    Value::Object(l)
}

fn http_opts(ctx: &Ctx, rds: String, protocol: Protocol, stat_prefix: Option<String>) -> HttpOpts {
    let _ = ctx;
    let mut h = HttpOpts::new(HttpClass::Gateway, Routes::Rds(rds));
    h.grpc_web = protocol == Protocol::GrpcWeb;
    h.stat_prefix = stat_prefix;
    h
}

/// istiod's `IsHTTPSServerWithTLSTermination`.
fn terminates_https(server: &Server) -> bool {
    server.tls.is_some()
        && Protocol::parse(&server.port.protocol) == Protocol::Https
        && !server.is_tls_passthrough()
}

/// The server's hosts without their `namespace/` part, sorted and unique
/// (istiod's `GetSNIHostsForServer`).
fn sni_hosts(server: &Server) -> Vec<String> {
    if server.tls.is_none() {
        return Vec::new();
    }
    let mut out: Vec<String> = server
        .hosts
        .iter()
        .map(|h| h.split_once('/').map_or(h.as_str(), |(_, h)| h).to_string())
        .collect();
    order::sort(&mut out);
    out.dedup();
    out
}

/// The server's hosts as istiod keeps them after `sanitizeServerHostNamespace`: `./h` becomes
/// `<gateway ns>/h`, `*/h` becomes `h`, `*/*` becomes `*`.
fn sanitized_hosts(server: &Server, gw_ns: &str) -> Vec<String> {
    let mut out = Vec::new();
    for h in &server.hosts {
        match h.split_once('/') {
            Some((".", rest)) => out.push(format!("{gw_ns}/{rest}")),
            Some(("*", "*")) => return vec!["*".into()],
            Some(("*", rest)) => out.push(rest.to_string()),
            _ => out.push(h.clone()),
        }
    }
    out
}

/// Is an object with this exportTo, living in `owner_ns`, visible from `ns`?
fn exported_to(export_to: &[String], owner_ns: &str, ns: &str) -> bool {
    export_to.is_empty()
        || export_to
            .iter()
            .any(|e| e == "*" || e == ns || (e == "." && owner_ns == ns))
}

/// `namespace/name` of the gateway a server belongs to.
fn gateway_name(s: &PlacedServer) -> String {
    format!("{}/{}", s.gateway.namespace(), s.gateway.name())
}

/// A VirtualService's gateway reference as a full `namespace/name`.
fn resolve_gateway(g: &str, vs_ns: &str) -> String {
    if g == "mesh" || g.contains('/') {
        g.to_string()
    } else {
        format!("{vs_ns}/{g}")
    }
}

/// VirtualServices bound to a gateway (istiod's `VirtualServicesForGateway`).
fn virtual_services_for<'a>(
    ctx: &Ctx<'_, 'a>,
    gateway: &str,
) -> Vec<(&'a Object, &'a VirtualService)> {
    let ns = ctx.proxy.config_namespace.as_str();
    ctx.mesh
        .virtual_services()
        .filter(|(o, vs)| exported_to(&vs.export_to, o.namespace(), ns))
        .filter(|(o, vs)| {
            vs.gateways
                .iter()
                .any(|g| resolve_gateway(g, o.namespace()) == gateway)
        })
        .collect()
}

/// Does a VirtualService's host list meet the server's hosts (istiod's `pickMatchingGatewayHosts`)?
fn hosts_match(server_hosts: &[String], vs_obj: &Object, vs: &VirtualService) -> bool {
    vs.hosts.iter().any(|vh| {
        server_hosts.iter().any(|gh| {
            let gh = match gh.split_once('/') {
                Some((ns, h)) if ns == vs_obj.namespace() => h,
                Some(_) => return false,
                None => gh.as_str(),
            };
            host::intersects(gh, vh)
        })
    })
}

fn l4_match(
    port: Option<u32>,
    gateways: &[String],
    vs_ns: &str,
    server: &Server,
    gw: &str,
) -> bool {
    let port_ok = port.is_none_or(|p| p == 0 || p == server.port.number);
    let gw_ok = gateways.is_empty() || gateways.iter().any(|g| resolve_gateway(g, vs_ns) == gw);
    port_ok && gw_ok
}

/// Chains for a TCP server, a TLS server that terminates, or a passthrough server
/// (istiod's `createGatewayTCPFilterChainOpts`).
fn tcp_chains(
    ctx: &Ctx,
    s: &PlacedServer,
    listener_port: u32,
    tls_hosts: &mut SortedMap<u32, SortedMap<String, String>>,
) -> Vec<ChainOpts> {
    let server = s.server;
    let gw = gateway_name(s);
    match &server.tls {
        None => tcp_route_filters(ctx, s, &gw)
            .map(|f| vec![ChainOpts::tcp(f)])
            .unwrap_or_default(),
        Some(tls) if !server.is_tls_passthrough() => tcp_route_filters(ctx, s, &gw)
            .map(|f| {
                let mut c = ChainOpts::tcp(f);
                c.sni_hosts = sni_hosts(server);
                c.tls_context = Some(tls_context(ctx, tls, true));
                // Istio mTLS clients exchange metadata with the gateway (gateway.go includeMx).
                c.metadata_exchange = tls.mode() == "ISTIO_MUTUAL";
                vec![c]
            })
            .unwrap_or_default(),
        Some(tls) if tls.mode() == "AUTO_PASSTHROUGH" => auto_passthrough(ctx, server),
        Some(_) => passthrough_chains(ctx, s, &gw, listener_port, tls_hosts),
    }
}

/// The tcp_proxy of the first matching VirtualService `tcp` route (istiod's
/// `buildGatewayNetworkFiltersFromTCPRoutes`).
fn tcp_route_filters(ctx: &Ctx, s: &PlacedServer, gw: &str) -> Option<Vec<Value>> {
    let server = s.server;
    let hosts = sanitized_hosts(server, s.gateway.namespace());
    for (obj, vs) in virtual_services_for(ctx, gw) {
        if !hosts_match(&hosts, obj, vs) {
            continue;
        }
        for tcp in &vs.tcp {
            let matched = tcp.matches.is_empty()
                || tcp
                    .matches
                    .iter()
                    .any(|m| l4_match(m.port, &m.gateways, obj.namespace(), server, gw));
            if matched && !tcp.route.is_empty() {
                return Some(routes::network_filters(
                    ctx,
                    &tcp.route,
                    server.port.number,
                    obj,
                ));
            }
        }
        let from_tls_route = obj
            .meta
            .annotations
            .get("internal.istio.io/parents")
            .is_some_and(|p| p.starts_with("TLSRoute/"));
        if from_tls_route && !server.is_tls_passthrough() {
            for tls in &vs.tls {
                for m in &tls.matches {
                    if l4_match(m.port, &m.gateways, obj.namespace(), server, gw) {
                        return Some(routes::network_filters(
                            ctx,
                            &tls.route,
                            server.port.number,
                            obj,
                        ));
                    }
                }
            }
        }
    }
    None
}

/// One SNI-matched chain per VirtualService `tls` match (istiod's
/// `buildGatewayNetworkFiltersFromTLSRoutes`); an SNI host already routed on this port is skipped.
fn passthrough_chains(
    ctx: &Ctx,
    s: &PlacedServer,
    gw: &str,
    listener_port: u32,
    tls_hosts: &mut SortedMap<u32, SortedMap<String, String>>,
) -> Vec<ChainOpts> {
    let server = s.server;
    let hosts = sanitized_hosts(server, s.gateway.namespace());
    let bind = server.bind.clone().unwrap_or_default();
    let mut out = Vec::new();
    for (obj, vs) in virtual_services_for(ctx, gw) {
        if !hosts_match(&hosts, obj, vs) {
            continue;
        }
        for tls in &vs.tls {
            if tls.route.is_empty() {
                continue;
            }
            for m in &tls.matches {
                if !l4_match(m.port, &m.gateways, obj.namespace(), server, gw) {
                    continue;
                }
                let known = tls_hosts.entry(listener_port).or_default();
                if m.sni_hosts
                    .iter()
                    .any(|h| known.get(h).is_some_and(|b| *b == bind))
                {
                    continue;
                }
                for h in &m.sni_hosts {
                    known.insert(h.clone(), bind.clone());
                }
                let mut c = ChainOpts::tcp(routes::network_filters(
                    ctx,
                    &tls.route,
                    server.port.number,
                    obj,
                ));
                c.sni_hosts = m.sni_hosts.clone();
                out.push(c);
            }
        }
    }
    out
}

/// AUTO_PASSTHROUGH: a chain per service port (and DestinationRule subset) of the mesh services
/// the server's hosts cover, matched on the cluster's mTLS SNI and Istio ALPNs.
fn auto_passthrough(ctx: &Ctx, server: &Server) -> Vec<ChainOpts> {
    let hosts = sni_hosts(server);
    let mut out = Vec::new();
    for svc in ctx.services.iter().filter(|s| !s.mesh_external) {
        if !hosts.iter().any(|h| host::matches(h, &svc.hostname)) {
            continue;
        }
        let subsets: Vec<String> = ctx
            .scope
            .destination_rule(svc)
            .map(|(_, dr)| dr.subsets.iter().map(|s| s.name.clone()).collect())
            .unwrap_or_default();
        for port in svc.ports.iter().filter(|p| p.protocol != Protocol::Udp) {
            for subset in std::iter::once("").chain(subsets.iter().map(String::as_str)) {
                let sni = names::outbound_sni(port.port, subset, &svc.hostname);
                let mut c = ChainOpts::tcp(vec![filters::tcp_proxy(&sni)]);
                c.sni_hosts = vec![sni];
                c.application_protocols = filters::strings(filters::ALL_ISTIO_MTLS_ALPNS);
                out.push(c);
            }
        }
    }
    out
}

/// The DownstreamTlsContext of a gateway server (istiod's `BuildListenerTLSContext`).
fn tls_context(ctx: &Ctx, tls: &ServerTls, tcp_server: bool) -> Value {
    let mode = tls.mode();
    let alpn: &[&str] = if tcp_server && mode == "ISTIO_MUTUAL" {
        &["istio-peer-exchange", "h2", "http/1.1"]
    } else {
        &["h2", "http/1.1"]
    };
    let require_client = matches!(mode, "MUTUAL" | "ISTIO_MUTUAL");
    let validate = require_client || mode == "OPTIONAL_MUTUAL";
    let mut common = Map::new();
    let sans: Vec<Value> = tls
        .subject_alt_names
        .iter()
        .map(|s| value!({"exact": s}))
        .collect();
    if mode == "ISTIO_MUTUAL" {
        common.insert(
            "tls_certificate_sds_secret_configs".into(),
            value!([filters::sds_workload("default")]),
        );
        if validate {
            common.insert(
                "combined_validation_context".into(),
                value!({
                    "default_validation_context": {"match_subject_alt_names": sans},
                    "validation_context_sds_secret_config": filters::sds_workload("ROOTCA"),
                }),
            );
        }
    } else if tls.credential_name.is_some() || !tls.credential_names.is_empty() {
        let names: Vec<String> = if tls.credential_names.is_empty() {
            tls.credential_name.iter().cloned().collect()
        } else {
            tls.credential_names.clone()
        };
        common.insert(
            "tls_certificate_sds_secret_configs".into(),
            Value::Array(names.iter().map(|n| filters::sds_credential(n)).collect()),
        );
        if matches!(mode, "MUTUAL" | "OPTIONAL_MUTUAL") {
            let ca = format!("{}-cacert", names.first().cloned().unwrap_or_default());
            let mut dvc = Map::new();
            if !sans.is_empty() {
                dvc.insert("match_subject_alt_names".into(), Value::Array(sans));
            }
            if !tls.verify_certificate_spki.is_empty() {
                dvc.insert(
                    "verify_certificate_spki".into(),
                    value!(&tls.verify_certificate_spki),
                );
            }
            if !tls.verify_certificate_hash.is_empty() {
                dvc.insert(
                    "verify_certificate_hash".into(),
                    value!(&tls.verify_certificate_hash),
                );
            }
            common.insert(
                "combined_validation_context".into(),
                value!({
                    "default_validation_context": Value::Object(dvc),
                    "validation_context_sds_secret_config": filters::sds_credential(&ca),
                }),
            );
        } else if !sans.is_empty() {
            common.insert(
                "validation_context".into(),
                value!({"match_subject_alt_names": sans}),
            );
        }
    } else {
        // Certificates mounted in the gateway pod, served by the agent over SDS.
        let cert = tls.server_certificate.clone().unwrap_or_default();
        let key = tls.private_key.clone().unwrap_or_default();
        let resource = if cert.is_empty() || key.is_empty() {
            "default".to_string()
        } else {
            format!("file-cert:{cert}~{key}")
        };
        common.insert(
            "tls_certificate_sds_secret_configs".into(),
            value!([file_sds(&resource)]),
        );
        if validate {
            let root = tls
                .ca_certificates
                .as_deref()
                .filter(|c| !c.is_empty())
                .map_or_else(|| "ROOTCA".to_string(), |c| format!("file-root:{c}"));
            common.insert(
                "combined_validation_context".into(),
                value!({
                    "default_validation_context": {"match_subject_alt_names": sans},
                    "validation_context_sds_secret_config": file_sds(&root),
                }),
            );
        }
    }
    if matches!(mode, "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL") {
        let mut params = Map::new();
        if let Some(v) = tls
            .min_protocol_version
            .as_deref()
            .filter(|v| *v != "TLS_AUTO")
        {
            params.insert(
                "tls_minimum_protocol_version".into(),
                value!(tls_version(v)),
            );
        }
        if let Some(v) = tls
            .max_protocol_version
            .as_deref()
            .filter(|v| *v != "TLS_AUTO")
        {
            params.insert(
                "tls_maximum_protocol_version".into(),
                value!(tls_version(v)),
            );
        }
        if !tls.cipher_suites.is_empty() {
            params.insert("cipher_suites".into(), value!(&tls.cipher_suites));
        }
        if !params.is_empty() {
            common.insert("tls_params".into(), Value::Object(params));
        }
    }
    common.insert("alpn_protocols".into(), value!(alpn));
    let _ = ctx;
    value!({
        "common_tls_context": Value::Object(common),
        "require_client_certificate": require_client,
    })
}

fn file_sds(name: &str) -> Value {
    if name == "default" || name == "ROOTCA" {
        return filters::sds_workload(name);
    }
    value!({
        "name": name,
        "sds_config": {
            "api_config_source": {
                "api_type": "GRPC",
                "set_node_on_first_message_only": true,
                "transport_api_version": "V3",
                "grpc_services": [{"envoy_grpc": {"cluster_name": "sds-grpc"}}],
            },
            "resource_api_version": "V3",
        }
    })
}

/// `TLSV1_2` (Istio) to `TLSv1_2` (Envoy).
fn tls_version(v: &str) -> &'static str {
    match v {
        "TLSV1_0" => "TLSv1_0",
        "TLSV1_1" => "TLSv1_1",
        "TLSV1_2" => "TLSv1_2",
        "TLSV1_3" => "TLSv1_3",
        _ => "TLS_AUTO",
    }
}
