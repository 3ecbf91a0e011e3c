//! Parse: YAML text into typed objects that remember where they came from.

use crate::diag::{codes, Diagnostic, Severity, Span};
use crate::istio::envoy_filter::EnvoyFilter;
use crate::istio::gateway_api::Resource;
use crate::istio::kube::{DeploymentSpec, EndpointSlice, PodSpec, PodStatus, ServiceSpec};
use crate::istio::networking::{
    DestinationRule, Gateway, ServiceEntry, Sidecar, VirtualService, WorkloadEntry,
};
use crate::istio::security::{AuthorizationPolicy, PeerAuthentication, RequestAuthentication};
use crate::istio::ObjectMeta;
use crate::sorted::SortedMap;
use crate::yaml::decode::{self, decode_fields, decode_structs, Decode, Shape};
use crate::yaml::{self, DeError, Node};
use serde::Serialize;
use std::sync::Arc;

/// One input file: the user's editor, a file given to the CLI, or the built-in world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// The kinds we understand, with the names istiod uses for them in `istio.config` metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Kind {
    Gateway,
    VirtualService,
    DestinationRule,
    ServiceEntry,
    Sidecar,
    WorkloadEntry,
    EnvoyFilter,
    PeerAuthentication,
    AuthorizationPolicy,
    RequestAuthentication,
    Service,
    Pod,
    Deployment,
    Namespace,
    ConfigMap,
    EndpointSlice,
    /// gateway.networking.k8s.io Gateway (not Istio's `Gateway`, which is [`Kind::Gateway`]).
    KubernetesGateway,
    GatewayClass,
    HttpRoute,
    GrpcRoute,
    TcpRoute,
    TlsRoute,
    ReferenceGrant,
    Ingress,
    IngressClass,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Gateway => "Gateway",
            Kind::VirtualService => "VirtualService",
            Kind::DestinationRule => "DestinationRule",
            Kind::ServiceEntry => "ServiceEntry",
            Kind::Sidecar => "Sidecar",
            Kind::WorkloadEntry => "WorkloadEntry",
            Kind::EnvoyFilter => "EnvoyFilter",
            Kind::PeerAuthentication => "PeerAuthentication",
            Kind::AuthorizationPolicy => "AuthorizationPolicy",
            Kind::RequestAuthentication => "RequestAuthentication",
            Kind::Service => "Service",
            Kind::Pod => "Pod",
            Kind::Deployment => "Deployment",
            Kind::Namespace => "Namespace",
            Kind::ConfigMap => "ConfigMap",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::KubernetesGateway => "Gateway",
            Kind::GatewayClass => "GatewayClass",
            Kind::HttpRoute => "HTTPRoute",
            Kind::GrpcRoute => "GRPCRoute",
            Kind::TcpRoute => "TCPRoute",
            Kind::TlsRoute => "TLSRoute",
            Kind::ReferenceGrant => "ReferenceGrant",
            Kind::Ingress => "Ingress",
            Kind::IngressClass => "IngressClass",
        }
    }

    /// The `group/version` path istiod writes into `metadata.filter_metadata.istio.config`.
    pub fn api_path(self) -> &'static str {
        match self {
            Kind::Gateway
            | Kind::VirtualService
            | Kind::DestinationRule
            | Kind::ServiceEntry
            | Kind::Sidecar
            | Kind::WorkloadEntry => "networking.istio.io/v1",
            Kind::EnvoyFilter => "networking.istio.io/v1alpha3",
            Kind::PeerAuthentication | Kind::AuthorizationPolicy | Kind::RequestAuthentication => {
                "security.istio.io/v1"
            }
            Kind::Deployment => "apps/v1",
            Kind::EndpointSlice => "discovery.k8s.io/v1",
            Kind::Service | Kind::Pod | Kind::Namespace | Kind::ConfigMap => "v1",
            Kind::KubernetesGateway
            | Kind::GatewayClass
            | Kind::HttpRoute
            | Kind::GrpcRoute
            | Kind::ReferenceGrant => "gateway.networking.k8s.io/v1",
            Kind::TcpRoute | Kind::TlsRoute => "gateway.networking.k8s.io/v1alpha2",
            Kind::Ingress | Kind::IngressClass => "networking.k8s.io/v1",
        }
    }

    /// Kebab-case kind, as in istiod's `/apis/<group>/<version>/namespaces/<ns>/<kind>/<name>`.
    pub fn kebab(self) -> &'static str {
        match self {
            Kind::Gateway => "gateway",
            Kind::VirtualService => "virtual-service",
            Kind::DestinationRule => "destination-rule",
            Kind::ServiceEntry => "service-entry",
            Kind::Sidecar => "sidecar",
            Kind::WorkloadEntry => "workload-entry",
            Kind::EnvoyFilter => "envoy-filter",
            Kind::PeerAuthentication => "peer-authentication",
            Kind::AuthorizationPolicy => "authorization-policy",
            Kind::RequestAuthentication => "request-authentication",
            Kind::Service => "service",
            Kind::Pod => "pod",
            Kind::Deployment => "deployment",
            Kind::Namespace => "namespace",
            Kind::ConfigMap => "configmap",
            Kind::EndpointSlice => "endpointslice",
            Kind::KubernetesGateway => "gateway",
            Kind::GatewayClass => "gateway-class",
            Kind::HttpRoute => "http-route",
            Kind::GrpcRoute => "grpc-route",
            Kind::TcpRoute => "tcp-route",
            Kind::TlsRoute => "tls-route",
            Kind::ReferenceGrant => "reference-grant",
            Kind::Ingress => "ingress",
            Kind::IngressClass => "ingress-class",
        }
    }

    fn is_istio(self) -> bool {
        matches!(
            self,
            Kind::Gateway
                | Kind::VirtualService
                | Kind::DestinationRule
                | Kind::ServiceEntry
                | Kind::Sidecar
                | Kind::WorkloadEntry
                | Kind::EnvoyFilter
                | Kind::PeerAuthentication
                | Kind::AuthorizationPolicy
                | Kind::RequestAuthentication
        )
    }
}

