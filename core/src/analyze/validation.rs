//! The validating webhook's rules (pkg/config/validation): what `kubectl apply` would reject
//! (IST0106, Error) or accept with a warning (IST0133). The loader already rejects unknown fields
//! and wrong types; these are the rules on values.

use super::checks;
use super::{codes, fp, Ctx};
use crate::istio::networking::{
    ClientTls, ConnectionPool, Destination, DestinationRule, Gateway, Headers, HttpRoute,
    LoadBalancer, OutlierDetection, Percent, Server, ServerTls, ServiceEntry, Sidecar,
    TrafficPolicy, VirtualService,
};
use crate::istio::security::PeerAuthentication;
use crate::istio::StringMatch;
use crate::mesh::Protocol;
use crate::parse::{Object, Spec};
use crate::translate::route::http::GRPC_STATUS;

/// Findings on one object, reported together.
struct V<'o> {
    obj: &'o Object,
    found: Vec<(Vec<String>, String, bool)>,
}

impl<'o> V<'o> {
    fn new(obj: &'o Object) -> Self {
        V {
            obj,
            found: Vec::new(),
        }
    }

    fn err(&mut self, path: &[String], msg: impl Into<String>) {
        self.found.push((path.to_vec(), msg.into(), false));
    }

    fn warn(&mut self, path: &[String], msg: impl Into<String>) {
        self.found.push((path.to_vec(), msg.into(), true));
    }

    fn check(&mut self, path: &[String], r: Result<(), String>) {
        if let Err(e) = r {
            self.err(path, e);
        }
    }

    fn finish(self, ctx: &mut Ctx) {
        for (path, msg, warning) in self.found {
            if warning {
                ctx.report(
                    codes::SCHEMA_WARNING,
                    self.obj,
                    &path,
                    format!("Schema validation warning: {msg}"),
                );
            } else {
                ctx.report(
                    codes::SCHEMA_VALIDATION_ERROR,
                    self.obj,
                    &path,
                    format!("Schema validation error: {msg}"),
                );
            }
        }
    }
}

fn join(base: &[String], more: &[String]) -> Vec<String> {
    base.iter().chain(more).cloned().collect()
}

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for obj in mesh.objects.iter().filter(|o| Ctx::is_user(o)) {
        let mut v = V::new(obj);
        match &*obj.spec {
            Spec::Gateway(g) => gateway(&mut v, g),
            Spec::VirtualService(vs) => virtual_service(&mut v, vs),
            Spec::DestinationRule(dr) => destination_rule(&mut v, dr),
            Spec::ServiceEntry(se) => service_entry(&mut v, se),
            Spec::Sidecar(s) => sidecar(&mut v, s),
            Spec::PeerAuthentication(pa) => peer_authentication(&mut v, pa),
            _ => {}
        }
        v.finish(ctx);
    }
}

/// An enum field: its value must be one of the names Istio's API defines.
fn one_of(v: &mut V, value: Option<&str>, allowed: &[&str], at: &[String]) {
    if let Some(value) = value {
        if !allowed.contains(&value) {
            let field = at.last().map_or("", String::as_str);
            let hint = checks::did_you_mean(value, allowed.iter().copied());
            v.err(
                at,
                format!(
                    "invalid value {value:?} for {field}: must be one of {}{hint}",
                    allowed.join(", ")
                ),
            );
        }
    }
}

const SERVER_TLS_MODES: &[&str] = &[
    "PASSTHROUGH",
    "SIMPLE",
    "MUTUAL",
    "AUTO_PASSTHROUGH",
    "ISTIO_MUTUAL",
    "OPTIONAL_MUTUAL",
];
const TLS_VERSIONS: &[&str] = &["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"];
const CLIENT_TLS_MODES: &[&str] = &["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"];
const LB_SIMPLE: &[&str] = &[
    "UNSPECIFIED",
    "LEAST_CONN",
    "RANDOM",
    "PASSTHROUGH",
    "ROUND_ROBIN",
    "LEAST_REQUEST",
];
const H2_UPGRADE: &[&str] = &["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"];
const CAPTURE_MODES: &[&str] = &["DEFAULT", "IPTABLES", "NONE"];

// ---------------------------------------------------------------- Gateway

fn gateway(v: &mut V, g: &Gateway) {
    if !checks::is_dns1123_label(v.obj.name()) {
        v.err(
            fp!["metadata", "name"],
            format!("invalid gateway name: {:?}", v.obj.name()),
        );
    }
    if g.servers.is_empty() {
        v.err(fp!["spec"], "gateway must have at least one server");
    }
    let mut names = std::collections::HashSet::new();
    for (i, s) in g.servers.iter().enumerate() {
        server(v, s, i);
        if !names.insert(s.port.name.as_str()) {
            v.err(
                fp!["spec", "servers", i, "port", "name"],
                format!(
                    "port names in servers must be unique: duplicate name {}",
                    s.port.name
                ),
            );
        }
        if !Protocol::parse(&s.port.protocol).is_http()
            && s.tls.as_ref().is_some_and(|t| t.https_redirect)
        {
            v.warn(
                fp!["spec", "servers", i, "tls", "httpsRedirect"],
                "tls.httpsRedirect should only be used with http servers",
            );
        }
    }
}

fn server(v: &mut V, s: &Server, i: usize) {
    let at = |more: &[String]| join(fp!["spec", "servers", i], more);
    if s.hosts.is_empty() {
        v.err(&at(&[]), "server config must contain at least one host");
    }
    for (h, host) in s.hosts.iter().enumerate() {
        if let Err(e) = gateway_host(host) {
            v.err(&at(fp!["hosts", h]), e);
        }
    }
    let mut port_ok = true;
    let protocol = Protocol::parse(&s.port.protocol);
    if protocol == Protocol::Unsupported {
        port_ok = false;
        v.err(
            &at(fp!["port", "protocol"]),
            format!(
                "invalid protocol {:?}, supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP",
                s.port.protocol
            ),
        );
    }
    let unix = s.bind.as_deref().is_some_and(|b| b.starts_with("unix://"));
    if s.port.number > 0 || !unix {
        if let Err(e) = checks::port(s.port.number) {
            port_ok = false;
            v.err(&at(fp!["port", "number"]), e);
        }
    }
    if s.port.target_port.is_some_and(|t| t > 0) {
        port_ok = false;
        v.err(
            &at(fp!["port", "targetPort"]),
            "targetPort has no impact on Gateways",
        );
    }
    if s.port.name.is_empty() {
        port_ok = false;
        v.err(
            &at(fp!["port"]),
            format!("port name must be set: number:{}", s.port.number),
        );
    }
    if let Some(bind) = s.bind.as_deref().filter(|b| !b.is_empty()) {
        if unix {
            if s.port.number != 0 {
                v.err(
                    &at(fp!["port", "number"]),
                    "port number must be 0 for unix domain socket",
                );
            }
        } else if !checks::ip(bind) {
            v.err(
                &at(fp!["bind"]),
                format!("{bind} is not a valid IP address"),
            );
        }
    }
    if let Some(tls) = &s.tls {
        server_tls(v, tls, &at(fp!["tls"]));
    }
    if port_ok {
        match &s.tls {
            None if protocol.is_tls() => v.err(
                &at(fp!["port", "protocol"]),
                "server must have TLS settings for HTTPS/TLS protocols",
            ),
            Some(tls) if !protocol.is_tls() => {
                if protocol.is_http() {
                    let passthrough = matches!(
                        tls.mode.as_deref().unwrap_or("PASSTHROUGH"),
                        "PASSTHROUGH" | "AUTO_PASSTHROUGH"
                    );
                    if !passthrough
                        || tls.ca_certificates.is_some()
                        || tls.private_key.is_some()
                        || tls.server_certificate.is_some()
                    {
                        v.err(
                            &at(fp!["tls"]),
                            "server cannot have TLS settings for plain text HTTP ports",
                        );
                    }
                } else {
                    v.err(
                        &at(fp!["tls"]),
                        "server cannot have TLS settings for non HTTPS/TLS ports",
                    );
                }
            }
            _ => {}
        }
    }
}

