//! References that lead nowhere (IST0101): VirtualService destination and mirror hosts, subsets,
//! ports and delegates (gateways: see `gateways`); and destinations that must name a port (IST0112).

use super::checks::did_you_mean;
use super::{codes, fp, host_candidates, lookup, Ctx};
use crate::istio::networking::{Destination, DestinationRule, VirtualService};
use crate::parse::Object;

/// A destination of a VirtualService and where it sits.
struct Dest<'a> {
    d: &'a Destination,
    path: Vec<String>,
    mirror: bool,
}

fn destinations(vs: &VirtualService) -> Vec<Dest<'_>> {
    let mut out = Vec::new();
    for (i, r) in vs.tcp.iter().enumerate() {
        for (j, rd) in r.route.iter().enumerate() {
            out.push(Dest {
                d: &rd.destination,
                path: fp!["spec", "tcp", i, "route", j, "destination"].to_vec(),
                mirror: false,
            });
        }
    }
    for (i, r) in vs.tls.iter().enumerate() {
        for (j, rd) in r.route.iter().enumerate() {
            out.push(Dest {
                d: &rd.destination,
                path: fp!["spec", "tls", i, "route", j, "destination"].to_vec(),
                mirror: false,
            });
        }
    }
    for (i, r) in vs.http.iter().enumerate() {
        for (j, rd) in r.route.iter().enumerate() {
            out.push(Dest {
                d: &rd.destination,
                path: fp!["spec", "http", i, "route", j, "destination"].to_vec(),
                mirror: false,
            });
        }
    }
    for (i, r) in vs.http.iter().enumerate() {
        if let Some(m) = &r.mirror {
            out.push(Dest {
                d: m,
                path: fp!["spec", "http", i, "mirror"].to_vec(),
                mirror: true,
            });
        }
        for (j, m) in r.mirrors.iter().enumerate() {
            out.push(Dest {
                d: &m.destination,
                path: fp!["spec", "http", i, "mirrors", j, "destination"].to_vec(),
                mirror: true,
            });
        }
    }
    out
}

fn with(base: &[String], key: &str) -> Vec<String> {
    let mut p = base.to_vec();
    p.push(key.to_string());
    p
}

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    let rules = RuleHosts::new(mesh);
    for (obj, vs) in mesh.virtual_services() {
        if !Ctx::is_user(obj) {
            continue;
        }
        let ns = obj.namespace();
        for dest in destinations(vs) {
            let d = dest.d;
            // An empty host (a route entry without destination) or `*` is a schema error too,
            // and istioctl's host lookup reports it as well.
            match lookup(mesh, ns, &vs.export_to, &d.host) {
                None => {
                    let what = if dest.mirror { "mirror host" } else { "host" };
                    let hint = did_you_mean(&d.host, host_candidates(mesh, ns, &d.host));
                    ctx.report(
                        codes::REFERENCED_RESOURCE_NOT_FOUND,
                        obj,
                        &with(&dest.path, "host"),
                        format!("Referenced {what} not found: {:?}{hint}", d.host),
                    );
                }
                Some(svc) => match &d.port {
                    None if svc.ports.len() > 1 => {
                        let ports: Vec<String> =
                            svc.ports.iter().map(|p| p.port.to_string()).collect();
                        ctx.report(
                            codes::VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED,
                            obj,
                            &with(&dest.path, "host"),
                            format!(
                                "This VirtualService routes to a service {:?} that exposes multiple ports [{}]. Specifying a port in the destination is required to disambiguate.",
                                d.host,
                                ports.join(" ")
                            ),
                        );
                    }
                    Some(p) if p.number != 0 && svc.port(p.number).is_none() => {
                        let hint = match svc.ports.as_slice() {
                            [] => String::new(),
                            [only] => format!(" (did you mean port {}?)", only.port),
                            many => format!(
                                " (the service has ports {})",
                                many.iter()
                                    .map(|p| p.port.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        };
                        ctx.report(
                            codes::REFERENCED_RESOURCE_NOT_FOUND,
                            obj,
                            &[with(&dest.path, "port"), vec!["number".to_string()]].concat(),
                            format!(
                                "Referenced host:port not found: \"{}:{}\"{hint}",
                                d.host, p.number
                            ),
                        );
                    }
                    _ => {}
                },
            }
            if let Some(subset) = d.subset.as_deref().filter(|s| !s.is_empty()) {
                subset_ref(ctx, &rules, obj, &dest, subset);
            }
        }
        delegates(ctx, obj, vs);
    }
}

/// Subsets the DestinationRules for this host define, as seen from the VirtualService.
/// Every DestinationRule with its host resolved in its own namespace, sorted by that host: a
/// destination's subsets are found by a binary search (plus the wildcard hosts), not by resolving
/// every rule's host again for every destination.
struct RuleHosts<'m> {
    /// (resolved host, position in the mesh's order, namespace, rule)
    rules: Vec<(String, usize, &'m str, &'m DestinationRule)>,
}

