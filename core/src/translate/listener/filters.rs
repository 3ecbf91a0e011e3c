//! Builders for the pieces every listener is made of: addresses, listener filters (original_dst,
//! tls_inspector, http_inspector), network filters (tcp_proxy, http_connection_manager), the
//! downstream TLS contexts istiod puts on filter chains, and [`ChainOpts`], the description of
//! one filter chain before it becomes JSON (istiod's `filterChainOpts`).
//!
//! Istio's own filters are emitted where istiod emits them by default (pilot/pkg/xds/filters):
//! `istio.metadata_exchange` (HTTP on every HCM, network on inbound chains), `istio.alpn` on
//! outbound and gateway HCMs, and the `istio.stats` filters of [`super::telemetry`].

use crate::envoy::{Map, Value};
use crate::order;
use crate::translate::names::{self, type_url};
use crate::translate::telemetry::ProxyTelemetry;
use crate::{shared, value};

/// ALPNs the HTTP inspector reports for plaintext HTTP (istiod's `plaintextHTTPALPNs`).
pub const PLAINTEXT_HTTP_ALPNS: &[&str] = &["http/1.1", "h2c"];
/// ALPNs a sidecar client sends for HTTP over Istio mTLS (`mtlsHTTPALPNs`).
pub const MTLS_HTTP_ALPNS: &[&str] = &["istio-http/1.0", "istio-http/1.1", "istio-h2"];
/// Every Istio mTLS ALPN (`allIstioMtlsALPNs`).
pub const ALL_ISTIO_MTLS_ALPNS: &[&str] = &[
    "istio",
    "istio-peer-exchange",
    "istio-http/1.0",
    "istio-http/1.1",
    "istio-h2",
];
/// ALPNs of TCP over Istio mTLS with metadata exchange (`mtlsTCPWithMxcALPNs`).
pub const MTLS_TCP_ALPNS: &[&str] = &["istio-peer-exchange", "istio"];

pub const TLS_TRANSPORT: &str = "tls";
pub const RAW_BUFFER_TRANSPORT: &str = "raw_buffer";

const TLS_INSPECTOR: &str = "envoy.filters.listener.tls_inspector";
const HTTP_INSPECTOR: &str = "envoy.filters.listener.http_inspector";
const ORIGINAL_DST: &str = "envoy.filters.listener.original_dst";
pub const TCP_PROXY: &str = "envoy.filters.network.tcp_proxy";
const MX_FILTER: &str = "istio.metadata_exchange";
/// The HTTP header istiod's inbound HCMs answer with (ProxyHeaders' `EnvoyServerName`).
pub const SERVER_NAME: &str = "istio-envoy";
pub const HCM: &str = "envoy.filters.network.http_connection_manager";

pub fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `{"socket_address": {"address": ..., "port_value": ...}}`.
pub fn address(ip: &str, port: u32) -> Value {
    value!({"socket_address": {"address": ip, "port_value": port}})
}

pub fn original_dst() -> Value {
    value!({"name": ORIGINAL_DST, "typed_config": {"@type": type_url::ORIGINAL_DST}})
}

pub fn tls_inspector() -> Value {
    value!({
        "name": TLS_INSPECTOR,
        "typed_config": {"@type": type_url::TLS_INSPECTOR, "initial_read_buffer_size": 512}
    })
}

pub fn http_inspector() -> Value {
    value!({"name": HTTP_INSPECTOR, "typed_config": {"@type": type_url::HTTP_INSPECTOR}})
}

/// The TCP metadata exchange of inbound chains (and of clusters, see `cluster.rs`): a TypedStruct,
/// as istiod sends it (`xdsfilters.TCPListenerMx`).
pub fn tcp_metadata_exchange() -> Value {
    shared!({
        "name": MX_FILTER,
        "typed_config": {
            "@type": type_url::TYPED_STRUCT,
            "type_url": type_url::METADATA_EXCHANGE,
            "value": {"protocol": "istio-peer-exchange", "enable_discovery": true}
        }
    })
}

