//! Over the whole mesh: what each EnvoyFilter patch changed, and when it changed nothing
//! anywhere, why (the question "my EnvoyFilter is not applied" asks).

use super::listener::{filter_chain_match, network_filter_name, sub_filter_name, ListenerFacts};
use super::select::{self, ProxyMismatch};
use super::{ApplyTo, Change, Context, Patch, PatchId, Record, PROXY_VERSION};
use crate::diag::Span;
use crate::envoy::{ProxyConfig, Value};
use crate::istio::envoy_filter::{renamed_filter, ConfigPatch, EnvoyFilter};
use crate::mesh::{Mesh, Proxy};
use crate::parse::Object;
use serde::Serialize;

/// Every patch of every EnvoyFilter: where it is, what it changed, or why it changed nothing.
#[derive(Debug, Clone, Serialize)]
pub struct PatchReport {
    pub patch: PatchId,
    /// `namespace/name` of the EnvoyFilter.
    pub envoy_filter: String,
    pub apply_to: String,
    pub operation: String,
    pub file: String,
    /// The span of `configPatches[N]` in the user's file.
    pub span: Span,
    /// Per proxy (`name.namespace`), the changes this patch made.
    pub changed: Vec<(String, Vec<Change>)>,
    /// When it changed nothing anywhere: why, one sentence per cause.
    pub reasons: Vec<String>,
    /// Merges istiod would abandon (different `@type`s).
    pub failures: Vec<String>,
    /// True when the patch's effect is outside what this tool outputs (EXTENSION_CONFIG,
    /// BOOTSTRAP): no reason is a mistake then.
    pub not_modelled: bool,
}

impl PatchReport {
    pub fn applied(&self) -> bool {
        !self.changed.is_empty()
    }
}

/// Translate every proxy an EnvoyFilter selects and report every patch.
pub fn explain(mesh: &Mesh) -> Vec<PatchReport> {
    reports(mesh, false)
}

/// [`explain`] for the analyzer, which only needs the patches that change nothing: proxies are
/// translated until every patch has changed something (in a large mesh, one proxy is often
/// enough), so `changed` lists the first proxies only.
pub fn explain_unapplied(mesh: &Mesh) -> Vec<PatchReport> {
    reports(mesh, true)
}

fn reports(mesh: &Mesh, until_all_applied: bool) -> Vec<PatchReport> {
    let mut reports: Vec<PatchReport> = Vec::new();
    for (object, obj, ef) in select::envoy_filters(mesh) {
        for (index, cp) in ef.config_patches.iter().enumerate() {
            reports.push(PatchReport {
                patch: PatchId { object, index },
                envoy_filter: format!("{}/{}", obj.namespace(), obj.name()),
                apply_to: cp.apply_to.clone().unwrap_or_default(),
                operation: cp
                    .patch
                    .as_ref()
                    .and_then(|p| p.operation.clone())
                    .unwrap_or_default(),
                file: obj.origin.file.clone(),
                span: patch_span(obj, index),
                changed: Vec::new(),
                reasons: Vec::new(),
                failures: Vec::new(),
                not_modelled: matches!(
                    cp.apply_to.as_deref(),
                    Some("EXTENSION_CONFIG" | "BOOTSTRAP")
                ),
            });
        }
    }
    if reports.is_empty() {
        return reports;
    }
    // Only a proxy some EnvoyFilter selects can be changed by one, or explain why not.
    let mut configs: Vec<(&Proxy, ProxyConfig, Record)> = Vec::new();
    for proxy in mesh.proxies() {
        if select::filters_for(mesh, proxy).is_empty() {
            continue;
        }
        let (config, rec) = crate::translate::proxy_config_recorded(mesh, proxy, true);
        configs.push((proxy, config, rec));
        if until_all_applied {
            let all = reports.iter().all(|r| {
                r.not_modelled
                    || configs
                        .iter()
                        .any(|(_, _, rec)| rec.changes.iter().any(|c| c.patch == r.patch))
            });
            if all {
                break;
            }
        }
    }
    for (proxy, _, rec) in &configs {
        for r in reports.iter_mut() {
            let mine: Vec<Change> = rec
                .changes
                .iter()
                .filter(|c| c.patch == r.patch)
                .cloned()
                .collect();
            if !mine.is_empty() {
                r.changed.push((proxy.id(), mine));
            }
            for f in rec.failures.iter().filter(|f| f.patch == r.patch) {
                r.failures
                    .push(format!("{} ({}): {}", proxy.id(), f.resource, f.message));
            }
        }
    }
    for r in reports.iter_mut() {
        if r.applied() || r.not_modelled {
            continue;
        }
        let obj = &mesh.objects[r.patch.object];
        let crate::parse::Spec::EnvoyFilter(ef) = &*obj.spec else {
            continue;
        };
        let cp = &ef.config_patches[r.patch.index];
        r.reasons = why_not(mesh, obj, ef, r.patch, cp, &configs);
    }
    reports
}

