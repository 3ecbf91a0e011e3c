//! One VirtualService `http` section into Envoy routes (route/route.go TranslateRoute and friends):
//! matches, destinations and weights, redirects, direct responses, rewrites, timeouts, retries,
//! faults, mirrors, CORS and header operations.

use crate::envoy::{duration, istio_config_metadata};
use crate::envoy::{Map, Value};
use crate::host;
use crate::istio::networking::{
    CorsPolicy, Destination, HeaderOperations, Headers, HttpFault, HttpMatch, HttpRetry, HttpRoute,
    HttpRouteDestination, Percent, VirtualService,
};
use crate::istio::StringMatch;
use crate::mesh::{Labels, Service};
use crate::order;
use crate::parse::Object;
use crate::translate::names::{self, type_url};
use crate::{shared, value};

pub const DEFAULT_RETRY_ON: &str =
    "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
const MAX_DIRECT_RESPONSE_BODY: u32 = 1024 * 1024;

pub fn max_direct_response_body() -> u32 {
    MAX_DIRECT_RESPONSE_BODY
}

/// Who is asking: decides `sourceLabels`, `sourceNamespace` and `gateways` matches.
pub struct Context<'a, 's> {
    pub labels: &'a Labels,
    pub namespace: &'a str,
    /// `mesh` for sidecars, `namespace/name` of the Gateway for gateways.
    pub gateways: &'a [String],
    pub listener_port: u32,
    pub is_tls: bool,
    /// Sidecars see each service narrowed to the listener port, so a destination without a port
    /// always takes the listener port there; gateways see whole services.
    pub sidecar: bool,
    /// Find the service a destination host names (for port inference and ExternalName).
    pub lookup: &'a dyn Fn(&str) -> Option<&'s Service>,
    /// A DestinationRule's consistent hash for the destination, as a route hash policy.
    pub hash_policy: &'a dyn Fn(&str, Option<u32>) -> Option<Value>,
}

/// istiod's default retry policy; `hash` drops the previous-hosts predicate (consistent hashing).
pub fn default_retry_policy(hash: bool) -> Value {
    if hash {
        shared!({
            "retry_on": DEFAULT_RETRY_ON,
            "num_retries": 2,
            "host_selection_retry_max_attempts": "5"
        })
    } else {
        shared!({
            "retry_on": DEFAULT_RETRY_ON,
            "num_retries": 2,
            "retry_host_predicate": previous_hosts(),
            "host_selection_retry_max_attempts": "5"
        })
    }
}

fn previous_hosts() -> Value {
    shared!([{
        "name": "envoy.retry_host_predicates.previous_hosts",
        "typed_config": {"@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"}
    }])
}

/// The route for a service without a VirtualService: prefix `/` to `outbound|port||host`.
pub fn default_route(cluster: &str, operation: &str, hash_policy: Option<Value>) -> Value {
    let mut action = Map::new();
    action.insert("cluster".into(), value!(cluster));
    action.insert("timeout".into(), value!("0s"));
    action.insert(
        "retry_policy".into(),
        default_retry_policy(hash_policy.is_some()),
    );
    if let Some(h) = hash_policy {
        action.insert("hash_policy".into(), value!([h]));
    }
    action.insert("max_grpc_timeout".into(), value!("0s"));
    value!({
        "name": "default",
        "match": {"prefix": "/"},
        "route": action,
        "decorator": {"operation": operation}
    })
}

/// Every Envoy route for one VirtualService: one per match clause, in order, stopping after the
/// first catch-all (Envoy would never reach anything after it).
pub fn routes_for_virtual_service(
    ctx: &Context<'_, '_>,
    obj: &Object,
    vs: &VirtualService,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut catch_all = false;
    // Every route of the VirtualService names it; build that metadata once and share it.
    let metadata = istio_config_metadata(&obj.config_path());
    for http in &vs.http {
        if http.delegate.is_some() {
            continue; // delegate VirtualServices are merged in by istiod's push context; not modelled
        }
        if http.matches.is_empty() {
            if let Some(r) = translate(ctx, obj, &metadata, http, None) {
                out.push(r);
            }
            catch_all = true;
        } else {
            for m in &http.matches {
                if let Some(r) = translate(ctx, obj, &metadata, http, Some(m)) {
                    let is_catch_all = is_catch_all(&r);
                    out.push(r);
                    if is_catch_all {
                        catch_all = true;
                        break;
                    }
                }
            }
        }
        if catch_all {
            break;
        }
    }
    out
}

