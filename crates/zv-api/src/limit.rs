//! Rate limits per path and the cap on calls in flight, decided without I/O.
//!
//! The gateway allows each interface about 10 requests a second (the vendor's documented
//! limit) and answers a burst above it with a throttle error. A client therefore spaces its
//! attempts per path: [`RateLimit::per_second(10)`](RateLimit::per_second) (the default)
//! lets an attempt go every 100 ms, so **no one-second window ever holds more than 10
//! attempts to one path**, and none are wasted under steady demand.
//!
//! The decision is a pure function of a monotonic clock that is injected
//! ([`MonotonicClock`]; [`ManualClock`] in tests): [`Gcra::reserve`] takes the next slot of
//! a path and says how long to wait for it. The [`Limiter`] keeps one [`Gcra`] per path
//! behind an `Arc`, so the clones of a client share it. The clients do the waiting with
//! their own sleepers (the blocking `Sleeper`, the async `AsyncSleeper`): the limiter
//! itself never sleeps, never spawns and needs no runtime.
//!
//! Every attempt takes a slot, retries included: the gateway counts a retry like any call.
//!
//! ```
//! use std::time::Duration;
//! use zv_api::limit::{Limiter, Limits, ManualClock, RateLimit};
//! use zv_types::Route;
//!
//! let clock = ManualClock::new();
//! let limiter = Limiter::new(&Limits::default(), clock.clone())?;
//! let route = Route::v3("crm/giftCard/getCustomerGiftCardList")?;
//! assert_eq!(limiter.limit_for(route), Some(RateLimit::per_second(10)));
//! assert_eq!(limiter.reserve(route), Duration::ZERO); // the first goes at once
//! assert_eq!(limiter.reserve(route), Duration::from_millis(105)); // the next in 105 ms
//! clock.advance(Duration::from_millis(105));
//! assert_eq!(limiter.reserve(route), Duration::from_millis(105)); // one slot still ahead
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Why not the `governor` crate: its `Quota::per_second(n)` allows a burst of `n` (up to
//! `2n − 1` attempts in a one-second window) and rounds its interval down (so `n` that does
//! not divide a second lets `n + 1` through), its check refuses instead of reserving (every
//! waiter wakes at the same instant and races again), its async wait brings its own timer
//! instead of the client's sleeper, and its keyed limiter has one quota for all keys. What
//! is left to reuse is the dozen lines of GCRA arithmetic in [`Gcra::reserve`].
//!
//! The cap on calls in flight is a counting semaphore on `event-listener` (whose listeners
//! can be waited on by a thread or awaited by a task), not `async-lock`'s `Semaphore`: that
//! one wakes a waiter with `notify(1)`, which counts a waiter already woken, so two places
//! given back in quick succession wake one waiter and leave a place free while the others
//! sleep (reproduced by this crate's cap tests). Here each place given back wakes one more
//! waiter (`notify_additional`).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use event_listener::{Event, EventListener, Listener};
use zv_types::{Protocol, Route};

use crate::error::ConfigError;

/// The default number of attempts per second to each path: the vendor's documented limit.
pub const DEFAULT_PER_SECOND: u32 = 10;

/// How fast attempts to one path may go: `per_second` a second, evenly spaced, or unlimited.
///
/// With the default burst of 1, attempts are at least `1 s / per_second` apart (rounded up
/// to the nanosecond), so no one-second window holds more than `per_second` of them. A
/// burst `b > 1` lets `b` go back to back after a quiet spell (the rate over time is
/// unchanged), and a one-second window may then hold up to `per_second + b − 1`.
///
/// **The guard.** The gateway counts requests as they *arrive*, and a request's trip varies:
/// sent exactly `1 s / n` apart, a call that travels faster than the one `n` calls before it
/// arrives inside that one's second, and is throttled. Against `zv mock --qps 10` (a sliding
/// window, as the gateway's is said to be), a batch of 200 sent exactly 100 ms apart had 16
/// to 18 calls throttled. So the `n` attempts of a window are spread over a second plus a
/// guard ([`DEFAULT_GUARD`], 50 ms: 105 ms apart at 10 a second), which absorbs up to that
/// much jitter; [`with_guard`](Self::with_guard) changes it (`Duration::ZERO`: exactly
/// `1 s / n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    rate: Rate,
    burst: u32,
    guard: Duration,
}

