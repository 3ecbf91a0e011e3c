//! Kubernetes workloads and namespaces, as istioctl's analyzers see them:
//!
//! - `injection.Analyzer`: namespaces without an injection label (IST0102, or IST0148 when the
//!   injector enables namespaces by default), with conflicting injection labels (IST0123), and
//!   pods in injected namespaces that have no proxy (IST0103);
//! - `applicationUID.Analyzer`: pods and deployments running as the proxy's UID 1337 (IST0144);
//! - `deployment.MultiServiceAnalyzer`: a meshed deployment behind Services that give one port
//!   two protocols (IST0116), or one targetPort two ports (IST0137).
//!
//! Fields the mesh does not model (securityContext, initContainers, hostNetwork) are read from
//! the object's text.

use super::{codes, fp, full_name, Ctx};
use crate::istio::kube::{IntOrString, ServiceSpec};
use crate::parse::{Object, Spec};
use crate::sorted::SortedMap;
use crate::yaml::{Node, Scalar};

const INJECTION_LABEL: &str = "istio-injection";
const REVISION_LABEL: &str = "istio.io/rev";
const DATAPLANE_MODE_LABEL: &str = "istio.io/dataplane-mode";
const SIDECAR_INJECT: &str = "sidecar.istio.io/inject";
const PROXY_CONTAINER: &str = "istio-proxy";
/// The UID the sidecar runs as; an application must not use it.
const PROXY_UID: i64 = 1337;

pub(super) fn check(ctx: &mut Ctx) {
    injection(ctx);
    application_uid(ctx);
    deployment_services(ctx);
}

fn labels_of(o: &Object) -> &SortedMap<String, String> {
    &o.meta.labels
}

/// The injector's `values` (JSON) say `sidecarInjectorWebhook.enableNamespacesByDefault`.
fn enables_namespaces_by_default(data: &SortedMap<String, String>) -> bool {
    data.get("values")
        .and_then(|v| serde_json::from_str::<serde_json::Value>(v).ok())
        .and_then(|v| v["sidecarInjectorWebhook"]["enableNamespacesByDefault"].as_bool())
        .unwrap_or(false)
}

fn injection(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    let mut injected: Vec<&str> = Vec::new();
    // As istioctl: once an injector ConfigMap says so, later namespaces see it too.
    let mut by_default = false;
    for ns in mesh
        .objects
        .iter()
        .filter(|o| matches!(*o.spec, Spec::Namespace))
    {
        let name = ns.name();
        if name == "istio-system" {
            continue;
        }
        let labels = labels_of(ns);
        let injection = labels.get(INJECTION_LABEL);
        let mut istio_labels: Vec<String> = Vec::new();
        if let Some(v) = injection {
            istio_labels.push(format!("{INJECTION_LABEL}={v}"));
        }
        for l in [REVISION_LABEL, DATAPLANE_MODE_LABEL] {
            if let Some(v) = labels.get(l) {
                if injection.is_none_or(|i| i == "enabled") {
                    istio_labels.push(format!("{l}={v}"));
                }
            }
        }
        if istio_labels.len() > 1 {
            ctx.report(
                codes::NAMESPACE_MULTIPLE_INJECTION_LABELS,
                ns,
                fp!["metadata", "labels"],
                format!(
                    "The namespace has more than one type of injection labels [{}], which may lead to undefined behavior. Make sure only one injection label exists.",
                    istio_labels.join(" ")
                ),
            );
        }
        if labels.get(DATAPLANE_MODE_LABEL).map(String::as_str) == Some("ambient") {
            continue;
        }
        let revision = labels.get(REVISION_LABEL);
        let cm_name = match revision.map(String::as_str) {
            None | Some("") | Some("default") => "istio-sidecar-injector".to_string(),
            Some(r) => format!("istio-sidecar-injector-{r}"),
        };
        if let Some(data) = mesh.objects.iter().find_map(|o| match &*o.spec {
            Spec::ConfigMap(data) if o.name() == cm_name => Some(data),
            _ => None,
        }) {
            by_default = enables_namespaces_by_default(data);
        }
        if injection.is_none_or(|i| i.is_empty()) && revision.is_none() {
            if by_default {
                ctx.report(
                    codes::NAMESPACE_INJECTION_ENABLED_BY_DEFAULT,
                    ns,
                    fp!["metadata", "name"],
                    "is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.",
                );
            } else {
                ctx.report(
                    codes::NAMESPACE_NOT_INJECTED,
                    ns,
                    fp!["metadata", "name"],
                    format!(
                        "The namespace is not enabled for Istio injection. Run 'kubectl label namespace {name} istio-injection=enabled' to enable it, or 'kubectl label namespace {name} istio-injection=disabled' to explicitly mark it as not needing injection."
                    ),
                );
            }
            continue;
        }
        if injection.map(String::as_str) == Some("enabled") {
            injected.push(name);
        }
    }
    for pod in mesh
        .objects
        .iter()
        .filter(|o| matches!(*o.spec, Spec::Pod { .. }))
    {
        if !injected.contains(&pod.namespace()) {
            continue;
        }
        let inject = pod
            .meta
            .labels
            .get(SIDECAR_INJECT)
            .or_else(|| pod.meta.annotations.get(SIDECAR_INJECT));
        if inject.is_some_and(|v| v.eq_ignore_ascii_case("false")) {
            continue;
        }
        let spec = pod.node.get("spec");
        if spec.and_then(|s| s.get("hostNetwork")).map(Node::scalar)
            == Some(Some(Scalar::Bool(true)))
        {
            continue;
        }
        let has_proxy = spec.is_some_and(|s| {
            ["containers", "initContainers"].iter().any(|list| {
                containers(s, list).any(|(_, c)| {
                    c.get("name").and_then(Node::as_str) == Some(PROXY_CONTAINER)
                        && c.get("image")
                            .and_then(Node::as_str)
                            .is_some_and(|i| !i.is_empty())
                })
            })
        });
        if !has_proxy {
            ctx.report(
                codes::POD_MISSING_PROXY,
                pod,
                fp!["metadata", "name"],
                format!(
                    "The pod {} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.",
                    full_name(pod)
                ),
            );
        }
    }
}

