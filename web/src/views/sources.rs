//! The left pane: the two source editors (Istio config, Cluster) and the list of problems.

use super::{CodeEditor, DRAWN_AT_MOST};
use crate::engine::{Diag, Level};
use crate::i18n::Lang;
use crate::state::{Action, Source, State};
use crate::store::{EditHandlers, Store};
use pilotlight_core::world;
use std::rc::Rc;
use yew::prelude::*;

#[function_component(SourcePane)]
pub fn source_pane() -> Html {
    let store = use_context::<Store>().expect("store");
    let handlers = use_context::<EditHandlers>().expect("handlers");
    let t = store.lang.strings();
    // The cluster editor is created the first time its tab is shown, not at start: the first
    // output waits for every editor the first render creates (CodeMirror parses and lays out
    // its text), and most readers never open the cluster. Once created it stays (hidden), so
    // its undo history and scroll position survive switching tabs.
    let cluster_opened = use_mut_ref(|| false);
    if store.source == Source::Cluster {
        *cluster_opened.borrow_mut() = true;
    }
    let cluster_opened = *cluster_opened.borrow();

    let tab = |source: Source, label: &'static str, id: &'static str| {
        let store2 = store.clone();
        let selected = store.source == source;
        let errors = store
            .diagnostics
            .iter()
            .filter(|d| d.file == source.file() && d.level == Level::Error)
            .count();
        html! {
            <button role="tab" id={id} aria-selected={selected.to_string()}
                aria-controls={format!("{id}-panel")}
                class={classes!("tab", selected.then_some("active"))}
                onclick={Callback::from(move |_| store2.dispatch(Action::ShowSource(source)))}>
                { label }
                if errors > 0 { <span class="badge error" aria-label={t.error}>{ errors }</span> }
            </button>
        }
    };

    let editor = |source: Source, testid: &'static str, label: &'static str| {
        let on_change = {
            let on_edit = handlers.on_edit.clone();
            Callback::from(move |text: String| on_edit.emit((source, text)))
        };
        let on_cursor = {
            let store = store.clone();
            Callback::from(move |line: u32| store.dispatch(Action::Cursor(source, line)))
        };
        let jump = store
            .jump
            .filter(|j| j.source == source)
            .map(|j| (j.line, j.select, j.nonce));
        html! {
            <CodeEditor testid={testid} label={label}
                text={Rc::<str>::clone(match source { Source::Istio => &store.istio, Source::Cluster => &store.cluster })}
                version={store.version(source)}
                diagnostics={Rc::new(store.diagnostics_of(source))}
                highlight={store.highlight(source)}
                {jump} on_change={Some(on_change)} on_cursor={Some(on_cursor)}
                hidden={store.source != source} />
        }
    };

    let on_reset = {
        let store = store.clone();
        Callback::from(move |_| {
            store.dispatch(Action::Replace {
                source: Source::Cluster,
                text: world::BOOKINFO.to_string(),
            })
        })
    };

    html! {
        <section class="pane sources" aria-label={t.sources}>
            <div class="pane-bar">
                <div role="tablist" aria-label={t.sources} class="tabs">
                    { tab(Source::Istio, t.istio_config, "src-istio") }
                    { tab(Source::Cluster, t.cluster, "src-cluster") }
                </div>
                if store.source == Source::Cluster {
                    <button class="btn" data-testid="reset-cluster" onclick={on_reset}>{ t.reset_cluster }</button>
                }
            </div>
            <div class="editor-box" role="tabpanel"
                id={if store.source == Source::Istio { "src-istio-panel" } else { "src-cluster-panel" }}
                aria-labelledby={if store.source == Source::Istio { "src-istio" } else { "src-cluster" }}>
                { editor(Source::Istio, "editor", t.istio_editor_label) }
                if cluster_opened {
                    { editor(Source::Cluster, "cluster-editor", t.cluster_editor_label) }
                }
            </div>
            <Problems />
        </section>
    }
}

