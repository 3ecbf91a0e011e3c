//! AuthorizationPolicy, which the mesh does not model: read from the source text, it is checked
//! for selectors that match no workload (IST0127).

use super::{codes, Ctx};
use crate::mesh::Labels;
use crate::parse::SourceFile;
use crate::yaml::Node;

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    for file in files {
        if file.name == crate::playground::world::BOOKINFO_FILE
            || !file.text.contains("AuthorizationPolicy")
        {
            continue;
        }
        let (docs, _) = crate::yaml::parse_stream(&file.text);
        for doc in docs {
            let root = &doc.root;
            let is_policy = root.get("kind").and_then(Node::as_str) == Some("AuthorizationPolicy")
                && root
                    .get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(|v| v.starts_with("security.istio.io/"));
            if is_policy {
                policy(ctx, &file.name, root);
            }
        }
    }
}

fn policy(ctx: &mut Ctx, file: &str, root: &Node) {
    let mesh = ctx.mesh;
    let Some(name) = root.at(&["metadata", "name"]).and_then(Node::as_str) else {
        return;
    };
    let ns = root
        .at(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .unwrap_or("default");
    let display = format!("AuthorizationPolicy {ns}/{name}");
    namespaces(ctx, file, root, &display);
    let selector = super::selector_labels(root, &["spec", "selector"]);
    let in_ns = |w: &&crate::mesh::Workload| w.namespace == ns;
    let selects = |sel: &Labels, labels: &Labels| sel.iter().all(|(k, v)| labels.get(k) == Some(v));
    let span_of = |path: &[&str]| super::node_field_span(root, path).unwrap_or(root.span);
    if ns == mesh.config.root_namespace {
        if let Some((key, sel)) = selector {
            if !mesh.workloads.iter().any(|w| selects(&sel, &w.labels)) {
                report(
                    ctx,
                    file,
                    span_of(&["spec", "selector", key]),
                    &display,
                    &sel,
                );
            }
        }
        return;
    }
    match selector {
        None => {
            if !mesh.workloads.iter().any(|w| in_ns(&w)) {
                ctx.report_at(
                    codes::NO_MATCHING_WORKLOADS_FOUND,
                    file,
                    span_of(&["metadata", "namespace"]),
                    &display,
                    "No matching workloads for this resource with the following labels: ",
                );
            }
        }
        Some((key, sel)) => {
            if !mesh
                .workloads
                .iter()
                .filter(in_ns)
                .any(|w| selects(&sel, &w.labels))
            {
                report(
                    ctx,
                    file,
                    span_of(&["spec", "selector", key]),
                    &display,
                    &sel,
                );
            }
        }
    }
}

fn report(ctx: &mut Ctx, file: &str, span: crate::Span, display: &str, sel: &Labels) {
    let labels: Vec<String> = sel.iter().map(|(k, v)| format!("{k}={v}")).collect();
    ctx.report_at(
        codes::NO_MATCHING_WORKLOADS_FOUND,
        file,
        span,
        display,
        format!(
            "No matching workloads for this resource with the following labels: {}",
            labels.join(",")
        ),
    );
}

/// IST0101: `from.source.namespaces` and `notNamespaces` must name a Namespace of the input
/// (`*`, `prefix*` and `*suffix` patterns match by prefix or suffix).
fn namespaces(ctx: &mut Ctx, file: &str, root: &Node, display: &str) {
    let known: Vec<&str> = ctx
        .mesh
        .objects_of(crate::parse::Kind::Namespace)
        .map(|o| o.name())
        .collect();
    let matches = |pattern: &str| {
        known.iter().any(|ns| {
            if pattern == "*" {
                true
            } else if let Some(suffix) = pattern.strip_prefix('*') {
                ns.ends_with(suffix)
            } else if let Some(prefix) = pattern.strip_suffix('*') {
                ns.starts_with(prefix)
            } else {
                ns.eq_ignore_ascii_case(pattern)
            }
        })
    };
    let rules = root
        .at(&["spec", "rules"])
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for rule in rules {
        let froms = rule.get("from").and_then(Node::as_seq).unwrap_or(&[]);
        for from in froms {
            for key in ["namespaces", "notNamespaces"] {
                let Some(list) = from.at(&["source", key]).and_then(Node::as_seq) else {
                    continue;
                };
                for item in list {
                    let Some(ns) = item.as_str() else { continue };
                    if matches(ns) {
                        continue;
                    }
                    let hint = super::checks::did_you_mean(ns, known.iter().copied());
                    ctx.report_at(
                        codes::REFERENCED_RESOURCE_NOT_FOUND,
                        file,
                        item.span,
                        display,
                        format!("Referenced namespace not found: {ns:?}{hint}"),
                    );
                }
            }
        }
    }
}
