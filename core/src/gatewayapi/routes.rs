//! HTTPRoute, GRPCRoute, TCPRoute and TLSRoute into VirtualServices (route_collections.go,
//! conversion.go): parents resolved to listener Gateways or to `mesh`, one Istio HTTP route per
//! rule and match, backends resolved to hosts, and route status as findings.

use super::gateway::Parent;
use super::status::{Status, Subject};
use super::{codes, derived, meta, problem, service_fqdn, World};
use super::{KUBERNETES_GATEWAY_NAME, PARENTS, ROUTE_SEMANTICS};
use crate::diag::{Severity, Span};
use crate::host;
use crate::istio::gateway_api::{
    BackendRef, HttpRouteFilter, HttpRouteRule, ParentRef, Resource, ValueMatch,
};
use crate::istio::networking::{
    CorsPolicy, Destination, HeaderOperations, Headers, HttpDirectResponse, HttpMatch, HttpMirror,
    HttpRedirect, HttpRetry, HttpRewrite, HttpRoute, HttpRouteDestination, L4Match, Percent,
    RegexRewrite, RouteDestination, TcpRoute, TlsMatch, TlsRoute, VirtualService,
};
use crate::istio::{PortSelector, StringMatch};
use crate::order;
use crate::parse::{Kind, Object, Spec};
use crate::sorted::SortedMap;

const GROUP: &str = super::GATEWAY_API_GROUP;

/// One parent a route attached to: a listener Gateway, or `mesh` for a Service.
#[derive(Debug, Clone)]
struct Attached {
    internal_name: String,
    mesh: bool,
    /// For a mesh parent: the Service's hostname and the parentRef port.
    mesh_host: String,
    mesh_port: Option<u32>,
    /// For a gateway parent: the listener's hostname and the hostnames of its sibling listeners
    /// on the same port and protocol (istiod's isolation between listeners).
    listener_hostname: String,
    banned: Vec<String>,
}

impl Attached {
    fn allows_host(&self, route_host: &str) -> bool {
        let ours = self.listener_hostname.as_str();
        if !ours.is_empty() && !ours.starts_with('*') {
            return true;
        }
        if !ours.is_empty() && !host::matches(ours, route_host) && !host::matches(route_host, ours)
        {
            return false;
        }
        for other in &self.banned {
            if ours.len() > other.len() {
                continue;
            }
            if host::matches(other, route_host) {
                return false;
            }
        }
        true
    }
}

/// The common shape of the four route kinds.
struct RouteInfo<'a> {
    kind: &'static str,
    parent_refs: &'a [ParentRef],
    hostnames: &'a [String],
}

fn parent_ref_kind(p: &ParentRef) -> (String, String) {
    let kind = p.kind.clone().unwrap_or_else(|| "Gateway".into());
    let group = p.group.clone().unwrap_or_else(|| {
        if kind == "Service" {
            String::new()
        } else {
            GROUP.into()
        }
    });
    (group, kind)
}

/// Resolve parentRefs (extractParentReferenceInfo, referenceAllowed): every listener a ref accepts
/// is an attachment, every listener that denies it a record of the ref's status.
fn attach(
    world: &World,
    parents: &[Parent],
    obj: &Object,
    info: &RouteInfo,
    status: &mut Status,
) -> Vec<Attached> {
    let ns = obj.namespace();
    let mut out: Vec<(String, Attached)> = Vec::new();
    for (i, p) in info.parent_refs.iter().enumerate() {
        let idx = i.to_string();
        let span = obj.span_of(&["spec", "parentRefs", idx.as_str()]);
        let pns = p.namespace.clone().unwrap_or_else(|| ns.to_string());
        let (group, kind) = parent_ref_kind(p);
        let sort_key = format!("{group}/{kind}/{pns}/{}/{idx}", p.name);
        let deny =
            |status: &mut Status, code: &'static str, reason: &'static str, message: String| {
                let hint = format!("; the {} is not applied there", info.kind);
                status.record(
                    obj,
                    Subject::Parent(i),
                    problem(code, Severity::Warning, span, reason, message, &hint),
                );
            };
        match (group.as_str(), kind.as_str()) {
            ("" | "core", "Service") | ("networking.istio.io", "ServiceEntry") => {
                let host = if kind == "Service" {
                    if world.service(&pns, &p.name).is_none() {
                        deny(
                            status,
                            codes::NO_MATCHING_PARENT,
                            "NoMatchingParent",
                            format!("parent service: {:?} not found", p.name),
                        );
                        continue;
                    }
                    vec![service_fqdn(&p.name, &pns)]
                } else {
                    match world
                        .find(Kind::ServiceEntry, &pns, &p.name)
                        .map(|o| &*o.spec)
                    {
                        Some(Spec::ServiceEntry(se)) => se.hosts.clone(),
                        _ => {
                            deny(
                                status,
                                codes::NO_MATCHING_PARENT,
                                "NoMatchingParent",
                                format!("parent service entry: {:?} not found", p.name),
                            );
                            continue;
                        }
                    }
                };
                status.attached(obj, i, "mesh");
                for h in host {
                    out.push((
                        sort_key.clone(),
                        Attached {
                            internal_name: "mesh".into(),
                            mesh: true,
                            mesh_host: h,
                            mesh_port: p.port,
                            listener_hostname: String::new(),
                            banned: Vec::new(),
                        },
                    ));
                }
            }
            (GROUP, "Gateway" | "ListenerSet")
            | ("gateway.networking.x-k8s.io", "XListenerSet") => {
                let (parent_kind, source_kind) = if kind == "Gateway" {
                    ("Gateway", Kind::KubernetesGateway)
                } else {
                    ("ListenerSet", Kind::ListenerSet)
                };
                let listeners: Vec<&Parent> = parents
                    .iter()
                    .filter(|l| {
                        l.parent_kind == parent_kind
                            && l.gateway_namespace == pns
                            && l.gateway_name == p.name
                    })
                    .collect();
                if listeners.is_empty() {
                    // istiod writes no status for a parent it does not know; the finding says why.
                    let why = if world.find(source_kind, &pns, &p.name).is_some() {
                        "has no listener istiod programs"
                    } else {
                        "does not exist"
                    };
                    status.note(
                        obj,
                        codes::NO_MATCHING_PARENT,
                        Severity::Warning,
                        span,
                        format!(
                            "NoMatchingParent: {parent_kind} {pns}/{} {why}; the {} is not applied there",
                            p.name, info.kind
                        ),
                    );
                    continue;
                }
                for l in &listeners {
                    match allowed(l, p, info, ns) {
                        Ok(()) => {
                            status.attached(obj, i, &l.internal_name);
                            let banned = listeners
                                .iter()
                                .filter(|o| {
                                    o.section_name != l.section_name
                                        && o.port == l.port
                                        && o.protocol == l.protocol
                                        && o.original_hostname != l.original_hostname
                                })
                                .map(|o| o.original_hostname.clone())
                                .collect();
                            out.push((
                                sort_key.clone(),
                                Attached {
                                    internal_name: l.internal_name.clone(),
                                    mesh: false,
                                    mesh_host: String::new(),
                                    mesh_port: None,
                                    listener_hostname: l.original_hostname.clone(),
                                    banned,
                                },
                            ));
                        }
                        Err((code, reason, message)) => deny(status, code, reason, message),
                    }
                }
            }
            _ => {
                status.note(
                    obj,
                    codes::NO_MATCHING_PARENT,
                    Severity::Warning,
                    span,
                    format!(
                        "NoMatchingParent: unsupported parent {group}/{kind}: istiod ignores it"
                    ),
                );
            }
        }
    }
    // istiod orders parents by internal name (filteredReferences).
    order::sort_by(&mut out, |a, b| {
        a.1.internal_name
            .cmp(&b.1.internal_name)
            .then(a.0.cmp(&b.0))
    });
    out.into_iter().map(|(_, a)| a).collect()
}

