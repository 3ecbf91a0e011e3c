//! Patch values into our Envoy tree, and protobuf's merge on that tree.
//!
//! istiod reads `patch.value` with protojson (both `camelCase` and `snake_case` field names) into
//! the Envoy type of the `applyTo`, then merges with `proto.Merge` semantics (its own copy, which
//! replaces Durations). Our tree has no schema, so the rules are written for JSON shapes:
//! - an object merges key by key, recursively (a message);
//! - a list is appended to (a repeated field), or replaced for MERGE_AND_REPLACE_LIST;
//! - a scalar replaces (Durations, wrappers and enums are scalars in JSON);
//! - an `Any` (an object with `@type`) nested in a merged message is replaced whole: proto.Merge
//!   copies its type URL and its bytes (only a filter's own `typed_config` is merged field by
//!   field, see [`merge_any`]);
//! - map fields (metadata, typed_per_filter_config, typed_extension_protocol_options...) replace
//!   entry by entry, like proto maps;
//! - setting one member of a known oneof clears its siblings, as proto does.

use crate::envoy::value::{Map, Str};
use crate::envoy::Value;
use serde_json::Value as Json;

/// Proto map fields of the Envoy types a patch touches: merged entry by entry, values replaced.
const MAP_FIELDS: &[&str] = &[
    "filter_metadata",
    "typed_filter_metadata",
    "typed_per_filter_config",
    "typed_extension_protocol_options",
    "extension_protocol_options",
    "fields",
];

/// Oneof groups of the Envoy messages EnvoyFilters commonly patch.
const ONEOFS: &[&[&str]] = &[
    // Route.action
    &[
        "route",
        "redirect",
        "direct_response",
        "filter_action",
        "non_forwarding_action",
    ],
    // RouteMatch.path_specifier
    &[
        "prefix",
        "path",
        "safe_regex",
        "connect_matcher",
        "path_separated_prefix",
        "path_match_policy",
    ],
    // RouteAction.cluster_specifier
    &[
        "cluster",
        "cluster_header",
        "weighted_clusters",
        "cluster_specifier_plugin",
        "inline_cluster_specifier_plugin",
    ],
    // HttpConnectionManager.route_specifier
    &["rds", "route_config", "scoped_routes"],
    // Cluster.cluster_discovery_type
    &["type", "cluster_type"],
    // Cluster.lb_config
    &[
        "ring_hash_lb_config",
        "maglev_lb_config",
        "original_dst_lb_config",
        "least_request_lb_config",
        "round_robin_lb_config",
    ],
    // Filter / HttpFilter / ListenerFilter config_type
    &["typed_config", "config_discovery"],
];

/// A patch value as our tree, with protojson's field names normalised to the proto names the
/// output uses (`connectTimeout` -> `connect_timeout`). Keys inside `google.protobuf.Struct`
/// values (metadata, a TypedStruct's `value`) are the user's own and are kept verbatim.
pub fn from_patch(json: &Json) -> Value {
    convert(json, false)
}

fn convert(json: &Json, verbatim: bool) -> Value {
    match json {
        Json::Object(map) => {
            let typed_struct = map
                .get("@type")
                .and_then(Json::as_str)
                .is_some_and(|t| t.ends_with(".TypedStruct"));
            let structure = map
                .get("@type")
                .and_then(Json::as_str)
                .is_some_and(|t| t.ends_with("google.protobuf.Struct"));
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key: String = if verbatim || k.starts_with('@') {
                    k.clone()
                } else {
                    snake_case(k)
                };
                let value = match key.as_str() {
                    _ if verbatim => convert(v, true),
                    "value" if typed_struct => convert(v, true),
                    _ if structure => convert(v, true),
                    // Keys are filter names; values are Structs (filter_metadata) or Anys.
                    "filter_metadata" => match v {
                        Json::Object(m) => Value::Object(
                            m.iter()
                                .map(|(mk, mv)| (Str::Owned(mk.clone()), convert(mv, true)))
                                .collect(),
                        ),
                        other => convert(other, true),
                    },
                    "typed_filter_metadata"
                    | "typed_per_filter_config"
                    | "typed_extension_protocol_options" => match v {
                        Json::Object(m) => Value::Object(
                            m.iter()
                                .map(|(mk, mv)| (Str::Owned(mk.clone()), convert(mv, false)))
                                .collect(),
                        ),
                        other => convert(other, false),
                    },
                    _ => convert(v, false),
                };
                out.insert(Str::Owned(key), value);
            }
            Value::Object(out)
        }
        Json::Array(items) => Value::Array(items.iter().map(|i| convert(i, verbatim)).collect()),
        other => Value::from(other),
    }
}

