pub mod diag;
pub mod envoy;
pub mod istio;
pub mod parse;
pub mod yaml;

pub use diag::{Diagnostic, Severity, Span};
pub use parse::{ObjectRef, SourceFile};