/// Does this listener accept the route (referenceAllowed)? `Err((code, reason, message))` with
/// istiod's reason and message otherwise.
fn allowed(
    l: &Parent,
    p: &ParentRef,
    info: &RouteInfo,
    route_ns: &str,
) -> Result<(), (&'static str, &'static str, String)> {
    if let Some(port) = p.port.filter(|port| *port != 0) {
        if port != l.port {
            return Err((
                codes::NO_MATCHING_PARENT,
                "NoMatchingParent",
                format!("port {port} not found"),
            ));
        }
    }
    if let Some(section) = p.section_name.as_deref().filter(|s| !s.is_empty()) {
        if section != l.section_name {
            return Err((
                codes::NO_MATCHING_PARENT,
                "NoMatchingParent",
                format!("sectionName {section:?} not found"),
            ));
        }
    }
    let star = ["*".to_string()];
    let route_hosts: &[String] = if info.hostnames.is_empty() {
        &star
    } else {
        info.hostnames
    };
    if !l.hostnames.is_empty() {
        let mut matched = false;
        let mut host_matched = false;
        for rh in route_hosts {
            for ph in &l.hostnames {
                let (pns, phost) = ph.split_once('/').unwrap_or(("*", ph.as_str()));
                let hm = host::matches(phost, rh) || host::matches(rh, phost);
                let nm = pns == "*" || pns == route_ns;
                host_matched |= hm;
                if hm && nm {
                    matched = true;
                }
            }
        }
        if !matched {
            let listener_host = &l.original_hostname;
            return Err(if host_matched {
                (
                    codes::NOT_ALLOWED_BY_LISTENERS,
                    "NotAllowedByListeners",
                    format!(
                        "hostnames matched parent hostname {listener_host:?}, but namespace {route_ns:?} is not allowed by the parent"
                    ),
                )
            } else {
                (
                    codes::NO_MATCHING_LISTENER_HOSTNAME,
                    "NoMatchingListenerHostname",
                    format!("no hostnames matched parent hostname {listener_host:?}"),
                )
            });
        }
    }
    if !l.allowed_kinds.iter().any(|k| k == info.kind) {
        return Err((
            codes::NOT_ALLOWED_BY_LISTENERS,
            "NotAllowedByListeners",
            format!("kind {GROUP}/v1/{} is not allowed", info.kind),
        ));
    }
    Ok(())
}

/// A problem converting a rule: `fatal` ones drop the whole route, as istiod does.
struct RuleError {
    code: &'static str,
    span: Span,
    message: String,
    fatal: bool,
}

struct Conv<'w, 'a> {
    world: &'w World<'a>,
    obj: &'a Object,
    kind: &'static str,
    /// Cross-namespace backends need a ReferenceGrant (gateway parents; not mesh).
    enforce_grant: bool,
    errors: Vec<RuleError>,
}

impl Conv<'_, '_> {
    fn error(&mut self, code: &'static str, path: &[String], message: String, fatal: bool) {
        let span = self.obj.span_of(path);
        self.errors.push(RuleError {
            code,
            span,
            message,
            fatal,
        });
    }

    /// A match istiod cannot express (a bad header or query-parameter value): the whole route
    /// is rejected.
    fn invalid_match(&mut self, path: &[String], e: &dyn std::fmt::Display) {
        let message = format!("InvalidConfiguration: {e}");
        self.error(codes::INVALID_ROUTE, path, message, true);
    }

