//! Share, embed and "take it to a cluster": the header's buttons, their dialogs, the compact embed
//! layout, and the message for a link that did not open. Every text shown here is put in text
//! nodes or form values; nothing from a link becomes HTML.

use super::{CodeEditor, MeshPane, OutputPane, SourcePane};
use crate::compare::Compare;
use crate::share::{self, LONG_LINK, VIEW_ANIMATION, VIEW_CONFIG};
use crate::state::Action;
use crate::store::Store;
use pilotlight_core::envoy;
use pilotlight_core::share as codec;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Clone, Copy, PartialEq)]
enum Open {
    Share,
    Embed,
}

/// Share, Embed, Snapshot and Compare, for the header.
#[function_component(ShareButtons)]
pub fn share_buttons() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let open = use_state(|| None::<Open>);
    // The link made when Share was pressed, and whether it reached the clipboard.
    let made = use_state(|| None::<(Rc<str>, Option<bool>)>);

    let on_share = {
        let (store, open, made) = (store.clone(), open.clone(), made.clone());
        Callback::from(move |_: MouseEvent| {
            let link: Rc<str> = share::link(&store.share_state()).into();
            made.set(Some((link.clone(), None)));
            open.set(Some(Open::Share));
            let made = made.clone();
            let l = link.clone();
            share::copy(&link, move |ok| made.set(Some((l.clone(), Some(ok)))));
        })
    };
    let on_embed = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(Some(Open::Embed)))
    };
    let on_snapshot = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            store.dispatch(Action::Compare(Some(Compare::snapshot(
                &store.istio,
                &store.cluster,
            ))))
        })
    };
    let on_compare = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            let presets = pilotlight_core::world::PRESETS;
            let a = presets.first().map(|p| p.id).unwrap_or_default();
            let b = presets.get(1).map(|p| p.id).unwrap_or(a);
            store.dispatch(Action::Compare(Compare::presets(a, b, &store.cluster)))
        })
    };
    let on_close = {
        let open = open.clone();
        Callback::from(move |_: ()| open.set(None))
    };

    html! {
        <div class="share-buttons" role="group">
            <button class="btn primary" data-testid="share-button" onclick={on_share}>{ t.share }</button>
            <button class="btn" data-testid="embed-button" onclick={on_embed}>{ t.embed }</button>
            <button class="btn" data-testid="snapshot-button" title={t.snapshot_hint} onclick={on_snapshot}>{ t.snapshot }</button>
            <button class="btn" data-testid="compare-button" onclick={on_compare}>{ t.compare }</button>
            if *open == Some(Open::Share) {
                if let Some((link, copied)) = (*made).clone() {
                    <ShareDialog link={link} copied={copied} on_close={on_close.clone()} />
                }
            }
            if *open == Some(Open::Embed) {
                <EmbedDialog on_close={on_close} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct DialogProps {
    title: AttrValue,
    testid: AttrValue,
    on_close: Callback<()>,
    children: Html,
}

/// A modal box: it takes focus when it opens (its first control), keeps Tab inside, closes on
/// Escape or ✕, and gives focus back to what had it (the button that opened it).
#[function_component(Dialog)]
fn dialog(props: &DialogProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            let opener = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(first) = focusable(&node).first() {
                let _ = first.focus();
            }
            move || {
                if let Some(opener) = opener {
                    let _ = opener.focus();
                }
            }
        });
    }
    let close = props.on_close.clone();
    let trap = node.clone();
    let onkeydown = Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
        "Escape" => {
            e.prevent_default();
            close.emit(());
        }
        "Tab" => {
            let items = focusable(&trap);
            let active = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element());
            let at = |i: Option<&HtmlElement>| {
                i.is_some_and(|el| active.as_ref().is_some_and(|a| a == el.as_ref()))
            };
            let wrap_to = if e.shift_key() && at(items.first()) {
                items.last()
            } else if !e.shift_key() && at(items.last()) {
                items.first()
            } else {
                None
            };
            if let Some(el) = wrap_to {
                e.prevent_default();
                let _ = el.focus();
            }
        }
        _ => {}
    });
    let close = props.on_close.clone();
    html! {
        <div class="modal-backdrop" {onkeydown}>
            <div class="modal" role="dialog" aria-modal="true" aria-label={props.title.clone()}
                data-testid={props.testid.clone()} ref={node}>
                <div class="modal-head">
                    <h2>{ props.title.clone() }</h2>
                    <button class="btn" aria-label={t.close} data-testid="dialog-close"
                        onclick={Callback::from(move |_| close.emit(()))}>{ "✕" }</button>
                </div>
                { props.children.clone() }
            </div>
        </div>
    }
}