/// The HTTP peer-metadata filter, first on every HCM: inbound discovers and propagates the
/// downstream peer, outbound and gateways the upstream one (`SidecarInbound/OutboundMetadataFilter`).
fn http_metadata_exchange(class: HttpClass) -> Value {
    match class {
        HttpClass::SidecarInbound => shared!({
            "name": MX_FILTER,
            "typed_config": {
                "@type": type_url::TYPED_STRUCT,
                "type_url": type_url::PEER_METADATA,
                "value": {
                    "downstream_discovery": [{"istio_headers": {}}, {"workload_discovery": {}}],
                    "downstream_propagation": [{"istio_headers": {}}]
                }
            }
        }),
        HttpClass::SidecarOutbound | HttpClass::Gateway => shared!({
            "name": MX_FILTER,
            "typed_config": {
                "@type": type_url::TYPED_STRUCT,
                "type_url": type_url::PEER_METADATA,
                "value": {
                    "upstream_discovery": [{"istio_headers": {}}, {"workload_discovery": {}}],
                    "upstream_propagation": [{"istio_headers": {}}]
                }
            }
        }),
    }
}

/// `istio.alpn`: rewrites the upstream ALPN to Istio's mTLS ALPNs by the upstream HTTP version
/// (PILOT_ENABLE_ALPN_FILTER, on by default; not on inbound). HTTP10 is the enum's zero value, so
/// its entry has no `upstream_protocol`, as Envoy prints it.
fn alpn_filter() -> Value {
    shared!({
        "name": "istio.alpn",
        "typed_config": {
            "@type": type_url::ALPN_FILTER,
            "alpn_override": [
                {"alpn_override": ["istio-http/1.0", "istio", "http/1.0"]},
                {"upstream_protocol": "HTTP11", "alpn_override": ["istio-http/1.1", "istio", "http/1.1"]},
                {"upstream_protocol": "HTTP2", "alpn_override": ["istio-h2", "istio", "h2"]}
            ]
        }
    })
}

/// A listener filter that only runs on some destination ports: `filter_disabled` holds the
/// predicate of the ports where it must not run (istiod's listenerPredicateExcludePorts).
pub fn with_disabled_ports(mut filter: Value, ports: &[u32], invert: bool) -> Value {
    if ports.is_empty() {
        return filter;
    }
    let ranges: Vec<Value> = ports
        .iter()
        .map(|p| value!({"destination_port_range": {"start": p, "end": p + 1}}))
        .collect();
    let mut rule = if ranges.len() > 1 {
        value!({"or_match": {"rules": ranges}})
    } else {
        ranges.into_iter().next().unwrap_or(Value::Null)
    };
    if invert {
        rule = value!({"not_match": rule});
    }
    filter["filter_disabled"] = rule;
    filter
}

/// A tcp_proxy network filter to one cluster; the stat prefix is the cluster name, as istiod does.
pub fn tcp_proxy(cluster: &str) -> Value {
    tcp_proxy_with_prefix(cluster, cluster)
}

pub fn tcp_proxy_with_prefix(stat_prefix: &str, cluster: &str) -> Value {
    value!({
        "name": TCP_PROXY,
        "typed_config": {
            "@type": type_url::TCP_PROXY,
            "stat_prefix": stat_prefix,
            "cluster": cluster,
        }
    })
}

/// A tcp_proxy splitting connections over weighted clusters (VirtualService `tcp`/`tls` routes
/// with several destinations); the stat prefix is `<vs name>.<vs namespace>`.
pub fn tcp_proxy_weighted(stat_prefix: &str, clusters: &[(String, u32)]) -> Value {
    let clusters: Vec<Value> = clusters
        .iter()
        .map(|(name, weight)| value!({"name": name, "weight": weight}))
        .collect();
    value!({
        "name": TCP_PROXY,
        "typed_config": {
            "@type": type_url::TCP_PROXY,
            "stat_prefix": stat_prefix,
            "weighted_clusters": {"clusters": clusters},
        }
    })
}

/// Which side of the proxy an HTTP connection manager serves; it decides headers and filters.
/// Defined with the telemetry, which depends on it too.
pub use crate::translate::telemetry::ListenerClass as HttpClass;

