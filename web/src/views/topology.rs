//! The mesh view: the topology the core computed (gateway, services with their workloads, external
//! hosts, the calls between them) as SVG, a dot that plays a traced request's plan step by step,
//! edge shares after "Send 100", and the guided walkthrough. Positions come from the core; this
//! file only draws them. Every label is a text node.

use super::mesh_ctx::{proxy_id, FreshView, MeshCtx};
use super::options::{Choice, Options};
use super::request::{chain_text, RequestPanel};
use super::walkthrough::{enter_walk_step, Walkthrough};
use super::wrap_name;
use crate::anim::{Sim, SimAction};
use crate::anim_i18n::direction_label;
use crate::decisions_i18n::decision;
use crate::engine::{self, MeshView};
use crate::state::Action;
use crate::store::Store;
use gloo::timers::callback::{Interval, Timeout};
use pilotlight_core::simulate::Stage;
use pilotlight_core::topology::{
    Edge, EdgeKind, GroupKind, NodeKind, Step, StepKind, Topology, NODE_H, NODE_W,
};
use std::cell::Cell;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

const TICK_MS: u32 = 40;
/// Quiet time after an edit before the mesh view is rebuilt.
const MESH_VIEW_DELAY_MS: u32 = 250;

/// How long a step plays at speed 1, in milliseconds.
fn duration(s: &Step) -> f64 {
    let base = match s.kind {
        StepKind::Deliver => 300.0,
        StepKind::Move if s.arrives => 800.0,
        StepKind::Move => 600.0,
    };
    base + if s.delay.is_some() { 1400.0 } else { 0.0 } + if s.timed_out { 600.0 } else { 0.0 }
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

#[function_component(MeshPane)]
pub fn mesh_pane() -> Html {
    let store = use_context::<Store>().expect("store");
    let a = store.lang.anim();
    let sim = use_reducer(Sim::default);
    // The mesh view of a new load is built after a pause in typing (or when a request is sent),
    // not on every keystroke; until then the last one stays drawn. A large input's picture comes
    // from the analysis worker: the view waits for it rather than building it here.
    let view = use_state(|| None::<Rc<MeshView>>);
    let fresh = {
        let show = view.clone();
        use_mut_ref(move || FreshView {
            revision: 0,
            loaded: None,
            picture: None,
            built: None,
            show,
        })
    };
    {
        let fresh = fresh.clone();
        let (revision, loaded, picture) =
            (store.revision, store.loaded.clone(), store.picture.clone());
        let from_worker = store.large_input() && store.findings_pending();
        let timer = use_mut_ref(|| None::<Timeout>);
        let key = (
            revision,
            picture.as_ref().map(|p| Rc::as_ptr(p) as usize),
            from_worker,
        );
        use_effect_with(key, move |_| {
            let first = {
                let mut f = fresh.borrow_mut();
                f.revision = revision;
                f.loaded = loaded;
                f.picture = picture.clone();
                f.built.is_none()
            };
            let delay = if first || picture.is_some() {
                0
            } else if from_worker {
                // The worker answers (or fails, and the page analyzes: then this runs again).
                return;
            } else {
                MESH_VIEW_DELAY_MS
            };
            *timer.borrow_mut() = Some(Timeout::new(delay, move || {
                fresh.borrow_mut().get();
            }));
        });
    }
    {
        let sim = sim.clone();
        use_effect_with(store.revision, move |_| sim.dispatch(SimAction::Clear));
    }
    {
        let sim = sim.clone();
        use_effect_with((), move |_| {
            if reduced_motion() {
                sim.dispatch(SimAction::SetReducedMotion(true));
            }
        });
    }
    // The clock: elapsed time in the playing step; the step advances when it has played.
    let elapsed = use_state(|| 0.0_f64);
    {
        let playing = sim.traced.is_some() && !sim.done() && !sim.step_mode && !sim.reduced_motion;
        let step_ms = sim
            .traced
            .as_ref()
            .and_then(|t| t.plan.steps.get(sim.cursor))
            .map(|s| duration(s) / sim.speed)
            .unwrap_or(0.0);
        let sim2 = sim.clone();
        let elapsed = elapsed.clone();
        use_effect_with(
            (sim.run, sim.cursor, playing, sim.speed.to_bits()),
            move |_| {
                elapsed.set(0.0);
                let t = Rc::new(Cell::new(0.0_f64));
                let interval = playing.then(|| {
                    Interval::new(TICK_MS, move || {
                        t.set(t.get() + f64::from(TICK_MS));
                        if t.get() >= step_ms {
                            sim2.dispatch(SimAction::Advance);
                        } else {
                            elapsed.set(t.get());
                        }
                    })
                });
                move || drop(interval)
            },
        );
    }
    // A large input's picture lags its text (the pause in typing, then the worker): say so.
    let updating = store.large_input()
        && !store.stale
        && (store.pending
            || fresh.borrow().built.as_ref().map(|(r, _)| *r) != Some(store.revision));
    let ctx = MeshCtx {
        sim: sim.clone(),
        view: (*view).clone(),
        fresh,
    };
    // A large mesh is drawn as a focus: around the service found by name (else the selected
    // proxy's workload), with the gateways and the nodes the last request (or hundred) visited.
    let found = use_state(|| None::<String>);
    let full: Option<Rc<Topology>> = view.as_ref().map(|v| v.topology.clone());
    let focused = full.as_ref().is_some_and(|t| t.needs_focus());
    // The services "Find a service" offers.
    let service_choices = use_memo(full.as_ref().map(|t| Rc::as_ptr(t) as usize), {
        let full = full.clone();
        move |_| {
            let groups = full.iter().flat_map(|t| t.groups.iter());
            let choices = groups
                .filter(|g| g.kind != GroupKind::Gateway)
                .map(|g| Choice {
                    value: g.label.clone(),
                    label: g.label.clone(),
                });
            Rc::new(choices.collect::<Vec<_>>())
        }
    });
    let centre = (*found)
        .clone()
        .or_else(|| selected_workload(&store, full.as_deref()?));
    // Namespaces the reader collapsed into one box each (those a request visited stay open).
    let collapsed = use_state(Vec::<String>::new);
    let shown: Option<Rc<Topology>> = {
        let path = visited_nodes(&sim);
        let key = (
            (*view).as_ref().map(|v| Rc::as_ptr(v) as usize),
            centre.clone(),
            path.clone(),
            (*collapsed).clone(),
        );
        let full = full.clone();
        (*use_memo(key, move |(_, centre, path, collapsed)| {
            let full = full?;
            let open: Vec<&str> = path
                .iter()
                .filter_map(|id| {
                    full.node(id)
                        .map(|n| full.groups[n.group].namespace.as_str())
                })
                .collect();
            let folded: Vec<&str> = collapsed
                .iter()
                .map(String::as_str)
                .filter(|ns| !open.contains(ns))
                .collect();
            let t = if folded.is_empty() {
                full
            } else {
                Rc::new(full.collapse(&folded))
            };
            if !t.needs_focus() {
                return Some(t);
            }
            let centre: Vec<&str> = centre.iter().map(String::as_str).collect();
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            Some(Rc::new(t.focus(&centre, &path)))
        }))
        .clone()
    };
    // Counted once per drawn mesh, not on every animation tick.
    let namespaces: Rc<Vec<(String, usize)>> = {
        let full = full.clone();
        let key = full.as_ref().map(|t| Rc::as_ptr(t) as usize);
        (*use_memo(key, move |_| {
            Rc::new(full.map(|t| t.namespaces()).unwrap_or_default())
        }))
        .clone()
    };
    let on_fold = {
        let collapsed = collapsed.clone();
        Callback::from(move |ns: String| {
            let mut c = (*collapsed).clone();
            match c.iter().position(|x| *x == ns) {
                Some(i) => {
                    c.remove(i);
                }
                None => c.push(ns),
            }
            collapsed.set(c);
        })
    };
    let on_find = {
        let (found, full) = (found.clone(), full.clone());
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let term = input.value().trim().to_lowercase();
            let hit = full.as_ref().and_then(|t| find_group(t, &term));
            input.set_custom_validity(if hit.is_some() || term.is_empty() {
                ""
            } else {
                "?"
            });
            if hit.is_some() || term.is_empty() {
                found.set(hit);
            }
        })
    };
    let fraction = sim
        .traced
        .as_ref()
        .and_then(|t| t.plan.steps.get(sim.cursor))
        .map(|s| (*elapsed * sim.speed / duration(s)).clamp(0.0, 1.0))
        .unwrap_or(0.0);

    let on_speed = {
        let sim = sim.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(v) = s.value().parse::<f64>() {
                sim.dispatch(SimAction::SetSpeed(v));
            }
        })
    };
    let on_step_mode = {
        let sim = sim.clone();
        let on = sim.step_mode;
        Callback::from(move |_| sim.dispatch(SimAction::SetStepMode(!on)))
    };
    let on_next = {
        let sim = sim.clone();
        Callback::from(move |_| sim.dispatch(SimAction::Advance))
    };
    let on_skip = {
        let sim = sim.clone();
        Callback::from(move |_| sim.dispatch(SimAction::Finish))
    };
    let on_replay = {
        let sim = sim.clone();
        Callback::from(move |_| sim.dispatch(SimAction::Replay))
    };
    let on_walk = {
        let (sim, store, view) = (sim.clone(), store.clone(), (*view).clone());
        Callback::from(move |_| {
            let open = sim.walkthrough.is_none();
            sim.dispatch(SimAction::Walkthrough(open.then_some(0)));
            if open {
                enter_walk_step(&store, &sim, view.as_deref(), 0);
            }
        })
    };
    let speeds = [0.25, 0.5, 1.0, 2.0, 4.0];
    let zoom = use_state(initial_zoom);
    let canvas = use_node_ref();
    let on_zoom = |inward: bool| {
        let (zoom, canvas, shown) = (zoom.clone(), canvas.clone(), shown.clone());
        Callback::from(move |_: MouseEvent| {
            // "Fit" is the pane's width over the diagram's: zooming starts from what is on show.
            let fitted = match (canvas.cast::<web_sys::Element>(), &shown) {
                (Some(el), Some(t)) => f64::from(el.client_width()) / f64::from(t.width.max(1)),
                _ => 1.0,
            };
            zoom.set(step_zoom(*zoom, fitted, inward));
        })
    };
    let on_fit = {
        let zoom = zoom.clone();
        Callback::from(move |_: MouseEvent| zoom.set(None))
    };
    html! {
        <ContextProvider<MeshCtx> context={ctx}>
        <section class="mesh-pane" data-testid="mesh-pane" aria-label={a.mesh}>
            <div class="mesh-bar">
                <strong>{ a.mesh }</strong>
                <label class="field">
                    <span>{ a.speed }</span>
                    <select data-testid="anim-speed" onchange={on_speed}>
                        { for speeds.iter().map(|v| html! {
                            <option value={v.to_string()} selected={(sim.speed - v).abs() < 1e-9}>{ format!("{v}×") }</option>
                        }) }
                    </select>
                </label>
                <label class="field">
                    <input type="checkbox" data-testid="step-mode" checked={sim.step_mode} onchange={on_step_mode} />
                    <span>{ a.step_mode }</span>
                </label>
                if sim.step_mode && sim.traced.is_some() {
                    <button class="btn" data-testid="next-step" onclick={on_next} disabled={sim.done()}>{ a.next_step }</button>
                }
                if sim.traced.is_some() {
                    if sim.done() {
                        <button class="btn" data-testid="replay" onclick={on_replay}>{ a.replay }</button>
                    } else {
                        <button class="btn" data-testid="skip" onclick={on_skip}>{ a.skip }</button>
                    }
                }
                if store.stale {
                    <span class="stale-badge" data-testid="mesh-stale" role="status">{ a.mesh_stale }</span>
                }
                if updating {
                    <span class="muted" data-testid="mesh-updating" role="status">{ a.mesh_updating }</span>
                }
                if focused {
                    <label class="field">
                        <span>{ a.find_service }</span>
                        <input type="search" list="mesh-services" data-testid="mesh-find"
                            placeholder={a.find_placeholder} onchange={on_find} />
                    </label>
                    <datalist id="mesh-services">
                        <Options choices={(*service_choices).clone()} />
                    </datalist>
                }
                if namespaces.len() > 1 {
                    <div class="ns-toggles" role="group" aria-label={a.namespaces}>
                        { for namespaces.iter().map(|(ns, n)| {
                            let open = !collapsed.contains(ns);
                            let on_fold = on_fold.clone();
                            let id = ns.clone();
                            html! {
                                <button class="chip" data-testid={format!("ns-toggle-{ns}")}
                                    aria-expanded={open.to_string()} title={a.services(*n)}
                                    onclick={Callback::from(move |_| on_fold.emit(id.clone()))}>
                                    { format!("{} {ns} · {n}", if open { "▾" } else { "▸" }) }
                                </button>
                            }
                        }) }
                    </div>
                }
                <button class={classes!("btn", sim.walkthrough.is_some().then_some("active"))}
                    data-testid="walkthrough" aria-pressed={sim.walkthrough.is_some().to_string()} onclick={on_walk}>
                    { a.walkthrough }
                </button>
            </div>
            if let (Some(full), Some(shown)) = (full.as_ref().filter(|_| focused), shown.as_ref()) {
                <p class="mesh-focus muted" data-testid="mesh-focus" role="status">
                    { a.focus_note(services(shown), services(full), &centre_label(shown, centre.as_deref())) }
                </p>
            }
            <div class={classes!("mesh-body", store.stale.then_some("is-stale"))}>
                <div class="mesh-canvas" ref={canvas.clone()}>
                    if let Some(t) = shown.clone() {
                        <HopCaption />
                        <div class="zoom-bar" role="group" aria-label={a.zoom}>
                            <button class="btn" data-testid="zoom-out" aria-label={a.zoom_out} onclick={on_zoom(false)}>{ "−" }</button>
                            <button class="btn" data-testid="zoom-fit" aria-pressed={zoom.is_none().to_string()} onclick={on_fit}>{ a.fit }</button>
                            <button class="btn" data-testid="zoom-in" aria-label={a.zoom_in} onclick={on_zoom(true)}>{ "+" }</button>
                        </div>
                        <TopologySvg topology={t} {fraction} zoom={*zoom} on_expand={on_fold.clone()} counts={namespaces.clone()} />
                    } else if let Some(l) = store.loaded.as_ref().filter(|l| !engine::drawable(l)) {
                        <p class="muted" data-testid="mesh-too-large">
                            { a.mesh_too_large(l.mesh.proxies().len(), l.mesh.services.len()) }
                        </p>
                    } else {
                        <p class="muted">{ a.no_mesh }</p>
                    }
                </div>
                // The request panel stays mounted under the walkthrough, so Ctrl+Enter still sends.
                <div class="mesh-side">
                    if sim.walkthrough.is_some() {
                        <Walkthrough />
                    }
                    <div class="mesh-side-panel" hidden={sim.walkthrough.is_some()}>
                        <RequestPanel />
                    </div>
                </div>
            </div>
        </section>
        </ContextProvider<MeshCtx>>
    }
}

