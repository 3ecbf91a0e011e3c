//! CDS: the clusters istiod pushes to one proxy (pilot/pkg/networking/core/cluster*.go).
//!
//! For every visible service port: `outbound|port||host`, plus one cluster per DestinationRule
//! subset; then BlackHoleCluster, and on sidecars PassthroughCluster, the inbound clusters of
//! the ports the workload serves and InboundPassthroughCluster.

use crate::envoy::{ads_config_source, duration, sds_secret};
use crate::envoy::{Map, Value};
use crate::istio::networking::{
    ClientTls, ConnectionPool, DestinationRule, LoadBalancer, OutlierDetection, TrafficPolicy,
};
use crate::mesh::{
    Endpoint, Labels, OutboundMode, Protocol, Resolution, Scope, Service, ServicePort,
};
use crate::order;
use crate::parse::Object;
use crate::translate::names::{self, type_url};
use crate::{shared, value};

const MAX_U32: u64 = 4_294_967_295;
/// istiod's `maxSecondsValue`, the cleanup interval of ORIGINAL_DST inbound clusters.
const MAX_SECONDS: &str = "315576000000s";
/// Source address for traffic the sidecar forwards to its own workload (InboundPassthroughBindIpv4).
pub const INBOUND_PASSTHROUGH_BIND: &str = "127.0.0.6";

pub fn build(scope: &Scope) -> Vec<Value> {
    build_with(scope, None)
}

/// [`build`], reusing the outbound clusters `memo` holds for this mesh.
pub(crate) fn build_with(scope: &Scope, memo: Option<&super::Memo>) -> Vec<Value> {
    let mut out = Vec::new();
    for service in scope.services() {
        if service.external_name.is_some() {
            continue; // an alias: routes point at the concrete service's clusters
        }
        let dr = scope.destination_rule(service);
        for port in &service.ports {
            if port.protocol == Protocol::Udp {
                continue;
            }
            let build = || outbound_clusters(scope, service, port, dr);
            match memo {
                Some(memo) => out.extend(memo.clusters(scope, service, port, build)),
                None => out.extend(build()),
            }
        }
    }
    out.push(blackhole(scope));
    if !scope.proxy.is_gateway() {
        out.push(passthrough(scope));
        out.extend(inbound_clusters(scope));
        out.push(inbound_passthrough(scope));
    }
    if scope.outbound_mode() == OutboundMode::AllowAnyDynamicDns {
        out.push(allow_any_dfp(scope));
    }
    // istiod drops later duplicates by name (normalizeClusters).
    let mut seen = std::collections::HashSet::new();
    let first: Vec<bool> = out
        .iter()
        .map(|c| seen.insert(c["name"].as_str().unwrap_or_default()))
        .collect();
    let mut first = first.into_iter();
    out.retain(|_| first.next().unwrap_or(false));
    out
}

fn discovery_type(scope: &Scope, service: &Service) -> &'static str {
    match service.resolution {
        Resolution::ClientSideLb => "EDS",
        Resolution::DnsLb => "STRICT_DNS",
        Resolution::DnsRoundRobin => "LOGICAL_DNS",
        // Gateways cannot use ORIGINAL_DST; they fall back to EDS.
        Resolution::Passthrough if scope.proxy.is_gateway() => "EDS",
        Resolution::Passthrough => "ORIGINAL_DST",
    }
}

/// Policies that apply to one port: the DestinationRule's top level, overridden field by field by
/// a matching portLevelSettings entry, then by the subset's own policy.
#[derive(Default, Clone)]
struct Policy<'a> {
    load_balancer: Option<&'a LoadBalancer>,
    connection_pool: Option<&'a ConnectionPool>,
    outlier_detection: Option<&'a OutlierDetection>,
    tls: Option<&'a ClientTls>,
}

