//! Command-line subcommands. Each takes its arguments (after the subcommand name) and returns
//! what to print on stdout, or an error message.

pub mod simulate;
pub mod trace;
