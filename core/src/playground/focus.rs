//! A large mesh's picture, cut down to what the reader is looking at: the ingress gateways, the
//! services around a centre (the service itself, what calls it and what it calls), and every
//! service a traced request visited; and namespaces collapsed into one box each. A 1,000-service
//! mesh drawn whole is 1,000 columns of boxes; its focus is a handful, laid out by the same rules
//! as the whole picture.

use super::topology::{Edge, Group, GroupKind, Node, NodeKind, Topology};
use crate::sorted::{SortedMap, SortedSet};

/// Above this many groups (services, gateways, external hosts), the page draws a focus.
pub const FOCUS_ABOVE: usize = 40;

impl Topology {
    /// Whether the page should draw a focus of this picture instead of all of it.
    pub fn needs_focus(&self) -> bool {
        self.groups.len() > FOCUS_ABOVE
    }

    /// The groups around `centre` (node or group ids: the group itself and every group with an
    /// edge to or from it), the gateways, and the groups of the nodes in `also` (a trace's path),
    /// with the edges between the nodes kept, laid out anew.
    pub fn focus(&self, centre: &[&str], also: &[&str]) -> Topology {
        let group_of = |id: &str| -> Option<usize> {
            self.nodes
                .iter()
                .find(|n| n.id == id)
                .map(|n| n.group)
                .or_else(|| self.groups.iter().position(|g| g.id == id))
        };
        let mut keep: SortedSet<usize> = self
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.kind == GroupKind::Gateway)
            .map(|(i, _)| i)
            .collect();
        let centres: SortedSet<usize> = centre.iter().filter_map(|id| group_of(id)).collect();
        for e in &self.edges {
            let (Some(a), Some(b)) = (group_of(&e.from), group_of(&e.to)) else {
                continue;
            };
            if centres.contains(&a) {
                keep.insert(b);
            }
            if centres.contains(&b) {
                keep.insert(a);
            }
        }
        keep.extend(centres.iter().copied());
        keep.extend(also.iter().filter_map(|id| group_of(id)));
        self.keep_groups(&keep)
    }

    /// The namespaces of the picture's services (gateways aside), each with its number of groups.
    pub fn namespaces(&self) -> Vec<(String, usize)> {
        let mut count: SortedMap<String, usize> = SortedMap::new();
        for g in self.groups.iter().filter(|g| g.kind != GroupKind::Gateway) {
            *count.entry(g.namespace.clone()).or_default() += 1;
        }
        count.into_iter().collect()
    }

    /// The picture with each namespace in `collapsed` drawn as one box (group and node id
    /// `ns:<namespace>`) standing for its services; an edge to or from any of them is kept once,
    /// on the box. Gateways are never collapsed. Laid out anew.
    pub fn collapse(&self, collapsed: &[&str]) -> Topology {
        let folded =
            |g: &Group| g.kind != GroupKind::Gateway && collapsed.contains(&g.namespace.as_str());
        let mut groups: Vec<Group> = Vec::new();
        // Old group index -> new group index.
        let mut index: Vec<usize> = Vec::with_capacity(self.groups.len());
        let mut boxes: SortedMap<String, usize> = SortedMap::new();
        for g in &self.groups {
            if folded(g) {
                let at = *boxes.entry(g.namespace.clone()).or_insert_with(|| {
                    groups.push(Group {
                        id: format!("ns:{}", g.namespace),
                        label: g.namespace.clone(),
                        namespace: g.namespace.clone(),
                        kind: GroupKind::Namespace,
                        host: String::new(),
                        ..g.clone()
                    });
                    groups.len() - 1
                });
                index.push(at);
            } else {
                groups.push(g.clone());
                index.push(groups.len() - 1);
            }
        }
        let mut nodes: Vec<Node> = Vec::new();
        // Old node id -> the id it is drawn as.
        let mut drawn_as: SortedMap<&str, String> = SortedMap::new();
        for n in &self.nodes {
            let g = &self.groups[n.group];
            if folded(g) {
                let id = format!("ns:{}", g.namespace);
                if !nodes.iter().any(|m| m.id == id) {
                    nodes.push(Node {
                        id: id.clone(),
                        label: g.namespace.clone(),
                        kind: NodeKind::Namespace,
                        version: None,
                        subsets: Vec::new(),
                        group: index[n.group],
                        x: 0,
                        y: 0,
                    });
                }
                drawn_as.insert(n.id.as_str(), id);
            } else {
                let mut m = n.clone();
                m.group = index[n.group];
                nodes.push(m);
            }
        }
        let mut seen: SortedSet<(String, String)> = SortedSet::new();
        let mut edges = Vec::new();
        for e in &self.edges {
            let from = drawn_as
                .get(e.from.as_str())
                .cloned()
                .unwrap_or_else(|| e.from.clone());
            let to = drawn_as
                .get(e.to.as_str())
                .cloned()
                .unwrap_or_else(|| e.to.clone());
            if from != to && seen.insert((from.clone(), to.clone())) {
                let mut e = e.clone();
                (e.from, e.to) = (from, to);
                edges.push(e);
            }
        }
        laid_out(nodes, groups, edges)
    }

    /// The picture with only the groups `keep` (indexes into `groups`), their nodes and the edges
    /// between those nodes, laid out anew.
    pub fn keep_groups(&self, keep: &SortedSet<usize>) -> Topology {
        let index: Vec<Option<usize>> = {
            let mut next = 0;
            (0..self.groups.len())
                .map(|g| {
                    keep.contains(&g).then(|| {
                        next += 1;
                        next - 1
                    })
                })
                .collect()
        };
        let groups = self
            .groups
            .iter()
            .enumerate()
            .filter(|(g, _)| index[*g].is_some())
            .map(|(_, g)| g.clone())
            .collect();
        let nodes: Vec<_> = self
            .nodes
            .iter()
            .filter_map(|n| {
                let mut n = n.clone();
                n.group = index.get(n.group).copied().flatten()?;
                Some(n)
            })
            .collect();
        let ids: SortedSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
        let edges = self
            .edges
            .iter()
            .filter(|e| ids.contains(e.from.as_str()) && ids.contains(e.to.as_str()))
            .cloned()
            .collect();
        laid_out(nodes, groups, edges)
    }
}

