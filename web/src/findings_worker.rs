//! A large input's findings, computed in a Web Worker: the page's own wasm module, started a second
//! time by `static/boot.js` in a module worker (it is given the compiled module, so nothing is
//! fetched or compiled twice). The worker keeps its own `Session`, so each request re-parses only
//! the documents that changed. Requests and replies carry the page's translation revision: a reply
//! for an older revision is dropped by the reducer, and while one request is in flight only the
//! latest of those that follow is kept, so the worker never works through a backlog of keystrokes.

use crate::engine::{self, Diag};
use pilotlight_core::Session;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::Callback;

/// What the page asks: the findings of both editors' texts at one revision.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub revision: u64,
    pub istio: String,
    pub cluster: String,
    pub suppress: Vec<String>,
}

/// What the worker answers.
#[derive(Debug, Serialize, Deserialize)]
pub struct Reply {
    pub revision: u64,
    pub diagnostics: Vec<Diag>,
}

thread_local! {
    /// The worker's parsed documents, kept between requests.
    static SESSION: RefCell<Session> = RefCell::new(Session::new());
}

/// The worker's side (called by `static/boot.js` for each message): the request's findings, as
/// `engine::findings` computes them on the page for small inputs. A request that cannot be read
/// gets no findings rather than an error: it can only come from this page.
#[wasm_bindgen]
pub fn findings_json(request: &str) -> String {
    let Ok(req) = serde_json::from_str::<Request>(request) else {
        return String::new();
    };
    let diagnostics = SESSION.with(|session| {
        let analysis = engine::load_in(&mut session.borrow_mut(), &req.istio, &req.cluster);
        engine::findings(&analysis.loaded, &req.istio, &req.cluster, &req.suppress)
    });
    serde_json::to_string(&Reply {
        revision: req.revision,
        diagnostics,
    })
    .unwrap_or_default()
}

#[wasm_bindgen]
extern "C" {
    /// Starts the worker (`static/boot.js`); throws where module workers are unavailable.
    #[wasm_bindgen(catch, js_namespace = window, js_name = PilotLightWorker)]
    fn start_worker() -> Result<web_sys::Worker, JsValue>;
}

/// The page's side: one worker, one request in flight, the latest one waiting.
pub struct FindingsWorker {
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

impl FindingsWorker {
    /// `on_reply` gets each answer; `on_failure` is called if the worker cannot run (its script
    /// or module failed), after which [`Self::request`] refuses and the page analyzes itself.
    pub fn start(on_reply: Callback<Reply>, on_failure: Callback<()>) -> Option<FindingsWorker> {
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
                answered.busy.set(false);
                let next = answered.waiting.borrow_mut().take();
                if let Some(next) = next {
                    answered.send(next);
                }
                let reply = e.data().as_string();
                if let Some(reply) = reply.and_then(|r| serde_json::from_str::<Reply>(&r).ok()) {
                    on_reply.emit(reply);
                }
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
        Some(FindingsWorker {
            link,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Ask for a revision's findings (sent now, or when the request in flight is answered).
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

impl Drop for FindingsWorker {
    fn drop(&mut self) {
        self.link.worker.terminate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilotlight_core::world;

    #[test]
    fn the_worker_answers_what_the_page_would_find_with_the_revision_asked() {
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
        let reply: Reply =
            serde_json::from_str(&findings_json(&serde_json::to_string(&request).unwrap()))
                .unwrap();
        assert_eq!(reply.revision, 7);
        let page = engine::analyze(&istio, world::BOOKINFO).diagnostics;
        assert_eq!(reply.diagnostics, page);
        assert!(reply
            .diagnostics
            .iter()
            .any(|d| d.code == "IST0101" && d.fix.as_ref().is_some_and(|f| f.replacement == "v1")));
        // Suppressed as the page's own analysis suppresses.
        let request = Request {
            suppress: vec!["IST0101=VirtualService default/reviews".into()],
            revision: 8,
            ..request
        };
        let reply: Reply =
            serde_json::from_str(&findings_json(&serde_json::to_string(&request).unwrap()))
                .unwrap();
        assert!(reply.diagnostics.iter().all(|d| d.code != "IST0101"));
        assert_eq!(findings_json("not a request"), "");
    }
}
