//! The mesh view's state: the request form, the last traced request (its plan from the core) or
//! the last sample of many, and where the animation is. A reducer like the page's `state.rs`, kept
//! apart so the page's state stays small; the component owns one with `use_reducer`.
//! Nothing here simulates: plans and shares come from `pilotlight-core` through `engine`.

use crate::engine::MeshView;
use pilotlight_core::simulate::{Hop, Mode, Request};
use pilotlight_core::sorted::SortedMap;
use pilotlight_core::topology::{Plan, Shares, StepKind};
use std::rc::Rc;
use yew::Reducible;

/// The request panel's fields, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// A workload to start at; empty for the ingress gateway.
    pub from: String,
    pub method: String,
    pub host: String,
    pub port: String,
    pub path: String,
    /// `name: value` per line.
    pub headers: String,
    /// Adds `end-user: jason` (Bookinfo's signed-in user).
    pub jason: bool,
    /// A JWT as its claims, a JSON object (`{"iss": ..., "sub": ...}`); empty for no token.
    pub jwt: String,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            from: String::new(),
            method: "GET".into(),
            host: String::new(),
            port: "80".into(),
            path: "/productpage".into(),
            headers: String::new(),
            jason: false,
            jwt: String::new(),
        }
    }
}

impl Form {
    /// The core's request for these fields; an error names the field that does not parse.
    pub fn request(&self) -> Result<Request, String> {
        let port: u16 = self
            .port
            .trim()
            .parse()
            .map_err(|_| format!("port {:?} is not a number from 1 to 65535", self.port))?;
        let mut headers = SortedMap::new();
        for (i, line) in self.headers.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                return Err(format!("header line {} has no \":\"", i + 1));
            };
            let k = k.trim();
            if k.is_empty() {
                return Err(format!("header line {} has no name", i + 1));
            }
            headers.insert(k.to_ascii_lowercase(), v.trim().to_string());
        }
        if self.jason {
            headers.insert("end-user".into(), "jason".into());
        }
        let jwt = match self.jwt.trim() {
            "" => None,
            text => match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) if v.is_object() => Some(v),
                Ok(_) => return Err("the JWT claims must be a JSON object".into()),
                Err(e) => return Err(format!("the JWT claims are not valid JSON: {e}")),
            },
        };
        Ok(Request {
            mode: Mode::Outbound,
            port,
            host: self.host.trim().to_string(),
            path: self.path.trim().to_string(),
            method: self.method.trim().to_ascii_uppercase(),
            headers,
            jwt,
            ..Request::default()
        })
    }

    pub fn from(&self) -> Option<&str> {
        let f = self.from.trim();
        (!f.is_empty()).then_some(f)
    }
}

/// One hop of the traced tree, flattened for the list (depth first, as `Hop::walk`).
#[derive(Debug, Clone, PartialEq)]
pub struct HopRow {
    pub index: usize,
    pub depth: usize,
    pub hop: Hop,
}

/// A traced request: its hops and the plan the animation plays.
#[derive(Debug, Clone, PartialEq)]
pub struct Traced {
    pub rows: Vec<HopRow>,
    pub plan: Plan,
}

impl Traced {
    pub fn new(root: &Hop, plan: Plan) -> Traced {
        let mut rows = Vec::new();
        fn walk(h: &Hop, depth: usize, rows: &mut Vec<HopRow>) {
            let mut flat = h.clone();
            flat.children.clear();
            rows.push(HopRow {
                index: rows.len(),
                depth,
                hop: flat,
            });
            for c in &h.children {
                walk(c, depth + 1, rows);
            }
        }
        walk(root, 0, &mut rows);
        Traced { rows, plan }
    }
}

#[derive(Clone)]
pub struct Sim {
    pub form: Form,
    pub traced: Option<Rc<Traced>>,
    pub shares: Option<Rc<Shares>>,
    pub error: Option<String>,
    /// Steps of the plan already played; the one at `cursor` is playing.
    pub cursor: usize,
    /// Animation speed factor (1 = normal).
    pub speed: f64,
    /// Advance one step per click instead of on a timer.
    pub step_mode: bool,
    /// Play nothing: show the end state at once (`prefers-reduced-motion`).
    pub reduced_motion: bool,
    /// The hop the user opened (or `None`: closed all); read `current_hop`.
    pub selected_hop: Option<usize>,
    /// No hop picked since the last send: the open hop follows the dot (`current_hop`).
    pub follow: bool,
    /// The guided walkthrough's step (0..3), when open.
    pub walkthrough: Option<usize>,
    /// Counts sends, so the animation restarts on a new one.
    pub run: u64,
    generation: u64,
}

