//! Shared fixtures of the integration suite: a zv-mock gateway in strict mode and both
//! clients pointed at it.

use std::time::Duration;

use zv_api::RetryPolicy;
use zv_mock::{MockConfig, MockServer};

/// Which client a scenario runs through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `zv_api::blocking::Client` over ureq.
    BlockingUreq,
    /// `zv_api::Client` over reqwest.
    AsyncReqwest,
}

/// Both backends, for `for backend in BACKENDS`.
pub const BACKENDS: [Backend; 2] = [Backend::BlockingUreq, Backend::AsyncReqwest];

/// A fast retry policy so retry scenarios stay quick (real sleeps, short delays).
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

/// A running mock, both clients configured for it, and a runtime for the async one.
pub struct Env {
    /// The gateway.
    pub mock: MockServer,
    /// The blocking client.
    pub blocking: zv_api::blocking::Client,
    /// The async client.
    pub asynch: zv_api::Client,
    /// Runs the async client's futures.
    pub rt: tokio::runtime::Runtime,
}

impl Env {
    /// A mock with `config` and default clients for it.
    pub fn new(config: MockConfig) -> Env {
        Env::with(config, |b| b, |b| b)
    }

    /// A mock with `config` in strict mode (only the documented wire form passes: the SDK
    /// must send exactly that) and clients adjusted by the two closures.
    pub fn with(
        config: MockConfig,
        blocking: impl FnOnce(zv_api::ClientBuilder<zv_api::Blocking>) -> zv_api::ClientBuilder<zv_api::Blocking>,
        asynch: impl FnOnce(zv_api::ClientBuilder<zv_api::Async>) -> zv_api::ClientBuilder<zv_api::Async>,
    ) -> Env {
        let mock = MockServer::start(config.strict(true)).expect("mock starts");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let der = mock.certificate_der();
        let b = zv_api::blocking::Client::builder()
            .base_url(mock.base_url())
            .credentials(mock.credentials().clone())
            .retry_policy(fast_retries());
        let a = zv_api::Client::builder()
            .base_url(mock.base_url())
            .credentials(mock.credentials().clone())
            .retry_policy(fast_retries());
        let (b, a) = match der {
            Some(der) => (b.add_root_certificate(der.clone()), a.add_root_certificate(der)),
            None => (b, a),
        };
        let blocking = blocking(b).build().expect("blocking client");
        let asynch = {
            let _guard = rt.enter();
            asynch(a).build().expect("async client")
        };
        Env { mock, blocking, asynch, rt }
    }
}

/// Calls a client method through the chosen backend: `call!(env, backend, gift_cards(&p))`.
#[macro_export]
macro_rules! call {
    ($env:expr, $backend:expr, $method:ident($($arg:expr),*)) => {
        match $backend {
            $crate::Backend::BlockingUreq => $env.blocking.$method($($arg),*),
            $crate::Backend::AsyncReqwest => $env.rt.block_on($env.asynch.$method($($arg),*)),
        }
    };
}

/// The peak resident memory of this process so far, in KiB (Linux `VmHWM`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
