//! The page's only contact with the translator: run `pilotlight-core` on the two editors' text and
//! shape its answer for the views. No translation logic lives here: tables, JSON and provenance
//! paths all come from the core; this module only indexes them for display.

use pilotlight_core::analyze::{self, Fix};
use pilotlight_core::envoy::Value;
use pilotlight_core::envoy::{self, tables, ProxyConfig};
use pilotlight_core::simulate::{self, trace::World, Hop, Request};
use pilotlight_core::topology::{self, Plan, Shares, Topology};
use pilotlight_core::translate::envoyfilter::{self, ResourceType};
use pilotlight_core::translate::Memo;
use pilotlight_core::{translate, Loaded, Session, Severity, SourceFile};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// The file names the core sees for the two editors (they appear in diagnostics).
pub const ISTIO_FILE: &str = "istio.yaml";
pub const CLUSTER_FILE: &str = "cluster.yaml";

/// The four resource tabs, plus the whole `/config_dump`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Listeners,
    Routes,
    Clusters,
    Endpoints,
    Dump,
    /// The Istio objects istiod derives from Gateway API and Ingress inputs (shown only when the
    /// input has such objects).
    Derived,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Listeners,
        Tab::Routes,
        Tab::Clusters,
        Tab::Endpoints,
        Tab::Dump,
        Tab::Derived,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Tab::Listeners => "listeners",
            Tab::Routes => "routes",
            Tab::Clusters => "clusters",
            Tab::Endpoints => "endpoints",
            Tab::Dump => "dump",
            Tab::Derived => "derived",
        }
    }
}

/// How a resource (or the dump) is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    Error,
    Warning,
    Info,
}

/// A diagnostic as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diag {
    pub code: String,
    pub level: Level,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// `VirtualService default/reviews`, for analyzer findings.
    pub object: Option<String>,
    /// The suggested value written in place of the wrong one, when the finding has one.
    pub fix: Option<Fix>,
}

impl Diag {
    /// The `istioctl analyze -S` value that silences this finding (`IST0101=VirtualService
    /// default/reviews`); findings about no resource cannot be suppressed, as in istioctl.
    pub fn suppression(&self) -> Option<String> {
        self.object.as_ref().map(|o| format!("{}={o}", self.code))
    }

    /// Istio's page for an `IST` code (our own `PL` codes have none).
    pub fn documentation_url(&self) -> Option<String> {
        self.code
            .starts_with("IST")
            .then(|| analyze::documentation_url(&self.code))
    }
}

/// An Istio or Kubernetes object and the lines it spans, to map generated config back to the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub file: String,
    pub start_line: u32,
    pub end_line: u32,
    pub config_path: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProxyItem {
    pub id: String,
    pub gateway: bool,
}

/// One istioctl-style table, with the resource each row came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableView {
    pub headers: Vec<String>,
    /// (index into the tab's resources, cells)
    pub rows: Vec<(usize, Vec<String>)>,
}

/// How much of a table's width an istioctl column gets (in percent of its table's columns, so the
/// long names get room), and whether it is the first to go in a narrow pane (an embed in a blog
/// column): the columns that say where traffic goes stay. The derived objects' table is kubectl's
/// shape, where the name is the long column.
pub fn column_layout(tab: Tab, header: &str) -> (u32, bool) {
    match (tab, header) {
        (Tab::Derived, "KIND") => (16, false),
        (Tab::Derived, "NAME") => (44, false),
        (Tab::Derived, "NAMESPACE") => (12, false),
        (Tab::Derived, "SOURCE") => (28, true),
        (_, "SERVICE FQDN") => (36, false),
        (_, "PORT") => (8, false),
        (_, "SUBSET") => (10, false),
        (_, "DIRECTION") => (12, true),
        (_, "TYPE") => (9, true),
        (_, "DESTINATION RULE") => (25, false),
        (_, "NAME") => (10, false),
        (_, "VHOST NAME") => (30, false),
        (_, "DOMAINS") => (22, true),
        (_, "MATCH") => (16, false),
        (_, "VIRTUAL SERVICE") => (22, false),
        (_, "ADDRESSES") => (14, true),
        (_, "DESTINATION") => (38, false),
        (_, "ENDPOINT") => (24, false),
        (_, "STATUS") => (12, false),
        (_, "OUTLIER CHECK") => (12, true),
        (_, "CLUSTER") => (52, false),
        _ => (15, false),
    }
}

