//! The mesh as a picture: who can call whom, laid out deterministically so the page's SVG is
//! stable, and what a traced request (or a hundred of them) did on that picture.
//!
//! - [`Topology::build`]: nodes are the workloads (ingress gateways, each service's workloads
//!   grouped under the service, one node per Deployment, so versions and DestinationRule subsets
//!   show as the members of a group), subsets with no pods, and hosts outside the mesh. Edges are
//!   what the applications call (their `calls`) and the clusters each gateway's routes name.
//!   Subsets and gateway targets are what the generated Envoy config would say (the endpoints of
//!   `outbound|port|subset|host` clusters, the gateways' routes), read from the mesh model by
//!   [`summary`] without translating every proxy; a test checks it against the translated config.
//! - [`plan`]: a traced [`Hop`] tree as the animation plays it: moves along edges, in depth-first
//!   order (branch by branch), with delays, local answers (404 NR, 503 UH, fault aborts) and
//!   mirrored copies; and the result the path ends with.
//! - [`Topology::shares`]: for many traces, the share of requests that took each edge, out of
//!   those the caller sent to the same service.
//!
//! Layout: services are placed in columns by their longest call distance from a source (the
//! gateway on the left), ordered in a column by the position of their callers, then by name.
//! Every coordinate is an integer computed from the input alone.

use crate::sorted::{SortedMap, SortedSet};
use std::collections::{HashMap, HashSet};

use crate::envoy::Value;
use serde::{Deserialize, Serialize};

use crate::mesh::Mesh;
use crate::order;
use crate::simulate::{Hop, Mode};
use crate::translate::endpoint::parse_outbound;

/// Node size and spacing, in SVG user units.
pub const NODE_W: i32 = 150;
pub const NODE_H: i32 = 30;
const NODE_GAP: i32 = 8;
const GROUP_PAD: i32 = 8;
const GROUP_LABEL: i32 = 18;
const GROUP_W: i32 = NODE_W + 2 * GROUP_PAD;
const COLUMN_GAP: i32 = 64;
const ROW_GAP: i32 = 20;
const MARGIN: i32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// An Envoy running as a gateway (the ingress gateway).
    Gateway,
    /// A workload with a sidecar.
    Sidecar,
    /// A workload without a sidecar.
    Plain,
    /// A DestinationRule subset (or a whole service) that selects no pod.
    NoPods,
    /// A host outside the mesh (a ServiceEntry with `MESH_EXTERNAL`).
    External,
    /// A collapsed namespace standing for its services ([`Topology::collapse`]).
    Namespace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Gateway,
    Service,
    External,
    /// A workload no service selects.
    Standalone,
    /// A collapsed namespace.
    Namespace,
}

/// A box on the picture: a workload, an empty subset or an external host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// The workload name the trace uses (`reviews-v2`, `istio-ingressgateway`), `<service>-<subset>`
    /// for an empty subset, or `ext:<host>`.
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
    /// The workload's `version` label.
    pub version: Option<String>,
    /// The DestinationRule subsets (from the generated clusters) whose endpoints include it.
    pub subsets: Vec<String>,
    pub group: usize,
    pub x: i32,
    pub y: i32,
}

/// A service with its workloads (or a gateway, or an external host).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub label: String,
    pub namespace: String,
    pub kind: GroupKind,
    /// The service's host name (empty for a standalone workload).
    pub host: String,
    pub column: usize,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// The application calls the service (`pilotlight.io/calls`).
    Call,
    /// A gateway route names the cluster.
    Route,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// Start and end points (right side of `from`, left side of `to`).
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
}

/// Serializable both ways: the page builds a large mesh's picture in a Web Worker and posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    pub nodes: Vec<Node>,
    pub groups: Vec<Group>,
    pub edges: Vec<Edge>,
    pub width: i32,
    pub height: i32,
}

/// What the builder knows about a workload before layout.
struct Proto {
    id: String,
    kind: NodeKind,
    ips: Vec<String>,
    version: Option<String>,
    namespace: String,
}

impl Topology {
    /// The picture of a mesh, from its model: no proxy's full config is translated (see
    /// [`summary`]).
    pub fn build(mesh: &Mesh) -> Topology {
        Topology::build_from(mesh, |by_ip| Summary::from_mesh(mesh, by_ip))
    }

