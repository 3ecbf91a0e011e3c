//! LDS patches: LISTENER, LISTENER_FILTER, FILTER_CHAIN, NETWORK_FILTER, HTTP_FILTER, in the
//! order and with the rules of istiod's `ApplyListenerPatches` (one pass per context: the
//! outbound listeners, `virtualOutbound` without ADDs, the inbound listeners; a gateway's
//! listeners in GATEWAY).

use super::merge::{merge, merge_any};
use super::{ApplyTo, Context, Failure, Operation, Patch, Record, ResourceType};
use crate::envoy::well_known::{VIRTUAL_INBOUND, VIRTUAL_OUTBOUND};
use crate::envoy::{Map, Value};

pub const HCM: &str = "envoy.filters.network.http_connection_manager";

/// One pass of `ApplyListenerPatches` over listeners of one context.
pub struct Pass<'a> {
    pub ctx: Context,
    pub patches: &'a [Patch],
    pub rec: &'a mut Record,
    /// istiod recovers from a panic in a pass (a `typed_config` merge of two different types)
    /// by dropping the rest of that pass.
    aborted: bool,
}

impl<'a> Pass<'a> {
    pub fn new(ctx: Context, patches: &'a [Patch], rec: &'a mut Record) -> Self {
        Pass {
            ctx,
            patches,
            rec,
            aborted: false,
        }
    }

