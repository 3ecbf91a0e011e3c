//! Listener tests on small meshes: names, matches and targets a user relies on.

use super::build;
use crate::mesh::{Mesh, Scope};
use crate::parse::SourceFile;
use serde_json::Value;

pub(super) fn mesh(yaml: &str) -> Mesh {
    let loaded = crate::load(&[SourceFile::new("test.yaml", yaml)]);
    loaded.mesh
}

pub(super) fn bookinfo(extra: &str) -> Mesh {
    let loaded = crate::load(&[
        SourceFile::new(crate::world::BOOKINFO_FILE, crate::world::BOOKINFO),
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
    let hcm = &l["filter_chains"][0]["filters"][0]["typed_config"];
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
        vo["filter_chains"][1]["filters"][0]["typed_config"]["cluster"],
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
    let hcm = &http["filters"][0]["typed_config"];
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
        vo["filter_chains"][1]["filters"][0]["typed_config"]["cluster"],
        "BlackHoleCluster"
    );
    let l = named(&ls, "0.0.0.0_9080");
    assert_eq!(
        l["default_filter_chain"]["filters"][0]["typed_config"]["cluster"],
        "BlackHoleCluster"
    );
}
