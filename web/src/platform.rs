//! The browser around the page: local storage, the URL, the user's language. Every call here fails
//! soft (private mode, blocked storage): the page then works without persistence.

use crate::i18n::Lang;

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

pub fn save_text(istio: bool, text: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(if istio { KEY_ISTIO } else { KEY_CLUSTER }, text);
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
