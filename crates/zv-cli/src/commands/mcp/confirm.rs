//! One-time confirmations: what `prepare_write` hands out and `confirm_write` takes back,
//! each bound to the fingerprint of one request and valid for [`VALID_FOR`] seconds of the
//! injected [`Clock`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// How long a confirmation is valid, in seconds.
pub const VALID_FOR: u64 = 5 * 60;

/// The most confirmations waiting at once: an agent that prepares without confirming drops
/// its oldest ones.
const MAX_PENDING: usize = 64;

/// Where the time comes from: the system clock, or (debug builds only, for tests) the Unix
/// seconds written in the file `ZV_MCP_TEST_CLOCK` names, read at each use.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    #[cfg(debug_assertions)]
    file: Option<std::path::PathBuf>,
}

impl Clock {
    /// The process's clock: the system's, except in a debug build run with
    /// `ZV_MCP_TEST_CLOCK=FILE`.
    pub fn for_process() -> Clock {
        #[cfg(debug_assertions)]
        {
            Clock { file: std::env::var_os("ZV_MCP_TEST_CLOCK").map(Into::into) }
        }
        #[cfg(not(debug_assertions))]
        {
            Clock {}
        }
    }

    /// Seconds since the Unix epoch.
    pub fn now(&self) -> u64 {
        #[cfg(debug_assertions)]
        if let Some(file) = &self.file
            && let Some(now) = std::fs::read_to_string(file).ok().and_then(|t| t.trim().parse().ok())
        {
            return now;
        }
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
    }
}

/// The fingerprint of a request: the SHA-256, in hex, of the route (as `Route` displays it),
/// a line break and the params' canonical JSON (members sorted by name at every depth).
pub fn fingerprint(route: &str, params: &Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical(params).as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// JSON text with every object's members sorted by name: the same value, the same text.
pub fn canonical(value: &Value) -> String {
    match value {
        Value::Object(members) => {
            let sorted: BTreeMap<&String, &Value> = members.iter().collect();
            let inner: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// A write prepared and not yet confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The catalogue key of the endpoint (V3 path without `v3/`, or V2 Action).
    pub endpoint: &'static str,
    /// The params, exactly as they will be sent.
    pub params: Value,
    /// [`fingerprint`] of the request.
    pub fingerprint: String,
    /// When it stops being valid, in Unix seconds.
    pub expires_at: u64,
}

/// Why a confirmation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Never handed out (or dropped as one of too many waiting).
    #[error("unknown confirmation `{0}`: call prepare_write first and confirm the id it returns")]
    Unknown(String),
    /// Confirmed already: a confirmation sends once.
    #[error(
        "confirmation `{0}` was already used: a confirmation sends its request once; prepare_write again for a new one"
    )]
    Used(String),
    /// Past its time.
    #[error("confirmation `{0}` expired ({1} s after it was prepared): prepare_write again")]
    Expired(String, u64),
}

/// The confirmations handed out by one server.
#[derive(Debug, Default)]
pub struct Pending {
    waiting: BTreeMap<String, Prepared>,
    /// In the order handed out, to drop the oldest.
    order: Vec<String>,
    done: BTreeSet<String>,
}

impl Pending {
    /// Keeps `prepared` under `id` (a new random id).
    pub fn insert(&mut self, id: String, prepared: Prepared) {
        if self.order.len() >= MAX_PENDING {
            let oldest = self.order.remove(0);
            self.waiting.remove(&oldest);
        }
        self.order.push(id.clone());
        self.waiting.insert(id, prepared);
    }

    /// Gives back a confirmation taken by [`take`](Self::take) whose write was not sent
    /// (the journal was busy, or refused it): it may be confirmed again until it expires.
    pub fn give_back(&mut self, id: &str, prepared: Prepared) {
        let id = id.trim();
        if self.done.remove(id) {
            self.insert(id.to_owned(), prepared);
        }
    }

    /// Takes the write confirmed by `id` at `now`: once only, and only before it expires.
    pub fn take(&mut self, id: &str, now: u64) -> Result<Prepared, Refused> {
        let id = id.trim();
        let shown = zv_types::text::Sanitized::new(id).max_chars(64).to_string();
        if self.done.contains(id) {
            return Err(Refused::Used(shown));
        }
        let prepared = self.waiting.remove(id).ok_or_else(|| Refused::Unknown(shown.clone()))?;
        self.order.retain(|o| o != id);
        self.done.insert(id.to_owned());
        if now >= prepared.expires_at {
            return Err(Refused::Expired(shown, VALID_FOR));
        }
        Ok(prepared)
    }
}

/// A new confirmation id: 128 bits from the operating system's random source, in hex.
pub fn new_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn prepared(expires_at: u64) -> Prepared {
        Prepared { endpoint: "x/y", params: json!({}), fingerprint: "f".into(), expires_at }
    }

    #[test]
    fn a_confirmation_is_taken_once_before_it_expires() {
        let mut pending = Pending::default();
        pending.insert("a".into(), prepared(1000 + VALID_FOR));
        pending.insert("b".into(), prepared(1000 + VALID_FOR));
        assert_eq!(pending.take("a", 1000 + VALID_FOR - 1), Ok(prepared(1000 + VALID_FOR)));
        assert_eq!(pending.take("a", 1000), Err(Refused::Used("a".into())));
        assert_eq!(pending.take("b", 1000 + VALID_FOR), Err(Refused::Expired("b".into(), VALID_FOR)));
        assert_eq!(pending.take("b", 1000), Err(Refused::Used("b".into())));
        assert_eq!(pending.take("c", 1000), Err(Refused::Unknown("c".into())));
        // A confirmation given back (nothing was sent) may be taken again, once.
        pending.insert("d".into(), prepared(2000));
        let taken = pending.take("d", 1000).unwrap();
        pending.give_back("d", taken.clone());
        pending.give_back("never-taken", taken.clone());
        assert_eq!(pending.take("d", 1000), Ok(taken));
        assert_eq!(pending.take("never-taken", 1000), Err(Refused::Unknown("never-taken".into())));
    }

    #[test]
    fn too_many_waiting_drop_the_oldest() {
        let mut pending = Pending::default();
        for i in 0..=MAX_PENDING {
            pending.insert(i.to_string(), prepared(10));
        }
        assert_eq!(pending.take("0", 1), Err(Refused::Unknown("0".into())));
        assert!(pending.take(&MAX_PENDING.to_string(), 1).is_ok());
    }

    #[test]
    fn the_fingerprint_ignores_member_order_and_nothing_else() {
        let a = fingerprint("v3/x", &json!({"b": 1, "a": {"d": [1, 2], "c": "x"}}));
        assert_eq!(a, fingerprint("v3/x", &json!({"a": {"c": "x", "d": [1, 2]}, "b": 1})));
        assert_ne!(a, fingerprint("v3/y", &json!({"b": 1, "a": {"d": [1, 2], "c": "x"}})));
        assert_ne!(a, fingerprint("v3/x", &json!({"b": 1, "a": {"d": [2, 1], "c": "x"}})));
        assert_eq!(a.len(), 64);
        assert_ne!(new_id().unwrap(), new_id().unwrap());
        assert_eq!(new_id().unwrap().len(), 32);
    }
}
