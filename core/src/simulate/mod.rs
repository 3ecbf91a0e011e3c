//! The request simulator: walks a request through a proxy's *generated Envoy config* the way
//! Envoy does, and records every decision with the reason for it.
//!
//! - [`simulate`] / [`simulate_seeded`]: one proxy. Listener, listener filters, filter chain,
//!   network filter, route configuration, virtual host, route, action, cluster, endpoint. Errors
//!   use the words of Istio's own simulator (`pilot/pkg/simulation/traffic.go`), so results
//!   compare one to one with istiod's simulation tests.
//! - [`trace()`] (module [`mod@trace`]): the whole path through the mesh, proxy to proxy, through the
//!   applications' own calls, over a [`trace::World`] (`World::from_mesh` translates every proxy, `World::lazy` a proxy
//!   on a trace's first visit);
//!   [`sample`] counts where N seeded requests end up.
//! - [`from_config_dump`]: the same walk over a real Envoy `/config_dump`.
//! - [`Options::istio_route_matching`]: route matching as Istio's simulator does it (path only),
//!   for the conformance test; the default is Envoy's (headers, query, case, full-match regex).
//!
//! The walk never looks at Istio objects: what it follows is exactly what the config views show.
//! Layout: `request` (input and defaults), `listener` (listener, listener filters, filter-chain
//! sieve), `http` (virtual host, route, action, fault/retry/mirror), `cluster` (cluster and
//! endpoint), `outcome` (the record), `trace` (across proxies), `rng` (seeded draws).

mod authz;
mod cluster;
mod dump;
mod http;
mod listener;
mod outcome;
mod request;
mod rng;
pub mod trace;
pub(crate) mod world;

use crate::envoy::Value;

use crate::envoy::ProxyConfig;

pub use dump::from_config_dump;
pub use outcome::{
    action_text, Action, Endpoint, Fault, Mirror, Outcome, Retry, RouteProperties, SimError, Stage,
    Step, WeightedCluster,
};
pub use request::{Mode, Protocol, Request, Tls, DEFAULT_ADDRESS};
pub use rng::Rng;
pub use trace::{sample, trace, Hop, Sample};
pub use world::{guarded, service_port_map};

/// Network filter names (current and pre-1.5 deprecated names).
const HCM: [&str; 2] = [
    "envoy.filters.network.http_connection_manager",
    "envoy.http_connection_manager",
];
const TCP_PROXY: [&str; 2] = ["envoy.filters.network.tcp_proxy", "envoy.tcp_proxy"];

/// Walk one request through one proxy with seed 0 (weighted picks are deterministic).
pub fn simulate(cfg: &ProxyConfig, req: &Request) -> Outcome {
    simulate_seeded(cfg, req, 0)
}

/// Walk one request through one proxy; `seed` drives weighted clusters, endpoint choice and
/// fault percentages.
pub fn simulate_seeded(cfg: &ProxyConfig, req: &Request, seed: u64) -> Outcome {
    simulate_with_options(cfg, req, seed, &Options::default())
}

/// How faithful to be, and to what.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Match routes as Istio's own simulator does (`pilot/pkg/simulation/traffic.go`): by path
    /// only, ignoring header and query-parameter conditions and `case_sensitive`, with regexes
    /// searched rather than fully matched. The conformance test uses this, so that it compares
    /// our generated config with istiod's and not two simulators; users get Envoy's semantics.
    pub istio_route_matching: bool,
}

/// [`simulate_seeded`] with [`Options`].
pub fn simulate_with_options(
    cfg: &ProxyConfig,
    req: &Request,
    seed: u64,
    opts: &Options,
) -> Outcome {
    let mut rng = Rng::new(seed);
    simulate_with(cfg, req, &mut rng, opts)
}

