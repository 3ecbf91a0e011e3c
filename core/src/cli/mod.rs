//! The `pilotlight` command line: istioctl's conventions, on files instead of a cluster.
//!
//! `run` takes the arguments and two writers and returns the exit status, so every command is
//! testable without spawning a process.

pub mod analyze;
mod args;
pub mod bench;
mod command;
mod convert;
mod filter;
mod proxy_config;
pub mod simulate;
pub mod trace;

pub use args::Args;
pub use command::command;

use crate::{load, Loaded, Severity, SourceFile};
use std::io::Write;

/// Run one command; the return value is the process exit status: 0, 1 when the command failed,
/// 2 for a command line clap refuses (the message names the flag and suggests the right one),
/// and for `analyze` istioctl's statuses (see `analyze.rs`).
pub fn run(
    argv: &[String],
    stdin: &mut dyn std::io::Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if argv.is_empty() {
        let _ = write!(out, "{}", command().render_help());
        return 0;
    }
    let args = match Args::parse(argv) {
        Ok(a) => a,
        Err(e) => {
            // --help, -h and --version come back as "errors" to print on standard output.
            let text = e.render().to_string();
            return if e.use_stderr() {
                let _ = write!(err, "{text}");
                e.exit_code()
            } else {
                let _ = write!(out, "{text}");
                0
            };
        }
    };
    let result = match args.command.as_str() {
        "proxies" => {
            inputs(&args, stdin, err).and_then(|loaded| proxy_config::proxies(&loaded, out))
        }
        "analyze" => match analyze::run(&args, stdin, out, err) {
            Ok(status) => return status,
            Err(e) => Err(e),
        },
        "proxy-config" => {
            inputs(&args, stdin, err).and_then(|loaded| proxy_config::run(&args, &loaded, out))
        }
        "convert" => inputs(&args, stdin, err).and_then(|l| convert::run(&args, &l, out)),
        "simulate" => inputs(&args, stdin, err).and_then(|l| simulate::run(&args, &l, out)),
        "trace" => inputs(&args, stdin, err).and_then(|l| trace::run(&args, &l, out)),
        "bench" => {
            // `bench` reads its own options (see `crate::cli::bench`); clap checked them.
            let mut rest = Vec::new();
            for (k, v) in args.options.iter() {
                rest.push(format!("--{k}"));
                rest.push(v.clone());
            }
            crate::cli::bench::run(&rest)
                .and_then(|text| out.write_all(text.as_bytes()).map_err(|e| e.to_string()))
        }
        "completion" => completion(&args, out),
        other => Err(format!("unknown command {other:?}")),
    };
    match result {
        Ok(()) => 0,
        Err(msg) => {
            let _ = writeln!(err, "error: {msg}");
            1
        }
    }
}

/// `pilotlight completion bash|zsh|fish`: the shell's completion script, from the same command
/// definition clap parses with.
fn completion(args: &Args, out: &mut dyn Write) -> Result<(), String> {
    use clap_complete::Shell;
    let shell = match args.positional.first().map(String::as_str) {
        Some("bash") => Shell::Bash,
        Some("zsh") => Shell::Zsh,
        Some("fish") => Shell::Fish,
        other => return Err(format!("no completion for {other:?}: bash, zsh or fish")),
    };
    clap_complete::generate(shell, &mut command(), "pilotlight", out);
    Ok(())
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
