//! The guided walkthrough, in the mesh pane's side column: (1) iptables sends a pod's traffic to the
//! sidecar's 15001 and 15006, (2) istiod pushes LDS, RDS, CDS and EDS to every proxy, and what the
//! last edit changed in that push, (3) the chain of Envoy resources the sent request went through,
//! each a link into the config view. The diagram draws each step (see `TopologySvg`). It takes
//! focus when it opens and closes on Escape, giving focus back to its button.

use super::mesh_ctx::{proxy_id, reveal, MeshCtx};
use super::wrap_name;
use crate::anim::{Sim, SimAction, WALKTHROUGH_STEPS};
use crate::anim_i18n::direction_label;
use crate::engine::{self, MeshView, Tab};
use crate::store::Store;
use pilotlight_core::diff::{self, Kind};
use pilotlight_core::envoy::ProxyConfig;
use pilotlight_core::simulate::Mode;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What entering a walkthrough step shows in the config view.
pub fn enter_walk_step(
    store: &Store,
    sim: &UseReducerHandle<Sim>,
    view: Option<&MeshView>,
    i: usize,
) {
    let proxy = store.proxy.clone().or_else(|| {
        store
            .proxies
            .iter()
            .find(|p| !p.gateway)
            .map(|p| p.id.clone())
    });
    match i {
        0 => reveal(store, proxy, Tab::Listeners, "virtualOutbound"),
        1 => {
            if let Some(out) = &store.output {
                let first = out.resources(Tab::Routes).iter().find(|r| {
                    engine::config_paths(r)
                        .iter()
                        .any(|p| p.contains("/virtual-service/"))
                });
                if let Some(r) = first {
                    reveal(store, None, Tab::Routes, &engine::resource_name(r));
                }
            }
        }
        _ => {
            if let (Some(h), Some(_)) = (walked_hop(sim), view) {
                sim.dispatch(SimAction::SelectHop(Some(h)));
                let row = sim.traced.as_ref().and_then(|t| t.rows.get(h));
                if let Some(row) = row {
                    if let Some(rc) = &row.hop.outcome.route_config {
                        reveal(store, proxy_id(store, &row.hop.proxy), Tab::Routes, rc);
                    }
                }
            }
        }
    }
}

/// The hop step 3 follows: the open one, else the first outbound (or gateway) hop with a route.
fn walked_hop(sim: &Sim) -> Option<usize> {
    let t = sim.traced.as_ref()?;
    sim.selected_hop.or_else(|| {
        t.rows
            .iter()
            .find(|r| r.hop.outcome.route_config.is_some() && r.hop.direction != Mode::Inbound)
            .map(|r| r.index)
    })
}

/// The xDS types, each with its resources in a proxy's config.
const XDS: [(&str, Kind); 4] = [
    ("LDS", Kind::Listener),
    ("RDS", Kind::Route),
    ("CDS", Kind::Cluster),
    ("EDS", Kind::Endpoint),
];

fn count(config: &ProxyConfig, kind: Kind) -> usize {
    match kind {
        Kind::Listener => config.listeners.len(),
        Kind::Route => config.routes.len(),
        Kind::Cluster => config.clusters.len(),
        Kind::Endpoint => config.endpoints.len(),
    }
}

fn tab_of(kind: Kind) -> Tab {
    match kind {
        Kind::Listener => Tab::Listeners,
        Kind::Route => Tab::Routes,
        Kind::Cluster => Tab::Clusters,
        Kind::Endpoint => Tab::Endpoints,
    }
}

