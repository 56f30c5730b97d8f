//! The documented per-interface limit, simulated: `MockConfig::qps` throttles each route
//! over a sliding one-second window (stepped by the test, never by the wall clock), and the
//! SDK reads the HTTP 429 answer as the platform's error.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use zv_api::{ErrorKind, RetryPolicy};
use zv_integration_tests::{BACKENDS, Env, VirtualTime, call, seeded_jitter};
use zv_mock::{MockConfig, MockServer, THROTTLED_CODE, Verdict};
use zv_types::GiftCardListParams;

#[test]
fn the_third_request_in_a_second_is_throttled_per_route() {
    let millis = Arc::new(AtomicU64::new(0));
    let clock = Arc::clone(&millis);
    let config =
        MockConfig::new().qps(2).monotonic(move || Duration::from_millis(clock.load(Ordering::SeqCst)));
    // No retries: the SDK would otherwise retry the 429 of a read after `Retry-After`.
    let env = Env::with(config, |b| b.max_retries(0), |a| a.max_retries(0));
    let cards = GiftCardListParams::new("10001");
    for (round, backend) in BACKENDS.into_iter().enumerate() {
        millis.store(10_000 * round as u64, Ordering::SeqCst);
        env.mock.clear_log();
        call!(env, backend, gift_cards(&cards)).unwrap();
        millis.fetch_add(999, Ordering::SeqCst);
        call!(env, backend, gift_cards(&cards)).unwrap();
        let e = call!(env, backend, gift_cards(&cards)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiSystem, "{backend:?}: {e}");
        assert_eq!(e.http_status().map(|s| s.as_u16()), Some(429));
        assert_eq!(e.api_code().map(ToString::to_string), Some(THROTTLED_CODE.to_string()));
        assert!(e.to_string().contains("限流"), "{e}");
        let headers = e.http_response().unwrap().headers();
        assert_eq!(headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        let body: serde_json::Value = serde_json::from_slice(e.http_response().unwrap().body()).unwrap();
        assert_eq!(body["status"], false);
        assert!(body["traceId"].is_string(), "{body}");
        // Another route has its own window.
        assert!(call!(env, backend, exchange_code_status("164822200532619796512")).is_ok());
        // A second after the first request, one place is free again (the refused one never
        // counted), and only one.
        millis.fetch_add(1, Ordering::SeqCst);
        call!(env, backend, gift_cards(&cards)).unwrap();
        assert!(call!(env, backend, gift_cards(&cards)).is_err());

        let log = env.mock.log();
        let verdicts: Vec<_> = log.iter().map(|e| e.verdict.clone()).collect();
        let throttled = Verdict::Throttled { limit: 2 };
        assert_eq!(
            verdicts,
            [Verdict::Ok, Verdict::Ok, throttled.clone(), Verdict::Ok, Verdict::Ok, throttled],
            "{backend:?}"
        );
        assert_eq!(log[2].http_status, 429);
        assert!(log[2].to_string().ends_with("-> throttled: over 2 requests a second (429)"), "{}", log[2]);
    }
}

#[test]
fn without_a_limit_nothing_is_throttled() {
    let env = Env::with(MockConfig::new().monotonic(|| Duration::ZERO), |b| b.max_retries(0), |a| a);
    for _ in 0..20 {
        env.blocking.gift_cards(&GiftCardListParams::new("10001")).unwrap();
    }
    assert!(env.mock.log().iter().all(|e| e.verdict == Verdict::Ok));
}

/// What a crowd of clients came to: how many calls succeeded, and the mock's verdicts.
struct Crowd {
    ok: usize,
    verdicts: Vec<Verdict>,
    took: Duration,
}

/// `clients` clients — parallel processes, each with a rate limiter of its own — call one
/// route at the same moment against a gateway that allows `qps` a second, under `policy`,
/// each with its own seeded jitter. Runs in virtual time ([`VirtualTime`]): the mock's
/// window, the limiters and the sleeps all read it, so the run is exact and repeatable.
fn crowd(clients: usize, qps: u32, policy: RetryPolicy, seed: u64) -> Crowd {
    let time = VirtualTime::new(clients);
    let mock_time = Arc::clone(&time);
    let mock = MockServer::start(MockConfig::new().qps(qps).monotonic(move || mock_time.now())).unwrap();
    let results: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|id| {
                let (sleeper, clock) = (Arc::clone(&time), Arc::clone(&time));
                let client = zv_api::blocking::Client::builder()
                    .base_url(mock.base_url())
                    .credentials(mock.credentials().clone())
                    .retry_policy(policy.clone())
                    .rate_limit_clock(clock)
                    .jitter(seeded_jitter(seed.wrapping_mul(1_000).wrapping_add(id as u64)))
                    .sleeper(move |d| sleeper.sleep(id, d))
                    .build()
                    .unwrap();
                let time = Arc::clone(&time);
                scope.spawn(move || {
                    time.run(id, || client.gift_cards(&GiftCardListParams::new("10001")).is_ok())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    Crowd {
        ok: results.iter().filter(|ok| **ok).count(),
        verdicts: mock.log().iter().map(|e| e.verdict.clone()).collect(),
        took: time.now(),
    }
}

/// Forty processes at once against `zv mock --qps 10`: every call gets through. Before
/// throttle retries had a jitter and a count of their own, the forty retried in lock-step
/// after `Retry-After: 1` — ten through each second — and after 3 attempts ten failed
/// (reproduced below with that policy).
#[test]
fn forty_clients_at_once_against_a_limit_of_ten_all_get_through() {
    let throttled = Verdict::Throttled { limit: 10 };
    // The old policy: 2 retries for a throttle too, no jitter on top of Retry-After.
    let old =
        RetryPolicy { max_throttle_retries: 2, throttle_spread: Duration::ZERO, ..RetryPolicy::default() };
    let before = crowd(40, 10, old, 1);
    assert_eq!(before.ok, 30, "ten through each second, three seconds");
    assert_eq!(before.verdicts.iter().filter(|v| **v == throttled).count(), 30 + 20 + 10);
    for seed in [1, 2, 3] {
        let after = crowd(40, 10, RetryPolicy::default(), seed);
        assert_eq!(after.ok, 40, "seed {seed}");
        let oks = after.verdicts.iter().filter(|v| **v == Verdict::Ok).count();
        assert_eq!(oks, 40, "seed {seed}: each call applied once");
        assert!(after.verdicts.len() <= 40 * 7, "seed {seed}: at most 7 attempts each");
        // Forty calls at ten a second take four seconds at the very least.
        assert!(after.took >= Duration::from_secs(3), "seed {seed}: {:?}", after.took);
        // The same seed, the same run.
        let again = crowd(40, 10, RetryPolicy::default(), seed);
        assert_eq!((again.verdicts, again.took), (after.verdicts, after.took), "seed {seed}");
    }
}

/// One client shared by eight threads (a batch with `--concurrency 8`) sends 200 calls to
/// a gateway allowing 10 a second: its limiter spaces them so that none is ever throttled.
/// In virtual time, where a send's arrival is its send (the real-time version of this test
/// could not tell the client's spacing from the machine's scheduling).
#[test]
fn one_client_on_eight_threads_keeps_to_the_limit_and_is_never_throttled() {
    let time = VirtualTime::new(8);
    let mock_time = Arc::clone(&time);
    let mock = MockServer::start(MockConfig::new().qps(10).monotonic(move || mock_time.now())).unwrap();
    let sleeper = Arc::clone(&time);
    let client = zv_api::blocking::Client::builder()
        .base_url(mock.base_url())
        .credentials(mock.credentials().clone())
        .rate_limit_clock(Arc::clone(&time))
        .jitter(seeded_jitter(7))
        .sleeper(move |d| sleeper.sleep_here(d))
        .build()
        .unwrap();
    let ok: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|id| {
                let (client, time) = (client.clone(), Arc::clone(&time));
                scope.spawn(move || {
                    time.run(id, || {
                        (0..25)
                            .filter(|_| client.gift_cards(&GiftCardListParams::new("10001")).is_ok())
                            .count()
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(ok, 200);
    let log = mock.log();
    assert_eq!(log.len(), 200, "no attempt throttled, none retried");
    assert!(log.iter().all(|e| e.verdict == Verdict::Ok));
    // 105 ms apart: the 200th goes 199 spacings after the first.
    assert_eq!(time.now(), zv_api::limit::RateLimit::DEFAULT.interval() * 199);
}