impl TableView {
    /// Whether a row passes a table's filter: every whitespace-separated term of `filter` occurs,
    /// ignoring case, in one of its cells (`reviews 9080` keeps the reviews rows on port 9080, as
    /// istioctl's `--fqdn` and `--port` together would).
    pub fn row_matches(cells: &[String], filter: &str) -> bool {
        filter.split_whitespace().all(|term| {
            let term = term.to_lowercase();
            cells.iter().any(|c| c.to_lowercase().contains(&term))
        })
    }
}

/// A resource an EnvoyFilter patch changed, and the patch's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchMark {
    pub tab: Tab,
    pub resource: String,
    /// The EnvoyFilter (kind, namespace, name) with the lines of its `configPatches[N]`.
    pub patch: Obj,
    pub index: usize,
}

/// Everything generated for the selected proxy.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Output {
    pub proxy: String,
    pub config: ProxyConfig,
    /// What EnvoyFilters changed in `config`.
    pub patched: Vec<PatchMark>,
}

impl Output {
    pub fn resources(&self, tab: Tab) -> &[Value] {
        match tab {
            Tab::Listeners => &self.config.listeners,
            Tab::Routes => &self.config.routes,
            Tab::Clusters => &self.config.clusters,
            Tab::Endpoints => &self.config.endpoints,
            Tab::Dump | Tab::Derived => &[],
        }
    }

    /// istioctl's table for a tab (computed on demand: only the visible tab needs one).
    pub fn table(&self, tab: Tab) -> Option<TableView> {
        let table = match tab {
            Tab::Listeners => tables::listeners(&self.config),
            Tab::Routes => tables::routes(&self.config),
            Tab::Clusters => tables::clusters(&self.config),
            Tab::Endpoints => tables::endpoints(&self.config),
            Tab::Dump | Tab::Derived => return None,
        };
        Some(TableView {
            headers: table.headers,
            rows: table.sources.into_iter().zip(table.rows).collect(),
        })
    }

    /// The whole admin `/config_dump` for this proxy, printed.
    pub fn dump_text(&self, format: Format) -> String {
        print(&envoy::config_dump(&self.config), format)
    }
}

/// What one run of the core over both editors gives.
pub struct Analysis {
    pub loaded: Rc<Loaded>,
    pub diagnostics: Vec<Diag>,
    pub objects: Vec<Obj>,
    pub proxies: Vec<ProxyItem>,
    pub derived: Vec<Derived>,
    pub has_errors: bool,
}

/// An Istio object istiod derives from a Gateway API or Ingress object, printed as `kubectl get
/// -o yaml` would, with the object it came from (for the "Derived Istio config" view).
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub yaml: Rc<str>,
    /// The Gateway API or Ingress object in the editor.
    pub source: Option<Obj>,
}

impl Derived {
    /// How the view names it: `VirtualService default/bookinfo-0-istio-autogenerated-k8s-gateway`.
    pub fn key(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }

    /// The view's table: one row per derived object.
    pub fn table(derived: &[Derived]) -> TableView {
        let headers = ["KIND", "NAME", "NAMESPACE", "SOURCE"];
        let rows = derived
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let source = d.source.as_ref().map_or(String::new(), |o| {
                    format!(
                        "{} {}/{} ({}:{})",
                        o.kind, o.namespace, o.name, o.file, o.start_line
                    )
                });
                let cells = vec![
                    d.kind.to_string(),
                    d.name.clone(),
                    d.namespace.clone(),
                    source,
                ];
                (i, cells)
            })
            .collect();
        TableView {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }
}

