//! istioctl's `deprecation.DeprecationAnalyzer` (IST0002): fields Istio still accepts but has
//! replaced or stopped honouring.

use super::{codes, fp, Ctx};
use crate::parse::Spec;

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for obj in &mesh.objects {
        match &*obj.spec {
            Spec::VirtualService(vs) => {
                for (i, r) in vs.http.iter().enumerate() {
                    let percent = r
                        .fault
                        .as_ref()
                        .and_then(|f| f.delay.as_ref())
                        .and_then(|d| d.percent);
                    if percent.is_some_and(|p| p > 0) {
                        ctx.report(
                            codes::DEPRECATED,
                            obj,
                            fp!["spec", "http", i, "fault", "delay", "percent"],
                            "Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage",
                        );
                    }
                }
            }
            Spec::Sidecar(sc) => {
                let egress_proxy = sc
                    .outbound_traffic_policy
                    .as_ref()
                    .is_some_and(|p| p.egress_proxy.is_some());
                if egress_proxy {
                    ctx.report(
                        codes::DEPRECATED,
                        obj,
                        fp!["spec", "outboundTrafficPolicy", "egressProxy"],
                        "Deprecated: OutboundTrafficPolicy.EgressProxy ignored",
                    );
                }
            }
            _ => {}
        }
    }
}