    /// The picture from a routing summary made for the workloads' addresses (`by_ip`).
    fn build_from(
        mesh: &Mesh,
        summarize: impl FnOnce(&SortedMap<&str, &str>) -> Summary,
    ) -> Topology {
        // Workloads: one node per Deployment (replicas share the workload name the trace uses).
        let mut protos: Vec<Proto> = Vec::new();
        let mut proto_index: HashMap<String, usize> = HashMap::new();
        let mut add =
            |id: &str, kind: NodeKind, ip: &[String], ns: &str, version: Option<&String>| {
                match proto_index.get(id) {
                    Some(&i) => protos[i].ips.extend(ip.iter().cloned()),
                    None => {
                        proto_index.insert(id.to_string(), protos.len());
                        protos.push(Proto {
                            id: id.to_string(),
                            kind,
                            ips: ip.to_vec(),
                            version: version.cloned(),
                            namespace: ns.to_string(),
                        })
                    }
                }
            };
        for p in mesh.proxies() {
            let kind = if p.is_gateway() {
                NodeKind::Gateway
            } else {
                NodeKind::Sidecar
            };
            add(
                &p.workload,
                kind,
                &p.ips,
                &p.namespace,
                p.labels.get("version"),
            );
        }
        for w in mesh.workloads.iter().filter(|w| w.proxy.is_none()) {
            add(
                &w.app,
                NodeKind::Plain,
                &w.ips,
                &w.namespace,
                w.labels.get("version"),
            );
        }
        let by_ip: SortedMap<&str, &str> = protos
            .iter()
            .flat_map(|p| p.ips.iter().map(move |ip| (ip.as_str(), p.id.as_str())))
            .collect();

        // Subsets, what each outbound cluster reaches and what routes send to, from the mesh.
        let Summary {
            cluster_targets,
            subsets,
            routed,
            gateway_routes,
        } = summarize(&by_ip);
        // Host -> its subsets whose cluster reaches no workload but some route sends to.
        let mut empty_by_host: HashMap<&str, SortedSet<String>> = HashMap::new();
        for (c, t) in cluster_targets.iter() {
            if let Some((_, subset, host)) = parse_outbound(c) {
                if !subset.is_empty() && t.is_empty() && routed.contains(c) {
                    empty_by_host
                        .entry(host)
                        .or_default()
                        .insert(subset.to_string());
                }
            }
        }

        // Groups: gateways, then services with their workloads, then standalone workloads.
        let mut groups: Vec<Group> = Vec::new();
        let mut nodes: Vec<Node> = Vec::new();
        let mut placed: HashSet<String> = HashSet::new();
        let mut gateway_nodes: HashSet<String> = HashSet::new();
        let group = |id: String, label: String, ns: &str, kind: GroupKind, host: &str| Group {
            id,
            label,
            namespace: ns.to_string(),
            kind,
            host: host.to_string(),
            column: 0,
            x: 0,
            y: 0,
            w: GROUP_W,
            h: 0,
        };
        let node = |p: &Proto, group: usize| Node {
            id: p.id.clone(),
            label: p.id.clone(),
            kind: p.kind,
            version: p.version.clone(),
            subsets: subsets
                .get(&p.id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
            group,
            x: 0,
            y: 0,
        };
        for p in protos.iter().filter(|p| p.kind == NodeKind::Gateway) {
            groups.push(group(
                p.id.clone(),
                p.id.clone(),
                &p.namespace,
                GroupKind::Gateway,
                "",
            ));
            nodes.push(node(p, groups.len() - 1));
            placed.insert(p.id.clone());
            gateway_nodes.insert(p.id.clone());
        }
        // host -> group index, for edges.
        let mut host_group: HashMap<String, usize> = HashMap::new();
        for s in &mesh.services {
            if host_group.contains_key(&s.hostname) {
                continue;
            }
            let members: Vec<&Proto> = {
                let mut ids: Vec<&str> = s
                    .endpoints
                    .iter()
                    .filter_map(|e| by_ip.get(e.address.as_str()).copied())
                    .collect();
                ids.dedup();
                // In the order the workloads were found.
                let mut at: Vec<usize> = ids
                    .iter()
                    .filter_map(|id| proto_index.get(*id))
                    .copied()
                    .collect();
                order::sort(&mut at);
                at.dedup();
                at.into_iter()
                    .map(|i| &protos[i])
                    .filter(|p| p.kind != NodeKind::Gateway)
                    .collect()
            };
            let empty_subsets: Vec<String> = empty_by_host
                .get(s.hostname.as_str())
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default();
            let external = s.mesh_external || (members.is_empty() && !s.is_kube());
            let is_gateway_service = s
                .endpoints
                .iter()
                .filter_map(|e| by_ip.get(e.address.as_str()))
                .any(|w| gateway_nodes.contains(*w));
            if is_gateway_service && members.is_empty() {
                continue;
            }
            let kind = if external {
                GroupKind::External
            } else {
                GroupKind::Service
            };
            let fresh: Vec<&Proto> = members
                .into_iter()
                .filter(|p| !placed.contains(&p.id))
                .collect();
            let shares_placed = s
                .endpoints
                .iter()
                .filter_map(|e| by_ip.get(e.address.as_str()))
                .any(|w| placed.contains(*w));
            if fresh.is_empty() && shares_placed {
                // Another service already shows these workloads: point this host at that group.
                if let Some(w) = s
                    .endpoints
                    .iter()
                    .find_map(|e| by_ip.get(e.address.as_str()))
                {
                    if let Some(n) = nodes.iter().find(|n| n.id == *w) {
                        host_group.insert(s.hostname.clone(), n.group);
                    }
                }
                continue;
            }
            let label = if s.is_kube() {
                s.name.clone()
            } else {
                s.hostname.clone()
            };
            groups.push(group(
                format!("{}.{}", s.name, s.namespace),
                label,
                &s.namespace,
                kind,
                &s.hostname,
            ));
            let gi = groups.len() - 1;
            let first_node = nodes.len();
            host_group.insert(s.hostname.clone(), gi);
            for p in fresh {
                nodes.push(node(p, gi));
                placed.insert(p.id.clone());
            }
            for subset in empty_subsets {
                nodes.push(Node {
                    id: format!("{}-{subset}", s.name),
                    label: format!("{}-{subset}", s.name),
                    kind: NodeKind::NoPods,
                    version: None,
                    subsets: vec![subset],
                    group: gi,
                    x: 0,
                    y: 0,
                });
            }
            if nodes.len() == first_node {
                let (id, kind) = if external {
                    (format!("ext:{}", s.hostname), NodeKind::External)
                } else {
                    (format!("{}-no-pods", s.name), NodeKind::NoPods)
                };
                nodes.push(Node {
                    label: if external {
                        s.hostname.clone()
                    } else {
                        id.clone()
                    },
                    id,
                    kind,
                    version: None,
                    subsets: Vec::new(),
                    group: gi,
                    x: 0,
                    y: 0,
                });
            }
        }
        for p in protos.iter().filter(|p| !placed.contains(&p.id)) {
            groups.push(group(
                p.id.clone(),
                p.id.clone(),
                &p.namespace,
                GroupKind::Standalone,
                "",
            ));
            nodes.push(node(p, groups.len() - 1));
        }

        // Edges.
        let mut edges: Vec<(String, String, EdgeKind)> = Vec::new();
        let node_ids: SortedSet<String> = nodes.iter().map(|n| n.id.clone()).collect();
        let mut members: Vec<Vec<String>> = vec![Vec::new(); groups.len()];
        for n in &nodes {
            members[n.group].push(n.id.clone());
        }
        let group_nodes = |gi: usize| -> Vec<String> { members[gi].clone() };
        for p in mesh.proxies().iter().filter(|p| !p.is_gateway()) {
            for call in &p.calls {
                if let Some(gi) = resolve_host(&host_group, &call.host, &p.namespace) {
                    for to in group_nodes(gi) {
                        if to != p.workload {
                            edges.push((p.workload.clone(), to, EdgeKind::Call));
                        }
                    }
                }
            }
        }
        for (gateway, clusters) in &gateway_routes {
            for cluster in clusters {
                let Some((_, subset, host)) = parse_outbound(cluster) else {
                    continue;
                };
                let targets: Vec<String> = match cluster_targets.get(cluster) {
                    Some(t) if !t.is_empty() => t.iter().cloned().collect(),
                    _ => match host_group.get(host) {
                        Some(&gi) if !subset.is_empty() => {
                            let short = &groups[gi].id;
                            let short = short.split('.').next().unwrap_or(short);
                            vec![format!("{short}-{subset}")]
                        }
                        Some(&gi) => group_nodes(gi),
                        None => Vec::new(),
                    },
                };
                for to in targets.into_iter().filter(|t| node_ids.contains(t)) {
                    if to != *gateway {
                        edges.push((gateway.clone(), to, EdgeKind::Route));
                    }
                }
            }
        }

        let mut t = Topology {
            nodes,
            groups,
            edges: edges
                .into_iter()
                .collect::<SortedSet<_>>()
                .into_iter()
                .map(|(from, to, kind)| Edge {
                    from,
                    to,
                    kind,
                    x1: 0,
                    y1: 0,
                    x2: 0,
                    y2: 0,
                })
                .collect(),
            width: 0,
            height: 0,
        };
        t.layout();
        t
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Where to write a label of `w` x `h` (a stop mark's "403 RBAC: access denied") for the point
    /// (`x`, `y`): the first of a few spots around it whose box covers no node and no group's
    /// title, so a mark never hides a workload's name. Returns the box's top-left corner.
    pub fn label_spot(&self, x: i32, y: i32, w: i32, h: i32) -> (i32, i32) {
        const GAP: i32 = 10;
        let overlaps = |(lx, ly): (i32, i32)| {
            let hits = |bx: i32, by: i32, bw: i32, bh: i32| {
                lx < bx + bw && bx < lx + w && ly < by + bh && by < ly + h
            };
            self.nodes.iter().any(|n| hits(n.x, n.y, NODE_W, NODE_H))
                || self.groups.iter().any(|g| hits(g.x, g.y, g.w, 18))
        };
        // Inside a node (a request stopped at a workload), start from that node's edges.
        let (top, bottom) = match self
            .nodes
            .iter()
            .find(|n| x >= n.x && x <= n.x + NODE_W && y >= n.y && y <= n.y + NODE_H)
        {
            Some(n) => (n.y, n.y + NODE_H),
            None => (y, y),
        };
        // Just above or below a node the mark stands on, then beside the point, then further up
        // and down from it, a line at a time, until a free spot is found.
        let near = [
            (x - w / 2, top - GAP / 2 - h),
            (x - w / 2, bottom + GAP / 2),
            (x + GAP, y - h / 2),
            (x - GAP - w, y - h / 2),
        ];
        let scan = (1..=12).flat_map(|k| {
            let dy = k * (h + 2);
            [(x - w / 2, y - h / 2 - dy), (x - w / 2, y - h / 2 + dy)]
        });
        near.into_iter()
            .chain(scan)
            .find(|&c| !overlaps(c))
            .unwrap_or(near[0])
    }

    pub fn edge(&self, from: &str, to: &str) -> Option<&Edge> {
        self.edges.iter().find(|e| e.from == from && e.to == to)
    }

    /// The node a request to `cluster` lands on when no workload took it: the empty subset's node,
    /// the external host's node, or the service's only node.
    pub fn cluster_node(&self, cluster: &str) -> Option<&Node> {
        let (_, subset, host) = parse_outbound(cluster)?;
        let gi = self.groups.iter().position(|g| g.host == host)?;
        let in_group = || self.nodes.iter().filter(move |n| n.group == gi);
        if !subset.is_empty() {
            if let Some(n) = in_group().find(|n| n.subsets.iter().any(|s| s == subset)) {
                return Some(n);
            }
        }
        in_group()
            .find(|n| matches!(n.kind, NodeKind::External | NodeKind::NoPods))
            .or_else(|| in_group().next())
    }

    pub(crate) fn layout(&mut self) {
        let ng = self.groups.len();
        let group_of: SortedMap<&str, usize> = self
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), n.group))
            .collect();
        let mut succ: Vec<SortedSet<usize>> = vec![SortedSet::new(); ng];
        let mut pred: Vec<SortedSet<usize>> = vec![SortedSet::new(); ng];
        for e in &self.edges {
            if let (Some(&a), Some(&b)) =
                (group_of.get(e.from.as_str()), group_of.get(e.to.as_str()))
            {
                if a != b {
                    succ[a].insert(b);
                    pred[b].insert(a);
                }
            }
        }
        // Longest distance from a source; at most ng rounds, so cycles end.
        let mut column = vec![0usize; ng];
        for _ in 0..ng {
            let mut changed = false;
            for a in 0..ng {
                if self.groups[a].kind == GroupKind::Gateway && column[a] != 0 {
                    continue;
                }
                for &b in &succ[a] {
                    if self.groups[b].kind != GroupKind::Gateway && column[b] < column[a] + 1 {
                        column[b] = (column[a] + 1).min(ng);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        // Lone groups (no edge at all) go in a column after the rest, so they do not crowd sources.
        let max_col = column.iter().copied().max().unwrap_or(0);
        let has_edges = !self.edges.is_empty();
        for g in 0..ng {
            if has_edges
                && succ[g].is_empty()
                && pred[g].is_empty()
                && self.groups[g].kind != GroupKind::Gateway
            {
                column[g] = max_col + 1;
            }
        }
        let columns = column.iter().copied().max().map_or(0, |m| m + 1);

        // Group heights.
        let mut in_group = vec![0i32; ng];
        for n in &self.nodes {
            in_group[n.group] += 1;
        }
        for (gi, g) in self.groups.iter_mut().enumerate() {
            let n = in_group[gi];
            g.h = GROUP_LABEL + n * NODE_H + (n - 1).max(0) * NODE_GAP + GROUP_PAD;
            g.column = column[gi];
        }
        // Order in each column: the mean row of the callers (placed first), then the name.
        let mut rank = vec![0f64; ng];
        let mut per_column: Vec<Vec<usize>> = vec![Vec::new(); columns];
        let mut by_column: Vec<Vec<usize>> = vec![Vec::new(); columns];
        for g in 0..ng {
            by_column[column[g]].push(g);
        }
        for (c, slot) in per_column.iter_mut().enumerate() {
            let mut members: Vec<usize> = std::mem::take(&mut by_column[c]);
            let key = |g: usize| -> i64 {
                let ps: Vec<f64> = pred[g]
                    .iter()
                    .filter(|&&p| column[p] < c)
                    .map(|&p| rank[p])
                    .collect();
                if ps.is_empty() {
                    0
                } else {
                    (ps.iter().sum::<f64>() / ps.len() as f64 * 1000.0) as i64
                }
            };
            order::sort_by(&mut members, |&a, &b| {
                key(a)
                    .cmp(&key(b))
                    .then_with(|| {
                        kind_rank(self.groups[a].kind).cmp(&kind_rank(self.groups[b].kind))
                    })
                    .then_with(|| self.groups[a].label.cmp(&self.groups[b].label))
            });
            for (i, &g) in members.iter().enumerate() {
                rank[g] = i as f64;
            }
            *slot = members;
        }
        let col_h = |members: &[usize], groups: &[Group]| -> i32 {
            members.iter().map(|&g| groups[g].h).sum::<i32>()
                + (members.len() as i32 - 1).max(0) * ROW_GAP
        };
        let height = per_column
            .iter()
            .map(|m| col_h(m, &self.groups))
            .max()
            .unwrap_or(0);
        for (c, members) in per_column.iter().enumerate() {
            let mut y = MARGIN + (height - col_h(members, &self.groups)) / 2;
            let x = MARGIN + c as i32 * (GROUP_W + COLUMN_GAP);
            for &g in members {
                self.groups[g].x = x;
                self.groups[g].y = y;
                y += self.groups[g].h + ROW_GAP;
            }
        }
        // Nodes stack in their group in the order they were added.
        let mut row = vec![0i32; ng];
        for n in &mut self.nodes {
            let g = &self.groups[n.group];
            n.x = g.x + GROUP_PAD;
            n.y = g.y + GROUP_LABEL + row[n.group] * (NODE_H + NODE_GAP);
            row[n.group] += 1;
        }
        let pos: SortedMap<&str, (i32, i32)> = self
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), (n.x, n.y)))
            .collect();
        for e in &mut self.edges {
            let (Some(&(ax, ay)), Some(&(bx, by))) =
                (pos.get(e.from.as_str()), pos.get(e.to.as_str()))
            else {
                continue;
            };
            if bx > ax {
                (e.x1, e.x2) = (ax + NODE_W, bx);
            } else if bx < ax {
                (e.x1, e.x2) = (ax, bx + NODE_W);
            } else {
                (e.x1, e.x2) = (ax + NODE_W, bx + NODE_W);
            }
            e.y1 = ay + NODE_H / 2;
            e.y2 = by + NODE_H / 2;
        }
        self.width =
            2 * MARGIN + columns as i32 * GROUP_W + (columns as i32 - 1).max(0) * COLUMN_GAP;
        self.height = 2 * MARGIN + height;
    }
}

fn kind_rank(k: GroupKind) -> u8 {
    match k {
        GroupKind::Gateway => 0,
        GroupKind::Service => 1,
        GroupKind::Standalone => 2,
        GroupKind::Namespace => 3,
        GroupKind::External => 4,
    }
}

/// Every cluster a route configuration's routes send to (single and weighted).
fn route_clusters(routes: &[Value]) -> SortedSet<String> {
    let mut out = SortedSet::new();
    for rc in routes {
        for vh in rc
            .get("virtual_hosts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for r in vh
                .get("routes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(action) = r.get("route") else {
                    continue;
                };
                if let Some(c) = action.get("cluster").and_then(Value::as_str) {
                    out.insert(c.to_string());
                }
                for w in action
                    .pointer("/weighted_clusters/clusters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(c) = w.get("name").and_then(Value::as_str) {
                        out.insert(c.to_string());
                    }
                }
            }
        }
    }
    out
}

