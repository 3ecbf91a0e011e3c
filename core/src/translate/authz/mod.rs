//! Authorization and request authentication on one proxy: the RBAC, ext_authz and jwt_authn
//! filters istiod adds for the AuthorizationPolicies and RequestAuthentications that select it
//! (istiod's `plugin/authz`, `plugin/authn` and `security/authz/builder`).
//!
//! - Selection ([`policies_for`]): policies of the root namespace, then of the proxy's
//!   namespace, oldest first; a `selector` must match the proxy's labels; `targetRef(s)` attach
//!   only to Gateway API gateways (label `gateway.networking.k8s.io/gateway-name`), which also
//!   take selector policies (istiod's ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, on by default).
//! - Filters: CUSTOM first (an RBAC filter whose shadow rules tag the request, then ext_authz
//!   for that provider), then the JWT filter (HTTP only), then one RBAC filter per action in the
//!   order AUDIT, DENY, ALLOW (`builder.build`). Dry-run policies become `shadow_rules`.
//! - Placement ([`apply`]): HTTP filters open the HTTP filter list of inbound and gateway
//!   connection managers (after `istio.metadata_exchange` when present); network filters go in
//!   front of the TCP proxy of inbound and gateway TCP chains, after metadata exchange. Sidecar
//!   outbound chains keep none (istiod builds them without an authz builder), nor do the
//!   inbound blackhole chain and a gateway's AUTO_PASSTHROUGH chains (istiod: "We do not want
//!   any authz here").

pub mod ext_authz;
pub mod jwt;
mod matcher;
pub mod rbac;

#[cfg(test)]
mod tests;

use crate::envoy::Value;
use crate::istio::security::{target_refs, AuthorizationPolicy, JwtRule, TargetRef};
use crate::istio::LabelSelector;
use crate::mesh::{Proxy, Scope};
use crate::parse::Object;
use crate::sorted::SortedMap;
use crate::value;
use rbac::{Action, Model, TrustDomains};

pub const HTTP_RBAC: &str = "envoy.filters.http.rbac";
pub const NETWORK_RBAC: &str = "envoy.filters.network.rbac";
pub const HTTP_EXT_AUTHZ: &str = "envoy.filters.http.ext_authz";
pub const NETWORK_EXT_AUTHZ: &str = "envoy.filters.network.ext_authz";
const HTTP_RBAC_TYPE: &str = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";
const NETWORK_RBAC_TYPE: &str = "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC";
const METADATA_EXCHANGE: &str = "istio.metadata_exchange";
const HCM: &str = "envoy.filters.network.http_connection_manager";
const TCP_PROXY: &str = "envoy.filters.network.tcp_proxy";
/// `istio.io/dry-run`: the policy is evaluated and logged, never enforced.
pub const DRY_RUN_ANNOTATION: &str = "istio.io/dry-run";

/// The policies of one proxy, by action, in istiod's order.
#[derive(Default)]
pub struct Selected<'a> {
    pub custom: Vec<(&'a Object, &'a AuthorizationPolicy)>,
    pub deny: Vec<(&'a Object, &'a AuthorizationPolicy)>,
    pub allow: Vec<(&'a Object, &'a AuthorizationPolicy)>,
    pub audit: Vec<(&'a Object, &'a AuthorizationPolicy)>,
}

impl Selected<'_> {
    fn is_empty(&self) -> bool {
        self.custom.is_empty()
            && self.deny.is_empty()
            && self.allow.is_empty()
            && self.audit.is_empty()
    }
}

/// istiod's `WorkloadPolicyMatcher.ShouldAttachPolicy` for a (non-waypoint) proxy.
pub fn should_attach(
    proxy: &Proxy,
    policy_ns: &str,
    selector: Option<&LabelSelector>,
    refs: &[&TargetRef],
) -> bool {
    let selected = || selector.is_none_or(|s| s.matches(&proxy.labels));
    let Some(gateway) = proxy.labels.get(crate::gatewayapi::GATEWAY_NAME_LABEL) else {
        return refs.is_empty() && selected();
    };
    if refs.is_empty() {
        return selected();
    }
    refs.iter().any(|r| {
        let group_ok = matches!(r.group.as_str(), "gateway.networking.k8s.io");
        policy_ns == proxy.config_namespace
            && (r.namespace.is_empty() || r.namespace == proxy.config_namespace)
            && group_ok
            && r.kind == "Gateway"
            && &r.name == gateway
    })
}

