//! The cross-crate integration suite, one binary (cargo's `tests/it/` layout): each module
//! is one area, over real sockets against zv-mock. `memory.rs` is a binary of its own: it
//! measures the process's RSS, which other tests in the same process would disturb.

mod endpoints;
mod errors;
mod load;
mod mock_checks;
mod mock_faults;
mod mock_record;
mod mock_routes;
mod mock_server;
mod mock_stubs;
mod mock_throttle;
mod mock_wire;
mod open_endpoint;
mod paging;
mod retries;
mod tls;
