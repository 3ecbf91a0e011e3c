//! istioctl's `gateway.SecretAnalyzer`: a Gateway server's `credentialName` must name a Secret
//! in the namespace of the gateway's workload (IST0101), holding a usable certificate and key
//! (IST0161). Secrets are read from the source text; the mesh keeps no model of them.

use super::sources::{objects, SourceObject};
use super::{codes, fp, Ctx};
use crate::parse::SourceFile;
use crate::yaml::Node;
use base64::Engine;

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    let mesh = ctx.mesh;
    let secrets = objects(files, "Secret", "v1");
    for (obj, gw) in mesh.gateways() {
        // The namespace of the first pod the selector picks; a selector that picks none is
        // reported by the gateway port rule already.
        let Some(gw_ns) = mesh
            .workloads
            .iter()
            .find(|w| gw.selector.iter().all(|(k, v)| w.labels.get(k) == Some(v)))
            .map(|w| w.namespace.as_str())
        else {
            continue;
        };
        for (i, server) in gw.servers.iter().enumerate() {
            let Some(cn) = server
                .tls
                .as_ref()
                .and_then(|t| t.credential_name.as_deref())
                .filter(|c| !c.is_empty())
            else {
                continue;
            };
            let (ns, name) = cn.split_once('/').unwrap_or((gw_ns, cn));
            let at = fp!["spec", "servers", i, "tls", "credentialName"];
            let Some(secret) = secrets
                .iter()
                .find(|s| s.namespace() == ns && s.name() == name)
            else {
                ctx.report(
                    codes::REFERENCED_RESOURCE_NOT_FOUND,
                    obj,
                    at,
                    format!("Referenced credentialName not found: {cn:?}"),
                );
                continue;
            };
            if !valid(secret) {
                ctx.report(
                    codes::INVALID_GATEWAY_CREDENTIAL,
                    obj,
                    at,
                    format!(
                        "The credential referenced by the Gateway {} in namespace {gw_ns} is invalid, which can cause the traffic not to work as expected.",
                        obj.name()
                    ),
                );
            }
        }
    }
}

/// A Secret's `data` entry, base64-decoded.
fn data(secret: &SourceObject, key: &str) -> Option<Vec<u8>> {
    let text = secret.root.at(&["data", key]).and_then(Node::as_str)?;
    let compact: String = text.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// As istiod reads a gateway Secret: `cert`/`key` (generic) or `tls.crt`/`tls.key` (TLS), both
/// non-empty, and a certificate that parses and has not expired.
fn valid(secret: &SourceObject) -> bool {
    let pair = |c: &str, k: &str| {
        let (cert, key) = (data(secret, c)?, data(secret, k)?);
        (!cert.is_empty() && !key.is_empty()).then_some(cert)
    };
    let Some(cert) = pair("cert", "key").or_else(|| pair("tls.crt", "tls.key")) else {
        return false;
    };
    super::x509::pem_certificates_valid(&cert)
}