impl<'a> Policy<'a> {
    fn merged(mut self, tp: Option<&'a TrafficPolicy>, port: u32) -> Self {
        let Some(tp) = tp else { return self };
        self.load_balancer = tp.load_balancer.as_ref().or(self.load_balancer);
        self.connection_pool = tp.connection_pool.as_ref().or(self.connection_pool);
        self.outlier_detection = tp.outlier_detection.as_ref().or(self.outlier_detection);
        self.tls = tp.tls.as_ref().or(self.tls);
        if let Some(pl) = tp
            .port_level_settings
            .iter()
            .find(|p| p.port.as_ref().is_some_and(|s| s.number == port))
        {
            self.load_balancer = pl.load_balancer.as_ref().or(self.load_balancer);
            self.connection_pool = pl.connection_pool.as_ref().or(self.connection_pool);
            self.outlier_detection = pl.outlier_detection.as_ref().or(self.outlier_detection);
            self.tls = pl.tls.as_ref().or(self.tls);
        }
        self
    }
}

fn outbound_clusters(
    scope: &Scope,
    service: &Service,
    port: &ServicePort,
    dr: Option<(&Object, &DestinationRule)>,
) -> Vec<Value> {
    let ty = discovery_type(scope, service);
    let base = Policy::default().merged(dr.and_then(|(_, d)| d.traffic_policy.as_ref()), port.port);
    // The DestinationRule named in each cluster's metadata: one string for all its subsets.
    let dr_path: Option<Value> = dr.map(|(o, _)| value!(o.config_path()));
    let mut out = Vec::new();
    if let Some(c) = outbound_cluster(scope, service, port, ty, "", None, &base, dr_path.as_ref()) {
        out.push(c);
    }
    for subset in dr.map(|(_, d)| d.subsets.as_slice()).unwrap_or_default() {
        let policy = base
            .clone()
            .merged(subset.traffic_policy.as_ref(), port.port);
        if let Some(c) = outbound_cluster(
            scope,
            service,
            port,
            ty,
            &subset.name,
            Some(&subset.labels),
            &policy,
            dr_path.as_ref(),
        ) {
            out.push(c);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn outbound_cluster(
    scope: &Scope,
    service: &Service,
    port: &ServicePort,
    ty: &'static str,
    subset: &str,
    subset_labels: Option<&Labels>,
    policy: &Policy,
    dr_path: Option<&Value>,
) -> Option<Value> {
    let name = names::outbound_cluster(port.port, subset, &service.hostname);
    let passthrough_lb =
        policy.load_balancer.and_then(|lb| lb.simple.as_deref()) == Some("PASSTHROUGH");
    let ty = if passthrough_lb { "ORIGINAL_DST" } else { ty };
    let mut c = Map::with_capacity(16);
    c.insert("name".into(), value!(&name));
    c.insert("type".into(), value!(ty));
    match ty {
        "EDS" => {
            c.insert(
                "eds_cluster_config".into(),
                value!({"eds_config": ads_config_source(), "service_name": &name}),
            );
        }
        "STRICT_DNS" | "LOGICAL_DNS" => {
            let endpoints: Vec<&Endpoint> = service
                .endpoints
                .iter()
                .filter(|e| {
                    subset_labels.is_none_or(|l| l.iter().all(|(k, v)| e.labels.get(k) == Some(v)))
                })
                .collect();
            if endpoints.is_empty() {
                return None; // istiod skips DNS clusters that have nothing to resolve
            }
            c.insert("dns_lookup_family".into(), value!("V4_ONLY"));
            c.insert(
                "typed_dns_resolver_config".into(),
                shared!({
                    "name": "envoy.network.dns_resolver.cares",
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig",
                        "udp_max_queries": 100
                    }
                }),
            );
            c.insert("dns_jitter".into(), value!("0.100s"));
            c.insert(
                "dns_refresh_rate".into(),
                value!(duration::json(&scope.mesh.config.dns_refresh_rate)),
            );
            c.insert("respect_dns_ttl".into(), value!(true));
            c.insert(
                "load_assignment".into(),
                crate::translate::endpoint::load_assignment(
                    &name,
                    endpoints.iter().copied(),
                    port.port,
                ),
            );
        }
        _ => {}
    }
    c.insert(
        "connect_timeout".into(),
        value!(duration::json(&scope.mesh.config.connect_timeout)),
    );
    c.insert("alt_stat_name".into(), value!(crate::join!(name, ";")));
    c.insert("common_lb_config".into(), Value::Object(Map::new()));

    let mut http_options = upstream_protocol(scope, port);
    apply_connection_pool(&mut c, &mut http_options, policy.connection_pool);
    if let Some(od) = policy.outlier_detection {
        apply_outlier_detection(&mut c, od);
    }
    apply_load_balancer(&mut c, ty, policy.load_balancer);
    if let Some(options) = http_options {
        c.insert(
            "typed_extension_protocol_options".into(),
            value!({"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": options}),
        );
    }
    apply_tls(scope, &mut c, service, port, subset, ty, policy.tls);

    let mut istio = Map::new();
    if service.mesh_external {
        istio.insert("external".into(), value!(true));
    }
    istio.insert(
        "services".into(),
        value!([{"host": &service.hostname, "name": &service.name, "namespace": &service.namespace}]),
    );
    if let Some(path) = dr_path {
        istio.insert("config".into(), path.clone());
    }
    if !subset.is_empty() {
        istio.insert("subset".into(), value!(subset));
    }
    c.insert(
        "metadata".into(),
        value!({"filter_metadata": {"istio": istio}}),
    );
    // Every outbound cluster exchanges metadata (`applyMetadataExchange`); on mesh-external ones
    // the `external` metadata above tells the filter to skip.
    c.insert("filters".into(), metadata_exchange_filters());
    Some(Value::Object(c))
}

/// `HttpProtocolOptions` for the port: HTTP/2 for http2 and gRPC ports, "use what the client used"
/// for sniffed ports on sidecars; none for HTTP/1.1 and TCP.
fn upstream_protocol(scope: &Scope, port: &ServicePort) -> Option<Map> {
    let mut o = Map::new();
    o.insert("@type".into(), value!(type_url::HTTP_PROTOCOL_OPTIONS));
    if port.protocol.is_http2() {
        o.insert(
            "explicit_http_config".into(),
            value!({"http2_protocol_options": {}}),
        );
        return Some(o);
    }
    if port.protocol.is_unsupported() && !scope.proxy.is_gateway() {
        o.insert(
            "use_downstream_protocol_config".into(),
            value!({"http_protocol_options": {}, "http2_protocol_options": {}}),
        );
        return Some(o);
    }
    None
}

fn apply_connection_pool(
    c: &mut Map,
    http_options: &mut Option<Map>,
    pool: Option<&ConnectionPool>,
) {
    let mut max_connections = MAX_U32;
    let mut max_pending = MAX_U32;
    let mut max_requests = MAX_U32;
    let mut max_retries = MAX_U32;
    let mut common = Map::new();
    if let Some(pool) = pool {
        if let Some(h) = &pool.http {
            max_requests = h
                .http2_max_requests
                .filter(|v| *v > 0)
                .map_or(max_requests, u64::from);
            max_pending = h
                .http1_max_pending_requests
                .filter(|v| *v > 0)
                .map_or(max_pending, u64::from);
            max_retries = h
                .max_retries
                .filter(|v| *v > 0)
                .map_or(max_retries, u64::from);
            if let Some(t) = &h.idle_timeout {
                common.insert("idle_timeout".into(), value!(duration::json(t)));
            }
            if let Some(n) = h.max_requests_per_connection.filter(|v| *v > 0) {
                common.insert("max_requests_per_connection".into(), value!(n));
            }
        }
        if let Some(t) = &pool.tcp {
            if let Some(ct) = &t.connect_timeout {
                c.insert("connect_timeout".into(), value!(duration::json(ct)));
            }
            max_connections = t
                .max_connections
                .filter(|v| *v > 0)
                .map_or(max_connections, u64::from);
            if let Some(d) = &t.max_connection_duration {
                common.insert("max_connection_duration".into(), value!(duration::json(d)));
            }
            if let Some(idle) = &t.idle_timeout {
                common.get_or_insert_with("idle_timeout".into(), || value!(duration::json(idle)));
            }
        }
    }
    c.insert(
        "circuit_breakers".into(),
        value!({"thresholds": [{
            "max_connections": max_connections,
            "max_pending_requests": max_pending,
            "max_requests": max_requests,
            "max_retries": max_retries
        }]}),
    );
    if !common.is_empty() {
        let o = http_options.get_or_insert_with(|| {
            let mut m = Map::new();
            m.insert("@type".into(), value!(type_url::HTTP_PROTOCOL_OPTIONS));
            m
        });
        o.insert("common_http_protocol_options".into(), Value::Object(common));
        if !o.contains_key("explicit_http_config")
            && !o.contains_key("use_downstream_protocol_config")
        {
            o.insert(
                "explicit_http_config".into(),
                value!({"http_protocol_options": {}}),
            );
        }
    }
}

fn apply_outlier_detection(c: &mut Map, od: &OutlierDetection) {
    let mut o = Map::new();
    o.insert("enforcing_success_rate".into(), value!(0));
    // `consecutiveErrors` is the deprecated spelling of consecutive gateway errors' older sibling;
    // istiod maps consecutive5xxErrors to Envoy's consecutive_5xx.
    if let Some(v) = od.consecutive_5xx_errors.or(od.consecutive_errors) {
        o.insert("consecutive_5xx".into(), value!(v));
        o.insert(
            "enforcing_consecutive_5xx".into(),
            value!(if v > 0 { 100 } else { 0 }),
        );
    }
    if let Some(v) = od.consecutive_gateway_errors {
        o.insert("consecutive_gateway_failure".into(), value!(v));
        o.insert(
            "enforcing_consecutive_gateway_failure".into(),
            value!(if v > 0 { 100 } else { 0 }),
        );
    }
    if let Some(i) = &od.interval {
        o.insert("interval".into(), value!(duration::json(i)));
    }
    if let Some(b) = &od.base_ejection_time {
        o.insert("base_ejection_time".into(), value!(duration::json(b)));
    }
    if let Some(m) = od.max_ejection_percent.filter(|m| *m > 0) {
        o.insert("max_ejection_percent".into(), value!(m));
    }
    if od.split_external_local_origin_errors == Some(true) {
        o.insert("split_external_local_origin_errors".into(), value!(true));
        if let Some(v) = od.consecutive_local_origin_failures.filter(|v| *v > 0) {
            o.insert("consecutive_local_origin_failure".into(), value!(v));
            o.insert(
                "enforcing_consecutive_local_origin_failure".into(),
                value!(100),
            );
        }
        o.insert("enforcing_local_origin_success_rate".into(), value!(0));
    }
    c.insert("outlier_detection".into(), Value::Object(o));
    c.insert(
        "common_lb_config".into(),
        value!({"healthy_panic_threshold": {"value": f64::from(od.min_health_percent.unwrap_or(0))}}),
    );
}

fn apply_load_balancer(c: &mut Map, ty: &str, lb: Option<&LoadBalancer>) {
    if ty == "ORIGINAL_DST" {
        c.insert("lb_policy".into(), value!("CLUSTER_PROVIDED"));
        return;
    }
    // ROUND_ROBIN is the enum's zero value: Envoy's dump leaves it out.
    match lb.and_then(|l| l.simple.as_deref()) {
        Some("ROUND_ROBIN") => {
            c.remove("lb_policy");
        }
        Some("RANDOM") => {
            c.insert("lb_policy".into(), value!("RANDOM"));
        }
        _ => {
            c.insert("lb_policy".into(), value!("LEAST_REQUEST"));
        }
    }
    if let Some(hash) = lb.and_then(|l| l.consistent_hash.as_ref()) {
        if let Some(m) = &hash.maglev {
            c.insert("lb_policy".into(), value!("MAGLEV"));
            if let Some(t) = m.table_size.filter(|t| *t > 0) {
                c.insert(
                    "maglev_lb_config".into(),
                    value!({"table_size": t.to_string()}),
                );
            }
        } else if let Some(r) = &hash.ring_hash {
            c.insert("lb_policy".into(), value!("RING_HASH"));
            if let Some(s) = r.minimum_ring_size.filter(|s| *s > 0) {
                c.insert(
                    "ring_hash_lb_config".into(),
                    value!({"minimum_ring_size": s.to_string()}),
                );
            }
        } else {
            c.insert("lb_policy".into(), value!("RING_HASH"));
            let size = hash.minimum_ring_size.filter(|s| *s > 0).unwrap_or(1024);
            c.insert(
                "ring_hash_lb_config".into(),
                value!({"minimum_ring_size": size.to_string()}),
            );
        }
    }
}

/// Is mTLS turned off for workloads of this service (a DISABLE PeerAuthentication that applies
/// to its namespace or the whole mesh)?
fn mtls_disabled(scope: &Scope, service: &Service) -> bool {
    let root = &scope.mesh.config.root_namespace;
    let mode_in = |ns: &str| {
        scope
            .mesh
            .peer_authentications()
            .find(|(o, pa)| {
                o.namespace() == ns
                    && pa
                        .selector
                        .as_ref()
                        .is_none_or(|s| s.match_labels.is_empty())
            })
            .and_then(|(_, pa)| pa.mtls.as_ref()?.mode.clone())
            .filter(|m| m != "UNSET")
    };
    mode_in(&service.namespace)
        .or_else(|| mode_in(root))
        .as_deref()
        == Some("DISABLE")
}

fn service_account_sans(scope: &Scope, service: &Service) -> Vec<String> {
    let td = &scope.mesh.config.trust_domain;
    let mut sans: Vec<String> = service
        .endpoints
        .iter()
        .filter_map(|e| {
            e.service_account
                .as_ref()
                .map(|sa| format!("spiffe://{td}/ns/{}/sa/{sa}", service.namespace))
        })
        .collect();
    order::sort(&mut sans);
    sans.dedup();
    sans
}

fn upstream_tls_context(
    sni: &str,
    alpn: &[&str],
    sans: &[String],
    istio_certs: bool,
    tls: Option<&ClientTls>,
) -> Value {
    let mut common = Map::new();
    common.insert(
        "tls_params".into(),
        shared!({"tls_minimum_protocol_version": "TLSv1_2", "tls_maximum_protocol_version": "TLSv1_3"}),
    );
    if !alpn.is_empty() {
        common.insert("alpn_protocols".into(), value!(alpn));
    }
    let matchers: Vec<Value> = sans.iter().map(|s| value!({"exact": s})).collect();
    if istio_certs {
        common.insert(
            "tls_certificate_sds_secret_configs".into(),
            value!([sds_secret("default")]),
        );
        common.insert(
            "combined_validation_context".into(),
            value!({
                "default_validation_context": {"match_subject_alt_names": matchers},
                "validation_context_sds_secret_config": sds_secret("ROOTCA")
            }),
        );
    } else if let Some(tls) = tls {
        if let Some(cred) = &tls.credential_name {
            common.insert(
                "tls_certificate_sds_secret_configs".into(),
                value!([sds_secret(&format!("kubernetes://{cred}"))]),
            );
        }
        let mut validation = Map::new();
        if !matchers.is_empty() {
            validation.insert("match_subject_alt_names".into(), value!(matchers));
        }
        if tls.insecure_skip_verify != Some(true) {
            let ca = match (&tls.credential_name, &tls.ca_certificates) {
                (Some(cred), _) => format!("kubernetes://{cred}-cacert"),
                (None, Some(file)) => format!("file-root:{file}"),
                (None, None) => "file-root:system".to_string(),
            };
            common.insert(
                "combined_validation_context".into(),
                value!({"default_validation_context": validation, "validation_context_sds_secret_config": sds_secret(&ca)}),
            );
        }
    }
    let mut ctx = Map::new();
    ctx.insert("@type".into(), value!(type_url::UPSTREAM_TLS));
    ctx.insert("common_tls_context".into(), Value::Object(common));
    if !sni.is_empty() {
        ctx.insert("sni".into(), value!(sni));
    }
    Value::Object(ctx)
}

fn apply_tls(
    scope: &Scope,
    c: &mut Map,
    service: &Service,
    port: &ServicePort,
    subset: &str,
    ty: &str,
    tls: Option<&ClientTls>,
) {
    let default_sni = names::outbound_sni(port.port, subset, &service.hostname);
    let sans = service_account_sans(scope, service);
    match tls.and_then(|t| t.mode.as_deref()) {
        Some("DISABLE") => {}
        Some("ISTIO_MUTUAL") => {
            let tls = tls.expect("mode implies settings");
            let sni = tls.sni.clone().unwrap_or(default_sni);
            let sans = if tls.subject_alt_names.is_empty() {
                sans
            } else {
                tls.subject_alt_names.clone()
            };
            let ctx = upstream_tls_context(&sni, in_mesh_alpn(c), &sans, true, None);
            c.insert(
                "transport_socket".into(),
                value!({"name": "envoy.transport_sockets.tls", "typed_config": ctx}),
            );
        }
        Some("SIMPLE" | "MUTUAL") => {
            let tls = tls.expect("mode implies settings");
            let sni = tls.sni.clone().unwrap_or_default();
            let ctx = upstream_tls_context(&sni, &[], &tls.subject_alt_names, false, Some(tls));
            c.insert(
                "transport_socket".into(),
                value!({"name": "envoy.transport_sockets.tls", "typed_config": ctx}),
            );
        }
        _ => {
            // Auto mTLS: use Istio's mTLS to endpoints that run a sidecar, plaintext to the rest.
            if service.mesh_external
                || !scope.mesh.config.enable_auto_mtls
                || ty == "ORIGINAL_DST"
                || mtls_disabled(scope, service)
            {
                return;
            }
            let ctx = upstream_tls_context(&default_sni, in_mesh_alpn(c), &sans, true, None);
            c.insert(
                "transport_socket_matches".into(),
                value!([
                    {
                        "name": "tlsMode-istio",
                        "match": {"tlsMode": "istio"},
                        "transport_socket": {"name": "envoy.transport_sockets.tls", "typed_config": ctx}
                    },
                    shared!({
                        "name": "tlsMode-disabled",
                        "match": {},
                        "transport_socket": {
                            "name": "envoy.transport_sockets.raw_buffer",
                            "typed_config": {"@type": type_url::RAW_BUFFER}
                        }
                    })
                ]),
            );
        }
    }
}

fn blackhole(scope: &Scope) -> Value {
    value!({
        "name": names::BLACKHOLE_CLUSTER,
        "type": "STATIC",
        "connect_timeout": duration::json(&scope.mesh.config.connect_timeout),
        "alt_stat_name": format!("{};", names::BLACKHOLE_CLUSTER),
    })
}

fn passthrough_base(scope: &Scope, name: &str) -> Map {
    let mut c = Map::new();
    c.insert("name".into(), value!(name));
    c.insert("type".into(), value!("ORIGINAL_DST"));
    c.insert(
        "connect_timeout".into(),
        value!(duration::json(&scope.mesh.config.connect_timeout)),
    );
    c.insert("lb_policy".into(), value!("CLUSTER_PROVIDED"));
    c.insert(
        "circuit_breakers".into(),
        value!({"thresholds": [{"max_connections": MAX_U32, "max_pending_requests": MAX_U32, "max_requests": MAX_U32, "max_retries": MAX_U32}]}),
    );
    // Idle upstream connections close after 5 minutes (`passthroughHttpProtocolOptions`).
    c.insert(
        "typed_extension_protocol_options".into(),
        shared!({"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
            "@type": type_url::HTTP_PROTOCOL_OPTIONS,
            "common_http_protocol_options": {"idle_timeout": "300s"},
            "use_downstream_protocol_config": {"http_protocol_options": {}, "http2_protocol_options": {}}
        }}),
    );
    c.insert("alt_stat_name".into(), value!(crate::join!(name, ";")));
    c
}

/// The DNS cache the ALLOW_ANY_DYNAMIC_DNS cluster and the listeners' forward-proxy filter share
/// (Envoy dedupes caches by name): istiod's `buildAllowAnyDynamicDNSDNSCacheConfig`, without the
/// agent's DNS resolver, which only proxies capturing DNS (ISTIO_META_DNS_CAPTURE) get.
pub fn allow_any_dns_cache(scope: &Scope) -> Value {
    let ips = &scope.proxy.ips;
    let family = if !ips.is_empty() && ips.iter().all(|ip| ip.contains(':')) {
        "V6_ONLY"
    } else {
        "V4_ONLY"
    };
    value!({
        "name": "allow_any_dfp_dns_cache",
        "dns_lookup_family": family,
        "max_hosts": 1024,
    })
}

/// `AllowAnyDynamicDNSCluster` (istiod's `buildAllowAnyDFPCluster` without outbound TLS
/// origination): the passthrough cluster's HTTP options and limits, and metadata exchange.
fn allow_any_dfp(scope: &Scope) -> Value {
    let mut c = passthrough_base(scope, names::DYNAMIC_DNS_CLUSTER);
    c.remove("type");
    c.insert(
        "cluster_type".into(),
        value!({
            "name": "envoy.clusters.dynamic_forward_proxy",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.clusters.dynamic_forward_proxy.v3.ClusterConfig",
                "dns_cache_config": allow_any_dns_cache(scope),
                "allow_insecure_cluster_options": true
            }
        }),
    );
    c.insert("filters".into(), metadata_exchange_filters());
    Value::Object(c)
}

