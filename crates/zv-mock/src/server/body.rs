//! The bodies the server sends: bytes, or a huge body made while it is sent; and the
//! HTTP response of a shaped answer (waiting out an injected delay).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderValue};
use http_body::{Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};

use super::state::{Shared, stopped};
use crate::gateway::{Payload, Shaped};

/// The body of every answer.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;

/// A body of these bytes.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed()
}

/// A response with this status, content type and body.
pub(crate) fn respond(status: StatusCode, content_type: HeaderValue, body: Body) -> http::Response<Body> {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

/// The response of a shaped answer, once its delay (if any) is over.
pub(crate) async fn send(shared: &Shared, shaped: Shaped) -> http::Response<Body> {
    if let Some(delay) = shaped.delay {
        sleep_unless_stopped(shared, delay).await;
    }
    let body = match shaped.payload {
        Payload::Bytes(bytes) => full(bytes),
        Payload::Huge { bytes, content_length } => {
            HugeBody::new(bytes, content_length, shared.stop.clone()).boxed()
        }
    };
    respond(shaped.status, HeaderValue::from_static(shaped.content_type), body)
}

/// Sleeps for `d`, or less if the server shuts down meanwhile.
async fn sleep_unless_stopped(shared: &Shared, d: Duration) {
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = stopped(shared.stop.clone()) => {}
    }
}

/// Size of each chunk of a [`HugeBody`].
const CHUNK: usize = 64 * 1024;
const HUGE_PREFIX: &[u8] = br#"{"status":true,"code":0,"message":"success","data":{"padding":""#;
const HUGE_SUFFIX: &[u8] = br#""}}"#;

/// A body of `total` bytes (`{"status":true,...,"data":{"padding":"xxxx…"}}`, cut to size
/// when tiny) produced chunk by chunk as the connection asks for it: memory stays at one
/// shared 64 KiB filler whatever the size.
pub(crate) struct HugeBody {
    sent: u64,
    total: u64,
    exact: bool,
    filler: Bytes,
    stop: tokio::sync::watch::Receiver<bool>,
}

impl HugeBody {
    pub(crate) fn new(total: u64, exact: bool, stop: tokio::sync::watch::Receiver<bool>) -> Self {
        HugeBody { sent: 0, total, exact, filler: Bytes::from(vec![b'x'; CHUNK]), stop }
    }

    /// The byte at `i` of the virtual document.
    fn byte_at(&self, i: u64) -> u8 {
        let prefix = (HUGE_PREFIX.len() as u64).min(self.total);
        let suffix = (HUGE_SUFFIX.len() as u64).min(self.total - prefix);
        if i < prefix {
            HUGE_PREFIX[i as usize]
        } else if i >= self.total - suffix {
            HUGE_SUFFIX[(i - (self.total - suffix)) as usize]
        } else {
            b'x'
        }
    }

    /// Bytes `start..end` (at most one chunk) of the virtual document.
    fn chunk(&self, start: u64, end: u64) -> Bytes {
        let len = (end - start) as usize;
        let prefix_end = HUGE_PREFIX.len() as u64;
        let suffix_start = self.total.saturating_sub(HUGE_SUFFIX.len() as u64);
        if start >= prefix_end && end <= suffix_start {
            self.filler.slice(..len)
        } else {
            Bytes::from((start..end).map(|i| self.byte_at(i)).collect::<Vec<u8>>())
        }
    }
}

impl http_body::Body for HugeBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.sent >= this.total {
            return Poll::Ready(None);
        }
        if *this.stop.borrow() {
            return Poll::Ready(Some(Err(std::io::Error::other("the mock server is shutting down"))));
        }
        let end = this.total.min(this.sent + CHUNK as u64);
        let chunk = this.chunk(this.sent, end);
        this.sent = end;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent >= self.total
    }

    fn size_hint(&self) -> SizeHint {
        if self.exact { SizeHint::with_exact(self.total - self.sent) } else { SizeHint::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;

    fn collect(mut body: HugeBody) -> Vec<u8> {
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut out = Vec::new();
        while let Poll::Ready(Some(frame)) = Pin::new(&mut body).poll_frame(&mut cx) {
            let data = frame.unwrap().into_data().unwrap();
            assert!(data.len() <= CHUNK);
            out.extend_from_slice(&data);
        }
        out
    }

    #[test]
    fn huge_body_has_the_exact_size_and_looks_like_json() {
        let (_tx, rx) = tokio::sync::watch::channel(false);
        for total in
            [0u64, 1, 10, 66, 67, 68, 1000, CHUNK as u64 - 1, CHUNK as u64 + 70, 3 * CHUNK as u64 + 5]
        {
            let body = HugeBody::new(total, true, rx.clone());
            assert_eq!(body.size_hint().exact(), Some(total));
            let bytes = collect(body);
            assert_eq!(bytes.len() as u64, total);
            if total as usize >= HUGE_PREFIX.len() + HUGE_SUFFIX.len() {
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(v["status"], true);
            }
        }
        assert_eq!(HugeBody::new(5, false, rx).size_hint().exact(), None);
    }

    #[test]
    fn huge_body_stops_on_shutdown() {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let mut body = HugeBody::new(10 * CHUNK as u64, false, rx);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(matches!(Pin::new(&mut body).poll_frame(&mut cx), Poll::Ready(Some(Ok(_)))));
        tx.send_replace(true);
        assert!(matches!(Pin::new(&mut body).poll_frame(&mut cx), Poll::Ready(Some(Err(_)))));
    }
}
