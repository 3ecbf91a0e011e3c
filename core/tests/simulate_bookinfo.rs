//! Bookinfo, end to end: the task presets loaded over the Bookinfo world, translated, and a request
//! traced from the ingress gateway through every proxy and application call.

use pilotlight_core::simulate::trace::{Hop, World};
use pilotlight_core::simulate::{sample, trace, Request, SimError};
use pilotlight_core::world::{preset, BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::SourceFile;

fn world_with(preset_id: &str) -> World {
    let p = preset(preset_id).unwrap_or_else(|| panic!("preset {preset_id}"));
    let loaded = pilotlight_core::load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new(format!("{preset_id}.yaml"), p.yaml),
    ]);
    World::from_mesh(&loaded.mesh)
}

fn req(json: &str) -> Request {
    Request::from_json(json).unwrap()
}

fn productpage(headers: &str) -> Request {
    req(&format!(
        r#"{{"path": "/productpage", "headers": {{{headers}}}}}"#
    ))
}

/// The inbound hops: the workloads whose application the request reached.
fn apps(h: &Hop) -> Vec<String> {
    let mut v: Vec<String> = h
        .walk()
        .iter()
        .filter(|h| {
            h.direction == pilotlight_core::simulate::Mode::Inbound && h.outcome.forwarded()
        })
        .map(|h| h.workload.clone())
        .collect();
    v.sort();
    v
}

#[test]
#[ignore = "needs the translation core (listeners, routes, clusters, endpoints); run with --ignored"]
fn all_v1_visits_productpage_details_reviews_v1_never_ratings() {
    let w = world_with("request-routing-v1");
    let h = trace(&w, None, &productpage(""), 0).unwrap();
    assert_eq!(h.workload, "istio-ingressgateway", "{}", h.short());
    assert_eq!(
        apps(&h),
        ["details-v1", "productpage-v1", "reviews-v1"],
        "{}",
        h.short()
    );
    assert!(!h.workloads().iter().any(|w| w.starts_with("ratings")));
}

#[test]
#[ignore = "needs the translation core (listeners, routes, clusters, endpoints); run with --ignored"]
fn jason_goes_to_reviews_v2_and_ratings_others_to_v1() {
    let w = world_with("request-routing-jason");
    let h = trace(&w, None, &productpage(r#""end-user": "jason""#), 0).unwrap();
    assert_eq!(
        apps(&h),
        ["details-v1", "productpage-v1", "ratings-v1", "reviews-v2"],
        "{}",
        h.short()
    );
    for seed in 0..5 {
        let h = trace(&w, None, &productpage(r#""end-user": "mallory""#), seed).unwrap();
        assert_eq!(
            apps(&h),
            ["details-v1", "productpage-v1", "reviews-v1"],
            "{}",
            h.short()
        );
    }
}

#[test]
#[ignore = "needs the translation core (listeners, routes, clusters, endpoints); run with --ignored"]
fn unrouted_path_stops_at_the_gateway_with_404() {
    let w = world_with("request-routing-v1");
    let h = trace(&w, None, &req(r#"{"path": "/nothing-here"}"#), 0).unwrap();
    assert_eq!(h.workload, "istio-ingressgateway");
    assert_eq!(h.outcome.error, Some(SimError::NoRoute), "{}", h.short());
    assert_eq!(h.outcome.status, Some(404));
    assert_eq!(h.outcome.response_flag.as_deref(), Some("NR"));
    assert!(h.children.is_empty());
}

#[test]
#[ignore = "needs the translation core (listeners, routes, clusters, endpoints); run with --ignored"]
fn split_80_20_sampled_1000_times() {
    let w = world_with("traffic-shifting-80-20");
    let s = sample(&w, None, &productpage(""), 0, 1000).unwrap();
    let v1 = s.workloads.get("reviews-v1").copied().unwrap_or(0);
    let v2 = s.workloads.get("reviews-v2").copied().unwrap_or(0);
    assert_eq!(v1 + v2, 1000, "{}", s.short());
    assert!((760..=840).contains(&v1), "{}", s.short());
    assert_eq!(s.workloads.get("productpage-v1"), Some(&1000));
}

#[test]
#[ignore = "needs the translation core (listeners, routes, clusters, endpoints); run with --ignored"]
fn fault_abort_returns_500_in_reviews_v2_sidecar() {
    let w = world_with("fault-injection-abort");
    let h = trace(&w, None, &productpage(r#""end-user": "jason""#), 0).unwrap();
    let aborted: Vec<&Hop> = h
        .walk()
        .into_iter()
        .filter(|h| h.outcome.status == Some(500))
        .collect();
    assert_eq!(aborted.len(), 1, "{}", h.short());
    let hop = aborted[0];
    assert_eq!(
        hop.workload, "reviews-v2",
        "the abort happens in the caller's sidecar"
    );
    assert_eq!(hop.outcome.response_flag.as_deref(), Some("FI"));
    assert!(hop.children.is_empty());
    assert!(!h.workloads().contains(&"ratings-v1".to_string()));
    // Without the header, no fault: reviews-v1 and no ratings at all.
    let h = trace(&w, None, &productpage(""), 0).unwrap();
    assert!(
        h.walk().iter().all(|h| h.outcome.status.is_none()),
        "{}",
        h.short()
    );
}
