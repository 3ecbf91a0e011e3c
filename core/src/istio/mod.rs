//! The input model: Istio and Kubernetes objects as typed Rust values, decoded strictly from YAML.
//!
//! Field names follow the CRDs (camelCase). Istio kinds reject unknown fields like Istio's
//! validation does; Kubernetes kinds ignore fields we never read (a Deployment has hundreds).

pub mod kube;
pub mod networking;
pub mod security;

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub creation_timestamp: Option<String>,
    #[serde(default)]
    pub generate_name: Option<String>,
    #[serde(default)]
    pub uid: Option<String>,
    #[serde(default)]
    pub resource_version: Option<String>,
    #[serde(default)]
    pub generation: Option<i64>,
    #[serde(default)]
    pub owner_references: Option<serde_json::Value>,
    #[serde(default)]
    pub finalizers: Option<Vec<String>>,
    #[serde(default)]
    pub managed_fields: Option<serde_json::Value>,
}

/// `{number, name, protocol, targetPort}` as Istio writes a port.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortSelector {
    #[serde(default)]
    pub number: u32,
}

/// A label selector `{matchLabels, matchExpressions}` or Istio's `{matchLabels}` workload selector.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Kubernetes and security.istio.io spell it `matchLabels`; networking.istio.io's
    /// WorkloadSelector (Sidecar, ServiceEntry) spells it `labels`.
    #[serde(default, alias = "labels")]
    pub match_labels: BTreeMap<String, String>,
}

impl LabelSelector {
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
    }
}

/// Istio's string matcher: one of exact, prefix, regex.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StringMatch {
    pub exact: Option<String>,
    pub prefix: Option<String>,
    pub regex: Option<String>,
}
