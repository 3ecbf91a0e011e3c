//! istioctl's `webhook.Analyzer` (IST0139): Istio's sidecar-injector MutatingWebhookConfigurations
//! must not overlap (a namespace and pod both selected by two of them get injected twice), and a
//! webhook that calls a Service must name one that exists.
//!
//! A configuration is Istio's when one of its webhooks is named `...istio.io` or it mentions a
//! revision (`istio.io/rev` on itself or in a webhook's selectors). Overlap is tested as istioctl
//! does, on the label sets that matter: a namespace with no injection label, `istio-injection`
//! enabled or disabled, each also with every revision found; a pod likewise with
//! `sidecar.istio.io/inject` unset, true or false.

use super::sources::{objects, SourceObject};
use super::{codes, Ctx};
use crate::istio::gateway_api::NamespaceSelector;
use crate::parse::{SourceFile, Spec};
use crate::sorted::SortedMap;
use crate::yaml::Node;

const REV: &str = "istio.io/rev";

/// One webhook of an Istio configuration.
struct Hook<'o, 'f> {
    config: &'o SourceObject<'f>,
    index: usize,
    /// `<configuration>/<webhook name>`, as the message names it.
    id: String,
    namespace_selector: Option<Option<NamespaceSelector>>,
    object_selector: Option<Option<NamespaceSelector>>,
}

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    let configs = objects(
        files,
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io/",
    );
    let mut revisions: Vec<String> = Vec::new();
    let mut hooks: Vec<Hook> = Vec::new();
    for config in &configs {
        let revs = revisions_of(config);
        let entries = config
            .root
            .get("webhooks")
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        let is_istios = entries.iter().any(|h| name_of(h).ends_with("istio.io"));
        if revs.is_empty() && !is_istios {
            continue;
        }
        for r in revs {
            if !revisions.contains(&r) {
                revisions.push(r);
            }
        }
        for (index, h) in entries.iter().enumerate() {
            hooks.push(Hook {
                config,
                index,
                id: format!("{}/{}", config.name(), name_of(h)),
                namespace_selector: h.get("namespaceSelector").map(selector),
                object_selector: h.get("objectSelector").map(selector),
            });
        }
    }
    overlaps(ctx, &hooks, &revisions);
    services(ctx, &hooks);
}

fn overlaps(ctx: &mut Ctx, hooks: &[Hook], revisions: &[String]) {
    let namespaces = permutations("istio-injection", "enabled", "disabled", revisions);
    let pods = permutations("sidecar.istio.io/inject", "true", "false", revisions);
    for ns in &namespaces {
        for pod in &pods {
            let matching: Vec<&Hook> = hooks
                .iter()
                .filter(|h| matches(&h.namespace_selector, ns) && matches(&h.object_selector, pod))
                .collect();
            // A webhook configuration's hooks can share a name: count distinct names, as
            // istioctl's set does.
            let mut ids: Vec<&str> = matching.iter().map(|h| h.id.as_str()).collect();
            crate::order::sort(&mut ids);
            ids.dedup();
            if ids.len() < 2 {
                continue;
            }
            for id in &ids {
                let Some(hook) = matching.iter().find(|h| h.id == *id) else {
                    continue;
                };
                let others: Vec<&str> = ids.iter().copied().filter(|i| i != id).collect();
                report(
                    ctx,
                    hook,
                    format!(
                        "Webhook overlaps with others: [{}]. This may cause injection to occur twice.",
                        others.join(" ")
                    ),
                );
            }
        }
    }
}

fn services(ctx: &mut Ctx, hooks: &[Hook]) {
    for hook in hooks {
        let Some(service) = hook.config.root.at(&[
            "webhooks",
            &hook.index.to_string(),
            "clientConfig",
            "service",
        ]) else {
            continue;
        };
        if service.is_null() {
            continue;
        }
        let field = |k: &str| service.get(k).and_then(Node::as_str).unwrap_or("");
        let (ns, name) = (field("namespace"), field("name"));
        let exists = ctx.mesh.objects.iter().any(|o| {
            matches!(*o.spec, Spec::Service(_)) && o.name() == name && o.namespace() == ns
        });
        if !exists {
            report(
                ctx,
                hook,
                format!(
                    "Injector refers to a control plane service that does not exist: {ns}/{name}."
                ),
            );
        }
    }
}

fn report(ctx: &mut Ctx, hook: &Hook, message: String) {
    let span = hook
        .config
        .span(&["webhooks", &hook.index.to_string(), "name"]);
    ctx.report_at(
        codes::INVALID_WEBHOOK,
        hook.config.file,
        span,
        &hook.config.display(true),
        message,
    );
}

pub(super) fn name_of(hook: &Node) -> &str {
    hook.get("name").and_then(Node::as_str).unwrap_or("")
}

/// A selector as Kubernetes reads it; `None` inside when it cannot be read (it then selects
/// nothing, as a selector Kubernetes cannot convert).
pub(super) fn selector(node: &Node) -> Option<NamespaceSelector> {
    if node.is_null() {
        return Some(NamespaceSelector::default());
    }
    let s: NamespaceSelector = crate::yaml::decode::from_node(node).ok()?;
    let valid = s
        .match_expressions
        .iter()
        .all(|e| match e.operator.as_str() {
            "In" | "NotIn" => !e.values.is_empty(),
            "Exists" | "DoesNotExist" => e.values.is_empty(),
            _ => false,
        });
    valid.then_some(s)
}

/// An absent selector matches everything (the webhook API's default); an unreadable one nothing.
pub(super) fn matches(
    selector: &Option<Option<NamespaceSelector>>,
    labels: &SortedMap<String, String>,
) -> bool {
    match selector {
        None => true,
        Some(None) => false,
        Some(Some(s)) => s.matches(labels),
    }
}

/// No label, `key=on`, `key=off`; then each of those with `istio.io/rev` set to each revision.
fn permutations(
    key: &str,
    on: &str,
    off: &str,
    revisions: &[String],
) -> Vec<SortedMap<String, String>> {
    let base = || {
        let mut sets = vec![SortedMap::new(), SortedMap::new(), SortedMap::new()];
        sets[1].insert(key.to_string(), on.to_string());
        sets[2].insert(key.to_string(), off.to_string());
        sets
    };
    let mut out = base();
    for rev in revisions {
        for mut set in base() {
            set.insert(REV.to_string(), rev.clone());
            out.push(set);
        }
    }
    out
}

/// Revisions a configuration names: its own `istio.io/rev` label, and the values its webhooks'
/// selectors give `istio.io/rev`.
fn revisions_of(config: &SourceObject) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |v: &str| {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    };
    if let Some(r) = config
        .root
        .at(&["metadata", "labels", REV])
        .and_then(Node::as_str)
    {
        add(r);
    }
    let hooks = config
        .root
        .get("webhooks")
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for hook in hooks {
        for key in ["namespaceSelector", "objectSelector"] {
            let Some(sel) = hook.get(key) else { continue };
            if let Some(r) = sel.at(&["matchLabels", REV]).and_then(Node::as_str) {
                add(r);
            }
            for e in sel
                .get("matchExpressions")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
            {
                if e.get("key").and_then(Node::as_str) == Some(REV) {
                    for v in e.get("values").and_then(Node::as_seq).unwrap_or(&[]) {
                        if let Some(v) = v.as_str() {
                            add(v);
                        }
                    }
                }
            }
        }
    }
    out
}
