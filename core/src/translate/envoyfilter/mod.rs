//! EnvoyFilter: the patches istiod applies to the config it generated, applied the same way
//! (Istio 1.31, `pilot/pkg/networking/core/envoyfilter`), with a record of what each patch
//! changed so the page and the CLI can say which resource a patch touched and, when it touched
//! nothing, why.
//!
//! The pipeline: `select` (which EnvoyFilters and patches apply to a proxy, in istiod's order)
//! -> `merge` (patch values into our tree; protobuf merge) -> `listener`, `route`, `cluster`
//! (the passes istiod runs while building LDS, RDS and CDS) -> `explain` (over the whole mesh).

use crate::envoy::Value;
use crate::istio::envoy_filter::ObjectMatch;
use serde::Serialize;

pub mod cluster;
pub mod explain;
pub mod listener;
pub mod merge;
pub mod route;
pub mod select;

/// The proxy version istiod sees in every proxy's node metadata (`ISTIO_VERSION`): the version
/// this tool reproduces.
pub const PROXY_VERSION: &str = "1.31.0";

/// `configPatches[index]` of the EnvoyFilter at `object` in `Mesh::objects`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PatchId {
    pub object: usize,
    pub index: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ApplyTo {
    Listener,
    FilterChain,
    NetworkFilter,
    HttpFilter,
    RouteConfiguration,
    VirtualHost,
    HttpRoute,
    Cluster,
    ExtensionConfig,
    Bootstrap,
    ListenerFilter,
}

impl ApplyTo {
    pub const ALL: [(&'static str, ApplyTo); 11] = [
        ("LISTENER", ApplyTo::Listener),
        ("FILTER_CHAIN", ApplyTo::FilterChain),
        ("NETWORK_FILTER", ApplyTo::NetworkFilter),
        ("HTTP_FILTER", ApplyTo::HttpFilter),
        ("ROUTE_CONFIGURATION", ApplyTo::RouteConfiguration),
        ("VIRTUAL_HOST", ApplyTo::VirtualHost),
        ("HTTP_ROUTE", ApplyTo::HttpRoute),
        ("CLUSTER", ApplyTo::Cluster),
        ("EXTENSION_CONFIG", ApplyTo::ExtensionConfig),
        ("BOOTSTRAP", ApplyTo::Bootstrap),
        ("LISTENER_FILTER", ApplyTo::ListenerFilter),
    ];

    pub fn parse(s: &str) -> Option<ApplyTo> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, a)| *a)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("", |(n, _)| n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Operation {
    Merge,
    Add,
    Remove,
    InsertBefore,
    InsertAfter,
    InsertFirst,
    Replace,
    MergeAndReplaceList,
}

impl Operation {
    pub const ALL: [(&'static str, Operation); 8] = [
        ("MERGE", Operation::Merge),
        ("ADD", Operation::Add),
        ("REMOVE", Operation::Remove),
        ("INSERT_BEFORE", Operation::InsertBefore),
        ("INSERT_AFTER", Operation::InsertAfter),
        ("INSERT_FIRST", Operation::InsertFirst),
        ("REPLACE", Operation::Replace),
        ("MERGE_AND_REPLACE_LIST", Operation::MergeAndReplaceList),
    ];

    pub fn parse(s: &str) -> Option<Operation> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, a)| *a)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("", |(n, _)| n)
    }

    pub fn is_merge(self) -> bool {
        matches!(self, Operation::Merge | Operation::MergeAndReplaceList)
    }
}

/// `match.context`: which part of a proxy's config a patch is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Context {
    Any,
    SidecarInbound,
    SidecarOutbound,
    Gateway,
    Waypoint,
}

impl Context {
    pub fn parse(s: &str) -> Option<Context> {
        Some(match s {
            "ANY" => Context::Any,
            "SIDECAR_INBOUND" => Context::SidecarInbound,
            "SIDECAR_OUTBOUND" => Context::SidecarOutbound,
            "GATEWAY" => Context::Gateway,
            "WAYPOINT" => Context::Waypoint,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Context::Any => "ANY",
            Context::SidecarInbound => "SIDECAR_INBOUND",
            Context::SidecarOutbound => "SIDECAR_OUTBOUND",
            Context::Gateway => "GATEWAY",
            Context::Waypoint => "WAYPOINT",
        }
    }
}

/// One config patch, ready to apply (istiod's `EnvoyFilterConfigPatchWrapper`).
#[derive(Debug, Clone)]
pub struct Patch {
    pub id: PatchId,
    pub apply_to: ApplyTo,
    pub operation: Operation,
    pub context: Context,
    /// The match (an empty one when the patch has none).
    pub matches: ObjectMatch,
    /// `patch.value` as Envoy config with proto field names (`Null` for REMOVE).
    pub value: Value,
}

impl Patch {
    /// `patchContextMatch`: the patch's context is this pass's, or ANY.
    pub fn in_context(&self, ctx: Context) -> bool {
        self.context == ctx || self.context == Context::Any
    }
}

/// Where a patch is in the user's text: for a badge that names it and a click that selects it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchSource {
    /// `namespace/name` of the EnvoyFilter.
    pub envoy_filter: String,
    /// N of `configPatches[N]`.
    pub index: usize,
    pub file: String,
    /// The span of `spec.configPatches[N]`.
    pub span: crate::diag::Span,
}

