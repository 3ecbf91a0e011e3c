//! Sidecar outbound listeners, one per service port (istiod's `buildSidecarOutboundListeners`).
//!
//! - HTTP ports share `0.0.0.0_<port>`: one HCM chain (RDS `"<port>"`) matched on the ALPN the
//!   HTTP inspector reports, and a `PassthroughFilterChain` default for anything else.
//! - TCP, TLS and undeclared (sniffed) ports listen on the service VIP (`<VIP>_<port>`): a tcp_proxy
//!   to `outbound|<port>||<host>` (or VirtualService `tcp`/`tls` routes), plus, for sniffed
//!   ports, an HCM chain with RDS `"<host>:<port>"`.
//! - Services with no VIP (headless, address-less ServiceEntries) get one listener per endpoint
//!   for TCP and sniffed ports; CIDR addresses become `prefix_ranges` on a wildcard listener.
//! - Two services on one listener are merged as istiod merges them: HTTP over TCP turns the
//!   listener into a sniffed one, TCP over TCP adds chains with distinct matches.

use super::filters::{self, ChainOpts, HttpClass, HttpOpts, Routes};
use super::{routes, Ctx};
use crate::envoy::{Map, Value};
use crate::host;
use crate::istio::networking::{IstioEgressListener, VirtualService};
use crate::mesh::{OutboundMode, Protocol, Resolution, Service};
use crate::order;
use crate::parse::Object;
use crate::translate::names;
use crate::value;

/// istiod's `ModelProtocolToListenerProtocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListenerProtocol {
    Http,
    Tcp,
    Auto,
    Unknown,
}

pub(crate) fn listener_protocol(p: Protocol) -> ListenerProtocol {
    if p.is_http() {
        ListenerProtocol::Http
    } else if p.is_tcp() {
        ListenerProtocol::Tcp
    } else if p.is_unsupported() {
        ListenerProtocol::Auto
    } else {
        ListenerProtocol::Unknown
    }
}

struct Entry {
    port: u32,
    binds: Vec<String>,
    bind_to_port: bool,
    locked: bool,
    chains: Vec<ChainOpts>,
    /// The listener's protocol: the first service's, `Unsupported` once HTTP and TCP mix.
    protocol: Protocol,
}

#[derive(Clone)]
struct Opts<'a> {
    binds: Vec<String>,
    bind_to_port: bool,
    port: u32,
    protocol: Protocol,
    service: &'a Service,
    cidrs: Vec<String>,
}

impl Opts<'_> {
    fn bind(&self) -> &str {
        self.binds.first().map_or("", String::as_str)
    }
}

type Vss<'a> = Vec<(&'a Object, &'a VirtualService)>;

/// Does this egress listener's `hosts` import the service?
fn imports(ctx: &Ctx, hosts: &[String], svc: &Service) -> bool {
    hosts.iter().any(|h| {
        let (ns, dns) = h.split_once('/').unwrap_or(("*", h.as_str()));
        let ns_ok = match ns {
            "*" => true,
            "." => svc.namespace == ctx.scope.config_namespace(),
            "~" => false,
            other => other == svc.namespace,
        };
        ns_ok && host::matches(dns, &svc.hostname)
    })
}

