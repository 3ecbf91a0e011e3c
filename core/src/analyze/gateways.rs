//! Gateways: a selector that matches no workload (IST0101), server ports the gateway's Service
//! does not expose (IST0162), servers that clash with another Gateway's (IST0145), and
//! VirtualServices whose hosts the Gateway does not serve (IST0132).

use super::checks::closest;
use super::references::gateway_key;
use super::{codes, fp, full_name, Ctx};
use crate::istio::kube::IntOrString;
use crate::istio::networking::Gateway;
use crate::mesh::{Labels, Workload};
use crate::order;
use crate::parse::{Object, Spec};
use crate::sorted::SortedMap;

/// `k=v,k2=v2`, as Kubernetes prints a selector.
fn selector_string(sel: &SortedMap<String, String>) -> String {
    sel.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn selects(sel: &SortedMap<String, String>, labels: &Labels) -> bool {
    sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for (obj, gw) in mesh.gateways() {
        if !Ctx::is_user(obj) {
            continue;
        }
        let pods: Vec<&Workload> = mesh
            .workloads
            .iter()
            .filter(|w| selects(&gw.selector, &w.labels))
            .collect();
        let sel = selector_string(&gw.selector);
        let first_key = gw.selector.keys().next().cloned().unwrap_or_default();
        if pods.is_empty() {
            // What the user may have meant: the same keys on a workload that has them all.
            let candidates: Vec<String> = mesh
                .workloads
                .iter()
                .filter(|w| gw.selector.keys().all(|k| w.labels.contains_key(k)))
                .map(|w| {
                    let picked: SortedMap<String, String> = gw
                        .selector
                        .keys()
                        .map(|k| (k.clone(), w.labels[k].clone()))
                        .collect();
                    selector_string(&picked)
                })
                .collect();
            let hint = closest(&sel, candidates.iter().map(String::as_str))
                .map_or_else(String::new, |c| format!(" (did you mean {c:?}?)"));
            ctx.report(
                codes::REFERENCED_RESOURCE_NOT_FOUND,
                obj,
                fp!["spec", "selector", first_key],
                format!("Referenced selector not found: {sel:?}{hint}"),
            );
            continue;
        }
        ports(ctx, obj, gw, &pods, &sel);
    }
    conflicts(ctx);
    virtual_service_hosts(ctx);
}

/// IST0162: every server port must be a port (or targetPort) of a Service in front of the pods.
fn ports(ctx: &mut Ctx, obj: &Object, gw: &Gateway, pods: &[&Workload], sel: &str) {
    let mesh = ctx.mesh;
    let mut target_ports: Vec<u32> = Vec::new();
    let mut service_ports: Vec<u32> = Vec::new();
    for pod in pods {
        for svc_obj in mesh
            .objects
            .iter()
            .filter(|o| o.namespace() == pod.namespace)
        {
            let Spec::Service(spec) = &svc_obj.spec else {
                continue;
            };
            let Some(selector) = spec.selector.as_ref().filter(|s| !s.is_empty()) else {
                continue;
            };
            if !selects(selector, &pod.labels) {
                continue;
            }
            for p in &spec.ports {
                if p.protocol.as_deref().is_some_and(|pr| pr != "TCP") {
                    continue;
                }
                match &p.target_port {
                    Some(IntOrString::Int(t)) if *t != 0 => {
                        target_ports.push(*t);
                        service_ports.push(p.port);
                    }
                    Some(IntOrString::Str(s)) if s.parse::<u32>().is_ok_and(|t| t != 0) => {
                        target_ports.push(s.parse().unwrap_or(0));
                        service_ports.push(p.port);
                    }
                    _ => target_ports.push(p.port),
                }
            }
        }
    }
    for (i, server) in gw.servers.iter().enumerate() {
        let n = server.port.number;
        if target_ports.contains(&n) || service_ports.contains(&n) {
            continue;
        }
        ctx.report(
            codes::GATEWAY_PORT_NOT_DEFINED_ON_SERVICE,
            obj,
            fp!["spec", "servers", i, "port", "number"],
            format!(
                "The gateway is listening on a target port (port {n}) that is not defined in the Service associated with its workload instances (Pod selector {sel}). If you need to access the gateway port through the gateway Service, it will not be available."
            ),
        );
    }
}

/// IST0145: two Gateways on the same workloads and port claim the same host.
fn conflicts(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    let gws: Vec<(&Object, &Gateway)> = mesh.gateways().collect();
    let share_pods = |a: &Gateway, b: &Gateway| {
        let (sa, sb) = (selector_string(&a.selector), selector_string(&b.selector));
        sa == sb
            || ((sa.contains(&sb) || sb.contains(&sa))
                && mesh
                    .workloads
                    .iter()
                    .any(|w| selects(&a.selector, &w.labels) && selects(&b.selector, &w.labels)))
    };
    for (obj, gw) in &gws {
        if !Ctx::is_user(obj) {
            continue;
        }
        for (i, server) in gw.servers.iter().enumerate() {
            let bind = server.bind.as_deref().unwrap_or("");
            let mut others: Vec<String> = Vec::new();
            for (o2, g2) in &gws {
                if std::ptr::eq(*o2, *obj) || !share_pods(gw, g2) {
                    continue;
                }
                // Istio keeps, per Gateway and port, the hosts of its last server on that port.
                let Some(s2) = g2
                    .servers
                    .iter()
                    .rev()
                    .find(|s| s.port.number == server.port.number)
                else {
                    continue;
                };
                let bind2 = s2.bind.as_deref().unwrap_or("");
                if bind == bind2 && server.hosts.iter().any(|h| s2.hosts.contains(h)) {
                    others.push(full_name(o2));
                }
            }
            if others.is_empty() {
                continue;
            }
            order::sort(&mut others);
            ctx.report(
                codes::CONFLICTING_GATEWAYS,
                obj,
                fp!["spec", "servers", i, "hosts"],
                format!(
                    "Conflict with gateways {} (workload selector {}, port {}, hosts {}).",
                    others.join(","),
                    selector_string(&gw.selector),
                    server.port.number,
                    server.hosts.join(",")
                ),
            );
        }
    }
}

/// IST0132: a VirtualService bound to a Gateway none of whose server hosts it matches.
fn virtual_service_hosts(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for (obj, vs) in mesh.virtual_services() {
        if !Ctx::is_user(obj) {
            continue;
        }
        for (i, g) in vs.gateways.iter().enumerate() {
            if g == "mesh" {
                continue;
            }
            let (ns, name) = gateway_key(obj.namespace(), g);
            let gw = mesh
                .gateways()
                .find(|(o, _)| o.namespace() == ns && o.name() == name);
            // A Gateway that does not exist is IST0101 already; istioctl would add IST0132 on the
            // same line, which says nothing more.
            let Some((gobj, gw)) = gw else { continue };
            let mut hosts: Vec<String> = Vec::new();
            for server in &gw.servers {
                for h in &server.hosts {
                    match h.split_once('/') {
                        Some((".", dns)) if gobj.namespace() == obj.namespace() => {
                            hosts.push(dns.to_string())
                        }
                        Some(("*", dns)) => hosts.push(dns.to_string()),
                        Some((hns, dns)) if hns == obj.namespace() => hosts.push(dns.to_string()),
                        Some(_) => {}
                        None => hosts.push(h.clone()),
                    }
                }
            }
            let matched = hosts
                .iter()
                .any(|gh| vs.hosts.iter().any(|vh| crate::host::intersects(gh, vh)));
            if matched {
                continue;
            }
            ctx.report(
                codes::VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY,
                obj,
                fp!["spec", "gateways", i],
                format!(
                    "one or more host [{}] defined in VirtualService {} not found in Gateway {ns}/{name}.",
                    vs.hosts.join(" "),
                    full_name(obj)
                ),
            );
        }
    }
}
