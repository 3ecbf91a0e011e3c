//! Listener tests on small meshes: names, matches and targets a user relies on.

use super::build;
use crate::envoy::Value;
use crate::mesh::{Mesh, Scope};
use crate::parse::SourceFile;

pub(super) fn mesh(yaml: &str) -> Mesh {
    let loaded = crate::load(&[SourceFile::new("test.yaml", yaml)]);
    loaded.mesh
}

pub(super) fn bookinfo(extra: &str) -> Mesh {
    let loaded = crate::load(&[
        // The built-in world's file, read here so translation's tests do not depend on the
        // playground.
        SourceFile::new(
            "bookinfo.yaml",
            include_str!("../../../../static/worlds/bookinfo.yaml"),
        ),
        SourceFile::new("extra.yaml", extra),
    ]);
    loaded.mesh
}

pub(super) fn listeners_for(mesh: &Mesh, proxy: &str) -> Vec<Value> {
    let proxy = mesh.find_proxy(proxy).expect("proxy");
    build(&Scope::new(mesh, proxy))
}

pub(super) fn named<'a>(ls: &'a [Value], name: &str) -> &'a Value {
    ls.iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no listener {name}: {:?}", names(ls)))
}

fn names(ls: &[Value]) -> Vec<String> {
    ls.iter()
        .map(|l| l["name"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The terminal network filter of a chain (tcp_proxy or the HCM): istiod puts metadata exchange
/// and stats filters before it.
fn terminal(chain: &Value) -> &Value {
    chain["filters"]
        .as_array()
        .and_then(|f| f.last())
        .expect("a chain has filters")
}

fn chain_names(l: &Value) -> Vec<String> {
    l["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn bookinfo_productpage_outbound() {
    let mesh = bookinfo("");
    let ls = listeners_for(&mesh, "productpage-v1");
    let l = named(&ls, "0.0.0.0_9080");
    assert_eq!(l["bind_to_port"], false);
    assert_eq!(l["traffic_direction"], "OUTBOUND");
    let hcm = &terminal(&l["filter_chains"][0])["typed_config"];
    assert_eq!(hcm["rds"]["route_config_name"], "9080");
    assert_eq!(hcm["stat_prefix"], "outbound_0.0.0.0_9080;");
    assert_eq!(
        l["filter_chains"][0]["filter_chain_match"]["application_protocols"],
        serde_json::json!(["http/1.1", "h2c"])
    );
    assert_eq!(l["default_filter_chain"]["name"], "PassthroughFilterChain");
    assert_eq!(
        l["listener_filters"][0]["name"],
        "envoy.filters.listener.http_inspector"
    );

    let vo = named(&ls, "virtualOutbound");
    assert_eq!(vo["use_original_dst"], true);
    assert_eq!(vo["address"]["socket_address"]["port_value"], 15001);
    assert_eq!(
        chain_names(vo),
        ["virtualOutbound-blackhole", "virtualOutbound-catchall-tcp"]
    );
    assert_eq!(
        terminal(&vo["filter_chains"][1])["typed_config"]["cluster"],
        "PassthroughCluster"
    );
}

#[test]
fn bookinfo_productpage_inbound() {
    let mesh = bookinfo("");
    let ls = listeners_for(&mesh, "productpage-v1");
    let vi = named(&ls, "virtualInbound");
    let names = chain_names(vi);
    assert_eq!(names[0], "virtualInbound-blackhole");
    assert!(names.contains(&"virtualInbound".to_string()));
    assert!(names.contains(&"virtualInbound-catchall-http".to_string()));
    assert!(names.contains(&"0.0.0.0_9080".to_string()));
    let http = vi["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "0.0.0.0_9080" && c.get("transport_socket").is_none())
        .unwrap();
    let hcm = &terminal(http)["typed_config"];
    assert_eq!(hcm["route_config"]["name"], "inbound|9080||");
    assert_eq!(
        hcm["route_config"]["virtual_hosts"][0]["routes"][0]["route"]["cluster"],
        "inbound|9080||"
    );
    assert_eq!(
        vi["listener_filters"][0]["name"],
        "envoy.filters.listener.original_dst"
    );
}

#[test]
fn registry_only_blackholes_unknown_tcp() {
    let mesh = bookinfo(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n",
    );
    let ls = listeners_for(&mesh, "productpage-v1");
    let vo = named(&ls, "virtualOutbound");
    assert_eq!(
        terminal(&vo["filter_chains"][1])["typed_config"]["cluster"],
        "BlackHoleCluster"
    );
    let l = named(&ls, "0.0.0.0_9080");
    assert_eq!(
        terminal(&l["default_filter_chain"])["typed_config"]["cluster"],
        "BlackHoleCluster"
    );
}

const SLEEP: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: sleep
  namespace: default
  labels:
    app: sleep
spec:
  containers:
  - name: sleep
    image: curl
"#;

fn chain_with(l: &Value, pred: impl Fn(&Value) -> bool) -> &Value {
    l["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| pred(c))
        .unwrap_or_else(|| panic!("no chain in {}", l["name"]))
}

fn tcp_cluster(chain: &Value) -> &str {
    chain["filters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "envoy.filters.network.tcp_proxy")
        .and_then(|f| f["typed_config"]["cluster"].as_str())
        .unwrap_or("")
}

#[test]
fn tcp_and_sniffed_ports_listen_on_the_vip() {
    let m = mesh(&format!(
        "{SLEEP}---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: default
spec:
  clusterIP: 10.0.0.5
  ports:
  - name: tcp-db
    port: 5432
  - name: web
    port: 8000
"
    ));
    let ls = listeners_for(&m, "sleep");
    let tcp = named(&ls, "10.0.0.5_5432");
    assert_eq!(
        tcp_cluster(&tcp["filter_chains"][0]),
        "outbound|5432||db.default.svc.cluster.local"
    );
    assert!(tcp.get("listener_filters").is_none());
    assert!(tcp.get("default_filter_chain").is_none());

    let auto = named(&ls, "10.0.0.5_8000");
    let http = &auto["filter_chains"][0];
    assert_eq!(
        terminal(http)["typed_config"]["rds"]["route_config_name"],
        "db.default.svc.cluster.local:8000"
    );
    assert_eq!(
        tcp_cluster(&auto["default_filter_chain"]),
        "outbound|8000||db.default.svc.cluster.local"
    );
}

#[test]
fn virtual_service_tcp_routes_make_weighted_tcp_proxy() {
    let m = mesh(&format!(
        "{SLEEP}---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: default
spec:
  clusterIP: 10.0.0.5
  ports:
  - name: tcp
    port: 5432
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: db
  namespace: default
spec:
  hosts: [db]
  tcp:
  - route:
    - destination: {{host: db, subset: v1}}
      weight: 80
    - destination: {{host: db, subset: v2}}
      weight: 20
"
    ));
    let ls = listeners_for(&m, "sleep");
    let l = named(&ls, "10.0.0.5_5432");
    let tp = &terminal(&l["filter_chains"][0])["typed_config"];
    assert_eq!(tp["stat_prefix"], "db.default");
    assert_eq!(
        tp["weighted_clusters"]["clusters"][0]["name"],
        "outbound|5432|v1|db.default.svc.cluster.local"
    );
    assert_eq!(tp["weighted_clusters"]["clusters"][1]["weight"], 20);
    assert!(
        l["filter_chains"][0]["metadata"]["filter_metadata"]["istio"]["config"]
            .as_str()
            .unwrap()
            .ends_with("/virtual-service/db")
    );
}

#[test]
fn strict_peer_authentication_requires_mtls_inbound() {
    let m = bookinfo(
        "apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: reviews
  namespace: default
spec:
  selector:
    matchLabels:
      app: reviews
  portLevelMtls:
    9080:
      mode: DISABLE
",
    );
    let ls = listeners_for(&m, "productpage-v1");
    let vi = named(&ls, "virtualInbound");
    let chains: Vec<&Value> = vi["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "0.0.0.0_9080")
        .collect();
    assert_eq!(chains.len(), 1, "STRICT on an HTTP port: one mTLS chain");
    assert_eq!(chains[0]["filter_chain_match"]["transport_protocol"], "tls");
    let tls = &chains[0]["transport_socket"]["typed_config"];
    assert_eq!(tls["require_client_certificate"], true);
    assert_eq!(
        tls["common_tls_context"]["tls_certificate_sds_secret_configs"][0]["name"],
        "default"
    );

    let ls = listeners_for(&m, "reviews-v1");
    let vi = named(&ls, "virtualInbound");
    let plain = chain_with(vi, |c| c["name"] == "0.0.0.0_9080");
    assert_eq!(
        plain["filter_chain_match"]["transport_protocol"],
        "raw_buffer"
    );
    assert!(plain.get("transport_socket").is_none());
}

#[test]
fn headless_tcp_ports_get_a_listener_per_endpoint() {
    let m = mesh(&format!(
        "{SLEEP}---
apiVersion: v1
kind: Service
metadata:
  name: kafka
  namespace: default
spec:
  clusterIP: None
  ports:
  - name: tcp
    port: 9092
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kafka
  namespace: default
  labels:
    kubernetes.io/service-name: kafka
endpoints:
- addresses: [10.1.0.7]
- addresses: [10.1.0.8]
ports:
- name: tcp
  port: 9092
"
    ));
    let ls = listeners_for(&m, "sleep");
    for ip in ["10.1.0.7", "10.1.0.8"] {
        let l = named(&ls, &format!("{ip}_9092"));
        assert_eq!(
            tcp_cluster(&l["filter_chains"][0]),
            "outbound|9092||kafka.default.svc.cluster.local"
        );
    }
}

const GATEWAY_POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  labels:
    istio: ingressgateway
spec:
  containers:
  - name: istio-proxy
    image: proxyv2
"#;

#[test]
fn gateway_https_termination_and_passthrough() {
    let m = mesh(&format!(
        "{GATEWAY_POD}---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: gw
  namespace: default
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {{number: 443, name: https, protocol: HTTPS}}
    hosts: [\"default/secure.example.com\"]
    tls: {{mode: SIMPLE, credentialName: secure-cert}}
  - port: {{number: 443, name: tls, protocol: TLS}}
    hosts: [pass.example.com]
    tls: {{mode: PASSTHROUGH}}
  - port: {{number: 80, name: http, protocol: HTTP}}
    hosts: [\"*\"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: pass
  namespace: default
spec:
  hosts: [pass.example.com]
  gateways: [gw]
  tls:
  - match:
    - sniHosts: [pass.example.com]
    route:
    - destination: {{host: backend, port: {{number: 8443}}}}
"
    ));
    let ls = listeners_for(&m, "istio-ingressgateway");
    let http = named(&ls, "0.0.0.0_80");
    assert_eq!(
        terminal(&http["filter_chains"][0])["typed_config"]["rds"]["route_config_name"],
        "http.80"
    );
    assert!(http.get("bind_to_port").is_none());

    let https = named(&ls, "0.0.0.0_443");
    assert_eq!(
        https["listener_filters"][0]["name"],
        "envoy.filters.listener.tls_inspector"
    );
    let term = chain_with(https, |c| {
        c["filter_chain_match"]["server_names"][0] == "secure.example.com"
    });
    let hcm = &terminal(term)["typed_config"];
    assert_eq!(
        hcm["rds"]["route_config_name"],
        "https.443.https.gw.default"
    );
    let tls = &term["transport_socket"]["typed_config"];
    assert_eq!(
        tls["common_tls_context"]["tls_certificate_sds_secret_configs"][0]["name"],
        "kubernetes://secure-cert"
    );
    assert_eq!(tls["require_client_certificate"], false);

    let pass = chain_with(https, |c| {
        c["filter_chain_match"]["server_names"][0] == "pass.example.com"
    });
    assert_eq!(
        tcp_cluster(pass),
        "outbound|8443||backend.default.svc.cluster.local"
    );
    assert!(pass.get("transport_socket").is_none());
}
