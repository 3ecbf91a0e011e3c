//! `pilotlight analyze -f FILE... [--bookinfo] [-o log|json|yaml] [-S CODE=RESOURCE]...
//! [--output-threshold LEVEL] [--failure-threshold LEVEL] [-L]`: istioctl analyze on files.
//!
//! Unlike the other commands, errors in the input do not stop it: they are findings to print.
//! Exit status as istioctl's, and only with `-o log` (istioctl sets none for json or yaml): 79
//! when a finding (suppressions applied, the output threshold not) is at or above the failure
//! threshold (Error by default), else 65 when a document could not be read at all (unless
//! `--ignore-unknown`), else 0.

use super::Args;
use crate::analyze::{
    documentation_url, render_log, report, report_with, ReportOptions, Suppression,
};
use crate::diag::codes as own;
use crate::{load, Diagnostic, Severity, SourceFile};
use std::io::Write;

/// istioctl's exit status when analysis finds issues at or above the failure threshold.
pub const FOUND_ISSUES: i32 = 79;
/// istioctl's exit status (ExitDataError) when some input could not be parsed.
pub const PARSE_ERRORS: i32 = 65;
/// istioctl's exit status (ExitIncorrectUsage) for an output format it does not know.
pub const INCORRECT_USAGE: i32 = 64;

/// Every code istioctl knows (pkg/config/analysis/msg/messages.yaml): `-S` with another code
/// gets istioctl's warning that it will have no effect.
const ISTIO_CODES: &str = "IST0001 IST0002 IST0101 IST0102 IST0103 IST0106 IST0107 IST0108 \
    IST0109 IST0110 IST0111 IST0112 IST0116 IST0118 IST0123 IST0125 IST0126 IST0127 IST0128 \
    IST0129 IST0130 IST0131 IST0132 IST0133 IST0134 IST0135 IST0136 IST0137 IST0138 IST0139 \
    IST0140 IST0141 IST0142 IST0143 IST0144 IST0145 IST0146 IST0147 IST0148 IST0149 IST0150 \
    IST0151 IST0152 IST0153 IST0154 IST0155 IST0156 IST0157 IST0158 IST0159 IST0160 IST0161 \
    IST0162 IST0163 IST0164 IST0165 IST0166 IST0167 IST0168 IST0169 IST0170 IST0171 IST0172 \
    IST0173 IST0174 IST0175 IST0176 IST0177";

/// Our codes for input that could not be read as objects: istioctl's parse errors.
fn is_parse_error(d: &Diagnostic) -> bool {
    [own::YAML_SYNTAX, own::NOT_AN_OBJECT, own::LIMIT].contains(&d.code.as_str())
}

/// `Info`, `Warning` or `Error`, in any case, as istioctl reads a threshold.
pub fn level(text: &str) -> Option<Severity> {
    [Severity::Info, Severity::Warning, Severity::Error]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(text))
}

/// `-L`: what runs here, by code (istioctl lists analyzers; ours report these codes).
/// `-L`: istioctl's analyzer names and descriptions, with the codes each can report.
fn list_analyzers(out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "Available analyzers:")?;
    for a in crate::analyze::ANALYZERS {
        writeln!(out, "* {}:", a.name)?;
        writeln!(out, "    {}", a.description)?;
        let codes: Vec<&str> = a.codes.iter().map(|c| c.code).collect();
        writeln!(out, "    Reports {}", codes.join(", "))?;
    }
    Ok(())
}

/// Read the inputs; errors here (a missing file) are usage errors, not findings.
fn read_files(args: &Args, stdin: &mut dyn std::io::Read) -> Result<Vec<SourceFile>, String> {
    let mut files = Vec::new();
    if args.bookinfo {
        files.push(SourceFile::new(
            crate::playground::world::BOOKINFO_FILE,
            crate::playground::world::BOOKINFO,
        ));
    }
    for name in &args.files {
        if name == "-" {
            let mut s = String::new();
            stdin
                .read_to_string(&mut s)
                .map_err(|e| format!("reading standard input: {e}"))?;
            files.push(SourceFile::new("<stdin>", s));
        } else {
            let text = std::fs::read_to_string(name).map_err(|e| format!("{name}: {e}"))?;
            // A user's own `bookinfo.yaml` must not pass for the built-in world, whose findings
            // are never shown.
            let shown = if name == crate::playground::world::BOOKINFO_FILE {
                format!("./{name}")
            } else {
                name.clone()
            };
            files.push(SourceFile::new(shown, text));
        }
    }
    if args.files.is_empty() {
        return Err("no input: give -f FILE".into());
    }
    if let Some(path) = args.option("meshConfigFile") {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        // Last, so it replaces an `istio` ConfigMap given as input, as istioctl's flag does.
        files.push(SourceFile::new(path, mesh_config_map(&text)));
    }
    Ok(files)
}

/// Lines before the MeshConfig's first line in [`mesh_config_map`].
const MESH_CONFIG_MAP_HEADER: u32 = 7;

