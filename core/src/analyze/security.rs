//! AuthorizationPolicy and RequestAuthentication: the validating webhook's rules
//! (pkg/config/validation `ValidateAuthorizationPolicy`, `ValidateRequestAuthentication`: IST0106
//! errors, IST0133 warnings), and VirtualServices routing on JWT claims at a gateway no
//! RequestAuthentication covers (IST0149, istioctl's JWTClaimRouteAnalyzer).

use super::{codes, fp, Code, Ctx};
use crate::istio::security::{
    AuthorizationPolicy, JwtRule, RequestAuthentication, Rule, Source, TargetRef,
};
use crate::istio::LabelSelector;
use crate::parse::{Object, Spec};

/// Findings on one object, reported together in the webhook's words.
struct Found<'o> {
    obj: &'o Object,
    list: Vec<(Vec<String>, String, Code)>,
}

impl Found<'_> {
    fn err(&mut self, path: &[String], msg: impl Into<String>) {
        self.list.push((
            path.to_vec(),
            format!("Schema validation error: {}", msg.into()),
            codes::SCHEMA_VALIDATION_ERROR,
        ));
    }

    fn warn(&mut self, path: &[String], msg: impl Into<String>) {
        self.list.push((
            path.to_vec(),
            format!("Schema validation warning: {}", msg.into()),
            codes::SCHEMA_WARNING,
        ));
    }

    fn finish(self, ctx: &mut Ctx) {
        for (path, msg, code) in self.list {
            ctx.report(code, self.obj, &path, msg);
        }
    }
}

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for obj in mesh.objects.iter().filter(|o| Ctx::is_user(o)) {
        let mut f = Found {
            obj,
            list: Vec::new(),
        };
        match &*obj.spec {
            Spec::AuthorizationPolicy(p) => authorization_policy(&mut f, p),
            Spec::RequestAuthentication(r) => request_authentication(&mut f, r),
            Spec::VirtualService(vs) => jwt_claim_routes(ctx, obj, vs),
            _ => {}
        }
        f.finish(ctx);
    }
}

fn selection(
    f: &mut Found,
    selector: Option<&LabelSelector>,
    one: &Option<TargetRef>,
    many: &[TargetRef],
) {
    let set = [selector.is_some(), one.is_some(), !many.is_empty()]
        .iter()
        .filter(|b| **b)
        .count();
    if set > 1 {
        f.err(
            fp!["spec", "targetRefs"],
            "only one of targetRefs or workloadSelector can be set",
        );
    }
    if let Some(sel) = selector {
        for (k, v) in &sel.match_labels {
            if k.is_empty() {
                f.err(
                    fp!["spec", "selector"],
                    format!("empty key is not supported in selector: \"{k}={v}\""),
                );
            }
            if k.contains('*') || v.contains('*') {
                f.err(
                    fp!["spec", "selector", "matchLabels", k],
                    format!("wildcard is not supported in selector: \"{k}={v}\""),
                );
            }
        }
        if sel.match_labels.is_empty() {
            f.warn(
                fp!["spec", "selector"],
                "workload selector specified without labels",
            );
        }
    }
    let mut refs: Vec<(Vec<String>, &TargetRef)> = Vec::new();
    if let Some(r) = one {
        refs.push((vec!["spec".into(), "targetRef".into()], r));
    }
    for (i, r) in many.iter().enumerate() {
        refs.push((vec!["spec".into(), "targetRefs".into(), i.to_string()], r));
    }
    for (at, r) in refs {
        if r.name.is_empty() {
            f.err(&at, "targetRef name must be set");
        }
        if !r.namespace.is_empty() {
            f.err(
                &at,
                "targetRef namespace must not be set; cross namespace referencing is not supported",
            );
        }
        let group = if r.group.is_empty() { "core" } else { &r.group };
        let allowed = matches!(
            (group, r.kind.as_str()),
            ("core", "Service")
                | ("networking.istio.io", "ServiceEntry")
                | ("gateway.networking.k8s.io", "Gateway" | "GatewayClass")
        );
        if !allowed {
            f.err(
                &at,
                format!(
                    "targetRef must be to one of [core/Service networking.istio.io/ServiceEntry gateway.networking.k8s.io/Gateway gateway.networking.k8s.io/GatewayClass] but was {}/{}",
                    r.group, r.kind
                ),
            );
        }
    }
}

