//! istioctl's `annotations.K8sAnalyzer`: Istio annotations on Namespaces, Services, Pods and
//! Deployments that Istio does not know (IST0108), that belong on another kind (IST0107), that
//! are deprecated (IST0135), or whose value the injector would refuse (IST0125).
//!
//! An annotation is Istio's when the part before its first `/` ends in `istio.io` (so
//! `sidecar.istio.io/...`, `traffic.sidecar.istio.io/...`, `istio.io/...`), plus
//! `kubernetes.io/ingress.class`, which Istio documents. Only the object's own
//! `metadata.annotations` count: a Deployment's pod template is not looked at, so a Pod
//! annotation on the Deployment itself is misplaced.

use super::{codes, fp, Ctx};
use crate::parse::{Object, Spec};

/// An annotation Istio defines: its name, the kinds it may be put on (in Istio's order, as the
/// IST0107 message lists them; `Any` for every kind) and whether it is deprecated.
/// Facts from istio/api `annotation/annotations.yaml` (the version Istio 1.31 builds with).
const KNOWN: &[(&str, &str, bool)] = &[
    ("alpha.istio.io/canonical-serviceaccounts", "Service", true),
    ("alpha.istio.io/kubernetes-serviceaccounts", "Service", true),
    ("ambient.istio.io/bypass-inbound-capture", "Pod", false),
    ("ambient.istio.io/dns-capture", "Pod", false),
    ("ambient.istio.io/redirection", "Pod", false),
    (
        "ambient.istio.io/waypoint-inbound-binding",
        "GatewayClass, Gateway",
        false,
    ),
    ("galley.istio.io/analyze-suppress", "Any", false),
    ("gateway.istio.io/controller-version", "Any", false),
    ("gateway.istio.io/name-override", "Gateway", false),
    ("gateway.istio.io/service-account", "Gateway", false),
    ("inject.istio.io/templates", "Pod", false),
    ("istio.io/autoRegistrationGroup", "WorkloadEntry", false),
    ("istio.io/connectedAt", "WorkloadEntry", false),
    ("istio.io/disconnectedAt", "WorkloadEntry", false),
    ("istio.io/dry-run", "AuthorizationPolicy", false),
    ("istio.io/reroute-virtual-interfaces", "Pod", false),
    ("istio.io/rev", "Pod", false),
    (
        "istio.io/use-waypoint-canary-weight",
        "Service, ServiceEntry, Namespace",
        false,
    ),
    ("istio.io/workloadController", "WorkloadEntry", false),
    ("kubernetes.io/ingress.class", "Ingress", false),
    ("networking.istio.io/exportTo", "Service", false),
    ("networking.istio.io/service-type", "Gateway", false),
    (
        "networking.istio.io/traffic-distribution",
        "Namespace, Service, ServiceEntry",
        false,
    ),
    ("prometheus.istio.io/merge-metrics", "Pod", false),
    ("proxy.istio.io/config", "Pod", false),
    ("proxy.istio.io/overrides", "Pod", false),
    (
        "readiness.status.sidecar.istio.io/applicationPorts",
        "Pod",
        false,
    ),
    (
        "readiness.status.sidecar.istio.io/failureThreshold",
        "Pod",
        false,
    ),
    (
        "readiness.status.sidecar.istio.io/initialDelaySeconds",
        "Pod",
        false,
    ),
    (
        "readiness.status.sidecar.istio.io/periodSeconds",
        "Pod",
        false,
    ),
    ("sidecar.istio.io/agentLogLevel", "Pod", false),
    ("sidecar.istio.io/bootstrapOverride", "Pod", false),
    ("sidecar.istio.io/componentLogLevel", "Pod", false),
    ("sidecar.istio.io/discoveryAddress", "Pod", true),
    ("sidecar.istio.io/extraStatTags", "Pod", true),
    ("sidecar.istio.io/inject", "Pod", true),
    ("sidecar.istio.io/interceptionMode", "Pod", false),
    ("sidecar.istio.io/logLevel", "Pod", false),
    ("sidecar.istio.io/nativeSidecar", "Pod", false),
    ("sidecar.istio.io/proxyCPU", "Pod", false),
    ("sidecar.istio.io/proxyCPULimit", "Pod", false),
    ("sidecar.istio.io/proxyImage", "Pod", false),
    ("sidecar.istio.io/proxyImageType", "Pod", false),
    ("sidecar.istio.io/proxyMemory", "Pod", false),
    ("sidecar.istio.io/proxyMemoryLimit", "Pod", false),
    ("sidecar.istio.io/rewriteAppHTTPProbers", "Pod", false),
    ("sidecar.istio.io/statsCompression", "Pod", true),
    ("sidecar.istio.io/statsEvictionInterval", "Pod", false),
    ("sidecar.istio.io/statsFlushInterval", "Pod", false),
    ("sidecar.istio.io/statsHistogramBins", "Pod", false),
    ("sidecar.istio.io/statsHistogramBuckets", "Pod", false),
    ("sidecar.istio.io/statsInclusionPrefixes", "Pod", true),
    ("sidecar.istio.io/statsInclusionRegexps", "Pod", true),
    ("sidecar.istio.io/statsInclusionSuffixes", "Pod", true),
    ("sidecar.istio.io/status", "Pod", false),
    ("sidecar.istio.io/userVolume", "Pod", false),
    ("sidecar.istio.io/userVolumeMount", "Pod", false),
    ("status.sidecar.istio.io/port", "Pod", false),
    ("topology.istio.io/controlPlaneClusters", "Namespace", false),
    ("traffic.istio.io/nodeSelector", "Service", false),
    ("traffic.sidecar.istio.io/excludeInboundPorts", "Pod", false),
    ("traffic.sidecar.istio.io/excludeInterfaces", "Pod", false),
    (
        "traffic.sidecar.istio.io/excludeOutboundIPRanges",
        "Pod",
        false,
    ),
    (
        "traffic.sidecar.istio.io/excludeOutboundPorts",
        "Pod",
        false,
    ),
    ("traffic.sidecar.istio.io/includeInboundPorts", "Pod", false),
    (
        "traffic.sidecar.istio.io/includeOutboundIPRanges",
        "Pod",
        false,
    ),
    (
        "traffic.sidecar.istio.io/includeOutboundPorts",
        "Pod",
        false,
    ),
    ("traffic.sidecar.istio.io/kubevirtInterfaces", "Pod", true),
];