/// The group of the service an application reaches as `host` from namespace `ns`: the exact host,
/// `name.ns.svc.cluster.local`, or `name.other-ns...` for `name.other-ns`.
fn resolve_host(host_group: &HashMap<String, usize>, host: &str, ns: &str) -> Option<usize> {
    let host = host.to_ascii_lowercase();
    host_group
        .get(&host)
        .or_else(|| host_group.get(&format!("{host}.{ns}.svc.cluster.local")))
        .or_else(|| host_group.get(&format!("{host}.svc.cluster.local")))
        .or_else(|| host_group.get(&format!("{host}.cluster.local")))
        .copied()
}

/// One step of the animation: the dot moves from a node to another (or part-way, when the request
/// stops on the way), or the sidecar hands the request to its application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Index of the hop in [`Hop::walk`] order (the page's `hop-<n>`).
    pub hop: usize,
    pub kind: StepKind,
    pub from: String,
    /// The node the dot heads for (None when there is none on the picture).
    pub to: Option<String>,
    /// The dot reaches `to` (false: it stops at the sender's proxy or half-way).
    pub arrives: bool,
    /// A mirrored copy: a ghost dot whose response is ignored.
    pub mirror: bool,
    /// An injected delay the request waits before going on (`7s`).
    pub delay: Option<String>,
    /// The status the proxy answered with itself (404, 500, 503 ...), and its response flag.
    pub status: Option<u16>,
    pub flag: Option<String>,
    /// The simulator's error (Istio's words) when the request stopped without an HTTP answer.
    pub error: Option<String>,
    /// Route timeout and retries the proxy applied (`0.5s`, `2 retries on 5xx`).
    pub timeout: Option<String>,
    /// The delays injected further down this branch exceed `timeout`: the caller's proxy gives
    /// up and answers 504 UT (upstream request timeout).
    pub timed_out: bool,
    pub retries: Option<String>,
    /// What an authorization filter answered, with the policy that decided:
    /// `RBAC: access denied (ns[default]-policy[deny-path]-rule[0])`.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// From one workload's proxy to another workload (or a gateway's).
    Move,
    /// Inside a workload: the sidecar's inbound side hands the request to the application.
    Deliver,
}

