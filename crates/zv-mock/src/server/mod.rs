//! The server: [`MockServer`] binds, accepts connections within their limits, speaks
//! HTTP/1.1 and HTTP/2 (and TLS) with hyper on tokio, and hands each request to the gateway.

mod address;
mod body;
mod connection;
mod mock_server;
mod service;
mod state;

pub use mock_server::MockServer;
