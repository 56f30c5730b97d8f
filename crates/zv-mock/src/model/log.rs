//! The request log: one [`LogEntry`] per request, with the gateway's [`Verdict`], its text
//! kept short and printed safely.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;

use serde::{Serialize, Serializer};
use zv_types::Protocol;
use zv_types::text::{Sanitized, is_unsafe_char};

/// One of the gateway's checks, in the order they are made.
///
/// A request failing a check is answered with HTTP 200 and the platform's system-error
/// shape `{"status":false,"code":<code>,"message":"<label>: <detail>"}`; see the
/// [crate docs](crate#checks) for the codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Check {
    /// Not a `POST` (code 40001).
    Method,
    /// The body is not JSON (code 40002).
    Json,
    /// The body is not the V3 (lowerCamel) or V2 (PascalCase, `Action`) envelope, e.g. a key
    /// is missing or `timestamp`/`nonce` is not a decimal string (code 40003).
    Envelope,
    /// `openId` or `grantCode` is not the configured one (code 40004).
    Credentials,
    /// `timestamp` is outside the allowed skew of the mock's clock (code 40005).
    Timestamp,
    /// The `token` is not the signature of the request (code 40006).
    Signature,
    /// The `nonce` was already used within the skew window: a replay (code 40007).
    Nonce,
    /// No such V3 path or V2 `Action` (code 40008).
    Route,
    /// The business params do not fit the endpoint (code 40009).
    Params,
}

impl Check {
    /// Every check, in the order they are made.
    pub const ALL: [Check; 9] = [
        Check::Method,
        Check::Json,
        Check::Envelope,
        Check::Credentials,
        Check::Timestamp,
        Check::Signature,
        Check::Nonce,
        Check::Route,
        Check::Params,
    ];

    /// The `code` of the system error a request failing this check gets (40001..=40009).
    pub const fn code(self) -> i64 {
        match self {
            Check::Method => 40001,
            Check::Json => 40002,
            Check::Envelope => 40003,
            Check::Credentials => 40004,
            Check::Timestamp => 40005,
            Check::Signature => 40006,
            Check::Nonce => 40007,
            Check::Route => 40008,
            Check::Params => 40009,
        }
    }

    /// The check's name in log lines: `method`, `json`, `envelope`, `credentials`,
    /// `timestamp`, `signature`, `nonce`, `route`, `params`.
    pub const fn name(self) -> &'static str {
        match self {
            Check::Method => "method",
            Check::Json => "json",
            Check::Envelope => "envelope",
            Check::Credentials => "credentials",
            Check::Timestamp => "timestamp",
            Check::Signature => "signature",
            Check::Nonce => "nonce",
            Check::Route => "route",
            Check::Params => "params",
        }
    }

    /// The start of the error `message` (the platform's wording, in Chinese).
    pub const fn label(self) -> &'static str {
        match self {
            Check::Method => "请求方式错误",
            Check::Json => "请求数据不是JSON",
            Check::Envelope => "公共参数错误",
            Check::Credentials => "密钥或授权码错误",
            Check::Timestamp => "时间戳已失效",
            Check::Signature => "签名错误",
            Check::Nonce => "重复请求",
            Check::Route => "接口不存在",
            Check::Params => "业务参数错误",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the gateway decided about a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// Every check passed (the answer may still be a business error or an injected fault).
    Ok,
    /// A check failed.
    Rejected {
        /// The first check that failed.
        check: Check,
        /// Why, in English (never the token or the key).
        message: String,
    },
    /// Every check passed, but the route had its fill of requests in the last second
    /// ([`MockConfig::qps`](crate::MockConfig::qps)): answered with HTTP 429.
    Throttled {
        /// The limit: requests per second per route.
        limit: u32,
    },
}

impl Verdict {
    /// Whether every check passed and the request was answered (not throttled).
    pub fn is_ok(&self) -> bool {
        matches!(self, Verdict::Ok)
    }

    /// The check that failed, if one did.
    pub fn check(&self) -> Option<Check> {
        match self {
            Verdict::Ok | Verdict::Throttled { .. } => None,
            Verdict::Rejected { check, .. } => Some(*check),
        }
    }
}

/// One request as the mock saw it. Never holds the token or the key.
///
/// `Display` is one line for a terminal:
/// `POST /v3/crm/giftCard/getCustomerGiftCardList nonce=123 -> ok (200)`,
/// `POST /api/v2 coupon.user-coupon-list nonce=9 -> rejected: signature: token does not match`.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct LogEntry {
    /// The HTTP method.
    pub method: String,
    /// The URL path (without the query).
    pub path: String,
    /// The protocol of the envelope, once known (from the path: `/api/v2` is V2, else V3).
    #[serde(serialize_with = "protocol_name")]
    pub protocol: Option<Protocol>,
    /// The V2 `Action`, when the envelope could be read.
    pub action: Option<String>,
    /// The `openId`, when the envelope could be read.
    pub open_id: Option<String>,
    /// The `timestamp`, when the envelope could be read.
    pub timestamp: Option<u64>,
    /// The `nonce`, when the envelope could be read.
    pub nonce: Option<u64>,
    /// The business params, when the envelope could be read.
    pub params: Option<serde_json::Value>,
    /// Whether the checks passed.
    pub verdict: Verdict,
    /// The injected fault, if one was applied.
    pub fault: Option<String>,
    /// The HTTP status of the answer.
    pub http_status: u16,
    /// The `traceId` of the answer (every envelope the mock writes carries one).
    pub trace_id: Option<String>,
    /// In a recording session ([`MockConfig::record`](crate::MockConfig::record)): what
    /// became of the request upstream (`forwarded (200), recorded`, `refused: a write`, …).
    pub upstream: Option<String>,
}

