//! Retries: the pure decision (table-driven and proptested) and the clients' behaviour.

use crate::common;
use std::time::Duration;

use crate::common::*;
use proptest::prelude::*;
use zv_api::retry::{AttemptOutcome, RetryDecision, decide, parse_retry_after};
use zv_api::zv_transport::{TransportError, TransportErrorKind};
use zv_api::{ErrorKind, RetryPolicy, UntypedRequest};
use zv_types::{ApiErrorKind, GiftCardListParams, ResponseCode};

const OK: &str = r#"{"status":true,"code":0,"data":[]}"#;

fn policy() -> RetryPolicy {
    RetryPolicy::default().with_transient_system_codes([50001])
}

#[test]
fn decision_table() {
    use TransportErrorKind::*;
    let connect = TransportError::new(Connect, "refused");
    let timeout_sent = TransportError::new(Timeout, "slow");
    let timeout_connecting = TransportError::new(Timeout, "slow connect").with_reached_server(false);
    let io = TransportError::new(Io, "reset");
    let tls = TransportError::new(Tls, "bad cert");
    let big = TransportError::body_too_large(10, Some(11));
    let business = ResponseCode::Num(20001);
    let transient = ResponseCode::Num(50001);
    let other_system = ResponseCode::Num(40003);
    let http =
        |s: u16| AttemptOutcome::Http { status: http::StatusCode::from_u16(s).unwrap(), retry_after: None };
    let p = policy();
    // (outcome, retry-safe endpoint retries?, unsafe endpoint retries?)
    let table: Vec<(&str, AttemptOutcome<'_>, bool, bool)> = vec![
        ("success", AttemptOutcome::Success, false, false),
        ("connect refused", AttemptOutcome::Transport(&connect), true, true),
        ("timeout after send", AttemptOutcome::Transport(&timeout_sent), true, false),
        ("timeout while connecting", AttemptOutcome::Transport(&timeout_connecting), true, true),
        ("io", AttemptOutcome::Transport(&io), true, false),
        ("tls", AttemptOutcome::Transport(&tls), false, false),
        ("body too large", AttemptOutcome::Transport(&big), false, false),
        // a throttle is refused at the door: retried for writes too
        ("429", http(429), true, true),
        ("throttled", AttemptOutcome::Throttled { retry_after: None }, true, true),
        ("502", http(502), true, false),
        ("503", http(503), true, false),
        ("504", http(504), true, false),
        ("500", http(500), false, false),
        ("404", http(404), false, false),
        ("business", AttemptOutcome::Api { kind: ApiErrorKind::Business, code: &business }, false, false),
        (
            "business (a transient-listed code)",
            AttemptOutcome::Api { kind: ApiErrorKind::Business, code: &transient },
            false,
            false,
        ),
        (
            "transient system",
            AttemptOutcome::Api { kind: ApiErrorKind::System, code: &transient },
            true,
            false,
        ),
        (
            "other system",
            AttemptOutcome::Api { kind: ApiErrorKind::System, code: &other_system },
            false,
            false,
        ),
        ("decode", AttemptOutcome::Decode, false, false),
        ("invalid", AttemptOutcome::Invalid, false, false),
    ];
    for (name, outcome, safe, unsafe_) in table {
        for (retry_safe, want) in [(true, safe), (false, unsafe_)] {
            let d = decide(&p, 1, &outcome, retry_safe, 0.5);
            assert_eq!(matches!(d, RetryDecision::Retry(_)), want, "{name}, retry_safe={retry_safe}: {d:?}");
            // never past the maximum (a throttle's is larger)
            assert_eq!(
                decide(&p, p.max_attempts(), &outcome, retry_safe, 0.5),
                RetryDecision::Stop,
                "{name}"
            );
        }
    }
}