pub(crate) fn build(ctx: &Ctx) -> Vec<Value> {
    let mut map: Vec<((String, u32), Entry)> = Vec::new();
    let all_vs = ctx.scope.mesh_virtual_services();

    let catch_all = IstioEgressListener {
        hosts: vec!["*/*".into()],
        ..Default::default()
    };
    let egress: Vec<&IstioEgressListener> = match ctx.scope.sidecar {
        Some((_, sc)) if !sc.egress.is_empty() => sc.egress.iter().collect(),
        _ => vec![&catch_all],
    };

    for el in egress {
        let services: Vec<&Service> = ctx
            .services
            .iter()
            .copied()
            .filter(|s| imports(ctx, &el.hosts, s))
            .collect();
        let vss: Vss = all_vs
            .iter()
            .filter(|(o, vs)| {
                vs.hosts.iter().any(|h| {
                    let h = host::resolve(h, o.namespace());
                    el.hosts.iter().any(|eh| {
                        let dns = eh.split_once('/').map_or(eh.as_str(), |(_, d)| d);
                        host::intersects(dns, &h)
                    })
                })
            })
            .copied()
            .collect();
        let bind_to_port = el.capture_mode.as_deref() == Some("NONE")
            || el.bind.as_deref().is_some_and(|b| b.starts_with("unix://"));
        let mut binds = Vec::new();
        if let Some(b) = el.bind.as_deref().filter(|b| !b.is_empty()) {
            binds.push(b.to_string());
        } else if bind_to_port {
            binds.push(ctx.localhost.to_string());
        }

        if let Some(port) = &el.port {
            let protocol = Protocol::parse(&port.protocol);
            if !can_bind(
                ctx,
                binds.first().map(String::as_str),
                port.number,
                protocol,
            ) {
                continue;
            }
            for svc in &services {
                let opts = Opts {
                    binds: binds.clone(),
                    bind_to_port,
                    port: port.number,
                    protocol,
                    service: svc,
                    cidrs: Vec::new(),
                };
                add(ctx, opts, &mut map, &vss);
            }
            continue;
        }

        for (_, e) in map.iter_mut() {
            e.locked = true;
        }
        for svc in &services {
            let address = ctx.service_address(svc);
            for sp in &svc.ports {
                if !can_bind(ctx, binds.first().map(String::as_str), sp.port, sp.protocol) {
                    continue;
                }
                let opts = Opts {
                    binds: binds.clone(),
                    bind_to_port,
                    port: sp.port,
                    protocol: sp.protocol,
                    service: svc,
                    cidrs: Vec::new(),
                };
                let sniffed_or_tcp = sp.protocol.is_tcp() || sp.protocol.is_unsupported();
                if binds.is_empty()
                    && svc.resolution == Resolution::Passthrough
                    && address == ctx.wildcard
                    && sniffed_or_tcp
                {
                    let instances: Vec<&str> = svc
                        .endpoints
                        .iter()
                        .filter(|e| e.port_for(sp.port).is_some())
                        .map(|e| e.address.as_str())
                        .collect();
                    if !svc.is_kube() && instances.is_empty() && svc.selector.is_none() {
                        add(ctx, opts, &mut map, &vss);
                        continue;
                    }
                    for ip in instances {
                        if ip.parse::<std::net::IpAddr>().is_err() || ip == ctx.proxy.ip() {
                            continue;
                        }
                        let mut o = opts.clone();
                        o.binds = vec![ip.to_string()];
                        add(ctx, o, &mut map, &vss);
                    }
                } else {
                    add(ctx, opts, &mut map, &vss);
                }
            }
        }
    }

    order::sort_by(&mut map, |((a_bind, a_port), _), ((b_bind, b_port), _)| {
        (a_port, a_bind).cmp(&(b_port, b_bind))
    });
    map.into_iter()
        .map(|(_, entry)| finalize(ctx, entry))
        .collect()
}