/// A Gateway server host: `host`, `ns/host`, `./host`, `*/host`.
fn gateway_host(host: &str) -> Result<(), String> {
    let dns = match host.split_once('/') {
        Some((ns, dns)) => {
            if ns.is_empty() || dns.is_empty() {
                return Err("config namespace and dnsName in host entry cannot be empty".into());
            }
            if ns != "*" && ns != "." && !checks::is_dns1123_label(ns) {
                return Err(format!("invalid namespace value {ns:?} in gateway"));
            }
            dns
        }
        None => host,
    };
    if dns != "*" && !dns.contains('.') {
        return Err("short names (non FQDN) are not allowed".into());
    }
    if let Err(e) = checks::wildcard_domain(dns) {
        if !checks::ip(dns) {
            return Err(e);
        }
    }
    if dns.contains('*') && dns.len() != 1 && !dns.starts_with("*.") {
        return Err(format!("partial wildcard {dns:?} not allowed"));
    }
    Ok(())
}

fn server_tls(v: &mut V, tls: &ServerTls, at: &[String]) {
    let here = |k: &str| join(at, &[k.to_string()]);
    one_of(v, tls.mode.as_deref(), SERVER_TLS_MODES, &here("mode"));
    one_of(
        v,
        tls.min_protocol_version.as_deref(),
        TLS_VERSIONS,
        &here("minProtocolVersion"),
    );
    one_of(
        v,
        tls.max_protocol_version.as_deref(),
        TLS_VERSIONS,
        &here("maxProtocolVersion"),
    );
    let mode = tls.mode.as_deref().unwrap_or("PASSTHROUGH");
    let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
    if matches!(
        tls.min_protocol_version.as_deref(),
        Some("TLSV1_0" | "TLSV1_1")
    ) && tls.cipher_suites.is_empty()
    {
        v.warn(&here("minProtocolVersion"), "TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.");
    }
    if mode == "ISTIO_MUTUAL" {
        for (set, what, key) in [
            (
                has(&tls.server_certificate),
                "server certificate",
                "serverCertificate",
            ),
            (has(&tls.private_key), "private key", "privateKey"),
            (has(&tls.ca_certificates), "CA bundle", "caCertificates"),
            (
                has(&tls.credential_name),
                "credentialName",
                "credentialName",
            ),
        ] {
            if set {
                v.err(
                    &here(key),
                    format!("ISTIO_MUTUAL TLS cannot have associated {what}"),
                );
            }
        }
        return;
    }
    let tls_certs = tls
        .tls_certificates
        .as_ref()
        .and_then(|j| j.as_array())
        .map_or(0, Vec::len);
    if matches!(mode, "PASSTHROUGH" | "AUTO_PASSTHROUGH")
        && (has(&tls.ca_crl)
            || has(&tls.server_certificate)
            || has(&tls.private_key)
            || has(&tls.ca_certificates)
            || tls_certs > 0
            || has(&tls.credential_name)
            || !tls.credential_names.is_empty())
    {
        v.warn(
            at,
            format!("{mode} mode does not use certificates, they will be ignored"),
        );
    }
    let sources = usize::from(has(&tls.server_certificate) && has(&tls.private_key))
        + usize::from(has(&tls.credential_name))
        + usize::from(!tls.credential_names.is_empty())
        + usize::from(tls_certs > 0);
    if sources > 1 {
        v.err(at, "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified");
    }
    let terminating = matches!(mode, "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL");
    if terminating && (has(&tls.credential_name) || !tls.credential_names.is_empty()) {
        return;
    }
    if terminating {
        let prefix = if mode == "SIMPLE" {
            "SIMPLE TLS"
        } else {
            "MUTUAL TLS"
        };
        if mode != "SIMPLE" && !has(&tls.ca_certificates) {
            v.err(at, format!("{prefix} requires a client CA bundle"));
        }
        if tls_certs == 0 {
            if !has(&tls.server_certificate) {
                v.err(at, format!("{prefix} requires a server certificate"));
            }
            if !has(&tls.private_key) {
                v.err(at, format!("{prefix} requires a private key"));
            }
        }
    }
    if has(&tls.ca_crl) {
        if has(&tls.credential_name) {
            v.err(&here("caCrl"), "CRL is not supported with credentialName. CRL has to be specified in the credential");
        }
        if mode == "SIMPLE" {
            v.err(&here("caCrl"), "CRL is not supported with SIMPLE TLS");
        }
    }
}

// ---------------------------------------------------------------- VirtualService