#[function_component(Walkthrough)]
pub fn walkthrough() -> Html {
    let store = use_context::<Store>().expect("store");
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let a = store.lang.anim();
    let sim = mesh.sim.clone();
    let panel = use_node_ref();
    // Focus moves into the panel when it opens; Escape (below) gives it back to the button.
    {
        let panel = panel.clone();
        use_effect_with((), move |_| {
            if let Some(el) = panel.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let Some(i) = sim.walkthrough else {
        return html! {};
    };
    let go = |to: Option<usize>| {
        let (sim, store, view) = (sim.clone(), store.clone(), mesh.view.clone());
        Callback::from(move |_: MouseEvent| {
            sim.dispatch(SimAction::Walkthrough(to));
            if let Some(to) = to {
                enter_walk_step(&store, &sim, view.as_deref(), to);
            }
        })
    };
    let onkeydown = {
        let sim = sim.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Escape" {
                return;
            }
            e.prevent_default();
            sim.dispatch(SimAction::Walkthrough(None));
            let button = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| {
                    d.query_selector("[data-testid=\"walkthrough\"]")
                        .ok()
                        .flatten()
                })
                .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(b) = button {
                let _ = b.focus();
            }
        })
    };
    let body = match i {
        0 => interception(&store),
        1 => push(&store),
        _ => chain(&store, &mesh),
    };
    html! {
        <aside class="walkthrough" data-testid="walkthrough-panel" data-step={i.to_string()}
            aria-label={a.walkthrough} tabindex="-1" ref={panel} {onkeydown}>
            <div class="walk-body">
                <h3>{ a.walk_titles[i] }</h3>
                <p>{ a.walk_texts[i] }</p>
                { body }
            </div>
            <div class="walk-nav">
                <button class="btn" disabled={i == 0} onclick={go(i.checked_sub(1))}>{ a.prev }</button>
                <span class="muted">{ format!("{}/{}", i + 1, WALKTHROUGH_STEPS) }</span>
                if i + 1 < WALKTHROUGH_STEPS {
                    <button class="btn" data-testid="walk-next" onclick={go(Some(i + 1))}>{ a.next }</button>
                }
                <button class="btn" data-testid="walk-close" onclick={go(None)}>{ a.close }</button>
            </div>
        </aside>
    }
}

/// Step 1: the pod's two redirections, drawn, with links to the two listeners they reach.
fn interception(store: &Store) -> Html {
    let link = |name: &'static str| {
        let store = store.clone();
        html! {
            <button class="chip link" onclick={Callback::from(move |_| reveal(&store, None, Tab::Listeners, name))}>
                { name }
            </button>
        }
    };
    html! {
        <>
            <svg class="walk-figure" viewBox="0 0 300 96" role="img" aria-label="iptables: outbound to 15001, inbound to 15006">
                <defs>
                    <marker id="walk-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto">
                        <path d="M0 0 L10 5 L0 10 z" />
                    </marker>
                </defs>
                <rect class="pod" x="2" y="2" width="296" height="92" rx="8" />
                <text class="pod-label" x="10" y="16">{ "pod" }</text>
                <rect class="box" x="14" y="32" width="70" height="36" rx="5" />
                <text x="49" y="54" text-anchor="middle">{ "app" }</text>
                <rect class="box envoy" x="196" y="24" width="92" height="56" rx="5" />
                <text x="242" y="40" text-anchor="middle">{ "Envoy" }</text>
                <text class="port" x="242" y="56" text-anchor="middle">{ "15001 out" }</text>
                <text class="port" x="242" y="70" text-anchor="middle">{ "15006 in" }</text>
                <text class="iptables" x="140" y="50" text-anchor="middle">{ "iptables" }</text>
                <path class="flow" d="M84 42 H194" marker-end="url(#walk-arrow)" />
                <path class="flow" d="M298 74 H262" marker-end="url(#walk-arrow)" />
                <path class="flow" d="M196 66 H86" marker-end="url(#walk-arrow)" />
            </svg>
            <p>{ link("virtualOutbound") }{ " 0.0.0.0:15001 · " }{ link("virtualInbound") }{ " 0.0.0.0:15006" }</p>
        </>
    }
}

