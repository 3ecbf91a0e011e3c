//! `istioctl analyze`, offline: Istio's IST findings over the loaded mesh, each at the line and
//! column of the offending field in the user's file.
//!
//! Entry points: [`analyze`] (what the page runs on every keystroke) and [`analyze_sources`]
//! (adds the rules on kinds the mesh does not model, such as AuthorizationPolicy, which need the
//! source text). One file per family of rules:
//!
//! - [`validation`]: the validating webhook (IST0106 errors, IST0133 warnings) and the unreachable
//!   and ineffective route rules it reports (IST0130, IST0131);
//! - [`references`]: hosts, subsets, mirrors, gateways and delegates that do not exist (IST0101),
//!   destination ports (IST0112);
//! - [`destination_rules`]: DestinationRule hosts and subsets (IST0173, IST0174) and TLS without a
//!   CA (IST0128, IST0129);
//! - [`conflicts`]: VirtualServices sharing a mesh host (IST0109);
//! - [`gateways`]: selectors (IST0101), ports (IST0162), conflicts (IST0145), VirtualService hosts
//!   (IST0132);
//! - [`ports`]: Service port names (IST0118), ServiceEntry addresses (IST0134);
//! - [`authz`]: AuthorizationPolicy selectors (IST0127);
//! - [`security`]: AuthorizationPolicy and RequestAuthentication webhook rules (IST0106,
//!   IST0133), JWT claim routes without RequestAuthentication (IST0149).
//!
//! Invariants: findings never point into the built-in world file; no rule panics on any input
//! the loader accepts; the result is sorted by file, line and column.

mod annotation_values;
mod annotations;
mod authz;
pub mod checks;
mod conditions;
mod conflicts;
mod crd_versions;
mod defaults;
mod deprecation;
mod destination_rules;
mod envoyfilter;
mod fix;
mod gateway_selectors;
mod gateways;
mod image_auto;
mod injector_webhooks;
mod jwks;
mod ports;
mod references;
pub mod registry;
mod report;
mod secrets;
mod security;
mod service_entries;
mod sources;
mod telemetry;
mod unreachable;
mod validation;
mod webhooks;
mod workloads;
mod x509;

use crate::diag::{Diagnostic, Severity, Span};
use crate::mesh::{Loaded, Mesh};
use crate::order;
use crate::parse::{Object, SourceFile};
use crate::playground::world::BOOKINFO_FILE;

pub use fix::{quick_fix, Fix};
pub use registry::{Analyzer, ANALYZERS};
pub use report::{report, report_with, Options as ReportOptions, Suppression};

/// An analysis message type: Istio's code, level and name (pkg/config/analysis/msg/messages.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    pub level: Severity,
    pub name: &'static str,
}

macro_rules! codes {
    ($($konst:ident = $code:literal, $level:ident, $name:literal;)*) => {
        /// Every message type the analyzer reports.
        pub mod codes {
            use super::Code;
            use crate::diag::Severity;
            $(pub const $konst: Code = Code { code: $code, level: Severity::$level, name: $name };)*
            pub const ALL: &[Code] = &[$($konst),*];
        }
    };
}

