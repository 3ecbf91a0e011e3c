//! istioctl's `injection.ImageAutoAnalyzer`: an `istio-proxy` container with `image: auto` is a
//! placeholder the sidecar injector fills in. On a Pod it means injection never ran (IST0147);
//! a Deployment's pods must be selected by one of Istio's injection webhooks (IST0146).

use super::injector_webhooks::{matches, name_of, selector};
use super::sources::objects;
use super::{codes, Ctx};
use crate::istio::gateway_api::NamespaceSelector;
use crate::parse::{Object, SourceFile, Spec};
use crate::sorted::SortedMap;
use crate::yaml::Node;

/// An injection webhook's namespace and object selectors.
type Selectors = (
    Option<Option<NamespaceSelector>>,
    Option<Option<NamespaceSelector>>,
);

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    let mesh = ctx.mesh;
    let mut webhooks: Option<Vec<Selectors>> = None;
    for obj in &mesh.objects {
        let (kind, pod_spec) = match *obj.spec {
            Spec::Pod { .. } => ("Pod", &["spec"][..]),
            Spec::Deployment(_) => ("Deployment", &["spec", "template", "spec"][..]),
            _ => continue,
        };
        let Some(i) = auto_image(obj, pod_spec) else {
            continue;
        };
        let mut at: Vec<String> = pod_spec.iter().map(|s| s.to_string()).collect();
        at.extend(["containers".to_string(), i.to_string(), "image".to_string()]);
        if kind == "Deployment" {
            let webhooks = webhooks.get_or_insert_with(|| istio_webhooks(files));
            let empty = SortedMap::new();
            let ns_labels = mesh
                .objects
                .iter()
                .find(|o| matches!(*o.spec, Spec::Namespace) && o.name() == obj.namespace())
                .map_or(&empty, |ns| &ns.meta.labels);
            let pod_labels = template_labels(obj);
            if webhooks
                .iter()
                .any(|(ns, pod)| matches(ns, ns_labels) && matches(pod, &pod_labels))
            {
                continue;
            }
        }
        let code = if kind == "Pod" {
            codes::IMAGE_AUTO_WITHOUT_INJECTION_ERROR
        } else {
            codes::IMAGE_AUTO_WITHOUT_INJECTION_WARNING
        };
        ctx.report(
            code,
            obj,
            &at,
            format!(
                "{kind} {} contains `image: auto` but does not match any Istio injection webhook selectors.",
                obj.name()
            ),
        );
    }
}

/// The index of an `istio-proxy` container whose image is `auto`.
fn auto_image(obj: &Object, pod_spec: &[&str]) -> Option<usize> {
    let containers = obj.node.at(pod_spec)?.get("containers")?.as_seq()?;
    containers.iter().position(|c| {
        c.get("name").and_then(Node::as_str) == Some("istio-proxy")
            && c.get("image").and_then(Node::as_str) == Some("auto")
    })
}

fn template_labels(obj: &Object) -> SortedMap<String, String> {
    obj.node
        .at(&["spec", "template", "metadata", "labels"])
        .and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The selectors of every webhook named `...istio.io`, in any MutatingWebhookConfiguration.
fn istio_webhooks(files: &[SourceFile]) -> Vec<Selectors> {
    let mut out = Vec::new();
    for config in objects(
        files,
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io/",
    ) {
        for hook in config
            .root
            .get("webhooks")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            if name_of(hook).ends_with("istio.io") {
                out.push((
                    hook.get("namespaceSelector").map(selector),
                    hook.get("objectSelector").map(selector),
                ));
            }
        }
    }
    out
}
