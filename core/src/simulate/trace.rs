//! The whole path of a request through the mesh: from the first proxy to the endpoint it picks,
//! into the workload owning that IP (its sidecar's inbound side), into the application, and on
//! through the application's own calls. The result is a tree of hops.
//!
//! The walk needs only a [`World`]: for each proxy its generated Envoy config, its IPs and what
//! its application calls. [`World::from_mesh`] builds one from a loaded mesh with every proxy
//! translated; [`World::lazy`] translates a proxy the first time a trace visits it.

use crate::sorted::SortedMap;

use serde::{Deserialize, Serialize};

use super::outcome::{Outcome, Stage};
use super::request::{Mode, Protocol, Request, Tls};
use super::rng::Rng;
use super::simulate_with;
use crate::envoy::ProxyConfig;
use crate::order;
use std::cell::OnceCell;
use std::rc::Rc;

/// One call an application makes while serving a request (Bookinfo: productpage calls
/// `details:9080/details/0`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// A proxy of the mesh, as the trace sees it.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Proxy name (pod or gateway name).
    pub proxy: String,
    /// The workload the proxy belongs to (`productpage-v1`, `istio-ingressgateway`).
    pub workload: String,
    pub namespace: String,
    pub is_gateway: bool,
    pub ips: Vec<String>,
    /// The generated config: given, or translated on the first visit ([`World::config`]).
    pub config: OnceCell<ProxyConfig>,
    pub calls: Vec<Call>,
    /// Request headers the application copies onto its own calls (`end-user`).
    pub forward_headers: Vec<String>,
    /// Service port -> target port of the Service in front of a gateway (80 -> 8080), so a
    /// request to the gateway's Service port reaches the right listener.
    pub port_map: Vec<(u16, u16)>,
    /// The workload's identity (`cluster.local/ns/default/sa/bookinfo-productpage`): what its
    /// client certificate names when it calls another sidecar over mTLS.
    pub principal: String,
}

/// The proxies a trace can visit.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub nodes: Vec<Node>,
    /// Workloads without a proxy: (IP, workload). A request reaching one ends there.
    pub plain: Vec<(String, String)>,
    /// Where each AuthorizationPolicy rule is in the user's YAML: (`istio.config` path, rule
    /// index) -> (file, line). Authorization decisions name their rule's lines from it.
    pub rule_lines: SortedMap<(String, usize), (String, u32)>,
    /// Translates a node's proxy when its config was not given (a lazy world).
    pub translate: Option<Translator>,
}

/// What a lazy [`World`] translates a node's proxy with.
#[derive(Clone)]
pub struct Translator(pub Rc<dyn Fn(&Node) -> ProxyConfig>);

impl std::fmt::Debug for Translator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Translator")
    }
}

impl World {
    /// A node's generated config, translated now if this is its first use. A node of a world
    /// without a translator and without a config has an empty one.
    pub fn config<'w>(&'w self, node: &'w Node) -> &'w ProxyConfig {
        node.config.get_or_init(|| match &self.translate {
            Some(Translator(t)) => t(node),
            None => ProxyConfig::default(),
        })
    }

    /// How many nodes have their config (given or translated so far).
    pub fn translated(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| n.config.get().is_some())
            .count()
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes
            .iter()
            .find(|n| n.proxy == name)
            .or_else(|| self.nodes.iter().find(|n| n.workload == name))
            .or_else(|| {
                // "productpage" finds "productpage-v1"; "ingressgateway" finds "istio-ingressgateway".
                self.nodes.iter().find(|n| {
                    n.workload.starts_with(&format!("{name}-"))
                        || n.workload.ends_with(&format!("-{name}"))
                })
            })
    }

    pub fn node_by_ip(&self, ip: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.ips.iter().any(|i| i == ip))
    }

    /// The ingress gateway a trace starts at by default.
    pub fn default_gateway(&self) -> Option<&Node> {
        self.nodes
            .iter()
            .find(|n| n.is_gateway && n.workload.contains("ingress"))
            .or_else(|| self.nodes.iter().find(|n| n.is_gateway))
    }
}

