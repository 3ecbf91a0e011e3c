//! EnvoyFilter: istioctl analyze's EnvoyPatchAnalyzer (IST0151-IST0155) and, ours, a Warning
//! on every patch that changes nothing in any proxy, with the reason the translator found.

use super::{codes, fp, Ctx};
use crate::istio::envoy_filter::EnvoyFilter;
use crate::parse::{Object, Spec};
use crate::translate::envoyfilter::explain::explain;

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    let mut filters: Vec<(&Object, &EnvoyFilter)> = mesh
        .objects
        .iter()
        .filter_map(|o| match &o.spec {
            Spec::EnvoyFilter(ef) => Some((o, ef)),
            _ => None,
        })
        .collect();
    if filters.is_empty() {
        return;
    }
    // istioctl visits resources by namespace/name.
    crate::order::sort_by(&mut filters, |(a, _), (b, _)| {
        (a.namespace(), a.name()).cmp(&(b.namespace(), b.name()))
    });
    let mut versioned: Vec<Instance> = Vec::new();
    for (obj, ef) in &filters {
        operations(ctx, obj, ef, &mut versioned);
    }
    for r in explain(mesh) {
        if r.applied() || r.not_modelled || r.reasons.is_empty() {
            continue;
        }
        let obj = &mesh.objects[r.patch.object];
        let message = format!(
            "EnvoyFilter {} configPatches[{}] ({} {}) changes no proxy: {}",
            r.envoy_filter,
            r.patch.index,
            r.apply_to,
            r.operation,
            r.reasons.join("; ")
        );
        ctx.report(
            codes::ENVOY_FILTER_PATCH_NOT_APPLIED,
            obj,
            fp!["spec", "configPatches", r.patch.index],
            message,
        );
    }
}

/// The name istioctl compares between patches: the patch value's `name` (as a protobuf Value,
/// so never equal to a plain filter name), else the matched filter's name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Instance {
    Empty,
    ValueName(String),
    FilterName(String),
}

fn operations(ctx: &mut Ctx, obj: &Object, ef: &EnvoyFilter, versioned: &mut Vec<Instance>) {
    for (i, cp) in ef.config_patches.iter().enumerate() {
        let Some(patch) = cp.patch.as_ref() else {
            break;
        };
        let instance = match patch.value.as_ref().and_then(|v| v.as_object()) {
            None => Instance::Empty,
            Some(v) => match v.get("name") {
                Some(n) => Instance::ValueName(n.to_string()),
                None => Instance::FilterName(
                    cp.matches
                        .as_ref()
                        .and_then(|m| m.listener.as_ref())
                        .and_then(|l| l.filter_chain.as_ref())
                        .and_then(|c| c.filter.as_ref())
                        .and_then(|f| f.name.clone())
                        .unwrap_or_default(),
                ),
            },
        };
        let at = fp!["spec", "configPatches", i, "patch", "value"];
        let apply_to = cp.apply_to.as_deref().unwrap_or_default();
        let route_class = matches!(apply_to, "ROUTE_CONFIGURATION" | "HTTP_ROUTE");
        let mut relative = false;
        match patch.operation.as_deref().unwrap_or_default() {
            "ADD" if route_class => ctx.report(
                codes::ENVOY_FILTER_USES_ADD_OPERATION_INCORRECTLY,
                obj,
                at,
                "The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.",
            ),
            "REMOVE" if route_class => ctx.report(
                codes::ENVOY_FILTER_USES_REMOVE_OPERATION_INCORRECTLY,
                obj,
                at,
                "The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.",
            ),
            "REPLACE" if !matches!(apply_to, "NETWORK_FILTER" | "HTTP_FILTER" | "VIRTUAL_HOST") => {
                ctx.report(
                    codes::ENVOY_FILTER_USES_REPLACE_OPERATION_INCORRECTLY,
                    obj,
                    at,
                    "The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER.",
                )
            }
            "REMOVE" | "REPLACE" | "INSERT_BEFORE" | "INSERT_AFTER" => relative = true,
            _ => {}
        }
        if relative && ef.priority == 0 {
            if versioned.contains(&instance) {
                ctx.report(
                    codes::ENVOY_FILTER_USES_RELATIVE_OPERATION_WITH_PROXY_VERSION,
                    obj,
                    at,
                    "This EnvoyFilter does not have a priority and has a relative patch operation (NSTERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.",
                );
            } else {
                ctx.report(
                    codes::ENVOY_FILTER_USES_RELATIVE_OPERATION,
                    obj,
                    at,
                    "This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST of ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.",
                );
            }
        }
        let has_version = cp
            .matches
            .as_ref()
            .and_then(|m| m.proxy.as_ref())
            .is_some_and(|p| p.proxy_version.as_deref().is_some_and(|v| !v.is_empty()));
        if has_version {
            versioned.push(instance);
        }
    }
}
