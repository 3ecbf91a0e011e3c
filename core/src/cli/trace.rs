//! `pilotlight trace -f FILE... [--bookinfo] [--from PROXY] --request JSON [--runs N]
//! [-o json|short] [--seed N]`: follow a request through the mesh, proxy to proxy and through the
//! applications' own calls, starting at the ingress gateway unless `--from` names a proxy. A
//! request to the gateway Service's port (80) reaches its target port (8080). With `--runs N`,
//! sample N requests (seeds N, N+1, ...) and count the workloads each reached.

use std::io::Write;

use super::simulate::{output, request, seed};
use super::Args;
use crate::simulate::trace::World;
use crate::Loaded;

pub fn run(args: &Args, loaded: &Loaded, out: &mut dyn Write) -> Result<(), String> {
    let format = output(args)?;
    let req = request(args)?;
    let seed = seed(args)?;
    if let Some(p) = args.positional.first() {
        return Err(format!(
            "unexpected argument {p:?} (start elsewhere with --from {p})"
        ));
    }
    // Only the proxies a request visits are translated.
    let world = World::lazy(std::rc::Rc::new(loaded.clone()));
    let from = args.option("from");
    let text = if let Some(runs) = args.option("runs") {
        let runs: usize = runs
            .parse()
            .map_err(|_| format!("--runs needs a number, not {runs:?}"))?;
        let s = crate::simulate::sample(&world, from, &req, seed, runs)?;
        match format {
            "short" => s.short(),
            _ => serde_json::to_string_pretty(&s).map_err(|e| e.to_string())? + "\n",
        }
    } else {
        let hop = crate::simulate::trace(&world, from, &req, seed)?;
        match format {
            "short" => hop.short(),
            _ => serde_json::to_string_pretty(&hop).map_err(|e| e.to_string())? + "\n",
        }
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())
}
