//! The rate-limiter keys of issue 14: `limiter_rate_vs_quota` (the rate a limited client
//! achieves under demand well above its quota, over the quota) and `limiter_overhead` (a
//! call through a limiter whose quota never binds, against the same call without one).

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use zv_api::limit::RateLimit;
use zv_types::GiftCardListParams;

use crate::cases::{USER_ID, async_builder, concurrent, credentials, runtime, sequential, zv_call};
use crate::harness::{Comparison, Plan, compare};
use crate::server::Server;
use crate::{Figure, round2};

/// The quota of `limiter_rate_vs_quota`, calls per second.
pub const QUOTA: u32 = 50;
/// The calls of `limiter_rate_vs_quota`.
pub const CALLS: u64 = 200;
/// The tasks calling at once in `limiter_rate_vs_quota` (the demand: each calls again as
/// soon as its call is answered).
pub const TASKS: u64 = 8;

/// A quota that never binds in `limiter_overhead`: a million calls a second, with a burst of
/// a thousand (this harness makes well under a thousand calls in any millisecond).
pub fn unbound_quota() -> RateLimit {
    RateLimit::per_second(1_000_000).with_burst(1_000)
}

/// An async client builder for `server` with `limit` (or none).
fn builder(server: &Server, limit: Option<RateLimit>) -> zv_api::ClientBuilder<zv_api::Async> {
    let builder = async_builder(&server.base_url(), credentials());
    match limit {
        Some(limit) => builder.rate_limit(limit),
        None => builder,
    }
}

/// An async client for `server` with `limit` (or none), whose waits (for the limit, or
/// between retries) are tokio sleeps counted in `waits`.
fn client(
    server: &Server,
    limit: Option<RateLimit>,
    waits: &Arc<AtomicU64>,
) -> Result<zv_api::Client, String> {
    let waits = Arc::clone(waits);
    builder(server, limit)
        .sleeper(move |wait: Duration| {
            waits.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait)
        })
        .build()
        .map_err(|e| format!("the client: {e}"))
}

/// `limiter_rate_vs_quota` (with [`QUOTA`] and [`CALLS`]): `calls` calls by [`TASKS`]
/// tasks through a client limited to `quota` a second; the calls over the wall-clock seconds
/// from the first call's start to the last call's end, over the quota.
pub fn rate_vs_quota(server: &Server, quota: u32, calls: u64) -> Result<Figure, String> {
    let waits = Arc::new(AtomicU64::new(0));
    let limit = RateLimit::per_second(quota);
    let client = client(server, Some(limit), &waits)?;
    let rt = runtime();
    let params = GiftCardListParams::new(USER_ID);
    let took = calls_at_once(&rt, &client, &params, calls, TASKS)?;
    let rate = calls as f64 / took.as_secs_f64();
    Ok(Figure {
        value: rate / f64::from(quota),
        unit: "× quota",
        count: calls,
        detail: json!({
            "quota_per_s": quota,
            "calls": calls,
            "tasks": TASKS,
            "elapsed_s": round2(took.as_secs_f64()),
            "rate_per_s": round2(rate),
            "limit_waits": waits.load(Ordering::Relaxed),
            "limit": limit.to_string(),
            "measured": "calls ÷ seconds from the first call's start to the last call's end; the first call goes at once, so the ideal is calls ÷ (calls − 1) quota intervals",
        }),
    })
}

/// Makes `calls` calls as `tasks` tasks that each call again as soon as answered; the
/// wall-clock time of all of them.
fn calls_at_once(
    rt: &Runtime,
    client: &zv_api::Client,
    params: &GiftCardListParams,
    calls: u64,
    tasks: u64,
) -> Result<Duration, String> {
    rt.block_on(async {
        let start = Instant::now();
        let mut set = JoinSet::new();
        for task in 0..tasks {
            let (client, params) = (client.clone(), params.clone());
            // The calls shared out, the first tasks taking one more when they do not divide.
            let mine = calls / tasks + u64::from(task < calls % tasks);
            set.spawn(async move {
                for _ in 0..mine {
                    black_box(client.gift_cards(&params).await?);
                }
                Ok::<_, zv_api::Error>(())
            });
        }
        while let Some(done) = set.join_next().await {
            done.map_err(|e| format!("a task failed: {e}"))?.map_err(|e| format!("a call failed: {e}"))?;
        }
        Ok(start.elapsed())
    })
}

/// `limiter_overhead`: the same calls through a client whose limiter has a quota that never
/// binds ([`unbound_quota`]) and through one without a limiter, sequentially
/// (`limiter_sequential`) or with [`IN_FLIGHT`](crate::cases::IN_FLIGHT) at once
/// (`limiter_64_in_flight`). Fails if the limited client ever waited.
pub struct OverheadSides {
    rt: Runtime,
    limited: zv_api::Client,
    plain: zv_api::Client,
    params: GiftCardListParams,
    waits: Arc<AtomicU64>,
}

