//! The HTTP connection manager: route configuration, virtual host, route, and what the route does.

use crate::envoy::Value;
use regex_lite::Regex;

use super::outcome::{
    Action, Fault, Mirror, Outcome, Retry, RouteProperties, Stage, WeightedCluster,
};
use super::request::{Request, Tls};
use super::rng::Rng;

fn name_of(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Envoy full-match regex (RE2 semantics: the whole input must match).
fn full_match(re: &str, input: &str) -> bool {
    match Regex::new(&format!("^(?:{re})$")) {
        Ok(r) => r.is_match(input),
        Err(_) => false,
    }
}

/// The host as Envoy compares it to domains: lower case, port removed when the route
/// configuration ignores ports.
fn host_for_matching(host: &str, ignore_port: bool) -> String {
    let h = host.to_ascii_lowercase();
    if !ignore_port {
        return h;
    }
    // "[::1]:80", "a.com:80"; a bare IPv6 address has no port.
    if let Some(rest) = h.strip_prefix('[') {
        if let Some((ip, port)) = rest.split_once("]:") {
            if port.chars().all(|c| c.is_ascii_digit()) {
                return format!("[{ip}]");
            }
        }
        return h;
    }
    match h.rsplit_once(':') {
        Some((name, port))
            if !name.contains(':')
                && !port.is_empty()
                && port.chars().all(|c| c.is_ascii_digit()) =>
        {
            name.to_string()
        }
        _ => h,
    }
}

/// Envoy's virtual host selection: exact domain, then the longest `*suffix`, then the longest
/// `prefix*`, then `*`.
pub(crate) fn match_virtual_host<'a>(
    rc: &'a Value,
    host: &str,
    out: &mut Outcome,
) -> Option<&'a Value> {
    let ignore_port = rc
        .get("ignore_port_in_host_matching")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let h = host_for_matching(host, ignore_port);
    let vhosts: Vec<&Value> = rc
        .get("virtual_hosts")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let domains = |vh: &Value| -> Vec<String> {
        vh.get("domains")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(|s| s.to_ascii_lowercase()))
            .collect()
    };
    let port_note = if ignore_port && h != host.to_ascii_lowercase() {
        " (port ignored)"
    } else {
        ""
    };
    for vh in &vhosts {
        if domains(vh).contains(&h) {
            out.step(
                Stage::VirtualHost,
                name_of(vh),
                format!("host {h:?}{port_note} equals a domain of {:?}", name_of(vh)),
            );
            return Some(vh);
        }
    }
    let mut best: Option<(&Value, usize, String)> = None;
    for vh in &vhosts {
        for d in domains(vh) {
            if let Some(suffix) = d.strip_prefix('*') {
                if !suffix.is_empty()
                    && h.len() > suffix.len()
                    && h.ends_with(suffix)
                    && best.as_ref().is_none_or(|b| d.len() > b.1)
                {
                    best = Some((vh, d.len(), d.clone()));
                }
            }
        }
    }
    if let Some((vh, _, d)) = best {
        out.step(
            Stage::VirtualHost,
            name_of(vh),
            format!(
                "no exact domain for {h:?}{port_note}; longest suffix wildcard {d:?} of {:?}",
                name_of(vh)
            ),
        );
        return Some(vh);
    }
    for vh in &vhosts {
        for d in domains(vh) {
            if let Some(prefix) = d.strip_suffix('*') {
                if !prefix.is_empty()
                    && h.len() > prefix.len()
                    && h.starts_with(prefix)
                    && best.as_ref().is_none_or(|b| d.len() > b.1)
                {
                    best = Some((vh, d.len(), d.clone()));
                }
            }
        }
    }
    if let Some((vh, _, d)) = best {
        out.step(
            Stage::VirtualHost,
            name_of(vh),
            format!("no exact or suffix domain for {h:?}{port_note}; longest prefix wildcard {d:?} of {:?}", name_of(vh)),
        );
        return Some(vh);
    }
    for vh in &vhosts {
        if domains(vh).iter().any(|d| d == "*") {
            out.step(
                Stage::VirtualHost,
                name_of(vh),
                format!(
                    "no domain names {h:?}{port_note}; the catch-all \"*\" of {:?} takes it",
                    name_of(vh)
                ),
            );
            return Some(vh);
        }
    }
    out.step(
        Stage::VirtualHost,
        "",
        format!(
            "no virtual host of {} has a domain matching {h:?}{port_note}",
            vhosts.len()
        ),
    );
    None
}