/// `connectTimeout` -> `connect_timeout`; names already in snake_case are unchanged.
pub fn snake_case(key: &str) -> String {
    if !key.bytes().any(|b| b.is_ascii_uppercase()) {
        return key.to_string();
    }
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// proto.Merge of `src` into `dst` (both messages as objects).
pub fn merge(dst: &mut Value, src: &Value, replace_lists: bool) {
    let Some(src) = src.as_object() else {
        return;
    };
    if !dst.is_object() {
        *dst = Value::Object(Map::new());
    }
    let Some(out) = dst.as_object_mut() else {
        return;
    };
    merge_fields(out, src, replace_lists);
}

fn merge_fields(out: &mut Map, src: &Map, replace_lists: bool) {
    for (key, value) in src.iter() {
        if value.is_null() {
            continue; // protojson: null leaves a field unset
        }
        if let Some(group) = ONEOFS.iter().find(|g| g.contains(&key)) {
            for sibling in group.iter().filter(|s| **s != key) {
                out.remove(sibling);
            }
        }
        let owned_key = || Str::Owned(key.to_string());
        match value {
            Value::Object(v) if MAP_FIELDS.contains(&key) => {
                let slot = out.get_or_insert_with(owned_key(), || Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Some(m) = slot.as_object_mut() {
                    for (mk, mv) in v.iter() {
                        m.insert(Str::Owned(mk.to_string()), mv.clone());
                    }
                }
            }
            Value::Object(v) if v.contains_key("@type") => {
                out.insert(owned_key(), value.clone());
            }
            Value::Object(v) => {
                let slot = out.get_or_insert_with(owned_key(), || Value::Object(Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                if let Some(m) = slot.as_object_mut() {
                    merge_fields(m, v, replace_lists);
                }
            }
            Value::Array(items) => {
                let slot = out.get_or_insert_with(owned_key(), || Value::Array(Vec::new()));
                match slot.as_array_mut() {
                    Some(list) if !replace_lists => list.extend(items.iter().cloned()),
                    _ => *slot = value.clone(),
                }
            }
            _ => {
                out.insert(owned_key(), value.clone());
            }
        }
    }
}

/// Why `typed_config`s could not be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeMismatch {
    pub existing: String,
    pub patch: String,
}

/// istiod's `MergeAnyWithAny`: both `Any`s are unpacked and merged as messages. Of different
/// types, proto.Merge panics in istiod; the caller reports it (istiod recovers and drops the
/// rest of that listener pass).
pub fn merge_any(dst: &mut Value, src: &Value) -> Result<(), TypeMismatch> {
    let dst_type = dst["@type"].as_str().unwrap_or_default();
    let src_type = src["@type"].as_str().unwrap_or_default();
    if dst_type != src_type {
        return Err(TypeMismatch {
            existing: dst_type.to_string(),
            patch: src_type.to_string(),
        });
    }
    merge(dst, src, false);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value;

    #[test]
    fn camel_case_fields_become_proto_names_but_struct_keys_stay() {
        let v = from_patch(&serde_json::json!({
            "connectTimeout": "1s",
            "metadata": {"filterMetadata": {"my.ns": {"someKey": 1}}},
            "typedConfig": {"@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
                "typeUrl": "x", "value": {"rootId": "r"}}
        }));
        assert_eq!(v["connect_timeout"], "1s");
        assert_eq!(v["metadata"]["filter_metadata"]["my.ns"]["someKey"], 1);
        assert_eq!(v["typed_config"]["type_url"], "x");
        assert_eq!(v["typed_config"]["value"]["rootId"], "r");
    }

    #[test]
    fn merge_appends_lists_recurses_messages_replaces_scalars_and_anys() {
        let mut dst = value!({"a": 1, "list": [1], "m": {"x": 1, "y": 2},
            "any": {"@type": "t1", "k": 1}, "route": {"cluster": "c"}});
        let src = value!({"a": 2, "list": [2], "m": {"y": 3},
            "any": {"@type": "t2", "j": 2}, "redirect": {"path_redirect": "/"}});
        merge(&mut dst, &src, false);
        assert_eq!(dst["a"], 2);
        assert_eq!(dst["list"], value!([1, 2]));
        assert_eq!(dst["m"], value!({"x": 1, "y": 3}));
        assert_eq!(dst["any"], value!({"@type": "t2", "j": 2}));
        assert!(dst.get("route").is_none(), "a oneof sibling is cleared");
        let mut dst2 = value!({"list": [1]});
        merge(&mut dst2, &value!({"list": [2]}), true);
        assert_eq!(dst2["list"], value!([2]));
    }

    #[test]
    fn map_fields_replace_entries_instead_of_merging_them() {
        let mut dst =
            value!({"typed_per_filter_config": {"a": {"@type": "t", "x": 1}, "b": {"@type": "t"}}});
        let src = value!({"typed_per_filter_config": {"a": {"@type": "t", "y": 2}}});
        merge(&mut dst, &src, false);
        assert_eq!(
            dst["typed_per_filter_config"]["a"],
            value!({"@type": "t", "y": 2})
        );
        assert!(dst["typed_per_filter_config"].get("b").is_some());
    }

    #[test]
    fn typed_configs_of_different_types_do_not_merge() {
        let mut dst = value!({"@type": "a", "x": 1});
        assert!(merge_any(&mut dst, &value!({"@type": "b"})).is_err());
        merge_any(&mut dst, &value!({"@type": "a", "y": 2})).unwrap();
        assert_eq!(dst, value!({"@type": "a", "x": 1, "y": 2}));
    }
}
