//! Ingress of class `istio` into a Gateway and VirtualServices on the ingress gateway
//! (pilot/pkg/config/kube/ingress: gateways.go, virtualservices.go, ingress.go).

use super::status::Status;
use super::{codes, derived, meta, service_fqdn, World};
use super::{INGRESS_CONTROLLER, INGRESS_GATEWAY_NAME, ROUTE_SEMANTICS};
use crate::diag::Severity;
use crate::istio::gateway_api::{IngressBackend, IngressRule, Resource};
use crate::istio::mesh_config::{IngressControllerMode, MeshConfig};
use crate::istio::networking::{
    Destination, Gateway, HttpMatch, HttpRoute, HttpRouteDestination, Server, ServerPort,
    ServerTls, VirtualService,
};
use crate::istio::{PortSelector, StringMatch};
use crate::order;
use crate::parse::{Kind, Object, Spec};
use crate::sorted::SortedMap;

/// Where istiod puts Ingress-derived Gateways (K8S_INGRESS_NS, default istio-system).
const INGRESS_NAMESPACE: &str = "istio-system";

/// shouldProcessIngressWithClass: the `kubernetes.io/ingress.class` annotation (compared with
/// MeshConfig `ingressClass`), else the IngressClass's controller; an Ingress naming neither is
/// converted only in `ingressControllerMode: DEFAULT`, and `OFF` converts none.
fn is_istio(world: &World, obj: &Object, class_name: Option<&str>, config: &MeshConfig) -> bool {
    if config.ingress_controller_mode == IngressControllerMode::Off {
        return false;
    }
    if let Some(class) = obj.meta.annotations.get("kubernetes.io/ingress.class") {
        return *class == config.ingress_class;
    }
    let class = class_name.and_then(|name| {
        world
            .resources(Kind::IngressClass)
            .find_map(|(o, r)| match r {
                Resource::IngressClass(c) if o.name() == name => Some(c),
                _ => None,
            })
    });
    match class {
        Some(c) => c.controller == INGRESS_CONTROLLER,
        None => config.ingress_controller_mode == IngressControllerMode::Default,
    }
}

/// The selector of Ingress Gateways (getIngressGatewaySelector).
fn selector(config: &MeshConfig) -> SortedMap<String, String> {
    let value = match config.ingress_service.as_str() {
        "" | "istio-ingressgateway" => "ingressgateway".to_string(),
        other => other.to_string(),
    };
    SortedMap::from([("istio".to_string(), value)])
}

/// One rule of one Ingress, in istiod's order (creation time, name, namespace, rule index).
struct Rule<'a> {
    obj: &'a Object,
    index: usize,
    rule: &'a IngressRule,
}

