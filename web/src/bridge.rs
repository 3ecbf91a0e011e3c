//! Rust's view of the editor bridge (`web/js/editor.js`, bundled into `editor.js`, which defines
//! `window.PilotLight` before the wasm starts).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// One CodeMirror editor or read-only viewer.
    pub type Editor;

    /// `options_json`: `{"language": "yaml"|"json", "readOnly": bool, "label": "..."}`.
    #[wasm_bindgen(js_namespace = PilotLight, js_name = createEditor)]
    pub fn create_editor(
        parent: &web_sys::Element,
        text: &str,
        options_json: &str,
        on_change: &Closure<dyn FnMut(String)>,
        on_cursor: &Closure<dyn FnMut(u32)>,
    ) -> Editor;

    #[wasm_bindgen(method, js_name = getText)]
    pub fn get_text(this: &Editor) -> String;

    /// Replaces the document without calling `on_change`.
    #[wasm_bindgen(method, js_name = setText)]
    pub fn set_text(this: &Editor, text: &str);

    #[wasm_bindgen(method, js_name = setLanguage)]
    pub fn set_language(this: &Editor, language: &str);

    /// JSON `[{code, severity, message, line, column, end_line, end_column}]`, 1-based.
    #[wasm_bindgen(method, js_name = setDiagnostics)]
    pub fn set_diagnostics(this: &Editor, diagnostics_json: &str);

    /// JSON `[[start_line, end_line], ...]`, 1-based and inclusive.
    #[wasm_bindgen(method, js_name = highlightLines)]
    pub fn highlight_lines(this: &Editor, ranges_json: &str);

    #[wasm_bindgen(method, js_name = scrollToLine)]
    pub fn scroll_to_line(this: &Editor, line: u32, select: bool);

    #[wasm_bindgen(method)]
    pub fn destroy(this: &Editor);

    /// `performance.mark(name)`.
    #[wasm_bindgen(js_namespace = PilotLight)]
    pub fn mark(name: &str);

    /// `performance.measure(name, start)`, ignoring a missing start mark.
    #[wasm_bindgen(js_namespace = PilotLight)]
    pub fn measure(name: &str, start: &str);
}
