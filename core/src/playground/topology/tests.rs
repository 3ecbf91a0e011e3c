use super::*;
use crate::playground::world::{preset, BOOKINFO, BOOKINFO_FILE};
use crate::simulate::trace::World;
use crate::simulate::{trace, Request};
use crate::{load, SourceFile};

fn world_of(istio: &str) -> (Topology, World) {
    let loaded = load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("istio.yaml", istio),
    ]);
    let world = World::from_mesh(&loaded.mesh);
    (Topology::build(&loaded.mesh), world)
}

fn preset_world(id: &str) -> (Topology, World) {
    world_of(preset(id).unwrap().yaml)
}

fn productpage(jason: bool) -> Request {
    let mut r = Request {
        port: 80,
        path: "/productpage".into(),
        ..Request::default()
    };
    if jason {
        r.headers.insert("end-user".into(), "jason".into());
    }
    r
}

fn edges(t: &Topology) -> Vec<String> {
    t.edges
        .iter()
        .map(|e| format!("{}->{}", e.from, e.to))
        .collect()
}

#[test]
fn bookinfo_is_the_known_diagram() {
    let (t, _) = preset_world("request-routing-v1");
    let groups: Vec<(&str, Vec<&str>)> = t
        .groups
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            (
                g.label.as_str(),
                t.nodes
                    .iter()
                    .filter(|n| n.group == gi)
                    .map(|n| n.id.as_str())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            ("istio-ingressgateway", vec!["istio-ingressgateway"]),
            ("details", vec!["details-v1"]),
            ("ratings", vec!["ratings-v1"]),
            ("reviews", vec!["reviews-v1", "reviews-v2", "reviews-v3"]),
            ("productpage", vec!["productpage-v1"]),
        ]
    );
    assert_eq!(
        edges(&t),
        [
            "istio-ingressgateway->productpage-v1",
            "productpage-v1->details-v1",
            "productpage-v1->reviews-v1",
            "productpage-v1->reviews-v2",
            "productpage-v1->reviews-v3",
            "reviews-v2->ratings-v1",
            "reviews-v3->ratings-v1",
        ]
    );
    // Columns: gateway, productpage, details and reviews, ratings.
    let col = |label: &str| t.groups.iter().find(|g| g.label == label).unwrap().column;
    assert_eq!(
        [
            col("istio-ingressgateway"),
            col("productpage"),
            col("details"),
            col("reviews"),
            col("ratings")
        ],
        [0, 1, 2, 2, 3]
    );
    let g = |label: &str| t.groups.iter().find(|g| g.label == label).unwrap().clone();
    assert!(g("details").y < g("reviews").y, "details above reviews");
    // Subsets from the generated clusters (the preset's DestinationRules).
    let v2 = t.node("reviews-v2").unwrap();
    assert_eq!(v2.subsets, ["v2"]);
    assert_eq!(v2.version.as_deref(), Some("v2"));
    // Everything inside the canvas, nothing overlapping in a column.
    for n in &t.nodes {
        assert!(n.x >= 0 && n.x + NODE_W <= t.width && n.y >= 0 && n.y + NODE_H <= t.height);
    }
    for a in &t.groups {
        for b in &t.groups {
            if a.id != b.id && a.column == b.column {
                assert!(
                    a.y + a.h <= b.y || b.y + b.h <= a.y,
                    "{} overlaps {}",
                    a.id,
                    b.id
                );
            }
        }
    }
}

#[test]
fn layout_is_deterministic() {
    let (a, _) = preset_world("traffic-shifting-80-20");
    let (b, _) = preset_world("traffic-shifting-80-20");
    assert_eq!(a, b);
}

#[test]
fn a_users_own_services_appear_the_same_way() {
    let (t, _) = preset_world("mirroring");
    let gi = t.groups.iter().position(|g| g.label == "httpbin").unwrap();
    let members: Vec<&str> = t
        .nodes
        .iter()
        .filter(|n| n.group == gi)
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(members, ["httpbin-v1", "httpbin-v2"]);
    assert_eq!(t.node("httpbin-v2").unwrap().subsets, ["v2"]);
}