fn empty_values(f: &mut Found, at: &[String], key: &str, values: &[String]) {
    if values.iter().any(String::is_empty) {
        f.err(at, format!("empty value not allowed, found in {key}"));
    }
}

fn ips(f: &mut Found, at: &[String], values: &[String]) {
    for v in values {
        let ok = match v.split_once('/') {
            Some((ip, len)) => ip.parse::<std::net::IpAddr>().is_ok_and(|a| {
                len.parse::<u32>()
                    .is_ok_and(|l| l <= if a.is_ipv4() { 32 } else { 128 })
            }),
            None => v.parse::<std::net::IpAddr>().is_ok(),
        };
        if !ok {
            let what = if v.contains('/') {
                format!("bad CIDR range ({v})")
            } else {
                format!("bad IP address ({v})")
            };
            f.err(at, what);
        }
    }
}

fn ports(f: &mut Found, at: &[String], values: &[String]) {
    for p in values {
        if !p.parse::<u64>().is_ok_and(|n| n <= 65535) {
            f.err(at, format!("bad port ({p})"));
        }
    }
}

fn wildcard_values(f: &mut Found, at: &[String], key: &str, values: &[String]) -> bool {
    for v in values {
        if v.is_empty() {
            f.err(at, format!("empty value not allowed, found in {key}"));
            return false;
        }
        let n = v.matches('*').count();
        if n > 1 {
            f.err(
                at,
                format!("at most one wildcard is allowed, found in {key}: {v:?}"),
            );
            return false;
        }
        if n == 1 && v != "*" && !v.starts_with('*') && !v.ends_with('*') {
            f.err(
                at,
                format!("wildcard is only allowed at the start or end, found in {key}: {v:?}"),
            );
            return false;
        }
    }
    true
}

fn trust_domains(f: &mut Found, at: &[String], key: &str, values: &[String]) {
    if wildcard_values(f, at, key, values) {
        if let Some(v) = values.iter().find(|v| v.contains('/')) {
            f.err(
                at,
                format!("trust domain must not contain '/', found in {key}: {v:?}"),
            );
        }
    }
}

fn service_accounts(f: &mut Found, at: &[String], key: &str, values: &[String]) {
    if values.len() > 16 {
        f.err(at, "may not have more than 16 values");
        return;
    }
    for v in values {
        let msg = if v.is_empty() {
            Some(format!("empty value not allowed, found in {key}"))
        } else if v.contains('*') {
            Some(format!("wildcard not allowed, found in {key}"))
        } else if v.matches('/').count() > 1 {
            Some(format!(
                "expected format 'serviceAccount' or 'namespace/serviceAccount', found {v:?} in {key}"
            ))
        } else if v.len() > 320 {
            Some(format!(
                "value cannot exceed 320 characters, found {v:?} in {key}"
            ))
        } else {
            match v.split_once('/') {
                Some(("", _)) => Some(format!("expected format 'serviceAccount' or 'namespace/serviceAccount', found empty namespace {v:?} in {key}")),
                Some((_, "")) => Some(format!("expected format 'serviceAccount' or 'namespace/serviceAccount', found empty serviceAccount {v:?} in {key}")),
                _ => None,
            }
        };
        if let Some(m) = msg {
            f.err(at, m);
            return;
        }
    }
}

/// `[name]` after a prefix: `request.headers[x]` (`validateMapKey`).
fn map_key_ok(key: &str) -> bool {
    match key.find('[') {
        Some(open) => key.ends_with(']') && open > 0 && open < key.len() - 2,
        None => false,
    }
}

