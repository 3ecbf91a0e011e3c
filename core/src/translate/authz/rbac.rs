//! One AuthorizationPolicy rule into one Envoy RBAC policy (istiod's authz `model`: `New`,
//! `MigrateTrustDomain`, `Generate` and the per-attribute generators).
//!
//! A rule becomes permissions (one per `to`, ANDed with the `when` conditions on the
//! destination) and principals (one per `from`, ANDed with the `when` conditions on the source).
//! Attributes Envoy can only see on HTTP fail on TCP chains: an ALLOW rule holding one is
//! dropped (a narrower allow), a DENY or AUDIT rule just loses that condition (a wider deny).

use super::matcher as m;
use crate::envoy::Value;
use crate::istio::security::Rule;
use crate::value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
    Log,
}

/// Which attribute a condition tests, and how it becomes a matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gen {
    DestIp,
    DestPort,
    ConnSni,
    EnvoyFilter,
    SrcIp,
    RemoteIp,
    SrcNamespace,
    SrcTrustDomain,
    SrcServiceAccount,
    SrcPrincipal,
    RequestPrincipal,
    RequestAudiences,
    RequestPresenter,
    RequestHeader,
    RequestClaims,
    Host,
    Path,
    Method,
}

impl Gen {
    /// Extended generators turn the whole value list into one matcher.
    fn extended(self) -> bool {
        matches!(
            self,
            Gen::EnvoyFilter
                | Gen::RequestPrincipal
                | Gen::RequestAudiences
                | Gen::RequestPresenter
                | Gen::RequestClaims
        )
    }
}

#[derive(Debug, Clone)]
struct Cond {
    gen: Gen,
    /// The policy's namespace: the default of a `serviceAccounts` entry without one.
    ns: String,
    key: String,
    values: Vec<String>,
    not_values: Vec<String>,
}

/// The trust domain and its aliases (istiod's `trustdomain.Bundle`).
pub struct TrustDomains(pub Vec<String>);

/// The key of every `when` condition istiod knows, or None (istiod: "unknown attribute").
fn gen_for_key(k: &str) -> Option<(Gen, bool)> {
    // (generator, is a permission)
    Some(match k {
        "destination.ip" => (Gen::DestIp, true),
        "destination.port" => (Gen::DestPort, true),
        "connection.sni" => (Gen::ConnSni, true),
        _ if k.starts_with("experimental.envoy.filters.") => (Gen::EnvoyFilter, true),
        "source.ip" => (Gen::SrcIp, false),
        "remote.ip" => (Gen::RemoteIp, false),
        "source.namespace" => (Gen::SrcNamespace, false),
        "source.trustDomain" => (Gen::SrcTrustDomain, false),
        "source.serviceAccount" => (Gen::SrcServiceAccount, false),
        "source.principal" => (Gen::SrcPrincipal, false),
        "request.auth.principal" => (Gen::RequestPrincipal, false),
        "request.auth.audiences" => (Gen::RequestAudiences, false),
        "request.auth.presenter" => (Gen::RequestPresenter, false),
        _ if k.starts_with("request.headers") => (Gen::RequestHeader, false),
        _ if k.starts_with("request.auth.claims") => (Gen::RequestClaims, false),
        _ => return None,
    })
}

/// A rule's conditions grouped the way Envoy wants them.
pub struct Model {
    permissions: Vec<Vec<Cond>>,
    principals: Vec<Vec<Cond>>,
}

fn cond(ns: &str, gen: Gen, key: &str, values: &[String], not_values: &[String]) -> Option<Cond> {
    (!values.is_empty() || !not_values.is_empty()).then(|| Cond {
        gen,
        ns: ns.to_string(),
        key: key.to_string(),
        values: values.to_vec(),
        not_values: not_values.to_vec(),
    })
}