/// The span of `spec.configPatches[N]` (its first line is the patch's line).
pub fn patch_span(obj: &Object, index: usize) -> Span {
    obj.span_of(&[
        "spec".to_string(),
        "configPatches".to_string(),
        index.to_string(),
    ])
}

fn why_not(
    mesh: &Mesh,
    obj: &Object,
    ef: &EnvoyFilter,
    id: PatchId,
    cp: &ConfigPatch,
    configs: &[(&Proxy, ProxyConfig, Record)],
) -> Vec<String> {
    let Some(patch) = select::compile(id.object, id.index, cp) else {
        return vec![invalid(cp)];
    };
    let root = mesh.config.root_namespace.as_str();
    let ns = obj.namespace();
    let selected: Vec<&(&Proxy, ProxyConfig, Record)> = configs
        .iter()
        .filter(|(p, _, _)| (ns == root || ns == p.config_namespace) && select::selects(ef, ns, p))
        .collect();
    if selected.is_empty() {
        return vec![selects_nothing(mesh, obj, ef)];
    }
    let mut version_or_meta = Vec::new();
    let eligible: Vec<_> = selected
        .iter()
        .filter(
            |(p, _, _)| match select::proxy_match(cp.matches.as_ref(), p) {
                Ok(()) => true,
                Err(e) => {
                    version_or_meta.push((p.id(), e));
                    false
                }
            },
        )
        .collect();
    if eligible.is_empty() {
        let (_, e) = &version_or_meta[0];
        return vec![match e {
            ProxyMismatch::Version(re) => format!(
                "proxyVersion {re} does not match {PROXY_VERSION}, the version of every proxy here"
            ),
            ProxyMismatch::Metadata(k, v) => format!(
                "proxy metadata {k}={v} matches none of the {} selected proxies",
                version_or_meta.len()
            ),
        }];
    }
    let contexts = match patch.apply_to {
        ApplyTo::Cluster
        | ApplyTo::RouteConfiguration
        | ApplyTo::VirtualHost
        | ApplyTo::HttpRoute
        | ApplyTo::Listener
        | ApplyTo::FilterChain
        | ApplyTo::NetworkFilter
        | ApplyTo::HttpFilter
        | ApplyTo::ListenerFilter => patch.context,
        _ => Context::Any,
    };
    let fits = |p: &Proxy| match contexts {
        Context::Any => true,
        Context::Gateway => p.is_gateway(),
        Context::SidecarInbound | Context::SidecarOutbound => !p.is_gateway(),
        Context::Waypoint => false,
    };
    let in_context: Vec<_> = eligible.iter().filter(|(p, _, _)| fits(p)).collect();
    if in_context.is_empty() {
        let kind = if eligible[0].0.is_gateway() {
            "gateways"
        } else {
            "sidecars"
        };
        return vec![format!(
            "context {} never applies here: the proxies this EnvoyFilter selects are {kind} ({})",
            patch.context.name(),
            names(eligible.iter().map(|(p, _, _)| p.id()))
        )];
    }
    let mut out = Vec::new();
    for (proxy, config, _) in in_context.iter().take(3) {
        out.push(resource_reason(mesh, &patch, proxy, config));
    }
    out.dedup();
    out
}

