//! Authorization and authentication filters as Envoy runs them on the generated config:
//! `envoy.filters.http.jwt_authn`, `envoy.filters.http.rbac` / `envoy.filters.network.rbac`
//! (enforced rules and shadow rules) and ext_authz (`filter_enabled_metadata` decides whether
//! the request is sent to the authorization service).
//!
//! What the request carries stands in for what Envoy would see: `source_principal` is the
//! client certificate's SPIFFE URI (present only over mTLS), `source_ip` the peer address, and
//! `jwt` the claims of a bearer token. A token is taken to be signed by the key its issuer's
//! provider holds, except istiod's public-only key (an unfetchable JWKS), which verifies nothing.

use super::http::{header_matches, string_matcher};
use super::outcome::{AuthzDecision, Outcome, Stage};
use super::request::Request;
use crate::envoy::Value;
use crate::translate::authz::jwt::PUBLIC_ONLY_JWKS;
use serde_json::Value as Json;

const RBAC_HTTP: &str = "envoy.filters.http.rbac";
const RBAC_NETWORK: &str = "envoy.filters.network.rbac";
const JWT: &str = "envoy.filters.http.jwt_authn";
const EXT_HTTP: &str = "envoy.filters.http.ext_authz";
const EXT_NETWORK: &str = "envoy.filters.network.ext_authz";
/// The dynamic-metadata key RBAC shadow rules leave for ext_authz.
const SHADOW_POLICY_KEY: &str = "shadow_effective_policy_id";

/// What the connection tells the filters beyond the request itself.
pub(crate) struct Conn<'a> {
    pub req: &'a Request,
    /// The chain terminated Istio mTLS: the peer certificate (its principal) is known.
    pub mtls: bool,
    /// The request is HTTP (headers, path, JWT metadata exist).
    pub http: bool,
}

/// Dynamic metadata filters leave for later filters: (filter, key) -> value.
#[derive(Default)]
struct Metadata {
    jwt_payload: Option<Json>,
    /// (RBAC filter name, `<prefix>shadow_effective_policy_id`, policy id).
    shadow_ids: Vec<(String, String, String)>,
}

/// A local answer an HTTP filter sends.
pub(crate) struct Denied {
    pub status: u16,
    pub details: String,
    pub body: String,
}

fn name(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

/// Run the HCM's HTTP filters up to the router. Returns the local answer of the first filter
/// that stops the request.
pub(crate) fn http(filters: &[Value], conn: &Conn, out: &mut Outcome) -> Option<Denied> {
    let mut md = Metadata::default();
    for f in filters {
        let tc = f.get("typed_config").unwrap_or(&Value::Null);
        let denied = match name(f) {
            JWT => jwt(tc, conn, &mut md, out),
            RBAC_HTTP => rbac(RBAC_HTTP, tc, conn, &mut md, out).map(|details| Denied {
                status: 403,
                details,
                body: "RBAC: access denied".into(),
            }),
            EXT_HTTP => {
                ext_authz(EXT_HTTP, tc, &md, out);
                None
            }
            other => {
                if let Some(kind) = unrunnable(tc) {
                    out.step(
                        Stage::NetworkFilter,
                        other,
                        format!(
                            "HTTP filter {other} ({kind}) passed through: the simulator cannot \
                             run {kind}, so the request continues as if it changed nothing"
                        ),
                    );
                }
                None
            }
        };
        if denied.is_some() {
            return denied;
        }
    }
    None
}

/// The kind of an HTTP filter that runs user code or calls out, which the simulator cannot run
/// (added by EnvoyFilters: Lua, Wasm, ext_proc...).
fn unrunnable(typed_config: &Value) -> Option<&'static str> {
    let ty = typed_config["@type"].as_str().unwrap_or_default();
    let inner = typed_config["type_url"].as_str().unwrap_or_default();
    let kinds = [
        (".lua.", "Lua code"),
        (".wasm.", "Wasm code"),
        (".ext_proc.", "an external processor"),
        (".golang.", "Go code"),
        (".dynamic_modules.", "a dynamic module"),
    ];
    kinds
        .iter()
        .find(|(k, _)| ty.contains(k) || inner.contains(k))
        .map(|(_, kind)| *kind)
}