impl PartialEq for Sim {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

impl Default for Sim {
    fn default() -> Self {
        Sim {
            form: Form::default(),
            traced: None,
            shares: None,
            error: None,
            cursor: 0,
            speed: 1.0,
            step_mode: false,
            reduced_motion: false,
            selected_hop: None,
            follow: true,
            walkthrough: None,
            run: 0,
            generation: 0,
        }
    }
}

pub const WALKTHROUGH_STEPS: usize = 3;

pub enum SimAction {
    Form(Form),
    /// Trace one request over the current mesh.
    Send(Rc<MeshView>),
    /// Trace a hundred (seeds 0..N) and count the edges.
    SendMany(Rc<MeshView>, usize),
    /// The mesh changed: drop results that describe the old one.
    Clear,
    Advance,
    Finish,
    Replay,
    SetSpeed(f64),
    SetStepMode(bool),
    SetReducedMotion(bool),
    SelectHop(Option<usize>),
    Walkthrough(Option<usize>),
}

impl Sim {
    pub fn steps(&self) -> usize {
        self.traced.as_ref().map_or(0, |t| t.plan.steps.len())
    }

    pub fn done(&self) -> bool {
        self.traced.is_some() && self.cursor >= self.steps()
    }

    /// The hop whose decisions are on show: the one the user picked, else the one the dot is at
    /// (while playing), else where the request ended (a local answer, or the last hop).
    pub fn current_hop(&self) -> Option<usize> {
        if !self.follow {
            return self.selected_hop;
        }
        let t = self.traced.as_ref()?;
        if let Some(s) = t.plan.steps.get(self.cursor) {
            return Some(s.hop);
        }
        let stopped = t.rows.iter().find(|r| {
            !r.hop.mirror && (r.hop.outcome.status.is_some() || r.hop.outcome.error.is_some())
        });
        stopped.or(t.rows.last()).map(|r| r.index)
    }

    /// Nodes the dot has reached, and edges it has taken, after the played steps.
    pub fn progress(&self) -> (Vec<String>, Vec<(String, String, bool)>) {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        let Some(t) = &self.traced else {
            return (nodes, edges);
        };
        if let Some(root) = t.rows.first() {
            nodes.push(root.hop.workload.clone());
        }
        for s in t.plan.steps.iter().take(self.cursor) {
            let Some(to) = &s.to else { continue };
            if s.kind == StepKind::Move {
                edges.push((s.from.clone(), to.clone(), s.mirror));
            }
            if s.arrives && !s.mirror && !nodes.contains(to) {
                nodes.push(to.clone());
            }
        }
        (nodes, edges)
    }
}

impl Reducible for Sim {
    type Action = SimAction;