impl<'m> RuleHosts<'m> {
    fn new(mesh: &'m crate::mesh::Mesh) -> RuleHosts<'m> {
        let mut rules: Vec<_> = mesh
            .destination_rules()
            .enumerate()
            .map(|(i, (o, dr))| {
                (
                    crate::host::resolve(&dr.host, o.namespace()),
                    i,
                    o.namespace(),
                    dr,
                )
            })
            .collect();
        crate::order::sort_by(&mut rules, |a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        RuleHosts { rules }
    }

    /// The subsets of the rules for `host` visible from `ns`, in the mesh's order of the rules.
    fn subsets_for(&self, ns: &str, host: &str) -> Vec<&'m str> {
        let fqdn = crate::host::resolve(host, ns);
        let from = self.rules.partition_point(|r| r.0 < fqdn);
        let exact = self.rules[from..].iter().take_while(|r| r.0 == fqdn);
        let wildcard = self
            .rules
            .iter()
            .skip_while(|r| r.0.is_empty())
            .take_while(|r| r.0.starts_with('*'))
            .filter(|r| crate::host::matches(&r.0, &fqdn) && r.0 != fqdn);
        let mut found: Vec<_> = exact
            .chain(wildcard)
            .filter(|(_, _, rule_ns, dr)| {
                crate::mesh::scope::exported_to(&dr.export_to, rule_ns, ns) || *rule_ns == ns
            })
            .collect();
        crate::order::sort_by_key(&mut found, |r| r.1);
        found
            .into_iter()
            .flat_map(|(_, _, _, dr)| dr.subsets.iter().map(|s| s.name.as_str()))
            .collect()
    }
}

fn subset_ref(ctx: &mut Ctx, rules: &RuleHosts, obj: &Object, dest: &Dest, subset: &str) {
    let subsets = rules.subsets_for(obj.namespace(), &dest.d.host);
    if subsets.contains(&subset) {
        return;
    }
    let what = if dest.mirror {
        "mirror+subset in destinationrule"
    } else {
        "host+subset in destinationrule"
    };
    let hint = did_you_mean(subset, subsets.iter().copied());
    ctx.report(
        codes::REFERENCED_RESOURCE_NOT_FOUND,
        obj,
        &with(&dest.path, "subset"),
        format!(
            "Referenced {what} not found: \"{}+{subset}\"{hint}",
            dest.d.host
        ),
    );
}

/// `ns/name` or `name` (in the VirtualService's namespace).
pub(crate) fn gateway_key(vs_ns: &str, name: &str) -> (String, String) {
    match name.split_once('/') {
        Some((ns, n)) => (ns.to_string(), n.to_string()),
        None => (vs_ns.to_string(), name.to_string()),
    }
}

fn delegates(ctx: &mut Ctx, obj: &Object, vs: &VirtualService) {
    let mesh = ctx.mesh;
    for (i, r) in vs.http.iter().enumerate() {
        let Some(d) = &r.delegate else { continue };
        let ns = d
            .namespace
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or(obj.namespace());
        let found = mesh
            .virtual_services()
            .any(|(o, _)| o.namespace() == ns && o.name() == d.name);
        if found {
            continue;
        }
        let hint = did_you_mean(
            &d.name,
            mesh.virtual_services()
                .filter(|(o, v)| o.namespace() == ns && v.hosts.is_empty())
                .map(|(o, _)| o.name()),
        );
        ctx.report(
            codes::REFERENCED_RESOURCE_NOT_FOUND,
            obj,
            fp!["spec", "http", i, "delegate", "name"],
            format!("Referenced delegate not found: \"{ns}/{}\"{hint}", d.name),
        );
    }
}

/// IST0140 (part of istioctl's `virtualservice.DestinationHostAnalyzer`): a VirtualService bound
/// to gateways routes to a host without a subset, while another VirtualService for that host
/// splits it by subset. Requests through the gateway take this route and never see the subsets.
pub(super) fn ingress_subsets(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    // VirtualServices that route their own host to a subset, with those destination hosts.
    let with_subsets: Vec<(String, Vec<&str>)> = mesh
        .virtual_services()
        .filter_map(|(o, vs)| {
            let hosts: Vec<&str> = vs
                .http
                .iter()
                .flat_map(|r| &r.route)
                .map(|rd| &rd.destination)
                .filter(|d| d.subset.as_deref().is_some_and(|s| !s.is_empty()))
                .filter(|d| vs.hosts.contains(&d.host))
                .map(|d| d.host.as_str())
                .collect();
            (!hosts.is_empty()).then(|| (super::full_name(o), hosts))
        })
        .collect();
    for (obj, vs) in mesh.virtual_services() {
        if vs.gateways.is_empty() {
            continue;
        }
        for (i, r) in vs.http.iter().enumerate() {
            for (j, rd) in r.route.iter().enumerate() {
                let d = &rd.destination;
                if d.subset.as_deref().is_some_and(|s| !s.is_empty()) {
                    continue;
                }
                for (name, hosts) in &with_subsets {
                    for _ in hosts.iter().filter(|h| **h == d.host) {
                        ctx.report(
                            codes::INGRESS_ROUTE_RULES_NOT_AFFECTED,
                            obj,
                            fp!["spec", "http", i, "route", j, "destination", "host"],
                            format!(
                                "Subset in virtual service {name} has no effect on ingress gateway {} requests",
                                super::full_name(obj)
                            ),
                        );
                    }
                }
            }
        }
    }
}
