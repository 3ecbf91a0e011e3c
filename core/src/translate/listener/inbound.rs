//! `virtualInbound` (0.0.0.0:15006): where iptables sends every inbound connection (istiod's
//! `buildInboundListeners`). Its chains:
//!
//! - `virtualInbound-blackhole`: traffic addressed to 15006 itself.
//! - Passthrough chains for ports no service declares: `virtualInbound` (TCP, to
//!   InboundPassthroughCluster) and `virtualInbound-catchall-http` (HTTP), one set for the
//!   workload's mTLS mode and one per port-level PeerAuthentication port not served by a service.
//! - Per inbound port (`0.0.0.0_<targetPort>`): HCM chains with an inline `inbound|<port>||` route
//!   config for HTTP, tcp_proxy chains to `inbound|<port>||` for TCP, both for sniffed ports;
//!   mTLS and plaintext variants according to the port's PeerAuthentication mode.
//!
//! Sidecar `ingress` listeners replace the service ports; with `captureMode: NONE` they become
//! listeners of their own that bind the port.

use super::filters::{self, ChainOpts, HttpClass, HttpOpts, Routes};
use super::outbound::{listener_protocol, ListenerProtocol};
use super::Ctx;
use crate::envoy::{Map, Value};
use crate::mesh::Protocol;
use crate::sorted::SortedMap;
use crate::translate::names;
use crate::value;

/// istiod's `model.MutualTLSMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MtlsMode {
    Disable,
    Permissive,
    Strict,
}

impl MtlsMode {
    fn parse(s: Option<&str>) -> Option<MtlsMode> {
        match s? {
            "DISABLE" => Some(MtlsMode::Disable),
            "PERMISSIVE" => Some(MtlsMode::Permissive),
            "STRICT" => Some(MtlsMode::Strict),
            _ => None,
        }
    }
}

/// The PeerAuthentication that applies to a workload, merged (istiod's
/// `ComposePeerAuthentication`): workload beats namespace beats mesh; the oldest wins in a scope;
/// UNSET inherits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PeerAuthn {
    pub mode: MtlsMode,
    pub per_port: SortedMap<u32, MtlsMode>,
}

impl PeerAuthn {
    pub fn for_port(&self, port: u32) -> MtlsMode {
        self.per_port.get(&port).copied().unwrap_or(self.mode)
    }
}

pub(crate) fn peer_authentication(ctx: &Ctx) -> PeerAuthn {
    let root = ctx.mesh.config.root_namespace.as_str();
    let ns = ctx.proxy.namespace.as_str();
    let mut mesh_pa = None;
    let mut ns_pa = None;
    let mut wl_pa = None;
    for (obj, pa) in ctx.mesh.peer_authentications() {
        let selector = pa.selector.as_ref().filter(|s| !s.match_labels.is_empty());
        match selector {
            None if obj.namespace() == root => {
                mesh_pa.get_or_insert(pa);
            }
            None if obj.namespace() == ns => {
                ns_pa.get_or_insert(pa);
            }
            Some(sel)
                if obj.namespace() == ns
                    && obj.namespace() != root
                    && sel.matches(&ctx.proxy.labels) =>
            {
                wl_pa.get_or_insert(pa);
            }
            _ => {}
        }
    }
    let mode_of = |pa: Option<&crate::istio::security::PeerAuthentication>| {
        pa.and_then(|p| p.mtls.as_ref())
            .and_then(|m| MtlsMode::parse(m.mode.as_deref()))
    };
    let mut mode = MtlsMode::Permissive;
    for pa in [mesh_pa, ns_pa, wl_pa] {
        if let Some(m) = mode_of(pa) {
            mode = m;
        }
    }
    let mut per_port = SortedMap::new();
    if let Some(pa) = wl_pa {
        for (port, m) in &pa.port_level_mtls {
            if let Ok(port) = port.parse::<u32>() {
                per_port.insert(port, MtlsMode::parse(m.mode.as_deref()).unwrap_or(mode));
            }
        }
    }
    PeerAuthn { mode, per_port }
}

/// One inbound port (istiod's `inboundChainConfig`).
#[derive(Debug, Clone)]
struct ChainConfig {
    cluster: String,
    /// The service port (names the vhost and the trace operation).
    port: u32,
    target_port: u32,
    protocol: Protocol,
    bind: String,
    bind_to_port: bool,
    passthrough: bool,
    hostname: String,
    metadata: Option<Value>,
}

impl ChainConfig {
    fn name(&self, lp: ListenerProtocol) -> String {
        if self.passthrough {
            if lp == ListenerProtocol::Http {
                "virtualInbound-catchall-http".into()
            } else {
                names::VIRTUAL_INBOUND.into()
            }
        } else {
            names::listener(&self.bind, self.target_port)
        }
    }