impl OverheadSides {
    /// Both clients, for `server`.
    pub fn new(server: &Server) -> Result<Self, String> {
        let waits = Arc::new(AtomicU64::new(0));
        Ok(OverheadSides {
            rt: runtime(),
            limited: client(server, Some(unbound_quota()), &waits)?,
            plain: client(server, None, &waits)?,
            params: GiftCardListParams::new(USER_ID),
            waits,
        })
    }

    /// One call after the other.
    pub fn sequential(&self, plan: Plan) -> Result<Comparison, String> {
        let call = |client: &'static str| {
            let client = if client == "limited" { &self.limited } else { &self.plain };
            sequential(
                &self.rt,
                move || async move { client.gift_cards(&self.params).await.expect("zv call") },
            )
        };
        self.checked(|| compare(plan, call("limited"), call("plain")))
    }

    /// [`IN_FLIGHT`](crate::cases::IN_FLIGHT) calls at once.
    pub fn concurrent(&self, plan: Plan) -> Result<Comparison, String> {
        let plan = Plan { multiple: crate::cases::IN_FLIGHT, ..plan };
        let call =
            |client: &zv_api::Client| concurrent(&self.rt, (client.clone(), self.params.clone()), zv_call);
        self.checked(|| compare(plan, call(&self.limited), call(&self.plain)))
    }

    /// `measure`, refused if any call waited (the quota bound, or a call was retried).
    fn checked(&self, measure: impl FnOnce() -> Comparison) -> Result<Comparison, String> {
        let before = self.waits.load(Ordering::Relaxed);
        let comparison = measure();
        match self.waits.load(Ordering::Relaxed) - before {
            0 => Ok(comparison),
            n => Err(format!("{n} calls waited: the quota bound, or calls were retried")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::harness::test_plan as plan;

    #[test]
    fn a_limited_client_keeps_to_its_quota() {
        use zv_api::limit::{ManualClock, MonotonicClock};
        let server = Server::start(fixtures::gift_card_body()).unwrap();
        // The limiter's clock moves only when a call waits: 11 calls one after the other at
        // 100 a second wait ten times, one interval each (10.5 ms with the guard), however
        // fast the server.
        let (clock, waits) = (ManualClock::new(), Arc::new(AtomicU64::new(0)));
        let (advanced, counted) = (clock.clone(), Arc::clone(&waits));
        let client = builder(&server, Some(RateLimit::per_second(100)))
            .rate_limit_clock(clock.clone())
            .sleeper(move |wait: Duration| {
                advanced.advance(wait);
                counted.fetch_add(1, Ordering::Relaxed);
                std::future::ready(())
            })
            .build()
            .unwrap();
        let params = GiftCardListParams::new(USER_ID);
        calls_at_once(&runtime(), &client, &params, 11, 1).unwrap();
        let ten_intervals = RateLimit::per_second(100).interval() * 10;
        assert_eq!((waits.load(Ordering::Relaxed), clock.elapsed()), (10, ten_intervals));
        assert_eq!(ten_intervals, Duration::from_millis(105));
        // The figure itself, against the same server.
        let figure = rate_vs_quota(&server, 1_000, 20).unwrap();
        assert_eq!(figure.count, 20);
        assert!(figure.value > 0.0 && figure.detail["limit_waits"].as_u64().unwrap() > 0);
    }

    #[test]
    fn overhead_sides_run_and_never_wait() {
        let server = Server::start(fixtures::gift_card_body()).unwrap();
        let sides = OverheadSides::new(&server).unwrap();
        // The quota never binds, but on a loaded machine a call over real sockets may meet
        // a transient failure and be retried after a backoff, which `checked` counts as a
        // wait and refuses (as the bench would): a side must run without one in 3 tries.
        let without_a_wait = |measure: &dyn Fn() -> Result<Comparison, String>| {
            (0..3).find_map(|_| measure().ok()).expect("3 measurements, each with a wait")
        };
        assert!(without_a_wait(&|| sides.sequential(plan())).ratio().is_finite());
        assert_eq!(without_a_wait(&|| sides.concurrent(plan())).iterations % crate::cases::IN_FLIGHT, 0);
        // A wait during a measurement refuses it.
        let waited = sides.checked(|| {
            sides.waits.fetch_add(1, Ordering::Relaxed);
            compare(plan(), sequential(&sides.rt, || async {}), sequential(&sides.rt, || async {}))
        });
        assert!(waited.unwrap_err().contains("1 calls waited"));
    }

    #[test]
    fn failed_calls_are_errors() {
        // Nothing listens on a closed port.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client =
            async_builder(&format!("http://127.0.0.1:{port}"), credentials()).max_retries(0).build().unwrap();
        let params = GiftCardListParams::new(USER_ID);
        let error = calls_at_once(&runtime(), &client, &params, 2, 2).unwrap_err();
        assert!(error.starts_with("a call failed"), "{error}");
    }
}