#[test]
fn external_hosts_are_nodes() {
    let (t, _) = preset_world("egress-serviceentry");
    let ext = t
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::External)
        .expect("external node");
    assert_eq!(ext.id, "ext:httpbin.org");
    assert_eq!(t.groups[ext.group].kind, GroupKind::External);
}

#[test]
fn reference_request_ends_at_reviews_v1() {
    let (t, w) = preset_world("request-routing-v1");
    let hop = trace(&w, None, &productpage(false), 0).unwrap();
    let p = plan(&t, &hop);
    assert_eq!(p.result.status, Some(200));
    assert_eq!(
        p.result.visited,
        [
            "istio-ingressgateway",
            "productpage-v1",
            "details-v1",
            "reviews-v1"
        ]
    );
    // Branch by branch: the gateway's move, productpage's delivery, then details, then reviews.
    let moves: Vec<String> = p
        .steps
        .iter()
        .map(|s| {
            format!(
                "{:?} {}->{}",
                s.kind,
                s.from,
                s.to.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            "Move istio-ingressgateway->productpage-v1",
            "Deliver productpage-v1->productpage-v1",
            "Move productpage-v1->details-v1",
            "Deliver details-v1->details-v1",
            "Move productpage-v1->reviews-v1",
            "Deliver reviews-v1->reviews-v1",
        ]
    );
    assert_eq!(
        p.steps.iter().map(|s| s.hop).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    for s in p.steps.iter().filter(|s| s.kind == StepKind::Move) {
        assert!(t.edge(&s.from, s.to.as_deref().unwrap()).is_some(), "{s:?}");
    }
}

#[test]
fn jason_reaches_reviews_v2_and_ratings() {
    let (t, w) = preset_world("request-routing-jason");
    let p = plan(&t, &trace(&w, None, &productpage(true), 0).unwrap());
    assert!(p.result.visited.contains(&"reviews-v2".to_string()));
    assert!(p.result.visited.contains(&"ratings-v1".to_string()));
    assert!(!p.result.visited.contains(&"reviews-v1".to_string()));
    let p = plan(&t, &trace(&w, None, &productpage(false), 0).unwrap());
    assert!(p.result.visited.contains(&"reviews-v1".to_string()));
    assert!(!p.result.visited.contains(&"ratings-v1".to_string()));
}

#[test]
fn abort_ends_with_500_at_the_caller() {
    let (t, w) = preset_world("fault-injection-abort");
    let p = plan(&t, &trace(&w, None, &productpage(true), 0).unwrap());
    assert_eq!(p.result.status, Some(500));
    assert_eq!(p.result.flag.as_deref(), Some("FI"));
    assert_eq!(p.result.at.as_deref(), Some("reviews-v2"));
    let last = p.steps.last().unwrap();
    assert_eq!(last.to.as_deref(), Some("ratings-v1"));
    assert!(!last.arrives);
    assert!(!p.result.visited.contains(&"ratings-v1".to_string()));
}

#[test]
fn delay_and_timeout_are_on_the_steps() {
    let (t, w) = preset_world("fault-injection-delay");
    let p = plan(&t, &trace(&w, None, &productpage(true), 0).unwrap());
    let delayed = p.steps.iter().find(|s| s.delay.is_some()).unwrap();
    assert_eq!(delayed.delay.as_deref(), Some("7s"));
    assert_eq!(delayed.from, "reviews-v2");
    let (t, w) = preset_world("request-timeouts");
    let p = plan(&t, &trace(&w, None, &productpage(true), 0).unwrap());
    let limited = p.steps.iter().find(|s| s.timeout.is_some()).unwrap();
    assert_eq!(limited.timeout.as_deref(), Some("0.500s"));
    assert_eq!(
        (limited.from.as_str(), limited.to.as_deref()),
        ("productpage-v1", Some("reviews-v2"))
    );
    // ratings waits 2s, more than the 0.5s reviews may take: productpage's proxy answers 504 UT.
    assert!(limited.timed_out);
    assert_eq!(
        (p.result.status, p.result.flag.as_deref()),
        (Some(504), Some("UT"))
    );
    assert_eq!(seconds("0.500s"), Some(0.5));
    assert_eq!(seconds("100ms"), Some(0.1));
}

#[test]
fn a_path_the_gateway_does_not_route_is_404_nr() {
    let (t, w) = preset_world("request-routing-v1");
    let mut r = productpage(false);
    r.path = "/nowhere".into();
    let p = plan(&t, &trace(&w, None, &r, 0).unwrap());
    assert_eq!(p.result.status, Some(404));
    assert_eq!(p.result.flag.as_deref(), Some("NR"));
    assert_eq!(p.result.at.as_deref(), Some("istio-ingressgateway"));
    assert_eq!(p.result.visited, ["istio-ingressgateway"]);
}

#[test]
fn a_subset_without_pods_is_a_node_and_503_uh() {
    // The reviews DestinationRule gains a v4 subset no pod has, and the VirtualService sends there.
    let istio = preset("request-routing-v1")
        .unwrap()
        .yaml
        .replacen(
            "  - name: v3\n    labels:\n      version: v3\n",
            "  - name: v3\n    labels:\n      version: v3\n  - name: v4\n    labels:\n      version: v4\n",
            1,
        )
        .replacen(
            "        host: reviews\n        subset: v1",
            "        host: reviews\n        subset: v4",
            1,
        );
    let (t, w) = world_of(&istio);
    let hop = trace(&w, None, &productpage(false), 0).unwrap();
    let p = plan(&t, &hop);
    assert_eq!(t.node("reviews-v4").map(|n| n.kind), Some(NodeKind::NoPods));
    assert!(t.edge("productpage-v1", "reviews-v4").is_some());
    // Unused empty subsets are not drawn.
    let (plain, _) = preset_world("request-routing-v1");
    assert!(plain.nodes.iter().all(|n| n.kind != NodeKind::NoPods));
    assert_eq!(p.result.status, Some(503), "{}", hop.short());
    assert_eq!(p.result.flag.as_deref(), Some("UH"));
    let last = p.steps.iter().find(|s| s.status == Some(503)).unwrap();
    assert_eq!(last.to.as_deref(), Some("reviews-v4"));
}

#[test]
fn mirror_is_a_ghost_move() {
    let (t, w) = preset_world("mirroring");
    let r = Request {
        port: 8000,
        host: "httpbin:8000".into(),
        path: "/headers".into(),
        ..Request::default()
    };
    let p = plan(&t, &trace(&w, Some("productpage-v1"), &r, 0).unwrap());
    let ghost = p
        .steps
        .iter()
        .find(|s| s.mirror && s.kind == StepKind::Move)
        .unwrap();
    assert_eq!(
        (ghost.from.as_str(), ghost.to.as_deref()),
        ("productpage-v1", Some("httpbin-v2"))
    );
    assert!(p.result.delivered.contains(&"httpbin-v1".to_string()));
    assert!(!p.result.visited.contains(&"httpbin-v2".to_string()));
}

#[test]
fn eighty_twenty_shares() {
    let (t, w) = preset_world("traffic-shifting-80-20");
    let traces: Vec<Hop> = (0..100)
        .map(|seed| trace(&w, None, &productpage(false), seed).unwrap())
        .collect();
    let s = t.shares(&traces);
    let v1 = s.edge("productpage-v1", "reviews-v1").unwrap();
    let v2 = s.edge("productpage-v1", "reviews-v2").unwrap();
    assert_eq!(v1.of, 100);
    assert_eq!(v1.count + v2.count, 100);
    assert!((70..=90).contains(&v1.percent()), "{v1:?}");
    assert!((10..=30).contains(&v2.percent()), "{v2:?}");
    assert_eq!(
        s.edge("productpage-v1", "details-v1").unwrap().percent(),
        100
    );
    assert_eq!(s.edge("reviews-v2", "ratings-v1").unwrap().percent(), 100);
    assert_eq!(s.statuses.get("200"), Some(&100));
}

#[test]
fn every_preset_draws_and_plays() {
    for p in crate::playground::world::PRESETS {
        let (t, w) = world_of(p.yaml);
        assert!(!t.nodes.is_empty(), "{}", p.id);
        for n in &t.nodes {
            assert!(n.group < t.groups.len(), "{}: {n:?}", p.id);
            assert!(
                n.x >= 0 && n.x + NODE_W <= t.width && n.y >= 0 && n.y + NODE_H <= t.height,
                "{}: {n:?} outside {}x{}",
                p.id,
                t.width,
                t.height
            );
        }
        for e in &t.edges {
            assert!(
                t.node(&e.from).is_some() && t.node(&e.to).is_some(),
                "{}: {e:?}",
                p.id
            );
        }
        for jason in [false, true] {
            if let Ok(hop) = trace(&w, None, &productpage(jason), 0) {
                let plan = plan(&t, &hop);
                assert_eq!(plan.result.visited[0], hop.workload, "{}", p.id);
                assert!(
                    plan.steps.iter().all(|s| s.hop < hop.walk().len()),
                    "{}",
                    p.id
                );
            }
        }
    }
}

#[test]
fn empty_and_looping_meshes_do_not_break_the_layout() {
    let loaded = load(&[SourceFile::new("empty.yaml", "")]);
    let t = Topology::build(&loaded.mesh);
    assert!(t.nodes.is_empty() && t.edges.is_empty());
    assert!(t.width > 0 && t.height > 0);

    // Two applications calling each other: the columns stay bounded.
    let loop_yaml = |name: &str, other: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  selector:\n    app: {name}\n  ports:\n  - name: http\n    port: 80\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}-v1\n  namespace: default\nspec:\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n        version: v1\n      annotations:\n        pilotlight.io/calls: \"{other}:80/\"\n    spec:\n      containers:\n      - name: {name}\n        image: x\n        ports:\n        - containerPort: 80\n"
        )
    };
    let text = format!("{}---\n{}", loop_yaml("a", "b"), loop_yaml("b", "a"));
    let loaded = load(&[SourceFile::new("loop.yaml", text)]);
    let world = World::from_mesh(&loaded.mesh);
    let t = Topology::build(&loaded.mesh);
    assert_eq!(
        edges(&t),
        ["a-v1->b-v1", "b-v1->a-v1"],
        "{:?}",
        loaded.diagnostics
    );
    assert!(t.groups.iter().all(|g| g.column <= t.groups.len()));
    let hop = trace(
        &world,
        Some("a-v1"),
        &Request {
            mode: Mode::Inbound,
            port: 80,
            ..Request::default()
        },
        0,
    )
    .unwrap();
    let p = plan(&t, &hop);
    assert!(
        p.steps.len() < 64,
        "the trace's depth limit bounds the plan"
    );
}