/// istiod's `CanBindToPort` for redirected listeners: never take the capture ports.
fn can_bind(ctx: &Ctx, bind: Option<&str>, port: u32, protocol: Protocol) -> bool {
    match bind {
        Some(b) if b != ctx.wildcard => return true,
        None if !protocol.is_http() => return true,
        _ => {}
    }
    let cfg = &ctx.mesh.config;
    port != cfg.proxy_listen_port && port != cfg.proxy_inbound_listen_port
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conflict {
    None,
    HttpOverTcp,
    TcpOverHttp,
    TcpOverTcp,
    TcpOverAuto,
    AutoOverHttp,
    AutoOverTcp,
}

fn add<'a>(ctx: &Ctx, mut opts: Opts<'a>, map: &mut Vec<((String, u32), Entry)>, vss: &Vss) {
    // ExternalName services are aliases: their traffic goes to the concrete service's listener.
    if opts.service.external_name.is_some() {
        return;
    }
    let lp = listener_protocol(opts.protocol);
    let mut entry_protocol = opts.protocol;
    match lp {
        ListenerProtocol::Tcp | ListenerProtocol::Auto => {
            if opts.binds.is_empty() {
                let mut addrs = vec![ctx.service_address(opts.service)];
                addrs.extend(opts.service.addresses.iter().skip(1).cloned());
                if addrs[0].contains('/') {
                    opts.binds = vec![ctx.wildcard.to_string()];
                    opts.cidrs = addrs;
                } else {
                    opts.binds = addrs;
                }
            }
        }
        ListenerProtocol::Http => {
            if opts.binds.is_empty() {
                opts.binds = vec![ctx.wildcard.to_string()];
            }
        }
        ListenerProtocol::Unknown => return,
    }
    let key = (opts.bind().to_string(), opts.port);
    let current = map.iter().position(|(k, _)| *k == key);
    if let Some(i) = current {
        if map[i].1.locked {
            return;
        }
    }
    let cur_proto = current.map(|i| map[i].1.protocol);

    let mut conflict = Conflict::None;
    let chains: Vec<ChainOpts>;
    if opts.protocol == Protocol::HttpProxy {
        chains = vec![http_chain(ctx, &opts, lp)];
    } else {
        match lp {
            ListenerProtocol::Http => {
                if let Some(cp) = cur_proto {
                    if cp.is_tcp() {
                        conflict = Conflict::HttpOverTcp;
                    } else {
                        return;
                    }
                }
                let mut c = http_chain(ctx, &opts, lp);
                if opts.bind() == ctx.wildcard {
                    c.application_protocols = filters::strings(filters::PLAINTEXT_HTTP_ALPNS);
                    c.transport_protocol = Some(filters::RAW_BUFFER_TRANSPORT);
                    entry_protocol = Protocol::Unsupported;
                }
                chains = vec![c];
            }
            ListenerProtocol::Tcp => {
                chains = tcp_chains(ctx, &opts, vss);
                if let Some(cp) = cur_proto {
                    conflict = if cp.is_http() {
                        Conflict::TcpOverHttp
                    } else if cp.is_tcp() {
                        Conflict::TcpOverTcp
                    } else {
                        Conflict::TcpOverAuto
                    };
                }
            }
            ListenerProtocol::Auto => {
                let mut auto_over_auto = false;
                if let Some(cp) = cur_proto {
                    conflict = if cp.is_http() {
                        Conflict::AutoOverHttp
                    } else if cp.is_tcp() {
                        Conflict::AutoOverTcp
                    } else {
                        auto_over_auto = true;
                        Conflict::TcpOverAuto
                    };
                }
                if auto_over_auto {
                    chains = tcp_chains(ctx, &opts, vss);
                } else {
                    let mut all = tcp_chains(ctx, &opts, vss);
                    let mut h = http_chain(ctx, &opts, lp);
                    h.application_protocols = filters::strings(filters::PLAINTEXT_HTTP_ALPNS);
                    h.transport_protocol = Some(filters::RAW_BUFFER_TRANSPORT);
                    all.push(h);
                    chains = all;
                }
            }
            ListenerProtocol::Unknown => return,
        }
    }

    // Mongo and MySQL never share a port with anything else.
    if let Some(cp) = cur_proto {
        if conflict != Conflict::None {
            let special = |p: Protocol| matches!(p, Protocol::Mongo | Protocol::Mysql);
            if (special(opts.protocol) || special(cp)) && opts.protocol != cp {
                return;
            }
        }
    }

    match (conflict, current) {
        (Conflict::None | Conflict::AutoOverHttp, Some(i)) => {
            map[i].1 = Entry {
                port: opts.port,
                binds: opts.binds,
                bind_to_port: opts.bind_to_port,
                locked: false,
                chains,
                protocol: entry_protocol,
            };
        }
        (Conflict::None | Conflict::AutoOverHttp, None) => map.push((
            key,
            Entry {
                port: opts.port,
                binds: opts.binds,
                bind_to_port: opts.bind_to_port,
                locked: false,
                chains,
                protocol: entry_protocol,
            },
        )),
        (Conflict::HttpOverTcp | Conflict::TcpOverHttp | Conflict::AutoOverTcp, Some(i)) => {
            merge(&mut map[i].1, chains);
            map[i].1.protocol = Protocol::Unsupported;
        }
        (Conflict::TcpOverTcp | Conflict::TcpOverAuto, Some(i)) => merge(&mut map[i].1, chains),
        _ => {}
    }
}

