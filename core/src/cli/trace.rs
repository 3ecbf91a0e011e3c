//! `pilotlight trace -f FILE... [--bookinfo] [--from PROXY] --request JSON [--runs N]
//! [-o json|short] [--seed N]`: follow a request through the mesh, proxy to proxy, through the
//! applications' own calls. With `--runs N`, sample N requests and count the workloads reached.

use super::simulate::{load, parse_args, request};
use crate::simulate::trace::World;

pub const USAGE: &str = "usage: pilotlight trace -f FILE... [--bookinfo] [--from PROXY] --request JSON [--runs N] [-o json|short] [--seed N]
  starts at the ingress gateway unless --from names a proxy or workload; a request to the
  gateway's Service port (80) reaches its target port (8080)";

pub fn run(args: &[String]) -> Result<String, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(format!("{USAGE}\n"));
    }
    let c = parse_args(args)?;
    if !c.positional.is_empty() {
        return Err(format!(
            "unexpected argument {:?}\n{USAGE}",
            c.positional[0]
        ));
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
