//! The right pane: the proxy picker, the resource tabs, istioctl's tables, the selected resource as
//! JSON or YAML, and the whole config dump.

use super::options::{Choice, Options};
use super::{CodeEditor, DRAWN_AT_MOST};
use crate::compare::Compare;
use crate::engine::{column_layout, Format, Tab, TableView};
use crate::i18n::Strings;
use crate::platform;
use crate::state::{Action, Source};
use crate::store::Store;
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

fn tab_label(t: &Strings, tab: Tab) -> &'static str {
    match tab {
        Tab::Listeners => t.listeners,
        Tab::Routes => t.routes,
        Tab::Clusters => t.clusters,
        Tab::Endpoints => t.endpoints,
        Tab::Dump => t.full_dump,
        Tab::Derived => t.derived_config,
    }
}

/// The ARIA tabs pattern: the arrow keys move focus with the selection, to the tab `id`.
fn focus_tab(e: &KeyboardEvent, id: &str) {
    let list = e
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let tab = list.and_then(|l| {
        l.query_selector(&format!("[data-tab=\"{id}\"]"))
            .ok()
            .flatten()
    });
    if let Some(tab) = tab.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = tab.focus();
    }
}

#[function_component(OutputPane)]
pub fn output_pane() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let proxy_choices = use_memo((store.proxies.clone(), store.lang), |(proxies, lang)| {
        let gateway = lang.strings().gateway;
        let choices = proxies
            .iter()
            .map(|p| Choice {
                value: p.id.clone(),
                label: if p.gateway {
                    format!("{} ({gateway})", p.id)
                } else {
                    p.id.clone()
                },
            })
            .collect::<Vec<_>>();
        Rc::new(choices)
    });
    let proxy_choices = (*proxy_choices).clone();

    let on_proxy = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            store.dispatch(Action::SelectProxy(select.value()));
        })
    };
    let on_tab_key = {
        let store = store.clone();
        Callback::from(move |e: KeyboardEvent| {
            let tabs = store.tabs();
            let i = tabs.iter().position(|x| *x == store.tab).unwrap_or(0);
            let n = tabs.len();
            let next = match e.key().as_str() {
                "ArrowRight" => (i + 1) % n,
                "ArrowLeft" => (i + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            e.prevent_default();
            store.dispatch(Action::SelectTab(tabs[next]));
            focus_tab(&e, tabs[next].id());
        })
    };

    let on_ef_diff = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Action::Compare(Some(Compare::without_envoy_filters())))
        })
    };
    html! {
        <section class="pane output" data-testid="config-output" aria-label={t.output}>
            <div class="pane-bar">
                <label class="field">
                    <span>{ t.proxy }</span>
                    <select data-testid="proxy-select" onchange={on_proxy} disabled={store.proxies.is_empty()}>
                        if store.proxies.is_empty() {
                            <option>{ t.no_proxies }</option>
                        }
                        <Options choices={proxy_choices} selected={store.proxy.clone().map(AttrValue::from)} />
                    </select>
                </label>
                <div role="tablist" aria-label={t.output} class="tabs" onkeydown={on_tab_key}>
                    { for store.tabs().into_iter().map(|tab| {
                        let selected = store.tab == tab;
                        let store = store.clone();
                        html! {
                            <button role="tab" data-tab={tab.id()} aria-selected={selected.to_string()}
                                id={format!("tab-{}", tab.id())} aria-controls="output-panel"
                                tabindex={if selected { "0" } else { "-1" }}
                                class={classes!("tab", selected.then_some("active"))}
                                onclick={Callback::from(move |_| store.dispatch(Action::SelectTab(tab)))}>
                                { tab_label(t, tab) }
                            </button>
                        }
                    }) }
                </div>
            </div>
            if store.output.as_ref().is_some_and(|o| !o.patched.is_empty()) {
                <div class="under-cursor">
                    <button class="btn" data-testid="diff-envoy-filters" onclick={on_ef_diff}>{ t.diff_envoy_filters }</button>
                </div>
            }
            if store.stale {
                <p class="stale" role="status" data-testid="stale">{ t.stale }</p>
            }
            if store.updating() {
                <p class="pending muted" role="status">{ t.computing }</p>
            }
            <UnderCursorStrip />
            <div class={classes!("output-body", store.stale.then_some("is-stale"))} id="output-panel"
                role="tabpanel" aria-labelledby={format!("tab-{}", store.tab.id())}>
                if store.tab == Tab::Dump {
                    <DumpView />
                } else {
                    <ResourceTable />
                    <DetailView />
                }
            </div>
        </section>
    }
}

/// What the Istio object under the editor's cursor generated for this proxy.
#[function_component(UnderCursorStrip)]
fn under_cursor_strip() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let Some(uc) = store.under_cursor.clone() else {
        return html! {};
    };
    let o = &uc.object;
    html! {
        <div class="under-cursor" data-testid="under-cursor" role="status">
            <span class="muted">{ format!("{} {}/{}", o.kind, o.namespace, o.name) }</span>
            if uc.made.is_empty() {
                { " " }<span class="muted">{ t.generated_nothing }</span>
            } else {
                { " → " }
                { for uc.made.iter().map(|(tab, name)| {
                    let (tab, name) = (*tab, name.clone());
                    let store = store.clone();
                    let label = format!("{}: {}", tab_label(t, tab), name);
                    html! {
                        <button class="chip" onclick={Callback::from(move |_| store.dispatch(Action::Reveal(tab, name.clone())))}>
                            { label }
                        </button>
                    }
                }) }
            }
        </div>
    }
}