// Objects are few (hundreds, not millions), so one allocation each beats boxing every variant.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Spec {
    Gateway(Gateway),
    VirtualService(VirtualService),
    DestinationRule(DestinationRule),
    ServiceEntry(ServiceEntry),
    Sidecar(Sidecar),
    WorkloadEntry(WorkloadEntry),
    EnvoyFilter(EnvoyFilter),
    PeerAuthentication(PeerAuthentication),
    AuthorizationPolicy(AuthorizationPolicy),
    RequestAuthentication(RequestAuthentication),
    Service(ServiceSpec),
    Pod {
        spec: PodSpec,
        status: PodStatus,
    },
    Deployment(DeploymentSpec),
    Namespace,
    ConfigMap(SortedMap<String, String>),
    EndpointSlice(EndpointSlice),
    /// Gateway API and Ingress objects, converted to Istio objects when the mesh is built.
    GatewayApi(Box<Resource>),
}

/// Where an object came from: its file, and the span of its whole document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    pub file: String,
    pub span: Span,
}

/// A decoded object. `node` keeps the document's positioned tree so later stages (the analyzer,
/// provenance) can find the line of any field.
#[derive(Debug, Clone)]
pub struct Object {
    pub kind: Kind,
    pub meta: ObjectMeta,
    pub spec: Spec,
    pub origin: Origin,
    pub node: Arc<Node>,
    /// Position in the whole input (files in order, then documents): istiod's creation-time
    /// order for objects without a creationTimestamp.
    pub seq: usize,
}

impl Object {
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    pub fn namespace(&self) -> &str {
        self.meta.namespace.as_deref().unwrap_or("default")
    }

    /// The Istio object as Kubernetes would return it (`apiVersion`, `kind`, `metadata`, `spec`),
    /// for the networking kinds istiod derives from Gateway API and Ingress; `None` for the rest.
    pub fn istio_manifest(&self) -> Option<serde_json::Value> {
        use crate::yaml::encode::Encode;
        let spec = match &self.spec {
            Spec::Gateway(g) => g.encode_present(),
            Spec::VirtualService(v) => v.encode_present(),
            Spec::DestinationRule(d) => d.encode_present(),
            _ => return None,
        };
        let mut meta = self.meta.clone();
        meta.namespace = Some(self.namespace().to_string());
        Some(serde_json::json!({
            "apiVersion": self.kind.api_path(),
            "kind": self.kind.name(),
            "metadata": meta.encode_present(),
            "spec": spec,
        }))
    }

