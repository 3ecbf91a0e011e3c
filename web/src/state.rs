//! All of the page's state, in one place, changed only by `Action`s (Yew's reducer pattern, as in
//! Yew's todomvc example). Views read it and send actions; they compute nothing themselves.

use crate::analysis_worker::Reply;
use crate::compare::Compare;
use crate::engine::{
    self, Derived, Diag, Format, Obj, Output, ProxyItem, SharedPieces, Tab, TableView,
    CLUSTER_FILE, ISTIO_FILE,
};
use crate::i18n::Lang;
use pilotlight_core::analyze::Fix;
use pilotlight_core::topology::Topology;
use pilotlight_core::{share, world, Loaded, Session};
use std::cell::RefCell;
use std::rc::Rc;
use yew::Reducible;

/// The two editors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Istio,
    Cluster,
}

impl Source {
    pub fn file(self) -> &'static str {
        match self {
            Source::Istio => ISTIO_FILE,
            Source::Cluster => CLUSTER_FILE,
        }
    }

    pub fn from_file(file: &str) -> Option<Source> {
        match file {
            ISTIO_FILE => Some(Source::Istio),
            CLUSTER_FILE => Some(Source::Cluster),
            _ => None,
        }
    }
}

/// A request to move an editor to a line; `nonce` makes a repeated jump to the same line count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jump {
    pub source: Source,
    pub line: u32,
    /// Also put the cursor there and focus the editor (a click on a diagnostic), or only scroll.
    pub select: bool,
    pub nonce: u64,
}

/// The selected resource, printed, and the Istio objects that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub tab: Tab,
    pub name: String,
    pub text: Rc<str>,
    pub made_by: Vec<Obj>,
    /// The clicked row's element inside the resource (a route config's virtual host): its name
    /// and the line of `text` it starts at.
    pub focus: Option<(String, u32)>,
}

/// When a translation's findings are computed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Findings {
    Now,
    /// A task later ([`Action::Analyze`]) or in the analysis worker ([`Action::Answer`]).
    Later,
}

/// Above this many bytes of input (both editors), translation waits for a pause in typing and
/// the findings come a task after the config (a pasted 50-service namespace is about 100 KB).
pub const LARGE_INPUT_BYTES: usize = 64 * 1024;

/// What the object under the editor's cursor generated for the selected proxy.
#[derive(Debug, Clone, PartialEq)]
pub struct UnderCursor {
    pub object: Obj,
    pub made: Vec<(Tab, String)>,
}

#[derive(Clone)]
pub struct State {
    pub lang: Lang,
    pub istio: Rc<str>,
    pub cluster: Rc<str>,
    /// Bumped when a text is replaced from outside the editor (preset, reset).
    pub istio_version: u64,
    pub cluster_version: u64,
    /// The editor on show.
    pub source: Source,
    pub tab: Tab,
    pub format: Format,
    /// Name of the selected resource in `tab`.
    pub selected: Option<String>,
    /// The clicked row of the table (several rows can show one resource: a route config's
    /// virtual hosts).
    pub selected_row: Option<usize>,
    pub proxy: Option<String>,
    /// Each tab's row filter (`TableView::row_matches`), kept per tab.
    pub filters: [Rc<str>; Tab::ALL.len()],
    /// The parsed documents of the last load, so an edit re-parses only what changed.
    session: Rc<RefCell<Session>>,
    /// What the proxies of `loaded` share, carried over from the load before.
    shared: Rc<RefCell<SharedPieces>>,
    /// The last load without errors (or the first load, if it had errors).
    pub loaded: Option<Rc<Loaded>>,
    /// The mesh picture of `loaded` that the analysis worker built (large inputs only; the mesh
    /// view builds its own otherwise).
    pub picture: Option<Rc<Topology>>,
    /// The good load before `loaded`: what istiod pushed before the last edit (the walkthrough
    /// shows what the edit changed in the push).
    pub previous: Option<Rc<Loaded>>,
    pub proxies: Rc<Vec<ProxyItem>>,
    pub objects: Rc<Vec<Obj>>,
    pub diagnostics: Rc<Vec<Diag>>,
    /// `istioctl analyze -S` values the reader added in Problems (kept in local storage).
    pub suppress: Rc<Vec<String>>,
    /// The Istio objects derived from the Gateway API and Ingress input.
    pub derived: Rc<Vec<Derived>>,
    /// The last good output for `proxy`.
    pub output: Option<Rc<Output>>,
    /// The input has errors: `output` is from an earlier input.
    pub stale: bool,
    /// Text changed and the (debounced) translation has not run yet.
    pub pending: bool,
    /// A large input's load is done and the selected proxy's config of it is still to come
    /// ([`Action::TranslateProxy`], a task later: each of the two takes tens of milliseconds at
    /// 1,000 services, and typing should not wait for both at once).
    output_pending: bool,
    /// A large input's load whose findings are still to come ([`Action::Analyze`], a task after
    /// the selected proxy's config is shown); `diagnostics` are the previous input's meanwhile.
    unanalyzed: Option<Rc<Loaded>>,
    /// Counts translations, so views can tell a new output from an old one.
    pub revision: u64,
    pub cursor: Option<(Source, u32)>,
    pub jump: Option<Jump>,
    // Derived from the above by `refresh`; views only read these.
    /// istioctl's table of the current tab.
    pub table: Option<Rc<TableView>>,
    pub detail: Option<Rc<Detail>>,
    pub dump: Option<Rc<str>>,
    pub highlight_istio: Rc<Vec<(u32, u32)>>,
    pub highlight_cluster: Rc<Vec<(u32, u32)>>,
    pub under_cursor: Option<Rc<UnderCursor>>,
    /// Carried by share links for the animation view: `config` or `animation`, and its request.
    pub view: Option<Rc<str>>,
    pub request: Option<Rc<serde_json::Value>>,
    /// A share link that did not open (shown until dismissed).
    pub link_error: Option<Rc<str>>,
    /// The snapshot or two presets being compared, with their diff for the selected proxy.
    pub compare: Option<Rc<Compare>>,
    nonce: u64,
    /// Counts changes: two states are equal when neither came from the other by an action.
    generation: u64,
}

