//! Behaviour a user relies on, checked against small hand-written Envoy configs (in the shape
//! istiod generates) and against real config dumps from istio/istio's test data.

use crate::envoy::Value;
use crate::json_value as json;

use super::*;
use crate::envoy::ProxyConfig;

const DUMPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/conformance/dumps");

fn req(v: Value) -> Request {
    serde_json::from_value((&v).into()).expect("request JSON")
}

fn hcm_rds(route: &str) -> Value {
    json!({"name": "envoy.filters.network.http_connection_manager", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "rds": {"route_config_name": route}}})
}

fn tcp_proxy(cluster: &str) -> Value {
    json!({"name": "envoy.filters.network.tcp_proxy", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
        "cluster": cluster}})
}

fn inspectors() -> Value {
    json!([{"name": "envoy.filters.listener.tls_inspector"}, {"name": "envoy.filters.listener.http_inspector"}])
}

fn eds(name: &str) -> Value {
    json!({"name": name, "type": "EDS", "eds_cluster_config": {"service_name": name},
           "lb_policy": "LEAST_REQUEST",
           "transport_socket_matches": [
             {"name": "tlsMode-istio", "match": {"tlsMode": "istio"}, "transport_socket": {"name": "envoy.transport_sockets.tls",
               "typed_config": {"common_tls_context": {"alpn_protocols": ["istio-peer-exchange", "istio"]}}}},
             {"name": "tlsMode-disabled", "match": {}, "transport_socket": {"name": "envoy.transport_sockets.raw_buffer"}}]})
}

fn cla(name: &str, ips: &[&str], port: u16) -> Value {
    let eps: Vec<Value> = ips
        .iter()
        .map(|ip| json!({"endpoint": {"address": {"socket_address": {"address": ip, "port_value": port}}},
                          "metadata": {"filter_metadata": {"envoy.transport_socket_match": {"tlsMode": "istio"}}}}))
        .collect();
    json!({"cluster_name": name, "endpoints": [{"locality": {"region": "r1"}, "lb_endpoints": eps}]})
}

const REVIEWS: &str = "reviews.default.svc.cluster.local";

fn cn(subset: &str, host: &str) -> String {
    format!("outbound|9080|{subset}|{host}")
}