    /// buildDestination: the Istio destination of a backendRef.
    fn destination(&mut self, b: &BackendRef, path: &[String]) -> Option<Destination> {
        let ns = self.obj.namespace();
        let group = b.group.clone().unwrap_or_default();
        let kind = b.kind.clone().unwrap_or_else(|| "Service".into());
        if self.enforce_grant {
            if let Some(to_ns) = b.namespace.as_deref().filter(|n| *n != ns) {
                let grant_group = if group == "core" { "" } else { group.as_str() };
                if !self
                    .world
                    .grant_allows([GROUP, self.kind, ns], [grant_group, &kind, to_ns, &b.name])
                {
                    self.error(
                        codes::REF_NOT_PERMITTED,
                        path,
                        format!(
                            "RefNotPermitted: backendRef {}/{to_ns} not accessible to a {} in namespace {ns:?} (missing a ReferenceGrant?); requests get 500",
                            b.name, self.kind
                        ),
                        false,
                    );
                    return Some(Destination::default());
                }
            }
        }
        let namespace = b.namespace.clone().unwrap_or_else(|| ns.to_string());
        let hostname = match (group.as_str(), kind.as_str()) {
            ("" | "core", "Service") => {
                if b.name.contains('.') {
                    self.error(
                        codes::INVALID_ROUTE,
                        path,
                        "InvalidDestination: service name invalid; the name of the Service must be used, not the hostname".into(),
                        true,
                    );
                    return None;
                }
                let h = service_fqdn(&b.name, &namespace);
                if self.world.service(&namespace, &b.name).is_none() {
                    self.error(
                        codes::BACKEND_NOT_FOUND,
                        path,
                        format!("BackendNotFound: backend({h}) not found; requests get 500"),
                        false,
                    );
                }
                h
            }
            ("networking.istio.io", "Hostname") => {
                if b.namespace.is_some() {
                    self.error(
                        codes::INVALID_ROUTE,
                        path,
                        "InvalidDestination: namespace may not be set with Hostname type".into(),
                        true,
                    );
                    return None;
                }
                if !self.world.host_exists(&b.name) {
                    self.error(
                        codes::BACKEND_NOT_FOUND,
                        path,
                        format!(
                            "BackendNotFound: backend({}) not found; requests get 500",
                            b.name
                        ),
                        false,
                    );
                }
                b.name.clone()
            }
            _ => {
                self.error(
                    codes::INVALID_ROUTE,
                    path,
                    format!(
                        "InvalidKind: referencing unsupported backendRef: group {group:?} kind {kind:?}; requests get 500"
                    ),
                    false,
                );
                return Some(Destination::default());
            }
        };
        let Some(port) = b.port else {
            self.error(
                codes::INVALID_ROUTE,
                path,
                "InvalidDestination: port is required in backendRef".into(),
                true,
            );
            return None;
        };
        Some(Destination {
            host: hostname,
            subset: None,
            port: Some(PortSelector { number: port }),
        })
    }

    /// Weighted destinations: weight defaults to 1, zero weights are dropped, a single
    /// destination gets no weight (buildHTTPDestination).
    fn destinations(
        &mut self,
        refs: &[BackendRef],
        base: &[String],
        headers: bool,
    ) -> Option<Vec<HttpRouteDestination>> {
        let kept: Vec<(usize, &BackendRef, u32)> = refs
            .iter()
            .enumerate()
            .map(|(i, b)| (i, b, b.weight.unwrap_or(1)))
            .filter(|(_, _, w)| *w > 0)
            .collect();
        let single = kept.len() == 1;
        let mut out = Vec::new();
        for (i, b, w) in kept {
            let mut path = base.to_vec();
            path.extend(["backendRefs".to_string(), i.to_string()]);
            let destination = self.destination(b, &path)?;
            let mut hd = HttpRouteDestination {
                destination,
                weight: if single { None } else { Some(w) },
                headers: None,
            };
            if headers {
                let mut h = Headers::default();
                for (fi, f) in b.filters.iter().enumerate() {
                    let mut fpath = path.clone();
                    fpath.extend(["filters".to_string(), fi.to_string()]);
                    match f.kind.as_str() {
                        "RequestHeaderModifier" => {
                            h.request = f.request_header_modifier.as_ref().map(header_ops)
                        }
                        "ResponseHeaderModifier" => {
                            h.response = f.response_header_modifier.as_ref().map(header_ops)
                        }
                        other => {
                            self.error(
                                codes::INVALID_ROUTE,
                                &fpath,
                                format!("InvalidFilter: unsupported filter type {other:?} on a backendRef; the route is dropped"),
                                true,
                            );
                            return None;
                        }
                    }
                }
                if h.request.is_some() || h.response.is_some() {
                    hd.headers = Some(h);
                }
            }
            out.push(hd);
        }
        Some(out)
    }
}

fn header_ops(m: &crate::istio::gateway_api::HeaderModifier) -> HeaderOperations {
    HeaderOperations {
        set: m
            .set
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect(),
        add: m
            .add
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect(),
        remove: m.remove.clone(),
    }
}

/// Header or query parameter matches by name (`key` normalizes the name); the first match of an
/// unsupported type is the error.
fn value_matches(
    list: &[ValueMatch],
    key: impl Fn(&str) -> String,
) -> Result<SortedMap<String, StringMatch>, String> {
    list.iter()
        .map(|m| Ok((key(&m.name), value_match(m)?)))
        .collect()
}

