//! The mesh: what istiod's push context knows after reading every object. Services (Kubernetes
//! Services and ServiceEntries) with their endpoints, workloads (pods, Deployments expanded to
//! pods), the proxies that run beside them, MeshConfig, and the networking objects by kind.
//!
//! Everything here is derived from the input objects alone and deterministically: the same YAML
//! always gives the same pod names, IPs and ordering, so output can be compared and shared.

mod build;
pub mod canonical;
mod ids;
pub mod protocol;
pub mod scope;

pub use crate::istio::mesh_config::{MeshConfig, OutboundMode};
pub use protocol::Protocol;

use crate::diag::Diagnostic;
use crate::istio::networking::{DestinationRule, Gateway, Sidecar, VirtualService};
use crate::istio::security::{AuthorizationPolicy, PeerAuthentication, RequestAuthentication};
use crate::parse::{Kind, Object, SourceFile, Spec};
use crate::sorted::SortedMap;
use serde::Serialize;

pub type Labels = SortedMap<String, String>;

/// How a service's endpoints are found, istiod's `model.Resolution`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Resolution {
    /// istiod sends the endpoints (EDS).
    ClientSideLb,
    /// Envoy resolves the hostname (STRICT_DNS).
    DnsLb,
    /// Envoy resolves the hostname and uses one address at a time (LOGICAL_DNS).
    DnsRoundRobin,
    /// The original destination is kept (ORIGINAL_DST).
    Passthrough,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TargetPort {
    Number(u32),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServicePort {
    pub name: String,
    pub port: u32,
    pub protocol: Protocol,
    /// Kubernetes targetPort (or ServiceEntry targetPort); `None` means "same as port".
    pub target_port: Option<TargetPort>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ServiceSource {
    Kubernetes,
    ServiceEntry,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endpoint {
    pub address: String,
    /// For each service port number, the port this endpoint listens on.
    pub ports: Vec<(u32, u32)>,
    pub labels: Labels,
    /// The pod (or WorkloadEntry) behind this address, when known.
    pub workload: Option<String>,
    /// Whether the endpoint runs a sidecar (istiod's `tlsMode: istio` label).
    pub sidecar: bool,
    /// istiod's `WorkloadName` and `Namespace` of the endpoint, reported in the `istio.workload`
    /// metadata: the Deployment (or bare pod), the WorkloadEntry, or the ServiceEntry; empty for
    /// an address no workload owns.
    pub workload_name: String,
    pub namespace: String,
    pub service_account: Option<String>,
    pub locality: Option<String>,
    pub weight: Option<u32>,
}

impl Endpoint {
    pub fn port_for(&self, service_port: u32) -> Option<u32> {
        self.ports
            .iter()
            .find(|(p, _)| *p == service_port)
            .map(|(_, t)| *t)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    /// The FQDN (`reviews.default.svc.cluster.local`) or the ServiceEntry host.
    pub hostname: String,
    pub name: String,
    pub namespace: String,
    pub source: ServiceSource,
    /// ClusterIPs or ServiceEntry addresses; empty for headless services and address-less entries.
    pub addresses: Vec<String>,
    pub ports: Vec<ServicePort>,
    pub resolution: Resolution,
    pub mesh_external: bool,
    /// `spec.externalName` of an ExternalName Service.
    pub external_name: Option<String>,
    /// A Kubernetes Service with `clusterIP: None`.
    pub headless: bool,
    pub export_to: Vec<String>,
    pub selector: Option<Labels>,
    pub endpoints: Vec<Endpoint>,
    /// Index of the object that declared it in `Mesh::objects`.
    pub object: usize,
}

impl Service {
    pub fn port(&self, number: u32) -> Option<&ServicePort> {
        self.ports.iter().find(|p| p.port == number)
    }

    pub fn is_kube(&self) -> bool {
        self.source == ServiceSource::Kubernetes
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProxyKind {
    Sidecar,
    Gateway,
}

impl ProxyKind {
    pub fn name(self) -> &'static str {
        match self {
            ProxyKind::Sidecar => "sidecar",
            ProxyKind::Gateway => "gateway",
        }
    }
}

/// A call an application makes when it serves a request: data of the world, not of Istio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppCall {
    pub host: String,
    pub port: u32,
    pub path: String,
}

/// A pod (or an expanded Deployment replica) with the application it runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub ips: Vec<String>,
    /// The Deployment it belongs to (`reviews-v1`), or the pod name for bare pods.
    pub app: String,
    pub proxy: Option<ProxyKind>,
    pub service_account: String,
    pub calls: Vec<AppCall>,
    pub forward_headers: Vec<String>,
    /// Named container ports, for named targetPorts.
    pub named_ports: Vec<(String, u32)>,
    pub object: usize,
}

/// One Envoy: a sidecar or a gateway, with what istiod knows of its node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proxy {
    pub name: String,
    pub namespace: String,
    pub kind: ProxyKind,
    pub ips: Vec<String>,
    pub labels: Labels,
    /// The workload it belongs to (`productpage-v1`).
    pub workload: String,
    pub service_account: String,
    pub calls: Vec<AppCall>,
    pub forward_headers: Vec<String>,
    /// The namespace whose config applies (istiod's ConfigNamespace).
    pub config_namespace: String,
}

impl Proxy {
    /// `name.namespace`, istioctl's way of naming a proxy.
    pub fn id(&self) -> String {
        format!("{}.{}", self.name, self.namespace)
    }

    pub fn ip(&self) -> &str {
        self.ips.first().map_or("", String::as_str)
    }

    pub fn is_gateway(&self) -> bool {
        self.kind == ProxyKind::Gateway
    }
}

/// What a test or a caller needs to make a proxy that no pod declares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProxySpec {
    pub name: String,
    pub namespace: String,
    pub kind: Option<ProxyKind>,
    pub labels: Labels,
    pub ips: Vec<String>,
    pub config_namespace: Option<String>,
}

/// A port of a service this proxy serves: the inbound side.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInstance<'a> {
    pub service: &'a Service,
    pub port: &'a ServicePort,
    pub endpoint: &'a Endpoint,
    /// The port the workload listens on.
    pub target_port: u32,
}

