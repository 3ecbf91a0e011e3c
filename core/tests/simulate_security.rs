//! Istio's security tasks on Bookinfo, end to end: the presets translated, and requests traced
//! through the generated RBAC, jwt_authn and ext_authz filters.

use pilotlight_core::simulate::trace::{Hop, World};
use pilotlight_core::simulate::{trace, Mode, Request};
use pilotlight_core::world::{preset, BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::SourceFile;

fn world_of(files: &[(&str, &str)]) -> World {
    let mut all = vec![SourceFile::new(BOOKINFO_FILE, BOOKINFO)];
    all.extend(files.iter().map(|(n, t)| SourceFile::new(*n, *t)));
    World::from_mesh(&pilotlight_core::load(&all).mesh)
}

fn world_with(id: &str) -> World {
    let p = preset(id).unwrap_or_else(|| panic!("preset {id}"));
    world_of(&[(&format!("{id}.yaml"), p.yaml)])
}

fn req(json: &str) -> Request {
    Request::from_json(json).unwrap()
}

fn productpage() -> Request {
    req(r#"{"path": "/productpage"}"#)
}

/// The inbound hop of a workload (the first one met, depth first).
fn inbound<'a>(h: &'a Hop, workload: &str) -> Option<&'a Hop> {
    h.walk()
        .into_iter()
        .find(|x| x.direction == Mode::Inbound && x.workload == workload)
}

/// A trace in which reviews calls ratings (reviews-v2 or v3): some seed draws one.
fn trace_through_ratings(w: &World) -> Hop {
    (0..32)
        .map(|seed| trace(w, None, &productpage(), seed).unwrap())
        .find(|h| {
            h.walk()
                .iter()
                .any(|x| x.direction == Mode::Outbound && x.request.host.starts_with("ratings"))
        })
        .expect("some seed reaches reviews v2 or v3")
}

#[test]
fn allow_nothing_ends_at_productpage_with_403_and_no_matched_policy() {
    let w = world_with("authz-allow-nothing");
    let h = trace(&w, None, &productpage(), 0).unwrap();
    assert!(
        h.outcome.forwarded(),
        "the gateway (istio-system) is not selected"
    );
    let pp = inbound(&h, "productpage-v1").unwrap();
    assert_eq!(pp.outcome.status, Some(403));
    assert_eq!(
        pp.outcome.response_code_details.as_deref(),
        Some("rbac_access_denied_matched_policy[none]")
    );
    assert_eq!(
        pp.outcome.response_body.as_deref(),
        Some("RBAC: access denied")
    );
    assert!(
        pp.children.is_empty(),
        "productpage's application is never reached"
    );
    let d = &pp.outcome.authz[0];
    assert_eq!((d.action.as_str(), d.result.as_str()), ("ALLOW", "denied"));
    assert_eq!(d.candidates, ["ns[default]-policy[allow-nothing]-rule[0]"]);
    assert_eq!(d.file.as_deref(), Some("authz-allow-nothing.yaml"));
    // trace -o json carries it on the hop.
    let json = serde_json::to_value(pp).unwrap();
    assert_eq!(json["status"], 403);
    assert_eq!(
        json["response_code_details"],
        "rbac_access_denied_matched_policy[none]"
    );
}

#[test]
fn productpage_viewer_lets_productpage_answer_but_its_calls_get_403() {
    let w = world_with("authz-productpage-viewer");
    let h = trace(&w, None, &productpage(), 0).unwrap();
    let pp = inbound(&h, "productpage-v1").unwrap();
    assert!(pp.outcome.forwarded());
    let d = &pp.outcome.authz[0];
    assert_eq!(
        d.policy.as_deref(),
        Some("ns[default]-policy[productpage-viewer]-rule[0]")
    );
    assert_eq!(d.file.as_deref(), Some("authz-productpage-viewer.yaml"));
    assert!(
        d.line.is_some_and(|l| l > 1),
        "the rule's line in the preset"
    );
    let details = inbound(&h, "details-v1").unwrap();
    assert_eq!(details.outcome.status, Some(403));
    let reviews = h
        .walk()
        .into_iter()
        .find(|x| x.direction == Mode::Inbound && x.workload.starts_with("reviews"))
        .unwrap();
    assert_eq!(reviews.outcome.status, Some(403));
}

