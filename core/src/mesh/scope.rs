//! What one proxy sees: the services, VirtualServices and DestinationRules visible to it through
//! exportTo and its Sidecar resource, as istiod's SidecarScope computes them.

use super::{Mesh, OutboundMode, Proxy, Service};
use crate::host;
use crate::istio::networking::{DestinationRule, Sidecar, VirtualService};
use crate::parse::Object;

pub struct Scope<'a> {
    pub mesh: &'a Mesh,
    pub proxy: &'a Proxy,
    /// The Sidecar resource that applies to this proxy, if any.
    pub sidecar: Option<(&'a Object, &'a Sidecar)>,
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

impl<'a> Scope<'a> {
    pub fn new(mesh: &'a Mesh, proxy: &'a Proxy) -> Self {
        // A Sidecar with a matching workloadSelector wins over the namespace default, which wins
        // over the root namespace's default.
        let ns = &proxy.config_namespace;
        let in_ns = |o: &Object| o.namespace() == ns;
        let selected = mesh.sidecars().find(|(o, s)| {
            in_ns(o)
                && s.workload_selector
                    .as_ref()
                    .is_some_and(|sel| !sel.match_labels.is_empty() && sel.matches(&proxy.labels))
        });
        let ns_default = || {
            mesh.sidecars()
                .find(|(o, s)| in_ns(o) && s.workload_selector.is_none())
        };
        let root_default = || {
            mesh.sidecars().find(|(o, s)| {
                o.namespace() == mesh.config.root_namespace && s.workload_selector.is_none()
            })
        };
        let sidecar = if proxy.is_gateway() {
            None
        } else {
            selected.or_else(ns_default).or_else(root_default)
        };
        Scope {
            mesh,
            proxy,
            sidecar,
        }
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
    pub fn services(&self) -> Vec<&'a Service> {
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
        out.sort_by(|a, b| {
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
    pub fn mesh_virtual_services(&self) -> Vec<(&'a Object, &'a VirtualService)> {
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
        out.sort_by_key(|(o, _)| !consumer(o));
        out
    }

    /// The DestinationRule for a host: the proxy's namespace first, then the host's namespace,
    /// then the root namespace; within one, an exact host beats a wildcard.
    pub fn destination_rule(&self, service: &Service) -> Option<(&'a Object, &'a DestinationRule)> {
        let ns = self.config_namespace();
        let root = self.mesh.config.root_namespace.as_str();
        let candidates = |owner: &str| {
            let mut best: Option<(&'a Object, &'a DestinationRule, usize)> = None;
            for (o, dr) in self.mesh.destination_rules() {
                if o.namespace() != owner || !exported_to(&dr.export_to, o.namespace(), ns) {
                    continue;
                }
                if let Some(sel) = &dr.workload_selector {
                    if o.namespace() != ns || !sel.matches(&self.proxy.labels) {
                        continue;
                    }
                }
                let h = host::resolve(&dr.host, o.namespace());
                if !host::matches(&h, &service.hostname) {
                    continue;
                }
                let specificity = if h == service.hostname {
                    usize::MAX
                } else {
                    h.len()
                };
                if best.is_none_or(|(_, _, s)| specificity > s) {
                    best = Some((o, dr, specificity));
                }
            }
            best.map(|(o, d, _)| (o, d))
        };
        candidates(ns)
            .or_else(|| candidates(&service.namespace))
            .or_else(|| candidates(root))
    }
}
