//! `pilotlight simulate PROXY -f FILE... [--bookinfo] --request JSON [-o json|short] [--seed N]`:
//! walk one request through one proxy's generated Envoy config.
//!
//! Also `--config-dump FILE` instead of `-f`: walk a real Envoy `/config_dump` (as
//! `istioctl proxy-config all -o json` prints it); PROXY is then ignored.

use crate::envoy::ProxyConfig;
use crate::simulate::{self, Request};
use crate::SourceFile;

pub const USAGE: &str = "usage: pilotlight simulate PROXY -f FILE... [--bookinfo] --request JSON [-o json|short] [--seed N]
       pilotlight simulate --config-dump FILE --request JSON [-o json|short] [--seed N]
  PROXY      proxy name, name.namespace or workload (e.g. productpage-v1, istio-ingressgateway)
  --request  JSON with any of: mode (outbound|inbound|gateway), address, port, protocol
             (http|http2|tcp), tls (plaintext|tls|mtls), alpn, sni, host, path, method, headers;
             a value starting with @ names a file";

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

/// Parse the flags both subcommands take.
pub fn parse_args(args: &[String]) -> Result<Common, String> {
    let mut c = Common {
        output: "json".into(),
        ..Common::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match a.as_str() {
            "-f" | "--file" | "--filename" => c.files.push(value(a)?),
            "--bookinfo" => c.bookinfo = true,
            "--request" | "-r" => c.request = Some(value(a)?),
            "-o" | "--output" => c.output = value(a)?,
            "--seed" => c.seed = value(a)?.parse().map_err(|_| "--seed needs a number")?,
            "--from" => c.from = Some(value(a)?),
            "--runs" => c.runs = Some(value(a)?.parse().map_err(|_| "--runs needs a number")?),
            "--config-dump" => c.config_dump = Some(value(a)?),
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown flag {s}")),
            s => c.positional.push(s.to_string()),
        }
    }
    if !matches!(c.output.as_str(), "json" | "short") {
        return Err(format!("-o must be json or short, not {:?}", c.output));
    }
    Ok(c)
}

/// The request from `--request` (inline JSON or @file); `{}` when absent.
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

/// Load `-f` files (and the Bookinfo world with `--bookinfo`) into a mesh. Error diagnostics go
/// to stderr; they do not stop the walk.
pub fn load(c: &Common) -> Result<crate::mesh::Loaded, String> {
    let mut files = Vec::new();
    if c.bookinfo {
        files.push(SourceFile::new(
            crate::world::BOOKINFO_FILE,
            crate::world::BOOKINFO,
        ));
    }
    for f in &c.files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        files.push(SourceFile::new(f.clone(), text));
    }
    if files.is_empty() {
        return Err("no input: give -f FILE or --bookinfo".into());
    }
    let loaded = crate::mesh::load(&files);
    for d in &loaded.diagnostics {
        eprintln!("{}", d.render());
    }
    Ok(loaded)
}

pub fn run(args: &[String]) -> Result<String, String> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(format!("{USAGE}\n"));
    }
    let c = parse_args(args)?;
    let req = request(&c)?;
    let cfg: ProxyConfig = if let Some(path) = &c.config_dump {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let v: serde_json::Value = if path.ends_with(".yaml") || path.ends_with(".yml") {
            serde_yaml_ng::from_str(&text).map_err(|e| format!("{path}: {e}"))?
        } else {
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?
        };
        simulate::from_config_dump(&v)
    } else {
        let [proxy] = c.positional.as_slice() else {
            return Err(format!("name one proxy\n{USAGE}"));
        };
        let loaded = load(&c)?;
        let p = loaded.mesh.find_proxy(proxy).ok_or_else(|| {
            let names: Vec<String> = loaded.mesh.proxies().iter().map(|p| p.id()).collect();
            format!("no proxy {proxy:?}; proxies: {}", names.join(", "))
        })?;
        crate::translate::proxy_config(&loaded.mesh, p)
    };
    let o = simulate::simulate_seeded(&cfg, &req, c.seed);
    Ok(match c.output.as_str() {
        "short" => o.short(),
        _ => serde_json::to_string_pretty(&o).map_err(|e| e.to_string())? + "\n",
    })
}
