//! The `pilotlight` command line: istioctl's conventions, on files instead of a cluster.
//!
//! `run` takes the arguments and two writers and returns the exit status, so every command is
//! testable without spawning a process.

pub mod analyze;
mod args;
pub mod bench;
mod convert;
mod proxy_config;
pub mod simulate;
pub mod trace;

pub use args::Args;

use crate::{load, Loaded, Severity, SourceFile};
use std::io::Write;

pub const USAGE: &str = "\
pilotlight: the Envoy configuration istiod would push, from Istio YAML, with no cluster

Usage:
  pilotlight proxies -f FILE... [--bookinfo]
  pilotlight proxy-config {listeners|routes|clusters|endpoints|all|envoyfilters} PROXY -f FILE... [--bookinfo] [-o short|json|yaml]
  pilotlight simulate PROXY -f FILE... [--bookinfo] --request JSON [-o json|short] [--seed N]
  pilotlight analyze -f FILE... [--bookinfo] [-o log|json]
  pilotlight convert -f FILE... [--bookinfo] [-o yaml|json]
  pilotlight trace -f FILE... [--bookinfo] [--from PROXY] --request JSON [--runs N] [-o json|short] [--seed N]
  pilotlight bench [--sizes 100,1000,5000] [--every-seconds S] [--max-proxies N] [--emit N]

Options:
  -f, --filename FILE   Kubernetes/Istio YAML to read; repeat for more files; `-` reads standard input
  --bookinfo            add Istio's Bookinfo sample and the ingress gateway to the inputs
  -o, --output FORMAT   short (istioctl's tables, the default), json or yaml
  PROXY                 a pod or Deployment name, optionally NAME.NAMESPACE
";

/// Run one command; the return value is the process exit status.
pub fn run(
    argv: &[String],
    stdin: &mut dyn std::io::Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    // `bench` reads its own options (see `crate::cli::bench`).
    if argv.first().map(String::as_str) == Some("bench") {
        return match crate::cli::bench::run(&argv[1..]) {
            Ok(text) => i32::from(out.write_all(text.as_bytes()).is_err()),
            Err(msg) => {
                let _ = writeln!(err, "{msg}");
                2
            }
        };
    }
    let args = match Args::parse(argv) {
        Ok(a) => a,
        Err(msg) => {
            let _ = writeln!(err, "error: {msg}\n\n{USAGE}");
            return 2;
        }
    };
    let result = match args.command.as_str() {
        "" | "help" | "--help" | "-h" => {
            let _ = write!(out, "{USAGE}");
            return 0;
        }
        "proxies" => {
            inputs(&args, stdin, err).and_then(|loaded| proxy_config::proxies(&loaded, out))
        }
        "analyze" => match analyze::run(&args, stdin, out) {
            Ok(status) => return status,
            Err(e) => Err(e),
        },
        "proxy-config" | "pc" => {
            inputs(&args, stdin, err).and_then(|loaded| proxy_config::run(&args, &loaded, out))
        }
        "convert" => inputs(&args, stdin, err).and_then(|l| convert::run(&args, &l, out)),
        "simulate" => inputs(&args, stdin, err).and_then(|l| simulate::run(&args, &l, out)),
        "trace" => inputs(&args, stdin, err).and_then(|l| trace::run(&args, &l, out)),
        other => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => 0,
        Err(msg) => {
            let _ = writeln!(err, "error: {msg}");
            1
        }
    }
}

/// Read `-f` files (and the built-in world with `--bookinfo`), load the mesh, and report every
/// diagnostic on stderr. Errors in the input stop the command: output from a half-read input
/// would mislead.
pub fn inputs(
    args: &Args,
    stdin: &mut dyn std::io::Read,
    err: &mut dyn Write,
) -> Result<Loaded, String> {
    let mut files = Vec::new();
    if args.bookinfo {
        files.push(SourceFile::new(
            crate::playground::world::BOOKINFO_FILE,
            crate::playground::world::BOOKINFO,
        ));
    }
    for name in &args.files {
        let text = if name == "-" {
            let mut s = String::new();
            stdin
                .read_to_string(&mut s)
                .map_err(|e| format!("reading standard input: {e}"))?;
            s
        } else {
            std::fs::read_to_string(name).map_err(|e| format!("{name}: {e}"))?
        };
        files.push(SourceFile::new(
            if name == "-" {
                "<stdin>"
            } else {
                name.as_str()
            },
            text,
        ));
    }
    if files.is_empty() {
        return Err("no input: give -f FILE (or --bookinfo)".into());
    }
    let loaded = load(&files);
    let mut errors = 0;
    for d in &loaded.diagnostics {
        if d.severity == Severity::Info {
            continue;
        }
        let _ = writeln!(err, "{}", d.render());
        errors += usize::from(d.severity == Severity::Error);
    }
    if errors > 0 {
        return Err(format!("{errors} error(s) in the input"));
    }
    Ok(loaded)
}
