//! The input model of the Kubernetes routing APIs, as istiod reads them: gateway.networking.k8s.io
//! (Gateway, GatewayClass, ListenerSet, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, ReferenceGrant,
//! BackendTLSPolicy), networking.k8s.io (Ingress, IngressClass), and the Secrets their
//! certificate references name.
//!
//! Field names follow the CRDs (camelCase). These APIs keep growing between releases, so unknown
//! fields are accepted and ignored (as a Kubernetes API server of a newer version would store them);
//! only the fields istiod reads are typed.

use crate::sorted::SortedMap;
use crate::yaml::decode::decode_structs;

/// One decoded object of these APIs. Always boxed (`parse::Spec::GatewayApi`), so the size
/// of its largest variant costs one allocation per object, not per enum.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Resource {
    Gateway(GatewaySpec),
    GatewayClass(GatewayClassSpec),
    HttpRoute(HttpRouteSpec),
    GrpcRoute(GrpcRouteSpec),
    TcpRoute(TcpRouteSpec),
    TlsRoute(TlsRouteSpec),
    ReferenceGrant(ReferenceGrantSpec),
    ListenerSet(ListenerSetSpec),
    BackendTlsPolicy(BackendTlsPolicySpec),
    Ingress(IngressSpec),
    IngressClass(IngressClassSpec),
    /// A core/v1 Secret: istiod checks that a listener's certificate reference names one that
    /// holds a certificate and key.
    Secret(SecretData),
}

// ---------------------------------------------------------------- Gateway, GatewayClass

