//! Telemetry on listeners and endpoints: the HTTP connection manager's `tracing` block
//! (pilot/pkg/networking/core/tracing.go) and the `istio.stats` filters of the metrics providers
//! (pilot/pkg/model/telemetry.go), from MeshConfig alone: `enableTracing`,
//! `defaultConfig.tracing`, `defaultProviders` and `extensionProviders`. Telemetry objects are not
//! read, so their overrides do not apply.

use crate::envoy::{duration, Map, Value};
use crate::istio::mesh_config::{Collector, CustomTag, NamedTag, ProviderKind, Telemetry};
use crate::mesh::canonical;
use crate::mesh::{Proxy, Scope};
use crate::translate::names::{self, type_url};
use crate::{shared, value};

/// istiod's PILOT_TRACE_SAMPLING default, in percent.
const DEFAULT_SAMPLING: f64 = 1.0;
/// The cluster every proxy of a single-cluster install reports (istiod's `ClusterID`).
pub const CLUSTER_ID: &str = "Kubernetes";
const STATS_FILTER: &str = "istio.stats";

/// Which side of the proxy a listener serves (istiod's `ListenerClass`): it decides the proxy
/// headers, the HTTP filters and the stats filters' config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenerClass {
    SidecarOutbound,
    SidecarInbound,
    Gateway,
}

/// What one proxy's listeners carry: computed once per proxy, shared by all its chains.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyTelemetry {
    /// The `tracing` block of every HTTP connection manager, or `None` when tracing is off.
    tracing: Option<Value>,
    /// How many `istio.stats` filters each chain gets: one per Prometheus provider in
    /// `defaultProviders.metrics`.
    stats_filters: usize,
}

impl ProxyTelemetry {
    pub fn new(scope: &Scope) -> Self {
        let t = &scope.mesh.config.telemetry;
        let mut names: Vec<&str> = t.metrics_providers.iter().map(String::as_str).collect();
        crate::order::sort(&mut names);
        names.dedup();
        let stats_filters = names
            .iter()
            .filter(|n| {
                t.provider(n)
                    .is_some_and(|p| p.kind == ProviderKind::Prometheus)
            })
            .count();
        ProxyTelemetry {
            tracing: tracing(scope),
            stats_filters,
        }
    }

    pub fn tracing(&self) -> Option<&Value> {
        self.tracing.as_ref()
    }

    /// The `istio.stats` HTTP filters (placed after cors, before the router).
    pub fn http_stats(&self, class: ListenerClass) -> Vec<Value> {
        (0..self.stats_filters)
            .map(|_| stats_filter(class))
            .collect()
    }

    /// The `istio.stats` network filters (placed before tcp_proxy).
    pub fn network_stats(&self, class: ListenerClass) -> Vec<Value> {
        self.http_stats(class)
    }
}

/// The stats plugin's config: inbound and gateway listeners do not fall back to the Host header
/// for the destination service (`disableHostHeaderFallback`).
fn stats_filter(class: ListenerClass) -> Value {
    match class {
        ListenerClass::SidecarOutbound => shared!({
            "name": STATS_FILTER,
            "typed_config": {"@type": type_url::STATS_PLUGIN}
        }),
        ListenerClass::SidecarInbound | ListenerClass::Gateway => shared!({
            "name": STATS_FILTER,
            "typed_config": {"@type": type_url::STATS_PLUGIN, "disable_host_header_fallback": true}
        }),
    }
}

/// istiod's `configureTracingFromTelemetry` without Telemetry objects: a default tracing
/// provider decides when one is named, else the legacy `enableTracing` switch.
fn tracing(scope: &Scope) -> Option<Value> {
    let t = &scope.mesh.config.telemetry;
    let mut out = Map::new();
    let istio_tags;
    let mut provider_fields = Vec::new();
    if let Some(first) = t.tracing_providers.first() {
        // A named provider that does not exist, or cannot trace, turns tracing off.
        let provider = t.provider(first)?;
        let built = provider_tracing(scope, &provider.kind)?;
        provider_fields = built;
        istio_tags = true;
    } else {
        if !t.enable_tracing {
            return None;
        }
        istio_tags = t.enable_istio_tags.unwrap_or(true);
    }
    let sampling = match t.sampling {
        Some(s) if s > 100.0 => DEFAULT_SAMPLING,
        Some(s) if s != 0.0 => s,
        _ => DEFAULT_SAMPLING,
    };
    out.insert("client_sampling".into(), percent(100.0));
    out.insert("random_sampling".into(), percent(sampling));
    out.insert("overall_sampling".into(), percent(100.0));
    let provider_max = provider_fields
        .iter()
        .find(|(k, _)| *k == "max_path_tag_length")
        .map(|(_, v)| v.clone());
    if let Some(m) =
        provider_max.or_else(|| t.max_path_tag_length.filter(|m| *m != 0).map(|m| value!(m)))
    {
        out.insert("max_path_tag_length".into(), m);
    }
    out.insert(
        "custom_tags".into(),
        Value::Array(custom_tags(scope, t, istio_tags)),
    );
    for (k, v) in provider_fields {
        if k != "max_path_tag_length" {
            out.insert(k.into(), v);
        }
    }
    Some(Value::Object(out))
}

