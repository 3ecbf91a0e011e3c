//! Structural diff of two [`ProxyConfig`]s, per resource: what people do by hand with Envoy's admin
//! page (save `/config_dump`, apply a VirtualService, compare), by resource name and JSON path.
//!
//! Resources are matched by name within their type (LDS, RDS, CDS, EDS). Inside a resource, objects
//! are compared key by key; arrays whose elements all carry a distinct `name` (virtual hosts,
//! filter chains, filters...) are matched by that name, routes by their `match`, other arrays by
//! position. Paths read
//! like `virtual_hosts["reviews.default.svc.cluster.local:9080"].routes["default"].route.cluster`.

use crate::envoy::ProxyConfig;
use crate::envoy::{Map, Value};
use crate::order;

/// The four xDS resource types, in `/config_dump` order of the tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Listener,
    Route,
    Cluster,
    Endpoint,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Listener, Kind::Route, Kind::Cluster, Kind::Endpoint];

    /// The page's tab id and istioctl's word: `listeners`, `routes`, `clusters`, `endpoints`.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Listener => "listeners",
            Kind::Route => "routes",
            Kind::Cluster => "clusters",
            Kind::Endpoint => "endpoints",
        }
    }

    fn of(self, config: &ProxyConfig) -> &[Value] {
        match self {
            Kind::Listener => &config.listeners,
            Kind::Route => &config.routes,
            Kind::Cluster => &config.clusters,
            Kind::Endpoint => &config.endpoints,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

impl Change {
    pub fn id(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

/// One field that differs: `before` is `None` when the field was added, `after` when removed.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// One resource that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDiff {
    pub kind: Kind,
    pub name: String,
    pub change: Change,
    /// For `Changed`: the fields, in document order. Empty for added and removed resources.
    pub fields: Vec<FieldChange>,
}

/// Every resource that differs between `before` and `after`, by type, then in `after`'s order
/// (removed resources where they were in `before`, after the others of their type).
pub fn diff(before: &ProxyConfig, after: &ProxyConfig) -> Vec<ResourceDiff> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let old = kind.of(before);
        let new = kind.of(after);
        for r in new {
            let name = resource_name(r);
            match old.iter().find(|o| resource_name(o) == name) {
                None => out.push(ResourceDiff {
                    kind,
                    name,
                    change: Change::Added,
                    fields: Vec::new(),
                }),
                Some(o) if o != r => {
                    let mut fields = Vec::new();
                    walk("", o, r, &mut fields);
                    out.push(ResourceDiff {
                        kind,
                        name,
                        change: Change::Changed,
                        fields,
                    });
                }
                Some(_) => {}
            }
        }
        for o in old {
            let name = resource_name(o);
            if !new.iter().any(|r| resource_name(r) == name) {
                out.push(ResourceDiff {
                    kind,
                    name,
                    change: Change::Removed,
                    fields: Vec::new(),
                });
            }
        }
    }
    out
}

/// `name` (listeners, routes, clusters) or `cluster_name` (endpoints).
pub fn resource_name(r: &Value) -> String {
    r.get("name")
        .or_else(|| r.get("cluster_name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", Value::from(key)),
    }
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<FieldChange>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => objects(path, x, y, out),
        (Value::Array(x), Value::Array(y)) => arrays(path, x, y, out),
        _ => out.push(FieldChange {
            path: path.to_string(),
            before: Some(a.clone()),
            after: Some(b.clone()),
        }),
    }
}

fn objects(path: &str, x: &Map, y: &Map, out: &mut Vec<FieldChange>) {
    for (k, bv) in y {
        let p = join_key(path, k);
        match x.get(k) {
            Some(av) => walk(&p, av, bv, out),
            None => out.push(FieldChange {
                path: p,
                before: None,
                after: Some(bv.clone()),
            }),
        }
    }
    for (k, av) in x {
        if !y.contains_key(k) {
            out.push(FieldChange {
                path: join_key(path, k),
                before: Some(av.clone()),
                after: None,
            });
        }
    }
}

