//! `pilotlight convert`: the Istio objects istiod derives from the Gateway API and Ingress objects
//! of the input (Gateways per listener, VirtualServices per route and host, with their
//! `internal.istio.io/*` annotations), printed as Kubernetes would return them. Route and
//! listener problems are the findings the input's load reports on standard error.

use super::proxy_config::print_value;
use super::Args;
use crate::envoy::Value;
use crate::parse::{Kind, Object};
use crate::{order, Loaded};
use std::io::Write;

pub fn run(args: &Args, loaded: &Loaded, out: &mut dyn Write) -> Result<(), String> {
    if !args.positional.is_empty() {
        return Err("usage: pilotlight convert -f FILE... [--bookinfo] [-o yaml|json]".into());
    }
    let objects = derived(&loaded.mesh.objects);
    let manifests: Vec<serde_json::Value> =
        objects.iter().filter_map(|o| o.istio_manifest()).collect();
    match args.output.as_deref().unwrap_or("yaml") {
        "json" => print_value(
            &Value::from(serde_json::Value::Array(manifests)),
            "json",
            out,
        ),
        "yaml" => {
            let docs: Vec<String> = manifests
                .into_iter()
                .map(|m| crate::envoy::yaml::to_string(&Value::from(m)))
                .collect();
            out.write_all(docs.join("---\n").as_bytes())
                .map_err(|e| e.to_string())
        }
        other => Err(format!("unknown output format {other:?} (yaml or json)")),
    }
}

/// The Istio networking objects among `objects` that the Gateway API and Ingress conversion made,
/// by kind (Gateway, VirtualService, DestinationRule), then namespace and name.
pub fn derived(objects: &[Object]) -> Vec<&Object> {
    let rank = |k: Kind| match k {
        Kind::Gateway => 0,
        Kind::VirtualService => 1,
        _ => 2,
    };
    let mut out: Vec<&Object> = objects
        .iter()
        .filter(|o| {
            matches!(
                o.kind,
                Kind::Gateway | Kind::VirtualService | Kind::DestinationRule
            ) && crate::gatewayapi::is_derived(o)
        })
        .collect();
    order::sort_by(&mut out, |a, b| {
        (rank(a.kind), a.namespace(), a.name()).cmp(&(rank(b.kind), b.namespace(), b.name()))
    });
    out
}
