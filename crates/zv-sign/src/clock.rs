//! Where the request timestamp comes from.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current Unix time in whole seconds, for the `timestamp` field.
///
/// [`Signer::sign`](crate::Signer::sign) never reads a clock; the caller asks a `Clock` and
/// passes the value in, so tests can pin time with [`FixedClock`].
pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01T00:00:00Z.
    fn now_unix_seconds(&self) -> u64;
}

/// The system wall clock ([`SystemTime::now`]).
///
/// A clock set before 1970 reads as `0` instead of panicking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix_seconds(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
    }
}

/// A clock that always reads the given Unix time (for tests and reproducible examples).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now_unix_seconds(&self) -> u64 {
        self.0
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now_unix_seconds(&self) -> u64 {
        (**self).now_unix_seconds()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now_unix_seconds(&self) -> u64 {
        (**self).now_unix_seconds()
    }
}

impl<C: Clock + ?Sized> Clock for Box<C> {
    fn now_unix_seconds(&self) -> u64 {
        (**self).now_unix_seconds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_is_after_2020() {
        // 2020-01-01T00:00:00Z
        assert!(SystemClock.now_unix_seconds() > 1_577_836_800);
    }

    #[test]
    fn fixed_clock_and_wrappers() {
        let fixed = FixedClock(1_531_998_134);
        assert_eq!(fixed.now_unix_seconds(), 1_531_998_134);
        let by_ref: &dyn Clock = &&fixed;
        assert_eq!(by_ref.now_unix_seconds(), 1_531_998_134);
        let boxed: Box<dyn Clock> = Box::new(fixed);
        assert_eq!(boxed.now_unix_seconds(), 1_531_998_134);
        let shared: Arc<dyn Clock> = Arc::new(FixedClock(7));
        assert_eq!(shared.now_unix_seconds(), 7);
        let arc_box: Arc<Box<dyn Clock>> = Arc::new(boxed);
        assert_eq!(arc_box.now_unix_seconds(), 1_531_998_134);
    }
}