/// How the path ended, for the result line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathResult {
    /// The first status a proxy answered with itself; 200 when every hop forwarded (the simulator
    /// stops at the application, which we assume answers); None when a connection was reset.
    pub status: Option<u16>,
    pub flag: Option<String>,
    /// The workload whose proxy ended the path (for a local answer or an error).
    pub at: Option<String>,
    pub error: Option<String>,
    /// The authorization answer of the stopping step ([`Step::detail`]).
    pub detail: Option<String>,
    /// Every node the dot reached, in order, without repeats.
    pub visited: Vec<String>,
    /// The workloads whose application received the request, in order.
    pub delivered: Vec<String>,
}

/// The animation of one traced request, with its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub result: PathResult,
}

/// The answer of the authorization filter that stopped a hop, naming the deciding policy (`none`
/// when no ALLOW policy matched), as Envoy's response code details do.
fn authz_detail(o: &crate::simulate::Outcome) -> Option<String> {
    let details = o.response_code_details.as_deref()?;
    let policy = details
        .strip_prefix("rbac_access_denied_matched_policy[")
        .and_then(|p| p.strip_suffix(']'));
    let body = o.response_body.as_deref().unwrap_or("RBAC: access denied");
    let candidates = o
        .authz
        .iter()
        .rev()
        .find(|d| !d.candidates.is_empty())
        .map(|d| d.candidates.join(", "));
    Some(match policy {
        Some("none") => match candidates {
            Some(c) => format!("{body} (no ALLOW policy matched: {c})"),
            None => format!("{body} (no ALLOW policy matched)"),
        },
        Some(p) => format!("{body} (policy {p})"),
        None => o
            .response_body
            .clone()
            .unwrap_or_else(|| details.to_string()),
    })
}

