//! The `simulate` and `trace` subcommands as a user runs them.

use std::process::Command;

const DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/conformance/dumps/httpbin-sidecar-listeners_authz_configdump.yaml"
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
        "--config-dump",
        DUMP,
        "--request",
        r#"{"mode": "inbound", "address": "10.0.0.1", "port": 80, "tls": "mtls"}"#,
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
    assert_eq!(v["listener"], "virtualInbound");
    assert_eq!(v["cluster"], "inbound|80||");
    assert!(v["error"].is_null());
}

#[test]
fn simulate_short_and_errors() {
    let (ok, out, _) = run(&[
        "simulate",
        "--config-dump",
        DUMP,
        "--request",
        r#"{"port": 9080, "host": "reviews"}"#,
        "-o",
        "short",
    ]);
    assert!(ok);
    assert!(out.contains("listener      0.0.0.0_9080"), "{out}");
    assert!(
        out.contains("error         no virtual host matched"),
        "{out}"
    );

    let (ok, _, err) = run(&[
        "simulate",
        "--config-dump",
        DUMP,
        "--request",
        r#"{"prot": 1}"#,
    ]);
    assert!(!ok);
    assert!(err.contains("invalid request JSON"), "{err}");
    let (ok, _, err) = run(&["simulate", "--config-dump", DUMP, "-o", "yaml"]);
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
    let (ok, out, _) = run(&["trace", "--bookinfo", "--runs", "5", "-o", "json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runs"], 5);
}