/// The containers of a pod spec node under `list` (`containers`, `initContainers`), with index.
fn containers<'n>(spec: &'n Node, list: &str) -> impl Iterator<Item = (usize, &'n Node)> {
    spec.get(list)
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .enumerate()
}

fn runs_as_proxy_uid(security_context: Option<&Node>) -> bool {
    security_context
        .and_then(|s| s.get("runAsUser"))
        .and_then(Node::scalar)
        == Some(Scalar::Int(PROXY_UID))
}

fn application_uid(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for obj in &mesh.objects {
        let base: &[&str] = match *obj.spec {
            Spec::Pod { .. } => &["spec"],
            Spec::Deployment(_) => &["spec", "template", "spec"],
            _ => continue,
        };
        // Istio's own control plane and gateways are left alone.
        let labels = labels_of(obj);
        if labels.contains_key("istio")
            || labels.get("release").map(String::as_str) == Some("istio")
        {
            continue;
        }
        let Some(spec) = obj.node.at(base) else {
            continue;
        };
        let mut at: Vec<Vec<String>> = Vec::new();
        if runs_as_proxy_uid(spec.get("securityContext")) {
            at.push(field(base, &["securityContext", "runAsUser"]));
        }
        for (i, c) in containers(spec, "containers") {
            let name = c.get("name").and_then(Node::as_str);
            if name == Some(PROXY_CONTAINER) || name == Some("istio-operator") {
                continue;
            }
            if runs_as_proxy_uid(c.get("securityContext")) {
                let i = i.to_string();
                at.push(field(
                    base,
                    &["containers", &i, "securityContext", "runAsUser"],
                ));
            }
        }
        // One finding per object, as istioctl reports the same message once.
        if let Some(path) = at.first() {
            ctx.report(
                codes::INVALID_APPLICATION_UID,
                obj,
                path,
                "User ID (UID) 1337 is reserved for the sidecar proxy.",
            );
        }
    }
}