impl PartialEq for State {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

pub enum Action {
    /// An editor's text changed; `translate` is false when the page debounces a large input.
    Edit {
        source: Source,
        text: String,
        translate: bool,
    },
    /// Run the translation now (the debounce timer fired).
    Translate,
    /// Translate the selected proxy from a large input's load (see [`State::output_pending`]).
    TranslateProxy,
    /// Add the findings of a large input's load (see [`State::findings_pending`]).
    Analyze,
    /// The analysis worker's answer for a revision (dropped if the input changed since).
    Answer(Reply),
    /// Replace the Istio config (a preset) or the cluster (reset), and translate.
    Replace {
        source: Source,
        text: String,
    },
    ShowSource(Source),
    SelectProxy(String),
    SelectTab(Tab),
    /// Select a resource of the current tab by name, or clear the selection.
    SelectResource(Option<String>),
    /// A click on a table row (by its position); `None` closes the detail.
    SelectRow(Option<usize>),
    /// Switch to a tab and select a resource there (from the "generated" list).
    Reveal(Tab, String),
    SetFormat(Format),
    /// The current tab's row filter.
    SetFilter(String),
    Cursor(Source, u32),
    JumpTo {
        source: Source,
        line: u32,
    },
    SetLang(Lang),
    /// Open a share link's state (both texts, proxy, tab, view, request).
    Restore(Box<share::State>),
    /// A share link did not open: say why (`None` dismisses the message).
    LinkError(Option<String>),
    /// Compare against a snapshot of the current texts, or between two presets; `None` closes.
    Compare(Option<Compare>),
    /// Apply a finding's quick fix to the text as it is now (nothing if that line changed).
    Fix {
        source: Source,
        fix: Fix,
    },
    /// Silence a finding as `istioctl analyze -S CODE=Kind ns/name` does, or (`false`) stop.
    Suppress(String, bool),
}

impl State {
    pub fn new(lang: Lang, istio: String, cluster: String) -> State {
        let mut s = State::untranslated(lang, istio, cluster);
        s.translate();
        s
    }

    /// The page's first state: the selected proxy's config now, the findings a task later
    /// ([`Action::Analyze`]): the first output is what a reader waits for, and the analyzers were
    /// a fifth of the time to it.
    pub fn starting(lang: Lang, istio: String, cluster: String) -> State {
        let mut s = State::untranslated(lang, istio, cluster);
        s.translate_with(Findings::Later);
        s
    }

    fn untranslated(lang: Lang, istio: String, cluster: String) -> State {
        State {
            lang,
            istio: istio.into(),
            cluster: cluster.into(),
            istio_version: 0,
            cluster_version: 0,
            source: Source::Istio,
            tab: Tab::Routes,
            format: Format::Json,
            selected: None,
            selected_row: None,
            proxy: None,
            filters: Default::default(),
            session: Rc::default(),
            shared: Rc::default(),
            loaded: None,
            picture: None,
            previous: None,
            proxies: Rc::default(),
            objects: Rc::default(),
            diagnostics: Rc::default(),
            suppress: Rc::default(),
            derived: Rc::default(),
            output: None,
            stale: false,
            pending: false,
            output_pending: false,
            unanalyzed: None,
            revision: 0,
            cursor: None,
            jump: None,
            table: None,
            detail: None,
            dump: None,
            highlight_istio: Rc::default(),
            highlight_cluster: Rc::default(),
            under_cursor: None,
            view: None,
            request: None,
            link_error: None,
            compare: None,
            nonce: 0,
            generation: 0,
        }
    }

    /// Start with suppressions kept from an earlier visit.
    pub fn suppressing(&mut self, suppress: Vec<String>) {
        if !suppress.is_empty() {
            self.suppress = Rc::new(suppress);
            self.translate();
        }
    }

    /// The state a share link describes.
    pub fn from_link(lang: Lang, st: share::State) -> State {
        let mut s = State::new(lang, String::new(), String::new());
        s.restore(st);
        s
    }

    pub fn text(&self, source: Source) -> &str {
        match source {
            Source::Istio => &self.istio,
            Source::Cluster => &self.cluster,
        }
    }

    pub fn version(&self, source: Source) -> u64 {
        match source {
            Source::Istio => self.istio_version,
            Source::Cluster => self.cluster_version,
        }
    }

