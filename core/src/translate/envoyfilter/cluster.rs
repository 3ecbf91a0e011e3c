//! CDS patches: CLUSTER MERGE, REMOVE and ADD, as istiod's cluster patcher runs them on the
//! outbound clusters (with BlackHoleCluster and PassthroughCluster), the inbound clusters (with
//! InboundPassthroughCluster), or a gateway's clusters, each set in its own context.

use super::merge::{merge, merge_any, TypeMismatch};
use super::{ApplyTo, Context, Failure, Operation, Patch, Record, ResourceType};
use crate::envoy::well_known::INBOUND_PASSTHROUGH_CLUSTER;
use crate::envoy::Value;

/// The context istiod patches a cluster of this proxy in.
pub fn context_of(gateway: bool, cluster: &Value) -> Context {
    let name = cluster["name"].as_str().unwrap_or_default();
    if gateway {
        Context::Gateway
    } else if name.starts_with("inbound|") || name == INBOUND_PASSTHROUGH_CLUSTER {
        Context::SidecarInbound
    } else {
        Context::SidecarOutbound
    }
}

/// Patch every cluster, drop the removed ones and insert the added ones where istiod appends
/// them (after the outbound set, and after the inbound set). `inbound_hosts` gives the service
/// hostnames a workload port serves, which `match.cluster.service` compares for inbound
/// clusters.
pub fn apply(
    gateway: bool,
    patches: &[Patch],
    clusters: Vec<Value>,
    inbound_hosts: &dyn Fn(u32) -> Vec<String>,
    rec: &mut Record,
) -> Vec<Value> {
    let mut outbound = Vec::new();
    let mut inbound = Vec::new();
    for mut c in clusters {
        let ctx = context_of(gateway, &c);
        if patch_cluster(ctx, patches, &mut c, inbound_hosts, rec) {
            match ctx {
                Context::SidecarInbound => inbound.push(c),
                _ => outbound.push(c),
            }
        }
    }
    let first_ctx = if gateway {
        Context::Gateway
    } else {
        Context::SidecarOutbound
    };
    // istiod keeps the first cluster of a name (normalizeClusters): an ADD cannot shadow a
    // generated cluster, nor an earlier ADD.
    let mut taken: Vec<String> = outbound
        .iter()
        .chain(&inbound)
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    outbound.extend(inserted(first_ctx, patches, rec, &mut taken));
    if !gateway {
        inbound.extend(inserted(Context::SidecarInbound, patches, rec, &mut taken));
    }
    outbound.extend(inbound);
    outbound
}

/// `ApplyClusterMerge`; false when a REMOVE matched.
fn patch_cluster(
    ctx: Context,
    patches: &[Patch],
    c: &mut Value,
    inbound_hosts: &dyn Fn(u32) -> Vec<String>,
    rec: &mut Record,
) -> bool {
    for p in patches
        .iter()
        .filter(|p| p.apply_to == ApplyTo::Cluster && p.in_context(ctx))
    {
        let name = c["name"].as_str().unwrap_or_default().to_string();
        if !cluster_match(c, p, inbound_hosts) {
            continue;
        }
        if p.operation == Operation::Remove {
            rec.change(p, ResourceType::Cluster, &name, String::new());
            return false;
        }
        if !p.operation.is_merge() {
            continue;
        }
        match merge_transport_socket(c, &p.value) {
            Ok(true) => {}
            Ok(false) => merge(c, &p.value, p.operation == Operation::MergeAndReplaceList),
            Err(e) => {
                // istiod's recover() keeps the cluster as it was before this patch, and skips
                // the rest of its patches.
                rec.failures.push(Failure {
                    patch: p.id,
                    resource: name,
                    message: format!(
                        "transport_socket typed_config @type {} cannot be merged into {}",
                        e.patch, e.existing
                    ),
                });
                return true;
            }
        }
        let name = c["name"].as_str().unwrap_or_default().to_string();
        rec.change(p, ResourceType::Cluster, &name, String::new());
    }
    true
}