fn field(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

/// Is a deployment's pod template in the mesh: a proxy container, else its inject label or
/// annotation, else its namespace's injection label.
fn deployment_in_mesh(ctx: &Ctx, obj: &Object) -> bool {
    let Some(template) = obj.node.at(&["spec", "template"]) else {
        return false;
    };
    if let Some(spec) = template.get("spec") {
        let proxy = containers(spec, "containers").any(|(_, c)| {
            c.get("name").and_then(Node::as_str) == Some(PROXY_CONTAINER)
                && c.get("image")
                    .and_then(Node::as_str)
                    .is_some_and(|i| !i.is_empty())
        });
        if proxy {
            return true;
        }
    }
    for place in ["labels", "annotations"] {
        if let Some(v) = template
            .at(&["metadata", place, SIDECAR_INJECT])
            .and_then(Node::as_str)
        {
            return v == "true";
        }
    }
    ctx.mesh
        .objects
        .iter()
        .find(|o| matches!(*o.spec, Spec::Namespace) && o.name() == obj.namespace())
        .map(|ns| ns.meta.labels.get(INJECTION_LABEL).map(String::as_str) == Some("enabled"))
        .unwrap_or(false)
}

fn deployment_services(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    // Every Service once (not every object again for each Deployment: a 1,000-service mesh has
    // 4,000 objects).
    let all_services: Vec<(&Object, &ServiceSpec)> = mesh
        .objects
        .iter()
        .filter_map(|o| match &*o.spec {
            Spec::Service(s) => Some((o, s)),
            _ => None,
        })
        .collect();
    for obj in &mesh.objects {
        let Spec::Deployment(d) = &*obj.spec else {
            continue;
        };
        let waypoint = obj
            .meta
            .labels
            .get("gateway.istio.io/managed")
            .map(String::as_str)
            == Some("istio.io-mesh-controller");
        if waypoint || !deployment_in_mesh(ctx, obj) {
            continue;
        }
        let pod_labels = &d.template.metadata.labels;
        let services: Vec<(String, &ServiceSpec)> = all_services
            .iter()
            .filter(|(o, s)| {
                o.namespace() == obj.namespace()
                    && s.selector.as_ref().is_some_and(|sel| {
                        !sel.is_empty() && sel.iter().all(|(k, v)| pod_labels.get(k) == Some(v))
                    })
            })
            .map(|(o, s)| (full_name(o), *s))
            .collect();
        // port -> protocol -> services
        let mut protocols: SortedMap<u32, SortedMap<String, Vec<String>>> = SortedMap::new();
        // targetPort -> port -> service
        let mut targets: SortedMap<String, SortedMap<u32, String>> = SortedMap::new();
        for (name, s) in &services {
            for p in &s.ports {
                let protocol = p.protocol.clone().filter(|p| !p.is_empty());
                protocols
                    .entry(p.port)
                    .or_default()
                    .entry(protocol.unwrap_or_else(|| "TCP".into()))
                    .or_default()
                    .push(name.clone());
                let target = match &p.target_port {
                    Some(IntOrString::Int(t)) if *t != 0 => t.to_string(),
                    Some(IntOrString::Str(t)) if !t.is_empty() && t != "0" => t.clone(),
                    _ => p.port.to_string(),
                };
                targets
                    .entry(target)
                    .or_default()
                    .insert(p.port, name.clone());
            }
        }
        let name = obj.name();
        for (port, by_protocol) in &protocols {
            if by_protocol.len() < 2 {
                continue;
            }
            let mut names: Vec<String> = by_protocol.values().flatten().cloned().collect();
            crate::order::sort(&mut names);
            ctx.report(
                codes::DEPLOYMENT_ASSOCIATED_TO_MULTIPLE_SERVICES,
                obj,
                fp!["metadata", "name"],
                format!(
                    "This deployment {name} is associated with multiple services using port {port} but different protocols: [{}]",
                    names.join(" ")
                ),
            );
        }
        for (target, by_port) in &targets {
            if by_port.len() < 2 {
                continue;
            }
            let mut names: Vec<String> = by_port.values().cloned().collect();
            crate::order::sort(&mut names);
            let ports: Vec<String> = by_port.keys().map(u32::to_string).collect();
            ctx.report(
                codes::DEPLOYMENT_CONFLICTING_PORTS,
                obj,
                fp!["metadata", "name"],
                format!(
                    "This deployment {name} is associated with multiple services [{}] using targetPort {target:?} but different ports: [{}].",
                    names.join(" "),
                    ports.join(" ")
                ),
            );
        }
    }
}

/// The proxy image an injector ConfigMap's `values` configure: `global.proxy.image` when it is a
/// full reference, else `hub/image:tag`.
fn injector_proxy_image(data: &SortedMap<String, String>) -> String {
    let Some(values) = data
        .get("values")
        .and_then(|v| serde_json::from_str::<serde_json::Value>(v).ok())
    else {
        return String::new();
    };
    let global = &values["global"];
    let field = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let image = field(&global["proxy"]["image"]);
    if image.contains('/') {
        image
    } else {
        format!(
            "{}/{image}:{}",
            field(&global["hub"]),
            field(&global["tag"])
        )
    }
}

/// `image.imageType` of a ProxyConfig spec or a `proxy.istio.io/config` annotation.
fn image_type(node: Option<&Node>) -> Option<String> {
    node?
        .at(&["image", "imageType"])
        .and_then(Node::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// IST0158 (istioctl's `injection.ImageAnalyzer`): pods in injected namespaces whose proxy image
/// is not the one their injector ConfigMap would inject now (an upgrade they missed).
pub(super) fn proxy_images(ctx: &mut Ctx, files: &[crate::parse::SourceFile]) {
    let mesh = ctx.mesh;
    let images: Vec<(&str, String)> = mesh
        .objects
        .iter()
        .filter_map(|o| match &*o.spec {
            Spec::ConfigMap(data) if o.name().starts_with("istio-sidecar-injector") => {
                Some((o.name(), injector_proxy_image(data)))
            }
            _ => None,
        })
        .collect();
    if images.is_empty() {
        return;
    }
    // Namespace -> revision, for namespaces with injection on.
    let injected: Vec<(&Object, &str)> = mesh
        .objects
        .iter()
        .filter(|o| matches!(*o.spec, Spec::Namespace))
        .filter_map(|ns| {
            let labels = labels_of(ns);
            match labels.get(REVISION_LABEL) {
                Some(rev) => Some((ns, rev.as_str())),
                None if labels.get(INJECTION_LABEL).map(String::as_str) == Some("enabled") => {
                    Some((ns, "default"))
                }
                None => None,
            }
        })
        .collect();
    let proxy_configs = super::sources::objects(files, "ProxyConfig", "networking.istio.io/");
    let mesh_default =
        super::sources::mesh_config_text(mesh).and_then(|c| image_type(c.get("defaultConfig")));
    let root = &mesh.config.root_namespace;
    let mut mismatched: Vec<(&Object, Vec<String>)> = Vec::new();
    for pod in mesh
        .objects
        .iter()
        .filter(|o| matches!(*o.spec, Spec::Pod { .. }))
    {
        let Some((ns_obj, revision)) = injected.iter().find(|(ns, _)| ns.name() == pod.namespace())
        else {
            continue;
        };
        if pod
            .meta
            .annotations
            .get("sidecar.istio.io/proxyImage")
            .is_some_and(|i| !i.is_empty())
        {
            continue;
        }
        let cm_name = match *revision {
            "" | "default" => "istio-sidecar-injector".to_string(),
            r => format!("istio-sidecar-injector-{r}"),
        };
        let Some((_, want)) = images.iter().find(|(n, _)| *n == cm_name) else {
            continue;
        };
        // The effective image variant, as istioctl's resolver: MeshConfig's defaultConfig, then
        // the root namespace's ProxyConfig, the pod namespace's (no selector), a ProxyConfig
        // selecting the pod, then the pod's own annotation; a later level wins when it sets one.
        let mut levels: [Option<String>; 4] = [mesh_default.clone(), None, None, None];
        for pc in &proxy_configs {
            let spec = pc.root.get("spec");
            let selector = spec
                .and_then(|s| s.get("selector"))
                .filter(|s| !s.is_null());
            let level = if pc.namespace() == root {
                1
            } else if pc.namespace() != pod.namespace() {
                continue;
            } else if let Some(selector) = selector {
                let labels = selector
                    .get("matchLabels")
                    .and_then(Node::as_map)
                    .unwrap_or(&[]);
                let selects = labels.iter().all(|(k, v)| {
                    k.as_str()
                        .is_some_and(|k| pod.meta.labels.get(k).map(String::as_str) == v.as_str())
                });
                if !selects {
                    continue;
                }
                3
            } else {
                2
            };
            if let Some(t) = image_type(spec) {
                levels[level] = Some(t);
            }
        }
        let mut variant = levels.into_iter().flatten().last();
        if let Some(annotation) = pod.meta.annotations.get("proxy.istio.io/config") {
            let (docs, _) = crate::yaml::parse_stream(annotation);
            if let Some(t) = docs.first().and_then(|d| image_type(Some(&d.root))) {
                variant = Some(t);
            }
        }
        let variant = variant.filter(|v| v != "default").unwrap_or_default();
        let Some(spec) = pod.node.get("spec") else {
            continue;
        };
        for list in ["containers", "initContainers"] {
            for (_, c) in containers(spec, list) {
                if c.get("name").and_then(Node::as_str) != Some(PROXY_CONTAINER) {
                    continue;
                }
                let image = c.get("image").and_then(Node::as_str).unwrap_or("");
                if image != want && image != format!("{want}-{variant}") {
                    match mismatched
                        .iter_mut()
                        .find(|(ns, _)| std::ptr::eq(*ns, *ns_obj))
                    {
                        Some((_, pods)) => pods.push(pod.name().to_string()),
                        None => mismatched.push((ns_obj, vec![pod.name().to_string()])),
                    }
                }
            }
        }
    }
    for (ns, mut pods) in mismatched {
        crate::order::sort(&mut pods);
        ctx.report(
            codes::PODS_ISTIO_PROXY_IMAGE_MISMATCH_IN_NAMESPACE,
            ns,
            fp!["metadata", "name"],
            format!(
                "The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [{}]). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.",
                pods.join(" ")
            ),
        );
    }
}