/// The controls inside `node` that Tab stops at, in document order.
fn focusable(node: &NodeRef) -> Vec<HtmlElement> {
    let Some(root) = node.cast::<web_sys::Element>() else {
        return Vec::new();
    };
    let Ok(list) = root.query_selector_all(
        "button:not([disabled]), input:not([disabled]), select, textarea, a[href], [tabindex=\"0\"]",
    ) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// A read-only field with its own Copy button.
#[derive(Properties, PartialEq)]
struct CopyFieldProps {
    label: AttrValue,
    value: AttrValue,
    testid: AttrValue,
    #[prop_or_default]
    multiline: bool,
}

#[function_component(CopyField)]
fn copy_field(props: &CopyFieldProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let copied = use_state(|| false);
    let onclick = {
        let (value, copied) = (props.value.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            let copied = copied.clone();
            share::copy(&value, move |ok| copied.set(ok));
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            input.select();
        }
    });
    html! {
        <label class="copy-field">
            <span class="muted">{ props.label.clone() }</span>
            <span class="copy-row">
                if props.multiline {
                    <textarea readonly=true rows="6" data-testid={props.testid.clone()}
                        value={props.value.clone()} spellcheck="false" />
                } else {
                    <input readonly=true data-testid={props.testid.clone()} value={props.value.clone()}
                        onfocus={select_all} spellcheck="false" />
                }
                <button class="btn" {onclick}>{ if *copied { t.copied } else { t.copy } }</button>
            </span>
        </label>
    }
}

#[derive(Properties, PartialEq)]
struct ShareDialogProps {
    link: Rc<str>,
    /// `None` while the clipboard answers.
    copied: Option<bool>,
    on_close: Callback<()>,
}

#[function_component(ShareDialog)]
fn share_dialog(props: &ShareDialogProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let len = props.link.chars().count();
    let said = match props.copied {
        Some(false) => t.link_not_copied,
        _ => t.link_copied,
    };
    let status = format!("{said} · {} {}", group_digits(len), t.characters);
    let proxy = store.proxy.clone().unwrap_or_default();
    let on_download = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            if let (Some(out), Some(proxy)) = (&store.output, &store.proxy) {
                let dump = envoy::config_dump(&out.config);
                let text = serde_json::to_string_pretty(&dump).unwrap_or_default();
                share::download(&share::file_name(proxy), &text, "application/json");
            }
        })
    };
    let kubectl = codec::kubectl_apply(&store.istio);
    let selected = (store.tab != crate::engine::Tab::Dump)
        .then_some(store.selected.as_deref())
        .flatten();
    let istioctl = codec::istioctl_command(&proxy, store.tab.id(), selected);
    html! {
        <Dialog title={t.share_title} testid="share-dialog" on_close={props.on_close.clone()}>
            <p class="share-status" role="status" data-testid="share-status">{ status }</p>
            <CopyField label={t.link_label} value={props.link.to_string()} testid="share-link" />
            if len > LONG_LINK {
                <p class="warning" data-testid="share-long">{ t.long_link }</p>
            }
            <h3>{ t.to_cluster }</h3>
            <p>
                <button class="btn" data-testid="download-dump" onclick={on_download}
                    disabled={store.output.is_none()}>{ t.download_dump }</button>
            </p>
            <CopyField label={t.copy_kubectl} value={kubectl} testid="kubectl-apply" multiline=true />
            <CopyField label={t.istioctl_hint} value={istioctl} testid="istioctl-command" />
        </Dialog>
    }
}

fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Properties, PartialEq)]
struct EmbedDialogProps {
    on_close: Callback<()>,
}

/// A checkbox's change handler that writes its state.
fn toggle(flag: &UseStateHandle<bool>) -> Callback<Event> {
    let flag = flag.clone();
    Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        flag.set(input.checked());
    })
}

