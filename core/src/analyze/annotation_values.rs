//! Values of the Pod annotations the sidecar injector checks before injecting (IST0125), with
//! the reason in the words the injector uses (Go's `strconv` and `net/netip` errors included),
//! so `pilotlight analyze` prints what `istioctl analyze` prints.
//!
//! Not checked here: `proxy.istio.io/config` (a whole ProxyConfig to decode and validate).

/// Why the injector would refuse this annotation's value; `None` when it accepts it or does not
/// check this annotation.
pub(super) fn problem(name: &str, value: &str) -> Option<String> {
    let short = name.rsplit('/').next().unwrap_or(name);
    match name {
        "sidecar.istio.io/interceptionMode" => (!matches!(value, "REDIRECT" | "TPROXY" | "NONE"))
            .then(|| format!("interceptionMode invalid, use REDIRECT,TPROXY,NONE: {value}")),
        "status.sidecar.istio.io/port" => port(value)
            .err()
            .map(|e| format!("excludeInboundPorts invalid: {e}")),
        "readiness.status.sidecar.istio.io/initialDelaySeconds"
        | "readiness.status.sidecar.istio.io/periodSeconds"
        | "readiness.status.sidecar.istio.io/failureThreshold" => parse_uint(value, 32).err(),
        "traffic.sidecar.istio.io/includeOutboundIPRanges" => (value != "*")
            .then(|| cidrs(value).map(|e| format!("includeIPRanges invalid: {e}")))
            .flatten(),
        "traffic.sidecar.istio.io/excludeOutboundIPRanges" => {
            cidrs(value).map(|e| format!("excludeIPRanges invalid: {e}"))
        }
        "traffic.sidecar.istio.io/includeInboundPorts" => (value != "*")
            .then(|| ports(value).map(|e| format!("{short} invalid: {e}")))
            .flatten(),
        "traffic.sidecar.istio.io/excludeInboundPorts"
        | "traffic.sidecar.istio.io/excludeOutboundPorts" => {
            ports(value).map(|e| format!("{short} invalid: {e}"))
        }
        "traffic.sidecar.istio.io/excludeInterfaces"
        | "traffic.sidecar.istio.io/kubevirtInterfaces"
        | "istio.io/reroute-virtual-interfaces" => interfaces(value),
        "prometheus.istio.io/merge-metrics" => (!matches!(
            value,
            "1" | "t"
                | "T"
                | "TRUE"
                | "true"
                | "True"
                | "0"
                | "f"
                | "F"
                | "FALSE"
                | "false"
                | "False"
        ))
        .then(|| {
            format!(
                "strconv.ParseBool: parsing {}: invalid syntax",
                quote(value)
            )
        }),
        "sidecar.istio.io/proxyCPU"
        | "sidecar.istio.io/proxyMemory"
        | "sidecar.istio.io/proxyCPULimit"
        | "sidecar.istio.io/proxyMemoryLimit" => quantity(value).err().map(str::to_string),
        _ => None,
    }
}

/// Go's `strconv.ParseUint(s, 10, bits)`: the first non-digit is a syntax error, unless the
/// digits before it already overflowed.
fn parse_uint(s: &str, bits: u32) -> Result<u64, String> {
    let fail = |why: &str| format!("strconv.ParseUint: parsing {}: {why}", quote(s));
    if s.is_empty() {
        return Err(fail("invalid syntax"));
    }
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let mut n: u64 = 0;
    for c in s.bytes() {
        if !c.is_ascii_digit() {
            return Err(fail("invalid syntax"));
        }
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
        {
            Some(v) if v <= max => v,
            _ => return Err(fail("value out of range")),
        };
    }
    Ok(n)
}

/// The injector's `parsePort`: a 16-bit number, surrounding spaces ignored.
fn port(s: &str) -> Result<u64, String> {
    parse_uint(s.trim(), 16).map_err(|e| format!("failed parsing port '{s}': {e}"))
}

/// The injector's `parsePorts`: comma-separated ports (an empty list is fine).
fn ports(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    s.split(',').find_map(|p| {
        port(p)
            .err()
            .map(|e| format!("failed parsing port '{p}': {e}"))
    })
}

/// Comma-separated CIDRs, each as Go's `netip.ParsePrefix` reads it.
fn cidrs(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    s.split(',').find_map(|c| {
        prefix(c).map(|why| {
            format!(
                "failed parsing cidr '{c}': netip.ParsePrefix({}): {why}",
                quote(c)
            )
        })
    })
}

fn prefix(s: &str) -> Option<String> {
    let Some((addr, bits)) = s.rsplit_once('/') else {
        return Some("no '/'".into());
    };
    let max = match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => 32,
        Ok(std::net::IpAddr::V6(_)) => 128,
        Err(_) if addr.contains('%') => {
            return Some("IPv6 zones cannot be present in a prefix".into())
        }
        Err(_) => return Some(format!("ParseAddr({}): unable to parse IP", quote(addr))),
    };
    let bad_bits = || Some(format!("bad bits after slash: {}", quote(bits)));
    if bits.len() > 1 && !(b'1'..=b'9').contains(&bits.as_bytes()[0]) {
        return bad_bits();
    }
    match bits.parse::<u32>() {
        Ok(b) if b <= max => None,
        Ok(_) => Some("prefix length out of range".into()),
        Err(_) => bad_bits(),
    }
}

