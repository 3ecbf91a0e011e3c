//! What one proxy sees: the services, VirtualServices and DestinationRules visible to it through
//! exportTo and its Sidecar resource, as istiod's SidecarScope computes them.

use super::{Mesh, OutboundMode, Proxy, Service};
use crate::host;
use crate::istio::networking::{DestinationRule, Sidecar, VirtualService};
use crate::order;
use crate::parse::Object;
use std::collections::HashMap;

/// One proxy's view, computed once per translation: every lookup the translators make many times
/// (visible services, a service by host, the DestinationRule of a host) is an index here, so the
/// cost of translating a proxy grows linearly with the mesh.
pub struct Scope<'a> {
    pub mesh: &'a Mesh,
    pub proxy: &'a Proxy,
    /// The Sidecar resource that applies to this proxy, if any.
    pub sidecar: Option<(&'a Object, &'a Sidecar)>,
    services: Vec<&'a Service>,
    by_host: HashMap<&'a str, &'a Service>,
    virtual_services: Vec<(&'a Object, &'a VirtualService)>,
    /// DestinationRules usable by this proxy, by namespace: exact hosts, then wildcard hosts.
    destination_rules: HashMap<&'a str, DrIndex<'a>>,
}

type DrRef<'a> = (&'a Object, &'a DestinationRule);

#[derive(Default)]
struct DrIndex<'a> {
    /// Resolved host -> the first rule (in istiod's order) for it.
    exact: HashMap<String, DrRef<'a>>,
    wildcard: Vec<(String, DrRef<'a>)>,
}

/// Is an object with this exportTo, living in `owner_ns`, visible from `ns`?
pub fn exported_to(export_to: &[String], owner_ns: &str, ns: &str) -> bool {
    if export_to.is_empty() {
        return true;
    }
    export_to
        .iter()
        .any(|e| e == "*" || e == ns || (e == "." && owner_ns == ns))
}

/// The Sidecar resource that applies to a proxy: one with a matching workloadSelector wins over
/// the namespace default, which wins over the root namespace's default; gateways have none.
pub fn sidecar_for<'a>(mesh: &'a Mesh, proxy: &Proxy) -> Option<(&'a Object, &'a Sidecar)> {
    if proxy.is_gateway() {
        return None;
    }
    let ns = &proxy.config_namespace;
    let in_ns = |o: &Object| o.namespace() == ns;
    let selected = mesh.sidecars().find(|(o, s)| {
        in_ns(o)
            && s.workload_selector
                .as_ref()
                .is_some_and(|sel| !sel.match_labels.is_empty() && sel.matches(&proxy.labels))
    });
    selected
        .or_else(|| {
            mesh.sidecars()
                .find(|(o, s)| in_ns(o) && s.workload_selector.is_none())
        })
        .or_else(|| {
            mesh.sidecars().find(|(o, s)| {
                o.namespace() == mesh.config.root_namespace && s.workload_selector.is_none()
            })
        })
}

impl<'a> Scope<'a> {
    pub fn new(mesh: &'a Mesh, proxy: &'a Proxy) -> Self {
        let sidecar = sidecar_for(mesh, proxy);
        let mut scope = Scope {
            mesh,
            proxy,
            sidecar,
            services: Vec::new(),
            by_host: HashMap::new(),
            virtual_services: Vec::new(),
            destination_rules: HashMap::new(),
        };
        scope.services = scope.compute_services();
        scope.by_host = scope
            .services
            .iter()
            .map(|s| (s.hostname.as_str(), *s))
            .collect();
        scope.virtual_services = scope.compute_mesh_virtual_services();
        scope.destination_rules = scope.index_destination_rules();
        scope
    }

    fn index_destination_rules(&self) -> HashMap<&'a str, DrIndex<'a>> {
        let ns = self.config_namespace();
        let mut out: HashMap<&'a str, DrIndex<'a>> = HashMap::new();
        for (o, dr) in self.mesh.destination_rules() {
            if !exported_to(&dr.export_to, o.namespace(), ns) {
                continue;
            }
            if let Some(sel) = &dr.workload_selector {
                if o.namespace() != ns || !sel.matches(&self.proxy.labels) {
                    continue;
                }
            }
            let index = out.entry(o.namespace()).or_default();
            let h = host::resolve(&dr.host, o.namespace());
            if h.starts_with('*') {
                index.wildcard.push((h, (o, dr)));
            } else {
                index.exact.entry(h).or_insert((o, dr));
            }
        }
        out
    }

