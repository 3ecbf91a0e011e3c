//! The `simulate` and `trace` subcommands as a user runs them.

use std::process::Command;

const PRESET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../static/presets/request-routing-jason.yaml"
);

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pilotlight"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn simulate_json_has_every_decision_key() {
    let (ok, out, err) = run(&[
        "simulate",
        "productpage-v1",
        "--bookinfo",
        "-f",
        PRESET,
        "--request",
        r#"{"port": 9080, "host": "reviews:9080", "headers": {"end-user": "jason"}}"#,
        "-o",
        "json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in [
        "listener",
        "filter_chain",
        "route_config",
        "virtual_host",
        "route",
        "cluster",
        "endpoint",
        "error",
        "steps",
    ] {
        assert!(v.get(k).is_some(), "missing {k} in {out}");
    }
    assert_eq!(v["listener"], "0.0.0.0_9080");
    assert_eq!(v["route_config"], "9080");
    assert_eq!(
        v["cluster"],
        "outbound|9080|v2|reviews.default.svc.cluster.local"
    );
    assert!(v["error"].is_null());
}

#[test]
fn simulate_short_and_errors() {
    let (ok, out, _) = run(&[
        "simulate",
        "productpage-v1",
        "--bookinfo",
        "--request",
        r#"{"port": 9080, "host": "reviews"}"#,
        "-o",
        "short",
    ]);
    assert!(ok);
    assert!(out.contains("listener      0.0.0.0_9080"), "{out}");
    assert!(out.contains("why:"), "{out}");

    let (ok, _, err) = run(&[
        "simulate",
        "productpage-v1",
        "--bookinfo",
        "--request",
        r#"{"prot": 1}"#,
    ]);
    assert!(!ok);
    assert!(err.contains("invalid request JSON"), "{err}");
    let (ok, _, err) = run(&["simulate", "productpage-v1", "--bookinfo", "-o", "yaml"]);
    assert!(!ok);
    assert!(err.contains("-o must be json or short"), "{err}");
    let (ok, _, err) = run(&["simulate", "nosuchproxy", "--bookinfo"]);
    assert!(!ok);
    assert!(err.contains("no proxy \"nosuchproxy\""), "{err}");
}

#[test]
fn trace_json_is_a_tree_of_hops() {
    let (ok, out, err) = run(&[
        "trace",
        "--bookinfo",
        "-f",
        PRESET,
        "--request",
        r#"{"path": "/productpage"}"#,
        "-o",
        "json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["workload"], "istio-ingressgateway");
    for k in [
        "workload",
        "to_workload",
        "listener",
        "route",
        "cluster",
        "children",
    ] {
        assert!(v.get(k).is_some(), "missing {k} in {out}");
    }
    let (ok, out, _) = run(&[
        "trace",
        "--bookinfo",
        "-f",
        PRESET,
        "--runs",
        "5",
        "-o",
        "json",
    ]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runs"], 5);
    let (ok, out, _) = run(&[
        "trace",
        "--bookinfo",
        "-f",
        PRESET,
        "--from",
        "reviews-v2",
        "--request",
        r#"{"port": 9080, "host": "ratings"}"#,
        "-o",
        "short",
    ]);
    assert!(ok);
    assert!(out.starts_with("reviews-v2 [outbound]"), "{out}");
}

#[test]
fn simulate_a_gateway_on_its_service_port() {
    let gw = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../static/presets/request-routing-v1.yaml"
    );
    let (ok, out, err) = run(&[
        "simulate",
        "istio-ingressgateway",
        "--bookinfo",
        "-f",
        gw,
        "--request",
        r#"{"port": 80, "path": "/productpage"}"#,
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["listener"], "0.0.0.0_8080", "{out}");
    assert_eq!(v["route_config"], "http.8080");
    assert_eq!(
        v["cluster"],
        "outbound|9080||productpage.default.svc.cluster.local"
    );
}