#[test]
fn a_label_is_placed_off_every_node() {
    let (t, _) = preset_world("request-routing-v1");
    let (w, h) = (150, 14);
    for n in &t.nodes {
        // A stop at the middle of a workload (a 403 at productpage) and at each of its edges' midpoints.
        let mut points = vec![(n.x + NODE_W / 2, n.y + NODE_H / 2)];
        points.extend(
            t.edges
                .iter()
                .filter(|e| e.from == n.id)
                .map(|e| ((e.x1 + e.x2) / 2, (e.y1 + e.y2) / 2)),
        );
        for (x, y) in points {
            let (lx, ly) = t.label_spot(x, y, w, h);
            let covered: Vec<&str> = t
                .nodes
                .iter()
                .filter(|m| lx < m.x + NODE_W && m.x < lx + w && ly < m.y + NODE_H && m.y < ly + h)
                .map(|m| m.id.as_str())
                .collect();
            assert!(
                covered.is_empty(),
                "label at ({x},{y}) for {} covers {covered:?}",
                n.id
            );
        }
    }
}

/// The routing summary as every proxy's translated config says it: the EDS of `outbound|...`
/// clusters, the clusters of CDS, every route's clusters. The oracle [`Summary::from_mesh`] must
/// agree with.
fn summary_from_world(world: &World, by_ip: &SortedMap<&str, &str>) -> Summary {
    let mut out = Summary::default();
    for n in &world.nodes {
        for cla in &world.config(n).endpoints {
            let Some(name) = cla.get("cluster_name").and_then(Value::as_str) else {
                continue;
            };
            let Some((_, subset, _)) = parse_outbound(name) else {
                continue;
            };
            let targets = out.cluster_targets.entry(name.to_string()).or_default();
            for ip in endpoint_ips(cla) {
                if let Some(w) = by_ip.get(ip.as_str()) {
                    targets.insert(w.to_string());
                    if !subset.is_empty() {
                        out.subsets
                            .entry(w.to_string())
                            .or_default()
                            .insert(subset.to_string());
                    }
                }
            }
        }
        for c in &world.config(n).clusters {
            if let Some(name) = c.get("name").and_then(Value::as_str) {
                if parse_outbound(name).is_some() {
                    out.cluster_targets.entry(name.to_string()).or_default();
                }
            }
        }
        let clusters = route_clusters(&world.config(n).routes);
        if n.is_gateway {
            match out
                .gateway_routes
                .iter_mut()
                .find(|(w, _)| *w == n.workload)
            {
                Some((_, c)) => c.extend(clusters.iter().cloned()),
                None => out
                    .gateway_routes
                    .push((n.workload.clone(), clusters.clone())),
            }
        }
        // Only subset clusters matter for the picture (an empty subset is drawn when routed).
        out.routed.extend(
            clusters
                .into_iter()
                .filter(|c| parse_outbound(c).is_some_and(|(_, s, _)| !s.is_empty())),
        );
    }
    out
}

