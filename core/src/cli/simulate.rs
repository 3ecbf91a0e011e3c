//! `pilotlight simulate PROXY -f FILE... [--bookinfo] --request JSON [-o json|short] [--seed N]`:
//! walk one request through one proxy's generated Envoy config and print every decision.
//!
//! `--config-dump FILE` instead of `-f`: walk a real Envoy `/config_dump` (as
//! `istioctl proxy-config all -o json` prints it, JSON or YAML); PROXY is then not needed.

use crate::envoy::ProxyConfig;
use crate::simulate::{self, Request};
use crate::SourceFile;

pub const USAGE: &str = "usage: pilotlight simulate PROXY -f FILE... [--bookinfo] --request JSON [-o json|short] [--seed N]
       pilotlight simulate --config-dump FILE --request JSON [-o json|short] [--seed N]
  PROXY      proxy name, name.namespace or workload (e.g. productpage-v1, istio-ingressgateway)
  --request  JSON with any of: mode (outbound|inbound|gateway), address, port, protocol
             (http|http2|tcp), tls (plaintext|tls|mtls), alpn, sni, host, path, method, headers;
             a value starting with @ names a file. Defaults: Istio's simulator (1.3.3.7, GET /)
  --seed     drives weighted clusters, endpoint picks and fault percentages (default 0)";

/// Options shared by `simulate` and `trace`.
#[derive(Debug, Default)]
pub struct Common {
    pub positional: Vec<String>,
    pub files: Vec<String>,
    pub bookinfo: bool,
    pub request: Option<String>,
    pub output: String,
    pub seed: u64,
    pub from: Option<String>,
    pub runs: Option<usize>,
    pub config_dump: Option<String>,
}

/// Parse the options both subcommands take (`--name value` or `--name=value`).
pub fn parse_args(args: &[String]) -> Result<Common, String> {
    let mut c = Common {
        output: "json".into(),
        ..Common::default()
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "-f" | "--file" | "--filename" => c.files.push(value(flag)?),
            "--bookinfo" => c.bookinfo = true,
            "--request" | "-r" => c.request = Some(value(flag)?),
            "-o" | "--output" => c.output = value(flag)?,
            "--seed" => {
                let v = value(flag)?;
                c.seed = v
                    .parse()
                    .map_err(|_| format!("--seed needs a number, not {v:?}"))?;
            }
            "--from" => c.from = Some(value(flag)?),
            "--runs" => {
                let v = value(flag)?;
                c.runs = Some(
                    v.parse()
                        .map_err(|_| format!("--runs needs a number, not {v:?}"))?,
                );
            }
            "--config-dump" => c.config_dump = Some(value(flag)?),
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s}")),
            s => c.positional.push(s.to_string()),
        }
    }
    if !matches!(c.output.as_str(), "json" | "short") {
        return Err(format!("-o must be json or short, not {:?}", c.output));
    }
    Ok(c)
}

/// The request from `--request` (inline JSON or @file); `{}` (all defaults) when absent.
pub fn request(c: &Common) -> Result<Request, String> {
    let text = match c.request.as_deref() {
        None => "{}".to_string(),
        Some(s) => match s.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?,
            None => s.to_string(),
        },
    };
    Request::from_json(&text)
}

/// Load `-f` files (`-` is standard input) and the Bookinfo world with `--bookinfo`. Warnings and
/// errors in the input go to stderr; errors stop the command, as for `proxy-config`.
pub fn load(c: &Common) -> Result<crate::Loaded, String> {
    let mut files = Vec::new();
    if c.bookinfo {
        files.push(SourceFile::new(
            crate::world::BOOKINFO_FILE,
            crate::world::BOOKINFO,
        ));
    }
    for f in &c.files {
        let text = if f == "-" {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| format!("reading standard input: {e}"))?;
            s
        } else {
            std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?
        };
        files.push(SourceFile::new(f.clone(), text));
    }
    if files.is_empty() {
        return Err("no input: give -f FILE (or --bookinfo)".into());
    }
    let loaded = crate::load(&files);
    let mut errors = 0;
    for d in &loaded.diagnostics {
        if d.severity == crate::Severity::Info {
            continue;
        }
        eprintln!("{}", d.render());
        errors += usize::from(d.severity == crate::Severity::Error);
    }
    if errors > 0 {
        return Err(format!("{errors} error(s) in the input"));
    }
    Ok(loaded)
}

pub fn run(args: &[String]) -> Result<String, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(format!("{USAGE}\n"));
    }
    let c = parse_args(args)?;
    let mut req = request(&c)?;
    let mut note = None;
    let cfg: ProxyConfig = if let Some(path) = &c.config_dump {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let v: serde_json::Value = if path.ends_with(".yaml") || path.ends_with(".yml") {
            serde_yaml_ng::from_str(&text).map_err(|e| format!("{path}: {e}"))?
        } else {
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?
        };
        simulate::from_config_dump(&v)
    } else {
        let [name] = c.positional.as_slice() else {
            return Err(format!("name one proxy\n{USAGE}"));
        };
        let loaded = load(&c)?;
        let proxy = loaded.mesh.find_proxy(name).ok_or_else(|| {
            let names: Vec<String> = loaded.mesh.proxies().iter().map(|p| p.id()).collect();
            format!("no proxy {name:?}; proxies: {}", names.join(", "))
        })?;
        let cfg = crate::translate::proxy_config(&loaded.mesh, proxy);
        if proxy.is_gateway() {
            // A gateway has no iptables; a request to its Service port reaches the target port.
            if req.mode == simulate::Mode::Outbound {
                req.mode = simulate::Mode::Gateway;
            }
            let ports = simulate::trace::service_port_map(&loaded.mesh, proxy);
            note = simulate::trace::map_gateway_port(&cfg, &ports, &mut req);
        }
        cfg
    };
    let mut o = simulate::simulate_seeded(&cfg, &req, c.seed);
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
    Ok(match c.output.as_str() {
        "short" => o.short(),
        _ => serde_json::to_string_pretty(&o).map_err(|e| e.to_string())? + "\n",
    })
}
