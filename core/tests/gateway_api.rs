//! Bookinfo driven by the Gateway API: the `gateway-api-*` presets over the Bookinfo world give an
//! automated gateway proxy `bookinfo-gateway-istio`, its `http.80` routes, and sidecar routes for
//! reviews that go to the per-version Services, with the names istiod gives them.

// std's sorts are fine in native tests; clippy.toml keeps them out of the library (wasm size).
#![allow(clippy::disallowed_methods)]

use pilotlight_core::envoy::ProxyConfig;
use pilotlight_core::envoy::Value;
use pilotlight_core::mesh::Scope;
use pilotlight_core::simulate::trace::{Hop, World};
use pilotlight_core::simulate::{trace, Mode, Request};
use pilotlight_core::world::{preset, BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{load, translate, Loaded, SourceFile};

const REVIEWS_V1: &str = "outbound|9080||reviews-v1.default.svc.cluster.local";
const REVIEWS_V3: &str = "outbound|9080||reviews-v3.default.svc.cluster.local";
const PRODUCTPAGE: &str = "outbound|9080||productpage.default.svc.cluster.local";

fn world(preset_id: &str) -> Loaded {
    let loaded = load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new(
            format!("{preset_id}.yaml"),
            preset(preset_id).expect("preset").yaml,
        ),
    ]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded
}

fn config_of(loaded: &Loaded, workload: &str) -> ProxyConfig {
    let proxy = loaded.mesh.find_proxy(workload).expect("proxy");
    translate::proxy_config(&loaded.mesh, proxy)
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no resource named {name}"))
}

fn vhost<'a>(rc: &'a Value, name: &str) -> &'a Value {
    rc["virtual_hosts"]
        .as_array()
        .expect("virtual_hosts")
        .iter()
        .find(|vh| vh["name"] == name)
        .unwrap_or_else(|| panic!("no vhost {name} in {rc}"))
}

#[test]
fn productpage_sends_reviews_to_the_reviews_v1_service() {
    let loaded = world("gateway-api-request-routing");
    let config = config_of(&loaded, "productpage-v1");
    let vh = vhost(
        named(&config.routes, "9080"),
        "reviews.default.svc.cluster.local:9080",
    );
    let routes = vh["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 1, "{vh}");
    let r = &routes[0];
    assert_eq!(r["name"], "default.reviews.0");
    assert_eq!(r["route"]["cluster"], REVIEWS_V1);
    assert_eq!(
        r["route"]["cluster_not_found_response_code"],
        "INTERNAL_SERVER_ERROR"
    );
    // Provenance names the VirtualService istiod derives from the HTTPRoute.
    assert_eq!(
        r["metadata"]["filter_metadata"]["istio"]["config"],
        "/apis/networking.istio.io/v1/namespaces/default/virtual-service/default~9080~reviews.default.svc.cluster.local"
    );
    assert!(config.clusters.iter().any(|c| c["name"] == REVIEWS_V1));
    // The derived VirtualService points back at the HTTPRoute's document.
    let vs = loaded
        .objects
        .iter()
        .find(|o| o.name == "default~9080~reviews.default.svc.cluster.local")
        .expect("derived VirtualService");
    let text = preset("gateway-api-request-routing").unwrap().yaml;
    let line = text
        .lines()
        .position(|l| l == "  name: reviews")
        .expect("HTTPRoute reviews") as u32;
    assert!(
        vs.span.start_line <= line && line <= vs.span.end_line,
        "{vs:?}"
    );
}

#[test]
fn traffic_shifting_splits_reviews_between_v1_and_v3() {
    let loaded = world("gateway-api-traffic-shifting");
    let config = config_of(&loaded, "productpage-v1");
    let vh = vhost(
        named(&config.routes, "9080"),
        "reviews.default.svc.cluster.local:9080",
    );
    let clusters: Vec<(String, u64)> = vh["routes"][0]["route"]["weighted_clusters"]["clusters"]
        .as_array()
        .expect("weighted clusters")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        clusters,
        [(REVIEWS_V1.to_string(), 50), (REVIEWS_V3.to_string(), 50)]
    );
}

