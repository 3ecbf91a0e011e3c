//! The Istio objects istiod derives from Gateway API and Ingress inputs, printed as Kubernetes
//! would return them, each with the span of the source object it came from: what `pilotlight
//! convert` prints and what the page's "Derived Istio config" view shows and links back.

use super::Value;
use crate::diag::Span;
use crate::parse::Object;

/// One derived object: its identity, its manifest as YAML text, and where its source is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DerivedObject {
    /// `Gateway`, `VirtualService` or `DestinationRule`.
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    /// The manifest (apiVersion, kind, metadata, spec) as one YAML document.
    pub yaml: String,
    /// The file and span of the Gateway API or Ingress object it was derived from.
    pub source_file: String,
    pub source_span: Span,
}

/// The derived Istio objects among a load's objects (`Loaded::mesh.objects`), by kind, namespace
/// and name.
pub fn derived_objects(objects: &[Object]) -> Vec<DerivedObject> {
    crate::gatewayapi::derived_istio_objects(objects)
        .into_iter()
        .filter_map(|o| {
            let manifest = o.istio_manifest()?;
            Some(DerivedObject {
                kind: o.kind.name(),
                namespace: o.namespace().to_string(),
                name: o.name().to_string(),
                yaml: super::yaml::to_string(&Value::from(manifest)),
                source_file: o.origin.file.clone(),
                source_span: o.origin.span,
            })
        })
        .collect()
}
