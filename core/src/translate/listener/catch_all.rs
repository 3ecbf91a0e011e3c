//! `virtualOutbound` (0.0.0.0:15001): where iptables sends every outbound connection; with
//! `use_original_dst` Envoy hands it to the per-port listener of the original destination, and
//! what no listener takes ends in its own chains (istiod's `buildVirtualOutboundListener`).

use super::filters::{self, ChainOpts, HttpClass, HttpOpts, Routes};
use super::Ctx;
use crate::envoy::Value;
use crate::mesh::OutboundMode;
use crate::translate::names;
use crate::value;

const ALLOW_ANY_DYNAMIC_DNS: &str = "allow_any_dynamic_dns";

pub(crate) fn outbound(ctx: &Ctx) -> Value {
    let port = ctx.mesh.config.proxy_listen_port;
    // The stats filters, then tcp_proxy (`blackholeFilterChain`, the catch-all TCP chain).
    let tcp = |cluster: &str| {
        let mut f = ctx.tel.network_stats(HttpClass::SidecarOutbound);
        f.push(filters::tcp_proxy(cluster));
        Value::Array(f)
    };
    let mut chains = vec![value!({
        "filter_chain_match": {"destination_port": port},
        "filters": tcp(names::BLACKHOLE_CLUSTER),
        "name": "virtualOutbound-blackhole",
    })];
    let dynamic_dns = ctx.outbound_mode() == OutboundMode::AllowAnyDynamicDns;
    if dynamic_dns {
        chains.push(dynamic_dns_http_chain(ctx));
    }
    chains.push(value!({
        "filters": tcp(ctx.catch_all_cluster()),
        "name": "virtualOutbound-catchall-tcp",
    }));
    let mut l = value!({
        "name": names::VIRTUAL_OUTBOUND,
        "address": filters::address(ctx.wildcard, port),
        "filter_chains": chains,
        "use_original_dst": true,
        "traffic_direction": "OUTBOUND",
    });
    if dynamic_dns {
        l["listener_filters"] = value!([filters::http_inspector()]);
    }
    l
}

/// The dynamic forward proxy HTTP filter of ALLOW_ANY_DYNAMIC_DNS, on every outbound HCM.
pub(crate) fn dfp_http_filter(ctx: &Ctx) -> Value {
    value!({
        "name": "envoy.filters.http.dynamic_forward_proxy",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_forward_proxy.v3.FilterConfig",
            "dns_cache_config": crate::translate::cluster::allow_any_dns_cache(ctx.scope),
        }
    })
}

/// Plaintext HTTP to unknown hosts under ALLOW_ANY_DYNAMIC_DNS: an HCM with an inline route to
/// `AllowAnyDynamicDNSCluster`, resolved from the Host header.
fn dynamic_dns_http_chain(ctx: &Ctx) -> Value {
    let route_config = value!({
        "name": ALLOW_ANY_DYNAMIC_DNS,
        "virtual_hosts": [{
            "name": ALLOW_ANY_DYNAMIC_DNS,
            "domains": ["*"],
            "routes": [{
                "name": ALLOW_ANY_DYNAMIC_DNS,
                "match": {"prefix": "/"},
                "route": {
                    "cluster": names::DYNAMIC_DNS_CLUSTER,
                    "timeout": "0s",
                    "max_grpc_timeout": "0s",
                },
            }],
            "include_request_attempt_count": true,
        }],
        "validate_clusters": false,
        "max_direct_response_body_size_bytes": 1_048_576,
        "ignore_port_in_host_matching": true,
    });
    let mut http = HttpOpts::new(HttpClass::SidecarOutbound, Routes::Inline(route_config));
    http.stat_prefix = Some(format!(
        "outbound_{}_{ALLOW_ANY_DYNAMIC_DNS}",
        names::VIRTUAL_OUTBOUND
    ));
    http.extra_filters.push(dfp_http_filter(ctx));
    let chain = ChainOpts {
        name: Some("virtualOutbound-catchall-tcp-http".into()),
        application_protocols: filters::strings(filters::PLAINTEXT_HTTP_ALPNS),
        http: Some(http),
        ..Default::default()
    };
    chain.to_json("", &ctx.tel, HttpClass::SidecarOutbound)
}
