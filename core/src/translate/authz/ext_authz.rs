//! MeshConfig `extensionProviders` into Envoy ext_authz filters (istiod's authz builder
//! `extauthz.go`): the HTTP filter for envoyExtAuthzHttp and envoyExtAuthzGrpc, the network
//! filter for envoyExtAuthzGrpc only. A provider with errors makes every CUSTOM rule that names
//! it a DENY (`...-deny-due-to-bad-CUSTOM-action`).

use crate::envoy::duration::Duration;
use crate::envoy::Value;
use crate::istio::mesh_config::{ExtAuthzGrpc, ExtAuthzHttp, ExtensionProvider, RequestBody};
use crate::mesh::Mesh;
use crate::value;

pub const MATCH_PREFIX: &str = "istio-ext-authz";
pub const BAD_SUFFIX: &str = "-deny-due-to-bad-CUSTOM-action";
pub const SHADOW_PREFIX: &str = "istio_ext_authz_";

/// A provider resolved into its filters, or why it cannot be used.
pub struct Built {
    pub http: Option<Value>,
    pub tcp: Option<Value>,
}

/// Look the provider up by name and build its filter configs (`getExtAuthz`).
pub fn resolve(mesh: &Mesh, name: &str) -> Result<Built, String> {
    let providers = &mesh.config.extension_providers;
    let authz: Vec<&ExtensionProvider> = providers
        .iter()
        .filter(|p| p.envoy_ext_authz_http.is_some() || p.envoy_ext_authz_grpc.is_some())
        .collect();
    let Some(p) = authz.iter().find(|p| p.name == name) else {
        let names: Vec<&str> = authz.iter().map(|p| p.name.as_str()).collect();
        return Err(format!(
            "available providers are [{}] but found {name:?}",
            names.join(" ")
        ));
    };
    if providers.iter().filter(|q| q.name == name).count() > 1 {
        return Err(format!(
            "extension provider name must be unique, found duplicate: {name}"
        ));
    }
    validate_name(name).map_err(|e| format!("invalid provider name {name:?}: {e}"))?;
    if let Some(h) = &p.envoy_ext_authz_http {
        http(mesh, h).map_err(|e| format!("failed to parse extension provider {name:?}: {e}"))
    } else if let Some(g) = &p.envoy_ext_authz_grpc {
        grpc(mesh, g).map_err(|e| format!("failed to parse extension provider {name:?}: {e}"))
    } else {
        Err(format!("provider {name} is not an ext_authz provider"))
    }
}

fn validate_name(name: &str) -> Result<(), String> {
    if name.len() > 63 {
        return Err("provider name too long (max 63 characters)".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!("invalid character {c:?}"));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("provider name cannot start or end with hyphen".into());
    }
    Ok(())
}

/// `LookupCluster`: `ns/host` or a host found in exactly one namespace.
pub fn lookup_cluster(mesh: &Mesh, service: &str, port: u32) -> Result<(String, String), String> {
    if service.is_empty() {
        return Err("service must not be empty".into());
    }
    let found: Vec<&crate::mesh::Service> = match service.split_once('/') {
        Some((ns, host)) => mesh
            .services
            .iter()
            .filter(|s| s.hostname == host && s.namespace == ns)
            .collect(),
        None => mesh
            .services
            .iter()
            .filter(|s| s.hostname == service)
            .collect(),
    };
    match found.as_slice() {
        [one] => Ok((
            one.hostname.clone(),
            crate::names::outbound_cluster(port, "", &one.hostname),
        )),
        [_, _, ..] => Err(format!(
            "found {service} in multiple namespaces, specify the namespace explicitly in the format of <Namespace>/<Hostname>"
        )),
        [] => Err(format!(
            "could not find service {service} in Istio service registry"
        )),
    }
}

fn port(p: u32) -> Result<u32, String> {
    if (1..=65535).contains(&p) {
        Ok(p)
    } else {
        Err(format!("port must be in the range [1, 65535], found: {p}"))
    }
}

fn status_on_error(s: &str) -> Result<Option<Value>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let code: u16 = s
        .parse()
        .map_err(|_| format!("invalid statusOnError {s:?}"))?;
    match KNOWN_STATUS.iter().find(|(c, _)| *c == code) {
        Some((_, name)) => Ok(Some(value!({ "code": *name }))),
        None => Err(format!("unsupported statusOnError {s}")),
    }
}