/// A sidecar's outbound side for Bookinfo's reviews and ratings, with the routes of the
/// "end-user: jason -> v2, else 80/20 v1/v3" and "ratings abort 500" VirtualServices.
fn sidecar() -> ProxyConfig {
    let listeners = vec![
        json!({"name": "0.0.0.0_9080", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 9080}},
               "listener_filters": inspectors(),
               "filter_chains": [{"filter_chain_match": {"transport_protocol": "raw_buffer", "application_protocols": ["http/1.1", "h2c"]},
                                  "filters": [hcm_rds("9080")]}],
               "default_filter_chain": {"name": "PassthroughFilterChain", "filters": [tcp_proxy("PassthroughCluster")]}}),
        json!({"name": "10.0.0.9_3306", "address": {"socket_address": {"address": "10.0.0.9", "port_value": 3306}},
               "filter_chains": [{"filters": [{"name": "envoy.filters.network.tcp_proxy", "typed_config": {
                   "weighted_clusters": {"clusters": [{"name": "outbound|3306|a|db", "weight": 50}, {"name": "outbound|3306|b|db", "weight": 50}]}}}]}]}),
        json!({"name": "virtualOutbound", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 15001}},
               "use_original_dst": true,
               "filter_chains": [
                 {"name": "virtualOutbound-blackhole", "filter_chain_match": {"destination_port": 15001}, "filters": [tcp_proxy("BlackHoleCluster")]},
                 {"name": "virtualOutbound-catchall-tcp", "filters": [tcp_proxy("PassthroughCluster")]}]}),
    ];
    let route_cfg = json!({"name": "9080", "ignore_port_in_host_matching": true, "virtual_hosts": [
        {"name": "allow_any", "domains": ["*"], "routes": [{"name": "allow_any", "match": {"prefix": "/"}, "route": {"cluster": "PassthroughCluster", "timeout": "0s"}}]},
        {"name": "ratings.default.svc.cluster.local:9080", "domains": ["ratings.default.svc.cluster.local", "ratings", "10.0.0.4"], "routes": [
            {"name": "abort", "match": {"prefix": "/"}, "route": {"cluster": cn("", "ratings.default.svc.cluster.local"), "timeout": "0s"},
             "typed_per_filter_config": {"envoy.filters.http.fault": {"@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
                 "abort": {"http_status": 500, "percentage": {"numerator": 1000000, "denominator": "MILLION"}}}}}]},
        {"name": "reviews.default.svc.cluster.local:9080", "domains": [REVIEWS, "reviews", "10.0.0.3"], "routes": [
            {"name": "jason", "match": {"prefix": "/", "headers": [{"name": "end-user", "string_match": {"exact": "jason"}}]},
             "route": {"cluster": cn("v2", REVIEWS), "timeout": "0s", "retry_policy": {"retry_on": "connect-failure", "num_retries": 2}}},
            {"name": "split", "match": {"prefix": "/"}, "route": {"weighted_clusters": {"clusters": [
                {"name": cn("v1", REVIEWS), "weight": 80}, {"name": cn("v3", REVIEWS), "weight": 20}]}, "timeout": "3s"}}]},
        {"name": "secure.example.com:9080", "domains": ["secure.example.com"], "require_tls": "ALL", "routes": [
            {"name": "never", "match": {"prefix": "/"}, "route": {"cluster": "x"}}]},
        {"name": "misc:9080", "domains": ["misc"], "routes": [
            {"name": "moved", "match": {"path": "/old"}, "redirect": {"path_redirect": "/new", "response_code": "FOUND"}},
            {"name": "teapot", "match": {"safe_regex": {"regex": "/tea.*"}}, "direct_response": {"status": 418}},
            {"name": "q", "match": {"prefix": "/q", "query_parameters": [{"name": "v", "string_match": {"exact": "1"}}]}, "route": {"cluster": cn("v1", REVIEWS)}}]}]});
    let clusters = vec![
        eds(&cn("v1", REVIEWS)),
        eds(&cn("v2", REVIEWS)),
        eds(&cn("v3", REVIEWS)),
        eds(&cn("", "ratings.default.svc.cluster.local")),
        json!({"name": "PassthroughCluster", "type": "ORIGINAL_DST", "lb_policy": "CLUSTER_PROVIDED"}),
        json!({"name": "BlackHoleCluster", "type": "STATIC"}),
    ];
    let endpoints = vec![
        cla(&cn("v1", REVIEWS), &["10.1.0.1"], 9080),
        cla(&cn("v2", REVIEWS), &["10.1.0.2"], 9080),
        cla(&cn("v3", REVIEWS), &["10.1.0.3"], 9080),
        cla(
            &cn("", "ratings.default.svc.cluster.local"),
            &["10.1.0.4"],
            9080,
        ),
    ];
    ProxyConfig {
        listeners,
        routes: vec![route_cfg],
        clusters,
        endpoints,
    }
}

#[test]
fn header_route_sends_jason_to_v2() {
    let o = simulate(
        &sidecar(),
        &req(json!({"port": 9080, "host": "reviews:9080", "headers": {"end-user": "jason"}})),
    );
    assert_eq!(o.error, None);
    assert_eq!(o.listener.as_deref(), Some("0.0.0.0_9080"));
    assert_eq!(o.route_config.as_deref(), Some("9080"));
    assert_eq!(
        o.virtual_host.as_deref(),
        Some("reviews.default.svc.cluster.local:9080")
    );
    assert_eq!(o.route.as_deref(), Some("jason"));
    assert_eq!(o.cluster, Some(cn("v2", REVIEWS)));
    assert_eq!(o.subset.as_deref(), Some("v2"));
    let ep = o.endpoint.unwrap();
    assert_eq!(ep.address, "10.1.0.2:9080");
    assert!(ep.mtls, "tlsMode istio endpoint gets Istio mTLS");
    assert_eq!(o.properties.retries.as_ref().unwrap().attempts, 2);
    // Every stage explains itself.
    assert!(o.steps.iter().all(|s| !s.reason.is_empty()));
}

