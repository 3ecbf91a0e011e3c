//! The page's reducer driven the way a user drives it: share links that restore the editors,
//! proxy and tab; Snapshot and Compare across edits and presets.

use crate::compare::Compare;
use crate::engine::Tab;
use crate::i18n::Lang;
use crate::state::tests::start;
use crate::state::{Action, Source, State};
use pilotlight_core::diff::{Change, Kind};
use pilotlight_core::{share, world};
use yew::Reducible;

#[test]
fn a_share_link_restores_texts_proxy_and_tab() {
    let s = start();
    let reviews = s
        .proxies
        .iter()
        .find(|p| p.id.starts_with("reviews-v2"))
        .unwrap()
        .id
        .clone();
    let text = format!("{}# edited\n", s.istio);
    let s = s
        .reduce(Action::Edit {
            source: Source::Istio,
            text,
            translate: true,
        })
        .reduce(Action::SelectProxy(reviews.clone()))
        .reduce(Action::SelectTab(Tab::Clusters));
    let link = share::encode(&s.share_state());
    let opened = State::from_link(Lang::En, share::decode(&link).unwrap());
    assert_eq!(opened.istio, s.istio);
    assert_eq!(opened.cluster, s.cluster);
    assert_eq!(opened.proxy.as_deref(), Some(reviews.as_str()));
    assert_eq!(opened.tab, Tab::Clusters);
    // A link naming a proxy that does not exist falls back to the default one.
    let mut st = share::decode(&link).unwrap();
    st.proxy = Some("<b>nope</b>".into());
    st.tab = Some("later-tab".into());
    let opened = State::from_link(Lang::En, st);
    assert!(opened.proxy.as_deref().unwrap().starts_with("productpage"));
    assert_eq!(opened.tab, Tab::Routes);
}

#[test]
fn snapshot_then_edit_shows_the_route_change() {
    let s = start();
    let snap = Compare::snapshot(&s.istio, &s.cluster);
    let s = s.reduce(Action::Compare(Some(snap)));
    assert!(s.compare.as_ref().unwrap().diff.is_empty());
    let text = s.istio.replacen("subset: v1", "subset: v2", 1);
    let s = s.reduce(Action::Edit {
        source: Source::Istio,
        text,
        translate: true,
    });
    let diff = &s.compare.as_ref().unwrap().diff;
    assert!(!diff.is_empty());
    assert!(diff.iter().all(|r| r.change == Change::Changed));
    // The summary across the mesh: a route to reviews changes for each caller of reviews (the
    // sidecars' route 9080 and the gateway), and nothing else (ratings' own routes do not).
    let summary = s
        .compare
        .as_ref()
        .unwrap()
        .summary
        .clone()
        .expect("a summary");
    assert!(summary.iter().any(|c| c.proxy.starts_with("productpage-v1")
        && c.resources.contains(&(Kind::Route, "9080".into()))));
    assert!(summary.len() < s.proxies.len(), "{summary:?}");
    let s = s.reduce(Action::Compare(None));
    assert!(s.compare.is_none());
}

#[test]
fn two_presets() {
    let c = Compare::presets("request-routing-v1", "traffic-shifting-v3", world::BOOKINFO).unwrap();
    let proxy = start().proxy.clone();
    let c = c.updated(proxy.as_deref(), None, None);
    let route = c
        .diff
        .iter()
        .find(|r| r.kind == Kind::Route && r.name == "9080")
        .expect("route 9080 differs");
    assert!(route.fields.iter().any(|f| f
        .after
        .as_ref()
        .is_some_and(|v| v == "outbound|9080|v3|reviews.default.svc.cluster.local")));
    assert!(Compare::presets("nope", "traffic-shifting-v3", world::BOOKINFO).is_none());
}

#[test]
fn an_envoy_filter_marks_what_it_changed_and_diffs_against_its_absence() {
    let p = world::preset("envoyfilter-lua-outbound").unwrap();
    let s = start().reduce(Action::Replace {
        source: Source::Istio,
        text: p.yaml.to_string(),
    });
    let out = s.output.clone().expect("productpage's output");
    let mark = out
        .patched
        .iter()
        .find(|m| m.tab == Tab::Listeners && m.resource == "0.0.0.0_9080")
        .expect("the 9080 listener is marked as patched");
    assert_eq!(mark.patch.kind, "EnvoyFilter");
    assert_eq!(
        (mark.patch.name.as_str(), mark.index),
        ("productpage-lua", 0)
    );
    // Opening it lists the patch under Made by and highlights its lines.
    let s = s
        .reduce(Action::SelectTab(Tab::Listeners))
        .reduce(Action::SelectResource(Some("0.0.0.0_9080".into())));
    let detail = s.detail.clone().expect("detail");
    assert!(detail.made_by.iter().any(|o| o.kind == "EnvoyFilter"));
    assert!(s
        .highlight_istio
        .contains(&(mark.patch.start_line, mark.patch.end_line)));
    // The diff without the EnvoyFilters changes exactly that listener for productpage.
    let s = s.reduce(Action::Compare(Some(Compare::without_envoy_filters())));
    let c = s.compare.clone().unwrap();
    assert!(c.diff.iter().any(|r| r.kind == Kind::Listener
        && r.name == "0.0.0.0_9080"
        && r.change == Change::Changed));
    let summary = c.summary.clone().unwrap();
    assert_eq!(
        summary.len(),
        1,
        "only productpage is selected: {summary:?}"
    );
}
