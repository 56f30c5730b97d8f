//! The seam between the zv SDK (zvcms / Qmai OpenAPI) and an HTTP client.
//!
//! A transport takes a plain [`http::Request<Vec<u8>>`](http::Request) and
//! returns a plain [`http::Response<Vec<u8>>`](http::Response) with the
//! complete body, or a [`TransportError`] that says what failed and whether
//! the request [may have reached the server](TransportError::may_have_reached_server).
//! There are two traits, the blocking [`Transport`] and the object-safe
//! [`AsyncTransport`]; any closure with the right signature is a transport, so
//! tests and users plug in their own client in one line. Two backends sit
//! behind additive, off-by-default features: [`UreqTransport`] (feature
//! `ureq`, blocking) and [`ReqwestTransport`] (feature `reqwest`, async), both
//! pooled, with connect and overall timeouts ([`TransportConfig`]), a
//! response-size cap shared through [`BodyLimit`], and rustls on the ring
//! provider only. Deliberately, this crate does no signing, knows no JSON or
//! API types, and never retries: retries live in `zv-api`, where deciding
//! whether to retry is a pure function of the request and the error.
//!
//! ```
//! use zv_transport::{http, transport_fn, Transport, TransportError};
//!
//! // A closure is a transport: here, a canned gateway for a test.
//! let gateway = transport_fn(|request| {
//!     if request.uri().path() != "/v3/ping" {
//!         return Err(TransportError::connect("no route in this test"));
//!     }
//!     Ok(http::Response::builder()
//!         .status(200)
//!         .header("content-type", "application/json")
//!         .body(br#"{"code":0}"#.to_vec())
//!         .expect("valid response"))
//! });
//!
//! let transport: &dyn Transport = &gateway;
//! let request = http::Request::post("https://gateway.example.test/v3/ping").body(b"{}".to_vec())?;
//! let response = transport.send(request)?;
//! assert_eq!(response.status(), 200);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
#![cfg_attr(feature = "ureq", doc = "[`UreqTransport`]: crate::UreqTransport")]
#![cfg_attr(
    not(feature = "ureq"),
    doc = "[`UreqTransport`]: https://docs.rs/zv-transport/latest/zv_transport/struct.UreqTransport.html"
)]
#![cfg_attr(feature = "reqwest", doc = "[`ReqwestTransport`]: crate::ReqwestTransport")]
#![cfg_attr(
    not(feature = "reqwest"),
    doc = "[`ReqwestTransport`]: https://docs.rs/zv-transport/latest/zv_transport/struct.ReqwestTransport.html"
)]
#![warn(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use http;

mod body;
mod config;
mod error;
mod traits;

#[cfg(any(feature = "ureq", feature = "reqwest"))]
mod tls;

#[cfg(feature = "reqwest")]
mod reqwest_backend;
#[cfg(feature = "ureq")]
mod ureq_backend;

pub use body::{BodyLimit, read_to_end_capped};
pub use config::{DEFAULT_USER_AGENT, TransportConfig};
pub use error::{BoxError, TransportError, TransportErrorKind};
pub use traits::{AsyncTransport, BoxFuture, Transport, async_transport_fn, transport_fn};

#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use reqwest_backend::ReqwestTransport;
#[cfg(feature = "ureq")]
#[cfg_attr(docsrs, doc(cfg(feature = "ureq")))]
pub use ureq_backend::UreqTransport;