    /// `Kind namespace/name`, the way istioctl analyze names objects.
    pub fn display(&self) -> String {
        format!("{} {}/{}", self.kind.name(), self.namespace(), self.name())
    }

    /// `/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews`, as istiod writes
    /// it into `metadata.filter_metadata.istio.config`.
    pub fn config_path(&self) -> String {
        crate::join!(
            "/apis/",
            self.kind.api_path(),
            "/namespaces/",
            self.namespace(),
            "/",
            self.kind.kebab(),
            "/",
            self.name()
        )
    }

    /// The span of a field inside this object (`["spec", "http", "0"]`), or of the whole object.
    pub fn span_of<S: AsRef<str>>(&self, path: &[S]) -> Span {
        self.node.at(path).map_or(self.origin.span, |n| n.span)
    }

    /// The span of a field's key (`name:`) rather than its value, when it exists.
    pub fn key_span_of<S: AsRef<str>>(&self, path: &[S]) -> Span {
        match path.split_last() {
            Some((last, parent)) => self
                .node
                .at(parent)
                .and_then(|p| p.entry(last.as_ref()))
                .map_or_else(|| self.span_of(parent), |(k, _)| k.span),
            None => self.origin.span,
        }
    }
}

/// A reference to an object and its place in the user's text, for the page and the CLI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub file: String,
    pub span: Span,
    /// The `istio.config` path generated resources carry, to map them back to this object.
    pub config_path: String,
}

impl From<&Object> for ObjectRef {
    fn from(o: &Object) -> Self {
        ObjectRef {
            kind: o.kind.name().to_string(),
            namespace: o.namespace().to_string(),
            name: o.name().to_string(),
            file: o.origin.file.clone(),
            span: o.origin.span,
            config_path: o.config_path(),
        }
    }
}

/// Parse every file into objects, with a diagnostic for everything that is rejected.
pub fn parse_files(files: &[SourceFile]) -> (Vec<Object>, Vec<Diagnostic>) {
    let mut objects = Vec::new();
    let mut diags = Vec::new();
    for file in files {
        parse_file(file, &mut objects, &mut diags);
    }
    (objects, diags)
}

fn parse_file(file: &SourceFile, objects: &mut Vec<Object>, diags: &mut Vec<Diagnostic>) {
    let (docs, error) = yaml::parse_stream(&file.text);
    if let Some(err) = error {
        let code = if err.message.contains("too large") || err.message.contains("nesting deeper") {
            codes::LIMIT
        } else {
            codes::YAML_SYNTAX
        };
        diags.push(Diagnostic::new(
            code,
            Severity::Error,
            format!("YAML error: {}", err.message),
            &file.name,
            err.span,
        ));
    }
    for doc in docs {
        if doc.root.is_null() {
            continue; // an empty document (`---` twice, or trailing `---`) is fine
        }
        match decode(&file.name, doc.root, objects.len()) {
            Ok(Some(obj)) => objects.push(obj),
            Ok(None) => {}
            Err(d) => diags.push(*d),
        }
    }
}

decode_structs! {
    #[derive(Default)]
    struct PodEnvelope {
        spec: PodSpec,
        status: PodStatus,
    }
}

/// An Istio object as a whole: nothing but these keys, so a misplaced field (a `hosts:` next to
/// `spec:`) is an error like any unknown field.
const ISTIO_ENVELOPE: Shape = Shape {
    expecting: "struct IstioEnvelope",
    keys: &["apiVersion", "kind", "metadata", "spec", "status"],
    aliases: &[&[], &[], &[], &[], &[]],
    required: &[true, true, true, false, false],
    strict: true,
};