#[function_component(ResourceTable)]
fn resource_table() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    if store.output.is_none() {
        return html! { <p class="muted">{ t.no_proxies }</p> };
    }
    let Some(table) = store.table.clone() else {
        return html! {};
    };
    let made: Vec<String> = store
        .under_cursor
        .as_ref()
        .map(|u| {
            u.made
                .iter()
                .filter(|(tab, _)| *tab == store.tab)
                .map(|(_, n)| n.clone())
                .collect()
        })
        .unwrap_or_default();
    if table.rows.is_empty() {
        return html! { <p class="muted">{ t.empty_table }</p> };
    }
    let filter = store.filter().to_string();
    let shown = table
        .rows
        .iter()
        .filter(|(_, cells)| TableView::row_matches(cells, &filter))
        .count();
    let on_filter = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            store.dispatch(Action::SetFilter(input.value()));
        })
    };
    let on_filter_key = {
        let store = store.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                store.dispatch(Action::SetFilter(String::new()));
            }
        })
    };
    html! {
        <div class="table-wrap" tabindex="-1">
            <div class="table-filter">
                <input type="search" data-testid="table-filter" value={filter.clone()}
                    placeholder={t.filter_placeholder} aria-label={t.filter_label}
                    oninput={on_filter} onkeydown={on_filter_key} />
                <span class="muted" data-testid="table-count" aria-live="polite">
                    { t.rows_shown(shown, table.rows.len()) }
                    if shown > DRAWN_AT_MOST {
                        { " " }{ t.rows_drawn(DRAWN_AT_MOST) }
                    }
                </span>
            </div>
            <table class="istioctl" data-testid="resource-table">
                // The hint until a row is open (then the room goes to the rows).
                if store.detail.is_none() {
                    <caption class="muted">{ t.row_hint }</caption>
                }
                <thead><tr>{ for table.headers.iter().map(|h| {
                    let (width, minor) = column_layout(store.tab, h);
                    html! { <th scope="col" class={classes!(minor.then_some("minor"))}
                        style={format!("width: {width}%")} title={h.clone()}>{ h }</th> }
                }) }</tr></thead>
                <tbody>{ rows(&store, &table, &made, &filter) }</tbody>
            </table>
        </div>
    }
}

/// Moves focus to the previous or next row of the table (the arrow keys), or the first or last.
fn focus_row(from: &web_sys::Element, key: &str) -> bool {
    let row = match key {
        "ArrowDown" => from.next_element_sibling(),
        "ArrowUp" => from.previous_element_sibling(),
        "Home" => from.parent_element().and_then(|b| b.first_element_child()),
        "End" => from.parent_element().and_then(|b| b.last_element_child()),
        _ => return false,
    };
    if let Some(row) = row.and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = row.focus();
    }
    true
}

fn rows(store: &Store, table: &TableView, made: &[String], filter: &str) -> Html {
    let minor: Vec<bool> = table
        .headers
        .iter()
        .map(|h| column_layout(store.tab, h).1)
        .collect();
    let out_patches = store
        .output
        .as_ref()
        .map(|o| o.patched.clone())
        .unwrap_or_default();
    table
        .rows
        .iter()
        .enumerate()
        .filter(|(_, (_, cells))| TableView::row_matches(cells, filter))
        .take(DRAWN_AT_MOST)
        .map(|(row, (i, cells))| {
            let name = store.row_name(*i).unwrap_or_default();
            // The clicked row; a resource opened from elsewhere (a hop's link) marks its rows.
            let selected = match store.selected_row {
                Some(r) => r == row,
                None => store.selected.as_deref() == Some(name.as_str()),
            };
            let toggle = {
                let store = store.clone();
                move || store.dispatch(Action::SelectRow((!selected).then_some(row)))
            };
            let onclick = {
                let toggle = toggle.clone();
                Callback::from(move |_: MouseEvent| toggle())
            };
            let close = store.clone();
            let onkeydown = Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    toggle();
                } else if e.key() == "Escape" {
                    close.dispatch(Action::SelectRow(None));
                } else if let Some(tr) = e.target_dyn_into::<web_sys::Element>() {
                    if focus_row(&tr, &e.key()) {
                        e.prevent_default();
                    }
                }
            });
            // Changed by an EnvoyFilter: a badge naming the patches (the detail lists them too).
            let patches: Vec<String> = out_patches
                .iter()
                .filter(|m| m.tab == store.tab && m.resource == name)
                .map(|m| format!("{}/{} configPatches[{}]", m.patch.namespace, m.patch.name, m.index))
                .collect();
            let badge = (!patches.is_empty()).then(|| html! {
                <span class="badge ef" data-testid="patched-badge" title={patches.join(", ")}>{ "EnvoyFilter" }</span>
            });
            html! {
                <tr tabindex="0" aria-selected={selected.to_string()} data-name={name.clone()}
                    data-patched={(!patches.is_empty()).then_some("true")}
                    class={classes!(selected.then_some("selected"), made.contains(&name).then_some("made"))}
                    {onclick} {onkeydown}>
                    { for cells.iter().zip(&minor).enumerate().map(|(i, (c, minor))| html! {
                        <td title={c.clone()} class={classes!(minor.then_some("minor"))}>
                            <span class="cell">{ if i == 0 { badge.clone().unwrap_or_default() } else { html! {} } }{ c }</span>
                        </td>
                    }) }
                </tr>
            }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