/// Add chains whose matches differ from every existing chain (istiod's `mergeTCPFilterChains`).
fn merge(entry: &mut Entry, incoming: Vec<ChainOpts>) {
    for c in incoming {
        if !entry.chains.iter().any(|e| e.conflicts_with(&c)) {
            entry.chains.push(c);
        }
    }
}

/// The HCM chain of an HTTP or sniffed port (istiod's `buildSidecarOutboundHTTPListenerOpts`).
fn http_chain(ctx: &Ctx, opts: &Opts, lp: ListenerProtocol) -> ChainOpts {
    let rds = if opts.port == 0 {
        opts.bind().to_string()
    } else if lp == ListenerProtocol::Auto && opts.bind() != ctx.wildcard {
        format!("{}:{}", opts.service.hostname, opts.port)
    } else {
        opts.port.to_string()
    };
    let mut http = HttpOpts::new(HttpClass::SidecarOutbound, Routes::Rds(rds));
    http.grpc_web = opts.protocol == Protocol::GrpcWeb;
    if ctx.outbound_mode() == OutboundMode::AllowAnyDynamicDns {
        http.extra_filters
            .push(super::catch_all::dfp_http_filter(ctx));
    }
    ChainOpts::http(http)
}

/// TLS and TCP chains for a TCP or sniffed port (istiod's `buildSidecarOutboundTCPListenerOpts`).
fn tcp_chains(ctx: &Ctx, opts: &Opts, vss: &Vss) -> Vec<ChainOpts> {
    let configs = routes::for_service(vss, opts.service);
    let mut out = tls_chains(ctx, opts, &configs);
    out.extend(plain_tcp_chains(ctx, opts, &configs));
    out
}

fn source_matches(
    ctx: &Ctx,
    gateways: &[String],
    labels: &crate::sorted::SortedMap<String, String>,
    port: Option<u32>,
    source_ns: Option<&str>,
    listener_port: u32,
) -> bool {
    let gw = gateways.is_empty() || gateways.iter().any(|g| g == "mesh");
    let lbl = labels
        .iter()
        .all(|(k, v)| ctx.proxy.labels.get(k) == Some(v));
    let p = port.is_none_or(|p| p == 0 || p == listener_port);
    let ns = source_ns.is_none_or(|n| n.is_empty() || n == ctx.proxy.namespace);
    gw && lbl && p && ns
}

fn default_cluster(opts: &Opts) -> String {
    let port = if opts.service.ports.len() == 1 {
        opts.service.ports[0].port
    } else {
        opts.port
    };
    names::outbound_cluster(port, "", &opts.service.hostname)
}

