//! Generated RBAC, ext_authz and jwt_authn filters compared with what istiod emits for the same
//! policies (expectations read from istiod's builder and its testdata, fixtures our own).

use crate::envoy::Value;
use crate::mesh::Mesh;
use crate::parse::SourceFile;
use serde_json::json;

fn bookinfo(extra: &str) -> Mesh {
    crate::load(&[
        SourceFile::new(crate::world::BOOKINFO_FILE, crate::world::BOOKINFO),
        SourceFile::new("extra.yaml", extra),
    ])
    .mesh
}

/// Bookinfo's ingress Gateway and VirtualService (samples/bookinfo/networking/bookinfo-gateway.yaml).
const GATEWAY: &str = "apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: bookinfo-gateway
  namespace: default
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: [\"*\"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bookinfo
  namespace: default
spec:
  hosts: [\"*\"]
  gateways: [bookinfo-gateway]
  http:
  - route:
    - destination: {host: productpage, port: {number: 9080}}
---
";

fn listeners(mesh: &Mesh, proxy: &str) -> Vec<Value> {
    let p = mesh.find_proxy(proxy).expect("proxy");
    crate::translate::proxy_config(mesh, p).listeners
}

fn virtual_inbound(ls: &[Value]) -> &Value {
    ls.iter().find(|l| l["name"] == "virtualInbound").unwrap()
}

fn chain<'a>(l: &'a Value, name: &str, transport: &str) -> &'a Value {
    l["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name && c["filter_chain_match"]["transport_protocol"] == transport)
        .unwrap_or_else(|| panic!("no chain {name} {transport}"))
}

/// The HTTP filters of a chain's connection manager.
fn hcm_http_filters(c: &Value) -> &[Value] {
    let hcm = c["filters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "envoy.filters.network.http_connection_manager")
        .unwrap();
    hcm["typed_config"]["http_filters"].as_array().unwrap()
}

fn http_filter_names(c: &Value) -> Vec<String> {
    hcm_http_filters(c)
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

fn http_filters<'a>(c: &'a Value, name: &str) -> Vec<&'a Value> {
    hcm_http_filters(c)
        .iter()
        .filter(|f| f["name"] == name)
        .collect()
}

fn network_filter_names(c: &Value) -> Vec<String> {
    c["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

/// The inbound HTTP chain of productpage's port 9080 (plaintext variant).
fn pp_http(mesh: &Mesh) -> Value {
    let ls = listeners(mesh, "productpage-v1");
    chain(virtual_inbound(&ls), "0.0.0.0_9080", "raw_buffer").clone()
}

fn policy(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}\n---\n"
    )
}

#[test]
fn allow_nothing_denies_every_request_on_http_and_tcp_chains() {
    let mesh = bookinfo(&policy("default", "allow-nothing", "  {}"));
    let ls = listeners(&mesh, "productpage-v1");
    let vi = virtual_inbound(&ls);
    let http = chain(vi, "0.0.0.0_9080", "raw_buffer");
    let rbac = http_filters(http, "envoy.filters.http.rbac");
    assert_eq!(rbac.len(), 1);
    assert_eq!(
        rbac[0]["typed_config"],
        json!({
            "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
            "rules": {"policies": {"ns[default]-policy[allow-nothing]-rule[0]": {
                "permissions": [{"not_rule": {"any": true}}],
                "principals": [{"not_id": {"any": true}}],
            }}},
        })
    );
    // Passthrough TCP chain: a network RBAC filter after metadata exchange, before the stats
    // filter and tcp_proxy (istiod's buildCompleteNetworkFilters).
    let tcp = chain(vi, "virtualInbound", "raw_buffer");
    let names = network_filter_names(tcp);
    assert_eq!(
        names,
        [
            "istio.metadata_exchange",
            "envoy.filters.network.rbac",
            "istio.stats",
            "envoy.filters.network.tcp_proxy"
        ]
    );
    assert_eq!(tcp["filters"][1]["typed_config"]["stat_prefix"], "tcp.");
    // The blackhole chain and outbound HTTP keep none; the gateway (istio-system) is untouched.
    let bh = vi["filter_chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "virtualInbound-blackhole")
        .unwrap();
    assert_eq!(
        network_filter_names(bh),
        [
            "istio.metadata_exchange",
            "istio.stats",
            "envoy.filters.network.tcp_proxy"
        ]
    );
    let out = ls.iter().find(|l| l["name"] == "0.0.0.0_9080").unwrap();
    assert!(!http_filter_names(&out["filter_chains"][0])
        .contains(&"envoy.filters.http.rbac".to_string()));
    // (The tracing block's custom tags name the RBAC filters' metadata on every listener, so
    // look for the filters themselves.)
    let has_rbac = |text: &str| {
        text.contains(r#""name":"envoy.filters.http.rbac""#)
            || text.contains(r#""name":"envoy.filters.network.rbac""#)
    };
    let gw = listeners(&mesh, "istio-ingressgateway");
    assert!(!has_rbac(&serde_json::to_string(&gw).unwrap()));
    // istiod builds sidecar outbound chains (HTTP and TCP) without authorization.
    for l in ls.iter().filter(|l| l["traffic_direction"] != "INBOUND") {
        assert!(
            !has_rbac(&serde_json::to_string(l).unwrap()),
            "{}",
            l["name"]
        );
    }
    assert!(has_rbac(&serde_json::to_string(vi).unwrap()));
}

#[test]
fn gateway_tcp_chains_get_network_rbac() {
    let extra = format!(
        "{}{}",
        include_str!("../../../../static/presets/tcp-traffic-shifting.yaml"),
        "\n---\n".to_string()
            + &policy("istio-system", "gw-deny", "  selector:\n    matchLabels:\n      istio: ingressgateway\n  action: DENY\n  rules:\n  - to:\n    - operation:\n        ports: [\"31400\"]")
    );
    let mesh = bookinfo(&extra);
    let ls = listeners(&mesh, "istio-ingressgateway");
    let l = ls.iter().find(|l| l["name"] == "0.0.0.0_31400").unwrap();
    let names = network_filter_names(&l["filter_chains"][0]);
    assert_eq!(
        names,
        [
            "envoy.filters.network.rbac",
            "istio.stats",
            "envoy.filters.network.tcp_proxy"
        ]
    );
}

#[test]
fn scoping_root_namespace_namespace_selector_and_target_ref() {
    let mesh = bookinfo(&format!(
        "{GATEWAY}{}{}{}",
        policy("istio-system", "mesh-wide", "  action: DENY\n  rules:\n  - to:\n    - operation:\n        paths: [\"/admin\"]"),
        policy("default", "only-ratings", "  selector:\n    matchLabels:\n      app: ratings\n  rules:\n  - {}"),
        policy("default", "by-ref", "  targetRefs:\n  - kind: Gateway\n    group: gateway.networking.k8s.io\n    name: bookinfo-gateway\n  rules:\n  - {}"),
    ));
    let names = |proxy: &str| -> String {
        let ls = listeners(&mesh, proxy);
        serde_json::to_string(&ls).unwrap()
    };
    let pp = names("productpage-v1");
    assert!(pp.contains("ns[istio-system]-policy[mesh-wide]-rule[0]"));
    assert!(!pp.contains("only-ratings"));
    assert!(
        !pp.contains("by-ref"),
        "targetRef policies never attach to sidecars"
    );
    let ratings = names("ratings-v1");
    assert!(ratings.contains("ns[default]-policy[only-ratings]-rule[0]"));
    let gw = names("istio-ingressgateway");
    assert!(gw.contains("ns[istio-system]-policy[mesh-wide]-rule[0]"));
}

#[test]
fn target_ref_attaches_to_its_gateway_api_gateway_only() {
    let gw = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: web\n  namespace: default\nspec:\n  gatewayClassName: istio\n  listeners:\n  - name: http\n    port: 80\n    protocol: HTTP\n---\n";
    let mesh = bookinfo(&format!(
        "{gw}{}{}",
        policy("default", "gw-only", "  targetRef:\n    kind: Gateway\n    group: gateway.networking.k8s.io\n    name: web\n  action: DENY\n  rules:\n  - {}"),
        policy("default", "other-gw", "  targetRef:\n    kind: Gateway\n    group: gateway.networking.k8s.io\n    name: not-web\n  rules:\n  - {}"),
    ));
    let p = mesh
        .proxies()
        .iter()
        .find(|p| {
            p.labels
                .get(crate::gatewayapi::GATEWAY_NAME_LABEL)
                .map(String::as_str)
                == Some("web")
        })
        .expect("automated gateway proxy");
    let ls = crate::translate::proxy_config(&mesh, p).listeners;
    let text = serde_json::to_string(&ls).unwrap();
    assert!(text.contains("ns[default]-policy[gw-only]-rule[0]"));
    assert!(!text.contains("other-gw"));
    let pp = serde_json::to_string(&listeners(&mesh, "productpage-v1")).unwrap();
    assert!(!pp.contains("gw-only"));
}

#[test]
fn filters_follow_istiods_order_custom_jwt_audit_deny_allow() {
    let mut extra = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    extensionProviders:\n    - name: ext\n      envoyExtAuthzGrpc:\n        service: ratings.default.svc.cluster.local\n        port: 9080\n---\n",
    );
    extra += &policy("default", "c", "  action: CUSTOM\n  provider:\n    name: ext\n  rules:\n  - to:\n    - operation:\n        paths: [\"/x\"]");
    extra += &policy("default", "a", "  rules:\n  - {}");
    extra += &policy("default", "d", "  action: DENY\n  rules:\n  - {}");
    extra += &policy("default", "l", "  action: AUDIT\n  rules:\n  - {}");
    extra += "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata:\n  name: jwt\n  namespace: default\nspec:\n  jwtRules:\n  - issuer: testing@secure.istio.io\n---\n";
    let mesh = bookinfo(&extra);
    let c = pp_http(&mesh);
    let names = http_filter_names(&c);
    let at = |n: &str| names.iter().position(|x| x == n).unwrap();
    let rbacs: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| *n == "envoy.filters.http.rbac")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(rbacs.len(), 4, "{names:?}");
    assert_eq!(rbacs[0] + 1, at("envoy.filters.http.ext_authz"));
    assert!(at("envoy.filters.http.ext_authz") < at("envoy.filters.http.jwt_authn"));
    assert!(at("envoy.filters.http.jwt_authn") < rbacs[1]);
    let rbac = http_filters(&c, "envoy.filters.http.rbac");
    assert_eq!(rbac[1]["typed_config"]["rules"]["action"], "LOG");
    assert_eq!(rbac[2]["typed_config"]["rules"]["action"], "DENY");
    assert!(
        rbac[3]["typed_config"]["rules"].get("action").is_none(),
        "ALLOW is the default"
    );
    // CUSTOM: enforced policies are shadow rules tagging the request for the provider.
    assert_eq!(
        rbac[0]["typed_config"],
        json!({
            "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
            "shadow_rules": {"action": "DENY", "policies": {
                "istio-ext-authz-ext-ns[default]-policy[c]-rule[0]": {
                    "permissions": [{"and_rules": {"rules": [{"or_rules": {"rules": [
                        {"url_path": {"path": {"exact": "/x"}}}
                    ]}}]}}],
                    "principals": [{"and_ids": {"ids": [{"any": true}]}}],
                }
            }},
            "shadow_rules_stat_prefix": "istio_ext_authz_",
        })
    );
    let ext = http_filters(&c, "envoy.filters.http.ext_authz");
    assert_eq!(
        ext[0]["typed_config"],
        json!({
            "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
            "grpc_service": {
                "envoy_grpc": {"cluster_name": "outbound|9080||ratings.default.svc.cluster.local",
                               "authority": "ratings.default.svc.cluster.local"},
                "timeout": "600s",
            },
            "transport_api_version": "V3",
            "filter_enabled_metadata": {
                "filter": "envoy.filters.http.rbac",
                "path": [{"key": "istio_ext_authz_shadow_effective_policy_id"}],
                "value": {"string_match": {"prefix": "istio-ext-authz-ext"}},
            },
        })
    );
    // TCP: the gRPC provider also has a network ext_authz, before the local RBAC filters.
    let ls = listeners(&mesh, "productpage-v1");
    let tcp = chain(virtual_inbound(&ls), "virtualInbound", "raw_buffer");
    assert_eq!(
        network_filter_names(tcp),
        [
            "istio.metadata_exchange",
            "envoy.filters.network.rbac",
            "envoy.filters.network.ext_authz",
            "envoy.filters.network.rbac",
            "envoy.filters.network.rbac",
            "envoy.filters.network.rbac",
            "istio.stats",
            "envoy.filters.network.tcp_proxy",
        ]
    );
}

#[test]
fn every_source_field_and_condition_key() {
    let spec = r#"  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/bookinfo-productpage", "*-suffix", "prefix-*", "*"]
        notPrincipals: ["cluster.local/ns/x/sa/y"]
        requestPrincipals: ["iss/sub", "*"]
        namespaces: ["ns", "ns-*"]
        notNamespaces: ["bad"]
        serviceAccounts: ["other/sa", "sa"]
        trustDomains: ["td.example"]
        ipBlocks: ["10.0.0.0/8"]
        notIpBlocks: ["10.1.2.3"]
        remoteIpBlocks: ["1.2.3.4"]
    to:
    - operation:
        hosts: ["*.example.com"]
        methods: ["GET"]
        paths: ["/api/*", "/v1/{*}/x"]
        ports: ["9080"]
        notPaths: ["/private"]
    when:
    - key: request.headers[x-token]
      values: ["abc"]
    - key: request.auth.claims[groups]
      values: ["admin"]
    - key: request.auth.audiences
      values: ["a", "b"]
    - key: request.auth.presenter
      values: ["p"]
    - key: destination.port
      notValues: ["15000"]
    - key: destination.ip
      values: ["10.0.0.1"]
    - key: connection.sni
      values: ["*.local"]
    - key: experimental.envoy.filters.network.mysql_proxy[db.table]
      values: ["[update]"]
    - key: source.ip
      values: ["1.1.1.1"]
    - key: remote.ip
      values: ["2.2.2.2"]
    - key: source.namespace
      values: ["foo"]
    - key: source.principal
      values: ["cluster.local/ns/a/sa/b"]
    - key: request.auth.principal
      values: ["iss/sub"]"#;
    let mesh = bookinfo(&policy("default", "full", spec));
    let c = pp_http(&mesh);
    let rbac = http_filters(&c, "envoy.filters.http.rbac");
    let p = &rbac[0]["typed_config"]["rules"]["policies"]["ns[default]-policy[full]-rule[0]"];
    let auth = |m: serde_json::Value| json!({"authenticated": {"principal_name": m}});
    let jwt = |claim: &str, m: serde_json::Value| {
        json!({"metadata": {"filter": "envoy.filters.http.jwt_authn",
            "path": [{"key": "payload"}, {"key": claim}], "value": {"string_match": m}}})
    };
    let list = |claim: &str, m: serde_json::Value| {
        json!({"metadata": {"filter": "envoy.filters.http.jwt_authn",
            "path": [{"key": "payload"}, {"key": claim}],
            "value": {"or_match": {"value_matchers": [{"list_match": {"one_of": m.clone()}}, m]}}}})
    };
    let expected_principals = json!([{"and_ids": {"ids": [
        {"or_ids": {"ids": [
            auth(json!({"exact": "spiffe://cluster.local/ns/default/sa/bookinfo-productpage"})),
            auth(json!({"safe_regex": {"regex": "spiffe://.*-suffix"}})),
            auth(json!({"prefix": "spiffe://prefix-"})),
            auth(json!({"safe_regex": {"regex": ".+"}})),
        ]}},
        {"not_id": {"or_ids": {"ids": [auth(json!({"exact": "spiffe://cluster.local/ns/x/sa/y"}))]}}},
        {"or_ids": {"ids": [
            {"and_ids": {"ids": [jwt("iss", json!({"exact": "iss"})), jwt("sub", json!({"exact": "sub"}))]}},
            {"and_ids": {"ids": [jwt("iss", json!({"safe_regex": {"regex": ".+"}})), jwt("sub", json!({"safe_regex": {"regex": ".+"}}))]}},
        ]}},
        {"or_ids": {"ids": [
            auth(json!({"safe_regex": {"regex": "spiffe://.+/ns/other/(.+/|)sa/sa(/.+)?"}})),
            auth(json!({"safe_regex": {"regex": "spiffe://.+/ns/default/(.+/|)sa/sa(/.+)?"}})),
        ]}},
        {"or_ids": {"ids": [auth(json!({"prefix": "spiffe://td.example/"}))]}},
        {"or_ids": {"ids": [
            auth(json!({"safe_regex": {"regex": ".*/ns/ns/.*"}})),
            auth(json!({"safe_regex": {"regex": ".*/ns/ns-.*/.*"}})),
        ]}},
        {"not_id": {"or_ids": {"ids": [auth(json!({"safe_regex": {"regex": ".*/ns/bad/.*"}}))]}}},
        {"or_ids": {"ids": [{"remote_ip": {"address_prefix": "1.2.3.4", "prefix_len": 32}}]}},
        {"or_ids": {"ids": [{"direct_remote_ip": {"address_prefix": "10.0.0.0", "prefix_len": 8}}]}},
        {"not_id": {"or_ids": {"ids": [{"direct_remote_ip": {"address_prefix": "10.1.2.3", "prefix_len": 32}}]}}},
        {"or_ids": {"ids": [{"header": {"name": "x-token", "string_match": {"exact": "abc"}}}]}},
        list("groups", json!({"string_match": {"exact": "admin"}})),
        list("aud", json!({"or_match": {"value_matchers": [
            {"string_match": {"exact": "a"}}, {"string_match": {"exact": "b"}}]}})),
        list("azp", json!({"string_match": {"exact": "p"}})),
        {"or_ids": {"ids": [{"direct_remote_ip": {"address_prefix": "1.1.1.1", "prefix_len": 32}}]}},
        {"or_ids": {"ids": [{"remote_ip": {"address_prefix": "2.2.2.2", "prefix_len": 32}}]}},
        {"or_ids": {"ids": [auth(json!({"safe_regex": {"regex": ".*/ns/foo/.*"}}))]}},
        {"or_ids": {"ids": [auth(json!({"exact": "spiffe://cluster.local/ns/a/sa/b"}))]}},
        {"and_ids": {"ids": [jwt("iss", json!({"exact": "iss"})), jwt("sub", json!({"exact": "sub"}))]}},
    ]}}]);
    assert_eq!(p["principals"], expected_principals);
    let expected_permissions = json!([{"and_rules": {"rules": [
        {"or_rules": {"rules": [{"header": {"name": ":authority", "string_match": {"suffix": ".example.com", "ignore_case": true}}}]}},
        {"or_rules": {"rules": [{"header": {"name": ":method", "string_match": {"exact": "GET"}}}]}},
        {"or_rules": {"rules": [
            {"url_path": {"path": {"prefix": "/api/"}}},
            {"uri_template": {"name": "uri-template", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig",
                "path_template": "/v1/*/x"}}},
        ]}},
        {"not_rule": {"or_rules": {"rules": [{"url_path": {"path": {"exact": "/private"}}}]}}},
        {"or_rules": {"rules": [{"destination_port": 9080}]}},
        {"not_rule": {"or_rules": {"rules": [{"destination_port": 15000}]}}},
        {"or_rules": {"rules": [{"destination_ip": {"address_prefix": "10.0.0.1", "prefix_len": 32}}]}},
        {"or_rules": {"rules": [{"requested_server_name": {"suffix": ".local"}}]}},
        {"metadata": {"filter": "envoy.filters.network.mysql_proxy", "path": [{"key": "db.table"}],
            "value": {"list_match": {"one_of": {"string_match": {"exact": "update"}}}}}},
    ]}}]);
    assert_eq!(p["permissions"], expected_permissions);
}

#[test]
fn tcp_chains_drop_http_only_allow_rules_and_widen_deny_rules() {
    let mut extra = policy("default", "allow-get", "  rules:\n  - to:\n    - operation:\n        methods: [\"GET\"]\n  - to:\n    - operation:\n        ports: [\"9080\"]");
    extra += &policy(
        "default",
        "deny-get",
        "  action: DENY\n  rules:\n  - to:\n    - operation:\n        methods: [\"GET\"]",
    );
    let mesh = bookinfo(&extra);
    let ls = listeners(&mesh, "productpage-v1");
    let tcp = chain(virtual_inbound(&ls), "virtualInbound", "raw_buffer");
    // After the metadata exchange filter, first of the authorization filters.
    assert_eq!(tcp["filters"][0]["name"], "istio.metadata_exchange");
    let deny = &tcp["filters"][1]["typed_config"];
    assert_eq!(deny["rules"]["action"], "DENY");
    assert_eq!(
        deny["rules"]["policies"]["ns[default]-policy[deny-get]-rule[0]"]["permissions"],
        json!([{"and_rules": {"rules": [{"any": true}]}}]),
        "the HTTP-only method is dropped: the deny covers every connection"
    );
    let allow = &tcp["filters"][2]["typed_config"]["rules"]["policies"];
    // ALLOW is RBAC's zero-value action, which Envoy's dump leaves out.
    assert_eq!(tcp["filters"][2]["name"], "envoy.filters.network.rbac");
    assert!(tcp["filters"][2]["typed_config"]["rules"]
        .get("action")
        .is_none());
    assert!(allow.get("ns[default]-policy[allow-get]-rule[0]").is_none());
    assert!(allow.get("ns[default]-policy[allow-get]-rule[1]").is_some());
}

#[test]
fn dry_run_policies_become_shadow_rules_with_istios_stat_prefix() {
    let dry = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: deny-path\n  namespace: default\n  annotations:\n    istio.io/dry-run: \"true\"\nspec:\n  action: DENY\n  rules:\n  - to:\n    - operation:\n        paths: [\"/headers\"]\n";
    let mesh = bookinfo(dry);
    let c = pp_http(&mesh);
    let rbac = http_filters(&c, "envoy.filters.http.rbac");
    let tc = &rbac[0]["typed_config"];
    assert!(tc.get("rules").is_none());
    assert_eq!(tc["shadow_rules"]["action"], "DENY");
    assert!(tc["shadow_rules"]["policies"]["ns[default]-policy[deny-path]-rule[0]"].is_object());
    assert_eq!(tc["shadow_rules_stat_prefix"], "istio_dry_run_deny_");
}

#[test]
fn trust_domain_aliases_multiply_principals() {
    let extra = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    trustDomain: td1\n    trustDomainAliases: [old-td]\n---\n{}",
        policy("default", "p", "  rules:\n  - from:\n    - source:\n        principals: [\"old-td/ns/default/sa/x\", \"other/ns/default/sa/y\"]")
    );
    let mesh = bookinfo(&extra);
    let c = pp_http(&mesh);
    let rbac = http_filters(&c, "envoy.filters.http.rbac");
    let ids = &rbac[0]["typed_config"]["rules"]["policies"]["ns[default]-policy[p]-rule[0]"]
        ["principals"][0]["and_ids"]["ids"][0]["or_ids"]["ids"];
    let names: Vec<&str> = ids
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["authenticated"]["principal_name"]["exact"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "spiffe://td1/ns/default/sa/x",
            "spiffe://old-td/ns/default/sa/x",
            "spiffe://other/ns/default/sa/y"
        ]
    );
}