/// `security.ValidateAttribute`: Err(message) for a value list that the key cannot take.
fn attribute(f: &mut Found, at: &[String], key: &str, values: &[String], what: &str) {
    let prefix = format!("invalid `{what}` for `key` {key}: ");
    if let Some(_v) = values.iter().find(|v| v.is_empty()) {
        f.err(
            at,
            format!("{prefix}empty value not allowed, found in {key}"),
        );
        return;
    }
    let mut sub = Found {
        obj: f.obj,
        list: Vec::new(),
    };
    let bad_key = |k: &str| format!("bad key ({k}): should have format a[b]");
    match key {
        _ if key.starts_with("request.headers") => {
            if !map_key_ok(key) {
                f.err(at, format!("{prefix}{}", bad_key(key)));
            }
        }
        "source.ip" | "remote.ip" | "destination.ip" => ips(&mut sub, at, values),
        "source.serviceAccount" => service_accounts(&mut sub, at, key, values),
        "source.trustDomain" => {
            wildcard_values(&mut sub, at, key, values);
        }
        "destination.port" => ports(&mut sub, at, values),
        _ if key.starts_with("request.auth.claims")
            || key.starts_with("experimental.envoy.filters.") =>
        {
            if !map_key_ok(key) {
                f.err(at, format!("{prefix}{}", bad_key(key)));
            }
        }
        "source.namespace"
        | "source.principal"
        | "request.auth.principal"
        | "request.auth.audiences"
        | "request.auth.presenter"
        | "connection.sni" => {}
        "destination.namespace" => f.err(
            at,
            format!("{prefix}attribute {key} is replaced by the metadata.namespace"),
        ),
        _ if key.starts_with("destination.labels") => f.err(
            at,
            format!("{prefix}attribute {key} is replaced by the workload selector"),
        ),
        "destination.name" | "destination.user" => f.err(
            at,
            format!("{prefix}deprecated attribute {key}: only supported in v1alpha1"),
        ),
        _ => f.err(at, format!("{prefix}unknown attribute: {key}")),
    }
    for (p, m, _) in sub.list {
        let m = m.trim_start_matches("Schema validation error: ");
        f.err(&p, format!("{prefix}{m}"));
    }
}

fn source_has_anything(s: &Source) -> bool {
    [
        &s.principals,
        &s.not_principals,
        &s.request_principals,
        &s.not_request_principals,
        &s.namespaces,
        &s.not_namespaces,
        &s.ip_blocks,
        &s.not_ip_blocks,
        &s.remote_ip_blocks,
        &s.not_remote_ip_blocks,
        &s.service_accounts,
        &s.not_service_accounts,
        &s.trust_domains,
        &s.not_trust_domains,
    ]
    .iter()
    .any(|v| !v.is_empty())
}

/// A list field the user wrote but left empty (`from: []`), which the webhook tells apart from
/// an absent one.
fn written_empty(obj: &Object, path: &[String]) -> bool {
    obj.node
        .at(path)
        .is_some_and(|n| n.as_seq().is_some_and(<[_]>::is_empty))
}

fn authorization_policy(f: &mut Found, p: &AuthorizationPolicy) {
    let obj = f.obj;
    selection(f, p.selector.as_ref(), &p.target_ref, &p.target_refs);
    let action = p.action.as_deref().unwrap_or("ALLOW");
    if !matches!(action, "ALLOW" | "DENY" | "AUDIT" | "CUSTOM") {
        f.err(
            fp!["spec", "action"],
            format!(
                "invalid value {action:?} for action: must be one of ALLOW, DENY, AUDIT, CUSTOM"
            ),
        );
    }
    let rules_written = obj
        .node
        .at(&["spec", "rules"])
        .is_some_and(|n| !n.is_null());
    if action == "CUSTOM" {
        if !rules_written {
            f.err(fp!["spec", "action"], "CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request");
        } else if p.provider.as_ref().is_none_or(|pr| pr.name.is_empty()) {
            f.err(fp!["spec", "provider"], "`provider.name` must not be empty");
        }
        for (i, rule) in p.rules.iter().enumerate() {
            custom_rule(f, i, rule);
        }
    }
    if p.provider.is_some() && action != "CUSTOM" {
        f.err(
            fp!["spec", "provider"],
            format!("`provider` must not be with non CUSTOM action, found {action}"),
        );
    }
    if action == "DENY" && !rules_written {
        f.err(fp!["spec", "action"], "DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request");
    }
    for (i, rule) in p.rules.iter().enumerate() {
        rule_checks(f, i, rule, action);
    }
}