/// The selected proxy's workload on the picture (its node's id prefixes the proxy's pod name).
fn selected_workload(store: &Store, t: &Topology) -> Option<String> {
    let proxy = store.proxy.as_ref()?;
    t.nodes
        .iter()
        .find(|n| {
            proxy
                .strip_prefix(n.id.as_str())
                .is_some_and(|rest| rest.starts_with('-'))
        })
        .map(|n| n.id.clone())
}

/// The nodes the last traced request (or the last hundred) went through.
fn visited_nodes(sim: &Sim) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(t) = &sim.traced {
        for s in &t.plan.steps {
            ids.push(s.from.clone());
            ids.extend(s.to.clone());
        }
    }
    if let Some(sh) = &sim.shares {
        for e in &sh.edges {
            ids.push(e.from.clone());
            ids.push(e.to.clone());
        }
    }
    ids.dedup();
    ids
}

/// The group a search names: its label or id exactly, else the first label containing it.
fn find_group(t: &Topology, term: &str) -> Option<String> {
    if term.is_empty() {
        return None;
    }
    let named = |g: &&pilotlight_core::topology::Group| {
        g.label.to_lowercase() == term || g.id.to_lowercase() == term
    };
    t.groups
        .iter()
        .find(named)
        .or_else(|| {
            t.groups
                .iter()
                .find(|g| g.label.to_lowercase().contains(term))
        })
        .map(|g| g.id.clone())
}

