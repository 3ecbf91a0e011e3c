//! `pilotlight simulate PROXY -f FILE... [--bookinfo] --request JSON [-o json|short] [--seed N]`:
//! walk one request through one proxy's generated Envoy config and print every decision.

use std::io::Write;

use super::Args;
use crate::simulate::{self, Request};
use crate::Loaded;

/// `--request`: inline JSON, or `@path` to read it from a file; `{}` (all defaults: Istio's
/// simulator's, GET / to 1.3.3.7 over plaintext HTTP/1.1 on port 80) when absent.
/// Keys: mode (outbound|inbound|gateway), address, port, protocol (http|http2|tcp),
/// tls (plaintext|tls|mtls), alpn, sni, host, path, method, headers.
pub fn request(args: &Args) -> Result<Request, String> {
    let text = match args.option("request") {
        None => "{}".to_string(),
        Some(s) => match s.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?,
            None => s.to_string(),
        },
    };
    Request::from_json(&text)
}

/// `--seed N` (0 by default): drives weighted clusters, endpoint picks and fault percentages.
pub fn seed(args: &Args) -> Result<u64, String> {
    args.option("seed").map_or(Ok(0), |s| {
        s.parse()
            .map_err(|_| format!("--seed needs a number, not {s:?}"))
    })
}

/// `-o json` (the default) or `-o short`.
pub fn output(args: &Args) -> Result<&str, String> {
    match args.output.as_deref().unwrap_or("json") {
        o @ ("json" | "short") => Ok(o),
        o => Err(format!("-o must be json or short, not {o:?}")),
    }
}

pub fn run(args: &Args, loaded: &Loaded, out: &mut dyn Write) -> Result<(), String> {
    let format = output(args)?;
    let req = request(args)?;
    let seed = seed(args)?;
    let [name] = args.positional.as_slice() else {
        return Err(
            "simulate takes one PROXY (a pod or Deployment name, or NAME.NAMESPACE)".into(),
        );
    };
    let proxy = loaded.mesh.find_proxy(name).ok_or_else(|| {
        let names: Vec<String> = loaded.mesh.proxies().iter().map(|p| p.id()).collect();
        format!("no proxy {name:?}; proxies: {}", names.join(", "))
    })?;
    let cfg = crate::translate::proxy_config(&loaded.mesh, proxy);
    let mut req = req;
    let mut note = None;
    if proxy.is_gateway() {
        // A gateway has no iptables; a request to its Service port reaches the target port.
        if req.mode == simulate::Mode::Outbound {
            req.mode = simulate::Mode::Gateway;
        }
        let ports = simulate::service_port_map(&loaded.mesh, proxy);
        note = simulate::trace::map_gateway_port(&cfg, &ports, &mut req);
    }
    let mut o = simulate::simulate_seeded(&cfg, &req, seed);
    if let Some(reason) = note {
        o.steps.insert(
            1,
            simulate::Step {
                stage: simulate::Stage::Request,
                name: String::new(),
                reason,
            },
        );
    }
    let text = match format {
        "short" => o.short(),
        _ => serde_json::to_string_pretty(&o).map_err(|e| e.to_string())? + "\n",
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())
}
