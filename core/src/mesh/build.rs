//! From objects to the mesh: services, workloads, endpoints and proxies.

use super::ids::{self, Allocator};
use super::protocol::Protocol;
use super::*;
use crate::diag::{codes, Diagnostic, Severity};
use crate::istio::kube::{IntOrString, ServiceSpec};
use crate::istio::mesh_config::{MeshConfig, MeshConfigFile, TelemetryFile};
use crate::istio::networking::ServiceEntry;
use crate::order;
use crate::yaml;
use crate::yaml::de;
use std::collections::HashMap;

pub const CALLS_ANNOTATION: &str = "pilotlight.io/calls";
pub const FORWARD_HEADERS_ANNOTATION: &str = "pilotlight.io/forward-headers";

pub fn build(objects: Vec<Object>) -> (Mesh, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut objects = dedupe(objects, &mut diags);
    let config = mesh_config(&objects, &mut diags);
    // Gateway API and Ingress objects become the Istio objects istiod derives from them (and the
    // automated gateway Deployments and Services), as if they had been in the input.
    let (derived, findings) = crate::gatewayapi::convert(&objects, &config);
    objects.extend(derived);
    diags.extend(findings);

    let mut mesh = Mesh {
        config,
        services: Vec::new(),
        workloads: Vec::new(),
        proxies: Vec::new(),
        gateways: ordered(&objects, Kind::Gateway),
        virtual_services: ordered(&objects, Kind::VirtualService),
        destination_rules: ordered(&objects, Kind::DestinationRule),
        sidecars: ordered(&objects, Kind::Sidecar),
        peer_authentications: ordered(&objects, Kind::PeerAuthentication),
        authorization_policies: ordered(&objects, Kind::AuthorizationPolicy),
        request_authentications: ordered(&objects, Kind::RequestAuthentication),
        objects: Vec::new(),
    };
    mesh.workloads = workloads(&objects, &mut diags);
    mesh.services = services(&objects, &mesh.workloads, &mut diags);
    mesh.proxies = mesh
        .workloads
        .iter()
        .filter_map(|w| {
            Some(Proxy {
                name: w.name.clone(),
                namespace: w.namespace.clone(),
                kind: w.proxy?,
                ips: w.ips.clone(),
                labels: w.labels.clone(),
                workload: w.app.clone(),
                service_account: w.service_account.clone(),
                calls: w.calls.clone(),
                forward_headers: w.forward_headers.clone(),
                config_namespace: w.namespace.clone(),
            })
        })
        .collect();
    mesh.objects = objects;
    (mesh, diags)
}

/// The same kind, namespace and name twice: the later one wins, as a second `kubectl apply` would.
fn dedupe(mut objects: Vec<Object>, diags: &mut Vec<Diagnostic>) -> Vec<Object> {
    // In place: mark each definition a later one replaces, then drop the marked ones (the
    // objects are large; a second vector of them would be copied and, on a big mesh, faulted in).
    let mut replaced = vec![false; objects.len()];
    {
        let mut seen: HashMap<(Kind, &str, &str), usize> = HashMap::with_capacity(objects.len());
        for (i, obj) in objects.iter().enumerate() {
            let Some(prev) = seen.insert((obj.kind, obj.namespace(), obj.name()), i) else {
                continue;
            };
            let old = &objects[prev];
            replaced[prev] = true;
            diags.push(
                Diagnostic::new(
                    codes::DUPLICATE_OBJECT,
                    Severity::Warning,
                    format!(
                        "{} is defined again here; this definition replaces the one at {}:{}",
                        obj.display(),
                        old.origin.file,
                        old.origin.span.start_line
                    ),
                    &obj.origin.file,
                    obj.key_span_of(&["metadata", "name"]),
                )
                .with_object(obj.display()),
            );
        }
    }
    let mut replaced = replaced.into_iter();
    objects.retain(|_| !replaced.next().unwrap_or(false));
    objects
}

/// istiod's order for networking objects: creation time, then name, then namespace.
fn ordered(objects: &[Object], kind: Kind) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..objects.len())
        .filter(|&i| objects[i].kind == kind)
        .collect();
    order::sort_by(&mut idx, |&a, &b| {
        let (a, b) = (&objects[a], &objects[b]);
        let ts = |o: &Object| o.meta.creation_timestamp.clone().unwrap_or_default();
        (ts(a), a.name(), a.namespace()).cmp(&(ts(b), b.name(), b.namespace()))
    });
    idx
}