#[derive(Debug, Clone)]
pub struct Mesh {
    pub config: MeshConfig,
    pub objects: Vec<Object>,
    pub services: Vec<Service>,
    pub workloads: Vec<Workload>,
    pub proxies: Vec<Proxy>,
    /// Networking objects (indices into `objects`) in istiod's order: creation time, then
    /// name, then namespace.
    pub gateways: Vec<usize>,
    pub virtual_services: Vec<usize>,
    pub destination_rules: Vec<usize>,
    pub sidecars: Vec<usize>,
    pub peer_authentications: Vec<usize>,
    /// AuthorizationPolicies, oldest first (istiod's creation-time order).
    pub authorization_policies: Vec<usize>,
    pub request_authentications: Vec<usize>,
}

impl Mesh {
    pub fn build(objects: Vec<Object>) -> (Mesh, Vec<Diagnostic>) {
        build::build(objects)
    }

    pub fn proxies(&self) -> &[Proxy] {
        &self.proxies
    }

    /// Find a proxy by `name`, `name.namespace`, or its workload (Deployment) name.
    pub fn find_proxy(&self, query: &str) -> Option<&Proxy> {
        let exact = self
            .proxies
            .iter()
            .find(|p| p.name == query || p.id() == query);
        exact.or_else(|| {
            let (app, ns) = query
                .rsplit_once('.')
                .map_or((query, None), |(a, n)| (a, Some(n)));
            self.proxies
                .iter()
                .find(|p| p.workload == app && ns.is_none_or(|ns| p.namespace == ns))
                .or_else(|| self.proxies.iter().find(|p| p.workload == query))
        })
    }

    pub fn proxy_by_ip(&self, ip: &str) -> Option<&Proxy> {
        self.proxies.iter().find(|p| p.ips.iter().any(|i| i == ip))
    }

    pub fn workload_by_ip(&self, ip: &str) -> Option<&Workload> {
        self.workloads
            .iter()
            .find(|w| w.ips.iter().any(|i| i == ip))
    }

