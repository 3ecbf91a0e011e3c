//! A listener-level run of Istio's simulation cases (tests/conformance or /work/shared): which
//! listener and filter chain a call matches, and where a tcp_proxy or an inline inbound route
//! sends it, following pilot/pkg/simulation/traffic.go. Routes served over RDS are not followed
//! here (that is RDS's job); their route config name is still compared.
//!
//! `cargo test -p pilotlight-core --lib listener::conformance -- --nocapture` prints every case.

use super::build;
use crate::mesh::{ProxyKind, ProxySpec, Scope};
use crate::parse::SourceFile;
use serde_json::Value;

fn strip(s: &str) -> String {
    s.replace(".svc.cluster.local", "")
}

#[derive(Debug, Default)]
struct Outcome {
    error: Option<&'static str>,
    listener: String,
    chain: String,
    route_config: String,
    cluster: String,
    /// The call reached an HCM whose routes come over RDS: the cluster is not known here.
    rds: bool,
}

fn has_filter_on_port(l: &Value, name: &str, port: u32) -> bool {
    let Some(f) = l["listener_filters"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["name"] == name))
    else {
        return false;
    };
    match f.get("filter_disabled") {
        None => true,
        Some(p) => !eval_predicate(p, port),
    }
}

fn eval_predicate(p: &Value, port: u32) -> bool {
    if let Some(r) = p.get("destination_port_range") {
        let start = r["start"].as_u64().unwrap_or(0) as u32;
        let end = r["end"].as_u64().unwrap_or(0) as u32;
        return port >= start && port < end;
    }
    if let Some(rules) = p.pointer("/or_match/rules").and_then(Value::as_array) {
        return rules.iter().any(|r| eval_predicate(r, port));
    }
    if let Some(n) = p.get("not_match") {
        return !eval_predicate(n, port);
    }
    false
}

fn cidr_contains(prefix: &str, len: u32, addr: &str) -> bool {
    use std::net::IpAddr;
    match (prefix.parse::<IpAddr>(), addr.parse::<IpAddr>()) {
        (Ok(IpAddr::V4(p)), Ok(IpAddr::V4(a))) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - len.min(32))
            };
            u32::from(p) & mask == u32::from(a) & mask
        }
        (Ok(IpAddr::V6(p)), Ok(IpAddr::V6(a))) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len.min(128))
            };
            u128::from(p) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

fn host_subset(sni: &str, pattern: &str) -> bool {
    crate::host::matches(pattern, sni)
}