/// The derived objects of a load, each linked to its source among `objects`.
fn derived_of(loaded: &Loaded, objects: &[Obj]) -> Vec<Derived> {
    envoy::derived::derived_objects(&loaded.mesh.objects)
        .into_iter()
        .map(|d| Derived {
            source: object_at(objects, &d.source_file, d.source_span.start_line).cloned(),
            kind: d.kind,
            namespace: d.namespace,
            name: d.name,
            yaml: d.yaml.into(),
        })
        .collect()
}

/// Parse and load both sources, with the findings (compare's sides and the tests).
pub fn analyze(istio: &str, cluster: &str) -> Analysis {
    let mut analysis = load_in(&mut Session::new(), istio, cluster);
    analysis.diagnostics = findings(&analysis.loaded, istio, cluster, &[]);
    analysis
}

fn source_files(istio: &str, cluster: &str) -> [SourceFile; 2] {
    [
        SourceFile {
            name: ISTIO_FILE.to_string(),
            text: istio.to_string(),
        },
        SourceFile {
            name: CLUSTER_FILE.to_string(),
            text: cluster.to_string(),
        },
    ]
}

/// Parse and load both sources, re-parsing only the documents that changed since `session`'s
/// last load (a keystroke in a 1,000-service paste re-parses one document, not 4,000), without
/// the analyzers' findings (`diagnostics` is empty): what the selected proxy's config needs
/// first. [`findings`] adds them.
pub fn load_in(session: &mut Session, istio: &str, cluster: &str) -> Analysis {
    let loaded = session.load(&source_files(istio, cluster));
    // Output goes stale only when loading failed; the analyzers' errors (a missing subset) are
    // config istiod would still push.
    let has_errors = loaded
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    let objects: Vec<Obj> = loaded
        .objects
        .iter()
        .map(|o| Obj {
            kind: o.kind.clone(),
            namespace: o.namespace.clone(),
            name: o.name.clone(),
            file: o.file.clone(),
            start_line: o.span.start_line,
            end_line: o.span.end_line.max(o.span.start_line),
            config_path: o.config_path.clone(),
        })
        .collect();
    let proxies = loaded
        .mesh
        .proxies()
        .iter()
        .map(|p| ProxyItem {
            id: p.id(),
            gateway: p.is_gateway(),
        })
        .collect();
    let derived = derived_of(&loaded, &objects);
    Analysis {
        loaded: Rc::new(loaded),
        diagnostics: Vec::new(),
        objects,
        proxies,
        derived,
        has_errors,
    }
}

/// What `pilotlight analyze` reports on a load, plus loading's notes (unsupported kinds, ignored
/// fields), each with its quick fix when it has one, leaving out what `suppress` silences
/// (`istioctl analyze -S` values, `CODE=Kind ns/name`).
pub fn findings(loaded: &Loaded, istio: &str, cluster: &str, suppress: &[String]) -> Vec<Diag> {
    let files = source_files(istio, cluster);
    let options = analyze::ReportOptions {
        suppress: suppress
            .iter()
            .filter_map(|s| analyze::Suppression::parse(s).ok())
            .collect(),
        ..Default::default()
    };
    let mut found = analyze::report_with(loaded, &files, &options);
    found.extend(
        loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Info)
            .cloned(),
    );
    found
        .iter()
        .map(|d| {
            let text = files.iter().find(|f| f.name == d.file).map(|f| &f.text);
            Diag {
                code: d.code.clone(),
                level: match d.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                    Severity::Info => Level::Info,
                },
                message: d.message.clone(),
                file: d.file.clone(),
                line: d.line,
                column: d.column,
                end_line: d.end_line,
                end_column: d.end_column,
                object: d.object.clone(),
                fix: text.and_then(|t| analyze::quick_fix(d, t)),
            }
        })
        .collect()
}

/// What the proxies of the page's last good load share (`translate::Memo`: outbound clusters,
/// endpoints, route configurations), carried over from load to load, so that after an edit the
/// selected proxy's translation rebuilds only what the edit touched. The memo is used only with
/// the load it belongs to (its keys are addresses in that load's mesh).
#[derive(Default)]
pub struct SharedPieces {
    of: Option<Rc<Loaded>>,
    memo: Memo,
}