#[test]
fn weighted_split_is_seeded_and_follows_weights() {
    let cfg = sidecar();
    let r = req(json!({"port": 9080, "host": "reviews"}));
    let a = simulate_seeded(&cfg, &r, 42);
    let b = simulate_seeded(&cfg, &r, 42);
    assert_eq!(a, b, "same seed, same walk");
    assert_eq!(a.route.as_deref(), Some("split"));
    assert!(matches!(a.action, Some(Action::Weighted { .. })));
    assert_eq!(a.properties.timeout.as_deref(), Some("3s"));
    let v1 = (0..1000)
        .filter(|s| simulate_seeded(&cfg, &r, *s).cluster == Some(cn("v1", REVIEWS)))
        .count();
    assert!(
        (760..=840).contains(&v1),
        "80/20 split gave {v1}/1000 to v1"
    );
}

#[test]
fn fault_abort_answers_locally() {
    let o = simulate(&sidecar(), &req(json!({"port": 9080, "host": "ratings"})));
    assert_eq!(o.error, None);
    assert_eq!(o.status, Some(500));
    assert_eq!(o.response_flag.as_deref(), Some("FI"));
    assert!(o.properties.fault.as_ref().unwrap().aborted);
    assert_eq!(o.endpoint, None, "an aborted request is not forwarded");
    assert!(!o.forwarded());
}

#[test]
fn unknown_host_takes_allow_any_to_the_original_destination() {
    let o = simulate(
        &sidecar(),
        &req(json!({"port": 9080, "host": "example.org", "address": "93.184.216.34"})),
    );
    assert_eq!(o.virtual_host.as_deref(), Some("allow_any"));
    assert_eq!(o.cluster.as_deref(), Some("PassthroughCluster"));
    assert_eq!(o.endpoint.unwrap().address, "93.184.216.34:9080");
}

#[test]
fn tcp_and_tls_fall_to_the_default_chain() {
    let cfg = sidecar();
    for r in [
        json!({"port": 9080, "protocol": "tcp"}),
        json!({"port": 9080, "tls": "tls", "host": "reviews"}),
    ] {
        let o = simulate(&cfg, &req(r));
        assert_eq!(o.filter_chain.as_deref(), Some("PassthroughFilterChain"));
        assert_eq!(o.cluster.as_deref(), Some("PassthroughCluster"));
    }
}

#[test]
fn outbound_listener_selection() {
    let cfg = sidecar();
    // Exact VIP listener for TCP, weighted TCP proxy.
    let o = simulate(
        &cfg,
        &req(json!({"address": "10.0.0.9", "port": 3306, "protocol": "tcp"})),
    );
    assert_eq!(o.listener.as_deref(), Some("10.0.0.9_3306"));
    assert!(matches!(o.action, Some(Action::Weighted { .. })));
    // Unknown port: virtualOutbound, then the catch-all chain.
    let o = simulate(&cfg, &req(json!({"port": 1234, "protocol": "tcp"})));
    assert_eq!(o.listener.as_deref(), Some("virtualOutbound"));
    assert_eq!(
        o.filter_chain.as_deref(),
        Some("virtualOutbound-catchall-tcp")
    );
    // Port 15001 itself: the loop-protection chain.
    let o = simulate(&cfg, &req(json!({"port": 15001, "protocol": "tcp"})));
    assert_eq!(o.filter_chain.as_deref(), Some("virtualOutbound-blackhole"));
    assert_eq!(o.cluster.as_deref(), Some("BlackHoleCluster"));
    assert_eq!(o.response_flag.as_deref(), Some("UH"));
}