/// Prefix `/` (or regex `.*`) with no header, query or metadata condition.
pub fn is_catch_all(route: &Value) -> bool {
    let m = &route["match"];
    let path_all =
        m["prefix"] == "/" || m["path_separated_prefix"] == "/" || m["safe_regex"]["regex"] == ".*";
    path_all
        && m.get("headers").is_none()
        && m.get("query_parameters").is_none()
        && m.get("dynamic_metadata").is_none()
}

fn source_matches(ctx: &Context<'_, '_>, m: Option<&HttpMatch>) -> bool {
    let Some(m) = m else { return true };
    if !m.gateways.is_empty() {
        return m.gateways.iter().any(|g| {
            ctx.gateways
                .iter()
                .any(|c| c == g || c.rsplit('/').next() == Some(g))
        });
    }
    m.source_labels
        .iter()
        .all(|(k, v)| ctx.labels.get(k) == Some(v))
        && m.source_namespace
            .as_deref()
            .is_none_or(|ns| ns == ctx.namespace)
}

fn translate(
    ctx: &Context<'_, '_>,
    obj: &Object,
    metadata: &Value,
    http: &HttpRoute,
    m: Option<&HttpMatch>,
) -> Option<Value> {
    if let Some(m) = m {
        if m.port.is_some_and(|p| p != ctx.listener_port) {
            return None;
        }
    }
    if !source_matches(ctx, m) {
        return None;
    }
    let mut name = http.name.clone().unwrap_or_default();
    if let Some(mname) = m.and_then(|m| m.name.as_deref()).filter(|n| !n.is_empty()) {
        name = format!("{name}.{mname}");
    }
    let mut out = Map::new();
    if !name.is_empty() {
        out.insert("name".into(), value!(name));
    }
    let mut matcher = route_match(m);
    if crate::gatewayapi::uses_gateway_semantics(&obj.meta)
        || crate::gatewayapi::uses_ingress_semantics(&obj.meta)
    {
        path_separated(&mut matcher);
    }
    out.insert("match".into(), matcher);
    out.insert("metadata".into(), metadata.clone());
    if let Some(prefix) = m.and_then(|m| m.stat_prefix.as_deref()) {
        out.insert("stat_prefix".into(), value!(prefix));
    }
    let mut authority = None;
    if let Some(h) = &http.headers {
        authority = apply_header_ops(&mut out, h);
    }
    if let Some(r) = &http.redirect {
        let mut redirect = Map::new();
        if let Some(a) = &r.authority {
            redirect.insert("host_redirect".into(), value!(a));
        }
        if let Some(uri) = &r.uri {
            redirect.insert("path_redirect".into(), value!(uri));
        }
        if let Some(s) = &r.scheme {
            redirect.insert("scheme_redirect".into(), value!(s));
        }
        let mut port = r.port;
        if r.derive_port.as_deref() == Some("FROM_REQUEST_PORT") {
            port = Some(ctx.listener_port);
        }
        if let Some(p) = port {
            let scheme = r.scheme.clone().unwrap_or_else(|| {
                if ctx.is_tls {
                    "https".into()
                } else {
                    "http".into()
                }
            });
            let default = (p == 80 && scheme == "http") || (p == 443 && scheme == "https");
            if !default {
                redirect.insert("port_redirect".into(), value!(p));
            }
        }
        let code = match r.redirect_code.unwrap_or(0) {
            0 | 301 => Some("MOVED_PERMANENTLY"),
            302 => Some("FOUND"),
            303 => Some("SEE_OTHER"),
            307 => Some("TEMPORARY_REDIRECT"),
            308 => Some("PERMANENT_REDIRECT"),
            _ => None,
        };
        let code = code?;
        if code != "MOVED_PERMANENTLY" {
            redirect.insert("response_code".into(), value!(code));
        }
        out.insert("redirect".into(), Value::Object(redirect));
    } else if let Some(d) = &http.direct_response {
        let mut dr = Map::new();
        dr.insert("status".into(), value!(d.status));
        if let Some(body) = &d.body {
            if let Some(s) = &body.string {
                dr.insert("body".into(), value!({"inline_string": s}));
            } else if let Some(b) = &body.bytes {
                dr.insert("body".into(), value!({"inline_bytes": b}));
            }
        }
        out.insert("direct_response".into(), Value::Object(dr));
    } else {
        let action = route_action(ctx, obj, http, &mut out, authority);
        out.insert("route".into(), action);
    }
    out.insert(
        "decorator".into(),
        value!({"operation": operation(&out, obj.name(), ctx.listener_port)}),
    );
    let mut per_filter = Map::new();
    if let Some(fault) = http.fault.as_ref().and_then(fault_config) {
        per_filter.insert("envoy.filters.http.fault".into(), fault);
    }
    if let Some(cors) = &http.cors_policy {
        per_filter.insert("envoy.filters.http.cors".into(), cors_config(cors));
    }
    if !per_filter.is_empty() {
        out.insert("typed_per_filter_config".into(), Value::Object(per_filter));
    }
    Some(Value::Object(out))
}

