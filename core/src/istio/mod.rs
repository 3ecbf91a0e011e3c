//! The input model: Istio and Kubernetes objects as typed Rust values, decoded strictly from YAML.
//!
//! Field names follow the CRDs (camelCase). Istio kinds reject unknown fields like Istio's
//! validation does; Kubernetes kinds ignore fields we never read (a Deployment has hundreds).

pub mod envoy_filter;
pub mod gateway_api;
pub mod kube;
pub mod mesh_config;
pub mod networking;
pub mod security;

use crate::sorted::SortedMap;
use crate::yaml::decode::decode_structs;

decode_structs! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ObjectMeta {
        pub name: String,
        pub namespace: Option<String>,
        pub labels: SortedMap<String, String>,
        pub annotations: SortedMap<String, String>,
        pub creation_timestamp: Option<String>,
        pub generate_name: Option<String>,
        pub uid: Option<String>,
        pub resource_version: Option<String>,
        pub generation: Option<i64>,
        pub owner_references: Option<serde_json::Value>,
        pub finalizers: Option<Vec<String>>,
        pub managed_fields: Option<serde_json::Value>,
    }

    /// `{number, name, protocol, targetPort}` as Istio writes a port.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PortSelector: strict {
        pub number: u32,
    }

    /// A label selector `{matchLabels, matchExpressions}` or Istio's `{matchLabels}` workload selector.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct LabelSelector {
        /// Kubernetes and security.istio.io spell it `matchLabels`; networking.istio.io's
        /// WorkloadSelector (Sidecar, ServiceEntry) spells it `labels`.
        pub match_labels: SortedMap<String, String> ["matchLabels" | "labels"],
    }
}

impl LabelSelector {
    pub fn matches(&self, labels: &SortedMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
    }
}

decode_structs! {
    /// Istio's string matcher: one of exact, prefix, regex.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct StringMatch: strict {
        pub exact: Option<String>,
        pub prefix: Option<String>,
        pub regex: Option<String>,
    }
}
