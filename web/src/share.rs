//! Share links and embedding, on the browser's side: read the URL, write the fragment (throttled),
//! build links and iframe snippets, report the page's height to an embedding page, copy and
//! download. The format itself is `pilotlight_core::share` (pure, tested natively).
//!
//! A link is untrusted input: it only ever reaches the page as editor text and as values compared
//! against known ids; nothing from it is inserted as HTML.

use gloo::timers::callback::Timeout;
use pilotlight_core::share;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Browsers limit history updates (Chromium: 200 per 10 s, Safari: 100 per 30 s): at most one a second.
pub const URL_THROTTLE_MS: u32 = 1000;
/// Links longer than this may be cut by chat apps and mail clients (the page says so).
pub const LONG_LINK: usize = 8000;

/// The embed views.
pub const VIEW_CONFIG: &str = "config";
pub const VIEW_ANIMATION: &str = "animation";

/// The URL's share parameters (`?embed&view=...#s=...`).
pub fn params() -> share::Params {
    let Some(loc) = web_sys::window().map(|w| w.location()) else {
        return share::Params::default();
    };
    share::parse_params(
        &loc.search().unwrap_or_default(),
        &loc.hash().unwrap_or_default(),
    )
}

/// The page's address without query or fragment.
pub fn base_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let loc = w.location();
            Some(format!("{}{}", loc.origin().ok()?, loc.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// A link that opens this state in the full page.
pub fn link(state: &share::State) -> String {
    format!("{}#{}", base_url(), share::fragment(state, None))
}

/// A link that opens this state in the embed layout, at `at` (proxy, tab, resource, line).
pub fn embed_link(state: &share::State, view: &str, readonly: bool, at: &share::At) -> String {
    let view = if view == VIEW_ANIMATION {
        VIEW_ANIMATION
    } else {
        VIEW_CONFIG
    };
    let ro = if readonly { "&readonly" } else { "" };
    format!(
        "{}?embed&view={view}{ro}{}#{}",
        base_url(),
        at.query(),
        share::fragment(state, None)
    )
}

/// The iframe snippet for a blog post, with the few lines that let the iframe fit its content.
pub fn iframe_snippet(src: &str) -> String {
    let src = html_attr(src);
    format!(
        "<iframe src=\"{src}\" title=\"Pilot Light\" width=\"100%\" height=\"520\" \
         style=\"border:1px solid #d0d7de;border-radius:6px\" loading=\"lazy\"></iframe>\n\
         <script>\n\
         // Fit each Pilot Light iframe to the height it reports.\n\
         addEventListener(\"message\", (e) => {{\n\
         \x20 if (!e.data || e.data.type !== \"pilotlight:height\") return;\n\
         \x20 for (const f of document.querySelectorAll(\"iframe\"))\n\
         \x20   if (f.contentWindow === e.source) f.style.height = Math.min(e.data.height, 4000) + \"px\";\n\
         }});\n\
         </script>\n"
    )
}

/// A Markdown link to the full page.
pub fn markdown_link(url: &str) -> String {
    format!("[Open in Pilot Light]({})", url.replace(')', "%29"))
}

fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Writes the state into the URL fragment as the user types, at most once per
/// [`URL_THROTTLE_MS`], always ending with the latest state (trailing edge).
#[derive(Default)]
pub struct UrlSync {
    latest: Rc<RefCell<Option<share::State>>>,
    timer: Rc<RefCell<Option<Timeout>>>,
}

/// Above this many bytes of text the address bar stops carrying the state: compressing a 1.4 MB
/// paste into the fragment took a long main-thread task every second of typing, for a link too
/// long to pass around. The Share dialog still makes one on request.
pub const URL_TEXT_MAX_BYTES: usize = 256 * 1024;

impl UrlSync {
    /// Stop carrying the state: drop a pending write and clear the fragment, so that a reload
    /// restores the text from local storage instead of an older link.
    pub fn stop(&self) {
        self.timer.borrow_mut().take();
        self.latest.borrow_mut().take();
        let Some(w) = web_sys::window() else { return };
        let location = w.location();
        if location.hash().is_ok_and(|h| !h.is_empty()) {
            let url = format!(
                "{}{}",
                location.pathname().unwrap_or_default(),
                location.search().unwrap_or_default()
            );
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
        }
    }

    pub fn push(&self, state: share::State) {
        *self.latest.borrow_mut() = Some(state);
        if self.timer.borrow().is_some() {
            return;
        }
        let (latest, timer) = (self.latest.clone(), self.timer.clone());
        *self.timer.borrow_mut() = Some(Timeout::new(URL_THROTTLE_MS, move || {
            timer.borrow_mut().take();
            if let Some(state) = latest.borrow_mut().take() {
                let fragment = share::fragment(&state, None);
                replace_fragment(&fragment);
                remember_own_fragment(&fragment);
            }
        }));
    }
}

/// Local storage key of the last fragment this page wrote itself.
const OWN_FRAGMENT_KEY: &str = "pilotlight.own-fragment";

fn remember_own_fragment(fragment: &str) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(OWN_FRAGMENT_KEY, fragment);
    }
}

