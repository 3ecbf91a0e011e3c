pub mod envoy;
pub mod simulate;
