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
            default_service_export_to
        );
        Ok(())
    }
}
