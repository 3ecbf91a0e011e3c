//! EnvoyFilter: istioctl analyze's EnvoyPatchAnalyzer (IST0151-IST0155) and, ours, a Warning
//! on every patch that changes nothing in any proxy, with the reason the translator found.

use super::{codes, fp, Ctx};
use crate::istio::envoy_filter::renamed_filter;
use crate::istio::envoy_filter::EnvoyFilter;
use crate::parse::{Object, Spec};
use crate::translate::envoyfilter::explain::explain_unapplied;
use crate::translate::envoyfilter::listener::HCM;
use crate::translate::envoyfilter::select::compile;
use crate::translate::envoyfilter::{ApplyTo, Context, Operation};

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    let mut filters: Vec<(&Object, &EnvoyFilter)> = mesh
        .objects
        .iter()
        .filter_map(|o| match &*o.spec {
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
        validate(ctx, obj, ef);
        operations(ctx, obj, ef, &mut versioned);
    }
    for r in explain_unapplied(mesh) {
        if r.applied() || r.not_modelled || r.reasons.is_empty() {
            continue;
        }
        let obj = &mesh.objects[r.patch.object];
        // A patch the webhook rejects is reported as IST0106 already.
        let Spec::EnvoyFilter(ef) = &*obj.spec else {
            continue;
        };
        let cp = &ef.config_patches[r.patch.index];
        if compile(r.patch.object, r.patch.index, cp).is_none() {
            continue;
        }
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

/// The webhook's `ValidateEnvoyFilter`: errors (IST0106) and warnings (IST0133).
fn validate(ctx: &mut Ctx, obj: &Object, ef: &EnvoyFilter) {
    let warn = |ctx: &mut Ctx, path: &[String], msg: &str| {
        ctx.report(
            codes::SCHEMA_WARNING,
            obj,
            path,
            format!("Schema validation warning: {msg}"),
        )
    };
    let err = |ctx: &mut Ctx, path: &[String], msg: &str| {
        ctx.report(
            codes::SCHEMA_VALIDATION_ERROR,
            obj,
            path,
            format!("Schema validation error: {msg}"),
        )
    };
    warn(
        ctx,
        fp!["kind"],
        "EnvoyFilter exposes internal implementation details that may change at any time. \
         Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.",
    );
    for (i, cp) in ef.config_patches.iter().enumerate() {
        let at = |more: &[&str]| -> Vec<String> {
            let mut p = vec!["spec".to_string(), "configPatches".into(), i.to_string()];
            p.extend(more.iter().map(|s| s.to_string()));
            p
        };
        let m = cp.matches.as_ref();
        if m.and_then(|m| m.context.as_deref()) == Some("WAYPOINT") {
            continue;
        }
        let Some(apply_to) = cp.apply_to.as_deref() else {
            err(ctx, &at(&[]), "Envoy filter: missing applyTo");
            continue;
        };
        if ApplyTo::parse(apply_to).is_none() {
            let names: Vec<&str> = ApplyTo::ALL.iter().map(|(n, _)| *n).collect();
            err(
                ctx,
                &at(&["applyTo"]),
                &format!(
                    "invalid value {apply_to:?} for applyTo: must be one of {}",
                    names.join(", ")
                ),
            );
            continue;
        }
        if let Some(c) = m.and_then(|m| m.context.as_deref()) {
            if Context::parse(c).is_none() {
                err(ctx, &at(&["match", "context"]), &format!("invalid value {c:?} for context: must be one of ANY, SIDECAR_INBOUND, SIDECAR_OUTBOUND, GATEWAY, WAYPOINT"));
                continue;
            }
        }
        let Some(patch) = cp.patch.as_ref() else {
            err(ctx, &at(&[]), "Envoy filter: missing patch");
            continue;
        };
        let Some(op) = patch.operation.as_deref() else {
            err(
                ctx,
                &at(&["patch"]),
                "Envoy filter: missing patch operation",
            );
            continue;
        };
        let Some(op) = Operation::parse(op) else {
            let names: Vec<&str> = Operation::ALL.iter().map(|(n, _)| *n).collect();
            err(
                ctx,
                &at(&["patch", "operation"]),
                &format!(
                    "invalid value {op:?} for operation: must be one of {}",
                    names.join(", ")
                ),
            );
            continue;
        };
        if op != Operation::Remove && patch.value.is_none() {
            err(
                ctx,
                &at(&["patch"]),
                "Envoy filter: missing patch value for non-remove operation",
            );
            continue;
        }
        if let Some(re) = m
            .and_then(|m| m.proxy.as_ref())
            .and_then(|p| p.proxy_version.as_deref())
            .filter(|r| !r.is_empty())
        {
            let path = at(&["match", "proxy", "proxyVersion"]);
            if re.len() > 1024 {
                warn(
                    ctx,
                    &path,
                    "Envoy filter: proxyVersion match exceeds 1024 characters and will be ignored",
                );
            } else if let Err(e) = regex_lite::Regex::new(re) {
                err(
                    ctx,
                    &path,
                    &format!("Envoy filter: invalid regex for proxy version, [{e}]"),
                );
                continue;
            }
        }
        let has_object_match = m.is_some_and(|m| {
            m.listener.is_some() || m.route_configuration.is_some() || m.cluster.is_some()
        });
        match apply_to {
            "LISTENER" | "FILTER_CHAIN" | "NETWORK_FILTER" | "HTTP_FILTER" if has_object_match => {
                let Some(l) = m.and_then(|m| m.listener.as_ref()) else {
                    err(ctx, &at(&["match"]), "Envoy filter: applyTo for listener class objects cannot have non listener match");
                    continue;
                };
                let Some(f) = l.filter_chain.as_ref().and_then(|c| c.filter.as_ref()) else {
                    continue;
                };
                let fpath = at(&["match", "listener", "filterChain", "filter"]);
                if matches!(apply_to, "LISTENER" | "FILTER_CHAIN") {
                    warn(
                        ctx,
                        &fpath,
                        &format!(
                            "Envoy filter: filter match has no effect when used with {apply_to}"
                        ),
                    );
                }
                let name = f.name.as_deref().unwrap_or_default();
                if name.is_empty() {
                    err(
                        ctx,
                        &fpath,
                        "Envoy filter: filter match has no name to match on",
                    );
                    continue;
                }
                if let Some(sub) = f.sub_filter.as_ref() {
                    if apply_to != "HTTP_FILTER" {
                        err(ctx, &fpath, "Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only");
                        continue;
                    }
                    if name != HCM && name != "envoy.http_connection_manager" {
                        err(
                            ctx,
                            &fpath,
                            &format!(
                                "Envoy filter: subfilter match requires filter match with {HCM}"
                            ),
                        );
                        continue;
                    }
                    if sub.name.as_deref().unwrap_or_default().is_empty() {
                        err(
                            ctx,
                            &fpath,
                            "Envoy filter: subfilter match has no name to match on",
                        );
                        continue;
                    }
                }
                for (n, path) in [
                    (Some(name), fpath.clone()),
                    (
                        f.sub_filter.as_ref().and_then(|s| s.name.as_deref()),
                        at(&["match", "listener", "filterChain", "filter", "subFilter"]),
                    ),
                ] {
                    if let Some(new) = n.and_then(renamed_filter) {
                        warn(
                            ctx,
                            &path,
                            &format!(
                                "using deprecated filter name {:?}; use {new:?} instead",
                                n.unwrap_or_default()
                            ),
                        );
                    }
                }
            }
            "ROUTE_CONFIGURATION" | "VIRTUAL_HOST" | "HTTP_ROUTE"
                if has_object_match && m.is_some_and(|m| m.route_configuration.is_none()) =>
            {
                err(ctx, &at(&["match"]), "Envoy filter: applyTo for http route class objects cannot have non route configuration match");
            }
            "CLUSTER" if has_object_match && m.is_some_and(|m| m.cluster.is_none()) => {
                err(
                    ctx,
                    &at(&["match"]),
                    "Envoy filter: applyTo for cluster class objects cannot have non cluster match",
                );
            }
            _ => {}
        }
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
    // istioctl gives these messages the line of `patch.value` only when that is a scalar; for a
    // mapping (nearly always) it has no line, so one EnvoyFilter's messages of a code print
    // identically and istioctl shows them once. Likewise here, at the first such patch.
    let mut shown: Vec<&str> = Vec::new();
    let mut report = |ctx: &mut Ctx, code: super::Code, i: usize, message: &str| {
        let path = fp!["spec", "configPatches", i, "patch", "value"];
        let has_line = obj.node.at(path).is_some_and(|v| v.as_str().is_some());
        if !has_line {
            if shown.contains(&code.code) {
                return;
            }
            shown.push(code.code);
        }
        ctx.report(code, obj, path, message);
    };
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
        let apply_to = cp.apply_to.as_deref().unwrap_or_default();
        let route_class = matches!(apply_to, "ROUTE_CONFIGURATION" | "HTTP_ROUTE");
        let mut relative = false;
        match patch.operation.as_deref().unwrap_or_default() {
            "ADD" if route_class => report(
                ctx,
                codes::ENVOY_FILTER_USES_ADD_OPERATION_INCORRECTLY,
                i,
                "The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.",
            ),
            "REMOVE" if route_class => report(
                ctx,
                codes::ENVOY_FILTER_USES_REMOVE_OPERATION_INCORRECTLY,
                i,
                "The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.",
            ),
            "REPLACE" if !matches!(apply_to, "NETWORK_FILTER" | "HTTP_FILTER" | "VIRTUAL_HOST") => {
                report(
                    ctx,
                    codes::ENVOY_FILTER_USES_REPLACE_OPERATION_INCORRECTLY,
                    i,
                    "The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER.",
                )
            }
            "REMOVE" | "REPLACE" | "INSERT_BEFORE" | "INSERT_AFTER" => relative = true,
            _ => {}
        }
        if relative && ef.priority == 0 {
            if versioned.contains(&instance) {
                report(
                    ctx,
                    codes::ENVOY_FILTER_USES_RELATIVE_OPERATION_WITH_PROXY_VERSION,
                    i,
                    "This EnvoyFilter does not have a priority and has a relative patch operation (NSTERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly.",
                );
            } else {
                report(
                    ctx,
                    codes::ENVOY_FILTER_USES_RELATIVE_OPERATION,
                    i,
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
