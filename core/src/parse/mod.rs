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
    /// Read for the Gateway API conversion (certificate references); its data stays base64.
    Secret,
    EndpointSlice,
    /// gateway.networking.k8s.io Gateway (not Istio's `Gateway`, which is [`Kind::Gateway`]).
    KubernetesGateway,
    GatewayClass,
    HttpRoute,
    GrpcRoute,
    TcpRoute,
    TlsRoute,
    ReferenceGrant,
    /// gateway.networking.k8s.io ListenerSet (also read as x-k8s.io XListenerSet).
    ListenerSet,
    BackendTlsPolicy,
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
            Kind::Secret => "Secret",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::KubernetesGateway => "Gateway",
            Kind::GatewayClass => "GatewayClass",
            Kind::HttpRoute => "HTTPRoute",
            Kind::GrpcRoute => "GRPCRoute",
            Kind::TcpRoute => "TCPRoute",
            Kind::TlsRoute => "TLSRoute",
            Kind::ReferenceGrant => "ReferenceGrant",
            Kind::ListenerSet => "ListenerSet",
            Kind::BackendTlsPolicy => "BackendTLSPolicy",
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
            Kind::Service | Kind::Pod | Kind::Namespace | Kind::ConfigMap | Kind::Secret => "v1",
            Kind::KubernetesGateway
            | Kind::GatewayClass
            | Kind::HttpRoute
            | Kind::GrpcRoute
            | Kind::ReferenceGrant
            | Kind::ListenerSet
            | Kind::BackendTlsPolicy => "gateway.networking.k8s.io/v1",
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
            Kind::Secret => "secret",
            Kind::EndpointSlice => "endpointslice",
            Kind::KubernetesGateway => "gateway",
            Kind::GatewayClass => "gateway-class",
            Kind::HttpRoute => "http-route",
            Kind::GrpcRoute => "grpc-route",
            Kind::TcpRoute => "tcp-route",
            Kind::TlsRoute => "tls-route",
            Kind::ReferenceGrant => "reference-grant",
            Kind::ListenerSet => "listener-set",
            Kind::BackendTlsPolicy => "backend-tls-policy",
            Kind::Ingress => "ingress",
            Kind::IngressClass => "ingress-class",
        }
    }

    /// Kinds that live outside namespaces.
    pub fn is_cluster_scoped(self) -> bool {
        matches!(
            self,
            Kind::Namespace | Kind::GatewayClass | Kind::IngressClass
        )
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
    /// Shared: an incremental load hands the same parse to every mesh built after it, and
    /// cloning an object must stay cheap.
    pub spec: Arc<Spec>,
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
        let spec = match &*self.spec {
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

    /// `Kind namespace/name`, or `Kind name` for a cluster-scoped kind (Namespace, GatewayClass,
    /// IngressClass): the way istioctl analyze names objects, and what `-S` patterns match.
    pub fn display(&self) -> String {
        if self.kind.is_cluster_scoped() {
            return format!("{} {}", self.kind.name(), self.name());
        }
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
    let (docs, error) = yaml::parse_documents(&file.text);
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
    let mut items = Vec::new();
    for doc in docs {
        list_items(&file.name, doc.root, &mut items, diags);
    }
    for item in items {
        match decode(&file.name, item, objects.len(), diags) {
            Ok(Some(obj)) => objects.push(obj),
            Ok(None) => {}
            Err(d) => diags.push(*d),
        }
    }
}

/// The object documents of a file as the loader reads them (YAML or JSON, lists expanded), for
/// rules that read kinds the mesh does not model straight from the text. Errors are the loader's
/// to report and are left out here.
pub fn object_nodes(text: &str) -> Vec<Node> {
    let (docs, _) = yaml::parse_documents(text);
    let (mut out, mut ignored) = (Vec::new(), Vec::new());
    for doc in docs {
        list_items("", doc.root, &mut out, &mut ignored);
    }
    out
}

/// The objects of a document: the document itself, or the `items` of a `kind: List` (what
/// `kubectl get -o yaml|json` prints) or of a typed list (`VirtualServiceList`), lists inside
/// lists included. Items keep their place in the file, so every span points into the list. An
/// item of a typed list without `apiVersion` and `kind` (as the API server returns them) takes
/// them from the list. Empty documents (`---` twice, a Helm `# Source:` comment alone) are none.
fn list_items(file: &str, root: Node, out: &mut Vec<Node>, diags: &mut Vec<Diagnostic>) {
    if root.is_null() {
        return;
    }
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or_default();
    let Some(item_kind) = kind.strip_suffix("List") else {
        out.push(root);
        return;
    };
    let items = match root.get("items") {
        Some(items) if items.is_null() => return,
        Some(items) => items,
        None if item_kind.is_empty() => return, // `kind: List` with no items: nothing in it
        None => {
            out.push(root);
            return;
        }
    };
    let Some(seq) = items.as_seq() else {
        diags.push(Diagnostic::new(
            codes::NOT_AN_OBJECT,
            Severity::Error,
            format!("the items of a {kind} must be a sequence of objects"),
            file,
            items.span,
        ));
        return;
    };
    // The list's own apiVersion and kind node, for items that carry none.
    let api_version = root
        .entry("apiVersion")
        .map(|(k, v)| (k.clone(), v.clone()));
    let kind_entry = root.entry("kind").map(|(k, v)| {
        let mut v = v.clone();
        v.value = yaml::Value::Scalar {
            text: item_kind.to_string(),
            plain: true,
        };
        (k.clone(), v)
    });
    for item in seq {
        let mut item = item.clone();
        if let (false, yaml::Value::Map(entries)) = (item_kind.is_empty(), &mut item.value) {
            for (key, entry) in [("apiVersion", &api_version), ("kind", &kind_entry)] {
                if !entries.iter().any(|(k, _)| k.as_str() == Some(key)) {
                    entries.extend(entry.clone());
                }
            }
        }
        list_items(file, item, out, diags);
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

fn decode(
    file: &str,
    root: Node,
    seq: usize,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Object>, Box<Diagnostic>> {
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

    // Unknown and missing fields are reported, and the object is kept (see
    // `decode::noting_soft_errors`); a wrong type rejects it.
    if root.get("metadata").is_none() {
        return Err(here(root.span, format!("{kind_name} has no metadata")));
    }
    let (decoded, soft) = decode::noting_soft_errors(|| decode_object(&root, kind));
    let (meta, spec) = decoded.map_err(schema_error)?;
    let object = if kind.is_cluster_scoped() {
        format!("{} {}", kind.name(), meta.name)
    } else {
        format!(
            "{} {}/{}",
            kind.name(),
            meta.namespace.as_deref().unwrap_or("default"),
            meta.name
        )
    };
    for e in soft {
        diags.push(
            Diagnostic::new(
                codes::SCHEMA,
                Severity::Error,
                format!("{kind_name}: {}", e.message),
                file,
                e.span.unwrap_or(root.span),
            )
            .with_object(&object),
        );
    }
    if meta.name.is_empty() {
        let span = root.get("metadata").map_or(root.span, |m| m.span);
        return Err(here(span, format!("{kind_name} has no metadata.name")));
    }
    Ok(Some(Object {
        kind,
        meta,
        spec: Arc::new(spec),
        origin: Origin {
            file: file.to_string(),
            span: root.span,
        },
        node: Arc::new(root),
        seq,
    }))
}

/// The metadata and spec of an object of a known kind.
fn decode_object(root: &Node, kind: Kind) -> Result<(ObjectMeta, Spec), DeError> {
    let meta: ObjectMeta = match root.get("metadata") {
        Some(m) => decode::from_node::<ObjectMeta>(m)?,
        None => ObjectMeta::default(),
    };

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
        Kind::Gateway => Spec::Gateway(istio_spec(root)?),
        Kind::VirtualService => Spec::VirtualService(istio_spec(root)?),
        Kind::DestinationRule => Spec::DestinationRule(istio_spec(root)?),
        Kind::ServiceEntry => Spec::ServiceEntry(istio_spec(root)?),
        Kind::Sidecar => Spec::Sidecar(istio_spec(root)?),
        Kind::WorkloadEntry => Spec::WorkloadEntry(istio_spec(root)?),
        Kind::EnvoyFilter => Spec::EnvoyFilter(istio_spec(root)?),
        Kind::PeerAuthentication => Spec::PeerAuthentication(istio_spec(root)?),
        Kind::AuthorizationPolicy => Spec::AuthorizationPolicy(istio_spec(root)?),
        Kind::RequestAuthentication => Spec::RequestAuthentication(istio_spec(root)?),
        Kind::Service => Spec::Service(field(root, "spec")?),
        Kind::Pod => {
            let env: PodEnvelope = decode::from_node(root)?;
            Spec::Pod {
                spec: env.spec,
                status: env.status,
            }
        }
        Kind::Deployment => Spec::Deployment(field(root, "spec")?),
        Kind::Namespace => Spec::Namespace,
        Kind::ConfigMap => Spec::ConfigMap(field(root, "data")?),
        Kind::Secret => Spec::GatewayApi(Box::new(Resource::Secret(decode::from_node(root)?))),
        Kind::EndpointSlice => Spec::EndpointSlice(decode::from_node(root)?),
        Kind::KubernetesGateway => api(Resource::Gateway, root)?,
        Kind::GatewayClass => api(Resource::GatewayClass, root)?,
        Kind::HttpRoute => api(Resource::HttpRoute, root)?,
        Kind::GrpcRoute => api(Resource::GrpcRoute, root)?,
        Kind::TcpRoute => api(Resource::TcpRoute, root)?,
        Kind::TlsRoute => api(Resource::TlsRoute, root)?,
        Kind::ReferenceGrant => api(Resource::ReferenceGrant, root)?,
        Kind::ListenerSet => api(Resource::ListenerSet, root)?,
        Kind::BackendTlsPolicy => api(Resource::BackendTlsPolicy, root)?,
        Kind::Ingress => api(Resource::Ingress, root)?,
        Kind::IngressClass => api(Resource::IngressClass, root)?,
    };
    debug_assert!(kind.is_istio() || !matches!(spec, Spec::Gateway(_)));
    Ok((meta, spec))
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
        ("", "Secret") if version == "v1" => Kind(self::Kind::Secret),
        (
            "",
            "ServiceAccount"
            | "PersistentVolumeClaim"
            | "Endpoints"
            | "LimitRange"
            | "ResourceQuota",
        ) => Unsupported(Severity::Info),
        // Read by the analyzer from the text (injection and control-plane webhooks, the
        // Gateway API CRDs' versions).
        (
            "admissionregistration.k8s.io",
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
        )
        | ("apiextensions.k8s.io", "CustomResourceDefinition") => Unsupported(Severity::Info),
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
                "ListenerSet" => Kind(self::Kind::ListenerSet),
                "BackendTLSPolicy" if version != "v1alpha2" => Kind(self::Kind::BackendTlsPolicy),
                "UDPRoute" | "BackendTLSPolicy" => Unsupported(Severity::Warning),
                _ => Unknown,
            }
        }
        ("gateway.networking.k8s.io", _) => Unsupported(Severity::Warning),
        // Gateway API's experimental channel, before ListenerSet reached the standard group.
        ("gateway.networking.x-k8s.io", "XListenerSet") => Kind(self::Kind::ListenerSet),
        ("gateway.networking.x-k8s.io", _) => Unsupported(Severity::Warning),
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
    fn unknown_field_is_an_ist0106_at_its_line_and_the_object_is_kept() {
        let (objs, diags) = parse(
            "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: r\nspec:\n  host: reviews\n  subsetz: []\n",
        );
        // Istio's analyzer holds the object and reports the field; the host still counts.
        assert_eq!(objs.len(), 1);
        assert_eq!(
            diags[0].object.as_deref(),
            Some("DestinationRule default/r")
        );
        assert_eq!(diags[0].code, "IST0106");
        assert_eq!(diags[0].line, 7);
        assert!(diags[0].message.contains("subsetz"), "{}", diags[0].message);
    }

    #[test]
    fn an_empty_route_entry_keeps_the_virtual_service() {
        let (objs, diags) = parse(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - {}\n",
        );
        assert_eq!(objs.len(), 1, "{diags:?}");
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].code.as_str(), diags[0].line), ("IST0106", 9));
        assert!(diags[0].message.contains("missing field `destination`"));
        // A wrong type is still refused, as Kubernetes' decoder refuses it.
        let (objs, diags) = parse(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n  hosts: r\n",
        );
        assert!(objs.is_empty());
        assert!(
            diags[0].message.contains("rejected"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn lists_json_bom_and_crlf() {
        let list = "\u{feff}apiVersion: v1\r\nkind: List\r\nitems:\r\n- apiVersion: v1\r\n  kind: Service\r\n  metadata:\r\n    name: a\r\n- apiVersion: v1\r\n  kind: List\r\n  items:\r\n  - apiVersion: v1\r\n    kind: Namespace\r\n    metadata: {name: b}\r\n";
        let (objs, diags) = parse(list);
        assert!(diags.is_empty(), "{diags:?}");
        let names: Vec<(&str, u32)> = objs
            .iter()
            .map(|o| (o.name(), o.origin.span.start_line))
            .collect();
        assert_eq!(names, [("a", 4), ("b", 11)]);
        // A typed list from the API server: items without apiVersion and kind.
        let (objs, diags) = parse(
            "{\"apiVersion\": \"networking.istio.io/v1\", \"kind\": \"DestinationRuleList\",\n \"items\": [\n  {\"metadata\": {\"name\": \"r\"}, \"spec\": {\"host\": \"r\"}}]}\n{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"s\"}}",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(objs.len(), 2);
        assert_eq!(
            (objs[0].kind, objs[0].origin.span.start_line),
            (Kind::DestinationRule, 3)
        );
        assert_eq!(
            (objs[1].kind, objs[1].origin.span.start_line),
            (Kind::Service, 4)
        );
        // Helm's comments and empty documents are nothing.
        let (objs, diags) = parse("---\n# Source: chart/templates/a.yaml\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(objs[0].origin.span.start_line, 5);
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