fn custom_rule(f: &mut Found, i: usize, rule: &Rule) {
    for (j, from) in rule.from.iter().enumerate() {
        let Some(s) = &from.source else { continue };
        let at = fp!["spec", "rules", i, "from", j, "source"];
        for (set, name) in [
            (&s.namespaces, "From.Namespaces"),
            (&s.not_namespaces, "From.NotNamespaces"),
            (&s.service_accounts, "From.ServiceAccounts"),
            (&s.not_service_accounts, "From.NotServiceAccounts"),
            (&s.trust_domains, "From.TrustDomains"),
            (&s.not_trust_domains, "From.NotTrustDomains"),
            (&s.principals, "From.Principals"),
            (&s.not_principals, "From.NotPrincipals"),
            (&s.request_principals, "From.RequestPrincipals"),
            (&s.not_request_principals, "From.NotRequestPrincipals"),
        ] {
            if !set.is_empty() {
                f.err(
                    at,
                    format!("{name} is currently not supported with CUSTOM action"),
                );
            }
        }
    }
    for (j, w) in rule.when.iter().enumerate() {
        let k = w.key.as_str();
        if matches!(
            k,
            "source.namespace"
                | "source.serviceAccount"
                | "source.trustDomain"
                | "source.principal"
        ) || k.starts_with("request.auth.")
        {
            f.err(
                fp!["spec", "rules", i, "when", j, "key"],
                format!("{k} is currently not supported with CUSTOM action"),
            );
        }
    }
}

fn rule_checks(f: &mut Found, i: usize, rule: &Rule, action: &str) {
    let obj = f.obj;
    if written_empty(obj, fp!["spec", "rules", i, "from"]) {
        f.err(
            fp!["spec", "rules", i, "from"],
            format!("`from` must not be empty, found at rule {i}"),
        );
    }
    let (mut tcp_in_from, mut tcp_in_to, mut from_exists, mut to_exists) =
        (false, false, false, false);
    for (j, from) in rule.from.iter().enumerate() {
        let at = fp!["spec", "rules", i, "from", j];
        let Some(s) = &from.source else {
            f.err(
                at,
                format!("`from.source` must not be nil, found at rule {i}"),
            );
            continue;
        };
        from_exists = true;
        let at = fp!["spec", "rules", i, "from", j, "source"];
        if (s.principals.len()
            + s.not_principals.len()
            + s.namespaces.len()
            + s.not_namespaces.len())
            > 0
            && (s.service_accounts.len() + s.not_service_accounts.len()) > 0
        {
            f.err(
                at,
                format!(
                    "cannot set serviceAccounts with namespaces or principals, found at rule {i}"
                ),
            );
        }
        if !source_has_anything(s) {
            f.err(
                at,
                format!("`from.source` must not be empty, found at rule {i}"),
            );
        }
        let field = |name: &str| fp!["spec", "rules", i, "from", j, "source", name].to_vec();
        ips(f, &field("ipBlocks"), &s.ip_blocks);
        ips(f, &field("notIpBlocks"), &s.not_ip_blocks);
        ips(f, &field("remoteIpBlocks"), &s.remote_ip_blocks);
        ips(f, &field("notRemoteIpBlocks"), &s.not_remote_ip_blocks);
        empty_values(f, &field("principals"), "Principals", &s.principals);
        empty_values(
            f,
            &field("requestPrincipals"),
            "RequestPrincipals",
            &s.request_principals,
        );
        empty_values(f, &field("namespaces"), "Namespaces", &s.namespaces);
        service_accounts(
            f,
            &field("serviceAccounts"),
            "ServiceAccounts",
            &s.service_accounts,
        );
        trust_domains(f, &field("trustDomains"), "TrustDomains", &s.trust_domains);
        empty_values(
            f,
            &field("notPrincipals"),
            "NotPrincipals",
            &s.not_principals,
        );
        empty_values(
            f,
            &field("notRequestPrincipals"),
            "NotRequestPrincipals",
            &s.not_request_principals,
        );
        empty_values(
            f,
            &field("notNamespaces"),
            "NotNamespaces",
            &s.not_namespaces,
        );
        service_accounts(
            f,
            &field("notServiceAccounts"),
            "NotServiceAccounts",
            &s.not_service_accounts,
        );
        trust_domains(
            f,
            &field("notTrustDomains"),
            "NotTrustDomains",
            &s.not_trust_domains,
        );
        let written = |name: &str| obj.node.at(&field(name)).is_some();
        if [
            "principals",
            "notPrincipals",
            "ipBlocks",
            "notIpBlocks",
            "namespaces",
            "notNamespaces",
            "remoteIpBlocks",
            "notRemoteIpBlocks",
            "serviceAccounts",
            "notServiceAccounts",
        ]
        .iter()
        .any(|n| written(n))
        {
            tcp_in_from = true;
        }
    }
    if written_empty(obj, fp!["spec", "rules", i, "to"]) {
        f.err(
            fp!["spec", "rules", i, "to"],
            format!("`to` must not be empty, found at rule {i}"),
        );
    }
    for (j, to) in rule.to.iter().enumerate() {
        let Some(op) = &to.operation else {
            f.err(
                fp!["spec", "rules", i, "to", j],
                format!("`to.operation` must not be nil, found at rule {i}"),
            );
            continue;
        };
        to_exists = true;
        let at = fp!["spec", "rules", i, "to", j, "operation"];
        let all = [
            &op.ports,
            &op.methods,
            &op.paths,
            &op.hosts,
            &op.not_ports,
            &op.not_methods,
            &op.not_paths,
            &op.not_hosts,
        ];
        if all.iter().all(|v| v.is_empty()) {
            f.err(
                at,
                format!("`to.operation` must not be empty, found at rule {i}"),
            );
        }
        let field = |name: &str| fp!["spec", "rules", i, "to", j, "operation", name].to_vec();
        ports(f, &field("ports"), &op.ports);
        ports(f, &field("notPorts"), &op.not_ports);
        for (name, key, vals) in [
            ("methods", "Methods", &op.methods),
            ("paths", "Paths", &op.paths),
            ("hosts", "Hosts", &op.hosts),
            ("notMethods", "NotMethods", &op.not_methods),
            ("notPaths", "NotPaths", &op.not_paths),
            ("notHosts", "NotHosts", &op.not_hosts),
        ] {
            empty_values(f, &field(name), key, vals);
        }
        path_templates(f, &field("paths"), "Paths", &op.paths);
        path_templates(f, &field("notPaths"), "NotPaths", &op.not_paths);
        if obj.node.at(&field("ports")).is_some() || obj.node.at(&field("notPorts")).is_some() {
            tcp_in_to = true;
        }
    }
    for (j, w) in rule.when.iter().enumerate() {
        let at = fp!["spec", "rules", i, "when", j];
        if w.key.is_empty() {
            f.err(at, "`key` must not be empty");
        } else if w.values.is_empty() && w.not_values.is_empty() {
            f.err(
                at,
                format!(
                    "at least one of `values` or `notValues` must be set for key {}",
                    w.key
                ),
            );
        } else {
            attribute(f, at, &w.key, &w.values, "value");
            attribute(f, at, &w.key, &w.not_values, "notValue");
        }
    }
    if ((from_exists && !to_exists && !tcp_in_from) || (to_exists && !tcp_in_to))
        && action == "DENY"
    {
        f.warn(
            fp!["spec", "rules", i],
            "configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port",
        );
    }
}