fn invalid(cp: &ConfigPatch) -> String {
    let Some(apply_to) = cp.apply_to.as_deref() else {
        return "missing applyTo: istiod rejects the patch".into();
    };
    if ApplyTo::parse(apply_to).is_none() {
        return format!("unknown applyTo {apply_to}");
    }
    let Some(patch) = cp.patch.as_ref() else {
        return "missing patch".into();
    };
    match patch.operation.as_deref() {
        None => "missing patch operation".into(),
        Some(op) if super::Operation::parse(op).is_none() => format!("unknown operation {op}"),
        Some(_) if patch.value.is_none() => "missing patch value for non-remove operation".into(),
        Some(_) => match cp.matches.as_ref().and_then(|m| m.context.as_deref()) {
            Some(c) => format!("unknown context {c}"),
            None => "istiod ignores this patch".into(),
        },
    }
}

fn selects_nothing(mesh: &Mesh, obj: &Object, ef: &EnvoyFilter) -> String {
    let ns = obj.namespace();
    let root = mesh.config.root_namespace.as_str();
    let scope = if ns == root {
        "in any namespace (it is in the root namespace)".to_string()
    } else {
        format!("in namespace {ns}")
    };
    if !ef.target_refs.is_empty() {
        let refs = names(
            ef.target_refs
                .iter()
                .map(|r| format!("{} {}", r.kind, r.name)),
        );
        return format!("targetRefs {refs} match no gateway proxy {scope}");
    }
    if let Some(sel) = ef.workload_selector.as_ref() {
        let labels = names(sel.match_labels.iter().map(|(k, v)| format!("{k}={v}")));
        return format!("workloadSelector {labels} matches no workload {scope}");
    }
    format!("no proxy {scope}")
}

fn names(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.len() > 8 {
        format!("{}, ... ({} in all)", v[..8].join(", "), v.len())
    } else {
        v.join(", ")
    }
}

/// The context each listener of a proxy is patched in (the same split as the passes).
pub fn listener_contexts(proxy: &Proxy, listeners: &[Value]) -> Vec<Context> {
    let mut seen_virtual_outbound = false;
    listeners
        .iter()
        .map(|l| {
            if proxy.is_gateway() {
                return Context::Gateway;
            }
            let name = l["name"].as_str().unwrap_or_default();
            if name == crate::envoy::well_known::VIRTUAL_OUTBOUND {
                seen_virtual_outbound = true;
                return Context::SidecarOutbound;
            }
            if seen_virtual_outbound || name == crate::envoy::well_known::VIRTUAL_INBOUND {
                Context::SidecarInbound
            } else {
                Context::SidecarOutbound
            }
        })
        .collect()
}

fn context_label(p: &Patch) -> String {
    format!("context {}", p.context.name())
}

/// Why nothing in this proxy's config matched the patch, walking down its match.
fn resource_reason(mesh: &Mesh, p: &Patch, proxy: &Proxy, config: &ProxyConfig) -> String {
    let who = proxy.id();
    match p.apply_to {
        ApplyTo::Listener
        | ApplyTo::FilterChain
        | ApplyTo::NetworkFilter
        | ApplyTo::HttpFilter
        | ApplyTo::ListenerFilter => listener_reason(p, proxy, config, &who),
        ApplyTo::RouteConfiguration | ApplyTo::VirtualHost | ApplyTo::HttpRoute => {
            route_reason(mesh, p, proxy, config, &who)
        }
        ApplyTo::Cluster => cluster_reason(p, proxy, config, &who),
        _ => format!("nothing matched in {who}"),
    }
}

