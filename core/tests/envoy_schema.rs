//! Every resource Pilot Light emits must be valid Envoy v3 configuration, judged by Envoy's own
//! protobuf schema (`tests/envoy-schema/envoy-v3.desc`, see the README there): unknown fields, bad
//! enum values, bad durations and unknown `@type`s are rejected, also inside `typed_config` (`Any`).
//!
//! Istio's own extension types (`istio.*`, `io.istio.*`) are not in Envoy's schema: their `Any`s are
//! skipped by name (their content is kept as a `google.protobuf.Struct`) and listed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, ExtensionDescriptor, FieldDescriptor, Kind,
    MessageDescriptor, OneofDescriptor, ReflectMessage, Value as PValue,
};
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
    /// `validate.rules` (FieldOptions), `validate.required` (OneofOptions) and
    /// `validate.disabled` (MessageOptions): protoc-gen-validate's annotations.
    field_rules: ExtensionDescriptor,
    oneof_required: ExtensionDescriptor,
    message_disabled: ExtensionDescriptor,
    /// The rules of each message type, read once from the descriptors.
    rules: Mutex<HashMap<String, Arc<MessageRules>>>,
}

/// What one validation run saw besides errors.
#[derive(Default, Debug)]
struct Report {
    /// Istio extension types that were skipped, by full name.
    skipped: BTreeSet<String>,
    /// Every `@type` that was decoded against Envoy's schema.
    checked: BTreeSet<String>,
    /// PGV rules met in our output that the check does not evaluate.
    unchecked_rules: BTreeSet<String>,
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
        let ext = |name: &str| {
            pool.get_extension_by_name(name)
                .unwrap_or_else(|| panic!("{name} not in the schema"))
        };
        Schema {
            field_rules: ext("validate.rules"),
            oneof_required: ext("validate.required"),
            message_disabled: ext("validate.disabled"),
            rules: Mutex::default(),
            pool,
        }
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
        let message = match DynamicMessage::deserialize_with_options(desc, de, &options) {
            Ok(message) => message,
            Err(e) => return Err(format!("{type_name} at {}: {e}", track.path())),
        };
        // Then the constraints Envoy checks when it loads config (protoc-gen-validate rules).
        let mut errors = Vec::new();
        self.validate(&message, type_name, &mut errors, report);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{type_name}: {}", errors.join("; ")))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// protoc-gen-validate: the constraints Envoy enforces on top of the schema
// ---------------------------------------------------------------------------------------------

/// The PGV annotations of one message type.
struct MessageRules {
    disabled: bool,
    required_oneofs: Vec<OneofDescriptor>,
    fields: Vec<(FieldDescriptor, Option<DynamicMessage>)>,
}

/// Rule kinds we read but do not evaluate (listed in the report, so nothing is silently skipped).
const UNCHECKED_STRING_RULES: &[&str] = &[
    "email", "hostname", "ip", "ipv4", "ipv6", "uri", "uri_ref", "address", "uuid",
];

fn as_f64(v: &PValue) -> Option<f64> {
    Some(match v {
        PValue::I32(x) => *x as f64,
        PValue::I64(x) => *x as f64,
        PValue::U32(x) => *x as f64,
        PValue::U64(x) => *x as f64,
        PValue::F32(x) => *x as f64,
        PValue::F64(x) => *x,
        PValue::EnumNumber(x) => *x as f64,
        _ => return None,
    })
}

/// `google.protobuf.Duration` as seconds.
fn duration_secs(m: &DynamicMessage) -> f64 {
    let field = |name: &str| {
        m.get_field_by_name(name)
            .and_then(|v| as_f64(&v))
            .unwrap_or(0.0)
    };
    field("seconds") + field("nanos") / 1e9
}

fn is_wrapper(desc: &MessageDescriptor) -> bool {
    matches!(
        desc.full_name(),
        "google.protobuf.DoubleValue"
            | "google.protobuf.FloatValue"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.Int32Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.BoolValue"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
    )
}

impl Schema {
    fn rules_of(&self, desc: &MessageDescriptor) -> Arc<MessageRules> {
        let mut cache = self.rules.lock().unwrap();
        if let Some(r) = cache.get(desc.full_name()) {
            return r.clone();
        }
        let options = desc.options();
        let disabled = options.has_extension(&self.message_disabled)
            && matches!(
                *options.get_extension(&self.message_disabled),
                PValue::Bool(true)
            );
        let required_oneofs = desc
            .oneofs()
            .filter(|o| {
                let opts = o.options();
                opts.has_extension(&self.oneof_required)
                    && matches!(
                        *opts.get_extension(&self.oneof_required),
                        PValue::Bool(true)
                    )
            })
            .collect();
        let fields = desc
            .fields()
            .map(|f| {
                let opts = f.options();
                let rules = opts.has_extension(&self.field_rules).then(|| {
                    match opts.get_extension(&self.field_rules).into_owned() {
                        PValue::Message(m) => m,
                        other => panic!("validate.rules is {other:?}"),
                    }
                });
                (f, rules)
            })
            .collect();
        let rules = Arc::new(MessageRules {
            disabled,
            required_oneofs,
            fields,
        });
        cache.insert(desc.full_name().to_string(), rules.clone());
        rules
    }