#[test]
fn the_gateway_gets_its_own_proxy_and_http_80_routes() {
    let loaded = world("gateway-api-request-routing");
    let proxy = loaded
        .mesh
        .find_proxy("bookinfo-gateway-istio")
        .expect("automated gateway proxy");
    assert!(proxy.is_gateway());
    assert_eq!(proxy.namespace, "default");
    assert_eq!(
        proxy
            .labels
            .get("gateway.networking.k8s.io/gateway-name")
            .map(String::as_str),
        Some("bookinfo-gateway")
    );
    // The classic ingress gateway is not selected by the Gateway API Gateway.
    let ingress = loaded.mesh.find_proxy("istio-ingressgateway").unwrap();
    assert!(pilotlight_core::gateway::merged(&loaded.mesh, ingress).is_empty());

    let listeners = pilotlight_core::gateway::merged(&loaded.mesh, proxy);
    assert_eq!(listeners.len(), 1);
    assert_eq!(listeners[0].port, 80);
    let rc =
        &pilotlight_core::route::build(&Scope::new(&loaded.mesh, proxy), &["http.80".into()])[0];
    let vh = vhost(rc, "*:80");
    assert_eq!(vh["domains"], serde_json::json!(["*"]));
    let routes = vh["routes"].as_array().unwrap();
    let matches: Vec<String> = routes.iter().map(|r| r["match"].to_string()).collect();
    assert!(
        matches[0].contains("\"path\":\"/productpage\""),
        "exact paths first: {matches:?}"
    );
    assert!(
        matches
            .iter()
            .any(|m| m.contains("\"path_separated_prefix\":\"/api/v1/products\"")),
        "{matches:?}"
    );
    assert!(routes.iter().all(|r| r["route"]["cluster"] == PRODUCTPAGE));
    assert_eq!(
        routes[0]["metadata"]["filter_metadata"]["istio"]["config"],
        "/apis/networking.istio.io/v1/namespaces/default/virtual-service/default~bookinfo-gateway~istio-autogenerated-k8s-gateway~http~*"
    );
}

fn apps(h: &Hop) -> Vec<String> {
    let mut v: Vec<String> = h
        .walk()
        .iter()
        .filter(|h| h.direction == Mode::Inbound && h.outcome.forwarded())
        .map(|h| h.workload.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn a_request_through_the_gateway_api_gateway_reaches_reviews_v1() {
    let loaded = world("gateway-api-request-routing");
    let w = World::from_mesh(&loaded.mesh);
    let req = Request::from_json(r#"{"path": "/productpage"}"#).unwrap();
    let h = trace(&w, Some("bookinfo-gateway-istio"), &req, 0).unwrap();
    assert_eq!(h.workload, "bookinfo-gateway-istio", "{}", h.short());
    assert_eq!(
        apps(&h),
        ["details-v1", "productpage-v1", "reviews-v1"],
        "{}",
        h.short()
    );
}

#[test]
fn route_status_comes_back_as_findings_at_the_users_lines() {
    let user = "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
  namespace: default
spec:
  parentRefs:
  - group: \"\"
    kind: Service
    name: reviews
  - name: no-such-gateway
  rules:
  - backendRefs:
    - name: reviews-v9
      port: 9080
";
    let loaded = load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("routes.yaml", user),
    ]);
    let found: Vec<(&str, &str, u32)> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.file.as_str(), d.line))
        .collect();
    assert_eq!(
        found,
        [("PL0101", "routes.yaml", 11), ("PL0104", "routes.yaml", 14)],
        "{:?}",
        loaded.diagnostics
    );
    // The mesh route still applies: a backend that does not resolve answers 500.
    let config = config_of(&loaded, "productpage-v1");
    let vh = vhost(
        named(&config.routes, "9080"),
        "reviews.default.svc.cluster.local:9080",
    );
    assert_eq!(
        vh["routes"][0]["route"]["cluster"],
        "outbound|9080||reviews-v9.default.svc.cluster.local"
    );
}