impl SharedPieces {
    /// The page moved on to `loaded` (the next good load): keep what the edit left valid.
    pub fn advance(&mut self, loaded: &Rc<Loaded>) {
        let memo = std::mem::take(&mut self.memo);
        self.memo = match &self.of {
            Some(old) => memo.carry_over(&old.mesh, &loaded.mesh),
            None => Memo::new(),
        };
        self.of = Some(loaded.clone());
    }

    /// The memo, if it belongs to `loaded`.
    pub fn of(&self, loaded: &Loaded) -> Option<&Memo> {
        self.of
            .as_deref()
            .filter(|o| std::ptr::eq(*o, loaded))
            .map(|_| &self.memo)
    }
}

/// Translate for one proxy (by id), with what its EnvoyFilters changed, sharing `memo`'s pieces
/// when given (it must belong to `loaded`: [`SharedPieces::of`]). `None` when no such proxy.
pub fn output_for(loaded: &Loaded, proxy_id: &str, memo: Option<&Memo>) -> Option<Output> {
    let proxy = loaded.mesh.proxies().iter().find(|p| p.id() == proxy_id)?;
    let (config, record) = match memo {
        Some(memo) => translate::proxy_config_recorded_shared(&loaded.mesh, proxy, memo),
        None => translate::proxy_config_recorded(&loaded.mesh, proxy, true),
    };
    let mut patched: Vec<PatchMark> = Vec::new();
    for c in &record.changes {
        let tab = match c.resource {
            ResourceType::Listener => Tab::Listeners,
            ResourceType::RouteConfiguration => Tab::Routes,
            ResourceType::Cluster => Tab::Clusters,
        };
        let Some(src) = envoyfilter::patch_source(&loaded.mesh, c.patch) else {
            continue;
        };
        let (namespace, name) = src.envoy_filter.split_once('/').unwrap_or(("", ""));
        let mark = PatchMark {
            tab,
            resource: c.name.clone(),
            patch: Obj {
                kind: "EnvoyFilter".into(),
                namespace: namespace.into(),
                name: name.into(),
                file: src.file,
                start_line: src.span.start_line,
                end_line: src.span.end_line.max(src.span.start_line),
                config_path: String::new(),
            },
            index: src.index,
        };
        if !patched.contains(&mark) {
            patched.push(mark);
        }
    }
    Some(Output {
        proxy: proxy_id.to_string(),
        config,
        patched,
    })
}

/// The proxy's config as if no EnvoyFilter existed (the with/without diff).
pub fn config_without_envoy_filters(loaded: &Loaded, proxy_id: &str) -> Option<ProxyConfig> {
    let proxy = loaded.mesh.proxies().iter().find(|p| p.id() == proxy_id)?;
    Some(translate::proxy_config_without_envoy_filters(
        &loaded.mesh,
        proxy,
    ))
}

/// A resource's name: `name` for listeners, routes and clusters, `cluster_name` for endpoints.
pub fn resource_name(resource: &Value) -> String {
    resource
        .get("name")
        .or_else(|| resource.get("cluster_name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The element of `resource` a table row shows when a resource has several rows: the virtual
/// host of a Routes row (istioctl's VHOST NAME column), with its name.
pub fn row_part<'a>(
    tab: Tab,
    resource: &'a Value,
    cells: &[String],
) -> Option<(String, &'a Value)> {
    if tab != Tab::Routes {
        return None;
    }
    let vhost = cells.get(1)?;
    resource["virtual_hosts"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == vhost.as_str())
        .map(|v| (vhost.clone(), v))
}

/// The 1-based line of `text` (a resource printed as JSON or YAML) where the element named
/// `name` starts: its `name` field.
pub fn line_of_name(text: &str, name: &str) -> Option<u32> {
    let json = format!("\"name\": {}", serde_json::Value::from(name));
    let yaml = [
        format!("name: {name}"),
        format!("name: '{name}'"),
        format!("name: \"{name}\""),
    ];
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            let l = l.strip_suffix(',').unwrap_or(l);
            l == json || yaml.iter().any(|y| l == y)
        })
        .map(|i| i as u32 + 1)
}

