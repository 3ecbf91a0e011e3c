//! Hostile and broken input never panics, and every document that is rejected says why, at a line
//! of the file it came from.
//!
//! A seeded, deterministic generator (no time- or OS-dependent randomness, so a failure reproduces
//! exactly): alias bombs, deep nesting, huge scalars, a wrong-typed value in every field of a
//! VirtualService, DestinationRule and Service, random byte mutations and truncations of the
//! Bookinfo world and every preset. `PILOTLIGHT_FUZZ_ROUNDS=N` multiplies the number of random
//! mutations (default 1, a few seconds in a debug build).

// std's sorts are fine in native tests; clippy.toml keeps them out of the library (wasm size).
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use pilotlight_core::translate::proxy_config;
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE, PRESETS};
use pilotlight_core::yaml::parse_stream;
use pilotlight_core::{load, Diagnostic, SourceFile};

// ---------------------------------------------------------------------------------------------
// The pipeline under test, and the invariants every run must keep
// ---------------------------------------------------------------------------------------------

/// What one run of the pipeline produced, for the invariant checks.
struct Outcome {
    diagnostics: Vec<Diagnostic>,
    /// (file, first line) of every document that became an object.
    accepted: BTreeSet<(String, u32)>,
}

/// Everything the page does with the user's text: parse and load, then (with `translate`)
/// translate every proxy and render its resources.
fn pipeline(files: &[SourceFile], translate: bool) -> Outcome {
    let loaded = load(files);
    let proxies = if translate {
        loaded.mesh.proxies()
    } else {
        &[]
    };
    for proxy in proxies {
        let config = proxy_config(&loaded.mesh, proxy);
        // Rendering is part of the pipeline too (the page prints every resource).
        for resource in config
            .listeners
            .iter()
            .chain(&config.routes)
            .chain(&config.clusters)
            .chain(&config.endpoints)
        {
            serde_json::to_string(resource).unwrap();
        }
    }
    let accepted = loaded
        .objects
        .iter()
        .map(|o| (o.file.clone(), o.span.start_line))
        .collect();
    Outcome {
        diagnostics: loaded.diagnostics,
        accepted,
    }
}

/// Runs the pipeline on `files`, turning a panic into a test failure that names the case and
/// keeps the input for reproduction, and checks the diagnostics.
fn run(case: &str, files: &[SourceFile]) -> Outcome {
    run_with(case, files, true)
}

/// [`run`], translating every proxy only when `translate` (a debug build takes about 100 ms to
/// translate every Bookinfo proxy; the many-run tests translate a seeded share of their runs).
fn run_with(case: &str, files: &[SourceFile], translate: bool) -> Outcome {
    let outcome = match catch_unwind(AssertUnwindSafe(|| pipeline(files, translate))) {
        Ok(outcome) => outcome,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let path = save_failure(case, files);
            panic!(
                "{case}: the pipeline panicked: {msg}\ninput saved in {}",
                path.display()
            );
        }
    };
    if let Err(why) = check_diagnostics(files, &outcome) {
        let path = save_failure(case, files);
        panic!("{case}: {why}\ninput saved in {}", path.display());
    }
    outcome
}

fn save_failure(case: &str, files: &[SourceFile]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("robustness-failures");
    let _ = std::fs::create_dir_all(&dir);
    let safe: String = case
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = dir.join(format!("{safe}.yaml"));
    let mut text = String::new();
    for f in files {
        text.push_str(&format!("# ===== file {} =====\n{}\n", f.name, f.text));
    }
    let _ = std::fs::write(&path, text);
    path
}

