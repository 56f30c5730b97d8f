//! How fast attempts to one path may go ([`RateLimit`]), the pure decision that keeps to it
//! ([`Gcra`]), and the monotonic clocks that decision reads.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[cfg(doc)]
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
    pub(super) fn problem(&self) -> Option<&'static str> {
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
    pub(super) fn is_idle(&self, now: Duration) -> bool {
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