/// The AuthorizationPolicies that apply to a proxy (`ListAuthorizationPolicies`).
pub fn policies_for<'a>(scope: &Scope<'a>) -> Selected<'a> {
    let mesh = scope.mesh;
    let proxy = scope.proxy;
    let root = mesh.config.root_namespace.as_str();
    let mut out = Selected::default();
    let namespaces = if proxy.config_namespace == root {
        vec![root]
    } else {
        vec![root, proxy.config_namespace.as_str()]
    };
    for ns in namespaces {
        for (obj, p) in mesh.authorization_policies() {
            if obj.namespace() != ns {
                continue;
            }
            let refs = target_refs(&p.target_ref, &p.target_refs);
            if !should_attach(proxy, ns, p.selector.as_ref(), &refs) {
                continue;
            }
            match p.action.as_deref().unwrap_or("ALLOW") {
                "ALLOW" => out.allow.push((obj, p)),
                "DENY" => out.deny.push((obj, p)),
                "AUDIT" => out.audit.push((obj, p)),
                "CUSTOM" => out.custom.push((obj, p)),
                _ => {}
            }
        }
    }
    out
}

/// The jwtRules of the RequestAuthentications that apply to a proxy, sorted by issuer.
pub fn jwt_rules_for<'a>(scope: &Scope<'a>) -> Vec<&'a JwtRule> {
    let mesh = scope.mesh;
    let proxy = scope.proxy;
    let root = mesh.config.root_namespace.as_str();
    let mut rules: Vec<&JwtRule> = Vec::new();
    let mut namespaces = vec![proxy.config_namespace.as_str()];
    if root != proxy.config_namespace {
        namespaces.push(root);
    }
    for ns in namespaces {
        for (obj, ra) in mesh.request_authentications() {
            let refs = target_refs(&ra.target_ref, &ra.target_refs);
            if obj.namespace() == ns && should_attach(proxy, ns, ra.selector.as_ref(), &refs) {
                rules.extend(ra.jwt_rules.iter());
            }
        }
    }
    crate::order::sort_by(&mut rules, |a, b| a.issuer.cmp(&b.issuer));
    rules
}

/// Go's `strconv.ParseBool` on the dry-run annotation (an unparsable value is false).
fn is_dry_run(obj: &Object) -> bool {
    matches!(
        obj.meta
            .annotations
            .get(DRY_RUN_ANNOTATION)
            .map(String::as_str),
        Some("1" | "t" | "T" | "TRUE" | "true" | "True")
    )
}

/// `policyName`: `ns[<ns>]-policy[<name>]-rule[<i>]`, prefixed for CUSTOM by provider.
pub fn rule_name(ns: &str, name: &str, rule: usize, provider: Option<&str>) -> String {
    let prefix = match provider {
        Some(p) if !p.is_empty() => format!("{}-{p}-", ext_authz::MATCH_PREFIX),
        Some(_) => format!("{}-", ext_authz::MATCH_PREFIX),
        None => String::new(),
    };
    format!("{prefix}ns[{ns}]-policy[{name}]-rule[{rule}]")
}

/// The enforced and dry-run policies of one action (`Builder.build`), by rule name.
#[derive(Default)]
struct Built {
    rules: Option<SortedMap<String, Value>>,
    shadow: Option<SortedMap<String, Value>>,
}

fn build_policies(
    policies: &[(&Object, &AuthorizationPolicy)],
    action: Action,
    for_tcp: bool,
    provider: Option<&str>,
    td: &TrustDomains,
) -> Built {
    let mut out = Built::default();
    for (obj, p) in policies {
        let target = if is_dry_run(obj) {
            out.shadow.get_or_insert_with(SortedMap::new)
        } else {
            out.rules.get_or_insert_with(SortedMap::new)
        };
        let ns = obj.namespace();
        for (i, rule) in p.rules.iter().enumerate() {
            let name = rule_name(ns, obj.name(), i, provider);
            let Ok(mut m) = Model::new(ns, rule) else {
                continue;
            };
            m.migrate_trust_domain(td);
            if let Ok(policy) = m.generate(for_tcp, action) {
                target.insert(name, policy);
            }
        }
        if p.rules.is_empty() {
            target.insert(rule_name(ns, obj.name(), 0, provider), rbac::match_never());
        }
    }
    out
}

