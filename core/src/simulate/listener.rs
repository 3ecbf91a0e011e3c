//! Listener and filter-chain selection, as Envoy does it on a new connection.

use std::net::IpAddr;

use crate::envoy::Value;

use super::outcome::{Outcome, SimError, Stage};
use super::request::{http_inspector_alpn, Mode, Request, Tls};

pub(crate) const VIRTUAL_OUTBOUND: &str = "virtualOutbound";
pub(crate) const VIRTUAL_INBOUND: &str = "virtualInbound";
const TLS_INSPECTOR: &str = "envoy.filters.listener.tls_inspector";
const HTTP_INSPECTOR: &str = "envoy.filters.listener.http_inspector";

fn name_of(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

fn socket_address(addr: &Value) -> Option<(&str, u64)> {
    let sa = addr.get("socket_address")?;
    let a = sa.get("address").and_then(Value::as_str).unwrap_or("");
    let p = sa.get("port_value").and_then(Value::as_u64).unwrap_or(0);
    Some((a, p))
}

fn listener_binds(l: &Value, address: &str, port: u16) -> bool {
    let main = l.get("address").and_then(socket_address);
    let extra = l
        .get("additional_addresses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("address").and_then(socket_address));
    main.into_iter()
        .chain(extra)
        .any(|(a, p)| a == address && p == port as u64)
}

/// Pick the listener that accepts the connection.
pub(crate) fn match_listener<'a>(
    listeners: &'a [Value],
    req: &Request,
    out: &mut Outcome,
) -> Option<&'a Value> {
    if req.mode == Mode::Inbound {
        let l = listeners.iter().find(|l| name_of(l) == VIRTUAL_INBOUND);
        match l {
            Some(_) => out.step(
                Stage::Listener,
                VIRTUAL_INBOUND,
                "inbound traffic is redirected by iptables to port 15006, the virtualInbound listener",
            ),
            None => out.step(
                Stage::Listener,
                "",
                "inbound traffic goes to virtualInbound (15006), but this proxy has no such listener",
            ),
        }
        return l;
    }
    if listeners.is_empty() {
        out.step(
            Stage::Listener,
            "",
            "this proxy has no listeners at all (a gateway gets them only from Gateway resources that select it)",
        );
        return None;
    }
    let how = if req.mode == Mode::Gateway {
        "the connection goes"
    } else {
        "iptables sends it to virtualOutbound (15001); use_original_dst hands the connection"
    };
    if let Some(l) = listeners
        .iter()
        .find(|l| listener_binds(l, &req.address, req.port))
    {
        out.step(
            Stage::Listener,
            name_of(l),
            format!(
                "{how} to the listener bound to exactly {}:{}",
                req.address, req.port
            ),
        );
        return Some(l);
    }
    let any = if req.address.contains(':') {
        "::"
    } else {
        "0.0.0.0"
    };
    if let Some(l) = listeners
        .iter()
        .find(|l| listener_binds(l, any, req.port) || listener_binds(l, "0.0.0.0", req.port))
    {
        out.step(
            Stage::Listener,
            name_of(l),
            format!(
                "no listener on {}:{}; {how} to the wildcard listener {}:{}",
                req.address, req.port, any, req.port
            ),
        );
        return Some(l);
    }
    if let Some(l) = listeners.iter().find(|l| name_of(l) == VIRTUAL_OUTBOUND) {
        out.step(
            Stage::Listener,
            VIRTUAL_OUTBOUND,
            format!(
                "no listener on {}:{} or 0.0.0.0:{}; the connection stays on virtualOutbound",
                req.address, req.port, req.port
            ),
        );
        return Some(l);
    }
    out.step(
        Stage::Listener,
        "",
        format!(
            "no listener on {}:{} or 0.0.0.0:{}, and no virtualOutbound listener",
            req.address, req.port, req.port
        ),
    );
    None
}