/// Every diagnostic points into a file of the input, at a line that exists; a file that is not
/// YAML, and every non-empty document that did not become an object, has a diagnostic inside it.
fn check_diagnostics(files: &[SourceFile], outcome: &Outcome) -> Result<(), String> {
    // Lines per file, counting a lone `\r` as a line break too (YAML does).
    let line_counts: Vec<u32> = files
        .iter()
        .map(|f| f.text.split(['\n', '\r']).count() as u32 + 1)
        .collect();
    for d in &outcome.diagnostics {
        let Some(i) = files.iter().position(|f| f.name == d.file) else {
            return Err(format!("diagnostic in unknown file {:?}: {d:?}", d.file));
        };
        let lines = line_counts[i];
        if d.line < 1 || d.column < 1 || d.line > lines || d.end_line < d.line {
            return Err(format!(
                "diagnostic outside its file ({lines} lines): {d:?}"
            ));
        }
        if d.message.trim().is_empty() {
            return Err(format!("diagnostic without a message: {d:?}"));
        }
    }
    for file in files {
        let in_file = || outcome.diagnostics.iter().filter(|d| d.file == file.name);
        let (docs, error) = parse_stream(&file.text);
        if error.is_some() && in_file().next().is_none() {
            return Err(format!(
                "{}: YAML error {error:?} but no diagnostic",
                file.name
            ));
        }
        // Lines with a diagnostic, and lines other diagnostics refer to as `file:line`: a
        // document replaced by a later one of the same kind and name (the later one wins, as with
        // kubectl apply) is explained by the diagnostic at the later one. Sorted and hashed, so
        // 10,000 documents cost no more than linear time.
        let mut lines: Vec<u32> = in_file().map(|d| d.line).collect();
        lines.sort_unstable();
        let prefix = format!("{}:", file.name);
        let referenced: BTreeSet<u32> = outcome
            .diagnostics
            .iter()
            .flat_map(|d| {
                d.message
                    .match_indices(&prefix)
                    .map(|(i, _)| &d.message[i + prefix.len()..])
            })
            .filter_map(|rest| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .collect();
        for doc in docs.iter().filter(|d| !d.root.is_null()) {
            let span = doc.root.span;
            if outcome
                .accepted
                .contains(&(file.name.clone(), span.start_line))
            {
                continue;
            }
            let first_at_or_after = lines.partition_point(|&l| l < span.start_line);
            let inside = lines
                .get(first_at_or_after)
                .is_some_and(|&l| l <= span.end_line.max(span.start_line));
            if !inside && !referenced.contains(&span.start_line) {
                return Err(format!(
                    "{}: the document at lines {}..{} was rejected without a diagnostic inside it",
                    file.name, span.start_line, span.end_line
                ));
            }
        }
    }
    Ok(())
}

fn one(name: &str, text: impl Into<String>) -> Vec<SourceFile> {
    vec![SourceFile::new(name, text)]
}

fn has_error(outcome: &Outcome) -> bool {
    outcome
        .diagnostics
        .iter()
        .any(|d| d.severity == pilotlight_core::Severity::Error)
}

// ---------------------------------------------------------------------------------------------
// A deterministic generator
// ---------------------------------------------------------------------------------------------

/// xorshift64*: small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn rounds() -> usize {
    std::env::var("PILOTLIGHT_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

// ---------------------------------------------------------------------------------------------
// The corpus: the Bookinfo world with each preset, and with the reference Istio config
// ---------------------------------------------------------------------------------------------

/// Istio's Bookinfo request-routing task: a Gateway, VirtualServices, DestinationRules with
/// subsets, reviews pinned to v1.
const REFERENCE_ISTIO: &str =
    include_str!("../../tests/envoy-schema/bookinfo-reference-istio.yaml");

/// What a user loads: the Bookinfo world and one set of Istio config.
fn scenarios() -> Vec<Vec<SourceFile>> {
    let world = SourceFile::new(BOOKINFO_FILE, BOOKINFO);
    let mut all = vec![vec![
        world.clone(),
        SourceFile::new("reference-istio.yaml", REFERENCE_ISTIO),
    ]];
    for preset in PRESETS {
        all.push(vec![
            world.clone(),
            SourceFile::new(format!("{}.yaml", preset.id), preset.yaml),
        ]);
    }
    all
}

// ---------------------------------------------------------------------------------------------
// Hostile YAML
// ---------------------------------------------------------------------------------------------

#[test]
fn corpus_is_accepted() {
    for files in scenarios() {
        let outcome = run(&files[1].name, &files);
        assert!(
            !has_error(&outcome),
            "{}: {:#?}",
            files[1].name,
            outcome.diagnostics
        );
        assert!(
            outcome.accepted.iter().any(|(f, _)| *f == files[1].name),
            "{}",
            files[1].name
        );
        assert!(outcome.accepted.len() >= 10, "{:?}", outcome.accepted);
    }
}

#[test]
fn alias_bombs_are_refused_with_a_diagnostic() {
    // "Billion laughs": 10 levels of 10 aliases each, 10^10 nodes if expanded.
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  l0: &l0 \"lol\"\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        text.push_str(&format!("  l{i}: &l{i} [{refs}]\n"));
    }
    let outcome = run("billion laughs", &one("bomb.yaml", text.clone()));
    assert!(has_error(&outcome), "{:?}", outcome.diagnostics);

    // A bomb of mappings (anchors on maps, merged with `<<`) in a VirtualService's spec, in a
    // second document after a good one.
    let mut vs = String::from(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: bomb\nspec:\n  hosts: [a]\n  x0: &x0 {k: v, k2: v}\n",
    );
    for i in 1..25 {
        vs.push_str(&format!(
            "  x{i}: &x{i} {{x: *x{p}, y: *x{p}, <<: *x{p}}}\n",
            p = i - 1
        ));
    }
    let outcome = run("map bomb in a VirtualService", &one("bomb.yaml", vs));
    assert!(has_error(&outcome));
    assert!(
        outcome.accepted.contains(&("bomb.yaml".to_string(), 1)),
        "the good document survives"
    );
}

#[test]
fn many_anchors_and_aliases_finish() {
    // 2,000 anchors, then 2,000 aliases to the oldest. (The anchor lookup is a linear scan, so
    // this is quadratic: 20,000 of each take 1.6 s in a release build; kept small here.)
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many\ndata:\n  a: [");
    for i in 0..2_000 {
        text.push_str(&format!("&a{i} x{i}, "));
    }
    for _ in 0..2_000 {
        text.push_str("*a0, ");
    }
    text.push_str("z]\n");
    let start = std::time::Instant::now();
    run("many aliases", &one("aliases.yaml", text));
    // Reported, not enforced (the machine is shared): see the report in the test output.
    eprintln!("many_anchors_and_aliases: {:?}", start.elapsed());
}

/// The page runs in wasm32, whose default stack is 1 MiB; recursion that fits the 8 MiB of a
/// native main thread can still overflow there. Deep-input cases run on a thread this small.
const WASM_STACK: usize = 1 << 20;

/// A stack overflow aborts the whole process, so it cannot be caught like a panic: the cases that
/// could overflow run in a child process (this test binary again, told by an environment variable
/// to run them), and the parent reports a crash as a failure of that one test.
fn in_child_process(test_name: &str, body: fn()) {
    const CHILD: &str = "PILOTLIGHT_ROBUSTNESS_CHILD";
    if std::env::var(CHILD).as_deref() == Ok(test_name) {
        let child = std::thread::Builder::new()
            .stack_size(WASM_STACK)
            .spawn(body)
            .unwrap();
        if let Err(panic) = child.join() {
            std::panic::resume_unwind(panic);
        }
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test_name)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test_name} failed in its child process ({}):\n{stderr}\n{stdout}",
        out.status
    );
}

