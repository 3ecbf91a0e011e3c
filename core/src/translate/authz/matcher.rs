//! Envoy matchers the way istiod's authz `matcher` package writes them: string matchers with
//! `*` as prefix/suffix wildcard, header and host matchers, metadata matchers on the JWT payload.

use crate::envoy::Value;
use crate::value;

/// Go's `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn regex(r: &str) -> Value {
    value!({"safe_regex": {"regex": r}})
}

pub fn exact(v: &str, ignore_case: bool) -> Value {
    with_case(value!({ "exact": v }), ignore_case)
}

pub fn prefix(v: &str, ignore_case: bool) -> Value {
    with_case(value!({ "prefix": v }), ignore_case)
}

pub fn suffix(v: &str, ignore_case: bool) -> Value {
    with_case(value!({ "suffix": v }), ignore_case)
}

fn with_case(mut m: Value, ignore_case: bool) -> Value {
    if ignore_case {
        m["ignore_case"] = value!(true);
    }
    m
}

/// `StringMatcherWithPrefix`: `*` is "anything non-empty", `*x` a suffix, `x*` a prefix.
pub fn string_with_prefix(v: &str, pre: &str) -> Value {
    if v == "*" {
        regex(".+")
    } else if let Some(rest) = v.strip_prefix('*') {
        if pre.is_empty() {
            suffix(rest, false)
        } else {
            regex(&format!("{pre}.*{}", quote_meta(rest)))
        }
    } else if let Some(rest) = v.strip_suffix('*') {
        prefix(&format!("{pre}{rest}"), false)
    } else {
        exact(&format!("{pre}{v}"), false)
    }
}

pub fn string(v: &str) -> Value {
    string_with_prefix(v, "")
}

/// `HeaderMatcher` (`HostMatcher` when `ignore_case`): `*` is a presence match.
pub fn header(name: &str, v: &str, ignore_case: bool) -> Value {
    if v == "*" {
        return value!({"name": name, "present_match": true});
    }
    let m = if let Some(rest) = v.strip_prefix('*') {
        suffix(rest, ignore_case)
    } else if let Some(rest) = v.strip_suffix('*') {
        prefix(rest, ignore_case)
    } else {
        exact(v, ignore_case)
    };
    value!({"name": name, "string_match": m})
}

/// A value matcher: one string matcher, or an OR of several.
pub fn or_values(matchers: Vec<Value>) -> Value {
    if matchers.len() == 1 {
        return matchers.into_iter().next().unwrap_or(Value::Null);
    }
    value!({"or_match": {"value_matchers": matchers}})
}

pub fn string_or(values: &[String]) -> Value {
    or_values(
        values
            .iter()
            .map(|v| value!({ "string_match": string(v) }))
            .collect(),
    )
}

fn path(keys: &[&str]) -> Vec<Value> {
    keys.iter().map(|k| value!({ "key": *k })).collect()
}

/// `MetadataValueMatcher(filter, key, m)`.
pub fn metadata_value(filter: &str, key: &str, m: Value) -> Value {
    value!({"filter": filter, "path": path(&[key]), "value": m})
}

/// `MetadataListValueMatcher` with the extended JWT form istiod uses: the claim matches when it
/// is a list containing a match, or is itself a match.
pub fn metadata_list(filter: &str, keys: &[&str], m: Value) -> Value {
    value!({
        "filter": filter,
        "path": path(keys),
        "value": {"or_match": {"value_matchers": [
            {"list_match": {"one_of": m.clone()}},
            m,
        ]}},
    })
}

pub const JWT_FILTER: &str = "envoy.filters.http.jwt_authn";
pub const JWT_PAYLOAD: &str = "payload";

/// A matcher on one claim of the verified JWT payload (`MetadataStringMatcherForJWTClaim`).
pub fn jwt_claim_string(claim: &str, m: Value) -> Value {
    value!({
        "filter": JWT_FILTER,
        "path": path(&[JWT_PAYLOAD, claim]),
        "value": {"string_match": m},
    })
}

/// A matcher on a (possibly nested) claim that may be a list (`MetadataListValueMatcherForJWTClaims`).
pub fn jwt_claims_list(claims: &[String], m: Value) -> Value {
    let mut keys: Vec<&str> = vec![JWT_PAYLOAD];
    keys.extend(claims.iter().map(String::as_str));
    metadata_list(JWT_FILTER, &keys, m)
}

/// `AddrStrToCidrRange`: an IP or CIDR as `{address_prefix, prefix_len}`.
pub fn cidr_range(v: &str) -> Result<Value, String> {
    let (ip, len) = match v.split_once('/') {
        Some((ip, len)) => (
            ip,
            len.parse::<u32>()
                .map_err(|_| format!("invalid cidr range {v}"))?,
        ),
        None => (v, if v.contains(':') { 128 } else { 32 }),
    };
    let addr: std::net::IpAddr = ip.parse().map_err(|_| format!("invalid IP address {ip}"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if len > max {
        return Err(format!("invalid cidr range {v}"));
    }
    Ok(value!({"address_prefix": ip, "prefix_len": len}))
}