codes! {
    DEPRECATED = "IST0002", Warning, "Deprecated";
    REFERENCED_RESOURCE_NOT_FOUND = "IST0101", Error, "ReferencedResourceNotFound";
    NAMESPACE_NOT_INJECTED = "IST0102", Info, "NamespaceNotInjected";
    POD_MISSING_PROXY = "IST0103", Warning, "PodMissingProxy";
    SCHEMA_VALIDATION_ERROR = "IST0106", Error, "SchemaValidationError";
    CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS = "IST0109", Error, "ConflictingMeshGatewayVirtualServiceHosts";
    CONFLICTING_SIDECAR_WORKLOAD_SELECTORS = "IST0110", Error, "ConflictingSidecarWorkloadSelectors";
    MULTIPLE_SIDECARS_WITHOUT_WORKLOAD_SELECTORS = "IST0111", Error, "MultipleSidecarsWithoutWorkloadSelectors";
    VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED = "IST0112", Error, "VirtualServiceDestinationPortSelectorRequired";
    DEPLOYMENT_ASSOCIATED_TO_MULTIPLE_SERVICES = "IST0116", Warning, "DeploymentAssociatedToMultipleServices";
    MISPLACED_ANNOTATION = "IST0107", Warning, "MisplacedAnnotation";
    UNKNOWN_ANNOTATION = "IST0108", Warning, "UnknownAnnotation";
    PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION = "IST0118", Info, "PortNameIsNotUnderNamingConvention";
    NAMESPACE_MULTIPLE_INJECTION_LABELS = "IST0123", Warning, "NamespaceMultipleInjectionLabels";
    INVALID_ANNOTATION = "IST0125", Warning, "InvalidAnnotation";
    NO_MATCHING_WORKLOADS_FOUND = "IST0127", Warning, "NoMatchingWorkloadsFound";
    NO_SERVER_CERTIFICATE_VERIFICATION_DESTINATION_LEVEL = "IST0128", Warning, "NoServerCertificateVerificationDestinationLevel";
    NO_SERVER_CERTIFICATE_VERIFICATION_PORT_LEVEL = "IST0129", Warning, "NoServerCertificateVerificationPortLevel";
    VIRTUAL_SERVICE_UNREACHABLE_RULE = "IST0130", Warning, "VirtualServiceUnreachableRule";
    VIRTUAL_SERVICE_INEFFECTIVE_MATCH = "IST0131", Info, "VirtualServiceIneffectiveMatch";
    VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY = "IST0132", Warning, "VirtualServiceHostNotFoundInGateway";
    SCHEMA_WARNING = "IST0133", Warning, "SchemaWarning";
    SERVICE_ENTRY_ADDRESSES_REQUIRED = "IST0134", Warning, "ServiceEntryAddressesRequired";
    DEPRECATED_ANNOTATION = "IST0135", Info, "DeprecatedAnnotation";
    DEPLOYMENT_CONFLICTING_PORTS = "IST0137", Warning, "DeploymentConflictingPorts";
    GATEWAY_DUPLICATE_CERTIFICATE = "IST0138", Warning, "GatewayDuplicateCertificate";
    INVALID_WEBHOOK = "IST0139", Error, "InvalidWebhook";
    INGRESS_ROUTE_RULES_NOT_AFFECTED = "IST0140", Warning, "IngressRouteRulesNotAffected";
    INVALID_APPLICATION_UID = "IST0144", Warning, "InvalidApplicationUID";
    CONFLICTING_GATEWAYS = "IST0145", Error, "ConflictingGateways";
    IMAGE_AUTO_WITHOUT_INJECTION_WARNING = "IST0146", Warning, "ImageAutoWithoutInjectionWarning";
    IMAGE_AUTO_WITHOUT_INJECTION_ERROR = "IST0147", Error, "ImageAutoWithoutInjectionError";
    NAMESPACE_INJECTION_ENABLED_BY_DEFAULT = "IST0148", Info, "NamespaceInjectionEnabledByDefault";
    INVALID_TELEMETRY_PROVIDER = "IST0157", Warning, "InvalidTelemetryProvider";
    PODS_ISTIO_PROXY_IMAGE_MISMATCH_IN_NAMESPACE = "IST0158", Warning, "PodsIstioProxyImageMismatchInNamespace";
    JWT_CLAIM_BASED_ROUTING_WITHOUT_REQUEST_AUTHN = "IST0149", Error, "JwtClaimBasedRoutingWithoutRequestAuthN";
    EXTERNAL_NAME_SERVICE_TYPE_INVALID_PORT_NAME = "IST0150", Warning, "ExternalNameServiceTypeInvalidPortName";
    CONFLICTING_TELEMETRY_WORKLOAD_SELECTORS = "IST0159", Error, "ConflictingTelemetryWorkloadSelectors";
    MULTIPLE_TELEMETRIES_WITHOUT_WORKLOAD_SELECTORS = "IST0160", Error, "MultipleTelemetriesWithoutWorkloadSelectors";
    INVALID_GATEWAY_CREDENTIAL = "IST0161", Error, "InvalidGatewayCredential";
    INEFFECTIVE_SELECTOR = "IST0166", Warning, "IneffectiveSelector";
    INEFFECTIVE_POLICY = "IST0167", Warning, "IneffectivePolicy";
    ENVOY_FILTER_USES_RELATIVE_OPERATION = "IST0151", Warning, "EnvoyFilterUsesRelativeOperation";
    ENVOY_FILTER_USES_REPLACE_OPERATION_INCORRECTLY = "IST0152", Error, "EnvoyFilterUsesReplaceOperationIncorrectly";
    ENVOY_FILTER_USES_ADD_OPERATION_INCORRECTLY = "IST0153", Error, "EnvoyFilterUsesAddOperationIncorrectly";
    ENVOY_FILTER_USES_REMOVE_OPERATION_INCORRECTLY = "IST0154", Error, "EnvoyFilterUsesRemoveOperationIncorrectly";
    ENVOY_FILTER_USES_RELATIVE_OPERATION_WITH_PROXY_VERSION = "IST0155", Warning, "EnvoyFilterUsesRelativeOperationWithProxyVersion";
    // Ours: a patch that changes no proxy (issue 17); istioctl has no such check.
    ENVOY_FILTER_PATCH_NOT_APPLIED = "PL0170", Warning, "EnvoyFilterPatchNotApplied";
    GATEWAY_PORT_NOT_DEFINED_ON_SERVICE = "IST0162", Warning, "GatewayPortNotDefinedOnService";
    INVALID_EXTERNAL_CONTROL_PLANE_CONFIG = "IST0163", Warning, "InvalidExternalControlPlaneConfig";
    EXTERNAL_CONTROL_PLANE_ADDRESS_IS_NOT_A_HOSTNAME = "IST0164", Info, "ExternalControlPlaneAddressIsNotAHostname";
    REFERENCED_INTERNAL_GATEWAY = "IST0165", Warning, "ReferencedInternalGateway";
    NEGATIVE_CONDITION_STATUS = "IST0171", Warning, "NegativeConditionStatus";
    DESTINATION_RULE_SUBSET_NOT_SELECT_PODS = "IST0173", Error, "DestinationRuleSubsetNotSelectPods";
    UNKNOWN_DESTINATION_RULE_HOST = "IST0174", Warning, "UnknownDestinationRuleHost";
    GATEWAY_API_CRD_VERSION_BELOW_MINIMUM = "IST0176", Warning, "GatewayAPICRDVersionBelowMinimum";
    JWKS_URI_FETCH_UNRESTRICTED = "IST0175", Warning, "JwksUriFetchUnrestricted";
    CONFLICTING_SERVICE_ENTRY_PROTOCOL = "IST0177", Warning, "ConflictingServiceEntryProtocol";
}

