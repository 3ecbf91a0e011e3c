//! Objects of kinds the mesh keeps no model of (webhook configurations, Secrets, ProxyConfig,
//! Telemetry), read straight from the source text for the analyzers that need them.

use crate::parse::SourceFile;
use crate::playground::world::BOOKINFO_FILE;
use crate::yaml::Node;

/// One such object: where it is and its document.
pub(super) struct SourceObject<'f> {
    pub file: &'f str,
    pub root: Node,
}

impl SourceObject<'_> {
    pub fn name(&self) -> &str {
        self.root
            .at(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.root
            .at(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .filter(|n| !n.is_empty())
            .unwrap_or("default")
    }

    pub fn kind(&self) -> &str {
        self.root.get("kind").and_then(Node::as_str).unwrap_or("")
    }

    /// `Kind namespace/name`, or `Kind name` for cluster-scoped kinds.
    pub fn display(&self, cluster_scoped: bool) -> String {
        if cluster_scoped {
            format!("{} {}", self.kind(), self.name())
        } else {
            format!("{} {}/{}", self.kind(), self.namespace(), self.name())
        }
    }

    /// The span of a field, from its key to the end of its value (the object when absent).
    pub fn span(&self, path: &[&str]) -> crate::diag::Span {
        super::node_field_span(&self.root, path).unwrap_or(self.root.span)
    }
}

/// Every object of `kind` in an API group starting with `group` (e.g. `v1`, `admissionregistration`),
/// outside the built-in world.
pub(super) fn objects<'f>(
    files: &'f [SourceFile],
    kind: &str,
    group: &str,
) -> Vec<SourceObject<'f>> {
    let mut out = Vec::new();
    for file in files {
        if file.name == BOOKINFO_FILE || !file.text.contains(kind) {
            continue;
        }
        // As the loader reads them: JSON too, and the items of a kubectl `List`.
        for root in crate::parse::object_nodes(&file.text) {
            let matches = root.get("kind").and_then(Node::as_str) == Some(kind)
                && root
                    .get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(|v| v.starts_with(group));
            if matches {
                out.push(SourceObject {
                    file: &file.name,
                    root,
                });
            }
        }
    }
    out
}

/// MeshConfig as written in the `istio` ConfigMap's `mesh` key (in `istio-system`; what
/// `pilotlight analyze --meshConfigFile` supplies), for the analyzers that read fields the
/// typed MeshConfig does not keep (`defaultConfig.proxyMetadata`, `defaultConfig.image`).
pub(super) fn mesh_config_text(mesh: &crate::mesh::Mesh) -> Option<Node> {
    let data = mesh.objects.iter().find_map(|o| match &*o.spec {
        crate::parse::Spec::ConfigMap(data)
            if o.name() == "istio" && o.namespace() == "istio-system" =>
        {
            Some(data)
        }
        _ => None,
    })?;
    let (docs, _) = crate::yaml::parse_stream(data.get("mesh")?);
    docs.into_iter().next().map(|d| d.root)
}