fn services(t: &Topology) -> usize {
    t.groups
        .iter()
        .filter(|g| g.kind != GroupKind::Gateway)
        .count()
}

/// How the focus note names its centre: the group's label.
fn centre_label(t: &Topology, centre: Option<&str>) -> String {
    let Some(id) = centre else {
        return String::new();
    };
    t.node(id)
        .map(|n| t.groups[n.group].label.clone())
        .or_else(|| {
            t.groups
                .iter()
                .find(|g| g.id == id)
                .map(|g| g.label.clone())
        })
        .unwrap_or_else(|| id.to_string())
}

/// The open hop's deciding step, written over the diagram: where the dot is and why it goes
/// there (the route that matched and what it matched on, or where and why it stopped).
#[function_component(HopCaption)]
fn hop_caption() -> Html {
    let store = use_context::<Store>().expect("store");
    let a = store.lang.anim();
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let sim = &mesh.sim;
    let Some(row) = sim
        .current_hop()
        .and_then(|h| sim.traced.as_ref()?.rows.get(h).cloned())
    else {
        return html! {};
    };
    let h = &row.hop;
    // Where it stopped (503 NC: the cluster), else the route that chose where it goes.
    let stopped = h.outcome.status.is_some() || h.outcome.error.is_some();
    let deciding = if stopped {
        h.outcome.steps.last()
    } else {
        h.outcome
            .steps
            .iter()
            .rev()
            .find(|s| s.stage == Stage::Route)
            .or_else(|| h.outcome.steps.last())
    };
    let Some(step) = deciding else {
        return html! {};
    };
    html! {
        <p class="hop-caption" data-testid="hop-caption" aria-live="polite">
            <strong>{ wrap_name(&h.workload) }</strong>
            <span class="muted">{ format!(" {} · {}: ", direction_label(h.direction), a.stage(step.stage)) }</span>
            { wrap_name(&decision(store.lang, &step.reason)) }
            if let Some(status) = h.outcome.status {
                { " ⇒ " }<strong class="bad">{ status }</strong>
            }
        </p>
    }
}

