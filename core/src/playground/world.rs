//! The built-in world and presets: plain YAML shipped in `static/`, compiled in so the CLI and the
//! page work offline with no files beside them.

/// Istio's Bookinfo sample and the istio-ingressgateway: the Kubernetes "Cluster" source.
pub const BOOKINFO: &str = include_str!("../../../static/worlds/bookinfo.yaml");
/// File name diagnostics use for the built-in world.
pub const BOOKINFO_FILE: &str = "bookinfo.yaml";

/// A preset: Istio config from one of Istio's traffic-management tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub id: &'static str,
    pub group: &'static str,
    pub title: &'static str,
    pub yaml: &'static str,
}

macro_rules! presets {
    ($(($id:literal, $group:literal, $title:literal)),* $(,)?) => {
        /// Every preset, in menu order (the same list as `static/presets/index.json`).
        pub const PRESETS: &[Preset] = &[$(Preset {
            id: $id,
            group: $group,
            title: $title,
            yaml: include_str!(concat!("../../../static/presets/", $id, ".yaml")),
        }),*];
    };
}

presets![
    (
        "request-routing-v1",
        "Request routing",
        "All traffic to v1 of reviews"
    ),
    (
        "request-routing-jason",
        "Request routing",
        "end-user: jason to reviews v2, everyone else to v1"
    ),
    (
        "traffic-shifting-50-50",
        "Traffic shifting",
        "reviews 50% v1, 50% v3"
    ),
    (
        "traffic-shifting-80-20",
        "Traffic shifting",
        "reviews 80% v1, 20% v2"
    ),
    ("traffic-shifting-v3", "Traffic shifting", "reviews 100% v3"),
    (
        "fault-injection-delay",
        "Fault injection",
        "7s delay on ratings for jason"
    ),
    (
        "fault-injection-abort",
        "Fault injection",
        "HTTP 500 from ratings for jason"
    ),
    (
        "request-timeouts",
        "Request timeouts",
        "0.5s timeout on reviews, 2s delay on ratings"
    ),
    (
        "circuit-breaking",
        "Circuit breaking",
        "httpbin: 1 connection, 1 pending request"
    ),
    ("mirroring", "Mirroring", "httpbin v1, mirrored to v2"),
    (
        "ingress-gateway",
        "Ingress",
        "httpbin.example.com through the ingress gateway"
    ),
    (
        "egress-serviceentry",
        "Egress",
        "REGISTRY_ONLY with a ServiceEntry for httpbin.org"
    ),
    (
        "tcp-traffic-shifting",
        "TCP traffic shifting",
        "tcp-echo 80% v1, 20% v2 on port 31400"
    ),
    (
        "gateway-api-request-routing",
        "Gateway API",
        "Gateway API: bookinfo-gateway, reviews to reviews-v1"
    ),
    (
        "gateway-api-traffic-shifting",
        "Gateway API",
        "Gateway API: reviews 50% reviews-v1, 50% reviews-v3"
    ),
    (
        "authz-allow-nothing",
        "Authorization",
        "allow-nothing: every request denied"
    ),
    (
        "authz-productpage-viewer",
        "Authorization",
        "productpage-viewer: GET to productpage"
    ),
    (
        "authz-details-viewer",
        "Authorization",
        "details-viewer: productpage may call details"
    ),
    (
        "authz-reviews-viewer",
        "Authorization",
        "reviews-viewer: productpage may call reviews"
    ),
    (
        "authz-ratings-viewer",
        "Authorization",
        "ratings-viewer: reviews may call ratings"
    ),
    (
        "authz-explicit-deny",
        "Authorization",
        "Explicit deny: GET with x-token: guest to productpage"
    ),
    (
        "authz-dry-run",
        "Authorization",
        "Dry run: a DENY on /productpage, reported only"
    ),
    (
        "authn-jwt-ingress",
        "Authentication",
        "JWT at the ingress gateway: a token is required"
    ),
    (
        "authz-tcp",
        "Authorization",
        "TCP: tcp-echo, an HTTP-only ALLOW rule closes connections"
    ),
    (
        "envoyfilter-lua-outbound",
        "EnvoyFilter",
        "Lua before the router on productpage's outbound 9080"
    ),
    (
        "envoyfilter-hcm-idle-timeout",
        "EnvoyFilter",
        "reviews inbound: HCM idle timeout 30s merged"
    ),
    (
        "envoyfilter-vhost-header",
        "EnvoyFilter",
        "productpage to reviews: a header added on the virtual host"
    ),
    (
        "envoyfilter-cluster-settings",
        "EnvoyFilter",
        "ratings cluster: connect timeout and a circuit breaker merged"
    ),
    (
        "envoyfilter-no-match",
        "EnvoyFilter",
        "A patch that matches nothing, and why"
    ),
];

pub fn preset(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// The reference scenario the page starts with.
pub const DEFAULT_PRESET: &str = "request-routing-v1";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load, SourceFile};

    #[test]
    fn index_json_lists_the_same_presets() {
        let index: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../../static/presets/index.json")).unwrap();
        let ids: Vec<&str> = index.iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(ids, PRESETS.iter().map(|p| p.id).collect::<Vec<_>>());
    }

    #[test]
    fn world_and_presets_load_without_errors() {
        for p in PRESETS {
            let loaded = load(&[
                SourceFile::new(BOOKINFO_FILE, BOOKINFO),
                SourceFile::new("istio.yaml", p.yaml),
            ]);
            let errors: Vec<_> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", p.id);
        }
    }

    #[test]
    fn bookinfo_has_its_proxies() {
        let loaded = load(&[SourceFile::new(BOOKINFO_FILE, BOOKINFO)]);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let apps: Vec<&str> = loaded
            .mesh
            .proxies()
            .iter()
            .map(|p| p.workload.as_str())
            .collect();
        assert_eq!(
            apps,
            [
                "details-v1",
                "ratings-v1",
                "reviews-v1",
                "reviews-v2",
                "reviews-v3",
                "productpage-v1",
                "istio-ingressgateway"
            ]
        );
        let gw = loaded.mesh.find_proxy("istio-ingressgateway").unwrap();
        assert_eq!(gw.kind, crate::ProxyKind::Gateway);
        let reviews = loaded
            .mesh
            .service("reviews.default.svc.cluster.local")
            .unwrap();
        assert_eq!(reviews.endpoints.len(), 3);
        assert_eq!(
            loaded
                .mesh
                .find_proxy("productpage-v1")
                .unwrap()
                .calls
                .len(),
            2
        );
    }
}
