//! The per-route rate limit ([`MockConfig::qps`](crate::MockConfig::qps)): a sliding
//! one-second window of the requests answered.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// The business code of a throttled request (HTTP 429), the mock's own: the real gateway's
/// was never captured; clients match 限流 / 繁忙 / 频繁 in the message.
pub const THROTTLED_CODE: i64 = 42900;

/// The window.
const WINDOW: Duration = Duration::from_secs(1);

/// When each route's requests in the last second were let through.
#[derive(Debug, Default)]
pub(crate) struct RateLimit {
    limit: u32,
    seen: HashMap<String, VecDeque<Duration>>,
}

impl RateLimit {
    /// At most `limit` requests per route per second; 0 is no limit.
    pub(crate) fn new(limit: u32) -> RateLimit {
        RateLimit { limit, seen: HashMap::new() }
    }

    /// Whether a request to `route` at `now` is let through (and then counted); `Err` with
    /// the limit when the route had its fill in the second before `now`.
    pub(crate) fn admit(&mut self, route: &str, now: Duration) -> Result<(), u32> {
        if self.limit == 0 {
            return Ok(());
        }
        // Forget the routes quiet for a second: the map holds only the busy ones.
        self.seen.retain(|_, times| {
            while times.front().is_some_and(|t| now.saturating_sub(*t) >= WINDOW) {
                times.pop_front();
            }
            !times.is_empty()
        });
        let times = self.seen.entry(route.to_owned()).or_default();
        if times.len() >= self.limit as usize {
            return Err(self.limit);
        }
        times.push_back(now);
        Ok(())
    }
}

/// The message of a throttled request.
pub(crate) fn message(route: &str, limit: u32) -> String {
    format!(
        "接口请求过于频繁,已被限流 (throttled): over {limit} requests in one second to {route}; wait and retry"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sliding_window_per_route() {
        let ms = Duration::from_millis;
        let mut rate = RateLimit::new(2);
        assert_eq!(rate.admit("/v3/a", ms(0)), Ok(()));
        assert_eq!(rate.admit("/v3/a", ms(400)), Ok(()));
        assert_eq!(rate.admit("/v3/a", ms(999)), Err(2));
        assert_eq!(rate.admit("/v3/b", ms(999)), Ok(()), "per route");
        // The first request left the window at 1000 ms; the refused one never counted.
        assert_eq!(rate.admit("/v3/a", ms(1000)), Ok(()));
        assert_eq!(rate.admit("/v3/a", ms(1300)), Err(2));
        assert_eq!(rate.admit("/v3/a", ms(1400)), Ok(()));
        assert_eq!(rate.seen.len(), 2);
        assert_eq!(rate.admit("/v3/a", ms(2500)), Ok(()));
        assert_eq!(rate.seen.len(), 1, "a quiet route is forgotten");
        let mut none = RateLimit::new(0);
        assert!((0..100).all(|_| none.admit("/v3/a", ms(0)).is_ok()));
    }
}