/// Where an HCM gets its routes: by RDS name, or inline.
#[derive(Debug, Clone, PartialEq)]
pub enum Routes {
    Rds(String),
    Inline(Value),
}

/// What an HTTP connection manager needs (istiod's `httpListenerOpts`).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOpts {
    pub class: HttpClass,
    pub routes: Routes,
    /// Set when the chain is built; by default `<direction>_<listener name>`.
    pub stat_prefix: Option<String>,
    pub http2: bool,
    pub grpc_web: bool,
    /// Extra HTTP filters placed right before the router (the dynamic forward proxy).
    pub extra_filters: Vec<Value>,
}

impl HttpOpts {
    pub fn new(class: HttpClass, routes: Routes) -> Self {
        HttpOpts {
            class,
            routes,
            stat_prefix: None,
            http2: false,
            grpc_web: false,
            extra_filters: Vec::new(),
        }
    }
}

fn rds(name: &str) -> Value {
    value!({
        "config_source": {"ads": {}, "initial_fetch_timeout": "0s", "resource_api_version": "V3"},
        "route_config_name": name,
    })
}

fn http_filter(name: &str, type_url: &str) -> Value {
    value!({"name": name, "typed_config": {"@type": type_url}})
}

/// The `envoy.filters.network.http_connection_manager` network filter, its HTTP filters in
/// istiod's order (`buildHTTPConnectionManager`): metadata exchange, grpc_web, grpc_stats,
/// alpn, fault, cors, the stats filters, extra filters, router.
pub fn http_connection_manager(opts: &HttpOpts, stat_prefix: &str, tel: &ProxyTelemetry) -> Value {
    let mut hcm = Map::new();
    hcm.insert("@type".into(), value!(type_url::HTTP_CONNECTION_MANAGER));
    hcm.insert("stat_prefix".into(), value!(stat_prefix));
    match &opts.routes {
        Routes::Rds(name) => hcm.insert("rds".into(), rds(name)),
        Routes::Inline(rc) => hcm.insert("route_config".into(), rc.clone()),
    };

    let mut filters = vec![http_metadata_exchange(opts.class)];
    if opts.grpc_web {
        filters.push(http_filter(
            "envoy.filters.http.grpc_web",
            "type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb",
        ));
    }
    filters.push(value!({
        "name": "envoy.filters.http.grpc_stats",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig",
            "emit_filter_state": true,
            "stats_for_all_methods": false,
        }
    }));
    if opts.class != HttpClass::SidecarInbound {
        filters.push(alpn_filter());
    }
    filters.push(http_filter("envoy.filters.http.fault", type_url::FAULT));
    filters.push(http_filter("envoy.filters.http.cors", type_url::CORS));
    filters.extend(tel.http_stats(opts.class));
    filters.extend(opts.extra_filters.iter().cloned());
    filters.push(http_filter("envoy.filters.http.router", type_url::ROUTER));
    hcm.insert("http_filters".into(), Value::Array(filters));
    if let Some(t) = tel.tracing() {
        hcm.insert("tracing".into(), t.clone());
    }
    // Outbound keeps Envoy's default `envoy` (GetProxyHeadersFromProxyConfig).
    if opts.class != HttpClass::SidecarOutbound {
        hcm.insert("server_name".into(), value!(SERVER_NAME));
    }

    match opts.class {
        HttpClass::SidecarOutbound => {
            hcm.insert("use_remote_address".into(), value!(false));
        }
        HttpClass::SidecarInbound => {
            hcm.insert("use_remote_address".into(), value!(false));
            hcm.insert(
                "forward_client_cert_details".into(),
                value!("APPEND_FORWARD"),
            );
            hcm.insert(
                "set_current_client_cert_details".into(),
                value!({"subject": true, "dns": true, "uri": true}),
            );
            if opts.http2 {
                hcm.insert("http2_protocol_options".into(), value!({}));
            }
        }
        HttpClass::Gateway => {
            hcm.insert("use_remote_address".into(), value!(true));
            hcm.insert("forward_client_cert_details".into(), value!("SANITIZE_SET"));
            hcm.insert(
                "set_current_client_cert_details".into(),
                value!({"subject": true, "cert": true, "dns": true, "uri": true}),
            );
            hcm.insert("http_protocol_options".into(), value!({}));
        }
    }
    hcm.insert(
        "upgrade_configs".into(),
        value!([{"upgrade_type": "websocket"}]),
    );
    hcm.insert("stream_idle_timeout".into(), value!("0s"));
    hcm.insert("normalize_path".into(), value!(true));
    hcm.insert(
        "path_with_escaped_slashes_action".into(),
        value!("KEEP_UNCHANGED"),
    );
    hcm.insert(
        "request_id_extension".into(),
        value!({"typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig",
            "use_request_id_for_trace_sampling": true,
        }}),
    );
    value!({"name": HCM, "typed_config": Value::Object(hcm)})
}