pub(crate) fn simulate_with(
    cfg: &ProxyConfig,
    req: &Request,
    rng: &mut Rng,
    opts: &Options,
) -> Outcome {
    let req = req.with_defaults();
    let mut out = Outcome::default();
    out.step(Stage::Request, "", describe_request(&req));

    let Some(l) = listener::match_listener(&cfg.listeners, &req, &mut out) else {
        out.fail(SimError::NoListener);
        return out;
    };
    out.listener = Some(name_str(l).to_string());

    let det = listener::inspect(l, &req, &mut out);
    let fc = match listener::match_filter_chain(l, &req, &det, &mut out) {
        Ok(fc) => fc,
        Err(e) => {
            out.fail(e);
            return out;
        }
    };
    out.filter_chain = Some(name_str(fc).to_string());

    let ts = fc.get("transport_socket").filter(|v| !v.is_null());
    // Envoy knows the peer's identity only from a verified client certificate.
    let peer_mtls = ts.is_some_and(requires_mtls) && req.tls == Tls::Mtls;
    if ts.is_some() && req.tls == Tls::Plaintext {
        out.step(
            Stage::Tls,
            "",
            "the chain terminates TLS but the client sent plaintext",
        );
        out.fail(SimError::Tls);
        return out;
    }
    if let Some(ts) = ts {
        let needs_mtls = requires_mtls(ts);
        if needs_mtls != (req.tls == Tls::Mtls) {
            out.step(
                Stage::Tls,
                "",
                if needs_mtls {
                    "the chain requires Istio mutual TLS (client certificate) but the client sent plain TLS"
                } else {
                    "the chain terminates simple TLS but the client sent Istio mTLS"
                },
            );
            out.fail(SimError::Mtls);
            return out;
        }
        out.step(
            Stage::Tls,
            "",
            if needs_mtls {
                "the chain terminates Istio mTLS"
            } else {
                "the chain terminates TLS"
            },
        );
    }

    let filters: Vec<&Value> = fc
        .get("filters")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let all_names: Vec<&str> = filters.iter().map(|f| name_str(f)).collect();
    let is = |f: &Value, names: &[&str], ty: &str| {
        names.contains(&name_str(f))
            || f.pointer("/typed_config/@type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.ends_with(ty))
    };
    if let Some(hcm) = filters
        .iter()
        .find(|f| is(f, &HCM, ".HttpConnectionManager"))
    {
        out.network_filter = Some(HCM[0].to_string());
        out.step(
            Stage::NetworkFilter,
            HCM[0],
            format!(
                "network filters [{}]: HTTP connection manager",
                all_names.join(", ")
            ),
        );
        let cfgv = hcm
            .get("typed_config")
            .or_else(|| hcm.get("config"))
            .cloned()
            .unwrap_or(Value::Null);
        if req.tls != Tls::Plaintext && ts.is_none() {
            out.step(
                Stage::NetworkFilter,
                HCM[0],
                "TLS bytes reach the HTTP connection manager undecrypted",
            );
            out.fail(SimError::Protocol);
            return out;
        }
        if !req.protocol.is_http() {
            out.step(
                Stage::NetworkFilter,
                HCM[0],
                "a non-HTTP byte stream reaches the HTTP connection manager",
            );
            out.fail(SimError::Protocol);
            return out;
        }
        let conn = authz::Conn {
            req: &req,
            mtls: peer_mtls,
            http: true,
        };
        let http_filters = cfgv
            .get("http_filters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(d) = authz::http(&http_filters, &conn, &mut out) {
            out.status = Some(d.status);
            out.response_code_details = Some(d.details);
            out.response_body = Some(d.body);
            return out;
        }
        http_walk(cfg, &cfgv, &req, rng, opts, &mut out);
    } else if let Some(tcp) = filters.iter().find(|f| is(f, &TCP_PROXY, ".TcpProxy")) {
        let conn = authz::Conn {
            req: &req,
            mtls: peer_mtls,
            http: false,
        };
        if let Some(details) = authz::network(&filters, &conn, &mut out) {
            out.step(
                Stage::NetworkFilter,
                "envoy.filters.network.rbac",
                format!(
                    "network filters [{}]: RBAC closes the connection",
                    all_names.join(", ")
                ),
            );
            out.network_filter = Some("envoy.filters.network.rbac".to_string());
            out.connection_closed = true;
            out.response_code_details = Some(details);
            return out;
        }
        out.network_filter = Some(TCP_PROXY[0].to_string());
        let tc = tcp
            .get("typed_config")
            .or_else(|| tcp.get("config"))
            .cloned()
            .unwrap_or(Value::Null);
        let picked = if let Some(c) = tc.get("cluster").and_then(Value::as_str) {
            out.step(
                Stage::NetworkFilter,
                TCP_PROXY[0],
                format!(
                    "network filters [{}]: TCP proxy to cluster {c}",
                    all_names.join(", ")
                ),
            );
            out.action = Some(Action::Cluster {
                cluster: c.to_string(),
            });
            Some(c.to_string())
        } else if let Some(wc) = tc.get("weighted_clusters") {
            let clusters: Vec<WeightedCluster> = wc
                .get("clusters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| WeightedCluster {
                    name: name_str(c).to_string(),
                    weight: c.get("weight").and_then(Value::as_u64).unwrap_or(0),
                })
                .collect();
            let weights: Vec<u64> = clusters.iter().map(|c| c.weight).collect();
            let picked = rng
                .weighted(&weights)
                .map(|i| clusters[i].name.clone())
                .unwrap_or_default();
            out.step(
                Stage::NetworkFilter,
                TCP_PROXY[0],
                format!(
                    "network filters [{}]: TCP proxy with weighted clusters, this connection drew {picked}",
                    all_names.join(", ")
                ),
            );
            out.action = Some(Action::Weighted {
                clusters,
                picked: picked.clone(),
            });
            Some(picked).filter(|p| !p.is_empty())
        } else {
            out.step(
                Stage::NetworkFilter,
                TCP_PROXY[0],
                "TCP proxy without a cluster",
            );
            None
        };
        if let Some(c) = picked {
            out.cluster = Some(c.clone());
            cluster::resolve(cfg, &c, &req, false, rng, &mut out);
        }
    } else {
        out.step(
            Stage::NetworkFilter,
            all_names.last().copied().unwrap_or(""),
            format!(
                "network filters [{}]: no HTTP connection manager or TCP proxy ends the chain",
                all_names.join(", ")
            ),
        );
    }
    out
}