fn value_match(m: &ValueMatch) -> Result<StringMatch, String> {
    match m.kind.as_deref().unwrap_or("Exact") {
        "Exact" => Ok(StringMatch {
            exact: Some(m.value.clone()),
            ..StringMatch::default()
        }),
        "RegularExpression" => Ok(StringMatch {
            regex: Some(m.value.clone()),
            ..StringMatch::default()
        }),
        other => Err(format!(
            "unknown type: {other:?} is not a supported match type"
        )),
    }
}

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// A `CORS` filter as an Istio CorsPolicy (createCorsFilter): `*` allows any well-formed origin,
/// an origin without wildcard matches exactly, one trailing wildcard by prefix, any other
/// wildcard by an anchored regex; preflights that match no origin are left to the backend.
fn cors_policy(f: &crate::istio::gateway_api::CorsFilter) -> CorsPolicy {
    let allow_origins = f
        .allow_origins
        .iter()
        .filter(|o| !o.is_empty())
        .map(|o| {
            if o == "*" {
                StringMatch {
                    regex: Some(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s?#]+$".into()),
                    ..StringMatch::default()
                }
            } else if !o.contains('*') {
                StringMatch {
                    exact: Some(o.clone()),
                    ..StringMatch::default()
                }
            } else if o.matches('*').count() == 1 && o.ends_with('*') {
                StringMatch {
                    prefix: Some(o.trim_end_matches('*').to_string()),
                    ..StringMatch::default()
                }
            } else {
                let mut regex = String::from("^");
                for c in o.chars() {
                    match c {
                        '*' => regex.push_str(".*"),
                        '\\' | '.' | '+' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^'
                        | '$' => {
                            regex.push('\\');
                            regex.push(c);
                        }
                        _ => regex.push(c),
                    }
                }
                regex.push('$');
                StringMatch {
                    regex: Some(regex),
                    ..StringMatch::default()
                }
            }
        })
        .collect();
    CorsPolicy {
        allow_origins,
        allow_credentials: f.allow_credentials.filter(|c| *c),
        allow_methods: f.allow_methods.clone(),
        allow_headers: f.allow_headers.clone(),
        expose_headers: f.expose_headers.clone(),
        max_age: f.max_age.filter(|a| *a > 0).map(|a| format!("{a}s")),
        unmatched_preflights: Some("IGNORE".into()),
        ..CorsPolicy::default()
    }
}

/// The filters of an HTTP or gRPC rule, applied to an Istio route.
fn apply_filters(
    conv: &mut Conv,
    route: &mut HttpRoute,
    filters: &[HttpRouteFilter],
    base: &[String],
) -> Option<()> {
    for (fi, f) in filters.iter().enumerate() {
        let mut fpath = base.to_vec();
        fpath.extend(["filters".to_string(), fi.to_string()]);
        match f.kind.as_str() {
            "RequestHeaderModifier" => {
                if let Some(m) = &f.request_header_modifier {
                    route.headers.get_or_insert_with(Headers::default).request =
                        Some(header_ops(m));
                }
            }
            "ResponseHeaderModifier" => {
                if let Some(m) = &f.response_header_modifier {
                    route.headers.get_or_insert_with(Headers::default).response =
                        Some(header_ops(m));
                }
            }
            "RequestRedirect" => {
                if let Some(r) = &f.request_redirect {
                    let mut out = HttpRedirect {
                        redirect_code: r.status_code,
                        authority: r.hostname.clone(),
                        scheme: r.scheme.clone(),
                        ..HttpRedirect::default()
                    };
                    match r.port {
                        Some(p) => out.port = Some(p),
                        None if r.scheme.is_some() => {
                            out.derive_port = Some("FROM_PROTOCOL_DEFAULT".into())
                        }
                        None => out.derive_port = Some("FROM_REQUEST_PORT".into()),
                    }
                    // A prefix replacement is Envoy's prefix_rewrite on the redirect, which
                    // the Istio model here does not carry; the path is then kept.
                    if let Some(p) = r
                        .path
                        .as_ref()
                        .filter(|p| p.kind.as_deref() == Some("ReplaceFullPath"))
                    {
                        out.uri = p.replace_full_path.clone();
                    }
                    route.redirect = Some(out);
                }
            }
            "URLRewrite" => {
                if let Some(rw) = &f.url_rewrite {
                    let mut out = HttpRewrite {
                        authority: rw.hostname.clone(),
                        ..HttpRewrite::default()
                    };
                    if let Some(p) = &rw.path {
                        match p.kind.as_deref() {
                            Some("ReplacePrefixMatch") => {
                                let v = p.replace_prefix_match.clone().unwrap_or_default();
                                let v = v.trim_end_matches('/').to_string();
                                out.uri = Some(if v.is_empty() { "/".into() } else { v });
                            }
                            Some("ReplaceFullPath") => {
                                out.uri_regex_rewrite = Some(RegexRewrite {
                                    pattern: "/.*".into(),
                                    rewrite: p.replace_full_path.clone().unwrap_or_default(),
                                })
                            }
                            _ => {}
                        }
                    }
                    if out.uri.is_some()
                        || out.uri_regex_rewrite.is_some()
                        || out.authority.is_some()
                    {
                        route.rewrite = Some(out);
                    }
                }
            }
            "RequestMirror" => {
                if let Some(m) = &f.request_mirror {
                    let mut mpath = fpath.clone();
                    mpath.extend(["requestMirror".to_string(), "backendRef".to_string()]);
                    let b = BackendRef {
                        weight: Some(1),
                        ..m.backend_ref.clone()
                    };
                    if let Some(destination) = conv.destination(&b, &mpath) {
                        let percentage = if let Some(fr) = &m.fraction {
                            let d = fr.denominator.unwrap_or(100).max(1);
                            Some(Percent {
                                value: 100.0 * f64::from(fr.numerator) / f64::from(d),
                            })
                        } else {
                            m.percent.map(|p| Percent {
                                value: f64::from(p),
                            })
                        };
                        route.mirrors.push(HttpMirror {
                            destination,
                            percentage,
                        });
                    }
                }
            }
            "CORS" => route.cors_policy = f.cors.as_ref().map(cors_policy),
            other => {
                conv.error(
                    codes::INVALID_ROUTE,
                    &fpath,
                    format!(
                        "InvalidFilter: unsupported filter type {other:?}; the route is dropped"
                    ),
                    true,
                );
                return None;
            }
        }
    }
    Some(())
}

/// The Istio routes of one HTTPRoute (convertHTTPRoute), one per rule and match.
fn http_routes(conv: &mut Conv, rules: &[HttpRouteRule]) -> Option<Vec<HttpRoute>> {
    let obj = conv.obj;
    let mut out = Vec::new();
    for (n, r) in rules.iter().enumerate() {
        let ri = n.to_string();
        let base = path(&["spec", "rules", &ri]);
        let matches: Vec<Option<&crate::istio::gateway_api::HttpRouteMatch>> =
            if r.matches.is_empty() {
                vec![None]
            } else {
                r.matches.iter().map(Some).collect()
            };
        for (mi, m) in matches.into_iter().enumerate() {
            let mut route = HttpRoute {
                name: Some(
                    r.name
                        .clone()
                        .unwrap_or_else(|| format!("{}.{}.{n}", obj.namespace(), obj.name())),
                ),
                ..HttpRoute::default()
            };
            if let Some(m) = m {
                let mut hm = HttpMatch::default();
                let p = m.path.clone().unwrap_or_default();
                let value = p.value.clone().unwrap_or_else(|| "/".into());
                let mpath = {
                    let mut b = base.clone();
                    b.extend(["matches".to_string(), mi.to_string()]);
                    b
                };
                hm.uri = Some(match p.kind.as_deref().unwrap_or("PathPrefix") {
                    "PathPrefix" => StringMatch {
                        prefix: Some(if value == "/" {
                            value
                        } else {
                            value.trim_end_matches('/').to_string()
                        }),
                        ..StringMatch::default()
                    },
                    "Exact" => StringMatch {
                        exact: Some(value),
                        ..StringMatch::default()
                    },
                    "RegularExpression" => StringMatch {
                        regex: Some(value),
                        ..StringMatch::default()
                    },
                    other => {
                        conv.error(
                            codes::INVALID_ROUTE,
                            &mpath,
                            format!("InvalidConfiguration: unknown type: {other:?} is not supported Path match type; the route is dropped"),
                            true,
                        );
                        return None;
                    }
                });
                // Header names are case-insensitive; query parameter names are not.
                let matched = value_matches(&m.headers, str::to_ascii_lowercase)
                    .and_then(|h| Ok((h, value_matches(&m.query_params, str::to_string)?)));
                match matched {
                    Ok((headers, query_params)) => {
                        hm.headers = headers;
                        hm.query_params = query_params;
                    }
                    Err(e) => {
                        conv.invalid_match(&mpath, &e);
                        return None;
                    }
                }
                hm.method = m.method.clone().map(|x| StringMatch {
                    exact: Some(x),
                    ..StringMatch::default()
                });
                route.matches.push(hm);
            }
            apply_filters(conv, &mut route, &r.filters, &base)?;
            if let Some(retry) = &r.retry {
                let mut on = vec![
                    "connect-failure".to_string(),
                    "refused-stream".into(),
                    "unavailable".into(),
                    "cancelled".into(),
                ];
                on.extend(retry.codes.iter().map(u32::to_string));
                let attempts = retry.attempts.unwrap_or(2);
                route.retries = Some(HttpRetry {
                    attempts,
                    retry_on: (attempts > 0).then(|| on.join(",")),
                    backoff: retry.backoff.as_deref().map(proto_duration),
                    ..HttpRetry::default()
                });
            }
            if let Some(t) = &r.timeouts {
                if let Some(req) = t.request.as_deref().filter(|s| !is_zero(s)) {
                    route.timeout = Some(proto_duration(req));
                }
                if let Some(br) = t.backend_request.as_deref().filter(|s| !is_zero(s)) {
                    match &mut route.retries {
                        Some(rt) => rt.per_try_timeout = Some(proto_duration(br)),
                        None => route.timeout = Some(proto_duration(br)),
                    }
                }
            }
            let weight_sum: u32 = r.backend_refs.iter().map(|b| b.weight.unwrap_or(1)).sum();
            if weight_sum == 0 && route.redirect.is_none() {
                // Gateway API: no backend with weight > 0 means 500.
                route.direct_response = Some(HttpDirectResponse {
                    status: 500,
                    body: None,
                });
            } else if route.redirect.is_none() || !r.backend_refs.is_empty() {
                route.route = conv.destinations(&r.backend_refs, &base, true)?;
            }
            out.push(route);
        }
    }
    Some(out)
}

/// A Gateway API duration (`1h30m`, `500ms`: up to four numbers with `h`, `m`, `s` or `ms`) as
/// istiod writes it after converting it to a protobuf Duration: seconds, with three fractional
/// digits when there are milliseconds (`0.001s`). Text that does not parse is kept as written.
fn proto_duration(text: &str) -> String {
    let mut millis: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let Ok(n) = rest[..digits].parse::<u64>() else {
            return text.to_string();
        };
        rest = &rest[digits..];
        let (unit, len) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            match rest.chars().next() {
                Some('h') => (3_600_000, 1),
                Some('m') => (60_000, 1),
                Some('s') => (1_000, 1),
                _ => return text.to_string(),
            }
        };
        millis = millis.saturating_add(n.saturating_mul(unit));
        rest = &rest[len..];
    }
    match millis % 1000 {
        0 => format!("{}s", millis / 1000),
        ms => format!("{}.{ms:03}s", millis / 1000),
    }
}