/// Evaluate an `envoy.type.matcher.v3.StringMatcher`.
pub(super) fn string_matcher(m: &Value, value: &str) -> bool {
    let ignore_case = m
        .get("ignore_case")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let (v, norm): (String, fn(&str) -> String) = if ignore_case {
        (value.to_ascii_lowercase(), |s| s.to_ascii_lowercase())
    } else {
        (value.to_string(), |s| s.to_string())
    };
    if let Some(e) = str_at(m, "exact") {
        return v == norm(e);
    }
    if let Some(p) = str_at(m, "prefix") {
        return v.starts_with(&norm(p));
    }
    if let Some(s) = str_at(m, "suffix") {
        return v.ends_with(&norm(s));
    }
    if let Some(c) = str_at(m, "contains") {
        return v.contains(&norm(c));
    }
    if let Some(r) = m.pointer("/safe_regex/regex").and_then(Value::as_str) {
        return full_match(r, value);
    }
    false
}

/// Evaluate one `HeaderMatcher` (Envoy: a missing header never matches, whatever `invert_match`
/// says, unless `treat_missing_header_as_empty`).
pub(super) fn header_matches(hm: &Value, req: &Request) -> bool {
    let name = name_of(hm);
    let invert = hm
        .get("invert_match")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let value = req.header(name);
    if let Some(present) = hm.get("present_match").and_then(Value::as_bool) {
        return (value.is_some() == present) != invert;
    }
    let value = match value {
        Some(v) => v.to_string(),
        None if hm
            .get("treat_missing_header_as_empty")
            .and_then(Value::as_bool)
            .unwrap_or(false) =>
        {
            String::new()
        }
        None => return false,
    };
    let result = if let Some(e) = str_at(hm, "exact_match") {
        e.is_empty() || value == e
    } else if let Some(p) = str_at(hm, "prefix_match") {
        value.starts_with(p)
    } else if let Some(s) = str_at(hm, "suffix_match") {
        value.ends_with(s)
    } else if let Some(c) = str_at(hm, "contains_match") {
        value.contains(c)
    } else if let Some(r) = hm
        .pointer("/safe_regex_match/regex")
        .and_then(Value::as_str)
    {
        full_match(r, &value)
    } else if let Some(r) = hm.get("range_match") {
        let start = r.get("start").and_then(as_i64).unwrap_or(i64::MIN);
        let end = r.get("end").and_then(as_i64).unwrap_or(i64::MAX);
        value.parse::<i64>().is_ok_and(|n| n >= start && n < end)
    } else if let Some(sm) = hm.get("string_match") {
        string_matcher(sm, &value)
    } else {
        true
    };
    result != invert
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.parse().ok())
}

fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str()?.parse().ok())
        .or_else(|| v.get("value").and_then(as_u64))
}