#[test]
fn deep_nesting_is_refused_with_a_diagnostic() {
    in_child_process(
        "deep_nesting_is_refused_with_a_diagnostic",
        deep_nesting_cases,
    );
}

fn deep_nesting_cases() {
    let depth = 20_000;
    let cases = [
        ("flow sequences", "[".repeat(depth) + &"]".repeat(depth)),
        ("flow mappings", "{a: ".repeat(depth) + "b" + &"}".repeat(depth)),
        ("unclosed flow", "{".repeat(depth * 5)),
        ("block sequences", "- ".repeat(depth) + "x\n"),
        ("block sequences, one per line", (0..depth).map(|i| " ".repeat(i % 2) + "-\n").collect::<String>()),
        (
            "inside a VirtualService",
            format!(
                "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: deep\nspec:\n  hosts: [a]\n  http: {}{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
    ];
    for (name, text) in cases {
        eprintln!("deep: {name}");
        let outcome = run(name, &one("deep.yaml", text));
        assert!(has_error(&outcome), "{name}: {:?}", outcome.diagnostics);
    }
    // Block mappings, 3,000 levels of indentation (4.5 MB).
    let mut text = String::new();
    for i in 0..3_000 {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    eprintln!("deep: block mappings");
    let outcome = run("block mappings", &one("deep.yaml", text));
    assert!(has_error(&outcome));
}

#[test]
fn huge_scalars_do_not_break_anything() {
    // 256 KiB: large enough to show nothing is quadratic in a scalar's length, small enough for a
    // debug build (the YAML scanner takes about 1 s per MiB there; see huge_input_timings).
    let big = "x".repeat(256 << 10);
    let cases = [
        ("huge name", format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {big}\nspec:\n  ports: [{{port: 80}}]\n")),
        ("huge key", format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  {big}: 1\n")),
        ("huge quoted", format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"{big}\"\n")),
        ("huge block", format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |\n    {big}\n")),
        (
            "huge host",
            format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [{big}]\n  http:\n  - route:\n    - destination:\n        host: {big}\n"),
        ),
        ("huge integer", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 99999999999999999999999999999999999}]\n".into()),
        ("huge negative", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: -99999999999999999999}]\n".into()),
        ("float overflow", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 1e999}]\n".into()),
        ("port out of range", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports: [{port: 65536}, {port: 0}, {port: -1}]\n".into()),
        (
            "huge weight",
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: 4294967296\n    - destination: {host: b}\n      weight: 4294967295\n".into(),
        ),
        ("many documents", "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n".repeat(5_000)),
        ("long line of keys", format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {{{}}}\n", (0..20_000).map(|i| format!("k{i}: v")).collect::<Vec<_>>().join(", "))),
    ];
    for (name, text) in cases {
        let start = std::time::Instant::now();
        run(name, &one("huge.yaml", text));
        eprintln!("{name}: {:?}", start.elapsed());
    }
}

#[test]
fn odd_text_is_handled() {
    let cases: &[(&str, &str)] = &[
        ("empty", ""),
        ("only separators", "---\n---\n...\n---\n"),
        ("only comments", "# nothing\n# here\n"),
        ("a scalar", "hello"),
        ("a list", "- a\n- b\n"),
        ("nul bytes", "apiVersion: v1\0\nkind: Service\n"),
        ("tabs", "apiVersion: v1\nkind: Service\nmetadata:\n\tname: a\n"),
        ("bom", "\u{feff}apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"),
        ("crlf", "apiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n"),
        ("cr only", "apiVersion: v1\rkind: Namespace\rmetadata:\r  name: a\r"),
        ("unicode", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"\u{1F600}\u{202E}\u{0301}\"\n"),
        ("directives", "%YAML 1.1\n%TAG ! tag:x,2000:\n---\n!foo {a: b}\n"),
        ("tags", "apiVersion: !!str v1\nkind: !Service Service\nmetadata: !!map\n  name: !!binary aGVsbG8=\n"),
        ("unknown alias", "a: *nope\n"),
        ("duplicate keys", "apiVersion: v1\nkind: Namespace\nkind: Service\nmetadata:\n  name: a\n  name: b\n"),
        ("complex keys", "? [a, b]\n: c\n? {x: y}\n: z\n"),
        ("null kind", "apiVersion: v1\nkind: ~\nmetadata:\n  name: a\n"),
        ("numeric kind", "apiVersion: 1\nkind: 2\nmetadata:\n  name: 3\n"),
        ("list metadata", "apiVersion: v1\nkind: Service\nmetadata: [a]\n"),
        ("empty name", "apiVersion: v1\nkind: Service\nmetadata:\n  name: ''\n"),
        ("bad indentation", "apiVersion: v1\n kind: Service\n"),
        ("unterminated quote", "apiVersion: \"v1\nkind: Service\n"),
        ("unterminated flow", "apiVersion: v1\nkind: Service\nmetadata: {name: a\n"),
        ("stray indicators", "- ]\n- }\n: :\n- ? - &\n"),
        ("anchor on a key", "&a apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n*a : x\n"),
    ];
    for (name, text) in cases {
        run(name, &one("odd.yaml", *text));
    }
}

// ---------------------------------------------------------------------------------------------
// Wrong types in every field
// ---------------------------------------------------------------------------------------------

const VIRTUAL_SERVICE: &str = r#"apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: default
  labels: {app: reviews}
spec:
  hosts: [reviews]
  gateways: [mesh]
  http:
  - name: jason
    match:
    - headers:
        end-user:
          exact: jason
      uri:
        prefix: /reviews
      port: 9080
      sourceLabels: {app: productpage}
    route:
    - destination:
        host: reviews
        subset: v2
        port:
          number: 9080
    timeout: 10s
    retries:
      attempts: 3
      perTryTimeout: 2s
      retryOn: 5xx
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: 75
    - destination:
        host: reviews
        subset: v3
      weight: 25
    fault:
      delay:
        fixedDelay: 7s
        percentage: {value: 50}
      abort:
        httpStatus: 500
        percentage: {value: 10}
    headers:
      request:
        set: {x-a: b}
    mirror:
      host: ratings
    mirrorPercentage: {value: 5.5}
    corsPolicy:
      allowOrigins: [{exact: "https://example.com"}]
  tcp:
  - match: [{port: 9081}]
    route:
    - destination: {host: reviews, port: {number: 9081}}
"#;

const DESTINATION_RULE: &str = r#"apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  trafficPolicy:
    loadBalancer:
      simple: LEAST_REQUEST
    connectionPool:
      tcp: {maxConnections: 100, connectTimeout: 30ms}
      http: {http1MaxPendingRequests: 10, maxRequestsPerConnection: 1}
    outlierDetection:
      consecutive5xxErrors: 7
      interval: 5m
      baseEjectionTime: 15m
    tls:
      mode: ISTIO_MUTUAL
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer:
        consistentHash:
          httpHeaderName: x-user
  - name: v3
    labels: {version: v3}
"#;

const SERVICE: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: default
  labels: {app: reviews, service: reviews}
spec:
  type: ClusterIP
  clusterIP: 10.96.0.20
  selector: {app: reviews}
  ports:
  - name: http
    port: 9080
    targetPort: 9080
    protocol: TCP
    appProtocol: http
"#;

const GATEWAY: &str = r#"apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: bookinfo-gateway
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
"#;

/// A small world for the documents above: reviews (two versions, one called by the other), and
/// an ingress gateway. Small, so that hundreds of runs stay fast.
const MINI_WORLD: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v1
  labels: {app: reviews, version: v1}
spec:
  replicas: 1
  selector:
    matchLabels: {app: reviews, version: v1}
  template:
    metadata:
      labels: {app: reviews, version: v1}
      annotations:
        pilotlight.io/calls: "reviews:9080/x"
    spec:
      containers:
      - name: reviews
        ports: [{containerPort: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v2
  labels: {app: reviews, version: v2}
spec:
  replicas: 1
  selector:
    matchLabels: {app: reviews, version: v2}
  template:
    metadata:
      labels: {app: reviews, version: v2}
    spec:
      containers:
      - name: reviews
        ports: [{containerPort: 9080}]
---
apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  labels: {istio: ingressgateway}
spec:
  selector: {istio: ingressgateway}
  ports:
  - {name: http2, port: 80, targetPort: 8080}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  replicas: 1
  selector:
    matchLabels: {istio: ingressgateway}
  template:
    metadata:
      labels: {istio: ingressgateway, sidecar.istio.io/inject: "false"}
    spec:
      containers:
      - name: istio-proxy
        ports: [{containerPort: 8080}]
"#;

/// Values of every YAML type, to put where they do not belong.
fn wrong_values() -> Vec<serde_yaml_ng::Value> {
    [
        "x",
        "''",
        "0",
        "-1",
        "4294967296",
        "1.5",
        "true",
        "null",
        "[]",
        "[1, [2]]",
        "{}",
        "{a: {b: c}}",
        "\"10s\"",
        "-10s",
        "-9223372036854775808",
    ]
    .iter()
    .map(|v| serde_yaml_ng::from_str(v).unwrap())
    .collect()
}

/// Every path to a value in `v` (map keys and list indices), the root excluded.
fn paths(v: &serde_yaml_ng::Value, prefix: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    use serde_yaml_ng::Value;
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                prefix.push(PathStep::Key(k.clone()));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Sequence(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(PathStep::Index(i));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(serde_yaml_ng::Value),
    Index(usize),
}

fn at_mut<'a>(v: &'a mut serde_yaml_ng::Value, path: &[PathStep]) -> &'a mut serde_yaml_ng::Value {
    path.iter().fold(v, |v, step| match step {
        PathStep::Key(k) => v.get_mut(k).unwrap(),
        PathStep::Index(i) => v.get_mut(*i).unwrap(),
    })
}

#[test]
fn wrong_types_in_every_field() {
    let world = |kind: &str| {
        let mut text = MINI_WORLD.to_string();
        for (k, doc) in [
            ("Service", SERVICE),
            ("Gateway", GATEWAY),
            ("DestinationRule", DESTINATION_RULE),
        ] {
            if k != kind {
                text.push_str("---\n");
                text.push_str(doc);
            }
        }
        SourceFile::new("world.yaml", text)
    };
    let mut rng = Rng::new(7);
    let mut runs = 0;
    let mut rejected = 0;
    for (kind, text) in [
        ("VirtualService", VIRTUAL_SERVICE),
        ("DestinationRule", DESTINATION_RULE),
        ("Service", SERVICE),
        ("Gateway", GATEWAY),
    ] {
        let original: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap();
        let mut all = Vec::new();
        paths(&original, &mut Vec::new(), &mut all);
        let values = wrong_values();
        for path in &all {
            // Every wrong value at every path would be ~15x the work for little more coverage:
            // a string and a mapping (they change every field's type), and with
            // PILOTLIGHT_FUZZ_ROUNDS > 1 more, chosen by the seeded generator.
            let mut chosen = vec![&values[0], &values[10]];
            for _ in 1..rounds() {
                chosen.push(rng.pick(&values));
            }
            for value in chosen {
                let mut doc = original.clone();
                *at_mut(&mut doc, path) = value.clone();
                let text = serde_yaml_ng::to_string(&doc).unwrap();
                let files = [SourceFile::new("input.yaml", text), world(kind)];
                let case = format!("{kind} {path:?} = {value:?}");
                let outcome = run(&case, &files);
                runs += 1;
                if !outcome.accepted.iter().any(|(f, _)| f == "input.yaml") {
                    rejected += 1;
                }
            }
        }
    }
    eprintln!("wrong types: {runs} runs, {rejected} documents rejected");
    assert!(
        runs > 250 && rejected > runs / 3,
        "{runs} runs, {rejected} rejected"
    );
}

// ---------------------------------------------------------------------------------------------
// Mutations and truncations of real input
// ---------------------------------------------------------------------------------------------

/// Bytes and fragments that mean something to YAML.
const SPECIAL: &[&str] = &[
    ":",
    "-",
    "- ",
    ": ",
    "?",
    "&a ",
    "*a",
    "!",
    "!!str ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "'",
    "\"",
    "#",
    "|",
    ">",
    "%",
    "@",
    "`",
    "\t",
    "\n",
    "\r\n",
    " ",
    "  ",
    "---\n",
    "...\n",
    "\0",
    "\u{feff}",
    "\u{85}",
    "~",
    "<<: ",
    "é",
    "\u{1F600}",
    "0x",
    "1e9",
    ".inf",
    "null",
    "true",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 => {
                // delete a run of bytes
                let end = (at + 1 + rng.below(16)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                // insert a YAML-special fragment
                let s = rng.pick(SPECIAL);
                bytes.splice(at..at, s.bytes());
            }
            2 => {
                // flip bits of one byte
                if at < bytes.len() {
                    bytes[at] ^= 1 << rng.below(8);
                }
            }
            3 => {
                // duplicate a line-sized chunk somewhere else
                let start = rng.below(bytes.len());
                let end = (start + rng.below(80)).min(bytes.len());
                let chunk = bytes[start..end].to_vec();
                let at = at.min(bytes.len());
                bytes.splice(at..at, chunk);
            }
            4 => {
                // change indentation of a line
                let line_start = bytes[..at.min(bytes.len())]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                if rng.below(2) == 0 {
                    bytes.splice(line_start..line_start, *b"  ");
                } else if bytes.get(line_start) == Some(&b' ') {
                    bytes.remove(line_start);
                }
            }
            _ => {
                // a random byte
                let at = at.min(bytes.len());
                bytes.insert(at, rng.next() as u8);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn random_mutations_of_real_input() {
    let scenarios = scenarios();
    let mut rng = Rng::new(2026);
    let n = 80 * rounds();
    let mut rejected = 0;
    for i in 0..n {
        let mut files = rng.pick(&scenarios).clone();
        let target = rng.below(files.len());
        files[target].text = mutate(&mut rng, &files[target].text);
        let outcome = run(&format!("mutation {i} of {}", files[target].name), &files);
        if has_error(&outcome) {
            rejected += 1;
        }
    }
    eprintln!("mutations: {n} runs, {rejected} with errors");
    assert!(
        rejected > n / 10,
        "mutations should often break the input: {rejected}/{n}"
    );
}

#[test]
fn truncation_at_every_line() {
    let world = SourceFile::new(BOOKINFO_FILE, BOOKINFO);
    let mut inputs: Vec<SourceFile> = scenarios().into_iter().map(|mut s| s.remove(1)).collect();
    inputs.push(world.clone());
    let mut rng = Rng::new(11);
    for file in inputs {
        let mut cut = 0;
        let mut n = 0;
        for line in file.text.split_inclusive('\n') {
            cut += line.len();
            // Cut at the end of every line, and in the middle of one line in four.
            let mut cuts = vec![cut];
            if rng.below(4 / rounds().clamp(1, 4)) == 0 {
                cuts.push(cut - line.len() / 2);
            }
            for at in cuts {
                let cut = SourceFile::new(
                    &file.name,
                    &file.text[..floor_char_boundary(&file.text, at)],
                );
                // A cut world is loaded alone; cut config alone, and with the whole world one
                // time in four (loading the world is most of the cost in a debug build).
                let files =
                    if file.name == BOOKINFO_FILE || rng.below(4 / rounds().clamp(1, 4)) != 0 {
                        vec![cut]
                    } else {
                        vec![world.clone(), cut]
                    };
                // Translate every proxy for one cut in four, and for the whole file.
                let translate = at == file.text.len() || rng.below(4 / rounds().clamp(1, 4)) == 0;
                run_with(
                    &format!("{} cut at byte {at}", file.name),
                    &files,
                    translate,
                );
                n += 1;
            }
        }
        assert!(n > 2, "{}", file.name);
    }
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}
