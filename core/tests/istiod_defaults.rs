//! The defaults istiod (1.31) puts in every proxy's config, which users see in a real
//! `istioctl proxy-config ... -o json` and compare ours with: the tracing block, Istio's own
//! filters, the metadata-exchange cluster filter, proxy headers, passthrough options, ALPN, the
//! endpoint metadata, and what Envoy's admin adds or omits when it prints the dump.

use pilotlight_core::envoy::config_dump;
use pilotlight_core::translate::proxy_config;
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{load, SourceFile};
use serde_json::{json, Value};

struct Out {
    listeners: Vec<Value>,
    routes: Vec<Value>,
    clusters: Vec<Value>,
    endpoints: Vec<Value>,
    dump: Value,
}

fn translate(extra: &str, proxy: &str) -> Out {
    let loaded = load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("extra.yaml", extra),
    ]);
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == pilotlight_core::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let p = loaded.mesh.find_proxy(proxy).expect("proxy");
    let c = proxy_config(&loaded.mesh, p);
    let js = |v: &[pilotlight_core::envoy::Value]| -> Vec<Value> {
        v.iter().map(|r| serde_json::to_value(r).unwrap()).collect()
    };
    Out {
        listeners: js(&c.listeners),
        routes: js(&c.routes),
        clusters: js(&c.clusters),
        endpoints: js(&c.endpoints),
        dump: serde_json::to_value(config_dump(&c)).unwrap(),
    }
}

fn mesh_config(mesh: &str) -> String {
    let indented: String = mesh.lines().map(|l| format!("    {l}\n")).collect();
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n{indented}"
    )
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|r| r["name"] == name || r["cluster_name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn chains(l: &Value) -> Vec<&Value> {
    let mut out: Vec<&Value> = l["filter_chains"].as_array().unwrap().iter().collect();
    if l.get("default_filter_chain").is_some() {
        out.push(&l["default_filter_chain"]);
    }
    out
}

fn chain<'a>(l: &'a Value, name: &str) -> &'a Value {
    chains(l)
        .into_iter()
        .find(|c| c["name"] == name && c.get("transport_socket").is_none())
        .unwrap_or_else(|| panic!("no chain {name} in {}", l["name"]))
}

fn filter_names(c: &Value) -> Vec<&str> {
    c["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect()
}

fn hcm(c: &Value) -> &Value {
    let f = c["filters"].as_array().unwrap().last().unwrap();
    assert_eq!(f["name"], "envoy.filters.network.http_connection_manager");
    &f["typed_config"]
}

fn http_filter_names(h: &Value) -> Vec<&str> {
    h["http_filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect()
}

fn tag_names(t: &Value) -> Vec<&str> {
    t["custom_tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect()
}

fn tag<'a>(t: &'a Value, name: &str) -> &'a Value {
    t["custom_tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["tag"] == name)
        .unwrap_or_else(|| panic!("no tag {name}"))
}

// 1. The tracing block.

#[test]
fn every_hcm_traces_with_meshconfig_defaults_and_istiods_tags() {
    let out = translate("", "reviews-v3");
    let outbound = hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0]).clone();
    let inbound = hcm(chain(
        named(&out.listeners, "virtualInbound"),
        "0.0.0.0_9080",
    ))
    .clone();
    for h in [&outbound, &inbound] {
        let t = &h["tracing"];
        assert_eq!(t["client_sampling"], json!({"value": 100}));
        assert_eq!(
            t["random_sampling"],
            json!({"value": 1}),
            "PILOT_TRACE_SAMPLING 1%"
        );
        assert_eq!(t["overall_sampling"], json!({"value": 100}));
        assert_eq!(
            tag_names(t),
            [
                "istio.authorization.dry_run.allow_policy.name",
                "istio.authorization.dry_run.allow_policy.result",
                "istio.authorization.dry_run.deny_policy.name",
                "istio.authorization.dry_run.deny_policy.result",
                "istio.canonical_revision",
                "istio.canonical_service",
                "istio.cluster_id",
                "istio.mesh_id",
                "istio.namespace",
            ]
        );
        assert_eq!(
            tag(t, "istio.canonical_service")["literal"]["value"],
            "reviews"
        );
        assert_eq!(tag(t, "istio.canonical_revision")["literal"]["value"], "v3");
        assert_eq!(tag(t, "istio.mesh_id")["literal"]["value"], "cluster.local");
        assert_eq!(tag(t, "istio.cluster_id")["literal"]["value"], "Kubernetes");
        assert_eq!(tag(t, "istio.namespace")["literal"]["value"], "default");
        assert_eq!(
            tag(t, "istio.authorization.dry_run.deny_policy.result")["metadata"],
            json!({"kind": {"request": {}}, "metadata_key": {"key": "envoy.filters.http.rbac",
                   "path": [{"key": "istio_dry_run_deny_shadow_engine_result"}]}})
        );
    }
}