/// Gateway API and Ingress prefixes match whole path segments: `/foo` matches `/foo` and
/// `/foo/bar` but not `/foobar` (route.go TranslateRouteMatch, path_separated_prefix).
fn path_separated(matcher: &mut Value) {
    let Some(m) = matcher.as_object_mut() else {
        return;
    };
    let Some(prefix) = m.get("prefix").and_then(Value::as_str).map(str::to_string) else {
        return;
    };
    if prefix == "/" {
        return;
    }
    let trimmed = prefix.strip_suffix('/').unwrap_or(&prefix).to_string();
    let mut out = Map::new();
    for (k, v) in std::mem::take(m) {
        if k == "prefix" {
            out.insert("path_separated_prefix".into(), value!(&trimmed));
        } else {
            out.insert(k, v);
        }
    }
    *m = out;
}

/// Escape regex metacharacters, as Go's regexp.QuoteMeta does.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn operation(route: &Map, vs_name: &str, port: u32) -> String {
    let m = &route["match"];
    let path = if let Some(p) = m["prefix"].as_str() {
        crate::join!(p, "*")
    } else if let Some(p) = m["path"].as_str() {
        p.to_string()
    } else if let Some(r) = m["safe_regex"]["regex"].as_str() {
        r.to_string()
    } else {
        "/*".to_string()
    };
    let cluster = route.get("route").and_then(|r| r["cluster"].as_str());
    if let Some((p, _, h)) = cluster.and_then(crate::translate::endpoint::parse_outbound) {
        return crate::join!(h, ":", p, path);
    }
    crate::join!(vs_name, ":", port, path)
}

fn string_matcher(m: &StringMatch) -> Option<Value> {
    if let Some(e) = &m.exact {
        Some(value!({"exact": e}))
    } else if let Some(p) = &m.prefix {
        Some(value!({"prefix": p}))
    } else {
        m.regex
            .as_ref()
            .map(|r| value!({"safe_regex": {"regex": r}}))
    }
}

/// An empty matcher, or regex `*`, means "present".
fn is_presence(m: &StringMatch) -> bool {
    (m.exact.is_none() && m.prefix.is_none() && m.regex.is_none())
        || m.regex.as_deref() == Some("*")
}

fn header_matcher(name: &str, m: &StringMatch) -> Value {
    if is_presence(m) {
        return value!({"name": name, "present_match": true});
    }
    match string_matcher(m) {
        Some(sm) => value!({"name": name, "string_match": sm}),
        None => value!({"name": name}),
    }
}