/// Envoy's `envoy.type.v3.StatusCode` enum: protobuf JSON writes a status by its name.
const KNOWN_STATUS: &[(u16, &str)] = &[
    (0, "Empty"),
    (100, "Continue"),
    (200, "OK"),
    (201, "Created"),
    (202, "Accepted"),
    (203, "NonAuthoritativeInformation"),
    (204, "NoContent"),
    (205, "ResetContent"),
    (206, "PartialContent"),
    (207, "MultiStatus"),
    (208, "AlreadyReported"),
    (226, "IMUsed"),
    (300, "MultipleChoices"),
    (301, "MovedPermanently"),
    (302, "Found"),
    (303, "SeeOther"),
    (304, "NotModified"),
    (305, "UseProxy"),
    (307, "TemporaryRedirect"),
    (308, "PermanentRedirect"),
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (402, "PaymentRequired"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (405, "MethodNotAllowed"),
    (406, "NotAcceptable"),
    (407, "ProxyAuthenticationRequired"),
    (408, "RequestTimeout"),
    (409, "Conflict"),
    (410, "Gone"),
    (411, "LengthRequired"),
    (412, "PreconditionFailed"),
    (413, "PayloadTooLarge"),
    (414, "URITooLong"),
    (415, "UnsupportedMediaType"),
    (416, "RangeNotSatisfiable"),
    (417, "ExpectationFailed"),
    (421, "MisdirectedRequest"),
    (422, "UnprocessableEntity"),
    (423, "Locked"),
    (424, "FailedDependency"),
    (426, "UpgradeRequired"),
    (428, "PreconditionRequired"),
    (429, "TooManyRequests"),
    (431, "RequestHeaderFieldsTooLarge"),
    (500, "InternalServerError"),
    (501, "NotImplemented"),
    (502, "BadGateway"),
    (503, "ServiceUnavailable"),
    (504, "GatewayTimeout"),
    (505, "HTTPVersionNotSupported"),
    (506, "VariantAlsoNegotiates"),
    (507, "InsufficientStorage"),
    (508, "LoopDetected"),
    (510, "NotExtended"),
    (511, "NetworkAuthenticationRequired"),
];

/// The numeric code of a status name written by [`status_on_error`].
pub fn status_code(name: &str) -> Option<u16> {
    KNOWN_STATUS
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(c, _)| *c)
}

fn timeout(t: &Option<String>) -> Result<Value, String> {
    match t {
        None => Ok(value!("600s")),
        Some(d) => Duration::parse(d).map(|d| value!(d.to_json())),
    }
}

fn headers(list: &[String]) -> Option<Value> {
    if list.is_empty() {
        return None;
    }
    let patterns: Vec<Value> = list
        .iter()
        .map(|h| {
            if let Some(s) = h.strip_prefix('*') {
                value!({"suffix": s, "ignore_case": true})
            } else if let Some(p) = h.strip_suffix('*') {
                value!({"prefix": p, "ignore_case": true})
            } else {
                value!({"exact": h, "ignore_case": true})
            }
        })
        .collect();
    Some(value!({ "patterns": patterns }))
}

fn body(b: &Option<RequestBody>) -> Option<Value> {
    b.as_ref().map(|b| {
        let mut v = value!({});
        if b.max_request_bytes > 0 {
            v["max_request_bytes"] = value!(b.max_request_bytes);
        }
        if b.allow_partial_message {
            v["allow_partial_message"] = value!(true);
        }
        if b.pack_as_bytes {
            v["pack_as_bytes"] = value!(true);
        }
        v
    })
}

/// The metadata the CUSTOM RBAC shadow rules leave for ext_authz (`generateFilterMatcherForProvider`).
pub fn filter_enabled(filter: &str, provider: &str) -> Value {
    value!({
        "filter": filter,
        "path": [{"key": format!("{SHADOW_PREFIX}shadow_effective_policy_id")}],
        "value": {"string_match": {"prefix": format!("{MATCH_PREFIX}-{provider}")}},
    })
}

