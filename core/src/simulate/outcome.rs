//! What one proxy did with one request: every decision, in order, with the reason for it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a request stopped inside a proxy. The messages are exactly those of Istio's simulator
/// (`pilot/pkg/simulation/traffic.go`), so results compare one to one with istiod's tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SimError {
    #[serde(rename = "no listener matched")]
    NoListener,
    #[serde(rename = "no filter chains matched")]
    NoFilterChain,
    #[serde(rename = "no route matched")]
    NoRoute,
    #[serde(rename = "no virtual host matched")]
    NoVirtualHost,
    #[serde(rename = "tls required, sending 301")]
    TlsRedirect,
    #[serde(rename = "multiple filter chains matched")]
    MultipleFilterChain,
    #[serde(rename = "protocol error")]
    Protocol,
    #[serde(rename = "invalid TLS")]
    Tls,
    #[serde(rename = "invalid mTLS")]
    Mtls,
}

impl SimError {
    pub fn message(self) -> &'static str {
        match self {
            SimError::NoListener => "no listener matched",
            SimError::NoFilterChain => "no filter chains matched",
            SimError::NoRoute => "no route matched",
            SimError::NoVirtualHost => "no virtual host matched",
            SimError::TlsRedirect => "tls required, sending 301",
            SimError::MultipleFilterChain => "multiple filter chains matched",
            SimError::Protocol => "protocol error",
            SimError::Tls => "invalid TLS",
            SimError::Mtls => "invalid mTLS",
        }
    }

    /// The Go identifier in Istio's simulator (`ErrNoRoute`, ...).
    pub fn go_name(self) -> &'static str {
        match self {
            SimError::NoListener => "ErrNoListener",
            SimError::NoFilterChain => "ErrNoFilterChain",
            SimError::NoRoute => "ErrNoRoute",
            SimError::NoVirtualHost => "ErrNoVirtualHost",
            SimError::TlsRedirect => "ErrTLSRedirect",
            SimError::MultipleFilterChain => "ErrMultipleFilterChain",
            SimError::Protocol => "ErrProtocolError",
            SimError::Tls => "ErrTLSError",
            SimError::Mtls => "ErrMTLSError",
        }
    }

    /// What Envoy answers an HTTP client with, when it answers at all: status and response flag.
    pub fn http_response(self) -> Option<(u16, &'static str)> {
        match self {
            SimError::NoRoute | SimError::NoVirtualHost => Some((404, "NR")),
            SimError::TlsRedirect => Some((301, "")),
            _ => None,
        }
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for SimError {}

/// The stage of the walk a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Request,
    Listener,
    ListenerFilter,
    FilterChain,
    Tls,
    NetworkFilter,
    RouteConfig,
    VirtualHost,
    Route,
    Action,
    Fault,
    Authz,
    Cluster,
    Endpoint,
}

/// One decision: which element was chosen (or none), and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub stage: Stage,
    /// The element chosen at this stage (listener name, route name, ...); empty when none.
    pub name: String,
    /// A sentence a user can read: what was compared and what won.
    pub reason: String,
}

/// A weighted cluster and its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightedCluster {
    pub name: String,
    pub weight: u64,
}

/// What the matched route (or TCP proxy) does with the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Forward to one cluster.
    Cluster { cluster: String },
    /// Forward to one of several clusters; `picked` is the one this request drew.
    Weighted {
        clusters: Vec<WeightedCluster>,
        picked: String,
    },
    /// Envoy answers itself.
    DirectResponse {
        status: u16,
        #[serde(skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// Envoy answers with a redirect.
    Redirect { status: u16, location: String },
    /// The virtual host requires TLS: plaintext gets a 301 to https.
    TlsRedirect { status: u16, location: String },
    /// A route action this simulator does not follow (cluster_header, ...).
    Unsupported { what: String },
}

/// A fault the route injects (the `envoy.filters.http.fault` per-route config).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abort_status: Option<u16>,
    /// Percentage of requests aborted (0..=100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abort_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_percent: Option<f64>,
    /// Whether this request drew the abort.
    pub aborted: bool,
    /// Whether this request drew the delay.
    pub delayed: bool,
}

/// Properties of the matched route that change how the request is handled but not where it goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<Retry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<Mirror>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// Path after prefix_rewrite / regex_rewrite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewritten_path: Option<String>,
    /// Host after host_rewrite_literal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewritten_host: Option<String>,
    /// Headers the route adds to the request, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request_headers_added: Vec<(String, String)>,
}

