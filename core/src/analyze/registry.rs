//! The analyzers this crate implements, under istioctl's names (what `istioctl analyze -L` lists),
//! each with the codes it reports. The rules themselves run together (see [`super::analyze`]);
//! this table says which of istioctl's analyzers they cover, for `--list-analyzers` and for
//! measuring parity against istioctl's own test cases.

use super::codes::*;
use super::Code;

/// One of istioctl's analyzers, as implemented here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analyzer {
    /// istioctl's name, e.g. `virtualservice.GatewayAnalyzer`.
    pub name: &'static str,
    /// istioctl's one-line description (`istioctl analyze -L`).
    pub description: &'static str,
    /// The codes it can report.
    pub codes: &'static [Code],
}

const fn a(name: &'static str, description: &'static str, codes: &'static [Code]) -> Analyzer {
    Analyzer {
        name,
        description,
        codes,
    }
}

/// Schema validation runs once per kind, as `schema.ValidationAnalyzer.<Kind>`.
const SCHEMA: &[Code] = &[
    SCHEMA_VALIDATION_ERROR,
    SCHEMA_WARNING,
    VIRTUAL_SERVICE_UNREACHABLE_RULE,
    VIRTUAL_SERVICE_INEFFECTIVE_MATCH,
];

/// Every analyzer implemented here, sorted by name.
pub const ANALYZERS: &[Analyzer] = &[
    a(
        "annotations.K8sAnalyzer",
        "Checks for misplaced and invalid Istio annotations in Kubernetes resources",
        &[
            MISPLACED_ANNOTATION,
            UNKNOWN_ANNOTATION,
            INVALID_ANNOTATION,
            DEPRECATED_ANNOTATION,
        ],
    ),
    a(
        "applicationUID.Analyzer",
        "Checks invalid application UID",
        &[INVALID_APPLICATION_UID],
    ),
    a(
        "auth.AuthorizationPoliciesAnalyzer",
        "Checks the validity of authorization policies",
        &[REFERENCED_RESOURCE_NOT_FOUND, NO_MATCHING_WORKLOADS_FOUND],
    ),
    a(
        "authn.BlockedCIDRsAnalyzer",
        "Checks that BLOCKED_CIDRS_IN_JWKS_URIS is configured on istiod when RequestAuthentication resources exist",
        &[JWKS_URI_FETCH_UNRESTRICTED],
    ),
    a(
        "conditions.ConditionAnalyzer",
        "Checks for negative status conditions on resources",
        &[NEGATIVE_CONDITION_STATUS],
    ),
    a(
        "deployment.MultiServiceAnalyzer",
        "Checks association between services and pods",
        &[
            DEPLOYMENT_ASSOCIATED_TO_MULTIPLE_SERVICES,
            DEPLOYMENT_CONFLICTING_PORTS,
        ],
    ),
    a(
        "deprecation.DeprecationAnalyzer",
        "Checks for deprecated Istio types and fields",
        &[DEPRECATED],
    ),
    a(
        "destinationrule.CaCertificateAnalyzer",
        "Checks if caCertificates is set when TLS mode is SIMPLE/MUTUAL",
        &[
            NO_SERVER_CERTIFICATE_VERIFICATION_DESTINATION_LEVEL,
            NO_SERVER_CERTIFICATE_VERIFICATION_PORT_LEVEL,
        ],
    ),
    a(
        "destinationrule.SubsetSelectPodAnalyzer",
        "Checks if pods are selected by subsets in destination rules.",
        &[
            DESTINATION_RULE_SUBSET_NOT_SELECT_PODS,
            UNKNOWN_DESTINATION_RULE_HOST,
        ],
    ),
    a(
        "envoyfilter.EnvoyPatchAnalyzer",
        "Checks an envoyFilters ",
        &[
            ENVOY_FILTER_USES_RELATIVE_OPERATION,
            ENVOY_FILTER_USES_REPLACE_OPERATION_INCORRECTLY,
            ENVOY_FILTER_USES_ADD_OPERATION_INCORRECTLY,
            ENVOY_FILTER_USES_REMOVE_OPERATION_INCORRECTLY,
            ENVOY_FILTER_USES_RELATIVE_OPERATION_WITH_PROXY_VERSION,
        ],
    ),
    a(
        "externalcontrolplane.ExternalControlPlaneAnalyzer",
        "Checks that the remote IstioOperator resources reference an external control plane",
        &[
            INVALID_EXTERNAL_CONTROL_PLANE_CONFIG,
            EXTERNAL_CONTROL_PLANE_ADDRESS_IS_NOT_A_HOSTNAME,
        ],
    ),
    a(
        "gateway.CertificateAnalyzer",
        "Checks a gateway certificate",
        &[GATEWAY_DUPLICATE_CERTIFICATE],
    ),
    a(
        "gateway.ConflictingGatewayAnalyzer",
        "Checks a gateway's selector, port number and hosts",
        &[REFERENCED_RESOURCE_NOT_FOUND, CONFLICTING_GATEWAYS],
    ),
    a(
        "gateway.IngressGatewayPortAnalyzer",
        "Checks a gateway's ports against the gateway's Kubernetes service ports",
        &[
            REFERENCED_RESOURCE_NOT_FOUND,
            GATEWAY_PORT_NOT_DEFINED_ON_SERVICE,
        ],
    ),
    a(
        "gateway.SecretAnalyzer",
        "Checks a gateway's referenced secrets for correctness",
        &[REFERENCED_RESOURCE_NOT_FOUND, INVALID_GATEWAY_CREDENTIAL],
    ),
    a(
        "injection.Analyzer",
        "Checks conditions related to Istio sidecar injection",
        &[
            NAMESPACE_NOT_INJECTED,
            POD_MISSING_PROXY,
            NAMESPACE_MULTIPLE_INJECTION_LABELS,
            NAMESPACE_INJECTION_ENABLED_BY_DEFAULT,
        ],
    ),
    a(
        "injection.ImageAnalyzer",
        "Checks the image of auto-injection configured with the running proxies on pods",
        &[PODS_ISTIO_PROXY_IMAGE_MISMATCH_IN_NAMESPACE],
    ),
    a(
        "injection.ImageAutoAnalyzer",
        "Makes sure that Pods and Deployments with `image: auto` are going to be injected",
        &[
            IMAGE_AUTO_WITHOUT_INJECTION_WARNING,
            IMAGE_AUTO_WITHOUT_INJECTION_ERROR,
        ],
    ),
    a(
        "k8sgateway.CRDVersionAnalyzer",
        "Checks Gateway API CRDs are at the minimum version required by this Istio version",
        &[GATEWAY_API_CRD_VERSION_BELOW_MINIMUM],
    ),
    a(
        "k8sgateway.SelectorAnalyzer",
        "Check that selectors are effective for Kubernetes gateway",
        &[INEFFECTIVE_SELECTOR],
    ),
    // Ours, not istioctl's: a patch that changes no proxy, with the reason.
    a(
        "pilotlight.EnvoyFilterPatchAnalyzer",
        "Checks that every EnvoyFilter patch changes some proxy, and says why not",
        &[ENVOY_FILTER_PATCH_NOT_APPLIED],
    ),
    a(
        "schema.ValidationAnalyzer.AuthorizationPolicy",
        "Runs schema validation as an analyzer on 'AuthorizationPolicy' resources",
        SCHEMA,
    ),
    a(
        "schema.ValidationAnalyzer.DestinationRule",
        "Runs schema validation as an analyzer on 'DestinationRule' resources",
        SCHEMA,
    ),
    a(
        "schema.ValidationAnalyzer.Gateway",
        "Runs schema validation as an analyzer on 'Gateway' resources",
        SCHEMA,
    ),
    a(
        "schema.ValidationAnalyzer.PeerAuthentication",
        "Runs schema validation as an analyzer on 'PeerAuthentication' resources",
        SCHEMA,
    ),
    a(
        "schema.ValidationAnalyzer.RequestAuthentication",
        "Runs schema validation as an analyzer on 'RequestAuthentication' resources",
        SCHEMA,
    ),
    a(
        "schema.ValidationAnalyzer.ServiceEntry",
        "Runs schema validation as an analyzer on 'ServiceEntry' resources",
        SCHEMA,
    ),
    a(
        "schema.ValidationAnalyzer.Sidecar",
        "Runs schema validation as an analyzer on 'Sidecar' resources",
        SCHEMA,
    ),
    a(
        "schema.ValidationAnalyzer.VirtualService",
        "Runs schema validation as an analyzer on 'VirtualService' resources",
        SCHEMA,
    ),
    a(
        "service.PortNameAnalyzer",
        "Checks the port names associated with each service",
        &[
            PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION,
            EXTERNAL_NAME_SERVICE_TYPE_INVALID_PORT_NAME,
        ],
    ),
    a(
        "serviceentry.Analyzer",
        "Checks the validity of ServiceEntry",
        &[SERVICE_ENTRY_ADDRESSES_REQUIRED],
    ),
    a(
        "serviceentry.ConflictingServiceEntryProtocolAnalyzer",
        "Checks if multiple ServiceEntries define the same host and port with different protocols",
        &[CONFLICTING_SERVICE_ENTRY_PROTOCOL],
    ),
    a(
        "sidecar.SelectorAnalyzer",
        "Validates that sidecars that define a workload selector match a pod, and that a workload \
         selector is not shared with another sidecar",
        &[
            REFERENCED_RESOURCE_NOT_FOUND,
            CONFLICTING_SIDECAR_WORKLOAD_SELECTORS,
            MULTIPLE_SIDECARS_WITHOUT_WORKLOAD_SELECTORS,
            INEFFECTIVE_POLICY,
        ],
    ),
    a(
        "telemetry.DefaultSelectorAnalyzer",
        "Validates that there aren't multiple telemetry resources that have no selector",
        &[MULTIPLE_TELEMETRIES_WITHOUT_WORKLOAD_SELECTORS],
    ),
    a(
        "telemetry.LightstepAnalyzer",
        "Validates that lightstep provider is still used",
        &[DEPRECATED],
    ),
    a(
        "telemetry.ProviderAnalyzer",
        "Validates that providers in telemetry resource is valid",
        &[INVALID_TELEMETRY_PROVIDER],
    ),
    a(
        "telemetry.SelectorAnalyzer",
        "Validates that telemetries that define a selector match at least one pod, and that there \
         aren't multiple telemetry resources that select overlapping pods",
        &[
            REFERENCED_RESOURCE_NOT_FOUND,
            CONFLICTING_TELEMETRY_WORKLOAD_SELECTORS,
        ],
    ),
    a(
        "virtualservice.ConflictingMeshGatewayHostsAnalyzer",
        "Checks if multiple virtual services associated with the mesh gateway have conflicting hosts",
        &[CONFLICTING_MESH_GATEWAY_VIRTUAL_SERVICE_HOSTS],
    ),
    a(
        "virtualservice.DestinationHostAnalyzer",
        "Checks the destination hosts associated with each virtual service",
        &[
            REFERENCED_RESOURCE_NOT_FOUND,
            VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED,
            INGRESS_ROUTE_RULES_NOT_AFFECTED,
        ],
    ),
    a(
        "virtualservice.DestinationRuleAnalyzer",
        "Checks the destination rules associated with each virtual service",
        &[REFERENCED_RESOURCE_NOT_FOUND],
    ),
    a(
        "virtualservice.GatewayAnalyzer",
        "Checks the gateways associated with each virtual service",
        &[
            REFERENCED_RESOURCE_NOT_FOUND,
            VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY,
            REFERENCED_INTERNAL_GATEWAY,
        ],
    ),
    a(
        "virtualservice.JWTClaimRouteAnalyzer",
        "Checks the VirtualService using JWT claim based routing has corresponding RequestAuthentication",
        &[JWT_CLAIM_BASED_ROUTING_WITHOUT_REQUEST_AUTHN],
    ),
    a(
        "webhook.Analyzer",
        "Checks the validity of Istio webhooks",
        &[INVALID_WEBHOOK],
    ),
];

/// The analyzer of this name, if implemented here.
pub fn find(name: &str) -> Option<&'static Analyzer> {
    ANALYZERS.iter().find(|a| a.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_unique() {
        for w in ANALYZERS.windows(2) {
            assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
        }
    }

    #[test]
    fn every_code_belongs_to_an_analyzer() {
        for code in super::super::codes::ALL {
            assert!(
                ANALYZERS.iter().any(|a| a.codes.contains(code)),
                "{} is reported by no analyzer in the registry",
                code.code
            );
        }
        for a in ANALYZERS {
            assert_eq!(find(a.name), Some(a));
        }
        assert_eq!(find("virtualservice.NoSuchAnalyzer"), None);
    }
}