/// The IPs of a ClusterLoadAssignment's endpoints.
fn endpoint_ips(cla: &Value) -> Vec<String> {
    cla.get("endpoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| g.get("lb_endpoints").and_then(Value::as_array))
        .flatten()
        .filter_map(|e| e.pointer("/endpoint/address/socket_address/address"))
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The topology drawn from the mesh model is the one every proxy's translated config gives, on
/// every preset and on inputs with external hosts, empty subsets and Gateway API routes.
fn assert_summary_matches_translated_config(name: &str, files: &[SourceFile]) {
    let loaded = load(files);
    let world = World::from_mesh(&loaded.mesh);
    let mut pair = None;
    let from_config = Topology::build_from(&loaded.mesh, |by_ip| {
        pair = Some((
            summary_from_world(&world, by_ip),
            Summary::from_mesh(&loaded.mesh, by_ip),
        ));
        summary_from_world(&world, by_ip)
    });
    let (a, b) = pair.unwrap();
    // Routes matter for the subset clusters that exist (an empty one is drawn when routed).
    let existing = |s: &Summary| -> Vec<String> {
        s.routed
            .iter()
            .filter(|c| s.cluster_targets.contains_key(*c))
            .filter(|c| parse_outbound(c).is_some_and(|(_, subset, _)| !subset.is_empty()))
            .cloned()
            .collect()
    };
    assert_eq!(existing(&a), existing(&b), "{name}: routed subset clusters");
    assert_eq!(
        a.cluster_targets, b.cluster_targets,
        "{name}: cluster targets"
    );
    assert_eq!(a.subsets, b.subsets, "{name}: subsets");
    assert_eq!(a.gateway_routes, b.gateway_routes, "{name}: gateway routes");
    assert_eq!(
        from_config,
        Topology::build(&loaded.mesh),
        "{name}: topology"
    );
}

#[test]
fn the_summary_gives_the_topology_of_the_translated_config() {
    for p in crate::playground::world::PRESETS {
        assert_summary_matches_translated_config(
            p.id,
            &[
                SourceFile::new(BOOKINFO_FILE, BOOKINFO),
                SourceFile::new("istio.yaml", p.yaml),
            ],
        );
    }
}