/// Run the network filters before the TCP proxy; Some(details) when one closes the connection.
pub(crate) fn network(filters: &[&Value], conn: &Conn, out: &mut Outcome) -> Option<String> {
    let mut md = Metadata::default();
    for f in filters {
        let tc = f.get("typed_config").unwrap_or(&Value::Null);
        match name(f) {
            RBAC_NETWORK => {
                if let Some(d) = rbac(RBAC_NETWORK, tc, conn, &mut md, out) {
                    return Some(d);
                }
            }
            EXT_NETWORK => ext_authz(EXT_NETWORK, tc, &md, out),
            _ => {}
        }
    }
    None
}

/// `ns[default]-policy[deny-path]-rule[0]` -> the AuthorizationPolicy's `istio.config` path.
pub fn policy_config_path(policy: &str) -> Option<String> {
    let (ns, name, _) = parse_rule_name(policy)?;
    Some(format!(
        "/apis/security.istio.io/v1/namespaces/{ns}/authorization-policy/{name}"
    ))
}

/// (namespace, policy, rule index) of one of istiod's RBAC policy names, with or without the
/// CUSTOM prefix and bad-provider suffix.
pub fn parse_rule_name(policy: &str) -> Option<(String, String, usize)> {
    let at = policy.find("ns[")?;
    let rest = &policy[at + 3..];
    let (ns, rest) = rest.split_once("]-policy[")?;
    let (name, rest) = rest.split_once("]-rule[")?;
    let (rule, _) = rest.split_once(']')?;
    Some((ns.to_string(), name.to_string(), rule.parse().ok()?))
}

fn decision(
    filter: &str,
    action: &str,
    dry_run: bool,
    result: &str,
    policy: Option<&str>,
) -> AuthzDecision {
    AuthzDecision {
        filter: filter.to_string(),
        action: action.to_string(),
        dry_run,
        result: result.to_string(),
        policy: policy.map(str::to_string),
        candidates: Vec::new(),
        config_path: policy.and_then(policy_config_path),
        file: None,
        line: None,
    }
}

/// One RBAC filter: the enforced rules decide, the shadow rules are only reported (and, for
/// CUSTOM, tag the request for ext_authz). Some(details) when the request is denied.
fn rbac(
    filter: &str,
    tc: &Value,
    conn: &Conn,
    md: &mut Metadata,
    out: &mut Outcome,
) -> Option<String> {
    let shadow_prefix = tc
        .get("shadow_rules_stat_prefix")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(shadow) = tc.get("shadow_rules") {
        let action = action_of(shadow);
        let matched = first_match(shadow, conn, md);
        if shadow_prefix == "istio_ext_authz_" {
            // CUSTOM: the shadow rules only say which requests go to the provider.
            if let Some(p) = &matched {
                md.shadow_ids.push((
                    filter.to_string(),
                    format!("{shadow_prefix}{SHADOW_POLICY_KEY}"),
                    p.clone(),
                ));
                let d = decision(
                    filter,
                    "CUSTOM",
                    false,
                    "matched: the request goes to ext_authz",
                    Some(p),
                );
                out.step(
                    Stage::Authz,
                    filter,
                    format!("CUSTOM policy {p} matches: ext_authz decides"),
                );
                out.authz.push(d);
            } else {
                out.step(
                    Stage::Authz,
                    filter,
                    "no CUSTOM policy matches: ext_authz is skipped",
                );
            }
        } else {
            let (would, text) = verdict(action, matched.as_deref());
            let result = if would { "would allow" } else { "would deny" };
            out.step(
                Stage::Authz,
                filter,
                format!("dry run ({action}): {text}; not enforced"),
            );
            out.authz
                .push(decision(filter, action, true, result, matched.as_deref()));
        }
    }
    let rules = tc.get("rules")?;
    let action = action_of(rules);
    let matched = first_match(rules, conn, md);
    let (allowed, text) = verdict(action, matched.as_deref());
    let result = match (action, allowed) {
        ("LOG", _) => {
            if matched.is_some() {
                "logged"
            } else {
                "not logged"
            }
        }
        (_, true) => "allowed",
        (_, false) => "denied",
    };
    out.step(Stage::Authz, filter, format!("RBAC {action}: {text}"));
    let mut d = decision(filter, action, false, result, matched.as_deref());
    if !allowed && matched.is_none() {
        d.candidates = policy_names(rules);
        d.config_path = d.candidates.first().and_then(|p| policy_config_path(p));
    }
    out.authz.push(d);
    if allowed {
        None
    } else {
        Some(format!(
            "rbac_access_denied_matched_policy[{}]",
            matched.as_deref().unwrap_or("none")
        ))
    }
}