fn virtual_service(v: &mut V, vs: &VirtualService) {
    if vs.hosts.is_empty() {
        if !vs.gateways.is_empty() {
            v.err(
                fp!["spec", "gateways"],
                "delegate virtual service must have no gateways specified",
            );
        }
        if !vs.tls.is_empty() {
            v.err(
                fp!["spec", "tls"],
                "delegate virtual service must have no tls route specified",
            );
        }
        if !vs.tcp.is_empty() {
            v.err(
                fp!["spec", "tcp"],
                "delegate virtual service must have no tcp route specified",
            );
        }
    }
    let applies_to_gateway = !vs.gateways.is_empty() && !vs.gateways.iter().any(|g| g == "mesh");
    let applies_to_mesh = !applies_to_gateway;
    for (i, g) in vs.gateways.iter().enumerate() {
        gateway_name(v, g, fp!["spec", "gateways", i]);
    }
    if !applies_to_gateway {
        for (i, http) in vs.http.iter().enumerate() {
            for (m, mt) in http.matches.iter().enumerate() {
                for (key, field) in mt
                    .headers
                    .keys()
                    .map(|k| (k, "headers"))
                    .chain(mt.without_headers.keys().map(|k| (k, "withoutHeaders")))
                {
                    if key.starts_with("@request.auth.claims") {
                        v.err(
                            fp!["spec", "http", i, "match", m, field, key],
                            format!("JWT claim based routing (key: {key}) is only supported for gateway, found no gateways: {:?}", vs.gateways),
                        );
                    }
                }
            }
        }
    }
    let mut all_valid = true;
    for (i, h) in vs.hosts.iter().enumerate() {
        let res = checks::wildcard_domain(h);
        match res {
            Err(e) if !checks::ip(h) => {
                v.err(fp!["spec", "hosts", i], e);
                all_valid = false;
            }
            Ok(()) if applies_to_mesh && h == "*" => {
                v.err(
                    fp!["spec", "hosts", i],
                    "wildcard host * is not allowed for virtual services bound to the mesh gateway",
                );
                all_valid = false;
            }
            _ => {}
        }
    }
    if all_valid {
        for i in 0..vs.hosts.len() {
            for j in i + 1..vs.hosts.len() {
                if crate::host::intersects(&vs.hosts[i], &vs.hosts[j]) {
                    v.err(
                        fp!["spec", "hosts", j],
                        format!(
                            "duplicate hosts in virtual service: {} & {}",
                            vs.hosts[i], vs.hosts[j]
                        ),
                    );
                }
            }
        }
    }
    if vs.http.is_empty() && vs.tcp.is_empty() && vs.tls.is_empty() {
        v.err(
            fp!["spec"],
            "http, tcp or tls must be provided in virtual service",
        );
    }
    let delegate = vs.hosts.is_empty();
    for (i, r) in vs.http.iter().enumerate() {
        http_route(v, r, delegate, fp!["spec", "http", i]);
    }
    for (i, r) in vs.tls.iter().enumerate() {
        let at = fp!["spec", "tls", i];
        if r.matches.is_empty() {
            v.err(at, "TLS route must have at least one match condition");
        }
        for (m, mt) in r.matches.iter().enumerate() {
            let mat = join(at, fp!["match", m]);
            if mt.sni_hosts.is_empty() {
                v.err(&mat, "TLS match must have at least one SNI host");
            }
            for (s, sni) in mt.sni_hosts.iter().enumerate() {
                sni_host(
                    v,
                    sni,
                    vs,
                    applies_to_gateway,
                    &join(&mat, fp!["sniHosts", s]),
                );
            }
            for (s, subnet) in mt.destination_subnets.iter().enumerate() {
                v.check(
                    &join(&mat, fp!["destinationSubnets", s]),
                    checks::ip_subnet(subnet),
                );
            }
            if let Some(p) = mt.port.filter(|p| *p != 0) {
                v.check(&join(&mat, fp!["port"]), checks::port(p));
            }
        }
        if r.route.is_empty() {
            v.err(at, "TLS route is required");
        }
        route_destinations(v, r.route.iter().map(|d| (&d.destination, d.weight)), at);
    }
    for (i, r) in vs.tcp.iter().enumerate() {
        let at = fp!["spec", "tcp", i];
        for (m, mt) in r.matches.iter().enumerate() {
            for (s, subnet) in mt.destination_subnets.iter().enumerate() {
                v.check(
                    &join(at, fp!["match", m, "destinationSubnets", s]),
                    checks::ip_subnet(subnet),
                );
            }
            if let Some(p) = mt.port.filter(|p| *p != 0) {
                v.check(&join(at, fp!["match", m, "port"]), checks::port(p));
            }
        }
        if r.route.is_empty() {
            v.err(at, "TCP route is required");
        }
        route_destinations(v, r.route.iter().map(|d| (&d.destination, d.weight)), at);
    }
    export_to(v, &vs.export_to, false);
}

fn gateway_name(v: &mut V, name: &str, at: &[String]) {
    match name.split_once('/') {
        None => {
            if let Some((n, ns)) = name.split_once('.') {
                v.warn(
                    at,
                    format!("using legacy gatewayName format {name:?}; prefer the <namespace>/<name> format: \"{}/{n}\"", ns.split('.').next().unwrap_or(ns)),
                );
            }
            v.check(at, checks::fqdn(name));
        }
        Some((ns, n)) => {
            if ns.is_empty() || n.is_empty() {
                v.err(at, "config namespace and gateway name cannot be empty");
            }
            if !checks::is_dns1123_label(ns) {
                v.err(at, format!("invalid value for namespace: {ns:?}"));
            }
            if !checks::is_dns1123_label(n) {
                v.err(at, format!("invalid value for gateway name: {n:?}"));
            }
        }
    }
}

fn sni_host(v: &mut V, sni: &str, vs: &VirtualService, gateway: bool, at: &[String]) {
    let res = if gateway && sni.starts_with("outbound_") {
        Ok(())
    } else {
        checks::wildcard_domain(sni)
    };
    if let Err(e) = res {
        if checks::ip(sni) {
            v.warn(at, format!("using an IP address ({sni:?}) goes against SNI spec and most clients do not support this"));
        } else {
            v.err(at, e);
        }
        return;
    }
    if !vs.hosts.iter().any(|h| crate::host::matches(h, sni)) {
        v.err(
            at,
            format!(
                "SNI host {sni:?} is not a compatible subset of any of the virtual service hosts: [{}]",
                vs.hosts.join(", ")
            ),
        );
    }
}

fn string_match(v: &mut V, sm: &StringMatch, field: &str, at: &[String], allow_empty_prefix: bool) {
    if let Some(p) = &sm.prefix {
        if p.is_empty() && !allow_empty_prefix {
            v.err(
                &join(at, fp!["prefix"]),
                format!("{field:?}: prefix string match should not be empty"),
            );
        }
    }
    if let Some(re) = &sm.regex {
        v.check(&join(at, fp!["regex"]), checks::regex(re, field));
    }
}

fn header_ops(v: &mut V, h: &Headers, at: &[String]) {
    for (dir, ops) in [("request", &h.request), ("response", &h.response)] {
        let Some(ops) = ops else { continue };
        let request = dir == "request";
        for (kind, map) in [("set", &ops.set), ("add", &ops.add)] {
            for name in map.keys() {
                v.check(
                    &join(at, fp![dir, kind, name]),
                    checks::header_op_name(name, request),
                );
            }
        }
        for (i, name) in ops.remove.iter().enumerate() {
            v.check(
                &join(at, fp![dir, "remove", i]),
                checks::header_op_name(name, false),
            );
        }
    }
}

fn percent(v: &mut V, p: &Option<Percent>, at: &[String]) {
    if let Some(p) = p {
        if p.value < 0.0 || p.value > 100.0 || (p.value > 0.0 && p.value < 0.0001) {
            v.err(
                at,
                format!(
                    "percentage {} is neither 0.0, nor in range [0.0001, 100.0]",
                    p.value
                ),
            );
        }
    }
}

fn duration(v: &mut V, d: &Option<String>, at: &[String]) {
    if let Some(d) = d {
        v.check(at, checks::duration(d));
    }
}

