//! Injected faults: what they are, which request gets which, and how they shape the answer.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;
use http_body::{Frame, SizeHint};

use crate::LogEntry;
use crate::render::{JSON, Representation, json_response, respond as response};
use crate::state::{Shared, stopped};

/// A failure the mock injects into the answer of a request that passed every check.
///
/// Queue faults with [`MockServer::push_fault`](crate::MockServer::push_fault) (one is
/// consumed per verified request, first in first out) or pin one to a member with
/// [`MockServer::fault_for_member`](crate::MockServer::fault_for_member). A fault never
/// hides a failed check: a rejected request is answered with its rejection and consumes
/// nothing.
///
/// Faults that *wrap* the normal answer ([`Delay`](Fault::Delay),
/// [`TruncatedJson`](Fault::TruncatedJson)) run the endpoint, so a write such as a redeem
/// takes effect; faults that *replace* the answer (all the others) do not run it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long, then answer normally (the endpoint runs before the wait). A client
    /// that gave up in the meantime does not disturb the server.
    Delay(Duration),
    /// Answer with this HTTP status and an nginx-like HTML error page (an invalid status
    /// code becomes 500).
    HttpStatus(u16),
    /// The normal answer cut in the middle (the JSON is incomplete; the HTTP framing is not).
    TruncatedJson,
    /// HTTP 200 with an empty body.
    EmptyBody,
    /// A JSON-looking body of exactly `bytes` bytes, generated while it is sent (64 KiB at a
    /// time, never held in memory), announced with `Content-Length` or sent chunked.
    HugeBody {
        /// The size of the body.
        bytes: u64,
        /// Whether to announce the size with `Content-Length` (else chunked encoding).
        content_length: bool,
    },
    /// A business error: `{"status":true,"code":code,"message":message}`.
    BusinessError {
        /// The business code (non-zero).
        code: i64,
        /// The message.
        message: String,
    },
    /// A system error: `{"status":false,"code":code,"message":message}`.
    SystemError {
        /// The system code.
        code: i64,
        /// The message.
        message: String,
    },
    /// Respond with exactly this: an HTTP status and a body (served as `application/json`),
    /// e.g. a payload the SDK cannot decode. (To serve an endpoint the mock does not have,
    /// register a handler: [`Endpoints`](crate::Endpoints).)
    Respond {
        /// The HTTP status (an invalid one becomes 500).
        status: u16,
        /// The body, byte for byte.
        body: String,
    },
    /// The next `times` requests get `fault`; later ones are answered normally.
    FailTimes {
        /// How many requests fail.
        times: u32,
        /// How they fail.
        fault: Box<Fault>,
    },
}

impl Fault {
    /// `FailTimes { times, fault }`, without the `Box`.
    pub fn fail_times(times: u32, fault: Fault) -> Fault {
        Fault::FailTimes { times, fault: Box::new(fault) }
    }

    /// A business error with this code and message.
    pub fn business(code: i64, message: impl Into<String>) -> Fault {
        Fault::BusinessError { code, message: message.into() }
    }

    /// A system error with this code and message.
    pub fn system(code: i64, message: impl Into<String>) -> Fault {
        Fault::SystemError { code, message: message.into() }
    }

    /// The fault a `FailTimes` (possibly nested) finally applies.
    fn leaf(&self) -> &Fault {
        match self {
            Fault::FailTimes { fault, .. } => fault.leaf(),
            other => other,
        }
    }
}

/// One line, as shown in the request log: `delay 500ms`, `http 502`, `huge body 1048576
/// bytes (chunked)`, `fail 2 more times: http 503`.
impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Delay(d) => write!(f, "delay {d:?}"),
            Fault::HttpStatus(s) => write!(f, "http {s}"),
            Fault::TruncatedJson => f.write_str("truncated json"),
            Fault::EmptyBody => f.write_str("empty body"),
            Fault::HugeBody { bytes, content_length } => {
                let framing = if *content_length { "content-length" } else { "chunked" };
                write!(f, "huge body {bytes} bytes ({framing})")
            }
            Fault::BusinessError { code, message } => write!(f, "business error {code}: {message}"),
            Fault::SystemError { code, message } => write!(f, "system error {code}: {message}"),
            Fault::Respond { status, body } => write!(f, "respond {status} ({} bytes)", body.len()),
            Fault::FailTimes { times, fault } => write!(f, "fail {times} more times: {fault}"),
        }
    }
}

/// The fault chosen for one request: what to do and how the log names it.
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub(crate) fault: Fault,
    pub(crate) label: String,
}

/// Consumes one use of `slot`. Returns the fault to apply (none for a `FailTimes` with
/// nothing left) and whether `slot` is used up.
fn consume(slot: &mut Fault) -> (Option<Applied>, bool) {
    match slot {
        Fault::FailTimes { times: 0, .. } => (None, true),
        Fault::FailTimes { times, fault } => {
            *times -= 1;
            let leaf = fault.leaf().clone();
            let label = format!("{leaf} (fail-times, {times} left)");
            (Some(Applied { fault: leaf, label }), *times == 0)
        }
        other => (Some(Applied { fault: other.clone(), label: other.to_string() }), true),
    }
}

/// The queued and per-member faults.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queue: VecDeque<Fault>,
    members: HashMap<String, Fault>,
}

impl Faults {
    pub(crate) fn push(&mut self, fault: Fault) {
        self.queue.push_back(fault);
    }

    pub(crate) fn for_member(&mut self, user_id: &str, fault: Fault) {
        self.members.insert(user_id.to_owned(), fault);
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
        self.members.clear();
    }

