//! `pilotlight analyze -f FILE... [--bookinfo] [-o log|json]`: istioctl analyze on files.
//!
//! Unlike the other commands, errors in the input do not stop it: they are findings to print.
//! The exit status is 79 (istioctl's "analyzers found issues") when any finding is an Error.

use super::Args;
use crate::analyze::{documentation_url, render_log, report};
use crate::{load, Diagnostic, Severity, SourceFile};
use std::io::Write;

/// istioctl's exit status when analysis finds issues at or above the failure threshold (Error).
pub const FOUND_ISSUES: i32 = 79;

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
    Ok(files)
}

/// Everything to report for these files (see [`report`]).
pub fn findings(files: &[SourceFile]) -> Vec<Diagnostic> {
    report(&load(files), files)
}

pub fn run(args: &Args, stdin: &mut dyn std::io::Read, out: &mut dyn Write) -> Result<i32, String> {
    let files = read_files(args, stdin)?;
    let found = findings(&files);
    let w = |e: std::io::Error| e.to_string();
    match args.output.as_deref().unwrap_or("log") {
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
        "json" => {
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
            let text = serde_json::to_string_pretty(&items).map_err(|e| e.to_string())?;
            writeln!(out, "{text}").map_err(w)?;
        }
        other => return Err(format!("unknown output format {other:?}: use log or json")),
    }
    Ok(if found.iter().any(|d| d.severity == Severity::Error) {
        FOUND_ISSUES
    } else {
        0
    })
}
