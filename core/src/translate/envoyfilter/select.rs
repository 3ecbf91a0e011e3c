//! Which patches apply to a proxy, in istiod's order (`PushContext.EnvoyFilters`).
//!
//! The EnvoyFilters of the root namespace and of the proxy's config namespace that select it
//! (workloadSelector, or targetRefs for a Gateway API gateway), sorted by priority, then root
//! namespace first, then creation time, then `name.namespace`; their patches kept when the
//! proxy match (`proxyVersion` regex, metadata) holds.

use super::{ApplyTo, Context, Operation, Patch, PatchId, PROXY_VERSION};
use crate::istio::envoy_filter::{ConfigPatch, EnvoyFilter, ObjectMatch};
use crate::istio::security::TargetRef;
use crate::mesh::{Mesh, Proxy};
use crate::parse::{Object, Spec};

/// Every EnvoyFilter of the mesh with its index in `mesh.objects`.
pub fn envoy_filters(mesh: &Mesh) -> impl Iterator<Item = (usize, &Object, &EnvoyFilter)> {
    mesh.objects
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match &*o.spec {
            Spec::EnvoyFilter(ef) => Some((i, o, ef)),
            _ => None,
        })
}

/// istiod's `ShouldAttachPolicy` for an EnvoyFilter in `ns` (the caller picks the namespaces).
pub fn selects(ef: &EnvoyFilter, ns: &str, proxy: &Proxy) -> bool {
    let refs: Vec<&TargetRef> = ef.target_refs.iter().collect();
    crate::translate::authz::should_attach(proxy, ns, ef.workload_selector.as_ref(), &refs)
}

/// The EnvoyFilters that select `proxy`, in istiod's order.
pub fn filters_for<'a>(mesh: &'a Mesh, proxy: &Proxy) -> Vec<(usize, &'a Object, &'a EnvoyFilter)> {
    let root = mesh.config.root_namespace.as_str();
    let mut out: Vec<(usize, &Object, &EnvoyFilter)> = envoy_filters(mesh)
        .filter(|(_, o, ef)| {
            let ns = o.namespace();
            (ns == root || ns == proxy.config_namespace) && selects(ef, ns, proxy)
        })
        .collect();
    crate::order::sort_by(&mut out, |(_, a, ea), (_, b, eb)| {
        let ts = |o: &Object| o.meta.creation_timestamp.clone().unwrap_or_default();
        ea.priority
            .cmp(&eb.priority)
            .then_with(|| {
                let (ar, br) = (a.namespace() == root, b.namespace() == root);
                if a.namespace() != b.namespace() && (ar || br) {
                    br.cmp(&ar)
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then_with(|| ts(a).cmp(&ts(b)))
            // Objects without a creationTimestamp keep the order of the input.
            .then_with(|| a.seq.cmp(&b.seq).then(std::cmp::Ordering::Equal))
            .then_with(|| {
                format!("{}.{}", a.name(), a.namespace()).cmp(&format!(
                    "{}.{}",
                    b.name(),
                    b.namespace()
                ))
            })
    });
    out
}

/// Why a patch was left out for a proxy before any resource was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyMismatch {
    Version(String),
    Metadata(String, String),
}

/// istiod's `proxyMatch`.
pub fn proxy_match(m: Option<&ObjectMatch>, proxy: &Proxy) -> Result<(), ProxyMismatch> {
    let Some(pm) = m.and_then(|m| m.proxy.as_ref()) else {
        return Ok(());
    };
    if let Some(re) = pm.proxy_version.as_deref().filter(|r| !r.is_empty()) {
        // Go's regexp (RE2) and regex-lite agree on the patterns a version match uses; an
        // invalid or too long pattern matches nothing, as in istiod.
        let ok =
            re.len() <= 1024 && regex_lite::Regex::new(re).is_ok_and(|r| r.is_match(PROXY_VERSION));
        if !ok {
            return Err(ProxyMismatch::Version(re.to_string()));
        }
    }
    let meta = proxy_metadata(proxy);
    for (k, v) in pm.metadata.iter() {
        let have = meta
            .iter()
            .find(|(mk, _)| mk == k)
            .map(|(_, mv)| mv.as_str());
        if have != Some(v.as_str()) {
            return Err(ProxyMismatch::Metadata(k.clone(), v.clone()));
        }
    }
    Ok(())
}

/// The string-valued node metadata istio-agent sends (`proxy.Metadata.Raw`), as far as the
/// inputs decide it.
pub fn proxy_metadata(proxy: &Proxy) -> Vec<(String, String)> {
    let mut out = vec![
        ("ISTIO_VERSION".to_string(), PROXY_VERSION.to_string()),
        ("NAMESPACE".to_string(), proxy.namespace.clone()),
        ("NAME".to_string(), proxy.name.clone()),
        ("WORKLOAD_NAME".to_string(), proxy.workload.clone()),
        ("SERVICE_ACCOUNT".to_string(), proxy.service_account.clone()),
        ("CLUSTER_ID".to_string(), "Kubernetes".to_string()),
        ("MESH_ID".to_string(), "cluster.local".to_string()),
        ("INTERCEPTION_MODE".to_string(), "REDIRECT".to_string()),
        ("ISTIO_META_DNS_CAPTURE".to_string(), String::new()),
    ];
    out.push(("INSTANCE_IPS".to_string(), proxy.ips.join(",")));
    out.retain(|(_, v)| !v.is_empty());
    out
}

/// The patches of one proxy, in the order istiod applies them.
pub fn patches_for(mesh: &Mesh, proxy: &Proxy) -> Vec<Patch> {
    let mut out = Vec::new();
    for (object, _, ef) in filters_for(mesh, proxy) {
        for (index, cp) in ef.config_patches.iter().enumerate() {
            if proxy_match(cp.matches.as_ref(), proxy).is_err() {
                continue;
            }
            if let Some(p) = compile(object, index, cp) {
                out.push(p);
            }
        }
    }
    out
}

/// A config patch as istiod keeps it (`EnvoyFilterConfigPatchWrapper`), or `None` for one its
/// validation rejects (no applyTo, no patch, unknown operation, no value for a non-REMOVE).
pub fn compile(object: usize, index: usize, cp: &ConfigPatch) -> Option<Patch> {
    let apply_to = ApplyTo::parse(cp.apply_to.as_deref()?)?;
    let patch = cp.patch.as_ref()?;
    let mut operation = Operation::parse(patch.operation.as_deref()?)?;
    if operation != Operation::Remove && patch.value.is_none() {
        return None;
    }
    // INSERT_* exist for filters and routes only; istiod turns the rest into ADD.
    if matches!(
        operation,
        Operation::InsertBefore | Operation::InsertAfter | Operation::InsertFirst
    ) && !matches!(
        apply_to,
        ApplyTo::HttpFilter | ApplyTo::NetworkFilter | ApplyTo::HttpRoute | ApplyTo::ListenerFilter
    ) {
        operation = Operation::Add;
    }
    let context = match cp.matches.as_ref().and_then(|m| m.context.as_deref()) {
        None => Context::Any,
        Some(c) => Context::parse(c)?,
    };
    Some(Patch {
        id: PatchId { object, index },
        apply_to,
        operation,
        context,
        matches: cp.matches.clone().unwrap_or_default(),
        value: patch
            .value
            .as_ref()
            .map(super::merge::from_patch)
            .unwrap_or_default(),
    })
}