pub fn route_match(m: Option<&HttpMatch>) -> Value {
    let mut out = Map::new();
    let Some(m) = m else {
        out.insert("prefix".into(), value!("/"));
        return Value::Object(out);
    };
    match &m.uri {
        Some(StringMatch { exact: Some(e), .. }) => {
            out.insert("path".into(), value!(e));
        }
        Some(StringMatch {
            prefix: Some(p), ..
        }) => {
            out.insert("prefix".into(), value!(p));
        }
        Some(StringMatch { regex: Some(r), .. }) => {
            out.insert("safe_regex".into(), value!({"regex": r}));
        }
        _ => {
            out.insert("prefix".into(), value!("/"));
        }
    }
    out.insert("case_sensitive".into(), value!(!m.ignore_uri_case));
    let mut headers: Vec<Value> = Vec::new();
    for (name, sm) in &m.headers {
        headers.push(header_matcher(name, sm));
    }
    for (name, sm) in &m.without_headers {
        let mut h = header_matcher(name, sm);
        h["invert_match"] = value!(true);
        if !is_presence(sm) {
            h["treat_missing_header_as_empty"] = value!(true);
        }
        headers.push(h);
    }
    order::sort_by(&mut headers, |a, b| {
        a["name"].as_str().cmp(&b["name"].as_str())
    });
    if let Some(sm) = &m.method {
        headers.push(header_matcher(":method", sm));
    }
    if let Some(sm) = &m.authority {
        headers.push(header_matcher(":authority", sm));
    }
    if let Some(sm) = &m.scheme {
        headers.push(header_matcher(":scheme", sm));
    }
    if !headers.is_empty() {
        out.insert("headers".into(), value!(headers));
    }
    let query: Vec<Value> = m
        .query_params
        .iter()
        .map(|(name, sm)| {
            if is_presence(sm) {
                value!({"name": name, "present_match": true})
            } else {
                value!({"name": name, "string_match": string_matcher(sm)})
            }
        })
        .collect();
    if !query.is_empty() {
        out.insert("query_parameters".into(), value!(query));
    }
    Value::Object(out)
}

fn header_values(
    map: &crate::sorted::SortedMap<String, String>,
    append: bool,
) -> (Vec<Value>, Option<String>) {
    let mut authority = None;
    let mut out = Vec::new();
    for (k, v) in map {
        if k.eq_ignore_ascii_case(":authority") || k.eq_ignore_ascii_case("host") {
            authority = Some(v.clone());
        }
        if k.starts_with(':') || k.eq_ignore_ascii_case("host") {
            continue;
        }
        let action = if append {
            "APPEND_IF_EXISTS_OR_ADD"
        } else {
            "OVERWRITE_IF_EXISTS_OR_ADD"
        };
        out.push(value!({"header": {"key": k, "value": v}, "append_action": action}));
    }
    (out, authority)
}

fn ops(o: Option<&HeaderOperations>) -> (Vec<Value>, Vec<String>, Option<String>) {
    let Some(o) = o else {
        return (Vec::new(), Vec::new(), None);
    };
    let (mut add, set_auth) = header_values(&o.set, false);
    let (more, add_auth) = header_values(&o.add, true);
    add.extend(more);
    let remove = o
        .remove
        .iter()
        .filter(|k| !k.starts_with(':') && !k.eq_ignore_ascii_case("host"))
        .cloned()
        .collect();
    (add, remove, set_auth.or(add_auth))
}

/// Adds header operations to a route or weighted cluster; returns an authority rewrite if set.
fn apply_header_ops(target: &mut Map, h: &Headers) -> Option<String> {
    let (req_add, req_remove, authority) = ops(h.request.as_ref());
    let (resp_add, resp_remove, _) = ops(h.response.as_ref());
    let mut extend = |key: &'static str, values: Vec<Value>| {
        if values.is_empty() {
            return;
        }
        let entry = target.get_or_insert_with(key.into(), || value!([]));
        if let Some(arr) = entry.as_array_mut() {
            arr.extend(values);
        }
    };
    extend("request_headers_to_add", req_add);
    extend("response_headers_to_add", resp_add);
    extend(
        "request_headers_to_remove",
        req_remove.into_iter().map(Value::from).collect(),
    );
    extend(
        "response_headers_to_remove",
        resp_remove.into_iter().map(Value::from).collect(),
    );
    authority
}

