//! The YAML printer (`envoy::yaml`) against serde_yaml_ng, which printed our YAML before it: the
//! same bytes for every resource of every preset, for hand-picked tricky values and for generated
//! strings and floats, and text that serde_yaml_ng reads back as the same value.

use pilotlight_core::envoy::{dump, yaml, Value};
use pilotlight_core::names::type_url;
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE, PRESETS};
use pilotlight_core::{load, translate, SourceFile};
use serde_json::json;

/// Prints `v` both ways, asserts the same text, and that the text reads back as `v`.
fn check(v: &Value) {
    let ours = yaml::to_string(v);
    let theirs = serde_yaml_ng::to_string(v).expect("serde_yaml_ng prints it");
    assert_eq!(ours, theirs, "printing {v}");
    let back: Value = serde_yaml_ng::from_str(&ours)
        .unwrap_or_else(|e| panic!("reading back {ours:?} ({v}): {e}"));
    assert_eq!(&back, v, "read back from {ours:?}");
}

#[test]
fn every_resource_of_every_preset_prints_as_serde_yaml_ng_did() {
    let mut worlds = vec![("bookinfo", "")];
    worlds.extend(PRESETS.iter().map(|p| (p.id, p.yaml)));
    let (mut proxies, mut values) = (0, 0);
    for (id, text) in worlds {
        let loaded = load(&[
            SourceFile::new(BOOKINFO_FILE, BOOKINFO),
            SourceFile::new("istio.yaml", text),
        ]);
        assert!(!loaded.mesh.proxies().is_empty(), "{id}");
        for proxy in loaded.mesh.proxies() {
            let config = translate::proxy_config(&loaded.mesh, proxy);
            // What `proxy-config all -o yaml` prints, what `proxy-config <kind> -o yaml` prints,
            // and each resource alone (the page's resource view).
            let mut printed = vec![dump::config_dump(&config)];
            for (resources, url) in [
                (&config.listeners, type_url::LISTENER),
                (&config.routes, type_url::ROUTE_CONFIGURATION),
                (&config.clusters, type_url::CLUSTER),
                (&config.endpoints, type_url::CLUSTER_LOAD_ASSIGNMENT),
            ] {
                printed.push(dump::typed_list(resources, url));
                printed.extend(resources.iter().cloned());
            }
            for v in &printed {
                check(v);
            }
            proxies += 1;
            values += printed.len();
        }
    }
    eprintln!("{proxies} proxies, {values} values printed alike");
    assert!(
        proxies > 100 && values > 5_000,
        "{proxies} proxies, {values} values"
    );
}

/// Strings that hit each quoting rule, and their neighbours that do not.
#[rustfmt::skip]
const TRICKY: &[&str] = &[
    "", " ", "  ", "a ", " a", "a b", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE",
    "false", "yes", "no", "on", "off", "y", "n", "0", "1", "-1", "+1", "01", "-01", "+01", "00",
    "0.5", "1.", ".5", "1e5", "1E5", "-1e-5", "1_000", "0x1F", "0X1F", "-0x1F", "+0x1F", "0x+1",
    "0x", "0o17", "0b101", "0b12", "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "0x100000000000000000000000000000000", "-0x80000000000000000000000000000000",
    "-0x80000000000000000000000000000001", "99999999999999999999999999999999999999999",
    "1e400", "-1e400", ".inf", "+.inf", "-.inf", ".Inf", ".nan", ".NaN", "+.nan", "inf", "-inf",
    "nan", "NaN", "infinity", "+-1", "-+1", "++1", "+", "-", "--", "1:2", "a: b", "a:b", "a:",
    "a :", ":a", ": a", "a #b", "a#b", "#a", "a #", "-a", "- a", "-\ta", "?", "? a", "?a", ":",
    ",a", "a,b", "[a", "a[b", "]", "{", "a}", "}a", "&a", "*a", "!a", "|a", ">a", "'a", "\"a",
    "%a", "@a", "`a", "a'b", "a\"b", "a''b", "'", "''", "---", "--- a", "---a", "--", "...",
    "..a", "....", "a\tb", "\t", "é", "中文", "😀", "a\rb", "\r\n", "\u{85}", "a\u{85}b",
    "\u{a0}", "a\u{2028}b", "\u{2028}", "a\u{2028}", "\u{2028}a", "a\u{2029}b", "a \u{2028}b",
    "a\u{2028} b", "a\u{2028}#b", "\u{feff}a", "\u{7f}", "\0", "a\0b", "\u{1b}", "\u{1}",
    "\u{9f}", "\u{d7ff}", "\u{e000}", "\u{fffd}", "\u{fffe}", "\u{ffff}", "\u{10000}",
    "\u{10ffff}", "a\\b", "\\", "2001:db8::1", "10.0.0.1", "10.0.0.1/32", "1.2.3", "*",
    "*.example.com", "/", "0s", "1s", "5xx", "=", "<", "a\nb", "a\nb\n", "a\nb\n\n", "\n",
    "\n\n", "\na", " a\nb", "a \nb", "a\n b", "a\n\nb", "a\nb ", "a\n\tb", "a\r\nb",
    "a\nb\u{2028}", "a\n\u{2028}", "a\u{2028}\nb", "- a\nb", "a: b\nc", "#\n", "'\n'",
    "\"a\"\nb", "a\\\nb", "null\n", "1\n",
];

