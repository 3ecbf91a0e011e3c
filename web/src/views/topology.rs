//! The mesh view: the topology the core computed (gateway, services with their workloads, external
//! hosts, the calls between them) as SVG, a dot that plays a traced request's plan step by step,
//! edge shares after "Send 100", and the guided walkthrough. Positions come from the core; this
//! file only draws them. Every label is a text node.

use super::mesh_ctx::{drawable, proxy_id, reveal, FreshView, MeshCtx};
use super::request::{chain_text, RequestPanel};
use crate::anim::{Sim, SimAction, WALKTHROUGH_STEPS};
use crate::engine::{self, MeshView, Tab};
use crate::state::Action;
use crate::store::Store;
use gloo::timers::callback::{Interval, Timeout};
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
    // Building the mesh view translates every proxy, so it waits for a pause in typing (or a
    // request sent) instead of adding to every keystroke; until then the last one stays drawn.
    let view = use_state(|| None::<Rc<MeshView>>);
    let fresh = {
        let show = view.clone();
        use_mut_ref(move || FreshView {
            revision: 0,
            loaded: None,
            built: None,
            show,
        })
    };
    {
        let fresh = fresh.clone();
        let (revision, loaded) = (store.revision, store.loaded.clone());
        let timer = use_mut_ref(|| None::<Timeout>);
        use_effect_with(revision, move |_| {
            let first = {
                let mut f = fresh.borrow_mut();
                f.revision = revision;
                f.loaded = loaded;
                f.built.is_none()
            };
            let delay = if first { 0 } else { MESH_VIEW_DELAY_MS };
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
    let ctx = MeshCtx {
        sim: sim.clone(),
        view: (*view).clone(),
        fresh,
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
                <button class={classes!("btn", sim.walkthrough.is_some().then_some("active"))}
                    data-testid="walkthrough" aria-pressed={sim.walkthrough.is_some().to_string()} onclick={on_walk}>
                    { a.walkthrough }
                </button>
            </div>
            <div class="mesh-body">
                <div class="mesh-canvas">
                    if sim.walkthrough.is_some() {
                        <Walkthrough />
                    }
                    if let Some(v) = (*view).clone() {
                        <TopologySvg topology={Rc::new(v.topology.clone())} {fraction} />
                    } else if let Some(l) = store.loaded.as_ref().filter(|l| !drawable(l)) {
                        <p class="muted" data-testid="mesh-too-large">
                            { a.mesh_too_large(l.mesh.proxies().len(), l.mesh.services.len()) }
                        </p>
                    } else {
                        <p class="muted">{ a.no_mesh }</p>
                    }
                </div>
                <RequestPanel />
            </div>
        </section>
        </ContextProvider<MeshCtx>>
    }
}

#[derive(Properties, PartialEq)]
struct SvgProps {
    topology: Rc<Topology>,
    /// How far the playing step has played (0..1).
    fraction: f64,
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
                    marker-end="url(#pl-arrow)" />
                if let Some(p) = pct {
                    <text class="topo-share" x={lx.to_string()} y={ly.to_string()} text-anchor="middle">{ p }</text>
                }
            </g>
        }
    });

    let nodes = t.nodes.iter().map(|n| {
        let is_visited = visited.contains(&n.id);
        let kind = match n.kind {
            NodeKind::Gateway => "gateway",
            NodeKind::Sidecar => "sidecar",
            NodeKind::Plain => "plain",
            NodeKind::NoPods => "no-pods",
            NodeKind::External => "external",
        };
        let sub = match n.kind {
            NodeKind::NoPods => format!("{} · {}", n.subsets.join(", "), a.legend_no_pods),
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
            Callback::from(move |_| {
                if let Some(p) = proxy_id(&store, &id) {
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
                marks.push(html! {
                    <g class="topo-stop" data-testid={format!("stop-{i}")} data-status={label.clone()}
                        data-detail={s.detail.clone()}>
                        if let Some(d) = s.detail.clone() { <title>{ d }</title> }
                        <circle cx={mx.to_string()} cy={my.to_string()} r="7" />
                        <text x={(mx + 10.0).to_string()} y={(my - 8.0).to_string()}>{ label }</text>
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
    let state = if sim.traced.is_none() {
        "idle"
    } else if sim.done() {
        "done"
    } else {
        "playing"
    };
    html! {
        <svg class="topology" data-testid="topology" role="img" aria-label={a.topology_label}
            data-anim={state} data-cursor={sim.cursor.to_string()}
            viewBox={format!("0 0 {} {}", t.width.max(1), t.height.max(1))}
            preserveAspectRatio="xMidYMin meet">
            <defs>
                <marker id="pl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
                    <path d="M0 0 L10 5 L0 10 z" />
                </marker>
            </defs>
            { for groups }
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
            let hop = sim.traced.as_ref().and_then(|t| {
                t.rows
                    .iter()
                    .find(|r| {
                        r.hop.outcome.route_config.is_some()
                            && r.hop.direction != pilotlight_core::simulate::Mode::Inbound
                    })
                    .cloned()
            });
            if let (Some(h), Some(_)) = (hop, view) {
                sim.dispatch(SimAction::SelectHop(Some(h.index)));
                if let Some(rc) = &h.hop.outcome.route_config {
                    reveal(store, proxy_id(store, &h.hop.proxy), Tab::Routes, rc);
                }
            }
        }
    }
}

#[function_component(Walkthrough)]
fn walkthrough() -> Html {
    let store = use_context::<Store>().expect("store");
    let mesh = use_context::<MeshCtx>().expect("mesh");
    let a = store.lang.anim();
    let sim = mesh.sim.clone();
    let Some(i) = sim.walkthrough else {
        return html! {};
    };
    let go = |to: Option<usize>| {
        let (sim, store, view) = (sim.clone(), store.clone(), mesh.view.clone());
        Callback::from(move |_| {
            sim.dispatch(SimAction::Walkthrough(to));
            if let Some(to) = to {
                enter_walk_step(&store, &sim, view.as_deref(), to);
            }
        })
    };
    let body = match i {
        1 => {
            let made: Vec<(Tab, String)> = store
                .output
                .as_ref()
                .map(|out| {
                    [Tab::Listeners, Tab::Routes, Tab::Clusters]
                        .into_iter()
                        .flat_map(|tab| {
                            out.resources(tab)
                                .iter()
                                .filter(|r| {
                                    engine::config_paths(r)
                                        .iter()
                                        .any(|p| p.contains("/virtual-service/"))
                                })
                                .map(move |r| (tab, engine::resource_name(r)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            html! {
                <p>
                    <span class="muted">{ format!("{} ({}): ", a.walk_resources, store.proxy.clone().unwrap_or_default()) }</span>
                    { for made.into_iter().map(|(tab, name)| {
                        let store = store.clone();
                        let label = format!("{}: {}", tab.id(), name);
                        html! { <button class="chip" onclick={Callback::from(move |_| reveal(&store, None, tab, &name))}>{ label }</button> }
                    }) }
                </p>
            }
        }
        2 => {
            let hop = sim
                .selected_hop
                .and_then(|h| sim.traced.as_ref()?.rows.get(h).cloned());
            match hop {
                Some(h) => {
                    let o = &h.hop.outcome;
                    let chain = [
                        o.listener.clone(),
                        o.network_filter.clone(),
                        o.route_config.clone(),
                        o.virtual_host.clone(),
                        o.route
                            .clone()
                            .map(|r| if r.is_empty() { "(unnamed)".into() } else { r }),
                        o.cluster.clone(),
                        o.endpoint.as_ref().map(|e| e.address.clone()),
                    ];
                    html! {
                        <ol class="walk-chain" data-testid="walk-chain">
                            { for chain.iter().zip(a.stage_names.iter()).map(|(v, label)| html! {
                                <li><span class="muted">{ *label }{ " " }</span><code>{ v.clone().unwrap_or_else(|| "—".into()) }</code></li>
                            }) }
                        </ol>
                    }
                }
                None => html! { <p class="muted">{ a.walk_send_first }</p> },
            }
        }
        _ => html! {},
    };
    html! {
        <div class="walkthrough" data-testid="walkthrough-panel" data-step={i.to_string()} role="region" aria-label={a.walkthrough}>
            <strong>{ a.walk_titles[i] }</strong>
            <p>{ a.walk_texts[i] }</p>
            { body }
            <div class="walk-nav">
                <button class="btn" disabled={i == 0} onclick={go(i.checked_sub(1))}>{ a.prev }</button>
                <span class="muted">{ format!("{}/{}", i + 1, WALKTHROUGH_STEPS) }</span>
                if i + 1 < WALKTHROUGH_STEPS {
                    <button class="btn" data-testid="walk-next" onclick={go(Some(i + 1))}>{ a.next }</button>
                }
                <button class="btn" onclick={go(None)}>{ a.close }</button>
            </div>
        </div>
    }
}
