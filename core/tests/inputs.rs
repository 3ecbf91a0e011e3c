//! Inputs as people export them: what `kubectl get -o yaml|json` prints (a `kind: List` whose
//! items carry `status`, `managedFields` and the last-applied annotation) must give the same Envoy
//! config and the same findings as the same objects written as separate documents, with every
//! finding at the line of the same field inside the list.

use pilotlight_core::analyze::report;
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{load, translate, Diagnostic, SourceFile};
use serde_json::{json, Value};

/// Objects with findings of several kinds (a missing subset, a missing gateway, an unknown
/// DestinationRule host, an empty route entry) next to a routing preset.
const FINDINGS: &str = r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-broken
  namespace: default
spec:
  hosts:
  - reviews
  gateways:
  - no-such-gateway
  http:
  - route:
    - destination:
        host: reviews
        subset: v9
  - route:
    - {}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: nowhere
  namespace: default
spec:
  host: nowhere.example.com
"#;

fn objects() -> Vec<Value> {
    let preset = include_str!("../../static/presets/request-routing-jason.yaml");
    let mut out = Vec::new();
    for text in [preset, FINDINGS] {
        for doc in serde_yaml_ng::Deserializer::from_str(text) {
            let v: Value = serde::Deserialize::deserialize(doc).unwrap();
            if !v.is_null() {
                out.push(v);
            }
        }
    }
    out
}

/// What the API server adds to an object it returns.
fn as_returned(mut o: Value, i: usize) -> Value {
    let applied = serde_json::to_string(&o).unwrap();
    let api_version = o["apiVersion"].clone();
    let meta = o["metadata"].as_object_mut().unwrap();
    meta.insert("uid".into(), json!(format!("0000-{i}")));
    meta.insert("resourceVersion".into(), json!(format!("{}", 1000 + i)));
    meta.insert("generation".into(), json!(1));
    meta.insert(
        "annotations".into(),
        json!({"kubectl.kubernetes.io/last-applied-configuration": applied + "\n"}),
    );
    meta.insert(
        "managedFields".into(),
        json!([{"apiVersion": api_version, "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {".": {}}}, "manager": "kubectl-client-side-apply",
                "operation": "Update"}]),
    );
    o["status"] = json!({});
    o
}

fn kubectl_list() -> Value {
    let items: Vec<Value> = objects()
        .into_iter()
        .enumerate()
        .map(|(i, o)| as_returned(o, i))
        .collect();
    json!({"apiVersion": "v1", "kind": "List", "items": items,
           "metadata": {"resourceVersion": ""}})
}

fn separate_documents() -> String {
    objects()
        .iter()
        .map(|o| serde_yaml_ng::to_string(o).unwrap())
        .collect::<Vec<_>>()
        .join("---\n")
}

/// Every proxy's config as JSON, and the findings on `text`.
fn run(name: &str, text: &str) -> (Vec<String>, Vec<Diagnostic>) {
    let files = [
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new(name, text),
    ];
    let loaded = load(&files);
    let configs = loaded
        .mesh
        .proxies()
        .iter()
        .map(|p| {
            let c = translate::proxy_config(&loaded.mesh, p);
            serde_json::to_string(&pilotlight_core::envoy::dump::config_dump(&c)).unwrap()
        })
        .collect();
    (configs, report(&loaded, &files))
}

/// The key of the field a line holds (`subset` of `        subset: v9`, `"subset": "v9",`); for
/// a JSON array element (`{` alone on its line), its first key.
fn key_at(text: &str, line: u32) -> String {
    let mut lines = text.lines().skip(line as usize - 1);
    let mut l = lines.next().unwrap_or_default().trim();
    if l == "{" {
        l = lines.next().unwrap_or_default().trim();
    }
    let l = l.trim_start_matches("- ").trim_start();
    l.split(':')
        .next()
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}

fn same_findings(base: &(String, Vec<Diagnostic>), other: &(String, Vec<Diagnostic>)) {
    let (base_text, base) = base;
    let (text, found) = other;
    assert_eq!(base.len(), found.len(), "{base:#?}\n{found:#?}");
    assert!(base.len() >= 4, "the fixture has findings: {base:#?}");
    for (a, b) in base.iter().zip(found) {
        assert_eq!(
            (&a.code, &a.message, &a.object, a.severity),
            (&b.code, &b.message, &b.object, b.severity)
        );
        assert_eq!(
            key_at(base_text, a.line),
            key_at(text, b.line),
            "{} at {}:{} and {}:{}",
            a.code,
            a.file,
            a.line,
            b.file,
            b.line
        );
    }
}

#[test]
fn a_kubectl_list_in_yaml_and_in_json_reads_like_separate_documents() {
    let docs = separate_documents();
    let list = kubectl_list();
    let yaml = serde_yaml_ng::to_string(&list).unwrap();
    // kubectl's JSON: four-space indentation.
    let mut json_text = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut json_text, fmt);
    serde::Serialize::serialize(&list, &mut ser).unwrap();
    let json_text = String::from_utf8(json_text).unwrap();

    let (base_configs, base) = run("docs.yaml", &docs);
    let (yaml_configs, from_yaml) = run("list.yaml", &yaml);
    let (json_configs, from_json) = run("list.json", &json_text);
    assert_eq!(base_configs, yaml_configs);
    assert_eq!(base_configs, json_configs);
    let base = (docs, base);
    same_findings(&base, &(yaml, from_yaml));
    same_findings(&base, &(json_text.clone(), from_json));

    // The empty route entry is an IST0106 and the VirtualService is kept: its missing subset and
    // gateway are still found.
    let codes: Vec<&str> = base.1.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"IST0106"), "{codes:?}");
    assert!(
        base.1
            .iter()
            .filter(|d| d.object.as_deref() == Some("VirtualService default/reviews-broken"))
            .any(|d| d.code == "IST0101"),
        "{:#?}",
        base.1
    );

    // A JSON stream (`jq -c '.items[]'`), with a byte order mark and CRLF line ends, too.
    let stream: String = "\u{feff}".to_string()
        + &list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| serde_json::to_string(o).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n");
    let (stream_configs, from_stream) = run("stream.json", &stream);
    assert_eq!(base_configs, stream_configs);
    assert_eq!(
        base.1.iter().map(|d| &d.message).collect::<Vec<_>>(),
        from_stream.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

#[test]
fn a_list_of_items_that_are_not_objects_is_reported_at_its_line() {
    let files = [SourceFile::new(
        "bad.yaml",
        "apiVersion: v1\nkind: List\nitems:\n  name: x\n",
    )];
    let loaded = load(&files);
    let d = &loaded.diagnostics[0];
    assert_eq!((d.line, d.code.as_str()), (4, "PL0002"), "{d:?}");
}