/// The time added to each one-second window (see [`RateLimit`]): trips to the gateway that
/// differ by up to this much never bunch `n + 1` arrivals into one second.
pub const DEFAULT_GUARD: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Rate {
    Unlimited,
    PerSecond(u32),
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::DEFAULT
    }
}

impl RateLimit {
    /// [`DEFAULT_PER_SECOND`] (10) a second, evenly spaced.
    pub const DEFAULT: RateLimit = RateLimit::per_second(DEFAULT_PER_SECOND);

    /// At most `n` attempts a second, evenly spaced. `0` is refused when the client is
    /// built ([`ConfigError::InvalidRateLimit`]); to switch limiting off use
    /// [`RateLimit::unlimited`] or the builder's `no_rate_limit()`.
    pub const fn per_second(n: u32) -> RateLimit {
        RateLimit { rate: Rate::PerSecond(n), burst: 1, guard: DEFAULT_GUARD }
    }

    /// No limit: attempts never wait.
    pub const fn unlimited() -> RateLimit {
        RateLimit { rate: Rate::Unlimited, burst: 1, guard: DEFAULT_GUARD }
    }

    /// Lets `burst` attempts go back to back after a quiet spell (default 1; `0` is
    /// refused when the client is built). See the type's documentation for what it does to
    /// a one-second window.
    pub const fn with_burst(mut self, burst: u32) -> RateLimit {
        self.burst = burst;
        self
    }

    /// Spreads the attempts of each one-second window over a second plus `guard` (default
    /// [`DEFAULT_GUARD`]); `Duration::ZERO` spaces them exactly `1 s / n` apart.
    pub const fn with_guard(mut self, guard: Duration) -> RateLimit {
        self.guard = guard;
        self
    }

    /// The time added to each one-second window.
    pub const fn guard(&self) -> Duration {
        self.guard
    }

    /// The attempts allowed per second; `None` when unlimited.
    pub const fn per_second_quota(&self) -> Option<u32> {
        match self.rate {
            Rate::Unlimited => None,
            Rate::PerSecond(n) => Some(n),
        }
    }

    /// How many attempts may go back to back.
    pub const fn burst(&self) -> u32 {
        self.burst
    }

    /// Whether this limit never makes an attempt wait.
    pub const fn is_unlimited(&self) -> bool {
        matches!(self.rate, Rate::Unlimited)
    }

    /// The spacing between attempts: a second plus the [guard](Self::guard), divided by
    /// `per_second`, rounded *up* to the nanosecond (so `per_second` intervals always cover a
    /// whole second); zero when unlimited, [`Duration::MAX`] for the refused rate of 0.
    ///
    /// ```
    /// use std::time::Duration;
    /// use zv_api::limit::RateLimit;
    /// assert_eq!(RateLimit::per_second(10).interval(), Duration::from_millis(105));
    /// let exact = Duration::ZERO;
    /// assert_eq!(RateLimit::per_second(10).with_guard(exact).interval(), Duration::from_millis(100));
    /// assert_eq!(RateLimit::per_second(3).with_guard(exact).interval(), Duration::from_nanos(333_333_334));
    /// assert_eq!(RateLimit::unlimited().interval(), Duration::ZERO);
    /// ```
    pub const fn interval(&self) -> Duration {
        match self.rate {
            Rate::Unlimited => Duration::ZERO,
            Rate::PerSecond(0) => Duration::MAX,
            Rate::PerSecond(n) => {
                let window = 1_000_000_000u64.saturating_add(self.guard.as_nanos() as u64);
                Duration::from_nanos(window.div_ceil(n as u64))
            }
        }
    }

