//! Telemetry, which the mesh does not model (read from the source text): istioctl's
//! `telemetry.SelectorAnalyzer` (a selector that matches no pod, IST0101; pods selected by
//! several Telemetries, IST0159) and `telemetry.DefaultSelectorAnalyzer` (several Telemetries
//! without a selector in one namespace, IST0160), and `telemetry.ProviderAnalyzer` (access
//! logging without providers while the mesh names no default access log provider, IST0157),
//! `telemetry.LightstepAnalyzer` (tracing to a Lightstep provider, deprecated: IST0002).

use super::sources::{objects, SourceObject};
use super::{codes, Ctx};
use crate::parse::SourceFile;
use crate::sorted::SortedMap;
use crate::yaml::Node;

/// `matchLabels` of a Telemetry's selector; `None` when it has no selector at all.
fn match_labels(t: &SourceObject) -> Option<Vec<(String, String)>> {
    let selector = t.root.at(&["spec", "selector"]).filter(|s| !s.is_null())?;
    Some(
        selector
            .get("matchLabels")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
            .collect(),
    )
}

fn names(list: &[&SourceObject]) -> String {
    let mut names: Vec<&str> = list.iter().map(|t| t.name()).collect();
    crate::order::sort(&mut names);
    names.join(" ")
}

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    let mesh = ctx.mesh;
    let telemetries = objects(files, "Telemetry", "telemetry.istio.io/");
    if mesh.config.telemetry.access_logging_providers.is_empty() {
        for t in &telemetries {
            empty_access_log_providers(ctx, t);
        }
    }
    lightstep(ctx, &telemetries);
    let mut by_pod: SortedMap<(String, String), Vec<&SourceObject>> = SortedMap::new();
    let mut by_ns: SortedMap<String, Vec<&SourceObject>> = SortedMap::new();
    for t in &telemetries {
        let Some(labels) = match_labels(t) else {
            by_ns.entry(t.namespace().to_string()).or_default().push(t);
            continue;
        };
        if labels.is_empty() {
            continue;
        }
        let mut found = false;
        // Pods, and the pods a Deployment stands for in the Cluster editor.
        for pod in mesh
            .workloads
            .iter()
            .filter(|w| w.namespace == t.namespace())
        {
            if labels.iter().all(|(k, v)| pod.labels.get(k) == Some(v)) {
                found = true;
                by_pod
                    .entry((pod.namespace.clone(), pod.name.clone()))
                    .or_default()
                    .push(t);
            }
        }
        if !found {
            let mut sel: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            crate::order::sort(&mut sel);
            let first = labels.first().map(|(k, _)| k.as_str()).unwrap_or("");
            ctx.report_at(
                codes::REFERENCED_RESOURCE_NOT_FOUND,
                t.file,
                t.span(&["spec", "selector", "matchLabels", first]),
                &t.display(false),
                format!("Referenced selector not found: {:?}", sel.join(",")),
            );
        }
    }
    for ((ns, pod), list) in by_pod.iter() {
        if list.len() < 2 {
            continue;
        }
        for t in list {
            ctx.report_at(
                codes::CONFLICTING_TELEMETRY_WORKLOAD_SELECTORS,
                t.file,
                t.span(&["metadata", "name"]),
                &t.display(false),
                format!(
                    "The Telemetries [{}] in namespace {ns:?} select the same workload pod {pod:?}, which can lead to undefined behavior.",
                    names(list)
                ),
            );
        }
    }
    for (ns, list) in by_ns.iter() {
        if list.len() < 2 {
            continue;
        }
        for t in list {
            ctx.report_at(
                codes::MULTIPLE_TELEMETRIES_WITHOUT_WORKLOAD_SELECTORS,
                t.file,
                t.span(&["metadata", "name"]),
                &t.display(false),
                format!(
                    "The Telemetries [{}] in namespace {ns:?} have no workload selector, which can lead to undefined behavior.",
                    names(list)
                ),
            );
        }
    }
}

/// IST0157: an access logging entry that is not disabled and names no provider is ignored.
fn empty_access_log_providers(ctx: &mut Ctx, t: &SourceObject) {
    let entries = t
        .root
        .at(&["spec", "accessLogging"])
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for (i, entry) in entries.iter().enumerate() {
        let disabled =
            entry.get("disabled").and_then(Node::scalar) == Some(crate::yaml::Scalar::Bool(true));
        let providers = entry
            .get("providers")
            .and_then(Node::as_seq)
            .is_some_and(|p| !p.is_empty());
        if disabled || providers {
            continue;
        }
        let i = i.to_string();
        ctx.report_at(
            codes::INVALID_TELEMETRY_PROVIDER,
            t.file,
            t.span(&["spec", "accessLogging", &i]),
            &t.display(false),
            format!(
                "The Telemetry {} in namespace {:?} with empty providers will be ignored.",
                t.name(),
                t.namespace()
            ),
        );
    }
}

/// IST0002: tracing to one of MeshConfig's Lightstep extension providers.
fn lightstep(ctx: &mut Ctx, telemetries: &[SourceObject]) {
    let Some(config) = super::sources::mesh_config_text(ctx.mesh) else {
        return;
    };
    let providers: Vec<&str> = config
        .get("extensionProviders")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter(|p| p.get("lightstep").is_some_and(|l| !l.is_null()))
        .filter_map(|p| p.get("name").and_then(Node::as_str))
        .collect();
    if providers.is_empty() {
        return;
    }
    for t in telemetries {
        let tracing = t.root.at(&["spec", "tracing"]).and_then(Node::as_seq);
        for (i, entry) in tracing.unwrap_or(&[]).iter().enumerate() {
            let used = entry.get("providers").and_then(Node::as_seq).unwrap_or(&[]);
            for (j, p) in used.iter().enumerate() {
                let Some(name) = p.get("name").and_then(Node::as_str) else {
                    continue;
                };
                if providers.contains(&name) {
                    let (i, j) = (i.to_string(), j.to_string());
                    ctx.report_at(
                        codes::DEPRECATED,
                        t.file,
                        t.span(&["spec", "tracing", &i, "providers", &j, "name"]),
                        &t.display(false),
                        format!("Deprecated: The Lightstep provider {name} is deprecated, please migrate to OpenTelemetry provider."),
                    );
                }
            }
        }
    }
}