#[test]
fn http_errors_use_istios_words_and_statuses() {
    let cfg = sidecar();
    let o = simulate(
        &cfg,
        &req(json!({"port": 9080, "host": "secure.example.com"})),
    );
    assert_eq!(o.error, Some(SimError::TlsRedirect));
    assert_eq!(o.error.unwrap().to_string(), "tls required, sending 301");
    assert_eq!(o.status, Some(301));

    let o = simulate(
        &cfg,
        &req(json!({"port": 9080, "host": "misc", "path": "/nothing"})),
    );
    assert_eq!(o.error, Some(SimError::NoRoute));
    assert_eq!(
        (o.status, o.response_flag.as_deref()),
        (Some(404), Some("NR"))
    );

    let o = simulate(
        &cfg,
        &req(json!({"port": 9080, "host": "misc", "path": "/old"})),
    );
    assert_eq!(o.status, Some(302));
    assert!(
        matches!(o.action, Some(Action::Redirect { ref location, .. }) if location == "http://misc/new")
    );

    let o = simulate(
        &cfg,
        &req(json!({"port": 9080, "host": "misc", "path": "/teapot"})),
    );
    assert_eq!(o.status, Some(418));

    let o = simulate(
        &cfg,
        &req(json!({"port": 9080, "host": "misc", "path": "/q?v=1"})),
    );
    assert_eq!(o.route.as_deref(), Some("q"));
    let o = simulate(
        &cfg,
        &req(json!({"port": 9080, "host": "misc", "path": "/q?v=2"})),
    );
    assert_eq!(o.error, Some(SimError::NoRoute));

    let mut no_catch_all = cfg.clone();
    no_catch_all.routes[0]["virtual_hosts"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    let o = simulate(
        &no_catch_all,
        &req(json!({"port": 9080, "host": "nowhere"})),
    );
    assert_eq!(o.error, Some(SimError::NoVirtualHost));
}

#[test]
fn no_listener_without_virtual_outbound() {
    let mut cfg = sidecar();
    cfg.listeners.retain(|l| l["name"] != "virtualOutbound");
    let o = simulate(&cfg, &req(json!({"port": 1234})));
    assert_eq!(o.error, Some(SimError::NoListener));
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["error"], "no listener matched");
    for k in [
        "listener",
        "filter_chain",
        "route_config",
        "virtual_host",
        "route",
        "cluster",
        "endpoint",
        "error",
    ] {
        assert!(json.get(k).is_some(), "JSON output has key {k}");
    }
}

#[test]
fn tls_checks_on_chains() {
    let mtls_socket = json!({"name": "envoy.transport_sockets.tls", "typed_config": {
        "common_tls_context": {"tls_certificate_sds_secret_configs": [{"name": "default"}]},
        "require_client_certificate": true}});
    let simple_socket = json!({"name": "envoy.transport_sockets.tls", "typed_config": {
        "common_tls_context": {"tls_certificate_sds_secret_configs": [{"name": "kubernetes://cred"}]}}});
    let cfg = ProxyConfig {
        listeners: vec![
            json!({"name": "0.0.0.0_443", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 443}},
                   "filter_chains": [{"name": "simple", "transport_socket": simple_socket, "filters": [tcp_proxy("x")]}]}),
            json!({"name": "0.0.0.0_8443", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 8443}},
                   "filter_chains": [{"name": "mutual", "transport_socket": mtls_socket, "filters": [tcp_proxy("x")]}]}),
            json!({"name": "0.0.0.0_80", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 80}},
                   "filter_chains": [{"name": "a", "filters": [hcm_rds("80")]}, {"name": "b", "filters": [hcm_rds("80")]}]}),
            json!({"name": "0.0.0.0_81", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 81}},
                   "filter_chains": [{"name": "h", "filters": [hcm_rds("81")]}]}),
        ],
        ..ProxyConfig::default()
    };
    let run = |v: Value| simulate(&cfg, &req(v)).error;
    assert_eq!(run(json!({"port": 443})), Some(SimError::Tls));
    assert_eq!(
        run(json!({"port": 443, "tls": "mtls"})),
        Some(SimError::Mtls)
    );
    assert_eq!(run(json!({"port": 443, "tls": "tls"})), None);
    assert_eq!(
        run(json!({"port": 8443, "tls": "tls"})),
        Some(SimError::Mtls)
    );
    assert_eq!(run(json!({"port": 8443, "tls": "mtls"})), None);
    assert_eq!(
        run(json!({"port": 80})),
        Some(SimError::MultipleFilterChain)
    );
    assert_eq!(
        run(json!({"port": 81, "protocol": "tcp"})),
        Some(SimError::Protocol)
    );
    assert_eq!(
        run(json!({"port": 81, "tls": "tls"})),
        Some(SimError::Protocol)
    );
    // RDS name not pushed: no virtual host.
    assert_eq!(run(json!({"port": 81})), Some(SimError::NoVirtualHost));
}

