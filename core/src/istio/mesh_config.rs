//! MeshConfig: the mesh-wide settings istiod reads from the `istio` ConfigMap in `istio-system`
//! (`data.mesh`), with the defaults of pkg/config/mesh/mesh.go DefaultMeshConfig.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundMode {
    AllowAny,
    RegistryOnly,
    /// New in 1.31: unknown hosts go through a dynamic forward proxy cluster.
    AllowAnyDynamicDns,
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
    pub proxy_listen_port: u32,
    pub proxy_inbound_listen_port: u32,
    /// `*` or namespaces that objects without exportTo are visible to.
    pub default_service_export_to: Vec<String>,
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
            proxy_listen_port: 15001,
            proxy_inbound_listen_port: 15006,
            default_service_export_to: vec!["*".into()],
            trust_domain_aliases: Vec::new(),
            extension_providers: Vec::new(),
        }
    }
}

/// The subset of MeshConfig's fields we read; the rest of a real mesh config is accepted.
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
    pub proxy_listen_port: Option<u32>,
    pub proxy_inbound_listen_port: Option<u32>,
    pub default_service_export_to: Option<Vec<String>>,
    pub trust_domain_aliases: Option<Vec<String>>,
    pub extension_providers: Option<Vec<ExtensionProvider>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct OutboundPolicyFile {
    pub mode: Option<String>,
}

impl MeshConfig {
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