#[test]
fn custom_with_unknown_provider_denies_with_istios_suffix() {
    let mesh = bookinfo(&policy(
        "default",
        "c",
        "  action: CUSTOM\n  provider:\n    name: missing\n  rules:\n  - {}",
    ));
    let c = pp_http(&mesh);
    let rbac = http_filters(&c, "envoy.filters.http.rbac");
    assert_eq!(rbac.len(), 1);
    assert!(http_filters(&c, "envoy.filters.http.ext_authz").is_empty());
    let tc = &rbac[0]["typed_config"]["rules"];
    assert_eq!(tc["action"], "DENY");
    assert!(tc["policies"]
        ["istio-ext-authz-missing-ns[default]-policy[c]-rule[0]-deny-due-to-bad-CUSTOM-action"]
        .is_object());
}

#[test]
fn http_ext_authz_provider_settings() {
    let extra = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    extensionProviders:\n    - name: my-http\n      envoyExtAuthzHttp:\n        service: default/details.default.svc.cluster.local\n        port: \"9080\"\n        timeout: 10s\n        pathPrefix: /check\n        failOpen: true\n        statusOnError: \"403\"\n        includeRequestHeadersInCheck: [x-ext-authz]\n        headersToUpstreamOnAllow: [x-prefix-*]\n---\n{}",
        policy("default", "c", "  action: CUSTOM\n  provider:\n    name: my-http\n  rules:\n  - {}")
    );
    let mesh = bookinfo(&extra);
    let c = pp_http(&mesh);
    let ext = http_filters(&c, "envoy.filters.http.ext_authz");
    let tc = &ext[0]["typed_config"];
    assert_eq!(
        tc["http_service"],
        json!({
            "path_prefix": "/check",
            "server_uri": {"uri": "http://details.default.svc.cluster.local",
                           "cluster": "outbound|9080||details.default.svc.cluster.local",
                           "timeout": "10s"},
            "authorization_response": {"allowed_upstream_headers": {"patterns": [{"prefix": "x-prefix-", "ignore_case": true}]}},
        })
    );
    assert_eq!(tc["status_on_error"], json!({"code": "Forbidden"}));
    assert_eq!(tc["failure_mode_allow"], true);
    assert_eq!(
        tc["allowed_headers"],
        json!({"patterns": [{"exact": "x-ext-authz", "ignore_case": true}]})
    );
    // An HTTP provider has no network filter: TCP chains get no CUSTOM filters.
    let ls = listeners(&mesh, "productpage-v1");
    let tcp = chain(virtual_inbound(&ls), "virtualInbound", "raw_buffer");
    assert!(!network_filter_names(tcp)
        .iter()
        .any(|n| n.contains("ext_authz") || n.contains("rbac")));
}

