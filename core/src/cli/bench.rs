//! `pilotlight bench`: how fast the pipeline is on Bookinfo and on generated meshes of N services.
//!
//! Speed is measured and reported here, never enforced by a test. The generator is plain YAML
//! text, so a benchmark run goes through exactly what the page does with a user's paste.

use crate::envoy::ProxyConfig;
use crate::playground::world::{BOOKINFO, BOOKINFO_FILE};
use crate::translate::proxy_config;
use crate::{load, Loaded, ProxyKind, SourceFile};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The Istio config of Istio's request-routing task (every Bookinfo service to v1), which the
/// Bookinfo row of the benchmark loads with the world.
const BOOKINFO_ISTIO: &str = include_str!("../../../static/presets/request-routing-v1.yaml");

/// A mesh of `services` services in namespace `default`, with the istio-ingressgateway. Each
/// service `svc-NNNN` is a Kubernetes Service (port 8080) and a Deployment of 2 pods, a
/// DestinationRule with 3 subsets (v1, v2, v3) and a VirtualService that sends requests with
/// `end-user: jason` to v2 and splits the rest 80/20 between v1 and v3.
pub fn generate_mesh(services: usize) -> String {
    let mut out = String::with_capacity(services * 1800 + 2000);
    out.push_str(MESH_HEADER);
    for i in 0..services {
        let name = format!("svc-{i:04}");
        // Each service calls the next one, so the request tracer has somewhere to go.
        let next = format!("svc-{:04}", (i + 1) % services);
        let _ = write!(
            out,
            r#"---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: default
  labels:
    app: {name}
spec:
  selector:
    app: {name}
  ports:
  - name: http
    port: 8080
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}-v1
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {name}
      version: v1
  template:
    metadata:
      labels:
        app: {name}
        version: v1
      annotations:
        pilotlight.io/calls: "{next}:8080/"
    spec:
      containers:
      - name: app
        image: example/{name}:1.0
        ports:
        - containerPort: 8080
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {name}
  namespace: default
spec:
  host: {name}
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: default
spec:
  hosts:
  - {name}
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: {name}
        subset: v2
  - route:
    - destination:
        host: {name}
        subset: v1
      weight: 80
    - destination:
        host: {name}
        subset: v3
      weight: 20
"#
        );
    }
    out
}

const MESH_HEADER: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
---
apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  labels:
    istio: ingressgateway
spec:
  type: LoadBalancer
  selector:
    istio: ingressgateway
  ports:
  - name: http2
    port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  replicas: 1
  selector:
    matchLabels:
      istio: ingressgateway
  template:
    metadata:
      labels:
        istio: ingressgateway
        sidecar.istio.io/inject: "false"
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.31.0
        ports:
        - containerPort: 8080
"#;

/// One row of the report.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub name: String,
    pub services: usize,
    pub proxies: usize,
    pub input_bytes: usize,
    /// Parse and build the mesh (`load`).
    pub load: Duration,
    /// Translate one sidecar (all four xDS resource sets).
    pub one_sidecar: Duration,
    /// Resources (listeners + routes + clusters + endpoints) of that sidecar.
    pub one_sidecar_resources: usize,
    /// Translate every proxy, measured or (when `every_estimated`) extrapolated from a sample.
    pub every_proxy: Duration,
    pub every_estimated: bool,
    pub error_diagnostics: usize,
}

impl Measurement {
    pub fn input_mb_per_s(&self) -> f64 {
        self.input_bytes as f64 / 1e6 / self.load.as_secs_f64().max(1e-9)
    }
}

/// Bounds of one run: how long to repeat small measurements for a stable minimum, and how much
/// time and how many proxies to spend on "every proxy" before extrapolating from the sample.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub repeat_for: Duration,
    pub max_proxies: usize,
    pub every_for: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            repeat_for: Duration::from_millis(300),
            max_proxies: usize::MAX,
            every_for: Duration::from_secs(5),
        }
    }
}

/// The fastest of repeated runs of `f`, repeated until `budget` is spent (at least once).
fn fastest<T>(budget: Duration, mut f: impl FnMut() -> T) -> (Duration, T) {
    let start = Instant::now();
    let mut best = Duration::MAX;
    loop {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed());
        if start.elapsed() >= budget {
            return (best, out);
        }
    }
}

/// 0..n in an order that spreads any prefix evenly over the range (bit-reversal-like strides), so
/// a time-limited sample of proxies is not biased to the start of the list.
fn spread(n: usize) -> Vec<usize> {
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    let mut step = n.next_power_of_two();
    while step > 0 {
        for i in (0..n).step_by(step) {
            if !seen[i] {
                seen[i] = true;
                order.push(i);
            }
        }
        step /= 2;
    }
    order
}

