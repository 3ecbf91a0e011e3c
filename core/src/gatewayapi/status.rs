//! The status istiod writes on Gateway API objects (conditions.go createRouteStatus, conversion.go
//! reportGatewayStatus and buildListener), as one model: the conversion records what it decided
//! (a parentRef denied or attached, a rule's backend error, a listener istiod rejects), and both the
//! `PL01xx` findings and `pilotlight convert --status` are read from those records.

use crate::diag::{Diagnostic, Severity, Span};
use crate::istio::gateway_api::{ParentRef, Resource};
use crate::order;
use crate::parse::{Kind, Object, Spec};

pub const CONTROLLER_NAME: &str = "istio.io/gateway-controller";

/// One condition: `type`, `status`, `reason`, `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub kind: &'static str,
    pub status: bool,
    pub reason: String,
    pub message: String,
}

impl Condition {
    fn ok(kind: &'static str, reason: &str, message: &str) -> Condition {
        Condition {
            kind,
            status: true,
            reason: reason.into(),
            message: message.into(),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "message": self.message,
            "reason": self.reason,
            "status": if self.status { "True" } else { "False" },
            "type": self.kind,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerStatus {
    pub name: String,
    pub attached_routes: usize,
    pub supported_kinds: Vec<String>,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteParentStatus {
    pub parent_ref: ParentRef,
    pub conditions: Vec<Condition>,
}

/// The status of one Gateway API object, with the span of the object it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectStatus {
    pub api_version: String,
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub file: String,
    pub span: Span,
    /// GatewayClass and Gateway conditions.
    pub conditions: Vec<Condition>,
    pub listeners: Vec<ListenerStatus>,
    /// Route parents, in istiod's order.
    pub parents: Vec<RouteParentStatus>,
}

impl ObjectStatus {
    /// The object as istiod's status writer leaves it: apiVersion, kind, metadata and `status`.
    pub fn to_json(&self) -> serde_json::Value {
        let conds = |c: &[Condition]| c.iter().map(Condition::to_json).collect::<Vec<_>>();
        let status = match self.kind {
            "GatewayClass" => serde_json::json!({ "conditions": conds(&self.conditions) }),
            "Gateway" | "ListenerSet" => serde_json::json!({
                "conditions": conds(&self.conditions),
                "listeners": self.listeners.iter().map(|l| serde_json::json!({
                    "attachedRoutes": l.attached_routes,
                    "conditions": conds(&l.conditions),
                    "name": l.name,
                    "supportedKinds": l.supported_kinds.iter().map(|k| serde_json::json!({
                        "group": super::GATEWAY_API_GROUP, "kind": k
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }),
            _ => serde_json::json!({
                "parents": self.parents.iter().map(|p| serde_json::json!({
                    "conditions": conds(&p.conditions),
                    "controllerName": CONTROLLER_NAME,
                    "parentRef": parent_ref_json(&p.parent_ref),
                })).collect::<Vec<_>>(),
            }),
        };
        let mut metadata = serde_json::json!({ "name": self.name });
        if !self.namespace.is_empty() {
            metadata["namespace"] = self.namespace.clone().into();
        }
        serde_json::json!({
            "apiVersion": self.api_version,
            "kind": self.kind,
            "metadata": metadata,
            "status": status,
        })
    }
}

/// The parentRef as the user wrote it (istiod copies the original reference).
fn parent_ref_json(p: &ParentRef) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    if let Some(g) = &p.group {
        out.insert("group".into(), g.clone().into());
    }
    if let Some(k) = &p.kind {
        out.insert("kind".into(), k.clone().into());
    }
    out.insert("name".into(), p.name.clone().into());
    if let Some(n) = &p.namespace {
        out.insert("namespace".into(), n.clone().into());
    }
    if let Some(port) = p.port {
        out.insert("port".into(), port.into());
    }
    if let Some(s) = &p.section_name {
        out.insert("sectionName".into(), s.clone().into());
    }
    serde_json::Value::Object(out)
}

/// Which part of an object's status a record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Subject {
    /// A condition of the object itself (a ListenerSet its parent does not allow).
    Object(&'static str),
    /// A condition of the listener at this index.
    Listener(usize, &'static str),
    /// The parentRef at this index was denied by one listener (or a mesh parent).
    Parent(usize),
    /// A rule error of the route (ResolvedRefs of its gateway or mesh parents); `fatal` errors
    /// drop the route.
    Route { mesh: bool, fatal: bool },
    /// A finding that changes no status istiod writes (an ignored Ingress, a listener skipped
    /// without a condition).
    Note,
}

/// One decision of the conversion, at the span of the field it is about.
#[derive(Debug, Clone)]
struct Record {
    kind: Kind,
    namespace: String,
    name: String,
    subject: Subject,
    code: &'static str,
    severity: Severity,
    file: String,
    span: Span,
    object: String,
    /// Gateway API's reason (empty for notes).
    reason: String,
    /// istiod's message.
    message: String,
    /// What the finding adds for the user (`; requests get 500`).
    hint: String,
}

/// A parentRef that bound to a listener (or to `mesh`).
#[derive(Debug, Clone)]
struct Attachment {
    kind: Kind,
    namespace: String,
    name: String,
    parent_index: usize,
    /// The listener's internal name (`ns/<gw>~istio-autogenerated-k8s-gateway~<listener>`) or `mesh`.
    listener: String,
}

/// What the conversion decided, read by [`Status::findings`] and [`Status::objects`].
#[derive(Debug, Clone, Default)]
pub struct Status {
    records: Vec<Record>,
    attachments: Vec<Attachment>,
    /// Gateways of a class istiod programs.
    owned: Vec<OwnedGateway>,
}

/// A Gateway istiod owns, or a ListenerSet of one: the Services it is found by, and its
/// listeners.
#[derive(Debug, Clone)]
struct OwnedGateway {
    kind: Kind,
    namespace: String,
    name: String,
    /// For a ListenerSet: its Gateway's namespace and name.
    parent: Option<(String, String)>,
    services: Vec<String>,
    listeners: Vec<ListenerInfo>,
}

/// What the status of one listener needs from the conversion.
#[derive(Debug, Clone)]
pub(super) struct ListenerInfo {
    pub index: usize,
    /// `ns/<gw>~istio-autogenerated-k8s-gateway~<listener>`, what routes attach to.
    pub internal_name: String,
    pub port: u32,
    pub supported_kinds: Vec<String>,
    /// An Istio server was made for it.
    pub programmed: bool,
    /// istiod programs it: a server and no error on any of its conditions.
    pub valid: bool,
}

/// A problem to record: its code, severity, span, reason, istiod's message and our hint.
pub(super) struct Problem {
    pub code: &'static str,
    pub severity: Severity,
    pub span: Span,
    pub reason: &'static str,
    pub message: String,
    pub hint: String,
}

impl Status {
    pub(super) fn record(&mut self, obj: &Object, subject: Subject, p: Problem) {
        self.records.push(Record {
            kind: obj.kind,
            namespace: obj.namespace().to_string(),
            name: obj.name().to_string(),
            subject,
            code: p.code,
            severity: p.severity,
            file: obj.origin.file.clone(),
            span: p.span,
            object: obj.display(),
            reason: p.reason.to_string(),
            message: p.message,
            hint: p.hint,
        });
    }

    /// A finding only: no condition istiod writes changes.
    pub(super) fn note(
        &mut self,
        obj: &Object,
        code: &'static str,
        severity: Severity,
        span: Span,
        message: String,
    ) {
        let p = Problem {
            code,
            severity,
            span,
            reason: "",
            message,
            hint: String::new(),
        };
        self.record(obj, Subject::Note, p);
    }

    pub(super) fn attached(&mut self, obj: &Object, parent_index: usize, listener: &str) {
        self.attachments.push(Attachment {
            kind: obj.kind,
            namespace: obj.namespace().to_string(),
            name: obj.name().to_string(),
            parent_index,
            listener: listener.to_string(),
        });
    }

    /// istiod owns this Gateway (its class is one istiod programs) and writes its status.
    pub(super) fn own(&mut self, obj: &Object, services: Vec<String>) {
        self.owned.push(OwnedGateway {
            kind: obj.kind,
            namespace: obj.namespace().to_string(),
            name: obj.name().to_string(),
            parent: None,
            services,
            listeners: Vec::new(),
        });
    }

    /// istiod writes the status of this ListenerSet of `gateway`, found by the same Services.
    pub(super) fn own_listener_set(
        &mut self,
        obj: &Object,
        gateway: &Object,
        services: Vec<String>,
    ) {
        self.owned.push(OwnedGateway {
            kind: obj.kind,
            namespace: obj.namespace().to_string(),
            name: obj.name().to_string(),
            parent: Some((gateway.namespace().to_string(), gateway.name().to_string())),
            services,
            listeners: Vec::new(),
        });
    }

    /// Did the conversion record an error on any condition of this listener?
    pub(super) fn listener_failed(&self, obj: &Object, index: usize) -> bool {
        self.of(obj)
            .any(|r| matches!(r.subject, Subject::Listener(i, _) if i == index))
    }

    /// A listener of the Gateway last passed to [`Status::own`].
    pub(super) fn listener(&mut self, info: ListenerInfo) {
        if let Some(g) = self.owned.last_mut() {
            g.listeners.push(info);
        }
    }

    fn of<'s>(&'s self, obj: &'s Object) -> impl Iterator<Item = &'s Record> + 's {
        self.records.iter().filter(move |r| {
            r.kind == obj.kind && r.namespace == obj.namespace() && r.name == obj.name()
        })
    }

    fn attached_to(&self, obj: &Object, parent_index: usize) -> usize {
        self.attachments
            .iter()
            .filter(|a| {
                a.kind == obj.kind
                    && a.namespace == obj.namespace()
                    && a.name == obj.name()
                    && a.parent_index == parent_index
            })
            .count()
    }

    /// The denial istiod reports for one parentRef, none when any listener accepted it: the
    /// most telling reason (NotAllowedByListeners, then NoMatchingListenerHostname, then
    /// NoMatchingParent), the messages of that reason joined by `; ` (createRouteStatus).
    fn denial<'s>(
        &'s self,
        records: &[&'s Record],
        parent_index: usize,
    ) -> Option<(&'s Record, String)> {
        let rank = |r: &Record| match r.reason.as_str() {
            "NotAllowedByListeners" => 0,
            "NoMatchingListenerHostname" => 1,
            _ => 2,
        };
        let mut denied: Vec<&Record> = records
            .iter()
            .copied()
            .filter(|r| r.subject == Subject::Parent(parent_index))
            .collect();
        order::sort_by_key(&mut denied, |r| rank(r));
        let first = *denied.first()?;
        let mut messages: Vec<&str> = Vec::new();
        for r in denied.iter().filter(|r| r.reason == first.reason) {
            if !messages.contains(&r.message.as_str()) {
                messages.push(&r.message);
            }
        }
        Some((first, messages.join("; ")))
    }

    /// Every problem as a finding, at the field it is about: a parentRef's denials collapse into
    /// one, as in the status, and only when no listener accepted the ref.
    pub fn findings(&self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = Vec::new();
        let mut push = |r: &Record, message: &str| {
            let text = if r.reason.is_empty() {
                format!("{message}{}", r.hint)
            } else {
                format!("{}: {message}{}", r.reason, r.hint)
            };
            let d = Diagnostic::new(r.code, r.severity, text, &r.file, r.span)
                .with_object(r.object.clone());
            if !out.contains(&d) {
                out.push(d);
            }
        };
        for (i, r) in self.records.iter().enumerate() {
            if let Subject::Parent(p) = r.subject {
                let same = |o: &&Record| {
                    o.kind == r.kind
                        && o.namespace == r.namespace
                        && o.name == r.name
                        && o.subject == r.subject
                };
                // One finding per parentRef, at its first record.
                if self.records[..i].iter().any(|o| same(&o)) {
                    continue;
                }
                let accepted = self.attachments.iter().any(|a| {
                    a.kind == r.kind
                        && a.namespace == r.namespace
                        && a.name == r.name
                        && a.parent_index == p
                });
                if accepted {
                    continue;
                }
                let records: Vec<&Record> = self.records.iter().filter(|o| same(o)).collect();
                if let Some((first, message)) = self.denial(&records, p) {
                    push(first, &message);
                }
                continue;
            }
            push(r, &r.message);
        }
        out
    }

    /// The status istiod writes on every GatewayClass, Gateway and route among `objects`.
    /// `derived` holds the conversion's own objects (the automated gateway Services count when
    /// istiod resolves a Gateway's addresses).
    pub fn objects(&self, objects: &[Object], derived: &[Object]) -> Vec<ObjectStatus> {
        let mut out = Vec::new();
        for obj in objects {
            let Spec::GatewayApi(res) = &*obj.spec else {
                continue;
            };
            if super::is_derived(obj) {
                continue;
            }
            let mut status = ObjectStatus {
                api_version: obj
                    .node
                    .get("apiVersion")
                    .and_then(crate::yaml::Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                kind: obj.kind.name(),
                namespace: if obj.kind == Kind::GatewayClass {
                    String::new()
                } else {
                    obj.namespace().to_string()
                },
                name: obj.name().to_string(),
                file: obj.origin.file.clone(),
                span: obj.origin.span,
                conditions: Vec::new(),
                listeners: Vec::new(),
                parents: Vec::new(),
            };
            match res.as_ref() {
                Resource::GatewayClass(c) => {
                    if !c.controller_name.starts_with("istio.io/") {
                        continue;
                    }
                    status.conditions.push(Condition::ok(
                        "Accepted",
                        "Accepted",
                        "Handled by Istio controller",
                    ));
                }
                Resource::Gateway(g) => {
                    if !self.gateway_status(obj, &g.listeners, objects, derived, &mut status) {
                        continue;
                    }
                }
                Resource::ListenerSet(ls) => {
                    if !self.gateway_status(obj, &ls.listeners, objects, derived, &mut status) {
                        continue;
                    }
                }
                Resource::HttpRoute(r) => self.route_status(obj, &r.parent_refs, &mut status),
                Resource::GrpcRoute(r) => self.route_status(obj, &r.parent_refs, &mut status),
                Resource::TcpRoute(r) => self.route_status(obj, &r.parent_refs, &mut status),
                Resource::TlsRoute(r) => self.route_status(obj, &r.parent_refs, &mut status),
                _ => continue,
            }
            out.push(status);
        }
        out
    }

    fn route_status(&self, obj: &Object, refs: &[ParentRef], status: &mut ObjectStatus) {
        let records: Vec<&Record> = self.of(obj).collect();
        let route_error = |mesh: bool| -> Option<&Record> {
            let mine = || {
                records.iter().copied().filter(
                    move |r| matches!(r.subject, Subject::Route { mesh: m, .. } if m == mesh),
                )
            };
            // A fatal error replaces the others; otherwise the last rule's error is reported.
            mine()
                .find(|r| matches!(r.subject, Subject::Route { fatal: true, .. }))
                .or_else(|| mine().next_back())
        };
        let mut parents: Vec<(String, RouteParentStatus)> = Vec::new();
        for (i, p) in refs.iter().enumerate() {
            let mesh_parent = matches!(p.kind.as_deref(), Some("Service" | "ServiceEntry"));
            let bound = self.attached_to(obj, i);
            let denial = if bound > 0 {
                None
            } else {
                self.denial(&records, i)
            };
            // istiod writes no status for a parent it does not know (a Gateway that does not
            // exist or that it does not own).
            if bound == 0 && denial.is_none() {
                continue;
            }
            let accepted = match &denial {
                Some((r, message)) => Condition {
                    kind: "Accepted",
                    status: false,
                    reason: r.reason.clone(),
                    message: message.clone(),
                },
                None if bound > 1 => Condition::ok(
                    "Accepted",
                    "Accepted",
                    &format!("Route was valid, bound to {bound} parents"),
                ),
                None => Condition::ok("Accepted", "Accepted", "Route was valid"),
            };
            let resolved = match route_error(mesh_parent) {
                Some(r) => Condition {
                    kind: "ResolvedRefs",
                    status: false,
                    reason: r.reason.clone(),
                    message: r.message.clone(),
                },
                None => Condition::ok("ResolvedRefs", "ResolvedRefs", "All references resolved"),
            };
            let key = format!(
                "{}/{}/{}/{}/{}.{}",
                p.group.as_deref().unwrap_or(super::GATEWAY_API_GROUP),
                p.kind.as_deref().unwrap_or("Gateway"),
                p.name,
                p.section_name.as_deref().unwrap_or_default(),
                p.port.unwrap_or(0),
                p.namespace.as_deref().unwrap_or(obj.namespace()),
            );
            if parents.iter().any(|(k, _)| *k == key) {
                continue;
            }
            parents.push((
                key,
                RouteParentStatus {
                    parent_ref: p.clone(),
                    conditions: vec![accepted, resolved],
                },
            ));
        }
        // istiod appends new parents sorted by their reference string, descending.
        order::sort_by(&mut parents, |a, b| b.0.cmp(&a.0));
        status.parents = parents.into_iter().map(|(_, p)| p).collect();
    }

    /// Gateway (or ListenerSet) conditions and listeners; false for one istiod does not own.
    fn gateway_status(
        &self,
        obj: &Object,
        listeners: &[crate::istio::gateway_api::Listener],
        objects: &[Object],
        derived: &[Object],
        status: &mut ObjectStatus,
    ) -> bool {
        let Some(owned) = self
            .owned
            .iter()
            .find(|g| g.kind == obj.kind && g.namespace == obj.namespace() && g.name == obj.name())
        else {
            return false;
        };
        let records: Vec<&Record> = self.of(obj).collect();
        let set = owned.parent.is_some();
        let object_error = records
            .iter()
            .copied()
            .find(|r| r.subject == Subject::Object("Accepted"));
        // A ListenerSet its Gateway does not take has no listener status, only the reason.
        if let Some(r) = object_error.filter(|r| r.reason == "NotAllowed") {
            let refused = |kind| Condition {
                kind,
                status: false,
                reason: r.reason.clone(),
                message: r.message.clone(),
            };
            status.conditions = vec![refused("Accepted"), refused("Programmed")];
            return true;
        }
        let mut valid = 0;
        for (i, l) in listeners.iter().enumerate() {
            let at = |kind: &str| {
                records
                    .iter()
                    .copied()
                    .find(|r| r.subject == Subject::Listener(i, leak(kind)))
            };
            let mut conditions = vec![
                Condition::ok("Accepted", "Accepted", "No errors found"),
                Condition {
                    kind: "Conflicted",
                    status: false,
                    reason: "NoConflicts".into(),
                    message: "No errors found".into(),
                },
                Condition::ok("Programmed", "Programmed", "No errors found"),
                Condition::ok("ResolvedRefs", "ResolvedRefs", "No errors found"),
            ];
            let mut ok = true;
            for c in &mut conditions {
                if let Some(r) = at(c.kind) {
                    c.status = c.kind == "Conflicted";
                    c.reason = r.reason.clone();
                    c.message = r.message.clone();
                    ok = false;
                }
            }
            // A bad certificate reference also leaves the listener unprogrammed; a CA bundle
            // (or any reference no ReferenceGrant allows) that istiod cannot use also leaves it
            // unaccepted (buildListener).
            if let Some(r) = at("ResolvedRefs") {
                if at("Programmed").is_none() {
                    conditions[2].status = false;
                    conditions[2].reason = "Invalid".into();
                    conditions[2].message = "Bad TLS configuration".into();
                }
                let ca = matches!(
                    r.reason.as_str(),
                    "InvalidCACertificateRef" | "InvalidCACertificateKind" | "RefNotPermitted"
                );
                if ca && at("Accepted").is_none() {
                    conditions[0].status = false;
                    conditions[0].reason = "NoValidCACertificate".into();
                    conditions[0].message = r.message.clone();
                }
            }
            if ok {
                valid += 1;
            }
            let info = owned.listeners.iter().find(|p| p.index == i);
            let internal = info.map(|p| p.internal_name.as_str()).unwrap_or("");
            let attached_routes = self
                .attachments
                .iter()
                .filter(|a| a.listener == internal)
                .map(|a| (a.kind, a.namespace.as_str(), a.name.as_str()))
                .fold(Vec::new(), |mut seen, k| {
                    if !seen.contains(&k) {
                        seen.push(k);
                    }
                    seen
                })
                .len();
            status.listeners.push(ListenerStatus {
                name: l.name.clone(),
                attached_routes,
                supported_kinds: info.map(|p| p.supported_kinds.clone()).unwrap_or_default(),
                conditions,
            });
        }
        // The servers the Programmed condition resolves: the object's own, and for a Gateway
        // also the valid listeners of its ListenerSets.
        let mut ports: Vec<u32> = owned
            .listeners
            .iter()
            .filter(|l| l.programmed)
            .map(|l| l.port)
            .collect();
        for s in self.owned.iter().filter(|s| {
            s.parent.as_ref() == Some(&(obj.namespace().to_string(), obj.name().to_string()))
                && obj.kind == Kind::KubernetesGateway
        }) {
            ports.extend(s.listeners.iter().filter(|l| l.valid).map(|l| l.port));
        }
        let service_namespace = owned
            .parent
            .as_ref()
            .map_or(obj.namespace(), |(ns, _)| ns.as_str());
        let mut programmed = programmed(
            service_namespace,
            &owned.services,
            ports,
            objects.iter().chain(derived),
        );
        let mut accepted = Condition::ok("Accepted", "Accepted", "Resource accepted");
        if let Some(r) = object_error {
            accepted = Condition {
                kind: "Accepted",
                status: false,
                reason: r.reason.clone(),
                message: r.message.clone(),
            };
        }
        if set {
            if valid == 0 && object_error.is_none() {
                let none = |kind| Condition {
                    kind,
                    status: false,
                    reason: "ListenersNotValid".into(),
                    message: "None of the ListenerSet's listeners are valid".into(),
                };
                accepted = none("Accepted");
                programmed = none("Programmed");
            }
            status.conditions = vec![accepted, programmed];
            return true;
        }
        if valid < listeners.len() && object_error.is_none() {
            accepted.reason = "ListenersNotValid".into();
            if valid == 0 {
                accepted.status = false;
                accepted.message = "None of the Gateway's listeners are valid".into();
            } else {
                accepted.message = "One or more of the Gateway's listeners are invalid".into();
            }
        }
        let resolved = match records
            .iter()
            .find(|r| r.subject == Subject::Object("ResolvedRefs"))
        {
            Some(r) => Condition {
                kind: "ResolvedRefs",
                status: false,
                reason: r.reason.clone(),
                message: r.message.clone(),
            },
            None => Condition::ok("ResolvedRefs", "ResolvedRefs", "All references resolved"),
        };
        status.conditions = vec![accepted, programmed, resolved];
        true
    }
}

/// Condition types are a closed set; map a type name to its static string.
fn leak(kind: &str) -> &'static str {
    match kind {
        "Accepted" => "Accepted",
        "Conflicted" => "Conflicted",
        "Programmed" => "Programmed",
        _ => "ResolvedRefs",
    }
}

/// Programmed: assigned to the gateway Services that exist and serve the listeners' ports
/// (SetProgrammedCondition, ResolveGatewayInstances), as `host:port` joined for people.
fn programmed<'a>(
    namespace: &str,
    services: &[String],
    mut ports: Vec<u32>,
    objects: impl Iterator<Item = &'a Object> + Clone,
) -> Condition {
    order::sort(&mut ports);
    ports.dedup();
    let mut internal = Vec::new();
    let mut warnings = Vec::new();
    for host in services {
        let found = objects.clone().find_map(|o| match &*o.spec {
            Spec::Service(s)
                if super::service_fqdn(o.name(), o.namespace()) == *host
                    && o.namespace() == namespace =>
            {
                Some(s)
            }
            _ => None,
        });
        let Some(svc) = found else {
            warnings.push(format!("hostname {host:?} not found"));
            continue;
        };
        for port in &ports {
            if svc.ports.iter().any(|p| p.port == *port) {
                internal.push(format!("{host}:{port}"));
            } else {
                warnings.push(format!("port {port} not found for hostname {host:?}"));
            }
        }
    }
    // istiod lists the assigned `host:port`s as sorted strings (`:443` before `:80`).
    order::sort(&mut internal);
    let join = |ss: &[String]| match ss {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    };
    let mut c = Condition::ok("Programmed", "Programmed", "Resource programmed");
    if !internal.is_empty() {
        c.message = format!(
            "Resource programmed, assigned to service(s) {}",
            join(&internal)
        );
    }
    if services.is_empty() {
        c.status = false;
        c.reason = "UnsupportedAddress".into();
        c.message = "Failed to assign to any requested addresses".into();
    } else if !warnings.is_empty() {
        c.status = false;
        c.reason = "AddressNotUsable".into();
        c.message = if internal.is_empty() {
            format!(
                "Failed to assign to any requested addresses: {}",
                warnings.join("; ")
            )
        } else {
            format!(
                "Assigned to service(s) {}, but failed to assign to all requested addresses: {}",
                join(&internal),
                warnings.join("; ")
            )
        };
    }
    c
}

/// Printable status documents (JSON objects) of every Gateway API object, in input order.
pub fn status_manifests(statuses: &[ObjectStatus]) -> Vec<serde_json::Value> {
    statuses.iter().map(ObjectStatus::to_json).collect()
}