    /// The fault for a verified request of member `user_id`: the member's own fault if it
    /// has one (a `FailTimes` is used up like a queued one, any other stays), else the next
    /// queued one.
    pub(crate) fn take(&mut self, user_id: Option<&str>) -> Option<Applied> {
        if let Some(uid) = user_id
            && let Some(slot) = self.members.get_mut(uid)
        {
            if !matches!(slot, Fault::FailTimes { .. }) {
                return Some(Applied { fault: slot.clone(), label: slot.to_string() });
            }
            let (applied, used_up) = consume(slot);
            if used_up {
                self.members.remove(uid);
            }
            if applied.is_some() {
                return applied;
            }
        }
        while let Some(front) = self.queue.front_mut() {
            let (applied, used_up) = consume(front);
            if used_up {
                self.queue.pop_front();
            }
            if applied.is_some() {
                return applied;
            }
        }
        None
    }
}

/// The response to a verified request: the endpoint's answer (`answer` runs the endpoint,
/// and only for faults that wrap its answer), shaped by the fault `applied`. Records `entry`
/// before any delay.
pub(crate) async fn respond(
    shared: &Shared,
    mut entry: LogEntry,
    applied: Option<Applied>,
    style: &Representation,
    answer: impl FnOnce(&mut LogEntry) -> Vec<u8>,
) -> Response {
    let Some(applied) = applied else {
        let body = answer(&mut entry);
        shared.record(entry);
        return json_response(body);
    };
    entry.fault = Some(applied.label);
    match applied.fault {
        Fault::Delay(d) => {
            let body = answer(&mut entry);
            shared.record(entry);
            sleep_unless_stopped(shared, d).await;
            json_response(body)
        }
        Fault::TruncatedJson => {
            let mut body = answer(&mut entry);
            body.truncate(body.len() / 2);
            shared.record(entry);
            json_response(body)
        }
        // `Faults::take` never hands out a `FailTimes` (it applies the fault inside).
        Fault::FailTimes { .. } => {
            let body = answer(&mut entry);
            shared.record(entry);
            json_response(body)
        }
        Fault::HttpStatus(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            entry.http_status = status.as_u16();
            shared.record(entry);
            response(status, "text/html", Body::from(nginx_page(status)))
        }
        Fault::EmptyBody => {
            shared.record(entry);
            json_response(Vec::new())
        }
        Fault::HugeBody { bytes, content_length } => {
            shared.record(entry);
            let body = HugeBody::new(bytes, content_length, shared.stop.clone());
            response(StatusCode::OK, JSON, Body::new(body))
        }
        Fault::BusinessError { code, message } => {
            shared.record(entry);
            json_response(style.error(true, code, &message))
        }
        Fault::SystemError { code, message } => {
            shared.record(entry);
            json_response(style.error(false, code, &message))
        }
        Fault::Respond { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            entry.http_status = status.as_u16();
            shared.record(entry);
            response(status, JSON, Body::from(body))
        }
    }
}

/// Sleeps for `d`, or less if the server shuts down meanwhile.
async fn sleep_unless_stopped(shared: &Shared, d: Duration) {
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = stopped(shared.stop.clone()) => {}
    }
}

/// The HTML error page a proxy in front of the gateway would send.
pub(crate) fn nginx_page(status: http::StatusCode) -> String {
    let line = match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    };
    format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n\
         <hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
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

    #[test]
    fn queue_and_member_faults() {
        let mut f = Faults::default();
        assert!(f.take(None).is_none());
        f.push(Fault::fail_times(2, Fault::HttpStatus(503)));
        f.push(Fault::EmptyBody);
        f.for_member("10002", Fault::TruncatedJson);
        assert_eq!(f.take(Some("10002")).unwrap().fault, Fault::TruncatedJson);
        assert_eq!(f.take(Some("10002")).unwrap().fault, Fault::TruncatedJson);
        let first = f.take(Some("10001")).unwrap();
        assert_eq!(first.fault, Fault::HttpStatus(503));
        assert_eq!(first.label, "http 503 (fail-times, 1 left)");
        assert_eq!(f.take(None).unwrap().fault, Fault::HttpStatus(503));
        assert_eq!(f.take(None).unwrap().fault, Fault::EmptyBody);
        assert!(f.take(None).is_none());

        f.push(Fault::fail_times(0, Fault::EmptyBody));
        f.push(Fault::fail_times(1, Fault::fail_times(5, Fault::TruncatedJson)));
        assert_eq!(f.take(None).unwrap().fault, Fault::TruncatedJson);
        assert!(f.take(None).is_none());

        f.for_member("7", Fault::fail_times(1, Fault::EmptyBody));
        f.push(Fault::HttpStatus(500));
        assert_eq!(f.take(Some("7")).unwrap().fault, Fault::EmptyBody);
        assert_eq!(f.take(Some("7")).unwrap().fault, Fault::HttpStatus(500));
        f.clear();
        assert!(f.take(Some("7")).is_none());
    }

    #[test]
    fn display() {
        assert_eq!(Fault::Delay(Duration::from_millis(500)).to_string(), "delay 500ms");
        assert_eq!(
            Fault::HugeBody { bytes: 10, content_length: false }.to_string(),
            "huge body 10 bytes (chunked)"
        );
        assert_eq!(Fault::fail_times(2, Fault::HttpStatus(503)).to_string(), "fail 2 more times: http 503");
        assert_eq!(
            Fault::business(20001, "查询的信息不存在").to_string(),
            "business error 20001: 查询的信息不存在"
        );
        assert!(nginx_page(http::StatusCode::BAD_GATEWAY).contains("<h1>502 Bad Gateway</h1>"));
    }
}