/// `outbound|port|subset|host` for a destination: its explicit port, else the service's only
/// port, else the listener port (route/route.go GetDestinationCluster).
pub fn destination_cluster(ctx: &Context<'_, '_>, obj: &Object, d: &Destination) -> String {
    if d.host.is_empty() {
        return "UnknownService".into();
    }
    let fqdn = host::resolve(&d.host, obj.namespace());
    let service =
        (ctx.lookup)(&fqdn).filter(|s| !ctx.sidecar || s.port(ctx.listener_port).is_some());
    let target_host = match service.and_then(|s| s.external_name.as_deref()) {
        Some(concrete) => host::resolve(
            concrete,
            &service.map(|s| s.namespace.clone()).unwrap_or_default(),
        ),
        None => fqdn,
    };
    let port = match (&d.port, service) {
        (Some(p), _) if p.number > 0 => p.number,
        (_, Some(s)) if s.ports.len() == 1 && !ctx.sidecar => s.ports[0].port,
        _ => ctx.listener_port,
    };
    names::outbound_cluster(port, d.subset.as_deref().unwrap_or(""), &target_host)
}

fn route_action(
    ctx: &Context<'_, '_>,
    obj: &Object,
    http: &HttpRoute,
    out: &mut Map,
    authority: Option<String>,
) -> Value {
    let mut a = Map::new();
    let timeout = http
        .timeout
        .as_deref()
        .map(duration::json)
        .unwrap_or_else(|| "0s".into());
    let mut authority = authority;
    let gateway_semantics = crate::gatewayapi::uses_gateway_semantics(&obj.meta);
    if let Some(rw) = &http.rewrite {
        if let Some(rr) = &rw.uri_regex_rewrite {
            a.insert(
                "regex_rewrite".into(),
                value!({"pattern": {"regex": &rr.pattern}, "substitution": &rr.rewrite}),
            );
        } else if gateway_semantics && rw.uri.as_deref() == Some("/") {
            // Removing a whole path-separated prefix keeps the `/` (route.go applyHTTPRouteDestination).
            let prefix = out
                .get("match")
                .and_then(|m| m["path_separated_prefix"].as_str())
                .unwrap_or("");
            a.insert(
                "regex_rewrite".into(),
                value!({"pattern": {"regex": format!("^{}(/?)(.*)", quote_meta(prefix))}, "substitution": "/\\2"}),
            );
        } else if let Some(uri) = rw.uri.as_deref().filter(|u| !u.is_empty()) {
            a.insert("prefix_rewrite".into(), value!(uri));
        }
        if let Some(auth) = rw.authority.clone().filter(|a| !a.is_empty()) {
            authority = Some(auth);
        }
    }
    let mut hash_policies = Vec::new();
    let mut consistent_hash = false;
    if http.route.len() == 1 {
        let dst = &http.route[0];
        a.insert(
            "cluster".into(),
            value!(destination_cluster(ctx, obj, &dst.destination)),
        );
        if let Some(h) = &dst.headers {
            if let Some(auth) = apply_header_ops(out, h) {
                authority.get_or_insert(auth);
            }
        }
        if let Some(h) = hash_for(ctx, obj, dst) {
            hash_policies.push(h);
            consistent_hash = true;
        }
    } else {
        let clusters: Vec<Value> = http
            .route
            .iter()
            .filter(|d| d.weight.unwrap_or(0) > 0)
            .map(|d| {
                let mut w = Map::new();
                w.insert(
                    "name".into(),
                    value!(destination_cluster(ctx, obj, &d.destination)),
                );
                w.insert("weight".into(), value!(d.weight.unwrap_or(0)));
                if let Some(h) = &d.headers {
                    if let Some(auth) = apply_header_ops(&mut w, h) {
                        w.insert("host_rewrite_literal".into(), value!(auth));
                    }
                }
                if let Some(h) = hash_for(ctx, obj, d) {
                    hash_policies.push(h);
                }
                Value::Object(w)
            })
            .collect();
        a.insert("weighted_clusters".into(), value!({"clusters": clusters}));
    }
    if gateway_semantics {
        // Gateway API: a backend that does not resolve answers 500, not 503.
        a.insert(
            "cluster_not_found_response_code".into(),
            value!("INTERNAL_SERVER_ERROR"),
        );
    }
    a.insert("timeout".into(), value!(&timeout));
    if let Some(auth) = authority {
        a.insert("host_rewrite_literal".into(), value!(auth));
    }
    if let Some(p) = retry_policy(http.retries.as_ref(), consistent_hash) {
        a.insert("retry_policy".into(), p);
    }
    let mut mirrors = Vec::new();
    if let Some(m) = &http.mirror {
        let percent = match (&http.mirror_percentage, http.mirror_percent) {
            (Some(p), _) => (p.value > 0.0).then(|| million(p)),
            (None, Some(p)) => (p > 0).then(|| value!({"numerator": p, "denominator": "HUNDRED"})),
            (None, None) => Some(value!({"numerator": 100, "denominator": "HUNDRED"})),
        };
        if let Some(p) = percent {
            mirrors.push(mirror_policy(&destination_cluster(ctx, obj, m), p));
        }
    }
    for m in &http.mirrors {
        let percent = match &m.percentage {
            Some(p) => (p.value > 0.0).then(|| million(p)),
            None => Some(value!({"numerator": 100, "denominator": "HUNDRED"})),
        };
        if let Some(p) = percent {
            mirrors.push(mirror_policy(
                &destination_cluster(ctx, obj, &m.destination),
                p,
            ));
        }
    }
    if !mirrors.is_empty() {
        a.insert("request_mirror_policies".into(), value!(mirrors));
    }
    if !hash_policies.is_empty() {
        a.insert("hash_policy".into(), value!(hash_policies));
    }
    let zero = timeout == "0s";
    a.insert(
        "max_grpc_timeout".into(),
        value!(if zero { "0s".to_string() } else { timeout }),
    );
    Value::Object(a)
}

