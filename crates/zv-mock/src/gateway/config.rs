//! [`MockConfig`]: how to start a [`MockServer`](crate::MockServer).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use zv_sign::{Clock, Credentials, SystemClock};

use super::endpoints::Endpoints;
#[cfg(feature = "record")]
use crate::model::Recording;
use crate::model::{Fixtures, LogEntry, demo_credentials};

/// The default time a client has to send a request's head once connected, and its body once
/// the head is in: 5 s.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The default time a connection may stay open with no request in flight: 30 s.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of connections the mock holds at once: 256 (more wait to be accepted).
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// The limits every connection is held to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) header_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// The observer callback of [`MockConfig::observer`].
pub(crate) type Observer = Arc<dyn Fn(&LogEntry) + Send + Sync>;

/// The default capacity of the request log, in bytes (16 MiB).
pub(crate) const DEFAULT_LOG_BYTES: usize = 16 << 20;

/// The default timestamp skew window: ±300 s.
pub const DEFAULT_SKEW: Duration = Duration::from_secs(300);

/// How to start a [`MockServer`](crate::MockServer): a builder, consumed by value.
///
/// `Debug` shows the `openId` and `grantCode`, never the open key.
///
/// ```
/// use std::time::Duration;
/// use zv_mock::{Fixtures, MockConfig};
///
/// let config = MockConfig::new()
///     .addr("127.0.0.1:0".parse().unwrap())
///     .fixtures(Fixtures::demo())
///     .messy(true)
///     .skew(Duration::from_secs(60))
///     .observer(|entry| eprintln!("{entry}"));
/// assert!(!format!("{config:?}").contains(zv_mock::DEMO_OPEN_KEY));
/// ```
#[derive(Clone)]
pub struct MockConfig {
    pub(crate) addr: SocketAddr,
    pub(crate) credentials: Credentials,
    pub(crate) fixtures: Fixtures,
    pub(crate) messy: bool,
    pub(crate) endpoints: Endpoints,
    pub(crate) tls: bool,
    pub(crate) skew: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) observer: Option<Observer>,
    pub(crate) log_bytes: usize,
    pub(crate) limits: Limits,
    pub(crate) strict: bool,
    pub(crate) allow_replay: bool,
    pub(crate) qps: u32,
    pub(crate) monotonic: Monotonic,
    #[cfg(feature = "record")]
    pub(crate) record: Option<Recording>,
}

/// Where the rate limit's window reads the time (see [`MockConfig::monotonic`]).
pub(crate) type Monotonic = Arc<dyn Fn() -> Duration + Send + Sync>;

impl MockConfig {
    /// The defaults: the demo credentials ([`demo_credentials`]), the demo fixtures
    /// ([`Fixtures::demo`]), the built-in endpoints ([`Endpoints::builtin`]), `127.0.0.1` on a
    /// free port, a skew window of ±300 s, the system
    /// clock, canonical answers, plain HTTP, no observer.
    pub fn new() -> Self {
        MockConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            credentials: demo_credentials(),
            fixtures: Fixtures::demo(),
            messy: false,
            endpoints: Endpoints::builtin(),
            tls: false,
            skew: DEFAULT_SKEW,
            clock: Arc::new(SystemClock),
            observer: None,
            log_bytes: DEFAULT_LOG_BYTES,
            limits: Limits::default(),
            strict: false,
            allow_replay: false,
            qps: 0,
            monotonic: since_start(),
            #[cfg(feature = "record")]
            record: None,
        }
    }

    /// Listens on `addr` (port 0: a free port, see [`MockServer::addr`](crate::MockServer::addr)).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Accepts requests signed with these credentials only.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Serves this data instead of the demo data.
    pub fn fixtures(mut self, fixtures: Fixtures) -> Self {
        self.fixtures = fixtures;
        self
    }

    /// Writes answers the way real gateways do (numbers as strings and back, `""`/`null` for
    /// absent values, unknown extra fields, `"status":"true"`, `"code":"0"`), decoding to
    /// exactly the same values as the canonical answers. Deterministic per request: the
    /// changes are drawn from a generator seeded with the request's nonce.
    pub fn messy(mut self, yes: bool) -> Self {
        self.messy = yes;
        self
    }

    /// Serves the endpoints of this table instead of the built-in ones (start from
    /// [`Endpoints::builtin`] to add yours to them).
    pub fn endpoints(mut self, endpoints: Endpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// Serves HTTPS with a self-signed certificate generated at start for `localhost`,
    /// `127.0.0.1` and `::1` (see [`MockServer::certificate_der`](crate::MockServer::certificate_der)).
    pub fn tls(mut self, yes: bool) -> Self {
        self.tls = yes;
        self
    }

    /// Accepts timestamps at most `window` away from the mock's clock (default ±300 s); nonces
    /// are remembered for as long.
    pub fn skew(mut self, window: Duration) -> Self {
        self.skew = window;
        self
    }

    /// Reads the time from `clock` (default: the system clock) for the timestamp check and
    /// for coupon validity.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Calls `f` once per request, after the verdict (and before any injected delay), e.g.
    /// to print `entry` (its `Display` is one line). Called on the server's thread: keep it
    /// quick.
    pub fn observer(mut self, f: impl Fn(&LogEntry) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(f));
        self
    }
}