#[test]
fn enable_tracing_false_removes_the_block() {
    let out = translate(&mesh_config("enableTracing: false"), "productpage-v1");
    for l in &out.listeners {
        for c in chains(l) {
            if let Some(f) = c["filters"].as_array().unwrap().last() {
                assert!(f["typed_config"].get("tracing").is_none(), "{}", l["name"]);
            }
        }
    }
}

#[test]
fn default_config_tracing_sets_sampling_custom_tags_and_istio_tags() {
    let cfg = mesh_config(
        "defaultConfig:\n  meshId: mesh1\n  tracing:\n    sampling: 25.5\n    maxPathTagLength: 99\n    customTags:\n      team:\n        literal:\n          value: books\n      user:\n        header:\n          name: end-user\n          defaultValue: nobody\n      zone:\n        environment:\n          name: ZONE\n",
    );
    let out = translate(&cfg, "productpage-v1");
    let t = &hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0])["tracing"];
    assert_eq!(t["random_sampling"], json!({"value": 25.5}));
    assert_eq!(
        t["max_path_tag_length"], 99,
        "a UInt32Value prints as a number"
    );
    assert_eq!(tag(t, "istio.mesh_id")["literal"]["value"], "mesh1");
    assert_eq!(
        tag(t, "team"),
        &json!({"tag": "team", "literal": {"value": "books"}})
    );
    assert_eq!(
        tag(t, "user"),
        &json!({"tag": "user", "request_header": {"name": "end-user", "default_value": "nobody"}})
    );
    assert_eq!(
        tag(t, "zone"),
        &json!({"tag": "zone", "environment": {"name": "ZONE"}})
    );
    // Sorted by tag name, istiod's and the mesh's together.
    let names = tag_names(t);
    let mut sorted = names.clone();
    pilotlight_core::order::sort(&mut sorted);
    assert_eq!(names, sorted);

    let out = translate(
        &mesh_config("defaultConfig:\n  tracing:\n    enableIstioTags: false\n    sampling: 150\n"),
        "productpage-v1",
    );
    let t = &hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0])["tracing"];
    assert!(tag_names(t).is_empty());
    assert_eq!(
        t["random_sampling"],
        json!({"value": 1}),
        "over 100% falls back to 1%"
    );
}

const ZIPKIN: &str = "---
apiVersion: v1
kind: Service
metadata:
  name: zipkin
  namespace: istio-system
spec:
  selector: {app: zipkin}
  ports:
  - name: http-query
    port: 9411
";

#[test]
fn a_default_tracing_provider_configures_its_tracer() {
    let cfg = mesh_config(
        "defaultProviders:\n  tracing: [zipkin]\nextensionProviders:\n- name: zipkin\n  zipkin:\n    service: zipkin.istio-system.svc.cluster.local\n    port: 9411\n",
    ) + ZIPKIN;
    let out = translate(&cfg, "productpage-v1");
    let h = hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0]);
    let t = &h["tracing"];
    assert_eq!(t["provider"]["name"], "envoy.tracers.zipkin");
    let z = &t["provider"]["typed_config"];
    assert_eq!(
        z["@type"],
        "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig"
    );
    assert_eq!(
        z["collector_service"]["http_uri"]["uri"],
        "http://zipkin.istio-system.svc.cluster.local/api/v2/spans"
    );
    assert_eq!(
        z["collector_service"]["http_uri"]["cluster"],
        "outbound|9411||zipkin.istio-system.svc.cluster.local"
    );
    assert_eq!(z["trace_id_128bit"], true);
    assert!(
        t.get("spawn_upstream_span").is_none(),
        "sidecars spawn no upstream span"
    );
    // Naming a provider replaces the default metrics providers only if defaultProviders says so:
    // here it names tracing alone, so the Prometheus stats filter goes away with the default.
    assert!(!http_filter_names(h).contains(&"istio.stats"));

    // Gateways start a child span; an unknown collector turns tracing off.
    let out = translate(&cfg, "istio-ingressgateway");
    for l in &out.listeners {
        for c in chains(l) {
            let f = c["filters"].as_array().unwrap().last().unwrap();
            if f["name"] == "envoy.filters.network.http_connection_manager" {
                assert_eq!(f["typed_config"]["tracing"]["spawn_upstream_span"], true);
            }
        }
    }
    let missing = mesh_config(
        "defaultProviders:\n  tracing: [zipkin]\nextensionProviders:\n- name: zipkin\n  zipkin:\n    service: nowhere.example\n    port: 9411\n",
    );
    let out = translate(&missing, "productpage-v1");
    let h = hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0]);
    assert!(h.get("tracing").is_none());
}