/// Evaluate a ListenerFilterChainMatchPredicate for a destination port.
fn predicate_matches(p: &Value, port: u16) -> bool {
    let port = port as i64;
    if let Some(r) = p.get("destination_port_range") {
        let start = r.get("start").and_then(Value::as_i64).unwrap_or(0);
        let end = r.get("end").and_then(Value::as_i64).unwrap_or(0);
        return port >= start && port < end;
    }
    if let Some(n) = p.get("not_match") {
        return !predicate_matches(n, port as u16);
    }
    if let Some(o) = p.get("or_match") {
        return rules(o).iter().any(|r| predicate_matches(r, port as u16));
    }
    if let Some(a) = p.get("and_match") {
        return rules(a).iter().all(|r| predicate_matches(r, port as u16));
    }
    // any_match, or an empty predicate.
    true
}

fn rules(v: &Value) -> Vec<Value> {
    v.get("rules")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Whether the listener runs the given listener filter for a connection to `port`.
fn has_listener_filter(l: &Value, filter: &str, port: u16) -> bool {
    let short = filter.rsplit('.').next().unwrap_or(filter);
    let Some(lf) = l
        .get("listener_filters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|f| {
            let n = name_of(f);
            n == filter
                || n == format!("envoy.listener.{short}")
                || f.pointer("/typed_config/@type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| {
                        t.to_ascii_lowercase()
                            .ends_with(&short.replace('_', "").to_ascii_lowercase())
                    })
        })
    else {
        return false;
    };
    match lf.get("filter_disabled") {
        None => true,
        Some(p) => !predicate_matches(p, port),
    }
}

/// What the listener filters learn about the connection.
pub(crate) struct Detected {
    pub transport: &'static str,
    pub alpn: String,
    pub has_tls_inspector: bool,
}

pub(crate) fn inspect(l: &Value, req: &Request, out: &mut Outcome) -> Detected {
    let has_tls = has_listener_filter(l, TLS_INSPECTOR, req.port);
    let has_http = has_listener_filter(l, HTTP_INSPECTOR, req.port);
    let mut alpn = req.alpn.clone();
    let transport = if !has_tls || req.tls == Tls::Plaintext {
        "raw_buffer"
    } else {
        "tls"
    };
    if has_tls {
        out.step(
            Stage::ListenerFilter,
            TLS_INSPECTOR,
            if req.tls == Tls::Plaintext {
                "TLS inspector: no TLS ClientHello, transport protocol raw_buffer".to_string()
            } else {
                format!(
                    "TLS inspector: transport protocol tls, SNI {:?}, ALPN {:?}",
                    req.sni, req.alpn
                )
            },
        );
    } else {
        alpn.clear();
        out.step(
            Stage::ListenerFilter,
            "",
            "no TLS inspector on this port: transport protocol is raw_buffer and SNI/ALPN are not read",
        );
    }
    if has_http && req.tls == Tls::Plaintext {
        let a = http_inspector_alpn(req.protocol);
        if !a.is_empty() {
            alpn = a.to_string();
            out.step(
                Stage::ListenerFilter,
                HTTP_INSPECTOR,
                format!(
                    "HTTP inspector: plaintext {} detected, ALPN set to {a}",
                    protocol_name(req)
                ),
            );
        }
    }
    Detected {
        transport,
        alpn,
        has_tls_inspector: has_tls,
    }
}

fn protocol_name(req: &Request) -> &'static str {
    match req.protocol {
        super::request::Protocol::Http => "HTTP/1.1",
        super::request::Protocol::Http2 => "HTTP/2",
        _ => "TCP",
    }
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// Length of the longest prefix range containing `ip`, or None.
fn prefix_match_len(ranges: &[Value], ip: Option<IpAddr>) -> Option<u32> {
    let ip = ip?;
    ranges
        .iter()
        .filter_map(|r| {
            let prefix = parse_ip(r.get("address_prefix")?.as_str()?)?;
            let len = r
                .get("prefix_len")
                .and_then(|v| {
                    v.as_u64()
                        .or_else(|| v.get("value").and_then(Value::as_u64))
                })
                .unwrap_or(0) as u32;
            cidr_contains(prefix, len, ip).then_some(len)
        })
        .max()
}