fn passthrough(scope: &Scope) -> Value {
    let mut c = passthrough_base(scope, names::PASSTHROUGH_CLUSTER);
    c.insert("filters".into(), metadata_exchange_filters());
    Value::Object(c)
}

/// The cluster filter of Istio's TCP metadata exchange, a TypedStruct as istiod sends it
/// (`xdsfilters.TCPClusterMx`).
fn metadata_exchange_filters() -> Value {
    shared!([{
        "name": "istio.metadata_exchange",
        "typed_config": {
            "@type": type_url::TYPED_STRUCT,
            "type_url": type_url::METADATA_EXCHANGE,
            "value": {"protocol": "istio-peer-exchange", "enable_discovery": true}
        }
    }])
}

/// Istio mTLS ALPNs of an in-mesh cluster: `h2` is advertised too when the cluster speaks HTTP/2
/// upstream (cluster_tls.go: ALPNInMeshH2WithMxc, ALPNInMeshWithMxc).
fn in_mesh_alpn(c: &Map) -> &'static [&'static str] {
    let h2 = c
        .get("typed_extension_protocol_options")
        .and_then(|o| o.get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions"))
        .and_then(|o| o.get("explicit_http_config"))
        .and_then(|o| o.get("http2_protocol_options"))
        .is_some();
    if h2 {
        &["istio-peer-exchange", "istio", "h2"]
    } else {
        &["istio-peer-exchange", "istio"]
    }
}

fn inbound_passthrough(scope: &Scope) -> Value {
    let mut c = passthrough_base(scope, names::INBOUND_PASSTHROUGH_CLUSTER);
    c.insert(
        "upstream_bind_config".into(),
        value!({"source_address": {"address": INBOUND_PASSTHROUGH_BIND, "port_value": 0}}),
    );
    Value::Object(c)
}

/// An inbound port of this workload: where the sidecar hands requests to the application.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundPort<'a> {
    /// The port the workload listens on (the cluster is `inbound|<port>||`).
    pub port: u32,
    pub protocol: Protocol,
    /// The service port it serves (for metadata and route names).
    pub service_port: Option<&'a ServicePort>,
    pub services: Vec<&'a Service>,
    /// `127.0.0.1:8080` from a Sidecar ingress listener's defaultEndpoint.
    pub default_endpoint: Option<String>,
}