fn is_zero(d: &str) -> bool {
    d.trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse::<f64>()
        .is_ok_and(|v| v == 0.0)
}

/// The Istio routes of one GRPCRoute (convertGRPCRoute).
fn grpc_routes(
    conv: &mut Conv,
    rules: &[crate::istio::gateway_api::GrpcRouteRule],
) -> Option<Vec<HttpRoute>> {
    let obj = conv.obj;
    let mut out = Vec::new();
    for (n, r) in rules.iter().enumerate() {
        let ri = n.to_string();
        let base = path(&["spec", "rules", &ri]);
        let matches: Vec<Option<&crate::istio::gateway_api::GrpcRouteMatch>> =
            if r.matches.is_empty() {
                vec![None]
            } else {
                r.matches.iter().map(Some).collect()
            };
        for (mi, m) in matches.into_iter().enumerate() {
            let mut route = HttpRoute {
                name: Some(
                    r.name
                        .clone()
                        .unwrap_or_else(|| format!("{}.{}.{n}", obj.namespace(), obj.name())),
                ),
                ..HttpRoute::default()
            };
            if let Some(m) = m {
                let mut mpath = base.clone();
                mpath.extend(["matches".to_string(), mi.to_string()]);
                let mut hm = HttpMatch::default();
                if let Some(gm) = &m.method {
                    let regex = gm.kind.as_deref() == Some("RegularExpression");
                    let sm = match (gm.service.as_deref(), gm.method.as_deref(), regex) {
                        (None, None, _) => {
                            conv.error(codes::INVALID_ROUTE, &mpath, "InvalidConfiguration: gRPC match must have method or service defined".into(), true);
                            return None;
                        }
                        (Some(s), None, false) => StringMatch {
                            prefix: Some(format!("/{s}/")),
                            ..StringMatch::default()
                        },
                        (Some(s), None, true) => StringMatch {
                            regex: Some(format!("/{s}/.+")),
                            ..StringMatch::default()
                        },
                        (None, Some(me), _) => StringMatch {
                            regex: Some(format!("/[^/]+/{me}")),
                            ..StringMatch::default()
                        },
                        (Some(s), Some(me), false) => StringMatch {
                            exact: Some(format!("/{s}/{me}")),
                            ..StringMatch::default()
                        },
                        (Some(s), Some(me), true) => StringMatch {
                            regex: Some(format!("/{s}/{me}")),
                            ..StringMatch::default()
                        },
                    };
                    hm.uri = Some(sm);
                }
                match value_matches(&m.headers, str::to_ascii_lowercase) {
                    Ok(headers) => hm.headers = headers,
                    Err(e) => {
                        conv.invalid_match(&mpath, &e);
                        return None;
                    }
                }
                route.matches.push(hm);
            }
            apply_filters(conv, &mut route, &r.filters, &base)?;
            let weight_sum: u32 = r.backend_refs.iter().map(|b| b.weight.unwrap_or(1)).sum();
            if weight_sum == 0 {
                route.direct_response = Some(HttpDirectResponse {
                    status: 500,
                    body: None,
                });
            } else {
                route.route = conv.destinations(&r.backend_refs, &base, true)?;
            }
            out.push(route);
        }
    }
    Some(out)
}

