//! Hostnames as Istio treats them: short names resolved against a namespace, wildcards matched.

/// istiod's `ResolveShortnameToFQDN`: a host without a dot is a Kubernetes service short name
/// in the object's namespace; anything with a dot, and wildcards, stay as written.
pub fn resolve(host: &str, namespace: &str) -> String {
    if host.is_empty() || host.starts_with('*') || host.contains('.') {
        return host.to_string();
    }
    crate::join!(host, ".", namespace, ".svc.cluster.local")
}

/// Does the (possibly wildcard) pattern cover this host? `*` covers everything, `*.foo.com`
/// covers `a.foo.com` and `a.b.foo.com`; a wildcard host is covered by an equal or wider one.
pub fn matches(pattern: &str, host: &str) -> bool {
    if pattern == "*" || pattern == host {
        return true;
    }
    match pattern.strip_prefix('*') {
        Some(suffix) => match host.strip_prefix('*') {
            Some(hsuffix) => hsuffix.ends_with(suffix),
            None => host.ends_with(suffix),
        },
        None => false,
    }
}

/// Of two overlapping host patterns, the more specific one (the one the other covers); `None`
/// when they do not overlap. Gateway hosts and route hosts meet this way.
pub fn narrower<'a>(a: &'a str, b: &'a str) -> Option<&'a str> {
    if matches(a, b) {
        Some(b)
    } else if matches(b, a) {
        Some(a)
    } else {
        None
    }
}

/// Do two host patterns overlap at all (either covers the other)?
pub fn intersects(a: &str, b: &str) -> bool {
    matches(a, b) || matches(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_short_names() {
        assert_eq!(
            resolve("reviews", "default"),
            "reviews.default.svc.cluster.local"
        );
        assert_eq!(resolve("reviews.prod", "default"), "reviews.prod");
        assert_eq!(resolve("*.example.com", "default"), "*.example.com");
    }

    #[test]
    fn wildcards() {
        assert!(matches("*", "a.b"));
        assert!(matches("*.example.com", "a.example.com"));
        assert!(!matches("*.example.com", "example.com"));
        assert!(matches("*.com", "*.example.com"));
        assert!(!matches("*.example.com", "*.com"));
        assert!(intersects("*.example.com", "*.com"));
    }
}