/// One proxy's handling of the request, and what followed from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    /// The workload whose proxy handled this hop.
    pub workload: String,
    pub proxy: String,
    /// `gateway`, `outbound` (the application's call leaving its sidecar) or `inbound`.
    pub direction: Mode,
    /// Where the request went next: the workload owning the chosen endpoint, this workload's own
    /// application for an inbound hop, or None when it left the mesh or stopped here.
    pub to_workload: Option<String>,
    /// The request as this proxy received it.
    pub request: Request,
    /// Every decision of this proxy.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// A copy sent by a mirror policy: its response is ignored.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mirror: bool,
    /// Notes about the step between proxies (port translation, mTLS, external destination).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub children: Vec<Hop>,
}

impl Hop {
    /// All hops of the tree, depth first.
    pub fn walk(&self) -> Vec<&Hop> {
        let mut v = vec![self];
        for c in &self.children {
            v.extend(c.walk());
        }
        v
    }

    /// Every workload the request reached (each hop's workload and destination), sorted.
    pub fn workloads(&self) -> Vec<String> {
        let mut w: Vec<String> = self
            .walk()
            .iter()
            .flat_map(|h| std::iter::once(h.workload.clone()).chain(h.to_workload.clone()))
            .collect();
        order::sort(&mut w);
        w.dedup();
        w
    }

    /// The indented tree the CLI prints with `-o short`.
    pub fn short(&self) -> String {
        let mut s = String::new();
        self.short_into(&mut s, 0);
        s
    }

    fn short_into(&self, s: &mut String, depth: usize) {
        let o = &self.outcome;
        let dir = match self.direction {
            Mode::Outbound => "outbound",
            Mode::Inbound => "inbound",
            Mode::Gateway => "gateway",
        };
        let target = if self.request.protocol.is_http() {
            format!(
                "{} {}{} (to :{})",
                self.request.method,
                if self.request.host.is_empty() {
                    ""
                } else {
                    &self.request.host
                },
                self.request.path,
                self.request.port
            )
        } else {
            format!("tcp {}:{}", self.request.address, self.request.port)
        };
        let mirror = if self.mirror { " (mirror copy)" } else { "" };
        let mut line = format!(
            "{}{} [{dir}]{mirror} {target}",
            "  ".repeat(depth),
            self.workload
        );
        if let Some(r) = &o.route {
            line.push_str(&format!(
                " | route {}",
                if r.is_empty() { "(unnamed)" } else { r }
            ));
        }
        if let Some(c) = &o.cluster {
            line.push_str(&format!(" | {c}"));
        }
        if let Some(e) = &o.endpoint {
            line.push_str(&format!(" | {}", e.address));
        }
        if let Some(f) = &o.properties.fault {
            if f.aborted {
                line.push_str(" | fault abort");
            }
            if f.delayed {
                line.push_str(&format!(
                    " | fault delay {}",
                    f.delay.clone().unwrap_or_default()
                ));
            }
        }
        if let Some(st) = o.status {
            line.push_str(&format!(" | {st}"));
            if let Some(f) = &o.response_flag {
                line.push_str(&format!(" {f}"));
            }
            if let Some(d) = &o.response_code_details {
                line.push_str(&format!(" {d}"));
            }
        }
        if o.connection_closed {
            line.push_str(" | connection closed");
            if let Some(d) = &o.response_code_details {
                line.push_str(&format!(" {d}"));
            }
        }
        for d in o.authz.iter().filter(|d| d.dry_run) {
            line.push_str(&format!(
                " | dry run: {} {}",
                d.result,
                d.policy.as_deref().unwrap_or("(no policy)")
            ));
        }
        if let Some(e) = o.error {
            line.push_str(&format!(" | error: {e}"));
        }
        match &self.to_workload {
            Some(w) => line.push_str(&format!(" -> {w}")),
            None if o.forwarded() => line.push_str(" -> (outside the mesh)"),
            None => {}
        }
        s.push_str(&line);
        s.push('\n');
        for c in &self.children {
            c.short_into(s, depth + 1);
        }
    }
}