/// A `type.v3.Percent`, printed as Envoy prints a double: `1`, not `1.0`.
fn percent(v: f64) -> Value {
    if v.fract() == 0.0 && (0.0..=100.0).contains(&v) {
        value!({ "value": v as u32 })
    } else {
        value!({ "value": v })
    }
}

/// istiod's tags (`buildServiceTags` and the dry-run RBAC tags) and the mesh's custom tags, sorted
/// by tag name.
fn custom_tags(scope: &Scope, t: &Telemetry, istio_tags: bool) -> Vec<Value> {
    let mut tags: Vec<(String, Value)> = Vec::new();
    if istio_tags {
        let p = scope.proxy;
        let mesh_id = t
            .mesh_id
            .clone()
            .unwrap_or_else(|| scope.mesh.config.trust_domain.clone());
        let literal = |tag: &str, v: String| {
            (
                tag.to_string(),
                value!({"tag": tag, "literal": {"value": v}}),
            )
        };
        tags.push(literal(
            "istio.canonical_revision",
            canonical::revision(&p.labels),
        ));
        tags.push(literal(
            "istio.canonical_service",
            canonical::name(&p.labels, &p.workload),
        ));
        tags.push(literal("istio.mesh_id", mesh_id));
        tags.push(literal("istio.namespace", p.namespace.clone()));
        tags.push(literal("istio.cluster_id", CLUSTER_ID.into()));
        for (tag, key) in [
            (
                "istio.authorization.dry_run.allow_policy.name",
                "istio_dry_run_allow_shadow_effective_policy_id",
            ),
            (
                "istio.authorization.dry_run.allow_policy.result",
                "istio_dry_run_allow_shadow_engine_result",
            ),
            (
                "istio.authorization.dry_run.deny_policy.name",
                "istio_dry_run_deny_shadow_effective_policy_id",
            ),
            (
                "istio.authorization.dry_run.deny_policy.result",
                "istio_dry_run_deny_shadow_engine_result",
            ),
        ] {
            tags.push((
                tag.to_string(),
                value!({
                    "tag": tag,
                    "metadata": {
                        "kind": {"request": {}},
                        "metadata_key": {"key": "envoy.filters.http.rbac", "path": [{"key": key}]}
                    }
                }),
            ));
        }
    }
    for (name, tag) in t.custom_tags.iter() {
        if let Some(v) = custom_tag(name, tag) {
            tags.push((name.to_string(), v));
        }
    }
    crate::order::sort_by(&mut tags, |a, b| a.0.cmp(&b.0));
    tags.into_iter().map(|(_, v)| v).collect()
}

fn custom_tag(name: &str, tag: &CustomTag) -> Option<Value> {
    let named = |n: &NamedTag| {
        let mut m = Map::new();
        m.insert("name".into(), value!(&n.name));
        if let Some(d) = n.default_value.as_deref().filter(|d| !d.is_empty()) {
            m.insert("default_value".into(), value!(d));
        }
        Value::Object(m)
    };
    if let Some(e) = &tag.environment {
        return Some(value!({"tag": name, "environment": named(e)}));
    }
    if let Some(h) = &tag.header {
        return Some(value!({"tag": name, "request_header": named(h)}));
    }
    tag.literal
        .as_ref()
        .map(|l| value!({"tag": name, "literal": {"value": &l.value}}))
}

