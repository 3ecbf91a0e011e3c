//! RDS patches: ROUTE_CONFIGURATION, VIRTUAL_HOST, HTTP_ROUTE, as istiod's
//! `ApplyRouteConfigurationPatches` runs them on each route configuration it builds (the RDS
//! ones of sidecars and gateways, and the inline one of each inbound HTTP chain).

use super::listener::{element_path, list_op, Outcome};
use super::merge::merge;
use super::{ApplyTo, Context, Operation, Patch, Record, ResourceType};
use crate::envoy::Value;

/// Where a route configuration sits, for the change records: an RDS resource, or the inline
/// `route_config` of a listener's HCM.
pub struct Location<'a> {
    pub resource: ResourceType,
    pub name: &'a str,
    /// The path of the route configuration inside the resource (empty for RDS).
    pub prefix: &'a str,
}

impl Location<'_> {
    fn path(&self, rest: &str) -> String {
        match (self.prefix.is_empty(), rest.is_empty()) {
            (true, _) => rest.to_string(),
            (false, true) => self.prefix.to_string(),
            (false, false) => format!("{}.{rest}", self.prefix),
        }
    }
}

/// A gateway's `PortMap`: the port in each RDS name (`http.8080`) to the Gateway server ports
/// routed there (80), which `routeConfiguration.portNumber` is compared with.
pub type PortMap = Vec<(u32, Vec<u32>)>;

pub fn gateway_port_map(mesh: &crate::mesh::Mesh, proxy: &crate::mesh::Proxy) -> PortMap {
    let mut out: PortMap = Vec::new();
    for l in crate::translate::gateway::merged(mesh, proxy) {
        for s in &l.servers {
            let Some(name) = s.route_config.as_deref() else {
                continue;
            };
            let (port, _, _) = parse_gateway_route_name(name);
            match out.iter_mut().find(|(p, _)| *p == port) {
                Some((_, ports)) => {
                    if !ports.contains(&s.server.port.number) {
                        ports.push(s.server.port.number);
                    }
                }
                None => out.push((port, vec![s.server.port.number])),
            }
        }
    }
    out
}

pub fn patch_route_config(
    ctx: Context,
    port_map: &PortMap,
    patches: &[Patch],
    rc: &mut Value,
    rec: &mut Record,
    at: &Location,
) {
    let of = |a: ApplyTo| {
        patches
            .iter()
            .filter(move |p| p.apply_to == a && p.in_context(ctx))
    };
    for p in of(ApplyTo::RouteConfiguration) {
        if p.operation.is_merge() && route_configuration_match(ctx, port_map, rc, p) {
            merge(rc, &p.value, p.operation == Operation::MergeAndReplaceList);
            rec.change(p, at.resource, at.name, at.path(""));
        }
    }
    // patchVirtualHosts
    let snapshot = rc.clone();
    let n = rc["virtual_hosts"].as_array().map_or(0, Vec::len);
    let mut removed: Vec<String> = Vec::new();
    for i in 0..n {
        let vh = &mut rc["virtual_hosts"][i];
        let mut gone = false;
        for p in of(ApplyTo::VirtualHost) {
            if !route_configuration_match(ctx, port_map, &snapshot, p) || !virtual_host_match(vh, p)
            {
                continue;
            }
            let path = at.path(&element_path("virtual_hosts", i, vh));
            match p.operation {
                Operation::Remove => {
                    removed.push(vh["name"].as_str().unwrap_or_default().to_string());
                    rec.change(p, at.resource, at.name, path);
                    gone = true;
                    break;
                }
                op if op.is_merge() => {
                    merge(vh, &p.value, op == Operation::MergeAndReplaceList);
                    rec.change(p, at.resource, at.name, path);
                }
                Operation::Replace => {
                    *vh = p.value.clone();
                    rec.change(p, at.resource, at.name, path);
                }
                _ => {}
            }
        }
        if !gone {
            let base = at.path(&element_path("virtual_hosts", i, vh));
            http_routes(ctx, port_map, patches, &snapshot, vh, rec, at, &base);
        }
    }
    for p in of(ApplyTo::VirtualHost) {
        if p.operation == Operation::Add && route_configuration_match(ctx, port_map, &snapshot, p) {
            let list = super::listener::list_mut(rc, "virtual_hosts");
            list.push(p.value.clone());
            let path = at.path(&element_path("virtual_hosts", list.len() - 1, &p.value));
            rec.change(p, at.resource, at.name, path);
        }
    }
    if !removed.is_empty() {
        if let Some(list) = rc.get_mut("virtual_hosts").and_then(Value::as_array_mut) {
            list.retain(|vh| !removed.iter().any(|r| vh["name"] == r.as_str()));
        }
    }
}