/// A picture of these nodes, groups and edges, laid out.
fn laid_out(nodes: Vec<Node>, groups: Vec<Group>, edges: Vec<Edge>) -> Topology {
    let mut t = Topology {
        nodes,
        groups,
        edges,
        width: 0,
        height: 0,
    };
    t.layout();
    t
}

#[cfg(test)]
mod tests {
    use crate::bench::generate_mesh;
    use crate::topology::Topology;
    use crate::{load, SourceFile};

    fn chain(services: usize) -> Topology {
        let loaded = load(&[SourceFile {
            name: "mesh.yaml".into(),
            text: generate_mesh(services),
        }]);
        Topology::build(&loaded.mesh)
    }

    #[test]
    fn a_focus_keeps_the_centre_its_neighbours_the_gateway_and_the_path() {
        let full = chain(60);
        assert!(full.needs_focus());
        let centre = full
            .groups
            .iter()
            .find(|g| g.label == "svc-0030")
            .expect("svc-0030")
            .id
            .clone();
        let f = full.focus(&[&centre], &[]);
        let mut labels: Vec<&str> = f.groups.iter().map(|g| g.label.as_str()).collect();
        crate::order::sort(&mut labels);
        assert_eq!(
            labels,
            ["istio-ingressgateway", "svc-0029", "svc-0030", "svc-0031"]
        );
        // Edges only between kept nodes, and every node placed inside the picture.
        for e in &f.edges {
            assert!(f.node(&e.from).is_some() && f.node(&e.to).is_some());
        }
        for n in &f.nodes {
            assert!(
                n.x >= 0 && n.x < f.width && n.y >= 0 && n.y < f.height,
                "{n:?}"
            );
        }
        // A path's nodes come along (svc-0045's workload).
        let far = full
            .nodes
            .iter()
            .find(|n| full.groups[n.group].label == "svc-0045")
            .unwrap();
        let f = full.focus(&[&centre], &[&far.id]);
        assert!(f.groups.iter().any(|g| g.label == "svc-0045"));
        assert!(!f.needs_focus());
    }

    fn bookinfo() -> Topology {
        let preset = crate::world::preset(crate::world::DEFAULT_PRESET).unwrap();
        let loaded = load(&[
            SourceFile {
                name: "istio.yaml".into(),
                text: preset.yaml.to_string(),
            },
            SourceFile {
                name: "cluster.yaml".into(),
                text: crate::world::BOOKINFO.to_string(),
            },
        ]);
        Topology::build(&loaded.mesh)
    }

    #[test]
    fn a_collapsed_namespace_is_one_box_with_its_edges() {
        let full = bookinfo();
        assert_eq!(full.namespaces(), [("default".to_string(), 4)]);
        let c = full.collapse(&["default"]);
        let mut ids: Vec<&str> = c.groups.iter().map(|g| g.id.as_str()).collect();
        crate::order::sort(&mut ids);
        assert_eq!(ids, ["istio-ingressgateway", "ns:default"]);
        let n = c.node("ns:default").expect("the box's node");
        assert_eq!(n.kind, super::NodeKind::Namespace);
        // The gateway's routes into the namespace are one edge; the calls inside it are gone.
        let edges: Vec<(&str, &str)> = c
            .edges
            .iter()
            .map(|e| (e.from.as_str(), e.to.as_str()))
            .collect();
        assert_eq!(edges, [("istio-ingressgateway", "ns:default")]);
        // Nothing collapsed: the same picture.
        assert_eq!(full.collapse(&[]), full);
    }

    #[test]
    fn a_small_mesh_is_drawn_whole() {
        assert!(!chain(10).needs_focus());
    }
}