#[derive(Properties, PartialEq)]
struct SvgProps {
    topology: Rc<Topology>,
    /// How far the playing step has played (0..1).
    fraction: f64,
    /// Drawn at this scale (the canvas scrolls to pan), or fitted to the pane when `None`.
    zoom: Option<f64>,
    /// A click on a collapsed namespace's box opens it.
    on_expand: Callback<String>,
    /// Each namespace's number of services (a collapsed box says it).
    counts: Rc<Vec<(String, usize)>>,
}

/// The diagram's scale: fitted to its pane, or a fixed one the canvas scrolls over (a phone starts
/// at 1:1, where labels keep their 11px; a fitted 900px diagram in 390px would be unreadable).
const ZOOMS: [f64; 6] = [0.5, 0.75, 1.0, 1.25, 1.5, 2.0];

fn initial_zoom() -> Option<f64> {
    let width = web_sys::window()?.inner_width().ok()?.as_f64()?;
    (width < 700.0).then_some(1.0)
}

/// The next zoom level in or out from `z` (from "fit", the level nearest the fitted scale).
fn step_zoom(z: Option<f64>, fitted: f64, inward: bool) -> Option<f64> {
    let z = z.unwrap_or(fitted);
    let next = if inward {
        ZOOMS.iter().copied().find(|v| *v > z + 1e-6)
    } else {
        ZOOMS.iter().rev().copied().find(|v| *v < z - 1e-6)
    };
    Some(next.unwrap_or(z))
}

