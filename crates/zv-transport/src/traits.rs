//! The [`Transport`] and [`AsyncTransport`] traits and their blanket impls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::{Request, Response};

use crate::TransportError;

/// A boxed, `Send` future: what [`AsyncTransport::send`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A blocking HTTP client: sends one request, returns the whole response.
///
/// Every status (including 4xx and 5xx) is a response, not an error; errors
/// are for exchanges that did not produce a complete response. Redirects are
/// not followed by the bundled backends.
///
/// Implemented for closures with the matching signature (see
/// [`transport_fn`] for one that infers its argument types), for
/// `Arc<T: Transport + ?Sized>` and for `Box<dyn Transport>`.
pub trait Transport: Send + Sync {
    /// Sends `request` and returns the response with its complete body.
    fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError>;
}

impl<F> Transport for F
where
    F: Fn(Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> + Send + Sync,
{
    fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        self(request)
    }
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        (**self).send(request)
    }
}

// `impl<T: Transport + ?Sized> Transport for Box<T>` would overlap with the
// closure impl (`Box<F>` is itself `Fn` when `F` is), so boxes are covered for
// trait objects, the case that needs it; a boxed closure is a closure anyway.
impl Transport for Box<dyn Transport> {
    fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        (**self).send(request)
    }
}

/// An asynchronous HTTP client: sends one request, resolves to the whole response.
///
/// Object safe, so a client can hold an `Arc<dyn AsyncTransport>`. The returned
/// future is `'static` (it owns what it needs), so it can be spawned or raced.
/// Same response/error contract as [`Transport`].
///
/// Implemented for closures returning a `Send + 'static` future (see
/// [`async_transport_fn`]), for `Arc<T: AsyncTransport + ?Sized>` and for
/// `Box<dyn AsyncTransport>`.
pub trait AsyncTransport: Send + Sync {
    /// Sends `request`; the future resolves to the response with its complete body.
    fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> BoxFuture<'static, Result<Response<Vec<u8>>, TransportError>>;
}

impl<F, Fut> AsyncTransport for F
where
    F: Fn(Request<Vec<u8>>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Response<Vec<u8>>, TransportError>> + Send + 'static,
{
    fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> BoxFuture<'static, Result<Response<Vec<u8>>, TransportError>> {
        Box::pin(self(request))
    }
}

impl<T: AsyncTransport + ?Sized> AsyncTransport for Arc<T> {
    fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> BoxFuture<'static, Result<Response<Vec<u8>>, TransportError>> {
        (**self).send(request)
    }
}

// See the note on `Box<dyn Transport>`.
impl AsyncTransport for Box<dyn AsyncTransport> {
    fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> BoxFuture<'static, Result<Response<Vec<u8>>, TransportError>> {
        (**self).send(request)
    }
}

/// Returns `f` unchanged, typed as a [`Transport`] closure so that its
/// argument and return types are inferred.
///
/// ```
/// use zv_transport::{http, transport_fn, Transport};
///
/// let transport = transport_fn(|request| {
///     assert_eq!(request.method(), http::Method::POST);
///     Ok(http::Response::new(br#"{"code":0}"#.to_vec()))
/// });
/// let response = transport.send(http::Request::post("https://example.test/").body(vec![])?)?;
/// assert_eq!(response.body(), br#"{"code":0}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn transport_fn<F>(f: F) -> F
where
    F: Fn(Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> + Send + Sync,
{
    f
}

/// Returns `f` unchanged, typed as an [`AsyncTransport`] closure so that its
/// argument and return types are inferred.
///
/// ```
/// use std::sync::Arc;
/// use zv_transport::{async_transport_fn, http, AsyncTransport};
///
/// let transport: Arc<dyn AsyncTransport> = Arc::new(async_transport_fn(|request| async move {
///     Ok(http::Response::new(request.into_body()))
/// }));
/// let _future = transport.send(http::Request::new(b"echo".to_vec()));
/// ```
pub fn async_transport_fn<F, Fut>(f: F) -> F
where
    F: Fn(Request<Vec<u8>>) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Response<Vec<u8>>, TransportError>> + Send + 'static,
{
    f
}
