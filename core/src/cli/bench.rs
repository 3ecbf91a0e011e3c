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

/// The mesh picture and the first trace at one size: what the page's mesh view costs.
#[derive(Debug, Clone)]
pub struct TopologyMeasurement {
    pub services: usize,
    pub proxies: usize,
    /// `Topology::build`: the picture from the mesh model.
    pub topology: Duration,
    /// `World::lazy` and one request traced from the middle service's sidecar (its calls go on
    /// from service to service), translating the proxies it visits; the seed of the first 16
    /// whose path is longest.
    pub first_trace: Duration,
    pub translated: usize,
}

/// Topology and first trace for a generated mesh of `services` services.
pub fn measure_topology(services: usize, budget: Budget) -> TopologyMeasurement {
    use crate::simulate::{trace, trace::World, Mode, Request};
    let loaded = std::rc::Rc::new(load(&[SourceFile::new(
        "mesh.yaml",
        generate_mesh(services),
    )]));
    let mesh = &loaded.mesh;
    let (topology, _) = fastest(budget.repeat_for, || {
        crate::playground::topology::Topology::build(mesh)
    });
    let from = format!("svc-{:04}-v1", services / 2);
    let request = Request {
        mode: Mode::Inbound,
        port: 8080,
        path: "/".into(),
        ..Request::default()
    };
    // 20% of each service's requests go to a subset without pods (503 UH): the seed, of the
    // first 16, whose trace goes furthest.
    let probe = World::lazy(loaded.clone());
    let hops = |seed: u64| trace(&probe, Some(&from), &request, seed).map_or(0, |h| h.walk().len());
    let seed = (0..16)
        .max_by_key(|&s| (hops(s), std::cmp::Reverse(s)))
        .unwrap_or(0);
    let (first_trace, translated) = fastest(budget.repeat_for, || {
        let world = World::lazy(loaded.clone());
        let _ = std::hint::black_box(trace(&world, Some(&from), &request, seed));
        world.translated()
    });
    TopologyMeasurement {
        services,
        proxies: mesh.proxies().len(),
        topology,
        first_trace,
        translated,
    }
}

/// One edit in a generated mesh, loaded incrementally ([`crate::Session`]): the steps from the
/// changed text to the selected proxy's new config, and the analysis after it.
#[derive(Debug, Clone)]
pub struct EditMeasurement {
    pub services: usize,
    /// A fresh `load` of the whole input, for comparison.
    pub fresh_load: Duration,
    /// Re-parse the changed document (the others are reused).
    pub parse: Duration,
    /// Rebuild the mesh from the parsed objects.
    pub mesh: Duration,
    /// Translate the selected proxy (a sidecar of the edited service), reusing what the edit
    /// left valid of the last translation (`translate::Memo::carry_over`).
    pub translate: Duration,
    /// The same translation from nothing (`translate::proxy_config`), for comparison.
    pub fresh_translate: Duration,
    /// The analyzers' report on the new mesh (what the page lists).
    pub analysis: Duration,
    /// Documents the edit re-parsed.
    pub reparsed: usize,
}

impl EditMeasurement {
    /// From the edit to the selected proxy's new config.
    pub fn to_config(&self) -> Duration {
        self.parse + self.mesh + self.translate
    }
}

/// Change one document (the weights of the middle service's VirtualService, back and forth) in a
/// generated mesh of `services` services and time each step, the fastest of repeated edits.
pub fn measure_edit(services: usize, budget: Budget) -> EditMeasurement {
    let text = generate_mesh(services);
    let name = format!("svc-{:04}", services / 2);
    // The middle service's VirtualService: its 80/20 split becomes 70/30 and back.
    let at = text
        .find(&format!(
            "kind: VirtualService\nmetadata:\n  name: {name}\n"
        ))
        .expect("the generated mesh has the VirtualService");
    let edited = format!(
        "{}{}",
        &text[..at],
        text[at..]
            .replacen("weight: 80", "weight: 70", 1)
            .replacen("weight: 20", "weight: 30", 1)
    );
    let versions = [
        [SourceFile::new("mesh.yaml", text)],
        [SourceFile::new("mesh.yaml", edited)],
    ];
    let (fresh_load, _) = fastest(budget.repeat_for, || load(&versions[0]));
    let mut session = crate::Session::new();
    let sidecar = format!("{name}-v1");
    let selected = |loaded: &Loaded| {
        loaded
            .mesh
            .proxies()
            .iter()
            .position(|p| p.name.starts_with(&sidecar))
            .expect("the edited service has a sidecar")
    };
    // The page showed the selected proxy's config before the edit: its memo is warm.
    let mut previous = session.load(&versions[0]);
    let mut memo = crate::translate::Memo::new();
    let before = &previous.mesh.proxies()[selected(&previous)];
    drop(crate::translate::proxy_config_shared(
        &previous.mesh,
        before,
        &memo,
    ));
    let mut best = EditMeasurement {
        services,
        fresh_load,
        parse: Duration::MAX,
        mesh: Duration::MAX,
        translate: Duration::MAX,
        fresh_translate: Duration::MAX,
        analysis: Duration::MAX,
        reparsed: 0,
    };
    let start = Instant::now();
    let mut i = 1;
    loop {
        let files = &versions[i % 2];
        let t = Instant::now();
        let (objects, diagnostics) = session.parse(files);
        let parse = t.elapsed();
        let t = Instant::now();
        let loaded = crate::mesh::load_parsed(objects, diagnostics);
        let mesh = t.elapsed();
        let proxy = &loaded.mesh.proxies()[selected(&loaded)];
        let t = Instant::now();
        memo = memo.carry_over(&previous.mesh, &loaded.mesh);
        std::hint::black_box(crate::translate::proxy_config_shared(
            &loaded.mesh,
            proxy,
            &memo,
        ));
        let translate = t.elapsed();
        let t = Instant::now();
        std::hint::black_box(proxy_config(&loaded.mesh, proxy));
        let fresh_translate = t.elapsed();
        let t = Instant::now();
        std::hint::black_box(crate::analyze::report(&loaded, files));
        let analysis = t.elapsed();
        best.parse = best.parse.min(parse);
        best.mesh = best.mesh.min(mesh);
        best.translate = best.translate.min(translate);
        best.fresh_translate = best.fresh_translate.min(fresh_translate);
        best.analysis = best.analysis.min(analysis);
        best.reparsed = session.reparsed();
        previous = loaded;
        i += 1;
        if start.elapsed() >= budget.repeat_for && i > 2 {
            break;
        }
    }
    best
}

