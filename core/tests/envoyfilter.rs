//! EnvoyFilter on Bookinfo: patches applied as istiod applies them, and the explanation of the
//! ones that change nothing.

#![allow(clippy::disallowed_methods)]

use pilotlight_core::translate::envoyfilter::explain::{explain, PatchReport};
use pilotlight_core::translate::{
    proxy_config, proxy_config_recorded, proxy_config_without_envoy_filters,
};
use pilotlight_core::world::{preset, BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{load, Loaded, SourceFile};
use serde_json::Value;

fn with(yaml: &str) -> Loaded {
    let loaded = load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("ef.yaml", yaml),
    ]);
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == pilotlight_core::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    loaded
}

fn preset_world(id: &str) -> Loaded {
    with(preset(id).unwrap_or_else(|| panic!("preset {id}")).yaml)
}

/// One proxy's config as JSON: listeners, routes, clusters.
fn config(l: &Loaded, workload: &str) -> Value {
    let proxy = l
        .mesh
        .find_proxy(workload)
        .unwrap_or_else(|| panic!("{workload}"));
    let c = proxy_config(&l.mesh, proxy);
    serde_json::json!({
        "listeners": serde_json::to_value(&c.listeners).unwrap(),
        "routes": serde_json::to_value(&c.routes).unwrap(),
        "clusters": serde_json::to_value(&c.clusters).unwrap(),
    })
}

fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn http_filter_names(listener: &Value) -> Vec<String> {
    listener["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["filters"].as_array().unwrap())
        .filter(|f| f["name"] == "envoy.filters.network.http_connection_manager")
        .flat_map(|f| f["typed_config"]["http_filters"].as_array().unwrap())
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

fn reports(l: &Loaded) -> Vec<PatchReport> {
    explain(&l.mesh)
}

fn ef(name: &str, ns: &str, extra: &str, patches: &str) -> String {
    format!(
        "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{extra}  configPatches:\n{patches}"
    )
}

const PP: &str = "  workloadSelector:\n    labels:\n      app: productpage\n";

/// An HTTP_FILTER INSERT_FIRST of a filter named `filter` on outbound 9080.
fn insert_first(filter: &str) -> String {
    format!(
        "  - applyTo: HTTP_FILTER\n    match:\n      context: SIDECAR_OUTBOUND\n      listener:\n        portNumber: 9080\n        filterChain:\n          filter:\n            name: envoy.filters.network.http_connection_manager\n    patch:\n      operation: INSERT_FIRST\n      value:\n        name: {filter}\n        typed_config:\n          \"@type\": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua\n"
    )
}

#[test]
fn lua_preset_puts_lua_before_the_router_of_productpage_outbound_9080_only() {
    let l = preset_world("envoyfilter-lua-outbound");
    let pp = config(&l, "productpage-v1");
    let names = http_filter_names(named(&pp["listeners"], "0.0.0.0_9080"));
    let lua = names
        .iter()
        .position(|n| n == "envoy.filters.http.lua")
        .expect("lua");
    assert_eq!(names[lua + 1], "envoy.filters.http.router", "{names:?}");
    // camelCase in the patch became the proto names the dump uses.
    let listener = named(&pp["listeners"], "0.0.0.0_9080");
    let hcm = &listener["filter_chains"][0]["filters"][0]["typed_config"];
    let lua_filter = &hcm["http_filters"][lua];
    assert!(lua_filter["typed_config"]["default_source_code"]["inline_string"].is_string());
    // workloadSelector scoping: reviews is untouched.
    let reviews = config(&l, "reviews-v1");
    for lis in reviews["listeners"].as_array().unwrap() {
        if lis["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"].is_array() {
            assert!(!http_filter_names(lis)
                .iter()
                .any(|n| n == "envoy.filters.http.lua"));
        }
    }
    // Provenance: the change names the listener and the filter.
    let proxy = l.mesh.find_proxy("productpage-v1").unwrap();
    let (_, rec) = proxy_config_recorded(&l.mesh, proxy, true);
    assert_eq!(rec.changes.len(), 1);
    assert_eq!(rec.changes[0].name, "0.0.0.0_9080");
    assert!(rec.changes[0]
        .path
        .ends_with("http_filters[envoy.filters.http.lua]"));
    assert_eq!(rec.changes[0].patch.index, 0);
    let src = pilotlight_core::translate::envoyfilter::patch_source(&l.mesh, rec.changes[0].patch)
        .unwrap();
    assert_eq!(src.envoy_filter, "default/productpage-lua");
    assert_eq!((src.file.as_str(), src.span.start_line), ("ef.yaml", 13));
    // Without EnvoyFilters the listener is as before.
    let plain = proxy_config_without_envoy_filters(&l.mesh, proxy);
    let plain = serde_json::to_value(&plain.listeners).unwrap();
    assert!(!http_filter_names(named(&plain, "0.0.0.0_9080"))
        .iter()
        .any(|n| n == "envoy.filters.http.lua"));
}

#[test]
fn hcm_merge_on_inbound_sets_the_idle_timeout_and_keeps_the_rest() {
    let l = preset_world("envoyfilter-hcm-idle-timeout");
    let reviews = config(&l, "reviews-v2");
    let vin = named(&reviews["listeners"], "virtualInbound");
    let hcms: Vec<&Value> = vin["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["filter_chain_match"]["destination_port"] == 9080)
        .flat_map(|c| c["filters"].as_array().unwrap())
        .filter(|f| f["name"] == "envoy.filters.network.http_connection_manager")
        .collect();
    assert!(!hcms.is_empty());
    for h in hcms {
        assert_eq!(
            h["typed_config"]["common_http_protocol_options"]["idle_timeout"],
            "30s"
        );
        assert!(h["typed_config"]["http_filters"].as_array().unwrap().len() > 1);
    }
    let pp = config(&l, "productpage-v1");
    let text = pp["listeners"].to_string();
    assert!(!text.contains("\"idle_timeout\":\"30s\""));
}

#[test]
fn virtual_host_merge_adds_a_header_to_one_virtual_host() {
    let l = preset_world("envoyfilter-vhost-header");
    let pp = config(&l, "productpage-v1");
    let rc = named(&pp["routes"], "9080");
    let vh = named(
        &rc["virtual_hosts"],
        "reviews.default.svc.cluster.local:9080",
    );
    assert_eq!(
        vh["request_headers_to_add"][0]["header"]["key"],
        "x-envoyfilter"
    );
    let other = named(
        &rc["virtual_hosts"],
        "details.default.svc.cluster.local:9080",
    );
    assert!(other.get("request_headers_to_add").is_none());
}

#[test]
fn cluster_merge_replaces_scalars_and_appends_repeated_fields() {
    let plain = with("");
    let before = config(&plain, "reviews-v1");
    let name = "outbound|9080||ratings.default.svc.cluster.local";
    let n_before = named(&before["clusters"], name)["circuit_breakers"]["thresholds"]
        .as_array()
        .map_or(0, Vec::len);
    let l = preset_world("envoyfilter-cluster-settings");
    for w in ["reviews-v1", "productpage-v1"] {
        let c = config(&l, w);
        let cluster = named(&c["clusters"], name);
        assert_eq!(cluster["connect_timeout"], "2s");
        let t = cluster["circuit_breakers"]["thresholds"]
            .as_array()
            .unwrap();
        assert_eq!(t.len(), n_before + 1);
        assert_eq!(t.last().unwrap()["priority"], "HIGH");
        assert_eq!(
            named(
                &c["clusters"],
                "outbound|9080||details.default.svc.cluster.local"
            )["connect_timeout"],
            named(
                &before["clusters"],
                "outbound|9080||details.default.svc.cluster.local"
            )["connect_timeout"]
        );
    }
    // SIDECAR_OUTBOUND: the gateway's ratings cluster is untouched.
    let gw = config(&l, "istio-ingressgateway");
    if let Some(c) = gw["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
    {
        assert_ne!(c["connect_timeout"], "2s");
    }
}

#[test]
fn a_patch_with_a_renamed_filter_explains_itself() {
    let l = preset_world("envoyfilter-no-match");
    let r = reports(&l);
    assert_eq!(r.len(), 1);
    assert!(!r[0].applied());
    assert!(
        r[0].reasons[0].contains("filter envoy.http_connection_manager not found")
            && r[0].reasons[0]
                .contains("did you mean envoy.filters.network.http_connection_manager?"),
        "{:?}",
        r[0].reasons
    );
    assert_eq!(r[0].span.start_line, 14, "configPatches[0]'s line");
}

#[test]
fn a_port_without_a_listener_lists_the_listeners_there() {
    let l = with(&ef(
        "p",
        "default",
        PP,
        &insert_first("x").replace("portNumber: 9080", "portNumber: 8080"),
    ));
    let r = reports(&l);
    let reason = &r[0].reasons[0];
    assert!(
        reason
            .starts_with("no listener on port 8080 in context SIDECAR_OUTBOUND for productpage-v1"),
        "{reason}"
    );
    assert!(reason.contains("0.0.0.0_9080"), "{reason}");
}

#[test]
fn proxy_version_regex_is_matched_against_1_31() {
    let versioned = |re: &str| {
        insert_first("v").replace(
            "      context: SIDECAR_OUTBOUND\n",
            &format!(
                "      context: SIDECAR_OUTBOUND\n      proxy:\n        proxyVersion: '{re}'\n"
            ),
        )
    };
    let l = with(&ef("old", "default", PP, &versioned("^1\\.2.*")));
    let r = reports(&l);
    assert!(
        r[0].reasons[0].contains("proxyVersion ^1\\.2.* does not match 1.31.0"),
        "{:?}",
        r[0].reasons
    );
    let l = with(&ef("new", "default", PP, &versioned("^1\\.31.*")));
    assert!(reports(&l)[0].applied());
}

#[test]
fn root_namespace_filters_apply_first_and_priority_comes_before_that() {
    let first_two = |yaml: &str| {
        let l = with(yaml);
        let pp = config(&l, "productpage-v1");
        http_filter_names(named(&pp["listeners"], "0.0.0.0_9080"))[..2].to_vec()
    };
    // Same priority: istio-system's x runs first, so default's y, inserted first later, leads.
    let both = format!(
        "{}---\n{}",
        ef("y", "default", PP, &insert_first("y")),
        ef("x", "istio-system", "", &insert_first("x"))
    );
    assert_eq!(first_two(&both), ["y", "x"]);
    // A lower priority in default runs before the root namespace's.
    let both = format!(
        "{}---\n{}",
        ef(
            "y",
            "default",
            &format!("  priority: -1\n{PP}"),
            &insert_first("y")
        ),
        ef("x", "istio-system", "", &insert_first("x"))
    );
    assert_eq!(first_two(&both), ["x", "y"]);
}

#[test]
fn operations_per_apply_to() {
    let patches = "  - applyTo: LISTENER_FILTER\n    match:\n      context: SIDECAR_INBOUND\n      listener:\n        listenerFilter: envoy.filters.listener.http_inspector\n    patch:\n      operation: REMOVE\n\
\x20\x20- applyTo: CLUSTER\n    match:\n      context: SIDECAR_OUTBOUND\n    patch:\n      operation: ADD\n      value:\n        name: extra-cluster\n        type: STRICT_DNS\n        connect_timeout: 1s\n\
\x20\x20- applyTo: CLUSTER\n    match:\n      context: SIDECAR_OUTBOUND\n      cluster:\n        name: BlackHoleCluster\n    patch:\n      operation: REMOVE\n\
\x20\x20- applyTo: VIRTUAL_HOST\n    match:\n      context: SIDECAR_OUTBOUND\n      routeConfiguration:\n        vhost:\n          name: details.default.svc.cluster.local:9080\n    patch:\n      operation: REMOVE\n\
\x20\x20- applyTo: HTTP_ROUTE\n    match:\n      context: SIDECAR_OUTBOUND\n      routeConfiguration:\n        portNumber: 9080\n        vhost:\n          name: reviews.default.svc.cluster.local:9080\n    patch:\n      operation: INSERT_FIRST\n      value:\n        name: health\n        match: {prefix: /health}\n        direct_response: {status: 200}\n\
\x20\x20- applyTo: NETWORK_FILTER\n    match:\n      context: SIDECAR_OUTBOUND\n      listener:\n        name: virtualOutbound\n        filterChain:\n          filter:\n            name: envoy.filters.network.tcp_proxy\n    patch:\n      operation: REPLACE\n      value:\n        name: envoy.filters.network.tcp_proxy\n        typed_config:\n          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\n          stat_prefix: replaced\n          cluster: extra-cluster\n\
\x20\x20- applyTo: LISTENER\n    match:\n      context: SIDECAR_OUTBOUND\n    patch:\n      operation: ADD\n      value:\n        name: extra-listener\n        address: {socket_address: {address: 0.0.0.0, port_value: 7777}}\n";
    let l = with(&ef("ops", "default", PP, patches));
    let pp = config(&l, "productpage-v1");
    let clusters: Vec<&str> = pp["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(clusters.contains(&"extra-cluster"));
    assert!(!clusters.contains(&"BlackHoleCluster"));
    let vin = named(&pp["listeners"], "virtualInbound");
    assert!(!vin["listener_filters"]
        .to_string()
        .contains("http_inspector"));
    let rc = named(&pp["routes"], "9080");
    assert!(rc["virtual_hosts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["name"] != "details.default.svc.cluster.local:9080"));
    let vh = named(
        &rc["virtual_hosts"],
        "reviews.default.svc.cluster.local:9080",
    );
    assert_eq!(vh["routes"][0]["name"], "health");
    let vout = named(&pp["listeners"], "virtualOutbound");
    assert!(vout.to_string().contains("\"stat_prefix\":\"replaced\""));
    assert!(pp["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["name"] == "extra-listener"));
    // Every patch applied, none explained as failing; ratings (not selected) is untouched.
    for r in reports(&l) {
        assert!(r.applied(), "{} {:?}", r.patch.index, r.reasons);
        assert!(
            r.changed.iter().all(|(p, _)| p.starts_with("productpage")),
            "{:?}",
            r.changed
        );
    }
}

#[test]
fn a_selector_that_matches_nothing_says_so() {
    let sel = "  workloadSelector:\n    labels:\n      app: nope\n";
    let l = with(&ef("none", "default", sel, &insert_first("x")));
    let r = reports(&l);
    assert_eq!(
        r[0].reasons,
        ["workloadSelector app=nope matches no workload in namespace default"]
    );
}

#[test]
fn sidecar_context_on_a_gateway_only_filter_is_explained() {
    let gw = "  workloadSelector:\n    labels:\n      istio: ingressgateway\n";
    let l = with(&ef("g", "istio-system", gw, &insert_first("x")));
    let r = reports(&l);
    assert!(
        r[0].reasons[0].starts_with("context SIDECAR_OUTBOUND never applies here"),
        "{:?}",
        r[0].reasons
    );
}

#[test]
fn gateway_route_configuration_matches_the_server_port_not_the_listener_port() {
    let patch = |port: u32| {
        ef(
            "gw",
            "istio-system",
            "  workloadSelector:\n    labels:\n      istio: ingressgateway\n",
            &format!(
                "  - applyTo: ROUTE_CONFIGURATION\n    match:\n      context: GATEWAY\n      routeConfiguration:\n        portNumber: {port}\n    patch:\n      operation: MERGE\n      value:\n        request_headers_to_add:\n        - header: {{key: x-gw, value: '1'}}\n"
            ),
        )
    };
    // httpbin-gateway: server port 80, listened on the Service's targetPort 8080.
    let gateway = preset("ingress-gateway").unwrap().yaml;
    for (port, applies) in [(80, true), (8080, false)] {
        let l = with(&format!("{gateway}\n---\n{}", patch(port)));
        let gw = config(&l, "istio-ingressgateway");
        let rc = named(&gw["routes"], "http.8080");
        assert_eq!(
            rc.get("request_headers_to_add").is_some(),
            applies,
            "port {port}"
        );
        let r = reports(&l);
        assert_eq!(r[0].applied(), applies);
        if !applies {
            assert!(
                r[0].reasons[0].contains("no route configuration on port 8080"),
                "{:?}",
                r[0].reasons
            );
            assert!(r[0].reasons[0].contains("http.8080"), "{:?}", r[0].reasons);
        }
    }
}

#[test]
fn the_simulator_passes_through_a_lua_filter_and_says_so() {
    use pilotlight_core::simulate::trace::World;
    use pilotlight_core::simulate::{trace, Request};
    let l = preset_world("envoyfilter-lua-outbound");
    let world = World::from_mesh(&l.mesh);
    let req = Request::from_json(
        r#"{"mode": "inbound", "port": 9080, "tls": "mtls", "path": "/productpage"}"#,
    )
    .unwrap();
    let hop = trace(&world, Some("productpage-v1"), &req, 0).unwrap();
    let steps: Vec<String> = hop
        .walk()
        .iter()
        .flat_map(|h| h.outcome.steps.iter().map(|s| s.reason.clone()))
        .collect();
    assert!(
        steps
            .iter()
            .any(|s| s.contains("envoy.filters.http.lua (Lua code) passed through")),
        "{steps:#?}"
    );
}

#[test]
fn an_added_cluster_never_shadows_a_generated_one() {
    let patch = "  - applyTo: CLUSTER\n    match:\n      context: SIDECAR_OUTBOUND\n    patch:\n      operation: ADD\n      value:\n        name: outbound|9080||ratings.default.svc.cluster.local\n        type: STATIC\n        connect_timeout: 9s\n";
    let l = with(&ef("shadow", "default", PP, patch));
    let pp = config(&l, "productpage-v1");
    let same: Vec<&Value> = pp["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "outbound|9080||ratings.default.svc.cluster.local")
        .collect();
    assert_eq!(same.len(), 1);
    assert_ne!(same[0]["connect_timeout"], "9s");
    let r = reports(&l);
    assert!(!r[0].applied(), "{:?}", r[0].changed);
}