fn query_matches(qm: &Value, req: &Request) -> bool {
    let name = name_of(qm);
    let params = req.query_params();
    let value = params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    if qm.get("present_match").and_then(Value::as_bool) == Some(true) {
        return value.is_some();
    }
    match (value, qm.get("string_match")) {
        (Some(v), Some(sm)) => string_matcher(sm, v),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Describe a route's path match for the reasons.
fn path_spec(m: &Value) -> String {
    for k in ["prefix", "path", "path_separated_prefix"] {
        if let Some(p) = str_at(m, k) {
            return format!("{k} {p:?}");
        }
    }
    if let Some(r) = m.pointer("/safe_regex/regex").and_then(Value::as_str) {
        return format!("regex {r:?}");
    }
    "no path matcher".to_string()
}

/// A header matcher as a user reads it: `header end-user exact "jason"`, `header x-test present`,
/// `header foo not prefix "a"`.
fn header_spec(hm: &Value) -> String {
    let not = if hm.get("invert_match").and_then(Value::as_bool) == Some(true) {
        "not "
    } else {
        ""
    };
    let test = if let Some(present) = hm.get("present_match").and_then(Value::as_bool) {
        if present { "present" } else { "absent" }.to_string()
    } else if let Some(sm) = hm.get("string_match") {
        let case = if sm.get("ignore_case").and_then(Value::as_bool) == Some(true) {
            " (any case)"
        } else {
            ""
        };
        let kind = ["exact", "prefix", "suffix", "contains"]
            .into_iter()
            .find_map(|k| str_at(sm, k).map(|v| format!("{k} {v:?}")))
            .or_else(|| {
                sm.pointer("/safe_regex/regex")
                    .and_then(Value::as_str)
                    .map(|r| format!("regex {r:?}"))
            })
            .unwrap_or_else(|| "any value".to_string());
        format!("{kind}{case}")
    } else {
        [
            ("exact_match", "exact"),
            ("prefix_match", "prefix"),
            ("suffix_match", "suffix"),
            ("contains_match", "contains"),
        ]
        .into_iter()
        .find_map(|(k, label)| str_at(hm, k).map(|v| format!("{label} {v:?}")))
        .or_else(|| {
            hm.pointer("/safe_regex_match/regex")
                .and_then(Value::as_str)
                .map(|r| format!("regex {r:?}"))
        })
        .unwrap_or_else(|| "any value".to_string())
    };
    format!("header {} {not}{test}", name_of(hm))
}

/// Does the route's `match` accept the request? On failure, says why.
fn route_matches(m: &Value, req: &Request, istio: bool) -> Result<(), String> {
    // Istio's simulator ignores case_sensitive, headers and query parameters, and searches
    // regexes (Go's MatchString); Envoy honours all three and fully matches regexes.
    let case_sensitive = istio
        || m.get("case_sensitive")
            .and_then(Value::as_bool)
            .unwrap_or(true);
    let fold = |s: &str| {
        if case_sensitive {
            s.to_string()
        } else {
            s.to_ascii_lowercase()
        }
    };
    let full = fold(&req.path);
    let path = fold(req.path_only());
    let ok = if let Some(p) = str_at(m, "prefix") {
        full.starts_with(&fold(p))
    } else if let Some(p) = str_at(m, "path") {
        // Envoy compares the path without its query; Istio's simulator the whole :path.
        if istio {
            full == fold(p)
        } else {
            path == fold(p)
        }
    } else if let Some(p) = str_at(m, "path_separated_prefix") {
        let p = fold(p);
        path == p || path.starts_with(&format!("{p}/"))
    } else if let Some(r) = m.pointer("/safe_regex/regex").and_then(Value::as_str) {
        if istio {
            Regex::new(r).is_ok_and(|re| re.is_match(&req.path))
        } else {
            full_match(r, req.path_only())
        }
    } else if m.get("connect_matcher").is_some() {
        req.method.eq_ignore_ascii_case("CONNECT")
    } else {
        // path_match_policy (URI templates) and the like: not simulated.
        false
    };
    if !ok {
        return Err(format!("path {:?} fails {}", req.path, path_spec(m)));
    }
    if istio {
        return Ok(());
    }
    for hm in m
        .get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !header_matches(hm, req) {
            return Err(format!(
                "path matches {} but header {:?} does not match",
                path_spec(m),
                name_of(hm)
            ));
        }
    }
    for qm in m
        .get("query_parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !query_matches(qm, req) {
            return Err(format!(
                "path matches {} but query parameter {:?} does not match",
                path_spec(m),
                name_of(qm)
            ));
        }
    }
    Ok(())
}

