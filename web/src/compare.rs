//! Compare: a snapshot of the sources (or one preset) against the editors (or another preset), as a
//! structural diff of the selected proxy's Envoy config (`pilotlight_core::diff`). The baseline is
//! kept as loaded sources, not as one proxy's config, so switching proxy compares that proxy too.

use crate::engine;
use pilotlight_core::diff::{self, ResourceDiff};
use pilotlight_core::envoy::ProxyConfig;
use pilotlight_core::{world, Loaded};
use std::rc::Rc;

/// One side of a comparison that is not the editors.
#[derive(Clone)]
pub struct Side {
    /// What the page calls it: `snapshot` or a preset id.
    pub label: String,
    loaded: Rc<Loaded>,
}

impl Side {
    fn load(label: &str, istio: &str, cluster: &str) -> Side {
        Side {
            label: label.to_string(),
            loaded: engine::analyze(istio, cluster).loaded,
        }
    }

    fn config(&self, proxy: Option<&str>) -> Option<ProxyConfig> {
        proxy
            .and_then(|id| engine::output_for(&self.loaded, id))
            .map(|o| o.config)
    }
}

#[derive(Clone)]
pub enum Baseline {
    /// The editors as they were when "Snapshot" was pressed, against the editors now.
    Snapshot(Side),
    /// Two presets (over the current cluster).
    Presets(Side, Side),
}

#[derive(Clone)]
pub struct Compare {
    pub baseline: Baseline,
    /// The proxy the diff is for, and whether the baseline has it.
    pub proxy: Option<String>,
    pub missing_before: bool,
    pub diff: Rc<Vec<ResourceDiff>>,
    /// The baseline's config for `proxy` (kept so an edit re-diffs without re-translating it).
    before: Option<Rc<ProxyConfig>>,
}

impl Compare {
    pub fn snapshot(istio: &str, cluster: &str) -> Compare {
        Compare::new(Baseline::Snapshot(Side::load("snapshot", istio, cluster)))
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
            before: None,
        }
    }

    /// The preset ids being compared, if comparing presets.
    pub fn preset_ids(&self) -> Option<(&str, &str)> {
        match &self.baseline {
            Baseline::Presets(a, b) => Some((&a.label, &b.label)),
            Baseline::Snapshot(_) => None,
        }
    }

    /// Recompute the diff for `proxy`; `current` is the editors' config for it (snapshot mode).
    pub fn updated(&self, proxy: Option<&str>, current: Option<&ProxyConfig>) -> Compare {
        let mut next = self.clone();
        let same_proxy = self.proxy.as_deref() == proxy && self.before.is_some();
        let before_side = match &self.baseline {
            Baseline::Snapshot(s) | Baseline::Presets(s, _) => s,
        };
        if same_proxy && matches!(self.baseline, Baseline::Presets(..)) {
            // Two presets do not depend on the editors: nothing to redo.
            return next;
        }
        if !same_proxy {
            next.before = before_side.config(proxy).map(Rc::new);
        }
        next.proxy = proxy.map(str::to_string);
        next.missing_before = next.before.is_none();
        let after = match &self.baseline {
            Baseline::Snapshot(_) => current.cloned(),
            Baseline::Presets(_, b) => b.config(proxy),
        };
        let empty = ProxyConfig::default();
        let before = next.before.as_deref().unwrap_or(&empty);
        next.diff = Rc::new(diff::diff(before, after.as_ref().unwrap_or(&empty)));
        next
    }
}