/// A MeshConfig file as the `istio` ConfigMap in `istio-system`, where the core reads
/// MeshConfig (istioctl's `--meshConfigFile` likewise replaces the mesh's configuration).
fn mesh_config_map(mesh: &str) -> String {
    let mut out = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |-\n",
    );
    for line in mesh.trim_start_matches('\u{feff}').lines() {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Findings in the MeshConfig file point at its own lines, not the ConfigMap around it; that
/// it replaces an input's `istio` ConfigMap is what the flag asks for, not a finding.
fn unwrap_mesh_config_lines(args: &Args, found: &mut Vec<Diagnostic>) {
    let Some(path) = args.option("meshConfigFile") else {
        return;
    };
    found.retain(|d| !(d.file == path && d.code == own::DUPLICATE_OBJECT));
    for d in found.iter_mut().filter(|d| d.file == path) {
        d.line = d.line.saturating_sub(MESH_CONFIG_MAP_HEADER).max(1);
        d.end_line = d.end_line.saturating_sub(MESH_CONFIG_MAP_HEADER).max(1);
        d.column = d.column.saturating_sub(4).max(1);
        d.end_column = d.end_column.saturating_sub(4).max(1);
    }
}

/// Everything to report for these files (see [`report`]).
pub fn findings(files: &[SourceFile]) -> Vec<Diagnostic> {
    report(&load(files), files)
}

pub fn run(
    args: &Args,
    stdin: &mut dyn std::io::Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, String> {
    let w = |e: std::io::Error| e.to_string();
    let format = args.output.as_deref().unwrap_or("log").to_ascii_lowercase();
    if !matches!(format.as_str(), "log" | "json" | "yaml") {
        writeln!(
            err,
            "error: {format} not a valid option for format. See pilotlight analyze --help"
        )
        .map_err(w)?;
        return Ok(INCORRECT_USAGE);
    }
    if args.flag("list-analyzers") {
        list_analyzers(out).map_err(w)?;
        return Ok(0);
    }
    let threshold = |name: &str, default: Severity| match args.option(name) {
        None => Ok(default),
        Some(t) => level(t).ok_or_else(|| {
            format!("invalid argument {t:?} for \"--{name}\" flag: invalid level option")
        }),
    };
    let output_threshold = threshold("output-threshold", Severity::Info)?;
    let failure_threshold = threshold("failure-threshold", Severity::Error)?;
    let mut suppress = Vec::new();
    for s in args.list("suppress") {
        let s = Suppression::parse(s)?;
        if !ISTIO_CODES.split_whitespace().any(|c| c == s.code) {
            writeln!(
                err,
                "Warning: Supplied message code '{}' is an unknown message code and will not have any effect.",
                s.code
            )
            .map_err(w)?;
        }
        suppress.push(s);
    }
    let files = read_files(args, stdin)?;
    let loaded = load(&files);
    // The exit status counts findings below the output threshold too, as istioctl's does.
    let options = ReportOptions {
        suppress,
        output_threshold: Severity::Info,
    };
    let mut all = report_with(&loaded, &files, &options);
    unwrap_mesh_config_lines(args, &mut all);
    let found: Vec<&Diagnostic> = all
        .iter()
        .filter(|d| d.severity <= output_threshold)
        .collect();
    match format.as_str() {
        "log" => {
            if found.is_empty() {
                let names: Vec<&str> = args.files.iter().map(String::as_str).collect();
                writeln!(
                    out,
                    "\u{2714} No validation issues found when analyzing {}.",
                    names.join(", ")
                )
                .map_err(w)?;
            }
            for d in &found {
                writeln!(out, "{}", render_log(d)).map_err(w)?;
            }
        }
        _ => {
            let items: Vec<serde_json::Value> = found
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "code": d.code,
                        "level": d.severity.as_str(),
                        "message": d.message,
                        "origin": d.object.clone().unwrap_or_default(),
                        "reference": format!("{}:{}", d.file, d.line),
                        "documentationUrl": documentation_url(&d.code),
                        "file": d.file,
                        "line": d.line,
                        "column": d.column,
                        "endLine": d.end_line,
                        "endColumn": d.end_column,
                    })
                })
                .collect();
            let items = serde_json::Value::Array(items);
            let text = if format == "yaml" {
                crate::envoy::yaml::to_string(&crate::envoy::Value::from(items))
            } else {
                serde_json::to_string_pretty(&items).map_err(|e| e.to_string())? + "\n"
            };
            out.write_all(text.as_bytes()).map_err(w)?;
            // istioctl sets an exit status for the log format only.
            return Ok(0);
        }
    }
    let issues = all
        .iter()
        .any(|d| !is_parse_error(d) && d.severity <= failure_threshold);
    Ok(if issues {
        FOUND_ISSUES
    } else if all.iter().any(is_parse_error) && !args.flag("ignore-unknown") {
        PARSE_ERRORS
    } else {
        0
    })
}