// 2. Istio's filters, in istiod's order.

#[test]
fn istio_filters_sit_where_istiod_puts_them() {
    let out = translate("", "productpage-v1");
    let outbound = hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0]);
    assert_eq!(
        http_filter_names(outbound),
        [
            "istio.metadata_exchange",
            "envoy.filters.http.grpc_stats",
            "istio.alpn",
            "envoy.filters.http.fault",
            "envoy.filters.http.cors",
            "istio.stats",
            "envoy.filters.http.router",
        ]
    );
    let f = &outbound["http_filters"];
    assert_eq!(
        f[0]["typed_config"]["@type"],
        "type.googleapis.com/udpa.type.v1.TypedStruct"
    );
    assert_eq!(
        f[0]["typed_config"]["type_url"],
        "type.googleapis.com/io.istio.http.peer_metadata.Config"
    );
    assert_eq!(
        f[0]["typed_config"]["value"]["upstream_discovery"],
        json!([{"istio_headers": {}}, {"workload_discovery": {}}])
    );
    // HTTP10 is the zero value: its entry has no upstream_protocol.
    assert_eq!(
        f[2]["typed_config"]["alpn_override"][0],
        json!({"alpn_override": ["istio-http/1.0", "istio", "http/1.0"]})
    );
    assert_eq!(
        f[2]["typed_config"]["alpn_override"][2]["upstream_protocol"],
        "HTTP2"
    );
    assert_eq!(
        f[5]["typed_config"],
        json!({"@type": "type.googleapis.com/stats.PluginConfig"})
    );

    let vi = named(&out.listeners, "virtualInbound");
    let http = chain(vi, "0.0.0.0_9080");
    assert_eq!(
        filter_names(http),
        [
            "istio.metadata_exchange",
            "envoy.filters.network.http_connection_manager"
        ]
    );
    let inbound = hcm(http);
    assert_eq!(
        http_filter_names(inbound),
        [
            "istio.metadata_exchange",
            "envoy.filters.http.grpc_stats",
            "envoy.filters.http.fault",
            "envoy.filters.http.cors",
            "istio.stats",
            "envoy.filters.http.router",
        ]
    );
    assert!(inbound["http_filters"][0]["typed_config"]["value"]["downstream_discovery"].is_array());
    assert_eq!(
        inbound["http_filters"][4]["typed_config"]["disable_host_header_fallback"],
        true
    );
    // TCP chains: metadata exchange on inbound only, then stats, then tcp_proxy.
    let tcp = chain(vi, "virtualInbound");
    assert_eq!(
        filter_names(tcp),
        [
            "istio.metadata_exchange",
            "istio.stats",
            "envoy.filters.network.tcp_proxy"
        ]
    );
    assert_eq!(
        tcp["filters"][0]["typed_config"],
        json!({"@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
               "type_url": "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange",
               "value": {"protocol": "istio-peer-exchange", "enable_discovery": true}})
    );
    let vo = named(&out.listeners, "virtualOutbound");
    for c in chains(vo) {
        assert_eq!(
            filter_names(c),
            ["istio.stats", "envoy.filters.network.tcp_proxy"]
        );
    }
    assert_eq!(
        filter_names(&named(&out.listeners, "0.0.0.0_9080")["default_filter_chain"]),
        ["istio.stats", "envoy.filters.network.tcp_proxy"]
    );
}