    fn stat_prefix(&self) -> String {
        if self.passthrough {
            format!("{};", self.cluster)
        } else {
            format!("inbound_{};", self.name(ListenerProtocol::Http))
        }
    }
}

/// One (transport, protocol) variant of a port's chains (istiod's `FilterChainMatchOptions`).
struct MatchOpt {
    alpn: &'static [&'static str],
    transport: &'static str,
    http: bool,
    tls: bool,
}

const fn opt(
    alpn: &'static [&'static str],
    transport: &'static str,
    http: bool,
    tls: bool,
) -> MatchOpt {
    MatchOpt {
        alpn,
        transport,
        http,
        tls,
    }
}

use filters::{
    ALL_ISTIO_MTLS_ALPNS as ALL_MTLS, MTLS_HTTP_ALPNS as MTLS_HTTP, MTLS_TCP_ALPNS as MTLS_TCP,
    PLAINTEXT_HTTP_ALPNS as PLAIN_HTTP, RAW_BUFFER_TRANSPORT as RAW, TLS_TRANSPORT as TLS,
};

/// istiod's `getFilterChainMatchOptions`.
fn match_options(mode: MtlsMode, lp: ListenerProtocol) -> Vec<MatchOpt> {
    match (lp, mode) {
        (ListenerProtocol::Http, MtlsMode::Strict) => vec![opt(&[], TLS, true, true)],
        (ListenerProtocol::Http, MtlsMode::Permissive) => {
            vec![opt(ALL_MTLS, TLS, true, true), opt(&[], RAW, true, false)]
        }
        (ListenerProtocol::Http, MtlsMode::Disable) => vec![opt(&[], RAW, true, false)],
        (ListenerProtocol::Auto, MtlsMode::Strict) => {
            vec![opt(MTLS_HTTP, TLS, true, true), opt(&[], TLS, false, true)]
        }
        (ListenerProtocol::Auto, MtlsMode::Permissive) => vec![
            opt(MTLS_HTTP, TLS, true, true),
            opt(PLAIN_HTTP, RAW, true, false),
            opt(MTLS_TCP, TLS, false, true),
            opt(&[], RAW, false, false),
            opt(&[], TLS, false, false),
        ],
        (ListenerProtocol::Auto, MtlsMode::Disable) => vec![
            opt(PLAIN_HTTP, RAW, true, false),
            opt(&[], RAW, false, false),
        ],
        (_, MtlsMode::Strict) => vec![opt(&[], TLS, false, true)],
        (_, MtlsMode::Permissive) => vec![
            opt(ALL_MTLS, TLS, false, true),
            opt(&[], TLS, false, false),
            opt(&[], RAW, false, false),
        ],
        (_, MtlsMode::Disable) => vec![opt(&[], RAW, false, false)],
    }
}

pub(crate) fn build(ctx: &Ctx) -> Value {
    let pa = peer_authentication(ctx);
    let configs = chain_configs(ctx);
    let mut all = passthrough_chains(ctx, &pa);
    for cc in configs.iter().filter(|cc| !cc.bind_to_port) {
        all.extend(chains_for(ctx, cc, pa.for_port(cc.target_port)));
    }
    listener(
        names::VIRTUAL_INBOUND,
        ctx.wildcard,
        ctx.mesh.config.proxy_inbound_listen_port,
        false,
        all,
    )
}

/// Inbound listeners that bind their own port (Sidecar `ingress` with `captureMode: NONE`).
pub(crate) fn build_custom(ctx: &Ctx) -> Vec<Value> {
    let pa = peer_authentication(ctx);
    chain_configs(ctx)
        .iter()
        .filter(|cc| cc.bind_to_port)
        .map(|cc| {
            let chains = chains_for(ctx, cc, pa.for_port(cc.target_port));
            listener(
                &cc.name(ListenerProtocol::Tcp),
                &cc.bind,
                cc.target_port,
                true,
                chains,
            )
        })
        .collect()
}

fn listener(
    name: &str,
    bind: &str,
    port: u32,
    bind_to_port: bool,
    chains: Vec<(ChainOpts, Value)>,
) -> Value {
    let mut l = Map::new();
    l.insert("name".into(), value!(name));
    l.insert("address".into(), filters::address(bind, port));
    l.insert(
        "filter_chains".into(),
        Value::Array(chains.iter().map(|(_, v)| v.clone()).collect()),
    );
    l.insert(
        "listener_filters".into(),
        Value::Array(listener_filters(&chains, bind_to_port)),
    );
    l.insert("listener_filters_timeout".into(), value!("0s"));
    l.insert("continue_on_listener_filters_timeout".into(), value!(true));
    l.insert("traffic_direction".into(), value!("INBOUND"));
    Value::Object(l)
}

