//! The `zv` binary end to end: one test binary (cargo's `tests/it` layout), a module per
//! area. `render_memory.rs` is its own binary: it measures the peak memory of a process.

mod api;
mod batch;
mod cli;
mod common;
mod doctor;
mod formats;
mod hostile;
mod journal;
mod mcp;
mod mock;
mod profiles;
mod validate;