/// The first route of the virtual host whose match accepts the request (Envoy's order).
pub(crate) fn match_route<'a>(
    vh: &'a Value,
    req: &Request,
    istio: bool,
    out: &mut Outcome,
) -> Option<&'a Value> {
    let routes: Vec<&Value> = vh
        .get("routes")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let mut skipped: Vec<String> = Vec::new();
    for (i, r) in routes.iter().enumerate() {
        let m = r.get("match").cloned().unwrap_or(Value::Null);
        match route_matches(&m, req, istio) {
            Ok(()) => {
                let mut reason =
                    format!("route #{} ({}) is the first to match", i + 1, path_spec(&m));
                for hm in m
                    .get("headers")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    reason.push_str(" and ");
                    reason.push_str(&header_spec(hm));
                }
                if !skipped.is_empty() {
                    reason.push_str(&format!("; skipped: {}", skipped.join("; ")));
                }
                out.step(Stage::Route, name_of(r), reason);
                return Some(r);
            }
            Err(e) => skipped.push(format!("#{} {}", i + 1, e)),
        }
    }
    out.step(
        Stage::Route,
        "",
        if routes.is_empty() {
            format!("virtual host {:?} has no routes", name_of(vh))
        } else {
            format!(
                "none of {} routes matches: {}",
                routes.len(),
                skipped.join("; ")
            )
        },
    );
    None
}

/// A FractionalPercent as a percentage; the proto default denominator is HUNDRED.
fn percent(v: Option<&Value>) -> f64 {
    let Some(v) = v else { return 100.0 };
    let num = v.get("numerator").and_then(as_u64).unwrap_or(0) as f64;
    let den = match str_at(v, "denominator").unwrap_or("HUNDRED") {
        "TEN_THOUSAND" => 10_000.0,
        "MILLION" => 1_000_000.0,
        _ => 100.0,
    };
    num * 100.0 / den
}

fn draw(rng: &mut Rng, pct: f64) -> bool {
    rng.chance((pct * 10_000.0).round() as u64, 1_000_000)
}

/// Read the fault filter config of a route (or virtual host).
fn fault_of(r: &Value, rng: &mut Rng) -> Option<Fault> {
    let tpfc = r.get("typed_per_filter_config")?;
    let f = tpfc.get("envoy.filters.http.fault")?;
    let f = f.get("config").unwrap_or(f); // FilterConfig wrapper
    let abort = f.get("abort");
    let delay = f.get("delay");
    if abort.is_none() && delay.is_none() {
        return None;
    }
    let abort_status = abort
        .and_then(|a| a.get("http_status").or_else(|| a.get("grpc_status")))
        .and_then(as_u64)
        .map(|s| s as u16);
    let abort_percent = abort.map(|a| percent(a.get("percentage")));
    let delay_v = delay.and_then(|d| str_at(d, "fixed_delay").map(str::to_string));
    let delay_percent = delay.map(|d| percent(d.get("percentage")));
    let delayed = delay_percent.is_some_and(|p| draw(rng, p));
    let aborted = abort_status.is_some() && abort_percent.is_some_and(|p| draw(rng, p));
    Some(Fault {
        abort_status,
        abort_percent,
        delay: delay_v,
        delay_percent,
        aborted,
        delayed,
    })
}