fn edge_points(t: &Topology, from: &str, to: &str) -> Option<(f64, f64, f64, f64)> {
    if let Some(e) = t.edge(from, to) {
        return Some((e.x1.into(), e.y1.into(), e.x2.into(), e.y2.into()));
    }
    let a = t.node(from)?;
    let b = t.node(to)?;
    let (ax, bx) = if b.x >= a.x {
        (a.x + NODE_W, b.x)
    } else {
        (a.x, b.x + NODE_W)
    };
    Some((
        ax.into(),
        (a.y + NODE_H / 2).into(),
        bx.into(),
        (b.y + NODE_H / 2).into(),
    ))
}

/// Where the dot is, `f` of the way through a step; and whether it waits (a delay) or has stopped.
fn dot_at(t: &Topology, s: &Step, f: f64) -> Option<(f64, f64, bool)> {
    match s.kind {
        StepKind::Deliver => {
            let n = t.node(s.to.as_deref()?)?;
            Some((
                f64::from(n.x + NODE_W / 2),
                f64::from(n.y + NODE_H / 2),
                false,
            ))
        }
        StepKind::Move => {
            let to = s.to.as_deref()?;
            let (x1, y1, x2, y2) = edge_points(t, &s.from, to)?;
            let total = duration(s);
            let wait = if s.delay.is_some() {
                1400.0 / total
            } else {
                0.0
            };
            let waiting = f < wait;
            let g = if waiting {
                0.0
            } else {
                (f - wait) / (1.0 - wait).max(1e-9)
            };
            let end = stop_fraction(s);
            let g = g.min(1.0) * end;
            Some((x1 + (x2 - x1) * g, y1 + (y2 - y1) * g, waiting))
        }
    }
}

/// How far along its edge a move gets: all the way, or a little when the sender's proxy answers
/// itself (fault abort, 404), or half-way when no upstream host was there (503 UH).
fn stop_fraction(s: &Step) -> f64 {
    if s.arrives {
        1.0
    } else if s.flag.as_deref() == Some("UH") || s.flag.as_deref() == Some("NC") {
        0.5
    } else {
        0.15
    }
}

