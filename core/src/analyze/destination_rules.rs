//! DestinationRules: a host no service answers to (IST0174), subsets that select no pods (IST0173),
//! and TLS origination that does not verify the server (IST0128, IST0129).

use super::checks::did_you_mean;
use super::{codes, fp, full_name, host_candidates, lookup, Ctx};
use crate::istio::networking::ClientTls;
use crate::mesh::Labels;

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    // The pods carrying each label, so a subset is checked against the pods with one of its
    // labels instead of every pod (a 1,000-service mesh has 3,000 subsets and 2,000 pods).
    let mut by_label: Vec<((&str, &str), &Labels)> = mesh
        .workloads
        .iter()
        .flat_map(|w| {
            w.labels
                .iter()
                .map(move |(k, v)| ((k.as_str(), v.as_str()), &w.labels))
        })
        .collect();
    crate::order::sort_by(&mut by_label, |a, b| a.0.cmp(&b.0));
    let pods_with = |k: &str, v: &str| -> &[((&str, &str), &Labels)] {
        let from = by_label.partition_point(|(l, _)| *l < (k, v));
        let to = by_label.partition_point(|(l, _)| *l <= (k, v));
        &by_label[from..to]
    };
    for (obj, dr) in mesh.destination_rules() {
        if !Ctx::is_user(obj) {
            continue;
        }
        tls(ctx, obj, dr);
        if dr.host.is_empty() {
            continue;
        }
        let Some(svc) = lookup(mesh, obj.namespace(), &dr.export_to, &dr.host) else {
            let hint = did_you_mean(&dr.host, host_candidates(mesh, obj.namespace(), &dr.host));
            ctx.report(
                codes::UNKNOWN_DESTINATION_RULE_HOST,
                obj,
                fp!["spec", "host"],
                format!(
                    "The host {} defined in the DestinationRule does not match any services in the mesh.{hint}",
                    dr.host
                ),
            );
            continue;
        };
        let base: Labels = if svc.is_kube() {
            Labels::new()
        } else {
            super::selector_labels(
                &mesh.objects[svc.object].node,
                &["spec", "workloadSelector"],
            )
            .map(|(_, l)| l)
            .unwrap_or_default()
        };
        for (i, subset) in dr.subsets.iter().enumerate() {
            let mut want = base.clone();
            want.extend(subset.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
            // Labels istiod adds to every endpoint from its node (region, zone, hostname...)
            // are unknown offline: they do not make a subset empty.
            want.retain(|k, v| v.is_empty() || !AUGMENTED.contains(&k.as_str()));
            let selects = |labels: &Labels| want.iter().all(|(k, v)| labels.get(k) == Some(v));
            // Any pod at all, as Istio's analyzer checks (a label another service's pods carry
            // counts), or an endpoint of the service (ServiceEntry endpoints carry labels too).
            let pods_found = match want.iter().next() {
                Some((k, v)) => pods_with(k, v).iter().any(|(_, l)| selects(l)),
                None => !mesh.workloads.is_empty(),
            };
            let found = pods_found || svc.endpoints.iter().any(|e| selects(&e.labels));
            if found {
                continue;
            }
            // Which label values do the service's pods carry, for a hint?
            let mut hint = String::new();
            for (k, v) in &subset.labels {
                let values: Vec<&str> = svc
                    .endpoints
                    .iter()
                    .filter_map(|e| e.labels.get(k).map(String::as_str))
                    .collect();
                if !values.is_empty() && !values.contains(&v.as_str()) {
                    // A subset is usually named after its version: prefer that value.
                    let named = values.iter().copied().find(|x| *x == subset.name);
                    let values = named.map_or(values, |n| vec![n]);
                    hint = did_you_mean(v, values)
                        .replace(" (did you mean ", &format!(" (did you mean {k}: "));
                    break;
                }
            }
            ctx.report(
                codes::DESTINATION_RULE_SUBSET_NOT_SELECT_PODS,
                obj,
                fp!["spec", "subsets", i, "name"],
                format!(
                    "The Subset {} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).{hint}",
                    subset.name
                ),
            );
        }
    }
}

/// Labels pilot adds to endpoints from the node and cluster (`label.AugmentLabels`).
const AUGMENTED: &[&str] = &[
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.istio.io/subzone",
    "kubernetes.io/hostname",
    "topology.istio.io/cluster",
    "topology.istio.io/network",
];

fn unverified(t: &ClientTls, selector: bool) -> Option<&str> {
    let mode = t.mode.as_deref()?;
    if mode != "SIMPLE" && mode != "MUTUAL" {
        return None;
    }
    let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
    if has(&t.ca_certificates) || (has(&t.credential_name) && selector) {
        return None;
    }
    Some(mode)
}

fn tls(ctx: &mut Ctx, obj: &crate::parse::Object, dr: &crate::istio::networking::DestinationRule) {
    let Some(tp) = &dr.traffic_policy else { return };
    let selector = dr.workload_selector.is_some();
    if let Some(mode) = tp.tls.as_ref().and_then(|t| unverified(t, selector)) {
        ctx.report(
            codes::NO_SERVER_CERTIFICATE_VERIFICATION_DESTINATION_LEVEL,
            obj,
            fp!["spec", "trafficPolicy", "tls", "mode"],
            format!(
                "DestinationRule {} in namespace {} has TLS mode set to {mode} but no caCertificates are set to validate server identity for host: {}",
                full_name(obj),
                obj.namespace(),
                dr.host
            ),
        );
    }
    for (i, p) in tp.port_level_settings.iter().enumerate() {
        if let Some(mode) = p.tls.as_ref().and_then(|t| unverified(t, selector)) {
            let port = p
                .port
                .as_ref()
                .map_or_else(String::new, |p| format!("number:{}", p.number));
            ctx.report(
                codes::NO_SERVER_CERTIFICATE_VERIFICATION_PORT_LEVEL,
                obj,
                fp!["spec", "trafficPolicy", "portLevelSettings", i, "tls", "mode"],
                format!(
                    "DestinationRule {} in namespace {} has TLS mode set to {mode} but no caCertificates are set to validate server identity for host: {} at port {port}",
                    full_name(obj),
                    obj.namespace(),
                    dr.host
                ),
            );
        }
    }
}
