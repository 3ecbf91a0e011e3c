//! Pilot Light's page (a placeholder shell while the app lands; see README).

use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[function_component(App)]
fn app() -> Html {
    html! { <main data-testid="app">{ "Pilot Light" }</main> }
}

#[wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<App>::new().render();
}