/// The source of a patch a [`Change`] names.
pub fn patch_source(mesh: &crate::mesh::Mesh, id: PatchId) -> Option<PatchSource> {
    let obj = mesh.objects.get(id.object)?;
    Some(PatchSource {
        envoy_filter: format!("{}/{}", obj.namespace(), obj.name()),
        index: id.index,
        file: obj.origin.file.clone(),
        span: explain::patch_span(obj, id.index),
    })
}

/// The xDS resource types a patch can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ResourceType {
    Listener,
    RouteConfiguration,
    Cluster,
}

impl ResourceType {
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::Listener => "Listener",
            ResourceType::RouteConfiguration => "RouteConfiguration",
            ResourceType::Cluster => "Cluster",
        }
    }
}

/// One change a patch made to one resource of one proxy: the provenance the page shows as a
/// badge on the resource, and the CLI in `proxy-config --envoyfilters`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub patch: PatchId,
    pub operation: Operation,
    pub resource: ResourceType,
    /// The resource's name after the pass (for an added resource, the added one's).
    pub name: String,
    /// Where inside the resource (`filter_chains[0].filters[0].typed_config.http_filters[2]`),
    /// empty for the resource itself.
    pub path: String,
}

/// What one translation pass noticed beyond the changes: patches istiod would drop because
/// a `typed_config` merge failed (different `@type`s).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub patch: PatchId,
    pub resource: String,
    pub message: String,
}

/// Collects changes while patching one proxy.
#[derive(Debug, Default, Clone)]
pub struct Record {
    pub changes: Vec<Change>,
    pub failures: Vec<Failure>,
}

impl Record {
    fn change(&mut self, p: &Patch, resource: ResourceType, name: &str, path: String) {
        self.changes.push(Change {
            patch: p.id,
            operation: p.operation,
            resource,
            name: name.to_string(),
            path,
        });
    }
}

/// LDS patches for one proxy: inline inbound route configurations first (istiod patches them
/// as it builds the inbound chains), then one listener pass per context.
pub fn patch_listeners(
    gateway: bool,
    patches: &[Patch],
    listeners: Vec<Value>,
    rec: &mut Record,
) -> Vec<Value> {
    if gateway {
        return listener::Pass::new(Context::Gateway, patches, rec).listeners(listeners, false);
    }
    let mut outbound = Vec::new();
    let mut virtual_outbound = Vec::new();
    let mut inbound = Vec::new();
    for l in listeners {
        let name = l["name"].as_str().unwrap_or_default();
        if name == crate::envoy::well_known::VIRTUAL_OUTBOUND {
            virtual_outbound.push(l);
        } else if name == crate::envoy::well_known::VIRTUAL_INBOUND || !virtual_outbound.is_empty()
        {
            inbound.push(l);
        } else {
            outbound.push(l);
        }
    }
    for l in &mut inbound {
        patch_inline_routes(Context::SidecarInbound, patches, l, rec);
    }
    let mut out =
        listener::Pass::new(Context::SidecarOutbound, patches, rec).listeners(outbound, false);
    out.extend(
        listener::Pass::new(Context::SidecarOutbound, patches, rec)
            .listeners(virtual_outbound, true),
    );
    out.extend(
        listener::Pass::new(Context::SidecarInbound, patches, rec).listeners(inbound, false),
    );
    out
}

/// The route configurations inlined in a listener's HTTP connection managers.
fn patch_inline_routes(ctx: Context, patches: &[Patch], l: &mut Value, rec: &mut Record) {
    if !patches.iter().any(|p| {
        matches!(
            p.apply_to,
            ApplyTo::RouteConfiguration | ApplyTo::VirtualHost | ApplyTo::HttpRoute
        )
    }) {
        return;
    }
    let name = l["name"].as_str().unwrap_or_default().to_string();
    let n = l["filter_chains"].as_array().map_or(0, Vec::len);
    for i in 0..n {
        let chain_path = listener::element_path("filter_chains", i, &l["filter_chains"][i]);
        let m = l["filter_chains"][i]["filters"]
            .as_array()
            .map_or(0, Vec::len);
        for j in 0..m {
            let filter = &mut l["filter_chains"][i]["filters"][j];
            if filter["name"] != listener::HCM
                || filter["typed_config"].get("route_config").is_none()
            {
                continue;
            }
            let prefix = format!(
                "{}.typed_config.route_config",
                listener::element_path(&format!("{chain_path}.filters"), j, filter)
            );
            let at = route::Location {
                resource: ResourceType::Listener,
                name: &name,
                prefix: &prefix,
            };
            route::patch_route_config(
                ctx,
                &Vec::new(),
                patches,
                &mut filter["typed_config"]["route_config"],
                rec,
                &at,
            );
        }
    }
}

/// RDS patches for one proxy (`port_map`: a gateway's, see [`route::gateway_port_map`]).
pub fn patch_routes(
    gateway: bool,
    port_map: &route::PortMap,
    patches: &[Patch],
    routes: &mut [Value],
    rec: &mut Record,
) {
    let ctx = if gateway {
        Context::Gateway
    } else {
        Context::SidecarOutbound
    };
    for rc in routes {
        let name = rc["name"].as_str().unwrap_or_default().to_string();
        let at = route::Location {
            resource: ResourceType::RouteConfiguration,
            name: &name,
            prefix: "",
        };
        route::patch_route_config(ctx, port_map, patches, rc, rec, &at);
    }
}
