//! The browser around the page: local storage, the URL, the user's language. Every call here fails
//! soft (private mode, blocked storage): the page then works without persistence.

use crate::i18n::Lang;
use gloo::timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

const KEY_ISTIO: &str = "pilotlight.istio.v1";
const KEY_CLUSTER: &str = "pilotlight.cluster.v1";
const KEY_LANG: &str = "pilotlight.lang";
const KEY_SUPPRESS: &str = "pilotlight.suppress.v1";

/// A pane size the user dragged to, remembered across visits (percent).
#[derive(Clone, Copy)]
pub enum PaneSize {
    /// The editors' share of the width.
    Editors,
    /// The mesh pane's share of the viewport's height.
    Mesh,
}

impl PaneSize {
    fn key(self) -> &'static str {
        match self {
            PaneSize::Editors => "pilotlight.layout.editors",
            PaneSize::Mesh => "pilotlight.layout.mesh",
        }
    }
}

pub fn load_size(which: PaneSize) -> Option<f64> {
    storage()?
        .get_item(which.key())
        .ok()
        .flatten()?
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}

pub fn save_size(which: PaneSize, value: f64) {
    if let Some(s) = storage() {
        let _ = s.set_item(which.key(), &format!("{value:.1}"));
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load_text(istio: bool) -> Option<String> {
    storage()?
        .get_item(if istio { KEY_ISTIO } else { KEY_CLUSTER })
        .ok()
        .flatten()
}

fn save_text(istio: bool, text: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(if istio { KEY_ISTIO } else { KEY_CLUSTER }, text);
    }
}

/// Above this many bytes of text (both editors), saving waits for a pause in typing: storing a
/// 1.4 MB paste takes about 8 ms, once per keystroke that was a fifth of each key's time.
const SAVE_AT_ONCE_BYTES: usize = 256 * 1024;
const SAVE_DELAY_MS: u32 = 1000;

type Texts = (Rc<str>, Rc<str>);

/// Keeps both editors' texts in local storage: small texts at once, large ones a second after the
/// last edit, and always when the page is hidden or left (`pagehide`, `visibilitychange`), so a
/// reload or a closed tab never loses text.
#[derive(Default)]
pub struct TextSaver {
    pending: Rc<RefCell<Option<Texts>>>,
    timer: RefCell<Option<Timeout>>,
    listening: Cell<bool>,
}

impl TextSaver {
    pub fn save(&self, istio: Rc<str>, cluster: Rc<str>) {
        let large = istio.len() + cluster.len() > SAVE_AT_ONCE_BYTES;
        *self.pending.borrow_mut() = Some((istio, cluster));
        if !large {
            self.timer.borrow_mut().take();
            flush(&self.pending);
            return;
        }
        self.flush_when_hidden();
        let pending = self.pending.clone();
        *self.timer.borrow_mut() = Some(Timeout::new(SAVE_DELAY_MS, move || flush(&pending)));
    }

    fn flush_when_hidden(&self) {
        if self.listening.replace(true) {
            return;
        }
        let Some(w) = web_sys::window() else { return };
        let pending = self.pending.clone();
        let on_hide = Closure::<dyn Fn()>::new(move || flush(&pending));
        let _ = w.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
        if let Some(d) = w.document() {
            let _ = d.add_event_listener_with_callback(
                "visibilitychange",
                on_hide.as_ref().unchecked_ref(),
            );
        }
        on_hide.forget(); // lives as long as the page
    }
}

/// Saves the pending texts, if any (a hidden page saves too: it may never come back).
fn flush(pending: &RefCell<Option<Texts>>) {
    if let Some((istio, cluster)) = pending.borrow_mut().take() {
        save_text(true, &istio);
        save_text(false, &cluster);
    }
}

/// The `-S` values added in Problems, one per line.
pub fn load_suppressions() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(KEY_SUPPRESS).ok().flatten())
        .map(|t| {
            t.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub fn save_suppressions(list: &[String]) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY_SUPPRESS, &list.join("\n"));
    }
}

pub fn save_lang(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY_LANG, lang.code());
    }
}

fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// `?lang=en|zh` first, then the user's earlier choice, then the browser's language.
pub fn initial_lang() -> Lang {
    query_param("lang")
        .and_then(|l| Lang::parse(&l))
        .or_else(|| {
            storage()
                .and_then(|s| s.get_item(KEY_LANG).ok().flatten())
                .and_then(|l| Lang::parse(&l))
        })
        .or_else(|| {
            web_sys::window()
                .and_then(|w| w.navigator().language())
                .and_then(|l| Lang::parse(&l))
        })
        .unwrap_or(Lang::En)
}

/// Sets `<html lang>` so screen readers and fonts follow the UI language.
pub fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", if lang == Lang::Zh { "zh-CN" } else { "en" });
    }
}

pub fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Removes the "Loading…" placeholder of index.html once the app renders.
pub fn remove_boot_message() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        el.remove();
    }
}
