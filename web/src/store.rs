//! The contexts every view reads: the page state's handle and the editors' edit callback. Kept
//! apart from the root component so the views and the root both depend on it, not on each other.

use crate::state::{Source, State};
use yew::prelude::*;

/// The state handle every view reads from context.
pub type Store = UseReducerHandle<State>;

/// Callbacks the views use to change the text, with debounce for large inputs.
#[derive(Clone, PartialEq)]
pub struct EditHandlers {
    pub on_edit: Callback<(Source, String)>,
}