/// Keys for the elements of an array when each element has a distinct one.
fn distinct_keys(items: &[Value], key: impl Fn(&Value) -> Option<String>) -> Option<Vec<String>> {
    let keys: Vec<String> = items.iter().map(key).collect::<Option<_>>()?;
    let mut sorted = keys.clone();
    order::sort(&mut sorted);
    sorted.dedup();
    (sorted.len() == keys.len()).then_some(keys)
}

/// How the elements of two arrays are paired, when they can be: by a distinct string `name`
/// (virtual hosts, clusters, listeners, filter chains, filters), else by a distinct `match`
/// (routes, which istiod names only when the VirtualService does), so an inserted route reads as
/// an insertion. Both sides are keyed the same way.
fn keys(x: &[Value], y: &[Value]) -> Option<(Vec<String>, Vec<String>)> {
    let name = |v: &Value| {
        v.get("name")
            .and_then(Value::as_str)
            .map(|n| Value::from(n).to_string())
    };
    let matcher = |v: &Value| {
        v.get("match")
            .filter(|m| m.is_object())
            .and_then(|m| serde_json::to_string(m).ok())
            .map(|m| format!("match {m}"))
    };
    let both = |key: &dyn Fn(&Value) -> Option<String>| {
        Some((distinct_keys(x, key)?, distinct_keys(y, key)?))
    };
    both(&name).or_else(|| both(&matcher))
}

