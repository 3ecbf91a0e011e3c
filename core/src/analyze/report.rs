//! What `istioctl analyze` shows for a set of files, the same on the command line and in the page:
//! what loading found (schema errors, unsupported kinds), then the analyzers' findings, sorted by
//! file, line and column.

use super::analyze_sources;
use crate::diag::{Diagnostic, Severity};
use crate::mesh::Loaded;
use crate::order;
use crate::parse::SourceFile;
use crate::playground::world::BOOKINFO_FILE;

/// Every finding to report for `files` (already loaded as `loaded`). Left out: notes (Info) from
/// loading and anything inside the built-in world.
pub fn report(loaded: &Loaded, files: &[SourceFile]) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.file != BOOKINFO_FILE)
        .filter(|d| d.severity != Severity::Info)
        .cloned()
        .collect();
    all.extend(analyze_sources(loaded, files));
    order::sort_by(&mut all, |a, b| {
        (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column))
    });
    all
}