/// The SDS config of a workload certificate (`default`) or root (`ROOTCA`), served by the agent.
pub fn sds_workload(name: &str) -> Value {
    value!({
        "name": name,
        "sds_config": {
            "api_config_source": {
                "api_type": "GRPC",
                "set_node_on_first_message_only": true,
                "transport_api_version": "V3",
                "grpc_services": [{"envoy_grpc": {"cluster_name": "sds-grpc"}}],
            },
            "initial_fetch_timeout": "0s",
            "resource_api_version": "V3",
        }
    })
}

/// The SDS config of a gateway credential (`kubernetes://<credentialName>`), served over ADS.
pub fn sds_credential(credential: &str) -> Value {
    value!({
        "name": credential_resource_name(credential),
        "sds_config": {"ads": {}, "resource_api_version": "V3"},
    })
}

/// istiod's `credentials.ToResourceName`.
pub fn credential_resource_name(name: &str) -> String {
    if name.starts_with("builtin://") {
        return "default".into();
    }
    if name.starts_with("kubernetes://")
        || name.starts_with("kubernetes-gateway://")
        || name.starts_with("configmap://")
    {
        return name.to_string();
    }
    let name = name.strip_prefix("sds://").unwrap_or(name);
    format!("kubernetes://{name}")
}

/// Istio mTLS on an inbound chain (authn utils `BuildInboundTLS`): the workload certificate,
/// client certificates required and validated against the mesh root and trust domain.
pub fn istio_mutual_inbound(tcp: bool, trust_domain: &str) -> Value {
    let alpn: &[&str] = if tcp {
        &["istio-peer-exchange", "h2", "http/1.1"]
    } else {
        &["h2", "http/1.1"]
    };
    value!({
        "common_tls_context": {
            "tls_params": {
                "tls_minimum_protocol_version": "TLSv1_2",
                "tls_maximum_protocol_version": "TLSv1_3",
                "cipher_suites": [
                    "ECDHE-ECDSA-AES256-GCM-SHA384",
                    "ECDHE-RSA-AES256-GCM-SHA384",
                    "ECDHE-ECDSA-AES128-GCM-SHA256",
                    "ECDHE-RSA-AES128-GCM-SHA256",
                    "AES256-GCM-SHA384",
                    "AES128-GCM-SHA256",
                ],
            },
            "alpn_protocols": alpn,
            "tls_certificate_sds_secret_configs": [sds_workload("default")],
            "combined_validation_context": {
                "default_validation_context": {
                    "match_subject_alt_names": [{"prefix": format!("spiffe://{trust_domain}/")}],
                },
                "validation_context_sds_secret_config": sds_workload("ROOTCA"),
            },
        },
        "require_client_certificate": true,
    })
}

/// Wrap a DownstreamTlsContext as the `envoy.transport_sockets.tls` transport socket.
pub fn tls_transport_socket(ctx: &Value) -> Value {
    let mut typed = Map::new();
    typed.insert("@type".into(), value!(type_url::DOWNSTREAM_TLS));
    if let Value::Object(fields) = ctx {
        typed.extend(fields.clone());
    }
    value!({"name": "envoy.transport_sockets.tls", "typed_config": Value::Object(typed)})
}

