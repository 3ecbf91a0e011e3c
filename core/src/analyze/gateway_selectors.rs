//! istioctl's `k8sgateway.SelectorAnalyzer` (IST0166): a policy that picks the pods of a Gateway
//! API Gateway by `selector` instead of `targetRef`. Istio does not apply selector-based policies
//! to those gateways, so the policy silently does nothing there.

use super::sources::objects;
use super::{codes, Ctx};
use crate::parse::{SourceFile, Spec};
use crate::yaml::Node;

/// The label a Gateway API Gateway's deployed pods carry.
const GATEWAY_NAME_LABEL: &str = "gateway.networking.k8s.io/gateway-name";

/// The policy kinds with a workload `selector`, and their API groups.
const POLICIES: &[(&str, &str)] = &[
    ("AuthorizationPolicy", "security.istio.io/"),
    ("RequestAuthentication", "security.istio.io/"),
    ("Telemetry", "telemetry.istio.io/"),
    ("WasmPlugin", "extensions.istio.io/"),
];

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    let mesh = ctx.mesh;
    let gateway_pods: Vec<&crate::parse::Object> = mesh
        .objects
        .iter()
        .filter(|o| matches!(*o.spec, Spec::Pod { .. }))
        .filter(|o| o.meta.labels.contains_key(GATEWAY_NAME_LABEL))
        .collect();
    if gateway_pods.is_empty() {
        return;
    }
    for (kind, group) in POLICIES {
        for policy in objects(files, kind, group) {
            let spec = policy.root.get("spec");
            let target_ref = spec
                .and_then(|s| s.get("targetRef"))
                .filter(|t| !t.is_null());
            let Some(selector) = spec
                .and_then(|s| s.get("selector"))
                .filter(|s| !s.is_null())
            else {
                continue;
            };
            if target_ref.is_some() {
                continue;
            }
            let wanted: Vec<(&str, &str)> = selector
                .get("matchLabels")
                .and_then(Node::as_map)
                .unwrap_or(&[])
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
                .collect();
            for pod in gateway_pods
                .iter()
                .filter(|p| p.namespace() == policy.namespace())
            {
                let labels = &pod.meta.labels;
                if wanted
                    .iter()
                    .all(|(k, v)| labels.get(*k).map(String::as_str) == Some(*v))
                {
                    ctx.report_at(
                        codes::INEFFECTIVE_SELECTOR,
                        policy.file,
                        policy.span(&["spec", "selector"]),
                        &policy.display(false),
                        format!(
                            "Ineffective selector on Kubernetes Gateway {}. Use the TargetRef field instead.",
                            labels[GATEWAY_NAME_LABEL]
                        ),
                    );
                }
            }
        }
    }
}
