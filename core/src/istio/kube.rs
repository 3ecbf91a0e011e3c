//! Kubernetes kinds: Service, Pod, Deployment, Namespace, ConfigMap, EndpointSlice. Only the fields
//! the mesh reads are typed; everything else in these (large) objects is accepted and ignored.

use super::ObjectMeta;
use crate::sorted::SortedMap;
use crate::yaml::decode::{decode_structs, Decode, Error};
use crate::yaml::DeError;
use crate::yaml::{Node, Scalar};

decode_structs! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ServiceSpec {
        pub selector: Option<SortedMap<String, String>>,
        pub ports: Vec<ServicePort>,
        pub cluster_ip: Option<String> ["clusterIP"],
        pub cluster_ips: Vec<String> ["clusterIPs"],
        pub service_type: Option<String> ["type"],
        pub external_name: Option<String>,
        pub external_ips: Vec<String> ["externalIPs"],
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ServicePort {
        pub name: String,
        pub port: u32 [required],
        pub target_port: Option<IntOrString>,
        pub protocol: Option<String>,
        pub app_protocol: Option<String>,
        pub node_port: Option<u32>,
    }
}

/// A port as a number or a name (`targetPort: 9080`, `targetPort: http`).
#[derive(Debug, Clone, PartialEq)]
pub enum IntOrString {
    Int(u32),
    Str(String),
}

/// Only there to decode in place (see [`Decode`]): every decoded value replaces it.
impl Default for IntOrString {
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

impl Decode for IntOrString {
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
        *out = match node.scalar() {
            Some(Scalar::Int(i)) if u32::try_from(i).is_ok() => IntOrString::Int(i as u32),
            Some(Scalar::Str(s)) => IntOrString::Str(s.to_string()),
            // The message of serde's `#[serde(untagged)]`, which this type used to derive.
            _ => {
                return Err(Box::new(DeError {
                    message: "data did not match any variant of untagged enum IntOrString".into(),
                    span: Some(node.span),
                }))
            }
        };
        Ok(())
    }
}

impl crate::yaml::encode::Encode for IntOrString {
    fn encode(&self) -> Option<serde_json::Value> {
        Some(self.encode_present())
    }
    fn encode_present(&self) -> serde_json::Value {
        match self {
            IntOrString::Int(i) => serde_json::Value::from(*i),
            IntOrString::Str(s) => serde_json::Value::from(s.as_str()),
        }
    }
}

decode_structs! {
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PodSpec {
        pub containers: Vec<Container>,
        pub service_account_name: Option<String>,
        pub node_name: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Container {
        pub name: String,
        pub image: Option<String>,
        pub ports: Vec<ContainerPort>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ContainerPort {
        pub container_port: u32 [required],
        pub name: Option<String>,
        pub protocol: Option<String>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PodStatus {
        pub pod_ip: Option<String> ["podIP"],
        pub pod_ips: Vec<PodIp> ["podIPs"],
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PodIp {
        pub ip: String [required],
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct DeploymentSpec {
        pub replicas: Option<u32>,
        pub selector: Option<super::LabelSelector>,
        pub template: PodTemplate [required],
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PodTemplate {
        pub metadata: ObjectMeta,
        pub spec: PodSpec,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct EndpointSlice {
        pub address_type: Option<String>,
        pub endpoints: Vec<SliceEndpoint>,
        pub ports: Vec<SlicePort>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SliceEndpoint {
        pub addresses: Vec<String>,
        pub conditions: Option<serde_json::Value>,
        pub target_ref: Option<serde_json::Value>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SlicePort {
        pub name: Option<String>,
        pub port: Option<u32>,
        pub protocol: Option<String>,
    }
}
