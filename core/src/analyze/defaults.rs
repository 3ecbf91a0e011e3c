//! What `istioctl analyze` assumes exists when it is given only files: the default ingress
//! gateway, a Pod labelled `istio: ingressgateway` and its Service `istio-ingressgateway` in
//! `istio-system` with the ports the Istio charts give it (80, 443, 31400, 15443). Without them,
//! every Gateway on the default ingress would read as selecting nothing (IST0101).

use crate::mesh::Mesh;
use crate::parse::{SourceFile, Spec};

/// The name istioctl gives this source; findings never point into it.
pub const DEFAULTS_FILE: &str = "internal-ingress";

/// The namespace istioctl analyze takes as Istio's own (`--istioNamespace`).
const ISTIO_NAMESPACE: &str = "istio-system";

fn default_ingress(service: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  labels:
    istio: ingressgateway
  name: {service}-dummypod
  namespace: {ISTIO_NAMESPACE}
spec:
  containers:
  - name: istio-proxy
---
apiVersion: v1
kind: Service
metadata:
  name: {service}
  namespace: {ISTIO_NAMESPACE}
spec:
  ports:
  - name: http2
    port: 80
    protocol: TCP
    targetPort: 80
  - name: https
    port: 443
    protocol: TCP
    targetPort: 443
  - name: tcp
    port: 31400
    protocol: TCP
    targetPort: 31400
  - name: tls
    port: 15443
    protocol: TCP
    targetPort: 15443
  selector:
    istio: ingressgateway
"
    )
}

/// `files` plus the default ingress gateway, when the input does not define the ingress Service
/// itself (a cluster dump or the built-in world does); `None` when nothing needs adding.
pub(super) fn with_default_ingress(mesh: &Mesh, files: &[SourceFile]) -> Option<Vec<SourceFile>> {
    let service = &mesh.config.ingress_service;
    let defined = mesh.objects.iter().any(|o| {
        matches!(*o.spec, Spec::Service(_))
            && o.namespace() == ISTIO_NAMESPACE
            && o.name() == service
    });
    if defined || files.iter().any(|f| f.name == DEFAULTS_FILE) {
        return None;
    }
    let mut all = files.to_vec();
    all.push(SourceFile::new(DEFAULTS_FILE, default_ingress(service)));
    Some(all)
}