fn mesh_config(objects: &[Object], diags: &mut Vec<Diagnostic>) -> MeshConfig {
    let mut config = MeshConfig::default();
    let Some(cm) = objects.iter().find(|o| {
        o.kind == Kind::ConfigMap && o.name() == "istio" && o.namespace() == "istio-system"
    }) else {
        return config;
    };
    let Spec::ConfigMap(data) = &*cm.spec else {
        return config;
    };
    let Some(text) = data.get("mesh") else {
        return config;
    };
    let span = cm.span_of(&["data", "mesh"]);
    let (docs, err) = yaml::parse_stream(text);
    let report = |diags: &mut Vec<Diagnostic>, msg: String| {
        diags.push(
            Diagnostic::new(
                codes::SCHEMA,
                Severity::Error,
                format!("invalid mesh config: {msg}"),
                &cm.origin.file,
                span,
            )
            .with_object(cm.display()),
        )
    };
    if let Some(e) = err {
        report(diags, e.message);
        return config;
    }
    let Some(doc) = docs.first() else {
        return config;
    };
    match de::from_node::<MeshConfigFile>(&doc.root) {
        Ok(file) => {
            if let Err(msg) = config.apply(file) {
                report(diags, msg);
            }
        }
        Err(e) => report(diags, e.message),
    }
    match crate::yaml::decode::from_node::<TelemetryFile>(&doc.root) {
        Ok(file) => config.apply_telemetry(file),
        Err(e) => report(diags, e.message),
    }
    config
}

fn parse_calls(text: &str) -> Vec<AppCall> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .filter_map(|item| {
            let (hostport, path) = match item.find('/') {
                Some(i) => (&item[..i], item[i..].to_string()),
                None => (item, "/".to_string()),
            };
            let (host, port) = hostport.rsplit_once(':')?;
            Some(AppCall {
                host: host.to_string(),
                port: port.parse().ok()?,
                path,
            })
        })
        .collect()
}

struct PodSource<'a> {
    name: String,
    app: String,
    meta: &'a crate::istio::ObjectMeta,
    spec: &'a crate::istio::kube::PodSpec,
    ips: Vec<String>,
    object: usize,
}

