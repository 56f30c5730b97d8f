//! Injected faults: what they are, which request gets which, and how they shape the answer
//! (the server sends it: waits, makes a huge body).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::model::{JSON, LogEntry, Representation};

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

/// What an answer carries.
pub(crate) enum Payload {
    /// These bytes.
    Bytes(Vec<u8>),
    /// A JSON-looking body of `bytes` bytes, made while it is sent (a [`Fault::HugeBody`]).
    Huge {
        /// Its size.
        bytes: u64,
        /// Whether to announce the size with `Content-Length` (else chunked).
        content_length: bool,
    },
}

/// The answer to a verified request, as the server is to send it.
pub(crate) struct Shaped {
    pub(crate) status: StatusCode,
    pub(crate) content_type: &'static str,
    pub(crate) payload: Payload,
    /// How long to wait before sending it (a [`Fault::Delay`]).
    pub(crate) delay: Option<Duration>,
}

impl Shaped {
    /// HTTP 200 with a JSON body, at once.
    fn json(body: Vec<u8>) -> Shaped {
        Shaped::new(StatusCode::OK, JSON, Payload::Bytes(body))
    }

    fn new(status: StatusCode, content_type: &'static str, payload: Payload) -> Shaped {
        Shaped { status, content_type, payload, delay: None }
    }
}

/// The answer to a verified request: the endpoint's answer (`answer` runs the endpoint, and
/// only for faults that wrap its answer), shaped by the fault `applied`. `record` logs
/// `entry`, before any delay.
pub(crate) fn shape(
    record: impl FnOnce(LogEntry),
    mut entry: LogEntry,
    applied: Option<Applied>,
    style: &Representation,
    answer: impl FnOnce(&mut LogEntry) -> Vec<u8>,
) -> Shaped {
    let Some(applied) = applied else {
        let body = answer(&mut entry);
        record(entry);
        return Shaped::json(body);
    };
    entry.fault = Some(applied.label);
    match applied.fault {
        Fault::Delay(d) => {
            let body = answer(&mut entry);
            record(entry);
            Shaped { delay: Some(d), ..Shaped::json(body) }
        }
        Fault::TruncatedJson => {
            let mut body = answer(&mut entry);
            body.truncate(body.len() / 2);
            record(entry);
            Shaped::json(body)
        }
        // `Faults::take` never hands out a `FailTimes` (it applies the fault inside).
        Fault::FailTimes { .. } => {
            let body = answer(&mut entry);
            record(entry);
            Shaped::json(body)
        }
        Fault::HttpStatus(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            entry.http_status = status.as_u16();
            record(entry);
            Shaped::new(status, "text/html", Payload::Bytes(nginx_page(status).into_bytes()))
        }
        Fault::EmptyBody => {
            record(entry);
            Shaped::json(Vec::new())
        }
        Fault::HugeBody { bytes, content_length } => {
            record(entry);
            Shaped::new(StatusCode::OK, JSON, Payload::Huge { bytes, content_length })
        }
        Fault::BusinessError { code, message } => {
            record(entry);
            Shaped::json(style.error(true, code, &message))
        }
        Fault::SystemError { code, message } => {
            record(entry);
            Shaped::json(style.error(false, code, &message))
        }
        Fault::Respond { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            entry.http_status = status.as_u16();
            record(entry);
            Shaped::new(status, JSON, Payload::Bytes(body.into_bytes()))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
