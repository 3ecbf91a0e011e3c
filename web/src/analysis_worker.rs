//! A large input's analysis in a Web Worker: the mesh picture ([`Topology`]) and the findings. The
//! worker is the page's own wasm module, started a second time by `static/boot.js` in a module
//! worker (it is given the compiled module, so nothing is fetched or compiled twice). It keeps its
//! own `Session`, so each request re-parses only the documents that changed, and answers each
//! request twice: the picture first (the mesh view waits for it), then the findings.
//!
//! Requests and answers carry the page's translation revision: an answer for an older revision is
//! dropped by the reducer, and while one request is in flight only the latest of those that follow
//! is kept, so the worker never works through a backlog of keystrokes.

use crate::bridge;
use crate::engine::{self, Diag};
use pilotlight_core::topology::Topology;
use pilotlight_core::{Loaded, Session};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::Callback;

/// What the page asks: the analysis of both editors' texts at one revision.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub revision: u64,
    pub istio: String,
    pub cluster: String,
    pub suppress: Vec<String>,
}

/// What the worker answers, twice per request.
#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    /// The mesh view's picture of the load (none when the mesh is too large to draw or the input
    /// has errors: the page keeps its last good load, which this would not match).
    Picture {
        revision: u64,
        topology: Option<Topology>,
    },
    Findings {
        revision: u64,
        diagnostics: Vec<Diag>,
    },
}

/// The request the worker is answering, with its load.
struct Answering {
    request: Request,
    loaded: Rc<Loaded>,
}

thread_local! {
    /// The worker's parsed documents, kept between requests.
    static SESSION: RefCell<Session> = RefCell::new(Session::new());
    /// The last request and its load, which its second answer reuses.
    static ANSWERING: RefCell<Option<Answering>> = const { RefCell::new(None) };
}

/// The worker's first answer to a request (called by `static/boot.js`): the mesh picture the
/// page's mesh view would build. The request and its load are kept for [`findings_json`]. A
/// request that cannot be read gets no answer (empty text): it can only come from this page.
#[wasm_bindgen]
pub fn picture_json(request: &str) -> String {
    let Ok(request) = serde_json::from_str::<Request>(request) else {
        return String::new();
    };
    let analysis =
        SESSION.with(|s| engine::load_in(&mut s.borrow_mut(), &request.istio, &request.cluster));
    let loaded = analysis.loaded;
    let topology =
        (!analysis.has_errors && engine::drawable(&loaded)).then(|| Topology::build(&loaded.mesh));
    let reply = Reply::Picture {
        revision: request.revision,
        topology,
    };
    ANSWERING.with(|a| *a.borrow_mut() = Some(Answering { request, loaded }));
    serde_json::to_string(&reply).unwrap_or_default()
}

/// The worker's second answer: the findings of the request [`picture_json`] answered, as
/// `engine::findings` computes them on the page for small inputs (empty text if there is none).
#[wasm_bindgen]
pub fn findings_json() -> String {
    ANSWERING.with(|a| {
        let Some(Answering { request, loaded }) = a.borrow_mut().take() else {
            return String::new();
        };
        let diagnostics =
            engine::findings(&loaded, &request.istio, &request.cluster, &request.suppress);
        serde_json::to_string(&Reply::Findings {
            revision: request.revision,
            diagnostics,
        })
        .unwrap_or_default()
    })
}

#[wasm_bindgen]
extern "C" {
    /// Starts the worker (`static/boot.js`); throws where module workers are unavailable.
    #[wasm_bindgen(catch, js_namespace = window, js_name = PilotLightWorker)]
    fn start_worker() -> Result<web_sys::Worker, JsValue>;
}

/// The page's side: one worker, one request in flight, the latest one waiting.
pub struct AnalysisWorker {
    link: Rc<Link>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut()>,
}

struct Link {
    worker: web_sys::Worker,
    busy: Cell<bool>,
    /// The worker reported an error (its script or module did not load): no more requests.
    failed: Cell<bool>,
    waiting: RefCell<Option<String>>,
}

impl Link {
    fn send(&self, message: String) {
        self.busy.set(true);
        let _ = self.worker.post_message(&JsValue::from_str(&message));
    }
}

