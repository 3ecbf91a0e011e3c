//! Pilot Light's core: Istio and Kubernetes YAML in, the Envoy configuration istiod would push to
//! each proxy out. Pure Rust, no I/O: the CLI, the tests and the WebAssembly page all drive it.
//!
//! Pipeline: [`parse`] → [`mesh`] ([`load`]) → per-proxy translation ([`translate`]: [`listener`],
//! [`route`], [`cluster`], [`endpoint`]) → [`envoy`] output.

pub mod analyze;
pub mod bench;
pub mod cli;
pub mod cluster;
pub mod diag;
pub mod diff;
pub mod endpoint;
pub mod envoy;
pub mod gateway;
pub mod gatewayapi;
pub mod host;
pub mod istio;
pub mod listener;
pub mod mesh;
pub mod names;
pub mod order;
pub mod parse;
pub mod route;
pub mod share;
pub mod simulate;
pub mod sorted;
pub mod topology;
pub mod translate;
pub mod world;
pub mod yaml;

pub use diag::{Diagnostic, Severity, Span};
pub use mesh::{load, Loaded, Mesh, Proxy, ProxyKind};
pub use parse::{ObjectRef, SourceFile};
