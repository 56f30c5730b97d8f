//! zv-transport's integration tests, one binary (cargo's `tests/it/` layout): the backends
//! against a scripted server on 127.0.0.1 port 0, and the closure transports.

mod backends;
mod closures;
mod support;
