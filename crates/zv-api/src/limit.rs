//! Rate limits per path and the cap on calls in flight, decided without I/O.
//!
//! The gateway allows each interface about 10 requests a second (the vendor's documented
//! limit) and answers a burst above it with a throttle error. A client therefore spaces its
//! attempts per path: [`RateLimit::per_second(10)`](RateLimit::per_second) (the default)
//! lets an attempt go every 105 ms (a second plus the 50 ms [guard](DEFAULT_GUARD), divided
//! by 10), so **no one-second window ever holds more than 10 attempts to one path**, even
//! when trips to the gateway vary by up to the guard, and none are wasted under steady
//! demand.
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
//! `2n − 1` attempts in a one-second window) and spaces attempts exactly `1 s / n` apart,
//! rounded down, with no room for a [guard](RateLimit::with_guard) (a custom `Quota` could
//! carry one interval, not the rule "a second plus a guard, rounded up"); its check refuses
//! instead of reserving (every waiter wakes at the same instant and races again), its async
//! wait brings its own timer instead of the client's sleeper, and its keyed limiter has one
//! quota for all keys. What it would give is the dozen lines of GCRA arithmetic in
//! [`Gcra::reserve`].
//!
//! The module is in two parts: the rate ([`RateLimit`], [`Gcra`], the clocks) and the cap on
//! calls in flight ([`InFlightPermit`]); the [`Limiter`] holds both for a client.
//!
//! The cap on calls in flight is a counting semaphore on `event-listener` (whose listeners
//! can be waited on by a thread or awaited by a task), not `async-lock`'s `Semaphore`: that
//! one wakes a waiter with `notify(1)`, which counts a waiter already woken, so two places
//! given back in quick succession wake one waiter and leave a place free while the others
//! sleep (reproduced by this crate's cap tests). Here each place given back wakes one more
//! waiter (`notify_additional`).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use zv_types::{Protocol, Route};

use crate::error::ConfigError;

mod in_flight;
mod rate;

use in_flight::InFlight;
pub use in_flight::InFlightPermit;
pub use rate::{
    DEFAULT_GUARD, DEFAULT_PER_SECOND, Gcra, ManualClock, MonotonicClock, RateLimit, SystemMonotonicClock,
};

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
            Some(max) => Some(Arc::new(InFlight::new(max))),
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
        Some(self.shared.in_flight.as_ref()?.take_blocking())
    }

    /// A place among the calls in flight, waiting (without blocking the thread, on any
    /// executor) until one is free; `None` when there is no cap. Dropping the future while
    /// it waits takes no place.
    pub async fn in_flight_permit(&self) -> Option<InFlightPermit> {
        Some(self.shared.in_flight.as_ref()?.take().await)
    }
}