fn http_route(v: &mut V, r: &HttpRoute, delegate: bool, at: &[String]) {
    let here = |k: &str| join(at, &[k.to_string()]);
    // Conflicts between what a route does.
    if r.delegate.is_some() && !delegate {
        if r.redirect.is_some() {
            v.err(
                &here("redirect"),
                format!(
                    "root HTTP route {} must not specify redirect",
                    r.name.as_deref().unwrap_or("")
                ),
            );
        }
        if !r.route.is_empty() {
            v.err(
                &here("route"),
                format!(
                    "root HTTP route {} must not specify route",
                    r.name.as_deref().unwrap_or("")
                ),
            );
        }
    } else {
        if delegate && r.delegate.is_some() {
            v.err(
                &here("delegate"),
                "delegate HTTP route cannot contain delegate",
            );
        }
        if r.redirect.is_some() {
            if !r.route.is_empty() {
                v.err(
                    &here("redirect"),
                    "HTTP route cannot contain both route and redirect",
                );
            }
            if r.fault.is_some() {
                v.err(
                    &here("redirect"),
                    "HTTP route cannot contain both fault and redirect",
                );
            }
            if r.rewrite.is_some() {
                v.err(
                    &here("redirect"),
                    "HTTP route rule cannot contain both rewrite and redirect",
                );
            }
            if r.direct_response.is_some() {
                v.err(
                    &here("redirect"),
                    "HTTP route rule cannot contain both direct_response and redirect",
                );
            }
        } else if r.direct_response.is_some() {
            if !r.route.is_empty() {
                v.err(
                    &here("directResponse"),
                    "HTTP route cannot contain both route and direct_response",
                );
            }
            if r.fault.is_some() {
                v.err(
                    &here("directResponse"),
                    "HTTP route cannot contain both fault and direct_response",
                );
            }
            if r.rewrite.is_some() {
                v.err(
                    &here("directResponse"),
                    "HTTP route rule cannot contain both rewrite and direct_response",
                );
            }
        } else if r.route.is_empty() {
            v.err(at, "HTTP route, redirect or direct_response is required");
        }
    }
    if r.mirror.is_some() && !r.mirrors.is_empty() {
        v.err(
            &here("mirrors"),
            "HTTP route cannot contain both mirror and mirrors",
        );
    }
    // Matches.
    for (m, mt) in r.matches.iter().enumerate() {
        let mat = join(at, fp!["match", m]);
        for (name, sm) in &mt.headers {
            let hp = join(&mat, fp!["headers", name]);
            v.check(&hp, checks::header_name(name));
            string_match(v, sm, "headers", &hp, false);
        }
        for (name, sm) in &mt.without_headers {
            let hp = join(&mat, fp!["withoutHeaders", name]);
            v.check(&hp, checks::header_name(name));
            if sm.regex.as_deref() != Some("*") {
                string_match(v, sm, "withoutHeaders", &hp, false);
            }
        }
        if let Some(sm) = &mt.uri {
            string_match(v, sm, "uri", &join(&mat, fp!["uri"]), true);
        }
        for (field, sm) in [
            ("scheme", &mt.scheme),
            ("method", &mt.method),
            ("authority", &mt.authority),
        ] {
            if let Some(sm) = sm {
                string_match(v, sm, field, &join(&mat, fp![field]), false);
            }
        }
        for (name, sm) in &mt.query_params {
            string_match(
                v,
                sm,
                "queryParams",
                &join(&mat, fp!["queryParams", name]),
                false,
            );
        }
        if let Some(p) = mt.port.filter(|p| *p != 0) {
            v.check(&join(&mat, fp!["port"]), checks::port(p));
        }
        v.check(
            &join(&mat, fp!["sourceLabels"]),
            checks::labels(&mt.source_labels),
        );
        for (g, name) in mt.gateways.iter().enumerate() {
            gateway_name(v, name, &join(&mat, fp!["gateways", g]));
        }
        if let Some(ns) = mt.source_namespace.as_deref().filter(|s| !s.is_empty()) {
            if !checks::is_dns1123_label(ns) {
                v.err(
                    &join(&mat, fp!["sourceNamespace"]),
                    format!("sourceNamespace match {ns} is invalid"),
                );
            }
        }
    }
    if let Some(h) = &r.headers {
        header_ops(v, h, &here("headers"));
    }
    // CORS.
    if let Some(c) = &r.cors_policy {
        let cp = here("corsPolicy");
        for (i, o) in c.allow_origins.iter().enumerate() {
            let op = join(&cp, fp!["allowOrigins", i]);
            let value = o
                .exact
                .as_deref()
                .or(o.prefix.as_deref())
                .or(o.regex.as_deref());
            if value.is_none_or(str::is_empty) {
                v.err(&op, "'' is not a valid match type for CORS allow origins");
            } else if let Some(re) = &o.regex {
                v.check(&op, checks::regex(re, "corsPolicy.allowOrigins"));
            }
        }
        for (i, m) in c.allow_methods.iter().enumerate() {
            if !matches!(
                m.as_str(),
                "GET"
                    | "HEAD"
                    | "POST"
                    | "PUT"
                    | "DELETE"
                    | "CONNECT"
                    | "OPTIONS"
                    | "TRACE"
                    | "PATCH"
            ) {
                v.err(
                    &join(&cp, fp!["allowMethods", i]),
                    format!("{m:?} is not a supported HTTP method"),
                );
            }
        }
        for (field, list) in [
            ("allowHeaders", &c.allow_headers),
            ("exposeHeaders", &c.expose_headers),
        ] {
            for (i, h) in list.iter().enumerate() {
                if h != "*" {
                    v.check(&join(&cp, fp![field, i]), checks::header_name(h));
                }
            }
        }
        if let Some(max_age) = &c.max_age {
            let mp = join(&cp, fp!["maxAge"]);
            v.check(&mp, checks::duration(max_age));
            if let Ok(d) = crate::envoy::duration::Duration::parse(max_age) {
                if d.0 % 1_000_000_000 != 0 {
                    v.err(
                        &mp,
                        "max_age duration is accurate only to seconds precision",
                    );
                }
            }
        }
    }
    // Fault injection.
    if let Some(f) = &r.fault {
        let fp = here("fault");
        if f.abort.is_none() && f.delay.is_none() {
            v.err(
                &fp,
                "HTTP fault injection must have an abort and/or a delay",
            );
        }
        if let Some(a) = &f.abort {
            let ap = join(&fp, fp!["abort"]);
            percent(v, &a.percentage, &join(&ap, fp!["percentage"]));
            if let Some(s) = a.http_status {
                if !(200..=600).contains(&s) {
                    v.err(
                        &join(&ap, fp!["httpStatus"]),
                        format!("HTTP status {s} is not in range 200-599"),
                    );
                }
            } else if let Some(g) = &a.grpc_status {
                if !GRPC_STATUS.contains(&g.as_str()) {
                    v.err(&join(&ap, fp!["grpcStatus"]), format!("gRPC status {g:?} is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'"));
                }
            } else if a.http2_error.is_some() {
                v.err(
                    &join(&ap, fp!["http2Error"]),
                    "HTTP/2 abort fault injection not supported yet",
                );
            } else {
                v.warn(&ap, "abort configured, but error type not set");
            }
        }
        if let Some(d) = &f.delay {
            let dp = join(&fp, fp!["delay"]);
            percent(v, &d.percentage, &join(&dp, fp!["percentage"]));
            duration(v, &d.fixed_delay, &join(&dp, fp!["fixedDelay"]));
            if d.exponential_delay.is_some() {
                duration(v, &d.exponential_delay, &join(&dp, fp!["exponentialDelay"]));
                v.err(
                    &join(&dp, fp!["exponentialDelay"]),
                    "exponentialDelay not supported yet",
                );
            }
        }
    }
    // Mirrors.
    if let Some(mp) = r.mirror_percent {
        if mp > 100 {
            v.err(
                &here("mirrorPercent"),
                format!("mirror_percent must have a max value of 100 (it has {mp})"),
            );
        }
        v.warn(
            &here("mirrorPercent"),
            "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead",
        );
    }
    if let Some(p) = &r.mirror_percentage {
        if p.value > 100.0 {
            v.err(
                &here("mirrorPercentage"),
                format!(
                    "mirror_percentage must have a max value of 100 (it has {:.6})",
                    p.value
                ),
            );
        }
        if p.value < 0.0 {
            v.err(
                &here("mirrorPercentage"),
                format!(
                    "mirror_percentage must have a min value of 0 (it has {:.6})",
                    p.value
                ),
            );
        }
    }
    if let Some(m) = &r.mirror {
        destination(v, m, &here("mirror"));
    }
    for (i, m) in r.mirrors.iter().enumerate() {
        let mp = join(at, fp!["mirrors", i]);
        destination(v, &m.destination, &join(&mp, fp!["destination"]));
        if let Some(p) = &m.percentage {
            if p.value > 100.0 {
                v.err(
                    &join(&mp, fp!["percentage"]),
                    format!(
                        "mirror percentage must have a max value of 100 (it has {:.6})",
                        p.value
                    ),
                );
            }
            if p.value < 0.0 {
                v.err(
                    &join(&mp, fp!["percentage"]),
                    format!(
                        "mirror percentage must have a min value of 0 (it has {:.6})",
                        p.value
                    ),
                );
            }
        }
    }
    // Redirect.
    if let Some(rd) = &r.redirect {
        let rp = here("redirect");
        one_of(
            v,
            rd.derive_port.as_deref(),
            &["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"],
            &join(&rp, fp!["derivePort"]),
        );
        if rd.uri.is_none()
            && rd.authority.is_none()
            && rd.port.is_none()
            && rd.derive_port.is_none()
            && rd.scheme.is_none()
        {
            v.err(&rp, "redirect must specify URI, authority, scheme, or port");
        }
        if let Some(code) = rd.redirect_code.filter(|c| *c != 0) {
            if !(300..=399).contains(&code) {
                v.err(
                    &join(&rp, fp!["redirectCode"]),
                    format!("{code} is not a valid redirect code, must be 3xx"),
                );
            }
        }
        if let Some(s) = rd.scheme.as_deref().filter(|s| !s.is_empty()) {
            if s != "http" && s != "https" {
                v.err(
                    &join(&rp, fp!["scheme"]),
                    "invalid redirect scheme, must be \"http\" or \"https\"",
                );
            }
        }
        if let Some(p) = rd.port.filter(|p| *p > 0) {
            v.check(&join(&rp, fp!["port"]), checks::port(p));
        }
    }
    // Direct response.
    if let Some(dr) = &r.direct_response {
        let dp = here("directResponse");
        let size = dr.body.as_ref().map_or(0, |b| {
            b.string
                .as_deref()
                .or(b.bytes.as_deref())
                .map_or(0, str::len)
        });
        if size > 1024 * 1024 {
            v.err(&join(&dp, fp!["body"]), "large direct_responses may impact control plane performance, must be less than 1MB");
        } else if size > 100 * 1024 {
            v.warn(
                &join(&dp, fp!["body"]),
                "large direct_responses may impact control plane performance",
            );
        }
        if !(200..=600).contains(&dr.status) {
            v.err(
                &join(&dp, fp!["status"]),
                format!("HTTP status {} is not in range 200-599", dr.status),
            );
        }
    }
    // Retries.
    if let Some(rt) = &r.retries {
        let rp = here("retries");
        if rt.attempts == 0
            && (rt.per_try_timeout.is_some()
                || rt.retry_on.as_deref().is_some_and(|s| !s.is_empty())
                || rt.retry_remote_localities.is_some())
        {
            v.err(
                &rp,
                "http retry policy configured when attempts are set to 0 (disabled)",
            );
        }
        duration(v, &rt.per_try_timeout, &join(&rp, fp!["perTryTimeout"]));
        if let Some(on) = rt.retry_on.as_deref().filter(|s| !s.is_empty()) {
            for policy in on.split(',') {
                let status = policy
                    .parse::<u32>()
                    .is_ok_and(|c| (100..=599).contains(&c));
                if !status && !RETRY_ON.contains(&policy) {
                    v.err(
                        &join(&rp, fp!["retryOn"]),
                        format!("{policy:?} is not a valid retryOn policy"),
                    );
                }
            }
        }
        duration(v, &rt.backoff, &join(&rp, fp!["backoff"]));
    }
    // Rewrite.
    if let Some(rw) = &r.rewrite {
        let rp = here("rewrite");
        if rw.uri.is_some() && rw.uri_regex_rewrite.is_some() {
            v.err(
                &rp,
                "rewrite may only contain one of URI or UriRegexRewrite",
            );
        }
        if rw.uri.is_none() && rw.uri_regex_rewrite.is_none() && rw.authority.is_none() {
            v.err(&rp, "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified");
        }
        if let Some(re) = &rw.uri_regex_rewrite {
            let rr = join(&rp, fp!["uriRegexRewrite"]);
            if re.pattern.is_empty() || re.rewrite.is_empty() {
                v.err(&rr, "UriRegexRewrite has errors\nUriRegexRewrite requires both Rewrite and Match fields to be specified");
            } else if let Err(e) = checks::regex(&re.pattern, "HTTPRewrite.UriRegexRewrite.Match") {
                v.err(
                    &join(&rr, fp!["match"]),
                    format!("UriRegexRewrite has errors\n{e}"),
                );
            }
        }
    }
    // Destinations and timeout.
    route_destinations(v, r.route.iter().map(|d| (&d.destination, d.weight)), at);
    for (i, d) in r.route.iter().enumerate() {
        if let Some(h) = &d.headers {
            header_ops(v, h, &join(at, fp!["route", i, "headers"]));
        }
    }
    duration(v, &r.timeout, &here("timeout"));
}