decode_structs! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GatewayClassSpec {
        pub controller_name: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GatewaySpec {
        pub gateway_class_name: String,
        pub listeners: Vec<Listener>,
        pub addresses: Vec<GatewayAddress>,
        pub tls: Option<GatewayTlsConfig>,
        pub allowed_listeners: Option<AllowedListeners>,
        pub infrastructure: Option<GatewayInfrastructure>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GatewayInfrastructure {
        pub parameters_ref: Option<ObjectRef>,
    }

    /// `spec.tls` of a Gateway: client certificate validation for its HTTPS listeners.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GatewayTlsConfig {
        pub frontend: Option<FrontendTls>,
        pub backend: Option<BackendTlsConfig>,
    }

    /// The client certificate the Gateway presents to backends.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct BackendTlsConfig {
        pub client_certificate_ref: Option<ObjectRef>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct FrontendTls {
        pub default: FrontendTlsConfig,
        pub per_port: Vec<FrontendTlsPort>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct FrontendTlsPort {
        pub port: u32,
        pub tls: FrontendTlsConfig,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct FrontendTlsConfig {
        pub validation: Option<FrontendValidation>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct FrontendValidation {
        pub ca_certificate_refs: Vec<ObjectRef>,
        /// `AllowValidOnly` (the default) or `AllowInsecureFallback`.
        pub mode: Option<String>,
    }

    /// Which namespaces' ListenerSets may add listeners to a Gateway (none by default).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct AllowedListeners {
        pub namespaces: Option<RouteNamespaces>,
    }

    /// A ListenerSet: listeners added to a parent Gateway.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ListenerSetSpec {
        pub parent_ref: ParentRef,
        pub listeners: Vec<Listener>,
    }

    /// BackendTLSPolicy: TLS from gateways and sidecars to the Services it targets.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct BackendTlsPolicySpec {
        pub target_refs: Vec<PolicyTargetRef>,
        pub validation: BackendTlsValidation,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PolicyTargetRef {
        pub group: Option<String>,
        pub kind: String,
        pub name: String,
        pub section_name: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct BackendTlsValidation {
        pub ca_certificate_refs: Vec<ObjectRef>,
        pub well_known_ca_certificates: Option<String> ["wellKnownCACertificates"],
        pub hostname: String,
        pub subject_alt_names: Vec<SubjectAltName>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SubjectAltName {
        pub kind: String ["type"],
        pub hostname: Option<String>,
        pub uri: Option<String>,
    }

    /// A Secret's `data` (base64, as stored) and `stringData`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SecretData {
        pub data: SortedMap<String, String>,
        pub string_data: SortedMap<String, String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GatewayAddress {
        pub kind: Option<String> ["type"],
        pub value: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Listener {
        pub name: String,
        pub hostname: Option<String>,
        pub port: u32,
        pub protocol: String,
        pub tls: Option<GatewayTls>,
        pub allowed_routes: Option<AllowedRoutes>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GatewayTls {
        pub mode: Option<String>,
        pub certificate_refs: Vec<ObjectRef>,
        pub options: SortedMap<String, String>,
    }

    /// A reference to another object (`group`, `kind`, `namespace`, `name`), as a Secret or a backend.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ObjectRef {
        pub group: Option<String>,
        pub kind: Option<String>,
        pub name: String,
        pub namespace: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct AllowedRoutes {
        pub namespaces: Option<RouteNamespaces>,
        pub kinds: Vec<RouteGroupKind>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RouteNamespaces {
        pub from: Option<String>,
        pub selector: Option<NamespaceSelector>,
    }

    /// A Kubernetes label selector with `matchExpressions` (allowedRoutes.namespaces.selector).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct NamespaceSelector {
        pub match_labels: SortedMap<String, String>,
        pub match_expressions: Vec<SelectorRequirement>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SelectorRequirement {
        pub key: String,
        pub operator: String,
        pub values: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RouteGroupKind {
        pub group: Option<String>,
        pub kind: String,
    }

    // ---------------------------------------------------------------- routes

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ParentRef {
        pub group: Option<String>,
        pub kind: Option<String>,
        pub namespace: Option<String>,
        pub name: String,
        pub section_name: Option<String>,
        pub port: Option<u32>,
    }

    /// A backend: a Service by default, or an Istio `Hostname` / ServiceEntry by group and kind.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct BackendRef {
        pub group: Option<String>,
        pub kind: Option<String>,
        pub name: String,
        pub namespace: Option<String>,
        pub port: Option<u32>,
        pub weight: Option<u32>,
        pub filters: Vec<HttpRouteFilter>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRouteSpec {
        pub parent_refs: Vec<ParentRef>,
        pub hostnames: Vec<String>,
        pub rules: Vec<HttpRouteRule>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRouteRule {
        pub name: Option<String>,
        pub matches: Vec<HttpRouteMatch>,
        pub filters: Vec<HttpRouteFilter>,
        pub backend_refs: Vec<BackendRef>,
        pub timeouts: Option<HttpRouteTimeouts>,
        pub retry: Option<HttpRouteRetry>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRouteMatch {
        pub path: Option<HttpPathMatch>,
        pub headers: Vec<ValueMatch>,
        pub query_params: Vec<ValueMatch>,
        pub method: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpPathMatch {
        pub kind: Option<String> ["type"],
        pub value: Option<String>,
    }

    /// A header or query parameter match: `{type: Exact|RegularExpression, name, value}`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ValueMatch {
        pub kind: Option<String> ["type"],
        pub name: String,
        pub value: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRouteFilter {
        pub kind: String ["type"],
        pub request_header_modifier: Option<HeaderModifier>,
        pub response_header_modifier: Option<HeaderModifier>,
        pub request_redirect: Option<RequestRedirect>,
        pub url_rewrite: Option<UrlRewrite>,
        pub request_mirror: Option<RequestMirror>,
        pub cors: Option<CorsFilter>,
    }

    /// The `CORS` filter (Gateway API 1.3).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct CorsFilter {
        pub allow_origins: Vec<String>,
        pub allow_credentials: Option<bool>,
        pub allow_methods: Vec<String>,
        pub allow_headers: Vec<String>,
        pub expose_headers: Vec<String>,
        pub max_age: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HeaderModifier {
        pub set: Vec<HttpHeader>,
        pub add: Vec<HttpHeader>,
        pub remove: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpHeader {
        pub name: String,
        pub value: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RequestRedirect {
        pub scheme: Option<String>,
        pub hostname: Option<String>,
        pub path: Option<PathModifier>,
        pub port: Option<u32>,
        pub status_code: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PathModifier {
        pub kind: Option<String> ["type"],
        pub replace_full_path: Option<String>,
        pub replace_prefix_match: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct UrlRewrite {
        pub hostname: Option<String>,
        pub path: Option<PathModifier>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RequestMirror {
        pub backend_ref: BackendRef,
        pub percent: Option<u32>,
        pub fraction: Option<Fraction>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Fraction {
        pub numerator: u32,
        pub denominator: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRouteTimeouts {
        pub request: Option<String>,
        pub backend_request: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRouteRetry {
        pub codes: Vec<u32>,
        pub attempts: Option<u32>,
        pub backoff: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GrpcRouteSpec {
        pub parent_refs: Vec<ParentRef>,
        pub hostnames: Vec<String>,
        pub rules: Vec<GrpcRouteRule>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GrpcRouteRule {
        pub name: Option<String>,
        pub matches: Vec<GrpcRouteMatch>,
        pub filters: Vec<HttpRouteFilter>,
        pub backend_refs: Vec<BackendRef>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GrpcRouteMatch {
        pub method: Option<GrpcMethodMatch>,
        pub headers: Vec<ValueMatch>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GrpcMethodMatch {
        pub kind: Option<String> ["type"],
        pub service: Option<String>,
        pub method: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TcpRouteSpec {
        pub parent_refs: Vec<ParentRef>,
        pub rules: Vec<L4RouteRule>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TlsRouteSpec {
        pub parent_refs: Vec<ParentRef>,
        pub hostnames: Vec<String>,
        pub rules: Vec<L4RouteRule>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct L4RouteRule {
        pub name: Option<String>,
        pub backend_refs: Vec<BackendRef>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ReferenceGrantSpec {
        pub from: Vec<GrantFrom>,
        pub to: Vec<GrantTo>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GrantFrom {
        pub group: String,
        pub kind: String,
        pub namespace: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct GrantTo {
        pub group: String,
        pub kind: String,
        pub name: Option<String>,
    }

    // ---------------------------------------------------------------- Ingress

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressClassSpec {
        pub controller: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressSpec {
        pub ingress_class_name: Option<String>,
        pub default_backend: Option<IngressBackend>,
        pub tls: Vec<IngressTls>,
        pub rules: Vec<IngressRule>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressTls {
        pub hosts: Vec<String>,
        pub secret_name: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressRule {
        pub host: Option<String>,
        pub http: Option<IngressHttp>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressHttp {
        pub paths: Vec<IngressPath>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressPath {
        pub path: Option<String>,
        pub path_type: Option<String>,
        pub backend: IngressBackend,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressBackend {
        pub service: Option<IngressServiceBackend>,
        pub resource: Option<ObjectRef>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressServiceBackend {
        pub name: String,
        pub port: IngressServicePort,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IngressServicePort {
        pub number: Option<u32>,
        pub name: Option<String>,
    }
}

impl NamespaceSelector {
    /// Kubernetes' selector semantics: every label and every expression (`In`, `NotIn`, `Exists`,
    /// `DoesNotExist`) must hold; an unknown operator matches nothing.
    pub fn matches(&self, labels: &SortedMap<String, String>) -> bool {
        let plain = self
            .match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v));
        plain
            && self.match_expressions.iter().all(|e| {
                let value = labels.get(&e.key);
                match e.operator.as_str() {
                    "In" => value.is_some_and(|v| e.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !e.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}