fn action_of(rules: &Value) -> &str {
    rules
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or("ALLOW")
}

/// (allowed, why) for an RBAC action and the policy that matched.
fn verdict(action: &str, matched: Option<&str>) -> (bool, String) {
    match (action, matched) {
        ("DENY", Some(p)) => (false, format!("policy {p} matches: denied")),
        ("DENY", None) => (true, "no policy matches: allowed".into()),
        ("LOG", Some(p)) => (true, format!("policy {p} matches: logged")),
        ("LOG", None) => (true, "no policy matches".into()),
        (_, Some(p)) => (true, format!("policy {p} matches: allowed")),
        (_, None) => (false, "no policy matches: denied".into()),
    }
}

/// Every policy name of an RBAC rule set, in name order.
fn policy_names(rules: &Value) -> Vec<String> {
    let mut names: Vec<String> = rules
        .get("policies")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(str::to_string).collect())
        .unwrap_or_default();
    crate::order::sort(&mut names);
    names
}

/// The first policy, in name order (Envoy keeps them in a sorted map), whose permissions and
/// principals both match.
fn first_match(rules: &Value, conn: &Conn, md: &Metadata) -> Option<String> {
    let policies = rules.get("policies")?.as_object()?;
    let mut names: Vec<&str> = policies.keys().collect();
    crate::order::sort(&mut names);
    names.into_iter().find_map(|n| {
        let p = &policies[n];
        let any = |key: &str, f: &dyn Fn(&Value) -> bool| {
            p.get(key)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(f))
        };
        let ok = any("permissions", &|x| permission(x, conn, md))
            && any("principals", &|x| principal(x, conn, md));
        ok.then(|| n.to_string())
    })
}

fn all_of(list: Option<&Value>, f: &dyn Fn(&Value) -> bool) -> bool {
    list.and_then(Value::as_array)
        .is_some_and(|a| a.iter().all(f))
}

fn any_of(list: Option<&Value>, f: &dyn Fn(&Value) -> bool) -> bool {
    list.and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(f))
}

fn permission(p: &Value, conn: &Conn, md: &Metadata) -> bool {
    let req = conn.req;
    if let Some(a) = p.get("and_rules") {
        return all_of(a.get("rules"), &|x| permission(x, conn, md));
    }
    if let Some(o) = p.get("or_rules") {
        return any_of(o.get("rules"), &|x| permission(x, conn, md));
    }
    if let Some(n) = p.get("not_rule") {
        return !permission(n, conn, md);
    }
    if p.get("any").is_some() {
        return true;
    }
    if let Some(h) = p.get("header") {
        return conn.http && header_matches(h, req);
    }
    if let Some(u) = p.get("url_path") {
        return conn.http
            && u.get("path")
                .is_some_and(|m| string_matcher(m, req.path_only()));
    }
    if let Some(t) = p.pointer("/uri_template/typed_config/path_template") {
        return conn.http && t.as_str().is_some_and(|t| uri_template(t, req.path_only()));
    }
    if let Some(port) = p.get("destination_port").and_then(Value::as_u64) {
        return u64::from(req.port) == port;
    }
    if let Some(r) = p.get("destination_port_range") {
        let start = r.get("start").and_then(Value::as_u64).unwrap_or(0);
        let end = r.get("end").and_then(Value::as_u64).unwrap_or(0);
        return (start..end).contains(&u64::from(req.port));
    }
    if let Some(c) = p.get("destination_ip") {
        return in_cidr(&req.address, c);
    }
    if let Some(m) = p.get("requested_server_name") {
        return string_matcher(m, &req.sni);
    }
    if let Some(m) = p.get("metadata") {
        return metadata(m, md);
    }
    false
}

