//! What the mesh view shares with the request panel: the view's context (its reducer and the
//! mesh it draws, built on demand) and the links from a hop into the config view.

use crate::anim::Sim;
use crate::engine::{drawable, MeshView, Tab};
use crate::state::Action;
use crate::store::Store;
use pilotlight_core::topology::Topology;
use pilotlight_core::Loaded;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The mesh view's context: its own reducer and the mesh it draws.
#[derive(Clone)]
pub struct MeshCtx {
    pub sim: UseReducerHandle<Sim>,
    /// What is drawn: the mesh view of the last good load, or of an earlier one while typing.
    pub view: Option<Rc<MeshView>>,
    pub(super) fresh: Rc<RefCell<FreshView>>,
}

impl MeshCtx {
    /// The mesh view of the last good load, built now if the drawn one is older (a request sent
    /// right after an edit must see the edit).
    pub fn fresh(&self) -> Option<Rc<MeshView>> {
        self.fresh.borrow_mut().get()
    }
}

/// Builds the mesh view of the last good load once, on demand.
pub(super) struct FreshView {
    pub(super) revision: u64,
    pub(super) loaded: Option<Rc<Loaded>>,
    /// The load's picture, when the analysis worker built it.
    pub(super) picture: Option<Rc<Topology>>,
    pub(super) built: Option<(u64, Option<Rc<MeshView>>)>,
    /// Draws what was built.
    pub(super) show: UseStateHandle<Option<Rc<MeshView>>>,
}

impl FreshView {
    pub(super) fn get(&mut self) -> Option<Rc<MeshView>> {
        if let Some((revision, view)) = &self.built {
            if *revision == self.revision {
                return view.clone();
            }
        }
        let view = self
            .loaded
            .as_ref()
            .filter(|l| drawable(l))
            .map(|l| Rc::new(MeshView::shared(l.clone(), self.picture.clone())));
        self.built = Some((self.revision, view.clone()));
        self.show.set(view.clone());
        view
    }
}

impl PartialEq for MeshCtx {
    fn eq(&self, other: &Self) -> bool {
        self.sim == other.sim
            && match (&self.view, &other.view) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// The proxy id (`pod.namespace`) of a proxy or workload name, from the page's proxy list.
pub fn proxy_id(store: &Store, name: &str) -> Option<String> {
    store
        .proxies
        .iter()
        .find(|p| p.id == name || p.id.starts_with(&format!("{name}.")))
        .or_else(|| {
            store
                .proxies
                .iter()
                .find(|p| p.id.starts_with(&format!("{name}-")))
        })
        .map(|p| p.id.clone())
}

/// Show one resource of one proxy in the config view (and its YAML lines in the editor).
pub fn reveal(store: &Store, proxy: Option<String>, tab: Tab, name: &str) {
    if let Some(id) = proxy {
        if store.proxy.as_deref() != Some(id.as_str()) {
            store.dispatch(Action::SelectProxy(id));
        }
    }
    store.dispatch(Action::SelectTab(tab));
    store.dispatch(Action::SelectResource(Some(name.to_string())));
}