impl AnalysisWorker {
    /// `on_reply` gets each answer; `on_failure` is called if the worker cannot run (its script
    /// or module failed), after which [`Self::request`] refuses and the page analyzes itself.
    pub fn start(on_reply: Callback<Reply>, on_failure: Callback<()>) -> Option<AnalysisWorker> {
        let worker = start_worker().ok()?;
        let link = Rc::new(Link {
            worker,
            busy: Cell::new(false),
            failed: Cell::new(false),
            waiting: RefCell::new(None),
        });
        let answered = link.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                // Taking an answer in (reading its JSON, the reducer) is measured for the tests.
                bridge::mark("pl:answer-start");
                let reply = e.data().as_string();
                let reply = reply.and_then(|r| serde_json::from_str::<Reply>(&r).ok());
                // The findings are a request's last answer: the worker is free for the next.
                if !matches!(reply, Some(Reply::Picture { .. })) {
                    answered.busy.set(false);
                    let next = answered.waiting.borrow_mut().take();
                    if let Some(next) = next {
                        answered.send(next);
                    }
                }
                if let Some(reply) = reply {
                    on_reply.emit(reply);
                }
                bridge::measure("pl:answer", "pl:answer-start");
            });
        let broken = link.clone();
        let on_error = Closure::<dyn FnMut()>::new(move || {
            broken.failed.set(true);
            on_failure.emit(());
        });
        link.worker
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        link.worker
            .set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(AnalysisWorker {
            link,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Ask for a revision's analysis (sent now, or when the request in flight is answered).
    /// False when the worker failed: the caller analyzes itself.
    pub fn request(&self, request: &Request) -> bool {
        if self.link.failed.get() {
            return false;
        }
        let Ok(message) = serde_json::to_string(request) else {
            return false;
        };
        if self.link.busy.get() {
            *self.link.waiting.borrow_mut() = Some(message);
        } else {
            self.link.send(message);
        }
        true
    }
}

impl Drop for AnalysisWorker {
    fn drop(&mut self) {
        self.link.worker.terminate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilotlight_core::world;

    fn picture(request: &Request) -> Reply {
        serde_json::from_str(&picture_json(&serde_json::to_string(request).unwrap())).unwrap()
    }

    fn findings() -> Reply {
        serde_json::from_str(&findings_json()).unwrap()
    }

    #[test]
    fn the_worker_answers_what_the_page_would_draw_and_find_with_the_revision_asked() {
        let istio = world::preset("request-routing-v1").unwrap().yaml.replacen(
            "subset: v1",
            "subset: v9",
            1,
        );
        let request = Request {
            revision: 7,
            istio: istio.clone(),
            cluster: world::BOOKINFO.to_string(),
            suppress: Vec::new(),
        };
        let page = engine::analyze(&istio, world::BOOKINFO);
        let Reply::Picture { revision, topology } = picture(&request) else {
            panic!("the picture comes first");
        };
        assert_eq!(revision, 7);
        assert_eq!(topology, Some(Topology::build(&page.loaded.mesh)));
        let Reply::Findings {
            revision,
            diagnostics,
        } = findings()
        else {
            panic!("then the findings");
        };
        assert_eq!(revision, 7);
        assert_eq!(diagnostics, page.diagnostics);
        assert!(diagnostics
            .iter()
            .any(|d| d.code == "IST0101" && d.fix.as_ref().is_some_and(|f| f.replacement == "v1")));
        // Suppressed as the page's own analysis suppresses.
        let request = Request {
            suppress: vec!["IST0101=VirtualService default/reviews".into()],
            revision: 8,
            ..request
        };
        picture(&request);
        let Reply::Findings { diagnostics, .. } = findings() else {
            panic!("findings");
        };
        assert!(diagnostics.iter().all(|d| d.code != "IST0101"));
        // Each request's findings are answered once; an unreadable request gets no answer.
        assert_eq!(findings_json(), "");
        assert_eq!(picture_json("not a request"), "");
    }

    #[test]
    fn an_input_with_errors_gets_no_picture() {
        // The page keeps drawing its last good load; a picture of the broken one would not match.
        let request = Request {
            revision: 9,
            istio: "kind: VirtualService\nspec: [\n".into(),
            cluster: world::BOOKINFO.to_string(),
            suppress: Vec::new(),
        };
        let Reply::Picture { topology, .. } = picture(&request) else {
            panic!("picture");
        };
        assert_eq!(topology, None);
    }
}
