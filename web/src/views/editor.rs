//! A CodeMirror editor (or read-only viewer) as a Yew component. It renders one host element; the
//! editor inside is created once and then driven through the bridge when props change.

use crate::bridge::{self, Editor};
use crate::engine::{Diag, Level};
use crate::store::Store;
use gloo::timers::callback::Timeout;
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub testid: AttrValue,
    pub label: AttrValue,
    pub text: Rc<str>,
    /// Bumped when `text` was replaced from outside (a preset, a reset) and must be pushed into the
    /// editor. Typing never pushes text back, so a slow update can never undo a keystroke.
    #[prop_or_default]
    pub version: u64,
    #[prop_or(AttrValue::Static("yaml"))]
    pub language: AttrValue,
    /// A viewer: its text follows `text` on every change.
    #[prop_or_default]
    pub read_only: bool,
    #[prop_or_default]
    pub diagnostics: Rc<Vec<Diag>>,
    #[prop_or_default]
    pub highlight: Rc<Vec<(u32, u32)>>,
    /// (line, select, nonce)
    #[prop_or_default]
    pub jump: Option<(u32, bool, u64)>,
    #[prop_or_default]
    pub on_change: Option<Callback<String>>,
    #[prop_or_default]
    pub on_cursor: Option<Callback<u32>>,
    #[prop_or_default]
    pub hidden: bool,
}

type Callbacks = (Option<Callback<String>>, Option<Callback<u32>>);

/// What the editor is to show, kept current on every render: the editor is created a task after
/// its first render and starts from what is current then.
struct Shown {
    text: Rc<str>,
    language: AttrValue,
    diagnostics: Rc<Vec<Diag>>,
    highlight: Rc<Vec<(u32, u32)>>,
    jump: Option<(u32, bool, u64)>,
}

/// Lines of the text shown as plain text until the editor exists (a few frames at most).
const PLACEHOLDER_LINES: usize = 120;

#[function_component(CodeEditor)]
pub fn code_editor(props: &EditorProps) -> Html {
    let host = use_node_ref();
    let editor: Rc<RefCell<Option<Editor>>> = use_mut_ref(|| None);
    let created = use_state(|| false);
    let callbacks: Rc<RefCell<Callbacks>> = use_mut_ref(|| (None, None));
    let plain_note = use_context::<Store>().map_or("", |s| s.lang.strings().plain_text_note);
    *callbacks.borrow_mut() = (props.on_change.clone(), props.on_cursor.clone());
    let shown = use_mut_ref(|| None::<Shown>);
    *shown.borrow_mut() = Some(Shown {
        text: props.text.clone(),
        language: props.language.clone(),
        diagnostics: props.diagnostics.clone(),
        highlight: props.highlight.clone(),
        jump: props.jump,
    });

    // CodeMirror takes tens of milliseconds to start: the page's first output is drawn (and
    // painted) first, and the editor a task later.
    {
        let (host, editor, callbacks) = (host.clone(), editor.clone(), callbacks.clone());
        let (read_only, label) = (props.read_only, props.label.clone());
        let created = created.clone();
        use_effect_with((), move |_| {
            let cbs = callbacks.clone();
            let on_change = Closure::<dyn FnMut(String)>::new(move |t: String| {
                let cb = cbs.borrow().0.clone();
                if let Some(cb) = cb {
                    cb.emit(t);
                }
            });
            let cbs = callbacks;
            let on_cursor = Closure::<dyn FnMut(u32)>::new(move |line: u32| {
                let cb = cbs.borrow().1.clone();
                if let Some(cb) = cb {
                    cb.emit(line);
                }
            });
            let closures = Rc::new((on_change, on_cursor));
            let start = {
                let (editor, closures) = (editor.clone(), closures.clone());
                Timeout::new(0, move || {
                    let (Some(el), Some(now)) = (host.cast::<web_sys::Element>(), &*shown.borrow())
                    else {
                        return;
                    };
                    let options = json!({
                        "language": now.language.as_str(),
                        "readOnly": read_only,
                        "label": label.as_str(),
                        "plainNote": plain_note,
                    })
                    .to_string();
                    let (on_change, on_cursor) = &*closures;
                    let e = bridge::create_editor(&el, &now.text, &options, on_change, on_cursor);
                    if !now.diagnostics.is_empty() {
                        e.set_diagnostics(&diagnostics_json(&now.diagnostics));
                    }
                    if !now.highlight.is_empty() {
                        e.highlight_lines(&ranges_json(&now.highlight));
                    }
                    if let Some((line, select, _)) = now.jump {
                        e.scroll_to_line(line, select);
                    }
                    *editor.borrow_mut() = Some(e);
                    created.set(true);
                    bridge::mark("pl:editor-created");
                })
            };
            move || {
                drop(start);
                if let Some(e) = editor.borrow_mut().take() {
                    e.destroy();
                }
                drop(closures);
            }
        });
    }

    {
        let editor = editor.clone();
        let text = props.text.clone();
        let follow = props.read_only.then(|| props.text.clone());
        use_effect_with((props.version, follow), move |_| {
            if let Some(e) = editor.borrow().as_ref() {
                e.set_text(&text);
            }
        });
    }
    {
        let editor = editor.clone();
        use_effect_with(props.language.clone(), move |lang| {
            if let Some(e) = editor.borrow().as_ref() {
                e.set_language(lang);
            }
        });
    }
    {
        let editor = editor.clone();
        use_effect_with(props.diagnostics.clone(), move |diags| {
            if let Some(e) = editor.borrow().as_ref() {
                e.set_diagnostics(&diagnostics_json(diags));
            }
        });
    }
    {
        let editor = editor.clone();
        use_effect_with(props.highlight.clone(), move |ranges| {
            if let Some(e) = editor.borrow().as_ref() {
                e.highlight_lines(&ranges_json(ranges));
            }
        });
    }
    {
        let editor = editor.clone();
        use_effect_with(props.jump, move |jump| {
            if let (Some(e), Some((line, select, _))) = (editor.borrow().as_ref(), jump) {
                e.scroll_to_line(*line, *select);
            }
        });
    }

    let placeholder = (!*created).then(|| {
        let end = props
            .text
            .match_indices('\n')
            .nth(PLACEHOLDER_LINES)
            .map_or(props.text.len(), |(at, _)| at);
        html! { <pre class="cm-placeholder" aria-hidden="true">{ &props.text[..end] }</pre> }
    });
    html! {
        <div class="cm-host" data-testid={props.testid.clone()} ref={host} hidden={props.hidden}>
            { placeholder }
        </div>
    }
}

fn ranges_json(ranges: &[(u32, u32)]) -> String {
    serde_json::to_string(ranges).unwrap_or_default()
}

fn diagnostics_json(diags: &[Diag]) -> String {
    let list: Vec<_> = diags
        .iter()
        .map(|d| {
            json!({
                "code": d.code,
                "severity": match d.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    Level::Info => "info",
                },
                "message": d.message,
                "line": d.line,
                "column": d.column,
                "end_line": d.end_line,
                "end_column": d.end_column,
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}
