//! The request panel: method, host, port, path, headers (with a toggle for `end-user: jason`),
//! where to start; Send and Send 100; the path's result; and every hop with Envoy's decisions,
//! each linked to the config view and to the YAML lines behind it.

use super::mesh_ctx::{proxy_id, reveal, MeshCtx};
use super::options::{Choice, Options};
use super::wrap_name;
use crate::anim::{Form, HopRow, SimAction};
use crate::anim_i18n::direction_label;
use crate::decisions_i18n::decision;
use crate::engine::Tab;
use crate::state::{Action, Source};
use crate::store::Store;
use pilotlight_core::simulate::Outcome;
use pilotlight_core::topology::NodeKind;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

const RUNS: usize = 100;

#[function_component(RequestPanel)]
pub fn request_panel() -> Html {
    let store = use_context::<Store>().expect("store");
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let a = store.lang.anim();
    let sim = mesh.sim.clone();
    let form = sim.form.clone();

    // Text fields update on every keystroke (so Enter in a field sends what is typed); selects on change.
    let update = {
        let (sim, form) = (sim.clone(), form.clone());
        move |set: fn(&mut Form, String), value: String| {
            let mut f = form.clone();
            set(&mut f, value);
            sim.dispatch(SimAction::Form(f));
        }
    };
    let input = |set: fn(&mut Form, String)| {
        let update = update.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                update(set, i.value());
            } else if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
                update(set, t.value());
            }
        })
    };
    let select = |set: fn(&mut Form, String)| {
        let update = update.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            update(set, s.value());
        })
    };
    let on_jason = {
        let sim = sim.clone();
        let form = form.clone();
        Callback::from(move |_| {
            let mut f = form.clone();
            f.jason = !f.jason;
            sim.dispatch(SimAction::Form(f));
        })
    };
    let on_send = {
        let (sim, mesh) = (sim.clone(), mesh.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(v) = mesh.fresh() {
                sim.dispatch(SimAction::Send(v));
            }
        })
    };
    // Ctrl+Enter (Cmd+Enter) sends from anywhere on the page, the editors included: caught
    // before CodeMirror's own Mod-Enter binding.
    {
        let (sim, mesh) = (sim.clone(), mesh.clone());
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                    e.prevent_default();
                    e.stop_propagation();
                    if let Some(v) = mesh.fresh() {
                        sim.dispatch(SimAction::Send(v));
                    }
                }
            });
            let document = web_sys::window().and_then(|w| w.document());
            if let Some(d) = &document {
                let _ = d.add_event_listener_with_callback_and_bool(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                    true,
                );
            }
            move || {
                if let Some(d) = document {
                    let _ = d.remove_event_listener_with_callback_and_bool(
                        "keydown",
                        listener.as_ref().unchecked_ref(),
                        true,
                    );
                }
            }
        });
    }
    let on_send_many = {
        let (sim, mesh) = (sim.clone(), mesh.clone());
        Callback::from(move |_| {
            if let Some(v) = mesh.fresh() {
                sim.dispatch(SimAction::SendMany(v, RUNS));
            }
        })
    };
    // The sidecars a request can start from (the gateway is the empty choice).
    let starts = use_memo(mesh.view.as_ref().map(|v| Rc::as_ptr(v) as usize), {
        let view = mesh.view.clone();
        move |_| {
            let choices = view.iter().flat_map(|v| {
                v.topology
                    .nodes
                    .iter()
                    .filter(|n| n.kind == NodeKind::Sidecar)
                    .map(|n| Choice {
                        value: n.id.clone(),
                        label: n.id.clone(),
                    })
            });
            Rc::new(choices.collect::<Vec<_>>())
        }
    });

    html! {
        <aside class="request-panel" data-testid="request-panel" aria-label={a.request}>
            <form class="request-form" onsubmit={on_send}>
                <label class="field">
                    <span>{ a.from }</span>
                    <select data-testid="request-from" onchange={select(|f, v| f.from = v)}>
                        <option value="" selected={form.from.is_empty()}>{ a.from_gateway }</option>
                        <Options choices={(*starts).clone()} selected={AttrValue::from(form.from.clone())} />
                    </select>
                </label>
                <div class="request-line">
                    <select data-testid="request-method" aria-label={a.method} onchange={select(|f, v| f.method = v)}>
                        { for ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"].iter().map(|m| html! {
                            <option value={*m} selected={form.method == *m}>{ *m }</option>
                        }) }
                    </select>
                    <input data-testid="request-path" aria-label={a.path} value={form.path.clone()}
                        oninput={input(|f, v| f.path = v)} />
                </div>
                <label class="field">
                    <span>{ a.host }</span>
                    <input data-testid="request-host" value={form.host.clone()} placeholder={a.host_placeholder}
                        oninput={input(|f, v| f.host = v)} />
                </label>
                <label class="field">
                    <span>{ a.port }</span>
                    <input data-testid="request-port" class="port" inputmode="numeric" value={form.port.clone()}
                        oninput={input(|f, v| f.port = v)} />
                </label>
                <label class="field column">
                    <span>{ a.headers }</span>
                    <textarea data-testid="request-headers" rows="2" placeholder={a.headers_placeholder}
                        value={form.headers.clone()} oninput={input(|f, v| f.headers = v)} />
                </label>
                <label class="field column">
                    <span>{ a.jwt }</span>
                    <textarea data-testid="request-jwt" rows="2" placeholder={a.jwt_placeholder}
                        value={form.jwt.clone()} oninput={input(|f, v| f.jwt = v)} />
                </label>
                <label class="field toggle">
                    <input type="checkbox" data-testid="jason-toggle" checked={form.jason} onchange={on_jason} />
                    <code>{ a.jason }</code>
                </label>
                <div class="request-actions">
                    <button type="submit" class="btn primary" data-testid="send" disabled={mesh.view.is_none()}>{ a.send }</button>
                    <button type="button" class="btn" data-testid="send-100" disabled={mesh.view.is_none()} onclick={on_send_many}>{ a.send_100 }</button>
                </div>
            </form>
            if let Some(e) = sim.error.clone() {
                <p class="request-error" role="alert" data-testid="request-error">{ e }</p>
            }
            <PathResult />
            <SharesSummary />
            <HopList />
        </aside>
    }
}