/// One filter chain before it is serialised (istiod's `filterChainOpts`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainOpts {
    pub name: Option<String>,
    pub sni_hosts: Vec<String>,
    pub destination_cidrs: Vec<String>,
    pub application_protocols: Vec<String>,
    pub transport_protocol: Option<&'static str>,
    pub destination_port: Option<u32>,
    /// A DownstreamTlsContext (without `@type`).
    pub tls_context: Option<Value>,
    /// Network filters; for HTTP chains, the ones placed before the HCM.
    pub network_filters: Vec<Value>,
    pub http: Option<HttpOpts>,
    pub metadata: Option<Value>,
    /// `transport_socket_connect_timeout`: 15s on gateway and per-port outbound chains
    /// (PILOT_GATEWAY_TRANSPORT_SOCKET_CONNECT_TIMEOUT), against slow TLS handshakes.
    pub connect_timeout: Option<&'static str>,
    /// TCP metadata exchange before the other network filters: inbound chains always get it;
    /// elsewhere only gateway ISTIO_MUTUAL TCP/TLS servers ask for it.
    pub metadata_exchange: bool,
}

/// istiod's default PILOT_GATEWAY_TRANSPORT_SOCKET_CONNECT_TIMEOUT.
pub const TRANSPORT_SOCKET_CONNECT_TIMEOUT: &str = "15s";

impl ChainOpts {
    pub fn tcp(filters: Vec<Value>) -> Self {
        ChainOpts {
            network_filters: filters,
            ..Default::default()
        }
    }

    pub fn http(opts: HttpOpts) -> Self {
        ChainOpts {
            http: Some(opts),
            ..Default::default()
        }
    }

    /// Matches every connection (istiod's `isMatchAll`).
    pub fn is_match_all(&self) -> bool {
        (self.sni_hosts.is_empty() || self.sni_hosts.iter().any(|s| s == "*"))
            && self.application_protocols.is_empty()
            && self.transport_protocol.is_none()
            && self.destination_cidrs.is_empty()
            && self.destination_port.is_none()
    }

    /// Would this chain's match be identical to another's (istiod's `conflictsWith`)?
    pub fn conflicts_with(&self, other: &ChainOpts) -> bool {
        if self.transport_protocol != other.transport_protocol
            || self.application_protocols != other.application_protocols
        {
            return false;
        }
        let sni = |s: &[String]| -> Vec<String> {
            let mut v: Vec<String> = s.iter().filter(|h| *h != "*").cloned().collect();
            order::sort(&mut v);
            v.dedup();
            v
        };
        if sni(&self.sni_hosts) != sni(&other.sni_hosts) {
            return false;
        }
        let cidrs = |c: &[String]| {
            let mut v: Vec<String> = c
                .iter()
                .filter_map(|s| cidr(s))
                .filter(|(ip, _)| ip != "0.0.0.0")
                .map(|(ip, len)| masked(&ip, len))
                .collect();
            order::sort(&mut v);
            v.dedup();
            v
        };
        cidrs(&self.destination_cidrs) == cidrs(&other.destination_cidrs)
    }

    /// The `filter_chain_match`, or `None` when the chain matches everything.
    pub fn filter_chain_match(&self) -> Option<Value> {
        if self.is_match_all() {
            return None;
        }
        let mut m = Map::new();
        if let Some(port) = self.destination_port {
            m.insert("destination_port".into(), value!(port));
        }
        if !self.destination_cidrs.is_empty() {
            let mut cidrs = self.destination_cidrs.clone();
            order::sort(&mut cidrs);
            let ranges: Vec<Value> = cidrs
                .iter()
                .filter_map(|c| cidr(c))
                .filter(|(ip, _)| ip != "0.0.0.0")
                .map(|(ip, len)| value!({"address_prefix": ip, "prefix_len": len}))
                .collect();
            if !ranges.is_empty() {
                m.insert("prefix_ranges".into(), Value::Array(ranges));
            }
        }
        if !self.sni_hosts.is_empty() && !self.sni_hosts.iter().any(|s| s == "*") {
            let mut sni = self.sni_hosts.clone();
            order::sort(&mut sni);
            m.insert("server_names".into(), value!(sni));
        }
        if let Some(t) = self.transport_protocol {
            m.insert("transport_protocol".into(), value!(t));
        }
        if !self.application_protocols.is_empty() {
            m.insert(
                "application_protocols".into(),
                value!(&self.application_protocols),
            );
        }
        Some(Value::Object(m))
    }