    fn reduce(self: Rc<Self>, action: SimAction) -> Rc<Self> {
        let mut s = (*self).clone();
        s.generation += 1;
        match action {
            SimAction::Form(f) => s.form = f,
            SimAction::Send(view) => {
                s.shares = None;
                s.selected_hop = None;
                s.follow = true;
                s.run += 1;
                match s
                    .form
                    .request()
                    .and_then(|r| view.trace(s.form.from(), &r, s.run))
                {
                    Ok((root, plan)) => {
                        let t = Traced::new(&root, plan);
                        s.cursor = if s.reduced_motion {
                            t.plan.steps.len()
                        } else {
                            0
                        };
                        s.traced = Some(Rc::new(t));
                        s.error = None;
                    }
                    Err(e) => {
                        s.traced = None;
                        s.error = Some(e);
                    }
                }
            }
            SimAction::SendMany(view, runs) => {
                s.run += 1;
                match s
                    .form
                    .request()
                    .and_then(|r| view.sample(s.form.from(), &r, runs))
                {
                    Ok(sh) => {
                        s.shares = Some(Rc::new(sh));
                        s.traced = None;
                        s.error = None;
                    }
                    Err(e) => s.error = Some(e),
                }
            }
            SimAction::Clear => {
                s.traced = None;
                s.shares = None;
                s.error = None;
                s.cursor = 0;
                s.selected_hop = None;
            }
            SimAction::Advance => {
                if s.cursor >= s.steps() {
                    return self;
                }
                s.cursor += 1;
            }
            SimAction::Finish => s.cursor = s.steps(),
            SimAction::Replay => {
                s.cursor = if s.reduced_motion { s.steps() } else { 0 };
                s.run += 1;
            }
            SimAction::SetSpeed(v) => s.speed = v.clamp(0.1, 10.0),
            SimAction::SetStepMode(on) => s.step_mode = on,
            SimAction::SetReducedMotion(on) => {
                s.reduced_motion = on;
                if on {
                    s.cursor = s.steps();
                }
            }
            SimAction::SelectHop(h) => {
                s.selected_hop = h;
                s.follow = false;
            }
            SimAction::Walkthrough(w) => s.walkthrough = w.filter(|&i| i < WALKTHROUGH_STEPS),
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilotlight_core::{load, world, SourceFile};

    fn view(preset: &str) -> Rc<MeshView> {
        let loaded = load(&[
            SourceFile::new(world::BOOKINFO_FILE, world::BOOKINFO),
            SourceFile::new("istio.yaml", world::preset(preset).unwrap().yaml),
        ]);
        Rc::new(MeshView::new(&loaded))
    }

    #[test]
    fn form_to_request() {
        let mut f = Form {
            headers: "X-Test: 1\n\n".into(),
            jason: true,
            ..Form::default()
        };
        let r = f.request().unwrap();
        assert_eq!(r.port, 80);
        assert_eq!(r.headers.get("end-user").map(String::as_str), Some("jason"));
        assert_eq!(r.headers.get("x-test").map(String::as_str), Some("1"));
        f.port = "x".into();
        assert!(f.request().is_err());
        f.port = "80".into();
        f.headers = "nocolon".into();
        assert!(f.request().unwrap_err().contains("line 1"));
        f.headers.clear();
        f.jwt = r#"{"iss": "testing@secure.istio.io", "sub": "me"}"#.into();
        let r = f.request().unwrap();
        assert_eq!(r.jwt.unwrap()["iss"], "testing@secure.istio.io");
        f.jwt = "[1]".into();
        assert!(f.request().unwrap_err().contains("JSON object"));
    }

    #[test]
    fn send_plays_step_by_step_to_reviews_v1() {
        let v = view("request-routing-v1");
        let s = Rc::new(Sim::default()).reduce(SimAction::Send(v));
        assert!(s.error.is_none(), "{:?}", s.error);
        assert_eq!(s.cursor, 0);
        assert!(!s.done());
        let (nodes, _) = s.progress();
        assert_eq!(nodes, ["istio-ingressgateway"]);
        let mut s = s;
        for _ in 0..s.steps() {
            s = s.reduce(SimAction::Advance);
        }
        assert!(s.done());
        let (nodes, edges) = s.progress();
        assert!(nodes.contains(&"reviews-v1".to_string()));
        assert!(!nodes.contains(&"reviews-v2".to_string()));
        assert!(edges.contains(&("productpage-v1".into(), "reviews-v1".into(), false)));
        let t = s.traced.clone().unwrap();
        assert_eq!(t.rows.len(), t.plan.steps.len());
        assert_eq!(t.plan.result.status, Some(200));
    }

    #[test]
    fn reduced_motion_shows_the_end_at_once() {
        let v = view("fault-injection-abort");
        let s = Rc::new(Sim::default())
            .reduce(SimAction::SetReducedMotion(true))
            .reduce(SimAction::Form(Form {
                jason: true,
                ..Form::default()
            }))
            .reduce(SimAction::Send(v));
        assert!(s.done());
        assert_eq!(s.traced.as_ref().unwrap().plan.result.status, Some(500));
    }

    #[test]
    fn send_many_counts_edges() {
        let v = view("traffic-shifting-80-20");
        let s = Rc::new(Sim::default()).reduce(SimAction::SendMany(v, 100));
        let sh = s.shares.clone().unwrap();
        assert_eq!(sh.runs, 100);
        let v1 = sh.edge("productpage-v1", "reviews-v1").unwrap().percent();
        assert!((70..=90).contains(&v1), "{v1}");
    }

    #[test]
    fn a_bad_start_is_an_error_not_a_panic() {
        let v = view("request-routing-v1");
        let s = Rc::new(Sim::default())
            .reduce(SimAction::Form(Form {
                from: "nobody".into(),
                ..Form::default()
            }))
            .reduce(SimAction::Send(v));
        assert!(s.error.as_deref().unwrap().contains("nobody"));
        assert!(s.traced.is_none());
    }
}