/// TCPRoute and TLSRoute rules: weighted destinations, or the zero-weight blackhole.
fn l4_destinations(
    conv: &mut Conv,
    r: &crate::istio::gateway_api::L4RouteRule,
    n: usize,
) -> Option<Vec<RouteDestination>> {
    let weight_sum: u32 = r.backend_refs.iter().map(|b| b.weight.unwrap_or(1)).sum();
    if weight_sum == 0 {
        return Some(vec![RouteDestination {
            destination: Destination {
                host: "internal.cluster.local".into(),
                subset: Some("zero-weight".into()),
                port: Some(PortSelector { number: 65535 }),
            },
            weight: Some(0),
        }]);
    }
    let ri = n.to_string();
    let base = path(&["spec", "rules", &ri]);
    let dests = conv.destinations(&r.backend_refs, &base, false)?;
    Some(
        dests
            .into_iter()
            .map(|d| RouteDestination {
                destination: d.destination,
                weight: d.weight,
            })
            .collect(),
    )
}

/// istiod's order of generated HTTP routes (sortHTTPRoutes): exact > prefix > regex, longer
/// paths first, then method, header and query matches; routes without a match last.
fn sort_http_routes(routes: &mut [HttpRoute]) {
    fn rank(m: &HttpMatch) -> (i32, usize) {
        match &m.uri {
            Some(StringMatch { exact: Some(e), .. }) => (3, e.len()),
            Some(StringMatch {
                prefix: Some(p), ..
            }) => (2, p.len()),
            Some(StringMatch { regex: Some(r), .. }) => (1, r.len()),
            _ => (-1, 0),
        }
    }
    order::sort_by(routes, |a, b| {
        use std::cmp::Ordering;
        match (a.matches.first(), b.matches.first()) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(m1), Some(m2)) => {
                let (r1, l1) = rank(m1);
                let (r2, l2) = rank(m2);
                r2.cmp(&r1)
                    .then(l2.cmp(&l1))
                    .then(m2.method.is_some().cmp(&m1.method.is_some()))
                    .then(m2.headers.len().cmp(&m1.headers.len()))
                    .then(m2.query_params.len().cmp(&m1.query_params.len()))
            }
        }
    });
}

/// Converts the rules of one HTTP or gRPC route.
type RulesConverter<'a> = Box<dyn Fn(&mut Conv) -> Option<Vec<HttpRoute>> + 'a>;