#[test]
fn details_and_reviews_viewers_let_productpages_identity_through_until_ratings() {
    let w = world_with("authz-reviews-viewer");
    let h = trace_through_ratings(&w);
    let details = inbound(&h, "details-v1").unwrap();
    assert!(details.outcome.forwarded());
    assert_eq!(
        details.request.source_principal,
        "cluster.local/ns/default/sa/bookinfo-productpage"
    );
    let reviews = h
        .walk()
        .into_iter()
        .find(|x| x.direction == Mode::Inbound && x.workload.starts_with("reviews"))
        .unwrap();
    assert!(reviews.outcome.forwarded());
    let ratings = inbound(&h, "ratings-v1").unwrap();
    assert_eq!(ratings.outcome.status, Some(403));
    // ratings-viewer (reviews' identity) completes the page.
    let w = world_with("authz-ratings-viewer");
    let h = trace_through_ratings(&w);
    assert!(inbound(&h, "ratings-v1").unwrap().outcome.forwarded());
}

#[test]
fn the_principal_needs_mtls_a_plaintext_hop_has_no_identity() {
    let disable = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: off\n  namespace: default\nspec:\n  mtls:\n    mode: DISABLE\n";
    let p = preset("authz-details-viewer").unwrap();
    let w = world_of(&[("p.yaml", p.yaml), ("pa.yaml", disable)]);
    let h = trace(&w, None, &productpage(), 0).unwrap();
    let details = inbound(&h, "details-v1").unwrap();
    assert_eq!(details.outcome.status, Some(403));
}