fn listener_reason(p: &Patch, proxy: &Proxy, config: &ProxyConfig, who: &str) -> String {
    let ctxs = listener_contexts(proxy, &config.listeners);
    let in_ctx: Vec<&Value> = config
        .listeners
        .iter()
        .zip(&ctxs)
        .filter(|(_, c)| p.in_context(**c))
        .map(|(l, _)| l)
        .collect();
    let lnames = || {
        names(
            in_ctx
                .iter()
                .map(|l| l["name"].as_str().unwrap_or_default().to_string()),
        )
    };
    let m = p.matches.listener.as_ref();
    if let Some(name) = m.and_then(|m| m.name.as_deref()).filter(|n| !n.is_empty()) {
        if !in_ctx.iter().any(|l| l["name"] == name) {
            return format!(
                "no listener named {name} in {} for {who}: its listeners there are {}",
                context_label(p),
                lnames()
            );
        }
    }
    let listeners: Vec<&Value> = in_ctx
        .iter()
        .copied()
        .filter(|l| super::listener::listener_match(l, p))
        .collect();
    let port = m.map_or(0, |m| m.port_number);
    // Chains of the matching listeners that pass the port and filterChain match.
    let mut chains: Vec<(&Value, ListenerFacts)> = Vec::new();
    for l in &listeners {
        let facts = ListenerFacts::of(l);
        for fc in l["filter_chains"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(l.get("default_filter_chain"))
        {
            if filter_chain_match(&facts, fc, p) {
                chains.push((fc, ListenerFacts::of(l)));
            }
        }
    }
    if listeners.is_empty() || (port != 0 && chains.is_empty() && p.apply_to != ApplyTo::Listener) {
        if port != 0 && !has_port(&in_ctx, port) {
            return format!(
                "no listener on port {port} in {} for {who}: its listeners there are {}",
                context_label(p),
                listener_ports(&in_ctx)
            );
        }
        return format!("no listener matched in {} for {who}", context_label(p));
    }
    if chains.is_empty() && p.apply_to != ApplyTo::Listener && p.apply_to != ApplyTo::ListenerFilter
    {
        return format!(
            "no filter chain of the matching listeners of {who} fits match.listener.filterChain"
        );
    }
    if let Some(want) = network_filter_name(p) {
        if matches!(p.apply_to, ApplyTo::NetworkFilter | ApplyTo::HttpFilter) {
            let have: Vec<String> = chains
                .iter()
                .flat_map(|(fc, _)| fc["filters"].as_array().into_iter().flatten())
                .filter_map(|f| f["name"].as_str().map(str::to_string))
                .collect();
            if !have.iter().any(|h| h == want) {
                return not_found("filter", want, &have, who);
            }
            if let Some(sub) = sub_filter_name(p).filter(|_| p.apply_to == ApplyTo::HttpFilter) {
                let subs: Vec<String> = chains
                    .iter()
                    .flat_map(|(fc, _)| fc["filters"].as_array().into_iter().flatten())
                    .filter(|f| f["name"] == want)
                    .flat_map(|f| {
                        f["typed_config"]["http_filters"]
                            .as_array()
                            .into_iter()
                            .flatten()
                    })
                    .filter_map(|f| f["name"].as_str().map(str::to_string))
                    .collect();
                if !subs.iter().any(|h| h == sub) {
                    return not_found("HTTP filter", sub, &subs, who);
                }
            }
        }
    }
    if let Some(lf) = m.and_then(|m| m.listener_filter.as_deref()) {
        let have: Vec<String> = listeners
            .iter()
            .flat_map(|l| l["listener_filters"].as_array().into_iter().flatten())
            .filter_map(|f| f["name"].as_str().map(str::to_string))
            .collect();
        if !have.iter().any(|h| h == lf) {
            return not_found("listener filter", lf, &have, who);
        }
    }
    if p.operation == super::Operation::Merge && p.apply_to == ApplyTo::HttpFilter {
        return format!("the matched HTTP filters of {who} have no typed_config to merge into");
    }
    format!(
        "operation {} does nothing to {} at the matched place in {who}",
        p.operation.name(),
        p.apply_to.name()
    )
}

fn has_port(listeners: &[&Value], port: u32) -> bool {
    listeners.iter().any(|l| {
        l["address"]["socket_address"]["port_value"] == u64::from(port)
            || l["filter_chains"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["filter_chain_match"]["destination_port"] == u64::from(port))
            })
    })
}