/// The `spec` of an Istio object (its default when absent or `null`), after checking the whole
/// object against [`ISTIO_ENVELOPE`].
fn istio_spec<T: Decode + Default>(root: &Node) -> Result<T, DeError> {
    let mut spec = None;
    decode_fields(root, &ISTIO_ENVELOPE, &mut |i, value| match i {
        0 | 1 => String::decode_into(value, &mut String::new()),
        2 => serde_json::Value::decode_into(value, &mut serde_json::Value::Null),
        3 => Option::<T>::decode_into(value, &mut spec),
        _ => Option::<serde_json::Value>::decode_into(value, &mut None),
    })
    .map_err(|e| *e)?;
    Ok(spec.unwrap_or_default())
}

fn decode(file: &str, root: Node, seq: usize) -> Result<Option<Object>, Box<Diagnostic>> {
    let here = |span: Span, msg: String| {
        Box::new(Diagnostic::new(
            codes::NOT_AN_OBJECT,
            Severity::Error,
            msg,
            file,
            span,
        ))
    };
    if root.as_map().is_none() {
        return Err(here(
            root.span,
            "expected a Kubernetes object (a mapping with apiVersion, kind and metadata)".into(),
        ));
    }
    let api_version = match root.get("apiVersion").and_then(Node::as_str) {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => return Err(here(root.span, "missing apiVersion".into())),
    };
    let kind_name = match root.get("kind").and_then(Node::as_str) {
        Some(k) if !k.is_empty() => k.to_string(),
        _ => return Err(here(root.span, "missing kind".into())),
    };
    let kind_span = root.get("kind").map_or(root.span, |n| n.span);
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let version = api_version
        .rsplit_once('/')
        .map_or(api_version.as_str(), |(_, v)| v);

    let kind = match classify(group, version, &kind_name) {
        Classified::Kind(k) => k,
        Classified::Unsupported(level) => {
            let (sev, what) = match level {
                Severity::Warning => (
                    Severity::Warning,
                    "is not supported yet: it is ignored, so it changes no Envoy config here",
                ),
                _ => (
                    Severity::Info,
                    "does not affect the Envoy configuration and is ignored",
                ),
            };
            return Err(Box::new(Diagnostic::new(
                codes::UNSUPPORTED_KIND,
                sev,
                format!("{kind_name} ({api_version}) {what}"),
                file,
                kind_span,
            )));
        }
        Classified::Unknown => {
            return Err(Box::new(Diagnostic::new(
                codes::UNSUPPORTED_KIND,
                Severity::Warning,
                format!("unknown kind {kind_name} in {api_version}: it is ignored"),
                file,
                kind_span,
            )))
        }
    };

    let schema_error = |e: DeError| {
        Box::new(Diagnostic::new(
            codes::SCHEMA,
            Severity::Error,
            format!("{kind_name} rejected: {}", e.message),
            file,
            e.span.unwrap_or(root.span),
        ))
    };

    let meta: ObjectMeta = match root.get("metadata") {
        Some(m) => decode::from_node::<ObjectMeta>(m).map_err(schema_error)?,
        None => return Err(here(root.span, format!("{kind_name} has no metadata"))),
    };
    if meta.name.is_empty() {
        let span = root.get("metadata").map_or(root.span, |m| m.span);
        return Err(here(span, format!("{kind_name} has no metadata.name")));
    }

    fn field<T: Decode + Default>(root: &Node, key: &str) -> Result<T, DeError> {
        match root.get(key) {
            Some(n) => decode::from_node(n),
            None => Ok(T::default()),
        }
    }

    fn api<T: Decode + Default>(wrap: fn(T) -> Resource, root: &Node) -> Result<Spec, DeError> {
        Ok(Spec::GatewayApi(Box::new(wrap(field(root, "spec")?))))
    }

    let spec = match kind {
        Kind::Gateway => Spec::Gateway(istio_spec(&root).map_err(schema_error)?),
        Kind::VirtualService => Spec::VirtualService(istio_spec(&root).map_err(schema_error)?),
        Kind::DestinationRule => Spec::DestinationRule(istio_spec(&root).map_err(schema_error)?),
        Kind::ServiceEntry => Spec::ServiceEntry(istio_spec(&root).map_err(schema_error)?),
        Kind::Sidecar => Spec::Sidecar(istio_spec(&root).map_err(schema_error)?),
        Kind::WorkloadEntry => Spec::WorkloadEntry(istio_spec(&root).map_err(schema_error)?),
        Kind::EnvoyFilter => Spec::EnvoyFilter(istio_spec(&root).map_err(schema_error)?),
        Kind::PeerAuthentication => {
            Spec::PeerAuthentication(istio_spec(&root).map_err(schema_error)?)
        }
        Kind::AuthorizationPolicy => {
            Spec::AuthorizationPolicy(istio_spec(&root).map_err(schema_error)?)
        }
        Kind::RequestAuthentication => {
            Spec::RequestAuthentication(istio_spec(&root).map_err(schema_error)?)
        }
        Kind::Service => Spec::Service(field(&root, "spec").map_err(schema_error)?),
        Kind::Pod => {
            let env: PodEnvelope = decode::from_node(&root).map_err(schema_error)?;
            Spec::Pod {
                spec: env.spec,
                status: env.status,
            }
        }
        Kind::Deployment => Spec::Deployment(field(&root, "spec").map_err(schema_error)?),
        Kind::Namespace => Spec::Namespace,
        Kind::ConfigMap => Spec::ConfigMap(field(&root, "data").map_err(schema_error)?),
        Kind::EndpointSlice => Spec::EndpointSlice(decode::from_node(&root).map_err(schema_error)?),
        Kind::KubernetesGateway => api(Resource::Gateway, &root).map_err(schema_error)?,
        Kind::GatewayClass => api(Resource::GatewayClass, &root).map_err(schema_error)?,
        Kind::HttpRoute => api(Resource::HttpRoute, &root).map_err(schema_error)?,
        Kind::GrpcRoute => api(Resource::GrpcRoute, &root).map_err(schema_error)?,
        Kind::TcpRoute => api(Resource::TcpRoute, &root).map_err(schema_error)?,
        Kind::TlsRoute => api(Resource::TlsRoute, &root).map_err(schema_error)?,
        Kind::ReferenceGrant => api(Resource::ReferenceGrant, &root).map_err(schema_error)?,
        Kind::Ingress => api(Resource::Ingress, &root).map_err(schema_error)?,
        Kind::IngressClass => api(Resource::IngressClass, &root).map_err(schema_error)?,
    };
    debug_assert!(kind.is_istio() || !matches!(spec, Spec::Gateway(_)));
    Ok(Some(Object {
        kind,
        meta,
        spec,
        origin: Origin {
            file: file.to_string(),
            span: root.span,
        },
        node: Arc::new(root),
        seq,
    }))
}