#[function_component(EmbedDialog)]
fn embed_dialog(props: &EmbedDialogProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let view = use_state(|| VIEW_CONFIG);
    let readonly = use_state(|| false);
    // Open the embed at what is on show now: the selected resource and the editor's line.
    let here = store.at();
    let at_resource = use_state(|| here.resource.is_some());
    let at_line = use_state(|| here.line.is_some());
    // The proxy and tab travel in the state itself; the query adds what the state does not hold.
    let at = pilotlight_core::share::At {
        resource: here.resource.clone().filter(|_| *at_resource),
        line: here.line.filter(|_| *at_line),
        ..Default::default()
    };
    let state = store.share_state();
    let src = share::embed_link(&state, *view, *readonly, &at);
    let full = share::link(&state);
    let on_view = {
        let view = view.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            view.set(if select.value() == VIEW_ANIMATION {
                VIEW_ANIMATION
            } else {
                VIEW_CONFIG
            });
        })
    };
    let on_readonly = toggle(&readonly);
    html! {
        <Dialog title={t.embed_title} testid="embed-dialog" on_close={props.on_close.clone()}>
            <div class="embed-options">
                <label class="field">
                    <span>{ t.embed_view }</span>
                    <select data-testid="embed-view" onchange={on_view}>
                        <option value={VIEW_CONFIG} selected={*view == VIEW_CONFIG}>{ t.view_config }</option>
                        <option value={VIEW_ANIMATION} selected={*view == VIEW_ANIMATION}>{ t.view_animation }</option>
                    </select>
                </label>
                <label class="field">
                    <input type="checkbox" data-testid="embed-readonly" checked={*readonly} onchange={on_readonly} />
                    <span>{ t.read_only }</span>
                </label>
                if let Some(name) = here.resource.clone() {
                    <label class="field">
                        <input type="checkbox" data-testid="embed-at-resource" checked={*at_resource}
                            onchange={toggle(&at_resource)} />
                        <span>{ t.embed_open_at }{ " " }<code>{ name }</code></span>
                    </label>
                }
                if let Some(line) = here.line {
                    <label class="field">
                        <input type="checkbox" data-testid="embed-at-line" checked={*at_line}
                            onchange={toggle(&at_line)} />
                        <span>{ t.embed_scroll_to_line.replace("{line}", &line.to_string()) }</span>
                    </label>
                }
            </div>
            <CopyField label={t.iframe_snippet} value={share::iframe_snippet(&src)} testid="embed-snippet" multiline=true />
            <CopyField label={t.markdown_link} value={share::markdown_link(&full)} testid="embed-markdown" />
        </Dialog>
    }
}

/// Why a link did not open, until dismissed.
#[function_component(LinkError)]
pub fn link_error() -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let Some(message) = store.link_error.clone() else {
        return html! {};
    };
    let dismiss = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::LinkError(None)))
    };
    html! {
        <div class="link-error" role="alert" data-testid="share-error">
            <strong>{ t.link_error }</strong>{ ": " }<span>{ message.to_string() }</span>
            <button class="btn" onclick={dismiss}>{ t.dismiss }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    /// `config` or `animation`.
    pub view: AttrValue,
    pub readonly: bool,
}

/// The compact layout for an iframe: the editor, one view, and a link to the full page.
#[function_component(EmbedLayout)]
pub fn embed_layout(props: &EmbedProps) -> Html {
    let store = use_context::<Store>().expect("store");
    let t = store.lang.strings();
    let key = (
        store.istio.clone(),
        store.cluster.clone(),
        store.proxy.clone(),
        store.tab,
    );
    let href = {
        let store = store.clone();
        use_memo(key, move |_| share::link(&store.share_state()))
    };
    html! {
        <div class="app embed" data-testid="embed" data-view={props.view.clone()}>
            <header class="embed-bar">
                <img class="logo" src="./icon.svg" alt="" width="16" height="16" />
                <strong>{ "Pilot Light" }</strong>
                <a class="open-full" data-testid="open-in-pilot-light" href={(*href).clone()}
                    target="_blank" rel="noopener noreferrer">{ t.open_in_pilot_light }{ " ↗" }</a>
            </header>
            <LinkError />
            <main class="embed-body">
                if props.readonly {
                    <section class="pane sources" aria-label={t.sources}>
                        <div class="editor-box">
                            <CodeEditor testid="editor" label={t.istio_editor_label}
                                text={store.istio.clone()} read_only=true />
                        </div>
                    </section>
                } else {
                    <SourcePane />
                }
                if props.view == VIEW_ANIMATION {
                    <MeshPane />
                } else {
                    <OutputPane />
                }
            </main>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::group_digits;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(group_digits(7), "7");
        assert_eq!(group_digits(1234), "1,234");
        assert_eq!(group_digits(1234567), "1,234,567");
    }
}