    pub fn service(&self, hostname: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.hostname == hostname)
    }

    /// A proxy for a pod the input does not declare; its service instances come from matching
    /// its IP against every endpoint, as istiod does for a connecting proxy.
    pub fn proxy_from_spec(&self, spec: &ProxySpec) -> Proxy {
        let namespace = if spec.namespace.is_empty() {
            "default".to_string()
        } else {
            spec.namespace.clone()
        };
        let kind = spec.kind.unwrap_or_else(|| {
            if is_gateway_labels(&spec.labels) {
                ProxyKind::Gateway
            } else {
                ProxyKind::Sidecar
            }
        });
        Proxy {
            name: spec.name.clone(),
            namespace: namespace.clone(),
            kind,
            ips: spec.ips.clone(),
            labels: spec.labels.clone(),
            workload: spec.name.clone(),
            service_account: "default".into(),
            calls: Vec::new(),
            forward_headers: Vec::new(),
            config_namespace: spec.config_namespace.clone().unwrap_or(namespace),
        }
    }

    /// The services and ports this proxy is an endpoint of (istiod's service targets).
    pub fn instances<'a>(&'a self, proxy: &Proxy) -> Vec<ServiceInstance<'a>> {
        let mut out = Vec::new();
        for service in &self.services {
            for endpoint in &service.endpoints {
                if !proxy.ips.contains(&endpoint.address) {
                    continue;
                }
                for port in &service.ports {
                    if let Some(target_port) = endpoint.port_for(port.port) {
                        out.push(ServiceInstance {
                            service,
                            port,
                            endpoint,
                            target_port,
                        });
                    }
                }
            }
        }
        out
    }

    fn typed<'a, T: 'a>(
        &'a self,
        idx: &'a [usize],
        get: fn(&Spec) -> Option<&T>,
    ) -> impl Iterator<Item = (&'a Object, &'a T)> + 'a {
        idx.iter().filter_map(move |&i| {
            let o = &self.objects[i];
            get(&o.spec).map(|s| (o, s))
        })
    }

    pub fn gateways(&self) -> impl Iterator<Item = (&Object, &Gateway)> {
        self.typed(&self.gateways, |s| match s {
            Spec::Gateway(g) => Some(g),
            _ => None,
        })
    }

    pub fn virtual_services(&self) -> impl Iterator<Item = (&Object, &VirtualService)> {
        self.typed(&self.virtual_services, |s| match s {
            Spec::VirtualService(v) => Some(v),
            _ => None,
        })
    }

    pub fn destination_rules(&self) -> impl Iterator<Item = (&Object, &DestinationRule)> {
        self.typed(&self.destination_rules, |s| match s {
            Spec::DestinationRule(d) => Some(d),
            _ => None,
        })
    }

    pub fn sidecars(&self) -> impl Iterator<Item = (&Object, &Sidecar)> {
        self.typed(&self.sidecars, |s| match s {
            Spec::Sidecar(v) => Some(v),
            _ => None,
        })
    }

    pub fn peer_authentications(&self) -> impl Iterator<Item = (&Object, &PeerAuthentication)> {
        self.typed(&self.peer_authentications, |s| match s {
            Spec::PeerAuthentication(v) => Some(v),
            _ => None,
        })
    }

    pub fn authorization_policies(&self) -> impl Iterator<Item = (&Object, &AuthorizationPolicy)> {
        self.typed(&self.authorization_policies, |s| match s {
            Spec::AuthorizationPolicy(v) => Some(v),
            _ => None,
        })
    }

    pub fn request_authentications(
        &self,
    ) -> impl Iterator<Item = (&Object, &RequestAuthentication)> {
        self.typed(&self.request_authentications, |s| match s {
            Spec::RequestAuthentication(v) => Some(v),
            _ => None,
        })
    }

    pub fn objects_of(&self, kind: Kind) -> impl Iterator<Item = &Object> {
        self.objects.iter().filter(move |o| o.kind == kind)
    }
}

pub(crate) fn is_gateway_labels(labels: &Labels) -> bool {
    matches!(
        labels.get("istio").map(String::as_str),
        Some("ingressgateway" | "egressgateway")
    ) || labels.contains_key(crate::gatewayapi::GATEWAY_NAME_LABEL)
}

/// Parse files and build the mesh: the one entry point for everything downstream.
pub fn load(files: &[SourceFile]) -> Loaded {
    let (objects, diagnostics) = crate::parse::parse_files(files);
    load_parsed(objects, diagnostics)
}

/// The second half of [`load`]: the mesh of parsed objects, after the parse's diagnostics (what
/// an incremental loader, `session::Session`, calls with the objects it kept).
pub fn load_parsed(objects: Vec<crate::parse::Object>, mut diagnostics: Vec<Diagnostic>) -> Loaded {
    let (mesh, more) = Mesh::build(objects);
    diagnostics.extend(more);
    let objects = mesh
        .objects
        .iter()
        .map(crate::parse::ObjectRef::from)
        .collect();
    Loaded {
        mesh,
        diagnostics,
        objects,
    }
}

/// The result of [`load`]: the mesh, every diagnostic, and where each object sits in the text.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub mesh: Mesh,
    pub diagnostics: Vec<Diagnostic>,
    pub objects: Vec<crate::parse::ObjectRef>,
}

impl AsRef<Mesh> for Mesh {
    fn as_ref(&self) -> &Mesh {
        self
    }
}

impl AsRef<Mesh> for Loaded {
    fn as_ref(&self) -> &Mesh {
        &self.mesh
    }
}

pub use scope::Scope;