/// The topology rows and the edit as Markdown tables.
pub fn incremental_table(
    topology: &[TopologyMeasurement],
    edit: Option<&EditMeasurement>,
) -> String {
    let mut out = String::new();
    if !topology.is_empty() {
        out.push_str(
            "| mesh | services | proxies | topology ms | first trace ms (proxies translated) |\n\
             |---|---:|---:|---:|---:|\n",
        );
        for t in topology {
            let _ = writeln!(
                out,
                "| N={} | {} | {} | {} | {} ({}) |",
                t.services,
                t.services,
                t.proxies,
                ms(t.topology),
                ms(t.first_trace),
                t.translated
            );
        }
        out.push('\n');
    }
    if let Some(e) = edit {
        let _ = writeln!(
            out,
            "One changed document in N={} (incremental load; a fresh load takes {} ms):\n\n\
             | parse (documents re-parsed) | mesh rebuild | selected proxy translate (from nothing) | to the new config | analysis |\n\
             |---:|---:|---:|---:|---:|\n\
             | {} ({}) | {} | {} ({}) | {} | {} |",
            e.services,
            ms(e.fresh_load),
            ms(e.parse),
            e.reparsed,
            ms(e.mesh),
            ms(e.translate),
            ms(e.fresh_translate),
            ms(e.to_config()),
            ms(e.analysis),
        );
    }
    out
}

const USAGE: &str = "usage: pilotlight bench [--sizes 100,1000,5000] [--topology-sizes 100,400,1000] [--edit-size N] [--every-seconds S] [--max-proxies N] [--emit N]

Measures load (parse + mesh), translation of one sidecar and of every proxy, for Bookinfo and
for generated meshes of N services; the mesh picture and a first trace; and one edit loaded
incrementally. Build with --release for meaningful numbers.
  --sizes LIST        sizes of the generated meshes (default 100,1000,5000)
  --topology-sizes L  sizes for the topology and first-trace rows (default 100,400,1000; 0: none)
  --edit-size N       size of the mesh edited incrementally (default 1000; 0: none)
  --every-seconds S   time to spend translating proxies one by one for \"every proxy\"; the rest
                      is extrapolated from those done (default 5)
  --max-proxies N     translate at most N proxies that way (default: no limit)
  --emit N            print the generated mesh of N services as YAML and exit";

/// The `bench` subcommand: `args` are the arguments after `bench`. Returns the report (or, with
/// `--emit`, the generated mesh); progress goes to stderr.
pub fn run(args: &[String]) -> Result<String, String> {
    let mut sizes = vec![100, 1000, 5000];
    let mut topology_sizes = vec![100, 400, 1000];
    let mut edit_size = 1000;
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
            "--topology-sizes" => {
                let v = value()?;
                topology_sizes = v
                    .split(',')
                    .map(|s| s.trim().parse())
                    .collect::<Result<Vec<usize>, _>>()
                    .map_err(|e| format!("pilotlight bench: --topology-sizes {v}: {e}"))?;
                topology_sizes.retain(|&n| n > 0);
            }
            "--edit-size" => {
                let v = value()?;
                edit_size = v
                    .parse()
                    .map_err(|e| format!("pilotlight bench: --edit-size {v}: {e}"))?;
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
    let mut topology = Vec::new();
    for n in topology_sizes {
        topology.push(measure_topology(n, budget));
        eprintln!("topology N={n}: done");
    }
    let edit = (edit_size > 0).then(|| measure_edit(edit_size, budget));
    let more = incremental_table(&topology, edit.as_ref());
    Ok(if more.is_empty() {
        table(&rows)
    } else {
        format!("{}\n{more}", table(&rows))
    })
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

    #[test]
    fn bench_measures_the_topology_and_an_incremental_edit() {
        let budget = Budget {
            repeat_for: Duration::ZERO,
            max_proxies: 1,
            every_for: Duration::ZERO,
        };
        let t = measure_topology(6, budget);
        assert_eq!(t.proxies, 13);
        // The trace from svc-0003 follows the calls svc-0004, svc-0005, svc-0000, ... until its
        // depth limit, translating each sidecar it passes once: fewer than all the proxies.
        assert!(t.translated > 1 && t.translated < t.proxies, "{t:?}");
        let e = measure_edit(6, budget);
        assert_eq!(
            e.reparsed, 1,
            "only the edited VirtualService is parsed again"
        );
        let table = incremental_table(&[t], Some(&e));
        assert!(
            table.contains("| N=6 | 6 | 13 |") && table.contains("One changed document in N=6"),
            "{table}"
        );
    }
}
