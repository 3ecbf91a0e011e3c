//! The root component: owns the state (one reducer), wires side effects (persistence, debounce,
//! timing marks) and lays out the panes. Everything below it only renders and sends actions.

use crate::analysis_worker::{AnalysisWorker, Request};
use crate::bridge;
use crate::i18n::Lang;
use crate::platform::{self, PaneSize};
use crate::share::{self, UrlSync};
use crate::state::{default_istio, Action, Source, State, LARGE_INPUT_BYTES};
use crate::store::{EditHandlers, Store};
use crate::views::compare::ComparePanel;
use crate::views::share::{EmbedLayout, LinkError};
use crate::views::{Divide, Header, MeshPane, OutputPane, SourcePane, Splitter};
use gloo::timers::callback::Timeout;
use pilotlight_core::share::{self as codec, ShareError};
use pilotlight_core::world;
use std::rc::Rc;
use yew::prelude::*;

const DEBOUNCE_MS: u32 = 200;
/// The mesh pane's height, in percent of the viewport's.
const MESH_MIN: f64 = 12.0;
const MESH_MAX: f64 = 80.0;

/// A pane size in percent, clamped, started from local storage and saved on every change.
#[hook]
fn use_pane_size(which: PaneSize, default: f64, min: f64, max: f64) -> (f64, Callback<f64>) {
    let size = use_state(move || {
        platform::load_size(which)
            .unwrap_or(default)
            .clamp(min, max)
    });
    let on_change = {
        let size = size.clone();
        Callback::from(move |pct: f64| {
            let pct = pct.clamp(min, max);
            platform::save_size(which, pct);
            size.set(pct);
        })
    };
    (*size, on_change)
}