    /// Why this limit cannot be used, if it cannot.
    fn problem(&self) -> Option<&'static str> {
        match (self.rate, self.burst) {
            (Rate::PerSecond(0), _) => {
                Some("a rate of 0 per second lets nothing through (switch limiting off instead)")
            }
            (_, 0) => Some("a burst of 0 lets nothing through (the smallest burst is 1)"),
            _ => None,
        }
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rate {
            Rate::Unlimited => f.write_str("unlimited"),
            Rate::PerSecond(n) if self.burst == 1 => write!(f, "{n}/s"),
            Rate::PerSecond(n) => write!(f, "{n}/s, burst {}", self.burst),
        }
    }
}

/// One path's limiter state (GCRA: the generic cell rate algorithm), a pure function of
/// the times it is given.
///
/// It keeps the theoretical arrival time of the next attempt. [`reserve`](Self::reserve)
/// books the earliest slot that keeps to the limit and returns how long until it: a
/// reservation, so concurrent callers each wait once, in the order they asked, and a
/// steady caller wastes no slot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gcra {
    /// When the next attempt would be exactly on schedule (time since the clock's origin).
    tat: Duration,
}

impl Gcra {
    /// Books the next attempt under `limit` at time `now` (since the clock's origin) and
    /// returns how long to wait before sending it (zero: at once).
    ///
    /// Total: any times and limits give an answer, never a panic (arithmetic saturates).
    ///
    /// ```
    /// use std::time::Duration;
    /// use zv_api::limit::{Gcra, RateLimit};
    /// let (mut g, ten, ms) = (Gcra::default(), RateLimit::per_second(10), Duration::from_millis);
    /// assert_eq!(g.reserve(&ten, ms(0)), ms(0));
    /// assert_eq!(g.reserve(&ten, ms(30)), ms(75)); // booked for 105 ms (100 ms and the guard)
    /// assert_eq!(g.reserve(&ten, ms(500)), ms(0)); // after a quiet spell, at once
    /// ```
    pub fn reserve(&mut self, limit: &RateLimit, now: Duration) -> Duration {
        let interval = limit.interval();
        if interval.is_zero() {
            return Duration::ZERO;
        }
        // With a burst of b, an attempt may come up to (b − 1) intervals ahead of schedule.
        let tolerance = interval.saturating_mul(limit.burst.saturating_sub(1));
        let slot = now.max(self.tat.saturating_sub(tolerance));
        self.tat = self.tat.max(slot).saturating_add(interval);
        slot - now
    }

    /// Whether this state is no different from a fresh one at `now` (its schedule is past).
    fn is_idle(&self, now: Duration) -> bool {
        self.tat <= now
    }
}

/// A monotonic clock for the limiter: the time since a fixed origin of the clock's choice.
/// Injected like the signing clock, so tests decide what time it is.
pub trait MonotonicClock: Send + Sync {
    /// The time elapsed since this clock's origin; never less than an earlier reading.
    fn elapsed(&self) -> Duration;
}

impl<C: MonotonicClock + ?Sized> MonotonicClock for Arc<C> {
    fn elapsed(&self) -> Duration {
        (**self).elapsed()
    }
}

/// The system's monotonic clock ([`Instant`]), counted from the moment it was made.
#[derive(Debug, Clone, Copy)]
pub struct SystemMonotonicClock {
    origin: Instant,
}

impl SystemMonotonicClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        SystemMonotonicClock { origin: Instant::now() }
    }
}

impl Default for SystemMonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl MonotonicClock for SystemMonotonicClock {
    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A clock that moves only when told to (tests). Clones share the time.
///
/// ```
/// use std::time::Duration;
/// use zv_api::limit::{ManualClock, MonotonicClock};
/// let clock = ManualClock::new();
/// let shared = clock.clone();
/// clock.advance(Duration::from_millis(250));
/// assert_eq!(shared.elapsed(), Duration::from_millis(250));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at its origin.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by` (saturating at about 584 years).
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self.nanos.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| Some(n.saturating_add(by)));
    }
}