fn route_destinations<'a>(
    v: &mut V,
    routes: impl Iterator<Item = (&'a Destination, Option<u32>)>,
    at: &[String],
) {
    let mut total: u64 = 0;
    let mut count = 0;
    for (i, (d, weight)) in routes.enumerate() {
        destination(v, d, &join(at, fp!["route", i, "destination"]));
        total += u64::from(weight.unwrap_or(0));
        count += 1;
    }
    if count > 1 && total == 0 {
        v.err(&join(at, fp!["route"]), "total destination weight = 0");
    }
}

fn destination(v: &mut V, d: &Destination, at: &[String]) {
    if d.host == "*" {
        v.err(
            &join(at, fp!["host"]),
            format!("invalid destination host {}", d.host),
        );
    } else {
        v.check(&join(at, fp!["host"]), checks::wildcard_domain(&d.host));
    }
    if let Some(s) = &d.subset {
        if s.is_empty() {
            v.err(&join(at, fp!["subset"]), "subset name cannot be empty");
        } else if !checks::is_dns1123_label(s) {
            v.err(
                &join(at, fp!["subset"]),
                format!("subset name is invalid: {s}"),
            );
        }
    }
    if let Some(p) = &d.port {
        v.check(&join(at, fp!["port", "number"]), checks::port(p.number));
    }
}