/// istiod's `populateListenerFilters`: original_dst for redirected traffic, then the TLS and
/// HTTP inspectors, each enabled only on the ports whose chains need them.
fn listener_filters(chains: &[(ChainOpts, Value)], bind_to_port: bool) -> Vec<Value> {
    let mut out = Vec::new();
    if !bind_to_port {
        out.push(filters::original_dst());
    }
    // port -> (needs tls, needs http); port 0 is "every other port".
    let mut by_port: SortedMap<u32, (bool, bool)> = SortedMap::new();
    for (c, _) in chains {
        let port = c.destination_port.unwrap_or(0);
        let tls = c.transport_protocol == Some(TLS);
        let http = c
            .application_protocols
            .iter()
            .any(|a| a == "http/1.1" || a == "h2c");
        let e = by_port.entry(port).or_default();
        e.0 |= tls;
        e.1 |= http;
    }
    if by_port.values().any(|(t, _)| *t) {
        let default_on = by_port.get(&0).is_some_and(|(t, _)| *t);
        let filter = filters::tls_inspector();
        if default_on {
            let off: Vec<u32> = by_port
                .iter()
                .filter(|(p, (t, _))| **p != 0 && !*t)
                .map(|(p, _)| *p)
                .collect();
            out.push(filters::with_disabled_ports(filter, &off, false));
        } else {
            let on: Vec<u32> = by_port
                .iter()
                .filter(|(p, (t, _))| **p != 0 && *t)
                .map(|(p, _)| *p)
                .collect();
            out.push(filters::with_disabled_ports(filter, &on, true));
        }
    }
    if by_port.values().any(|(_, h)| *h) {
        let off: Vec<u32> = by_port
            .iter()
            .filter(|(_, (_, h))| !*h)
            .map(|(p, _)| *p)
            .collect();
        out.push(filters::with_disabled_ports(
            filters::http_inspector(),
            &off,
            false,
        ));
    }
    out
}

/// The inbound ports: the Sidecar's `ingress` listeners when it has any, else every port of
/// every service this proxy is an endpoint of (istiod's `buildInboundChainConfigs`).
fn chain_configs(ctx: &Ctx) -> Vec<ChainConfig> {
    let mut by_port: SortedMap<u32, ChainConfig> = SortedMap::new();
    let reserved = |p: u32| {
        p == ctx.mesh.config.proxy_listen_port || p == ctx.mesh.config.proxy_inbound_listen_port
    };
    let ingress = ctx.scope.sidecar.filter(|(_, sc)| !sc.ingress.is_empty());
    match ingress {
        None => {
            for inst in ctx.mesh.instances(ctx.proxy) {
                if reserved(inst.target_port) || by_port.contains_key(&inst.target_port) {
                    continue;
                }
                by_port.insert(
                    inst.target_port,
                    ChainConfig {
                        cluster: names::inbound_cluster(inst.target_port),
                        port: inst.port.port,
                        target_port: inst.target_port,
                        protocol: inst.port.protocol,
                        bind: ctx.wildcard.to_string(),
                        bind_to_port: false,
                        passthrough: false,
                        hostname: inst.service.hostname.clone(),
                        metadata: None,
                    },
                );
            }
        }
        Some((obj, sc)) => {
            for il in &sc.ingress {
                let number = il.port.number;
                let bind_to_port = il.capture_mode.as_deref() == Some("NONE");
                let bind = il
                    .bind
                    .clone()
                    .filter(|b| !b.is_empty())
                    .unwrap_or_else(|| ctx.wildcard.to_string());
                if !bind_to_port && bind == ctx.wildcard && reserved(number) {
                    continue;
                }
                if by_port.contains_key(&number) {
                    continue;
                }
                by_port.insert(
                    number,
                    ChainConfig {
                        cluster: names::inbound_cluster(number),
                        port: number,
                        target_port: number,
                        protocol: Protocol::parse(&il.port.protocol),
                        bind,
                        bind_to_port,
                        passthrough: false,
                        hostname: format!("{}.{}", obj.name(), obj.namespace()),
                        metadata: Some(value!({"filter_metadata": {"istio": {"config": format!(
                            "/apis/networking.istio.io/v1/namespaces/{}/sidecar/{}",
                            obj.namespace(),
                            obj.name()
                        )}}})),
                    },
                );
            }
        }
    }
    by_port.into_values().collect()
}