/// The problems pane: the suppressions in force and the list of findings.
#[function_component(Problems)]
fn problems() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let count = store.diagnostics.len();
    html! {
        <section class="problems" data-testid="diagnostics" aria-label={t.problems}>
            <h2>
                { t.problems }{ " " }<span class="count">{ count }</span>
                if store.findings_pending() {
                    { " " }<span class="muted checking" role="status" data-testid="findings-pending">{ t.checking }</span>
                }
            </h2>
            if !store.suppress.is_empty() {
                <p class="suppressed" data-testid="suppressed">
                    <span class="muted">{ t.suppressed }</span>
                    { for store.suppress.iter().map(|value| {
                        let store = store.clone();
                        let v = value.clone();
                        let onclick = Callback::from(move |_| store.dispatch(Action::Suppress(v.clone(), false)));
                        html! {
                            <button class="chip" title={t.unsuppress} aria-label={format!("{}: {value}", t.unsuppress)} {onclick}>
                                { format!("-S {value} ✕") }
                            </button>
                        }
                    }) }
                </p>
            }
            <FindingList diagnostics={store.diagnostics.clone()} lang={store.lang}
                dispatch={store.dispatcher()} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct FindingListProps {
    diagnostics: Rc<Vec<Diag>>,
    lang: Lang,
    dispatch: UseReducerDispatcher<State>,
}

/// The clickable list of diagnostics: a click moves the editor to the line. Its own component
/// with value props, so a keystroke (which changes the page state, not the findings) does not
/// redraw it.
#[function_component(FindingList)]
fn finding_list(props: &FindingListProps) -> Html {
    let t = props.lang.strings();
    let count = props.diagnostics.len();
    if count == 0 {
        return html! { <p class="muted">{ t.no_problems }</p> };
    }
    let dispatch = &props.dispatch;
    html! {
        <>
        <ul>
            { for props.diagnostics.iter().take(DRAWN_AT_MOST).map(|d| {
                let source = Source::from_file(&d.file);
                let line = d.line;
                let jump = dispatch.clone();
                let onclick = Callback::from(move |_| {
                    if let Some(source) = source {
                        jump.dispatch(Action::JumpTo { source, line });
                    }
                });
                let (class, level) = match d.level {
                    Level::Error => ("error", t.error),
                    Level::Warning => ("warning", t.warning),
                    Level::Info => ("info", t.info),
                };
                let code = match d.documentation_url() {
                    Some(url) => html! {
                        <a class="doc" href={url} target="_blank" rel="noopener noreferrer"
                           title={t.open_code_page}>{ &d.code }</a>
                    },
                    None => html! { <span class="code">{ &d.code }</span> },
                };
                let fix = d.fix.clone().zip(source).map(|(fix, source)| {
                    let dispatch = dispatch.clone();
                    let label = format!("{} {}", t.fix_use, fix.replacement);
                    let onclick = Callback::from(move |_| {
                        dispatch.dispatch(Action::Fix { source, fix: fix.clone() })
                    });
                    html! { <button class="btn fix" data-testid="quick-fix" {onclick}>{ label }</button> }
                });
                let suppress = d.suppression().map(|value| {
                    let dispatch = dispatch.clone();
                    let title = format!("istioctl analyze -S \"{value}\"");
                    let onclick = Callback::from(move |_| {
                        dispatch.dispatch(Action::Suppress(value.clone(), true))
                    });
                    html! { <button class="btn" data-testid="suppress" {title} {onclick}>{ t.suppress }</button> }
                });
                html! {
                    <li>
                        <button class={classes!("diag", class)} {onclick}>
                            <span class="where">{ format!("{}:{}:{}", d.file, d.line, d.column) }</span>
                            <span class={classes!("level", class)}>{ level }</span>
                            <span class="msg">{ &d.message }</span>
                        </button>
                        { code }
                        { for fix }
                        { for suppress }
                    </li>
                }
            }) }
        </ul>
        if count > DRAWN_AT_MOST {
            <p class="muted" data-testid="findings-count">{ t.findings_drawn(DRAWN_AT_MOST, count) }</p>
        }
        </>
    }
}