/// Keep the chains that rank best on one criterion; chains without it survive only when no
/// chain matched (traffic.go filterRank).
fn filter_rank<'a>(
    chains: Vec<&'a Value>,
    field: &str,
    rank: impl Fn(&Value) -> usize,
) -> Vec<&'a Value> {
    let set = |c: &Value| {
        c.get("filter_chain_match")
            .and_then(|m| m.get(field))
            .filter(|v| !v.is_null() && *v != &Value::Array(vec![]) && *v != "")
            .cloned()
    };
    if !chains.iter().any(|c| set(c).is_some()) {
        return chains;
    }
    let mut best = 0;
    let mut out = Vec::new();
    for c in &chains {
        if let Some(v) = set(c) {
            let r = rank(&v);
            if r > best {
                best = r;
                out.clear();
            }
            if r == best && r > 0 {
                out.push(*c);
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    chains.into_iter().filter(|c| set(c).is_none()).collect()
}

fn simulate(listeners: &[Value], call: &Value) -> Outcome {
    let mut o = Outcome::default();
    let mode = call["CallMode"].as_str().unwrap_or("outbound");
    let address = call["Address"].as_str().unwrap_or("1.3.3.7");
    let port = call["Port"].as_u64().unwrap_or(0) as u32;
    let protocol = call["Protocol"].as_str().unwrap_or("");
    let tls = call["TLS"].as_str().unwrap_or("plaintext");
    let mut alpn = call["Alpn"].as_str().unwrap_or("").to_string();
    let sni = call["Sni"].as_str().unwrap_or("");

    let sock = |l: &Value| {
        (
            l.pointer("/address/socket_address/address")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            l.pointer("/address/socket_address/port_value")
                .and_then(Value::as_u64)
                .unwrap_or(0) as u32,
        )
    };
    let l = if mode == "inbound" {
        listeners.iter().find(|l| l["name"] == "virtualInbound")
    } else {
        listeners
            .iter()
            .find(|l| sock(l) == (address.to_string(), port))
            .or_else(|| {
                listeners
                    .iter()
                    .find(|l| sock(l) == ("0.0.0.0".to_string(), port))
            })
            .or_else(|| listeners.iter().find(|l| l["name"] == "virtualOutbound"))
    };
    let Some(l) = l else {
        o.error = Some("no listener matched");
        return o;
    };
    o.listener = l["name"].as_str().unwrap_or("").into();
    let has_tls = has_filter_on_port(l, "envoy.filters.listener.tls_inspector", port);
    if !has_tls {
        alpn.clear();
    }
    if has_filter_on_port(l, "envoy.filters.listener.http_inspector", port) && tls == "plaintext" {
        match protocol {
            "http" => alpn = "http/1.1".into(),
            "http2" => alpn = "h2c".into(),
            _ => {}
        }
    }

    let mut chains: Vec<&Value> = l["filter_chains"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    chains = filter_rank(chains, "destination_port", |v| {
        usize::from(v.as_u64() == Some(u64::from(port)))
    });
    chains = filter_rank(chains, "prefix_ranges", |v| {
        v.as_array()
            .map(|rs| {
                rs.iter()
                    .filter(|r| {
                        cidr_contains(
                            r["address_prefix"].as_str().unwrap_or(""),
                            r["prefix_len"].as_u64().unwrap_or(0) as u32,
                            address,
                        )
                    })
                    .map(|r| r["prefix_len"].as_u64().unwrap_or(0) as usize + 1)
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0)
    });
    chains = filter_rank(chains, "server_names", |v| {
        v.as_array()
            .map(|ns| {
                ns.iter()
                    .filter_map(Value::as_str)
                    .map(|s| {
                        if s == sni {
                            usize::MAX
                        } else if !sni.is_empty() && host_subset(sni, s) {
                            s.len()
                        } else {
                            0
                        }
                    })
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0)
    });
    chains = filter_rank(chains, "transport_protocol", |v| {
        let t = v.as_str().unwrap_or("");
        let ok = if !has_tls {
            t == "raw_buffer"
        } else {
            match t {
                "tls" => tls == "tls" || tls == "mtls",
                "raw_buffer" => tls == "plaintext",
                _ => false,
            }
        };
        usize::from(ok)
    });
    chains = filter_rank(chains, "application_protocols", |v| {
        usize::from(
            v.as_array()
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(alpn.as_str()))),
        )
    });
    let fc = match chains.len() {
        0 => match l.get("default_filter_chain") {
            Some(d) => d,
            None => {
                o.error = Some("no filter chains matched");
                return o;
            }
        },
        1 => chains[0],
        _ => {
            o.error = Some("multiple filter chains matched");
            return o;
        }
    };
    o.chain = fc["name"].as_str().unwrap_or("").into();
    let ts = fc.get("transport_socket");
    if ts.is_some() && tls == "plaintext" {
        o.error = Some("invalid TLS");
        return o;
    }
    if let Some(ts) = ts {
        let ctx = &ts["typed_config"];
        let requires_mtls = ctx
            .pointer("/common_tls_context/tls_certificate_sds_secret_configs/0/name")
            .and_then(Value::as_str)
            == Some("default")
            && ctx["require_client_certificate"] == true;
        if requires_mtls != (tls == "mtls") {
            o.error = Some("invalid mTLS");
            return o;
        }
    }
    let filters = fc["filters"].as_array().cloned().unwrap_or_default();
    if let Some(hcm) = filters
        .iter()
        .find(|f| f["name"] == "envoy.filters.network.http_connection_manager")
    {
        if tls != "plaintext" && ts.is_none() {
            o.error = Some("protocol error");
            return o;
        }
        if protocol != "http" && protocol != "http2" {
            o.error = Some("protocol error");
            return o;
        }
        let hcm = &hcm["typed_config"];
        if let Some(rc) = hcm.get("route_config") {
            // Inline routes: our inbound config has one vhost, one prefix route.
            o.cluster = rc
                .pointer("/virtual_hosts/0/routes/0/route/cluster")
                .and_then(Value::as_str)
                .unwrap_or("")
                .into();
        } else {
            o.route_config = hcm
                .pointer("/rds/route_config_name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .into();
            o.rds = true;
        }
    } else if let Some(tcp) = filters
        .iter()
        .find(|f| f["name"] == "envoy.filters.network.tcp_proxy")
    {
        o.cluster = tcp["typed_config"]["cluster"].as_str().unwrap_or("").into();
    }
    o
}

fn mesh_config_yaml(mc: &Value) -> String {
    let mode = mc
        .pointer("/outboundTrafficPolicy/mode")
        .and_then(Value::as_str)
        .unwrap_or("ALLOW_ANY");
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    outboundTrafficPolicy:\n      mode: {mode}\n"
    )
}

/// Run one case; `Ok(note)` when every listener-level expectation holds.
fn run_case(case: &Value) -> Result<String, String> {
    let mut files = vec![SourceFile::new(
        "case.yaml",
        case["config_yaml"].as_str().unwrap_or(""),
    )];
    if let Some(mc) = case.get("mesh_config") {
        files.push(SourceFile::new("mesh.yaml", mesh_config_yaml(mc)));
    }
    let loaded = crate::load(&files);
    let p = &case["proxy"];
    let labels = p["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    let spec = ProxySpec {
        name: "app".into(),
        namespace: p["namespace"].as_str().unwrap_or("default").into(),
        kind: Some(if p["kind"] == "gateway" {
            ProxyKind::Gateway
        } else {
            ProxyKind::Sidecar
        }),
        labels,
        ips: p["ips"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        config_namespace: p["config_namespace"].as_str().map(String::from),
    };
    let proxy = loaded.mesh.proxy_from_spec(&spec);
    let listeners = build(&Scope::new(&loaded.mesh, &proxy));
    let got = simulate(&listeners, &case["call"]);
    let want = &case["expect"];
    let strict = want["StrictMatch"] == true;
    let mut errs = Vec::new();
    let want_err = want["Error"].as_str();
    if want_err != got.error {
        // Errors after the HCM (routes, vhosts) are RDS's to produce.
        let after_hcm = matches!(
            want_err,
            Some("no route matched" | "no virtual host matched" | "tls required, sending 301")
        );
        if !(after_hcm && got.rds && got.error.is_none()) {
            errs.push(format!("error: want {want_err:?} got {:?}", got.error));
        }
    }
    let check = |field: &str, value: &str, errs: &mut Vec<String>| {
        if let Some(w) = want.get(field).and_then(Value::as_str) {
            if (strict || !w.is_empty()) && strip(w) != strip(value) {
                errs.push(format!("{field}: want {w:?} got {value:?}"));
            }
        }
    };
    check("ListenerMatched", &got.listener, &mut errs);
    check("FilterChainMatched", &got.chain, &mut errs);
    if got.rds {
        check("RouteConfigMatched", &got.route_config, &mut errs);
    } else if got.error.is_none() {
        check("RouteConfigMatched", &got.route_config, &mut errs);
        check("ClusterMatched", &got.cluster, &mut errs);
    }
    if errs.is_empty() {
        Ok(if got.rds && want.get("ClusterMatched").is_some() {
            format!("(rds {}: cluster not checked)", got.route_config)
        } else {
            String::new()
        })
    } else {
        Err(format!(
            "{} [listener {} chain {:?} cluster {} rc {}]",
            errs.join("; "),
            got.listener,
            got.chain,
            got.cluster,
            got.route_config
        ))
    }
}

fn cases() -> Option<Vec<Value>> {
    let paths = [
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/conformance/istio-simulation-dev.json"
        ),
        "/work/shared/conformance/istio-simulation-dev.json",
    ];
    let text = paths.iter().find_map(|p| std::fs::read_to_string(p).ok())?;
    serde_json::from_str(&text).ok()
}

#[test]
fn simulation_cases_listener_level() {
    let Some(cases) = cases() else {
        eprintln!("no conformance cases found; skipping");
        return;
    };
    let filter = std::env::var("CASE").unwrap_or_default();
    let mut pass = 0;
    let mut fail = 0;
    let mut by_group: std::collections::BTreeMap<String, (u32, u32)> = Default::default();
    for case in cases.iter().filter(|c| c["type"] == "call") {
        let id = case["id"].as_str().unwrap_or("");
        if !id.contains(&filter) {
            continue;
        }
        let group = id.split('/').next().unwrap_or("").to_string();
        let g = by_group.entry(group).or_default();
        match run_case(case) {
            Ok(note) => {
                pass += 1;
                g.0 += 1;
                if std::env::var("VERBOSE").is_ok() {
                    println!("PASS {id} {note}");
                }
            }
            Err(e) => {
                fail += 1;
                g.1 += 1;
                println!("FAIL {id}: {e}");
            }
        }
    }
    for (g, (p, f)) in &by_group {
        println!("{g}: {p} pass, {f} fail");
    }
    println!("listener-level: {pass} pass, {fail} fail");
}