/// A VirtualService before merging: HTTP routes of one route object for one key.
struct Pending<'a> {
    source: &'a Object,
    key: String,
    host: String,
    gateway: String,
    http: Vec<HttpRoute>,
}

/// Gateway API's reason for a rule error, read from the `Reason: message` the converter writes.
fn reason_of(message: &str) -> (&'static str, &str) {
    const REASONS: [&str; 7] = [
        "RefNotPermitted",
        "BackendNotFound",
        "InvalidKind",
        "InvalidDestination",
        "InvalidFilter",
        "InvalidConfiguration",
        "UnsupportedValue",
    ];
    for r in REASONS {
        if let Some(rest) = message.strip_prefix(r).and_then(|m| m.strip_prefix(": ")) {
            return (r, rest);
        }
    }
    ("InvalidConfiguration", message)
}

/// Record a route's rule errors: the ResolvedRefs of its gateway (or mesh) parents, and a finding
/// each. What the finding adds for the user (`; requests get 500`) stays out of istiod's message.
/// A route istiod drops is a warning, not an input error: istiod accepts the object, derives
/// the rest of the config and reports the reason in the route's status, and so does `convert`.
fn report(obj: &Object, errors: Vec<RuleError>, mesh: bool, status: &mut Status) {
    for e in errors {
        let severity = Severity::Warning;
        let (reason, rest) = reason_of(&e.message);
        let (message, hint) = ["; requests get 500", "; the route is dropped"]
            .iter()
            .find_map(|h| rest.find(h).map(|at| rest.split_at(at)))
            .unwrap_or((rest, ""));
        status.record(
            obj,
            Subject::Route {
                mesh,
                fatal: e.fatal,
            },
            problem(e.code, severity, e.span, reason, message.to_string(), hint),
        );
    }
}

fn route_annotations(obj: &Object, kind: &str) -> SortedMap<String, String> {
    let mut a = SortedMap::new();
    a.insert(
        PARENTS.to_string(),
        format!("{kind}/{}.{}", obj.name(), obj.namespace()),
    );
    a.insert(ROUTE_SEMANTICS.to_string(), "gateway".to_string());
    a
}

fn port_match(routes: &[HttpRoute], port: u32) -> Vec<HttpRoute> {
    routes
        .iter()
        .cloned()
        .map(|mut r| {
            if r.matches.is_empty() {
                r.matches.push(HttpMatch::default());
            }
            for m in &mut r.matches {
                m.port = Some(port);
            }
            r
        })
        .collect()
}