#[function_component(PathResult)]
fn path_result() -> Html {
    let store = use_context::<Store>().expect("store");
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let a = store.lang.anim();
    let sim = &mesh.sim;
    let Some(t) = sim.traced.clone() else {
        return html! {};
    };
    if !sim.done() {
        return html! {};
    }
    let r = &t.plan.result;
    let status = r
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "reset".into());
    let ok = r.status.is_some_and(|s| s < 400);
    let text = match (r.status, &r.at) {
        (Some(st), None) => format!("{st} · {} {}", a.delivered, r.delivered.join(" → ")),
        (Some(st), Some(at)) => format!(
            "{st}{}{} · {} ({at})",
            r.flag.as_ref().map(|f| format!(" {f}")).unwrap_or_default(),
            r.detail
                .as_ref()
                .map(|d| format!(" {d}"))
                .unwrap_or_default(),
            a.answered
        ),
        (None, at) => format!(
            "{} · {}{}",
            a.reset,
            r.error.clone().unwrap_or_default(),
            at.as_ref().map(|w| format!(" ({w})")).unwrap_or_default()
        ),
    };
    // A request that stopped: the findings on the objects behind the hop that stopped it.
    let causes = if ok {
        Vec::new()
    } else {
        let stopped = t.rows.iter().find(|row| {
            !row.hop.mirror
                && (row.hop.outcome.status.is_some_and(|s| s >= 400)
                    || row.hop.outcome.error.is_some())
        });
        match (stopped, mesh.view.as_ref()) {
            (Some(row), Some(view)) => {
                view.findings_behind(&row.hop, &store.objects, &store.diagnostics)
            }
            _ => Vec::new(),
        }
    };
    html! {
        <>
        <p class={classes!("path-result", if ok { "ok" } else { "bad" })} role="status" data-testid="path-result"
            data-status={status} data-flag={r.flag.clone()} data-at={r.at.clone()}
            data-detail={r.detail.clone()}
            data-visited={r.visited.join(" ")}>
            { text }
        </p>
        if !causes.is_empty() {
            <ul class="path-causes" data-testid="path-causes" aria-label={a.because}>
                { for causes.iter().map(|d| {
                    let jump = Source::from_file(&d.file).map(|source| (source, d.line));
                    let store = store.clone();
                    let onclick = Callback::from(move |_| {
                        if let Some((source, line)) = jump {
                            store.dispatch(Action::JumpTo { source, line });
                        }
                    });
                    html! {
                        <li><button class="cause" {onclick}>
                            <span class="code">{ format!("{} {} {}:{}", a.because, d.code, d.file, d.line) }</span>
                            <span class="msg">{ &d.message }</span>
                        </button></li>
                    }
                }) }
            </ul>
        }
        </>
    }
}