/// The route's action, with its properties; fills outcome.action / cluster / status.
pub(crate) fn apply_route(r: &Value, vh: &Value, req: &Request, rng: &mut Rng, out: &mut Outcome) {
    let mut props = RouteProperties::default();
    if let Some(dr) = r.get("direct_response") {
        let status = dr.get("status").and_then(as_u64).unwrap_or(200) as u16;
        let body = dr
            .pointer("/body/inline_string")
            .and_then(Value::as_str)
            .map(str::to_string);
        out.step(
            Stage::Action,
            "",
            format!("the route answers directly with status {status}"),
        );
        out.action = Some(Action::DirectResponse { status, body });
        out.status = Some(status);
        return;
    }
    if let Some(rd) = r.get("redirect") {
        let (status, location) = redirect(rd, req);
        out.step(
            Stage::Action,
            "",
            format!("the route redirects with {status} to {location}"),
        );
        out.action = Some(Action::Redirect { status, location });
        out.status = Some(status);
        return;
    }
    let Some(ra) = r.get("route") else {
        out.step(Stage::Action, "", "the route has no action");
        out.action = Some(Action::Unsupported {
            what: "no action".into(),
        });
        return;
    };

    // Properties first: a fault abort happens before the request is forwarded.
    if let Some(t) = str_at(ra, "timeout") {
        props.timeout = Some(t.to_string());
    }
    if let Some(rp) = ra.get("retry_policy").or_else(|| vh.get("retry_policy")) {
        props.retries = Some(Retry {
            attempts: rp.get("num_retries").and_then(as_u64).unwrap_or(1),
            retry_on: str_at(rp, "retry_on").unwrap_or("").to_string(),
            per_try_timeout: str_at(rp, "per_try_timeout").map(str::to_string),
        });
    }
    for m in ra
        .get("request_mirror_policies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pct = m
            .get("runtime_fraction")
            .map(|f| percent(f.get("default_value")))
            .unwrap_or(100.0);
        props.mirrors.push(Mirror {
            cluster: str_at(m, "cluster").unwrap_or("").to_string(),
            percent: pct,
            mirrored: draw(rng, pct),
        });
    }
    if let Some(p) = str_at(ra, "prefix_rewrite") {
        let prefix = r
            .pointer("/match/prefix")
            .and_then(Value::as_str)
            .or_else(|| r.pointer("/match/path").and_then(Value::as_str))
            .unwrap_or("");
        let rest = req.path.get(prefix.len()..).unwrap_or("");
        props.rewritten_path = Some(format!("{p}{rest}"));
    } else if let Some(rr) = ra.get("regex_rewrite") {
        let pat = rr
            .pointer("/pattern/regex")
            .and_then(Value::as_str)
            .unwrap_or("");
        let sub = str_at(rr, "substitution").unwrap_or("");
        if let Ok(re) = Regex::new(pat) {
            let sub = sub.replace("\\", "$");
            props.rewritten_path = Some(re.replace_all(req.path_only(), sub.as_str()).into_owned());
        }
    }
    if let Some(h) = str_at(ra, "host_rewrite_literal") {
        props.rewritten_host = Some(h.to_string());
    }
    for hv in r
        .get("request_headers_to_add")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(k), Some(v)) = (
            hv.pointer("/header/key").and_then(Value::as_str),
            hv.pointer("/header/value").and_then(Value::as_str),
        ) {
            props
                .request_headers_added
                .push((k.to_string(), v.to_string()));
        }
    }
    props.fault = fault_of(r, rng).or_else(|| fault_of(vh, rng));

    if let Some(c) = str_at(ra, "cluster") {
        out.step(
            Stage::Action,
            c,
            format!("the route forwards to cluster {c}"),
        );
        out.action = Some(Action::Cluster {
            cluster: c.to_string(),
        });
        out.cluster = Some(c.to_string());
    } else if let Some(wc) = ra.get("weighted_clusters") {
        let clusters: Vec<WeightedCluster> = wc
            .get("clusters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| WeightedCluster {
                name: name_of(c).to_string(),
                weight: c.get("weight").and_then(as_u64).unwrap_or(0),
            })
            .collect();
        let weights: Vec<u64> = clusters.iter().map(|c| c.weight).collect();
        let picked = rng
            .weighted(&weights)
            .map(|i| clusters[i].name.clone())
            .unwrap_or_default();
        let total: u64 = weights.iter().sum();
        let split: Vec<String> = clusters
            .iter()
            .map(|c| format!("{} {}/{}", c.name, c.weight, total))
            .collect();
        out.step(
            Stage::Action,
            picked.clone(),
            format!(
                "weighted clusters [{}]: this request drew {picked}",
                split.join(", ")
            ),
        );
        out.cluster = Some(picked.clone()).filter(|p| !p.is_empty());
        out.action = Some(Action::Weighted { clusters, picked });
    } else {
        let what = [
            "cluster_header",
            "cluster_specifier_plugin",
            "inline_cluster_specifier_plugin",
        ]
        .into_iter()
        .find(|k| ra.get(*k).is_some())
        .unwrap_or("unknown cluster specifier");
        out.step(
            Stage::Action,
            "",
            format!("the route picks its cluster by {what}, which the simulator does not follow"),
        );
        out.action = Some(Action::Unsupported {
            what: what.to_string(),
        });
    }

    if let Some(f) = &props.fault {
        if let Some(d) = &f.delay {
            out.step(
                Stage::Fault,
                "envoy.filters.http.fault",
                format!(
                    "fault delay {d} for {}% of requests: {}",
                    f.delay_percent.unwrap_or(100.0),
                    if f.delayed {
                        "this request is delayed"
                    } else {
                        "not this one"
                    }
                ),
            );
        }
        if let Some(s) = f.abort_status {
            out.step(
                Stage::Fault,
                "envoy.filters.http.fault",
                format!(
                    "fault abort {s} for {}% of requests: {}",
                    f.abort_percent.unwrap_or(100.0),
                    if f.aborted {
                        "this request is aborted"
                    } else {
                        "not this one"
                    }
                ),
            );
            if f.aborted {
                out.status = Some(s);
                out.response_flag = Some("FI".into());
            }
        }
    }
    for m in &props.mirrors {
        out.step(
            Stage::Action,
            m.cluster.clone(),
            format!(
                "mirror {}% of requests to {} (responses ignored): {}",
                m.percent,
                m.cluster,
                if m.mirrored {
                    "this request is copied"
                } else {
                    "not this one"
                }
            ),
        );
    }
    out.properties = props;
}

