//! RequestAuthentication into the `envoy.filters.http.jwt_authn` HTTP filter (istiod's authn
//! `policy_applier.go`, `convertToEnvoyJwtConfig`): one provider `origins-<i>` per jwtRules
//! entry, sorted by issuer; a token is optional, but a token that is present must verify.
//!
//! istiod fetches a `jwksUri` itself (PILOT_JWT_ENABLE_REMOTE_JWKS defaults to istiod) and
//! inlines the keys. We have no network: as istiod does when the fetch fails, the provider gets
//! a public key whose private half was discarded, so every token fails verification.

use crate::envoy::Value;
use crate::istio::security::JwtRule;
use crate::sorted::SortedMap;
use crate::value;

pub const FILTER: &str = "envoy.filters.http.jwt_authn";

/// istiod's `PublicOnlyJwks` (pilot/pkg/model/jwks_resolver.go): the key it inlines when a
/// JWKS cannot be fetched. Nobody holds its private key.
pub const PUBLIC_ONLY_JWKS: &str = concat!(
    "{\n  \"keys\": [\n    {\n      \"kty\": \"RSA\",\n      \"e\": \"AQAB\",\n      \"n\": \"",
    "0xObjM0UvS_oaazjpEYlAbwctEJ4L8pH3OuTb7qth7gUwqet-EzQB4dgFdvSdMgrLnSncQGRjpEYz3F3viIbH-3EN3Tx",
    "SlPNviHxeOdyiBVfumN8dMxbLvVJUpfNOnvmMxJcl-8NNjAwcOjk4otSALaYgYYyOPyvKtgVdrQr-FoubWX4yrjxW-MJ2-",
    "7OBeepUUNOsVwGV23YX03sVkkyvY3otRflkBcY3_HKpBxJl9wk2GyOShN4_PNUF9-vwfnvOXMbCDX-w4PTef4geeb_GiT4",
    "0YCKHTKMSPVanGRn5GExIWmki-mmqh94-mPTJyBR74ShspL3BxPZitDL574T1w\"\n    }\n  ]\n}"
);

/// The filter for these rules (already in istiod's order), or None without rules.
/// `clear_route_cache` is set on gateways (the JWT may change the route).
pub fn filter(rules: &[&JwtRule], clear_route_cache: bool) -> Option<Value> {
    if rules.is_empty() {
        return None;
    }
    let mut providers: SortedMap<String, Value> = SortedMap::new();
    let mut inner_and = Vec::new();
    let mut outer_or = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let name = format!("origins-{i}");
        providers.insert(name.clone(), provider(r, clear_route_cache));
        inner_and.push(value!({"requires_any": {"requirements": [
            {"provider_name": &name},
            {"allow_missing": {}},
        ]}}));
        outer_or.push(value!({ "provider_name": &name }));
    }
    let requires = if inner_and.len() == 1 {
        inner_and.pop().unwrap_or(Value::Null)
    } else {
        outer_or.push(value!({"requires_all": {"requirements": inner_and}}));
        value!({"requires_any": {"requirements": outer_or}})
    };
    let providers: Vec<(String, Value)> = providers.into_iter().collect();
    let mut pm = crate::envoy::Map::new();
    for (k, v) in providers {
        pm.insert(k.into(), v);
    }
    Some(value!({
        "name": FILTER,
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            "providers": Value::Object(pm),
            "rules": [{"match": {"prefix": "/"}, "requires": requires}],
            "bypass_cors_preflight": true,
        }
    }))
}

fn provider(r: &JwtRule, clear_route_cache: bool) -> Value {
    let mut p = value!({ "issuer": &r.issuer });
    if !r.audiences.is_empty() {
        p["audiences"] = value!(&r.audiences);
    }
    let keys = if r.jwks.is_empty() {
        PUBLIC_ONLY_JWKS
    } else {
        r.jwks.as_str()
    };
    p["local_jwks"] = value!({ "inline_string": keys });
    if r.forward_original_token {
        p["forward"] = value!(true);
    }
    if !r.from_headers.is_empty() {
        let h: Vec<Value> = r
            .from_headers
            .iter()
            .map(|h| {
                let mut v = value!({ "name": &h.name });
                if !h.prefix.is_empty() {
                    v["value_prefix"] = value!(&h.prefix);
                }
                v
            })
            .collect();
        p["from_headers"] = Value::Array(h);
    }
    if !r.from_params.is_empty() {
        p["from_params"] = value!(&r.from_params);
    }
    if !r.output_payload_to_header.is_empty() {
        p["forward_payload_header"] = value!(&r.output_payload_to_header);
    }
    p["payload_in_metadata"] = value!("payload");
    if !r.from_cookies.is_empty() {
        p["from_cookies"] = value!(&r.from_cookies);
    }
    if !r.output_claim_to_headers.is_empty() {
        let c: Vec<Value> = r
            .output_claim_to_headers
            .iter()
            .map(|c| value!({"header_name": &c.header, "claim_name": &c.claim}))
            .collect();
        p["claim_to_headers"] = Value::Array(c);
    }
    if clear_route_cache {
        p["clear_route_cache"] = value!(true);
    }
    p["normalize_payload_in_metadata"] =
        value!({ "space_delimited_claims": space_delimited(r.space_delimited_claims.as_deref()) });
    p
}

/// `buildSpaceDelimitedClaims`: `permission` and `scope` always, plus the rule's, sorted.
fn space_delimited(extra: Option<&[String]>) -> Vec<String> {
    let mut all: Vec<String> = vec!["permission".into(), "scope".into()];
    for c in extra.unwrap_or(&[]) {
        if !all.contains(c) {
            all.push(c.clone());
        }
    }
    crate::order::sort(&mut all);
    all
}