fn principal(p: &Value, conn: &Conn, md: &Metadata) -> bool {
    let req = conn.req;
    if let Some(a) = p.get("and_ids") {
        return all_of(a.get("ids"), &|x| principal(x, conn, md));
    }
    if let Some(o) = p.get("or_ids") {
        return any_of(o.get("ids"), &|x| principal(x, conn, md));
    }
    if let Some(n) = p.get("not_id") {
        return !principal(n, conn, md);
    }
    if p.get("any").is_some() {
        return true;
    }
    if let Some(a) = p.get("authenticated") {
        // Only a verified client certificate names the peer.
        if !conn.mtls || req.source_principal.is_empty() {
            return false;
        }
        let uri = format!("spiffe://{}", req.source_principal);
        return a
            .get("principal_name")
            .is_none_or(|m| string_matcher(m, &uri));
    }
    if let Some(fs) = p.get("filter_state") {
        // Waypoints (and older sidecars) read the peer identity from filter state.
        if fs.get("key").and_then(Value::as_str) != Some("io.istio.peer_principal")
            || !conn.mtls
            || req.source_principal.is_empty()
        {
            return false;
        }
        let uri = format!("spiffe://{}", req.source_principal);
        return fs
            .get("string_match")
            .is_some_and(|m| string_matcher(m, &uri));
    }
    if let Some(c) = p.get("direct_remote_ip").or_else(|| p.get("source_ip")) {
        return in_cidr(&req.source_ip, c);
    }
    if let Some(c) = p.get("remote_ip") {
        // The original client: the first X-Forwarded-For entry when there is one.
        let xff = req
            .header("x-forwarded-for")
            .and_then(|x| x.split(',').next())
            .map(str::trim);
        return in_cidr(xff.unwrap_or(&req.source_ip), c);
    }
    if let Some(h) = p.get("header") {
        return conn.http && header_matches(h, req);
    }
    if let Some(m) = p.get("metadata") {
        return metadata(m, md);
    }
    false
}

fn in_cidr(ip: &str, range: &Value) -> bool {
    let Some(prefix) = range.get("address_prefix").and_then(Value::as_str) else {
        return false;
    };
    let len = range.get("prefix_len").and_then(Value::as_u64).unwrap_or(0) as u32;
    match (
        ip.parse::<std::net::IpAddr>(),
        prefix.parse::<std::net::IpAddr>(),
    ) {
        (Ok(std::net::IpAddr::V4(a)), Ok(std::net::IpAddr::V4(b))) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - len.min(32))
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (Ok(std::net::IpAddr::V6(a)), Ok(std::net::IpAddr::V6(b))) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len.min(128))
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// Envoy's uri_template match: `*` is one path segment, `**` any number (the rest).
fn uri_template(t: &str, path: &str) -> bool {
    let ts: Vec<&str> = t.trim_start_matches('/').split('/').collect();
    let ps: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    fn go(ts: &[&str], ps: &[&str]) -> bool {
        match ts.split_first() {
            None => ps.is_empty(),
            Some((&"**", rest)) => (0..=ps.len()).any(|i| go(rest, &ps[i..])),
            Some((&"*", rest)) => ps.first().is_some_and(|p| !p.is_empty()) && go(rest, &ps[1..]),
            Some((lit, rest)) => ps.first() == Some(lit) && go(rest, &ps[1..]),
        }
    }
    go(&ts, &ps)
}

/// A metadata matcher on what jwt_authn (payload) or a shadow RBAC filter left.
fn metadata(m: &Value, md: &Metadata) -> bool {
    let filter = m.get("filter").and_then(Value::as_str).unwrap_or("");
    let keys: Vec<&str> = m
        .get("path")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("key").and_then(Value::as_str))
        .collect();
    let found: Option<Json> = if filter == JWT {
        match keys.split_first() {
            Some((&"payload", rest)) => {
                let mut v = md.jwt_payload.as_ref();
                for k in rest {
                    v = v.and_then(|x| x.get(*k));
                }
                v.cloned()
            }
            _ => None,
        }
    } else {
        md.shadow_ids
            .iter()
            .find(|(f, k, _)| f == filter && keys == [k.as_str()])
            .map(|(_, _, id)| Json::String(id.clone()))
    };
    let Some(v) = found else {
        return false;
    };
    m.get("value").is_some_and(|vm| value_matches(vm, &v))
}