fn httpbin_dump() -> ProxyConfig {
    let text = std::fs::read_to_string(format!(
        "{DUMPS}/httpbin-sidecar-listeners_authz_configdump.yaml"
    ))
    .expect("dump present");
    let v: Value = serde_yaml_ng::from_str(&text).unwrap();
    from_config_dump(&v)
}

#[test]
fn real_sidecar_dump_inbound() {
    let cfg = httpbin_dump();
    assert!(cfg.listeners.len() > 20);
    // Istio mTLS HTTP to the service port: the port's chain, inline route config to inbound|80||.
    let o = simulate(
        &cfg,
        &req(json!({"mode": "inbound", "address": "10.244.0.7", "port": 80, "tls": "mtls"})),
    );
    assert_eq!(o.error, None, "{:#?}", o.steps);
    assert_eq!(o.listener.as_deref(), Some("virtualInbound"));
    assert_eq!(o.filter_chain.as_deref(), Some("0.0.0.0_80"));
    // The dump's ALLOW policy wants GET /info (or POST /data) from sleep with a Google JWT:
    // GET / from no one is denied by its RBAC filter before any route is looked at.
    assert_eq!(o.status, Some(403));
    assert_eq!(
        o.response_code_details.as_deref(),
        Some("rbac_access_denied_matched_policy[none]")
    );
    assert_eq!(o.cluster, None);
    // Plaintext HTTP to the same port (PERMISSIVE).
    let o = simulate(
        &cfg,
        &req(json!({"mode": "inbound", "address": "10.244.0.7", "port": 80})),
    );
    assert_eq!(o.filter_chain.as_deref(), Some("0.0.0.0_80"));
    assert_eq!(o.status, Some(403));
    // A port with no service: the HTTP passthrough chain.
    let o = simulate(
        &cfg,
        &req(json!({"mode": "inbound", "address": "10.244.0.7", "port": 7777})),
    );
    assert_eq!(
        o.filter_chain.as_deref(),
        Some("virtualInbound-catchall-http")
    );
    // istiod puts the same RBAC filter on the passthrough chains.
    assert_eq!(o.status, Some(403));
    // Raw TCP to it: the TCP passthrough chain.
    let o = simulate(
        &cfg,
        &req(json!({"mode": "inbound", "address": "10.244.0.7", "port": 7777, "protocol": "tcp"})),
    );
    assert_eq!(o.filter_chain.as_deref(), Some("virtualInbound"));
    // Straight at 15006: loop protection.
    let o = simulate(
        &cfg,
        &req(json!({"mode": "inbound", "port": 15006, "protocol": "tcp"})),
    );
    assert_eq!(o.filter_chain.as_deref(), Some("virtualInbound-blackhole"));
}

#[test]
fn real_sidecar_dump_outbound() {
    let cfg = httpbin_dump();
    let o = simulate(
        &cfg,
        &req(json!({"address": "10.96.0.1", "port": 443, "protocol": "tcp", "tls": "tls"})),
    );
    assert_eq!(o.listener.as_deref(), Some("10.96.0.1_443"));
    assert_eq!(
        o.cluster.as_deref(),
        Some("outbound|443||kubernetes.default.svc.cluster.local")
    );
    let o = simulate(&cfg, &req(json!({"port": 9080, "host": "reviews"})));
    assert_eq!(o.listener.as_deref(), Some("0.0.0.0_9080"));
    assert_eq!(o.route_config.as_deref(), Some("9080"));
    assert_eq!(
        o.error,
        Some(SimError::NoVirtualHost),
        "the dump holds no RDS"
    );
}