impl MonotonicClock for ManualClock {
    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

/// What to limit: the rate of every path, the rates of some paths, the calls in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The limit of every path that has none of its own; `None`: those paths are not
    /// limited at all. Default: [`RateLimit::DEFAULT`].
    pub default: Option<RateLimit>,
    /// Limits of their own for some paths: a V3 path (`crm/x/y`, `/crm/x/y` or
    /// `/v3/crm/x/y`) or `v2:` and a V2 Action (`v2:coupon.user-coupon-list`). A later entry
    /// for the same path wins.
    pub per_path: Vec<(String, RateLimit)>,
    /// The most calls sending at once, all paths together; `None` (the default): no cap.
    pub max_in_flight: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { default: Some(RateLimit::DEFAULT), per_path: Vec::new(), max_in_flight: None }
    }
}

impl Limits {
    /// No rate limit on any path and no cap on calls in flight.
    pub fn off() -> Self {
        Limits { default: None, per_path: Vec::new(), max_in_flight: None }
    }
}

/// A map from routes, looked up without allocating.
#[derive(Debug, Clone)]
struct RouteMap<T> {
    v3: HashMap<String, T>,
    v2: HashMap<String, T>,
}

impl<T> Default for RouteMap<T> {
    fn default() -> Self {
        RouteMap { v3: HashMap::new(), v2: HashMap::new() }
    }
}

impl<T> RouteMap<T> {
    fn side(&mut self, protocol: Protocol) -> &mut HashMap<String, T> {
        match protocol {
            Protocol::V3 => &mut self.v3,
            Protocol::V2 => &mut self.v2,
        }
    }

    fn get(&self, route: Route<'_>) -> Option<&T> {
        match route.protocol() {
            Protocol::V3 => self.v3.get(route.name()),
            Protocol::V2 => self.v2.get(route.name()),
        }
    }

    fn len(&self) -> usize {
        self.v3.len() + self.v2.len()
    }
}

/// How many paths' states are kept before the idle ones are dropped (an idle state is the
/// same as a fresh one, so dropping it changes no decision).
const STATES_KEPT: usize = 1024;

/// The shared limiter of a client and its clones: a [`Gcra`] per path and the semaphore of
/// calls in flight. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Limiter {
    shared: Arc<Shared>,
}

struct Shared {
    default: Option<RateLimit>,
    per_route: RouteMap<RateLimit>,
    clock: Arc<dyn MonotonicClock>,
    states: Mutex<RouteMap<Gcra>>,
    in_flight: Option<Arc<InFlight>>,
}

impl fmt::Debug for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.shared;
        f.debug_struct("Limiter")
            .field("default", &s.default.map(|l| l.to_string()))
            .field("per_path", &s.per_route.len())
            .field("max_in_flight", &self.max_in_flight())
            .finish_non_exhaustive()
    }
}

/// The cap on calls in flight: a counting semaphore for threads and tasks alike.
#[derive(Debug)]
struct InFlight {
    max: usize,
    free: AtomicUsize,
    given_back: Event,
}

impl InFlight {
    fn try_take(self: &Arc<Self>) -> Option<InFlightPermit> {
        self.free
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |free| free.checked_sub(1))
            .ok()
            .map(|_| InFlightPermit { cap: self.clone() })
    }

    /// A place now, or a listener to wait on before trying again. Listening before the
    /// second try means a place given back in between is never missed.
    fn take_or_listen(self: &Arc<Self>) -> Result<InFlightPermit, EventListener> {
        if let Some(permit) = self.try_take() {
            return Ok(permit);
        }
        tracing::debug!(
            max_in_flight = self.max,
            "waiting for one of the {} calls in flight to finish",
            self.max
        );
        let listener = self.given_back.listen();
        // A listener dropped after being woken passes the wake-up on to another waiter.
        self.try_take().ok_or(listener)
    }
}

/// A place among the calls in flight, given back when dropped (also when the call's future
/// is dropped while it waits or sends).
#[derive(Debug)]
pub struct InFlightPermit {
    cap: Arc<InFlight>,
}

impl Drop for InFlightPermit {
    fn drop(&mut self) {
        self.cap.free.fetch_add(1, Ordering::AcqRel);
        // One more waiter than those already woken: two places given back wake two.
        self.cap.given_back.notify_additional(1);
    }
}

