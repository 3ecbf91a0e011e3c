//! Objects that fight over the same thing: VirtualServices bound to the mesh gateway with the same
//! host (IST0109), and Sidecars that select the same workload or none (IST0101, IST0110, IST0111)
//! or only workloads in ambient mode, which have no sidecar (IST0167).

use super::{codes, fp, full_name, Ctx};
use crate::order;
use crate::parse::{Object, Spec};
use crate::sorted::{SortedMap, SortedSet};

pub(super) fn check(ctx: &mut Ctx) {
    mesh_hosts(ctx);
    sidecars(ctx);
}

fn mesh_hosts(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    // scope ("*" or a namespace) / host -> VirtualServices, in istiod's order.
    let mut hosts: SortedMap<(String, String), Vec<&Object>> = SortedMap::new();
    for (obj, vs) in mesh.virtual_services() {
        let bound = vs.gateways.is_empty() || vs.gateways.iter().any(|g| g == "mesh");
        if !bound {
            continue;
        }
        let scopes: SortedSet<String> =
            if vs.export_to.is_empty() || vs.export_to.iter().any(|e| e == "*") {
                ["*".to_string()].into()
            } else {
                vs.export_to
                    .iter()
                    .map(|e| {
                        if e == "." {
                            obj.namespace().to_string()
                        } else {
                            e.clone()
                        }
                    })
                    .collect()
            };
        for scope in scopes {
            for h in &vs.hosts {
                let fqdn = crate::host::resolve(h, obj.namespace());
                let list = hosts.entry((scope.clone(), fqdn)).or_default();
                if !list.iter().any(|o| std::ptr::eq(*o, obj)) {
                    list.push(obj);
                }
            }
        }
    }
    let mut reported: SortedSet<String> = SortedSet::new();
    for ((scope, host), list) in &hosts {
        let mut all: Vec<&Object> = list.clone();
        if scope != "*" {
            for ((s2, h2), l2) in &hosts {
                if s2 == "*" && crate::host::intersects(host, h2) {
                    for o in l2 {
                        if !all.iter().any(|x| std::ptr::eq(*x, *o)) {
                            all.push(o);
                        }
                    }
                }
            }
        }
        if all.len() < 2 {
            continue;
        }
        let mut names: Vec<String> = all.iter().map(|o| full_name(o)).collect();
        order::sort(&mut names);
        let names = names.join(",");
        for o in all {
            if !reported.insert(full_name(o)) {
                continue;
            }
            let at = o
                .node
                .at(fp!["spec", "hosts"])
                .and_then(|n| n.as_seq())
                .and_then(|hs| {
                    hs.iter().position(|h| {
                        h.as_str()
                            .is_some_and(|h| crate::host::resolve(h, o.namespace()) == *host)
                    })
                });
            let p = match at {
                Some(i) => fp!["spec", "hosts", i].to_vec(),
                None => fp!["metadata", "name"].to_vec(),
            };
            ctx.report(
                codes::CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS,
                o,
                &p,
                format!(
                    "The VirtualServices {names} associated with mesh gateway define the same host {scope}/{host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource."
                ),
            );
        }
    }
}

fn sidecars(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    let mut by_pod: SortedMap<(String, String), Vec<&Object>> = SortedMap::new();
    let mut by_ns: SortedMap<String, Vec<&Object>> = SortedMap::new();
    for (obj, _) in mesh.sidecars() {
        let selector = super::selector_labels(&obj.node, &["spec", "workloadSelector"])
            .filter(|(_, l)| !l.is_empty());
        let Some((key, labels)) = selector else {
            by_ns
                .entry(obj.namespace().to_string())
                .or_default()
                .push(obj);
            continue;
        };
        let mut found = false;
        for w in mesh
            .workloads
            .iter()
            .filter(|w| w.namespace == obj.namespace())
        {
            if labels.iter().all(|(k, v)| w.labels.get(k) == Some(v)) {
                found = true;
                by_pod
                    .entry((w.namespace.clone(), w.name.clone()))
                    .or_default()
                    .push(obj);
            }
        }
        if !found {
            let sel: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let first = labels.keys().next().cloned().unwrap_or_default();
            ctx.report(
                codes::REFERENCED_RESOURCE_NOT_FOUND,
                obj,
                fp!["spec", "workloadSelector", key, first],
                format!("Referenced selector not found: {:?}", sel.join(",")),
            );
        }
    }
    let mut reported: SortedSet<String> = SortedSet::new();
    for ((ns, pod), list) in &by_pod {
        // A pod in ambient mode has no sidecar for these to configure.
        let ambient = mesh.objects.iter().any(|o| {
            matches!(*o.spec, Spec::Pod { .. })
                && o.namespace() == ns
                && o.name() == pod
                && o.meta
                    .annotations
                    .get("ambient.istio.io/redirection")
                    .map(String::as_str)
                    == Some("enabled")
        });
        if list.len() < 2 && !ambient {
            continue;
        }
        let names: Vec<String> = list.iter().map(|o| o.name().to_string()).collect();
        for o in list {
            if !reported.insert(full_name(o)) {
                continue;
            }
            if ambient {
                ctx.report(
                    codes::INEFFECTIVE_POLICY,
                    o,
                    fp!["metadata", "name"],
                    "The policy has no impact: selected workload is in ambient mode, the policy has no impact.",
                );
                continue;
            }
            ctx.report(
                codes::CONFLICTING_SIDECAR_WORKLOAD_SELECTORS,
                o,
                fp!["metadata", "name"],
                format!(
                    "The Sidecars [{}] in namespace {ns:?} select the same workload pod {pod:?}, which can lead to undefined behavior.",
                    names.join(" ")
                ),
            );
        }
    }
    for (ns, list) in &by_ns {
        if namespace_in_ambient_mode(ctx, ns) {
            for o in list {
                if reported.insert(full_name(o)) {
                    ctx.report(
                        codes::INEFFECTIVE_POLICY,
                        o,
                        fp!["metadata", "name"],
                        "The policy has no impact: namespace is in ambient mode, the policy has no impact.",
                    );
                }
            }
            continue;
        }
        if list.len() < 2 {
            continue;
        }
        let names: Vec<String> = list.iter().map(|o| o.name().to_string()).collect();
        for o in list {
            ctx.report(
                codes::MULTIPLE_SIDECARS_WITHOUT_WORKLOAD_SELECTORS,
                o,
                fp!["metadata", "name"],
                format!(
                    "The Sidecars [{}] in namespace {ns:?} have no workload selector, which can lead to undefined behavior.",
                    names.join(" ")
                ),
            );
        }
    }
}

/// A Namespace labelled for ambient mode and not for sidecar injection.
fn namespace_in_ambient_mode(ctx: &Ctx, ns: &str) -> bool {
    ctx.mesh.objects.iter().any(|o| {
        let labels = &o.meta.labels;
        matches!(*o.spec, Spec::Namespace)
            && o.name() == ns
            && labels.get("istio-injection").map(String::as_str) != Some("enabled")
            && labels.get("istio.io/rev").is_none_or(|r| r.is_empty())
            && labels.get("istio.io/dataplane-mode").map(String::as_str) == Some("ambient")
    })
}