    fn of(&self, apply_to: ApplyTo) -> impl Iterator<Item = &'a Patch> {
        let ctx = self.ctx;
        self.patches
            .iter()
            .filter(move |p| p.apply_to == apply_to && p.in_context(ctx))
    }

    /// MERGE into a network or HTTP filter: its `typed_config` (same `@type`) and its name.
    /// `Some(false)`: the filter has no typed_config to merge into; `None`: the merge failed
    /// (recorded), which ends the pass as it ends istiod's.
    fn merge_filter(&mut self, p: &Patch, resource: &str, filter: &mut Value) -> Option<bool> {
        if filter.get("typed_config").is_none() {
            return Some(false);
        }
        if let Some(src) = p.value.get("typed_config") {
            if let Err(e) = merge_any(&mut filter["typed_config"], src) {
                self.fail(p, resource, mismatch(&e.existing, &e.patch));
                return None;
            }
        }
        if let Some(name) = p.value["name"].as_str().filter(|n| !n.is_empty()) {
            filter["name"] = Value::from(name.to_string());
        }
        Some(true)
    }

    fn fail(&mut self, p: &Patch, resource: &str, message: String) {
        self.aborted = true;
        self.rec.failures.push(Failure {
            patch: p.id,
            resource: resource.to_string(),
            message,
        });
    }

    /// `patchListeners`: patch each listener, drop the removed ones, then add LISTENER ADDs.
    pub fn listeners(&mut self, listeners: Vec<Value>, skip_adds: bool) -> Vec<Value> {
        let mut out = Vec::with_capacity(listeners.len());
        for mut l in listeners {
            if self.aborted || self.listener(&mut l) {
                out.push(l);
            }
        }
        if skip_adds || self.aborted {
            return out;
        }
        for p in self.of(ApplyTo::Listener) {
            if p.operation != Operation::Add {
                continue;
            }
            // An ADD for ANY lands once per proxy: in the outbound (or gateway) pass.
            if p.context == Context::Any
                && !matches!(self.ctx, Context::SidecarOutbound | Context::Gateway)
            {
                continue;
            }
            let name = p.value["name"].as_str().unwrap_or_default().to_string();
            self.rec
                .change(p, ResourceType::Listener, &name, String::new());
            out.push(p.value.clone());
        }
        out
    }

    /// `patchListener`; false when a patch removed it.
    fn listener(&mut self, l: &mut Value) -> bool {
        for p in self.of(ApplyTo::Listener) {
            if !listener_match(l, p) {
                continue;
            }
            let name = l["name"].as_str().unwrap_or_default().to_string();
            if p.operation == Operation::Remove {
                self.rec
                    .change(p, ResourceType::Listener, &name, String::new());
                return false;
            }
            if p.operation.is_merge() {
                merge(l, &p.value, p.operation == Operation::MergeAndReplaceList);
                let name = l["name"].as_str().unwrap_or_default().to_string();
                self.rec
                    .change(p, ResourceType::Listener, &name, String::new());
            }
        }
        self.listener_filters(l);
        self.filter_chains(l);
        true
    }

    fn listener_filters(&mut self, l: &mut Value) {
        let lname = l["name"].as_str().unwrap_or_default().to_string();
        for p in self.of(ApplyTo::ListenerFilter) {
            if self.aborted {
                return;
            }
            if !listener_match(l, p) {
                continue;
            }
            let wanted = p
                .matches
                .listener
                .as_ref()
                .and_then(|m| m.listener_filter.clone());
            let list = list_mut(l, "listener_filters");
            if p.operation.is_merge() {
                // istiod merges into every listener filter with a typed_config here (it does
                // not compare names), once a listenerFilter match is given.
                if wanted.is_none() {
                    continue;
                }
                for (i, f) in list.iter_mut().enumerate() {
                    if f.get("typed_config").is_none() {
                        continue;
                    }
                    if let Some(src) = p.value.get("typed_config") {
                        if let Err(e) = merge_any(&mut f["typed_config"], src) {
                            self.fail(p, &lname, mismatch(&e.existing, &e.patch));
                            return;
                        }
                    }
                    let path = element_path("listener_filters", i, f);
                    self.rec.change(p, ResourceType::Listener, &lname, path);
                }
                continue;
            }
            let name_match = |f: &Value| wanted.as_deref().is_none_or(|w| f["name"] == w);
            let path = match list_op(list, p, wanted.is_some(), name_match) {
                Outcome::At(i) => element_path("listener_filters", i, &list[i]),
                Outcome::Removed => "listener_filters".to_string(),
                Outcome::Nothing => continue,
            };
            self.rec.change(p, ResourceType::Listener, &lname, path);
        }
        drop_empty(l, "listener_filters");
    }

    /// `patchFilterChains`: each chain with filters, the default chain, then FILTER_CHAIN ADDs;
    /// chains whose filters were removed are dropped.
    fn filter_chains(&mut self, l: &mut Value) {
        let facts = ListenerFacts::of(l);
        if let Some(chains) = l.get_mut("filter_chains").and_then(Value::as_array_mut) {
            for (i, fc) in chains.iter_mut().enumerate() {
                if fc.get("filters").is_none() {
                    continue;
                }
                let path = element_path("filter_chains", i, fc);
                self.filter_chain(&facts, fc, &path);
            }
        }
        if l.get("default_filter_chain")
            .is_some_and(|fc| fc.get("filters").is_some())
        {
            self.filter_chain(
                &facts,
                &mut l["default_filter_chain"],
                "default_filter_chain",
            );
            if l["default_filter_chain"].get("filters").is_none() {
                if let Some(m) = l.as_object_mut() {
                    m.remove("default_filter_chain");
                }
            }
        }
        if !self.aborted {
            for p in self.of(ApplyTo::FilterChain) {
                if p.operation != Operation::Add || !facts.matches(p) {
                    continue;
                }
                let list = list_mut(l, "filter_chains");
                list.push(p.value.clone());
                let path = element_path("filter_chains", list.len() - 1, &p.value);
                self.rec
                    .change(p, ResourceType::Listener, &facts.name, path);
            }
        }
        if let Some(chains) = l.get_mut("filter_chains").and_then(Value::as_array_mut) {
            chains.retain(|fc| fc.get("filters").is_some());
        }
    }

    fn filter_chain(&mut self, facts: &ListenerFacts, fc: &mut Value, path: &str) {
        for p in self.of(ApplyTo::FilterChain) {
            if self.aborted {
                return;
            }
            if !facts.matches(p) || !filter_chain_match(facts, fc, p) {
                continue;
            }
            if p.operation == Operation::Remove {
                if let Some(m) = fc.as_object_mut() {
                    m.remove("filters");
                }
                self.rec
                    .change(p, ResourceType::Listener, &facts.name, path.to_string());
                return;
            }
            if p.operation.is_merge() {
                match merge_transport_socket(fc, &p.value) {
                    Err(e) => {
                        self.fail(p, &facts.name, mismatch(&e.existing, &e.patch));
                        return;
                    }
                    Ok(true) => {}
                    Ok(false) => merge(fc, &p.value, p.operation == Operation::MergeAndReplaceList),
                }
                self.rec
                    .change(p, ResourceType::Listener, &facts.name, path.to_string());
            }
        }
        self.network_filters(facts, fc, path);
    }

    fn network_filters(&mut self, facts: &ListenerFacts, fc: &mut Value, chain_path: &str) {
        let fc_snapshot = fc.clone();
        for p in self.of(ApplyTo::NetworkFilter) {
            if self.aborted {
                return;
            }
            if !facts.matches(p)
                || !filter_chain_match(facts, &fc_snapshot, p)
                || p.operation.is_merge()
            {
                continue;
            }
            let wanted = network_filter_name(p);
            let list = list_mut(fc, "filters");
            let base = format!("{chain_path}.filters");
            let name_match = |f: &Value| wanted.is_none_or(|w| f["name"] == w);
            let path = match list_op(list, p, wanted.is_some(), name_match) {
                Outcome::At(i) => element_path(&base, i, &list[i]),
                Outcome::Removed => base,
                Outcome::Nothing => continue,
            };
            self.rec
                .change(p, ResourceType::Listener, &facts.name, path);
        }
        let n = fc
            .get("filters")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        for i in 0..n {
            if self.aborted {
                return;
            }
            let path = element_path(&format!("{chain_path}.filters"), i, &fc["filters"][i]);
            let mut filter = fc["filters"][i].take();
            self.network_filter(facts, &fc_snapshot, &mut filter, &path);
            fc["filters"][i] = filter;
        }
    }

    fn network_filter(
        &mut self,
        facts: &ListenerFacts,
        fc: &Value,
        filter: &mut Value,
        path: &str,
    ) {
        for p in self.of(ApplyTo::NetworkFilter) {
            if p.operation != Operation::Merge
                || !facts.matches(p)
                || !filter_chain_match(facts, fc, p)
                || network_filter_name(p).is_some_and(|w| filter["name"] != w)
            {
                continue;
            }
            match self.merge_filter(p, &facts.name, filter) {
                Some(true) => {}
                Some(false) => continue,
                None => return,
            }
            self.rec
                .change(p, ResourceType::Listener, &facts.name, path.to_string());
        }
        if filter["name"] == HCM {
            self.http_filters(facts, fc, filter, path);
        }
    }

    fn http_filters(&mut self, facts: &ListenerFacts, fc: &Value, filter: &mut Value, path: &str) {
        if filter.get("typed_config").is_none() {
            return;
        }
        let filter_name = filter["name"].as_str().unwrap_or_default().to_string();
        let base = format!("{path}.typed_config.http_filters");
        for p in self.of(ApplyTo::HttpFilter) {
            if self.aborted {
                return;
            }
            if p.operation.is_merge()
                || !facts.matches(p)
                || !filter_chain_match(facts, fc, p)
                || network_filter_name(p).is_some_and(|w| filter_name != w)
            {
                continue;
            }
            let wanted = sub_filter_name(p);
            let list = list_mut(&mut filter["typed_config"], "http_filters");
            let name_match = |f: &Value| wanted.is_none_or(|w| f["name"] == w);
            let at = match list_op(list, p, wanted.is_some(), name_match) {
                Outcome::At(i) => element_path(&base, i, &list[i]),
                Outcome::Removed => base.clone(),
                Outcome::Nothing => continue,
            };
            self.rec.change(p, ResourceType::Listener, &facts.name, at);
        }
        let n = filter["typed_config"]["http_filters"]
            .as_array()
            .map_or(0, Vec::len);
        for i in 0..n {
            let http_filter = &mut filter["typed_config"]["http_filters"][i];
            for p in self.of(ApplyTo::HttpFilter) {
                if self.aborted {
                    return;
                }
                if p.operation != Operation::Merge
                    || !facts.matches(p)
                    || !filter_chain_match(facts, fc, p)
                    || network_filter_name(p).is_some_and(|w| filter_name != w)
                    || sub_filter_name(p).is_some_and(|w| http_filter["name"] != w)
                {
                    continue;
                }
                match self.merge_filter(p, &facts.name, http_filter) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return,
                }
                let at = element_path(&base, i, http_filter);
                self.rec.change(p, ResourceType::Listener, &facts.name, at);
            }
        }
    }
}

