//! [`Recording`]: what a recording session forwards to and records in (the proxy itself is
//! the `record` module's).

use std::fmt;
use std::path::PathBuf;

use zv_sign::Credentials;

/// The system code of a write the recording proxy did not forward (it was not started to
/// forward writes), the mock's own.
pub const WRITE_REFUSED_CODE: i64 = 40300;
/// The system code (with HTTP 502) of a request the recording proxy could not get an answer
/// to from its upstream (connection refused, timeout, …), the mock's own.
pub const UPSTREAM_FAILED_CODE: i64 = 50200;

/// What a recording session forwards to and records in: the stubs file, the upstream
/// gateway's base URL and the real credentials requests are signed again with (see
/// [`MockConfig::record`](crate::MockConfig::record)).
///
/// Clients sign with the mock's own credentials; the mock verifies them as always, signs
/// the same params again with these credentials, forwards the request to the upstream with
/// the SDK's blocking client (no retries: the mock's client retries if it wants to), answers
/// with the upstream's answer unchanged (status, `Content-Type`, body), and appends the
/// exchange to the file as a stub — the params as `match`, then the `data` or the `error` —
/// so that `zv mock --stubs FILE` replays it. An answer that is not the platform's envelope
/// (an HTML error page, say) is passed on but not recorded, nor is a request whose params
/// are not an object, nor one already recorded with the same params.
///
/// The file never holds a key, a token, or the upstream's `openId` or `grantCode`: the
/// envelope is not recorded, and any of these credentials found in the params or the
/// answer is replaced with `[redacted]` (the exchange is left out if it cannot be).
///
/// Only reads are forwarded unless [`forward_writes`](Recording::forward_writes) says
/// otherwise, so a recording session cannot change production data by accident: whether a
/// route is a read comes from the [catalogue](zv_types::catalogue), and a route it does not
/// know is taken for a write. A write not forwarded gets the system error
/// [`WRITE_REFUSED_CODE`] saying so.
///
/// `Debug` shows the file, the upstream and whether writes are forwarded, never the
/// credentials.
///
/// ```no_run
/// use zv_mock::{MockConfig, MockServer, Recording};
///
/// let real = zv_sign::Credentials::new("open-id", "grant-code", std::env::var("ZV_OPEN_KEY")?);
/// let recording = Recording::new("recorded.json", "https://openapi.qmai.cn", real);
/// let mock = MockServer::start(MockConfig::new().record(recording))?;
/// // Point the app under test at mock.base_url(), signing with mock.credentials().
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Recording {
    pub(crate) file: PathBuf,
    pub(crate) upstream: String,
    pub(crate) credentials: Credentials,
    pub(crate) writes: bool,
}

impl Recording {
    /// Records to `file` (created, or appended to when it holds stubs already) what
    /// `upstream` (a base URL such as `https://openapi.qmai.cn`) answers to requests signed
    /// with `credentials`. Reads only.
    pub fn new(file: impl Into<PathBuf>, upstream: impl Into<String>, credentials: Credentials) -> Self {
        Recording { file: file.into(), upstream: upstream.into(), credentials, writes: false }
    }

    /// Forwards writes too (a catalogued write, or a route the catalogue does not know):
    /// they change the upstream's data.
    pub fn forward_writes(mut self, yes: bool) -> Self {
        self.writes = yes;
        self
    }
}

impl fmt::Debug for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording")
            .field("file", &self.file)
            .field("upstream", &self.upstream)
            .field("forward_writes", &self.writes)
            .finish_non_exhaustive()
    }
}