/// Istio's documentation page for a code, as istioctl prints it in JSON output.
pub fn documentation_url(code: &str) -> String {
    format!(
        "https://istio.io/latest/docs/reference/config/analysis/{}/",
        code.to_ascii_lowercase()
    )
}

/// Analyze the loaded input: every finding, sorted by file, line and column.
pub fn analyze(loaded: &Loaded) -> Vec<Diagnostic> {
    run(&loaded.mesh, &[])
}

/// [`analyze`], plus the rules on kinds the mesh keeps no model of (AuthorizationPolicy), read
/// from the source files. Like `istioctl analyze` on files, it assumes the default ingress
/// gateway exists when the input does not define it (see [`defaults`]).
pub fn analyze_sources(loaded: &Loaded, files: &[SourceFile]) -> Vec<Diagnostic> {
    match defaults::with_default_ingress(&loaded.mesh, files) {
        Some(with) => run(&crate::mesh::load(&with).mesh, &with),
        None => run(&loaded.mesh, files),
    }
}

fn run(mesh: &Mesh, files: &[SourceFile]) -> Vec<Diagnostic> {
    let mut ctx = Ctx {
        mesh,
        out: Vec::new(),
    };
    validation::check(&mut ctx);
    unreachable::check(&mut ctx);
    references::check(&mut ctx);
    destination_rules::check(&mut ctx);
    conflicts::check(&mut ctx);
    gateways::check(&mut ctx);
    ports::check(&mut ctx);
    authz::check(&mut ctx, files);
    security::check(&mut ctx);
    workloads::check(&mut ctx);
    service_entries::check(&mut ctx);
    jwks::check(&mut ctx);
    deprecation::check(&mut ctx);
    references::ingress_subsets(&mut ctx);
    secrets::check(&mut ctx, files);
    webhooks::check(&mut ctx, files);
    injector_webhooks::check(&mut ctx, files);
    image_auto::check(&mut ctx, files);
    annotations::check(&mut ctx);
    crd_versions::check(&mut ctx, files);
    workloads::proxy_images(&mut ctx, files);
    telemetry::check(&mut ctx, files);
    gateway_selectors::check(&mut ctx, files);
    conditions::check(&mut ctx);
    envoyfilter::check(&mut ctx);
    let mut out = ctx.out;
    order::sort_by(&mut out, |a, b| {
        (&a.file, a.line, a.column, &a.code, &a.message)
            .cmp(&(&b.file, b.line, b.column, &b.code, &b.message))
    });
    out.dedup();
    out
}