#[test]
fn backoff_doubles_is_capped_and_jittered() {
    let p = RetryPolicy {
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(350),
        ..RetryPolicy::default()
    };
    assert_eq!(p.backoff(1, 0.0), Duration::from_millis(50));
    assert_eq!(p.backoff(1, 1.0), Duration::from_millis(100));
    assert_eq!(p.backoff(2, 0.0), Duration::from_millis(100));
    assert_eq!(p.backoff(3, 1.0), Duration::from_millis(350));
    assert_eq!(p.backoff(30, 1.0), Duration::from_millis(350));
}

#[test]
fn retry_after_is_honoured_and_bounded() {
    let p = policy();
    let http = |secs| AttemptOutcome::Http {
        status: http::StatusCode::TOO_MANY_REQUESTS,
        retry_after: Some(Duration::from_secs(secs)),
    };
    assert_eq!(decide(&p, 1, &http(3), true, 0.0), RetryDecision::Retry(Duration::from_secs(3)));
    assert_eq!(decide(&p, 1, &http(31), true, 0.0), RetryDecision::Stop, "longer than max_retry_after");
    // A throttle: the same for a write.
    let throttled = |secs| AttemptOutcome::Throttled { retry_after: Some(Duration::from_secs(secs)) };
    assert_eq!(decide(&p, 1, &throttled(3), false, 0.0), RetryDecision::Retry(Duration::from_secs(3)));
    assert_eq!(decide(&p, 1, &http(3), false, 0.0), RetryDecision::Retry(Duration::from_secs(3)));
    assert_eq!(decide(&p, 1, &throttled(31), false, 0.0), RetryDecision::Stop);
    assert_eq!(decide(&p, 7, &throttled(1), false, 0.0), RetryDecision::Stop, "past the maximum");
    assert_eq!(parse_retry_after("7", 0), Some(Duration::from_secs(7)));
    assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 40), Some(Duration::from_secs(60)));
    assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 400), Some(Duration::ZERO));
    assert_eq!(parse_retry_after("soon", 0), None);
}

/// A `Retry-After` too large to parse is "too long, don't retry", not "absent"; fractional
/// seconds round up.
#[test]
fn retry_after_too_long_or_fractional() {
    let p = policy();
    for (value, expected) in [
        ("99999999999999999999999", Some(Duration::MAX)),
        ("18446744073709551615.5", Some(Duration::MAX)),
        ("18446744073709551616", Some(Duration::MAX)),
        ("1.2", Some(Duration::from_secs(2))),
        ("0.001", Some(Duration::from_secs(1))),
        ("3.000", Some(Duration::from_secs(3))),
        (" 4 ", Some(Duration::from_secs(4))),
        ("1.", None),
        (".5", None),
        ("-1", None),
        ("1e3", None),
        ("", None),
    ] {
        assert_eq!(parse_retry_after(value, 0), expected, "{value:?}");
    }
    let too_long = AttemptOutcome::Http {
        status: http::StatusCode::SERVICE_UNAVAILABLE,
        retry_after: parse_retry_after("99999999999999999999999", 0),
    };
    assert_eq!(decide(&p, 1, &too_long, true, 0.5), RetryDecision::Stop);
    // Through a client: no retry, the error at once.
    let gifts = GiftCardListParams::new("10001");
    for (r, script) in both(
        vec![Reply::StatusWith(503, "busy", "retry-after", "99999999999999999999999"), Reply::Json(OK)],
        |c| c.gift_cards(&gifts),
        async |c| c.gift_cards(&gifts).await,
    ) {
        assert_eq!(r.unwrap_err().http_status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(script.requests().len(), 1);
        assert!(script.sleeps().is_empty());
    }
}

fn any_outcome_parts() -> impl Strategy<Value = (u8, u16, i64, bool)> {
    (0u8..8, 100u16..600, -5i64..60000, any::<bool>())
}

fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (0u64..100_000).prop_map(Duration::from_millis),
    ]
}

fn any_jitter() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        any::<f64>(),
        0.0f64..1.0
    ]
}