fn tls_chains(ctx: &Ctx, opts: &Opts, configs: &Vss) -> Vec<ChainOpts> {
    if !opts.protocol.is_tls() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut handled: Vec<String> = Vec::new();
    let mut cidrs = opts.cidrs.clone();
    let mut has_match = false;
    for (obj, vs) in configs {
        for tls in &vs.tls {
            if tls.route.is_empty() {
                continue;
            }
            for m in &tls.matches {
                if !source_matches(
                    ctx,
                    &m.gateways,
                    &m.source_labels,
                    m.port,
                    m.source_namespace.as_deref(),
                    opts.port,
                ) {
                    continue;
                }
                if !m.destination_subnets.is_empty() && opts.port > 0 {
                    cidrs = m.destination_subnets.clone();
                }
                let key = format!(
                    "{}|{}",
                    m.sni_hosts.join(","),
                    m.destination_subnets.join(",")
                );
                if !handled.contains(&key) {
                    out.push(ChainOpts {
                        metadata: Some(routes::vs_metadata(obj)),
                        sni_hosts: m.sni_hosts.clone(),
                        destination_cidrs: cidrs.clone(),
                        network_filters: routes::network_filters(ctx, &tls.route, opts.port, obj),
                        ..Default::default()
                    });
                    has_match = true;
                }
                handled.push(key);
            }
        }
    }
    if !has_match {
        let cluster = default_cluster(opts);
        let mut address = ctx.service_address(opts.service);
        if address.contains('/') {
            address = String::new();
        }
        let mut sni = Vec::new();
        if !opts.cidrs.is_empty()
            || address.is_empty()
            || (address == ctx.wildcard && opts.bind() == ctx.wildcard)
        {
            sni.push(opts.service.hostname.clone());
            for alias in aliases(ctx, opts.service) {
                let alts = alt_hosts(&alias, &ctx.proxy.config_namespace);
                sni.push(alias);
                sni.extend(alts);
            }
        }
        out.push(ChainOpts {
            sni_hosts: sni,
            destination_cidrs: opts.cidrs.clone(),
            network_filters: vec![filters::tcp_proxy(&cluster)],
            ..Default::default()
        });
    }
    out
}

/// ExternalName services that point at this one (istiod's `Service.Attributes.Aliases`).
fn aliases(ctx: &Ctx, svc: &Service) -> Vec<String> {
    if !svc.is_kube() {
        return Vec::new();
    }
    ctx.mesh
        .services
        .iter()
        .filter(|s| {
            s.external_name.as_deref().is_some_and(|target| {
                target.trim_end_matches('.') == svc.hostname
                    || host::resolve(target, &s.namespace) == svc.hostname
            })
        })
        .map(|s| s.hostname.clone())
        .collect()
}

/// Short forms of a Kubernetes hostname as seen from the proxy's namespace
/// (istiod's `GenerateAltVirtualHosts`, without ports).
fn alt_hosts(hostname: &str, proxy_ns: &str) -> Vec<String> {
    let Some(stem) = hostname.strip_suffix(".svc.cluster.local") else {
        return Vec::new();
    };
    let Some((name, ns)) = stem.split_once('.') else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if ns == proxy_ns {
        out.push(name.to_string());
    }
    out.push(format!("{name}.{ns}"));
    out.push(format!("{name}.{ns}.svc"));
    out
}

