//! Every resource Pilot Light emits must be valid Envoy v3 configuration, judged by Envoy's own
//! protobuf schema (`tests/envoy-schema/envoy-v3.desc`, see the README there): unknown fields, bad
//! enum values, bad durations and unknown `@type`s are rejected, also inside `typed_config` (`Any`).
//!
//! Istio's own extension types (`istio.*`, `io.istio.*`) are not in Envoy's schema: their `Any`s are
//! skipped by name (their content is kept as a `google.protobuf.Struct`) and listed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use prost_reflect::{DescriptorPool, DeserializeOptions, DynamicMessage};
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------------------------

const LISTENER: &str = "envoy.config.listener.v3.Listener";
const ROUTE_CONFIGURATION: &str = "envoy.config.route.v3.RouteConfiguration";
const CLUSTER: &str = "envoy.config.cluster.v3.Cluster";
const CLUSTER_LOAD_ASSIGNMENT: &str = "envoy.config.endpoint.v3.ClusterLoadAssignment";
const CONFIG_DUMP: &str = "envoy.admin.v3.ConfigDump";

/// Istio's own extensions (defined in istio/proxy, not in Envoy), which Envoy's schema cannot know:
/// every type under these package prefixes ...
const SKIPPED_TYPE_PREFIXES: &[&str] = &["istio.", "io.istio."];
/// ... and these, whose packages do not say "istio".
const SKIPPED_TYPES: &[&str] = &[
    // istio/proxy source/extensions/filters/http/istio_stats (the `istio.stats` filter)
    "stats.PluginConfig",
    // istio/proxy source/extensions/filters/network/metadata_exchange (`istio.metadata_exchange`)
    "envoy.tcp.metadataexchange.config.MetadataExchange",
];

fn is_skipped(type_name: &str) -> bool {
    SKIPPED_TYPES.contains(&type_name)
        || SKIPPED_TYPE_PREFIXES
            .iter()
            .any(|p| type_name.starts_with(p))
}

const TYPE_URL_PREFIX: &str = "type.googleapis.com/";

struct Schema {
    pool: DescriptorPool,
}

/// What one validation run saw besides errors.
#[derive(Default, Debug)]
struct Report {
    /// Istio extension types that were skipped, by full name.
    skipped: BTreeSet<String>,
    /// Every `@type` that was decoded against Envoy's schema.
    checked: BTreeSet<String>,
}

fn schema() -> &'static Schema {
    static SCHEMA: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/envoy-schema/envoy-v3.desc");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut pool = DescriptorPool::decode(bytes.as_slice()).expect("descriptor set decodes");
        for file in typed_struct_files() {
            pool.add_file_descriptor_proto(file)
                .expect("TypedStruct descriptors");
        }
        Schema { pool }
    })
}

/// Envoy links in `udpa.type.v1.TypedStruct` and `xds.type.v3.TypedStruct` (cncf/xds
/// `udpa/type/v1/typed_struct.proto`, `xds/type/v3/typed_struct.proto`), with which Istio carries
/// its own filter configs, but `envoy-types` leaves both files out of its descriptor set. They are
/// one message each, rebuilt here field for field:
/// `message TypedStruct { string type_url = 1; google.protobuf.Struct value = 2; }`.
fn typed_struct_files() -> Vec<prost_reflect::prost_types::FileDescriptorProto> {
    use prost_reflect::prost_types::field_descriptor_proto::{Label, Type};
    use prost_reflect::prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto};
    let field = |name: &str, number: i32, ty: Type, type_name: Option<&str>| FieldDescriptorProto {
        name: Some(name.into()),
        number: Some(number),
        label: Some(Label::Optional as i32),
        r#type: Some(ty as i32),
        type_name: type_name.map(Into::into),
        json_name: Some(name.replace("_u", "U")),
        ..Default::default()
    };
    [
        ("udpa/type/v1/typed_struct.proto", "udpa.type.v1"),
        ("xds/type/v3/typed_struct.proto", "xds.type.v3"),
    ]
    .into_iter()
    .map(|(file, package)| FileDescriptorProto {
        name: Some(file.into()),
        package: Some(package.into()),
        dependency: vec!["google/protobuf/struct.proto".into()],
        syntax: Some("proto3".into()),
        message_type: vec![DescriptorProto {
            name: Some("TypedStruct".into()),
            field: vec![
                field("type_url", 1, Type::String, None),
                field("value", 2, Type::Message, Some(".google.protobuf.Struct")),
            ],
            ..Default::default()
        }],
        ..Default::default()
    })
    .collect()
}

