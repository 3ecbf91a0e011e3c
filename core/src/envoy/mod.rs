//! The output model: Envoy v3 resources as JSON values, in the shape of Envoy's admin `/config_dump`
//! and of `istioctl proxy-config ... -o json` (proto field names in snake_case, durations as "10s",
//! `@type` URLs on every `Any`).
//!
//! Resources are kept as `serde_json::Value` on purpose: that *is* Envoy's JSON mapping, so what we
//! print, what the simulator walks and what the schema test decodes are one and the same value.

use serde_json::Value;

/// Everything istiod would push to one proxy over xDS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProxyConfig {
    /// LDS: `envoy.config.listener.v3.Listener` objects.
    pub listeners: Vec<Value>,
    /// RDS: `envoy.config.route.v3.RouteConfiguration` objects.
    pub routes: Vec<Value>,
    /// CDS: `envoy.config.cluster.v3.Cluster` objects.
    pub clusters: Vec<Value>,
    /// EDS: `envoy.config.endpoint.v3.ClusterLoadAssignment` objects.
    pub endpoints: Vec<Value>,
}
