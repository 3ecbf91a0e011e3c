//! The resources istiod generates under fixed names in every proxy's config. Translation emits
//! them (through `translate::names`) and istioctl's tables recognise them.

pub const VIRTUAL_OUTBOUND: &str = "virtualOutbound";
pub const VIRTUAL_INBOUND: &str = "virtualInbound";
pub const BLACKHOLE_CLUSTER: &str = "BlackHoleCluster";
pub const PASSTHROUGH_CLUSTER: &str = "PassthroughCluster";
pub const INBOUND_PASSTHROUGH_CLUSTER: &str = "InboundPassthroughCluster";
pub const DYNAMIC_DNS_CLUSTER: &str = "AllowAnyDynamicDNSCluster";
pub const PASSTHROUGH_FILTER_CHAIN: &str = "PassthroughFilterChain";