struct FormatBarProps {
    text: Rc<str>,
    /// Offer the JSON/YAML switch (the derived Istio objects are YAML, as kubectl prints them).
    #[prop_or(true)]
    formats: bool,
    #[prop_or_default]
    on_close: Option<Callback<()>>,
    #[prop_or_default]
    children: Html,
}

/// JSON/YAML switch, copy and (for a resource) close.
#[function_component(FormatBar)]
fn format_bar(props: &FormatBarProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let copied = use_state(|| false);
    let on_copy = {
        let text = props.text.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            platform::copy_to_clipboard(&text);
            copied.set(true);
            let copied = copied.clone();
            Timeout::new(1500, move || copied.set(false)).forget();
        })
    };
    let fmt = |format: Format, label: &'static str| {
        let store = store.clone();
        let active = store.format == format;
        html! {
            <button class={classes!("seg", active.then_some("active"))} aria-pressed={active.to_string()}
                onclick={Callback::from(move |_| store.dispatch(Action::SetFormat(format)))}>{ label }</button>
        }
    };
    html! {
        <div class="format-bar">
            <div class="title">{ props.children.clone() }</div>
            if props.formats {
                <div class="segmented" role="group" aria-label={t.format}>
                    { fmt(Format::Json, "JSON") }
                    { fmt(Format::Yaml, "YAML") }
                </div>
            }
            <button class="btn" onclick={on_copy} data-testid="copy">
                { if *copied { t.copied } else { t.copy } }
            </button>
            if let Some(close) = props.on_close.clone() {
                <button class="btn" aria-label={t.close} onclick={Callback::from(move |_| close.emit(()))}>{ "✕" }</button>
            }
        </div>
    }
}

fn language(format: Format) -> AttrValue {
    AttrValue::Static(match format {
        Format::Json => "json",
        Format::Yaml => "yaml",
    })
}

#[function_component(DetailView)]
fn detail_view() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let Some(detail) = store.detail.clone() else {
        return html! {};
    };
    let on_close = {
        let store = store.clone();
        Callback::from(move |_| store.dispatch(Action::SelectResource(None)))
    };
    let on_escape = {
        let store = store.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                store.dispatch(Action::SelectResource(None));
            }
        })
    };
    let jump = detail
        .focus
        .as_ref()
        .map(|(_, line)| (*line, false, store.selected_row.unwrap_or(0) as u64));
    html! {
        <div class="detail" data-testid="resource-detail" onkeydown={on_escape}
            data-focus={detail.focus.as_ref().map(|(name, _)| name.clone())}>
            <FormatBar text={detail.text.clone()} on_close={Some(on_close)} formats={detail.tab != Tab::Derived}>
                <strong>{ &detail.name }</strong>
                if let Some((part, _)) = &detail.focus {
                    <span class="muted">{ " › " }</span><strong>{ part }</strong>
                }
                if !detail.made_by.is_empty() {
                    <span class="muted">{ format!(" · {}: ", t.made_by) }</span>
                    { for detail.made_by.iter().map(|o| {
                        let source = Source::from_file(&o.file);
                        let line = o.start_line;
                        let store = store.clone();
                        let onclick = Callback::from(move |_| {
                            if let Some(source) = source {
                                store.dispatch(Action::JumpTo { source, line });
                            }
                        });
                        html! {
                            <button class="chip" {onclick}>{ format!("{} {}/{} ({}:{})", o.kind, o.namespace, o.name, o.file, o.start_line) }</button>
                        }
                    }) }
                }
            </FormatBar>
            <CodeEditor testid="resource-view" label={detail.name.clone()} text={detail.text.clone()}
                language={if detail.tab == Tab::Derived { language(Format::Yaml) } else { language(store.format) }}
                read_only=true {jump} />
        </div>
    }
}

#[function_component(DumpView)]
fn dump_view() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let Some(text) = store.dump.clone() else {
        return html! { <p class="muted">{ t.no_proxies }</p> };
    };
    html! {
        <div class="detail dump">
            <FormatBar text={text.clone()}>
                <strong>{ store.proxy.clone().unwrap_or_default() }</strong>
            </FormatBar>
            <CodeEditor testid="dump-view" label={t.full_dump} text={text} language={language(store.format)} read_only=true />
        </div>
    }
}