#[test]
fn default_providers_decide_the_stats_filters() {
    let out = translate(
        &mesh_config("defaultProviders:\n  metrics: []\n"),
        "productpage-v1",
    );
    let h = hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0]);
    assert!(!http_filter_names(h).contains(&"istio.stats"));
    let tcp = chain(named(&out.listeners, "virtualInbound"), "virtualInbound");
    assert_eq!(
        filter_names(tcp),
        ["istio.metadata_exchange", "envoy.filters.network.tcp_proxy"]
    );
    // A second Prometheus provider adds a second stats filter; a provider of another kind none.
    let cfg = mesh_config(
        "defaultProviders:\n  metrics: [prometheus, prom2, stackdriver]\nextensionProviders:\n- name: prom2\n  prometheus: {}\n",
    );
    let out = translate(&cfg, "productpage-v1");
    let h = hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0]);
    let n = http_filter_names(h)
        .iter()
        .filter(|n| **n == "istio.stats")
        .count();
    assert_eq!(n, 2);
}

// 3, 6, 7, 8, 12: clusters.

#[test]
fn clusters_carry_istiods_metadata_exchange_options_and_alpn() {
    let out = translate("", "productpage-v1");
    let reviews = named(
        &out.clusters,
        "outbound|9080||reviews.default.svc.cluster.local",
    );
    assert_eq!(
        reviews["filters"],
        json!([{"name": "istio.metadata_exchange", "typed_config": {
            "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
            "type_url": "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange",
            "value": {"protocol": "istio-peer-exchange", "enable_discovery": true}}}])
    );
    for c in &out.clusters {
        assert!(
            c.pointer("/metadata/filter_metadata/istio/default_original_port")
                .is_none(),
            "{}",
            c["name"]
        );
    }
    let alpn = |c: &Value| {
        c["transport_socket_matches"][0]["transport_socket"]["typed_config"]["common_tls_context"]
            ["alpn_protocols"]
            .clone()
    };
    assert_eq!(alpn(reviews), json!(["istio-peer-exchange", "istio"]));
    // The gateway's port 80 is named http2: in-mesh HTTP/2 also advertises h2.
    let gw = named(
        &out.clusters,
        "outbound|80||istio-ingressgateway.istio-system.svc.cluster.local",
    );
    assert_eq!(alpn(gw), json!(["istio-peer-exchange", "istio", "h2"]));

    for name in ["PassthroughCluster", "InboundPassthroughCluster"] {
        let o = &named(&out.clusters, name)["typed_extension_protocol_options"]
            ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"];
        assert_eq!(
            o["common_http_protocol_options"],
            json!({"idle_timeout": "300s"})
        );
    }
    assert!(named(&out.clusters, "PassthroughCluster")["filters"].is_array());
    assert!(named(&out.clusters, "InboundPassthroughCluster")
        .get("filters")
        .is_none());
    assert!(named(&out.clusters, "BlackHoleCluster")
        .get("lb_policy")
        .is_none());

    let dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: reviews\n  namespace: default\nspec:\n  host: reviews\n  trafficPolicy:\n    loadBalancer:\n      simple: ROUND_ROBIN\n";
    let out = translate(dr, "productpage-v1");
    let reviews = named(
        &out.clusters,
        "outbound|9080||reviews.default.svc.cluster.local",
    );
    assert!(
        reviews.get("lb_policy").is_none(),
        "ROUND_ROBIN is the zero value"
    );
}

// 4, 5: proxy headers.

#[test]
fn proxy_headers_defaults() {
    let out = translate("", "productpage-v1");
    let rc = named(&out.routes, "9080");
    for vh in rc["virtual_hosts"].as_array().unwrap() {
        assert_eq!(vh["include_request_attempt_count"], true, "{}", vh["name"]);
    }
    let outbound = hcm(&named(&out.listeners, "0.0.0.0_9080")["filter_chains"][0]);
    assert!(
        outbound.get("server_name").is_none(),
        "outbound keeps Envoy's own name"
    );
    let inbound = hcm(chain(
        named(&out.listeners, "virtualInbound"),
        "0.0.0.0_9080",
    ));
    assert_eq!(inbound["server_name"], "istio-envoy");

    let gw_vs = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n  namespace: default\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: pp\n  namespace: default\nspec:\n  hosts: ['*']\n  gateways: [gw]\n  http:\n  - route:\n    - destination: {host: productpage}\n";
    let out = translate(gw_vs, "istio-ingressgateway");
    let h = hcm(&named(&out.listeners, "0.0.0.0_8080")["filter_chains"][0]);
    assert_eq!(h["server_name"], "istio-envoy");
    assert_eq!(
        http_filter_names(h),
        [
            "istio.metadata_exchange",
            "envoy.filters.http.grpc_stats",
            "istio.alpn",
            "envoy.filters.http.fault",
            "envoy.filters.http.cors",
            "istio.stats",
            "envoy.filters.http.router",
        ]
    );
    assert_eq!(
        h["http_filters"][5]["typed_config"]["disable_host_header_fallback"],
        true
    );
    let t = &h["tracing"];
    assert_eq!(
        tag(t, "istio.canonical_service")["literal"]["value"],
        "istio-ingressgateway"
    );
    assert_eq!(
        tag(t, "istio.namespace")["literal"]["value"],
        "istio-system"
    );
    let vh = &named(&out.routes, "http.8080")["virtual_hosts"][0];
    assert_eq!(vh["include_request_attempt_count"], true);
}

