//! `istioctl proxy-config ... ` tables (istioctl/pkg/writer/envoy/configdump), computed from the
//! same JSON resources we print, so the short view can never disagree with the full one.

use super::ProxyConfig;
use crate::envoy::Value;
use crate::order;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// For each row, the index of the resource it was made from (for "show the JSON of this row").
    pub sources: Vec<usize>,
}

impl Table {
    fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            sources: Vec::new(),
        }
    }

    fn push(&mut self, source: usize, row: Vec<String>) {
        self.rows.push(row);
        self.sources.push(source);
    }

    /// Aligned columns, like Go's tabwriter with istioctl's padding.
    pub fn render(&self) -> String {
        let cols = self.headers.len();
        let mut widths = vec![0; cols];
        for row in std::iter::once(&self.headers).chain(self.rows.iter()) {
            for (i, cell) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(self.rows.iter()) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < cols {
                    line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 5));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `name.namespace` of the Istio object in `metadata.filter_metadata.istio.config`.
pub fn managed_by(metadata: &Value) -> String {
    let Some(path) = metadata["filter_metadata"]["istio"]["config"].as_str() else {
        return String::new();
    };
    if !path.starts_with("/apis/networking.istio.io/") {
        return "<unknown>".into();
    }
    let pieces: Vec<&str> = path.split('/').collect();
    if pieces.len() != 8 {
        return String::new();
    }
    format!("{}.{}", pieces[7], pieces[5])
}

pub fn clusters(config: &ProxyConfig) -> Table {
    let mut t = Table::new(&[
        "SERVICE FQDN",
        "PORT",
        "SUBSET",
        "DIRECTION",
        "TYPE",
        "DESTINATION RULE",
    ]);
    for (i, c) in config.clusters.iter().enumerate() {
        let name = c["name"].as_str().unwrap_or_default();
        let ty = c["type"]
            .as_str()
            .unwrap_or(if c.get("cluster_type").is_some() {
                "STATIC"
            } else {
                "EDS"
            })
            .to_string();
        let parts: Vec<&str> = name.split('|').collect();
        let row = if parts.len() > 3 {
            let subset = if parts[2].is_empty() { "-" } else { parts[2] };
            vec![
                parts[3].into(),
                parts[1].into(),
                subset.into(),
                parts[0].into(),
                ty,
                managed_by(&c["metadata"]),
            ]
        } else {
            vec![
                name.into(),
                "-".into(),
                "-".into(),
                "-".into(),
                ty,
                managed_by(&c["metadata"]),
            ]
        };
        t.push(i, row);
    }
    t
}

fn unexpand_domains(domains: &[String]) -> Vec<String> {
    let delete = |h: &String| {
        let full = h.strip_suffix(".svc.cluster.local");
        let partial = h.strip_suffix(".svc");
        full.is_some_and(|s| domains.iter().any(|d| d == s))
            || partial.is_some_and(|s| domains.iter().any(|d| d == s))
    };
    domains.iter().filter(|h| !delete(h)).cloned().collect()
}

fn describe_domains(domains: &[Value]) -> String {
    let domains: Vec<String> = domains
        .iter()
        .filter_map(|d| d.as_str().map(String::from))
        .collect();
    match domains.len() {
        0 => String::new(),
        1 => domains[0].clone(),
        _ => {
            let without_port: Vec<String> = domains
                .iter()
                .filter(|d| !d.contains(':') || (d.matches(':').count() > 2 && d.ends_with(']')))
                .cloned()
                .collect();
            let list = unexpand_domains(&without_port);
            if list.len() > 2 {
                format!("{} + {} more...", list[..2].join(", "), list.len() - 2)
            } else {
                list.join(", ")
            }
        }
    }
}

pub fn describe_match(m: &Value) -> String {
    let mut conds = Vec::new();
    if let Some(p) = m["prefix"].as_str().filter(|p| !p.is_empty()) {
        conds.push(format!("{p}*"));
    }
    if let Some(p) = m["path_separated_prefix"].as_str() {
        conds.push(format!("PathPrefix:{p}"));
    }
    if let Some(p) = m["path"].as_str() {
        conds.push(p.to_string());
    }
    if let Some(r) = m["safe_regex"]["regex"].as_str() {
        conds.push(format!("regex {r}"));
    }
    conds.join(" ")
}

pub fn routes(config: &ProxyConfig) -> Table {
    let mut t = Table::new(&["NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"]);
    for (i, rc) in config.routes.iter().enumerate() {
        let name = rc["name"].as_str().unwrap_or_default();
        for vh in rc["virtual_hosts"].as_array().into_iter().flatten() {
            let vname = vh["name"].as_str().unwrap_or_default().to_string();
            let domains =
                describe_domains(vh["domains"].as_array().map_or(&[][..], |v| v.as_slice()));
            let routes = vh["routes"].as_array().map_or(&[][..], |v| v.as_slice());
            for r in routes {
                if r["route"]["cluster"] == super::well_known::PASSTHROUGH_CLUSTER {
                    continue;
                }
                t.push(
                    i,
                    vec![
                        name.into(),
                        vname.clone(),
                        domains.clone(),
                        describe_match(&r["match"]),
                        managed_by(&r["metadata"]),
                    ],
                );
            }
            if routes.is_empty() {
                t.push(
                    i,
                    vec![
                        name.into(),
                        vname.clone(),
                        domains.clone(),
                        "/*".into(),
                        "404".into(),
                    ],
                );
            }
        }
    }
    t
}

const APP_PROTOCOLS: &[(&str, &[&str])] = &[
    (
        "App: HTTP TLS",
        &[
            "http/1.0",
            "http/1.1",
            "h2c",
            "istio-http/1.0",
            "istio-http/1.1",
            "istio-h2",
        ],
    ),
    (
        "App: Istio HTTP Plain",
        &["istio-http/1.0", "istio-http/1.1", "istio-h2"],
    ),
    ("App: TCP TLS", &["istio-peer-exchange", "istio"]),
    ("App: HTTP", &["http/1.1", "h2c"]),
];

fn describe_chain_match(m: &Value) -> String {
    let mut d = Vec::new();
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(String::from))
            .collect()
    };
    let sni = strs(&m["server_names"]);
    if !sni.is_empty() {
        d.push(format!("SNI: {}", sni.join(",")));
    }
    if let Some(t) = m["transport_protocol"].as_str() {
        d.push(format!("Trans: {t}"));
    }
    let app = strs(&m["application_protocols"]);
    if !app.is_empty() {
        match APP_PROTOCOLS
            .iter()
            .find(|(_, p)| p.iter().copied().eq(app.iter().map(String::as_str)))
        {
            Some((name, _)) => d.push(name.to_string()),
            None => d.push(format!("App: {}", app.join(","))),
        }
    }
    let port = m["destination_port"]
        .as_u64()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    let ranges: Vec<String> = m["prefix_ranges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            format!(
                "{}/{}",
                r["address_prefix"].as_str().unwrap_or_default(),
                r["prefix_len"].as_u64().unwrap_or(0)
            )
        })
        .collect();
    if !ranges.is_empty() {
        d.push(format!("Addr: {}{port}", ranges.join(",")));
    } else if !port.is_empty() {
        d.push(format!("Addr: *{port}"));
    }
    if d.is_empty() {
        "ALL".into()
    } else {
        d.join("; ")
    }
}

