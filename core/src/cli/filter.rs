//! istioctl's proxy-config filter flags, with its meanings (istioctl/pkg/writer/envoy/configdump):
//! clusters by substrings of their name (`--fqdn`, `--subset`, `--direction`) and `|PORT|`;
//! listeners by address (any of them, case-insensitive), port and type (HTTP, TCP, HTTP+TCP,
//! UNKNOWN); routes by exact name; endpoints by `IP:PORT`, port, cluster name and health status.

use super::Args;
use crate::envoy::{ProxyConfig, Value};

const HCM: &str = "envoy.filters.network.http_connection_manager";
const TCP_PROXY: &str = "envoy.filters.network.tcp_proxy";

/// The filters given on the command line.
#[derive(Debug, Default)]
pub struct Filters<'a> {
    fqdn: Option<&'a str>,
    direction: Option<&'a str>,
    subset: Option<&'a str>,
    port: Option<u64>,
    address: Option<&'a str>,
    kind: Option<&'a str>,
    name: Option<&'a str>,
    cluster: Option<&'a str>,
    status: Option<&'a str>,
}

impl<'a> Filters<'a> {
    pub fn from_args(args: &'a Args) -> Filters<'a> {
        let o = |k| args.option(k).filter(|v| !v.is_empty());
        Filters {
            fqdn: o("fqdn"),
            direction: o("direction"),
            subset: o("subset"),
            // istioctl's 0 is "no filter".
            port: o("port").and_then(|p| p.parse().ok()).filter(|&p| p != 0),
            address: o("address"),
            kind: o("type"),
            name: o("name"),
            cluster: o("cluster"),
            status: o("status"),
        }
    }

    /// The resources of `config` the filters keep (endpoints: the matching ones in each cluster).
    pub fn apply(&self, config: &ProxyConfig) -> ProxyConfig {
        ProxyConfig {
            clusters: keep(&config.clusters, |c| self.cluster_matches(c)),
            listeners: keep(&config.listeners, |l| self.listener_matches(l)),
            routes: keep(&config.routes, |r| self.name.is_none_or(|n| r["name"] == n)),
            endpoints: config.endpoints.iter().map(|e| self.endpoints(e)).collect(),
        }
    }

    fn cluster_matches(&self, c: &Value) -> bool {
        let name = c["name"].as_str().unwrap_or_default();
        [self.fqdn, self.direction, self.subset]
            .iter()
            .flatten()
            .all(|part| name.contains(part))
            && self.port.is_none_or(|p| name.contains(&format!("|{p}|")))
    }

    fn listener_matches(&self, l: &Value) -> bool {
        let socket = &l["address"]["socket_address"];
        if let Some(want) = self.address {
            let extra = l["additional_addresses"].as_array().into_iter().flatten();
            let addresses = std::iter::once(&socket["address"])
                .chain(extra.map(|a| &a["address"]["socket_address"]["address"]));
            if !addresses
                .filter_map(Value::as_str)
                .any(|a| a.eq_ignore_ascii_case(want))
            {
                return false;
            }
        }
        self.port
            .is_none_or(|p| socket["port_value"].as_u64() == Some(p))
            && self
                .kind
                .is_none_or(|t| listener_type(l).eq_ignore_ascii_case(t))
    }

    /// A ClusterLoadAssignment with only the endpoints the filters keep.
    fn endpoints(&self, cla: &Value) -> Value {
        if self.address.is_none()
            && self.port.is_none()
            && self.cluster.is_none()
            && self.status.is_none()
        {
            return cla.clone();
        }
        let cluster = cla["cluster_name"].as_str().unwrap_or_default();
        let cluster_ok = self.cluster.is_none_or(|c| c.eq_ignore_ascii_case(cluster));
        let mut out = cla.clone();
        if let Some(groups) = out.get_mut("endpoints").and_then(Value::as_array_mut) {
            for group in groups {
                if let Some(eps) = group.get_mut("lb_endpoints").and_then(Value::as_array_mut) {
                    eps.retain(|ep| cluster_ok && self.endpoint_matches(ep));
                }
            }
        }
        out
    }

    fn endpoint_matches(&self, ep: &Value) -> bool {
        let sa = &ep["endpoint"]["address"]["socket_address"];
        let port = sa["port_value"].as_u64().unwrap_or(0);
        let address = format!("{}:{port}", sa["address"].as_str().unwrap_or_default());
        // Endpoints without health checking are HEALTHY, as Envoy's admin API (and our
        // table) shows them.
        let status = ep["health_status"].as_str().unwrap_or("HEALTHY");
        self.address
            .is_none_or(|a| a.eq_ignore_ascii_case(&address))
            && self.port.is_none_or(|p| p == port)
            && self.status.is_none_or(|s| s.eq_ignore_ascii_case(status))
    }
}

fn keep(all: &[Value], pred: impl Fn(&Value) -> bool) -> Vec<Value> {
    all.iter().filter(|v| pred(v)).cloned().collect()
}

/// istioctl's listener type: HTTP, TCP, HTTP+TCP or UNKNOWN, from the network filters of every
/// filter chain (a tcp_proxy to the BlackHoleCluster is not TCP traffic).
pub fn listener_type(l: &Value) -> &'static str {
    let chains = l["filter_chains"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(std::iter::once(&l["default_filter_chain"]));
    let (mut http, mut tcp) = (false, false);
    for chain in chains {
        for f in chain["filters"].as_array().into_iter().flatten() {
            match f["name"].as_str() {
                Some(HCM) => http = true,
                Some(TCP_PROXY) => {
                    let to_blackhole = f["typed_config"]["cluster"].as_str()
                        == Some(crate::envoy::well_known::BLACKHOLE_CLUSTER);
                    tcp |= !to_blackhole;
                }
                _ => {}
            }
        }
    }
    match (http, tcp) {
        (true, false) => "HTTP",
        (true, true) => "HTTP+TCP",
        (false, true) => "TCP",
        (false, false) => "UNKNOWN",
    }
}
