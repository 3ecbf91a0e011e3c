//! MeshConfig: the mesh-wide settings istiod reads from the `istio` ConfigMap in `istio-system`
//! (`data.mesh`), with the defaults of pkg/config/mesh/mesh.go DefaultMeshConfig and of the standard
//! install (manifests/charts/istio-control/istio-discovery: `defaultProviders.metrics: [prometheus]`
//! unless the user sets `defaultProviders`, and no `defaultConfig.tracing` since `global.proxy.tracer`
//! is `none`). A user's mesh config overlays these, as Helm's `meshConfig` values do.

use crate::sorted::SortedMap;
use crate::yaml::decode::decode_structs;
use serde::Deserialize;
use serde_json::Value as Json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundMode {
    AllowAny,
    RegistryOnly,
    /// New in 1.31: unknown hosts go through a dynamic forward proxy cluster.
    AllowAnyDynamicDns,
}

/// `ingressControllerMode`: which Ingresses istiod converts (shouldProcessIngressWithClass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngressControllerMode {
    /// No Ingress is converted.
    Off,
    /// Ingresses of `ingressClass`, and Ingresses that name no class at all.
    Default,
    /// Only Ingresses of `ingressClass` (istiod's default).
    Strict,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MeshConfig {
    pub outbound_mode: OutboundMode,
    pub connect_timeout: String,
    pub dns_refresh_rate: String,
    pub root_namespace: String,
    pub trust_domain: String,
    pub enable_auto_mtls: bool,
    pub ingress_service: String,
    pub ingress_class: String,
    pub ingress_controller_mode: IngressControllerMode,
    pub proxy_listen_port: u32,
    pub proxy_inbound_listen_port: u32,
    /// `*` or namespaces that objects without exportTo are visible to.
    pub default_service_export_to: Vec<String>,
    pub telemetry: Telemetry,
    /// Other trust domains whose identities count as this mesh's (authorization policies).
    pub trust_domain_aliases: Vec<String>,
    /// `extensionProviders`: where CUSTOM authorization policies send requests.
    pub extension_providers: Vec<ExtensionProvider>,
}

/// One `extensionProviders` entry; only the ext_authz kinds are read, others keep their name.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionProvider {
    #[serde(default)]
    pub name: String,
    pub envoy_ext_authz_http: Option<ExtAuthzHttp>,
    pub envoy_ext_authz_grpc: Option<ExtAuthzGrpc>,
}

/// MeshConfig `EnvoyExternalAuthorizationHttpProvider`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExtAuthzHttp {
    pub service: String,
    #[serde(deserialize_with = "port_number")]
    pub port: u32,
    pub timeout: Option<String>,
    pub path_prefix: String,
    pub fail_open: bool,
    pub status_on_error: String,
    pub include_request_headers_in_check: Vec<String>,
    pub include_headers_in_check: Vec<String>,
    pub include_additional_headers_in_check: crate::sorted::SortedMap<String, String>,
    pub headers_to_upstream_on_allow: Vec<String>,
    pub headers_to_downstream_on_deny: Vec<String>,
    pub headers_to_downstream_on_allow: Vec<String>,
    pub include_request_body_in_check: Option<RequestBody>,
}

/// MeshConfig `EnvoyExternalAuthorizationGrpcProvider`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExtAuthzGrpc {
    pub service: String,
    #[serde(deserialize_with = "port_number")]
    pub port: u32,
    pub timeout: Option<String>,
    pub fail_open: bool,
    pub status_on_error: String,
    pub include_request_body_in_check: Option<RequestBody>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestBody {
    pub max_request_bytes: u32,
    pub allow_partial_message: bool,
    pub pack_as_bytes: bool,
}

/// The MeshConfig settings that decide the tracing block and the stats filters istiod puts on every
/// listener (pilot/pkg/networking/core/tracing.go, pilot/pkg/model/telemetry.go).
#[derive(Debug, Clone, PartialEq)]
pub struct Telemetry {
    /// `enableTracing`: the legacy switch, used when no tracing provider is named.
    pub enable_tracing: bool,
    /// `defaultConfig.tracing.sampling` (percent); istiod falls back to PILOT_TRACE_SAMPLING, 1.0.
    pub sampling: Option<f64>,
    /// `defaultConfig.tracing.customTags`, by tag name.
    pub custom_tags: SortedMap<String, CustomTag>,
    /// `defaultConfig.tracing.enableIstioTags` (default on).
    pub enable_istio_tags: Option<bool>,
    pub max_path_tag_length: Option<u32>,
    /// `defaultConfig.meshId`; the proxy reports the trust domain when it is unset.
    pub mesh_id: Option<String>,
    /// `defaultProviders.metrics` and `defaultProviders.tracing`: provider names.
    pub metrics_providers: Vec<String>,
    pub tracing_providers: Vec<String>,
    /// `defaultProviders.accessLogging` (none by default).
    pub access_logging_providers: Vec<String>,
    /// `extensionProviders`, istiod's built-in ones (prometheus, stackdriver, envoy) first.
    pub extension_providers: Vec<TelemetryProvider>,
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry {
            enable_tracing: true,
            sampling: None,
            custom_tags: SortedMap::new(),
            enable_istio_tags: None,
            max_path_tag_length: None,
            mesh_id: None,
            metrics_providers: vec!["prometheus".into()],
            access_logging_providers: Vec::new(),
            tracing_providers: Vec::new(),
            extension_providers: vec![
                TelemetryProvider {
                    name: "prometheus".into(),
                    kind: ProviderKind::Prometheus,
                },
                TelemetryProvider {
                    name: "stackdriver".into(),
                    kind: ProviderKind::Other,
                },
                TelemetryProvider {
                    name: "envoy".into(),
                    kind: ProviderKind::Other,
                },
            ],
        }
    }
}