fn redirect(rd: &Value, req: &Request) -> (u16, String) {
    let status = match str_at(rd, "response_code").unwrap_or("MOVED_PERMANENTLY") {
        "FOUND" => 302,
        "SEE_OTHER" => 303,
        "TEMPORARY_REDIRECT" => 307,
        "PERMANENT_REDIRECT" => 308,
        _ => 301,
    };
    let scheme = if rd.get("https_redirect").and_then(Value::as_bool) == Some(true) {
        "https".to_string()
    } else {
        str_at(rd, "scheme_redirect")
            .map(str::to_string)
            .unwrap_or_else(|| {
                if req.tls == Tls::Plaintext {
                    "http".into()
                } else {
                    "https".into()
                }
            })
    };
    let mut host = str_at(rd, "host_redirect")
        .map(str::to_string)
        .unwrap_or_else(|| req.host.clone());
    if let Some(p) = rd.get("port_redirect").and_then(as_u64) {
        let bare = host
            .rsplit_once(':')
            .map(|(h, _)| h.to_string())
            .unwrap_or(host.clone());
        host = format!("{bare}:{p}");
    }
    let path = str_at(rd, "path_redirect")
        .map(str::to_string)
        .or_else(|| str_at(rd, "prefix_rewrite").map(str::to_string))
        .unwrap_or_else(|| req.path.clone());
    (status, format!("{scheme}://{host}{path}"))
}