/// `CheckValidPathTemplate`: `{*}` and `{**}` only as whole segments, `{**}` last.
fn path_templates(f: &mut Found, at: &[String], key: &str, paths: &[String]) {
    for path in paths {
        let templated = path.contains("{*}") || path.contains("{**}");
        let trimmed = path.trim_matches('/');
        let mut any_seen = false;
        for glob in trimmed.split('/') {
            if glob == "{*}" && !any_seen {
                continue;
            }
            if glob == "{**}" && !any_seen {
                any_seen = true;
                continue;
            }
            if (glob == "{**}" || glob == "{*}") && any_seen {
                f.err(at, format!("invalid or unsupported path {trimmed}, found in {key}. {{**}} is not the last operator"));
                break;
            }
            if glob.contains(['{', '}']) {
                f.err(at, format!("invalid or unsupported path {trimmed}, found in {key}. Contains '{{' or '}}' beyond a supported path template"));
                break;
            }
            let literal = !glob.is_empty()
                && glob
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~%!$&'()+,;:@=".contains(c));
            if templated && !literal {
                f.err(at, format!("invalid or unsupported path {trimmed}, found in {key}. Contains segment {glob} with invalid string literal"));
                break;
            }
        }
    }
}

fn request_authentication(f: &mut Found, r: &RequestAuthentication) {
    selection(f, r.selector.as_ref(), &r.target_ref, &r.target_refs);
    for (i, rule) in r.jwt_rules.iter().enumerate() {
        jwt_rule(f, i, rule);
    }
}