fn mismatch(existing: &str, patch: &str) -> String {
    format!(
        "typed_config @type {patch} cannot be merged into {existing}: istiod's merge panics and \
         drops the rest of this proxy's listener patches in this context"
    )
}

/// `mergeTransportSocketListener`: Ok(true) when the chain's transport socket of the same name
/// took the patch's typed_config.
fn merge_transport_socket(
    fc: &mut Value,
    patch: &Value,
) -> Result<bool, super::merge::TypeMismatch> {
    let Some(ts) = patch.get("transport_socket") else {
        return Ok(false);
    };
    let Some(existing) = fc.get("transport_socket") else {
        return Ok(false);
    };
    if existing["name"] != ts["name"] {
        return Ok(false);
    }
    if let (Some(_), Some(src)) = (existing.get("typed_config"), ts.get("typed_config")) {
        merge_any(&mut fc["transport_socket"]["typed_config"], src)?;
    }
    Ok(true)
}

/// What the matchers read from a listener, taken once so its chains can be changed.
pub struct ListenerFacts {
    pub name: String,
    pub port: Option<u64>,
}

impl ListenerFacts {
    pub fn of(l: &Value) -> Self {
        ListenerFacts {
            name: l["name"].as_str().unwrap_or_default().to_string(),
            port: l["address"]["socket_address"]["port_value"].as_u64(),
        }
    }