/// Set by istiod, its injector or the gateway controller, never by hand: not analyzed.
const SET_BY_ISTIO: &[&str] = &[
    "sidecar.istio.io/status",
    "gateway.istio.io/controller-version",
    "istio.io/rev",
];

const SIDECAR_INJECT: &str = "sidecar.istio.io/inject";

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for obj in &mesh.objects {
        let kind = match *obj.spec {
            Spec::Namespace => "Namespace",
            Spec::Service(_) => "Service",
            Spec::Pod { .. } => "Pod",
            Spec::Deployment(_) => "Deployment",
            _ => continue,
        };
        for (name, value) in obj.meta.annotations.iter() {
            check_one(ctx, obj, kind, name, value);
        }
    }
}

fn check_one(ctx: &mut Ctx, obj: &Object, kind: &str, name: &str, value: &str) {
    if !is_istios(name) || SET_BY_ISTIO.contains(&name) {
        return;
    }
    let at = fp!["metadata", "annotations", name];
    let Some(&(_, kinds, deprecated)) = KNOWN.iter().find(|(n, _, _)| *n == name) else {
        ctx.report(
            codes::UNKNOWN_ANNOTATION,
            obj,
            at,
            format!("Unknown annotation: {name}"),
        );
        return;
    };
    // Someone keeping the old annotation next to its replacement label knows; no noise.
    let has_replacement = name == SIDECAR_INJECT && obj.meta.labels.get(SIDECAR_INJECT).is_some();
    if deprecated && !has_replacement {
        let extra = if name == SIDECAR_INJECT {
            " in favor of the \"sidecar.istio.io/inject\" label"
        } else {
            ""
        };
        ctx.report(
            codes::DEPRECATED_ANNOTATION,
            obj,
            at,
            format!("Annotation \"{name}\" has been deprecated{extra} and may not work in future Istio versions."),
        );
    }
    if kinds == "Any" {
        return;
    }
    if !kinds.split(", ").any(|k| k == kind) {
        ctx.report(
            codes::MISPLACED_ANNOTATION,
            obj,
            at,
            format!("Misplaced annotation: {name} can only be applied to {kinds}"),
        );
        return;
    }
    if let Some(problem) = super::annotation_values::problem(name, value) {
        ctx.report(
            codes::INVALID_ANNOTATION,
            obj,
            at,
            format!("Invalid annotation {name}: {problem}"),
        );
    }
}

/// In Istio's namespace: the prefix before the first `/` ends in `istio.io`; and the one
/// Kubernetes annotation Istio documents.
fn is_istios(name: &str) -> bool {
    name == "kubernetes.io/ingress.class"
        || name
            .split('/')
            .next()
            .is_some_and(|p| p.ends_with("istio.io"))
}

#[cfg(test)]
mod tests {
    use super::{is_istios, KNOWN};

    #[test]
    fn istio_namespace_is_the_prefix_before_the_slash() {
        assert!(is_istios("sidecar.istio.io/inject"));
        assert!(is_istios("traffic.sidecar.istio.io/excludeInboundPorts"));
        assert!(is_istios("istio.io/rev"));
        assert!(is_istios("kubernetes.io/ingress.class"));
        assert!(!is_istios("kubernetes.io/psp"));
        assert!(!is_istios("helm.sh/hook"));
        assert!(!is_istios("example.com/istio.io"));
    }

    #[test]
    fn table_is_sorted_and_names_only_known_kinds() {
        assert!(KNOWN.windows(2).all(|w| w[0].0 < w[1].0));
        let kinds = [
            "Any",
            "AuthorizationPolicy",
            "Gateway",
            "GatewayClass",
            "Ingress",
            "Namespace",
            "Pod",
            "Service",
            "ServiceEntry",
            "WorkloadEntry",
        ];
        for (name, on, _) in KNOWN {
            assert!(on.split(", ").all(|k| kinds.contains(&k)), "{name}: {on}");
        }
    }
}