fn rbac_json(action: Action, policies: &SortedMap<String, Value>) -> Value {
    let mut v = value!({});
    match action {
        Action::Allow => {}
        Action::Deny => v["action"] = value!("DENY"),
        Action::Log => v["action"] = value!("LOG"),
    }
    if !policies.is_empty() {
        let mut m = crate::envoy::Map::new();
        for (k, p) in policies.iter() {
            m.insert(k.clone().into(), p.clone());
        }
        v["policies"] = Value::Object(m);
    }
    v
}

/// An RBAC filter (HTTP or network) with enforced rules and/or shadow rules.
fn rbac_filter(
    for_tcp: bool,
    action: Action,
    rules: Option<&SortedMap<String, Value>>,
    shadow: Option<&SortedMap<String, Value>>,
    shadow_prefix: &str,
) -> Value {
    let mut tc = value!({
        "@type": if for_tcp { NETWORK_RBAC_TYPE } else { HTTP_RBAC_TYPE },
    });
    if let Some(r) = rules {
        tc["rules"] = rbac_json(action, r);
    }
    if let Some(s) = shadow {
        tc["shadow_rules"] = rbac_json(action, s);
    }
    if for_tcp {
        tc["stat_prefix"] = value!("tcp.");
    }
    if shadow.is_some() && !shadow_prefix.is_empty() {
        tc["shadow_rules_stat_prefix"] = value!(shadow_prefix);
    }
    value!({
        "name": if for_tcp { NETWORK_RBAC } else { HTTP_RBAC },
        "typed_config": tc,
    })
}

/// The shadow stat prefix of a dry-run action (`shadowRuleStatPrefix`).
fn dry_run_prefix(action: Action) -> &'static str {
    match action {
        Action::Allow => "istio_dry_run_allow_",
        Action::Deny => "istio_dry_run_deny_",
        Action::Log => "",
    }
}

/// The CUSTOM filters: per provider (sorted), an RBAC filter that only tags matching requests
/// and the provider's ext_authz filter; a provider that cannot be used becomes a DENY.
fn custom_filters(scope: &Scope, sel: &Selected, for_tcp: bool, td: &TrustDomains) -> Vec<Value> {
    let mut by_provider: SortedMap<String, Vec<(&Object, &AuthorizationPolicy)>> = SortedMap::new();
    for (o, p) in &sel.custom {
        let name = p
            .provider
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default();
        by_provider.entry(name).or_default().push((*o, *p));
    }
    let mut out = Vec::new();
    let bad = |built: &Built| {
        let mut deny = SortedMap::new();
        for (k, v) in built.rules.iter().flatten() {
            deny.insert(format!("{k}{}", ext_authz::BAD_SUFFIX), v.clone());
        }
        rbac_filter(for_tcp, Action::Deny, Some(&deny), None, "")
    };
    let many = by_provider.len() > 1;
    for (provider, policies) in by_provider.iter() {
        let built = build_policies(policies, Action::Deny, for_tcp, Some(provider), td);
        if many {
            // PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS is off by default.
            out.push(bad(&built));
            continue;
        }
        let resolved = if provider.is_empty() {
            Err("no provider specified in authorization policy".to_string())
        } else {
            ext_authz::resolve(scope.mesh, provider)
        };
        let resolved = match resolved {
            Ok(r) => r,
            Err(_) => {
                out.push(bad(&built));
                continue;
            }
        };
        let ext = if for_tcp { resolved.tcp } else { resolved.http };
        let Some(mut ext) = ext else {
            // An HTTP provider does nothing on a TCP chain.
            continue;
        };
        // Enforced CUSTOM policies are shadow rules (they only tag); dry-run ones are rules.
        let empty = SortedMap::new();
        let shadow = built.rules.as_ref().unwrap_or(&empty);
        let rules = built.shadow.as_ref().filter(|s| !s.is_empty());
        let mut f = rbac_filter(for_tcp, Action::Deny, rules, Some(shadow), "");
        f["typed_config"]["shadow_rules_stat_prefix"] = value!(ext_authz::SHADOW_PREFIX);
        out.push(f);
        let rbac_name = if for_tcp { NETWORK_RBAC } else { HTTP_RBAC };
        ext["filter_enabled_metadata"] = ext_authz::filter_enabled(rbac_name, provider);
        out.push(value!({
            "name": if for_tcp { NETWORK_EXT_AUTHZ } else { HTTP_EXT_AUTHZ },
            "typed_config": ext,
        }));
    }
    out
}

