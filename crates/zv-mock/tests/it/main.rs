//! The mock's integration tests, one binary (cargo's `tests/it/` layout): each module is one
//! area, over the public API (raw HTTP on 127.0.0.1 port 0, or the [`zv_mock::Verifier`]).

mod checks;
mod common;
mod endpoints;
mod faults;
mod fixtures;
mod generated;
mod hostile;
mod routes;
mod server;