    /// A visible service by its hostname.
    pub fn service(&self, hostname: &str) -> Option<&'a Service> {
        self.by_host.get(hostname).copied()
    }

    pub fn config_namespace(&self) -> &str {
        &self.proxy.config_namespace
    }

    pub fn outbound_mode(&self) -> OutboundMode {
        let from_sidecar = self
            .sidecar
            .and_then(|(_, s)| s.outbound_traffic_policy.as_ref())
            .and_then(|p| p.mode.as_deref());
        match from_sidecar {
            Some("REGISTRY_ONLY") => OutboundMode::RegistryOnly,
            Some("ALLOW_ANY") => OutboundMode::AllowAny,
            _ => self.mesh.config.outbound_mode,
        }
    }

    /// Does the Sidecar's egress list import this host from this namespace? A service is imported
    /// when an egress host covers it; a VirtualService when its host and an egress host overlap.
    fn egress_imports(&self, owner_ns: &str, hostname: &str, overlap: bool) -> bool {
        let Some((_, sidecar)) = self.sidecar else {
            return true;
        };
        if sidecar.egress.is_empty() {
            return true;
        }
        sidecar.egress.iter().flat_map(|e| e.hosts.iter()).any(|h| {
            let (ns, dns) = h.split_once('/').unwrap_or(("*", h.as_str()));
            let ns_ok = match ns {
                "*" => true,
                "." => owner_ns == self.config_namespace(),
                "~" => false,
                other => other == owner_ns,
            };
            ns_ok
                && if overlap {
                    host::intersects(dns, hostname)
                } else {
                    host::matches(dns, hostname)
                }
        })
    }

    /// Services this proxy can reach, in istiod's order (by hostname, then namespace). When
    /// two visible services share a hostname, the Kubernetes one is kept.
    pub fn services(&self) -> &[&'a Service] {
        &self.services
    }

    fn compute_services(&self) -> Vec<&'a Service> {
        let ns = self.config_namespace().to_string();
        let mut out: Vec<&Service> = self
            .mesh
            .services
            .iter()
            .filter(|s| {
                exported_to(&s.export_to, &s.namespace, &ns)
                    && self.egress_imports(&s.namespace, &s.hostname, false)
            })
            .collect();
        order::sort_by(&mut out, |a, b| {
            (
                a.hostname.as_str(),
                !a.is_kube(),
                a.namespace != ns,
                a.namespace.as_str(),
                a.object,
            )
                .cmp(&(
                    b.hostname.as_str(),
                    !b.is_kube(),
                    b.namespace != ns,
                    b.namespace.as_str(),
                    b.object,
                ))
        });
        out.dedup_by(|b, a| {
            a.hostname == b.hostname
                && (a.is_kube()
                    || a.namespace == ns
                    || b.is_kube() == a.is_kube() && a.namespace != b.namespace)
        });
        out
    }

    /// VirtualServices that apply to this proxy's sidecar routes (bound to `mesh`). Gateway API
    /// routes of the proxy's own namespace come first: the consumer's route overrides the
    /// producer's (virtualservice.go SelectVirtualServices).
    pub fn mesh_virtual_services(&self) -> &[(&'a Object, &'a VirtualService)] {
        &self.virtual_services
    }

    fn compute_mesh_virtual_services(&self) -> Vec<(&'a Object, &'a VirtualService)> {
        let ns = self.config_namespace();
        let mut out: Vec<(&'a Object, &'a VirtualService)> = self
            .mesh
            .virtual_services()
            .filter(|(o, vs)| exported_to(&vs.export_to, o.namespace(), ns))
            .filter(|(_, vs)| vs.gateways.is_empty() || vs.gateways.iter().any(|g| g == "mesh"))
            .filter(|(o, vs)| {
                vs.hosts.iter().any(|h| {
                    self.egress_imports(o.namespace(), &host::resolve(h, o.namespace()), true)
                })
            })
            .collect();
        let consumer =
            |o: &Object| crate::gatewayapi::uses_gateway_semantics(&o.meta) && o.namespace() == ns;
        order::sort_by_key(&mut out, |(o, _)| !consumer(o));
        out
    }

    /// The DestinationRule for a host: the proxy's namespace first, then the host's namespace,
    /// then the root namespace; within one, an exact host beats a wildcard.
    pub fn destination_rule(&self, service: &Service) -> Option<(&'a Object, &'a DestinationRule)> {
        let in_namespace = |owner: &str| {
            let index = self.destination_rules.get(owner)?;
            if let Some(exact) = index.exact.get(&service.hostname) {
                return Some(*exact);
            }
            // The longest (most specific) wildcard, the first of equals.
            let mut best: Option<(usize, DrRef<'a>)> = None;
            for (h, dr) in &index.wildcard {
                if host::matches(h, &service.hostname) && best.is_none_or(|(len, _)| h.len() > len)
                {
                    best = Some((h.len(), *dr));
                }
            }
            best.map(|(_, dr)| dr)
        };
        in_namespace(self.config_namespace())
            .or_else(|| in_namespace(&service.namespace))
            .or_else(|| in_namespace(&self.mesh.config.root_namespace))
    }
}