/// The steps of a hop tree, depth first (one branch to its end, then the next).
pub fn plan(topology: &Topology, root: &Hop) -> Plan {
    let mut steps = Vec::new();
    let mut counter = 0usize;
    plan_into(topology, root, None, &mut counter, &mut steps);
    let mut visited: Vec<String> = Vec::new();
    let mut delivered: Vec<String> = Vec::new();
    let push = |v: &mut Vec<String>, s: &str| {
        if !v.iter().any(|x| x == s) {
            v.push(s.to_string());
        }
    };
    push(&mut visited, &root.workload);
    let mut first_stop: Option<&Step> = None;
    for s in &steps {
        if s.mirror {
            continue;
        }
        if s.arrives {
            if let Some(to) = &s.to {
                push(&mut visited, to);
                if s.kind == StepKind::Deliver {
                    push(&mut delivered, to);
                }
            }
        }
        if first_stop.is_none() && (s.status.is_some() || s.error.is_some() || s.timed_out) {
            first_stop = Some(s);
        }
    }
    let result = match first_stop {
        Some(s) if s.timed_out && s.status.is_none() => PathResult {
            status: Some(504),
            flag: Some("UT".into()),
            at: Some(s.from.clone()),
            error: None,
            detail: None,
            visited,
            delivered,
        },
        Some(s) => PathResult {
            status: s.status,
            flag: s.flag.clone(),
            at: Some(s.from.clone()),
            error: s.error.clone(),
            detail: s.detail.clone(),
            visited,
            delivered,
        },
        None => PathResult {
            status: Some(200),
            flag: None,
            at: None,
            error: None,
            detail: None,
            visited,
            delivered,
        },
    };
    Plan { steps, result }
}