fn resources(c: &ProxyConfig) -> usize {
    c.listeners.len() + c.routes.len() + c.clusters.len() + c.endpoints.len()
}

/// Measure the pipeline on `files`; `sidecar` picks the proxy for "one sidecar" (by name prefix).
pub fn measure(
    name: &str,
    files: &[SourceFile],
    services: usize,
    sidecar: &str,
    budget: Budget,
) -> Measurement {
    let input_bytes = files.iter().map(|f| f.text.len()).sum();
    let (load_time, loaded): (Duration, Loaded) = fastest(budget.repeat_for, || load(files));
    let mesh = &loaded.mesh;
    let proxies = mesh.proxies();
    let one = proxies
        .iter()
        .find(|p| p.kind == ProxyKind::Sidecar && p.name.starts_with(sidecar))
        .or_else(|| proxies.iter().find(|p| p.kind == ProxyKind::Sidecar));
    let (one_sidecar, one_sidecar_resources) = match one {
        Some(p) => {
            let (t, c) = fastest(budget.repeat_for, || proxy_config(mesh, p));
            (t, resources(&c))
        }
        None => (Duration::ZERO, 0),
    };
    // Every proxy, in an evenly spread order (a stride through the list), until the time or
    // count budget is spent; the rest is extrapolated from the proxies done.
    let order = spread(proxies.len());
    let start = Instant::now();
    let mut done = 0;
    for &i in &order {
        if done >= budget.max_proxies || (done > 0 && start.elapsed() >= budget.every_for) {
            break;
        }
        std::hint::black_box(resources(&proxy_config(mesh, &proxies[i])));
        done += 1;
    }
    let mut every_proxy = start.elapsed();
    let every_estimated = done < proxies.len();
    if every_estimated {
        every_proxy = every_proxy.mul_f64(proxies.len() as f64 / done.max(1) as f64);
    } else if every_proxy < budget.repeat_for {
        // Small meshes: repeat the whole pass for a stable minimum.
        every_proxy = fastest(budget.repeat_for, || {
            proxies
                .iter()
                .map(|p| resources(&proxy_config(mesh, p)))
                .sum::<usize>()
        })
        .0
        .min(every_proxy);
    }
    let error_diagnostics = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::Severity::Error)
        .count();
    Measurement {
        name: name.to_string(),
        services,
        proxies: proxies.len(),
        input_bytes,
        load: load_time,
        one_sidecar,
        one_sidecar_resources,
        every_proxy,
        every_estimated,
        error_diagnostics,
    }
}

/// Bookinfo (the world and the request-routing-v1 preset).
pub fn measure_bookinfo(budget: Budget) -> Measurement {
    let files = [
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("request-routing-v1.yaml", BOOKINFO_ISTIO),
    ];
    measure("bookinfo", &files, 4, "productpage", budget)
}

/// A generated mesh of `services` services.
pub fn measure_generated(services: usize, budget: Budget) -> Measurement {
    let files = [SourceFile::new("mesh.yaml", generate_mesh(services))];
    // The middle service's first pod: neither first nor last in any list.
    let sidecar = format!("svc-{:04}-v1", services / 2);
    measure(&format!("N={services}"), &files, services, &sidecar, budget)
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.3}")
    } else {
        format!("{ms:.1}")
    }
}

/// The report as a Markdown table.
pub fn table(rows: &[Measurement]) -> String {
    let mut out = String::from(
        "| mesh | services | proxies | input KB | load ms | input MB/s | one sidecar ms (resources) | every proxy ms | errors |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for m in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {} | {:.1} | {} ({}) | {}{} | {} |",
            m.name,
            m.services,
            m.proxies,
            m.input_bytes as f64 / 1024.0,
            ms(m.load),
            m.input_mb_per_s(),
            ms(m.one_sidecar),
            m.one_sidecar_resources,
            if m.every_estimated { "~" } else { "" },
            ms(m.every_proxy),
            m.error_diagnostics,
        );
    }
    out.push_str("\n`~`: extrapolated from an evenly spread sample of proxies. Small times are the fastest of repeated runs.\n");
    out
}

const USAGE: &str = "usage: pilotlight bench [--sizes 100,1000,5000] [--every-seconds S] [--max-proxies N] [--emit N]

Measures load (parse + mesh), translation of one sidecar and of every proxy, for Bookinfo and
for generated meshes of N services. Build with --release for meaningful numbers.
  --sizes LIST        sizes of the generated meshes (default 100,1000,5000)
  --every-seconds S   time to spend translating proxies one by one for \"every proxy\"; the rest
                      is extrapolated from those done (default 5)
  --max-proxies N     translate at most N proxies that way (default: no limit)
  --emit N            print the generated mesh of N services as YAML and exit";

