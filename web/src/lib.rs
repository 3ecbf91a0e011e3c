//! Pilot Light's page: a Yew app over `pilotlight-core`. `engine` is the only module that calls the
//! core (`analysis_worker` builds a large input's mesh picture and findings in a Web Worker);
//! `state` holds all state (a reducer); `views` render it; `bridge` drives the CodeMirror editor.

mod analysis_worker;
mod anim;
mod anim_i18n;
mod app;
mod bridge;
mod compare;
mod decisions_i18n;
mod engine;
mod i18n;
#[cfg(test)]
mod page_tests;
mod platform;
mod presets;
mod share;
mod state;
mod store;
mod views;

use wasm_bindgen::prelude::*;

/// Runs when the module is instantiated: on the page it starts the app; in the analysis worker
/// (the same module, see `analysis_worker`) there is no document and nothing to start.
#[wasm_bindgen(start)]
pub fn start() {
    if web_sys::window().and_then(|w| w.document()).is_some() {
        yew::Renderer::<app::App>::new().render();
    }
}
