//! The output model: Envoy v3 resources as JSON values, in the shape of Envoy's admin `/config_dump`
//! and of `istioctl proxy-config ... -o json` (proto field names in snake_case, durations as "10s",
//! `@type` URLs on every `Any`).
//!
//! Resources are JSON trees ([`Value`], see `value.rs` for why not `serde_json::Value`): that *is*
//! Envoy's JSON mapping, so what we print, what the simulator walks and what the schema test decodes
//! are one and the same value.

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

pub mod duration;
pub mod value;

pub use value::{Map, Value};

use crate::{shared, value};

/// ADS as the config source of every dynamic resource, as istiod sets it.
pub fn ads_config_source() -> Value {
    shared!({"ads": {}, "initial_fetch_timeout": "0s", "resource_api_version": "V3"})
}

/// An SDS secret reference served by the istio-agent (`default`, `ROOTCA`, `kubernetes://name`).
pub fn sds_secret(name: &str) -> Value {
    // Every mTLS cluster names the workload's own two secrets: share those.
    match name {
        "default" => shared!({"name": "default", "sds_config": sds_config()}),
        "ROOTCA" => shared!({"name": "ROOTCA", "sds_config": sds_config()}),
        _ => value!({"name": name, "sds_config": sds_config()}),
    }
}

/// The istio-agent's SDS server (the `sds-grpc` cluster of the bootstrap) as a config source.
fn sds_config() -> Value {
    shared!({
        "api_config_source": {
            "api_type": "GRPC",
            "transport_api_version": "V3",
            "grpc_services": [{"envoy_grpc": {"cluster_name": "sds-grpc"}}],
            "set_node_on_first_message_only": true
        },
        "initial_fetch_timeout": "0s",
        "resource_api_version": "V3"
    })
}

/// `metadata.filter_metadata.istio.config` pointing at the Istio object behind a resource.
pub fn istio_config_metadata(config_path: &str) -> Value {
    value!({"filter_metadata": {"istio": {"config": config_path}}})
}

pub mod derived;
pub mod dump;
pub mod tables;
pub mod type_url;
pub mod well_known;
pub mod yaml;

pub use dump::config_dump;
