//! The command line as a user meets it: help on every command, the version, errors that name the
//! bad flag, completions, `pc`, istioctl's proxy-config filters and analyze's flags and exit
//! statuses.

use pilotlight_core::cli::run;
use serde_json::Value;

const PRESET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../static/presets/request-routing-v1.yaml"
);

fn cli(args: &[&str]) -> (i32, String, String) {
    cli_in(args, "")
}

fn cli_in(args: &[&str], stdin: &str) -> (i32, String, String) {
    let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&argv, &mut stdin.as_bytes(), &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn json(args: &[&str]) -> Vec<Value> {
    let (code, out, err) = cli(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn names(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|v| v[key].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn help_on_every_command_and_the_version() {
    for cmd in [
        vec![],
        vec!["proxies"],
        vec!["proxy-config"],
        vec!["pc", "cluster"],
        vec!["pc", "listeners"],
        vec!["pc", "r"],
        vec!["pc", "ep"],
        vec!["pc", "all"],
        vec!["simulate"],
        vec!["trace"],
        vec!["analyze"],
        vec!["convert"],
        vec!["bench"],
        vec!["completion"],
    ] {
        for flag in ["--help", "-h"] {
            let mut args = cmd.clone();
            args.push(flag);
            let (code, out, err) = cli(&args);
            assert_eq!(code, 0, "{args:?}: {err}");
            assert!(out.contains("Usage: pilotlight"), "{args:?}: {out}");
        }
    }
    let (code, out, _) = cli(&["help", "analyze"]);
    assert_eq!(code, 0);
    assert!(out.contains("--suppress"), "{out}");
    let (code, out, _) = cli(&["--version"]);
    assert_eq!((code, out.trim()), (0, "pilotlight 0.1.0"));
    // No arguments: the overview, not an error.
    let (code, out, _) = cli(&[]);
    assert_eq!(code, 0);
    assert!(out.contains("proxy-config"), "{out}");
}

#[test]
fn a_bad_flag_is_named_with_the_right_one() {
    let (code, _, err) = cli(&["proxies", "--bokinfo"]);
    assert_eq!(code, 2);
    assert!(err.contains("'--bokinfo'"), "{err}");
    assert!(err.contains("'--bookinfo'"), "{err}");
    let (code, _, err) = cli(&[
        "pc",
        "clusters",
        "productpage-v1",
        "--bookinfo",
        "--fdqn",
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("'--fqdn'"), "{err}");
    let (code, _, err) = cli(&["proxy-config", "listenrs", "productpage-v1"]);
    assert_eq!(code, 2);
    assert!(err.contains("listener"), "{err}");
    let (code, _, err) = cli(&["analize"]);
    assert_eq!(code, 2);
    assert!(err.contains("analyze"), "{err}");
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = cli(&["completion", shell]);
        assert_eq!(code, 0, "{err}");
        for word in [
            "proxy-config",
            "bookinfo",
            "suppress",
            "fqdn",
            "list-analyzers",
        ] {
            assert!(out.contains(word), "{shell}: {word}");
        }
    }
    let (code, _, err) = cli(&["completion", "powershell"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn pc_is_proxy_config() {
    let long = cli(&["proxy-config", "routes", "productpage-v1", "--bookinfo"]);
    let short = cli(&["pc", "r", "productpage-v1", "--bookinfo"]);
    assert_eq!(long.0, 0, "{}", long.2);
    assert_eq!(long, short);
    // Flags may come before the resource, as with istioctl.
    let before = cli(&["pc", "--bookinfo", "routes", "productpage-v1"]);
    assert_eq!(long, before);
}

#[test]
fn cluster_filters_as_istioctl() {
    let base = [
        "pc",
        "clusters",
        "productpage-v1",
        "--bookinfo",
        "-f",
        PRESET,
        "-o",
        "json",
    ];
    let all = names(&json(&base), "name");
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        names(&json(&args), "name")
    };
    let by_fqdn = with(&["--fqdn", "reviews"]);
    assert!(!by_fqdn.is_empty() && by_fqdn.len() < all.len());
    assert!(by_fqdn.iter().all(|n| n.contains("reviews")), "{by_fqdn:?}");
    let by_subset = with(&["--subset", "v1", "--fqdn", "reviews"]);
    assert_eq!(
        by_subset,
        ["outbound|9080|v1|reviews.default.svc.cluster.local"]
    );
    let by_port = with(&["--port", "9080"]);
    assert!(by_port.iter().all(|n| n.contains("|9080|")) && by_port.len() > 4);
    let inbound = with(&["--direction", "inbound"]);
    assert!(!inbound.is_empty() && inbound.iter().all(|n| n.starts_with("inbound")));
    // The table is filtered the same way.
    let (_, table, _) = cli(&[
        "pc",
        "c",
        "productpage-v1",
        "--bookinfo",
        "-f",
        PRESET,
        "--subset",
        "v2",
    ]);
    assert!(table.lines().skip(1).all(|l| l.contains(" v2 ")), "{table}");
    assert!(table.lines().count() >= 3, "{table}");
}

#[test]
fn listener_route_and_endpoint_filters_as_istioctl() {
    let base = ["pc", "--bookinfo", "-o", "json"];
    let run_with = |what: &str, extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(&[what, "productpage-v1"]);
        args.extend_from_slice(extra);
        json(&args)
    };
    let by_port = run_with("listeners", &["--port", "9080"]);
    assert_eq!(names(&by_port, "name"), ["0.0.0.0_9080"]);
    // HCM next to a tcp_proxy to the PassthroughCluster: istioctl calls it HTTP+TCP.
    assert_eq!(
        run_with("listeners", &["--port", "9080", "--type", "http+tcp"]).len(),
        1
    );
    assert!(run_with("listeners", &["--port", "9080", "--type", "TCP"]).is_empty());
    let by_address = run_with("listeners", &["--address", "0.0.0.0"]);
    assert!(by_address
        .iter()
        .all(|l| l["address"]["socket_address"]["address"] == "0.0.0.0"));
    assert!(by_address.len() > 2);

    assert_eq!(
        names(&run_with("routes", &["--name", "9080"]), "name"),
        ["9080"]
    );

    let reviews = "outbound|9080||reviews.default.svc.cluster.local";
    let count = |items: &[Value]| -> usize {
        items
            .iter()
            .flat_map(|c| c["endpoints"].as_array().cloned().unwrap_or_default())
            .map(|g| g["lb_endpoints"].as_array().map_or(0, Vec::len))
            .sum()
    };
    let all = run_with("endpoints", &[]);
    let in_reviews = run_with("endpoints", &["--cluster", reviews]);
    assert_eq!(count(&in_reviews), 3);
    assert!(count(&all) > 3);
    let first = &in_reviews
        .iter()
        .find(|c| c["cluster_name"] == reviews)
        .unwrap()["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"];
    let address = format!(
        "{}:{}",
        first["address"].as_str().unwrap(),
        first["port_value"]
    );
    assert_eq!(count(&run_with("endpoints", &["--address", &address])), 1);
    assert_eq!(
        count(&run_with("endpoints", &["--port", "9080"])),
        count(&run_with(
            "endpoints",
            &["--port", "9080", "--status", "healthy"]
        ))
    );
    assert_eq!(count(&run_with("endpoints", &["--status", "UNHEALTHY"])), 0);
    assert!(count(&run_with("endpoints", &["--port", "9080"])) >= 6);

    // `all` filters each table.
    let (code, out, err) = cli(&[
        "pc",
        "all",
        "productpage-v1",
        "--bookinfo",
        "--port",
        "9080",
        "--name",
        "9080",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("|15021|") && out.contains("|9080|"), "{out}");
}

const BROKEN: &str = "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  gateways: [nosuch]
  http:
  - route:
    - destination: {host: reviews}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: nowhere
spec:
  host: nowhere.example.com
";

fn analyze(extra: &[&str], input: &str) -> (i32, String, String) {
    let mut args = vec!["analyze", "-f", "-", "--bookinfo"];
    args.extend_from_slice(extra);
    cli_in(&args, input)
}

#[test]
fn analyze_suppressions_by_flag_and_annotation() {
    let (code, out, _) = analyze(&[], BROKEN);
    assert_eq!(code, 79);
    assert!(
        out.contains("[IST0101]") && out.contains("[IST0174]"),
        "{out}"
    );
    // istioctl matches `Kind namespace/name`, with `*` for any text.
    let (code, out, _) = analyze(&["-S", "IST0101=VirtualService default/rev*"], BROKEN);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains("[IST0101]") && out.contains("[IST0174]"),
        "{out}"
    );
    let (_, out, _) = analyze(&["-S", "IST0101=VirtualService other/*"], BROKEN);
    assert!(out.contains("[IST0101]"), "{out}");
    let (_, out, _) = analyze(
        &[
            "--suppress",
            "IST0101=*",
            "--suppress",
            "IST0174=DestinationRule default/nowhere",
            // istioctl also reports the missing gateway's host (IST0132).
            "--suppress",
            "IST0132=VirtualService default/reviews",
        ],
        BROKEN,
    );
    assert!(out.contains("No validation issues"), "{out}");
    let (code, _, err) = analyze(&["-S", "IST0101"], BROKEN);
    assert_eq!(code, 1);
    assert!(err.contains("not a valid suppression value"), "{err}");
    let (_, _, err) = analyze(&["-S", "IST9999=x"], BROKEN);
    assert!(err.contains("unknown message code"), "{err}");

    let annotated = BROKEN.replace(
        "  name: reviews\n",
        "  name: reviews\n  annotations:\n    galley.istio.io/analyze-suppress: IST0108,IST0101\n",
    );
    let (code, out, _) = analyze(&[], &annotated);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains("[IST0101]") && out.contains("[IST0174]"),
        "{out}"
    );
    let all = BROKEN.replace(
        "  name: nowhere\n",
        "  name: nowhere\n  annotations: {galley.istio.io/analyze-suppress: '*'}\n",
    );
    let (_, out, _) = analyze(&[], &all);
    assert!(
        out.contains("[IST0101]") && !out.contains("[IST0174]"),
        "{out}"
    );
}

#[test]
fn analyze_thresholds_and_exit_statuses() {
    // Only the Warning left: exit 0 by default, 79 from --failure-threshold Warning.
    let only_warning = ["-S", "IST0101=*"];
    assert_eq!(analyze(&only_warning, BROKEN).0, 0);
    let mut args = only_warning.to_vec();
    args.extend(["--failure-threshold", "warning"]);
    assert_eq!(analyze(&args, BROKEN).0, 79);
    // The output threshold hides the Warning, but the status still counts it.
    args.extend(["--output-threshold", "Error"]);
    let (code, out, _) = analyze(&args, BROKEN);
    assert_eq!(code, 79);
    assert!(!out.contains("[IST0174]"), "{out}");
    let (code, out, _) = analyze(&["--output-threshold", "ERROR"], BROKEN);
    assert_eq!(code, 79);
    assert!(
        out.contains("[IST0101]") && !out.contains("[IST0174]"),
        "{out}"
    );
    let (code, _, err) = analyze(&["--output-threshold", "loud"], BROKEN);
    assert_eq!(code, 1);
    assert!(err.contains("invalid level option"), "{err}");
    // No status for json or yaml output; an unknown format is istioctl's usage error.
    assert_eq!(analyze(&["-o", "json"], BROKEN).0, 0);
    let (code, out, _) = analyze(&["-o", "yaml"], BROKEN);
    assert_eq!(code, 0);
    assert!(out.contains("code: IST0101"), "{out}");
    assert_eq!(analyze(&["-o", "xml"], BROKEN).0, 64);
    // A document that is not an object: istioctl's parse error status, unless --ignore-unknown.
    let unreadable = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n- just a list\n";
    assert_eq!(analyze(&[], unreadable).0, 65);
    assert_eq!(analyze(&["--ignore-unknown"], unreadable).0, 0);
}

#[test]
fn analyze_lists_its_analyzers() {
    let (code, out, _) = cli(&["analyze", "-L"]);
    assert_eq!(code, 0);
    assert!(out.contains("IST0101") && out.contains("IST0106"), "{out}");
    assert!(
        out.lines().filter(|l| l.starts_with("* ")).count() >= 10,
        "{out}"
    );
}

#[test]
fn analyze_mesh_config_file() {
    let dir = std::env::temp_dir().join(format!("pilotlight-meshcfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let entry = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: db\nspec:\n  hosts: [db.example.com]\n  ports:\n  - {number: 5432, name: tcp-db, protocol: TCP}\n  resolution: DNS\n";
    let (_, out, _) = analyze(&[], entry);
    assert!(out.contains("[IST0134]"), "{out}");
    // MeshConfig with DNS capture and address auto-allocation: istioctl no longer asks for
    // addresses.
    let mesh = dir.join("mesh.yaml");
    std::fs::write(
        &mesh,
        "defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: \"true\"\n    ISTIO_META_DNS_AUTO_ALLOCATE: \"true\"\n",
    )
    .unwrap();
    let mesh = mesh.to_str().unwrap();
    let (code, out, _) = analyze(&["--meshConfigFile", mesh], entry);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("[IST0134]"), "{out}");
    // It replaces an `istio` ConfigMap given as input.
    let config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: \"{}\"\n---\n";
    let (_, out, _) = analyze(&["--meshConfigFile", mesh], &format!("{config_map}{entry}"));
    assert!(!out.contains("[IST0134]"), "{out}");
    // A MeshConfig that cannot be read is a finding in that file, at its own line.
    let bad = dir.join("bad-mesh.yaml");
    std::fs::write(&bad, "# mesh\nenableTracing: maybe\n").unwrap();
    let bad = bad.to_str().unwrap();
    let (_, out, _) = analyze(&["--meshConfigFile", bad, "-o", "json"], entry);
    let found: Vec<Value> = serde_json::from_str(&out).unwrap();
    let in_mesh: Vec<&Value> = found.iter().filter(|d| d["file"] == bad).collect();
    assert_eq!(in_mesh.len(), 1, "{out}");
    assert!(
        in_mesh[0]["message"]
            .as_str()
            .unwrap()
            .contains("invalid mesh config"),
        "{out}"
    );
    assert!(
        (1..=3).contains(&in_mesh[0]["line"].as_u64().unwrap()),
        "{out}"
    );
    let (code, _, err) = analyze(&["--meshConfigFile", "/nonexistent/mesh.yaml"], entry);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/mesh.yaml"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