/// The ports the workload serves: from a Sidecar's ingress listeners when it has any, else from
/// every service port whose endpoint is this proxy (deduplicated by target port).
pub fn inbound_ports<'a>(scope: &Scope<'a>) -> Vec<InboundPort<'a>> {
    let mut out: Vec<InboundPort> = Vec::new();
    if let Some((_, sidecar)) = scope.sidecar.filter(|(_, s)| !s.ingress.is_empty()) {
        for ingress in &sidecar.ingress {
            let services = scope
                .mesh
                .instances(scope.proxy)
                .into_iter()
                .filter(|i| {
                    i.target_port == ingress.port.number || i.port.port == ingress.port.number
                })
                .map(|i| i.service)
                .collect();
            out.push(InboundPort {
                port: ingress.port.number,
                protocol: Protocol::parse(&ingress.port.protocol),
                service_port: None,
                services,
                default_endpoint: ingress.default_endpoint.clone().filter(|e| !e.is_empty()),
            });
        }
        return out;
    }
    for inst in scope.mesh.instances(scope.proxy) {
        if inst.port.protocol == Protocol::Udp {
            continue;
        }
        match out.iter_mut().find(|p| p.port == inst.target_port) {
            Some(p) => {
                if !p
                    .services
                    .iter()
                    .any(|s| s.hostname == inst.service.hostname)
                {
                    p.services.push(inst.service);
                }
            }
            None => out.push(InboundPort {
                port: inst.target_port,
                protocol: inst.port.protocol,
                service_port: Some(inst.port),
                services: vec![inst.service],
                default_endpoint: None,
            }),
        }
    }
    out
}