fn http_walk(
    cfg: &ProxyConfig,
    hcm: &Value,
    req: &Request,
    rng: &mut Rng,
    opts: &Options,
    out: &mut Outcome,
) {
    let inline = hcm.get("route_config").filter(|v| !v.is_null());
    let rc: Option<&Value> = match inline {
        Some(rc) => {
            out.step(
                Stage::RouteConfig,
                name_str(rc),
                "the connection manager carries its route configuration inline",
            );
            Some(rc)
        }
        None => {
            let name = hcm
                .pointer("/rds/route_config_name")
                .and_then(Value::as_str)
                .unwrap_or("");
            out.route_config = Some(name.to_string());
            let rc = cfg.routes.iter().find(|r| name_str(r) == name);
            out.step(
                Stage::RouteConfig,
                name,
                if rc.is_some() {
                    format!("RDS route configuration {name:?}")
                } else {
                    format!("RDS route configuration {name:?} was not pushed to this proxy")
                },
            );
            rc
        }
    };
    let Some(vh) = rc.and_then(|rc| http::match_virtual_host(rc, &req.host, out)) else {
        out.fail(SimError::NoVirtualHost);
        return;
    };
    out.virtual_host = Some(name_str(vh).to_string());
    if http::requires_tls(vh, req) {
        let location = format!("https://{}{}", req.host, req.path);
        out.step(
            Stage::Action,
            "",
            format!("virtual host requires TLS: plaintext gets 301 to {location}"),
        );
        out.action = Some(Action::TlsRedirect {
            status: 301,
            location,
        });
        out.fail(SimError::TlsRedirect);
        return;
    }
    let Some(r) = http::match_route(vh, req, opts.istio_route_matching, out) else {
        out.fail(SimError::NoRoute);
        return;
    };
    out.route = Some(name_str(r).to_string());
    http::apply_route(r, vh, req, rng, out);
    if out.status.is_some() {
        return;
    }
    if let Some(c) = out.cluster.clone() {
        cluster::resolve(cfg, &c, req, true, rng, out);
    }
}

/// Istio's own heuristic: a chain requires Istio mTLS when its first SDS certificate is
/// `default` (the workload certificate) and it requires a client certificate.
fn requires_mtls(ts: &Value) -> bool {
    let tc = ts.get("typed_config").unwrap_or(ts);
    let first = tc
        .pointer("/common_tls_context/tls_certificate_sds_secret_configs/0/name")
        .and_then(Value::as_str);
    let rcc = tc
        .get("require_client_certificate")
        .map(|v| {
            v.as_bool()
                .or_else(|| v.get("value").and_then(Value::as_bool))
                .unwrap_or(false)
        })
        .unwrap_or(false);
    first == Some("default") && rcc
}

fn name_str(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

fn describe_request(r: &Request) -> String {
    let mode = match r.mode {
        Mode::Outbound => "outbound",
        Mode::Inbound => "inbound",
        Mode::Gateway => "gateway",
    };
    let tls = match r.tls {
        Tls::Plaintext => "plaintext".to_string(),
        Tls::Tls => format!("TLS (SNI {:?}, ALPN {:?})", r.sni, r.alpn),
        Tls::Mtls => format!("Istio mTLS (ALPN {:?})", r.alpn),
    };
    if r.protocol.is_http() {
        format!(
            "{mode} {} {} {} to {}:{}, Host {:?}, {tls}",
            if r.protocol == Protocol::Http2 {
                "HTTP/2"
            } else {
                "HTTP/1.1"
            },
            r.method,
            r.path,
            r.address,
            r.port,
            r.host
        )
    } else {
        format!("{mode} TCP connection to {}:{}, {tls}", r.address, r.port)
    }
}

#[cfg(test)]
mod tests;
