//! security.istio.io: PeerAuthentication, AuthorizationPolicy, RequestAuthentication.

use super::LabelSelector;
use crate::sorted::SortedMap;
use crate::yaml::decode::decode_structs;

decode_structs! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PeerAuthentication: strict {
        pub selector: Option<LabelSelector>,
        pub mtls: Option<Mtls>,
        pub port_level_mtls: SortedMap<String, Mtls>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Mtls: strict {
        pub mode: Option<String>,
    }

    /// `istio.type.v1beta1.PolicyTargetReference`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TargetRef: strict {
        pub group: String,
        pub kind: String,
        pub name: String,
        pub namespace: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct AuthorizationPolicy: strict {
        pub selector: Option<LabelSelector>,
        pub target_ref: Option<TargetRef>,
        pub target_refs: Vec<TargetRef>,
        pub rules: Vec<Rule>,
        pub action: Option<String>,
        pub provider: Option<ExtensionProviderRef>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ExtensionProviderRef: strict {
        pub name: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Rule: strict {
        pub from: Vec<RuleFrom>,
        pub to: Vec<RuleTo>,
        pub when: Vec<Condition>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RuleFrom: strict {
        pub source: Option<Source>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RuleTo: strict {
        pub operation: Option<Operation>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Source: strict {
        pub principals: Vec<String>,
        pub not_principals: Vec<String>,
        pub request_principals: Vec<String>,
        pub not_request_principals: Vec<String>,
        pub namespaces: Vec<String>,
        pub not_namespaces: Vec<String>,
        pub service_accounts: Vec<String>,
        pub not_service_accounts: Vec<String>,
        pub trust_domains: Vec<String>,
        pub not_trust_domains: Vec<String>,
        pub ip_blocks: Vec<String>,
        pub not_ip_blocks: Vec<String>,
        pub remote_ip_blocks: Vec<String>,
        pub not_remote_ip_blocks: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Operation: strict {
        pub hosts: Vec<String>,
        pub not_hosts: Vec<String>,
        pub ports: Vec<String>,
        pub not_ports: Vec<String>,
        pub methods: Vec<String>,
        pub not_methods: Vec<String>,
        pub paths: Vec<String>,
        pub not_paths: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Condition: strict {
        pub key: String,
        pub values: Vec<String>,
        pub not_values: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RequestAuthentication: strict {
        pub selector: Option<LabelSelector>,
        pub target_ref: Option<TargetRef>,
        pub target_refs: Vec<TargetRef>,
        pub jwt_rules: Vec<JwtRule>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct JwtRule: strict {
        pub issuer: String,
        pub audiences: Vec<String>,
        pub jwks_uri: String,
        pub jwks: String,
        pub from_headers: Vec<JwtHeader>,
        pub from_params: Vec<String>,
        pub from_cookies: Vec<String>,
        pub output_payload_to_header: String,
        pub forward_original_token: bool,
        pub output_claim_to_headers: Vec<ClaimToHeader>,
        pub timeout: Option<String>,
        pub space_delimited_claims: Option<Vec<String>>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct JwtHeader: strict {
        pub name: String,
        pub prefix: String,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ClaimToHeader: strict {
        pub header: String,
        pub claim: String,
    }
}

/// A policy's targetRefs, with the legacy single `targetRef` when the list is empty (istiod's
/// `GetTargetRefs`).
pub fn target_refs<'a>(one: &'a Option<TargetRef>, many: &'a [TargetRef]) -> Vec<&'a TargetRef> {
    if many.is_empty() {
        one.iter().collect()
    } else {
        many.iter().collect()
    }
}