fn hash_for(ctx: &Context<'_, '_>, obj: &Object, d: &HttpRouteDestination) -> Option<Value> {
    let fqdn = host::resolve(&d.destination.host, obj.namespace());
    (ctx.hash_policy)(&fqdn, d.destination.port.as_ref().map(|p| p.number))
}

fn mirror_policy(cluster: &str, percent: Value) -> Value {
    value!({"cluster": cluster, "runtime_fraction": {"default_value": percent}, "trace_sampled": false})
}

fn million(p: &Percent) -> Value {
    value!({"numerator": (p.value * 10000.0) as u32, "denominator": "MILLION"})
}

pub fn retry_policy(r: Option<&HttpRetry>, hash: bool) -> Option<Value> {
    let Some(r) = r else {
        return Some(default_retry_policy(hash));
    };
    if r.attempts == 0 {
        return None;
    }
    let mut p = Map::new();
    let mut retry_on = DEFAULT_RETRY_ON.to_string();
    let mut codes: Vec<u32> = Vec::new();
    if let Some(on) = r.retry_on.as_deref().filter(|s| !s.is_empty()) {
        let mut parts = Vec::new();
        for part in on.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match part.parse::<u32>() {
                Ok(code) if (100..600).contains(&code) => codes.push(code),
                _ => parts.push(part.to_string()),
            }
        }
        retry_on = parts.join(",");
        if !codes.is_empty() && !retry_on.contains("retriable-status-codes") {
            retry_on.push_str(",retriable-status-codes");
        }
    }
    p.insert("retry_on".into(), value!(retry_on));
    p.insert("num_retries".into(), value!(r.attempts));
    if let Some(t) = &r.per_try_timeout {
        p.insert("per_try_timeout".into(), value!(duration::json(t)));
    }
    let predicate = match r.retry_ignore_previous_hosts {
        Some(false) => false,
        Some(true) => true,
        None => !hash,
    };
    if predicate {
        p.insert("retry_host_predicate".into(), previous_hosts());
    }
    if r.retry_remote_localities == Some(true) {
        p.insert(
            "retry_priority".into(),
            value!({
                "name": "envoy.retry_priorities.previous_priorities",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig",
                    "update_frequency": 2
                }
            }),
        );
    }
    p.insert("host_selection_retry_max_attempts".into(), value!("5"));
    if !codes.is_empty() {
        p.insert("retriable_status_codes".into(), value!(codes));
    }
    if let Some(b) = &r.backoff {
        p.insert(
            "retry_back_off".into(),
            value!({"base_interval": duration::json(b)}),
        );
    }
    Some(Value::Object(p))
}