fn protocol_name<S: Serializer>(p: &Option<Protocol>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(Protocol::V2) => s.serialize_some("V2"),
        Some(Protocol::V3) => s.serialize_some("V3"),
        None => s.serialize_none(),
    }
}

impl LogEntry {
    pub(crate) fn new(method: &str, path: &str) -> Self {
        LogEntry {
            method: method.to_owned(),
            path: path.to_owned(),
            protocol: None,
            action: None,
            open_id: None,
            timestamp: None,
            nonce: None,
            params: None,
            verdict: Verdict::Ok,
            fault: None,
            http_status: 200,
            trace_id: None,
            upstream: None,
        }
    }
}

/// The most characters kept of the method, of the `openId`, and of the path, the `Action`
/// or a fault's label (the rest is cut and counted).
const METHOD_CHARS: usize = 16;
const OPEN_ID_CHARS: usize = 64;
const TEXT_CHARS: usize = 256;
/// The most characters kept of a rejection's message (which may list the endpoint table).
pub(crate) const MESSAGE_CHARS: usize = 1024;

/// `text` made safe to print on one line by the workspace's one sanitizer
/// ([`zv_types::text`]): unsafe characters escaped (`\n`, `\u{1b}`), and cut after `max`
/// characters with a note of the text's size. Text written by anyone (a client's path,
/// `Action` or `openId`) goes through here before it is kept or printed.
pub(crate) fn printable(text: &str, max: usize) -> Cow<'_, str> {
    let short = text.char_indices().nth(max).is_none();
    if short && !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(Sanitized::new(text).max_chars(max).to_string())
}

/// `text` as [`printable`] makes it, in place.
fn cap(text: &mut String, max: usize) {
    if let Cow::Owned(safe) = printable(text, max) {
        *text = safe;
    }
}

impl LogEntry {
    /// Cuts every text field to a short summary and escapes what could garble a line: what
    /// the log keeps of a request, whoever sent it (only a signed request's `params` are kept
    /// whole).
    pub(crate) fn summarize(&mut self) {
        cap(&mut self.method, METHOD_CHARS);
        cap(&mut self.path, TEXT_CHARS);
        for text in [&mut self.action, &mut self.fault, &mut self.upstream].into_iter().flatten() {
            cap(text, TEXT_CHARS);
        }
        if let Some(open_id) = &mut self.open_id {
            cap(open_id, OPEN_ID_CHARS);
        }
        if let Verdict::Rejected { message, .. } = &mut self.verdict {
            cap(message, MESSAGE_CHARS);
        }
    }
}

/// One line: every field is made printable (control characters escaped, long text
/// cut), so no field can forge a line or make a huge one.
impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = printable;
        write!(f, "{} {}", p(&self.method, METHOD_CHARS), p(&self.path, TEXT_CHARS))?;
        if let Some(action) = &self.action {
            write!(f, " {}", p(action, TEXT_CHARS))?;
        }
        if let Some(nonce) = self.nonce {
            write!(f, " nonce={nonce}")?;
        }
        match &self.verdict {
            Verdict::Ok => {
                f.write_str(" -> ok")?;
                if let Some(fault) = &self.fault {
                    write!(f, ", fault: {}", p(fault, TEXT_CHARS))?;
                }
                if let Some(upstream) = &self.upstream {
                    write!(f, ", upstream: {}", p(upstream, TEXT_CHARS))?;
                }
                write!(f, " ({})", self.http_status)
            }
            Verdict::Throttled { limit } => {
                write!(f, " -> throttled: over {limit} requests a second ({})", self.http_status)
            }
            Verdict::Rejected { check, message } => {
                write!(f, " -> rejected: {check}: {}", p(message, MESSAGE_CHARS))
            }
        }
    }
}

/// The request log: the newest entries that fit in `capacity` bytes.
#[derive(Debug)]
pub(crate) struct Log {
    entries: VecDeque<(LogEntry, usize)>,
    bytes: usize,
    capacity: usize,
}

impl Log {
    pub(crate) fn new(capacity: usize) -> Log {
        Log { entries: VecDeque::new(), bytes: 0, capacity }
    }