proptest! {
    /// `backoff` and `decide` are total: any jitter and any durations give an answer, never
    /// a panic, and a delay within the policy's bounds.
    #[test]
    fn backoff_and_decide_are_total(
        base in any_duration(), max_delay in any_duration(), max_retry_after in any_duration(),
        retry in any::<u32>(), jitter in any_jitter(), retry_after in proptest::option::of(any_duration()),
    ) {
        let p = RetryPolicy { base_delay: base, max_delay, max_retry_after, max_retries: u32::MAX, ..policy() };
        let delay = p.backoff(retry, jitter);
        prop_assert!(delay <= max_delay);
        let outcome = AttemptOutcome::Http { status: http::StatusCode::SERVICE_UNAVAILABLE, retry_after };
        if let RetryDecision::Retry(d) = decide(&p, retry, &outcome, true, jitter) {
            prop_assert!(d <= max_delay.max(max_retry_after));
            prop_assert!(retry_after.is_none_or(|w| w <= max_retry_after && d >= w));
        }
        // A throttle: the same, and at most the spread more.
        let p = RetryPolicy { max_throttle_retries: u32::MAX, throttle_spread: base, ..p };
        let throttle = AttemptOutcome::Throttled { retry_after };
        if let RetryDecision::Retry(d) = decide(&p, retry, &throttle, false, jitter) {
            prop_assert!(d <= max_delay.max(max_retry_after).saturating_add(base));
            prop_assert!(retry_after.is_none_or(|w| w <= max_retry_after && d >= w));
        }
    }

    #[test]
    fn decisions_respect_the_invariants(
        attempts in 1u32..10, max in 0u32..5, (which, status, code, reached) in any_outcome_parts(),
        retry_safe in any::<bool>(), jitter in 0.0f64..1.0, retry_after in proptest::option::of(0u64..100),
    ) {
        let p = RetryPolicy { max_retries: max, ..policy() };
        let kinds = [TransportErrorKind::Connect, TransportErrorKind::Timeout, TransportErrorKind::Io, TransportErrorKind::Tls];
        let te = TransportError::new(kinds[usize::from(which % 4)], "x").with_reached_server(reached);
        let rc = ResponseCode::Num(code);
        let outcome = match which {
            0..=3 => AttemptOutcome::Transport(&te),
            4 => AttemptOutcome::Http { status: http::StatusCode::from_u16(status).unwrap(), retry_after: retry_after.map(Duration::from_secs) },
            5 => AttemptOutcome::Api { kind: ApiErrorKind::Business, code: &rc },
            6 => AttemptOutcome::Api { kind: ApiErrorKind::System, code: &rc },
            _ => AttemptOutcome::Decode,
        };
        let d = decide(&p, attempts, &outcome, retry_safe, jitter);
        if let RetryDecision::Retry(delay) = d {
            prop_assert!(attempts <= max, "never more than the maximum");
            prop_assert!(which != 5, "never a business error");
            prop_assert!(which != 7, "never a decode error");
            if !retry_safe {
                // an unsafe call is retried only when it certainly never reached the server,
                // or was throttled (refused before anything was done)
                prop_assert!((which <= 3 && !reached) || (which == 4 && status == 429));
            }
            prop_assert!(delay <= p.max_delay.max(p.max_retry_after) + p.throttle_spread);
        }
    }
}