fn plain_tcp_chains(ctx: &Ctx, opts: &Opts, configs: &Vss) -> Vec<ChainOpts> {
    if opts.protocol.is_tls() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut default_added = false;
    'vs: for (obj, vs) in configs {
        for tcp in &vs.tcp {
            if tcp.route.is_empty() {
                continue;
            }
            if tcp.matches.is_empty() {
                out.push(ChainOpts {
                    metadata: Some(routes::vs_metadata(obj)),
                    destination_cidrs: opts.cidrs.clone(),
                    network_filters: routes::network_filters(ctx, &tcp.route, opts.port, obj),
                    ..Default::default()
                });
                default_added = true;
                break 'vs;
            }
            let mut subnets: Vec<String> = Vec::new();
            for m in &tcp.matches {
                if !source_matches(
                    ctx,
                    &m.gateways,
                    &m.source_labels,
                    m.port,
                    m.source_namespace.as_deref(),
                    opts.port,
                ) {
                    continue;
                }
                if m.destination_subnets.is_empty() || opts.port == 0 {
                    out.push(ChainOpts {
                        metadata: Some(routes::vs_metadata(obj)),
                        destination_cidrs: opts.cidrs.clone(),
                        network_filters: routes::network_filters(ctx, &tcp.route, opts.port, obj),
                        ..Default::default()
                    });
                    default_added = true;
                    break 'vs;
                }
                subnets.extend(m.destination_subnets.iter().cloned());
            }
            if !subnets.is_empty() {
                out.push(ChainOpts {
                    destination_cidrs: subnets.clone(),
                    network_filters: routes::network_filters(ctx, &tcp.route, opts.port, obj),
                    ..Default::default()
                });
                let mut a = subnets;
                order::sort(&mut a);
                let mut b = opts.cidrs.clone();
                order::sort(&mut b);
                if a == b {
                    default_added = true;
                }
            }
        }
    }
    if !default_added {
        out.push(ChainOpts {
            destination_cidrs: opts.cidrs.clone(),
            network_filters: vec![filters::tcp_proxy(&default_cluster(opts))],
            ..Default::default()
        });
    }
    out
}

/// Serialise one listener (istiod's `buildListenerFromEntry`).
fn finalize(ctx: &Ctx, entry: Entry) -> Value {
    let bind = entry
        .binds
        .first()
        .cloned()
        .unwrap_or_else(|| ctx.wildcard.to_string());
    let name = names::listener(&bind, entry.port);
    let mut l = Map::new();
    l.insert("name".into(), value!(&name));
    l.insert("address".into(), filters::address(&bind, entry.port));
    if entry.binds.len() > 1 {
        let extra: Vec<Value> = entry.binds[1..]
            .iter()
            .map(|b| value!({"address": filters::address(b, entry.port)}))
            .collect();
        l.insert("additional_addresses".into(), Value::Array(extra));
    }

    let needs_tls = entry.chains.iter().any(ChainOpts::needs_tls_inspector);
    let needs_http = entry
        .chains
        .iter()
        .any(|c| !c.application_protocols.is_empty());
    let mut listener_filters = Vec::new();
    if needs_tls {
        listener_filters.push(filters::tls_inspector());
    }
    if needs_http {
        listener_filters.push(filters::http_inspector());
    }

    let stat_prefix = format!("outbound_{name};");
    let mut chains = Vec::new();
    let mut default_chain: Option<Value> = None;
    for c in &entry.chains {
        let mut c = c.clone();
        c.connect_timeout = Some(filters::TRANSPORT_SOCKET_CONNECT_TIMEOUT);
        let chain = c.to_json(&stat_prefix, &ctx.tel, HttpClass::SidecarOutbound);
        if c.is_match_all() {
            default_chain = Some(chain);
        } else {
            chains.push(chain);
        }
    }
    if chains.is_empty() {
        if let Some(d) = default_chain.take() {
            chains.push(d);
        }
    } else if default_chain.is_none() {
        default_chain = Some(filters::passthrough_filter_chain(
            ctx.catch_all_cluster(),
            &ctx.tel,
        ));
    }
    l.insert("filter_chains".into(), Value::Array(chains));
    if let Some(d) = default_chain {
        l.insert("default_filter_chain".into(), d);
    }
    if !listener_filters.is_empty() {
        l.insert("listener_filters".into(), Value::Array(listener_filters));
    }
    l.insert("listener_filters_timeout".into(), value!("0s"));
    l.insert("continue_on_listener_filters_timeout".into(), value!(true));
    l.insert("traffic_direction".into(), value!("OUTBOUND"));
    if !entry.bind_to_port {
        l.insert("bind_to_port".into(), value!(false));
    }
    Value::Object(l)
}