    pub fn highlight(&self, source: Source) -> Rc<Vec<(u32, u32)>> {
        match source {
            Source::Istio => self.highlight_istio.clone(),
            Source::Cluster => self.highlight_cluster.clone(),
        }
    }

    /// Diagnostics of one editor.
    pub fn diagnostics_of(&self, source: Source) -> Vec<Diag> {
        self.diagnostics
            .iter()
            .filter(|d| d.file == source.file())
            .cloned()
            .collect()
    }

    /// Whether the findings lag behind the input: a large input's analysis runs a task after its
    /// config is shown (at 1,000 services it takes about as long as the selected proxy's config).
    pub fn findings_pending(&self) -> bool {
        self.unanalyzed.is_some()
    }

    /// Whether the input is large enough that its findings are worked out off the main thread.
    pub fn large_input(&self) -> bool {
        self.istio.len() + self.cluster.len() > LARGE_INPUT_BYTES
    }

    /// Whether the selected proxy's config waits for a large input's load to be translated.
    pub fn output_pending(&self) -> bool {
        self.output_pending
    }

    /// Whether the config on show is older than the text: its translation is still to run.
    pub fn updating(&self) -> bool {
        self.pending || self.output_pending
    }

    fn translate(&mut self) {
        let findings = if self.large_input() {
            Findings::Later
        } else {
            Findings::Now
        };
        self.translate_with(findings);
    }

    fn translate_with(&mut self, findings: Findings) {
        self.pending = false;
        self.revision += 1;
        let analysis = engine::load_in(&mut self.session.borrow_mut(), &self.istio, &self.cluster);
        self.unanalyzed = Some(analysis.loaded.clone());
        if findings == Findings::Now {
            self.analyze();
        }
        let keep_last_good = analysis.has_errors && self.output.is_some();
        self.stale = analysis.has_errors;
        if keep_last_good {
            self.refresh();
            return;
        }
        // Kept when equal, so the views that draw them (the proxy list has a row per pod) are
        // not drawn again for an edit that did not change them.
        keep_or_replace(&mut self.objects, analysis.objects);
        keep_or_replace(&mut self.proxies, analysis.proxies);
        keep_or_replace(&mut self.derived, analysis.derived);
        if !self.tabs().contains(&self.tab) {
            self.tab = Tab::Routes;
        }
        self.shared.borrow_mut().advance(&analysis.loaded);
        self.previous = self.loaded.replace(analysis.loaded);
        self.picture = None;
        let still_there = self
            .proxy
            .as_ref()
            .is_some_and(|id| self.proxies.iter().any(|p| &p.id == id));
        if !still_there {
            self.proxy = default_proxy(&self.proxies);
        }
        if self.large_input() {
            // What `refresh` derives is drawn again with the output, a task later.
            self.output_pending = true;
        } else {
            self.retranslate_proxy();
        }
    }

    /// Replace one editor's text from outside the editor (a preset, a reset, a quick fix).
    fn replace(&mut self, source: Source, text: String) {
        match source {
            Source::Istio => {
                self.istio = text.into();
                self.istio_version += 1;
            }
            Source::Cluster => {
                self.cluster = text.into();
                self.cluster_version += 1;
            }
        }
        self.source = source;
        self.cursor = None;
        self.translate();
    }

    /// The findings of the load that has none yet.
    fn analyze(&mut self) {
        if let Some(loaded) = self.unanalyzed.take() {
            self.diagnostics = Rc::new(engine::findings(
                &loaded,
                &self.istio,
                &self.cluster,
                &self.suppress,
            ));
        }
    }

    /// Translate the selected proxy from the last good load.
    fn retranslate_proxy(&mut self) {
        self.output_pending = false;
        self.output = match (&self.loaded, &self.proxy) {
            (Some(loaded), Some(id)) => {
                let shared = self.shared.borrow();
                engine::output_for(loaded, id, shared.of(loaded)).map(Rc::new)
            }
            _ => None,
        };
        self.update_compare();
        self.refresh();
    }

    fn update_compare(&mut self) {
        if let Some(c) = &self.compare {
            let current = self.output.as_ref().map(|o| &o.config);
            self.compare = Some(Rc::new(c.updated(
                self.proxy.as_deref(),
                current,
                self.loaded.as_ref(),
            )));
        }
    }

    /// What a share link of this state holds.
    pub fn share_state(&self) -> share::State {
        share::State {
            istio: self.istio.to_string(),
            cluster: share::Cluster::from_text(&self.cluster),
            proxy: self.proxy.clone(),
            tab: Some(self.tab.id().to_string()),
            view: self.view.as_deref().map(str::to_string),
            request: self.request.as_deref().cloned(),
        }
    }

    /// Where this state opens, for a link that shows exactly it: the proxy, the tab, the
    /// selected resource and the Istio editor's cursor line.
    pub fn at(&self) -> share::At {
        share::At {
            proxy: self.proxy.clone(),
            tab: Some(self.tab.id().to_string()),
            resource: self.selected.clone(),
            line: match self.cursor {
                Some((Source::Istio, line)) => Some(line),
                _ => None,
            },
        }
    }