impl Model {
    pub fn new(policy_ns: &str, rule: &Rule) -> Result<Model, String> {
        let mut base_perm = Vec::new();
        let mut base_prin = Vec::new();
        for w in &rule.when {
            let (gen, is_perm) =
                gen_for_key(&w.key).ok_or_else(|| format!("unknown attribute {}", w.key))?;
            if let Some(c) = cond(policy_ns, gen, &w.key, &w.values, &w.not_values) {
                if is_perm {
                    base_perm.push(c);
                } else {
                    base_prin.push(c);
                }
            }
        }
        let mut principals = Vec::new();
        for from in &rule.from {
            let mut front: Vec<Cond> = Vec::new();
            if let Some(s) = &from.source {
                // istiod inserts each at the front, so the last inserted comes first.
                let fields = [
                    (
                        Gen::SrcPrincipal,
                        "source.principal",
                        &s.principals,
                        &s.not_principals,
                    ),
                    (
                        Gen::RequestPrincipal,
                        "request.auth.principal",
                        &s.request_principals,
                        &s.not_request_principals,
                    ),
                    (
                        Gen::SrcServiceAccount,
                        "source.serviceAccount",
                        &s.service_accounts,
                        &s.not_service_accounts,
                    ),
                    (
                        Gen::SrcTrustDomain,
                        "source.trustDomain",
                        &s.trust_domains,
                        &s.not_trust_domains,
                    ),
                    (
                        Gen::SrcNamespace,
                        "source.namespace",
                        &s.namespaces,
                        &s.not_namespaces,
                    ),
                    (
                        Gen::RemoteIp,
                        "remote.ip",
                        &s.remote_ip_blocks,
                        &s.not_remote_ip_blocks,
                    ),
                    (Gen::SrcIp, "source.ip", &s.ip_blocks, &s.not_ip_blocks),
                ];
                for (g, k, v, n) in fields {
                    front.extend(cond(policy_ns, g, k, v, n));
                }
            }
            front.extend(base_prin.iter().cloned());
            principals.push(front);
        }
        if rule.from.is_empty() {
            principals.push(base_prin);
        }
        let mut permissions = Vec::new();
        for to in &rule.to {
            let mut front: Vec<Cond> = Vec::new();
            if let Some(o) = &to.operation {
                let fields = [
                    (Gen::Host, ":authority", &o.hosts, &o.not_hosts),
                    (Gen::Method, ":method", &o.methods, &o.not_methods),
                    (Gen::Path, "path-matcher", &o.paths, &o.not_paths),
                    (Gen::DestPort, "destination.port", &o.ports, &o.not_ports),
                ];
                for (g, k, v, n) in fields {
                    front.extend(cond(policy_ns, g, k, v, n));
                }
            }
            front.extend(base_perm.iter().cloned());
            permissions.push(front);
        }
        if rule.to.is_empty() {
            permissions.push(base_perm);
        }
        Ok(Model {
            permissions,
            principals,
        })
    }

    /// `MigrateTrustDomain`: principals of an alias (or of `cluster.local`) are written once per
    /// trust domain of the bundle; `source.trustDomain` values naming one of them expand to all.
    pub fn migrate_trust_domain(&mut self, td: &TrustDomains) {
        for p in &mut self.principals {
            for c in p.iter_mut() {
                match c.gen {
                    Gen::SrcPrincipal => {
                        c.values = replace_aliases(td, &c.values);
                        c.not_values = replace_aliases(td, &c.not_values);
                    }
                    Gen::SrcTrustDomain => {
                        c.values = expand_aliases(td, &c.values);
                        c.not_values = expand_aliases(td, &c.not_values);
                    }
                    _ => {}
                }
            }
        }
    }

    /// `Generate`: the Envoy RBAC policy, or an error when the rule cannot apply (an ALLOW rule
    /// with an HTTP-only attribute on a TCP chain, an invalid value).
    pub fn generate(&self, for_tcp: bool, action: Action) -> Result<Value, String> {
        let mut permissions = Vec::new();
        for rl in &self.permissions {
            let mut and = Vec::new();
            for c in rl {
                and.extend(rule_items(c, for_tcp, action, true)?);
            }
            if and.is_empty() {
                and.push(value!({"any": true}));
            }
            permissions.push(value!({"and_rules": {"rules": and}}));
        }
        let mut principals = Vec::new();
        for rl in &self.principals {
            let mut and = Vec::new();
            for c in rl {
                and.extend(rule_items(c, for_tcp, action, false)?);
            }
            if and.is_empty() {
                and.push(value!({"any": true}));
            }
            principals.push(value!({"and_ids": {"ids": and}}));
        }
        Ok(value!({"permissions": permissions, "principals": principals}))
    }
}

