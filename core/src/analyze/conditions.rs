//! istioctl's `conditions.ConditionAnalyzer` (IST0171): a status condition that says istiod or
//! the gateway controller refused an object (a Gateway not accepted, a route with unresolved
//! references, a waypoint that does not bind). Shown when the input is a cluster export.

use super::{codes, Ctx};
use crate::parse::Kind;
use crate::yaml::Node;

/// The negative conditions (`type` with status `False`) istioctl reports, per kind.
fn reported(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Service | Kind::ServiceEntry | Kind::WorkloadEntry => &["istio.io/WaypointBound"],
        Kind::AuthorizationPolicy => &["ZtunnelAccepted", "WaypointAccepted"],
        Kind::KubernetesGateway | Kind::HttpRoute | Kind::GrpcRoute => {
            &["Accepted", "Programmed", "ResolvedRefs"]
        }
        _ => &[],
    }
}

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for obj in &mesh.objects {
        let negative = reported(obj.kind);
        if negative.is_empty() {
            continue;
        }
        // Routes keep their conditions per parent; the others at the top of `status`.
        let mut lists: Vec<Vec<String>> = Vec::new();
        if matches!(obj.kind, Kind::HttpRoute | Kind::GrpcRoute) {
            let parents = obj.node.at(&["status", "parents"]).and_then(Node::as_seq);
            for i in 0..parents.map_or(0, <[Node]>::len) {
                lists.push(vec![
                    "status".into(),
                    "parents".into(),
                    i.to_string(),
                    "conditions".into(),
                ]);
            }
        } else {
            lists.push(vec!["status".into(), "conditions".into()]);
        }
        for list in lists {
            let conditions = obj.node.at(&list).and_then(Node::as_seq).unwrap_or(&[]);
            for (i, c) in conditions.iter().enumerate() {
                let field = |k: &str| c.get(k).and_then(Node::as_str).unwrap_or("");
                let (kind, status, reason) = (field("type"), field("status"), field("reason"));
                let mut times = usize::from(negative.contains(&kind) && status == "False");
                if obj.kind == Kind::AuthorizationPolicy
                    && kind == "WaypointAccepted"
                    && reason == "PartiallyInvalid"
                {
                    times += 1;
                }
                let mut path = list.clone();
                path.push(i.to_string());
                for _ in 0..times {
                    ctx.report(
                        codes::NEGATIVE_CONDITION_STATUS,
                        obj,
                        &path,
                        format!(
                            "A condition with a negative status is present: type={kind}, reason={reason}, message={}.",
                            field("message")
                        ),
                    );
                }
            }
        }
    }
}
