//! networking.istio.io: Gateway, VirtualService, DestinationRule, ServiceEntry, Sidecar, WorkloadEntry.

use super::{LabelSelector, PortSelector, StringMatch};
use crate::sorted::SortedMap;
use crate::yaml::decode::decode_structs;
use serde_json::Value as Json;

// ---------------------------------------------------------------- Gateway

decode_structs! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Gateway: strict {
        pub selector: SortedMap<String, String>,
        pub servers: Vec<Server>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Server: strict {
        pub port: ServerPort [required],
        pub hosts: Vec<String>,
        pub tls: Option<ServerTls>,
        pub bind: Option<String>,
        pub default_endpoint: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ServerPort: strict {
        pub number: u32 [required],
        pub protocol: String,
        pub name: String,
        pub target_port: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ServerTls: strict {
        pub https_redirect: bool,
        pub mode: Option<String>,
        pub server_certificate: Option<String>,
        pub private_key: Option<String>,
        pub ca_certificates: Option<String>,
        pub ca_crl: Option<String>,
        pub credential_name: Option<String>,
        pub credential_names: Vec<String>,
        /// The CA bundle that verifies client certificates, apart from `credentialName`'s.
        pub ca_cert_credential_name: Option<String>,
        pub insecure_skip_verify: Option<bool>,
        pub subject_alt_names: Vec<String>,
        pub verify_certificate_spki: Vec<String>,
        pub verify_certificate_hash: Vec<String>,
        pub min_protocol_version: Option<String>,
        pub max_protocol_version: Option<String>,
        pub cipher_suites: Vec<String>,
        pub tls_certificates: Option<Json>,
    }

// ---------------------------------------------------------------- VirtualService

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct VirtualService: strict {
        pub hosts: Vec<String>,
        pub gateways: Vec<String>,
        pub http: Vec<HttpRoute>,
        pub tcp: Vec<TcpRoute>,
        pub tls: Vec<TlsRoute>,
        pub export_to: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRoute: strict {
        pub name: Option<String>,
        pub matches: Vec<HttpMatch> ["match"],
        pub route: Vec<HttpRouteDestination>,
        pub redirect: Option<HttpRedirect>,
        pub direct_response: Option<HttpDirectResponse>,
        pub delegate: Option<Delegate>,
        pub rewrite: Option<HttpRewrite>,
        pub timeout: Option<String>,
        pub retries: Option<HttpRetry>,
        pub fault: Option<HttpFault>,
        pub mirror: Option<Destination>,
        pub mirror_percentage: Option<Percent>,
        pub mirror_percent: Option<u32>,
        pub mirrors: Vec<HttpMirror>,
        pub cors_policy: Option<CorsPolicy>,
        pub headers: Option<Headers>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpMatch: strict {
        pub name: Option<String>,
        pub uri: Option<StringMatch>,
        pub scheme: Option<StringMatch>,
        pub method: Option<StringMatch>,
        pub authority: Option<StringMatch>,
        pub headers: SortedMap<String, StringMatch>,
        pub without_headers: SortedMap<String, StringMatch>,
        pub query_params: SortedMap<String, StringMatch>,
        pub port: Option<u32>,
        pub source_labels: SortedMap<String, String>,
        pub gateways: Vec<String>,
        pub ignore_uri_case: bool,
        pub source_namespace: Option<String>,
        pub stat_prefix: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Destination: strict {
        pub host: String [required],
        pub subset: Option<String>,
        pub port: Option<PortSelector>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRouteDestination: strict {
        pub destination: Destination [required],
        pub weight: Option<u32>,
        pub headers: Option<Headers>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Headers: strict {
        pub request: Option<HeaderOperations>,
        pub response: Option<HeaderOperations>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HeaderOperations: strict {
        pub set: SortedMap<String, String>,
        pub add: SortedMap<String, String>,
        pub remove: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRedirect: strict {
        pub uri: Option<String>,
        pub authority: Option<String>,
        pub port: Option<u32>,
        pub derive_port: Option<String>,
        pub scheme: Option<String>,
        pub redirect_code: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpDirectResponse: strict {
        pub status: u32 [required],
        pub body: Option<HttpBody>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpBody: strict {
        pub string: Option<String>,
        pub bytes: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Delegate: strict {
        pub name: String [required],
        pub namespace: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRewrite: strict {
        pub uri: Option<String>,
        pub authority: Option<String>,
        pub uri_regex_rewrite: Option<RegexRewrite>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RegexRewrite: strict {
        pub pattern: String [required "match"],
        pub rewrite: String [required],
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpRetry: strict {
        pub attempts: u32,
        pub per_try_timeout: Option<String>,
        pub retry_on: Option<String>,
        pub retry_remote_localities: Option<bool>,
        pub retry_ignore_previous_hosts: Option<bool>,
        pub backoff: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpFault: strict {
        pub delay: Option<FaultDelay>,
        pub abort: Option<FaultAbort>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct FaultDelay: strict {
        pub fixed_delay: Option<String>,
        pub exponential_delay: Option<String>,
        pub percentage: Option<Percent>,
        pub percent: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct FaultAbort: strict {
        pub http_status: Option<u32>,
        pub grpc_status: Option<String>,
        pub http2_error: Option<String>,
        pub percentage: Option<Percent>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Percent: strict {
        pub value: f64,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpMirror: strict {
        pub destination: Destination [required],
        pub percentage: Option<Percent>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct CorsPolicy: strict {
        pub allow_origins: Vec<StringMatch>,
        pub allow_origin: Vec<String>,
        pub allow_methods: Vec<String>,
        pub allow_headers: Vec<String>,
        pub expose_headers: Vec<String>,
        pub max_age: Option<String>,
        pub allow_credentials: Option<bool>,
        pub unmatched_preflights: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TcpRoute: strict {
        pub matches: Vec<L4Match> ["match"],
        pub route: Vec<RouteDestination>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TlsRoute: strict {
        pub matches: Vec<TlsMatch> ["match"],
        pub route: Vec<RouteDestination>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RouteDestination: strict {
        pub destination: Destination [required],
        pub weight: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct L4Match: strict {
        pub destination_subnets: Vec<String>,
        pub port: Option<u32>,
        pub source_labels: SortedMap<String, String>,
        pub gateways: Vec<String>,
        pub source_namespace: Option<String>,
        pub source_subnet: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TlsMatch: strict {
        pub sni_hosts: Vec<String>,
        pub destination_subnets: Vec<String>,
        pub port: Option<u32>,
        pub source_labels: SortedMap<String, String>,
        pub gateways: Vec<String>,
        pub source_namespace: Option<String>,
    }

    // ---------------------------------------------------------------- DestinationRule

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DestinationRule: strict {
        pub host: String,
        pub traffic_policy: Option<TrafficPolicy>,
        pub subsets: Vec<Subset>,
        pub export_to: Vec<String>,
        pub workload_selector: Option<LabelSelector>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Subset: strict {
        pub name: String [required],
        pub labels: SortedMap<String, String>,
        pub traffic_policy: Option<TrafficPolicy>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TrafficPolicy: strict {
        pub load_balancer: Option<LoadBalancer>,
        pub connection_pool: Option<ConnectionPool>,
        pub outlier_detection: Option<OutlierDetection>,
        pub tls: Option<ClientTls>,
        pub port_level_settings: Vec<PortTrafficPolicy>,
        pub tunnel: Option<Json>,
        pub proxy_protocol: Option<Json>,
        pub retry_budget: Option<Json>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PortTrafficPolicy: strict {
        pub port: Option<PortSelector>,
        pub load_balancer: Option<LoadBalancer>,
        pub connection_pool: Option<ConnectionPool>,
        pub outlier_detection: Option<OutlierDetection>,
        pub tls: Option<ClientTls>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct LoadBalancer: strict {
        pub simple: Option<String>,
        pub consistent_hash: Option<ConsistentHash>,
        pub locality_lb_setting: Option<Json>,
        pub warmup_duration_secs: Option<String>,
        pub warmup: Option<Json>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ConsistentHash: strict {
        pub http_header_name: Option<String>,
        pub http_cookie: Option<HttpCookie>,
        pub use_source_ip: Option<bool>,
        pub http_query_parameter_name: Option<String>,
        pub ring_hash: Option<RingHash>,
        pub maglev: Option<Maglev>,
        pub minimum_ring_size: Option<u64>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpCookie: strict {
        pub name: String [required],
        pub path: Option<String>,
        pub ttl: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RingHash: strict {
        pub minimum_ring_size: Option<u64>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Maglev: strict {
        pub table_size: Option<u64>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ConnectionPool: strict {
        pub tcp: Option<TcpSettings>,
        pub http: Option<HttpSettings>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TcpSettings: strict {
        pub max_connections: Option<u32>,
        pub connect_timeout: Option<String>,
        pub tcp_keepalive: Option<Json>,
        pub max_connection_duration: Option<String>,
        pub idle_timeout: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct HttpSettings: strict {
        pub http1_max_pending_requests: Option<u32>,
        pub http2_max_requests: Option<u32>,
        pub max_requests_per_connection: Option<u32>,
        pub max_retries: Option<u32>,
        pub idle_timeout: Option<String>,
        pub h2_upgrade_policy: Option<String>,
        pub use_client_protocol: Option<bool>,
        pub max_concurrent_streams: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct OutlierDetection: strict {
        pub consecutive_errors: Option<u32>,
        pub consecutive_5xx_errors: Option<u32>,
        pub consecutive_gateway_errors: Option<u32>,
        pub consecutive_local_origin_failures: Option<u32>,
        pub split_external_local_origin_errors: Option<bool>,
        pub interval: Option<String>,
        pub base_ejection_time: Option<String>,
        pub max_ejection_percent: Option<u32>,
        pub min_health_percent: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ClientTls: strict {
        pub mode: Option<String>,
        pub client_certificate: Option<String>,
        pub private_key: Option<String>,
        pub ca_certificates: Option<String>,
        pub credential_name: Option<String>,
        pub subject_alt_names: Vec<String>,
        pub sni: Option<String>,
        pub insecure_skip_verify: Option<bool>,
        pub ca_crl: Option<String>,
    }

    // ---------------------------------------------------------------- ServiceEntry, WorkloadEntry

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ServiceEntry: strict {
        pub hosts: Vec<String>,
        pub addresses: Vec<String>,
        pub ports: Vec<ServicePort>,
        pub location: Option<String>,
        pub resolution: Option<String>,
        pub endpoints: Vec<WorkloadEntry>,
        pub workload_selector: Option<LabelSelector>,
        pub export_to: Vec<String>,
        pub subject_alt_names: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ServicePort: strict {
        pub number: u32 [required],
        pub protocol: String,
        pub name: String,
        pub target_port: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct WorkloadEntry: strict {
        pub address: String,
        pub ports: SortedMap<String, u32>,
        pub labels: SortedMap<String, String>,
        pub network: Option<String>,
        pub locality: Option<String>,
        pub weight: Option<u32>,
        pub service_account: Option<String>,
    }

    // ---------------------------------------------------------------- Sidecar

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Sidecar: strict {
        pub workload_selector: Option<LabelSelector>,
        pub ingress: Vec<IstioIngressListener>,
        pub egress: Vec<IstioEgressListener>,
        pub outbound_traffic_policy: Option<OutboundTrafficPolicy>,
        pub inbound_connection_pool: Option<ConnectionPool>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IstioIngressListener: strict {
        pub port: ServicePort [required],
        pub bind: Option<String>,
        pub capture_mode: Option<String>,
        pub default_endpoint: Option<String>,
        pub tls: Option<ServerTls>,
        pub connection_pool: Option<ConnectionPool>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct IstioEgressListener: strict {
        pub port: Option<ServicePort>,
        pub bind: Option<String>,
        pub capture_mode: Option<String>,
        pub hosts: Vec<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct OutboundTrafficPolicy: strict {
        pub mode: Option<String>,
        pub egress_proxy: Option<Destination>,
    }
}

impl ServerTls {
    /// The TLS mode; left out it is PASSTHROUGH, the proto's zero value.
    pub fn mode(&self) -> &str {
        self.mode.as_deref().unwrap_or("PASSTHROUGH")
    }
}

impl Server {
    /// A server with TLS settings in PASSTHROUGH or AUTO_PASSTHROUGH mode forwards TLS untouched.
    pub fn is_tls_passthrough(&self) -> bool {
        self.tls
            .as_ref()
            .is_some_and(|t| matches!(t.mode(), "PASSTHROUGH" | "AUTO_PASSTHROUGH"))
    }
}