/// `patchHTTPRoutes` on one virtual host.
#[allow(clippy::too_many_arguments)]
fn http_routes(
    ctx: Context,
    port_map: &PortMap,
    patches: &[Patch],
    rc: &Value,
    vh: &mut Value,
    rec: &mut Record,
    at: &Location,
    base: &str,
) {
    let of = |a: ApplyTo| {
        patches
            .iter()
            .filter(move |p| p.apply_to == a && p.in_context(ctx))
    };
    let n = vh["routes"].as_array().map_or(0, Vec::len);
    let mut any_removed = false;
    for i in 0..n {
        for p in of(ApplyTo::HttpRoute) {
            let route = &vh["routes"][i];
            if route.is_null()
                || !route_configuration_match(ctx, port_map, rc, p)
                || !virtual_host_match(vh, p)
                || !route_match(route, p)
            {
                continue;
            }
            let path = format!("{base}.{}", element_path("routes", i, route));
            if p.operation == Operation::Remove {
                vh["routes"][i] = Value::Null;
                any_removed = true;
                rec.change(p, at.resource, at.name, path);
                break;
            } else if p.operation.is_merge() {
                merge(
                    &mut vh["routes"][i],
                    &p.value,
                    p.operation == Operation::MergeAndReplaceList,
                );
                rec.change(p, at.resource, at.name, path);
            }
        }
    }
    for p in of(ApplyTo::HttpRoute) {
        if !route_configuration_match(ctx, port_map, rc, p) || !virtual_host_match(vh, p) {
            continue;
        }
        let has_match = route_match_given(p);
        let list = super::listener::list_mut(vh, "routes");
        let outcome = match p.operation {
            Operation::Add | Operation::InsertAfter | Operation::InsertBefore => {
                list_op(list, p, has_match, |r| !r.is_null() && route_match(r, p))
            }
            // INSERT_FIRST with a route match inserts first only when some route matches.
            Operation::InsertFirst
                if !has_match || list.iter().any(|r| !r.is_null() && route_match(r, p)) =>
            {
                list.insert(0, p.value.clone());
                Outcome::At(0)
            }
            _ => Outcome::Nothing,
        };
        if let Outcome::At(i) = outcome {
            let path = format!("{base}.{}", element_path("routes", i, &list[i]));
            rec.change(p, at.resource, at.name, path);
        }
    }
    if any_removed {
        if let Some(list) = vh.get_mut("routes").and_then(Value::as_array_mut) {
            list.retain(|r| !r.is_null());
        }
    }
}

/// Go's `strconv.Atoi` on a whole string.
fn atoi(s: &str) -> Option<u32> {
    s.parse().ok()
}

/// The listener port a sidecar route configuration belongs to (`getListenerPortFromName`):
/// `inbound|9080||` and `9080` give 9080; `reviews.default.svc.cluster.local:9080` gives 0.
pub fn listener_port_of(name: &str) -> u32 {
    if name.starts_with("inbound") {
        name.split('|').nth(1).and_then(atoi).unwrap_or(0)
    } else {
        atoi(name).unwrap_or(0)
    }
}

