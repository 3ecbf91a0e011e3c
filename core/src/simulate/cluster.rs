//! Cluster lookup and upstream host selection.

use crate::envoy::Value;

use super::outcome::{Endpoint, Outcome, Stage};
use super::request::Request;
use super::rng::Rng;
use crate::envoy::ProxyConfig;

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str()?.parse().ok())
        .or_else(|| v.get("value").and_then(as_u64))
}

/// The discovery type of a cluster as Envoy names it.
fn cluster_type(c: &Value) -> String {
    if let Some(t) = str_at(c, "type") {
        return t.to_string();
    }
    if let Some(ct) = c.get("cluster_type") {
        return str_at(ct, "name").unwrap_or("custom").to_string();
    }
    // The proto default.
    "STATIC".to_string()
}

/// The subset in Istio's `direction|port|subset|host` cluster names.
fn subset_of(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split('|').collect();
    (parts.len() == 4 && !parts[2].is_empty()).then(|| parts[2].to_string())
}

struct Candidate {
    ep: Endpoint,
    weight: u64,
    priority: u64,
}

fn candidates(cla: &Value, cluster: &Value) -> Vec<Candidate> {
    let mut out = Vec::new();
    for loc in cla
        .get("endpoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let locality = loc.get("locality").and_then(|l| {
            let parts: Vec<&str> = ["region", "zone", "sub_zone"]
                .iter()
                .filter_map(|k| str_at(l, k))
                .filter(|s| !s.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join("/"))
        });
        let loc_weight = loc
            .get("load_balancing_weight")
            .and_then(as_u64)
            .unwrap_or(1);
        let priority = loc.get("priority").and_then(as_u64).unwrap_or(0);
        for lb in loc
            .get("lb_endpoints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if matches!(
                str_at(lb, "health_status"),
                Some("UNHEALTHY") | Some("DRAINING") | Some("TIMEOUT")
            ) {
                continue;
            }
            let addr = lb
                .pointer("/endpoint/address")
                .cloned()
                .unwrap_or(Value::Null);
            let (ip, port, address) = if let Some(sa) = addr.get("socket_address") {
                let ip = str_at(sa, "address").unwrap_or("").to_string();
                let port = sa.get("port_value").and_then(as_u64).unwrap_or(0) as u16;
                let shown = if ip.contains(':') {
                    format!("[{ip}]:{port}")
                } else {
                    format!("{ip}:{port}")
                };
                (ip, port, shown)
            } else if let Some(p) = addr.pointer("/pipe/path").and_then(Value::as_str) {
                (String::new(), 0, format!("unix:{p}"))
            } else if let Some(n) = addr
                .pointer("/envoy_internal_address/server_listener_name")
                .and_then(Value::as_str)
            {
                (String::new(), 0, format!("internal:{n}"))
            } else {
                continue;
            };
            let mtls = endpoint_uses_istio_mtls(lb, cluster);
            let w = lb
                .get("load_balancing_weight")
                .and_then(as_u64)
                .unwrap_or(1);
            out.push(Candidate {
                ep: Endpoint {
                    address,
                    ip,
                    port,
                    locality: locality.clone(),
                    mtls,
                },
                weight: w * loc_weight,
                priority,
            });
        }
    }
    out
}

/// Istio's clusters carry a `transport_socket_matches` entry `tlsMode: istio` that wraps the
/// connection in mTLS when the endpoint's metadata says the workload has a sidecar, and a
/// cluster-wide `transport_socket` for DestinationRule ISTIO_MUTUAL.
fn endpoint_uses_istio_mtls(lb: &Value, cluster: &Value) -> bool {
    let is_istio_tls = |ts: &Value| {
        ts.pointer("/typed_config/common_tls_context/alpn_protocols")
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter()
                    .any(|p| p.as_str().is_some_and(|s| s.starts_with("istio")))
            })
            || ts
                .pointer(
                    "/typed_config/common_tls_context/tls_certificate_sds_secret_configs/0/name",
                )
                .and_then(Value::as_str)
                == Some("default")
    };
    let ep_tls_mode = lb
        .pointer("/metadata/filter_metadata/envoy.transport_socket_match/tlsMode")
        .and_then(Value::as_str);
    if let Some(tsm) = cluster
        .get("transport_socket_matches")
        .and_then(Value::as_array)
    {
        for m in tsm {
            let wants = m.pointer("/match/tlsMode").and_then(Value::as_str);
            let applies = match wants {
                Some(w) => ep_tls_mode == Some(w),
                None => m
                    .get("match")
                    .is_none_or(|v| v.as_object().is_some_and(|o| o.is_empty())),
            };
            if applies {
                return m.get("transport_socket").is_some_and(is_istio_tls);
            }
        }
    }
    cluster.get("transport_socket").is_some_and(is_istio_tls)
}