/// Namespaces istioctl analyze leaves alone (Kubernetes' own).
const IGNORED_NAMESPACES: &[&str] = &[
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "local-path-storage",
];

/// What every rule gets: the mesh, and where findings go.
pub(crate) struct Ctx<'a> {
    pub mesh: &'a Mesh,
    out: Vec<Diagnostic>,
}

/// Build a field path from keys and indexes: `fp!["spec", "http", i, "route"]`.
macro_rules! fp {
    ($($part:expr),* $(,)?) => { &[$(($part).to_string()),*][..] };
}
pub(crate) use fp;

impl Ctx<'_> {
    /// Is this object the user's (not the built-in world's, nor one istiod derives from a Gateway
    /// API or Ingress object, whose problems the conversion reports on the source)?
    pub fn is_user(o: &Object) -> bool {
        o.origin.file != BOOKINFO_FILE
            && o.origin.file != defaults::DEFAULTS_FILE
            && !IGNORED_NAMESPACES.contains(&o.namespace())
            && !crate::gatewayapi::is_derived(o)
    }

    /// Report a finding on a field of an object; nothing for objects of the built-in world.
    pub fn report(
        &mut self,
        code: Code,
        obj: &Object,
        path: &[String],
        message: impl Into<String>,
    ) {
        if !Self::is_user(obj) {
            return;
        }
        let span = field_span(obj, path);
        self.report_at(code, &obj.origin.file, span, &obj.display(), message);
    }

    pub fn report_at(
        &mut self,
        code: Code,
        file: &str,
        span: Span,
        object: &str,
        message: impl Into<String>,
    ) {
        if file == BOOKINFO_FILE || file == defaults::DEFAULTS_FILE {
            return;
        }
        self.out
            .push(Diagnostic::new(code.code, code.level, message, file, span).with_object(object));
    }
}

/// The span of a field: from its key (`tls:`) to the end of its value. A path that does not exist
/// in the text (a defaulted field) falls back to its deepest existing parent.
pub(crate) fn field_span(obj: &Object, path: &[String]) -> Span {
    node_field_span(&obj.node, path).unwrap_or(obj.origin.span)
}

/// [`field_span`] inside any document.
pub(crate) fn node_field_span<S: AsRef<str>>(root: &crate::yaml::Node, path: &[S]) -> Option<Span> {
    for len in (0..=path.len()).rev() {
        let p = &path[..len];
        let Some(node) = root.at(p) else {
            continue;
        };
        let mut span = node.span;
        if let Some((last, parent)) = p.split_last() {
            if let Some((key, _)) = root.at(parent).and_then(|n| n.entry(last.as_ref())) {
                span.start_line = key.span.start_line;
                span.start_col = key.span.start_col;
            }
        }
        return Some(span);
    }
    None
}