impl Telemetry {
    pub fn provider(&self, name: &str) -> Option<&TelemetryProvider> {
        self.extension_providers.iter().find(|p| p.name == name)
    }
}

/// An `extensionProviders` entry as telemetry reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct TelemetryProvider {
    pub name: String,
    pub kind: ProviderKind,
}

/// The providers whose Envoy config we write; `Other` covers the rest (access loggers, ext_authz,
/// stackdriver...), which make no stats filter and no tracer.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderKind {
    Prometheus,
    Zipkin(Collector),
    Datadog(Collector),
    Skywalking(Collector),
    OpenTelemetry(Collector),
    Other,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeshConfigFile {
    pub outbound_traffic_policy: Option<OutboundPolicyFile>,
    pub connect_timeout: Option<String>,
    pub dns_refresh_rate: Option<String>,
    pub root_namespace: Option<String>,
    pub trust_domain: Option<String>,
    pub enable_auto_mtls: Option<bool>,
    pub ingress_service: Option<String>,
    pub ingress_class: Option<String>,
    pub ingress_controller_mode: Option<String>,
    pub proxy_listen_port: Option<u32>,
    pub proxy_inbound_listen_port: Option<u32>,
    pub default_service_export_to: Option<Vec<String>>,
    pub trust_domain_aliases: Option<Vec<String>>,
    pub extension_providers: Option<Vec<ExtensionProvider>>,
}

impl Default for MeshConfig {
    fn default() -> Self {
        MeshConfig {
            outbound_mode: OutboundMode::AllowAny,
            connect_timeout: "10s".into(),
            dns_refresh_rate: "60s".into(),
            root_namespace: "istio-system".into(),
            trust_domain: "cluster.local".into(),
            enable_auto_mtls: true,
            ingress_service: "istio-ingressgateway".into(),
            ingress_class: "istio".into(),
            ingress_controller_mode: IngressControllerMode::Strict,
            proxy_listen_port: 15001,
            proxy_inbound_listen_port: 15006,
            default_service_export_to: vec!["*".into()],
            trust_domain_aliases: Vec::new(),
            extension_providers: Vec::new(),
            telemetry: Telemetry::default(),
        }
    }
}