    /// Open what a link's `proxy=`, `tab=`, `resource=` and `line=` name; names that do not exist
    /// here are ignored (a link is untrusted: values are only compared with known ones).
    pub fn open_at(&mut self, at: &share::At) {
        if let Some(p) = at
            .proxy
            .as_ref()
            .filter(|p| self.proxies.iter().any(|x| &x.id == *p))
        {
            self.proxy = Some(p.clone());
            self.retranslate_proxy();
        }
        if let Some(tab) = Tab::ALL.iter().find(|t| Some(t.id()) == at.tab.as_deref()) {
            self.tab = *tab;
        }
        let exists = |name: &str| {
            self.output.as_ref().is_some_and(|o| {
                o.resources(self.tab)
                    .iter()
                    .any(|r| engine::resource_name(r) == name)
            })
        };
        self.selected = at.resource.clone().filter(|r| exists(r));
        self.selected_row = None;
        self.refresh();
        if let Some(line) = at.line {
            self.source = Source::Istio;
            self.jump(Source::Istio, line, false);
        } else {
            self.reveal_origin();
        }
    }

    fn restore(&mut self, st: share::State) {
        self.istio = st.istio.into();
        self.cluster = st.cluster.text().into();
        self.istio_version += 1;
        self.cluster_version += 1;
        self.source = Source::Istio;
        self.cursor = None;
        self.selected = None;
        self.selected_row = None;
        self.link_error = None;
        if let Some(tab) = Tab::ALL.iter().find(|t| Some(t.id()) == st.tab.as_deref()) {
            self.tab = *tab;
        }
        self.view = st.view.map(Into::into);
        self.request = st.request.map(Rc::new);
        self.proxy = st.proxy;
        self.output = None;
        self.translate();
    }

    /// Recompute the derived views: the selected resource, the dump, highlights, the cursor's object.
    fn refresh(&mut self) {
        self.table = None;
        self.detail = None;
        self.dump = None;
        let mut made_by: Vec<Obj> = Vec::new();
        if self.tab == Tab::Derived {
            self.table = Some(Rc::new(Derived::table(&self.derived)));
            let selected = self
                .selected
                .as_ref()
                .and_then(|key| self.derived.iter().find(|d| d.key() == *key));
            if let Some(d) = selected {
                made_by.extend(d.source.clone());
                self.detail = Some(Rc::new(Detail {
                    tab: Tab::Derived,
                    name: d.key(),
                    text: d.yaml.clone(),
                    made_by: made_by.clone(),
                    focus: None,
                }));
            }
        } else if let Some(out) = self.output.clone() {
            self.table = out.table(self.tab).map(Rc::new);
            if self.tab == Tab::Dump {
                self.dump = Some(out.dump_text(self.format).into());
            } else if let Some(name) = self.selected.clone() {
                let row = self
                    .selected_row
                    .and_then(|i| self.table.as_ref()?.rows.get(i));
                if let Some(res) = out
                    .resources(self.tab)
                    .iter()
                    .find(|r| engine::resource_name(r) == name)
                {
                    // A row that no longer shows this resource (the table changed) is forgotten.
                    if row.is_some_and(|(i, _)| {
                        out.resources(self.tab).get(*i).map(engine::resource_name)
                            != Some(name.clone())
                    }) {
                        self.selected_row = None;
                    }
                    let part = self
                        .selected_row
                        .and_then(|i| self.table.as_ref()?.rows.get(i))
                        .and_then(|(_, cells)| engine::row_part(self.tab, res, cells));
                    let paths = engine::config_paths(part.as_ref().map_or(res, |(_, v)| *v));
                    let policies = engine::authz_policies(res);
                    made_by = self
                        .objects
                        .iter()
                        .filter(|o| {
                            paths.contains(&o.config_path)
                                || (o.kind == "AuthorizationPolicy"
                                    && policies
                                        .iter()
                                        .any(|(ns, name)| *ns == o.namespace && *name == o.name))
                        })
                        .cloned()
                        .collect();
                    // The EnvoyFilter patches that changed it (their `configPatches[N]` lines).
                    made_by.extend(
                        out.patched
                            .iter()
                            .filter(|m| m.tab == self.tab && m.resource == name)
                            .map(|m| m.patch.clone()),
                    );
                    let text: Rc<str> = engine::print(res, self.format).into();
                    let focus = part.and_then(|(part, _)| {
                        engine::line_of_name(&text, &part).map(|line| (part, line))
                    });
                    self.detail = Some(Rc::new(Detail {
                        tab: self.tab,
                        name,
                        text,
                        made_by: made_by.clone(),
                        focus,
                    }));
                }
            }
        }
        let ranges = |file: &str| -> Rc<Vec<(u32, u32)>> {
            Rc::new(
                made_by
                    .iter()
                    .filter(|o| o.file == file)
                    .map(|o| (o.start_line, o.end_line))
                    .collect(),
            )
        };
        self.highlight_istio = ranges(ISTIO_FILE);
        self.highlight_cluster = ranges(CLUSTER_FILE);

        self.under_cursor = None;
        if let (Some((source, line)), Some(out)) = (self.cursor, &self.output) {
            if let Some(obj) = engine::object_at(&self.objects, source.file(), line) {
                let mut made: Vec<(Tab, String)> = self
                    .derived
                    .iter()
                    .filter(|d| d.source.as_ref() == Some(obj))
                    .map(|d| (Tab::Derived, d.key()))
                    .collect();
                if obj.config_path.contains("istio.io/") || !made.is_empty() {
                    for tab in [Tab::Listeners, Tab::Routes, Tab::Clusters, Tab::Endpoints] {
                        for r in out.resources(tab) {
                            if engine::config_paths(r).contains(&obj.config_path) {
                                made.push((tab, engine::resource_name(r)));
                            }
                        }
                    }
                    self.under_cursor = Some(Rc::new(UnderCursor {
                        object: obj.clone(),
                        made,
                    }));
                }
            }
        }
    }