pub(super) fn convert(
    world: &World,
    config: &MeshConfig,
    out: &mut Vec<Object>,
    status: &mut Status,
) {
    let mut rules: Vec<Rule> = Vec::new();
    for (obj, res) in world.resources(Kind::Ingress) {
        let Resource::Ingress(spec) = res else {
            continue;
        };
        if !is_istio(world, obj, spec.ingress_class_name.as_deref(), config) {
            let span = obj
                .meta
                .annotations
                .contains_key("kubernetes.io/ingress.class")
                .then(|| obj.span_of(&["metadata", "annotations", "kubernetes.io/ingress.class"]))
                .or_else(|| {
                    spec.ingress_class_name
                        .as_ref()
                        .map(|_| obj.span_of(&["spec", "ingressClassName"]))
                })
                .unwrap_or_else(|| obj.key_span_of(&["kind"]));
            let missing_class = spec
                .ingress_class_name
                .as_deref()
                .filter(|_| {
                    !obj.meta
                        .annotations
                        .contains_key("kubernetes.io/ingress.class")
                })
                .filter(|c| {
                    !world
                        .resources(Kind::IngressClass)
                        .any(|(o, _)| o.name() == *c)
                });
            let message = match missing_class {
                _ if config.ingress_controller_mode == IngressControllerMode::Off => {
                    "MeshConfig ingressControllerMode is OFF: istiod converts no Ingress".into()
                }
                Some(c) => format!(
                    "IngressClass {c:?} is not in the input: istiod ignores this Ingress unless that class names controller {INGRESS_CONTROLLER}"
                ),
                None => format!(
                    "this Ingress is not of class {:?} (annotation kubernetes.io/ingress.class or an IngressClass with controller {INGRESS_CONTROLLER}): istiod ignores it",
                    config.ingress_class
                ),
            };
            status.note(obj, codes::INGRESS_IGNORED, Severity::Info, span, message);
            continue;
        }
        let ns = obj.namespace();
        let mut servers = Vec::new();
        for (i, tls) in spec.tls.iter().enumerate() {
            let Some(secret) = tls.secret_name.clone().filter(|s| !s.is_empty()) else {
                let i = i.to_string();
                status.note(
                    obj,
                    codes::INGRESS_IGNORED,
                    Severity::Warning,
                    obj.span_of(&["spec", "tls", i.as_str()]),
                    "tls entry without secretName: istiod ignores it".into(),
                );
                continue;
            };
            servers.push(Server {
                port: ServerPort {
                    number: 443,
                    protocol: "HTTPS".into(),
                    name: format!("https-443-ingress-{}-{ns}-{i}", obj.name()),
                    target_port: None,
                },
                hosts: if tls.hosts.is_empty() {
                    vec!["*".into()]
                } else {
                    tls.hosts.clone()
                },
                tls: Some(ServerTls {
                    mode: Some("SIMPLE".into()),
                    credential_name: Some(secret),
                    ..ServerTls::default()
                }),
                bind: None,
                default_endpoint: None,
                name: None,
            });
        }
        servers.push(Server {
            port: ServerPort {
                number: 80,
                protocol: "HTTP".into(),
                name: format!("http-80-ingress-{}-{ns}", obj.name()),
                target_port: None,
            },
            hosts: vec!["*".into()],
            tls: None,
            bind: None,
            default_endpoint: None,
            name: None,
        });
        // Derived Gateways carry no creation time (istiod leaves it zero).
        out.push(derived(
            obj,
            Kind::Gateway,
            meta(gateway_name(obj), INGRESS_NAMESPACE, SortedMap::new(), None),
            Spec::Gateway(Gateway {
                selector: selector(config),
                servers,
            }),
        ));
        if spec.default_backend.is_some() {
            status.note(
                obj,
                codes::INGRESS_IGNORED,
                Severity::Warning,
                obj.key_span_of(&["spec", "defaultBackend"]),
                "defaultBackend is ignored by istiod (it would conflict with VirtualServices); use a rule or a VirtualService".into(),
            );
        }
        for (index, rule) in spec.rules.iter().enumerate() {
            if rule.http.is_none() {
                let i = index.to_string();
                status.note(
                    obj,
                    codes::INGRESS_IGNORED,
                    Severity::Warning,
                    obj.span_of(&["spec", "rules", i.as_str()]),
                    "rule without http paths: istiod ignores it".into(),
                );
                continue;
            }
            rules.push(Rule { obj, index, rule });
        }
    }

    // One VirtualService per host, rules of the oldest Ingress first.
    let host_of = |r: &Rule| {
        r.rule
            .host
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "*".into())
    };
    let mut hosts: Vec<String> = rules.iter().map(host_of).collect();
    order::sort(&mut hosts);
    hosts.dedup();
    for h in hosts {
        let mut group: Vec<&Rule> = rules.iter().filter(|r| host_of(r) == h).collect();
        order::sort_by(&mut group, |a, b| {
            let ts = |r: &Rule| r.obj.meta.creation_timestamp.clone().unwrap_or_default();
            (ts(a), a.obj.name(), a.obj.namespace(), a.index).cmp(&(
                ts(b),
                b.obj.name(),
                b.obj.namespace(),
                b.index,
            ))
        });
        let Some(first) = group.first() else { continue };
        let mut http = Vec::new();
        for r in &group {
            http.extend(rule_routes(world, r, status));
        }
        // Longest path first; exact before prefix at equal length (sortHTTPRoutes).
        order::sort_by(&mut http, |a, b| {
            let (la, ea) = uri_length(a);
            let (lb, eb) = uri_length(b);
            lb.cmp(&la).then(eb.cmp(&ea))
        });
        let obj = first.obj;
        let mut annotations = SortedMap::new();
        annotations.insert(ROUTE_SEMANTICS.to_string(), "ingress".to_string());
        out.push(derived(
            obj,
            Kind::VirtualService,
            meta(
                format!(
                    "{}-{}-{INGRESS_GATEWAY_NAME}",
                    h.replace('.', "-"),
                    obj.name()
                ),
                obj.namespace(),
                annotations,
                None,
            ),
            Spec::VirtualService(VirtualService {
                hosts: vec![h.clone()],
                gateways: vec![format!("{INGRESS_NAMESPACE}/{}", gateway_name(obj))],
                http,
                ..VirtualService::default()
            }),
        ));
    }
}