// The telemetry settings are read by the table decoder, not serde: its derives cost the page's
// wasm several times more (ARCHITECTURE.md, yaml/decode.rs).
decode_structs! {
    /// The MeshConfig fields [`Telemetry`] comes from.
    #[derive(Debug, Default)]
    pub struct TelemetryFile {
        pub enable_tracing: Option<bool>,
        pub default_config: Option<ProxyConfigFile>,
        pub default_providers: Option<DefaultProvidersFile>,
        pub extension_providers: Option<Vec<ExtensionProviderFile>>,
    }

    #[derive(Debug, Default)]
    pub struct ProxyConfigFile {
        pub tracing: Option<TracingFile>,
        pub mesh_id: Option<String>,
    }

    #[derive(Debug, Default)]
    pub struct TracingFile {
        pub sampling: Option<f64>,
        pub custom_tags: Option<SortedMap<String, CustomTag>>,
        pub enable_istio_tags: Option<bool>,
        pub max_path_tag_length: Option<u32>,
    }

    #[derive(Debug, Default)]
    pub struct DefaultProvidersFile {
        pub metrics: Option<Vec<String>>,
        pub tracing: Option<Vec<String>>,
        pub access_logging: Option<Vec<String>>,
    }

    #[derive(Debug, Default)]
    pub struct ExtensionProviderFile {
        pub name: String,
        pub prometheus: Option<Json>,
        pub zipkin: Option<Collector>,
        pub datadog: Option<Collector>,
        pub skywalking: Option<Collector>,
        pub opentelemetry: Option<Collector>,
    }

    /// A `defaultConfig.tracing.customTags` entry.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct CustomTag {
        pub literal: Option<LiteralTag>,
        pub environment: Option<NamedTag>,
        pub header: Option<NamedTag>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct LiteralTag {
        pub value: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct NamedTag {
        pub name: String,
        pub default_value: Option<String>,
    }

    /// Where a tracing provider sends spans (`service` is `host` or `namespace/host`).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Collector {
        pub service: String,
        pub port: u32,
        pub max_tag_length: Option<u32>,
        /// Zipkin: the collector path (default `/api/v2/spans`).
        pub path: Option<String>,
        /// Zipkin: 64-bit trace ids instead of 128-bit.
        pub enable_64bit_trace_id: bool ["enable64bitTraceId"],
        pub timeout: Option<String>,
        /// OpenTelemetry over OTLP/HTTP (`http: {path, timeout}`) instead of gRPC.
        pub http: Option<OtelHttp>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct OtelHttp {
        pub path: String,
        pub timeout: Option<String>,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct OutboundPolicyFile {
    pub mode: Option<String>,
}

impl MeshConfig {
    /// Apply the telemetry fields a user's mesh config sets.
    pub fn apply_telemetry(&mut self, file: TelemetryFile) {
        let t = &mut self.telemetry;
        if let Some(v) = file.enable_tracing {
            t.enable_tracing = v;
        }
        if let Some(pc) = file.default_config {
            if let Some(id) = pc.mesh_id {
                t.mesh_id = Some(id);
            }
            if let Some(tr) = pc.tracing {
                t.sampling = tr.sampling.or(t.sampling);
                if let Some(tags) = tr.custom_tags {
                    t.custom_tags = tags;
                }
                t.enable_istio_tags = tr.enable_istio_tags.or(t.enable_istio_tags);
                t.max_path_tag_length = tr.max_path_tag_length.or(t.max_path_tag_length);
            }
        }
        // Helm writes the default Prometheus provider only when `defaultProviders` is unset: a
        // user's `defaultProviders` replaces it whole.
        if let Some(dp) = file.default_providers {
            t.metrics_providers = dp.metrics.unwrap_or_default();
            t.tracing_providers = dp.tracing.unwrap_or_default();
            t.access_logging_providers = dp.access_logging.unwrap_or_default();
        }
        // A provider of a built-in name replaces it; others are appended (mesh.go ApplyMeshConfig).
        for p in file.extension_providers.unwrap_or_default() {
            let kind = if p.prometheus.is_some() {
                ProviderKind::Prometheus
            } else if let Some(c) = p.zipkin {
                ProviderKind::Zipkin(c)
            } else if let Some(c) = p.datadog {
                ProviderKind::Datadog(c)
            } else if let Some(c) = p.skywalking {
                ProviderKind::Skywalking(c)
            } else if let Some(c) = p.opentelemetry {
                ProviderKind::OpenTelemetry(c)
            } else {
                ProviderKind::Other
            };
            match t.extension_providers.iter_mut().find(|e| e.name == p.name) {
                Some(e) => e.kind = kind,
                None => t
                    .extension_providers
                    .push(TelemetryProvider { name: p.name, kind }),
            }
        }
    }

    /// Apply the fields a user's mesh config sets; an unknown mode is an error message.
    pub fn apply(&mut self, file: MeshConfigFile) -> Result<(), String> {
        if let Some(mode) = file.outbound_traffic_policy.and_then(|p| p.mode) {
            self.outbound_mode = match mode.as_str() {
                "ALLOW_ANY" => OutboundMode::AllowAny,
                "REGISTRY_ONLY" => OutboundMode::RegistryOnly,
                "ALLOW_ANY_DYNAMIC_DNS" => OutboundMode::AllowAnyDynamicDns,
                other => {
                    return Err(format!(
                        "outboundTrafficPolicy.mode {other:?} is not one of ALLOW_ANY, REGISTRY_ONLY, ALLOW_ANY_DYNAMIC_DNS"
                    ))
                }
            };
        }
        if let Some(mode) = file.ingress_controller_mode.as_deref() {
            self.ingress_controller_mode = match mode {
                "OFF" => IngressControllerMode::Off,
                "DEFAULT" => IngressControllerMode::Default,
                "STRICT" => IngressControllerMode::Strict,
                other => {
                    return Err(format!(
                        "ingressControllerMode {other:?} is not one of OFF, DEFAULT, STRICT"
                    ))
                }
            };
        }
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = file.$f { self.$f = v; } )* };
        }
        take!(
            connect_timeout,
            dns_refresh_rate,
            root_namespace,
            trust_domain,
            enable_auto_mtls,
            ingress_service,
            ingress_class,
            proxy_listen_port,
            proxy_inbound_listen_port,
            default_service_export_to,
            trust_domain_aliases,
            extension_providers
        );
        Ok(())
    }
}

/// A port as protobuf JSON reads a uint32: a number, or a string of digits (Istio's own tasks
/// write `port: "8000"`).
fn port_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port {
        Number(u32),
        Text(String),
    }
    match Port::deserialize(d)? {
        Port::Number(n) => Ok(n),
        Port::Text(t) => t
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("invalid port {t:?}"))),
    }
}