/// The policy istiod writes for a policy without rules: it never matches.
pub fn match_never() -> Value {
    value!({
        "permissions": [{"not_rule": {"any": true}}],
        "principals": [{"not_id": {"any": true}}],
    })
}

/// `checkError`: errors only count for ALLOW.
fn check(action: Action, r: Result<Option<Value>, String>) -> Result<Option<Value>, String> {
    match r {
        Ok(v) => Ok(v),
        Err(e) if action == Action::Allow => Err(e),
        Err(_) => Ok(None),
    }
}

fn or_of(items: Vec<Value>, perm: bool) -> Value {
    if perm {
        value!({"or_rules": {"rules": items}})
    } else {
        value!({"or_ids": {"ids": items}})
    }
}

fn not_of(item: Value, perm: bool) -> Value {
    if perm {
        value!({ "not_rule": item })
    } else {
        value!({ "not_id": item })
    }
}

/// One condition as the AND items it contributes (a values item and a NOT of the not-values).
fn rule_items(c: &Cond, for_tcp: bool, action: Action, perm: bool) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    let one = |v: &str| -> Result<Option<Value>, String> {
        if perm {
            permission(c, v, for_tcp)
        } else {
            principal(c, v, for_tcp)
        }
    };
    let many = |vs: &[String]| -> Result<Option<Value>, String> {
        if perm {
            extended_permission(c, vs, for_tcp)
        } else {
            extended_principal(c, vs, for_tcp)
        }
    };
    for (list, negate) in [(&c.values, false), (&c.not_values, true)] {
        if list.is_empty() {
            continue;
        }
        let item = if c.gen.extended() {
            check(action, many(list))?
        } else {
            let mut or = Vec::new();
            for v in list {
                if let Some(x) = check(action, one(v))? {
                    or.push(x);
                }
            }
            (!or.is_empty()).then(|| or_of(or, perm))
        };
        if let Some(x) = item {
            out.push(if negate { not_of(x, perm) } else { x });
        }
    }
    Ok(out)
}

fn http_only(c: &Cond, for_tcp: bool) -> Result<(), String> {
    if for_tcp {
        Err(format!("{:?} is HTTP only", c.key))
    } else {
        Ok(())
    }
}

fn unimplemented() -> Result<Option<Value>, String> {
    Err("unimplemented".into())
}

fn permission(c: &Cond, v: &str, for_tcp: bool) -> Result<Option<Value>, String> {
    Ok(Some(match c.gen {
        Gen::DestIp => value!({ "destination_ip": m::cidr_range(v)? }),
        Gen::DestPort => value!({ "destination_port": parse_port(v)? }),
        Gen::ConnSni => value!({ "requested_server_name": m::string(v) }),
        Gen::Host => {
            http_only(c, for_tcp)?;
            value!({ "header": m::header(":authority", v, true) })
        }
        Gen::Method => {
            http_only(c, for_tcp)?;
            value!({ "header": m::header(":method", v, false) })
        }
        Gen::Path => {
            http_only(c, for_tcp)?;
            if v.contains("{*}") || v.contains("{**}") {
                let template = v.replace("{**}", "**").replace("{*}", "*");
                value!({"uri_template": {
                    "name": "uri-template",
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig",
                        "path_template": template,
                    },
                }})
            } else {
                value!({"url_path": {"path": m::string(v)}})
            }
        }
        _ => return unimplemented(),
    }))
}

