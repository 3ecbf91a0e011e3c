//! Compare: a snapshot of the sources (or one preset) against the editors (or another preset), as a
//! structural diff of the selected proxy's Envoy config (`pilotlight_core::diff`). The baseline is
//! kept as loaded sources, not as one proxy's config, so switching proxy compares that proxy too.

use crate::engine;
use pilotlight_core::diff::{self, Kind, ResourceDiff};
use pilotlight_core::envoy::ProxyConfig;
use pilotlight_core::{world, Loaded};
use std::rc::Rc;

/// One side of a comparison that is not the editors.
#[derive(Clone)]
pub struct Side {
    /// What the page calls it: `snapshot` or a preset id.
    pub label: String,
    loaded: Rc<Loaded>,
    /// Whether EnvoyFilters are applied (false: the config as if none existed).
    envoy_filters: bool,
}

impl Side {
    fn load(label: &str, istio: &str, cluster: &str) -> Side {
        Side {
            label: label.to_string(),
            loaded: engine::analyze(istio, cluster).loaded,
            envoy_filters: true,
        }
    }

    fn config(&self, proxy: Option<&str>) -> Option<ProxyConfig> {
        let id = proxy?;
        if self.envoy_filters {
            engine::output_for(&self.loaded, id, None).map(|o| o.config)
        } else {
            engine::config_without_envoy_filters(&self.loaded, id)
        }
    }
}

#[derive(Clone)]
pub enum Baseline {
    /// The editors as they were when "Snapshot" was pressed, against the editors now.
    Snapshot(Side),
    /// Two presets (over the current cluster).
    Presets(Side, Side),
    /// The editors' config without their EnvoyFilters, against the editors (what the filters do).
    WithoutEnvoyFilters,
}

/// One proxy whose config differs between the two sides: how many resources of each kind, and
/// their names (the summary across the mesh).
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyChange {
    pub proxy: String,
    pub resources: Vec<(Kind, String)>,
}

/// The summary is computed for meshes up to this many proxies (each is translated on both sides).
pub const SUMMARY_MAX_PROXIES: usize = 60;

#[derive(Clone)]
pub struct Compare {
    pub baseline: Baseline,
    /// The proxy the diff is for, and whether the baseline has it.
    pub proxy: Option<String>,
    pub missing_before: bool,
    pub diff: Rc<Vec<ResourceDiff>>,
    /// Every proxy that changed (in proxy order); `None` above `SUMMARY_MAX_PROXIES`.
    pub summary: Option<Rc<Vec<ProxyChange>>>,
    /// The baseline's config for `proxy` (kept so an edit re-diffs without re-translating it).
    before: Option<Rc<ProxyConfig>>,
}

impl Compare {
    pub fn snapshot(istio: &str, cluster: &str) -> Compare {
        Compare::new(Baseline::Snapshot(Side::load("snapshot", istio, cluster)))
    }

    /// The editors without their EnvoyFilters against the editors.
    pub fn without_envoy_filters() -> Compare {
        Compare::new(Baseline::WithoutEnvoyFilters)
    }

    /// Two presets by id over `cluster`; `None` when an id is unknown.
    pub fn presets(a: &str, b: &str, cluster: &str) -> Option<Compare> {
        let side = |id: &str| world::preset(id).map(|p| Side::load(p.id, p.yaml, cluster));
        Some(Compare::new(Baseline::Presets(side(a)?, side(b)?)))
    }

    fn new(baseline: Baseline) -> Compare {
        Compare {
            baseline,
            proxy: None,
            missing_before: false,
            diff: Rc::default(),
            summary: None,
            before: None,
        }
    }

    /// The preset ids being compared, if comparing presets.
    pub fn preset_ids(&self) -> Option<(&str, &str)> {
        match &self.baseline {
            Baseline::Presets(a, b) => Some((&a.label, &b.label)),
            Baseline::Snapshot(_) | Baseline::WithoutEnvoyFilters => None,
        }
    }

    /// Recompute the diff for `proxy`; `current` is the editors' config for it and `editors` their
    /// load (snapshot mode: the summary compares every proxy).
    pub fn updated(
        &self,
        proxy: Option<&str>,
        current: Option<&ProxyConfig>,
        editors: Option<&Rc<Loaded>>,
    ) -> Compare {
        let mut next = self.clone();
        let same_proxy = self.proxy.as_deref() == proxy && self.before.is_some();
        if same_proxy && matches!(self.baseline, Baseline::Presets(..)) {
            // Two presets do not depend on the editors: nothing to redo.
            return next;
        }
        let editors_side = |envoy_filters: bool| {
            editors.map(|l| Side {
                label: String::new(),
                loaded: l.clone(),
                envoy_filters,
            })
        };
        let (before_side, after_side) = match &self.baseline {
            Baseline::Snapshot(s) => (Some(s.clone()), editors_side(true)),
            Baseline::Presets(a, b) => (Some(a.clone()), Some(b.clone())),
            Baseline::WithoutEnvoyFilters => (editors_side(false), editors_side(true)),
        };
        let (Some(before_side), Some(after_side)) = (before_side, after_side) else {
            return next;
        };
        if self.summary.is_none() || !matches!(self.baseline, Baseline::Presets(..)) {
            next.summary = summary(&before_side, &after_side).map(Rc::new);
        }
        // The baseline follows the editors when it is the editors without their EnvoyFilters.
        if !same_proxy || matches!(self.baseline, Baseline::WithoutEnvoyFilters) {
            next.before = before_side.config(proxy).map(Rc::new);
        }
        next.proxy = proxy.map(str::to_string);
        next.missing_before = next.before.is_none();
        let after = match &self.baseline {
            Baseline::Presets(_, b) => b.config(proxy),
            _ => current.cloned(),
        };
        let empty = ProxyConfig::default();
        let before = next.before.as_deref().unwrap_or(&empty);
        next.diff = Rc::new(diff::diff(before, after.as_ref().unwrap_or(&empty)));
        next
    }
}

/// Every proxy of either side whose config differs, with the resources that differ; `None` when
/// the mesh is too large to translate every proxy twice.
fn summary(before: &Side, after: &Side) -> Option<Vec<ProxyChange>> {
    let mut ids: Vec<String> = Vec::new();
    for side in [before, after] {
        for p in side.loaded.mesh.proxies() {
            let id = p.id();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.len() > SUMMARY_MAX_PROXIES {
        return None;
    }
    let empty = ProxyConfig::default();
    let changes = ids
        .into_iter()
        .filter_map(|id| {
            let a = before.config(Some(&id));
            let b = after.config(Some(&id));
            let d = diff::diff(a.as_ref().unwrap_or(&empty), b.as_ref().unwrap_or(&empty));
            (!d.is_empty()).then(|| ProxyChange {
                proxy: id,
                resources: d.into_iter().map(|r| (r.kind, r.name)).collect(),
            })
        })
        .collect();
    Some(changes)
}