fn describe_inline_routes(rc: &Value) -> String {
    let vhs = rc["virtual_hosts"]
        .as_array()
        .map_or(&[][..], |v| v.as_slice());
    if vhs.len() == 1 && vhs[0]["domains"] == serde_json::json!(["*"]) {
        let routes = vhs[0]["routes"]
            .as_array()
            .map_or(&[][..], |v| v.as_slice());
        if routes.len() == 1 && routes[0]["match"]["prefix"] == "/" {
            if let Some(c) = routes[0]["route"]["cluster"].as_str() {
                return if c.contains("Cluster") {
                    c.into()
                } else {
                    format!("Cluster: {c}")
                };
            }
        }
    }
    let parts: Vec<String> = vhs
        .iter()
        .map(|vh| {
            let routes: Vec<String> = vh["routes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| describe_match(&r["match"]))
                .collect();
            let domains: Vec<&str> = vh["domains"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if domains == ["*"] {
                routes.join(", ")
            } else {
                format!("{} {}", domains.join("/"), routes.join(", "))
            }
        })
        .collect();
    format!("Inline Route: {}", parts.join("; "))
}

fn describe_destination(chain: &Value) -> String {
    for f in chain["filters"].as_array().into_iter().flatten() {
        let tc = &f["typed_config"];
        match f["name"].as_str() {
            Some("envoy.filters.network.http_connection_manager") => {
                if tc.get("route_config").is_some() {
                    return describe_inline_routes(&tc["route_config"]);
                }
                if let Some(n) = tc["rds"]["route_config_name"].as_str() {
                    return format!("Route: {n}");
                }
                return "HTTP".into();
            }
            Some("envoy.filters.network.tcp_proxy") => {
                let cluster = tc["cluster"].as_str().unwrap_or_default();
                if cluster == super::well_known::BLACKHOLE_CLUSTER {
                    continue;
                }
                if cluster.is_empty() {
                    let names: Vec<&str> = tc["weighted_clusters"]["clusters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["name"].as_str())
                        .collect();
                    return format!("Cluster: {}", names.join(","));
                }
                return if cluster.contains("Cluster") {
                    cluster.into()
                } else {
                    format!("Cluster: {cluster}")
                };
            }
            _ => {}
        }
    }
    "Non-HTTP/Non-TCP".into()
}

pub fn listeners(config: &ProxyConfig) -> Table {
    let mut t = Table::new(&["ADDRESSES", "PORT", "MATCH", "DESTINATION"]);
    let mut by_port: Vec<usize> = (0..config.listeners.len()).collect();
    let port = |l: &Value| {
        l["address"]["socket_address"]["port_value"]
            .as_u64()
            .unwrap_or(0)
    };
    let addr = |l: &Value| {
        l["address"]["socket_address"]["address"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    order::sort_by(&mut by_port, |&a, &b| {
        let (a, b) = (&config.listeners[a], &config.listeners[b]);
        (port(a), addr(a)).cmp(&(port(b), addr(b)))
    });
    for i in by_port {
        let l = &config.listeners[i];
        let mut chains: Vec<&Value> = l["filter_chains"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        if l.get("default_filter_chain").is_some() {
            chains.push(&l["default_filter_chain"]);
        }
        let mut rows: Vec<(String, String)> = chains
            .iter()
            .map(|c| {
                (
                    describe_chain_match(&c["filter_chain_match"]),
                    describe_destination(c),
                )
            })
            .collect();
        order::sort_by(&mut rows, |a, b| b.1.cmp(&a.1));
        for (m, d) in rows {
            t.push(i, vec![addr(l), port(l).to_string(), m, d]);
        }
    }
    t
}

pub fn endpoints(config: &ProxyConfig) -> Table {
    let mut t = Table::new(&["ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER"]);
    let mut by_cluster: Vec<usize> = (0..config.endpoints.len()).collect();
    order::sort_by_key(&mut by_cluster, |&i| {
        config.endpoints[i]["cluster_name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    });
    for i in by_cluster {
        let cla = &config.endpoints[i];
        let cluster = cla["cluster_name"].as_str().unwrap_or_default();
        for group in cla["endpoints"].as_array().into_iter().flatten() {
            for ep in group["lb_endpoints"].as_array().into_iter().flatten() {
                let sa = &ep["endpoint"]["address"]["socket_address"];
                let addr = format!(
                    "{}:{}",
                    sa["address"].as_str().unwrap_or_default(),
                    sa["port_value"].as_u64().unwrap_or(0)
                );
                let status = ep["health_status"].as_str().unwrap_or("HEALTHY");
                t.push(i, vec![addr, status.into(), "OK".into(), cluster.into()]);
            }
        }
    }
    t
}