fn value_matches(vm: &Value, v: &Json) -> bool {
    if let Some(sm) = vm.get("string_match") {
        return v.as_str().is_some_and(|s| string_matcher(sm, s));
    }
    if let Some(one) = vm.pointer("/list_match/one_of") {
        return v
            .as_array()
            .is_some_and(|a| a.iter().any(|x| value_matches(one, x)));
    }
    if let Some(o) = vm.pointer("/or_match/value_matchers") {
        return o
            .as_array()
            .is_some_and(|a| a.iter().any(|m| value_matches(m, v)));
    }
    if vm.get("present_match").is_some() {
        return !v.is_null();
    }
    if let Some(b) = vm.get("bool_match").and_then(Value::as_bool) {
        return v.as_bool() == Some(b);
    }
    false
}

/// ext_authz: enabled when the CUSTOM shadow rules tagged the request for its provider.
fn ext_authz(filter: &str, tc: &Value, md: &Metadata, out: &mut Outcome) {
    let enabled = tc
        .get("filter_enabled_metadata")
        .is_none_or(|m| metadata(m, md));
    let target = tc
        .pointer("/grpc_service/envoy_grpc/cluster_name")
        .or_else(|| tc.pointer("/http_service/server_uri/cluster"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let provider = tc
        .pointer("/filter_enabled_metadata/value/string_match/prefix")
        .and_then(Value::as_str)
        .and_then(|p| p.strip_prefix("istio-ext-authz-"))
        .unwrap_or("");
    if !enabled {
        out.step(
            Stage::Authz,
            filter,
            format!("ext_authz ({provider}) not enabled for this request"),
        );
        return;
    }
    let policy = md.shadow_ids.iter().find(|(f, ..)| {
        (f == RBAC_HTTP && filter == EXT_HTTP) || (f == RBAC_NETWORK && filter == EXT_NETWORK)
    });
    let result =
        format!("sent to provider {provider} ({target}); its answer decides, taken as allow here");
    out.step(Stage::Authz, filter, result.clone());
    out.authz.push(decision(
        filter,
        "CUSTOM",
        false,
        &result,
        policy.map(|(_, _, p)| p.as_str()),
    ));
}

/// jwt_authn: verify the request's token against the providers its requirement names.
fn jwt(tc: &Value, conn: &Conn, md: &mut Metadata, out: &mut Outcome) -> Option<Denied> {
    let req = conn.req;
    if tc.get("bypass_cors_preflight").and_then(Value::as_bool) == Some(true)
        && req.method == "OPTIONS"
        && req.header("origin").is_some()
        && req.header("access-control-request-method").is_some()
    {
        out.step(Stage::Authz, JWT, "CORS preflight: jwt_authn is bypassed");
        return None;
    }
    let providers = tc.get("providers");
    let requirement = tc
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| {
            r.pointer("/match/prefix")
                .and_then(Value::as_str)
                .is_some_and(|p| req.path_only().starts_with(p))
        })
        .and_then(|r| r.get("requires"));
    let Some(requirement) = requirement else {
        out.step(Stage::Authz, JWT, "no jwt_authn rule matches the path");
        return None;
    };
    let token = req.jwt.as_ref();
    match requires(requirement, providers, token) {
        Ok(Some(provider)) => {
            let p = providers.and_then(|ps| ps.get(&provider));
            let payload = token.map(|t| normalize(t, p));
            md.jwt_payload = payload;
            out.strip_jwt = p.and_then(|p| p.get("forward")).and_then(Value::as_bool) != Some(true);
            let iss = token
                .and_then(|t| t.get("iss"))
                .and_then(Json::as_str)
                .unwrap_or("");
            out.step(
                Stage::Authz,
                JWT,
                format!("the JWT of issuer {iss:?} verifies with provider {provider}"),
            );
            out.authz
                .push(decision(JWT, "JWT", false, "verified", None));
            None
        }
        Ok(None) => {
            out.step(
                Stage::Authz,
                JWT,
                "no JWT: allowed without one (allow_missing)",
            );
            out.authz
                .push(decision(JWT, "JWT", false, "no token", None));
            None
        }
        Err(msg) => {
            out.step(Stage::Authz, JWT, format!("401: {msg}"));
            out.authz
                .push(decision(JWT, "JWT", false, &format!("denied: {msg}"), None));
            Some(Denied {
                status: 401,
                details: format!("jwt_authn_access_denied{{{}}}", msg.replace(' ', "_")),
                body: msg,
            })
        }
    }
}

/// Ok(Some(provider)) verified, Ok(None) allowed without a token, Err(Envoy's message).
fn requires(
    r: &Value,
    providers: Option<&Value>,
    token: Option<&Json>,
) -> Result<Option<String>, String> {
    if let Some(p) = r.get("provider_name").and_then(Value::as_str) {
        let Some(t) = token else {
            return Err("Jwt is missing".into());
        };
        return verify(providers.and_then(|ps| ps.get(p)), t).map(|_| Some(p.to_string()));
    }
    if r.get("allow_missing").is_some() {
        return match token {
            None => Ok(None),
            // A token no provider of this requirement accepts.
            Some(_) => Err("Jwt issuer is not configured".into()),
        };
    }
    if let Some(list) = r
        .pointer("/requires_any/requirements")
        .and_then(Value::as_array)
    {
        let mut err: Option<String> = None;
        for x in list {
            match requires(x, providers, token) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    // Prefer the most telling error: a verification failure over a missing
                    // or unknown issuer.
                    let rank = |m: &str| match m {
                        "Jwt is missing" => 0,
                        "Jwt issuer is not configured" => 1,
                        _ => 2,
                    };
                    if err.as_deref().is_none_or(|old| rank(&e) > rank(old)) {
                        err = Some(e);
                    }
                }
            }
        }
        return Err(err.unwrap_or_else(|| "Jwt is missing".into()));
    }
    if let Some(list) = r
        .pointer("/requires_all/requirements")
        .and_then(Value::as_array)
    {
        let mut verified = None;
        for x in list {
            if let Some(p) = requires(x, providers, token)? {
                verified = Some(p);
            }
        }
        return Ok(verified);
    }
    Err("Jwt is missing".into())
}