    /// The tabs on show: the derived objects' only when there are some.
    pub fn tabs(&self) -> Vec<Tab> {
        Tab::ALL
            .into_iter()
            .filter(|t| *t != Tab::Derived || !self.derived.is_empty())
            .collect()
    }

    /// The name of the current tab's resource at `index` (a table row's first field).
    pub fn row_name(&self, index: usize) -> Option<String> {
        if self.tab == Tab::Derived {
            return self.derived.get(index).map(Derived::key);
        }
        let out = self.output.as_ref()?;
        out.resources(self.tab)
            .get(index)
            .map(engine::resource_name)
    }

    /// The current tab's row filter (the dump has none).
    pub fn filter(&self) -> &str {
        Tab::ALL
            .iter()
            .position(|t| *t == self.tab)
            .and_then(|i| self.filters.get(i))
            .map_or("", |f| f)
    }

    fn filter_slot(&mut self) -> Option<&mut Rc<str>> {
        let i = Tab::ALL.iter().position(|t| *t == self.tab)?;
        self.filters.get_mut(i)
    }

    fn jump(&mut self, source: Source, line: u32, select: bool) {
        self.nonce += 1;
        self.jump = Some(Jump {
            source,
            line,
            select,
            nonce: self.nonce,
        });
    }

    /// Scroll the editor to the first object that made the selected resource.
    fn reveal_origin(&mut self) {
        let first = self
            .detail
            .as_ref()
            .and_then(|d| d.made_by.first().cloned());
        if let Some(obj) = first {
            if let Some(source) = Source::from_file(&obj.file) {
                self.source = source;
                self.jump(source, obj.start_line, false);
            }
        }
    }
}

/// Replace a shared list only when it changed, so its views see the same `Rc`.
fn keep_or_replace<T: PartialEq>(slot: &mut Rc<Vec<T>>, new: Vec<T>) {
    if **slot != new {
        *slot = Rc::new(new);
    }
}

/// productpage's sidecar when there is one (the reference scenario looks there), else the first sidecar.
fn default_proxy(proxies: &[ProxyItem]) -> Option<String> {
    proxies
        .iter()
        .find(|p| p.id.starts_with("productpage"))
        .or_else(|| proxies.iter().find(|p| !p.gateway))
        .or_else(|| proxies.first())
        .map(|p| p.id.clone())
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        s.generation += 1;
        match action {
            Action::Edit {
                source,
                text,
                translate,
            } => {
                if s.text(source) == text {
                    return self;
                }
                match source {
                    Source::Istio => s.istio = text.into(),
                    Source::Cluster => s.cluster = text.into(),
                }
                if translate {
                    s.translate();
                } else {
                    s.pending = true;
                }
            }
            Action::Translate => {
                if !s.pending {
                    return self;
                }
                s.translate();
            }
            Action::TranslateProxy => {
                if !s.output_pending {
                    return self;
                }
                s.retranslate_proxy();
            }
            Action::Analyze => {
                if !s.findings_pending() {
                    return self;
                }
                s.analyze();
            }
            Action::Answer(Reply::Picture { revision, topology }) => {
                // `loaded` is this revision's only if the input had no errors.
                let Some(topology) = topology.filter(|_| revision == s.revision && !s.stale) else {
                    return self;
                };
                s.picture = Some(Rc::new(topology));
            }
            Action::Answer(Reply::Findings {
                revision,
                diagnostics,
            }) => {
                if !s.findings_pending() || revision != s.revision {
                    return self;
                }
                s.unanalyzed = None;
                s.diagnostics = Rc::new(diagnostics);
            }
            Action::Fix { source, fix } => {
                let Some(text) = fix.apply(s.text(source)) else {
                    return self;
                };
                s.replace(source, text);
            }
            Action::Replace { source, text } => s.replace(source, text),
            Action::ShowSource(source) => s.source = source,
            Action::SelectProxy(id) => {
                s.proxy = Some(id);
                s.retranslate_proxy();
            }
            Action::SelectTab(tab) => {
                if s.tab != tab {
                    s.tab = tab;
                    s.selected = None;
                    s.selected_row = None;
                    s.refresh();
                }
            }
            Action::SelectResource(name) => {
                s.selected = name;
                s.selected_row = None;
                s.refresh();
                s.reveal_origin();
            }
            Action::SelectRow(row) => {
                let name = row.and_then(|i| {
                    let (index, _) = s.table.as_ref()?.rows.get(i)?;
                    s.row_name(*index)
                });
                s.selected_row = name.is_some().then_some(row).flatten();
                s.selected = name;
                s.refresh();
                s.reveal_origin();
            }
            Action::Reveal(tab, name) => {
                s.tab = tab;
                s.selected = Some(name);
                s.selected_row = None;
                s.refresh();
            }
            Action::SetFilter(filter) => {
                if let Some(slot) = s.filter_slot() {
                    *slot = filter.into();
                }
            }
            Action::SetFormat(format) => {
                s.format = format;
                s.refresh();
            }
            Action::Cursor(source, line) => {
                s.cursor = Some((source, line));
                s.refresh();
            }
            Action::JumpTo { source, line } => {
                s.source = source;
                s.jump(source, line, true);
            }
            Action::SetLang(lang) => s.lang = lang,
            Action::Restore(st) => s.restore(*st),
            Action::LinkError(message) => s.link_error = message.map(Into::into),
            Action::Compare(compare) => {
                s.compare = compare.map(Rc::new);
                s.update_compare();
            }
            Action::Suppress(value, on) => {
                let mut list = (*s.suppress).clone();
                list.retain(|v| *v != value);
                if on {
                    list.push(value);
                }
                s.suppress = Rc::new(list);
                s.translate();
            }
        }
        Rc::new(s)
    }
}

