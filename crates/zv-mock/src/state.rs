//! The state shared by the server's connections and the [`MockServer`](crate::MockServer)
//! handle: configuration, fixtures, faults, seen nonces and the request log.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use zv_sign::{Clock, Credentials, Signer};

use crate::config::Monotonic;
use crate::fault::Faults;
use crate::rate::RateLimit;
use crate::record::Recorder;
use crate::{Endpoints, Fixtures, LogEntry, MockConfig, Verdict};

/// The observer callback of [`MockConfig::observer`](crate::MockConfig::observer).
pub(crate) type Observer = Arc<dyn Fn(&LogEntry) + Send + Sync>;

/// The default capacity of the request log, in bytes (16 MiB).
pub(crate) const DEFAULT_LOG_BYTES: usize = 16 << 20;

/// The most nonces remembered per `openId` (the oldest are dropped beyond this).
const MAX_NONCES: usize = 200_000;

/// Completes once `stop` reads `true` (or its sender is gone).
pub(crate) async fn stopped(mut stop: watch::Receiver<bool>) {
    // The borrow guard `wait_for` returns is dropped here, not held across an await.
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Locks a mutex, ignoring poisoning: every critical section here leaves its data
/// consistent, so a panic elsewhere (say, in an observer) must not take the server down.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) struct Shared {
    pub(crate) credentials: Credentials,
    /// Only the documented wire form ([`MockConfig::strict`](crate::MockConfig::strict)).
    pub(crate) strict: bool,
    /// Replayed nonces pass ([`MockConfig::allow_replay`](crate::MockConfig::allow_replay)).
    pub(crate) allow_replay: bool,
    pub(crate) rate: Mutex<RateLimit>,
    pub(crate) monotonic: Monotonic,
    /// The recording proxy, when recording.
    pub(crate) recorder: Option<Recorder>,
    pub(crate) signer: Signer,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) skew: Duration,
    pub(crate) messy: bool,
    pub(crate) endpoints: Endpoints,
    pub(crate) observer: Option<Observer>,
    pub(crate) fixtures: Mutex<Fixtures>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) nonces: Mutex<NonceStore>,
    pub(crate) log: Mutex<Log>,
    /// How long a request's body may take to arrive once its head is in.
    pub(crate) header_timeout: Duration,
    /// Becomes `true` when the server shuts down (ends delays and huge bodies early).
    pub(crate) stop: watch::Receiver<bool>,
}

impl Shared {
    /// The state of a mock configured with `config` (whose recording, if any, is `recorder`,
    /// already opened), stopping when `stop` reads `true`.
    pub(crate) fn new(config: MockConfig, recorder: Option<Recorder>, stop: watch::Receiver<bool>) -> Shared {
        Shared {
            strict: config.strict,
            allow_replay: config.allow_replay,
            rate: Mutex::new(RateLimit::new(config.qps)),
            monotonic: config.monotonic,
            recorder,
            signer: Signer::new(&config.credentials),
            credentials: config.credentials,
            clock: config.clock,
            skew: config.skew,
            messy: config.messy,
            endpoints: config.endpoints,
            observer: config.observer,
            fixtures: Mutex::new(config.fixtures),
            faults: Mutex::default(),
            nonces: Mutex::default(),
            log: Mutex::new(Log::new(config.log_bytes)),
            header_timeout: config.limits.header_timeout,
            stop,
        }
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
    fn push(&mut self, mut entry: LogEntry) {
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

/// The nonces seen per `openId`, with the timestamp of the request that used each.
///
/// A replayed request carries the same signed timestamp as the original, so once that
/// timestamp is older than the skew window the timestamp check rejects the replay anyway:
/// entries older than the window are purged, which keeps the store bounded by the number of
/// requests in one window (and by a hard cap).
#[derive(Debug, Default)]
pub(crate) struct NonceStore {
    per_open_id: HashMap<String, Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    by_nonce: HashMap<u64, u64>,
    by_time: BTreeSet<(u64, u64)>,
}

impl NonceStore {
    /// Records `nonce` for `open_id`; `false` if it was already seen within the window
    /// (a replay).
    pub(crate) fn record(
        &mut self,
        open_id: &str,
        nonce: u64,
        timestamp: u64,
        now: u64,
        window: u64,
    ) -> bool {
        let seen = match self.per_open_id.get_mut(open_id) {
            Some(seen) => seen,
            None => self.per_open_id.entry(open_id.to_owned()).or_default(),
        };
        let horizon = now.saturating_sub(window);
        while let Some(&(ts, old)) = seen.by_time.first() {
            if ts >= horizon && seen.by_time.len() < MAX_NONCES {
                break;
            }
            seen.by_time.pop_first();
            seen.by_nonce.remove(&old);
        }
        if seen.by_nonce.contains_key(&nonce) {
            return false;
        }
        seen.by_nonce.insert(nonce, timestamp);
        seen.by_time.insert((timestamp, nonce));
        true
    }

    #[cfg(test)]
    fn len(&self, open_id: &str) -> usize {
        self.per_open_id.get(open_id).map_or(0, |s| s.by_nonce.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn replays_are_caught_and_old_nonces_purged() {
        let mut s = NonceStore::default();
        assert!(s.record("a", 1, 1000, 1000, 300));
        assert!(!s.record("a", 1, 1000, 1001, 300));
        assert!(!s.record("a", 1, 1200, 1200, 300), "same nonce, new timestamp: still a replay");
        assert!(s.record("b", 1, 1000, 1001, 300), "nonces are per openId");
        assert!(s.record("a", 2, 1100, 1100, 300));
        assert_eq!(s.len("a"), 2);
        // At 1350 the entry of timestamp 1000 is out of the window: purged.
        assert!(s.record("a", 3, 1350, 1350, 300));
        assert_eq!(s.len("a"), 2);
        assert!(s.record("a", 1, 1350, 1350, 300));
    }
}