/// `0.0.0.0_9080, virtualOutbound, virtualInbound (ports 9080, 15006)`.
fn listener_ports(listeners: &[&Value]) -> String {
    names(listeners.iter().map(|l| {
        let name = l["name"].as_str().unwrap_or_default();
        let mut ports: Vec<u64> = l["filter_chains"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["filter_chain_match"]["destination_port"].as_u64())
            .collect();
        ports.dedup();
        if ports.is_empty() {
            name.to_string()
        } else {
            let ports: Vec<String> = ports.iter().map(u64::to_string).collect();
            format!("{name} (chains for ports {})", ports.join(", "))
        }
    }))
}

fn not_found(what: &str, want: &str, have: &[String], who: &str) -> String {
    let mut uniq: Vec<String> = Vec::new();
    for h in have {
        if !uniq.contains(h) {
            uniq.push(h.clone());
        }
    }
    let hint = renamed_filter(want)
        .filter(|n| uniq.iter().any(|h| h == n))
        .map(str::to_string)
        .or_else(|| closest(want, &uniq));
    match hint {
        Some(h) => format!("{what} {want} not found in {who}: did you mean {h}?"),
        None => format!(
            "{what} {want} not found in {who}: it has {}",
            names(uniq.into_iter())
        ),
    }
}

