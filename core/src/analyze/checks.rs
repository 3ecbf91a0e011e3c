//! Small value checks shared by the rules: DNS names, ports, durations, regexes, IPs, as Istio's
//! validation package defines them.

use crate::envoy::duration::Duration;
use crate::order;

fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// `[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(is_label_char)
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A DNS label that may start with `*` or `*-` (`*`, `*foo`, `*-foo`).
pub fn is_wildcard_dns1123_label(s: &str) -> bool {
    if s.len() > 63 {
        return false;
    }
    if s == "*" {
        return true;
    }
    let rest = s
        .strip_prefix("*-")
        .or_else(|| s.strip_prefix('*'))
        .unwrap_or(s);
    is_dns1123_label(rest)
}

fn dns_preconditions(domain: &str) -> Result<(), String> {
    if domain.len() > 255 {
        return Err(format!("domain name {domain:?} too long (max 255)"));
    }
    if domain.is_empty() {
        return Err("empty domain name not allowed".into());
    }
    Ok(())
}

fn dns1123_labels(domain: &str) -> Result<(), String> {
    let parts: Vec<&str> = domain.split('.').collect();
    let tld = parts[parts.len() - 1];
    if !tld.is_empty() && tld.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "domain name {domain:?} invalid (top level domain {tld:?} cannot be all-numeric)"
        ));
    }
    for (i, label) in parts.iter().enumerate() {
        if i == parts.len() - 1 && label.is_empty() {
            return Ok(());
        }
        if !is_dns1123_label(label) {
            return Err(format!(
                "domain name {domain:?} invalid (label {label:?} invalid)"
            ));
        }
    }
    Ok(())
}

/// Istio's `ValidateWildcardDomain`: a wildcard only in the first label.
pub fn wildcard_domain(domain: &str) -> Result<(), String> {
    dns_preconditions(domain)?;
    let (first, rest) = match domain.split_once('.') {
        Some((f, r)) => (f, Some(r)),
        None => (domain, None),
    };
    if !is_wildcard_dns1123_label(first) {
        return Err(format!(
            "domain name {domain:?} invalid (label {first:?} invalid)"
        ));
    }
    rest.map_or(Ok(()), dns1123_labels)
}

pub fn fqdn(name: &str) -> Result<(), String> {
    dns_preconditions(name)?;
    dns1123_labels(name)
}

pub fn port(n: u32) -> Result<(), String> {
    if (1..=65535).contains(&n) {
        Ok(())
    } else {
        Err(format!("port number {n} must be in the range 1..65535"))
    }
}

/// A duration as Istio accepts it: parseable, at least 1ms, whole milliseconds.
pub fn duration(text: &str) -> Result<(), String> {
    let d = Duration::parse(text)?;
    if d.0 < 1_000_000 {
        return Err(format!("duration {text:?} must be greater than 1ms"));
    }
    if d.0 % 1_000_000 != 0 {
        return Err(format!(
            "duration {text:?}: only durations to ms precision are supported"
        ));
    }
    Ok(())
}

/// An RE2 regex as Envoy will compile it (the `regex` crate takes the same syntax).
pub fn regex(re: &str, field: &str) -> Result<(), String> {
    if re.is_empty() {
        return Err(format!("{field:?}: regex string match should not be empty"));
    }
    if re.len() > 1024 {
        return Err(format!(
            "{field:?}: regex is too large, max length allowed is 1024"
        ));
    }
    match regex_lite::Regex::new(re) {
        Ok(_) => Ok(()),
        Err(e) => {
            let detail = e.to_string();
            let last = detail
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid regex")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            Err(format!(
                "{field:?}: error parsing regexp {re:?}: {last}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)"
            ))
        }
    }
}

pub fn ip(addr: &str) -> bool {
    addr.parse::<std::net::IpAddr>().is_ok()
}

/// An IP address or CIDR block.
pub fn ip_subnet(s: &str) -> Result<(), String> {
    match s.split_once('/') {
        None if ip(s) => Ok(()),
        None => Err(format!("{s:?} is not a valid IP")),
        Some((addr, bits)) => {
            let max = match addr.parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V4(_)) => 32,
                Ok(std::net::IpAddr::V6(_)) => 128,
                Err(_) => return Err(format!("{s:?} is not a valid CIDR block")),
            };
            match bits.parse::<u32>() {
                Ok(b) if b <= max => Ok(()),
                _ => Err(format!("{s:?} is not a valid CIDR block")),
            }
        }
    }
}

