//! The errors both decoders of positioned YAML give (`decode.rs` for the input model, `de.rs`
//! through serde for the mesh config): one message wording, and the span of the node at fault.

use super::{Node, Scalar, Value};
use crate::diag::Span;
use serde::de::Unexpected;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct DeError {
    pub message: String,
    pub span: Option<Span>,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

/// What a node is, as an "invalid type" message names it: a string with its text, a list, null...
pub(crate) fn describe(node: &Node) -> String {
    let u = match &node.value {
        Value::Seq(_) => return "a list".to_string(),
        Value::Map(_) => return "a mapping".to_string(),
        Value::Scalar { .. } => match node.scalar() {
            Some(Scalar::Null) => return "null".to_string(),
            Some(Scalar::Bool(b)) => Unexpected::Bool(b),
            Some(Scalar::Int(i)) => Unexpected::Signed(i),
            Some(Scalar::Float(f)) => Unexpected::Float(f),
            Some(Scalar::Str(s)) => return format!("string \"{s}\""),
            None => Unexpected::Other("value"),
        },
    };
    u.to_string()
}

/// `invalid type: <what the node is>, expected <expected>`.
pub(crate) fn invalid_type(node: &Node, expected: &dyn std::fmt::Display) -> DeError {
    DeError {
        message: format!("invalid type: {}, expected {expected}", describe(node)),
        span: Some(node.span),
    }
}