/// Find the cluster, then the upstream host Envoy would connect to.
pub(crate) fn resolve(
    cfg: &ProxyConfig,
    cluster_name: &str,
    req: &Request,
    is_http: bool,
    rng: &mut Rng,
    out: &mut Outcome,
) {
    out.subset = subset_of(cluster_name);
    let Some(c) = cfg
        .clusters
        .iter()
        .find(|c| str_at(c, "name") == Some(cluster_name))
    else {
        out.step(
            Stage::Cluster,
            cluster_name,
            format!("cluster {cluster_name} does not exist on this proxy"),
        );
        if is_http {
            out.status = Some(503);
            out.response_flag = Some("NC".into());
        }
        return;
    };
    let ctype = cluster_type(c);
    out.cluster_type = Some(ctype.clone());
    let subset_note = out
        .subset
        .as_ref()
        .map(|s| format!(" (subset {s})"))
        .unwrap_or_default();
    let lb = str_at(c, "lb_policy").unwrap_or("ROUND_ROBIN").to_string();

    if ctype == "ORIGINAL_DST" {
        out.step(
            Stage::Cluster,
            cluster_name,
            format!("{ctype} cluster{subset_note}: the upstream is the connection's original destination"),
        );
        let ip = req.address.clone();
        let address = if ip.contains(':') {
            format!("[{ip}]:{}", req.port)
        } else {
            format!("{ip}:{}", req.port)
        };
        out.step(
            Stage::Endpoint,
            address.clone(),
            "original destination of the connection",
        );
        out.endpoint = Some(Endpoint {
            address,
            ip,
            port: req.port,
            locality: None,
            mtls: false,
        });
        return;
    }

    if ctype.contains("dynamic_forward_proxy") {
        // The upstream is whatever DNS says the request's host is.
        let (host, port) = match req.host.rsplit_once(':') {
            Some((h, p)) if p.parse::<u16>().is_ok() => (h.to_string(), p.parse().unwrap_or(0)),
            _ => (req.host.clone(), req.port),
        };
        out.step(
            Stage::Cluster,
            cluster_name,
            format!("dynamic forward proxy cluster{subset_note}: the upstream is the Host, resolved by DNS"),
        );
        let address = format!("{host}:{port}");
        out.step(
            Stage::Endpoint,
            address.clone(),
            format!("DNS lookup of {host:?}"),
        );
        out.endpoint = Some(Endpoint {
            address,
            ip: host,
            port,
            locality: None,
            mtls: false,
        });
        return;
    }

    let (cla, source) = if ctype == "EDS" {
        let svc = c
            .pointer("/eds_cluster_config/service_name")
            .and_then(Value::as_str)
            .unwrap_or(cluster_name);
        (
            cfg.endpoints
                .iter()
                .find(|e| str_at(e, "cluster_name") == Some(svc))
                .cloned(),
            format!("EDS assignment {svc}"),
        )
    } else {
        (
            c.get("load_assignment").cloned(),
            "the cluster's load_assignment".to_string(),
        )
    };
    let cands = cla
        .as_ref()
        .map(|cla| candidates(cla, c))
        .unwrap_or_default();
    out.step(
        Stage::Cluster,
        cluster_name,
        format!(
            "{ctype} cluster{subset_note}, {lb}: {} healthy endpoint(s) in {source}",
            cands.len()
        ),
    );
    let Some(min_prio) = cands.iter().map(|c| c.priority).min() else {
        out.step(
            Stage::Endpoint,
            "",
            if is_http {
                "no healthy upstream: Envoy answers 503 (UH)"
            } else {
                "no healthy upstream: Envoy closes the connection (UH)"
            },
        );
        if is_http {
            out.status = Some(503);
        }
        out.response_flag = Some("UH".into());
        return;
    };
    let pool: Vec<&Candidate> = cands.iter().filter(|c| c.priority == min_prio).collect();
    let weights: Vec<u64> = pool.iter().map(|c| c.weight.max(1)).collect();
    let i = rng.weighted(&weights).unwrap_or(0);
    let chosen = pool[i].ep.clone();
    out.step(
        Stage::Endpoint,
        chosen.address.clone(),
        format!(
            "{lb} among {} endpoint(s) at priority {min_prio}: this request drew {}{}{}",
            pool.len(),
            chosen.address,
            chosen
                .locality
                .as_ref()
                .map(|l| format!(" in {l}"))
                .unwrap_or_default(),
            if chosen.mtls { ", over Istio mTLS" } else { "" }
        ),
    );
    out.endpoint = Some(chosen);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_from_name() {
        assert_eq!(
            subset_of("outbound|9080|v1|reviews.default.svc.cluster.local").as_deref(),
            Some("v1")
        );
        assert_eq!(
            subset_of("outbound|9080||reviews.default.svc.cluster.local"),
            None
        );
        assert_eq!(subset_of("PassthroughCluster"), None);
    }
}
