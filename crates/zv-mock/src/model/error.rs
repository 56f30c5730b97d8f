//! [`MockError`]: why the mock could not start, or why fixtures could not be loaded.

use std::io;
use std::net::SocketAddr;

/// Why the mock server could not start, or why fixtures could not be loaded.
///
/// No variant ever carries the open key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The listening address could not be bound (already in use, no permission, ...).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// Another I/O failure while starting: the runtime or its thread could not be created.
    #[error("mock server I/O error: {0}")]
    Io(#[from] io::Error),
    /// The self-signed certificate or the TLS configuration could not be made.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// A route given to [`Endpoints`](crate::Endpoints) is not a valid V3 path or V2 Action.
    #[error("cannot serve that route: {0}")]
    Route(String),
    /// A stubs file could not be read, or a stub in it is not valid.
    #[error("invalid stubs in {origin}: {}{message}", index.map(|i| format!("stub {i}: ")).unwrap_or_default())]
    Stubs {
        /// Where the text came from: a file path, or `<json text>`.
        origin: String,
        /// The stub at fault (its index in `stubs`, from 0), when one is.
        index: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A recording session could not start: its file cannot be written, or its upstream's
    /// client cannot be made (a bad URL).
    #[error("cannot record to {file}: {message}")]
    Record {
        /// The recording's file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A fixtures file could not be read, or its text does not describe [`Fixtures`](crate::Fixtures).
    #[error("invalid fixtures in {origin}: {message}")]
    Fixtures {
        /// Where the text came from: a file path, or `<json text>`.
        origin: String,
        /// What is wrong, and where (JSON path, line and column) when known.
        message: String,
    },
}