#[function_component(TopologySvg)]
fn topology_svg(props: &SvgProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let a = store.lang.anim();
    let sim = &mesh.sim;
    let t = &props.topology;
    let (visited, taken) = sim.progress();
    let shares = sim.shares.clone();
    let selected_step_edge: Option<(String, String)> = sim.selected_hop.and_then(|h| {
        let tr = sim.traced.as_ref()?;
        let s = tr
            .plan
            .steps
            .iter()
            .find(|s| s.hop == h && s.kind == StepKind::Move)?;
        Some((s.from.clone(), s.to.clone()?))
    });
    let walk = sim.walkthrough;
    let walk_workload = store
        .proxy
        .as_ref()
        .and_then(|p| store.proxies.iter().find(|x| &x.id == p))
        .and_then(|p| {
            t.nodes
                .iter()
                .find(|n| p.id.starts_with(&format!("{}-", n.id)))
        })
        .map(|n| n.id.clone());

    let groups = t.groups.iter().map(|g| {
        let kind = match g.kind {
            GroupKind::Gateway => "gateway",
            GroupKind::Service => "service",
            GroupKind::External => "external",
            GroupKind::Standalone => "standalone",
            GroupKind::Namespace => "namespace",
        };
        html! {
            <g class={classes!("topo-group", kind)} data-testid={format!("topology-group-{}", g.id)}>
                <rect x={g.x.to_string()} y={g.y.to_string()} width={g.w.to_string()} height={g.h.to_string()} rx="8" />
                <text x={(g.x + 8).to_string()} y={(g.y + 13).to_string()} class="topo-group-label">{ &g.label }</text>
            </g>
        }
    });

    // A request sent from a workload to a service it does not normally call (or a mirror) takes
    // an edge the topology does not have: draw it for this trace.
    let extra: Vec<Edge> = sim
        .traced
        .iter()
        .flat_map(|tr| tr.plan.steps.iter())
        .filter(|s| s.kind == StepKind::Move)
        .filter_map(|s| {
            let to = s.to.as_deref()?;
            if t.edge(&s.from, to).is_some() {
                return None;
            }
            let (x1, y1, x2, y2) = edge_points(t, &s.from, to)?;
            Some(Edge {
                from: s.from.clone(),
                to: to.to_string(),
                kind: EdgeKind::Call,
                x1: x1 as i32,
                y1: y1 as i32,
                x2: x2 as i32,
                y2: y2 as i32,
            })
        })
        .fold(Vec::new(), |mut v, e| {
            if !v.iter().any(|x: &Edge| x.from == e.from && x.to == e.to) {
                v.push(e);
            }
            v
        });
    let edges = t.edges.iter().chain(extra.iter()).map(|e: &Edge| {
        let is_taken = taken.iter().any(|(f, to, m)| f == &e.from && to == &e.to && !m);
        let ghost = taken.iter().any(|(f, to, m)| f == &e.from && to == &e.to && *m);
        let share = shares.as_ref().and_then(|s| s.edge(&e.from, &e.to));
        let pct = share.map(|s| format!("{}%", s.percent()));
        // After Send 100 an edge is as thick as its share: 1px for a trickle, 7px for all of it.
        let width = share
            .filter(|s| s.count > 0)
            .map(|s| format!("stroke-width: {:.1}px", 1.0 + 6.0 * f64::from(s.percent()) / 100.0));
        let selected = selected_step_edge.as_ref() == Some(&(e.from.clone(), e.to.clone()));
        let walk_hl = walk == Some(1) && walk_workload.as_deref() == Some(e.from.as_str());
        let to_no_pods = t.node(&e.to).is_some_and(|n| n.kind == NodeKind::NoPods);
        let adhoc = t.edge(&e.from, &e.to).is_none();
        // The label sits near the target so a fan-out's labels do not collide.
        let (lx, ly) = (
            e.x1 + (e.x2 - e.x1) * 6 / 10,
            e.y1 + (e.y2 - e.y1) * 6 / 10 - 4,
        );
        // After a trace, an edge the request took explains itself on hover and selects its hop on click.
        let step_hop = sim.traced.as_ref().and_then(|tr| {
            let s = tr.plan.steps.iter().take(sim.cursor).find(|s| {
                s.kind == StepKind::Move && s.from == e.from && s.to.as_deref() == Some(e.to.as_str())
            })?;
            tr.rows.get(s.hop).map(|r| (s.hop, chain_text(&r.hop.outcome)))
        });
        let tooltip = step_hop
            .as_ref()
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| format!("{} → {}", e.from, e.to));
        let onclick = {
            let sim = sim.clone();
            let hop = step_hop.as_ref().map(|(h, _)| *h);
            Callback::from(move |_| {
                if hop.is_some() {
                    sim.dispatch(SimAction::SelectHop(hop));
                }
            })
        };
        html! {
            <g {onclick} class={classes!("topo-edge", is_taken.then_some("taken"), ghost.then_some("ghost"),
                    selected.then_some("selected"), walk_hl.then_some("hl"), to_no_pods.then_some("no-pods"),
                    adhoc.then_some("adhoc"),
                    share.is_some_and(|s| s.count == 0).then_some("unused"))}
                data-testid={format!("topology-edge-{}-{}", e.from, e.to)}
                data-from={e.from.clone()} data-to={e.to.clone()}
                data-taken={is_taken.to_string()}
                data-share={pct.clone()}
                data-count={share.map(|s| s.count.to_string())}>
                <title>{ tooltip }</title>
                <line x1={e.x1.to_string()} y1={e.y1.to_string()} x2={e.x2.to_string()} y2={e.y2.to_string()}
                    marker-end="url(#pl-arrow)" style={width} />
                if let Some(p) = pct {
                    <text class="topo-share" x={lx.to_string()} y={ly.to_string()} text-anchor="middle">{ p }</text>
                }
            </g>
        }
    });

    let guarded: Vec<String> = mesh
        .view
        .as_ref()
        .map(|v| v.guarded().into_iter().map(String::from).collect())
        .unwrap_or_default();
    let services_in = |ns: &str| {
        props
            .counts
            .iter()
            .find(|(n, _)| n == ns)
            .map_or(0, |(_, c)| *c)
    };
    let nodes = t.nodes.iter().map(|n| {
        let is_visited = visited.contains(&n.id);
        let kind = match n.kind {
            NodeKind::Gateway => "gateway",
            NodeKind::Sidecar => "sidecar",
            NodeKind::Plain => "plain",
            NodeKind::NoPods => "no-pods",
            NodeKind::External => "external",
            NodeKind::Namespace => "namespace",
        };
        let sub = match n.kind {
            NodeKind::NoPods => format!("{} · {}", n.subsets.join(", "), a.legend_no_pods),
            NodeKind::Namespace => a.services(services_in(&n.label)),
            _ => {
                let mut parts: Vec<String> = Vec::new();
                if let Some(v) = &n.version {
                    parts.push(v.clone());
                }
                if !n.subsets.is_empty() && n.subsets.iter().any(|s| Some(s) != n.version.as_ref()) {
                    parts.push(format!("subset {}", n.subsets.join(", ")));
                }
                parts.join(" · ")
            }
        };
        let hl = walk == Some(0) && n.kind == NodeKind::Sidecar
            || walk == Some(1) && walk_workload.as_deref() == Some(n.id.as_str());
        let onclick = {
            let store = store.clone();
            let id = n.id.clone();
            let expand = (n.kind == NodeKind::Namespace)
                .then(|| (props.on_expand.clone(), n.label.clone()));
            Callback::from(move |_| {
                if let Some((expand, ns)) = &expand {
                    expand.emit(ns.clone());
                } else if let Some(p) = proxy_id(&store, &id) {
                    store.dispatch(Action::SelectProxy(p));
                }
            })
        };
        html! {
            <g class={classes!("topo-node", kind, is_visited.then_some("visited"), hl.then_some("hl"))}
                data-testid={format!("topology-node-{}", n.id)} data-visited={is_visited.to_string()}
                data-kind={kind} {onclick}>
                <title>{ &n.label }</title>
                <rect x={n.x.to_string()} y={n.y.to_string()} width={NODE_W.to_string()} height={NODE_H.to_string()} rx="5" />
                <text x={(n.x + 7).to_string()} y={(n.y + 13).to_string()} class="topo-label">{ short(&n.label, 22) }</text>
                if !sub.is_empty() {
                    <text x={(n.x + 7).to_string()} y={(n.y + 25).to_string()} class="topo-sub">{ short(&sub, 28) }</text>
                }
                if walk == Some(0) && n.kind == NodeKind::Sidecar {
                    <text x={(n.x + NODE_W - 4).to_string()} y={(n.y - 3).to_string()} class="topo-ports" text-anchor="end">{ "15001 ⇄ 15006" }</text>
                    // iptables: the app's traffic loops through the sidecar, drawn as a moving dash.
                    <path class="intercept" d={format!("M{} {} q 14 -14 28 0 q -14 14 -28 0",
                        n.x + NODE_W - 34, n.y + NODE_H / 2)} />
                }
                if guarded.contains(&n.id) {
                    <g class="topo-guard" data-testid={format!("topology-guard-{}", n.id)}>
                        <title>{ a.guarded }</title>
                        // A padlock drawn, not an emoji: no font needed.
                        <path d={format!("M{} {}v-3a3 3 0 0 1 6 0v3", n.x + NODE_W - 13, n.y + 9)} />
                        <rect x={(n.x + NODE_W - 15).to_string()} y={(n.y + 9).to_string()} width="10" height="7" rx="1" />
                    </g>
                }
            </g>
        }
    });

    // Marks left by played steps: clocks for delays, red statuses where a proxy answered itself.
    let mut marks: Vec<Html> = Vec::new();
    let mut dot: Option<Html> = None;
    if let Some(tr) = &sim.traced {
        for (i, s) in tr.plan.steps.iter().enumerate() {
            let played = i < sim.cursor;
            let playing = i == sim.cursor && !sim.step_mode;
            if !played && !playing {
                break;
            }
            let f = if played { 1.0 } else { props.fraction };
            let Some((x, y, waiting)) = dot_at(t, s, f) else {
                continue;
            };
            if let (Some(d), Some(to)) = (&s.delay, &s.to) {
                if let Some((x1, y1, _, _)) = edge_points(t, &s.from, to) {
                    marks.push(html! {
                        <g class={classes!("topo-delay", (playing && waiting).then_some("waiting"))} data-testid={format!("delay-{i}")} data-delay={d.clone()}>
                            <circle cx={(x1 + 10.0).to_string()} cy={(y1 - 14.0).to_string()} r="8" />
                            <path d={format!("M{} {} v-5 M{} {} h4", x1 + 10.0, y1 - 14.0, x1 + 10.0, y1 - 14.0)} />
                            <text x={(x1 + 21.0).to_string()} y={(y1 - 10.0).to_string()}>{ d }</text>
                        </g>
                    });
                }
            }
            let stopped = s.status.is_some() || s.error.is_some();
            if played && (stopped || s.timed_out) {
                let label = match (s.status, &s.flag) {
                    // An authorization filter's answer: "403 RBAC: access denied".
                    (Some(st), None) if s.detail.is_some() => {
                        let d = s.detail.as_deref().unwrap_or_default();
                        format!("{st} {}", d.split(" (").next().unwrap_or(d))
                    }
                    (Some(st), Some(fl)) => format!("{st} {fl}"),
                    (Some(st), None) => st.to_string(),
                    (None, _) if s.timed_out => "504 UT".to_string(),
                    (None, _) => a.reset.to_string(),
                };
                let (mx, my) = if s.timed_out && !stopped {
                    edge_points(t, &s.from, s.to.as_deref().unwrap_or_default())
                        .map(|(x1, y1, x2, y2)| ((x1 + x2) / 2.0, (y1 + y2) / 2.0))
                        .unwrap_or((x, y))
                } else {
                    (x, y)
                };
                // The label goes where it covers no workload's name (11px bold: about 7px a character).
                let (w, h) = (label.chars().count() as i32 * 7, 13);
                let (lx, ly) = t.label_spot(mx as i32, my as i32, w, h);
                marks.push(html! {
                    <g class="topo-stop" data-testid={format!("stop-{i}")} data-status={label.clone()}
                        data-detail={s.detail.clone()}>
                        if let Some(d) = s.detail.clone() { <title>{ d }</title> }
                        <circle cx={mx.to_string()} cy={my.to_string()} r="7" />
                        <text x={lx.to_string()} y={(ly + h - 2).to_string()}>{ label }</text>
                    </g>
                });
            }
            if playing {
                let red = f >= 0.999 && (stopped || s.timed_out);
                dot = Some(html! {
                    <circle class={classes!("topo-dot", s.mirror.then_some("ghost"), red.then_some("red"),
                            (s.kind == StepKind::Deliver).then_some("deliver"))}
                        data-testid="anim-dot" cx={x.to_string()} cy={y.to_string()}
                        r={if s.kind == StepKind::Deliver { (4.0 + 6.0 * f).to_string() } else { "6".to_string() }} />
                });
            }
        }
    }
    // The walkthrough's second step: istiod above the mesh, pushing xDS to every proxy (the
    // selected one's line marked).
    const ISTIOD_W: i32 = 110;
    let top = if walk == Some(1) { -60 } else { 0 };
    let istiod = (walk == Some(1)).then(|| {
        let (ix, iy) = (t.width / 2 - ISTIOD_W / 2, -52);
        let lines = t
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Sidecar | NodeKind::Gateway))
            .map(|n| {
                let mine = walk_workload.as_deref() == Some(n.id.as_str());
                html! {
                    <line class={classes!("xds-line", mine.then_some("mine"))}
                        x1={(ix + ISTIOD_W / 2).to_string()} y1={(iy + 24).to_string()}
                        x2={(n.x + NODE_W / 2).to_string()} y2={n.y.to_string()} />
                }
            });
        html! {
            <g class="istiod" data-testid="topology-istiod">
                { for lines }
                <rect x={ix.to_string()} y={iy.to_string()} width={ISTIOD_W.to_string()} height="24" rx="5" />
                <text x={(ix + ISTIOD_W / 2).to_string()} y={(iy + 16).to_string()} text-anchor="middle">{ "istiod · xDS" }</text>
            </g>
        }
    });
    let state = if sim.traced.is_none() {
        "idle"
    } else if sim.done() {
        "done"
    } else {
        "playing"
    };
    html! {
        <svg class={classes!("topology", props.zoom.is_some().then_some("zoomed"))} data-testid="topology" role="img" aria-label={a.topology_label}
            style={props.zoom.map(|z| format!("width: {:.0}px; height: {:.0}px",
                f64::from(t.width.max(1)) * z, f64::from(t.height.max(1) - top) * z))}
            data-anim={state} data-cursor={sim.cursor.to_string()}
            viewBox={format!("0 {top} {} {}", t.width.max(1), t.height.max(1) - top)}
            preserveAspectRatio="xMidYMin meet">
            <defs>
                <marker id="pl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
                    <path d="M0 0 L10 5 L0 10 z" />
                </marker>
            </defs>
            { for groups }
            { istiod.unwrap_or_default() }
            { for edges }
            { for nodes }
            { for marks }
            { dot.unwrap_or_default() }
        </svg>
    }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