/// The AuthorizationPolicies behind a resource's RBAC filters, as (namespace, name): istiod names
/// every RBAC policy `ns[<namespace>]-policy[<name>]-rule[<n>]` (RBAC filters carry no
/// `istio.config` metadata, so these names are how a filter leads back to its policy).
pub fn authz_policies(resource: &Value) -> Vec<(String, String)> {
    fn parse(key: &str) -> Option<(String, String)> {
        let rest = &key[key.find("ns[")? + 3..];
        let (ns, rest) = rest.split_once("]-policy[")?;
        let (name, _) = rest.split_once("]-rule[")?;
        Some((ns.to_string(), name.to_string()))
    }
    fn walk(v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) => {
                for (k, x) in map.iter() {
                    if let Some(p) = parse(k) {
                        if !out.contains(&p) {
                            out.push(p);
                        }
                    }
                    walk(x, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(resource, &mut out);
    out
}

/// Print a JSON value as pretty JSON or YAML.
pub fn print(value: &Value, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_default(),
        Format::Yaml => envoy::yaml::to_string(value),
    }
}

/// Every `metadata.filter_metadata.istio.config` inside a resource: the Istio objects that made it.
pub fn config_paths(resource: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(path) = map
                    .get("filter_metadata")
                    .and_then(|f| f.get("istio"))
                    .and_then(|i| i.get("config"))
                    .and_then(Value::as_str)
                {
                    if !out.iter().any(|p| p == path) {
                        out.push(path.to_string());
                    }
                }
                map.values().for_each(|x| walk(x, out));
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(resource, &mut out);
    out
}

/// The object whose document contains `line` of `file`.
pub fn object_at<'a>(objects: &'a [Obj], file: &str, line: u32) -> Option<&'a Obj> {
    objects
        .iter()
        .find(|o| o.file == file && o.start_line <= line && line <= o.end_line)
}

/// Drawing no longer translates every proxy (the topology is read from the mesh model, a trace
/// translates the proxies it visits), so the limit is the picture's own size: the nodes and
/// groups the SVG draws. `pilotlight bench` measures the topology at 1,000 services.
const MAX_DRAWN_PROXIES: usize = 20_000;

/// Whether the mesh view draws a load (else it says why not).
pub fn drawable(loaded: &Loaded) -> bool {
    loaded.mesh.proxies().len() + loaded.mesh.services.len() <= MAX_DRAWN_PROXIES
}

/// The mesh as the picture and the tracer see it: the core's trace `World` (each proxy
/// translated the first time a trace visits it) and the topology drawn from the mesh model.
/// Built once per good load, when the mesh view shows; cheap at any mesh size.
pub struct MeshView {
    pub world: World,
    /// Shared with the diagram (which draws it, or a focus or collapse of it).
    pub topology: Rc<Topology>,
    guarded: Vec<String>,
}

impl MeshView {
    /// The view of a load the caller keeps (the tests): the load is copied once. The page shares
    /// its load ([`MeshView::shared`]).
    #[cfg(test)]
    pub fn new(loaded: &Loaded) -> MeshView {
        MeshView::shared(Rc::new(loaded.clone()), None)
    }

    /// The view of a shared load: nothing is copied, and no proxy is translated yet. `picture` is
    /// the load's topology when the analysis worker has already built it (a large mesh's takes
    /// tens of milliseconds); otherwise it is built here.
    pub fn shared(loaded: Rc<Loaded>, picture: Option<Rc<Topology>>) -> MeshView {
        let topology = picture.unwrap_or_else(|| Rc::new(Topology::build(&loaded.mesh)));
        let guarded = simulate::guarded(&loaded.mesh);
        let world = World::lazy(loaded);
        MeshView {
            world,
            topology,
            guarded,
        }
    }

    /// The workloads whose proxies enforce a security policy: an RBAC, JWT or ext_authz filter in
    /// their generated listeners (what the diagram's lock badge marks), read from the policies
    /// that select them.
    pub fn guarded(&self) -> Vec<&str> {
        self.guarded.iter().map(String::as_str).collect()
    }

