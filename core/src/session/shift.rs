//! Moving a parse to another line: every span of its objects (their origin and positioned tree)
//! and of its diagnostics, by the same number of lines.

use crate::diag::{Diagnostic, Span};
use crate::parse::Object;
use crate::yaml::{Node, Value};
use std::sync::Arc;

pub fn parsed(objects: &mut [Object], diagnostics: &mut [Diagnostic], by: i64) {
    if by == 0 {
        return;
    }
    for o in objects {
        span(&mut o.origin.span, by);
        node(Arc::make_mut(&mut o.node), by);
    }
    for d in diagnostics {
        // A diagnostic without a position (line 0) stays without one.
        if d.line > 0 {
            d.line = moved(d.line, by);
            d.end_line = moved(d.end_line, by);
        }
    }
}

fn moved(line: u32, by: i64) -> u32 {
    (line as i64 + by).max(1) as u32
}

fn span(s: &mut Span, by: i64) {
    if s.start_line > 0 {
        s.start_line = moved(s.start_line, by);
        s.end_line = moved(s.end_line, by);
    }
}

fn node(n: &mut Node, by: i64) {
    span(&mut n.span, by);
    match &mut n.value {
        Value::Scalar { .. } => {}
        Value::Seq(items) => items.iter_mut().for_each(|i| node(i, by)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            node(k, by);
            node(v, by);
        }),
    }
}