/// AUDIT, DENY, ALLOW RBAC filters.
fn local_filters(sel: &Selected, for_tcp: bool, td: &TrustDomains) -> Vec<Value> {
    let mut out = Vec::new();
    for (policies, action) in [
        (&sel.audit, Action::Log),
        (&sel.deny, Action::Deny),
        (&sel.allow, Action::Allow),
    ] {
        if policies.is_empty() {
            continue;
        }
        let built = build_policies(policies, action, for_tcp, None, td);
        out.push(rbac_filter(
            for_tcp,
            action,
            built.rules.as_ref(),
            built.shadow.as_ref(),
            dry_run_prefix(action),
        ));
    }
    out
}

/// The security filters of one proxy.
pub struct Filters {
    /// For inbound and gateway HTTP connection managers, in order.
    pub http: Vec<Value>,
    /// For TCP chains, in front of the TCP proxy.
    pub tcp: Vec<Value>,
}

pub fn filters(scope: &Scope) -> Filters {
    let sel = policies_for(scope);
    let jwt_rules = jwt_rules_for(scope);
    let mut td = vec![scope.mesh.config.trust_domain.clone()];
    td.extend(scope.mesh.config.trust_domain_aliases.iter().cloned());
    let td = TrustDomains(td);
    let mut http = Vec::new();
    let mut tcp = Vec::new();
    if !sel.is_empty() {
        http.extend(custom_filters(scope, &sel, false, &td));
        tcp.extend(custom_filters(scope, &sel, true, &td));
    }
    http.extend(jwt::filter(&jwt_rules, scope.proxy.is_gateway()));
    if !sel.is_empty() {
        http.extend(local_filters(&sel, false, &td));
        tcp.extend(local_filters(&sel, true, &td));
    }
    Filters { http, tcp }
}

/// Put the proxy's security filters into its listeners, where istiod builds them.
pub fn apply(scope: &Scope, listeners: &mut [Value]) {
    let f = filters(scope);
    if f.http.is_empty() && f.tcp.is_empty() {
        return;
    }
    let gateway = scope.proxy.is_gateway();
    for l in listeners.iter_mut() {
        let name = l.get("name").and_then(Value::as_str).unwrap_or("");
        let inbound = l.get("traffic_direction").and_then(Value::as_str) == Some("INBOUND");
        if name == crate::names::VIRTUAL_OUTBOUND || !(gateway || inbound) {
            continue;
        }
        for key in ["filter_chains", "default_filter_chain"] {
            let Some(slot) = l.get_mut(key) else { continue };
            match slot {
                Value::Array(chains) => {
                    for c in chains.iter_mut() {
                        chain(c, &f);
                    }
                }
                c @ Value::Object(_) => chain(c, &f),
                _ => {}
            }
        }
    }
}

/// Index after the leading metadata-exchange filters of a filter list.
fn after_mx(list: &[Value]) -> usize {
    list.iter()
        .take_while(|f| f.get("name").and_then(Value::as_str) == Some(METADATA_EXCHANGE))
        .count()
}

fn chain(c: &mut Value, f: &Filters) {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("");
    if name == "virtualInbound-blackhole" {
        return;
    }
    let Some(filters) = c.get_mut("filters").and_then(Value::as_array_mut) else {
        return;
    };
    let hcm = filters
        .iter()
        .position(|x| x.get("name").and_then(Value::as_str) == Some(HCM));
    match hcm {
        Some(i) => {
            if f.http.is_empty() {
                return;
            }
            let Some(list) = filters[i]["typed_config"]
                .get_mut("http_filters")
                .and_then(Value::as_array_mut)
            else {
                return;
            };
            let at = after_mx(list);
            list.splice(at..at, f.http.iter().cloned());
        }
        None => {
            // AUTO_PASSTHROUGH chains forward by SNI to `outbound_.<port>_._.<host>` clusters.
            let is_tcp = filters.iter().any(|x| {
                x.get("name").and_then(Value::as_str) == Some(TCP_PROXY)
                    && !x
                        .pointer("/typed_config/cluster")
                        .and_then(Value::as_str)
                        .is_some_and(|c| c.starts_with("outbound_."))
            });
            if !is_tcp || f.tcp.is_empty() {
                return;
            }
            let at = after_mx(filters);
            filters.splice(at..at, f.tcp.iter().cloned());
        }
    }
}