fn plan_into(
    topology: &Topology,
    hop: &Hop,
    parent: Option<&Hop>,
    counter: &mut usize,
    steps: &mut Vec<Step>,
) {
    let index = *counter;
    *counter += 1;
    let o = &hop.outcome;
    let props = &o.properties;
    let fault = props.fault.as_ref();
    let mut step = Step {
        hop: index,
        kind: StepKind::Move,
        from: hop.workload.clone(),
        to: None,
        arrives: false,
        mirror: hop.mirror,
        delay: fault.filter(|f| f.delayed).and_then(|f| f.delay.clone()),
        status: o.status,
        flag: o.response_flag.clone(),
        error: o.error.map(|e| e.message().to_string()).or_else(|| {
            o.connection_closed
                .then(|| "connection closed by RBAC".to_string())
        }),
        timeout: props.timeout.clone().filter(|t| seconds(t) != Some(0.0)),
        timed_out: false,
        retries: props
            .retries
            .as_ref()
            .map(|r| format!("{} × {}", r.attempts, r.retry_on)),
        detail: authz_detail(o),
    };
    match hop.direction {
        Mode::Inbound => {
            if hop.mirror {
                // The ghost copy travels from the mirroring proxy to this workload first.
                if let Some(p) = parent {
                    steps.push(Step {
                        hop: index,
                        kind: StepKind::Move,
                        from: p.workload.clone(),
                        to: Some(hop.workload.clone()),
                        arrives: true,
                        mirror: true,
                        delay: None,
                        status: None,
                        flag: None,
                        error: None,
                        timeout: None,
                        timed_out: false,
                        retries: None,
                        detail: None,
                    });
                }
            }
            step.kind = StepKind::Deliver;
            step.to = Some(hop.workload.clone());
            step.arrives = o.forwarded();
        }
        Mode::Outbound | Mode::Gateway => {
            step.to = hop.to_workload.clone().or_else(|| {
                o.cluster
                    .as_deref()
                    .and_then(|c| topology.cluster_node(c))
                    .map(|n| n.id.clone())
            });
            step.arrives = o.forwarded() && hop.to_workload.is_some();
            if step.to.as_deref() == Some(hop.workload.as_str()) {
                // A gateway routing to itself, or a call back into the same workload.
                step.kind = StepKind::Deliver;
            }
        }
    }
    if let Some(limit) = step.timeout.as_deref().and_then(seconds) {
        let waited: f64 = hop
            .walk()
            .iter()
            .filter(|h| !h.mirror)
            .filter_map(|h| h.outcome.properties.fault.as_ref())
            .filter(|f| f.delayed)
            .filter_map(|f| f.delay.as_deref().and_then(seconds))
            .sum();
        if waited > limit {
            step.timed_out = true;
        }
    }
    // The inbound hop of the next workload is what the outbound move reaches: the move is this
    // hop's, the delivery the child's.
    steps.push(step);
    for c in &hop.children {
        plan_into(topology, c, Some(hop), counter, steps);
    }
}

