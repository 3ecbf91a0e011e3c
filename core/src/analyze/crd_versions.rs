//! istioctl's `k8sgateway.CRDVersionAnalyzer` (IST0176): a Gateway API CRD whose bundle version
//! (`gateway.networking.k8s.io/bundle-version`) is older than Istio 1.31 needs. istiod does not
//! watch such a CRD, so objects of that kind are never processed.

use super::sources::objects;
use super::{codes, Ctx};
use crate::parse::SourceFile;
use crate::yaml::Node;

const BUNDLE_VERSION: &str = "gateway.networking.k8s.io/bundle-version";

/// The oldest bundle version istiod accepts, by CRD (istio `pkg/config/schema/gatewayapi`).
const MINIMUM: &[(&str, (u64, u64, u64))] = &[
    ("grpcroutes.gateway.networking.k8s.io", (1, 1, 0)),
    ("backendtlspolicies.gateway.networking.k8s.io", (1, 4, 0)),
    ("tlsroutes.gateway.networking.k8s.io", (1, 5, 0)),
    ("tcproutes.gateway.networking.k8s.io", (1, 6, 0)),
];

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    for crd in objects(files, "CustomResourceDefinition", "apiextensions.k8s.io/") {
        let name = crd.name();
        let Some(&(_, minimum)) = MINIMUM.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let Some(text) = crd
            .root
            .at(&["metadata", "annotations", BUNDLE_VERSION])
            .and_then(Node::as_str)
        else {
            continue;
        };
        let Some(installed) = Version::parse(text) else {
            continue;
        };
        if installed.core >= minimum {
            continue;
        }
        let (a, b, c) = minimum;
        ctx.report_at(
            codes::GATEWAY_API_CRD_VERSION_BELOW_MINIMUM,
            crd.file,
            crd.span(&["metadata", "annotations", BUNDLE_VERSION]),
            &crd.display(true),
            format!(
                "Gateway API CRD {name:?} is at version {:?} but Istio requires at least \"{a}.{b}.{c}\"; resources of this kind will not be processed. Upgrade the Gateway API CRDs to satisfy the minimum version.",
                installed.to_string()
            ),
        );
    }
}

/// A semantic version as istioctl's semver library reads it leniently: an optional `v`, minor
/// and patch defaulting to 0, then `-prerelease` and `+metadata`.
struct Version<'a> {
    core: (u64, u64, u64),
    prerelease: &'a str,
    metadata: &'a str,
}

impl<'a> Version<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let rest = text.strip_prefix('v').unwrap_or(text);
        let (rest, metadata) = rest.split_once('+').unwrap_or((rest, ""));
        let (numbers, prerelease) = rest.split_once('-').unwrap_or((rest, ""));
        let ident = |s: &str| {
            s.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        };
        if (rest.contains('-') && !ident(prerelease)) || (text.contains('+') && !ident(metadata)) {
            return None;
        }
        let mut parts = numbers.split('.');
        let mut number = |required: bool| match parts.next() {
            None if !required => Some(0),
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
            _ => None,
        };
        let core = (number(true)?, number(false)?, number(false)?);
        if parts.next().is_some() {
            return None;
        }
        Some(Version {
            core,
            prerelease,
            metadata,
        })
    }
}

impl std::fmt::Display for Version<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, b, c) = self.core;
        write!(f, "{a}.{b}.{c}")?;
        if !self.prerelease.is_empty() {
            write!(f, "-{}", self.prerelease)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn lenient_semver() {
        let v = |s: &str| Version::parse(s).map(|v| (v.core, v.to_string()));
        assert_eq!(v("v1.4.1"), Some(((1, 4, 1), "1.4.1".into())));
        assert_eq!(v("1.5"), Some(((1, 5, 0), "1.5.0".into())));
        assert_eq!(v("v1.5.0-rc.1"), Some(((1, 5, 0), "1.5.0-rc.1".into())));
        assert_eq!(
            v("1.2.3+build.7"),
            Some(((1, 2, 3), "1.2.3+build.7".into()))
        );
        assert!(v("latest").is_none());
        assert!(v("1.2.3.4").is_none());
        assert!(v("1.2.x").is_none());
    }
}