/// The chains of one inbound port for one mTLS mode (istiod's `inboundChainForOpts`).
fn chains_for(ctx: &Ctx, cc: &ChainConfig, mode: MtlsMode) -> Vec<(ChainOpts, Value)> {
    let lp = match listener_protocol(cc.protocol) {
        ListenerProtocol::Unknown => ListenerProtocol::Tcp,
        lp => lp,
    };
    let lp = if cc.passthrough {
        ListenerProtocol::Auto
    } else {
        lp
    };
    let trust_domain = ctx.mesh.config.trust_domain.as_str();
    match_options(mode, lp)
        .into_iter()
        .map(|o| {
            let chain_lp = if o.http {
                ListenerProtocol::Http
            } else {
                ListenerProtocol::Tcp
            };
            let mut c = ChainOpts {
                name: Some(cc.name(chain_lp)),
                destination_port: (cc.target_port > 0).then_some(cc.target_port),
                transport_protocol: Some(o.transport),
                application_protocols: filters::strings(o.alpn),
                tls_context: o
                    .tls
                    .then(|| filters::istio_mutual_inbound(!o.http, trust_domain)),
                metadata: cc.metadata.clone(),
                ..Default::default()
            };
            if o.http {
                let mut http =
                    HttpOpts::new(HttpClass::SidecarInbound, Routes::Inline(route_config(cc)));
                http.stat_prefix = Some(cc.stat_prefix());
                http.http2 = cc.protocol.is_http2();
                http.grpc_web = cc.protocol == Protocol::GrpcWeb;
                c.http = Some(http);
            } else {
                c.network_filters = vec![filters::tcp_proxy(&cc.cluster)];
            }
            let v = inbound_chain_json(ctx, &c);
            (c, v)
        })
        .collect()
}

/// Inbound chains always carry a `filter_chain_match`, even an empty one.
fn inbound_chain_json(ctx: &Ctx, c: &ChainOpts) -> Value {
    let mut v = c.to_json("", &ctx.tel, HttpClass::SidecarInbound);
    if v.get("filter_chain_match").is_none() {
        if let Value::Object(m) = &mut v {
            let mut out = Map::new();
            out.insert("filter_chain_match".into(), value!({}));
            out.extend(std::mem::take(m));
            *m = out;
        }
    }
    v
}

/// The inline route configuration of an inbound HCM (istiod's
/// `buildSidecarInboundHTTPRouteConfig`): one vhost, one `default` route to the inbound cluster.
fn route_config(cc: &ChainConfig) -> Value {
    let mut route = value!({
        "cluster": &cc.cluster,
        "timeout": "0s",
        "max_stream_duration": {"max_stream_duration": "0s", "grpc_timeout_header_max": "0s"},
    });
    if !cc.protocol.is_grpc() {
        route["retry_policy"] = value!({"retry_on": "reset-before-request", "num_retries": 2});
    }
    value!({
        "name": &cc.cluster,
        "virtual_hosts": [{
            "name": format!("inbound|http|{}", cc.port),
            "domains": ["*"],
            "routes": [{
                "name": "default",
                "match": {"prefix": "/"},
                "route": route,
                "decorator": {"operation": format!("{}:{}/*", cc.hostname, cc.port)},
            }],
        }],
        "validate_clusters": false,
    })
}

/// Blackhole plus the passthrough chains (istiod's `buildInboundPassthroughChains`).
fn passthrough_chains(ctx: &Ctx, pa: &PeerAuthn) -> Vec<(ChainOpts, Value)> {
    let port = ctx.mesh.config.proxy_inbound_listen_port;
    let blackhole = ChainOpts {
        name: Some("virtualInbound-blackhole".into()),
        destination_port: Some(port),
        network_filters: vec![filters::tcp_proxy(names::BLACKHOLE_CLUSTER)],
        ..Default::default()
    };
    let v = blackhole.to_json("", &ctx.tel, HttpClass::SidecarInbound);
    let mut out = vec![(blackhole, v)];
    let mut ports = vec![(0u32, pa.mode)];
    let has_ingress = ctx
        .scope
        .sidecar
        .is_some_and(|(_, sc)| !sc.ingress.is_empty());
    for (&p, &mode) in &pa.per_port {
        // Ports a service (or the Sidecar's ingress) already serves get no extra passthrough.
        let served = if has_ingress {
            ctx.scope
                .sidecar
                .is_some_and(|(_, sc)| sc.ingress.iter().any(|i| i.port.number == p))
        } else {
            ctx.mesh
                .instances(ctx.proxy)
                .iter()
                .any(|i| i.target_port == p)
        };
        if !served {
            ports.push((p, mode));
        }
    }
    for (p, mode) in ports {
        let cc = ChainConfig {
            cluster: names::INBOUND_PASSTHROUGH_CLUSTER.into(),
            port: 0,
            target_port: p,
            protocol: Protocol::Unsupported,
            bind: String::new(),
            bind_to_port: false,
            passthrough: true,
            hostname: String::new(),
            metadata: None,
        };
        out.extend(chains_for(ctx, &cc, mode));
    }
    out
}