pub(super) fn convert(
    world: &World,
    parents: &[Parent],
    out: &mut Vec<Object>,
    status: &mut Status,
) {
    let mut pending: Vec<Pending> = Vec::new();
    for kind in [Kind::HttpRoute, Kind::GrpcRoute] {
        for (obj, res) in world.resources(kind) {
            let (info, convert): (RouteInfo, RulesConverter) = match res {
                Resource::HttpRoute(s) => (
                    RouteInfo {
                        kind: "HTTPRoute",
                        parent_refs: &s.parent_refs,
                        hostnames: &s.hostnames,
                    },
                    Box::new(move |c| http_routes(c, &s.rules)),
                ),
                Resource::GrpcRoute(s) => (
                    RouteInfo {
                        kind: "GRPCRoute",
                        parent_refs: &s.parent_refs,
                        hostnames: &s.hostnames,
                    },
                    Box::new(move |c| grpc_routes(c, &s.rules)),
                ),
                _ => continue,
            };
            let attached = attach(world, parents, obj, &info, status);
            let run = |mesh: bool, status: &mut Status| {
                let mut conv = Conv {
                    world,
                    obj,
                    kind: info.kind,
                    enforce_grant: !mesh,
                    errors: Vec::new(),
                };
                let routes = convert(&mut conv);
                report(obj, conv.errors, mesh, status);
                routes.unwrap_or_default()
            };
            let mesh_routes = attached.iter().any(|a| a.mesh).then(|| run(true, status));
            let gw_routes = attached.iter().any(|a| !a.mesh).then(|| run(false, status));
            for a in &attached {
                let (mut routes, route_key, hosts) = if a.mesh {
                    let mut routes = mesh_routes.clone().unwrap_or_default();
                    let mut key = obj.namespace().to_string();
                    if let Some(p) = a.mesh_port {
                        routes = port_match(&routes, p);
                        key = format!("{key}/{p}");
                    }
                    (routes, key, vec![a.mesh_host.clone()])
                } else {
                    let hosts = if info.hostnames.is_empty() {
                        vec!["*".to_string()]
                    } else {
                        info.hostnames.to_vec()
                    };
                    (
                        gw_routes.clone().unwrap_or_default(),
                        a.internal_name.clone(),
                        hosts,
                    )
                };
                if routes.is_empty() {
                    continue;
                }
                sort_http_routes(&mut routes);
                for h in hosts {
                    if !a.allows_host(&h) {
                        continue;
                    }
                    pending.push(Pending {
                        source: obj,
                        key: format!("{route_key}/{h}"),
                        host: h,
                        gateway: a.internal_name.clone(),
                        http: routes.clone(),
                    });
                }
            }
        }
    }
    merge(pending, out);

    for kind in [Kind::TcpRoute, Kind::TlsRoute] {
        for (obj, res) in world.resources(kind) {
            let (info, rules, tls) = match res {
                Resource::TcpRoute(s) => (
                    RouteInfo {
                        kind: "TCPRoute",
                        parent_refs: &s.parent_refs,
                        hostnames: &[],
                    },
                    &s.rules,
                    false,
                ),
                Resource::TlsRoute(s) => (
                    RouteInfo {
                        kind: "TLSRoute",
                        parent_refs: &s.parent_refs,
                        hostnames: &s.hostnames,
                    },
                    &s.rules,
                    true,
                ),
                _ => continue,
            };
            let attached = attach(world, parents, obj, &info, status);
            let run = |mesh: bool, status: &mut Status| {
                let mut conv = Conv {
                    world,
                    obj,
                    kind: info.kind,
                    enforce_grant: !mesh,
                    errors: Vec::new(),
                };
                let mut routes = Vec::new();
                let mut failed = false;
                for (n, r) in rules.iter().enumerate() {
                    match l4_destinations(&mut conv, r, n) {
                        Some(d) => routes.push(d),
                        None => failed = true,
                    }
                }
                report(obj, conv.errors, mesh, status);
                if failed {
                    Vec::new()
                } else {
                    routes
                }
            };
            let mesh_routes = attached.iter().any(|a| a.mesh).then(|| run(true, status));
            let gw_routes = attached.iter().any(|a| !a.mesh).then(|| run(false, status));
            let mut count = 0;
            let sni: Vec<String> = if info.hostnames.is_empty() {
                vec!["*".into()]
            } else {
                info.hostnames.to_vec()
            };
            for a in &attached {
                let routes = if a.mesh { &mesh_routes } else { &gw_routes };
                let routes = routes.clone().unwrap_or_default();
                if routes.is_empty() {
                    continue;
                }
                let hosts: Vec<String> = if a.mesh {
                    vec![a.mesh_host.clone()]
                } else if tls {
                    let hs = sni.clone();
                    if a.listener_hostname.is_empty() {
                        hs
                    } else {
                        intersect(&hs, &a.listener_hostname)
                    }
                } else {
                    vec!["*".into()]
                };
                for h in hosts {
                    let name = format!(
                        "{}~{}~{count}~{KUBERNETES_GATEWAY_NAME}",
                        obj.name(),
                        if tls { "tls" } else { "tcp" }
                    );
                    count += 1;
                    let mut vs = VirtualService {
                        hosts: vec![h.clone()],
                        gateways: vec![a.internal_name.clone()],
                        ..VirtualService::default()
                    };
                    if tls {
                        let mut snis = if a.mesh && sni == ["*"] {
                            vec![a.mesh_host.clone()]
                        } else {
                            sni.clone()
                        };
                        if !a.mesh && !a.listener_hostname.is_empty() {
                            snis = intersect(&snis, &a.listener_hostname);
                        }
                        vs.tls = routes
                            .iter()
                            .map(|d| TlsRoute {
                                matches: vec![TlsMatch {
                                    sni_hosts: snis.clone(),
                                    port: if a.mesh { a.mesh_port } else { None },
                                    ..TlsMatch::default()
                                }],
                                route: d.clone(),
                            })
                            .collect();
                    } else {
                        vs.tcp = routes
                            .iter()
                            .map(|d| TcpRoute {
                                matches: a
                                    .mesh_port
                                    .filter(|_| a.mesh)
                                    .map(|p| {
                                        vec![L4Match {
                                            port: Some(p),
                                            ..L4Match::default()
                                        }]
                                    })
                                    .unwrap_or_default(),
                                route: d.clone(),
                            })
                            .collect();
                    }
                    out.push(derived(
                        obj,
                        Kind::VirtualService,
                        meta(
                            name,
                            obj.namespace(),
                            route_annotations(obj, info.kind),
                            obj.meta.creation_timestamp.clone(),
                        ),
                        Spec::VirtualService(vs),
                    ));
                }
            }
        }
    }
}

/// Hostnames of both lists that meet, the more specific of each pair.
fn intersect(route_hosts: &[String], listener: &str) -> Vec<String> {
    let mut out = Vec::new();
    for h in route_hosts {
        if let Some(p) = host::narrower(listener, h) {
            if !out.iter().any(|o| o == p) {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// Routes of several HTTPRoutes for the same parent and host become one VirtualService
/// (mergeHTTPRoutes): oldest first, then re-sorted; named after the key with `/` as `~`.
fn merge(mut pending: Vec<Pending>, out: &mut Vec<Object>) {
    let ts = |p: &Pending| p.source.meta.creation_timestamp.clone().unwrap_or_default();
    order::sort_by(&mut pending, |a, b| {
        (ts(a), a.source.namespace(), a.source.name()).cmp(&(
            ts(b),
            b.source.namespace(),
            b.source.name(),
        ))
    });
    let mut keys: Vec<String> = pending.iter().map(|p| p.key.clone()).collect();
    order::sort(&mut keys);
    keys.dedup();
    for key in keys {
        let group: Vec<&Pending> = pending.iter().filter(|p| p.key == key).collect();
        let Some(first) = group.first() else { continue };
        let mut http = Vec::new();
        let mut parents = Vec::new();
        for p in &group {
            http.extend(p.http.iter().cloned());
            let kind = p.source.kind.name();
            let parent = format!("{kind}/{}.{}", p.source.name(), p.source.namespace());
            if !parents.contains(&parent) {
                parents.push(parent);
            }
        }
        sort_http_routes(&mut http);
        let mut annotations = SortedMap::new();
        annotations.insert(PARENTS.to_string(), parents.join(","));
        annotations.insert(ROUTE_SEMANTICS.to_string(), "gateway".to_string());
        out.push(derived(
            first.source,
            Kind::VirtualService,
            meta(
                key.replace('/', "~"),
                first.source.namespace(),
                annotations,
                first.source.meta.creation_timestamp.clone(),
            ),
            Spec::VirtualService(VirtualService {
                hosts: vec![first.host.clone()],
                gateways: vec![first.gateway.clone()],
                http,
                ..VirtualService::default()
            }),
        ));
    }
}
