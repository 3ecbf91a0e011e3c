//! security.istio.io: PeerAuthentication.

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
}