/// The closest name by edit distance, when it is close enough to be a typo or a rename.
fn closest(want: &str, have: &[String]) -> Option<String> {
    let (best, d) = have
        .iter()
        .map(|h| (h, edit_distance(want, h)))
        .min_by_key(|(_, d)| *d)?;
    // A rename keeps the last segment (envoy.lua -> envoy.filters.http.lua).
    let same_tail = want.rsplit('.').next() == best.rsplit('.').next();
    (d <= want.len() / 3 || same_tail).then(|| best.clone())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn route_reason(mesh: &Mesh, p: &Patch, proxy: &Proxy, config: &ProxyConfig, who: &str) -> String {
    let ctx = if proxy.is_gateway() {
        Context::Gateway
    } else {
        Context::SidecarOutbound
    };
    // RDS (outbound or gateway) and, for SIDECAR_INBOUND, the inline inbound configs.
    let mut rcs: Vec<&Value> = Vec::new();
    if p.in_context(ctx) {
        rcs.extend(config.routes.iter());
    }
    if p.in_context(Context::SidecarInbound) && !proxy.is_gateway() {
        for l in &config.listeners {
            for fc in l["filter_chains"].as_array().into_iter().flatten() {
                for f in fc["filters"].as_array().into_iter().flatten() {
                    if let Some(rc) = f["typed_config"].get("route_config") {
                        rcs.push(rc);
                    }
                }
            }
        }
    }
    let port_map = if proxy.is_gateway() {
        super::route::gateway_port_map(mesh, proxy)
    } else {
        Vec::new()
    };
    let rc_names = |rcs: &[&Value]| {
        names(
            rcs.iter()
                .map(|r| r["name"].as_str().unwrap_or_default().to_string()),
        )
    };
    if rcs.is_empty() {
        return format!("{who} has no route configuration in {}", context_label(p));
    }
    let matched: Vec<&Value> = rcs
        .iter()
        .copied()
        .filter(|rc| {
            let c = if rc["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("inbound|"))
            {
                Context::SidecarInbound
            } else {
                ctx
            };
            super::route::route_configuration_match(c, &port_map, rc, p)
        })
        .collect();
    let m = p.matches.route_configuration.as_ref();
    if matched.is_empty() {
        let what = match m {
            Some(m) if m.port_number != 0 => format!("on port {}", m.port_number),
            Some(m) if m.name.as_deref().is_some_and(|n| !n.is_empty()) => {
                format!("named {}", m.name.as_deref().unwrap_or_default())
            }
            _ => "matching".to_string(),
        };
        return format!(
            "no route configuration {what} in {} for {who}: its route configurations there are {}",
            context_label(p),
            rc_names(&rcs)
        );
    }
    if p.apply_to == ApplyTo::RouteConfiguration {
        return format!(
            "operation {} does nothing to ROUTE_CONFIGURATION (only MERGE does)",
            p.operation.name()
        );
    }
    let vhosts: Vec<&Value> = matched
        .iter()
        .flat_map(|rc| rc["virtual_hosts"].as_array().into_iter().flatten())
        .collect();
    let vmatched: Vec<&Value> = vhosts
        .iter()
        .copied()
        .filter(|vh| super::route::virtual_host_match(vh, p))
        .collect();
    if vmatched.is_empty() {
        let want = m
            .and_then(|m| m.vhost.as_ref())
            .map(|v| v.name.clone().or(v.domain_name.clone()).unwrap_or_default())
            .unwrap_or_default();
        let have: Vec<String> = vhosts
            .iter()
            .filter_map(|v| v["name"].as_str().map(str::to_string))
            .collect();
        return not_found("virtual host", &want, &have, who);
    }
    if p.apply_to == ApplyTo::HttpRoute {
        let routes: Vec<&Value> = vmatched
            .iter()
            .flat_map(|v| v["routes"].as_array().into_iter().flatten())
            .collect();
        if !routes.iter().any(|r| super::route::route_match(r, p)) {
            let want = m
                .and_then(|m| m.vhost.as_ref())
                .and_then(|v| v.route.as_ref())
                .map(|r| {
                    r.name
                        .clone()
                        .unwrap_or_else(|| r.action.clone().unwrap_or_default())
                })
                .unwrap_or_default();
            let have: Vec<String> = routes
                .iter()
                .filter_map(|r| r["name"].as_str().map(str::to_string))
                .collect();
            return not_found("route", &want, &have, who);
        }
        if p.operation == super::Operation::Replace {
            return "istiod does not implement REPLACE for HTTP_ROUTE".into();
        }
    }
    format!(
        "operation {} does nothing to {} here",
        p.operation.name(),
        p.apply_to.name()
    )
}

fn cluster_reason(p: &Patch, proxy: &Proxy, config: &ProxyConfig, who: &str) -> String {
    if p.operation != super::Operation::Remove
        && !p.operation.is_merge()
        && p.operation != super::Operation::Add
    {
        return format!("operation {} does nothing to a CLUSTER", p.operation.name());
    }
    if p.operation == super::Operation::Add
        && p.context == Context::SidecarInbound
        && proxy.is_gateway()
    {
        return format!("{who} is a gateway: SIDECAR_INBOUND clusters are never built");
    }
    if p.operation == super::Operation::Add {
        let name = p.value["name"].as_str().unwrap_or_default();
        return format!(
            "{who} already has a cluster named {name:?}: istiod keeps the first cluster of a name, \
             so the added one is dropped"
        );
    }
    let in_ctx: Vec<String> = config
        .clusters
        .iter()
        .filter(|c| p.in_context(super::cluster::context_of(proxy.is_gateway(), c)))
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let m = p.matches.cluster.as_ref();
    let want = m
        .map(|m| {
            if let Some(n) = m.name.as_deref().filter(|n| !n.is_empty()) {
                format!("named {n}")
            } else {
                let mut parts = Vec::new();
                if let Some(s) = m.service.as_deref().filter(|s| !s.is_empty()) {
                    parts.push(format!("for service {s}"));
                }
                if m.port_number != 0 {
                    parts.push(format!("on port {}", m.port_number));
                }
                if let Some(s) = m.subset.as_deref().filter(|s| !s.is_empty()) {
                    parts.push(format!("for subset {s}"));
                }
                parts.join(" ")
            }
        })
        .unwrap_or_default();
    let hint = m
        .and_then(|m| m.name.as_deref().or(m.service.as_deref()))
        .and_then(|n| closest(n, &in_ctx))
        .map(|h| format!(" (did you mean {h}?)"))
        .unwrap_or_default();
    format!(
        "no cluster {want} in {} for {who}{hint}: its clusters there are {}",
        context_label(p),
        names(in_ctx.into_iter())
    )
}