/// Step 2: what istiod pushes to the selected proxy, per xDS type, and what the last edit (or,
/// with a snapshot open, everything since the snapshot) changed in it.
fn push(store: &Store) -> Html {
    let a = store.lang.anim();
    let Some(out) = store.output.clone() else {
        return html! {};
    };
    let since_snapshot = store.compare.is_some();
    let changed: Vec<(Kind, String)> = match &store.compare {
        Some(c) => c.diff.iter().map(|r| (r.kind, r.name.clone())).collect(),
        None => store
            .previous
            .as_ref()
            .and_then(|prev| engine::output_for(prev, &out.proxy, None))
            .map(|before| {
                diff::diff(&before.config, &out.config)
                    .into_iter()
                    .map(|r| (r.kind, r.name))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let what = if since_snapshot {
        a.walk_since_snapshot
    } else {
        a.walk_last_edit
    };
    html! {
        <>
            <p class="muted">{ format!("istiod → {}", out.proxy) }</p>
            <ul class="xds-list" data-testid="walk-push">
                { for XDS.iter().map(|(name, kind)| {
                    let mine: Vec<&String> = changed.iter().filter(|(k, _)| k == kind).map(|(_, n)| n).collect();
                    html! {
                        <li data-xds={*name}>
                            <strong>{ *name }</strong>{ format!(" {} ", count(&out.config, *kind)) }
                            if mine.is_empty() {
                                <span class="muted">{ a.walk_unchanged }</span>
                            } else {
                                <span>{ format!("{what}: ") }</span>
                                { for mine.into_iter().map(|n| {
                                    let store = store.clone();
                                    let (tab, name) = (tab_of(*kind), n.clone());
                                    html! { <button class="chip link" data-testid="walk-changed"
                                        onclick={Callback::from(move |_| reveal(&store, None, tab, &name))}>{ wrap_name(n) }</button> }
                                }) }
                            }
                        </li>
                    }
                }) }
            </ul>
        </>
    }
}

/// Step 3: listener → filter chain → HTTP connection manager → route config → virtual host → route
/// → cluster → endpoint for the request just sent, each opening its resource.
fn chain(store: &Store, mesh: &MeshCtx) -> Html {
    let sim = &mesh.sim;
    let a = store.lang.anim();
    let Some(row) = walked_hop(sim).and_then(|h| sim.traced.as_ref()?.rows.get(h).cloned()) else {
        let send = {
            let (sim, mesh) = (sim.clone(), mesh.clone());
            Callback::from(move |_: MouseEvent| {
                if let Some(v) = mesh.fresh() {
                    sim.dispatch(SimAction::Send(v));
                }
            })
        };
        return html! {
            <p>
                <span class="muted">{ a.walk_send_first }{ " " }</span>
                <button class="btn primary" data-testid="walk-send" onclick={send}>{ a.send }</button>
            </p>
        };
    };
    let o = &row.hop.outcome;
    let proxy = proxy_id(store, &row.hop.proxy);
    let link = |label: &'static str, tab: Tab, resource: Option<String>, shown: Option<String>| {
        let shown = shown.or_else(|| resource.clone());
        let value = match (resource, shown) {
            (Some(r), Some(s)) if !s.is_empty() => {
                let (store, proxy) = (store.clone(), proxy.clone());
                html! { <button class="chip link" onclick={Callback::from(move |_| reveal(&store, proxy.clone(), tab, &r))}>{ wrap_name(&s) }</button> }
            }
            (_, Some(s)) if !s.is_empty() => html! { <code>{ wrap_name(&s) }</code> },
            _ => html! { <code>{ "—" }</code> },
        };
        html! { <li><span class="muted">{ label }{ " " }</span>{ value }</li> }
    };
    let route = o
        .route
        .clone()
        .map(|r| if r.is_empty() { "(unnamed)".into() } else { r });
    let endpoint = o.endpoint.as_ref().map(|e| e.address.clone());
    let s = &a.stage_names;
    html! {
        <>
            <p class="muted">{ format!("{} [{}]", row.hop.workload, direction_label(row.hop.direction)) }</p>
            <ol class="walk-chain" data-testid="walk-chain">
                { link(s[0], Tab::Listeners, o.listener.clone(), None) }
                { link(a.filter_chain, Tab::Listeners, o.listener.clone(), o.filter_chain.clone()) }
                { link(s[1], Tab::Listeners, o.listener.clone(), o.network_filter.clone()) }
                { link(s[2], Tab::Routes, o.route_config.clone(), None) }
                { link(s[3], Tab::Routes, o.route_config.clone(), o.virtual_host.clone()) }
                { link(s[4], Tab::Routes, o.route_config.clone(), route) }
                { link(s[5], Tab::Clusters, o.cluster.clone(), None) }
                { link(s[6], Tab::Endpoints, o.cluster.clone(), endpoint) }
            </ol>
        </>
    }
}