#[test]
fn real_gateway_routes_dump() {
    let text = std::fs::read_to_string(format!(
        "{DUMPS}/bookinfo-ingressgateway-routes_http_config.json"
    ))
    .unwrap();
    let mut cfg = from_config_dump(&serde_json::from_str(&text).unwrap());
    assert!(cfg.routes.iter().any(|r| r["name"] == "http.8080"));
    cfg.listeners.push(json!({"name": "0.0.0.0_8080",
        "address": {"socket_address": {"address": "0.0.0.0", "port_value": 8080}},
        "filter_chains": [{"filters": [hcm_rds("http.8080")]}]}));
    let o = simulate(
        &cfg,
        &req(json!({"mode": "gateway", "port": 8080, "path": "/productpage"})),
    );
    assert_eq!(o.virtual_host.as_deref(), Some("*:80"));
    assert_eq!(
        o.cluster.as_deref(),
        Some("outbound|9080||productpage.default.svc.cluster.local")
    );
    let o = simulate(
        &cfg,
        &req(json!({"mode": "gateway", "port": 8080, "path": "/static/x.css"})),
    );
    assert_eq!(
        o.cluster.as_deref(),
        Some("outbound|9080||productpage.default.svc.cluster.local")
    );
    let o = simulate(
        &cfg,
        &req(json!({"mode": "gateway", "port": 8080, "path": "/nope"})),
    );
    assert_eq!(o.error, Some(SimError::NoRoute));
    assert_eq!(o.status, Some(404));
}

// ---- trace across proxies, on a hand-made Bookinfo-like world ----

use super::trace::{Call, Node, World};

/// virtualInbound with one HTTP chain per port (plaintext and mTLS) to an ORIGINAL_DST inbound
/// cluster, as istiod generates since 1.10.
fn inbound_listener(ports: &[u16]) -> Value {
    let mut chains = vec![];
    for p in ports {
        let rc = json!({"name": format!("inbound|{p}||"), "virtual_hosts": [{"name": format!("inbound|http|{p}"), "domains": ["*"],
            "routes": [{"name": "default", "match": {"prefix": "/"}, "route": {"cluster": format!("inbound|{p}||"), "timeout": "0s"}}]}]});
        let hcm = json!({"name": "envoy.filters.network.http_connection_manager", "typed_config": {"route_config": rc}});
        chains.push(json!({"name": format!("0.0.0.0_{p}"), "filter_chain_match": {"destination_port": p, "transport_protocol": "tls"},
            "transport_socket": {"name": "tls", "typed_config": {"common_tls_context": {"tls_certificate_sds_secret_configs": [{"name": "default"}]}, "require_client_certificate": true}},
            "filters": [hcm.clone()]}));
        chains.push(json!({"name": format!("0.0.0.0_{p}"), "filter_chain_match": {"destination_port": p, "transport_protocol": "raw_buffer"},
            "filters": [hcm]}));
    }
    json!({"name": "virtualInbound", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 15006}},
           "listener_filters": inspectors(), "filter_chains": chains})
}

/// A route configuration "9080" with one vhost per (short host, vip, routes).
fn outbound_routes(name: &str, vhosts: &[(&str, &str, Value)]) -> Value {
    let mut vs: Vec<Value> = vhosts
        .iter()
        .map(|(h, vip, routes)| {
            let fqdn = format!("{h}.default.svc.cluster.local");
            json!({"name": format!("{fqdn}:9080"), "domains": [fqdn, h, vip], "routes": routes})
        })
        .collect();
    vs.push(json!({"name": "allow_any", "domains": ["*"], "routes": [{"name": "allow_any", "match": {"prefix": "/"}, "route": {"cluster": "PassthroughCluster"}}]}));
    json!({"name": name, "ignore_port_in_host_matching": true, "virtual_hosts": vs})
}

fn to(cluster: &str) -> Value {
    json!([{"name": "default", "match": {"prefix": "/"}, "route": {"cluster": cluster}}])
}

