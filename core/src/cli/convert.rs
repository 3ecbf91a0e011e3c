//! `pilotlight convert`: the Istio objects istiod derives from the Gateway API and Ingress objects
//! of the input (Gateways per listener, VirtualServices per route and host, with their
//! `internal.istio.io/*` annotations), printed as Kubernetes would return them; with `--status`,
//! the status istiod writes on each Gateway API object instead (the same model the `PL01xx`
//! findings on standard error come from).

use super::proxy_config::print_value;
use super::Args;
use crate::envoy::Value;
use crate::Loaded;
use std::io::Write;

pub fn run(args: &Args, loaded: &Loaded, out: &mut dyn Write) -> Result<(), String> {
    if !args.positional.is_empty() {
        return Err(
            "usage: pilotlight convert -f FILE... [--bookinfo] [--status] [-o yaml|json]".into(),
        );
    }
    let manifests: Vec<serde_json::Value> = if args.options.contains_key("status") {
        let statuses = crate::gatewayapi::statuses(&loaded.mesh.objects, &loaded.mesh.config);
        crate::gatewayapi::status::status_manifests(&statuses)
    } else {
        derived(&loaded.mesh.objects)
            .iter()
            .filter_map(|o| o.istio_manifest())
            .collect()
    };
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
pub fn derived(objects: &[crate::parse::Object]) -> Vec<&crate::parse::Object> {
    crate::gatewayapi::derived_istio_objects(objects)
}
