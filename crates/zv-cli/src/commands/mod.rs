//! Subcommands kept each in its own module.

pub mod journal;
pub mod mcp;
