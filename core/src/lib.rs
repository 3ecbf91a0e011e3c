//! Pilot Light's core: Istio and Kubernetes YAML in, the Envoy configuration istiod would push to
//! each proxy out. Pure Rust, no I/O: the CLI, the tests and the WebAssembly page all drive it.
//!
//! Pipeline: [`parse`] → [`mesh`] ([`load`]) → per-proxy translation ([`translate`]: listeners,
//! routes, clusters, endpoints) → [`envoy`] output → [`simulate`] and [`analyze`]; [`playground`]
//! holds what the page adds around it (share links, diffs, the mesh picture, the built-in world).

pub mod analyze;
// The command line (clap) is native only: the page never parses one.
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod diag;
pub mod envoy;
pub mod gatewayapi;
pub mod host;
pub mod istio;
pub mod mesh;
pub mod order;
pub mod parse;
pub mod playground;
pub mod session;
pub mod simulate;
pub mod sorted;
pub mod translate;
pub mod yaml;

pub use diag::{Diagnostic, Severity, Span};
pub use mesh::{load, Loaded, Mesh, Proxy, ProxyKind};
pub use parse::{ObjectRef, SourceFile};
pub use session::Session;

// The paths the page, the CLI and the tests used before translation and the playground features
// had folders of their own.
#[cfg(not(target_arch = "wasm32"))]
pub use cli::bench;
pub use playground::{diff, share, topology, world};
pub use translate::{cluster, endpoint, gateway, listener, names, route};
