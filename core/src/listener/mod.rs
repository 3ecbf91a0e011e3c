//! LDS: listeners and their filter chains. (Being written; see the `lds` branch.)

use crate::mesh::Scope;
use serde_json::Value;

pub fn build(_scope: &Scope) -> Vec<Value> {
    Vec::new()
}