    fn is_virtual(&self) -> bool {
        self.name == VIRTUAL_INBOUND || self.name == VIRTUAL_OUTBOUND
    }

    /// `listenerMatch` for a patch that is not applyTo LISTENER.
    pub fn matches(&self, p: &Patch) -> bool {
        listener_facts_match(self, p)
    }
}

/// `listenerMatch`.
pub fn listener_match(l: &Value, p: &Patch) -> bool {
    listener_facts_match(&ListenerFacts::of(l), p)
}

fn listener_facts_match(l: &ListenerFacts, p: &Patch) -> bool {
    let Some(m) = p.matches.listener.as_ref() else {
        return true;
    };
    if m.name
        .as_deref()
        .is_some_and(|n| !n.is_empty() && n != l.name)
    {
        return false;
    }
    // The port of a virtual listener is its chains' destination port (filterChainMatch).
    if p.apply_to != ApplyTo::Listener && l.is_virtual() {
        return true;
    }
    if m.port_number != 0 && l.port != Some(u64::from(m.port_number)) {
        return false;
    }
    true
}

/// `filterChainMatch`.
pub fn filter_chain_match(l: &ListenerFacts, fc: &Value, p: &Patch) -> bool {
    let Some(m) = p.matches.listener.as_ref() else {
        return true;
    };
    let fcm = fc.get("filter_chain_match");
    let dest_port = fcm.and_then(|f| f["destination_port"].as_u64());
    if l.is_virtual() && m.port_number > 0 && dest_port != Some(u64::from(m.port_number)) {
        return false;
    }
    let Some(c) = m.filter_chain.as_ref() else {
        return true;
    };
    if let Some(name) = c.name.as_deref().filter(|n| !n.is_empty()) {
        if fc["name"] != name {
            return false;
        }
    }
    if let Some(sni) = c.sni.as_deref().filter(|n| !n.is_empty()) {
        let names = fcm.and_then(|f| f["server_names"].as_array());
        if !names.is_some_and(|n| n.iter().any(|s| s == sni)) {
            return false;
        }
    }
    if let Some(tp) = c.transport_protocol.as_deref().filter(|n| !n.is_empty()) {
        if !fcm.is_some_and(|f| f["transport_protocol"] == tp) {
            return false;
        }
    }
    if let Some(alpn) = c.application_protocols.as_deref().filter(|n| !n.is_empty()) {
        let Some(f) = fcm else {
            return false;
        };
        let have = f["application_protocols"].as_array();
        for want in alpn.split(',') {
            if !have.is_some_and(|h| h.iter().any(|x| x == want)) {
                return false;
            }
        }
    }
    if c.destination_port > 0 && dest_port != Some(u64::from(c.destination_port)) {
        return false;
    }
    true
}