#[function_component(App)]
pub fn app() -> Html {
    // A share link (`#s=...`) wins over local storage; a broken one gives an empty editor and a
    // message. Embedded pages and opened links do not overwrite the user's saved text until edited.
    let params = use_memo((), |_| {
        let mut p = share::params();
        if p.state.as_deref().is_some_and(share::is_own_fragment) {
            p.state = None;
        }
        p
    });
    let link = use_memo((), {
        let params = params.clone();
        move |_| params.state.as_deref().map(codec::decode)
    });
    let store = use_reducer({
        let (link, at) = (link.clone(), params.at.clone());
        move || {
            let lang = platform::initial_lang();
            let mut state = match (*link).clone() {
                Some(Ok(st)) => State::from_link(lang, st),
                Some(Err(e)) if e != ShareError::Missing => {
                    State::new(lang, String::new(), world::BOOKINFO.to_string())
                }
                _ => {
                    let istio = platform::load_text(true).unwrap_or_else(default_istio);
                    let cluster =
                        platform::load_text(false).unwrap_or_else(|| world::BOOKINFO.to_string());
                    State::starting(lang, istio, cluster)
                }
            };
            state.suppressing(platform::load_suppressions());
            state.open_at(&at);
            state
        }
    });
    let embed = params.embed;
    let persist = use_mut_ref(|| !embed && link.is_none());
    {
        let (store, link) = (store.clone(), link.clone());
        use_effect_with((), move |_| {
            if let Some(Err(e)) = &*link {
                if *e != ShareError::Missing {
                    store.dispatch(Action::LinkError(Some(e.to_string())));
                }
            }
            if embed {
                share::report_height();
            }
            let store = store.clone();
            share::on_hash_change(
                move || match share::params().state.map(|s| codec::decode(&s)) {
                    Some(Ok(st)) => store.dispatch(Action::Restore(Box::new(st))),
                    Some(Err(ShareError::Missing)) | None => {}
                    Some(Err(e)) => store.dispatch(Action::LinkError(Some(e.to_string()))),
                },
            );
        });
    }
    // The URL follows the state (throttled), so the address bar is always a share link.
    {
        let sync = use_mut_ref(UrlSync::default);
        let first = use_mut_ref(|| true);
        let key = (
            store.istio.clone(),
            store.cluster.clone(),
            store.proxy.clone(),
            store.tab,
        );
        let store = store.clone();
        use_effect_with(key, move |_| {
            if std::mem::replace(&mut *first.borrow_mut(), false) || embed {
                return;
            }
            if store.istio.len() + store.cluster.len() > share::URL_TEXT_MAX_BYTES {
                sync.borrow().stop();
                return;
            }
            sync.borrow().push(store.share_state());
        });
    }

    let timer = use_mut_ref(|| None::<Timeout>);
    let on_edit = {
        let store = store.clone();
        let persist = persist.clone();
        Callback::from(move |(source, text): (Source, String)| {
            *persist.borrow_mut() = !embed;
            let other = store.text(match source {
                Source::Istio => Source::Cluster,
                Source::Cluster => Source::Istio,
            });
            let large = text.len() + other.len() > LARGE_INPUT_BYTES;
            // The reducer runs inside dispatch: this measures the core's share of an update.
            bridge::mark("pl:translate-start");
            store.dispatch(Action::Edit {
                source,
                text,
                translate: !large,
            });
            if !large {
                bridge::measure("pl:translate", "pl:translate-start");
            }
            if large {
                let store = store.clone();
                *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || {
                    // The load's share of the update, with its drawing (the browser tests' metrics).
                    bridge::mark("pl:load-start");
                    store.dispatch(Action::Translate);
                    bridge::measure("pl:load", "pl:load-start");
                }));
            }
        })
    };

    // A large input's selected proxy: translated a task after its load.
    {
        let pending = store.output_pending();
        let store = store.clone();
        let timer = use_mut_ref(|| None::<Timeout>);
        use_effect_with((store.revision, pending), move |_| {
            if pending {
                *timer.borrow_mut() = Some(Timeout::new(0, move || {
                    bridge::mark("pl:proxy-start");
                    store.dispatch(Action::TranslateProxy);
                    bridge::measure("pl:proxy", "pl:proxy-start");
                }));
            }
        });
    }
    // Findings that come after the config: a large input's in the analysis worker (started on
    // the first large input, it also builds the mesh picture), others (the first view's, or where
    // a worker cannot run) a task after the config is drawn.
    {
        let pending = store.findings_pending();
        let large = store.large_input();
        let store = store.clone();
        let worker = use_mut_ref(|| None::<Option<AnalysisWorker>>);
        let timer = use_mut_ref(|| None::<Timeout>);
        use_effect_with((store.revision, pending), move |_| {
            if !pending {
                return;
            }
            let sent = large && {
                let mut slot = worker.borrow_mut();
                let started = slot.get_or_insert_with(|| {
                    let (on_reply, on_failure) = (store.dispatcher(), store.dispatcher());
                    AnalysisWorker::start(
                        Callback::from(move |reply| on_reply.dispatch(Action::Answer(reply))),
                        // The worker could not run: the pending findings are computed here.
                        Callback::from(move |()| on_failure.dispatch(Action::Analyze)),
                    )
                });
                started.as_ref().is_some_and(|w| {
                    w.request(&Request {
                        revision: store.revision,
                        istio: store.istio.to_string(),
                        cluster: store.cluster.to_string(),
                        suppress: store.suppress.to_vec(),
                    })
                })
            };
            if !sent {
                *timer.borrow_mut() =
                    Some(Timeout::new(0, move || store.dispatch(Action::Analyze)));
            }
        });
    }
    // Persist both editors.
    {
        let saver = use_mut_ref(platform::TextSaver::default);
        let texts = (store.istio.clone(), store.cluster.clone());
        use_effect_with(texts, move |(istio, cluster)| {
            if *persist.borrow() {
                saver.borrow().save(istio.clone(), cluster.clone());
            }
        });
    }
    // The suppressions added in Problems outlive the page.
    use_effect_with(store.suppress.clone(), move |list| {
        if !embed {
            platform::save_suppressions(list);
        }
    });
    // Language: <html lang>, and remember a choice.
    use_effect_with(store.lang, |lang| {
        platform::set_document_lang(*lang);
    });
    // Timing marks read by the browser tests: first output, and edit-to-output for each new
    // output of the selected proxy (a large input's comes a task after its load).
    {
        let has_output = store.output.is_some();
        let first = use_mut_ref(|| true);
        let output = store.output.as_ref().map(|o| Rc::as_ptr(o) as usize);
        // The revision last measured: another proxy selected is a new output, not an update.
        let measured = use_mut_ref(|| 0_u64);
        let revision = store.revision;
        use_effect_with(output, move |_| {
            if has_output && *first.borrow() {
                *first.borrow_mut() = false;
                platform::remove_boot_message();
                bridge::mark("pl:first-output");
            }
            if std::mem::replace(&mut *measured.borrow_mut(), revision) != revision {
                bridge::measure("pl:update", "pl:edit");
            }
        });
    }
    use_effect_with((), |_| platform::remove_boot_message());

    // Pane sizes: the editors' width and the mesh pane's height, dragged or keyed, remembered.
    let (split, on_split) = use_pane_size(PaneSize::Editors, 44.0, 20.0, 80.0);
    let (mesh_height, on_mesh_height) = use_pane_size(PaneSize::Mesh, 46.0, MESH_MIN, MESH_MAX);
    let on_lang = {
        let store = store.clone();
        Callback::from(move |lang: Lang| {
            platform::save_lang(lang);
            store.dispatch(Action::SetLang(lang));
        })
    };

    let handlers = EditHandlers { on_edit };
    if embed {
        let view = params
            .view
            .clone()
            .unwrap_or_else(|| share::VIEW_CONFIG.to_string());
        return html! {
            <ContextProvider<Store> context={store.clone()}>
            <ContextProvider<EditHandlers> context={handlers}>
                <EmbedLayout view={view} readonly={params.readonly} />
            </ContextProvider<EditHandlers>>
            </ContextProvider<Store>>
        };
    }
    let style = format!("--split: {split:.1}%; --mesh-height: {mesh_height:.1}vh");
    html! {
        <ContextProvider<Store> context={store.clone()}>
        <ContextProvider<EditHandlers> context={handlers}>
            <div class="app" data-testid="app" {style}>
                <Header on_lang={on_lang} />
                <LinkError />
                <main class="split">
                    <SourcePane />
                    <Splitter divide={Divide::Columns} value={split} min=20.0 max=80.0 on_change={on_split} />
                    <OutputPane />
                </main>
                <Splitter divide={Divide::Rows} value={mesh_height} min={MESH_MIN} max={MESH_MAX}
                    on_change={on_mesh_height} testid="mesh-splitter" />
                <MeshPane />
                <ComparePanel />
            </div>
        </ContextProvider<EditHandlers>>
        </ContextProvider<Store>>
    }
}
