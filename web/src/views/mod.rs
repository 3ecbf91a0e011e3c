//! View components. They read the state from context and send actions; they hold no state of the
//! page's own (only transient UI state such as "copied!").

pub mod compare;
mod editor;
mod mesh_ctx;
mod options;
mod output;
mod request;
pub mod share;
mod sources;
mod topology;
mod walkthrough;

pub use editor::CodeEditor;
pub use output::OutputPane;
pub use sources::SourcePane;
pub use topology::MeshPane;

/// A long list (a table's rows, the findings) draws at most this many items: a 1,000-service
/// sidecar has over 1,000 clusters and such a mesh 2,000 findings, and drawing them all would hold
/// the page for a long frame on every change. The rest are counted (tables: the filter reaches
/// them).
const DRAWN_AT_MOST: usize = 200;

use crate::i18n::Lang;
use crate::presets;
use crate::state::Action;
use crate::store::Store;
use pilotlight_core::world;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub on_lang: Callback<Lang>,
}

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let on_preset = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let id = select.value();
            if let Some(p) = world::preset(&id) {
                store.dispatch(Action::Replace {
                    source: crate::state::Source::Istio,
                    text: p.yaml.to_string(),
                });
            }
        })
    };
    // The loaded preset stays shown while the Istio editor holds exactly its text.
    let loaded = world::PRESETS
        .iter()
        .find(|p| *store.istio == *p.yaml)
        .map(|p| p.id);
    let menu = use_node_ref();
    {
        let menu = menu.clone();
        use_effect_with(loaded, move |loaded| {
            if let Some(select) = menu.cast::<HtmlSelectElement>() {
                select.set_value(loaded.unwrap_or(""));
            }
        });
    }
    let on_lang = {
        let cb = props.on_lang.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(lang) = Lang::parse(&select.value()) {
                cb.emit(lang);
            }
        })
    };
    html! {
        <header class="topbar">
            <div class="brand">
                <img class="logo" src="./icon.svg" alt="" width="20" height="20" />
                <h1>{ "Pilot Light" }</h1>
                <span class="tagline">{ t.tagline }</span>
            </div>
            <div class="controls">
                <share::ShareButtons />
                <label class="field">
                    <span>{ t.preset }</span>
                    <select data-testid="preset-menu" onchange={on_preset} ref={menu}>
                        <option value="" selected={loaded.is_none()}>{ t.preset_placeholder }</option>
                        { for groups().into_iter().map(|(group, items)| html! {
                            <optgroup label={presets::group(store.lang, group)}>
                                { for items.into_iter().map(|p| html! {
                                    <option value={p.id} selected={loaded == Some(p.id)}>{ presets::title(store.lang, p) }</option>
                                }) }
                            </optgroup>
                        }) }
                    </select>
                </label>
                if let Some(p) = loaded.and_then(world::preset) {
                    <a class="task-link" data-testid="preset-task" href={presets::task_url(p)}
                        target="_blank" rel="noopener noreferrer">{ t.istio_task }{ " ↗" }</a>
                }
                <label class="field">
                    <span>{ t.language }</span>
                    <select data-testid="lang-select" onchange={on_lang}>
                        <option value="en" selected={store.lang == Lang::En}>{ "English" }</option>
                        <option value="zh" selected={store.lang == Lang::Zh}>{ "简体中文" }</option>
                    </select>
                </label>
            </div>
        </header>
    }
}

/// The core's presets, grouped for the menu in their order.
fn groups() -> Vec<(&'static str, Vec<&'static world::Preset>)> {
    let mut out: Vec<(&'static str, Vec<&'static world::Preset>)> = Vec::new();
    for p in world::PRESETS {
        match out.iter_mut().find(|(g, _)| *g == p.group) {
            Some((_, items)) => items.push(p),
            None => out.push((p.group, vec![p])),
        }
    }
    out
}

/// Which way a splitter divides: `Columns` sits between two panes side by side (its value is the
/// left pane's width), `Rows` between panes stacked (its value is the lower pane's height).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Divide {
    Columns,
    Rows,
}

#[derive(Properties, PartialEq)]
pub struct SplitterProps {
    pub divide: Divide,
    /// In percent: of the parent's width (columns) or of the viewport's height (rows).
    pub value: f64,
    pub min: f64,
    pub max: f64,
    pub on_change: Callback<f64>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// A draggable (and keyboard-operable: arrows, Home, End) divider between two panes.
#[function_component(Splitter)]
pub fn splitter(props: &SplitterProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let dragging = use_mut_ref(|| false);
    let onpointerdown = {
        let dragging = dragging.clone();
        Callback::from(move |e: PointerEvent| {
            *dragging.borrow_mut() = true;
            if let Some(el) = e.target_dyn_into::<web_sys::Element>() {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
        })
    };
    let onpointermove = {
        let dragging = dragging.clone();
        let (cb, divide) = (props.on_change.clone(), props.divide);
        Callback::from(move |e: PointerEvent| {
            if !*dragging.borrow() {
                return;
            }
            let el = e.target_dyn_into::<web_sys::Element>();
            match divide {
                Divide::Columns => {
                    if let Some(parent) = el.and_then(|el| el.parent_element()) {
                        let rect = parent.get_bounding_client_rect();
                        if rect.width() > 0.0 {
                            cb.emit((f64::from(e.client_x()) - rect.left()) / rect.width() * 100.0);
                        }
                    }
                }
                Divide::Rows => {
                    let height = web_sys::window()
                        .and_then(|w| w.inner_height().ok())
                        .and_then(|h| h.as_f64())
                        .unwrap_or(0.0);
                    if height > 0.0 {
                        cb.emit((height - f64::from(e.client_y())) / height * 100.0);
                    }
                }
            }
        })
    };
    let onpointerup = Callback::from(move |_: PointerEvent| *dragging.borrow_mut() = false);
    let onkeydown = {
        let (cb, value, divide) = (props.on_change.clone(), props.value, props.divide);
        let (min, max) = (props.min, props.max);
        Callback::from(move |e: KeyboardEvent| {
            let next = match (divide, e.key().as_str()) {
                (Divide::Columns, "ArrowLeft") | (Divide::Rows, "ArrowDown") => value - 5.0,
                (Divide::Columns, "ArrowRight") | (Divide::Rows, "ArrowUp") => value + 5.0,
                (_, "Home") => min,
                (_, "End") => max,
                _ => return,
            };
            e.prevent_default();
            cb.emit(next);
        })
    };
    let (class, orientation) = match props.divide {
        Divide::Columns => ("splitter", "vertical"),
        Divide::Rows => ("splitter rows", "horizontal"),
    };
    html! {
        <div {class} role="separator" tabindex="0" aria-orientation={orientation}
            aria-label={store.lang.strings().resize} data-testid={props.testid.clone()}
            aria-valuenow={format!("{:.0}", props.value)}
            aria-valuemin={format!("{:.0}", props.min)} aria-valuemax={format!("{:.0}", props.max)}
            {onpointerdown} {onpointermove} {onpointerup} {onkeydown}></div>
    }
}

/// A long Envoy or Istio name (`outbound|9080|v1|reviews.default.svc.cluster.local`) with break
/// opportunities after `|`, `.`, `_`, `/` and `~`, so it wraps between its parts, never mid-word.
pub fn wrap_name(name: &str) -> Html {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices() {
        if matches!(c, '|' | '.' | '_' | '/' | '~') {
            let end = i + c.len_utf8();
            parts.push(html! { <>{ &name[start..end] }<wbr /></> });
            start = end;
        }
    }
    parts.push(html! { { &name[start..] } });
    parts.into_iter().collect()
}