fn http(mesh: &Mesh, c: &ExtAuthzHttp) -> Result<Built, String> {
    let mut errs = Vec::new();
    let p = port(c.port).map_err(|e| errs.push(e)).unwrap_or(0);
    let found = lookup_cluster(mesh, &c.service, p).map_err(|e| errs.push(e));
    let status = status_on_error(&c.status_on_error)
        .map_err(|e| errs.push(e))
        .unwrap_or(None);
    if !c.path_prefix.is_empty() && !c.path_prefix.starts_with('/') {
        errs.push(format!(
            "pathPrefix must begin with `/`, found: {:?}",
            c.path_prefix
        ));
    }
    for (field, vals) in [
        (
            "IncludeRequestHeadersInCheck",
            &c.include_request_headers_in_check,
        ),
        ("IncludeHeadersInCheck", &c.include_headers_in_check),
        (
            "HeadersToDownstreamOnDeny",
            &c.headers_to_downstream_on_deny,
        ),
        (
            "HeadersToDownstreamOnAllow",
            &c.headers_to_downstream_on_allow,
        ),
        ("HeadersToUpstreamOnAllow", &c.headers_to_upstream_on_allow),
    ] {
        if vals.iter().any(|v| v == "*") {
            errs.push(format!("a single wildcard (\"*\") is not supported, change it to either prefix or suffix match: {field}"));
        }
    }
    let t = timeout(&c.timeout).map_err(|e| errs.push(e));
    if !errs.is_empty() {
        return Err(errs.join("; "));
    }
    let (Ok((hostname, cluster)), Ok(t)) = (found, t) else {
        return Err("invalid provider".into());
    };
    let mut service = value!({});
    if !c.path_prefix.is_empty() {
        service["path_prefix"] = value!(&c.path_prefix);
    }
    service["server_uri"] = value!({
        "uri": format!("http://{hostname}"),
        "cluster": cluster,
        "timeout": t,
    });
    if !c.include_additional_headers_in_check.is_empty() {
        let add: Vec<Value> = c
            .include_additional_headers_in_check
            .iter()
            .map(|(k, v)| value!({"key": k, "value": v}))
            .collect();
        service["authorization_request"] = value!({ "headers_to_add": add });
    }
    if !(c.headers_to_upstream_on_allow.is_empty()
        && c.headers_to_downstream_on_deny.is_empty()
        && c.headers_to_downstream_on_allow.is_empty())
    {
        let mut resp = value!({});
        for (k, list) in [
            ("allowed_upstream_headers", &c.headers_to_upstream_on_allow),
            ("allowed_client_headers", &c.headers_to_downstream_on_deny),
            (
                "allowed_client_headers_on_success",
                &c.headers_to_downstream_on_allow,
            ),
        ] {
            if let Some(h) = headers(list) {
                resp[k] = h;
            }
        }
        service["authorization_response"] = resp;
    }
    let mut f = value!({
        "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
        "http_service": service,
    });
    if let Some(s) = status {
        f["status_on_error"] = s;
    }
    if c.fail_open {
        f["failure_mode_allow"] = value!(true);
    }
    let allowed = headers(&c.include_request_headers_in_check)
        .or_else(|| headers(&c.include_headers_in_check));
    if let Some(a) = allowed {
        f["allowed_headers"] = a;
    }
    if let Some(b) = body(&c.include_request_body_in_check) {
        f["with_request_body"] = b;
    }
    f["transport_api_version"] = value!("V3");
    Ok(Built {
        http: Some(f),
        tcp: None,
    })
}

fn grpc(mesh: &Mesh, c: &ExtAuthzGrpc) -> Result<Built, String> {
    let mut errs = Vec::new();
    let p = port(c.port).map_err(|e| errs.push(e)).unwrap_or(0);
    let found = lookup_cluster(mesh, &c.service, p).map_err(|e| errs.push(e));
    let status = status_on_error(&c.status_on_error)
        .map_err(|e| errs.push(e))
        .unwrap_or(None);
    let t = timeout(&c.timeout).map_err(|e| errs.push(e));
    if !errs.is_empty() {
        return Err(errs.join("; "));
    }
    let (Ok((hostname, cluster)), Ok(t)) = (found, t) else {
        return Err("invalid provider".into());
    };
    let service = value!({
        "envoy_grpc": {"cluster_name": cluster, "authority": hostname},
        "timeout": t,
    });
    let mut h = value!({
        "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
        "grpc_service": service.clone(),
    });
    if let Some(s) = status {
        h["status_on_error"] = s;
    }
    if c.fail_open {
        h["failure_mode_allow"] = value!(true);
    }
    if let Some(b) = body(&c.include_request_body_in_check) {
        h["with_request_body"] = b;
    }
    h["transport_api_version"] = value!("V3");
    let mut t = value!({
        "@type": "type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz",
        "stat_prefix": "tcp.",
        "grpc_service": service,
    });
    if c.fail_open {
        t["failure_mode_allow"] = value!(true);
    }
    t["transport_api_version"] = value!("V3");
    Ok(Built {
        http: Some(h),
        tcp: Some(t),
    })
}
