//! networking.istio.io/v1alpha3 EnvoyFilter: patches to the generated Envoy config.
//!
//! Enum fields (`applyTo`, `operation`, `context`, `action`) stay strings, as written, so the
//! analyzer can name the exact value istiod would reject; `patch.value` is free-form Envoy
//! config (a `google.protobuf.Struct` in the CRD), kept as JSON; its positions are in the
//! object's YAML tree (`spec.configPatches[N].patch.value`).

use super::security::TargetRef;
use super::LabelSelector;
use crate::sorted::SortedMap;
use crate::yaml::decode::decode_structs;
use serde_json::Value as Json;

decode_structs! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct EnvoyFilter: strict {
        pub workload_selector: Option<LabelSelector>,
        pub target_refs: Vec<TargetRef>,
        pub config_patches: Vec<ConfigPatch>,
        pub priority: i64,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ConfigPatch: strict {
        pub apply_to: Option<String>,
        /// `None` matches everything (istiod makes it `{context: ANY}`).
        pub matches: Option<ObjectMatch> ["match"],
        pub patch: Option<Patch>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Patch: strict {
        pub operation: Option<String>,
        pub value: Option<Json>,
        pub filter_class: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ObjectMatch: strict {
        pub context: Option<String>,
        pub proxy: Option<ProxyMatch>,
        pub listener: Option<ListenerMatch>,
        pub route_configuration: Option<RouteConfigurationMatch>,
        pub cluster: Option<ClusterMatch>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ProxyMatch: strict {
        pub proxy_version: Option<String>,
        pub metadata: SortedMap<String, String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ListenerMatch: strict {
        pub port_number: u32,
        pub port_name: Option<String>,
        pub filter_chain: Option<FilterChainMatch>,
        pub listener_filter: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct FilterChainMatch: strict {
        pub name: Option<String>,
        pub sni: Option<String>,
        pub transport_protocol: Option<String>,
        pub application_protocols: Option<String>,
        pub filter: Option<FilterMatch>,
        pub destination_port: u32,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct FilterMatch: strict {
        pub name: Option<String>,
        pub sub_filter: Option<SubFilterMatch>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SubFilterMatch: strict {
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RouteConfigurationMatch: strict {
        pub port_number: u32,
        pub port_name: Option<String>,
        pub gateway: Option<String>,
        pub vhost: Option<VirtualHostMatch>,
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct VirtualHostMatch: strict {
        pub name: Option<String>,
        pub domain_name: Option<String>,
        pub route: Option<RouteMatch>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RouteMatch: strict {
        pub name: Option<String>,
        pub action: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ClusterMatch: strict {
        pub port_number: u32,
        pub service: Option<String>,
        pub subset: Option<String>,
        pub name: Option<String>,
    }
}

/// The filter names Envoy renamed; istiod matches names exactly, so an EnvoyFilter that still
/// uses the old name matches nothing (its validation warns "using deprecated filter name").
pub const DEPRECATED_FILTER_NAMES: &[(&str, &str)] = &[
    ("envoy.buffer", "envoy.filters.http.buffer"),
    ("envoy.cors", "envoy.filters.http.cors"),
    ("envoy.csrf", "envoy.filters.http.csrf"),
    ("envoy.http_dynamo_filter", "envoy.filters.http.dynamo"),
    // istiod's table maps both ext_authz filters to this one old name.
    ("envoy.ext_authz", "envoy.filters.http.ext_authz"),
    ("envoy.fault", "envoy.filters.http.fault"),
    (
        "envoy.grpc_http1_bridge",
        "envoy.filters.http.grpc_http1_bridge",
    ),
    (
        "envoy.grpc_json_transcoder",
        "envoy.filters.http.grpc_json_transcoder",
    ),
    ("envoy.grpc_web", "envoy.filters.http.grpc_web"),
    ("envoy.gzip", "envoy.filters.http.gzip"),
    ("envoy.health_check", "envoy.filters.http.health_check"),
    ("envoy.ip_tagging", "envoy.filters.http.ip_tagging"),
    ("envoy.lua", "envoy.filters.http.lua"),
    ("envoy.rate_limit", "envoy.filters.http.ratelimit"),
    ("envoy.router", "envoy.filters.http.router"),
    ("envoy.squash", "envoy.filters.http.squash"),
    (
        "envoy.listener.http_inspector",
        "envoy.filters.listener.http_inspector",
    ),
    (
        "envoy.listener.original_dst",
        "envoy.filters.listener.original_dst",
    ),
    (
        "envoy.listener.original_src",
        "envoy.filters.listener.original_src",
    ),
    (
        "envoy.listener.proxy_protocol",
        "envoy.filters.listener.proxy_protocol",
    ),
    (
        "envoy.listener.tls_inspector",
        "envoy.filters.listener.tls_inspector",
    ),
    (
        "envoy.client_ssl_auth",
        "envoy.filters.network.client_ssl_auth",
    ),
    (
        "envoy.http_connection_manager",
        "envoy.filters.network.http_connection_manager",
    ),
    ("envoy.mongo_proxy", "envoy.filters.network.mongo_proxy"),
    ("envoy.ratelimit", "envoy.filters.network.ratelimit"),
    ("envoy.redis_proxy", "envoy.filters.network.redis_proxy"),
    ("envoy.tcp_proxy", "envoy.filters.network.tcp_proxy"),
];

/// The current name of a deprecated filter name, if it is one.
pub fn renamed_filter(name: &str) -> Option<&'static str> {
    DEPRECATED_FILTER_NAMES
        .iter()
        .find(|(old, _)| *old == name)
        .map(|(_, new)| *new)
}