fn jwt_rule(f: &mut Found, i: usize, r: &JwtRule) {
    let at = |name: &str| fp!["spec", "jwtRules", i, name].to_vec();
    if r.audiences.iter().any(String::is_empty) {
        f.err(&at("audiences"), "audience must be non-empty string");
    }
    if r.issuer.is_empty() && r.jwks_uri.is_empty() {
        f.err(
            fp!["spec", "jwtRules", i],
            "issuer or jwksUri must be non-empty string",
        );
    }
    if !r.jwks_uri.is_empty() {
        let scheme = r.jwks_uri.split_once("://").map(|(s, _)| s);
        if !matches!(scheme, Some("http" | "https")) {
            f.err(
                &at("jwksUri"),
                format!(
                    "URI scheme {:?} is not supported",
                    scheme.unwrap_or_default()
                ),
            );
        }
    }
    if !r.jwks.is_empty() {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&r.jwks);
        let ok = parsed.as_ref().is_ok_and(|v| v.is_object());
        if !ok {
            let why = parsed
                .err()
                .map_or("not a JSON object".to_string(), |e| e.to_string());
            f.err(&at("jwks"), format!("jwks parse error: {why}"));
        }
    }
    for (j, h) in r.from_headers.iter().enumerate() {
        if h.name.is_empty() {
            f.err(
                fp!["spec", "jwtRules", i, "fromHeaders", j],
                "location header name must be non-empty string",
            );
        }
    }
    if r.from_params.iter().any(String::is_empty) {
        f.err(&at("fromParams"), "location query must be non-empty string");
    }
    if r.from_cookies.iter().any(String::is_empty) {
        f.err(&at("fromCookies"), "cookie name must be non-empty string");
    }
    for (j, c) in r.output_claim_to_headers.iter().enumerate() {
        let here = fp!["spec", "jwtRules", i, "outputClaimToHeaders", j];
        if c.claim.is_empty() || c.header.is_empty() {
            f.err(
                here,
                "outputClaimToHeaders header and claim value must be non-empty string",
            );
        } else if !c
            .header
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(ch))
        {
            f.err(here, format!("invalid HTTP header name {:?}", c.header));
        }
    }
    if let Some(t) = &r.timeout {
        if crate::envoy::duration::Duration::parse(t).is_err() {
            f.err(&at("timeout"), format!("invalid duration {t:?}"));
        }
    }
}

/// IST0149: a VirtualService bound to gateways routes on `@request.auth.claims`, but some pod of
/// such a gateway has no RequestAuthentication (in istio-system or its namespace) selecting it.
fn jwt_claim_routes(ctx: &mut Ctx, obj: &Object, vs: &crate::istio::networking::VirtualService) {
    let mesh = ctx.mesh;
    let mut key_at: Option<(String, Vec<String>)> = None;
    'find: for (i, h) in vs.http.iter().enumerate() {
        for (j, m) in h.matches.iter().enumerate() {
            for (field, map) in [
                ("headers", &m.headers),
                ("withoutHeaders", &m.without_headers),
            ] {
                if let Some(k) = map.keys().find(|k| k.starts_with("@request.auth.claims")) {
                    key_at = Some((
                        k.clone(),
                        fp!["spec", "http", i, "match", j, field, k].to_vec(),
                    ));
                    break 'find;
                }
            }
        }
    }
    let Some((key, at)) = key_at else { return };
    for gw in &vs.gateways {
        if gw == "mesh" {
            continue;
        }
        let (gw_ns, gw_name) = gw.split_once('/').unwrap_or((obj.namespace(), gw.as_str()));
        let Some((_, g)) = mesh
            .gateways()
            .find(|(o, _)| o.name() == gw_name && o.namespace() == gw_ns)
        else {
            continue;
        };
        for w in &mesh.workloads {
            if !g.selector.iter().all(|(k, v)| w.labels.get(k) == Some(v)) {
                continue;
            }
            let covered = mesh.request_authentications().any(|(ro, ra)| {
                (ro.namespace() == "istio-system" || ro.namespace() == w.namespace)
                    && ra.selector.as_ref().is_none_or(|s| s.matches(&w.labels))
            });
            if !covered {
                ctx.report(
                    codes::JWT_CLAIM_BASED_ROUTING_WITHOUT_REQUEST_AUTHN,
                    obj,
                    &at,
                    format!(
                        "The virtual service uses the JWT claim based routing (key: {key}) but found no request authentication for the gateway ({gw_ns}/{gw_name}) pod ({}). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing.",
                        w.name
                    ),
                );
            }
        }
    }
}
