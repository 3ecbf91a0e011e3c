//! The analyzer against its fixtures: `tests/analyze/<CODE>/bad*.yaml` must produce CODE at every
//! line marked `# <- CODE`, and `good*.yaml` (the same config, fixed) must not produce CODE at all.
//! Every fixture runs with the Bookinfo world loaded, as `pilotlight analyze --bookinfo` does.

// std's sorts are fine in native tests; clippy.toml keeps them out of the library (wasm size).
#![allow(clippy::disallowed_methods)]

use pilotlight_core::cli::analyze::findings;
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{Diagnostic, SourceFile};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/analyze")
}

fn run(path: &Path) -> Vec<Diagnostic> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    findings(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new(name, text),
    ])
}

/// Lines (1-based) marked `# <- CODE`.
fn marked(path: &Path, code: &str) -> Vec<u32> {
    let marker = format!("# <- {code}");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(&marker))
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

fn show(found: &[Diagnostic]) -> String {
    found
        .iter()
        .map(|d| format!("  {}:{} {} {}", d.line, d.column, d.code, d.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_code_fires_on_bad_and_not_on_good() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 17, "fixture folders: {dirs:?}");
    let mut failures = Vec::new();
    for dir in dirs {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let (mut bad, mut good) = (0, 0);
        for file in files {
            let fname = file.file_name().unwrap().to_string_lossy().into_owned();
            let found = run(&file);
            if fname.starts_with("bad") {
                bad += 1;
                let lines = marked(&file, &code);
                if lines.is_empty() {
                    failures.push(format!("{code}/{fname}: no `# <- {code}` marker"));
                }
                for line in lines {
                    if !found.iter().any(|d| d.code == code && d.line == line) {
                        failures.push(format!(
                            "{code}/{fname}: expected {code} at line {line}, found:\n{}",
                            show(&found)
                        ));
                    }
                }
            } else if fname.starts_with("good") {
                good += 1;
                if found.iter().any(|d| d.code == code) {
                    failures.push(format!(
                        "{code}/{fname}: unexpected {code}:\n{}",
                        show(&found)
                    ));
                }
            }
        }
        if bad == 0 || good == 0 {
            failures.push(format!("{code}: needs bad and good fixtures"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn good_fixtures_have_no_errors_at_all() {
    for dir in std::fs::read_dir(root()).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let file = file.unwrap().path();
            if !file
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("good")
            {
                continue;
            }
            let errors: Vec<Diagnostic> = run(&file)
                .into_iter()
                .filter(|d| d.severity == pilotlight_core::Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{}:\n{}", file.display(), show(&errors));
        }
    }
}

#[test]
fn findings_never_point_into_the_world() {
    for dir in std::fs::read_dir(root()).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let found = run(&file.unwrap().path());
            assert!(found.iter().all(|d| d.file != BOOKINFO_FILE), "{found:?}");
        }
    }
}

fn cli(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pilotlight"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn cli_log_and_json() {
    let bad = root().join("IST0101/bad-subset.yaml");
    let bad = bad.to_str().unwrap();
    let (status, out) = cli(&["analyze", "-f", bad, "--bookinfo"]);
    assert_eq!(status, 79, "{out}");
    let expected = format!(
        "Error [IST0101] (VirtualService default/reviews {bad}:12) Referenced host+subset in destinationrule not found: \"reviews+v4\""
    );
    assert!(out.contains(&expected), "{out}");
    assert!(out.contains("(did you mean \"v1\"?)") || out.contains("(did you mean \"v2\"?)"));

    let (status, out) = cli(&["analyze", "-f", bad, "--bookinfo", "-o", "json"]);
    // istioctl sets the "found issues" status for the log format only.
    assert_eq!(status, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v.as_array().unwrap()[0];
    for key in ["code", "level", "message", "file", "line", "column"] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["code"], "IST0101");
    assert_eq!(first["level"], "Error");
    assert_eq!(first["line"], 12);
    assert_eq!(first["column"], 9);

    let good = root().join("IST0101/good-subset.yaml");
    let (status, out) = cli(&["analyze", "-f", good.to_str().unwrap(), "--bookinfo"]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("No validation issues"), "{out}");
}

#[test]
fn cli_reports_parse_errors_instead_of_stopping() {
    let bad = root().join("IST0106/bad-unknown-field.yaml");
    let (status, out) = cli(&["analyze", "-f", bad.to_str().unwrap(), "--bookinfo"]);
    assert_eq!(status, 79);
    assert!(out.contains("[IST0106]"), "{out}");
    let (status, _) = cli(&["analyze", "-f", "/nonexistent.yaml"]);
    assert_eq!(status, 1);
}

#[test]
fn a_users_bookinfo_yaml_is_not_the_world() {
    let dir = std::env::temp_dir().join(format!("pilotlight-analyze-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root().join("IST0174/bad.yaml"), dir.join("bookinfo.yaml")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pilotlight"))
        .args(["analyze", "-f", "bookinfo.yaml", "--bookinfo"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("[IST0174]"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The kinds the analyzer reads from the text (Secrets, webhook configurations) count inside a
/// kubectl `List` too, in YAML and in JSON, as they do as separate documents.
#[test]
fn objects_read_from_the_text_count_inside_a_kubectl_list() {
    let good = std::fs::read_to_string(root().join("IST0101/good-credential-name.yaml")).unwrap();
    let (gateway, secret) = good.split_once("---\n").unwrap();
    let indent = |doc: &str| {
        doc.lines()
            .enumerate()
            .map(|(i, l)| format!("{}{l}\n", if i == 0 { "- " } else { "  " }))
            .collect::<String>()
    };
    let listed = format!(
        "{gateway}---\napiVersion: v1\nkind: List\nitems:\n{}",
        indent(secret)
    );
    let secret_codes = |text: &str| {
        findings(&[SourceFile::new("in.yaml", text.to_string())])
            .into_iter()
            .filter(|d| d.message.contains("shop-cert") || d.code == "IST0161")
            .map(|d| format!("{} {}", d.code, d.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(secret_codes(&listed), Vec::<String>::new());
    assert_eq!(secret_codes(&good), Vec::<String>::new());
    // The same gateway without the secret: the finding the List must have prevented.
    assert!(!secret_codes(gateway).is_empty());

    // An injector webhook configuration inside a JSON List is seen by the webhook analyzer.
    let webhook = serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [{
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "istio-sidecar-injector"},
            "webhooks": [{
                "name": "sidecar-injector.istio.io",
                "clientConfig": {"service": {"name": "istiod", "namespace": "istio-system"}}
            }]
        }]
    });
    let found = findings(&[SourceFile::new("in.json", webhook.to_string())]);
    assert!(
        found.iter().any(|d| d.code == "IST0139"
            && d.message == "Injector refers to a control plane service that does not exist: istio-system/istiod."),
        "{}",
        show(&found)
    );
}