fn cidr_contains(prefix: IpAddr, len: u32, ip: IpAddr) -> bool {
    match (prefix, ip) {
        (IpAddr::V4(p), IpAddr::V4(a)) => {
            let len = len.min(32);
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(p) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(p), IpAddr::V6(a)) => {
            let len = len.min(128);
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            u128::from(p) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// Does `sni` match the server name `pattern` (exact, or `*.suffix` / `*`)? Returns the match's
/// specificity: exact beats the longest wildcard.
fn server_name_score(pattern: &str, sni: &str) -> Option<usize> {
    let pattern = pattern.to_ascii_lowercase();
    let sni = sni.to_ascii_lowercase();
    if pattern == sni {
        return Some(usize::MAX);
    }
    if pattern == "*" {
        return Some(0);
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        if sni.len() > suffix.len() && sni.ends_with(suffix) {
            return Some(suffix.len());
        }
    }
    None
}

/// One criterion of Envoy's filter-chain sieve: chains that do not set it stay only when no chain
/// that sets it matches. `score` gives Some(rank) for a match; only the best rank survives.
fn sieve(
    chains: Vec<&Value>,
    is_set: impl Fn(&Value) -> bool,
    score: impl Fn(&Value) -> Option<u64>,
) -> (Vec<&Value>, Sieved) {
    let m = chain_match;
    if !chains.iter().any(|c| is_set(m(c))) {
        return (chains, Sieved::Unused);
    }
    let scored: Vec<(&Value, u64)> = chains
        .iter()
        .filter(|c| is_set(m(c)))
        .filter_map(|c| score(m(c)).map(|s| (*c, s)))
        .collect();
    if let Some(best) = scored.iter().map(|(_, s)| *s).max() {
        return (
            scored
                .into_iter()
                .filter(|(_, s)| *s == best)
                .map(|(c, _)| c)
                .collect(),
            Sieved::Matched,
        );
    }
    (
        chains.into_iter().filter(|c| !is_set(m(c))).collect(),
        Sieved::Fallback,
    )
}

fn chain_match(c: &Value) -> &Value {
    static NULL: Value = Value::Null;
    c.get("filter_chain_match").unwrap_or(&NULL)
}

/// What one criterion of the sieve did.
#[derive(PartialEq)]
enum Sieved {
    /// No chain sets the criterion.
    Unused,
    /// Chains that set it and match it (best match only) remain.
    Matched,
    /// No chain that sets it matches; the chains that do not set it remain.
    Fallback,
}

fn note(why: &mut Vec<String>, what: String, s: Sieved, left: usize) {
    match s {
        Sieved::Unused => {}
        Sieved::Matched => why.push(format!("{what}: {left} chain(s) match")),
        Sieved::Fallback => why.push(format!(
            "{what}: no chain names it, {left} chain(s) without this criterion remain"
        )),
    }
}

fn nonempty_array(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

pub(crate) fn chain_name(c: &Value) -> String {
    name_of(c).to_string()
}

/// Envoy's filter-chain match: destination port, destination IP (longest prefix), server name
/// (exact, then longest wildcard), transport protocol, application protocol. Chains that do not
/// set a criterion are kept only when no chain that sets it matches.
pub(crate) fn match_filter_chain<'a>(
    l: &'a Value,
    req: &Request,
    det: &Detected,
    out: &mut Outcome,
) -> Result<&'a Value, SimError> {
    let chains: Vec<&Value> = l
        .get("filter_chains")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let total = chains.len();
    let mut why: Vec<String> = Vec::new();

    let port = req.port as u64;
    let port_of = |m: &Value| {
        m.get("destination_port").and_then(|v| {
            v.as_u64()
                .or_else(|| v.get("value").and_then(Value::as_u64))
        })
    };
    let (chains, used) = sieve(
        chains,
        |m| port_of(m).is_some(),
        |m| (port_of(m) == Some(port)).then_some(1),
    );
    note(
        &mut why,
        format!("destination port {port}"),
        used,
        chains.len(),
    );

    let ip = parse_ip(&req.address);
    let (chains, used) = sieve(
        chains,
        |m| nonempty_array(m, "prefix_ranges"),
        |m| {
            let ranges = m.get("prefix_ranges").and_then(Value::as_array)?;
            prefix_match_len(ranges, ip).map(u64::from)
        },
    );
    note(
        &mut why,
        format!("destination IP {} (longest prefix wins)", req.address),
        used,
        chains.len(),
    );

    let sni = if det.has_tls_inspector && req.tls != Tls::Plaintext {
        req.sni.as_str()
    } else {
        ""
    };
    let (chains, used) = sieve(
        chains,
        |m| nonempty_array(m, "server_names"),
        |m| {
            strings(m, "server_names")
                .iter()
                .filter_map(|p| server_name_score(p, sni))
                .max()
                .map(|s| s as u64)
        },
    );
    note(&mut why, format!("server name {sni:?}"), used, chains.len());

    let tp = |m: &Value| {
        m.get("transport_protocol")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (chains, used) = sieve(
        chains,
        |m| !tp(m).is_empty(),
        |m| (tp(m) == det.transport).then_some(1),
    );
    note(
        &mut why,
        format!("transport protocol {}", det.transport),
        used,
        chains.len(),
    );

    let (chains, used) = sieve(
        chains,
        |m| nonempty_array(m, "application_protocols"),
        |m| {
            strings(m, "application_protocols")
                .contains(&det.alpn)
                .then_some(1)
        },
    );
    note(
        &mut why,
        format!("application protocol {:?}", det.alpn),
        used,
        chains.len(),
    );

    let sieve_text = if why.is_empty() {
        format!("{total} chain(s), none sets a match criterion")
    } else {
        format!("{total} chain(s); {}", why.join("; "))
    };
    match chains.len() {
        1 => {
            let c = chains[0];
            out.step(
                Stage::FilterChain,
                chain_name(c),
                format!("{sieve_text}: chain {:?} matches", chain_name(c)),
            );
            Ok(c)
        }
        0 => match l.get("default_filter_chain") {
            Some(d) if !d.is_null() => {
                out.step(
                    Stage::FilterChain,
                    chain_name(d),
                    format!("{sieve_text}: no chain matches, using the default filter chain"),
                );
                Ok(d)
            }
            _ => {
                out.step(
                    Stage::FilterChain,
                    "",
                    format!("{sieve_text}: no chain matches and there is no default filter chain"),
                );
                Err(SimError::NoFilterChain)
            }
        },
        _ => {
            let names: Vec<String> = chains.iter().map(|c| chain_name(c)).collect();
            out.step(
                Stage::FilterChain,
                "",
                format!(
                    "{sieve_text}: several chains match equally ({}), Envoy would reject this listener",
                    names.join(", ")
                ),
            );
            Err(SimError::MultipleFilterChain)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_value as json;

    #[test]
    fn longest_prefix_wins_and_zero_prefix_beats_unset() {
        let ip = parse_ip("10.1.2.3");
        let r8 = json!([{"address_prefix": "10.0.0.0", "prefix_len": 8}]);
        let r0 = json!([{"address_prefix": "0.0.0.0", "prefix_len": 0}]);
        assert_eq!(prefix_match_len(r8.as_array().unwrap(), ip), Some(8));
        assert_eq!(prefix_match_len(r0.as_array().unwrap(), ip), Some(0));
        let r = json!([{"address_prefix": "10.1.2.4", "prefix_len": 32}]);
        assert_eq!(prefix_match_len(r.as_array().unwrap(), ip), None);
    }

    #[test]
    fn server_names() {
        assert_eq!(server_name_score("a.com", "A.com"), Some(usize::MAX));
        assert!(server_name_score("*.a.com", "x.a.com").is_some());
        assert_eq!(server_name_score("*.a.com", "a.com"), None);
        assert!(server_name_score("*.a.com", "x.a.com") > server_name_score("*.com", "x.a.com"));
    }

    #[test]
    fn listener_filter_predicate() {
        let l = json!({"listener_filters": [
            {"name": "envoy.filters.listener.http_inspector",
             "filter_disabled": {"or_match": {"rules": [
                 {"destination_port_range": {"start": 80, "end": 81}},
                 {"destination_port_range": {"start": 82, "end": 83}}]}}},
            {"name": "envoy.filters.listener.tls_inspector"}]});
        assert!(!has_listener_filter(&l, HTTP_INSPECTOR, 80));
        assert!(has_listener_filter(&l, HTTP_INSPECTOR, 81));
        assert!(has_listener_filter(&l, TLS_INSPECTOR, 80));
    }
}
