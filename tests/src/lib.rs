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

/// The backoff jitter of the [`Env`] clients: fixed, so their waits are the same every run.
pub const JITTER: f64 = 0.5;

/// A fast retry policy so retry scenarios stay quick (real sleeps, short delays).
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        throttle_spread: Duration::from_millis(10),
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
        // A fixed jitter: every backoff the same from run to run.
        let b = zv_api::blocking::Client::builder()
            .base_url(mock.base_url())
            .credentials(mock.credentials().clone())
            .retry_policy(fast_retries())
            .jitter(|| JITTER);
        let a = zv_api::Client::builder()
            .base_url(mock.base_url())
            .credentials(mock.credentials().clone())
            .retry_policy(fast_retries())
            .jitter(|| JITTER);
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

/// Virtual time for clients that run "at once": a discrete-event schedule in which exactly
/// one participant runs at a time, time moves only when every participant is asleep (to the
/// earliest wake-up; ties go to the lower id), and nothing really sleeps. Clients driven by
/// it — each on its own thread, sleeping through [`VirtualTime::sleep`], their rate limiters
/// and a mock's window reading [`VirtualTime::now`] — behave exactly as parallel processes
/// would, and deterministically: the same seeds give the same run.
#[derive(Debug)]
pub struct VirtualTime {
    state: std::sync::Mutex<Schedule>,
    turn: std::sync::Condvar,
}

#[derive(Debug)]
struct Schedule {
    now: Duration,
    /// Participants that have not yet joined; nothing runs until all have.
    to_join: usize,
    running: Option<usize>,
    asleep: std::collections::BTreeSet<(Duration, usize)>,
}

impl VirtualTime {
    /// A schedule for `participants` participants, at time zero.
    pub fn new(participants: usize) -> std::sync::Arc<VirtualTime> {
        std::sync::Arc::new(VirtualTime {
            state: std::sync::Mutex::new(Schedule {
                now: Duration::ZERO,
                to_join: participants,
                running: None,
                asleep: std::collections::BTreeSet::new(),
            }),
            turn: std::sync::Condvar::new(),
        })
    }

    /// The virtual time since the start.
    pub fn now(&self) -> Duration {
        self.lock().now
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Gives the turn to the earliest sleeper when nobody runs and everyone has joined.
    fn schedule(&self, s: &mut Schedule) {
        if s.running.is_none()
            && s.to_join == 0
            && let Some((at, id)) = s.asleep.pop_first()
        {
            s.now = s.now.max(at);
            s.running = Some(id);
            self.turn.notify_all();
        }
    }

    /// Participant `id` sleeps for `d` of virtual time: it gives up its turn and gets one
    /// again when its time comes.
    pub fn sleep(&self, id: usize, d: Duration) {
        let mut s = self.lock();
        let at = s.now.saturating_add(d);
        s.asleep.insert((at, id));
        if s.running == Some(id) {
            s.running = None;
        }
        self.schedule(&mut s);
        // A participant that never gets its turn back means a deadlock in the test itself:
        // fail loudly instead of hanging (a real minute; no run comes near it).
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while s.running != Some(id) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            assert!(!left.is_zero(), "virtual time: participant {id} never got its turn");
            s = self.turn.wait_timeout(s, left).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
    }

    /// Sleeps for `d` of virtual time as the participant running on this thread (inside
    /// [`VirtualTime::run`]): a sleeper shared by the threads of one client.
    pub fn sleep_here(&self, d: Duration) {
        let id = PARTICIPANT.with(std::cell::Cell::get).expect("sleep_here outside VirtualTime::run");
        self.sleep(id, d);
    }

    /// Runs `f` as participant `id`, from time zero: `f` starts when every participant has
    /// joined and its turn comes, and gives its turn up when it returns (or panics).
    pub fn run<T>(&self, id: usize, f: impl FnOnce() -> T) -> T {
        struct Leave<'a>(&'a VirtualTime, usize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                let mut s = self.0.lock();
                if s.running == Some(self.1) {
                    s.running = None;
                }
                self.0.schedule(&mut s);
            }
        }
        {
            let mut s = self.lock();
            s.to_join = s.to_join.saturating_sub(1);
        }
        PARTICIPANT.with(|p| p.set(Some(id)));
        self.sleep(id, Duration::ZERO);
        let _leave = Leave(self, id);
        f()
    }
}

thread_local! {
    /// The participant of [`VirtualTime::run`] on this thread.
    static PARTICIPANT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

impl zv_api::limit::MonotonicClock for VirtualTime {
    fn elapsed(&self) -> Duration {
        self.now()
    }
}

/// A deterministic source of jitter in `[0, 1)` from `seed` (SplitMix64), for clients that
/// must differ from one another yet give the same run every time.
pub fn seeded_jitter(seed: u64) -> impl Fn() -> f64 + Send + Sync + 'static {
    let state = std::sync::atomic::AtomicU64::new(seed);
    move || {
        let mut z = state
            .fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