/// gRPC status names Istio accepts in `abort.grpcStatus`, by code.
pub const GRPC_STATUS: &[&str] = &[
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

fn fault_config(f: &HttpFault) -> Option<Value> {
    let mut out = Map::new();
    out.insert("@type".into(), value!(type_url::FAULT));
    if let Some(d) = &f.delay {
        if let Some(fixed) = &d.fixed_delay {
            let pct = match (&d.percentage, d.percent) {
                (Some(p), _) => million(p),
                (None, Some(p)) => value!({"numerator": p, "denominator": "HUNDRED"}),
                (None, None) => value!({"numerator": 0, "denominator": "HUNDRED"}),
            };
            out.insert(
                "delay".into(),
                value!({"fixed_delay": duration::json(fixed), "percentage": pct}),
            );
        }
    }
    if let Some(a) = &f.abort {
        let pct = a.percentage.as_ref().map(million);
        let mut abort = Map::new();
        if let Some(s) = a.http_status {
            abort.insert("http_status".into(), value!(s));
        } else if let Some(g) = &a.grpc_status {
            let code = GRPC_STATUS.iter().position(|s| s == g).unwrap_or(2);
            abort.insert("grpc_status".into(), value!(code));
        }
        if !abort.is_empty() {
            if let Some(p) = pct {
                abort.insert("percentage".into(), p);
            }
            out.insert("abort".into(), Value::Object(abort));
        }
    }
    (out.len() > 1).then_some(Value::Object(out))
}

fn cors_config(c: &CorsPolicy) -> Value {
    let mut out = Map::new();
    out.insert("@type".into(), value!(type_url::CORS_POLICY));
    let origins: Vec<Value> = if !c.allow_origins.is_empty() {
        c.allow_origins.iter().filter_map(string_matcher).collect()
    } else {
        c.allow_origin
            .iter()
            .map(|o| value!({"exact": o}))
            .collect()
    };
    if !origins.is_empty() {
        out.insert("allow_origin_string_match".into(), value!(origins));
    }
    let join = |v: &[String]| v.join(",");
    if !c.allow_methods.is_empty() {
        out.insert("allow_methods".into(), value!(join(&c.allow_methods)));
    }
    if !c.allow_headers.is_empty() {
        out.insert("allow_headers".into(), value!(join(&c.allow_headers)));
    }
    if !c.expose_headers.is_empty() {
        out.insert("expose_headers".into(), value!(join(&c.expose_headers)));
    }
    if let Some(age) = &c.max_age {
        if let Ok(d) = duration::Duration::parse(age) {
            out.insert("max_age".into(), value!((d.0 / 1_000_000_000).to_string()));
        }
    }
    if let Some(cred) = c.allow_credentials {
        out.insert("allow_credentials".into(), value!(cred));
    }
    out.insert(
        "filter_enabled".into(),
        value!({"default_value": {"numerator": 100, "denominator": "HUNDRED"}}),
    );
    out.insert(
        "forward_not_matching_preflights".into(),
        value!(c.unmatched_preflights.as_deref() != Some("IGNORE")),
    );
    Value::Object(out)
}