impl Schema {
    /// Decodes `value` strictly as the message `type_name`. A top-level `@type`, if present, must
    /// name that message. On failure the error names the JSON path and Envoy's complaint.
    fn check(&self, type_name: &str, value: &Value, report: &mut Report) -> Result<(), String> {
        let mut value = value.clone();
        if let Some(obj) = value.as_object_mut() {
            if let Some(url) = obj.remove("@type") {
                let expected = format!("{TYPE_URL_PREFIX}{type_name}");
                if url.as_str() != Some(expected.as_str()) {
                    return Err(format!("@type is {url}, expected {expected}"));
                }
            }
        }
        report.checked.insert(type_name.to_string());
        prepare(&mut value, report);
        let desc = self
            .pool
            .get_message_by_name(type_name)
            .ok_or_else(|| format!("no message {type_name} in the schema"))?;
        let options = DeserializeOptions::new().deny_unknown_fields(true);
        let mut track = serde_path_to_error::Track::new();
        let de = serde_path_to_error::Deserializer::new(&value, &mut track);
        match DynamicMessage::deserialize_with_options(desc, de, &options) {
            Ok(_) => Ok(()),
            Err(e) => Err(format!("{type_name} at {}: {e}", track.path())),
        }
    }
}

/// Rewrites, in place, every `Any` whose `@type` is an Istio extension into a
/// `google.protobuf.Struct` `Any` holding the same fields, and records the names of all `@type`s.
fn prepare(value: &mut Value, report: &mut Report) {
    match value {
        Value::Object(obj) => {
            if let Some(Value::String(url)) = obj.get("@type") {
                let name = url.rsplit('/').next().unwrap_or(url).to_string();
                if is_skipped(&name) {
                    report.skipped.insert(name);
                    let mut rest: Map<String, Value> = std::mem::take(obj);
                    rest.remove("@type");
                    obj.insert(
                        "@type".into(),
                        json!(format!("{TYPE_URL_PREFIX}google.protobuf.Struct")),
                    );
                    obj.insert("value".into(), Value::Object(rest));
                    return;
                }
                report.checked.insert(name);
            }
            for v in obj.values_mut() {
                prepare(v, report);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| prepare(v, report)),
        _ => {}
    }
}

fn check(type_name: &str, value: &Value) -> Result<Report, String> {
    let mut report = Report::default();
    schema().check(type_name, value, &mut report)?;
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// The validator bites
// ---------------------------------------------------------------------------------------------

fn eds_cluster() -> Value {
    json!({
        "name": "outbound|9080|v1|reviews.default.svc.cluster.local",
        "type": "EDS",
        "eds_cluster_config": {
            "eds_config": { "ads": {}, "initial_fetch_timeout": "0s", "resource_api_version": "V3" },
            "service_name": "outbound|9080|v1|reviews.default.svc.cluster.local"
        },
        "connect_timeout": "10s",
        "lb_policy": "LEAST_REQUEST",
        "circuit_breakers": { "thresholds": [ { "max_connections": 4294967295u32, "max_retries": 4294967295u32 } ] },
        "common_lb_config": {},
        "metadata": { "filter_metadata": { "istio": { "config": "/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews" } } },
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "use_downstream_protocol_config": { "http_protocol_options": {}, "http2_protocol_options": {} }
            }
        }
    })
}