/// How many of N seeded requests reached each workload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub runs: usize,
    /// Workload -> number of runs in which the request reached it.
    pub workloads: SortedMap<String, usize>,
    /// Status a proxy answered with locally -> number of runs (404, 503, fault aborts ...).
    pub local_responses: SortedMap<u16, usize>,
}

impl Sample {
    pub fn short(&self) -> String {
        let mut s = format!("{} runs\n", self.runs);
        for (w, n) in &self.workloads {
            s.push_str(&format!(
                "{w:<28}{n:>6}  {:5.1}%\n",
                *n as f64 * 100.0 / self.runs.max(1) as f64
            ));
        }
        for (st, n) in &self.local_responses {
            s.push_str(&format!("local response {st:<13}{n:>6}\n"));
        }
        s
    }
}

/// Hops deeper than this stop (a call loop between applications).
const MAX_DEPTH: usize = 24;

/// Trace one request from `from` (a proxy or workload name; the ingress gateway when None).
pub fn trace(world: &World, from: Option<&str>, req: &Request, seed: u64) -> Result<Hop, String> {
    let start = match from {
        Some(name) => world
            .node(name)
            .ok_or_else(|| format!("no proxy or workload named {name:?}"))?,
        None => world.default_gateway().ok_or_else(|| {
            "no ingress gateway in this mesh; pick a proxy with --from".to_string()
        })?,
    };
    let mut req = req.clone();
    let mut notes = Vec::new();
    if start.is_gateway && req.mode == Mode::Outbound {
        req.mode = Mode::Gateway;
    }
    if req.mode == Mode::Inbound && req.address.is_empty() {
        // A request arriving at this workload is addressed to its own IP.
        req.address = start.ips.first().cloned().unwrap_or_default();
    }
    if start.is_gateway {
        notes.extend(map_gateway_port(
            world.config(start),
            &start.port_map,
            &mut req,
        ));
    }
    let mut rng = Rng::new(seed);
    Ok(hop(world, start, req, notes, &mut rng, 0))
}

/// A request to a gateway's Service port (80) reaches the target port (8080) the gateway listens
/// on: rewrite the port when the proxy has no listener on it but its Service maps it. Returns a
/// note saying so.
pub fn map_gateway_port(
    cfg: &ProxyConfig,
    port_map: &[(u16, u16)],
    req: &mut Request,
) -> Option<String> {
    let (sp, tp) = *port_map
        .iter()
        .find(|(sp, tp)| *sp == req.port && sp != tp)?;
    let has_listener_on_port = cfg.listeners.iter().any(|l| {
        l.pointer("/address/socket_address/port_value")
            .and_then(crate::envoy::Value::as_u64)
            == Some(req.port as u64)
    });
    if has_listener_on_port {
        return None;
    }
    req.port = tp;
    Some(format!(
        "the gateway's Service maps port {sp} to target port {tp}"
    ))
}

/// Trace `runs` requests with seeds `seed`, `seed + 1`, ... and count where they went.
pub fn sample(
    world: &World,
    from: Option<&str>,
    req: &Request,
    seed: u64,
    runs: usize,
) -> Result<Sample, String> {
    let mut s = Sample {
        runs,
        ..Sample::default()
    };
    for i in 0..runs {
        let h = trace(world, from, req, seed.wrapping_add(i as u64))?;
        for w in h.workloads() {
            *s.workloads.entry(w).or_default() += 1;
        }
        let mut statuses: Vec<u16> = h.walk().iter().filter_map(|h| h.outcome.status).collect();
        order::sort(&mut statuses);
        statuses.dedup();
        for st in statuses {
            *s.local_responses.entry(st).or_default() += 1;
        }
    }
    Ok(s)
}