fn principal(c: &Cond, v: &str, for_tcp: bool) -> Result<Option<Value>, String> {
    let authenticated = |name: Value| value!({"authenticated": {"principal_name": name}});
    Ok(Some(match c.gen {
        Gen::SrcIp => value!({ "direct_remote_ip": m::cidr_range(v)? }),
        Gen::RemoteIp => value!({ "remote_ip": m::cidr_range(v)? }),
        Gen::SrcNamespace => {
            let ns: Vec<String> = v.split('*').map(m::quote_meta).collect();
            authenticated(m::regex(&format!(".*/ns/{}/.*", ns.join(".*"))))
        }
        Gen::SrcServiceAccount => {
            let (ns, sa) = v.split_once('/').unwrap_or((c.ns.as_str(), v));
            authenticated(m::regex(&format!(
                "spiffe://.+/ns/{}/(.+/|)sa/{}(/.+)?",
                m::quote_meta(ns),
                m::quote_meta(sa)
            )))
        }
        Gen::SrcTrustDomain => authenticated(if v == "*" {
            m::prefix("spiffe://", false)
        } else if !v.contains('*') {
            m::prefix(&format!("spiffe://{v}/"), false)
        } else {
            let (a, b) = v.split_once('*').unwrap_or((v, ""));
            m::regex(&format!(
                "spiffe://{}[^/]*{}/.*",
                m::quote_meta(a),
                m::quote_meta(b)
            ))
        }),
        Gen::SrcPrincipal => authenticated(m::string_with_prefix(v, "spiffe://")),
        Gen::RequestHeader => {
            http_only(c, for_tcp)?;
            let name = in_brackets(c.key.trim_start_matches("request.headers"))?;
            value!({ "header": m::header(&name, v, false) })
        }
        _ => return unimplemented(),
    }))
}

fn extended_permission(c: &Cond, vs: &[String], _for_tcp: bool) -> Result<Option<Value>, String> {
    match c.gen {
        Gen::EnvoyFilter => {
            let key = c.key.trim_start_matches("experimental.");
            let key = key.strip_suffix(']').unwrap_or(key);
            let Some((filter, field)) = key.split_once('[') else {
                return Err(format!("invalid key: {}", c.key));
            };
            let matchers = vs
                .iter()
                .map(|v| {
                    if v.starts_with('[') && v.ends_with(']') {
                        let inner = v.trim_matches(['[', ']']);
                        value!({"list_match": {"one_of": {"string_match": m::string(inner)}}})
                    } else {
                        value!({ "string_match": m::string(v) })
                    }
                })
                .collect();
            Ok(Some(value!({
                "metadata": m::metadata_value(filter, field, m::or_values(matchers))
            })))
        }
        _ => unimplemented(),
    }
}

fn extended_principal(c: &Cond, vs: &[String], for_tcp: bool) -> Result<Option<Value>, String> {
    let metadata = |md: Value| value!({ "metadata": md });
    match c.gen {
        Gen::RequestPrincipal => {
            http_only(c, for_tcp)?;
            let any = m::regex(".+");
            let mut or: Vec<Value> = Vec::new();
            for v in vs {
                let (iss, sub, found) = match v.rfind('/') {
                    Some(i) => (&v[..i], &v[i + 1..], true),
                    None => (v.as_str(), "", false),
                };
                let (mi, ms) = if v == "*" {
                    (any.clone(), any.clone())
                } else if let Some(rest) = v.strip_prefix('*') {
                    if found {
                        let mi = if iss == "*" {
                            any.clone()
                        } else {
                            m::suffix(iss.trim_start_matches('*'), false)
                        };
                        (mi, m::exact(sub, false))
                    } else {
                        (any.clone(), m::suffix(rest, false))
                    }
                } else if v.ends_with('*') {
                    if found {
                        let ms = if sub == "*" {
                            any.clone()
                        } else {
                            m::prefix(sub.trim_end_matches('*'), false)
                        };
                        (m::exact(iss, false), ms)
                    } else {
                        (m::prefix(v.trim_end_matches('*'), false), any.clone())
                    }
                } else {
                    (m::exact(iss, false), m::exact(sub, false))
                };
                or.push(value!({"and_ids": {"ids": [
                    metadata(m::jwt_claim_string("iss", mi)),
                    metadata(m::jwt_claim_string("sub", ms)),
                ]}}));
            }
            Ok(match or.len() {
                0 => None,
                1 => or.pop(),
                _ => Some(or_of(or, false)),
            })
        }
        Gen::RequestAudiences | Gen::RequestPresenter => {
            http_only(c, for_tcp)?;
            let claim = if c.gen == Gen::RequestAudiences {
                "aud"
            } else {
                "azp"
            };
            Ok(Some(metadata(m::jwt_claims_list(
                &[claim.to_string()],
                m::string_or(vs),
            ))))
        }
        Gen::RequestClaims => {
            http_only(c, for_tcp)?;
            let claims = nested_brackets(c.key.trim_start_matches("request.auth.claims"))?;
            Ok(Some(metadata(m::jwt_claims_list(
                &claims,
                m::string_or(vs),
            ))))
        }
        _ => unimplemented(),
    }
}