/// `name` or `namespace/name`, as Istio writes a resource's full name.
pub(crate) fn full_name(o: &Object) -> String {
    format!("{}/{}", o.namespace(), o.name())
}

/// istioctl's one-line form: `Error [IST0101] (VirtualService default/reviews file.yaml:13) message`.
pub fn render_log(d: &Diagnostic) -> String {
    let origin = match &d.object {
        Some(o) => format!("{o} {}:{}", d.file, d.line),
        None => format!("{}:{}", d.file, d.line),
    };
    format!(
        "{} [{}] ({origin}) {}",
        d.severity.as_str(),
        d.code,
        d.message
    )
}

#[cfg(test)]
mod tests;

/// The service a host names, seen from a namespace, as Istio's analyzers look it up: the host
/// resolved against the namespace, an exact hostname first, then a wildcard ServiceEntry host.
///
/// `export_to` is the referring object's own exportTo: as in Istio's analyzer, the service must be
/// visible where the referring object is (or, when it is exported elsewhere, in one of those
/// namespaces).
pub(crate) fn lookup<'m>(
    mesh: &'m Mesh,
    from_ns: &str,
    export_to: &[String],
    host: &str,
) -> Option<&'m crate::mesh::Service> {
    let fqdn = crate::host::resolve(host, from_ns);
    let scopes: Vec<&str> = if export_to.is_empty() || export_to.iter().any(|e| e == "*") {
        vec![from_ns]
    } else {
        export_to
            .iter()
            .map(|e| if e == "." { from_ns } else { e.as_str() })
            .collect()
    };
    let visible = |s: &&crate::mesh::Service| {
        scopes
            .iter()
            .any(|ns| crate::mesh::scope::exported_to(&s.export_to, &s.namespace, ns))
    };
    mesh.services
        .iter()
        .filter(visible)
        .find(|s| s.hostname == fqdn)
        .or_else(|| {
            mesh.services
                .iter()
                .filter(visible)
                .find(|s| s.hostname.starts_with('*') && crate::host::matches(&s.hostname, &fqdn))
        })
        .or_else(|| {
            // A wildcard host (a DestinationRule's `*.example.com`) is known when it covers a
            // service.
            fqdn.starts_with('*')
                .then(|| {
                    mesh.services
                        .iter()
                        .filter(visible)
                        .find(|s| crate::host::matches(&fqdn, &s.hostname))
                })
                .flatten()
        })
}

/// Names a user might have meant for a host: short names of services in the namespace, and
/// every visible hostname.
pub(crate) fn host_candidates<'m>(mesh: &'m Mesh, from_ns: &str, wrong: &str) -> Vec<&'m str> {
    let short = !wrong.contains('.');
    mesh.services
        .iter()
        .filter(|s| crate::mesh::scope::exported_to(&s.export_to, &s.namespace, from_ns))
        .map(|s| {
            if short && s.is_kube() && s.namespace == from_ns {
                s.name.as_str()
            } else {
                s.hostname.as_str()
            }
        })
        .collect()
}

/// A workload selector's labels read from the text: Istio's `workloadSelector.labels` (Sidecar,
/// ServiceEntry) or `matchLabels` (DestinationRule, PeerAuthentication, AuthorizationPolicy),
/// with the key they sit under.
pub(crate) fn selector_labels(
    node: &crate::yaml::Node,
    at: &[&str],
) -> Option<(&'static str, crate::mesh::Labels)> {
    let sel = node.at(at)?;
    for key in ["labels", "matchLabels"] {
        if let Some(map) = sel.get(key).and_then(|m| m.as_map()) {
            let labels = map
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .collect();
            return Some((key, labels));
        }
    }
    Some(("labels", crate::mesh::Labels::new()))
}