#[function_component(SharesSummary)]
fn shares_summary() -> Html {
    let store = use_context::<Store>().expect("store");
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let a = store.lang.anim();
    let Some(sh) = mesh.sim.shares.clone() else {
        return html! {};
    };
    html! {
        <div class="shares" data-testid="shares" data-runs={sh.runs.to_string()}>
            <p><strong>{ format!("{} {}", sh.runs, a.runs) }</strong>{ " · " }
                { for sh.statuses.iter().map(|(st, n)| html! { <span class="chip static" data-status={st.clone()}>{ format!("{st}: {n}") }</span> }) }
            </p>
            <p class="muted">{ a.shares_hint }</p>
            <ul>
                { for sh.edges.iter().filter(|e| !e.mirror).map(|e| html! {
                    <li data-testid={format!("share-{}-{}", e.from, e.to)}>
                        <code>{ format!("{} → {}", e.from, e.to) }</code>{ format!("  {}/{} = {}%", e.count, e.of, e.percent()) }
                    </li>
                }) }
            </ul>
        </div>
    }
}

/// Envoy's decisions of one hop on one line (listener → ... → endpoint), for tooltips.
pub fn chain_text(o: &Outcome) -> String {
    let parts: Vec<String> = [
        o.listener.clone(),
        o.route_config.clone(),
        o.virtual_host.clone(),
        o.route
            .clone()
            .map(|r| if r.is_empty() { "(unnamed)".into() } else { r }),
        o.cluster.clone(),
        o.endpoint.as_ref().map(|e| e.address.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut line = parts.join(" → ");
    if let Some(st) = o.status {
        line.push_str(&format!(
            " ⇒ {st}{}",
            o.response_flag
                .as_ref()
                .map(|f| format!(" {f}"))
                .unwrap_or_default()
        ));
    }
    // A local answer of an authorization filter: Envoy's body and the policy it names.
    if let Some(b) = &o.response_body {
        line.push_str(&format!(" {b}"));
    }
    if let Some(d) = &o.response_code_details {
        line.push_str(&format!(" ({d})"));
    }
    if o.connection_closed {
        line.push_str(" ⇒ connection closed");
    }
    line
}

#[function_component(HopList)]
fn hop_list() -> Html {
    let store = use_context::<Store>().expect("store");
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let a = store.lang.anim();
    let sim = mesh.sim.clone();
    let Some(t) = sim.traced.clone() else {
        if sim.shares.is_none() {
            return html! { <p class="muted">{ a.no_trace }</p> };
        }
        return html! {};
    };
    // A hop shows once the dot has reached it.
    let shown = t
        .plan
        .steps
        .get(sim.cursor)
        .map_or(t.rows.len(), |s| s.hop + 1);
    html! {
        <div class="hops">
            <strong>{ a.hops }</strong>
            <ol class="hop-list">
                { for t.rows.iter().take(shown).map(|row| html! { <HopItem row={row.clone()} /> }) }
            </ol>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct HopProps {
    row: HopRow,
}

#[function_component(HopItem)]
fn hop_item(props: &HopProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let a = store.lang.anim();
    let sim = mesh.sim.clone();
    let row = &props.row;
    let h = &row.hop;
    let o = &h.outcome;
    let open = sim.current_hop() == Some(row.index);
    let toggle = {
        let sim = sim.clone();
        let i = row.index;
        Callback::from(move |_| sim.dispatch(SimAction::SelectHop((!open).then_some(i))))
    };
    let dir = direction_label(h.direction);
    let mut badges: Vec<(String, &'static str)> = Vec::new();
    if let Some(st) = o.status {
        badges.push((
            format!(
                "{st}{}",
                o.response_flag
                    .as_ref()
                    .map(|f| format!(" {f}"))
                    .unwrap_or_default()
            ),
            "bad",
        ));
    } else if let Some(e) = o.error {
        badges.push((e.message().to_string(), "bad"));
    }
    if let Some(f) = o.properties.fault.as_ref().filter(|f| f.delayed) {
        badges.push((
            format!("⏱ {} {}", a.delay, f.delay.clone().unwrap_or_default()),
            "warn",
        ));
    }
    let step = sim
        .traced
        .as_ref()
        .and_then(|t| {
            t.plan.steps.iter().find(|s| {
                s.hop == row.index
                    && !(s.mirror && s.kind == pilotlight_core::topology::StepKind::Move)
            })
        })
        .cloned();
    if let Some(s) = &step {
        if let Some(to) = &s.timeout {
            badges.push((
                format!("{} {to}", a.timeout),
                if s.timed_out { "bad" } else { "info" },
            ));
        }
        if s.timed_out {
            badges.push((format!("504 UT · {}", a.timed_out), "bad"));
        }
        if let Some(r) = &s.retries {
            // "2 × connect-failure,..." is the route's policy (retries allowed), not retries
            // that happened: "retry policy: up to 2"; the conditions are in the hop's decisions.
            let attempts = r.split(' ').next().unwrap_or(r);
            badges.push((format!("↻ {} {attempts}", a.retries), "info"));
        }
    }
    if h.mirror {
        badges.push((a.mirror_copy.to_string(), "ghost"));
    }
    let target = h.to_workload.clone().unwrap_or_default();
    let summary = format!(
        "{}{} [{dir}]{}",
        "  ".repeat(row.depth.min(8)),
        h.workload,
        if target.is_empty() || target == h.workload {
            String::new()
        } else {
            format!(" → {target}")
        }
    );

    let details = open.then(|| {
        let proxy = proxy_id(&store, &h.proxy);
        let link = |tab: Tab, name: Option<String>| -> Html {
            let Some(name) = name.filter(|n| !n.is_empty()) else {
                return html! { <code>{ "—" }</code> };
            };
            let store = store.clone();
            let proxy = proxy.clone();
            let n2 = name.clone();
            html! {
                <button class="chip link" title={a.show_in_config}
                    onclick={Callback::from(move |_| reveal(&store, proxy.clone(), tab, &n2))}>{ wrap_name(&name) }</button>
            }
        };
        let endpoint_cluster = o.endpoint.as_ref().and(o.cluster.clone());
        let chain = [
            (a.stage_names[0], link(Tab::Listeners, o.listener.clone())),
            (a.stage_names[1], html! { <code>{ o.network_filter.clone().unwrap_or_else(|| "—".into()) }</code> }),
            (a.stage_names[2], link(Tab::Routes, o.route_config.clone())),
            (a.stage_names[3], html! { <code>{ wrap_name(o.virtual_host.as_deref().unwrap_or("—")) }</code> }),
            (a.stage_names[4], html! { <code>{ o.route.clone().map(|r| if r.is_empty() { "(unnamed)".into() } else { r }).unwrap_or_else(|| "—".into()) }</code> }),
            (a.stage_names[5], link(Tab::Clusters, o.cluster.clone())),
            (a.stage_names[6], match (&o.endpoint, endpoint_cluster) {
                (Some(e), Some(c)) => {
                    let store = store.clone();
                    let proxy = proxy.clone();
                    html! { <button class="chip link" title={a.show_in_config}
                        onclick={Callback::from(move |_| reveal(&store, proxy.clone(), Tab::Endpoints, &c))}>{ e.address.clone() }</button> }
                }
                _ => html! { <code>{ "—" }</code> },
            }),
        ];
        let sources = mesh
            .view
            .as_ref()
            .map(|v| v.hop_sources(h))
            .unwrap_or_default();
        let objs: Vec<_> = store
            .objects
            .iter()
            .filter(|ob| sources.contains(&ob.config_path))
            .cloned()
            .collect();
        html! {
            <div class="hop-detail" data-testid={format!("hop-detail-{}", row.index)}>
                <ol class="decision-chain">
                    { for chain.into_iter().map(|(label, v)| html! { <li><span class="muted">{ label }{ " " }</span>{ v }</li> }) }
                </ol>
                if !objs.is_empty() {
                    <p class="hop-sources"><span class="muted">{ a.yaml_behind }{ ": " }</span>
                        { for objs.into_iter().map(|ob| {
                            let store = store.clone();
                            let source = Source::from_file(&ob.file);
                            let line = ob.start_line;
                            let label = format!("{} {}/{} ({}:{})", ob.kind, ob.namespace, ob.name, ob.file, ob.start_line);
                            html! { <button class="chip" data-testid="hop-source" onclick={Callback::from(move |_| {
                                if let Some(source) = source { store.dispatch(Action::JumpTo { source, line }); }
                            })}>{ label }</button> }
                        }) }
                    </p>
                }
                <details open=true>
                    <summary>{ a.decisions }</summary>
                    <ul class="reasons">
                        { for o.steps.iter().map(|s| html! {
                            <li><span class="muted">{ a.stage(s.stage) }{ " " }</span>{ wrap_name(&decision(store.lang, &s.reason)) }</li>
                        }) }
                        { for h.notes.iter().map(|n| html! { <li class="muted">{ n }</li> }) }
                    </ul>
                </details>
            </div>
        }
    });

    html! {
        <li class={classes!("hop", open.then_some("open"), h.mirror.then_some("ghost"))}
            data-testid={format!("hop-{}", row.index)} data-workload={h.workload.clone()}
            data-direction={dir} data-status={o.status.map(|s| s.to_string())}>
            <button class="hop-summary" aria-expanded={open.to_string()} onclick={toggle} title={chain_text(o)}>
                <code>{ summary }</code>
                { for badges.into_iter().map(|(b, cls)| html! { <span class={classes!("badge", cls)}>{ b }</span> }) }
            </button>
            { details.unwrap_or_default() }
        </li>
    }
}