    /// Serialise the chain; `default_stat_prefix` names the HCM's stats when none was set, and
    /// `class` is the side of the proxy the chain serves (for TCP chains, whose stats filter
    /// depends on it). Network filters follow istiod's `buildCompleteNetworkFilters`: metadata
    /// exchange, stats, then the terminal filters; HTTP chains put no stats filter before the HCM.
    pub fn to_json(
        &self,
        default_stat_prefix: &str,
        tel: &ProxyTelemetry,
        class: HttpClass,
    ) -> Value {
        let mut chain = Map::new();
        if let Some(m) = self.filter_chain_match() {
            chain.insert("filter_chain_match".into(), m);
        }
        let class = self.http.as_ref().map_or(class, |h| h.class);
        let mut filters = Vec::new();
        if self.metadata_exchange || class == HttpClass::SidecarInbound {
            filters.push(tcp_metadata_exchange());
        }
        if self.http.is_none() {
            filters.extend(tel.network_stats(class));
        }
        filters.extend(self.network_filters.iter().cloned());
        if let Some(http) = &self.http {
            let prefix = http.stat_prefix.as_deref().unwrap_or(default_stat_prefix);
            filters.push(http_connection_manager(http, prefix, tel));
        }
        chain.insert("filters".into(), Value::Array(filters));
        if let Some(ctx) = &self.tls_context {
            chain.insert("transport_socket".into(), tls_transport_socket(ctx));
        }
        if let Some(t) = self.connect_timeout {
            chain.insert("transport_socket_connect_timeout".into(), value!(t));
        }
        if let Some(name) = &self.name {
            chain.insert("name".into(), value!(name));
        }
        if let Some(md) = &self.metadata {
            chain.insert("metadata".into(), md.clone());
        }
        Value::Object(chain)
    }

    /// Does this chain need the TLS inspector (SNI or ALPN from a TLS handshake)?
    pub fn needs_tls_inspector(&self) -> bool {
        let alpn = self
            .tls_context
            .as_ref()
            .and_then(|c| c.pointer("/common_tls_context/alpn_protocols"))
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        !self.sni_hosts.is_empty() || alpn
    }
}

/// Split `10.0.0.0/8` (or a bare address, a /32 or /128) into address and prefix length.
pub fn cidr(s: &str) -> Option<(String, u32)> {
    let (ip, len) = match s.split_once('/') {
        Some((ip, len)) => (ip, len.parse().ok()?),
        None => (s, if s.contains(':') { 128 } else { 32 }),
    };
    if ip.parse::<std::net::IpAddr>().is_err() {
        return None;
    }
    Some((ip.to_string(), len))
}

fn masked(ip: &str, len: u32) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => {
            let bits = u32::from(a);
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - len.min(32))
            };
            format!("{}/{len}", std::net::Ipv4Addr::from(bits & mask))
        }
        Ok(std::net::IpAddr::V6(a)) => {
            let bits = u128::from(a);
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len.min(128))
            };
            format!("{}/{len}", std::net::Ipv6Addr::from(bits & mask))
        }
        Err(_) => format!("{ip}/{len}"),
    }
}

/// The default chain istiod puts on per-port outbound listeners for traffic no chain matches
/// (`buildOutboundCatchAllNetworkFiltersOnly`: the stats filters, then tcp_proxy).
pub fn passthrough_filter_chain(cluster: &str, tel: &ProxyTelemetry) -> Value {
    let mut filters = tel.network_stats(HttpClass::SidecarOutbound);
    filters.push(tcp_proxy(cluster));
    value!({
        "filter_chain_match": {},
        "filters": filters,
        "name": names::PASSTHROUGH_FILTER_CHAIN,
    })
}