fn arrays(path: &str, x: &[Value], y: &[Value], out: &mut Vec<FieldChange>) {
    if let Some((xn, yn)) = keys(x, y) {
        if !x.is_empty() && !y.is_empty() {
            for (i, n) in yn.iter().enumerate() {
                let p = format!("{path}[{n}]");
                match xn.iter().position(|m| m == n) {
                    Some(j) => walk(&p, &x[j], &y[i], out),
                    None => out.push(FieldChange {
                        path: p,
                        before: None,
                        after: Some(y[i].clone()),
                    }),
                }
            }
            for (j, n) in xn.iter().enumerate() {
                if !yn.contains(n) {
                    out.push(FieldChange {
                        path: format!("{path}[{n}]"),
                        before: Some(x[j].clone()),
                        after: None,
                    });
                }
            }
            return;
        }
    }
    for i in 0..x.len().max(y.len()) {
        let p = format!("{path}[{i}]");
        match (x.get(i), y.get(i)) {
            (Some(a), Some(b)) => walk(&p, a, b, out),
            (Some(a), None) => out.push(FieldChange {
                path: p,
                before: Some(a.clone()),
                after: None,
            }),
            (None, Some(b)) => out.push(FieldChange {
                path: p,
                before: None,
                after: Some(b.clone()),
            }),
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_value as json;
    use crate::playground::world;
    use crate::{load, translate, SourceFile};

    fn config(istio: &str, proxy_prefix: &str) -> ProxyConfig {
        let files = [
            SourceFile {
                name: "istio.yaml".into(),
                text: istio.into(),
            },
            SourceFile {
                name: "cluster.yaml".into(),
                text: world::BOOKINFO.into(),
            },
        ];
        let loaded = load(&files);
        let proxy = loaded
            .mesh
            .proxies()
            .iter()
            .find(|p| p.id().starts_with(proxy_prefix))
            .expect("proxy");
        translate::proxy_config(&loaded.mesh, proxy)
    }

    #[test]
    fn identical_configs_have_no_diff() {
        let c = config("", "productpage");
        assert!(diff(&c, &c).is_empty());
    }

    const DRS_ONLY: &str = "apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: default
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
";
    const REVIEWS_V1: &str = "---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: default
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
";

    /// The issue's example: applying reviews -> v1 changes the reviews route's cluster.
    #[test]
    fn applying_the_reviews_v1_virtual_service() {
        let before = config(DRS_ONLY, "productpage");
        let after = config(&format!("{DRS_ONLY}{REVIEWS_V1}"), "productpage");
        let d = diff(&before, &after);
        let route = d
            .iter()
            .find(|r| r.kind == Kind::Route && r.name == "9080")
            .expect("route 9080 changed");
        assert_eq!(route.change, Change::Changed);
        let cluster = route
            .fields
            .iter()
            .find(|f| f.path.ends_with("route.cluster"))
            .unwrap_or_else(|| panic!("{:#?}", route.fields));
        assert!(
            cluster
                .path
                .starts_with(r#"virtual_hosts["reviews.default.svc.cluster.local:9080"].routes"#),
            "{}",
            cluster.path
        );
        assert_eq!(
            cluster.before,
            Some(json!("outbound|9080||reviews.default.svc.cluster.local"))
        );
        assert_eq!(
            cluster.after,
            Some(json!("outbound|9080|v1|reviews.default.svc.cluster.local"))
        );
        // Nothing else but routes changes: clusters come from the DestinationRule, which stayed.
        assert!(d.iter().all(|r| r.kind == Kind::Route), "{d:#?}");
    }

    #[test]
    fn added_and_removed_resources_by_name() {
        let a = ProxyConfig {
            clusters: vec![json!({"name": "a"}), json!({"name": "b", "x": 1})],
            ..Default::default()
        };
        let b = ProxyConfig {
            clusters: vec![json!({"name": "b", "x": 2}), json!({"name": "c"})],
            endpoints: vec![json!({"cluster_name": "c"})],
            ..Default::default()
        };
        let d = diff(&a, &b);
        let summary: Vec<(Kind, &str, Change)> = d
            .iter()
            .map(|r| (r.kind, r.name.as_str(), r.change))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Kind::Cluster, "b", Change::Changed),
                (Kind::Cluster, "c", Change::Added),
                (Kind::Cluster, "a", Change::Removed),
                (Kind::Endpoint, "c", Change::Added),
            ]
        );
        assert_eq!(
            d[0].fields,
            vec![FieldChange {
                path: "x".into(),
                before: Some(json!(1)),
                after: Some(json!(2))
            }]
        );
    }

    #[test]
    fn paths_for_fields_and_positional_arrays() {
        let a = json!({"name": "r", "k": [1, 2], "m": {"a.b": 1, "gone": true}, "v": [{"name": "x", "t": 1}]});
        let b = json!({"name": "r", "k": [1, 3, 4], "m": {"a.b": 2, "new": null}, "v": [{"name": "x", "t": 2}, {"name": "y"}]});
        let mut out = Vec::new();
        walk("", &a, &b, &mut out);
        let paths: Vec<&str> = out.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "k[1]",
                "k[2]",
                r#"m["a.b"]"#,
                "m.new",
                "m.gone",
                r#"v["x"].t"#,
                r#"v["y"]"#
            ]
        );
        assert_eq!(out[1].before, None);
        assert_eq!(out[4].after, None);
    }

    #[test]
    fn a_route_inserted_before_the_default_one_reads_as_an_insertion() {
        let preset = |id: &str| world::preset(id).unwrap().yaml;
        let before = config(preset("request-routing-v1"), "productpage");
        let after = config(preset("request-routing-jason"), "productpage");
        let d = diff(&before, &after);
        let route = d
            .iter()
            .find(|r| r.kind == Kind::Route && r.name == "9080")
            .expect("route 9080 changed");
        let reviews = r#"virtual_hosts["reviews.default.svc.cluster.local:9080"].routes"#;
        let added: Vec<&FieldChange> = route
            .fields
            .iter()
            .filter(|f| f.path.starts_with(reviews))
            .collect();
        assert_eq!(added.len(), 1, "{added:#?}");
        assert!(added[0].before.is_none());
        assert!(added[0].path.contains(r#""end-user""#), "{}", added[0].path);
        assert_eq!(
            added[0].after.as_ref().unwrap()["route"]["cluster"],
            "outbound|9080|v2|reviews.default.svc.cluster.local"
        );
    }
}