enum Classified {
    Kind(Kind),
    /// A real kind we do not translate: Warning when it would change routing, Info otherwise.
    Unsupported(Severity),
    Unknown,
}

fn classify(group: &str, version: &str, kind: &str) -> Classified {
    use Classified::*;
    match (group, kind) {
        ("networking.istio.io", _) if matches!(version, "v1" | "v1beta1" | "v1alpha3") => {
            match kind {
                "Gateway" => Kind(self::Kind::Gateway),
                "VirtualService" => Kind(self::Kind::VirtualService),
                "DestinationRule" => Kind(self::Kind::DestinationRule),
                "ServiceEntry" => Kind(self::Kind::ServiceEntry),
                "Sidecar" => Kind(self::Kind::Sidecar),
                "WorkloadEntry" => Kind(self::Kind::WorkloadEntry),
                // EnvoyFilter exists only as v1alpha3.
                "EnvoyFilter" if version == "v1alpha3" => Kind(self::Kind::EnvoyFilter),
                "EnvoyFilter" | "WorkloadGroup" | "ProxyConfig" => Unsupported(Severity::Warning),
                _ => Unknown,
            }
        }
        ("security.istio.io", "PeerAuthentication") => Kind(self::Kind::PeerAuthentication),
        ("security.istio.io", "AuthorizationPolicy") => Kind(self::Kind::AuthorizationPolicy),
        ("security.istio.io", "RequestAuthentication") => Kind(self::Kind::RequestAuthentication),
        ("telemetry.istio.io", _) | ("extensions.istio.io", _) => Unsupported(Severity::Warning),
        ("", "Service") if version == "v1" => Kind(self::Kind::Service),
        ("", "Pod") if version == "v1" => Kind(self::Kind::Pod),
        ("", "Namespace") if version == "v1" => Kind(self::Kind::Namespace),
        ("", "ConfigMap") if version == "v1" => Kind(self::Kind::ConfigMap),
        (
            "",
            "ServiceAccount"
            | "Secret"
            | "PersistentVolumeClaim"
            | "Endpoints"
            | "LimitRange"
            | "ResourceQuota",
        ) => Unsupported(Severity::Info),
        ("apps", "Deployment") => Kind(self::Kind::Deployment),
        ("apps", "StatefulSet" | "DaemonSet" | "ReplicaSet") => Unsupported(Severity::Warning),
        ("discovery.k8s.io", "EndpointSlice") => Kind(self::Kind::EndpointSlice),
        ("gateway.networking.k8s.io", _)
            if matches!(version, "v1" | "v1beta1" | "v1alpha2" | "v1alpha3") =>
        {
            match kind {
                "Gateway" => Kind(self::Kind::KubernetesGateway),
                "GatewayClass" => Kind(self::Kind::GatewayClass),
                "HTTPRoute" => Kind(self::Kind::HttpRoute),
                "GRPCRoute" => Kind(self::Kind::GrpcRoute),
                "TCPRoute" => Kind(self::Kind::TcpRoute),
                "TLSRoute" => Kind(self::Kind::TlsRoute),
                "ReferenceGrant" => Kind(self::Kind::ReferenceGrant),
                "UDPRoute" | "BackendTLSPolicy" | "ListenerSet" | "XListenerSet" => {
                    Unsupported(Severity::Warning)
                }
                _ => Unknown,
            }
        }
        ("gateway.networking.k8s.io", _) => Unsupported(Severity::Warning),
        ("networking.k8s.io", "Ingress") if version == "v1" => Kind(self::Kind::Ingress),
        ("networking.k8s.io", "IngressClass") if version == "v1" => Kind(self::Kind::IngressClass),
        ("networking.k8s.io", "Ingress" | "IngressClass") => Unsupported(Severity::Warning),
        ("rbac.authorization.k8s.io", _) | ("policy", _) | ("autoscaling", _) | ("batch", _) => {
            Unsupported(Severity::Info)
        }
        _ => Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Object>, Vec<Diagnostic>) {
        parse_files(&[SourceFile::new("istio.yaml", text)])
    }

    #[test]
    fn decodes_a_virtual_service_with_its_spans() {
        let (objs, diags) = parse(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination:\n        host: reviews\n        subset: v1\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let vs = &objs[0];
        assert_eq!(vs.display(), "VirtualService default/reviews");
        assert_eq!(
            vs.config_path(),
            "/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews"
        );
        let subset = vs.span_of(&["spec", "http", "0", "route", "0", "destination", "subset"]);
        assert_eq!((subset.start_line, subset.start_col), (11, 17));
    }

    #[test]
    fn unknown_field_is_an_ist0106_at_its_line() {
        let (objs, diags) = parse(
            "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: r\nspec:\n  host: reviews\n  subsetz: []\n",
        );
        assert!(objs.is_empty());
        assert_eq!(diags[0].code, "IST0106");
        assert_eq!(diags[0].line, 7);
        assert!(diags[0].message.contains("subsetz"), "{}", diags[0].message);
    }

    #[test]
    fn unsupported_kind_is_never_silent() {
        let (objs, diags) = parse(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: UDPRoute\nmetadata:\n  name: r\n",
        );
        assert!(objs.is_empty());
        assert_eq!(diags[0].code, "PL0003");
        assert!(diags[0].message.contains("not supported yet"));
    }

    #[test]
    fn a_bad_document_does_not_hide_the_good_ones() {
        let (objs, diags) = parse("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\nkind: Service\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n");
        assert_eq!(objs.len(), 2);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 6);
    }
}