fn workloads(objects: &[Object], diags: &mut Vec<Diagnostic>) -> Vec<Workload> {
    let mut pods = Vec::new();
    let mut alloc = Allocator::new([10, 244]);
    for (i, obj) in objects.iter().enumerate() {
        match &*obj.spec {
            Spec::Pod { spec, status } => {
                let mut ips: Vec<String> = status.pod_ips.iter().map(|p| p.ip.clone()).collect();
                if let Some(ip) = &status.pod_ip {
                    if !ips.contains(ip) {
                        ips.insert(0, ip.clone());
                    }
                }
                ips.iter().for_each(|ip| alloc.reserve(ip));
                let app = obj
                    .meta
                    .labels
                    .get("app")
                    .map(|a| match obj.meta.labels.get("version") {
                        Some(v) => format!("{a}-{v}"),
                        None => a.clone(),
                    })
                    .unwrap_or_else(|| obj.name().to_string());
                pods.push(PodSource {
                    name: obj.name().to_string(),
                    app,
                    meta: &obj.meta,
                    spec,
                    ips,
                    object: i,
                });
            }
            Spec::Deployment(d) => {
                let replicas = d.replicas.unwrap_or(1);
                if replicas > 1000 {
                    diags.push(Diagnostic::new(
                        codes::LIMIT,
                        Severity::Warning,
                        format!(
                            "{} asks for {replicas} replicas; only the first 1000 are modelled",
                            obj.display()
                        ),
                        &obj.origin.file,
                        obj.span_of(&["spec", "replicas"]),
                    ));
                }
                for r in 0..replicas.min(1000) {
                    pods.push(PodSource {
                        name: ids::pod_name(obj.namespace(), obj.name(), r),
                        app: obj.name().to_string(),
                        meta: &d.template.metadata,
                        spec: &d.template.spec,
                        ips: Vec::new(),
                        object: i,
                    });
                }
            }
            _ => {}
        }
    }
    pods.into_iter()
        .map(|p| {
            let obj = &objects[p.object];
            let namespace = obj.namespace().to_string();
            let ips = if p.ips.is_empty() {
                vec![alloc.allocate(&format!("{namespace}/{}", p.name))]
            } else {
                p.ips
            };
            let inject_off = |m: &SortedMap<String, String>| {
                m.get("sidecar.istio.io/inject")
                    .is_some_and(|v| v == "false")
            };
            let proxy = if is_gateway_labels(&p.meta.labels) {
                Some(ProxyKind::Gateway)
            } else if inject_off(&p.meta.annotations) || inject_off(&p.meta.labels) {
                None
            } else {
                Some(ProxyKind::Sidecar)
            };
            Workload {
                name: p.name,
                namespace,
                labels: p.meta.labels.clone(),
                ips,
                app: p.app,
                proxy,
                service_account: p
                    .spec
                    .service_account_name
                    .clone()
                    .unwrap_or_else(|| "default".into()),
                calls: p
                    .meta
                    .annotations
                    .get(CALLS_ANNOTATION)
                    .map(|s| parse_calls(s))
                    .unwrap_or_default(),
                forward_headers: p
                    .meta
                    .annotations
                    .get(FORWARD_HEADERS_ANNOTATION)
                    .map(|s| {
                        s.split(',')
                            .map(|h| h.trim().to_ascii_lowercase())
                            .filter(|h| !h.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                named_ports: p
                    .spec
                    .containers
                    .iter()
                    .flat_map(|c| c.ports.iter())
                    .filter_map(|cp| Some((cp.name.clone()?, cp.container_port)))
                    .collect(),
                object: p.object,
            }
        })
        .collect()
}

fn export_to(obj: &Object, explicit: &[String]) -> Vec<String> {
    if !explicit.is_empty() {
        return explicit.to_vec();
    }
    match obj.meta.annotations.get("networking.istio.io/exportTo") {
        Some(v) => v
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        None => vec!["*".to_string()],
    }
}

fn services(
    objects: &[Object],
    workloads: &[Workload],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Service> {
    let mut out = Vec::new();
    let mut vips = Allocator::new([10, 96]);
    for obj in objects {
        if let Spec::Service(s) = &*obj.spec {
            s.cluster_ip.iter().for_each(|ip| vips.reserve(ip));
        }
    }
    let selectable = SelectableWorkloads::new(workloads);
    let slices = EndpointSlices::new(objects);
    for (i, obj) in objects.iter().enumerate() {
        match &*obj.spec {
            Spec::Service(spec) => out.push(kube_service(
                i,
                obj,
                spec,
                &selectable,
                &slices,
                workloads,
                &mut vips,
            )),
            Spec::ServiceEntry(se) => {
                for svc in service_entry(i, obj, se, objects, workloads, diags) {
                    merge_or_push(&mut out, svc);
                }
            }
            _ => {}
        }
    }
    out
}

/// ServiceEntries that declare the same host in the same namespace describe one service: istiod
/// keeps the ports and endpoints of all of them (the first entry's other settings win).
fn merge_or_push(out: &mut Vec<Service>, svc: Service) {
    let same = out.iter_mut().find(|s| {
        s.source == ServiceSource::ServiceEntry
            && s.hostname == svc.hostname
            && s.namespace == svc.namespace
    });
    let Some(existing) = same else {
        out.push(svc);
        return;
    };
    for port in svc.ports {
        if existing.port(port.port).is_none() {
            existing.ports.push(port);
        }
    }
    for ep in svc.endpoints {
        match existing
            .endpoints
            .iter_mut()
            .find(|e| e.address == ep.address)
        {
            Some(e) => {
                for (p, t) in ep.ports {
                    if !e.ports.iter().any(|(q, _)| *q == p) {
                        e.ports.push((p, t));
                    }
                }
            }
            None => existing.endpoints.push(ep),
        }
    }
    for a in svc.addresses {
        if !existing.addresses.contains(&a) {
            existing.addresses.push(a);
        }
    }
}

/// Workloads by (namespace, label, value): a Service's selector looks only at the workloads that
/// carry its first label, not at every workload of the mesh (which made loading quadratic).
struct SelectableWorkloads<'a> {
    by_label: HashMap<(&'a str, &'a str, &'a str), Vec<&'a Workload>>,
}

impl<'a> SelectableWorkloads<'a> {
    fn new(workloads: &'a [Workload]) -> Self {
        let mut by_label: HashMap<_, Vec<&Workload>> = HashMap::new();
        for w in workloads {
            for (k, v) in &w.labels {
                by_label
                    .entry((w.namespace.as_str(), k.as_str(), v.as_str()))
                    .or_default()
                    .push(w);
            }
        }
        SelectableWorkloads { by_label }
    }

    /// The workloads of `namespace` matching every label of a non-empty `selector`, in input order.
    fn selected(&self, namespace: &str, selector: &SortedMap<String, String>) -> Vec<&'a Workload> {
        let Some((k, v)) = selector.iter().next() else {
            return Vec::new();
        };
        // The map's keys may borrow for less than 'a here (lookups use short-lived strings).
        let by_label: &HashMap<(&str, &str, &str), Vec<&'a Workload>> = &self.by_label;
        by_label
            .get(&(namespace, k.as_str(), v.as_str()))
            .into_iter()
            .flatten()
            .copied()
            .filter(|w| selector.iter().all(|(k, v)| w.labels.get(k) == Some(v)))
            .collect()
    }
}

/// EndpointSlices by (namespace, `kubernetes.io/service-name`).
struct EndpointSlices<'a> {
    by_service: HashMap<(&'a str, &'a str), Vec<&'a Object>>,
}

impl<'a> EndpointSlices<'a> {
    fn new(objects: &'a [Object]) -> Self {
        let mut by_service: HashMap<_, Vec<&Object>> = HashMap::new();
        for o in objects.iter().filter(|o| o.kind == Kind::EndpointSlice) {
            if let Some(service) = o.meta.labels.get("kubernetes.io/service-name") {
                by_service
                    .entry((o.namespace(), service.as_str()))
                    .or_default()
                    .push(o);
            }
        }
        EndpointSlices { by_service }
    }

    fn of(&self, namespace: &str, service: &str) -> Vec<&'a Object> {
        let by_service: &HashMap<(&str, &str), Vec<&'a Object>> = &self.by_service;
        by_service
            .get(&(namespace, service))
            .cloned()
            .unwrap_or_default()
    }
}

#[allow(clippy::too_many_arguments)]
fn kube_service(
    index: usize,
    obj: &Object,
    spec: &ServiceSpec,
    selectable: &SelectableWorkloads,
    slices: &EndpointSlices,
    workloads: &[Workload],
    vips: &mut Allocator,
) -> Service {
    let namespace = obj.namespace().to_string();
    let hostname = format!("{}.{}.svc.cluster.local", obj.name(), namespace);
    let external_name = spec
        .external_name
        .clone()
        .filter(|_| spec.service_type.as_deref() == Some("ExternalName"));
    let headless = spec.cluster_ip.as_deref() == Some("None");
    let addresses = if headless || external_name.is_some() {
        Vec::new()
    } else {
        match &spec.cluster_ip {
            Some(ip) if !ip.is_empty() => {
                let mut all = vec![ip.clone()];
                all.extend(spec.cluster_ips.iter().filter(|x| *x != ip).cloned());
                all
            }
            _ => vec![vips.allocate(&format!("{namespace}/{}", obj.name()))],
        }
    };
    let ports: Vec<ServicePort> = spec
        .ports
        .iter()
        .map(|p| ServicePort {
            name: p.name.clone(),
            port: p.port,
            protocol: Protocol::from_kube_port(
                p.port,
                &p.name,
                p.protocol.as_deref(),
                p.app_protocol.as_deref(),
            ),
            target_port: p.target_port.as_ref().map(|t| match t {
                IntOrString::Int(n) => TargetPort::Number(*n),
                IntOrString::Str(s) => s
                    .parse()
                    .map_or_else(|_| TargetPort::Name(s.clone()), TargetPort::Number),
            }),
        })
        .collect();

    let mut endpoints = Vec::new();
    if let Some(selector) = spec.selector.as_ref().filter(|s| !s.is_empty()) {
        for w in selectable.selected(&namespace, selector) {
            for ip in &w.ips {
                let ports = ports
                    .iter()
                    .filter_map(|p| {
                        let target = match &p.target_port {
                            None => p.port,
                            Some(TargetPort::Number(n)) => *n,
                            Some(TargetPort::Name(name)) => {
                                w.named_ports.iter().find(|(n, _)| n == name)?.1
                            }
                        };
                        Some((p.port, target))
                    })
                    .collect();
                endpoints.push(Endpoint {
                    address: ip.clone(),
                    ports,
                    labels: w.labels.clone(),
                    workload: Some(w.name.clone()),
                    sidecar: w.proxy == Some(ProxyKind::Sidecar),
                    workload_name: w.app.clone(),
                    namespace: w.namespace.clone(),
                    service_account: Some(w.service_account.clone()),
                    locality: None,
                    weight: None,
                });
            }
        }
    }
    // EndpointSlices for this service add the addresses a selector cannot (selector-less services).
    for slice_obj in slices.of(&namespace, obj.name()) {
        let Spec::EndpointSlice(slice) = &*slice_obj.spec else {
            continue;
        };
        for ep in &slice.endpoints {
            for addr in &ep.addresses {
                if endpoints.iter().any(|e: &Endpoint| &e.address == addr) {
                    continue;
                }
                let workload = workloads.iter().find(|w| w.ips.contains(addr));
                let ports = ports
                    .iter()
                    .filter_map(|p| {
                        let sp = slice
                            .ports
                            .iter()
                            .find(|sp| sp.name.as_deref().unwrap_or("") == p.name)?;
                        Some((p.port, sp.port.unwrap_or(p.port)))
                    })
                    .collect();
                endpoints.push(Endpoint {
                    address: addr.clone(),
                    ports,
                    labels: workload.map(|w| w.labels.clone()).unwrap_or_default(),
                    workload: workload.map(|w| w.name.clone()),
                    sidecar: workload.is_some_and(|w| w.proxy == Some(ProxyKind::Sidecar)),
                    workload_name: workload.map(|w| w.app.clone()).unwrap_or_default(),
                    namespace: workload.map(|w| w.namespace.clone()).unwrap_or_default(),
                    service_account: workload.map(|w| w.service_account.clone()),
                    locality: None,
                    weight: None,
                });
            }
        }
    }

    Service {
        hostname,
        name: obj.name().to_string(),
        namespace,
        source: ServiceSource::Kubernetes,
        addresses,
        ports,
        resolution: if headless {
            Resolution::Passthrough
        } else {
            Resolution::ClientSideLb
        },
        mesh_external: false,
        external_name,
        headless,
        export_to: export_to(obj, &[]),
        selector: spec.selector.clone(),
        endpoints,
        object: index,
    }
}

fn service_entry(
    index: usize,
    obj: &Object,
    se: &ServiceEntry,
    objects: &[Object],
    workloads: &[Workload],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Service> {
    let namespace = obj.namespace().to_string();
    let resolution = match se.resolution.as_deref().unwrap_or("NONE") {
        "STATIC" => Resolution::ClientSideLb,
        "DNS" => Resolution::DnsLb,
        "DNS_ROUND_ROBIN" => Resolution::DnsRoundRobin,
        "NONE" => Resolution::Passthrough,
        other => {
            diags.push(Diagnostic::new(
                codes::SCHEMA,
                Severity::Error,
                format!("resolution {other:?} is not one of NONE, STATIC, DNS, DNS_ROUND_ROBIN"),
                &obj.origin.file,
                obj.span_of(&["spec", "resolution"]),
            ));
            Resolution::Passthrough
        }
    };
    let ports: Vec<ServicePort> = se
        .ports
        .iter()
        .map(|p| ServicePort {
            name: p.name.clone(),
            port: p.number,
            protocol: Protocol::parse(&p.protocol),
            target_port: p.target_port.map(TargetPort::Number),
        })
        .collect();
    let endpoint_ports = |named: &SortedMap<String, u32>| -> Vec<(u32, u32)> {
        ports
            .iter()
            .map(|p| {
                let target = named.get(&p.name).copied().or(match p.target_port {
                    Some(TargetPort::Number(n)) => Some(n),
                    _ => None,
                });
                (p.port, target.unwrap_or(p.port))
            })
            .collect()
    };
    // An inline endpoint is a WorkloadEntry named `<entry>-<index>` (conversion.go).
    let entry_workload = |name: String, labels: &Labels| {
        labels
            .get("service.istio.io/workload-name")
            .cloned()
            .unwrap_or(name)
    };
    let mut endpoints = Vec::new();
    for (i, we) in se.endpoints.iter().enumerate() {
        let workload = workloads.iter().find(|w| w.ips.contains(&we.address));
        endpoints.push(Endpoint {
            address: we.address.clone(),
            ports: endpoint_ports(&we.ports),
            labels: we.labels.clone(),
            workload: workload.map(|w| w.name.clone()),
            sidecar: we
                .labels
                .get("security.istio.io/tlsMode")
                .is_some_and(|m| m == "istio"),
            workload_name: entry_workload(crate::join!(obj.name(), "-", i as u32), &we.labels),
            namespace: namespace.clone(),
            service_account: we.service_account.clone(),
            locality: we.locality.clone(),
            weight: we.weight,
        });
    }
    if let Some(sel) = &se.workload_selector {
        for w in workloads
            .iter()
            .filter(|w| w.namespace == namespace && sel.matches(&w.labels))
        {
            for ip in &w.ips {
                endpoints.push(Endpoint {
                    address: ip.clone(),
                    ports: endpoint_ports(&SortedMap::new()),
                    labels: w.labels.clone(),
                    workload: Some(w.name.clone()),
                    sidecar: w.proxy == Some(ProxyKind::Sidecar),
                    workload_name: w.app.clone(),
                    namespace: w.namespace.clone(),
                    service_account: Some(w.service_account.clone()),
                    locality: None,
                    weight: None,
                });
            }
        }
        for o in objects.iter().filter(|o| o.namespace() == namespace) {
            let Spec::WorkloadEntry(we) = &*o.spec else {
                continue;
            };
            if !sel.matches(&we.labels) {
                continue;
            }
            endpoints.push(Endpoint {
                address: we.address.clone(),
                ports: endpoint_ports(&we.ports),
                labels: we.labels.clone(),
                workload: Some(o.name().to_string()),
                sidecar: we
                    .labels
                    .get("security.istio.io/tlsMode")
                    .is_some_and(|m| m == "istio"),
                workload_name: entry_workload(o.name().to_string(), &we.labels),
                namespace: namespace.clone(),
                service_account: we.service_account.clone(),
                locality: we.locality.clone(),
                weight: we.weight,
            });
        }
    }
    // DNS entries without endpoints resolve their own host.
    let mesh_external = se.location.as_deref() == Some("MESH_EXTERNAL");
    se.hosts
        .iter()
        .map(|host| {
            let mut eps = endpoints.clone();
            if eps.is_empty()
                && matches!(resolution, Resolution::DnsLb | Resolution::DnsRoundRobin)
                && !host.starts_with('*')
            {
                eps.push(Endpoint {
                    address: host.clone(),
                    ports: endpoint_ports(&SortedMap::new()),
                    labels: Labels::new(),
                    workload: None,
                    sidecar: false,
                    workload_name: obj.name().to_string(),
                    namespace: namespace.clone(),
                    service_account: None,
                    locality: None,
                    weight: None,
                });
            }
            Service {
                hostname: host.clone(),
                name: obj.name().to_string(),
                namespace: namespace.clone(),
                source: ServiceSource::ServiceEntry,
                addresses: se.addresses.clone(),
                ports: ports.clone(),
                resolution,
                mesh_external,
                external_name: None,
                headless: false,
                export_to: export_to(obj, &se.export_to),
                selector: se
                    .workload_selector
                    .as_ref()
                    .map(|s| s.match_labels.clone()),
                endpoints: eps,
                object: index,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_annotation() {
        let calls = parse_calls("details:9080/details/0, reviews:9080/reviews/0");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[1].host, "reviews");
        assert_eq!(calls[1].port, 9080);
        assert_eq!(calls[1].path, "/reviews/0");
    }
}
