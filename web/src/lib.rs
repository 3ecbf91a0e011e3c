//! Pilot Light's page: a Yew app over `pilotlight-core`. `engine` is the only module that calls the
//! core; `state` holds all state (a reducer); `views` render it; `bridge` drives the CodeMirror editor.

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

#[wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