    /// Checks `message` and everything in it (including `Any` payloads) against PGV rules.
    fn validate(
        &self,
        message: &DynamicMessage,
        path: &str,
        errors: &mut Vec<String>,
        report: &mut Report,
    ) {
        let desc = message.descriptor();
        if desc.full_name() == "google.protobuf.Any" {
            let url = message
                .get_field_by_name("type_url")
                .map(|v| v.as_str().unwrap_or("").to_string())
                .unwrap_or_default();
            let name = url.rsplit('/').next().unwrap_or("");
            let bytes = message
                .get_field_by_name("value")
                .and_then(|v| v.as_bytes().cloned())
                .unwrap_or_default();
            if let Some(inner) = self.pool.get_message_by_name(name) {
                match DynamicMessage::decode(inner, bytes) {
                    Ok(inner) => self.validate(&inner, &format!("{path}<{name}>"), errors, report),
                    Err(e) => errors.push(format!("{path}: Any {name} does not decode: {e}")),
                }
            }
            return;
        }
        let rules = self.rules_of(&desc);
        if rules.disabled {
            return;
        }
        for oneof in &rules.required_oneofs {
            if !oneof.fields().any(|f| message.has_field(&f)) {
                errors.push(format!("{path}: one of {} is required", oneof.name()));
            }
        }
        for (field, field_rules) in &rules.fields {
            let set = message.has_field(field);
            let in_real_oneof = field.containing_oneof().is_some_and(|o| !o.is_synthetic());
            if in_real_oneof && !set {
                continue;
            }
            let fpath = format!("{path}.{}", field.name());
            let value = message.get_field(field);
            let mut skip_children = false;
            if let Some(r) = field_rules {
                skip_children =
                    self.check_field_rules(field, r, &value, set, &fpath, errors, report);
            }
            if skip_children {
                continue;
            }
            match &*value {
                PValue::Message(m) if set => self.validate(m, &fpath, errors, report),
                PValue::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if let PValue::Message(m) = item {
                            self.validate(m, &format!("{fpath}[{i}]"), errors, report);
                        }
                    }
                }
                PValue::Map(entries) => {
                    for (k, v) in entries {
                        if let PValue::Message(m) = v {
                            self.validate(m, &format!("{fpath}[{k:?}]"), errors, report);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Applies one field's `validate.rules`; returns whether to skip validating its children.
    #[allow(clippy::too_many_arguments)]
    fn check_field_rules(
        &self,
        field: &FieldDescriptor,
        rules: &DynamicMessage,
        value: &PValue,
        set: bool,
        path: &str,
        errors: &mut Vec<String>,
        report: &mut Report,
    ) -> bool {
        let mut skip = false;
        for (rule_field, rule) in rules.fields() {
            let PValue::Message(rule) = rule else {
                continue;
            };
            match rule_field.name() {
                "message" => {
                    if get_bool(rule, "required") && !set {
                        errors.push(format!("{path}: required"));
                    }
                    skip |= get_bool(rule, "skip");
                }
                "repeated" => {
                    let PValue::List(items) = value else { continue };
                    if get_bool(rule, "ignore_empty") && items.is_empty() {
                        continue;
                    }
                    check_count(
                        path,
                        "items",
                        items.len(),
                        rule,
                        "min_items",
                        "max_items",
                        errors,
                    );
                    if let Some(PValue::Message(item_rules)) = rule
                        .get_field_by_name("items")
                        .map(|c| c.into_owned())
                        .filter(|_| rule.has_field_by_name("items"))
                    {
                        for (i, item) in items.iter().enumerate() {
                            self.check_field_rules(
                                field,
                                &item_rules,
                                item,
                                true,
                                &format!("{path}[{i}]"),
                                errors,
                                report,
                            );
                        }
                    }
                }
                "map" => {
                    let PValue::Map(entries) = value else {
                        continue;
                    };
                    if get_bool(rule, "ignore_empty") && entries.is_empty() {
                        continue;
                    }
                    check_count(
                        path,
                        "pairs",
                        entries.len(),
                        rule,
                        "min_pairs",
                        "max_pairs",
                        errors,
                    );
                    if let Some(PValue::Message(value_rules)) = rule
                        .get_field_by_name("values")
                        .map(|c| c.into_owned())
                        .filter(|_| rule.has_field_by_name("values"))
                    {
                        for (k, v) in entries {
                            self.check_field_rules(
                                field,
                                &value_rules,
                                v,
                                true,
                                &format!("{path}[{k:?}]"),
                                errors,
                                report,
                            );
                        }
                    }
                }
                "duration" => {
                    if !set {
                        if get_bool(rule, "required") {
                            errors.push(format!("{path}: required"));
                        }
                        continue;
                    }
                    let PValue::Message(d) = value else { continue };
                    let secs = duration_secs(d);
                    for (name, bound) in rule.fields() {
                        let PValue::Message(b) = bound else { continue };
                        let b = duration_secs(b);
                        let ok = match name.name() {
                            "lt" => secs < b,
                            "lte" => secs <= b,
                            "gt" => secs > b,
                            "gte" => secs >= b,
                            "const" => secs == b,
                            _ => true,
                        };
                        if !ok {
                            errors.push(format!(
                                "{path}: duration {secs}s must be {} {b}s",
                                name.name()
                            ));
                        }
                    }
                }
                "any" => {
                    if get_bool(rule, "required") && !set {
                        errors.push(format!("{path}: required"));
                    }
                }
                "enum" => {
                    if let (true, PValue::EnumNumber(n), Kind::Enum(e)) =
                        (get_bool(rule, "defined_only"), value, field.kind())
                    {
                        if e.get_value(*n).is_none() {
                            errors.push(format!("{path}: {n} is not a value of {}", e.full_name()));
                        }
                    }
                    check_numeric(path, value, rule, errors);
                }
                "string" => {
                    let text = match value {
                        PValue::String(s) => s.clone(),
                        // A StringValue wrapper: the rules apply to its value, when it is set.
                        PValue::Message(m) if is_wrapper(&m.descriptor()) => {
                            if !set {
                                continue;
                            }
                            m.get_field_by_name("value")
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default()
                        }
                        _ => continue,
                    };
                    check_string(path, &text, rule, errors, report);
                }
                "timestamp" | "bytes" | "bool" => {}
                _ => {
                    // Numeric rules (uint32, int64, double, ...), on a scalar or a wrapper.
                    let number = match value {
                        PValue::Message(m) if is_wrapper(&m.descriptor()) => {
                            if !set {
                                continue;
                            }
                            m.get_field_by_name("value").map(|v| v.into_owned())
                        }
                        other => Some(other.clone()),
                    };
                    if let Some(number) = number {
                        if get_bool(rule, "ignore_empty") && as_f64(&number) == Some(0.0) {
                            continue;
                        }
                        check_numeric(path, &number, rule, errors);
                    }
                }
            }
        }
        skip
    }
}

fn get_bool(m: &DynamicMessage, name: &str) -> bool {
    m.get_field_by_name(name)
        .is_some_and(|v| v.as_bool() == Some(true))
}

fn check_count(
    path: &str,
    what: &str,
    n: usize,
    rule: &DynamicMessage,
    min: &str,
    max: &str,
    errors: &mut Vec<String>,
) {
    if rule.has_field_by_name(min) {
        let min = rule
            .get_field_by_name(min)
            .and_then(|v| as_f64(&v))
            .unwrap_or(0.0);
        if (n as f64) < min {
            errors.push(format!("{path}: {n} {what}, at least {min} required"));
        }
    }
    if rule.has_field_by_name(max) {
        let max = rule
            .get_field_by_name(max)
            .and_then(|v| as_f64(&v))
            .unwrap_or(f64::MAX);
        if (n as f64) > max {
            errors.push(format!("{path}: {n} {what}, at most {max} allowed"));
        }
    }
}

fn check_numeric(path: &str, value: &PValue, rule: &DynamicMessage, errors: &mut Vec<String>) {
    let Some(x) = as_f64(value) else { return };
    for (bound_field, bound) in rule.fields() {
        let name = bound_field.name();
        let ok = match (name, bound) {
            ("lt", b) => as_f64(b).is_none_or(|b| x < b),
            ("lte", b) => as_f64(b).is_none_or(|b| x <= b),
            ("gt", b) => as_f64(b).is_none_or(|b| x > b),
            ("gte", b) => as_f64(b).is_none_or(|b| x >= b),
            ("const", b) => as_f64(b).is_none_or(|b| x == b),
            ("in", PValue::List(l)) => l.is_empty() || l.iter().any(|b| as_f64(b) == Some(x)),
            ("not_in", PValue::List(l)) => !l.iter().any(|b| as_f64(b) == Some(x)),
            _ => true,
        };
        if !ok {
            errors.push(format!("{path}: {x} violates {name} {bound:?}"));
        }
    }
}

fn check_string(
    path: &str,
    text: &str,
    rule: &DynamicMessage,
    errors: &mut Vec<String>,
    report: &mut Report,
) {
    if get_bool(rule, "ignore_empty") && text.is_empty() {
        return;
    }
    let chars = text.chars().count() as f64;
    let bytes = text.len() as f64;
    for (rule_field, bound) in rule.fields() {
        let name = rule_field.name();
        let num = as_f64(bound);
        let s = bound.as_str();
        let ok = match name {
            "min_len" => chars >= num.unwrap_or(0.0),
            "max_len" => chars <= num.unwrap_or(f64::MAX),
            "len" => chars == num.unwrap_or(chars),
            "min_bytes" => bytes >= num.unwrap_or(0.0),
            "max_bytes" => bytes <= num.unwrap_or(f64::MAX),
            "len_bytes" => bytes == num.unwrap_or(bytes),
            "const" => s.is_none_or(|c| text == c),
            "prefix" => s.is_none_or(|c| text.starts_with(c)),
            "suffix" => s.is_none_or(|c| text.ends_with(c)),
            "contains" => s.is_none_or(|c| text.contains(c)),
            "not_contains" => s.is_none_or(|c| !text.contains(c)),
            "in" => {
                matches!(bound, PValue::List(l) if l.is_empty() || l.iter().any(|b| b.as_str() == Some(text)))
            }
            "not_in" => {
                !matches!(bound, PValue::List(l) if l.iter().any(|b| b.as_str() == Some(text)))
            }
            "pattern" => s.is_none_or(|p| {
                regex_lite::Regex::new(p)
                    .map(|re| re.is_match(text))
                    .unwrap_or(true)
            }),
            "well_known_regex" => {
                let strict = !rule.has_field_by_name("strict") || get_bool(rule, "strict");
                match (as_f64(bound), strict) {
                    // HTTP_HEADER_NAME
                    (Some(1.0), true) => {
                        text.strip_prefix(':')
                            .unwrap_or(text)
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_|~`".contains(&b))
                            && !text.strip_prefix(':').unwrap_or(text).is_empty()
                    }
                    // HTTP_HEADER_VALUE
                    (Some(2.0), true) => {
                        !text.contains(['\0', '\r', '\n'])
                            && !text.chars().any(|c| c.is_ascii_control() && c != '\t')
                    }
                    _ => !text.contains(['\0', '\r', '\n']),
                }
            }
            "strict" | "ignore_empty" => true,
            other => {
                if UNCHECKED_STRING_RULES.contains(&other) {
                    report.unchecked_rules.insert(format!("string.{other}"));
                }
                true
            }
        };
        if !ok {
            errors.push(format!("{path}: {text:?} violates string.{name} {bound:?}"));
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

/// Fields Envoy's admin would not print: an enum (outside a oneof, not repeated) holding its zero
/// value, which proto3 JSON leaves out (`lb_policy: ROUND_ROBIN`, `upstream_protocol: HTTP10`).
/// Returns their JSON paths; `Any`s are followed by their `@type`.
fn zero_enums(type_name: &str, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(desc) = schema().pool.get_message_by_name(type_name) {
        walk_zero_enums(&desc, value, type_name, &mut out);
    }
    out
}

fn walk_zero_enums(desc: &MessageDescriptor, value: &Value, path: &str, out: &mut Vec<String>) {
    let Some(obj) = value.as_object() else { return };
    if desc.full_name() == "google.protobuf.Any" {
        let inner = obj
            .get("@type")
            .and_then(Value::as_str)
            .and_then(|u| u.rsplit('/').next())
            .and_then(|n| schema().pool.get_message_by_name(n));
        if let Some(inner) = inner {
            walk_zero_enums(&inner, value, path, out);
        }
        return;
    }
    for (key, v) in obj {
        let Some(field) = desc
            .get_field_by_name(key)
            .or_else(|| desc.get_field_by_json_name(key))
        else {
            continue;
        };
        let here = format!("{path}.{key}");
        match field.kind() {
            Kind::Enum(e) if !field.is_list() && field.containing_oneof().is_none() => {
                let zero = e.get_value(0).map(|z| z.name().to_string());
                if v.as_str().is_some() && v.as_str().map(str::to_string) == zero {
                    out.push(format!("{here} = {v}"));
                }
            }
            Kind::Message(m) if field.is_map() => {
                if let (Some(values), Some(vf)) = (
                    v.as_object(),
                    m.map_entry_value_field().kind().as_message().cloned(),
                ) {
                    for (k, item) in values {
                        walk_zero_enums(&vf, item, &format!("{here}.{k}"), out);
                    }
                }
            }
            Kind::Message(m) => match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk_zero_enums(&m, item, &format!("{here}[{i}]"), out);
                    }
                }
                _ => walk_zero_enums(&m, v, &here, out),
            },
            _ => {}
        }
    }
}

#[test]
fn zero_value_enums_are_found() {
    let c = json!({
        "name": "BlackHoleCluster", "type": "STATIC", "lb_policy": "ROUND_ROBIN",
        "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
            "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            "common_http_protocol_options": {"headers_with_underscores_action": "ALLOW"}
        }}
    });
    let found = zero_enums(CLUSTER, &c);
    // `type` is a oneof member, printed even at zero; the other two are not.
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("lb_policy"), "{found:?}");
    assert!(
        found[1].contains("headers_with_underscores_action"),
        "{found:?}"
    );
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

fn route_config(route: Value) -> Value {
    json!({
        "name": "9080",
        "virtual_hosts": [ { "name": "reviews.default.svc.cluster.local:9080", "domains": ["reviews"], "routes": [route] } ]
    })
}

#[test]
fn validator_enforces_envoy_constraints() {
    // protoc-gen-validate rules, which Envoy enforces when it loads config (a NACK).
    let good = json!({ "match": { "prefix": "/" }, "route": { "cluster": "outbound|9080|v1|reviews.default.svc.cluster.local" } });
    check(ROUTE_CONFIGURATION, &route_config(good.clone())).unwrap();
    let cases = [
        (
            "no action",
            json!({ "match": { "prefix": "/" } }),
            "one of action is required",
        ),
        (
            "no path specifier",
            json!({ "match": {}, "route": { "cluster": "c" } }),
            "one of path_specifier is required",
        ),
        (
            "no weighted clusters",
            json!({ "match": { "prefix": "/" }, "route": { "weighted_clusters": { "clusters": [] } } }),
            "at least 1",
        ),
        (
            "bad header name",
            json!({ "match": { "prefix": "/", "headers": [ { "name": "end-user\r\nx-evil: 1", "string_match": { "exact": "jason" } } ] }, "route": { "cluster": "c" } }),
            "well_known_regex",
        ),
        (
            "empty cluster name",
            json!({ "match": { "prefix": "/" }, "route": { "cluster": "" } }),
            "min_len",
        ),
    ];
    for (what, route, expected) in cases {
        let err = match check(ROUTE_CONFIGURATION, &route_config(route)) {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => e,
        };
        assert!(err.contains(expected), "{what}: {err}");
    }
    // A port out of range, in a listener.
    let mut listener = listener_with_hcm(json!({}));
    listener["address"]["socket_address"]["port_value"] = json!(70000);
    let err = check(LISTENER, &listener).unwrap_err();
    assert!(err.contains("port_value"), "{err}");
    // An empty stat_prefix, inside the HCM (an Any).
    let err = check(LISTENER, &listener_with_hcm(json!({ "stat_prefix": "" }))).unwrap_err();
    assert!(err.contains("HttpConnectionManager>.stat_prefix"), "{err}");
    // A zero connect timeout (must be > 0).
    let mut cluster = eds_cluster();
    cluster["connect_timeout"] = json!("0s");
    let err = check(CLUSTER, &cluster).unwrap_err();
    assert!(err.contains("connect_timeout"), "{err}");
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
            let dump = as_printed(&config_dump(&config));
            if let Err(e) = schema().check(CONFIG_DUMP, &dump, &mut report) {
                errors.push(format!("{} config_dump: {e}", proxy.id()));
            }
            for z in zero_enums(CONFIG_DUMP, &dump) {
                errors.push(format!(
                    "{} config_dump prints a zero-value enum: {z}",
                    proxy.id()
                ));
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
                let resource = as_printed(resource);
                let name = resource
                    .get("name")
                    .or_else(|| resource.get("cluster_name"))
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                if let Err(e) = schema().check(type_name, &resource, &mut report) {
                    errors.push(format!("{} {name}: {e}", proxy.id()));
                }
                for z in zero_enums(type_name, &resource) {
                    errors.push(format!(
                        "{} {name}: zero-value enum printed: {z}",
                        proxy.id()
                    ));
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
        "{resources} resources valid; Envoy types checked: {:?}; Istio types skipped: {:?}; PGV rules not evaluated: {:?}",
        report.checked, report.skipped, report.unchecked_rules
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

/// A resource as the CLI and the page print it (the JSON Envoy would be given).
fn as_printed(resource: &pilotlight_core::envoy::Value) -> Value {
    serde_json::to_value(resource).expect("a resource serializes to JSON")
}

/// Each tracing provider istiod can configure from MeshConfig gives a tracer Envoy accepts.
#[test]
fn tracing_providers_are_valid_envoy_config() {
    let collector = "---
apiVersion: v1
kind: Service
metadata:
  name: collector
  namespace: istio-system
spec:
  selector: {app: collector}
  ports:
  - name: grpc
    port: 4317
";
    let providers = [
        "zipkin:\n        service: collector.istio-system.svc.cluster.local\n        port: 4317\n        maxTagLength: 256",
        "datadog:\n        service: collector.istio-system.svc.cluster.local\n        port: 4317",
        "skywalking:\n        service: istio-system/collector.istio-system.svc.cluster.local\n        port: 4317",
        "opentelemetry:\n        service: collector.istio-system.svc.cluster.local\n        port: 4317\n        timeout: 2s",
        "opentelemetry:\n        service: collector.istio-system.svc.cluster.local\n        port: 4317\n        http:\n          path: /v1/traces\n          timeout: 3s",
    ];
    for p in providers {
        let mesh = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    defaultProviders:\n      tracing: [t]\n    extensionProviders:\n    - name: t\n      {p}\n{collector}"
        );
        let files = [
            SourceFile::new(BOOKINFO_FILE, BOOKINFO),
            SourceFile::new("mesh.yaml", mesh),
        ];
        let (errors, report, _) = check_mesh(&files, false);
        assert!(errors.is_empty(), "{p}:\n{}", errors.join("\n"));
        let tracer = [
            "envoy.config.trace.v3.ZipkinConfig",
            "envoy.config.trace.v3.DatadogConfig",
            "envoy.config.trace.v3.SkyWalkingConfig",
            "envoy.config.trace.v3.OpenTelemetryConfig",
        ];
        assert!(
            tracer.iter().any(|t| report.checked.contains(*t)),
            "{p}: no tracer in the output: {:?}",
            report.checked
        );
    }
}

/// ALLOW_ANY_DYNAMIC_DNS: the forward-proxy cluster and the listeners' filter are valid Envoy.
#[test]
fn allow_any_dynamic_dns_is_valid_envoy_config() {
    let mesh = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    outboundTrafficPolicy:\n      mode: ALLOW_ANY_DYNAMIC_DNS\n";
    let files = [
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("mesh.yaml", mesh),
    ];
    let (errors, report, _) = check_mesh(&files, false);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    for t in [
        "envoy.extensions.clusters.dynamic_forward_proxy.v3.ClusterConfig",
        "envoy.extensions.filters.http.dynamic_forward_proxy.v3.FilterConfig",
    ] {
        assert!(report.checked.contains(t), "no {t}");
    }
}

/// AuthorizationPolicies and RequestAuthentications using every field, action and condition key,
/// with ext_authz providers of both kinds: the RBAC, ext_authz and jwt_authn filters must decode.
const SECURITY: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    trustDomainAliases: [old-td]
    extensionProviders:
    - name: grpc-authz
      envoyExtAuthzGrpc:
        service: ratings.default.svc.cluster.local
        port: 9080
        timeout: 0.5s
        failOpen: true
        statusOnError: "503"
        includeRequestBodyInCheck: {maxRequestBytes: 4096, allowPartialMessage: true}
    - name: http-authz
      envoyExtAuthzHttp:
        service: default/details.default.svc.cluster.local
        port: 9080
        pathPrefix: /check
        statusOnError: "403"
        includeRequestHeadersInCheck: [x-ext-authz, x-prefix-*]
        includeAdditionalHeadersInCheck: {x-added: v}
        headersToUpstreamOnAllow: [authorization]
        headersToDownstreamOnDeny: [set-cookie]
        headersToDownstreamOnAllow: ["*-suffix"]
        includeRequestBodyInCheck: {maxRequestBytes: 2048, packAsBytes: true}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: full, namespace: default}
spec:
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/x", "*"]
        notPrincipals: ["*-bad"]
        requestPrincipals: ["iss/sub", "*"]
        notRequestPrincipals: ["iss/*"]
        namespaces: ["default"]
        notNamespaces: ["x-*"]
        serviceAccounts: ["default/a", "b"]
        notServiceAccounts: ["c"]
        trustDomains: ["cluster.local", "*.td"]
        notTrustDomains: ["bad"]
        ipBlocks: ["10.0.0.0/8"]
        notIpBlocks: ["10.1.1.1"]
        remoteIpBlocks: ["1.2.3.4"]
        notRemoteIpBlocks: ["::1"]
    to:
    - operation:
        hosts: ["*.example.com", "a.*"]
        notHosts: ["b.example.com"]
        ports: ["9080"]
        notPorts: ["15000"]
        methods: ["GET", "*"]
        notMethods: ["DELETE"]
        paths: ["/api/*", "*/x", "/v1/{*}/y", "/{**}"]
        notPaths: ["/admin"]
    when:
    - {key: "request.headers[x-token]", values: ["a*"], notValues: ["*b"]}
    - {key: source.ip, values: ["10.0.0.1"]}
    - {key: remote.ip, values: ["10.0.0.0/16"]}
    - {key: source.namespace, values: ["default"]}
    - {key: source.principal, values: ["cluster.local/ns/default/sa/y"]}
    - {key: source.serviceAccount, values: ["z"]}
    - {key: source.trustDomain, values: ["old-td"]}
    - {key: request.auth.principal, values: ["*/sub"]}
    - {key: request.auth.audiences, values: ["aud"]}
    - {key: request.auth.presenter, values: ["p"]}
    - {key: "request.auth.claims[groups]", values: ["admin"]}
    - {key: "request.auth.claims[a][b]", notValues: ["c"]}
    - {key: destination.ip, values: ["10.0.0.2"]}
    - {key: destination.port, values: ["9080"]}
    - {key: connection.sni, values: ["*.local"]}
    - {key: "experimental.envoy.filters.network.mysql_proxy[db.table]", values: ["[update]", "x"]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny, namespace: default}
spec:
  action: DENY
  rules:
  - to:
    - operation: {methods: ["POST"]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: audit, namespace: default}
spec:
  action: AUDIT
  rules: [{}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: dry
  namespace: default
  annotations: {istio.io/dry-run: "true"}
spec:
  action: DENY
  rules: [{}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: custom, namespace: default}
spec:
  selector: {matchLabels: {app: productpage}}
  action: CUSTOM
  provider: {name: grpc-authz}
  rules:
  - to:
    - operation: {paths: ["/ext"]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: custom-http, namespace: default}
spec:
  selector: {matchLabels: {app: reviews}}
  action: CUSTOM
  provider: {name: http-authz}
  rules: [{}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: custom-bad, namespace: default}
spec:
  selector: {matchLabels: {app: details}}
  action: CUSTOM
  provider: {name: nowhere}
  rules: [{}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: default}
spec:
  jwtRules:
  - issuer: testing@secure.istio.io
    jwksUri: https://example.com/jwks.json
    audiences: [a]
    fromHeaders: [{name: x-jwt, prefix: "Bearer "}]
    fromParams: [token]
    fromCookies: [session]
    outputPayloadToHeader: x-payload
    forwardOriginalToken: true
    outputClaimToHeaders: [{header: x-sub, claim: sub}]
    spaceDelimitedClaims: [roles]
  - issuer: other
    jwks: '{"keys":[]}'
"#;

#[test]
fn every_security_filter_is_valid_envoy_config() {
    let files = [
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("reference-istio.yaml", REFERENCE_ISTIO),
        SourceFile::new("security.yaml", SECURITY),
    ];
    let (errors, report, _) = check_mesh(&files, false);
    assert!(
        errors.is_empty(),
        "{} schema violations:\n{}",
        errors.len(),
        errors.join("\n")
    );
    for t in [
        "envoy.extensions.filters.http.rbac.v3.RBAC",
        "envoy.extensions.filters.network.rbac.v3.RBAC",
        "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
        "envoy.extensions.filters.network.ext_authz.v3.ExtAuthz",
        "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        "envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig",
    ] {
        assert!(report.checked.contains(t), "no {t} in the output");
    }
}
