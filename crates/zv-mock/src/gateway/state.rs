//! [`Gateway`]: the state of the mock's handling of requests, shared by the server's
//! connections, the [`MockServer`](crate::MockServer) handle and the
//! [`Verifier`](crate::Verifier): the checks' policy and nonces, the endpoint table,
//! fixtures, faults, the rate limit and the request log.

use std::sync::Mutex;

use zv_sign::Signer;

use super::checks::Policy;
use super::config::{MockConfig, Monotonic, Observer};
use super::endpoints::Endpoints;
use super::faults::Faults;
use super::nonces::NonceStore;
use super::rate::RateLimit;
use crate::model::{Fixtures, Log, LogEntry, Verdict, lock};

/// The state of the mock's handling of requests.
pub(crate) struct Gateway {
    /// What the checks hold a request to.
    pub(crate) policy: Policy,
    pub(crate) nonces: Mutex<NonceStore>,
    pub(crate) rate: Mutex<RateLimit>,
    pub(crate) monotonic: Monotonic,
    pub(crate) messy: bool,
    pub(crate) endpoints: Endpoints,
    pub(crate) observer: Option<Observer>,
    pub(crate) fixtures: Mutex<Fixtures>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) log: Mutex<Log>,
}

impl Gateway {
    /// The state of a mock configured with `config` (its address, TLS, connection limits and
    /// recording are the server's).
    pub(crate) fn new(config: MockConfig) -> Gateway {
        Gateway {
            policy: Policy {
                signer: Signer::new(&config.credentials),
                credentials: config.credentials,
                clock: config.clock,
                skew: config.skew,
                strict: config.strict,
                allow_replay: config.allow_replay,
                content_type_required: false,
            },
            nonces: Mutex::default(),
            rate: Mutex::new(RateLimit::new(config.qps)),
            monotonic: config.monotonic,
            messy: config.messy,
            endpoints: config.endpoints,
            observer: config.observer,
            fixtures: Mutex::new(config.fixtures),
            faults: Mutex::default(),
            log: Mutex::new(Log::new(config.log_bytes)),
        }
    }

    /// The requests logged so far (the newest that fit the log's capacity).
    pub(crate) fn log(&self) -> Vec<LogEntry> {
        lock(&self.log).entries().cloned().collect()
    }

    /// A fresh `traceId`: 32 random hex digits.
    pub(crate) fn trace_id(&self) -> String {
        format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
    }

    /// Records a request: a summary of it (see [`LogEntry::summarize`]) goes to the log, a
    /// `tracing` event and the observer.
    pub(crate) fn record(&self, mut entry: LogEntry) {
        entry.summarize();
        match &entry.verdict {
            Verdict::Ok => tracing::info!(
                target: "zv_mock",
                method = %entry.method,
                path = %entry.path,
                action = entry.action.as_deref(),
                nonce = entry.nonce,
                fault = entry.fault.as_deref(),
                http_status = entry.http_status,
                "{entry}"
            ),
            Verdict::Throttled { limit } => tracing::warn!(
                target: "zv_mock",
                method = %entry.method,
                path = %entry.path,
                action = entry.action.as_deref(),
                nonce = entry.nonce,
                limit,
                "{entry}"
            ),
            Verdict::Rejected { check, .. } => tracing::warn!(
                target: "zv_mock",
                method = %entry.method,
                path = %entry.path,
                action = entry.action.as_deref(),
                nonce = entry.nonce,
                check = %check,
                code = check.code(),
                "{entry}"
            ),
        }
        if let Some(observer) = &self.observer {
            observer(&entry);
        }
        lock(&self.log).push(entry);
    }
}