fn listener_with_hcm(hcm_extra: Value) -> Value {
    let mut hcm = json!({
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": "outbound_0.0.0.0_9080",
        "rds": { "config_source": { "ads": {}, "resource_api_version": "V3" }, "route_config_name": "9080" },
        "http_filters": [
            { "name": "istio.stats", "typed_config": { "@type": "type.googleapis.com/stats.PluginConfig" } },
            { "name": "envoy.filters.http.router", "typed_config": { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }
        ]
    });
    hcm.as_object_mut()
        .unwrap()
        .extend(hcm_extra.as_object().unwrap().clone());
    json!({
        "name": "0.0.0.0_9080",
        "address": { "socket_address": { "address": "0.0.0.0", "port_value": 9080 } },
        "traffic_direction": "OUTBOUND",
        "filter_chains": [ { "filters": [ {
            "name": "envoy.filters.network.http_connection_manager",
            "typed_config": hcm
        } ] } ]
    })
}

#[test]
fn validator_accepts_valid_resources() {
    check(CLUSTER, &eds_cluster()).unwrap();
    let cla = json!({
        "cluster_name": "outbound|9080|v1|reviews.default.svc.cluster.local",
        "endpoints": [ {
            "locality": {},
            "lb_endpoints": [ {
                "endpoint": { "address": { "socket_address": { "address": "10.1.0.7", "port_value": 9080 } } },
                "health_status": "HEALTHY",
                "metadata": { "filter_metadata": { "istio": { "workload": "reviews-v1;default;reviews;v1;Kubernetes" } } },
                "load_balancing_weight": 1
            } ],
            "load_balancing_weight": 1
        } ]
    });
    check(CLUSTER_LOAD_ASSIGNMENT, &cla).unwrap();
    let report = check(LISTENER, &listener_with_hcm(json!({}))).unwrap();
    assert!(
        report
            .checked
            .contains("envoy.extensions.filters.http.router.v3.Router"),
        "{report:?}"
    );
    assert_eq!(
        report.skipped.iter().collect::<Vec<_>>(),
        ["stats.PluginConfig"]
    );
}

#[test]
fn validator_rejects_a_misspelled_field() {
    let mut cluster = eds_cluster();
    let obj = cluster.as_object_mut().unwrap();
    let eds = obj.remove("eds_cluster_config").unwrap();
    obj.insert("eds_cluster_confg".into(), eds);
    let err = check(CLUSTER, &cluster).unwrap_err();
    assert!(err.contains("eds_cluster_confg"), "{err}");
}

#[test]
fn validator_rejects_a_bad_duration() {
    for bad in ["10", "10 s", "ten seconds", "1h", "-"] {
        let mut cluster = eds_cluster();
        cluster["connect_timeout"] = json!(bad);
        let err = check(CLUSTER, &cluster).unwrap_err();
        assert!(err.contains("connect_timeout"), "{bad}: {err}");
    }
}

#[test]
fn validator_rejects_a_bad_enum_value() {
    let mut cluster = eds_cluster();
    cluster["lb_policy"] = json!("LEAST_REQUESTS");
    let err = check(CLUSTER, &cluster).unwrap_err();
    assert!(err.contains("lb_policy"), "{err}");
}

#[test]
fn validator_rejects_a_wrong_type() {
    let mut cluster = eds_cluster();
    cluster["circuit_breakers"]["thresholds"][0]["max_connections"] = json!("many");
    assert!(check(CLUSTER, &cluster).is_err());
    let mut cluster = eds_cluster();
    cluster["name"] = json!(["a"]);
    assert!(check(CLUSTER, &cluster).is_err());
}

#[test]
fn validator_looks_inside_typed_config() {
    // An unknown field inside the HTTP connection manager (an Any inside a listener).
    let err = check(LISTENER, &listener_with_hcm(json!({ "stat_prefx": "x" }))).unwrap_err();
    assert!(err.contains("stat_prefx"), "{err}");
    // A bad duration inside it.
    let err = check(
        LISTENER,
        &listener_with_hcm(json!({ "stream_idle_timeout": "forever" })),
    )
    .unwrap_err();
    assert!(
        err.contains("stream_idle_timeout") || err.contains("duration"),
        "{err}"
    );
    // An unknown field inside an Any that is a map value (typed_extension_protocol_options).
    let mut cluster = eds_cluster();
    cluster["typed_extension_protocol_options"]
        ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
        ["use_downstream_protocol_config"]["http3_protocol_optionz"] = json!({});
    let err = check(CLUSTER, &cluster).unwrap_err();
    assert!(err.contains("http3_protocol_optionz"), "{err}");
    // A @type Envoy does not have.
    let mut listener = listener_with_hcm(json!({}));
    listener["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"][1]["typed_config"]
        ["@type"] = json!("type.googleapis.com/envoy.extensions.filters.http.router.v3.Routr");
    let err = check(LISTENER, &listener).unwrap_err();
    assert!(err.contains("Routr"), "{err}");
    // A misspelled field of a TypedStruct (Istio's carrier for its own filter configs).
    let mut listener = listener_with_hcm(json!({}));
    listener["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"][0]["typed_config"] = json!({
        "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
        "type_urll": "type.googleapis.com/io.istio.http.peer_metadata.Config",
        "value": {}
    });
    let err = check(LISTENER, &listener).unwrap_err();
    assert!(err.contains("type_urll"), "{err}");
}

#[test]
fn validator_checks_the_top_level_type() {
    let mut cluster = eds_cluster();
    cluster["@type"] = json!("type.googleapis.com/envoy.config.cluster.v3.Cluster");
    check(CLUSTER, &cluster).unwrap();
    let err = check(LISTENER, &cluster).unwrap_err();
    assert!(err.contains("expected"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Real dumps from Istio decode
// ---------------------------------------------------------------------------------------------

/// A config dump from istio/istio's test data (`tests/envoy-schema/istio-dumps`, see the README).
fn reference_dump(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/envoy-schema/istio-dumps")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if name.ends_with(".yaml") {
        serde_yaml_ng::from_str(&text).expect("dump is YAML")
    } else {
        serde_json::from_str(&text).expect("dump is JSON")
    }
}

#[test]
fn real_ingress_gateway_dump_decodes() {
    let dump = reference_dump("bookinfo-ingressgateway-routes_http_config.json");
    let report = check(CONFIG_DUMP, &dump).unwrap();
    for t in [
        ROUTE_CONFIGURATION,
        CLUSTER,
        "envoy.admin.v3.RoutesConfigDump",
        "envoy.admin.v3.ClustersConfigDump",
    ] {
        assert!(report.checked.contains(t), "{t} not seen: {report:?}");
    }
    // And the same resources one by one, as the per-proxy test does.
    for config in dump["configs"].as_array().unwrap() {
        for route in config["dynamic_route_configs"]
            .as_array()
            .into_iter()
            .flatten()
        {
            check(ROUTE_CONFIGURATION, &route["route_config"]).unwrap();
        }
        for cluster in config["dynamic_active_clusters"]
            .as_array()
            .into_iter()
            .flatten()
        {
            check(CLUSTER, &cluster["cluster"]).unwrap();
        }
    }
}

#[test]
fn real_sidecar_listeners_dump_decodes() {
    let dump = reference_dump("httpbin-sidecar-listeners_authz_configdump.yaml");
    let report = check(CONFIG_DUMP, &dump).unwrap();
    assert!(report.checked.contains(LISTENER), "{report:?}");
    assert!(
        report.checked.contains(
            "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
        ),
        "{report:?}"
    );
    assert!(
        report.checked.contains("udpa.type.v1.TypedStruct"),
        "{report:?}"
    );
    assert_eq!(
        report.skipped.iter().collect::<Vec<_>>(),
        [
            "envoy.tcp.metadataexchange.config.MetadataExchange",
            "istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig",
            "stats.PluginConfig"
        ]
    );
    let listeners = dump["configs"][0]["dynamic_listeners"].as_array().unwrap();
    assert_eq!(listeners.len(), 27);
    for listener in listeners {
        check(LISTENER, &listener["active_state"]["listener"]).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Everything we emit, for every Bookinfo proxy, is valid Envoy config
// ---------------------------------------------------------------------------------------------

use pilotlight_core::envoy::{config_dump, ProxyConfig};
use pilotlight_core::translate::proxy_config;
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE, PRESETS};
use pilotlight_core::{load, SourceFile};

/// The reference Istio config: a Gateway, VirtualServices, DestinationRules with subsets for
/// every service, every service (reviews included) sent to v1.
const REFERENCE_ISTIO: &str =
    include_str!("../../tests/envoy-schema/bookinfo-reference-istio.yaml");

/// Checks every resource of every proxy; returns the errors (one line each) and what was seen.
/// With `with_dump`, also the whole admin `/config_dump` of each proxy (the same resources again,
/// wrapped as Envoy's admin API wraps them; slow in a debug build, so only for Bookinfo).
fn check_mesh(files: &[SourceFile], with_dump: bool) -> (Vec<String>, Report, usize) {
    let loaded = load(files);
    let errors_in_input: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == pilotlight_core::Severity::Error)
        .collect();
    assert!(errors_in_input.is_empty(), "{errors_in_input:#?}");
    let mut errors = Vec::new();
    let mut report = Report::default();
    let mut resources = 0;
    assert!(!loaded.mesh.proxies().is_empty());
    for proxy in loaded.mesh.proxies() {
        let config = proxy_config(&loaded.mesh, proxy);
        // The admin /config_dump the page shows (and `istioctl proxy-config all -o json`).
        if with_dump {
            if let Err(e) = schema().check(CONFIG_DUMP, &config_dump(&config), &mut report) {
                errors.push(format!("{} config_dump: {e}", proxy.id()));
            }
        }
        let ProxyConfig {
            listeners,
            routes,
            clusters,
            endpoints,
        } = &config;
        for (type_name, list) in [
            (LISTENER, listeners),
            (ROUTE_CONFIGURATION, routes),
            (CLUSTER, clusters),
            (CLUSTER_LOAD_ASSIGNMENT, endpoints),
        ] {
            for resource in list {
                resources += 1;
                if let Err(e) = schema().check(type_name, resource, &mut report) {
                    let name = resource
                        .get("name")
                        .or_else(|| resource.get("cluster_name"))
                        .and_then(Value::as_str)
                        .unwrap_or("?");
                    errors.push(format!("{} {name}: {e}", proxy.id()));
                }
            }
        }
    }
    (errors, report, resources)
}

#[test]
fn every_bookinfo_resource_is_valid_envoy_config() {
    let files = [
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("reference-istio.yaml", REFERENCE_ISTIO),
    ];
    let (errors, report, resources) = check_mesh(&files, true);
    assert!(
        errors.is_empty(),
        "{} schema violations:\n{}",
        errors.len(),
        errors.join("\n")
    );
    eprintln!(
        "{resources} resources valid; Envoy types checked: {:?}; Istio types skipped: {:?}",
        report.checked, report.skipped
    );
    // The check saw real output: every resource kind, and the filters every sidecar has.
    for t in [
        CONFIG_DUMP,
        "envoy.admin.v3.ClustersConfigDump",
        "envoy.admin.v3.ListenersConfigDump",
        "envoy.admin.v3.RoutesConfigDump",
        "envoy.admin.v3.EndpointsConfigDump",
        LISTENER,
        ROUTE_CONFIGURATION,
        CLUSTER,
        CLUSTER_LOAD_ASSIGNMENT,
        "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "envoy.extensions.filters.http.router.v3.Router",
    ] {
        assert!(report.checked.contains(t), "no {t} in the output");
    }
}

#[test]
fn every_preset_resource_is_valid_envoy_config() {
    let mut all = Vec::new();
    for preset in PRESETS {
        let files = [
            SourceFile::new(BOOKINFO_FILE, BOOKINFO),
            SourceFile::new(format!("{}.yaml", preset.id), preset.yaml),
        ];
        let (errors, _, _) = check_mesh(&files, false);
        all.extend(errors.into_iter().map(|e| format!("[{}] {e}", preset.id)));
    }
    assert!(
        all.is_empty(),
        "{} schema violations:\n{}",
        all.len(),
        all.join("\n")
    );
}
