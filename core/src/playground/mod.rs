//! What the playground adds around the pipeline: the built-in world and presets, share links,
//! config diffs and the mesh picture the page animates. None of it changes translation.

pub mod diff;
pub mod focus;
pub mod share;
pub mod topology;
pub mod world;
