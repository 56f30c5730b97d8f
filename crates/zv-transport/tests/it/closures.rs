//! Closures as transports, used through the trait objects a client holds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use zv_transport::http::{self, Request, Response};
use zv_transport::{
    AsyncTransport, Transport, TransportError, TransportErrorKind, async_transport_fn, transport_fn,
};

fn request(body: &str) -> Request<Vec<u8>> {
    Request::post("https://gateway.example.test/v3/echo")
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn echo(request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
    if request.body().is_empty() {
        return Err(TransportError::connect("empty body: pretend the gateway is down"));
    }
    Ok(Response::builder()
        .status(201)
        .header("x-path", request.uri().path())
        .body(request.into_body())
        .unwrap())
}

#[test]
fn blocking_closure_through_dyn_transport() {
    let calls = AtomicUsize::new(0);
    let closure = transport_fn(|request| {
        calls.fetch_add(1, Ordering::SeqCst);
        echo(request)
    });
    let transport: &dyn Transport = &closure;
    let response = transport.send(request("{\"a\":1}")).unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["x-path"], "/v3/echo");
    assert_eq!(response.body(), b"{\"a\":1}");

    let error = transport.send(request("")).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Connect);
    assert!(!error.may_have_reached_server());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn functions_arcs_and_boxes_are_transports() {
    fn takes(transport: impl Transport) -> http::StatusCode {
        transport.send(request("{}")).unwrap().status()
    }
    assert_eq!(takes(echo), 201);
    let shared: Arc<dyn Transport> = Arc::new(echo);
    assert_eq!(takes(shared.clone()), 201);
    assert_eq!(takes(Arc::new(transport_fn(echo))), 201);
    let boxed: Box<dyn Transport> = Box::new(echo);
    assert_eq!(takes(boxed), 201);
}

#[tokio::test]
async fn async_closure_through_arc_dyn_async_transport() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let transport: Arc<dyn AsyncTransport> = Arc::new(async_transport_fn(move |request| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            tokio::task::yield_now().await;
            echo(request)
        }
    }));
    let response = transport.send(request("{\"b\":2}")).await.unwrap();
    assert_eq!(response.body(), b"{\"b\":2}");

    // The future is 'static + Send: it can be spawned.
    let spawned = tokio::spawn(transport.send(request(""))).await.unwrap();
    assert_eq!(spawned.unwrap_err().kind(), TransportErrorKind::Connect);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    let boxed: Box<dyn AsyncTransport> = Box::new(async_transport_fn(|request| async move {
        Err::<Response<Vec<u8>>, _>(
            TransportError::timeout(format!("{} timed out", request.uri())).with_reached_server(false),
        )
    }));
    let arc_of_box: Arc<Box<dyn AsyncTransport>> = Arc::new(boxed);
    let error = arc_of_box.send(request("{}")).await.unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Timeout);
    assert!(!error.may_have_reached_server());
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert_eq!(source, "https://gateway.example.test/v3/echo timed out");
}
