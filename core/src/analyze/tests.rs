use super::*;
use crate::playground::world::{BOOKINFO, BOOKINFO_FILE, PRESETS};
use crate::{load, SourceFile};

fn run_on(text: &str) -> Vec<Diagnostic> {
    let files = [
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("istio.yaml", text),
    ];
    analyze_sources(&load(&files), &files)
}

#[test]
fn presets_have_no_errors() {
    for p in PRESETS {
        let found = run_on(p.yaml);
        let errors: Vec<_> = found
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", p.id);
        assert!(found.iter().all(|d| d.file == "istio.yaml"));
    }
}

#[test]
fn the_world_alone_is_clean() {
    let loaded = load(&[SourceFile::new(BOOKINFO_FILE, BOOKINFO)]);
    assert!(analyze(&loaded).is_empty());
    // In the page the world is the user's "cluster" editor: it must be clean there too.
    let files = [SourceFile::new("cluster.yaml", BOOKINFO)];
    let found = analyze_sources(&load(&files), &files);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn fast_enough_for_every_keystroke() {
    let preset =
        crate::playground::world::preset(crate::playground::world::DEFAULT_PRESET).unwrap();
    let loaded = load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("istio.yaml", preset.yaml),
    ]);
    let runs = 50;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(analyze(&loaded));
    }
    let each = start.elapsed() / runs;
    eprintln!("analyze: {each:?} per run (Bookinfo + {})", preset.id);
    // Well under 1 ms optimised; debug builds are ~10-20x slower.
    let budget = if cfg!(debug_assertions) {
        std::time::Duration::from_millis(20)
    } else {
        std::time::Duration::from_millis(1)
    };
    assert!(each < budget, "{each:?} per run");
}

#[test]
fn spans_point_at_the_field_key() {
    let found = run_on(
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: r\nspec:\n  host: reviews\n  trafficPolicy:\n    loadBalancer:\n      simple: ROUND_ROBINN\n",
    );
    let d = found.iter().find(|d| d.code == "IST0106").expect("IST0106");
    assert_eq!((d.line, d.column), (9, 7));
    assert!(d.message.contains("ROUND_ROBIN\"?"), "{}", d.message);
    assert_eq!(d.object.as_deref(), Some("DestinationRule default/r"));
}

#[test]
fn findings_are_sorted_and_levels_match_istio() {
    let found = run_on(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\nspec:\n  hosts: [nope]\n  http:\n  - route:\n    - destination:\n        host: nope\n  - route:\n    - destination:\n        host: reviews\n",
    );
    let lines: Vec<u32> = found.iter().map(|d| d.line).collect();
    let mut sorted = lines.clone();
    order::sort(&mut sorted);
    assert_eq!(lines, sorted);
    for d in &found {
        let code = codes::ALL.iter().find(|c| c.code == d.code).unwrap();
        assert_eq!(code.level, d.severity, "{}", d.code);
    }
    assert!(found.iter().any(|d| d.code == "IST0101" && d.line == 10));
    assert!(found.iter().any(|d| d.code == "IST0130" && d.line == 11));
}

#[test]
fn truncated_and_mangled_fixtures_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/analyze");
    for dir in std::fs::read_dir(root).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for cut in (1..lines.len()).step_by(4) {
                run_on(&lines[..cut].join("\n"));
                let mut mangled: Vec<&str> = lines.clone();
                mangled[cut] = "    - \"*\"";
                run_on(&mangled.join("\n"));
            }
        }
    }
}

#[test]
fn log_line_is_istioctl_style() {
    let d = Diagnostic::new(
        "IST0101",
        Severity::Error,
        "Referenced host not found: \"x\"",
        "f.yaml",
        Span::point(13, 9),
    )
    .with_object("VirtualService default/reviews");
    assert_eq!(
        render_log(&d),
        "Error [IST0101] (VirtualService default/reviews f.yaml:13) Referenced host not found: \"x\""
    );
}

#[test]
fn a_relative_patch_code_shows_once_per_envoy_filter_as_istioctl_prints_it() {
    let ef = "apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: lua
spec:
  configPatches:
  - applyTo: HTTP_FILTER
    patch:
      operation: REPLACE
      value: {name: envoy.lua}
  - applyTo: NETWORK_FILTER
    patch:
      operation: REPLACE
      value: {name: lua_cluster}
";
    let count = |text: &str| {
        run_on(text)
            .iter()
            .filter(|d| d.code == codes::ENVOY_FILTER_USES_RELATIVE_OPERATION.code)
            .count()
    };
    assert_eq!(count(ef), 1);
    // Another EnvoyFilter reports its own.
    let two = format!("{ef}---\n{}", ef.replace("name: lua\n", "name: lua-2\n"));
    assert_eq!(count(&two), 2);
}

#[test]
fn a_route_entry_without_destination_is_a_host_not_found() {
    let vs = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - {}
    - destination: {host: reviews}
";
    let found = run_on(vs);
    let missing: Vec<_> = found
        .iter()
        .filter(|d| d.code == "IST0101")
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(missing, [(9, "Referenced host not found: \"\"")]);
}

#[test]
fn an_empty_annotations_key_is_an_empty_map() {
    // `annotations:` with only a comment under it: Kubernetes reads no annotations, and the
    // Deployment's own annotation is still analyzed.
    let d = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: ratings
  annotations:
    sidecar.istio.io/inject: \"true\"
spec:
  selector: {matchLabels: {app: ratings}}
  template:
    metadata:
      annotations:
        # none yet
      labels: {app: ratings}
    spec:
      containers:
      - name: ratings
        image: ratings
";
    let found = run_on(d);
    assert!(found.iter().all(|x| x.code != "IST0106"), "{found:#?}");
    let codes: Vec<&str> = found.iter().map(|x| x.code.as_str()).collect();
    assert!(
        codes.contains(&"IST0107") && codes.contains(&"IST0135"),
        "{found:#?}"
    );
}