fn inbound_clusters(scope: &Scope) -> Vec<Value> {
    inbound_ports(scope)
        .into_iter()
        .map(|p| {
            let name = names::inbound_cluster(p.port);
            let endpoint = p.default_endpoint.as_deref().and_then(|e| e.rsplit_once(':'));
            let mut c = Map::new();
            c.insert("name".into(), value!(&name));
            match endpoint {
                Some((host, port)) if !host.starts_with("unix") => {
                    c.insert("type".into(), value!("STATIC"));
                    let port: u32 = port.parse().unwrap_or(p.port);
                    c.insert(
                        "load_assignment".into(),
                        value!({"cluster_name": &name, "endpoints": [{"lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": host, "port_value": port}}}}]}]}),
                    );
                }
                _ => {
                    c.insert("type".into(), value!("ORIGINAL_DST"));
                    c.insert("cleanup_interval".into(), value!(MAX_SECONDS));
                }
            }
            c.insert("connect_timeout".into(), value!(duration::json(&scope.mesh.config.connect_timeout)));
            c.insert("alt_stat_name".into(), value!(crate::join!(name, ";")));
            c.insert("common_lb_config".into(), value!({}));
            c.insert(
                "circuit_breakers".into(),
                value!({"thresholds": [{"max_connections": MAX_U32, "max_pending_requests": MAX_U32, "max_requests": MAX_U32, "max_retries": MAX_U32}]}),
            );
            let ty = c["type"].as_str().unwrap_or_default().to_string();
            c.insert("lb_policy".into(), value!(if ty == "ORIGINAL_DST" { "CLUSTER_PROVIDED" } else { "LEAST_REQUEST" }));
            if p.protocol.is_http2() {
                c.insert(
                    "typed_extension_protocol_options".into(),
                    value!({"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {"@type": type_url::HTTP_PROTOCOL_OPTIONS, "explicit_http_config": {"http2_protocol_options": {}}}}),
                );
            } else if p.protocol.is_unsupported() {
                c.insert(
                    "typed_extension_protocol_options".into(),
                    value!({"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {"@type": type_url::HTTP_PROTOCOL_OPTIONS, "use_downstream_protocol_config": {"http_protocol_options": {}, "http2_protocol_options": {}}}}),
                );
            }
            if endpoint.is_none() {
                c.insert(
                    "upstream_bind_config".into(),
                    value!({"source_address": {"address": INBOUND_PASSTHROUGH_BIND, "port_value": 0}}),
                );
            }
            let services: Vec<Value> = p
                .services
                .iter()
                .filter(|s| !s.mesh_external)
                .map(|s| value!({"host": &s.hostname, "name": &s.name, "namespace": &s.namespace}))
                .collect();
            if !services.is_empty() {
                c.insert("metadata".into(), value!({"filter_metadata": {"istio": {"services": services}}}));
            }
            Value::Object(c)
        })
        .collect()
}
