//! The documented per-interface limit, simulated: `MockConfig::qps` throttles each route
//! over a sliding one-second window (stepped by the test, never by the wall clock), and the
//! SDK reads the HTTP 429 answer as the platform's error.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use zv_api::ErrorKind;
use zv_integration_tests::{BACKENDS, Env, call};
use zv_mock::{MockConfig, THROTTLED_CODE, Verdict};
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