#[test]
fn fail_twice_then_succeed_resigns_every_attempt() {
    let p = GiftCardListParams::new("10001");
    for (r, script) in both(
        vec![Reply::Status(503, "busy"), Reply::Fail(TransportErrorKind::Timeout, true), Reply::Json(OK)],
        |c| c.gift_cards(&p),
        async |c| c.gift_cards(&p).await,
    ) {
        assert!(r.is_ok(), "{r:?}");
        let bodies = script.bodies();
        assert_eq!(bodies.len(), 3);
        let nonces: std::collections::HashSet<_> =
            bodies.iter().map(|b| b["nonce"].as_str().unwrap().to_owned()).collect();
        assert_eq!(nonces.len(), 3, "three distinct nonces");
        let tokens: std::collections::HashSet<_> =
            bodies.iter().map(|b| b["token"].as_str().unwrap().to_owned()).collect();
        assert_eq!(tokens.len(), 3, "three distinct tokens");
        for b in &bodies {
            let nonce = b["nonce"].as_str().unwrap().parse().unwrap();
            assert!(signer().verify(NOW, nonce, b["token"].as_str().unwrap()));
        }
        // Exact: the fixed jitter (0.5) gives backoffs of 150 ms and 300 ms, both longer
        // than the rate limit's 105 ms spacing, so the limiter adds no wait of its own.
        assert_eq!(script.sleeps(), [150, 300].map(Duration::from_millis), "backoffs only");
    }
}

#[test]
fn gives_up_after_the_maximum() {
    let p = GiftCardListParams::new("10001");
    for (r, script) in
        both(vec![Reply::Status(502, "bad gateway")], |c| c.gift_cards(&p), async |c| c.gift_cards(&p).await)
    {
        assert_eq!(r.unwrap_err().kind(), ErrorKind::Http);
        assert_eq!(script.requests().len(), 3, "1 + 2 retries");
    }
    let script = Script::new(vec![Reply::Status(502, "bad gateway")]);
    let client = script.blocking_builder().max_retries(5).build().unwrap();
    assert!(client.gift_cards(&p).is_err());
    assert_eq!(script.requests().len(), 6);
    let script = Script::new(vec![Reply::Status(502, "bad gateway")]);
    let client = script.blocking_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    assert!(client.gift_cards(&p).is_err());
    assert_eq!(script.requests().len(), 1);
}