#[test]
fn request_authentication_builds_one_provider_per_rule() {
    let ra = "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata:\n  name: jwt\n  namespace: istio-system\nspec:\n  selector:\n    matchLabels:\n      istio: ingressgateway\n  jwtRules:\n  - issuer: z-issuer\n    jwks: '{\"keys\":[]}'\n    audiences: [aud1]\n    fromHeaders:\n    - name: x-jwt\n      prefix: \"Bearer \"\n    fromParams: [token]\n    fromCookies: [session]\n    outputPayloadToHeader: x-payload\n    forwardOriginalToken: true\n    outputClaimToHeaders:\n    - header: x-sub\n      claim: sub\n  - issuer: a-issuer\n    jwksUri: https://example.com/jwks.json\n";
    let mesh = bookinfo(&format!("{GATEWAY}{ra}"));
    assert!(!serde_json::to_string(&listeners(&mesh, "productpage-v1"))
        .unwrap()
        .contains("jwt_authn"));
    let ls = listeners(&mesh, "istio-ingressgateway");
    let gw = ls.iter().find(|l| l["name"] == "0.0.0.0_8080").unwrap();
    let names = http_filter_names(&gw["filter_chains"][0]);
    // Right after the metadata exchange filter, which istiod puts first.
    assert_eq!(names[0], "istio.metadata_exchange", "{names:?}");
    assert_eq!(names[1], "envoy.filters.http.jwt_authn", "{names:?}");
    let f = http_filters(&gw["filter_chains"][0], "envoy.filters.http.jwt_authn")[0];
    check_jwt(&serde_json::to_value(f).unwrap());
}