fn export_to(v: &mut V, export_to: &[String], service_entry: bool) {
    if export_to.is_empty() {
        return;
    }
    let ns = v.obj.namespace().to_string();
    let mut seen: Vec<String> = Vec::new();
    for (i, e) in export_to.iter().enumerate() {
        let at = fp!["spec", "exportTo", i];
        let key = if e == "." { ns.clone() } else { e.clone() };
        if seen.contains(&key) {
            if key != *e {
                v.err(
                    at,
                    format!("duplicate entries in exportTo: . and current namespace {ns}"),
                );
            } else {
                v.err(at, format!("duplicate entries in exportTo for entry {e}"));
            }
            continue;
        }
        let valid =
            e == "*" || e == "." || (service_entry && e == "~") || checks::is_dns1123_label(e);
        if !valid {
            v.err(
                at,
                format!(
                    "only .,*, or a valid DNS 1123 label is allowed as exportTo entry, got {e:?}"
                ),
            );
            continue;
        }
        seen.push(key);
    }
    if seen.iter().any(|s| s == "*") && export_to.len() > 1 {
        v.err(
            fp!["spec", "exportTo"],
            "cannot have both public (*) and non-public exportTo values for a resource",
        );
    }
    if seen.iter().any(|s| s == "~") && export_to.len() > 1 {
        v.err(
            fp!["spec", "exportTo"],
            "cannot export service entry to no one (~) and someone",
        );
    }
}

const RETRY_ON: &[&str] = &[
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "envoy-ratelimited",
    "http3-post-connect-failure",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
];

// ---------------------------------------------------------------- DestinationRule

fn destination_rule(v: &mut V, dr: &DestinationRule) {
    v.check(fp!["spec", "host"], checks::wildcard_domain(&dr.host));
    let ns = v.obj.namespace().to_string();
    if let Some(tp) = &dr.traffic_policy {
        traffic_policy(v, tp, fp!["spec", "trafficPolicy"], &ns);
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, s) in dr.subsets.iter().enumerate() {
        let at = fp!["spec", "subsets", i];
        if names.contains(&s.name.as_str()) {
            v.err(
                &join(at, fp!["name"]),
                format!("duplicate subset names: {}", s.name),
            );
        }
        names.push(&s.name);
        if s.name.is_empty() {
            v.err(&join(at, fp!["name"]), "subset name cannot be empty");
        } else if !checks::is_dns1123_label(&s.name) {
            v.err(
                &join(at, fp!["name"]),
                format!("subset name is invalid: {}", s.name),
            );
        }
        v.check(&join(at, fp!["labels"]), checks::labels(&s.labels));
        if let Some(tp) = &s.traffic_policy {
            traffic_policy(v, tp, &join(at, fp!["trafficPolicy"]), &ns);
        }
    }
    export_to(v, &dr.export_to, false);
    if dr.workload_selector.is_some() && !dr.export_to.is_empty() {
        let local = |e: &String| e == "." || *e == ns;
        if !dr.export_to.iter().any(local) {
            v.err(fp!["spec", "exportTo"], "destination rule with workload selector cannot have exportTo beyond current namespace");
        } else if dr.export_to.len() > 1 {
            v.err(
                fp!["spec", "exportTo"],
                "destination rule with workload selector cannot have multiple entries in exportTo",
            );
        }
    }
}

fn traffic_policy(v: &mut V, tp: &TrafficPolicy, at: &[String], ns: &str) {
    if tp.outlier_detection.is_none()
        && tp.connection_pool.is_none()
        && tp.load_balancer.is_none()
        && tp.tls.is_none()
        && tp.port_level_settings.is_empty()
        && tp.tunnel.is_none()
        && tp.proxy_protocol.is_none()
        && tp.retry_budget.is_none()
    {
        v.err(at, "traffic policy must have at least one field");
        return;
    }
    if tp.tunnel.is_some() && tp.proxy_protocol.is_some() {
        v.err(at, "tunnel and proxyProtocol must not be set together");
        return;
    }
    policy_parts(
        v,
        at,
        tp.outlier_detection.as_ref(),
        tp.connection_pool.as_ref(),
        tp.load_balancer.as_ref(),
        tp.tls.as_ref(),
        ns,
    );
    for (i, p) in tp.port_level_settings.iter().enumerate() {
        let pp = join(at, fp!["portLevelSettings", i]);
        if p.port.is_none() {
            v.err(&pp, "portTrafficPolicy must have valid port");
        }
        if p.outlier_detection.is_none()
            && p.connection_pool.is_none()
            && p.load_balancer.is_none()
            && p.tls.is_none()
        {
            v.err(&pp, "port traffic policy must have at least one field");
        } else {
            policy_parts(
                v,
                &pp,
                p.outlier_detection.as_ref(),
                p.connection_pool.as_ref(),
                p.load_balancer.as_ref(),
                p.tls.as_ref(),
                ns,
            );
        }
    }
}