impl MockConfig {
    /// Keeps at most about `bytes` of request log (default 16 MiB): the oldest entries are
    /// dropped to make room (see [`MockServer::log`](crate::MockServer::log)); 0 keeps none.
    pub fn log_capacity(mut self, bytes: usize) -> Self {
        self.log_bytes = bytes;
        self
    }

    /// Gives a client `timeout` (default [`DEFAULT_HEADER_TIMEOUT`](crate::DEFAULT_HEADER_TIMEOUT),
    /// 5 s) to send its first request head once connected (TLS handshake included), and a
    /// request's body once its head is in; a connection past it is closed (a late body fails
    /// the `json` check). Half-sent requests cannot hold the server's connections for longer.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_timeout = timeout;
        self
    }

    /// Closes a connection that has had no request in flight for `timeout` (default
    /// [`DEFAULT_IDLE_TIMEOUT`](crate::DEFAULT_IDLE_TIMEOUT), 30 s): idle keep-alive
    /// connections, and any later request head that is not complete in time.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// Holds at most `max` connections at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`](crate::DEFAULT_MAX_CONNECTIONS), 256; at least 1): further
    /// clients wait in the listen queue until a connection ends, so the mock never runs out
    /// of file descriptors on its clients' account. Keep it below the process's descriptor
    /// limit.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max.max(1);
        self
    }
}

impl MockConfig {
    /// Accepts only what the vendor pages document (default: also what the field shows the
    /// gateway accepts): `timestamp` and `nonce` as decimal strings (not JSON numbers), the
    /// token exactly as PHP `urlencode` writes it (`%2B`, `%2F`, `%3D`; not another
    /// encoder's form, not the bare base64), `Content-Type: application/json` without
    /// parameters, no envelope keys besides the documented ones, `params` an object, and on
    /// a catalogued endpoint params that pass
    /// [`Entry::check_params`](zv_types::catalogue::Entry::check_params) (refused with the
    /// gateway's [`PARAMS_ERROR_CODE`](crate::PARAMS_ERROR_CODE) 参数错误 naming the
    /// problems). Every refusal names what was off. See the [crate docs](crate#checks).
    pub fn strict(mut self, yes: bool) -> Self {
        self.strict = yes;
        self
    }

    /// Accepts a nonce used again within the window (default: refused as a replay, check
    /// `nonce`). The field suggests the real gateway may not refuse replays (one public
    /// client signs every call with the same nonce); turn this on to behave like that.
    pub fn allow_replay(mut self, yes: bool) -> Self {
        self.allow_replay = yes;
        self
    }

    /// Simulates the documented per-interface rate limit: at most `n` verified requests per
    /// route (a V3 path or a V2 `Action`) in any one-second window; the excess gets HTTP 429
    /// with the platform error [`THROTTLED_CODE`](crate::THROTTLED_CODE) ("…限流…") and is
    /// logged as [`Verdict::Throttled`](crate::Verdict::Throttled). 0 (the default) is no
    /// limit. Only requests answered count toward the window.
    pub fn qps(mut self, n: u32) -> Self {
        self.qps = n;
        self
    }

    /// Reads the time the rate limit's window is measured on from `now`, a monotonic
    /// duration (default: the time since the mock started), e.g. to step it in a test.
    pub fn monotonic(mut self, now: impl Fn() -> Duration + Send + Sync + 'static) -> Self {
        self.monotonic = Arc::new(now);
        self
    }

    /// Runs as a recording proxy instead of serving the endpoint table: every verified
    /// request is signed again with the recording's credentials, forwarded to its upstream,
    /// answered with the upstream's answer unchanged, and appended to its file as a stub
    /// (see [`Recording`]).
    #[cfg(feature = "record")]
    pub fn record(mut self, recording: Recording) -> Self {
        self.record = Some(recording);
        self
    }
}

/// The default monotonic time: since this call.
fn since_start() -> Monotonic {
    let start = std::time::Instant::now();
    Arc::new(move || start.elapsed())
}

impl Default for MockConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("MockConfig");
        f.field("addr", &self.addr)
            .field("credentials", &self.credentials)
            .field("members", &self.fixtures.members.len())
            .field("exchange_codes", &self.fixtures.exchange_codes.len())
            .field("messy", &self.messy)
            .field("endpoints", &self.endpoints)
            .field("tls", &self.tls)
            .field("skew", &self.skew)
            .field("clock_now", &self.clock.now_unix_seconds())
            .field("observer", &self.observer.is_some())
            .field("log_bytes", &self.log_bytes)
            .field("limits", &self.limits)
            .field("strict", &self.strict)
            .field("allow_replay", &self.allow_replay)
            .field("qps", &self.qps);
        #[cfg(feature = "record")]
        f.field("record", &self.record);
        f.finish()
    }
}