/// Seconds in a protobuf JSON or Go duration (`7s`, `0.500s`, `100ms`); None when unreadable.
pub fn seconds(d: &str) -> Option<f64> {
    let d = d.trim();
    if let Some(ms) = d.strip_suffix("ms") {
        return ms.parse::<f64>().ok().map(|v| v / 1000.0);
    }
    if let Some(m) = d.strip_suffix('m') {
        return m.parse::<f64>().ok().map(|v| v * 60.0);
    }
    if let Some(h) = d.strip_suffix('h') {
        return h.parse::<f64>().ok().map(|v| v * 3600.0);
    }
    d.strip_suffix('s')?.parse().ok()
}

/// How many of the traced requests took one edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeShare {
    pub from: String,
    pub to: String,
    pub mirror: bool,
    pub count: usize,
    /// Requests `from` sent to the service `to` belongs to (the share's denominator).
    pub of: usize,
}

impl EdgeShare {
    /// The share in whole percent, as the edge label shows it.
    pub fn percent(&self) -> u32 {
        if self.of == 0 {
            0
        } else {
            ((self.count as f64 * 100.0 / self.of as f64) + 0.5) as u32
        }
    }
}

/// Where N traced requests went.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Shares {
    pub runs: usize,
    pub edges: Vec<EdgeShare>,
    /// Status -> number of runs whose path ended with it (200 for the delivered ones).
    pub statuses: SortedMap<String, usize>,
}