    /// Keeps `entry`, dropping the oldest entries to make room. An entry larger than the
    /// whole capacity is kept without its params, or not at all if still too large.
    pub(crate) fn push(&mut self, mut entry: LogEntry) {
        let mut size = entry_bytes(&entry);
        if size > self.capacity && entry.params.take().is_some() {
            size = entry_bytes(&entry);
        }
        if size > self.capacity {
            return;
        }
        while self.bytes + size > self.capacity {
            let Some((_, dropped)) = self.entries.pop_front() else { break };
            self.bytes -= dropped;
        }
        self.bytes += size;
        self.entries.push_back((entry, size));
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter().map(|(entry, _)| entry)
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

/// What an entry costs in memory, near enough: its JSON size (the strings and params it
/// holds) plus the struct itself.
fn entry_bytes(entry: &LogEntry) -> usize {
    /// Counts what is written.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail, and a log entry always serializes.
    let _ = serde_json::to_writer(&mut count, entry);
    count.0 + std::mem::size_of::<LogEntry>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_and_cuts() {
        assert!(matches!(printable("POST /v3/a 查询", 100), Cow::Borrowed(_)));
        assert_eq!(printable("a\nb\r\u{1b}[31m\u{202e}c", 100), "a\\nb\\r\\u{1b}[31m\\u{202e}c");
        assert_eq!(printable("查询的信息不存在", 4), "查询的信…(24 bytes)");
        assert_eq!(printable(&"x".repeat(1 << 20), 10), format!("xxxxxxxxxx…({} bytes)", 1 << 20));
        assert_eq!(printable("", 0), "");
    }

    #[test]
    fn a_forged_entry_prints_one_short_line_and_summarizes() {
        let mut e = LogEntry::new("POST", "/v3/a");
        e.action = Some(format!("x -> ok (200)\nPOST /v3/forged{}", "y".repeat(100_000)));
        e.open_id = Some("o".repeat(1 << 20));
        e.verdict = Verdict::Rejected { check: Check::Credentials, message: "m\u{1b}[2J".repeat(50_000) };
        let line = e.to_string();
        assert!(!line.contains('\n') && !line.contains('\u{1b}'), "{line}");
        assert!(line.len() < 4096, "{}", line.len());
        assert!(line.starts_with("POST /v3/a x -> ok (200)\\nPOST /v3/forged"), "{line}");
        e.summarize();
        let summary = e.to_string();
        assert!(!summary.contains('\n') && summary.len() < 4096, "{summary}");
        assert!(serde_json::to_string(&e).unwrap().len() < 4096);
        assert!(e.open_id.unwrap().ends_with(&format!("…({} bytes)", 1 << 20)));
    }

    #[test]
    fn codes_are_distinct_and_in_check_order() {
        for (i, check) in Check::ALL.iter().enumerate() {
            assert_eq!(check.code(), 40001 + i as i64);
        }
    }

    #[test]
    fn display_lines() {
        let mut e = LogEntry::new("POST", "/v3/crm/giftCard/getCustomerGiftCardList");
        e.nonce = Some(123);
        assert_eq!(e.to_string(), "POST /v3/crm/giftCard/getCustomerGiftCardList nonce=123 -> ok (200)");
        e.fault = Some("http 502".into());
        e.http_status = 502;
        assert_eq!(
            e.to_string(),
            "POST /v3/crm/giftCard/getCustomerGiftCardList nonce=123 -> ok, fault: http 502 (502)"
        );
        let mut e = LogEntry::new("POST", "/api/v2");
        e.action = Some("coupon.user-coupon-list".into());
        e.nonce = Some(9);
        e.verdict = Verdict::Rejected { check: Check::Signature, message: "token does not match".into() };
        assert_eq!(
            e.to_string(),
            "POST /api/v2 coupon.user-coupon-list nonce=9 -> rejected: signature: token does not match"
        );
        e.protocol = Some(Protocol::V2);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["protocol"], "V2");
        assert_eq!(json["verdict"]["Rejected"]["check"], "Signature");
    }

    fn entry(nonce: u64, params: Option<serde_json::Value>) -> LogEntry {
        let mut e = LogEntry::new("POST", "/v3/a");
        e.nonce = Some(nonce);
        e.params = params;
        e
    }

    #[test]
    fn the_log_keeps_the_newest_entries_that_fit_in_its_bytes() {
        let one = entry_bytes(&entry(1, None));
        let mut log = Log::new(10 * one + one / 2);
        for n in 0..100 {
            log.push(entry(n, None));
        }
        assert_eq!(log.entries().filter_map(|e| e.nonce).collect::<Vec<_>>(), (90..100).collect::<Vec<_>>());
        assert!(log.bytes <= log.capacity);
        // An entry larger than the whole log loses its params; the oldest make room for it.
        log.push(entry(100, Some(serde_json::json!("x".repeat(100 * one)))));
        let last = log.entries().last().unwrap();
        assert_eq!((last.nonce, &last.params), (Some(100), &None));
        assert!(log.bytes <= log.capacity);
        let mut nothing = Log::new(0);
        nothing.push(entry(1, None));
        assert_eq!(nothing.entries().count(), 0);
        log.clear();
        assert_eq!((log.entries().count(), log.bytes), (0, 0));
    }
}