// 9, 10, 11: endpoints and the admin's printing.

#[test]
fn endpoint_metadata_as_istiod_writes_it() {
    let out = translate("", "productpage-v1");
    let reviews = named(
        &out.endpoints,
        "outbound|9080||reviews.default.svc.cluster.local",
    );
    let lbs: Vec<&Value> = reviews["endpoints"][0]["lb_endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let workloads: Vec<&str> = lbs
        .iter()
        .map(|l| {
            l["metadata"]["filter_metadata"]["istio"]["workload"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        workloads.contains(&"reviews-v3;default;reviews;v3;Kubernetes"),
        "{workloads:?}"
    );
    for l in &lbs {
        assert_eq!(
            l["metadata"]["filter_metadata"]["envoy.transport_socket_match"],
            json!({"tlsMode": "istio"})
        );
    }
    // The gateway runs no sidecar: no tlsMode key, and its revision is the default `latest`,
    // which istiod leaves out.
    let gw = named(
        &out.endpoints,
        "outbound|80||istio-ingressgateway.istio-system.svc.cluster.local",
    );
    let md = &gw["endpoints"][0]["lb_endpoints"][0]["metadata"]["filter_metadata"];
    assert!(md.get("envoy.transport_socket_match").is_none());
    assert_eq!(
        md["istio"]["workload"],
        "istio-ingressgateway;istio-system;istio-ingressgateway;;Kubernetes"
    );
}

#[test]
fn the_dump_prints_endpoints_as_envoys_admin_does() {
    let out = translate("", "productpage-v1");
    let eds = out.dump["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["@type"] == "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump")
        .unwrap();
    let entries: Vec<&Value> = eds["dynamic_endpoint_configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["endpoint_config"])
        .collect();
    for e in &entries {
        assert_eq!(
            e["policy"],
            json!({"overprovisioning_factor": 140}),
            "{}",
            e["cluster_name"]
        );
        for g in e["endpoints"].as_array().into_iter().flatten() {
            for lb in g["lb_endpoints"].as_array().unwrap() {
                assert_eq!(lb["endpoint"]["health_check_config"], json!({}));
            }
        }
    }
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e["cluster_name"].as_str().unwrap())
        .collect();
    for n in [
        "BlackHoleCluster",
        "PassthroughCluster",
        "InboundPassthroughCluster",
        "inbound|9080||",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    let bh = entries
        .iter()
        .find(|e| e["cluster_name"] == "BlackHoleCluster")
        .unwrap();
    assert!(bh.get("endpoints").is_none());
    // EDS as pushed (proxy-config endpoints' source) is unchanged: no admin defaults there.
    assert!(out.endpoints.iter().all(|e| e.get("policy").is_none()));
}

#[test]
fn the_dynamic_dns_cluster_shares_the_filters_dns_cache_and_has_passthrough_defaults() {
    let out = translate(
        &mesh_config("outboundTrafficPolicy:\n  mode: ALLOW_ANY_DYNAMIC_DNS\n"),
        "productpage-v1",
    );
    let c = named(&out.clusters, "AllowAnyDynamicDNSCluster");
    let cfg = &c["cluster_type"]["typed_config"];
    assert_eq!(cfg["allow_insecure_cluster_options"], true);
    assert_eq!(
        c["typed_extension_protocol_options"]
            ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
            ["common_http_protocol_options"]["idle_timeout"],
        "300s"
    );
    assert_eq!(c["filters"][0]["name"], "istio.metadata_exchange");
    let vo = named(&out.listeners, "virtualOutbound");
    let h = hcm(chain(vo, "virtualOutbound-catchall-tcp-http"));
    let dfp = h["http_filters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "envoy.filters.http.dynamic_forward_proxy")
        .unwrap();
    assert_eq!(
        dfp["typed_config"]["dns_cache_config"],
        cfg["dns_cache_config"]
    );
}