impl Limiter {
    /// A limiter for `limits` reading `clock`. Refuses a rate of 0, a burst of 0, a cap of
    /// 0 calls in flight and a path that is not a route, naming which.
    pub fn new(limits: &Limits, clock: impl MonotonicClock + 'static) -> Result<Limiter, ConfigError> {
        let invalid = |path: Option<&str>, reason| ConfigError::InvalidRateLimit {
            path: path.map(|p| zv_types::text::Sanitized::new(p).max_chars(200).to_string()),
            reason,
        };
        if let Some(problem) = limits.default.as_ref().and_then(RateLimit::problem) {
            return Err(invalid(None, problem));
        }
        let mut per_route = RouteMap::default();
        for (path, limit) in &limits.per_path {
            let route = match path.strip_prefix("v2:") {
                Some(action) => Route::v2(action),
                None => Route::v3(path),
            }
            .map_err(|e| invalid(Some(path), e.reason()))?;
            if let Some(problem) = limit.problem() {
                return Err(invalid(Some(path), problem));
            }
            per_route.side(route.protocol()).insert(route.name().to_owned(), *limit);
        }
        let in_flight = match limits.max_in_flight {
            Some(0) => return Err(ConfigError::InvalidMaxInFlight),
            Some(max) => {
                Some(Arc::new(InFlight { max, free: AtomicUsize::new(max), given_back: Event::new() }))
            }
            None => None,
        };
        Ok(Limiter {
            shared: Arc::new(Shared {
                default: limits.default,
                per_route,
                clock: Arc::new(clock),
                states: Mutex::new(RouteMap::default()),
                in_flight,
            }),
        })
    }

    /// The rate limit of `route`; `None` when it is not limited.
    pub fn limit_for(&self, route: Route<'_>) -> Option<RateLimit> {
        self.shared.per_route.get(route).copied().or(self.shared.default)
    }

    /// The cap on calls in flight, if there is one.
    pub fn max_in_flight(&self) -> Option<usize> {
        self.shared.in_flight.as_ref().map(|cap| cap.max)
    }

    /// Books the next attempt to `route` and returns how long to wait before sending it
    /// (zero: at once, always when the route is not limited). The booking stands whether
    /// or not the caller then sends: a call abandoned while it waits leaves its slot unused
    /// (the limit is never exceeded, a slot may go to waste).
    pub fn reserve(&self, route: Route<'_>) -> Duration {
        let Some(limit) = self.limit_for(route).filter(|l| !l.is_unlimited()) else {
            return Duration::ZERO;
        };
        let now = self.shared.clock.elapsed();
        // The lock is held for a lookup and a few additions; a panic elsewhere while it was
        // held cannot leave a state half-written, so a poisoned lock is used as it is.
        let mut states = self.shared.states.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(state) = states.side(route.protocol()).get_mut(route.name()) {
            return state.reserve(&limit, now);
        }
        if states.len() >= STATES_KEPT {
            states.v3.retain(|_, s| !s.is_idle(now));
            states.v2.retain(|_, s| !s.is_idle(now));
        }
        let mut state = Gcra::default();
        let wait = state.reserve(&limit, now);
        states.side(route.protocol()).insert(route.name().to_owned(), state);
        wait
    }

    /// A place among the calls in flight, blocking the thread until one is free; `None`
    /// when there is no cap.
    pub fn in_flight_permit_blocking(&self) -> Option<InFlightPermit> {
        let cap = self.shared.in_flight.as_ref()?;
        loop {
            match cap.take_or_listen() {
                Ok(permit) => return Some(permit),
                Err(listener) => listener.wait(),
            }
        }
    }

    /// A place among the calls in flight, waiting (without blocking the thread, on any
    /// executor) until one is free; `None` when there is no cap. Dropping the future while
    /// it waits takes no place.
    pub async fn in_flight_permit(&self) -> Option<InFlightPermit> {
        let cap = self.shared.in_flight.as_ref()?;
        loop {
            match cap.take_or_listen() {
                Ok(permit) => return Some(permit),
                Err(listener) => listener.await,
            }
        }
    }
}