impl Shares {
    pub fn edge(&self, from: &str, to: &str) -> Option<&EdgeShare> {
        self.edges
            .iter()
            .find(|e| e.from == from && e.to == to && !e.mirror)
            .or_else(|| self.edges.iter().find(|e| e.from == from && e.to == to))
    }
}

impl Topology {
    /// Count, over many traces, the requests that took each edge; each edge's share is out of the
    /// requests its caller sent to the same service (80/20 shows as 80% and 20%).
    pub fn shares(&self, traces: &[Hop]) -> Shares {
        let mut count: SortedMap<(String, String, bool), usize> = SortedMap::new();
        let mut to_group: SortedMap<(String, usize, bool), usize> = SortedMap::new();
        let mut statuses: SortedMap<String, usize> = SortedMap::new();
        for t in traces {
            let p = plan(self, t);
            let mut seen: SortedSet<(String, String, bool)> = SortedSet::new();
            for s in p.steps.iter().filter(|s| s.kind == StepKind::Move) {
                if let Some(to) = &s.to {
                    seen.insert((s.from.clone(), to.clone(), s.mirror));
                }
            }
            let mut groups_seen: SortedSet<(String, usize, bool)> = SortedSet::new();
            for (from, to, mirror) in seen {
                if let Some(n) = self.node(&to) {
                    groups_seen.insert((from.clone(), n.group, mirror));
                }
                *count.entry((from, to, mirror)).or_default() += 1;
            }
            for k in groups_seen {
                *to_group.entry(k).or_default() += 1;
            }
            let key = match (p.result.status, &p.result.flag) {
                (Some(st), Some(f)) => format!("{st} {f}"),
                (Some(st), None) => st.to_string(),
                (None, _) => p.result.error.clone().unwrap_or_else(|| "reset".into()),
            };
            *statuses.entry(key).or_default() += 1;
        }
        let edges = count
            .into_iter()
            .map(|((from, to, mirror), n)| {
                let of = self
                    .node(&to)
                    .and_then(|node| to_group.get(&(from.clone(), node.group, mirror)))
                    .copied()
                    .unwrap_or(n);
                EdgeShare {
                    from,
                    to,
                    mirror,
                    count: n,
                    of,
                }
            })
            .collect();
        Shares {
            runs: traces.len(),
            edges,
            statuses,
        }
    }
}

mod summary;
use summary::Summary;

#[cfg(test)]
mod tests;