fn check_jwt(f: &serde_json::Value) {
    let tc = &f["typed_config"];
    // Sorted by issuer: a-issuer is origins-0.
    assert_eq!(tc["providers"]["origins-0"]["issuer"], "a-issuer");
    assert_eq!(
        tc["providers"]["origins-0"]["local_jwks"]["inline_string"],
        super::jwt::PUBLIC_ONLY_JWKS,
        "an unfetchable jwksUri gets istiod's public-only key"
    );
    assert_eq!(
        tc["providers"]["origins-1"],
        json!({
            "issuer": "z-issuer",
            "audiences": ["aud1"],
            "local_jwks": {"inline_string": "{\"keys\":[]}"},
            "forward": true,
            "from_headers": [{"name": "x-jwt", "value_prefix": "Bearer "}],
            "from_params": ["token"],
            "forward_payload_header": "x-payload",
            "payload_in_metadata": "payload",
            "from_cookies": ["session"],
            "claim_to_headers": [{"header_name": "x-sub", "claim_name": "sub"}],
            "clear_route_cache": true,
            "normalize_payload_in_metadata": {"space_delimited_claims": ["permission", "scope"]},
        })
    );
    assert_eq!(
        tc["rules"],
        json!([{"match": {"prefix": "/"}, "requires": {"requires_any": {"requirements": [
            {"provider_name": "origins-0"},
            {"provider_name": "origins-1"},
            {"requires_all": {"requirements": [
                {"requires_any": {"requirements": [{"provider_name": "origins-0"}, {"allow_missing": {}}]}},
                {"requires_any": {"requirements": [{"provider_name": "origins-1"}, {"allow_missing": {}}]}},
            ]}},
        ]}}}])
    );
    assert_eq!(tc["bypass_cors_preflight"], true);
}
