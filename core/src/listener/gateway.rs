//! Gateway listeners (being written).

use super::Ctx;
use serde_json::Value;

pub(crate) fn build(_ctx: &Ctx) -> Vec<Value> {
    Vec::new()
}