fn world() -> World {
    let svc = |h: &str, s: &str| cn(s, &format!("{h}.default.svc.cluster.local"));
    let mut clusters = vec![json!({"name": "PassthroughCluster", "type": "ORIGINAL_DST"})];
    let mut endpoints = vec![];
    for (h, s, ip) in [
        ("productpage", "", "10.1.0.10"),
        ("details", "", "10.1.0.20"),
        ("reviews", "v1", "10.1.0.31"),
        ("reviews", "v2", "10.1.0.32"),
        ("ratings", "", "10.1.0.40"),
    ] {
        clusters.push(eds(&svc(h, s)));
        endpoints.push(cla(&svc(h, s), &[ip], 9080));
    }
    clusters.push(json!({"name": "inbound|9080||", "type": "ORIGINAL_DST"}));
    let reviews_routes = json!([
        {"name": "jason", "match": {"prefix": "/", "headers": [{"name": "end-user", "string_match": {"exact": "jason"}}]}, "route": {"cluster": svc("reviews", "v2")}},
        {"name": "rest", "match": {"prefix": "/"}, "route": {"cluster": svc("reviews", "v1")}}]);
    let ratings_routes = json!([{"name": "abort", "match": {"prefix": "/"}, "route": {"cluster": svc("ratings", "")},
        "typed_per_filter_config": {"envoy.filters.http.fault": {"abort": {"http_status": 503, "percentage": {"numerator": 100}}}}}]);
    let sidecar_cfg = ProxyConfig {
        listeners: vec![
            json!({"name": "0.0.0.0_9080", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 9080}},
                   "listener_filters": inspectors(),
                   "filter_chains": [{"filter_chain_match": {"transport_protocol": "raw_buffer", "application_protocols": ["http/1.1", "h2c"]},
                                      "filters": [hcm_rds("9080")]}]}),
            inbound_listener(&[9080]),
        ],
        routes: vec![outbound_routes(
            "9080",
            &[
                ("details", "10.0.0.20", to(&svc("details", ""))),
                ("productpage", "10.0.0.10", to(&svc("productpage", ""))),
                ("ratings", "10.0.0.40", ratings_routes),
                ("reviews", "10.0.0.30", reviews_routes),
            ],
        )],
        clusters: clusters.clone(),
        endpoints: endpoints.clone(),
    };
    let gateway_cfg = ProxyConfig {
        listeners: vec![
            json!({"name": "0.0.0.0_8080", "address": {"socket_address": {"address": "0.0.0.0", "port_value": 8080}},
            "filter_chains": [{"filters": [hcm_rds("http.8080")]}]}),
        ],
        routes: vec![
            json!({"name": "http.8080", "virtual_hosts": [{"name": "*:8080", "domains": ["*"], "routes": [
            {"name": "pp", "match": {"path": "/productpage"}, "route": {"cluster": svc("productpage", "")}}]}]}),
        ],
        clusters,
        endpoints,
    };
    let call = |h: &str, path: &str| Call {
        host: h.into(),
        port: 9080,
        path: path.into(),
    };
    let node = |w: &str, ip: &str, calls: Vec<Call>| Node {
        proxy: format!("{w}-abc"),
        workload: w.into(),
        namespace: "default".into(),
        is_gateway: false,
        ips: vec![ip.into()],
        config: sidecar_cfg.clone().into(),
        calls,
        forward_headers: vec!["end-user".into()],
        port_map: vec![],
        ..Node::default()
    };
    World {
        nodes: vec![
            Node {
                proxy: "istio-ingressgateway-abc".into(),
                workload: "istio-ingressgateway".into(),
                namespace: "istio-system".into(),
                is_gateway: true,
                ips: vec!["10.1.0.1".into()],
                config: gateway_cfg.into(),
                port_map: vec![(80, 8080), (443, 8443)],
                ..Node::default()
            },
            node(
                "productpage-v1",
                "10.1.0.10",
                vec![call("details", "/details/0"), call("reviews", "/reviews/0")],
            ),
            node("details-v1", "10.1.0.20", vec![]),
            node("reviews-v1", "10.1.0.31", vec![]),
            node(
                "reviews-v2",
                "10.1.0.32",
                vec![call("ratings", "/ratings/0")],
            ),
            node("ratings-v1", "10.1.0.40", vec![]),
        ],
        plain: vec![],
        ..World::default()
    }
}

