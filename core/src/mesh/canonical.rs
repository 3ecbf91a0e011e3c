//! Canonical service name and revision of a workload, from its labels (pkg/kube/labels
//! `CanonicalService`): the sidecar injector writes them onto the pod, and istiod reads them for
//! the `istio.workload` endpoint metadata and the tracing tags.

use super::Labels;

/// `service.istio.io/canonical-name`, else `app.kubernetes.io/name`, else `app`, else the workload's name.
pub fn name(labels: &Labels, workload: &str) -> String {
    first(
        labels,
        &[
            "service.istio.io/canonical-name",
            "app.kubernetes.io/name",
            "app",
        ],
    )
    .unwrap_or(workload)
    .to_string()
}

/// `service.istio.io/canonical-revision`, else `app.kubernetes.io/version`, else `version`, else `latest`.
pub fn revision(labels: &Labels) -> String {
    first(
        labels,
        &[
            "service.istio.io/canonical-revision",
            "app.kubernetes.io/version",
            "version",
        ],
    )
    .unwrap_or("latest")
    .to_string()
}

/// The app a proxy reports as its service cluster (`<app>.<namespace>`): `app` is read first here,
/// for backward compatibility (labels `GetApp`).
pub fn app(labels: &Labels, workload: &str) -> String {
    first(
        labels,
        &[
            "app",
            "app.kubernetes.io/name",
            "service.istio.io/canonical-name",
        ],
    )
    .unwrap_or(workload)
    .to_string()
}

fn first<'l>(labels: &'l Labels, keys: &[&str]) -> Option<&'l str> {
    keys.iter().find_map(|k| labels.get(*k).map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_win_in_istiods_order_then_the_workload_name_and_latest() {
        let l = labels(&[("app", "reviews"), ("version", "v3")]);
        assert_eq!(name(&l, "reviews-v3"), "reviews");
        assert_eq!(revision(&l), "v3");
        let l = labels(&[
            ("app", "a"),
            ("app.kubernetes.io/name", "b"),
            ("service.istio.io/canonical-name", "c"),
        ]);
        assert_eq!(name(&l, "w"), "c");
        assert_eq!(app(&l, "w"), "a");
        assert_eq!(name(&Labels::new(), "istiod"), "istiod");
        assert_eq!(revision(&Labels::new()), "latest");
    }
}