impl RouteProperties {
    pub fn is_empty(&self) -> bool {
        *self == RouteProperties::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    pub attempts: u64,
    pub retry_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_try_timeout: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mirror {
    pub cluster: String,
    /// Percentage of requests mirrored (0..=100); 100 when unset.
    pub percent: f64,
    /// Whether this request drew a mirrored copy.
    pub mirrored: bool,
}

/// The upstream host Envoy picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// `ip:port`, or the name of an internal listener / pipe.
    pub address: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ip: String,
    pub port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Whether Envoy wraps the connection in Istio mTLS (`tlsMode: istio` transport socket match).
    pub mtls: bool,
}

/// Everything one proxy decided about one request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub listener: Option<String>,
    pub filter_chain: Option<String>,
    /// The terminal network filter: `envoy.filters.network.http_connection_manager` or
    /// `envoy.filters.network.tcp_proxy`.
    pub network_filter: Option<String>,
    pub route_config: Option<String>,
    pub virtual_host: Option<String>,
    pub route: Option<String>,
    pub action: Option<Action>,
    pub cluster: Option<String>,
    /// The cluster's discovery type (EDS, STATIC, ORIGINAL_DST, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_type: Option<String>,
    /// The subset in an `outbound|port|subset|host` cluster name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subset: Option<String>,
    pub endpoint: Option<Endpoint>,
    #[serde(skip_serializing_if = "RouteProperties::is_empty")]
    pub properties: RouteProperties,
    /// The simulator error (Istio's words), if the request stopped at a matching stage.
    pub error: Option<SimError>,
    /// HTTP status Envoy itself answers with (404 NR, direct response, redirect, fault abort,
    /// 503 when no upstream), when the request does not go upstream.
    pub status: Option<u16>,
    /// Envoy's access-log response flag for a local answer (NR, UH, NC, FI, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_flag: Option<String>,
    /// Envoy's `%RESPONSE_CODE_DETAILS%` (or connection termination details) of a local answer
    /// by an authorization filter: `rbac_access_denied_matched_policy[none]`,
    /// `jwt_authn_access_denied{Jwt_issuer_is_not_configured}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_code_details: Option<String>,
    /// The body of that local answer (`RBAC: access denied`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// A network filter closed the connection (a TCP RBAC deny).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub connection_closed: bool,
    /// Every authorization and authentication filter's decision, in filter order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authz: Vec<AuthzDecision>,
    /// jwt_authn verified the token and removes it before forwarding (`forward` unset).
    #[serde(skip)]
    pub strip_jwt: bool,
    pub steps: Vec<Step>,
}

/// What one RBAC, ext_authz or jwt_authn filter decided.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthzDecision {
    /// The filter (`envoy.filters.http.rbac`, `envoy.filters.network.rbac`, ...).
    pub filter: String,
    /// `ALLOW`, `DENY`, `LOG` (AUDIT) for RBAC, `CUSTOM` for ext_authz, `JWT` for jwt_authn.
    pub action: String,
    /// Dry-run (shadow) rules: reported, never enforced.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    /// `allowed`, `denied`, `would allow`, `would deny`, `logged`, `sent to <provider>`, ...
    pub result: String,
    /// The RBAC policy (istiod's rule name) that matched, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// When no policy of an ALLOW filter matched: the policies it holds (the request would have
    /// needed one of them), in name order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
    /// The AuthorizationPolicy that rule (or the first candidate) came from
    /// (`/apis/security.istio.io/...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_path: Option<String>,
    /// Where that rule is in the user's YAML (set by the trace, which knows the files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Outcome {
    pub(crate) fn step(
        &mut self,
        stage: Stage,
        name: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.steps.push(Step {
            stage,
            name: name.into(),
            reason: reason.into(),
        });
    }

    pub(crate) fn fail(&mut self, err: SimError) {
        self.error = Some(err);
        if let Some((status, flag)) = err.http_response() {
            self.status = Some(status);
            if !flag.is_empty() {
                self.response_flag = Some(flag.to_string());
            }
        }
    }

    /// True when the request leaves this proxy towards an upstream host.
    pub fn forwarded(&self) -> bool {
        self.error.is_none()
            && self.status.is_none()
            && !self.connection_closed
            && self.endpoint.is_some()
    }

    /// A compact multi-line rendering (the CLI's `-o short`).
    pub fn short(&self) -> String {
        let mut s = String::new();
        let mut line = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                s.push_str(&format!("{k:<14}{v}\n"));
            }
        };
        line("listener", self.listener.as_deref());
        line(
            "filter chain",
            self.filter_chain
                .as_deref()
                .map(|c| if c.is_empty() { "(unnamed)" } else { c }),
        );
        line("network", self.network_filter.as_deref());
        line("route config", self.route_config.as_deref());
        line("virtual host", self.virtual_host.as_deref());
        line("route", self.route.as_deref());
        let action = self.action.as_ref().map(action_text);
        line("action", action.as_deref());
        line("cluster", self.cluster.as_deref());
        let ep = self.endpoint.as_ref().map(|e| e.address.clone());
        line("endpoint", ep.as_deref());
        let status = self.status.map(|st| match &self.response_flag {
            Some(f) => format!("{st} {f}"),
            None => st.to_string(),
        });
        line("status", status.as_deref());
        line("details", self.response_code_details.as_deref());
        if self.connection_closed {
            line("connection", Some("closed"));
        }
        for d in &self.authz {
            let policy = d
                .policy
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let text = format!("{} {}: {}{policy}", d.filter, d.action, d.result);
            line("authz", Some(&text));
        }
        let err = self.error.map(|e| e.message());
        line("error", err);
        s.push_str("why:\n");
        for st in &self.steps {
            s.push_str(&format!("  - {}\n", st.reason));
        }
        s
    }
}

/// One line describing an action.
pub fn action_text(a: &Action) -> String {
    match a {
        Action::Cluster { cluster } => format!("route to {cluster}"),
        Action::Weighted { clusters, picked } => {
            let parts: Vec<String> = clusters
                .iter()
                .map(|c| format!("{} ({})", c.name, c.weight))
                .collect();
            format!("weighted [{}], picked {picked}", parts.join(", "))
        }
        Action::DirectResponse { status, .. } => format!("direct response {status}"),
        Action::Redirect { status, location } => format!("redirect {status} to {location}"),
        Action::TlsRedirect { status, location } => {
            format!("TLS required: redirect {status} to {location}")
        }
        Action::Unsupported { what } => format!("unsupported action {what}"),
    }
}
