//! Ports: Kubernetes Service port names Istio cannot read a protocol from (IST0118, IST0150), and
//! ServiceEntries serving TCP with no address to tell them apart (IST0134).

use super::{codes, fp, Ctx};
use crate::istio::kube::IntOrString;
use crate::mesh::Protocol;
use crate::parse::{Object, Spec};

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    let auto_allocate = dns_auto_allocation(mesh);
    for obj in mesh.objects.iter().filter(|o| Ctx::is_user(o)) {
        match &*obj.spec {
            Spec::Service(spec) => {
                let control_plane = obj.meta.labels.contains_key("istio")
                    || obj.meta.labels.get("release").is_some_and(|r| r == "istio");
                let managed = obj
                    .meta
                    .labels
                    .get("gateway.istio.io/managed")
                    .is_some_and(|v| v.starts_with("istio.io-"));
                if control_plane || managed {
                    continue;
                }
                let external = spec.service_type.as_deref() == Some("ExternalName");
                for (i, p) in spec.ports.iter().enumerate() {
                    let proto = Protocol::from_kube_port(
                        p.port,
                        &p.name,
                        p.protocol.as_deref(),
                        p.app_protocol.as_deref(),
                    );
                    if !(proto.is_unsupported() || (p.name == "tcp" && external)) {
                        continue;
                    }
                    let at = if obj.node.at(fp!["spec", "ports", i, "name"]).is_some() {
                        fp!["spec", "ports", i, "name"]
                    } else {
                        fp!["spec", "ports", i]
                    };
                    if external {
                        ctx.report(
                            codes::EXTERNAL_NAME_SERVICE_TYPE_INVALID_PORT_NAME,
                            obj,
                            at,
                            "Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly",
                        );
                        continue;
                    }
                    let target = match &p.target_port {
                        Some(IntOrString::Int(n)) => n.to_string(),
                        Some(IntOrString::Str(s)) => s.clone(),
                        None => p.port.to_string(),
                    };
                    let hint = if p.name.is_empty() {
                        " (name it with a protocol prefix, e.g. \"http\", \"grpc-api\" or \"tcp-db\", or set appProtocol)".to_string()
                    } else {
                        format!(" (prefix it with its protocol, e.g. \"http-{}\" or \"tcp-{}\", or set appProtocol)", p.name, p.name)
                    };
                    ctx.report(
                        codes::PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION,
                        obj,
                        at,
                        format!(
                            "Port name {} (port: {}, targetPort: {target}) doesn't follow the naming convention of Istio port.{hint}",
                            p.name, p.port
                        ),
                    );
                }
            }
            Spec::ServiceEntry(se)
                if se.addresses.is_empty() && !auto_allocate && !allocated(obj) =>
            {
                for (i, p) in se.ports.iter().enumerate() {
                    if p.protocol.is_empty() || p.protocol.eq_ignore_ascii_case("TCP") {
                        ctx.report(
                            codes::SERVICE_ENTRY_ADDRESSES_REQUIRED,
                            obj,
                            fp!["spec", "ports", i, "name"],
                            "ServiceEntry addresses are required for this protocol.",
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// Has the controller already allocated addresses (`status.addresses`)?
fn allocated(obj: &Object) -> bool {
    obj.node
        .at(&["status", "addresses"])
        .and_then(|a| a.as_seq())
        .is_some_and(|a| !a.is_empty())
}

/// Does MeshConfig turn on DNS capture with address auto-allocation (`defaultConfig.proxyMetadata`
/// `ISTIO_META_DNS_CAPTURE` and `ISTIO_META_DNS_AUTO_ALLOCATE` or `PILOT_ENABLE_IP_AUTOALLOCATE`)?
fn dns_auto_allocation(mesh: &crate::mesh::Mesh) -> bool {
    let Some(config) = super::sources::mesh_config_text(mesh) else {
        return false;
    };
    let Some(md) = config.at(&["defaultConfig", "proxyMetadata"]) else {
        return false;
    };
    let on = |k: &str| md.get(k).and_then(|v| v.as_str()) == Some("true");
    on("ISTIO_META_DNS_CAPTURE")
        && (on("ISTIO_META_DNS_AUTO_ALLOCATE") || on("PILOT_ENABLE_IP_AUTOALLOCATE"))
}