#[test]
fn trace_walks_gateway_to_apps_and_their_calls() {
    let w = world();
    let h = trace(&w, None, &req(json!({"path": "/productpage"})), 1).unwrap();
    assert_eq!(h.workload, "istio-ingressgateway");
    assert_eq!(h.direction, Mode::Gateway);
    assert_eq!(
        h.request.port, 8080,
        "Service port 80 maps to the gateway's 8080"
    );
    assert_eq!(h.to_workload.as_deref(), Some("productpage-v1"));
    let pp = &h.children[0];
    assert_eq!(
        (pp.workload.as_str(), pp.direction),
        ("productpage-v1", Mode::Inbound)
    );
    assert_eq!(
        pp.request.tls,
        Tls::Mtls,
        "sidecar to sidecar is Istio mTLS"
    );
    assert_eq!(pp.outcome.cluster.as_deref(), Some("inbound|9080||"));
    let calls: Vec<_> = pp
        .children
        .iter()
        .map(|c| c.to_workload.clone().unwrap())
        .collect();
    assert_eq!(calls, ["details-v1", "reviews-v1"]);
    assert_eq!(
        pp.children[0].request.address, "10.0.0.20",
        "the app resolves the service VIP"
    );
    assert_eq!(
        h.workloads(),
        [
            "details-v1",
            "istio-ingressgateway",
            "productpage-v1",
            "reviews-v1"
        ]
    );
    assert!(h.short().contains("reviews-v1"));
    let json = serde_json::to_value(&h).unwrap();
    for k in [
        "workload",
        "to_workload",
        "listener",
        "route",
        "cluster",
        "endpoint",
        "children",
    ] {
        assert!(json.get(k).is_some(), "hop JSON has {k}");
    }
}

#[test]
fn trace_forwards_end_user_and_stops_at_a_fault() {
    let w = world();
    let h = trace(
        &w,
        None,
        &req(json!({"path": "/productpage", "headers": {"end-user": "jason"}})),
        1,
    )
    .unwrap();
    assert!(h.workloads().contains(&"reviews-v2".to_string()));
    let reviews_in = &h.children[0].children[1].children[0];
    assert_eq!(reviews_in.workload, "reviews-v2");
    let ratings_out = &reviews_in.children[0];
    assert_eq!(ratings_out.request.header("end-user"), Some("jason"));
    assert_eq!(
        ratings_out.outcome.status,
        Some(503),
        "the abort happens in reviews-v2's sidecar"
    );
    assert!(ratings_out.children.is_empty());
    assert_eq!(ratings_out.to_workload, None);
}

#[test]
fn trace_stops_at_gateway_for_unrouted_path() {
    let h = trace(&world(), None, &req(json!({"path": "/nope"})), 1).unwrap();
    assert_eq!(h.outcome.error, Some(SimError::NoRoute));
    assert_eq!(
        (h.outcome.status, h.outcome.response_flag.as_deref()),
        (Some(404), Some("NR"))
    );
    assert!(h.children.is_empty());
    let s = sample(&world(), None, &req(json!({"path": "/nope"})), 0, 10).unwrap();
    assert_eq!(s.local_responses.get(&404), Some(&10));
}

#[test]
fn trace_from_a_named_workload() {
    let h = trace(
        &world(),
        Some("reviews-v2"),
        &req(json!({"port": 9080, "host": "ratings"})),
        0,
    )
    .unwrap();
    assert_eq!(h.direction, Mode::Outbound);
    assert_eq!(h.outcome.status, Some(503));
    assert!(trace(&world(), Some("nope"), &Request::default(), 0).is_err());
}

#[test]
fn trace_follows_mirrored_copies() {
    let mut w = world();
    let mirror_to = cn("v2", "reviews.default.svc.cluster.local");
    for n in w.nodes.iter_mut().filter(|n| !n.is_gateway) {
        for vh in n.config.get_mut().unwrap().routes[0]["virtual_hosts"]
            .as_array_mut()
            .unwrap()
        {
            if vh["name"] == "details.default.svc.cluster.local:9080" {
                vh["routes"][0]["route"]["request_mirror_policies"] = json!([{"cluster": mirror_to, "runtime_fraction": {"default_value": {"numerator": 100}}}]);
            }
        }
    }
    let h = trace(&w, None, &req(json!({"path": "/productpage"})), 3).unwrap();
    let details_call = &h.children[0].children[0];
    assert_eq!(details_call.to_workload.as_deref(), Some("details-v1"));
    let shadow: Vec<&Hop> = details_call.children.iter().filter(|c| c.mirror).collect();
    assert_eq!(shadow.len(), 1, "{}", h.short());
    assert_eq!(shadow[0].workload, "reviews-v2");
    assert_eq!(shadow[0].request.host, "details-shadow:9080");
    assert!(details_call.outcome.properties.mirrors[0].mirrored);
}
