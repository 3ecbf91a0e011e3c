//! LDS: the listeners istiod pushes to one proxy, with their filter chains, in the shape of
//! `istioctl proxy-config listener -o json`.
//!
//! - Sidecars ([`outbound`], [`catch_all`], [`inbound`]): one listener per outbound service port
//!   (`0.0.0.0_9080` for HTTP, `<VIP>_<port>` for TCP and sniffed ports), `virtualOutbound` on
//!   15001 catching what none of them match, and `virtualInbound` on 15006 with one set of chains
//!   per inbound port, split by PeerAuthentication mode.
//! - Gateways ([`gateway`]): one listener per merged server port (`0.0.0.0_8080`), with HTTP,
//!   HTTPS-terminating and TLS/TCP passthrough chains.
//!
//! Order follows istiod's `getListeners`: outbound listeners, then `virtualOutbound`, then the
//! inbound ones. istiod's outbound order comes from a Go map; ours is by port, then address.

mod catch_all;
mod filters;
mod gateway;
mod inbound;
mod outbound;
mod routes;

#[cfg(test)]
mod tests;

use crate::envoy::Value;
use crate::mesh::{Mesh, OutboundMode, Proxy, Scope, Service};

pub use filters::{ALL_ISTIO_MTLS_ALPNS, MTLS_HTTP_ALPNS, PLAINTEXT_HTTP_ALPNS};

pub fn build(scope: &Scope) -> Vec<Value> {
    let ctx = Ctx::new(scope);
    if scope.proxy.is_gateway() {
        return gateway::build(&ctx);
    }
    let mut out = outbound::build(&ctx);
    out.push(catch_all::outbound(&ctx));
    out.push(inbound::build(&ctx));
    out.extend(inbound::build_custom(&ctx));
    out
}

/// What every builder needs: the scope plus a few derived facts about the proxy.
pub(crate) struct Ctx<'s, 'a> {
    pub scope: &'s Scope<'a>,
    pub mesh: &'a Mesh,
    pub proxy: &'a Proxy,
    /// `0.0.0.0`, or `::` for an IPv6-only proxy.
    pub wildcard: &'static str,
    /// `127.0.0.1`, or `::1` for an IPv6-only proxy.
    pub localhost: &'static str,
    pub services: Vec<&'a Service>,
    /// The tracing block and stats filters every chain of this proxy carries.
    pub tel: crate::translate::telemetry::ProxyTelemetry,
}

impl<'s, 'a> Ctx<'s, 'a> {
    fn new(scope: &'s Scope<'a>) -> Self {
        let ipv6_only =
            !scope.proxy.ips.is_empty() && scope.proxy.ips.iter().all(|ip| ip.contains(':'));
        Ctx {
            scope,
            mesh: scope.mesh,
            proxy: scope.proxy,
            wildcard: if ipv6_only { "::" } else { "0.0.0.0" },
            localhost: if ipv6_only { "::1" } else { "127.0.0.1" },
            services: scope.services().to_vec(),
            tel: crate::translate::telemetry::ProxyTelemetry::new(scope),
        }
    }

    pub fn outbound_mode(&self) -> OutboundMode {
        self.scope.outbound_mode()
    }

    /// The cluster unknown TCP traffic goes to: PassthroughCluster, or BlackHoleCluster under
    /// REGISTRY_ONLY (istiod's `buildOutboundCatchAllNetworkFiltersOnly`).
    pub fn catch_all_cluster(&self) -> &'static str {
        match self.outbound_mode() {
            OutboundMode::RegistryOnly => crate::translate::names::BLACKHOLE_CLUSTER,
            _ => crate::translate::names::PASSTHROUGH_CLUSTER,
        }
    }

    /// A visible service by hostname (istiod's `ServiceForHostname`).
    pub fn service(&self, hostname: &str) -> Option<&'a Service> {
        self.services
            .iter()
            .copied()
            .find(|s| s.hostname == hostname)
    }

    /// The address a service is reached at from this proxy: its first VIP, or the wildcard when it
    /// has none (headless services, address-less ServiceEntries).
    pub fn service_address(&self, svc: &Service) -> String {
        svc.addresses
            .first()
            .cloned()
            .unwrap_or_else(|| self.wildcard.to_string())
    }
}