/// Linux interface names, comma-separated: a letter, then letters, digits, `_`, `.`, `-`; at
/// most 15 characters.
fn interfaces(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    s.split(',').map(str::trim).find_map(|name| {
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if name.is_empty() {
            Some("empty interface name".to_string())
        } else if name.len() > 15 {
            Some(format!(
                "interface name {} too long (max 15 chars)",
                quote(name)
            ))
        } else if !valid {
            Some(format!(
                "interface name {} contains invalid characters",
                quote(name)
            ))
        } else {
            None
        }
    })
}

const QUANTITY_FORMAT: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// Kubernetes' `resource.ParseQuantity`, as far as accepting or refusing goes: a signed decimal
/// number, then a binary (`Ki`...`Ei`) or decimal (`n`, `u`, `m`, `k`...`E`) suffix or an
/// exponent (`e3`).
fn quantity(s: &str) -> Result<(), &'static str> {
    if s.chars().any(char::is_control) {
        return Err("value contains control characters");
    }
    if s.is_empty() {
        return Err(QUANTITY_FORMAT);
    }
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b[0], b'+' | b'-'));
    let digits = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
    };
    digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        digits(&mut i);
    }
    let suffix_start = i;
    while i < b.len() && b"eEinumkKMGTP".contains(&b[i]) {
        i += 1;
    }
    if i < b.len() && matches!(b[i], b'+' | b'-') {
        i += 1;
    }
    digits(&mut i);
    if i < b.len() {
        return Err(QUANTITY_FORMAT);
    }
    let suffix = &s[suffix_start..];
    let known = matches!(
        suffix,
        "" | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
            | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
    ) || (suffix.len() > 1
        && suffix.starts_with(['e', 'E'])
        && suffix[1..].parse::<i64>().is_ok());
    if known {
        Ok(())
    } else {
        Err("unable to parse quantity's suffix")
    }
}

/// Go's `strconv.Quote` for the printable text annotations hold.
fn quote(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn injector_wording() {
        let p = |n: &str, v: &str| problem(n, v);
        assert_eq!(
            p(
                "readiness.status.sidecar.istio.io/initialDelaySeconds",
                "bar"
            )
            .as_deref(),
            Some("strconv.ParseUint: parsing \"bar\": invalid syntax")
        );
        assert_eq!(
            p("readiness.status.sidecar.istio.io/periodSeconds", "10"),
            None
        );
        assert_eq!(
            p("traffic.sidecar.istio.io/excludeInboundPorts", "15020,x").as_deref(),
            Some("excludeInboundPorts invalid: failed parsing port 'x': failed parsing port 'x': strconv.ParseUint: parsing \"x\": invalid syntax")
        );
        assert_eq!(
            p("status.sidecar.istio.io/port", "70000").as_deref(),
            Some("excludeInboundPorts invalid: failed parsing port '70000': strconv.ParseUint: parsing \"70000\": value out of range")
        );
        assert_eq!(p("traffic.sidecar.istio.io/includeInboundPorts", "*"), None);
        assert_eq!(
            p("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8,10.1.2.3").as_deref(),
            Some("includeIPRanges invalid: failed parsing cidr '10.1.2.3': netip.ParsePrefix(\"10.1.2.3\"): no '/'")
        );
        assert_eq!(
            p("traffic.sidecar.istio.io/excludeOutboundIPRanges", "10.0.0.0/33").as_deref(),
            Some("excludeIPRanges invalid: failed parsing cidr '10.0.0.0/33': netip.ParsePrefix(\"10.0.0.0/33\"): prefix length out of range")
        );
        assert_eq!(p("sidecar.istio.io/interceptionMode", "TPROXY"), None);
        assert!(p("sidecar.istio.io/interceptionMode", "tproxy").is_some());
        assert_eq!(p("prometheus.istio.io/merge-metrics", "False"), None);
        assert!(p("prometheus.istio.io/merge-metrics", "yes").is_some());
        assert_eq!(
            p("traffic.sidecar.istio.io/excludeInterfaces", "eth0, 1bad").as_deref(),
            Some("interface name \"1bad\" contains invalid characters")
        );
        for ok in ["100m", "1Gi", "0.5", "1e3", "+2k", "1."] {
            assert_eq!(p("sidecar.istio.io/proxyCPU", ok), None, "{ok}");
        }
        assert_eq!(
            p("sidecar.istio.io/proxyMemory", "1mm").as_deref(),
            Some("unable to parse quantity's suffix")
        );
        assert!(p("sidecar.istio.io/proxyMemory", "lots")
            .is_some_and(|e| e.starts_with("quantities must match")));
    }
}