fn tricky_documents(s: &str) -> Vec<Value> {
    let long = format!("{}{s}", "k".repeat(125));
    [
        json!(s),
        json!({"k": s}),
        json!({s: "v"}),
        json!([s, [s, {"k": s}]]),
        json!({"a": {"b": [{"c": {"d": s}}, s]}, s: {"e": [s]}}),
        json!({s: [s, {s: {}}], "x": []}),
        json!([{s: [1, 2]}, {"k": {s: s}}]),
        json!({&long: s, "a": {&long: [s]}}),
    ]
    .into_iter()
    .map(Value::from)
    .collect()
}

#[test]
fn tricky_strings_print_as_serde_yaml_ng_did() {
    for s in TRICKY {
        for v in tricky_documents(s) {
            check(&v);
        }
    }
}

#[test]
fn numbers_and_nesting_print_as_serde_yaml_ng_did() {
    let v = json!({
        "ints": [0, 1, -1, 65535, u64::MAX, i64::MIN, i64::MAX],
        "floats": [0.0, -0.0, 1.0, 0.5, 100.0, 0.1, 1e15, 1e16, 1e17, 123456.789, 1e-4, 1e-5,
                   1.5e-5, 1e-6, 12345678901234567.0, 1.0e300, 5e-324, f64::MAX, f64::MIN_POSITIVE,
                   1234567890123456.7, -2.5e-10],
        "nesting": [[[[]]], [{}], {"a": [[{}]]}, [[1, [2, {"b": [3, {}]}]]], {"c": {"d": {"e": {}}}}],
        "empty": {"map": {}, "list": [], "null": null, "bool": false},
    });
    check(&Value::from(v.clone()));
    for item in v.as_object().unwrap().values() {
        check(&Value::from(item.clone()));
        for inner in item.as_array().into_iter().flatten() {
            check(&Value::from(inner.clone()));
        }
    }
    for v in [
        json!([]),
        json!({}),
        json!(null),
        json!(true),
        json!(7),
        json!(2.5),
    ] {
        check(&Value::from(v));
    }
}

/// splitmix64: a deterministic generator, so a failure names a case that can be rerun.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Heavy in YAML's indicators, spaces, digits, quotes and line breaks, with some Unicode.
#[rustfmt::skip]
const ALPHABET: &[char] = &[
    ' ', ' ', ' ', 'a', 'b', 'x', 'e', 'E', 'o', 'n', 'u', 'l', 'T', 't', 'r', 'F', '0', '0', '1',
    '7', '9', '.', '.', '+', '-', '-', '_', '?', ':', ':', ',', '[', ']', '{', '}', '#', '#', '&',
    '*', '!', '|', '>', '\'', '\'', '"', '%', '@', '`', '~', '/', '\\', '=', '\n', '\n', '\n',
    '\t', '\r', '\0', '\x07', '\x1b', '\x7f', '\u{85}', '\u{a0}', '\u{2028}', '\u{2029}',
    '\u{feff}', '\u{fffe}', 'é', '中', '😀', '\u{e000}', '\u{d7ff}',
];

/// Whole words that read as other types or are indicators by themselves.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "null", "true", "False", "~", ".inf", "-.inf", ".nan", "0x1F", "0o7", "0b1", "1e5", "1.5",
    "007", "---", "...", "- ", ": ", " #", "yes", "inf", "NaN", "12",
];

fn generated_string(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(9) {
        if rng.below(8) == 0 {
            s.push_str(WORDS[rng.below(WORDS.len())]);
        } else {
            s.push(ALPHABET[rng.below(ALPHABET.len())]);
        }
    }
    s
}

#[test]
fn generated_strings_print_as_serde_yaml_ng_did() {
    let mut rng = Rng(0x5eed);
    for _ in 0..20_000 {
        let s = generated_string(&mut rng);
        let t = generated_string(&mut rng);
        check(&Value::from(json!(s)));
        check(&Value::from(
            json!({"a": {s.as_str(): t, "b": [s, {"c": [t]}]}}),
        ));
        check(&Value::from(json!([[t], {t.as_str(): {s.as_str(): [t]}}])));
    }
    // Keys either side of the 128-byte limit for an implicit key, with multi-byte characters.
    for _ in 0..2_000 {
        let s = generated_string(&mut rng);
        let key = format!("{}{s}", "k".repeat(120 + rng.below(10)));
        check(&Value::from(
            json!({key.as_str(): s, "z": [{key.as_str(): [1]}]}),
        ));
    }
}

#[test]
fn generated_floats_print_as_serde_yaml_ng_did() {
    let mut rng = Rng(0xf10a7);
    let mut checked = 0;
    while checked < 100_000 {
        // Random bit patterns cover every exponent; scaled integers cover the short decimals.
        let f = if rng.below(2) == 0 {
            f64::from_bits(rng.next())
        } else {
            (rng.next() % 1_000_000) as f64 / 10f64.powi(rng.below(12) as i32)
        };
        if !f.is_finite() {
            continue;
        }
        let v = Value::from(f);
        assert_eq!(
            yaml::to_string(&v),
            serde_yaml_ng::to_string(&f).unwrap(),
            "{f:e}"
        );
        checked += 1;
    }
    check(&Value::from(json!([1.0, 0.5, 1e16])));
}