/// Is `s=<state>` the fragment this page wrote while typing? Then it may lag behind the text in
/// local storage (the URL is updated throttled), so a reload must restore local storage instead:
/// typing never loses text.
pub fn is_own_fragment(state: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(OWN_FRAGMENT_KEY).ok().flatten())
        .is_some_and(|own| own == format!("s={state}"))
}

/// Sets `#fragment` without a history entry and without a `hashchange` event.
pub fn replace_fragment(fragment: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}")));
    }
}

/// Calls `f` when the user changes the fragment (pastes another link into the same tab).
pub fn on_hash_change(f: impl Fn() + 'static) {
    if let Some(w) = web_sys::window() {
        let cb = Closure::<dyn Fn()>::new(f);
        let _ = w.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref());
        cb.forget(); // lives as long as the page
    }
}

/// In an iframe: post `{type: "pilotlight:height", height}` to the parent whenever the page's
/// height changes, so the embedding page can fit the iframe.
pub fn report_height() {
    let Some(w) = web_sys::window() else { return };
    let Some(body) = w.document().and_then(|d| d.body()) else {
        return;
    };
    let last = Rc::new(RefCell::new(0));
    let send = move || {
        let Some(w) = web_sys::window() else { return };
        let Some(body) = w.document().and_then(|d| d.body()) else {
            return;
        };
        // The body's own height (the embed layout has `height: auto`), not the document's, which
        // is never less than the iframe's: the iframe must be able to shrink too.
        let height = body.get_bounding_client_rect().height().ceil() as i32;
        if height == *last.borrow() {
            return;
        }
        *last.borrow_mut() = height;
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &"pilotlight:height".into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
        if let Ok(Some(parent)) = w.parent() {
            // The height is not a secret: any embedding origin may read it.
            let _ = parent.post_message(&msg, "*");
        }
    };
    send();
    let cb = Closure::<dyn FnMut()>::new(send);
    if let Ok(observer) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    cb.forget();
}

/// Copies `text`; `done` learns whether the browser allowed it. Never logs an unhandled rejection.
pub fn copy(text: &str, done: impl Fn(bool) + 'static) {
    let Some(w) = web_sys::window() else {
        return done(false);
    };
    let done = Rc::new(done);
    let ok = {
        let done = done.clone();
        Closure::once(move |_: JsValue| done(true))
    };
    let err = Closure::once(move |_: JsValue| done(false));
    let _ = w.navigator().clipboard().write_text(text).then2(&ok, &err);
    ok.forget();
    err.forget();
}

/// Saves `text` as a file named `name` (a Blob and a temporary link; no server).
pub fn download(name: &str, text: &str, mime: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = doc
        .create_element("a")
        .map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    // Revoked later: some browsers read the blob after the click returns.
    Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
}

/// A file name from a proxy id: letters, digits, `.`, `-`, `_` only.
pub fn file_name(proxy: &str) -> String {
    let safe: String = proxy
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("config_dump-{safe}.json")
}