    /// Trace one request (from the ingress gateway when `from` is None) and plan its animation.
    pub fn trace(
        &self,
        from: Option<&str>,
        req: &Request,
        seed: u64,
    ) -> Result<(Hop, Plan), String> {
        let hop = simulate::trace(&self.world, from, req, seed)?;
        let plan = topology::plan(&self.topology, &hop);
        Ok((hop, plan))
    }

    /// Trace `runs` requests (seeds 0..runs, so the weighted splits are sampled) and count edges.
    pub fn sample(&self, from: Option<&str>, req: &Request, runs: usize) -> Result<Shares, String> {
        let traces = (0..runs as u64)
            .map(|seed| simulate::trace(&self.world, from, req, seed))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.topology.shares(&traces))
    }

    /// The Istio objects behind one hop's decisions: those named in the metadata of the virtual
    /// host and the cluster it matched, in its proxy's generated config.
    pub fn hop_sources(&self, hop: &Hop) -> Vec<String> {
        let Some(node) = self.world.nodes.iter().find(|n| n.proxy == hop.proxy) else {
            return Vec::new();
        };
        let config = self.world.config(node);
        let o = &hop.outcome;
        let mut paths = Vec::new();
        if let Some(rc) = config
            .routes
            .iter()
            .find(|r| Some(resource_name(r)) == o.route_config)
        {
            let vh = rc
                .get("virtual_hosts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|v| v.get("name").and_then(Value::as_str) == o.virtual_host.as_deref());
            if let Some(vh) = vh {
                paths.extend(config_paths(vh));
            }
        }
        if let Some(c) = config
            .clusters
            .iter()
            .find(|c| Some(resource_name(c)) == o.cluster)
        {
            for p in config_paths(c) {
                if !paths.contains(&p) {
                    paths.push(p);
                }
            }
        }
        paths
    }

    /// The findings on the Istio objects behind a hop ([`Self::hop_sources`]): for a request that
    /// stopped there, what explains it. `subset: v9` gives 503 NC at the virtual host the reviews
    /// VirtualService made, and IST0101 is on that object.
    pub fn findings_behind(&self, hop: &Hop, objects: &[Obj], diags: &[Diag]) -> Vec<Diag> {
        let paths = self.hop_sources(hop);
        let names: Vec<String> = objects
            .iter()
            .filter(|o| paths.contains(&o.config_path))
            .map(|o| format!("{} {}/{}", o.kind, o.namespace, o.name))
            .collect();
        diags
            .iter()
            .filter(|d| d.level != Level::Info)
            .filter(|d| d.object.as_ref().is_some_and(|o| names.contains(o)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilotlight_core::{value, world};

    #[test]
    fn an_rbac_filter_leads_back_to_its_policies() {
        let istio = world::preset("authz-productpage-viewer").unwrap().yaml;
        let a = analyze(istio, world::BOOKINFO);
        let id = a
            .proxies
            .iter()
            .find(|p| p.id.starts_with("productpage"))
            .unwrap();
        let out = output_for(&a.loaded, &id.id, None).unwrap();
        let inbound = out
            .config
            .listeners
            .iter()
            .find(|l| l["name"] == "virtualInbound")
            .unwrap();
        let policies = authz_policies(inbound);
        assert!(
            policies.contains(&("default".into(), "productpage-viewer".into())),
            "{policies:?}"
        );
        let outbound = out
            .config
            .listeners
            .iter()
            .find(|l| l["name"] == "virtualOutbound")
            .unwrap();
        assert!(authz_policies(outbound).is_empty());
        let view = MeshView::new(&a.loaded);
        let guarded = view.guarded();
        assert!(guarded.contains(&"productpage-v1"), "{guarded:?}");
        assert!(!guarded.contains(&"istio-ingressgateway"), "{guarded:?}");
        assert!(MeshView::new(&analyze("", world::BOOKINFO).loaded)
            .guarded()
            .is_empty());
    }

    #[test]
    fn a_routes_row_opens_its_virtual_host() {
        let a = analyze(
            world::preset("request-routing-v1").unwrap().yaml,
            world::BOOKINFO,
        );
        let id = a
            .proxies
            .iter()
            .find(|p| p.id.starts_with("productpage"))
            .unwrap();
        let out = output_for(&a.loaded, &id.id, None).unwrap();
        let table = out.table(Tab::Routes).unwrap();
        let (index, cells) = table
            .rows
            .iter()
            .find(|(_, c)| c[1] == "reviews.default.svc.cluster.local:9080")
            .expect("the reviews row");
        let res = &out.config.routes[*index];
        let (name, vhost) = row_part(Tab::Routes, res, cells).unwrap();
        assert_eq!(vhost["name"], name.as_str());
        for format in [Format::Json, Format::Yaml] {
            let text = print(res, format);
            let line = line_of_name(&text, &name).expect("the vhost's line");
            let at = text.lines().nth(line as usize - 1).unwrap();
            assert!(
                at.contains("reviews.default.svc.cluster.local:9080"),
                "{at}"
            );
            // Not the details virtual host the route config starts with.
            assert!(line > line_of_name(&text, "details.default.svc.cluster.local:9080").unwrap());
        }
    }

    #[test]
    fn a_stopped_request_names_the_finding_behind_it() {
        let istio = world::preset("request-routing-v1").unwrap().yaml.replacen(
            "subset: v1",
            "subset: v9",
            1,
        );
        let a = analyze(&istio, world::BOOKINFO);
        let ist0101 = a
            .diagnostics
            .iter()
            .find(|d| d.code == "IST0101")
            .expect("IST0101");
        assert_eq!(
            ist0101.fix.as_ref().map(|f| f.replacement.as_str()),
            Some("v1")
        );
        assert!(
            !a.has_errors,
            "an analyzer error does not make the output stale"
        );
        let view = MeshView::new(&a.loaded);
        let req = Request {
            path: "/productpage".into(),
            ..Request::default()
        };
        let (root, _) = view.trace(None, &req, 0).unwrap();
        fn stopped(h: &Hop) -> Option<&Hop> {
            if h.outcome.status.is_some_and(|s| s >= 400) {
                return Some(h);
            }
            h.children.iter().find_map(stopped)
        }
        let hop = stopped(&root).expect("a hop answers 503");
        assert_eq!(hop.outcome.response_flag.as_deref(), Some("NC"));
        let behind = view.findings_behind(hop, &a.objects, &a.diagnostics);
        assert_eq!(behind.len(), 1, "{behind:?}");
        assert_eq!(behind[0].code, "IST0101");
        // The unbroken preset stops nowhere and has no findings.
        let a = analyze(
            world::preset("request-routing-v1").unwrap().yaml,
            world::BOOKINFO,
        );
        assert!(a.diagnostics.is_empty());
    }

    #[test]
    fn config_paths_are_found_at_any_depth_once() {
        let vs = "/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews";
        let r = value!({
            "name": "9080",
            "virtual_hosts": [{"routes": [
                {"metadata": {"filter_metadata": {"istio": {"config": vs}}}},
                {"metadata": {"filter_metadata": {"istio": {"config": vs}}}}
            ]}]
        });
        assert_eq!(config_paths(&r), vec![vs.to_string()]);
        assert!(config_paths(&value!({"name": "x"})).is_empty());
    }

    #[test]
    fn resource_names() {
        assert_eq!(resource_name(&value!({"name": "a"})), "a");
        assert_eq!(resource_name(&value!({"cluster_name": "b"})), "b");
    }

    #[test]
    fn yaml_and_json_printing() {
        let v = value!({"a": [1, 2]});
        assert!(print(&v, Format::Json).contains("\"a\""));
        assert!(print(&v, Format::Yaml).starts_with("a:"));
    }

    #[test]
    fn object_lookup_by_line() {
        let o = Obj {
            kind: "VirtualService".into(),
            namespace: "default".into(),
            name: "reviews".into(),
            file: ISTIO_FILE.into(),
            start_line: 3,
            end_line: 9,
            config_path: String::new(),
        };
        let objs = vec![o];
        assert!(object_at(&objs, ISTIO_FILE, 5).is_some());
        assert!(object_at(&objs, ISTIO_FILE, 10).is_none());
        assert!(object_at(&objs, CLUSTER_FILE, 5).is_none());
    }
}
