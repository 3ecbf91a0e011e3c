//! AuthorizationPolicy, which the mesh does not model: read from the source text, it is checked
//! for selectors that match no workload (IST0127).

use super::{codes, Ctx};
use crate::mesh::Labels;
use crate::parse::SourceFile;
use crate::yaml::Node;

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    for file in files {
        if file.name == crate::world::BOOKINFO_FILE || !file.text.contains("AuthorizationPolicy") {
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
