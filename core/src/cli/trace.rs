//! `pilotlight trace -f FILE... [--bookinfo] [--from PROXY] --request JSON [--runs N]
//! [-o json|short] [--seed N]`: follow a request through the mesh, proxy to proxy and through the
//! applications' own calls. With `--runs N`, sample N requests and count the workloads reached.

use super::simulate::{load, parse_args, request};
use crate::simulate::trace::World;

pub const USAGE: &str = "usage: pilotlight trace -f FILE... [--bookinfo] [--from PROXY] --request JSON [--runs N] [-o json|short] [--seed N]
  starts at the ingress gateway unless --from names a proxy or workload; a request to the
  gateway's Service port (80) reaches its target port (8080). --runs N samples N requests
  (seeds N, N+1, ...) and counts the workloads each reached";

pub fn run(args: &[String]) -> Result<String, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(format!("{USAGE}\n"));
    }
    let c = parse_args(args)?;
    if let Some(p) = c.positional.first() {
        return Err(format!(
            "unexpected argument {p:?} (start elsewhere with --from {p})\n{USAGE}"
        ));
    }
    if c.config_dump.is_some() {
        return Err("trace needs the whole mesh: give -f FILE (or --bookinfo)".into());
    }
    let req = request(&c)?;
    let loaded = load(&c)?;
    let world = World::from_mesh(&loaded.mesh);
    let from = c.from.as_deref();
    if let Some(runs) = c.runs {
        let s = crate::simulate::sample(&world, from, &req, c.seed, runs)?;
        return Ok(match c.output.as_str() {
            "short" => s.short(),
            _ => serde_json::to_string_pretty(&s).map_err(|e| e.to_string())? + "\n",
        });
    }
    let hop = crate::simulate::trace(&world, from, &req, c.seed)?;
    Ok(match c.output.as_str() {
        "short" => hop.short(),
        _ => serde_json::to_string_pretty(&hop).map_err(|e| e.to_string())? + "\n",
    })
}