fn parse_port(v: &str) -> Result<u32, String> {
    match v.parse::<u32>() {
        Ok(p) if p <= 65535 => Ok(p),
        _ => Err(format!("invalid port {v}")),
    }
}

fn in_brackets(s: &str) -> Result<String, String> {
    match s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        Some(name) => Ok(name.to_string()),
        None => Err(format!("expecting format [<NAME>], but found {s}")),
    }
}

/// `extractNameInNestedBrackets`: `[a][b]` is `["a", "b"]`; anything else must be one `[name]`.
fn nested_brackets(s: &str) -> Result<Vec<String>, String> {
    let bytes = s.as_bytes();
    let end_of = |begin: usize| -> Option<usize> {
        if begin >= bytes.len() || bytes[begin] != b'[' {
            return None;
        }
        for (i, &b) in bytes.iter().enumerate().skip(begin + 1) {
            if b == b'[' {
                return None;
            }
            if b == b']' {
                return Some(i);
            }
        }
        None
    };
    let mut claims = Vec::new();
    let mut begin = 0;
    while begin < bytes.len() {
        match end_of(begin) {
            Some(end) => {
                claims.push(s[begin + 1..end].to_string());
                begin = end + 1;
            }
            None => return Ok(vec![in_brackets(s)?]),
        }
    }
    Ok(claims)
}

fn trust_domain_of(principal: &str) -> Option<&str> {
    let parts: Vec<&str> = principal.split('/').collect();
    (parts.len() == 5).then_some(parts[0])
}

/// istiod's trustdomain `stringMatch` (patterns on either side).
fn td_matches(a: &str, list: &[String]) -> bool {
    let pre = |a: &str, p: &str| p.strip_suffix('*').is_some_and(|p| a.starts_with(p));
    let suf = |a: &str, p: &str| p.strip_prefix('*').is_some_and(|p| a.ends_with(p));
    list.iter()
        .any(|s| a == s || s == "*" || pre(a, s) || pre(s, a) || suf(a, s) || suf(s, a))
}

fn replace_aliases(td: &TrustDomains, principals: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for p in principals {
        let enforced = trust_domain_of(p).is_some_and(|t| t != "*");
        let Some(from) = trust_domain_of(p).filter(|_| enforced) else {
            out.push(p.clone());
            continue;
        };
        if td_matches(from, &td.0) || from == "cluster.local" {
            let mut each: Vec<String> = Vec::new();
            for t in &td.0 {
                // istiod's `suffixMatch(td, fromPrincipal)`: a `*.x` principal domain stays.
                let keep = from.strip_prefix('*').is_some_and(|s| t.ends_with(s));
                let np = if keep {
                    p.clone()
                } else {
                    let rest: Vec<&str> = p.split('/').skip(1).collect();
                    format!("{t}/{}", rest.join("/"))
                };
                if !each.contains(&np) {
                    each.push(np);
                }
            }
            out.extend(each);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn expand_aliases(td: &TrustDomains, values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let add: Vec<String> = if td.0.contains(v) {
            td.0.clone()
        } else {
            vec![v.clone()]
        };
        for a in add {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}
