//! Bookinfo, end to end: the task presets loaded over the Bookinfo world, translated, and a request
//! traced from the ingress gateway through every proxy and application call.

// std's sorts are fine in native tests; clippy.toml keeps them out of the library (wasm size).
#![allow(clippy::disallowed_methods)]

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

// ---- The same paths entered at productpage's sidecar (inbound), which need no gateway. ----

/// GET /productpage arriving at productpage-v1's sidecar from the gateway, over Istio mTLS.
fn at_productpage(w: &World, headers: &str, seed: u64) -> Hop {
    let r = req(&format!(
        r#"{{"mode": "inbound", "port": 9080, "tls": "mtls", "path": "/productpage", "headers": {{{headers}}}}}"#
    ));
    trace(w, Some("productpage-v1"), &r, seed).unwrap()
}

#[test]
fn in_mesh_all_v1_never_reaches_ratings() {
    let w = world_with("request-routing-v1");
    let h = at_productpage(&w, "", 0);
    assert_eq!(
        apps(&h),
        ["details-v1", "productpage-v1", "reviews-v1"],
        "{}",
        h.short()
    );
    assert_eq!(h.outcome.cluster.as_deref(), Some("inbound|9080||"));
    let reviews = &h.children[1];
    assert_eq!(reviews.outcome.listener.as_deref(), Some("0.0.0.0_9080"));
    assert_eq!(
        reviews.outcome.cluster.as_deref(),
        Some("outbound|9080|v1|reviews.default.svc.cluster.local")
    );
    assert!(
        reviews.outcome.endpoint.as_ref().unwrap().mtls,
        "sidecar to sidecar over mTLS"
    );
}

#[test]
fn in_mesh_jason_reaches_reviews_v2_then_ratings() {
    let w = world_with("request-routing-jason");
    let h = at_productpage(&w, r#""end-user": "jason""#, 0);
    assert_eq!(
        apps(&h),
        ["details-v1", "productpage-v1", "ratings-v1", "reviews-v2"],
        "{}",
        h.short()
    );
    let ratings_call = &h.children[1].children[0].children[0];
    assert_eq!(
        ratings_call.request.header("end-user"),
        Some("jason"),
        "forwarded by reviews"
    );
    let h = at_productpage(&w, "", 0);
    assert_eq!(
        apps(&h),
        ["details-v1", "productpage-v1", "reviews-v1"],
        "{}",
        h.short()
    );
}

#[test]
fn in_mesh_fault_abort_at_reviews_v2() {
    let w = world_with("fault-injection-abort");
    let h = at_productpage(&w, r#""end-user": "jason""#, 0);
    let hop = h
        .walk()
        .into_iter()
        .find(|h| h.outcome.status == Some(500))
        .unwrap_or_else(|| panic!("no abort:\n{}", h.short()));
    assert_eq!(hop.workload, "reviews-v2");
    assert_eq!(hop.direction, pilotlight_core::simulate::Mode::Outbound);
    assert_eq!(hop.outcome.response_flag.as_deref(), Some("FI"));
    assert!(!h.workloads().contains(&"ratings-v1".to_string()));
}

#[test]
fn any_request_to_any_proxy_gives_an_outcome() {
    use pilotlight_core::simulate::{simulate, Mode, Protocol, Tls};
    for preset_id in [
        "request-routing-jason",
        "fault-injection-abort",
        "tcp-traffic-shifting",
    ] {
        let w = world_with(preset_id);
        for node in &w.nodes {
            for mode in [Mode::Outbound, Mode::Inbound, Mode::Gateway] {
                for protocol in [
                    Protocol::Http,
                    Protocol::Http2,
                    Protocol::Tcp,
                    Protocol::Unspecified,
                ] {
                    for tls in [Tls::Plaintext, Tls::Tls, Tls::Mtls] {
                        for port in [80, 9080, 15001] {
                            let r = Request {
                                mode,
                                protocol,
                                tls,
                                port,
                                host: "reviews:9080".into(),
                                ..Request::default()
                            };
                            let o = simulate(w.config(node), &r);
                            assert!(!o.steps.is_empty());
                            assert!(
                                o.error.is_some() || o.listener.is_some(),
                                "{preset_id} {} {r:?}",
                                node.proxy
                            );
                        }
                    }
                }
            }
        }
    }
}