/// `InsertedClusters`: CLUSTER ADDs of this context (ANY only in the outbound or gateway set).
fn inserted(
    ctx: Context,
    patches: &[Patch],
    rec: &mut Record,
    taken: &mut Vec<String>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for p in patches.iter().filter(|p| {
        p.apply_to == ApplyTo::Cluster && p.operation == Operation::Add && p.in_context(ctx)
    }) {
        if p.context == Context::Any && ctx == Context::SidecarInbound {
            continue;
        }
        let name = p.value["name"].as_str().unwrap_or_default().to_string();
        if taken.contains(&name) {
            continue;
        }
        taken.push(name.clone());
        rec.change(p, ResourceType::Cluster, &name, String::new());
        out.push(p.value.clone());
    }
    out
}

/// `mergeTransportSocketCluster`: Ok(true) when the patch's transport socket was merged into
/// (or set as) the cluster's, so the plain merge is skipped.
fn merge_transport_socket(c: &mut Value, patch: &Value) -> Result<bool, TypeMismatch> {
    let Some(ts) = patch.get("transport_socket") else {
        return Ok(false);
    };
    let matches = c["transport_socket_matches"].as_array().map_or(0, Vec::len);
    if matches > 0 {
        for i in 0..matches {
            let existing = &c["transport_socket_matches"][i]["transport_socket"];
            if !existing.is_null() && existing["name"] == ts["name"] {
                if existing.get("typed_config").is_some() {
                    if let Some(src) = ts.get("typed_config") {
                        merge_any(
                            &mut c["transport_socket_matches"][i]["transport_socket"]
                                ["typed_config"],
                            src,
                        )?;
                    }
                }
                return Ok(true);
            }
        }
        return Ok(true);
    }
    let same = c
        .get("transport_socket")
        .is_some_and(|existing| existing["name"] == ts["name"]);
    if same {
        if c["transport_socket"].get("typed_config").is_some() {
            if let Some(src) = ts.get("typed_config") {
                merge_any(&mut c["transport_socket"]["typed_config"], src)?;
            }
        }
    } else {
        c["transport_socket"] = ts.clone();
    }
    Ok(true)
}

/// `ParseSubsetKey`: (direction, port, subset, host) of `outbound|9080|v1|reviews...`.
pub fn parse_subset_key(name: &str) -> (&str, u32, &str, &str) {
    let sep = if name.starts_with("outbound_.") || name.starts_with("inbound_.") {
        "_."
    } else {
        "|"
    };
    let mut parts = name.splitn(4, sep);
    let dir = parts.next().unwrap_or_default();
    let port = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let subset = parts.next().unwrap_or_default();
    let host = parts.next().unwrap_or_default();
    if host.contains(sep) {
        return (dir, port, subset, "");
    }
    (dir, port, subset, host)
}

/// `clusterMatch`.
pub fn cluster_match(c: &Value, p: &Patch, inbound_hosts: &dyn Fn(u32) -> Vec<String>) -> bool {
    let Some(m) = p.matches.cluster.as_ref() else {
        return true;
    };
    let name = c["name"].as_str().unwrap_or_default();
    if let Some(n) = m.name.as_deref().filter(|n| !n.is_empty()) {
        return n == name;
    }
    let (dir, port, subset, host) = parse_subset_key(name);
    if m.subset
        .as_deref()
        .is_some_and(|s| !s.is_empty() && s != subset)
    {
        return false;
    }
    if let Some(service) = m.service.as_deref().filter(|s| !s.is_empty()) {
        let hosts = if dir == "inbound" {
            let hosts = inbound_hosts(port);
            if hosts.is_empty() {
                vec![host.to_string()]
            } else {
                hosts
            }
        } else {
            vec![host.to_string()]
        };
        if !hosts.iter().any(|h| h == service) {
            return false;
        }
    }
    m.port_number == 0 || m.port_number == port
}