fn policy_parts(
    v: &mut V,
    at: &[String],
    outlier: Option<&OutlierDetection>,
    pool: Option<&ConnectionPool>,
    lb: Option<&LoadBalancer>,
    tls: Option<&ClientTls>,
    _ns: &str,
) {
    if let Some(o) = outlier {
        let op = join(at, fp!["outlierDetection"]);
        duration(
            v,
            &o.base_ejection_time,
            &join(&op, fp!["baseEjectionTime"]),
        );
        duration(v, &o.interval, &join(&op, fp!["interval"]));
        if o.consecutive_errors.is_some_and(|c| c != 0) {
            v.warn(&join(&op, fp!["consecutiveErrors"]), "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead");
        }
        if !o.split_external_local_origin_errors.unwrap_or(false)
            && o.consecutive_local_origin_failures.is_some_and(|c| c > 0)
        {
            v.err(&join(&op, fp!["consecutiveLocalOriginFailures"]), "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false");
        }
        for (field, val) in [
            ("maxEjectionPercent", o.max_ejection_percent),
            ("minHealthPercent", o.min_health_percent),
        ] {
            if let Some(p) = val.filter(|p| *p > 100) {
                v.err(
                    &join(&op, fp![field]),
                    format!("percentage {p} is not in range 0..100"),
                );
            }
        }
    }
    if let Some(c) = pool {
        let cp = join(at, fp!["connectionPool"]);
        if c.http.is_none() && c.tcp.is_none() {
            v.err(&cp, "connection pool must have at least one field");
        }
        if let Some(h) = &c.http {
            let hp = join(&cp, fp!["http"]);
            one_of(
                v,
                h.h2_upgrade_policy.as_deref(),
                H2_UPGRADE,
                &join(&hp, fp!["h2UpgradePolicy"]),
            );
            duration(v, &h.idle_timeout, &join(&hp, fp!["idleTimeout"]));
            if h.h2_upgrade_policy.as_deref() == Some("UPGRADE")
                && h.use_client_protocol == Some(true)
            {
                v.err(
                    &join(&hp, fp!["useClientProtocol"]),
                    "use client protocol must not be true when H2UpgradePolicy is UPGRADE",
                );
            }
        }
        if let Some(t) = &c.tcp {
            let tp = join(&cp, fp!["tcp"]);
            duration(v, &t.connect_timeout, &join(&tp, fp!["connectTimeout"]));
            duration(
                v,
                &t.max_connection_duration,
                &join(&tp, fp!["maxConnectionDuration"]),
            );
            if let Some(idle) = &t.idle_timeout {
                let zero =
                    crate::envoy::duration::Duration::parse(idle).is_ok_and(|d| d.0 < 1_000_000);
                if !zero {
                    v.check(&join(&tp, fp!["idleTimeout"]), checks::duration(idle));
                }
            }
        }
    }
    if let Some(lb) = lb {
        let lp = join(at, fp!["loadBalancer"]);
        one_of(
            v,
            lb.simple.as_deref(),
            LB_SIMPLE,
            &join(&lp, fp!["simple"]),
        );
        if let Some(ch) = &lb.consistent_hash {
            let hp = join(&lp, fp!["consistentHash"]);
            if let Some(c) = &ch.http_cookie {
                if c.name.is_empty() {
                    v.err(
                        &join(&hp, fp!["httpCookie"]),
                        "name required for HttpCookie",
                    );
                }
                duration(v, &c.ttl, &join(&hp, fp!["httpCookie", "ttl"]));
            }
            if ch.minimum_ring_size.is_some_and(|m| m != 0) {
                v.warn(&join(&hp, fp!["minimumRingSize"]), "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead");
                if ch.ring_hash.is_some() || ch.maglev.is_some() {
                    v.err(
                        &join(&hp, fp!["minimumRingSize"]),
                        "only one of MinimumRingSize or Maglev/Ringhash can be specified",
                    );
                }
            }
            if let Some(m) = &ch.maglev {
                let size = m.table_size.unwrap_or(0);
                let mp = join(&hp, fp!["maglev", "tableSize"]);
                if size == 0 {
                    v.err(&mp, "tableSize must be set for maglev");
                }
                if size >= 5_000_011 {
                    v.err(&mp, "tableSize must be less than 5000011 for maglev");
                }
                if !is_prime(size) {
                    v.err(&mp, "tableSize must be a prime number for maglev");
                }
            }
        }
    }
    if let Some(t) = tls {
        let tp = join(at, fp!["tls"]);
        let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
        one_of(
            v,
            t.mode.as_deref(),
            CLIENT_TLS_MODES,
            &join(&tp, fp!["mode"]),
        );
        let mode = t.mode.as_deref().unwrap_or("DISABLE");
        if t.insecure_skip_verify == Some(true) {
            if mode == "SIMPLE"
                && (has(&t.ca_certificates)
                    || has(&t.credential_name)
                    || !t.subject_alt_names.is_empty())
            {
                v.err(&tp, "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true");
            }
            if mode == "MUTUAL" && (has(&t.ca_certificates) || !t.subject_alt_names.is_empty()) {
                v.err(&tp, "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
            }
        }
        if matches!(mode, "SIMPLE" | "MUTUAL") && has(&t.credential_name) {
            if has(&t.client_certificate)
                || has(&t.ca_certificates)
                || has(&t.private_key)
                || has(&t.ca_crl)
            {
                v.err(&tp, "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
            }
        } else if mode == "MUTUAL" {
            if !has(&t.client_certificate) {
                v.err(&tp, "client certificate required for mutual tls");
            }
            if !has(&t.private_key) {
                v.err(&tp, "private key required for mutual tls");
            }
        }
    }
}

fn is_prime(x: u64) -> bool {
    if x != 0 && x < 4 {
        return true;
    }
    if x & 1 == 0 {
        return false;
    }
    let mut f = 3;
    while f * f <= x {
        if x % f == 0 {
            return false;
        }
        f += 2;
    }
    true
}

// ---------------------------------------------------------------- ServiceEntry

fn service_entry(v: &mut V, se: &ServiceEntry) {
    if let Some((_, labels)) = super::selector_labels(&v.obj.node, &["spec", "workloadSelector"]) {
        if labels.is_empty() {
            v.warn(fp!["spec", "workloadSelector"], "service entry: workload selector specified without labels, will be applied to all services in namespace");
        }
        if se.workload_selector.is_some() && !se.endpoints.is_empty() {
            v.err(
                fp!["spec", "workloadSelector"],
                "only one of WorkloadSelector or Endpoints is allowed in Service Entry",
            );
        }
    }
    if se.hosts.is_empty() {
        v.err(fp!["spec"], "service entry must have at least one host");
    }
    one_of(
        v,
        se.location.as_deref(),
        &["MESH_EXTERNAL", "MESH_INTERNAL"],
        fp!["spec", "location"],
    );
    let resolution = se.resolution.as_deref().unwrap_or("NONE");
    for (i, h) in se.hosts.iter().enumerate() {
        let at = fp!["spec", "hosts", i];
        if h == "*" {
            v.err(at, format!("invalid host {h}"));
        } else {
            v.check(at, checks::wildcard_domain(h));
            if resolution != "DYNAMIC_DNS"
                && h.contains('*')
                && h.len() != 1
                && !h.starts_with("*.")
            {
                v.warn(at, format!("partial wildcard {h:?} not allowed"));
            }
        }
    }
    let mut cidr = false;
    for (i, a) in se.addresses.iter().enumerate() {
        cidr |= a.contains('/');
        v.check(fp!["spec", "addresses", i], checks::ip_subnet(a));
    }
    if cidr && resolution != "NONE" && resolution != "STATIC" {
        v.err(
            fp!["spec", "resolution"],
            "CIDR addresses are allowed only for NONE/STATIC resolution types",
        );
    }
    let mut names: Vec<&str> = Vec::new();
    let mut numbers: Vec<u32> = Vec::new();
    for (i, p) in se.ports.iter().enumerate() {
        let at = fp!["spec", "ports", i];
        if names.contains(&p.name.as_str()) {
            v.err(
                &join(at, fp!["name"]),
                format!("service entry port name {:?} already defined", p.name),
            );
        }
        names.push(&p.name);
        if numbers.contains(&p.number) {
            v.err(
                &join(at, fp!["number"]),
                format!("service entry port {} already defined", p.number),
            );
        }
        numbers.push(p.number);
        if let Some(t) = p.target_port.filter(|t| *t != 0) {
            v.check(&join(at, fp!["targetPort"]), checks::port(t));
        }
        if p.name.is_empty() || !checks::is_dns1123_label(&p.name) {
            v.err(
                &join(at, fp!["name"]),
                format!("invalid port name: {}", p.name),
            );
        }
        if !p.protocol.is_empty() && Protocol::parse(&p.protocol) == Protocol::Unsupported {
            v.err(
                &join(at, fp!["protocol"]),
                format!("unsupported protocol: {}", p.protocol),
            );
        }
        v.check(&join(at, fp!["number"]), checks::port(p.number));
    }
    match resolution {
        "NONE" => {
            if !se.endpoints.is_empty() {
                v.err(
                    fp!["spec", "endpoints"],
                    "no endpoints should be provided for resolution type none",
                );
            }
            if se.workload_selector.is_some() {
                v.warn(
                    fp!["spec", "workloadSelector"],
                    "workloadSelector should not be set when resolution mode is NONE",
                );
            }
        }
        "STATIC" => {
            for (i, e) in se.endpoints.iter().enumerate() {
                let at = fp!["spec", "endpoints", i];
                if e.address.is_empty() {
                    if e.network.is_none() {
                        v.err(at, "address is required");
                    }
                } else if !e.address.starts_with("unix://") && !checks::ip(&e.address) {
                    v.err(
                        &join(at, fp!["address"]),
                        format!("invalid address {}", e.address),
                    );
                }
                for (name, port) in &e.ports {
                    if !names.contains(&name.as_str()) {
                        v.err(
                            &join(at, fp!["ports", name]),
                            format!("endpoint port {name} is not defined by the service entry"),
                        );
                    }
                    v.check(&join(at, fp!["ports", name]), checks::port(*port));
                }
                v.check(&join(at, fp!["labels"]), checks::labels(&e.labels));
            }
        }
        "DNS" | "DNS_ROUND_ROBIN" => {
            if se.endpoints.is_empty() {
                for (i, h) in se.hosts.iter().enumerate() {
                    if let Err(e) = checks::fqdn(h) {
                        v.err(fp!["spec", "hosts", i], format!("hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode {resolution}, {e}"));
                        break;
                    }
                }
            }
            for (i, e) in se.endpoints.iter().enumerate() {
                if !checks::ip(&e.address)
                    && checks::fqdn(&e.address).is_err()
                    && !e.address.starts_with("unix://")
                {
                    v.err(
                        fp!["spec", "endpoints", i, "address"],
                        format!("invalid address {}", e.address),
                    );
                }
            }
        }
        _ => {}
    }
    export_to(v, &se.export_to, true);
}

// ---------------------------------------------------------------- Sidecar

fn sidecar(v: &mut V, s: &Sidecar) {
    if let Some((_, labels)) = super::selector_labels(&v.obj.node, &["spec", "workloadSelector"]) {
        if labels.is_empty() {
            v.warn(fp!["spec", "workloadSelector"], "sidecar: workload selector specified without labels, will be applied to all services in namespace");
        }
    }
    if s.egress.is_empty()
        && s.ingress.is_empty()
        && s.outbound_traffic_policy.is_none()
        && s.inbound_connection_pool.is_none()
    {
        v.err(fp!["spec"], "sidecar: empty configuration provided");
        return;
    }
    let mut ports: Vec<u32> = Vec::new();
    for (i, ing) in s.ingress.iter().enumerate() {
        let at = fp!["spec", "ingress", i];
        if ing.port.target_port.is_some_and(|t| t > 0) {
            v.err(
                &join(at, fp!["port", "targetPort"]),
                "targetPort has no impact on Sidecars",
            );
        }
        v.check(
            &join(at, fp!["port", "number"]),
            checks::port(ing.port.number),
        );
        if ports.contains(&ing.port.number) {
            v.err(
                &join(at, fp!["port", "number"]),
                "sidecar: ports on IP bound listeners must be unique",
            );
        }
        ports.push(ing.port.number);
        if ing.tls.is_some() && !Protocol::parse(&ing.port.protocol).is_tls() {
            v.err(
                &join(at, fp!["tls"]),
                "server cannot have TLS settings for non HTTPS/TLS ports",
            );
        }
        one_of(
            v,
            ing.capture_mode.as_deref(),
            CAPTURE_MODES,
            &join(at, fp!["captureMode"]),
        );
    }
    let mut ports: Vec<u32> = Vec::new();
    let mut catch_all = false;
    for (i, eg) in s.egress.iter().enumerate() {
        let at = fp!["spec", "egress", i];
        match &eg.port {
            None => {
                if catch_all {
                    v.err(
                        at,
                        "sidecar: egress can have only one listener with empty port",
                    );
                } else if i == s.egress.len() - 1 {
                    catch_all = true;
                } else {
                    v.err(at, "sidecar: the egress listener with empty port should be the last listener in the list");
                }
            }
            Some(p) => {
                if p.number != 0 {
                    if ports.contains(&p.number) {
                        v.err(
                            &join(at, fp!["port", "number"]),
                            "sidecar: ports on IP bound listeners must be unique",
                        );
                    }
                    ports.push(p.number);
                    v.check(&join(at, fp!["port", "number"]), checks::port(p.number));
                }
            }
        }
        if eg.hosts.is_empty() {
            v.err(
                at,
                "sidecar: egress listener must contain at least one host",
            );
        }
        for (h, host) in eg.hosts.iter().enumerate() {
            let hp = join(at, fp!["hosts", h]);
            match host.split_once('/') {
                None => v.err(&hp, "host must be of form namespace/dnsName"),
                Some((ns, dns)) => {
                    if ns.is_empty() || dns.is_empty() {
                        v.err(
                            &hp,
                            "config namespace and dnsName in host entry cannot be empty",
                        );
                    }
                    let n = ns.trim_start_matches('~');
                    if !n.is_empty() && n != "*" && n != "." && !checks::is_dns1123_label(n) {
                        v.err(&hp, format!("invalid namespace value {ns:?} in sidecar"));
                    }
                    if dns != "*" && !dns.contains('.') {
                        v.err(&hp, "short names (non FQDN) are not allowed");
                    }
                    v.check(&hp, checks::wildcard_domain(dns));
                }
            }
        }
    }
    if let Some(tp) = &s.outbound_traffic_policy {
        let at = fp!["spec", "outboundTrafficPolicy"];
        if tp.mode.as_deref() != Some("ALLOW_ANY_DYNAMIC_DNS") {
            one_of(
                v,
                tp.mode.as_deref(),
                &["REGISTRY_ONLY", "ALLOW_ANY"],
                &join(at, fp!["mode"]),
            );
        }
        if tp.mode.as_deref() == Some("ALLOW_ANY_DYNAMIC_DNS") {
            v.err(&join(at, fp!["mode"]), "sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource");
        } else if let Some(proxy) = &tp.egress_proxy {
            if tp.mode.as_deref() != Some("ALLOW_ANY") {
                v.err(&join(at, fp!["egressProxy"]), "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
            } else if proxy.port.is_none() {
                v.err(
                    &join(at, fp!["egressProxy"]),
                    "sidecar: egress_proxy port must be non-nil",
                );
            } else {
                destination(v, proxy, &join(at, fp!["egressProxy"]));
            }
        }
    }
}

// ---------------------------------------------------------------- PeerAuthentication

fn peer_authentication(v: &mut V, pa: &PeerAuthentication) {
    let empty_selector = pa
        .selector
        .as_ref()
        .is_none_or(|s| s.match_labels.is_empty());
    if empty_selector && !pa.port_level_mtls.is_empty() {
        v.err(
            fp!["spec", "portLevelMtls"],
            "mesh/namespace peer authentication cannot have port level mTLS",
        );
    }
    for port in pa.port_level_mtls.keys() {
        let ok = port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !ok {
            v.err(
                fp!["spec", "portLevelMtls", port],
                "port must be in range 1..65535",
            );
        }
    }
    if let Some(mode) = pa.mtls.as_ref().and_then(|m| m.mode.as_deref()) {
        if !matches!(mode, "UNSET" | "DISABLE" | "PERMISSIVE" | "STRICT") {
            v.err(
                fp!["spec", "mtls", "mode"],
                format!("unknown mTLS mode {mode:?}: one of UNSET, DISABLE, PERMISSIVE, STRICT"),
            );
        }
    }
}
