//! Conversion tests: Gateway API and Ingress in, derived Istio objects and findings out.

use super::*;
use crate::parse::{parse_files, SourceFile};

fn run(yaml: &str) -> (Vec<Object>, Vec<Diagnostic>) {
    let (objects, diags) = parse_files(&[SourceFile::new("in.yaml", yaml)]);
    assert!(diags.is_empty(), "{diags:?}");
    convert(&objects, &MeshConfig::default())
}

#[test]
fn placeholder_compiles() {
    let (out, diags) = run("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n");
    assert!(out.is_empty() && diags.is_empty());
}