/// `<name>-istio-autogenerated-k8s-ingress-<namespace>`.
fn gateway_name(obj: &Object) -> String {
    format!("{}-{INGRESS_GATEWAY_NAME}-{}", obj.name(), obj.namespace())
}

fn uri_length(r: &HttpRoute) -> (i64, bool) {
    match r.matches.first().and_then(|m| m.uri.as_ref()) {
        Some(StringMatch { exact: Some(e), .. }) => (e.len() as i64, true),
        Some(StringMatch {
            prefix: Some(p), ..
        }) => (p.len() as i64, false),
        // No match at all ranks like istiod's "should not happen" -1.
        _ => (-1, false),
    }
}

/// createFallbackStringMatch: `*`-ish paths match everything, `x/*` and `x.*` are prefixes,
/// anything else exact.
fn fallback_match(path: &str) -> Option<StringMatch> {
    if matches!(path, "" | "*" | "/*" | ".*") {
        return None;
    }
    if let Some(p) = path.strip_suffix(".*").or_else(|| path.strip_suffix("/*")) {
        return Some(StringMatch {
            prefix: Some(p.to_string()),
            ..StringMatch::default()
        });
    }
    Some(StringMatch {
        exact: Some(path.to_string()),
        ..StringMatch::default()
    })
}

fn rule_routes(world: &World, r: &Rule, status: &mut Status) -> Vec<HttpRoute> {
    let obj = r.obj;
    let ns = obj.namespace();
    let Some(http) = &r.rule.http else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (pi, p) in http.paths.iter().enumerate() {
        let (ri, pi) = (r.index.to_string(), pi.to_string());
        let span = obj.span_of(&["spec", "rules", &ri, "http", "paths", &pi, "backend"]);
        let path = p.path.clone().unwrap_or_default();
        let uri = match p.path_type.as_deref() {
            Some("Exact") => Some(StringMatch {
                exact: Some(path),
                ..StringMatch::default()
            }),
            Some("Prefix") => Some(StringMatch {
                prefix: Some(path),
                ..StringMatch::default()
            }),
            _ => fallback_match(&path),
        };
        let Some(dest) = backend(world, &p.backend, ns) else {
            status.note(
                obj,
                codes::INGRESS_IGNORED,
                Severity::Warning,
                span,
                "backend has no service, or its named port does not resolve: istiod drops this path".into(),
            );
            continue;
        };
        if world
            .service(
                ns,
                p.backend.service.as_ref().map_or("", |s| s.name.as_str()),
            )
            .is_none()
        {
            status.note(
                obj,
                codes::BACKEND_NOT_FOUND,
                Severity::Warning,
                span,
                format!(
                    "BackendNotFound: Service {} not found; requests get 503",
                    dest.host
                ),
            );
        }
        out.push(HttpRoute {
            matches: uri
                .map(|u| {
                    vec![HttpMatch {
                        uri: Some(u),
                        ..HttpMatch::default()
                    }]
                })
                .unwrap_or_default(),
            route: vec![HttpRouteDestination {
                destination: dest,
                weight: Some(100),
                headers: None,
            }],
            ..HttpRoute::default()
        });
    }
    out
}

fn backend(world: &World, b: &IngressBackend, ns: &str) -> Option<Destination> {
    let svc = b.service.as_ref()?;
    let port = match svc.port.number.filter(|n| *n > 0) {
        Some(n) => n,
        None => {
            let name = svc.port.name.as_deref()?;
            world
                .service(ns, &svc.name)?
                .ports
                .iter()
                .find(|p| p.name == name)?
                .port
        }
    };
    Some(Destination {
        host: service_fqdn(&svc.name, ns),
        subset: None,
        port: Some(PortSelector { number: port }),
    })
}