/// `ParseGatewayRDSRouteName`: (port, port name, `namespace/gateway`).
pub fn parse_gateway_route_name(name: &str) -> (u32, String, String) {
    if let Some(port) = name.strip_prefix("http.") {
        return (atoi(port).unwrap_or(0), String::new(), String::new());
    }
    if let Some(rest) = name
        .strip_prefix("https.")
        .filter(|_| name.matches('.').count() == 4)
    {
        let parts: Vec<&str> = rest.splitn(4, '.').collect();
        let port = parts.first().and_then(|p| atoi(p)).unwrap_or(0);
        let port_name = parts.get(1).copied().unwrap_or_default().to_string();
        let gateway = match (parts.get(2), parts.get(3)) {
            (Some(gw), Some(ns)) => format!("{ns}/{gw}"),
            _ => String::new(),
        };
        return (port, port_name, gateway);
    }
    (0, String::new(), String::new())
}

/// `routeConfigurationMatch`.
pub fn route_configuration_match(ctx: Context, port_map: &PortMap, rc: &Value, p: &Patch) -> bool {
    let Some(m) = p.matches.route_configuration.as_ref() else {
        return true;
    };
    let name = rc["name"].as_str().unwrap_or_default();
    if m.name
        .as_deref()
        .is_some_and(|n| !n.is_empty() && n != name)
    {
        return false;
    }
    if ctx != Context::Gateway {
        return m.port_number == 0 || m.port_number == listener_port_of(name);
    }
    let (port, port_name, gateway) = parse_gateway_route_name(name);
    if m.port_name
        .as_deref()
        .is_some_and(|n| !n.is_empty() && n != port_name)
    {
        return false;
    }
    if m.gateway
        .as_deref()
        .is_some_and(|g| !g.is_empty() && g != gateway)
    {
        return false;
    }
    // `anyPortMatches`: a route name's port known to the gateway matches its server ports.
    m.port_number == 0
        || match port_map.iter().find(|(p, _)| *p == port) {
            Some((_, servers)) => servers.contains(&m.port_number),
            None => m.port_number == port,
        }
}

/// `virtualHostMatch`.
pub fn virtual_host_match(vh: &Value, p: &Patch) -> bool {
    let Some(m) = p
        .matches
        .route_configuration
        .as_ref()
        .and_then(|r| r.vhost.as_ref())
    else {
        return true;
    };
    m.name
        .as_deref()
        .is_none_or(|n| n.is_empty() || vh["name"] == n)
        && m.domain_name.as_deref().is_none_or(|d| {
            d.is_empty()
                || vh["domains"]
                    .as_array()
                    .is_some_and(|ds| ds.iter().any(|x| x == d))
        })
}

fn route_match_given(p: &Patch) -> bool {
    p.matches
        .route_configuration
        .as_ref()
        .and_then(|r| r.vhost.as_ref())
        .is_some_and(|v| v.route.is_some())
}

/// `routeMatch`: the route's name and action (ANY, ROUTE, REDIRECT, DIRECT_RESPONSE).
pub fn route_match(route: &Value, p: &Patch) -> bool {
    let Some(m) = p
        .matches
        .route_configuration
        .as_ref()
        .and_then(|r| r.vhost.as_ref())
        .and_then(|v| v.route.as_ref())
    else {
        return true;
    };
    if m.name
        .as_deref()
        .is_some_and(|n| !n.is_empty() && route["name"] != n)
    {
        return false;
    }
    let action = m.action.as_deref().unwrap_or("ANY");
    if action == "ANY" {
        return true;
    }
    for (key, name) in [
        ("route", "ROUTE"),
        ("redirect", "REDIRECT"),
        ("direct_response", "DIRECT_RESPONSE"),
    ] {
        if route.get(key).is_some() {
            return action == name;
        }
    }
    true
}
