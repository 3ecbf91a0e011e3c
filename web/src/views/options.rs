//! The `<option>`s of a long list (a pasted 1,000-service mesh has 2,000 proxies) as a component
//! of their own, with value props: a keystroke changes the page state but not the list, so the list
//! is not rebuilt and diffed on every key.

use std::rc::Rc;
use yew::prelude::*;

/// One option: its value and what it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Properties, PartialEq)]
pub struct OptionsProps {
    pub choices: Rc<Vec<Choice>>,
    /// The value of the selected option (none is selected when no value matches).
    #[prop_or_default]
    pub selected: Option<AttrValue>,
}

#[function_component(Options)]
pub fn options(props: &OptionsProps) -> Html {
    let selected = props.selected.as_deref();
    html! {
        { for props.choices.iter().map(|c| html! {
            <option value={c.value.clone()} selected={selected == Some(c.value.as_str())}>
                { &c.label }
            </option>
        }) }
    }
}