/// `require_tls` on the virtual host: plaintext requests get a 301 to https.
pub(crate) fn requires_tls(vh: &Value, req: &Request) -> bool {
    matches!(
        str_at(vh, "require_tls"),
        Some("ALL") | Some("EXTERNAL_ONLY")
    ) && req.tls == Tls::Plaintext
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_value as json;

    #[test]
    fn a_route_decision_names_its_header_conditions() {
        let vh = json!({"name": "reviews:9080", "routes": [
            {"name": "jason", "match": {"prefix": "/", "headers": [
                {"name": "end-user", "string_match": {"exact": "jason"}},
                {"name": "x-canary", "present_match": true, "invert_match": true}
            ]}},
            {"name": "default", "match": {"prefix": "/"}}
        ]});
        let mut req = Request {
            path: "/reviews/0".into(),
            ..Request::default()
        };
        req.headers.insert("end-user".into(), "jason".into());
        let mut out = Outcome::default();
        let r = match_route(&vh, &req, false, &mut out).unwrap();
        assert_eq!(r["name"], "jason");
        let reason = &out.steps.last().unwrap().reason;
        assert!(
            reason.contains(r#"and header end-user exact "jason" and header x-canary not present"#),
            "{reason}"
        );
    }

    fn req(path: &str) -> Request {
        Request {
            path: path.into(),
            ..Request::default()
        }
        .with_defaults()
    }

    #[test]
    fn path_matchers() {
        assert!(route_matches(&json!({"prefix": "/api"}), &req("/api/x"), false).is_ok());
        assert!(route_matches(&json!({"path": "/api"}), &req("/api?x=1"), false).is_ok());
        assert!(route_matches(&json!({"path": "/api"}), &req("/api/"), false).is_err());
        assert!(route_matches(
            &json!({"path_separated_prefix": "/api"}),
            &req("/api/x"),
            false
        )
        .is_ok());
        assert!(route_matches(
            &json!({"path_separated_prefix": "/api"}),
            &req("/apix"),
            false
        )
        .is_err());
        // safe_regex is a full match, not a search
        assert!(route_matches(
            &json!({"safe_regex": {"regex": "/a.*"}}),
            &req("/abc"),
            false
        )
        .is_ok());
        assert!(
            route_matches(&json!({"safe_regex": {"regex": "/b"}}), &req("/abc"), false).is_err()
        );
        assert!(route_matches(
            &json!({"prefix": "/API", "case_sensitive": false}),
            &req("/api"),
            false
        )
        .is_ok());
    }

    #[test]
    fn istio_simulator_matching_is_path_only() {
        let mut r = req("/abc?x=1");
        r.headers.insert("end-user".into(), "mallory".into());
        let m = json!({"prefix": "/", "headers": [{"name": "end-user", "string_match": {"exact": "jason"}}],
                        "query_parameters": [{"name": "y"}]});
        assert!(route_matches(&m, &r, false).is_err());
        assert!(route_matches(&m, &r, true).is_ok());
        let re = json!({"safe_regex": {"regex": "b"}});
        assert!(route_matches(&re, &r, false).is_err());
        assert!(
            route_matches(&re, &r, true).is_ok(),
            "Go's MatchString searches"
        );
        let ci = json!({"path": "/ABC", "case_sensitive": false});
        assert!(route_matches(&ci, &r, false).is_ok());
        assert!(route_matches(&ci, &r, true).is_err());
    }

    #[test]
    fn header_matchers() {
        let mut r = req("/");
        r.headers.insert("End-User".into(), "jason".into());
        let exact = json!({"name": "end-user", "string_match": {"exact": "jason"}});
        assert!(header_matches(&exact, &r));
        let inv =
            json!({"name": "end-user", "string_match": {"exact": "jason"}, "invert_match": true});
        assert!(!header_matches(&inv, &r));
        let absent_inverted =
            json!({"name": "x-missing", "string_match": {"exact": "a"}, "invert_match": true});
        assert!(
            !header_matches(&absent_inverted, &r),
            "a missing header never matches"
        );
        let not_present = json!({"name": "x-missing", "present_match": false});
        assert!(header_matches(&not_present, &r));
        let re = json!({"name": "end-user", "safe_regex_match": {"regex": "ja.*"}});
        assert!(header_matches(&re, &r));
        let authority = json!({"name": ":authority", "string_match": {"suffix": ".com"}});
        let mut r2 = r.clone();
        r2.host = "a.com".into();
        assert!(header_matches(&authority, &r2));
    }

    #[test]
    fn vhost_order() {
        let rc = json!({"virtual_hosts": [
            {"name": "all", "domains": ["*"]},
            {"name": "pre", "domains": ["foo.*"]},
            {"name": "suf", "domains": ["*.example.com"]},
            {"name": "exact", "domains": ["foo.example.com"]}]});
        let mut o = Outcome::default();
        let pick =
            |h: &str, o: &mut Outcome| name_of(match_virtual_host(&rc, h, o).unwrap()).to_string();
        assert_eq!(pick("foo.example.com", &mut o), "exact");
        assert_eq!(pick("bar.example.com", &mut o), "suf");
        assert_eq!(pick("foo.org", &mut o), "pre");
        assert_eq!(pick("other", &mut o), "all");
        assert_eq!(
            pick("foo.example.com:80", &mut o),
            "pre",
            "port kept without ignore_port"
        );
        let rc2 = json!({"ignore_port_in_host_matching": true, "virtual_hosts": [{"name": "a", "domains": ["a.com"]}]});
        assert!(match_virtual_host(&rc2, "a.com:8080", &mut o).is_some());
    }
}