/// `configureFromProviderConfig`: the tracer of a provider, or `None` when the provider cannot
/// trace or its collector service is not in the registry (istiod then configures no tracing).
fn provider_tracing(scope: &Scope, kind: &ProviderKind) -> Option<Vec<(&'static str, Value)>> {
    let proxy = scope.proxy;
    let mut spawn_upstream_span = proxy.is_gateway();
    let (name, collector, typed) = match kind {
        ProviderKind::Zipkin(c) => {
            let (host, cluster) = lookup_cluster(scope, c)?;
            let path = c.path.as_deref().unwrap_or("/api/v2/spans");
            let timeout = c
                .timeout
                .as_deref()
                .map_or("5s".to_string(), duration::json);
            // Proxies of 1.29 and later get the collector as an HttpService (with its timeout).
            let typed = value!({
                "@type": type_url::ZIPKIN_CONFIG,
                "collector_endpoint_version": "HTTP_JSON",
                "trace_id_128bit": !c.enable_64bit_trace_id,
                "shared_span_context": false,
                "collector_service": {"http_uri": {
                    "uri": format!("http://{host}{path}"),
                    "cluster": cluster,
                    "timeout": timeout,
                }},
            });
            ("envoy.tracers.zipkin", c, typed)
        }
        ProviderKind::Datadog(c) => {
            let (host, cluster) = lookup_cluster(scope, c)?;
            let typed = value!({
                "@type": type_url::DATADOG_CONFIG,
                "collector_cluster": cluster,
                "service_name": service_cluster(proxy),
                "collector_hostname": host,
            });
            ("envoy.tracers.datadog", c, typed)
        }
        ProviderKind::Skywalking(c) => {
            let (host, cluster) = lookup_cluster(scope, c)?;
            spawn_upstream_span = true;
            let typed = value!({
                "@type": type_url::SKYWALKING_CONFIG,
                "grpc_service": {"envoy_grpc": {"cluster_name": cluster, "authority": host}},
            });
            ("envoy.tracers.skywalking", c, typed)
        }
        ProviderKind::OpenTelemetry(c) => {
            let (host, cluster) = lookup_cluster(scope, c)?;
            let mut typed = Map::new();
            typed.insert("@type".into(), value!(type_url::OPENTELEMETRY_CONFIG));
            match &c.http {
                Some(http) => {
                    let path = http.path.trim_start_matches('/');
                    let mut uri = Map::new();
                    uri.insert("uri".into(), value!(format!("{host}/{path}")));
                    uri.insert("cluster".into(), value!(cluster));
                    if let Some(t) = &http.timeout {
                        uri.insert("timeout".into(), value!(duration::json(t)));
                    }
                    typed.insert(
                        "http_service".into(),
                        value!({ "http_uri": Value::Object(uri) }),
                    );
                }
                None => {
                    let mut grpc = Map::new();
                    grpc.insert(
                        "envoy_grpc".into(),
                        value!({"cluster_name": cluster, "authority": host}),
                    );
                    if let Some(t) = &c.timeout {
                        grpc.insert("timeout".into(), value!(duration::json(t)));
                    }
                    typed.insert("grpc_service".into(), Value::Object(grpc));
                }
            }
            typed.insert("service_name".into(), value!(service_cluster(proxy)));
            ("envoy.tracers.opentelemetry", c, Value::Object(typed))
        }
        ProviderKind::Prometheus | ProviderKind::Other => return None,
    };
    let mut fields = Vec::new();
    // Skywalking has no tag length limit in istiod.
    let max_tag = match kind {
        ProviderKind::Skywalking(_) => None,
        _ => collector.max_tag_length.filter(|m| *m != 0),
    };
    if let Some(m) = max_tag {
        // A UInt32Value: proto JSON prints the bare number.
        fields.push(("max_path_tag_length", value!(m)));
    }
    fields.push(("provider", value!({"name": name, "typed_config": typed})));
    if spawn_upstream_span {
        fields.push(("spawn_upstream_span", value!(true)));
    }
    Some(fields)
}

/// istiod's `LookupCluster`: `namespace/host`, or a host that exists in exactly one namespace.
fn lookup_cluster(scope: &Scope, c: &Collector) -> Option<(String, String)> {
    if c.service.is_empty() {
        return None;
    }
    let services = &scope.mesh.services;
    let svc = match c.service.split_once('/') {
        Some((ns, host)) => services
            .iter()
            .find(|s| s.hostname == host && s.namespace == ns)?,
        None => {
            let mut found = services.iter().filter(|s| s.hostname == c.service);
            let first = found.next()?;
            if found.any(|s| s.namespace != first.namespace) {
                return None;
            }
            first
        }
    };
    let cluster = names::outbound_cluster(c.port, "", &svc.hostname);
    Some((svc.hostname.clone(), cluster))
}

/// The node's `cluster` (`<app>.<namespace>`), which names the spans' service.
fn service_cluster(proxy: &Proxy) -> String {
    let app = canonical::app(&proxy.labels, &proxy.workload);
    crate::join!(app, ".", &proxy.namespace)
}