/// The reference scenario the Istio editor starts with (the core's default preset).
pub fn default_istio() -> String {
    world::preset(world::DEFAULT_PRESET)
        .or_else(|| world::PRESETS.first())
        .map(|p| p.yaml.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The page's first state: the default Istio config over Bookinfo.
    pub(crate) fn start() -> Rc<State> {
        Rc::new(State::new(
            Lang::En,
            default_istio(),
            world::BOOKINFO.to_string(),
        ))
    }

    fn routes_text(s: &State) -> String {
        let out = s.output.as_ref().expect("output");
        serde_json::to_string(&out.config.routes).unwrap()
    }

    const V1: &str = "outbound|9080|v1|reviews.default.svc.cluster.local";
    const V2: &str = "outbound|9080|v2|reviews.default.svc.cluster.local";

    #[test]
    fn starts_on_productpage_with_reviews_v1() {
        let s = start();
        assert!(s.proxy.as_deref().unwrap().starts_with("productpage-v1"));
        assert!(!s.stale);
        assert!(routes_text(&s).contains(V1));
        assert!(!routes_text(&s).contains(V2));
    }

    fn reviews_to(text: &str, subset: &str) -> String {
        // The reviews VirtualService's destination subset (the preset routes every service to v1).
        let at = text.find("host: reviews\n").expect("reviews destination");
        let (head, tail) = text.split_at(at);
        format!(
            "{head}{}",
            tail.replacen("subset: v1", &format!("subset: {subset}"), 1)
        )
    }

    /// `s` with the reviews route typed to `subset` (translated at once).
    fn edit_reviews(s: Rc<State>, subset: &str) -> Rc<State> {
        let text = reviews_to(&s.istio, subset);
        s.reduce(Action::Edit {
            source: Source::Istio,
            text,
            translate: true,
        })
    }

    #[test]
    fn an_edit_retranslates() {
        let s = edit_reviews(start(), "v2");
        assert!(routes_text(&s).contains(V2), "{}", routes_text(&s));
    }

    #[test]
    fn broken_yaml_keeps_the_last_good_output_marked_stale() {
        let s = start();
        let good = routes_text(&s);
        let broken = format!("{}\n  bad: [unclosed\n", s.istio);
        let s = s.reduce(Action::Edit {
            source: Source::Istio,
            text: broken,
            translate: true,
        });
        assert!(s.stale);
        assert_eq!(routes_text(&s), good);
        let err = s
            .diagnostics
            .iter()
            .find(|d| d.level == engine::Level::Error)
            .expect("an error");
        assert_eq!(err.file, ISTIO_FILE);
        assert!(err.line > 1);
    }

    #[test]
    fn debounced_edit_waits_for_translate() {
        let s = start();
        let text = reviews_to(&s.istio, "v2");
        let s = s.reduce(Action::Edit {
            source: Source::Istio,
            text,
            translate: false,
        });
        assert!(s.pending);
        assert!(routes_text(&s).contains(V1));
        let s = s.reduce(Action::Translate);
        assert!(!s.pending);
        assert!(routes_text(&s).contains(V2));
    }

    /// The first state edited to a missing subset (IST0101) in an input over the size where
    /// findings wait.
    fn large_input_with_a_missing_subset() -> Rc<State> {
        let s = start();
        let mut text = reviews_to(&s.istio, "v9");
        while text.len() <= LARGE_INPUT_BYTES {
            text.push_str("# a pasted namespace's comments\n");
        }
        s.reduce(Action::Edit {
            source: Source::Istio,
            text,
            translate: true,
        })
    }

    #[test]
    fn a_large_input_is_loaded_then_its_proxy_translated_then_its_findings_given() {
        let s = large_input_with_a_missing_subset();
        assert!(s.output_pending() && s.updating());
        assert!(
            !routes_text(&s).contains("|v9|"),
            "the last output stays on show meanwhile"
        );
        let s = s.reduce(Action::TranslateProxy);
        assert!(!s.updating());
        assert!(routes_text(&s).contains("outbound|9080|v9|reviews.default.svc.cluster.local"));
        assert!(s.findings_pending());
        assert!(s.diagnostics.iter().all(|d| d.code != "IST0101"));
        let s = s.reduce(Action::Analyze);
        assert!(!s.findings_pending());
        assert!(s.diagnostics.iter().any(|d| d.code == "IST0101"));
    }

    #[test]
    fn the_shared_pieces_carried_over_edits_give_the_fresh_translation() {
        let mut s = start();
        for subset in ["v2", "v3", "v9", "v1"] {
            s = edit_reviews(s, subset);
            let fresh =
                engine::output_for(s.loaded.as_ref().unwrap(), s.proxy.as_ref().unwrap(), None)
                    .unwrap();
            assert_eq!(s.output.as_ref().unwrap().config, fresh.config, "{subset}");
        }
    }

    #[test]
    fn the_first_view_shows_its_config_before_its_findings() {
        let istio = reviews_to(&default_istio(), "v9");
        let s = Rc::new(State::starting(
            Lang::En,
            istio.clone(),
            world::BOOKINFO.to_string(),
        ));
        assert!(s.output.is_some());
        assert!(s.findings_pending() && s.diagnostics.is_empty());
        let s = s.reduce(Action::Analyze);
        assert_eq!(
            *s.diagnostics,
            *State::new(Lang::En, istio, world::BOOKINFO.to_string()).diagnostics
        );
        assert!(s.diagnostics.iter().any(|d| d.code == "IST0101"));
    }

    #[test]
    fn a_worker_answer_for_an_older_revision_is_dropped() {
        let s = large_input_with_a_missing_subset();
        let found = vec![engine::analyze(&s.istio, &s.cluster)
            .diagnostics
            .into_iter()
            .find(|d| d.code == "IST0101")
            .unwrap()];
        let answer = |revision| {
            Action::Answer(Reply::Findings {
                revision,
                diagnostics: found.clone(),
            })
        };
        let old = s.clone().reduce(answer(s.revision - 1));
        assert!(old.findings_pending(), "an older revision's findings wait");
        let revision = s.revision;
        let s = s.reduce(answer(revision));
        assert!(!s.findings_pending());
        assert_eq!(*s.diagnostics, found);
    }

    #[test]
    fn the_worker_s_picture_is_drawn_only_for_the_load_on_show() {
        let s = large_input_with_a_missing_subset();
        let topology = Topology::build(&s.loaded.as_ref().unwrap().mesh);
        let answer = |revision| {
            Action::Answer(Reply::Picture {
                revision,
                topology: Some(topology.clone()),
            })
        };
        let old = s.clone().reduce(answer(s.revision - 1));
        assert!(
            old.picture.is_none(),
            "an older revision's picture is dropped"
        );
        let revision = s.revision;
        let s = s.reduce(answer(revision));
        assert_eq!(s.picture.as_deref(), Some(&topology));
        let edit = |s: Rc<State>, text: String| {
            s.reduce(Action::Edit {
                source: Source::Istio,
                text,
                translate: true,
            })
        };
        let text = s.istio.replacen("subset: v9", "subset: v2", 1);
        let s = edit(s, text);
        assert!(
            s.picture.is_none(),
            "a new load has no picture until the worker answers"
        );
        // An edit that breaks the input keeps the last good load, so a picture of the broken
        // input is not taken.
        let text = format!("{}kind: VirtualService\nspec: [\n", s.istio);
        let s = edit(s, text);
        assert!(s.stale);
        let revision = s.revision;
        assert!(s.reduce(answer(revision)).picture.is_none());
    }

    #[test]
    fn selecting_a_route_shows_it_and_highlights_its_virtual_service() {
        let s = start().reduce(Action::SelectTab(Tab::Routes));
        let out = s.output.clone().unwrap();
        let name = out
            .config
            .routes
            .iter()
            .map(engine::resource_name)
            .find(|n| n == "9080")
            .expect("route 9080");
        let s = s.reduce(Action::SelectResource(Some(name)));
        let detail = s.detail.as_ref().expect("detail");
        assert!(detail.text.contains(V1));
        assert!(detail
            .made_by
            .iter()
            .any(|o| o.kind == "VirtualService" && o.name == "reviews"));
        assert!(!s.highlight_istio.is_empty());
        // YAML too.
        let s = s.reduce(Action::SetFormat(Format::Yaml));
        assert!(s.detail.as_ref().unwrap().text.contains("virtual_hosts:"));
    }

    #[test]
    fn cursor_in_a_virtual_service_lists_what_it_generated() {
        let s = start();
        let line = s
            .objects
            .iter()
            .find(|o| o.kind == "VirtualService" && o.name == "reviews")
            .expect("reviews VS")
            .start_line;
        let s = s.reduce(Action::Cursor(Source::Istio, line + 1));
        let uc = s.under_cursor.as_ref().expect("object under cursor");
        assert_eq!(uc.object.name, "reviews");
        assert!(uc.made.iter().any(|(tab, _)| *tab == Tab::Routes));
    }

    #[test]
    fn a_tab_keeps_its_own_row_filter() {
        let s = start()
            .reduce(Action::SelectTab(Tab::Clusters))
            .reduce(Action::SetFilter("reviews v1".into()));
        assert_eq!(s.filter(), "reviews v1");
        let table = s.table.clone().expect("clusters table");
        let shown: Vec<_> = table
            .rows
            .iter()
            .filter(|(_, cells)| TableView::row_matches(cells, s.filter()))
            .collect();
        assert!(!shown.is_empty() && shown.len() < table.rows.len());
        assert!(shown
            .iter()
            .all(|(_, cells)| cells.iter().any(|c| c.contains("reviews"))));
        let s = s.reduce(Action::SelectTab(Tab::Routes));
        assert_eq!(s.filter(), "");
        let s = s.reduce(Action::SelectTab(Tab::Clusters));
        assert_eq!(s.filter(), "reviews v1");
    }

    #[test]
    fn a_link_opens_at_its_proxy_tab_resource_and_line() {
        let s = start();
        let reviews = s
            .proxies
            .iter()
            .find(|p| p.id.starts_with("reviews-v1"))
            .expect("reviews-v1")
            .id
            .clone();
        let mut opened = (*s).clone();
        opened.open_at(&share::At {
            proxy: Some(reviews.clone()),
            tab: Some("clusters".into()),
            resource: Some("outbound|9080||ratings.default.svc.cluster.local".into()),
            line: Some(7),
        });
        assert_eq!(opened.proxy.as_deref(), Some(reviews.as_str()));
        assert_eq!(opened.tab, Tab::Clusters);
        let detail = opened.detail.as_ref().expect("the resource is open");
        assert!(detail.name.contains("ratings"));
        assert_eq!(
            opened.jump.map(|j| (j.source, j.line)),
            Some((Source::Istio, 7))
        );
        assert_eq!(opened.at().resource, Some(detail.name.clone()));
        // Unknown names are ignored, not trusted.
        let mut other = (*s).clone();
        other.open_at(&share::At {
            proxy: Some("nope.default".into()),
            resource: Some("<script>".into()),
            ..share::At::default()
        });
        assert_eq!(other.proxy, s.proxy);
        assert!(other.detail.is_none());
    }

    #[test]
    fn gateway_api_input_shows_the_istio_objects_istiod_derives() {
        let s = start();
        assert!(
            !s.tabs().contains(&Tab::Derived),
            "Bookinfo has no Gateway API"
        );
        let p = world::preset("gateway-api-request-routing").unwrap();
        let s = s
            .reduce(Action::Replace {
                source: Source::Istio,
                text: p.yaml.to_string(),
            })
            .reduce(Action::SelectTab(Tab::Derived));
        assert!(s.tabs().contains(&Tab::Derived));
        let table = s.table.clone().expect("derived table");
        let kinds: Vec<&str> = table.rows.iter().map(|(_, c)| c[0].as_str()).collect();
        assert!(
            kinds.contains(&"Gateway") && kinds.contains(&"VirtualService"),
            "{kinds:?}"
        );
        // A row opens the object's YAML and marks the Gateway API object it came from.
        let row = kinds.iter().position(|k| *k == "VirtualService").unwrap();
        let s = s.reduce(Action::SelectRow(Some(row)));
        let detail = s.detail.clone().expect("derived object open");
        assert!(
            detail.text.contains("kind: VirtualService"),
            "{}",
            detail.text
        );
        let source = detail.made_by.first().expect("its source");
        assert_eq!(source.kind, "HTTPRoute");
        assert!(s
            .highlight_istio
            .contains(&(source.start_line, source.end_line)));
        // The cursor in the HTTPRoute lists what it became.
        let s = s.reduce(Action::Cursor(Source::Istio, source.start_line + 1));
        let made = &s.under_cursor.as_ref().expect("under cursor").made;
        assert!(
            made.contains(&(Tab::Derived, detail.name.clone())),
            "{made:?}"
        );
        // Back to Bookinfo without Gateway API: the tab goes, the view returns to routes.
        let s = s.reduce(Action::Replace {
            source: Source::Istio,
            text: default_istio(),
        });
        assert_eq!(s.tab, Tab::Routes);
    }

    #[test]
    fn a_finding_is_suppressed_as_istioctl_analyze_s_does_and_shown_again() {
        let s = edit_reviews(start(), "v9");
        let finding = s
            .diagnostics
            .iter()
            .find(|d| d.code == "IST0101")
            .expect("IST0101 for subset v9")
            .clone();
        let value = finding.suppression().expect("about a resource");
        assert_eq!(value, "IST0101=VirtualService default/reviews");
        let s = s.reduce(Action::Suppress(value.clone(), true));
        assert!(!s.diagnostics.iter().any(|d| d.code == "IST0101"));
        assert_eq!(s.suppress.as_slice(), std::slice::from_ref(&value));
        let s = s.reduce(Action::Suppress(value, false));
        assert!(s.diagnostics.contains(&finding));
        assert!(s.suppress.is_empty());
    }

    #[test]
    fn presets_replace_the_istio_text() {
        let p = world::preset("traffic-shifting-v3").unwrap();
        let s = start().reduce(Action::Replace {
            source: Source::Istio,
            text: p.yaml.to_string(),
        });
        assert_eq!(s.istio_version, 1);
        assert!(routes_text(&s).contains("outbound|9080|v3|reviews.default.svc.cluster.local"));
    }
}