fn verify(provider: Option<&Value>, token: &Json) -> Result<(), String> {
    let Some(p) = provider else {
        return Err("Jwt issuer is not configured".into());
    };
    let iss = token.get("iss").and_then(Json::as_str).unwrap_or("");
    let want = p.get("issuer").and_then(Value::as_str).unwrap_or("");
    if !want.is_empty() && iss != want {
        return Err("Jwt issuer is not configured".into());
    }
    if p.pointer("/local_jwks/inline_string")
        .and_then(Value::as_str)
        == Some(PUBLIC_ONLY_JWKS)
    {
        // istiod could not fetch the JWKS: nobody holds the key it inlined.
        return Err("Jwt verification fails".into());
    }
    let audiences: Vec<&str> = p
        .get("audiences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !audiences.is_empty() {
        let aud: Vec<&str> = match token.get("aud") {
            Some(Json::String(s)) => vec![s.as_str()],
            Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        };
        if !aud.iter().any(|a| audiences.contains(a)) {
            return Err("Audiences in Jwt are not allowed".into());
        }
    }
    Ok(())
}

/// The payload as jwt_authn writes it to metadata: space-delimited claims become lists.
fn normalize(token: &Json, provider: Option<&Value>) -> Json {
    let mut t = token.clone();
    let claims: Vec<&str> = provider
        .and_then(|p| p.pointer("/normalize_payload_in_metadata/space_delimited_claims"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if let Json::Object(map) = &mut t {
        for c in claims {
            if let Some(Json::String(s)) = map.get(c).cloned() {
                map.insert(
                    c.to_string(),
                    Json::Array(s.split(' ').map(|x| Json::String(x.to_string())).collect()),
                );
            }
        }
    }
    t
}