#[test]
fn a_deny_on_a_header_blocks_only_requests_with_it() {
    let w = world_with("authz-explicit-deny");
    let ok = trace(&w, None, &productpage(), 0).unwrap();
    assert!(inbound(&ok, "productpage-v1").unwrap().outcome.forwarded());
    let other = req(r#"{"path": "/productpage", "headers": {"x-token": "admin"}}"#);
    let h = trace(&w, None, &other, 0).unwrap();
    assert!(inbound(&h, "productpage-v1").unwrap().outcome.forwarded());
    let guest = req(r#"{"path": "/productpage", "headers": {"x-token": "guest"}}"#);
    let h = trace(&w, None, &guest, 0).unwrap();
    let pp = inbound(&h, "productpage-v1").unwrap();
    assert_eq!(pp.outcome.status, Some(403));
    assert_eq!(
        pp.outcome.response_code_details.as_deref(),
        Some("rbac_access_denied_matched_policy[ns[default]-policy[deny-guest]-rule[0]]")
    );
}

#[test]
fn dry_run_reports_the_deny_without_enforcing_it() {
    let w = world_with("authz-dry-run");
    let h = trace(&w, None, &productpage(), 0).unwrap();
    let pp = inbound(&h, "productpage-v1").unwrap();
    assert!(pp.outcome.forwarded());
    let d = pp.outcome.authz.iter().find(|d| d.dry_run).unwrap();
    assert_eq!(d.result, "would deny");
    assert_eq!(
        d.policy.as_deref(),
        Some("ns[default]-policy[deny-path-productpage]-rule[0]")
    );
}

#[test]
fn jwt_at_the_gateway_403_without_token_pass_with_issuer_401_with_another() {
    let w = world_with("authn-jwt-ingress");
    let none = trace(&w, None, &productpage(), 0).unwrap();
    assert_eq!(none.outcome.status, Some(403));
    assert_eq!(
        none.outcome.response_code_details.as_deref(),
        Some(
            "rbac_access_denied_matched_policy[ns[istio-system]-policy[frontend-ingress]-rule[0]]"
        )
    );
    let good = req(
        r#"{"path": "/productpage", "jwt": {"iss": "testing@secure.istio.io", "sub": "testing@secure.istio.io"}}"#,
    );
    let h = trace(&w, None, &good, 0).unwrap();
    assert!(h.outcome.forwarded());
    assert!(inbound(&h, "productpage-v1").unwrap().outcome.forwarded());
    assert!(
        inbound(&h, "productpage-v1").unwrap().request.jwt.is_none(),
        "jwt_authn removes the token: forwardOriginalToken is not set"
    );
    let bad = req(r#"{"path": "/productpage", "jwt": {"iss": "someone-else", "sub": "x"}}"#);
    let h = trace(&w, None, &bad, 0).unwrap();
    assert_eq!(h.outcome.status, Some(401));
    assert_eq!(
        h.outcome.response_code_details.as_deref(),
        Some("jwt_authn_access_denied{Jwt_issuer_is_not_configured}")
    );
    assert_eq!(
        h.outcome.response_body.as_deref(),
        Some("Jwt issuer is not configured")
    );
}

#[test]
fn an_unfetchable_jwks_uri_fails_every_token() {
    let p = preset("authn-jwt-ingress").unwrap();
    let start = p.yaml.find("    jwks: '").unwrap();
    let end = start + p.yaml[start..].find('\n').unwrap();
    let yaml = format!(
        "{}    jwksUri: https://raw.githubusercontent.com/istio/istio/release-1.31/security/tools/jwt/samples/jwks.json{}",
        &p.yaml[..start],
        &p.yaml[end..]
    );
    let w = world_of(&[("jwt.yaml", &yaml)]);
    let good = req(
        r#"{"path": "/productpage", "jwt": {"iss": "testing@secure.istio.io", "sub": "testing@secure.istio.io"}}"#,
    );
    let h = trace(&w, None, &good, 0).unwrap();
    assert_eq!(h.outcome.status, Some(401));
    assert_eq!(
        h.outcome.response_body.as_deref(),
        Some("Jwt verification fails")
    );
}

#[test]
fn tcp_authorization_closes_the_connection() {
    let w = world_with("authz-tcp");
    let h = trace(&w, None, &req(r#"{"port": 31400, "protocol": "tcp"}"#), 0).unwrap();
    let echo = inbound(&h, "tcp-echo-v1").unwrap();
    assert!(echo.outcome.connection_closed);
    assert!(!echo.outcome.forwarded());
    assert_eq!(
        echo.outcome.response_code_details.as_deref(),
        Some("rbac_access_denied_matched_policy[none]")
    );
    // Without the HTTP-only `methods`, port 9000 is allowed.
    let yaml = preset("authz-tcp")
        .unwrap()
        .yaml
        .replace("        methods: [\"GET\"]\n", "");
    let w = world_of(&[("tcp.yaml", &yaml)]);
    let h = trace(&w, None, &req(r#"{"port": 31400, "protocol": "tcp"}"#), 0).unwrap();
    assert!(inbound(&h, "tcp-echo-v1").unwrap().outcome.forwarded());
}

#[test]
fn custom_says_where_the_request_is_sent() {
    let mesh = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: |\n    extensionProviders:\n    - name: sample-ext-authz-grpc\n      envoyExtAuthzGrpc:\n        service: ratings.default.svc.cluster.local\n        port: 9080\n";
    let policy = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: ext-authz\n  namespace: default\nspec:\n  selector:\n    matchLabels:\n      app: productpage\n  action: CUSTOM\n  provider:\n    name: sample-ext-authz-grpc\n  rules:\n  - to:\n    - operation:\n        paths: [\"/productpage\"]\n";
    let gw = preset("authz-allow-nothing").unwrap().yaml;
    let gw = &gw[..gw.find("# Authorization for HTTP traffic").unwrap()];
    let w = world_of(&[("m.yaml", mesh), ("p.yaml", policy), ("gw.yaml", gw)]);
    let h = trace(&w, None, &productpage(), 0).unwrap();
    let pp = inbound(&h, "productpage-v1").unwrap();
    let sent = pp
        .outcome
        .authz
        .iter()
        .find(|d| d.filter == "envoy.filters.http.ext_authz")
        .expect("ext_authz decision");
    assert!(
        sent.result.contains("sample-ext-authz-grpc"),
        "{}",
        sent.result
    );
    assert!(sent
        .result
        .contains("outbound|9080||ratings.default.svc.cluster.local"));
    assert_eq!(
        sent.policy.as_deref(),
        Some("istio-ext-authz-sample-ext-authz-grpc-ns[default]-policy[ext-authz]-rule[0]")
    );
}

#[test]
fn the_animation_ends_red_at_productpage_naming_the_policy() {
    let p = preset("authz-allow-nothing").unwrap();
    let loaded = pilotlight_core::load(&[
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new("authz-allow-nothing.yaml", p.yaml),
    ]);
    let w = World::from_mesh(&loaded.mesh);
    let t = pilotlight_core::topology::Topology::build(&loaded.mesh);
    let h = trace(&w, None, &productpage(), 0).unwrap();
    let r = pilotlight_core::topology::plan(&t, &h).result;
    assert_eq!(r.status, Some(403));
    assert_eq!(r.at.as_deref(), Some("productpage-v1"));
    assert_eq!(
        r.detail.as_deref(),
        Some("RBAC: access denied (no ALLOW policy matched: ns[default]-policy[allow-nothing]-rule[0])")
    );
    assert!(
        r.delivered.is_empty(),
        "productpage's application never answers"
    );
}
