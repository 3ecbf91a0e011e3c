//! The diff panel: what changed in the selected proxy's Envoy config between a snapshot (or one
//! preset) and the editors (or another preset), per resource, with the changed fields by JSON path.

use crate::compare::{Baseline, Compare};
use crate::i18n::Strings;
use crate::state::Action;
use crate::store::Store;
use pilotlight_core::diff::{Change, FieldChange, Kind, ResourceDiff};
use pilotlight_core::envoy::Value;
use pilotlight_core::world;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Longest value shown in a field row; longer ones are cut with "…".
const MAX_VALUE: usize = 400;

fn change_label(t: &Strings, c: Change) -> &'static str {
    match c {
        Change::Added => t.added,
        Change::Removed => t.removed,
        Change::Changed => t.changed,
    }
}

fn kind_label(t: &Strings, k: Kind) -> &'static str {
    match k {
        Kind::Listener => t.listeners,
        Kind::Route => t.routes,
        Kind::Cluster => t.clusters,
        Kind::Endpoint => t.endpoints,
    }
}

#[function_component(ComparePanel)]
pub fn compare_panel() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    // Snapshot and Compare open the panel below the panes: bring it into view when it opens.
    let panel = use_node_ref();
    {
        let panel = panel.clone();
        use_effect_with(store.compare.is_some(), move |open| {
            if let (true, Some(el)) = (*open, panel.cast::<web_sys::Element>()) {
                el.scroll_into_view();
            }
        });
    }
    let Some(cmp) = store.compare.clone() else {
        return html! {};
    };
    let close = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::Compare(None)))
    };
    let resnap = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Action::Compare(Some(Compare::snapshot(
                &store.istio,
                &store.cluster,
            ))))
        })
    };
    let (a, b) = cmp.preset_ids().unwrap_or(("", ""));
    let (a, b) = (a.to_string(), b.to_string());
    let preset_select = |testid: &'static str, current: &str, other: String, first: bool| {
        let store = store.clone();
        let onchange = Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let id = select.value();
            let (x, y) = if first {
                (id.as_str(), other.as_str())
            } else {
                (other.as_str(), id.as_str())
            };
            if let Some(c) = Compare::presets(x, y, &store.cluster) {
                store.dispatch(Action::Compare(Some(c)));
            }
        });
        html! {
            <select data-testid={testid} {onchange}>
                if current.is_empty() {
                    <option value="" selected=true>{ "—" }</option>
                }
                { for world::PRESETS.iter().map(|p| html! {
                    <option value={p.id} selected={p.id == current}>{ p.id }</option>
                }) }
            </select>
        }
    };
    let title = match &cmp.baseline {
        Baseline::Snapshot(_) => t.snapshot_vs_editor.to_string(),
        Baseline::Presets(x, y) => format!("{} → {}", x.label, y.label),
        Baseline::WithoutEnvoyFilters => t.without_envoy_filters.to_string(),
    };
    html! {
        <section class="compare" data-testid="compare" aria-label={t.compare_title} ref={panel}>
            <div class="pane-bar compare-bar">
                <h2>{ t.compare_title }</h2>
                <span class="muted" data-testid="compare-title">{ title }</span>
                <span class="muted">{ store.proxy.clone().unwrap_or_default() }</span>
                <span class="spacer"></span>
                <label class="field">
                    <span>{ t.compare_presets }</span>
                    { preset_select("compare-preset-a", &a, b.clone(), true) }
                    { "→" }
                    { preset_select("compare-preset-b", &b, a.clone(), false) }
                </label>
                <button class="btn" onclick={resnap}>{ t.snapshot }</button>
                <button class="btn" aria-label={t.close} data-testid="compare-close" onclick={close}>{ "✕" }</button>
            </div>
            <Summary />
            <div class="diff" data-testid="diff" data-count={cmp.diff.len().to_string()}>
                if cmp.missing_before {
                    <p class="muted">{ t.missing_in_baseline }</p>
                }
                if cmp.diff.is_empty() {
                    <p class="muted" data-testid="diff-empty">{ t.no_differences }</p>
                } else {
                    <p class="muted">{ format!("{} {}", cmp.diff.len(), t.resources_differ) }</p>
                    { for cmp.diff.iter().map(|r| resource(t, r)) }
                }
            </div>
        </section>
    }
}

/// Which proxies changed across the mesh, each a link to its own diff.
#[function_component(Summary)]
fn summary() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let Some(cmp) = store.compare.clone() else {
        return html! {};
    };
    let Some(changes) = cmp.summary.clone() else {
        return html! { <p class="muted diff-summary">{ t.summary_too_large }</p> };
    };
    html! {
        <div class="diff-summary" data-testid="diff-summary" data-count={changes.len().to_string()}>
            <strong>{ t.proxies_changed(changes.len()) }</strong>
            <ul>
                { for changes.iter().map(|c| {
                    let store = store.clone();
                    let id = c.proxy.clone();
                    let current = store.proxy.as_deref() == Some(id.as_str());
                    let parts: Vec<String> = Kind::ALL
                        .iter()
                        .filter_map(|k| {
                            let names: Vec<&str> = c.resources.iter()
                                .filter(|(kind, _)| kind == k)
                                .map(|(_, n)| n.as_str())
                                .collect();
                            (!names.is_empty()).then(|| {
                                let shown = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
                                let more = names.len().saturating_sub(3);
                                let more = if more > 0 { format!(" +{more}") } else { String::new() };
                                format!("{} {shown}{more}", kind_label(t, *k))
                            })
                        })
                        .collect();
                    html! {
                        <li>
                            <button class={classes!("chip", current.then_some("active"))} data-testid="diff-summary-proxy"
                                data-proxy={id.clone()} aria-current={current.then_some("true")}
                                onclick={Callback::from(move |_| store.dispatch(Action::SelectProxy(id.clone())))}>
                                { &c.proxy }
                            </button>
                            <span class="muted">{ parts.join(" · ") }</span>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

fn resource(t: &Strings, r: &ResourceDiff) -> Html {
    html! {
        <details class={classes!("diff-resource", r.change.id())} open={r.change == Change::Changed}
            data-testid="diff-resource" data-kind={r.kind.id()} data-name={r.name.clone()}
            data-change={r.change.id()}>
            <summary>
                <span class={classes!("badge", r.change.id())}>{ change_label(t, r.change) }</span>
                <span class="muted">{ kind_label(t, r.kind) }</span>
                <code>{ &r.name }</code>
                if !r.fields.is_empty() {
                    <span class="muted">{ format!(" ({})", r.fields.len()) }</span>
                }
            </summary>
            if !r.fields.is_empty() {
                <table class="diff-fields">
                    <tbody>{ for r.fields.iter().map(field) }</tbody>
                </table>
            }
        </details>
    }
}

fn field(f: &FieldChange) -> Html {
    html! {
        <tr data-testid="diff-field" data-path={f.path.clone()}>
            <th scope="row"><code>{ &f.path }</code></th>
            <td class="before" data-testid="diff-before">{ value(f.before.as_ref()) }</td>
            <td class="arrow">{ "→" }</td>
            <td class="after" data-testid="diff-after">{ value(f.after.as_ref()) }</td>
        </tr>
    }
}

fn value(v: Option<&Value>) -> Html {
    let Some(v) = v else {
        return html! { <span class="muted">{ "∅" }</span> };
    };
    let text = match v {
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    };
    let text = if text.chars().count() > MAX_VALUE {
        let cut: String = text.chars().take(MAX_VALUE).collect();
        format!("{cut}…")
    } else {
        text
    };
    html! { <code>{ text }</code> }
}
