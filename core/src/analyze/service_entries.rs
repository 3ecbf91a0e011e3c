//! istioctl's `serviceentry.ConflictingServiceEntryProtocolAnalyzer`: ServiceEntries visible in a
//! common namespace that give one host and port different protocols (IST0177). Which protocol a
//! client gets then depends on which ServiceEntry istiod happens to prefer.

use super::{codes, fp, full_name, Ctx};
use crate::parse::Object;
use crate::sorted::SortedMap;

/// `*`, or a namespace a ServiceEntry is exported to.
fn scopes(export_to: &[String], ns: &str) -> Vec<String> {
    if export_to.is_empty() || export_to.iter().any(|e| e == "*") {
        return vec!["*".into()];
    }
    export_to
        .iter()
        .map(|e| if e == "." { ns.to_string() } else { e.clone() })
        .collect()
}

/// Where a ServiceEntry port is visible: (exportTo scope, host, port).
type ScopedHostPort = (String, String, u32);

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    // (scope, host, port) -> (protocol, ServiceEntry)
    let mut index: SortedMap<ScopedHostPort, Vec<(String, &Object)>> = SortedMap::new();
    for obj in &mesh.objects {
        let crate::parse::Spec::ServiceEntry(se) = &*obj.spec else {
            continue;
        };
        for scope in scopes(&se.export_to, obj.namespace()) {
            for h in &se.hosts {
                for p in &se.ports {
                    index
                        .entry((scope.clone(), h.clone(), p.number))
                        .or_default()
                        .push((p.protocol.to_ascii_uppercase(), obj));
                }
            }
        }
    }
    let mut reported: Vec<String> = Vec::new();
    for ((scope, host, port), entries) in index.iter() {
        let mut entries = entries.clone();
        if scope != "*" {
            if let Some(all) = index.get(&("*".to_string(), host.clone(), *port)) {
                entries.extend(all.iter().cloned());
            }
        }
        let mut protocols: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        crate::order::sort(&mut protocols);
        protocols.dedup();
        if protocols.len() < 2 {
            continue;
        }
        let mut names: Vec<String> = entries.iter().map(|(_, o)| full_name(o)).collect();
        crate::order::sort(&mut names);
        names.dedup();
        for (_, obj) in &entries {
            let name = full_name(obj);
            if reported.contains(&name) {
                continue;
            }
            reported.push(name);
            ctx.report(
                codes::CONFLICTING_SERVICE_ENTRY_PROTOCOL,
                obj,
                fp!["metadata", "name"],
                format!(
                    "Multiple ServiceEntries ({}) define the same host {host:?} and port {port} with conflicting protocols ({}).",
                    names.join(", "),
                    protocols.join(", ")
                ),
            );
        }
    }
}