fn hop(
    world: &World,
    node: &Node,
    req: Request,
    notes: Vec<String>,
    rng: &mut Rng,
    depth: usize,
) -> Hop {
    let req = req.with_defaults();
    let mut outcome = simulate_with(world.config(node), &req, rng, &super::Options::default());
    for d in &mut outcome.authz {
        let named = d
            .policy
            .as_deref()
            .or(d.candidates.first().map(String::as_str));
        let rule = named.and_then(super::authz::parse_rule_name);
        if let (Some(path), Some((_, _, i))) = (&d.config_path, rule) {
            if let Some((file, line)) = world.rule_lines.get(&(path.clone(), i)) {
                d.file = Some(file.clone());
                d.line = Some(*line);
            }
        }
    }
    let mut h = Hop {
        workload: node.workload.clone(),
        proxy: node.proxy.clone(),
        direction: req.mode,
        to_workload: None,
        request: req.clone(),
        outcome,
        mirror: false,
        notes,
        children: Vec::new(),
    };
    if !h.outcome.forwarded() || depth >= MAX_DEPTH {
        if depth >= MAX_DEPTH {
            h.notes
                .push("trace depth limit reached (call loop?)".into());
        }
        return h;
    }
    let ep = h
        .outcome
        .endpoint
        .clone()
        .expect("forwarded has an endpoint");
    // The request as the upstream sees it: rewrites and added headers applied.
    let props = &h.outcome.properties;
    let mut next = req.clone();
    if let Some(p) = &props.rewritten_path {
        next.path = p.clone();
    }
    if let Some(hh) = &props.rewritten_host {
        next.host = hh.clone();
    }
    for (k, v) in &props.request_headers_added {
        next.headers.insert(k.clone(), v.clone());
    }
    if h.outcome.strip_jwt {
        // jwt_authn removes a verified token unless the provider forwards it.
        next.jwt = None;
    }

    if req.mode == Mode::Inbound {
        // Delivered to the application of this workload; it makes its own calls.
        h.to_workload = Some(node.workload.clone());
        for call in &node.calls {
            let mut headers = SortedMap::new();
            for name in &node.forward_headers {
                if let Some(v) = next.header(name) {
                    headers.insert(name.clone(), v.to_string());
                }
            }
            let address = resolve_vip(world.config(node), &call.host).unwrap_or_default();
            let call_req = Request {
                mode: Mode::Outbound,
                address,
                port: call.port,
                protocol: if next.protocol == Protocol::Http2 {
                    Protocol::Http2
                } else {
                    Protocol::Http
                },
                tls: Tls::Plaintext,
                host: format!("{}:{}", call.host, call.port),
                path: call.path.clone(),
                method: "GET".into(),
                headers,
                jwt: node
                    .forward_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case("authorization"))
                    .then(|| next.jwt.clone())
                    .flatten(),
                ..Request::default()
            };
            let mut notes = vec![format!(
                "the {} application calls {}:{}{}",
                node.workload, call.host, call.port, call.path
            )];
            if !node.forward_headers.is_empty() {
                notes.push(format!(
                    "it forwards headers [{}]",
                    node.forward_headers.join(", ")
                ));
            }
            h.children
                .push(hop(world, node, call_req, notes, rng, depth + 1));
        }
        return h;
    }

    // Mirrored copies: Envoy sends them to the mirror cluster with "-shadow" on the host.
    for m in h.outcome.properties.mirrors.clone() {
        if !m.mirrored {
            continue;
        }
        let mut mo = Outcome::default();
        super::cluster::resolve(world.config(node), &m.cluster, &req, true, rng, &mut mo);
        let Some(mep) = mo.endpoint.clone() else {
            h.notes
                .push(format!("mirror cluster {} has no endpoint", m.cluster));
            continue;
        };
        if let Some(dest) = world.node_by_ip(&mep.ip) {
            let shadow = Request {
                mode: Mode::Inbound,
                address: mep.ip.clone(),
                port: mep.port,
                source_principal: if mep.mtls {
                    node.principal.clone()
                } else {
                    String::new()
                },
                source_ip: node.ips.first().cloned().unwrap_or_default(),
                tls: if mep.mtls { Tls::Mtls } else { Tls::Plaintext },
                alpn: String::new(),
                sni: String::new(),
                host: shadow_host(&next.host),
                ..next.clone()
            };
            let notes = vec![format!(
                "{} mirrors a copy to {} ({}); its response is ignored",
                node.workload, mep.address, m.cluster
            )];
            let mut child = hop(world, dest, shadow, notes, rng, depth + 1);
            child.mirror = true;
            h.children.push(child);
        }
    }

    match world.node_by_ip(&ep.ip) {
        Some(dest) if !dest.is_gateway || dest.proxy != node.proxy => {
            h.to_workload = Some(dest.workload.clone());
            let inbound = Request {
                mode: Mode::Inbound,
                address: ep.ip.clone(),
                port: ep.port,
                tls: if ep.mtls { Tls::Mtls } else { Tls::Plaintext },
                alpn: String::new(),
                sni: String::new(),
                // The callee sees this proxy: its address, and its certificate over mTLS.
                source_principal: if ep.mtls {
                    node.principal.clone()
                } else {
                    String::new()
                },
                source_ip: node.ips.first().cloned().unwrap_or_default(),
                ..next
            };
            let notes = vec![if ep.mtls {
                format!(
                    "{} connects to {} over Istio mTLS",
                    node.workload, ep.address
                )
            } else {
                format!("{} connects to {} in plaintext", node.workload, ep.address)
            }];
            if dest.is_gateway {
                let mut gw = inbound;
                gw.mode = Mode::Gateway;
                gw.tls = Tls::Plaintext;
                h.children.push(hop(world, dest, gw, notes, rng, depth + 1));
            } else {
                h.children
                    .push(hop(world, dest, inbound, notes, rng, depth + 1));
            }
        }
        _ => {
            if let Some((_, w)) = world.plain.iter().find(|(ip, _)| *ip == ep.ip) {
                h.to_workload = Some(w.clone());
                h.notes.push(format!(
                    "{} is {w}, which has no sidecar: the trace ends there",
                    ep.address
                ));
                return h;
            }
            h.notes.push(format!(
                "{} belongs to no proxy of this mesh: the request leaves the mesh",
                ep.address
            ));
            h.outcome.step(
                Stage::Endpoint,
                ep.address.clone(),
                "the endpoint is outside the mesh",
            );
        }
    }
    h
}

/// Envoy's shadow host: `-shadow` appended to the host name, before any port.
fn shadow_host(host: &str) -> String {
    match host.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => {
            format!("{h}-shadow:{p}")
        }
        _ => format!("{host}-shadow"),
    }
}

/// The service VIP an application's DNS lookup of `host` would return: a domain of some virtual
/// host that names `host` and parses as an IP. None for headless or unknown hosts.
fn resolve_vip(cfg: &ProxyConfig, host: &str) -> Option<String> {
    let host = host.to_ascii_lowercase();
    for rc in &cfg.routes {
        for vh in rc
            .get("virtual_hosts")
            .and_then(crate::envoy::Value::as_array)
            .into_iter()
            .flatten()
        {
            let domains: Vec<&str> = vh
                .get("domains")
                .and_then(crate::envoy::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(crate::envoy::Value::as_str)
                .collect();
            if domains.iter().any(|d| d.eq_ignore_ascii_case(&host)) {
                if let Some(ip) = domains.iter().find(|d| {
                    d.trim_matches(['[', ']'])
                        .parse::<std::net::IpAddr>()
                        .is_ok()
                }) {
                    return Some(ip.trim_matches(['[', ']']).to_string());
                }
            }
        }
    }
    None
}