/// `match.listener.filterChain.filter.name`, when the patch names a network filter.
pub fn network_filter_name(p: &Patch) -> Option<&str> {
    p.matches
        .listener
        .as_ref()?
        .filter_chain
        .as_ref()?
        .filter
        .as_ref()
        .map(|f| f.name.as_deref().unwrap_or_default())
}

/// `...filter.subFilter.name`, when the patch names an HTTP filter.
pub fn sub_filter_name(p: &Patch) -> Option<&str> {
    network_filter_name(p)?;
    p.matches
        .listener
        .as_ref()?
        .filter_chain
        .as_ref()?
        .filter
        .as_ref()?
        .sub_filter
        .as_ref()
        .map(|f| f.name.as_deref().unwrap_or_default())
}

/// The list at `key` of an object, created when missing.
pub fn list_mut<'v>(v: &'v mut Value, key: &'static str) -> &'v mut Vec<Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    let Some(m) = v.as_object_mut() else {
        unreachable!("made an object above")
    };
    let slot = m.get_or_insert_with(key.into(), || Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    match slot.as_array_mut() {
        Some(list) => list,
        None => unreachable!("made an array above"),
    }
}

/// A list left empty by the patches is left out, as protobuf JSON leaves empty lists out.
fn drop_empty(v: &mut Value, key: &str) {
    if v.get(key)
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        if let Some(m) = v.as_object_mut() {
            m.remove(key);
        }
    }
}

/// What a list operation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Inserted or replaced the element at this index.
    At(usize),
    Removed,
    Nothing,
}

/// The list operations filters and routes share (`insertBeforeFunc`, `insertAfterFunc`,
/// `replaceFunc`, REMOVE's filter).
pub fn list_op(
    list: &mut Vec<Value>,
    p: &Patch,
    has_match: bool,
    matches: impl Fn(&Value) -> bool,
) -> Outcome {
    match list_op_at(list, p, has_match, matches) {
        Some(usize::MAX) => Outcome::Removed,
        Some(i) => Outcome::At(i),
        None => Outcome::Nothing,
    }
}

fn list_op_at(
    list: &mut Vec<Value>,
    p: &Patch,
    has_match: bool,
    matches: impl Fn(&Value) -> bool,
) -> Option<usize> {
    let first = || list.iter().position(&matches);
    match p.operation {
        Operation::Add => {
            list.push(p.value.clone());
            Some(list.len() - 1)
        }
        Operation::InsertFirst => {
            list.insert(0, p.value.clone());
            Some(0)
        }
        Operation::InsertAfter if !has_match => {
            list.push(p.value.clone());
            Some(list.len() - 1)
        }
        Operation::InsertAfter => {
            let i = first()? + 1;
            list.insert(i, p.value.clone());
            Some(i)
        }
        Operation::InsertBefore if !has_match => {
            list.insert(0, p.value.clone());
            Some(0)
        }
        Operation::InsertBefore => {
            let i = first()?;
            list.insert(i, p.value.clone());
            Some(i)
        }
        Operation::Replace if has_match => {
            let i = first()?;
            list[i] = p.value.clone();
            Some(i)
        }
        Operation::Remove if has_match => {
            let before = list.len();
            list.retain(|f| !matches(f));
            (list.len() < before).then_some(usize::MAX)
        }
        _ => None,
    }
}

/// `base[name]` for a named element, `base[i]` otherwise.
pub fn element_path(base: &str, i: usize, element: &Value) -> String {
    match element["name"].as_str().filter(|n| !n.is_empty()) {
        Some(name) => format!("{base}[{name}]"),
        None => format!("{base}[{i}]"),
    }
}
