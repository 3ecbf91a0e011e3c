//! istioctl's `authn.BlockedCIDRsAnalyzer`: RequestAuthentications make istiod fetch JWKS URIs
//! from wherever they point; without `BLOCKED_CIDRS_IN_JWKS_URIS` on istiod, nothing stops a
//! policy author from pointing them at internal addresses (IST0175, on the istiod Deployment).

use super::{codes, fp, full_name, Ctx};
use crate::parse::Spec;
use crate::yaml::Node;

const ENV: &str = "BLOCKED_CIDRS_IN_JWKS_URIS";
/// How many RequestAuthentication names the message lists before "and N more".
const SHOWN: usize = 5;

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    let mut names: Vec<String> = mesh
        .objects
        .iter()
        .filter(|o| matches!(*o.spec, Spec::RequestAuthentication(_)))
        .map(full_name)
        .collect();
    if names.is_empty() {
        return;
    }
    crate::order::sort(&mut names);
    let listed = if names.len() <= SHOWN {
        names.join(", ")
    } else {
        format!(
            "{}, and {} more",
            names[..SHOWN].join(", "),
            names.len() - SHOWN
        )
    };
    for obj in &mesh.objects {
        if !matches!(*obj.spec, Spec::Deployment(_))
            || obj.meta.labels.get("app").map(String::as_str) != Some("istiod")
        {
            continue;
        }
        let containers = obj
            .node
            .at(&["spec", "template", "spec", "containers"])
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        let configured = containers.iter().any(|c| {
            c.get("env")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .any(|e| {
                    e.get("name").and_then(Node::as_str) == Some(ENV)
                        && e.get("value")
                            .and_then(Node::as_str)
                            .is_some_and(|v| !v.is_empty())
                })
        });
        if configured {
            continue;
        }
        ctx.report(
            codes::JWKS_URI_FETCH_UNRESTRICTED,
            obj,
            fp!["metadata", "name"],
            format!(
                "{ENV} is not configured but {} RequestAuthentication resource(s) exist ({listed}). Consider configuring it to restrict JWKS URI fetches to trusted networks.",
                names.len()
            ),
        );
    }
}