/// `^[-_A-Za-z0-9]+$`, or a pseudo-header, or a JWT claim (`@request.auth.claims.x`).
pub fn header_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("header name cannot be empty".into());
    }
    if name.starts_with("@request.auth.claims") {
        return Ok(());
    }
    if matches!(
        name,
        ":method" | ":scheme" | ":authority" | ":path" | ":status"
    ) {
        return Ok(());
    }
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(())
    } else {
        Err(format!("header name {name} is not a valid header name"))
    }
}

/// A header name a route may add or set.
pub fn header_op_name(name: &str, allow_authority: bool) -> Result<(), String> {
    if name.is_empty() {
        return Err("header name cannot be empty".into());
    }
    let authority = name.eq_ignore_ascii_case(":authority") || name.eq_ignore_ascii_case("host");
    if allow_authority && authority {
        return Ok(());
    }
    if name.eq_ignore_ascii_case("host") {
        return Err(format!("invalid header {name:?}: cannot set Host header"));
    }
    if name.starts_with(':') {
        return Err(format!(
            "invalid header {name:?}: header cannot have \":\" prefix"
        ));
    }
    Ok(())
}

/// Label keys and values as Kubernetes accepts them.
pub fn labels<'a>(
    labels: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Result<(), String> {
    for (k, v) in labels {
        let name = k.rsplit_once('/').map_or(k.as_str(), |(_, n)| n);
        let qualified = |s: &str| {
            !s.is_empty()
                && s.len() <= 63
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && s.starts_with(|c: char| c.is_ascii_alphanumeric())
                && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        };
        if !qualified(name) {
            return Err(format!("invalid tag key: {k:?}"));
        }
        if !v.is_empty() && !qualified(v) {
            return Err(format!("invalid tag value: {v:?}"));
        }
    }
    Ok(())
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate to `wrong`, when one is close enough to be a likely typo (or there is
/// only one candidate at all).
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let all: Vec<&str> = candidates.into_iter().collect();
    let best = all
        .iter()
        .filter(|c| **c != wrong)
        .min_by_key(|c| (distance(wrong, c), c.len()))
        .copied()?;
    let limit = (wrong.chars().count().max(best.chars().count()) / 2).max(2);
    let mut unique = all.clone();
    order::sort(&mut unique);
    unique.dedup();
    if distance(wrong, best) <= limit || unique.len() == 1 {
        Some(best)
    } else {
        None
    }
}

/// ` (did you mean "x"?)`, or nothing.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(wrong, candidates).map_or_else(String::new, |c| format!(" (did you mean {c:?}?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert!(wildcard_domain("*.example.com").is_ok());
        assert!(wildcard_domain("reviews").is_ok());
        assert!(wildcard_domain("*").is_ok());
        assert!(wildcard_domain("foo.*.com").is_err());
        assert!(wildcard_domain("a_b.com").is_err());
        assert!(wildcard_domain("").is_err());
        assert!(fqdn("1.2.3.4").is_err());
    }

    #[test]
    fn durations_and_regexes() {
        assert!(duration("10s").is_ok());
        assert!(duration("0.5s").is_ok());
        assert!(duration("0s").is_err());
        assert!(duration("1.5ms").is_err());
        assert!(duration("ten").is_err());
        assert!(regex("^/api/.*", "uri").is_ok());
        assert!(regex("(unclosed", "uri").is_err());
        assert!(regex("(?=lookahead)", "uri").is_err());
    }

    #[test]
    fn suggestions() {
        assert_eq!(closest("v4", ["v1", "v2", "v3"]), Some("v1"));
        assert_eq!(closest("reveiws", ["reviews", "ratings"]), Some("reviews"));
        assert_eq!(closest("zzzzzzzz", ["reviews", "ratings"]), None);
        assert_eq!(closest("anything", ["only"]), Some("only"));
    }
}