/// The `bench` subcommand: `args` are the arguments after `bench`. Returns the report (or, with
/// `--emit`, the generated mesh); progress goes to stderr.
pub fn run(args: &[String]) -> Result<String, String> {
    let mut sizes = vec![100, 1000, 5000];
    let mut budget = Budget::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("pilotlight bench: {arg} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--sizes" => {
                let v = value()?;
                sizes = v
                    .split(',')
                    .map(|s| s.trim().parse())
                    .collect::<Result<Vec<usize>, _>>()
                    .map_err(|e| format!("pilotlight bench: --sizes {v}: {e}"))?;
            }
            "--max-proxies" => {
                let v = value()?;
                budget.max_proxies = v.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                    format!("pilotlight bench: --max-proxies {v}: expected a positive number")
                })?;
            }
            "--every-seconds" => {
                let v = value()?;
                budget.every_for = v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| *s >= 0.0)
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| {
                        format!("pilotlight bench: --every-seconds {v}: expected seconds")
                    })?;
            }
            "--emit" => {
                let v = value()?;
                let n = v
                    .parse()
                    .map_err(|e| format!("pilotlight bench: --emit {v}: {e}"))?;
                return Ok(generate_mesh(n));
            }
            "-h" | "--help" => return Ok(format!("{USAGE}\n")),
            other => {
                return Err(format!(
                    "pilotlight bench: unknown argument {other}\n\n{USAGE}"
                ))
            }
        }
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run `cargo run --release --bin pilotlight -- bench` for real numbers");
    }
    let mut rows = vec![measure_bookinfo(budget)];
    eprintln!("{}: done", rows[0].name);
    for n in sizes {
        rows.push(measure_generated(n, budget));
        eprintln!("N={n}: done");
    }
    Ok(table(&rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_mesh_loads_cleanly_with_the_expected_shape() {
        let loaded = load(&[SourceFile::new("mesh.yaml", generate_mesh(7))]);
        assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
        let mesh = &loaded.mesh;
        // 7 services + the ingress gateway's; 2 pods each + the gateway.
        assert_eq!(mesh.services.len(), 8);
        assert_eq!(mesh.proxies().len(), 15);
        assert_eq!(mesh.proxies().iter().filter(|p| p.is_gateway()).count(), 1);
        assert_eq!(mesh.virtual_services.len(), 7);
        assert_eq!(mesh.destination_rules.len(), 7);
    }

    #[test]
    fn spread_visits_everything_once_and_starts_evenly() {
        for n in [0, 1, 2, 7, 100, 1001] {
            let mut picks = spread(n);
            assert_eq!(picks.len(), n);
            if n >= 4 {
                // The first 4 picks cover every quarter of the range.
                let mut quarters: Vec<usize> = picks[..4].iter().map(|i| i * 4 / n).collect();
                crate::order::sort(&mut quarters);
                assert_eq!(quarters, [0, 1, 2, 3], "{n}: {:?}", &picks[..4]);
            }
            crate::order::sort(&mut picks);
            assert!(picks.iter().enumerate().all(|(i, &x)| i == x));
        }
    }

    #[test]
    fn bench_command_checks_its_arguments() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(run(&args(&["--sizes", "1,x"]))
            .unwrap_err()
            .contains("--sizes"));
        assert!(run(&args(&["--max-proxies", "0"])).is_err());
        assert!(run(&args(&["--bogus"]))
            .unwrap_err()
            .contains("unknown argument"));
        assert!(run(&args(&["--sizes"]))
            .unwrap_err()
            .contains("needs a value"));
        assert_eq!(run(&args(&["--emit", "3"])).unwrap(), generate_mesh(3));
        assert!(run(&args(&["--help"]))
            .unwrap()
            .starts_with("usage: pilotlight bench"));
    }

    #[test]
    fn bench_reports_every_size() {
        let budget = Budget {
            repeat_for: Duration::ZERO,
            max_proxies: 3,
            every_for: Duration::from_secs(60),
        };
        let rows = vec![measure_bookinfo(budget), measure_generated(5, budget)];
        assert_eq!(rows[1].proxies, 11);
        assert!(rows[1].every_estimated);
        assert_eq!(rows[0].error_diagnostics + rows[1].error_diagnostics, 0);
        let table = table(&rows);
        assert!(
            table.contains("| bookinfo |") && table.contains("| N=5 | 5 | 11 |"),
            "{table}"
        );
    }
}
