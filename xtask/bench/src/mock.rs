//! The mock key of issue 13: `mock_rps`, the signed gift-card requests per second that
//! `zv-mock` answers with 64 connections, driven by the SDK's async client.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;
use zv_mock::{DEMO_MEMBER, MockConfig, MockServer};
use zv_types::GiftCardListParams;

use crate::cases::{IN_FLIGHT, async_client, runtime, spread, zv_call};
use crate::harness::{median, quantile};
use crate::{Figure, round2};

/// How many calls `mock_rps` makes.
#[derive(Debug, Clone, Copy)]
pub struct MockPlan {
    /// Calls before measuring (every connection opened, the mock's tables warm).
    pub warm_up: u64,
    /// Calls per measured batch (rounded up to a multiple of [`IN_FLIGHT`]).
    pub calls: u64,
    /// Measured batches.
    pub batches: usize,
}

/// `mock_rps`: the median over the batches of `plan` of the calls answered per wall-clock
/// second. The mock runs as `zv mock` runs it
/// ([`MockServer::start`]: its own thread, default config, demo fixtures); the client is a
/// `zv_api::Client` on a 2-worker runtime with [`IN_FLIGHT`] calls in flight, on the same
/// machine. A call counts once the client has its typed cards and the mock logged it with
/// every check passed (the signature verified) and HTTP 200.
pub fn mock_rps(plan: MockPlan) -> Result<Figure, String> {
    let calls = plan.calls.div_ceil(IN_FLIGHT) * IN_FLIGHT;
    // What the mock saw: requests verified and answered 200, and the others.
    let counts = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let counter = Arc::clone(&counts);
    let config = MockConfig::new().observer(move |entry| {
        let verified = entry.verdict.is_ok() && entry.http_status == 200;
        counter[usize::from(!verified)].fetch_add(1, Ordering::Relaxed);
    });
    let mock = MockServer::start(config).map_err(|e| format!("the mock: {e}"))?;
    let rt = runtime();
    let client = async_client(mock.base_url(), mock.credentials().clone());
    let params = GiftCardListParams::new(DEMO_MEMBER);
    let state = (client, params);
    spread(&rt, plan.warm_up.div_ceil(IN_FLIGHT) * IN_FLIGHT, state.clone(), zv_call);
    let mut rates = Vec::with_capacity(plan.batches);
    for _ in 0..plan.batches.max(1) {
        let before = counts[0].load(Ordering::Relaxed);
        let took = spread(&rt, calls, state.clone(), zv_call);
        let answered = counts[0].load(Ordering::Relaxed) - before;
        if answered != calls {
            return Err(format!("the mock verified {answered} of {calls} calls"));
        }
        rates.push(calls as f64 / took.as_secs_f64());
    }
    let others = counts[1].load(Ordering::Relaxed);
    if others > 0 {
        return Err(format!("the mock rejected or failed {others} requests"));
    }
    let value = median(&rates);
    Ok(Figure {
        value,
        unit: "requests/s",
        count: calls * rates.len() as u64,
        detail: json!({
            "batches": rates.len(),
            "calls_per_batch": calls,
            "warm_up_calls": plan.warm_up,
            "in_flight": IN_FLIGHT,
            "batch_rps": rates.iter().map(|r| r.round()).collect::<Vec<_>>(),
            "rps_p10": quantile(&rates, 0.1).round(),
            "rps_p90": quantile(&rates, 0.9).round(),
            "us_per_call": round2(1e6 / value),
            "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
            "setup": "zv_mock::MockServer::start (its own thread and current-thread runtime), default config, demo fixtures; client: zv_api::Client (reqwest) on a 2-worker tokio runtime in the same process, 64 tasks over 64 keep-alive connections; the client shares the cores with the mock",
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mock_answers_every_call_verified() {
        let figure = mock_rps(MockPlan { warm_up: 64, calls: 100, batches: 2 }).unwrap();
        assert_eq!(figure.count, 2 * 128, "batches rounded up to a multiple of the calls in flight");
        assert!(figure.value > 0.0 && figure.value.is_finite());
        assert_eq!(figure.detail["batch_rps"].as_array().unwrap().len(), 2);
    }
}
