//! The nonces seen per `openId` (the `nonce` check's memory).

use std::collections::{BTreeSet, HashMap};

/// The most nonces remembered per `openId` (the oldest are dropped beyond this).
const MAX_NONCES: usize = 200_000;

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