#[test]
fn business_errors_are_never_retried() {
    let p = GiftCardListParams::new("10001");
    for (r, script) in both(
        vec![Reply::Json(r#"{"status":true,"code":20001,"message":"查询的信息不存在"}"#)],
        |c| c.gift_cards(&p),
        async |c| c.gift_cards(&p).await,
    ) {
        assert_eq!(r.unwrap_err().kind(), ErrorKind::ApiBusiness);
        assert_eq!(script.requests().len(), 1);
        assert!(script.sleeps().is_empty());
    }
}

#[test]
fn transient_system_errors_are_retried_when_configured() {
    let p = GiftCardListParams::new("10001");
    let replies = vec![Reply::Json(r#"{"status":false,"code":50001,"message":"内部错误"}"#), Reply::Json(OK)];
    let script = Script::new(replies.clone());
    assert!(script.blocking_builder().retry_policy(policy()).build().unwrap().gift_cards(&p).is_ok());
    assert_eq!(script.requests().len(), 2);
    let script = Script::new(replies);
    assert_eq!(script.blocking().gift_cards(&p).unwrap_err().kind(), ErrorKind::ApiSystem, "not by default");
    assert_eq!(script.requests().len(), 1);
}

#[test]
fn an_unsafe_raw_call_is_not_resent_after_it_may_have_landed() {
    let redeem =
        UntypedRequest::v3("coupon/exchange/exchangeCode", serde_json::json!({"exchangeCode": "1"})).unwrap();
    for reply in [
        Reply::Fail(TransportErrorKind::Timeout, true),
        Reply::Fail(TransportErrorKind::Io, true),
        Reply::Status(503, "busy"),
    ] {
        for (r, script) in both(
            vec![reply.clone(), Reply::Json(OK)],
            |c| c.send_untyped(&redeem),
            async |c| c.send_untyped(&redeem).await,
        ) {
            assert!(r.is_err(), "{reply:?}");
            assert_eq!(script.requests().len(), 1, "{reply:?} must not be re-sent");
        }
    }
    // but a refused connection never reached the server: safe to send again
    for (r, script) in both(
        vec![Reply::Fail(TransportErrorKind::Connect, false), Reply::Json(OK)],
        |c| c.send_untyped(&redeem),
        async |c| c.send_untyped(&redeem).await,
    ) {
        assert!(r.is_ok());
        assert_eq!(script.requests().len(), 2);
    }
    // and a caller may declare it safe
    let read = redeem.clone().retry_safe(true);
    for (r, script) in both(
        vec![Reply::Status(503, "busy"), Reply::Json(OK)],
        |c| c.send_untyped(&read),
        async |c| c.send_untyped(&read).await,
    ) {
        assert!(r.is_ok());
        assert_eq!(script.requests().len(), 2);
    }
}

#[test]
fn a_503_whose_body_is_a_platform_error_is_still_retried_for_a_read() {
    let p = GiftCardListParams::new("10001");
    for (r, script) in both(
        vec![
            Reply::StatusWith(503, r#"{"status":false,"code":50300,"message":"维护中"}"#, "retry-after", "1"),
            Reply::Json(OK),
        ],
        |c| c.gift_cards(&p),
        async |c| c.gift_cards(&p).await,
    ) {
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(script.sleeps(), vec![Duration::from_secs(1)]);
    }
    // ... and `is_retryable` says so too (the same rule).
    let script = Script::new(vec![Reply::Status(503, r#"{"status":false,"code":50300,"message":"维护中"}"#)]);
    let e = script.blocking_builder().max_retries(0).build().unwrap().gift_cards(&p).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiSystem);
    assert!(e.is_retryable(), "{e}");
}

/// `Retry-After` reaches the sleeper; fractional seconds round up.
#[test]
fn retry_after_header_reaches_the_sleeper() {
    let p = GiftCardListParams::new("10001");
    // (a 429 is a throttle: half of the 1 s spread on top, at the fixed jitter 0.5)
    for (status, value, ms) in [(429, "2", 2500), (503, "1.5", 2000)] {
        for (r, script) in both(
            vec![Reply::StatusWith(status, "slow down", "retry-after", value), Reply::Json(OK)],
            |c| c.gift_cards(&p),
            async |c| c.gift_cards(&p).await,
        ) {
            assert!(r.is_ok());
            assert_eq!(script.sleeps(), vec![Duration::from_millis(ms)], "{value}");
        }
    }
}

/// `Error::is_retryable` and the clients' decision come from one rule: every error a
/// client gave up on after one attempt is retryable exactly when the client retried it.
#[test]
fn is_retryable_agrees_with_what_the_client_does() {
    let p = GiftCardListParams::new("10001");
    let failures = [
        Reply::StatusWith(503, r#"{"status":false,"code":50300,"message":"维护中"}"#, "x-a", "1"),
        Reply::Status(503, r#"{"status":true,"code":20001,"message":"x"}"#),
        Reply::Status(502, "<html>bad gateway</html>"),
        Reply::Status(500, "oops"),
        Reply::Status(404, "no"),
        Reply::Json(r#"{"status":true,"code":20001,"message":"查询的信息不存在"}"#),
        Reply::Json(r#"{"status":false,"code":40003,"message":"签名错误"}"#),
        Reply::Json("not json"),
        Reply::Fail(TransportErrorKind::Connect, false),
        Reply::Fail(TransportErrorKind::Timeout, true),
        Reply::Fail(TransportErrorKind::Io, true),
        Reply::Fail(TransportErrorKind::Tls, false),
        Reply::Fail(TransportErrorKind::BodyTooLarge, true),
        Reply::Fail(TransportErrorKind::Other, true),
    ];
    for failure in failures {
        // One attempt only: the error the client returns, and whether it would retry it.
        let once = Script::new(vec![failure.clone()]);
        let e = once.blocking_builder().max_retries(0).build().unwrap().gift_cards(&p).unwrap_err();
        let retried = Script::new(vec![failure.clone(), Reply::Json(OK)]);
        let r = retried.blocking_builder().max_retries(1).build().unwrap().gift_cards(&p);
        assert_eq!(e.is_retryable(), r.is_ok(), "{failure:?}: {e}");
        assert_eq!(retried.requests().len(), if r.is_ok() { 2 } else { 1 }, "{failure:?}");
    }
}

/// The backoff's jitter is injected like the clock: a constant jitter gives exact sleeps.
#[test]
fn jitter_is_injected() {
    let p = GiftCardListParams::new("10001");
    let fail = Reply::Fail(TransportErrorKind::Connect, false);
    for (jitter, expected) in [(0.0, [100, 200]), (0.5, [150, 300])] {
        let script = Script::new(vec![fail.clone(), fail.clone(), Reply::Json(OK)]);
        // (no rate limit: only the backoff's sleeps are under test)
        let client = script.blocking_builder().no_rate_limit().jitter(move || jitter).build().unwrap();
        client.gift_cards(&p).unwrap();
        assert_eq!(script.sleeps(), expected.map(Duration::from_millis), "jitter {jitter}");
        let script = Script::new(vec![fail.clone(), fail.clone(), Reply::Json(OK)]);
        let client = script.async_builder().no_rate_limit().jitter(move || jitter).build().unwrap();
        common::run(client.gift_cards(&p)).unwrap();
        assert_eq!(script.sleeps(), expected.map(Duration::from_millis), "jitter {jitter}");
    }
}

/// Not catalogued, so a write: never sent again once it may have been acted on.
const WRITE: &str = "crm/giftCard/redeem";

fn write() -> UntypedRequest<'static> {
    let w = UntypedRequest::v3(WRITE, r#"{"card_no":"8800001"}"#).unwrap();
    assert!(!w.is_retry_safe());
    w
}

#[test]
fn a_throttled_write_is_retried_once_and_then_succeeds() {
    let w = write();
    for throttle in [
        r#"{"status":false,"code":"50003","message":"接口限流,请稍后再试"}"#,
        r#"{"status":false,"code":"500","message":"系统繁忙"}"#,
        r#"{"status":true,"code":"1001","message":"请求过于频繁"}"#, // a business error too
    ] {
        for (r, script) in both(
            vec![Reply::Json(throttle), Reply::Json(OK)],
            |c| c.send_untyped(&w),
            async |c| c.send_untyped(&w).await,
        ) {
            assert!(r.is_ok(), "{throttle}: {r:?}");
            let bodies = script.bodies();
            assert_eq!(bodies.len(), 2, "{throttle}");
            assert_ne!(bodies[0]["nonce"], bodies[1]["nonce"], "re-signed");
            // one backoff (150 ms at the fixed jitter 0.5) and the throttle's own jitter
            // on top (half of the 1 s spread)
            assert_eq!(script.sleeps(), [Duration::from_millis(650)], "{throttle}");
        }
    }
}

#[test]
fn a_429_or_a_throttle_with_retry_after_is_honoured_for_a_write() {
    let w = write();
    let throttle_with_header =
        Reply::StatusWith(200, r#"{"status":false,"code":"50003","message":"限流"}"#, "retry-after", "2");
    for (reply, wait) in
        [(Reply::StatusWith(429, "slow down", "retry-after", "3"), 3), (throttle_with_header, 2)]
    {
        for (r, script) in both(
            vec![reply.clone(), Reply::Json(OK)],
            |c| c.send_untyped(&w),
            async |c| c.send_untyped(&w).await,
        ) {
            assert!(r.is_ok(), "{reply:?}: {r:?}");
            assert_eq!(script.requests().len(), 2);
            // the Retry-After, and half of the 1 s spread on top (the fixed jitter 0.5)
            let expected = Duration::from_secs(wait) + Duration::from_millis(500);
            assert_eq!(script.sleeps(), vec![expected], "{reply:?}");
        }
    }
}

#[test]
fn a_throttle_is_retried_within_the_policy_only() {
    let w = write();
    let throttle = Reply::Json(r#"{"status":false,"code":"50003","message":"接口限流"}"#);
    for (r, script) in
        both(vec![throttle.clone()], |c| c.send_untyped(&w), async |c| c.send_untyped(&w).await)
    {
        let e = r.unwrap_err();
        assert_eq!(script.requests().len(), 7, "1 + 6 throttle retries (3 × max_retries)");
        assert_eq!((e.kind(), e.outcome()), (ErrorKind::ApiSystem, zv_api::Outcome::Rejected));
        assert!(e.is_retryable());
        assert!(matches!(e.attempt_outcome(0), AttemptOutcome::Throttled { retry_after: None }));
    }
    let script = Script::new(vec![throttle, Reply::Json(OK)]);
    assert!(
        script
            .blocking_builder()
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
            .send_untyped(&w)
            .is_err()
    );
    assert_eq!(script.requests().len(), 1);
    // A server asking for longer than the policy allows: the error at once.
    for (r, script) in both(
        vec![Reply::StatusWith(429, "later", "retry-after", "600"), Reply::Json(OK)],
        |c| c.send_untyped(&w),
        async |c| c.send_untyped(&w).await,
    ) {
        assert_eq!(r.unwrap_err().http_status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(script.requests().len(), 1);
        assert!(script.sleeps().is_empty());
    }
}

/// The throttle words are looked for in the platform's message as it came (not in a
/// display form that may be cut short), and only there.
#[test]
fn the_throttle_words_are_read_from_the_platform_message_only() {
    let w = write();
    let long = format!(r#"{{"status":false,"code":"50003","message":"{}频繁"}}"#, "很长的说明".repeat(2_000));
    let script = Script::new(vec![Reply::Json(Box::leak(long.into_boxed_str())), Reply::Json(OK)]);
    assert!(script.blocking().send_untyped(&w).is_ok());
    assert_eq!(script.requests().len(), 2);
    for not_a_throttle in [
        r#"{"status":false,"code":"429","message":"失败"}"#,
        r#"{"status":false,"code":"1","message":"失败","data":"限流"}"#,
        r#"{"status":true,"code":"20001","message":"查询的信息不存在"}"#,
    ] {
        let script = Script::new(vec![Reply::Json(not_a_throttle), Reply::Json(OK)]);
        let e = script.blocking().send_untyped(&w).unwrap_err();
        assert_eq!(script.requests().len(), 1, "{not_a_throttle}");
        assert!(!matches!(e.attempt_outcome(0), AttemptOutcome::Throttled { .. }), "{not_a_throttle}");
    }
    // A read is retried on a throttle just the same.
    let p = GiftCardListParams::new("10001");
    let script = Script::new(vec![
        Reply::Json(r#"{"status":false,"code":"1","message":"系统繁忙"}"#),
        Reply::Json(OK),
    ]);
    assert!(script.blocking().gift_cards(&p).is_ok());
    assert_eq!(script.requests().len(), 2);
}

/// A throttle answer gets more retries than other transient failures (three times as many),
/// and its wait is the `Retry-After` plus a jitter within `throttle_spread`: clients
/// throttled at one moment come back spread over a second, not in lock-step.
#[test]
fn a_throttle_gets_more_retries_and_a_jitter_on_top_of_retry_after() {
    let p = policy();
    let one_s = Some(Duration::from_secs(1));
    let throttled = AttemptOutcome::Throttled { retry_after: one_s };
    let too_many = AttemptOutcome::Http { status: http::StatusCode::TOO_MANY_REQUESTS, retry_after: one_s };
    let busy = AttemptOutcome::Http { status: http::StatusCode::SERVICE_UNAVAILABLE, retry_after: one_s };
    assert_eq!((p.max_retries, p.max_throttle_retries, p.max_attempts()), (2, 6, 7));
    for outcome in [throttled, too_many] {
        for attempts in 1..=6 {
            assert!(
                matches!(decide(&p, attempts, &outcome, false, 0.5), RetryDecision::Retry(_)),
                "{attempts}"
            );
        }
        assert_eq!(decide(&p, 7, &outcome, false, 0.5), RetryDecision::Stop);
        // Retry-After, then up to the spread (1 s) more, by the jitter
        for (jitter, ms) in [(0.0, 1000), (0.25, 1250), (0.999, 1999), (f64::NAN, 1000), (7.0, 2000)] {
            assert_eq!(
                decide(&p, 1, &outcome, false, jitter),
                RetryDecision::Retry(Duration::from_millis(ms)),
                "{jitter}"
            );
        }
    }
    // Other transient failures: the backoff or Retry-After only, and max_retries.
    assert_eq!(decide(&p, 1, &busy, true, 0.999), RetryDecision::Retry(Duration::from_secs(1)));
    assert_eq!(decide(&p, 3, &busy, true, 0.5), RetryDecision::Stop);
    // The retry counts follow each other: max_retries(n) gives 3n throttle retries, none()
    // none at all.
    let one = RetryPolicy::default().with_max_retries(1);
    assert_eq!((one.max_throttle_retries, one.max_attempts()), (3, 4));
    assert_eq!(RetryPolicy::none().max_attempts(), 1);
    assert_eq!(decide(&RetryPolicy::none(), 1, &throttled, true, 0.5), RetryDecision::Stop);
    let own = RetryPolicy::default().with_max_throttle_retries(10);
    assert_eq!((own.max_retries, own.max_attempts()), (2, 11));
}

/// Through the clients: a write throttled six times in a row is still sent a seventh
/// time; `max_retries(1)` allows three throttle retries; `max_retries(0)` none.
#[test]
fn the_clients_retry_a_throttle_up_to_its_own_count() {
    let w = write();
    let throttle = Reply::StatusWith(429, "slow down", "retry-after", "1");
    let mut replies = vec![throttle.clone(); 6];
    replies.push(Reply::Json(OK));
    for (r, script) in both(replies, |c| c.send_untyped(&w), async |c| c.send_untyped(&w).await) {
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(script.requests().len(), 7);
        // the longer of Retry-After and the backoff (which grows), and the jitter on top
        let p = RetryPolicy::default();
        let expected: Vec<Duration> = (1..=6)
            .map(|n| p.backoff(n, JITTER).max(Duration::from_secs(1)) + Duration::from_millis(500))
            .collect();
        assert_eq!(script.sleeps(), expected);
        assert_eq!(expected[0], Duration::from_millis(1500));
    }
    for (retries, requests) in [(1, 4), (0, 1)] {
        let script = Script::new(vec![throttle.clone()]);
        let client = script.blocking_builder().max_retries(retries).build().unwrap();
        assert!(client.send_untyped(&w).is_err());
        assert_eq!(script.requests().len(), requests, "max_retries({retries})");
        assert_eq!(client.config().retry_policy().max_attempts() as usize, requests);
    }
}

/// Each attempt's log line carries the most attempts the call may make so far: the
/// policy's `max_retries + 1`, and more once a throttle answer was met (what `zv -v` shows
/// as `attempt n/m`).
#[test]
fn the_logs_say_how_many_attempts_a_call_may_make() {
    let p = GiftCardListParams::new("10001");
    let fields = |logs: &str| -> Vec<String> {
        logs.lines()
            .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("max_attempts=")))
            .map(str::to_owned)
            .collect()
    };
    let script = Script::new(vec![Reply::Status(503, "busy"), Reply::Json(OK)]);
    let (r, logs) = with_logs(|| script.blocking().gift_cards(&p));
    assert!(r.is_ok());
    assert_eq!(fields(&logs), ["max_attempts=3", "max_attempts=3"], "{logs}");
    let script = Script::new(vec![
        Reply::Status(503, "busy"),
        Reply::StatusWith(429, "slow down", "retry-after", "1"),
        Reply::Json(OK),
    ]);
    let (r, logs) = with_logs(|| script.blocking().gift_cards(&p));
    assert!(r.is_ok());
    assert_eq!(fields(&logs), ["max_attempts=3", "max_attempts=7", "max_attempts=7"], "{logs}");
}
