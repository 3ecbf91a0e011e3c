//! The reference scenario of the project: Bookinfo, its gateway and DestinationRules, and a
//! VirtualService sending every reviews request to subset v1. These are the names and shapes a
//! user compares with `istioctl proxy-config` from a real cluster.

// std's sorts are fine in native tests; clippy.toml keeps them out of the library (wasm size).
#![allow(clippy::disallowed_methods)]

use pilotlight_core::envoy::ProxyConfig;
use pilotlight_core::envoy::Value;
use pilotlight_core::world::{preset, BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{load, translate, Loaded, SourceFile};

const REVIEWS_V1: &str = "outbound|9080|v1|reviews.default.svc.cluster.local";
const REVIEWS: &str = "outbound|9080||reviews.default.svc.cluster.local";

fn world(istio: &str) -> Loaded {
    let loaded = load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("istio.yaml", istio),
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

fn reviews_vhost(config: &ProxyConfig) -> &Value {
    let rc = named(&config.routes, "9080");
    rc["virtual_hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|vh| vh["name"] == "reviews.default.svc.cluster.local:9080")
        .expect("reviews vhost")
}

/// Everything without the VirtualService that pins reviews to v1.
fn without_reviews_vs() -> String {
    let text = preset("request-routing-v1").unwrap().yaml;
    let docs: Vec<&str> = text
        .split("\n---\n")
        .filter(|d| !d.contains("kind: VirtualService\nmetadata:\n  name: reviews"))
        .collect();
    docs.join("\n---\n")
}

#[test]
fn productpage_routes_reviews_to_subset_v1() {
    let loaded = world(preset("request-routing-v1").unwrap().yaml);
    let config = config_of(&loaded, "productpage-v1");
    let vh = reviews_vhost(&config);
    let domains: Vec<&str> = vh["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        &domains[..5],
        [
            "reviews.default.svc.cluster.local",
            "reviews.default.svc.cluster.local.",
            "reviews",
            "reviews.default.svc",
            "reviews.default"
        ]
    );
    let routes = vh["routes"].as_array().unwrap();
    assert!(!routes.is_empty());
    for r in routes {
        assert_eq!(r["route"]["cluster"], REVIEWS_V1, "{r}");
        assert_eq!(
            r["metadata"]["filter_metadata"]["istio"]["config"],
            "/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews"
        );
    }
    assert_eq!(
        named(&config.routes, "9080")["ignore_port_in_host_matching"],
        true
    );
}

#[test]
fn subset_cluster_is_eds_with_exactly_the_v1_pods() {
    let loaded = world(preset("request-routing-v1").unwrap().yaml);
    let config = config_of(&loaded, "productpage-v1");
    let cluster = named(&config.clusters, REVIEWS_V1);
    assert_eq!(cluster["type"], "EDS");
    assert_eq!(cluster["eds_cluster_config"]["service_name"], REVIEWS_V1);
    assert_eq!(cluster["connect_timeout"], "10s");
    assert_eq!(cluster["lb_policy"], "LEAST_REQUEST");
    assert_eq!(
        cluster["metadata"]["filter_metadata"]["istio"]["config"],
        "/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews"
    );

    let cla = config
        .endpoints
        .iter()
        .find(|e| e["cluster_name"] == REVIEWS_V1)
        .expect("EDS for the subset");
    let mut got: Vec<String> = cla["endpoints"][0]["lb_endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["endpoint"]["address"]["socket_address"]["address"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    got.sort();
    let mut want: Vec<String> = loaded
        .mesh
        .workloads
        .iter()
        .filter(|w| w.app == "reviews-v1")
        .flat_map(|w| w.ips.clone())
        .collect();
    want.sort();
    assert_eq!(got, want);
    assert!(!want.is_empty());
}

#[test]
fn without_the_virtual_service_reviews_has_one_default_route() {
    let loaded = world(&without_reviews_vs());
    let config = config_of(&loaded, "productpage-v1");
    let routes = reviews_vhost(&config)["routes"].as_array().unwrap().clone();
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0]["name"], "default");
    assert_eq!(routes[0]["match"]["prefix"], "/");
    assert_eq!(routes[0]["route"]["cluster"], REVIEWS);
    assert_eq!(routes[0]["route"]["timeout"], "0s");
    assert_eq!(routes[0]["route"]["retry_policy"]["num_retries"], 2);
}

#[test]
fn default_sidecar_catch_all_is_allow_any() {
    let loaded = world(preset("request-routing-v1").unwrap().yaml);
    let config = config_of(&loaded, "productpage-v1");
    let rc = named(&config.routes, "9080");
    let last = rc["virtual_hosts"].as_array().unwrap().last().unwrap();
    assert_eq!(last["name"], "allow_any");
    assert_eq!(last["routes"][0]["route"]["cluster"], "PassthroughCluster");
}

#[test]
fn gateway_listens_on_8080_and_routes_productpage() {
    let loaded = world(preset("request-routing-v1").unwrap().yaml);
    let config = config_of(&loaded, "istio-ingressgateway");
    let listener = named(&config.listeners, "0.0.0.0_8080");
    assert_eq!(listener["address"]["socket_address"]["port_value"], 8080);
    let hcm = &listener["filter_chains"][0]["filters"][0]["typed_config"];
    assert_eq!(hcm["rds"]["route_config_name"], "http.8080");

    let rc = named(&config.routes, "http.8080");
    let vh = &rc["virtual_hosts"][0];
    assert_eq!(vh["name"], "*:8080");
    assert_eq!(vh["domains"], serde_json::json!(["*"]));
    let productpage = vh["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["match"]["path"] == "/productpage")
        .expect("a route for /productpage");
    assert_eq!(
        productpage["route"]["cluster"],
        "outbound|9080||productpage.default.svc.cluster.local"
    );
    assert_eq!(
        productpage["metadata"]["filter_metadata"]["istio"]["config"],
        "/apis/networking.istio.io/v1/namespaces/default/virtual-service/bookinfo"
    );
    // Gateways never get sidecar-only clusters.
    assert!(config
        .clusters
        .iter()
        .all(|c| c["name"] != "PassthroughCluster"));
}
