//! Rate limits and the cap on calls in flight: the pure limiter on an injected clock, then
//! both clients with a scripted transport and a recording sleeper that lets time pass (the
//! waits are asked of the sleeper, never slept; no assertion reads a wall clock).

use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::common::*;
use proptest::prelude::*;
use zv_api::limit::{Gcra, Limiter, Limits, ManualClock, MonotonicClock, RateLimit};
use zv_api::zv_transport::{async_transport_fn, transport_fn};
use zv_api::{ConfigError, ErrorKind, RetryPolicy, UntypedRequest};
use zv_types::{GiftCardListParams, Route};

const GIFTS: &str = "crm/giftCard/getCustomerGiftCardList";
const CODES: &str = "coupon/exchange/getExchangeCodeStatus";
const OK: &str = r#"{"status":true,"code":0,"data":[]}"#;
const CODE_OK: &str = r#"{"status":true,"code":0,"data":{"status":"true"}}"#;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `n` a second, spaced exactly `1 s / n` apart (no guard): the arithmetic under test.
fn exact(n: u32) -> RateLimit {
    RateLimit::per_second(n).with_guard(Duration::ZERO)
}

fn v3(path: &str) -> Route<'_> {
    Route::v3(path).unwrap()
}

fn limiter(limits: Limits) -> (Limiter, ManualClock) {
    let clock = ManualClock::new();
    (Limiter::new(&limits, clock.clone()).unwrap(), clock)
}

fn limits(default: Option<RateLimit>) -> Limits {
    Limits { default, ..Limits::default() }
}

/// The largest number of `slots` (sorted) in any half-open window `[s, s + 1 s)`.
fn busiest_second(slots: &[Duration]) -> usize {
    (0..slots.len())
        .map(|i| slots[i..].iter().take_while(|s| **s < slots[i] + Duration::from_secs(1)).count())
        .max()
        .unwrap_or(0)
}

/// Sends attempts that arrive at `arrivals` (time since the origin, non-decreasing) and
/// returns the slot each was given (arrival + wait).
fn slots(limit: RateLimit, arrivals: &[Duration]) -> Vec<Duration> {
    let (limiter, clock) = limiter(limits(Some(limit)));
    let mut now = Duration::ZERO;
    arrivals
        .iter()
        .map(|&at| {
            clock.advance(at - now);
            now = at;
            at + limiter.reserve(v3(GIFTS))
        })
        .collect()
}

#[test]
fn ten_a_second_is_evenly_spaced_and_never_eleven_in_a_second() {
    let (limiter, clock) = limiter(Limits::default());
    assert_eq!(limiter.limit_for(v3(GIFTS)), Some(RateLimit::per_second(10)));
    // 30 attempts all at once: every 105 ms (100 ms and the guard), in the order asked.
    let waits: Vec<Duration> = (0..30).map(|_| limiter.reserve(v3(GIFTS))).collect();
    assert_eq!(waits, (0..30).map(|i| ms(105 * i)).collect::<Vec<_>>());
    assert_eq!(busiest_second(&waits), 10);
    // Time passes: the schedule continues where it was, then an idle path starts afresh.
    clock.advance(ms(3_100));
    assert_eq!(limiter.reserve(v3(GIFTS)), ms(50));
    clock.advance(ms(10_000));
    assert_eq!(limiter.reserve(v3(GIFTS)), Duration::ZERO);
    assert_eq!(limiter.reserve(v3(GIFTS)), ms(105));
}

#[test]
fn an_interval_that_does_not_divide_a_second_rounds_up() {
    // 3 a second: 333 333 334 ns apart, so the 4th is past the first second.
    let s = slots(exact(3), &[Duration::ZERO; 4]);
    assert_eq!(s[3], Duration::from_nanos(1_000_000_002));
    assert_eq!(busiest_second(&s), 3);
}

#[test]
fn a_burst_goes_at_once_then_the_rate_holds() {
    let limit = exact(10).with_burst(3);
    assert_eq!(limit.to_string(), "10/s, burst 3");
    let s = slots(limit, &[Duration::ZERO; 20]);
    assert_eq!(&s[..5], &[ms(0), ms(0), ms(0), ms(100), ms(200)]);
    assert_eq!(busiest_second(&s), 10 + 3 - 1, "per_second + burst − 1, as documented");
}

/// Time between two arrivals: often none (a bunch), often less than an interval, sometimes
/// a quiet spell.
fn gap() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => Just(Duration::ZERO),
        3 => (0u64..50_000_000).prop_map(Duration::from_nanos),
        1 => (0u64..3_000_000_000).prop_map(Duration::from_nanos),
    ]
}

proptest! {
    /// Whatever the arrivals: never more than `n` attempts in any one-second window (with
    /// a burst b: `n + b − 1`), nothing sent before it arrived, with burst 1 the slots at
    /// least an interval apart, and a waiting attempt always takes the very next slot (no
    /// slot is wasted under demand, the quota is fully used).
    #[test]
    fn no_window_ever_holds_more_than_the_quota(
        n in 1u32..60, burst in 1u32..5, gaps in proptest::collection::vec(gap(), 1..120),
    ) {
        let limit = RateLimit::per_second(n).with_burst(burst);
        let arrivals: Vec<Duration> = gaps.iter().scan(Duration::ZERO, |t, g| { *t += *g; Some(*t) }).collect();
        let s = slots(limit, &arrivals);
        prop_assert!(s.windows(2).all(|w| w[0] <= w[1]), "in order");
        prop_assert!(s.iter().zip(&arrivals).all(|(slot, at)| slot >= at));
        prop_assert!(busiest_second(&s) <= (n + burst - 1) as usize);
        for i in 1..s.len() {
            if burst == 1 {
                prop_assert!(s[i] - s[i - 1] >= limit.interval());
            }
            if s[i] > arrivals[i] && burst == 1 {
                prop_assert_eq!(s[i], s[i - 1] + limit.interval(), "a waiter takes the next slot");
            }
        }
    }
}

#[test]
fn paths_are_limited_independently() {
    let (limiter, _) = limiter(Limits::default());
    assert_eq!(limiter.reserve(v3(GIFTS)), Duration::ZERO);
    assert_eq!(limiter.reserve(v3(CODES)), Duration::ZERO);
    // A V2 Action and a V3 path of the same name are different interfaces.
    assert_eq!(limiter.reserve(Route::v2(GIFTS).unwrap()), Duration::ZERO);
    assert_eq!(limiter.reserve(v3(GIFTS)), ms(105));
    assert_eq!(limiter.reserve(v3(CODES)), ms(105));
}

#[test]
fn clones_share_the_schedule() {
    let (limiter, _) = limiter(Limits::default());
    let clone = limiter.clone();
    assert_eq!(limiter.reserve(v3(GIFTS)), Duration::ZERO);
    assert_eq!(clone.reserve(v3(GIFTS)), ms(105));
    assert_eq!(limiter.reserve(v3(GIFTS)), ms(210));
    // A limiter made apart shares nothing.
    let (other, _) = self::limiter(Limits::default());
    assert_eq!(other.reserve(v3(GIFTS)), Duration::ZERO);
}

#[test]
fn unlimited_never_waits_and_off_is_off() {
    let (unlimited, _) = limiter(limits(Some(RateLimit::unlimited())));
    assert!((0..1000).all(|_| unlimited.reserve(v3(GIFTS)).is_zero()));
    assert_eq!(unlimited.limit_for(v3(GIFTS)), Some(RateLimit::unlimited()));
    let (off, _) = limiter(Limits::off());
    assert!((0..1000).all(|_| off.reserve(v3(GIFTS)).is_zero()));
    assert_eq!(off.limit_for(v3(GIFTS)), None);
    assert_eq!(off.max_in_flight(), None);
    // An exemption for one path while the default holds for the others.
    let (limiter, _) = limiter(Limits {
        per_path: vec![(format!("/v3/{CODES}"), RateLimit::unlimited())],
        ..Limits::default()
    });
    assert!((0..100).all(|_| limiter.reserve(v3(CODES)).is_zero()));
    assert_eq!(limiter.reserve(v3(GIFTS)), Duration::ZERO);
    assert_eq!(limiter.reserve(v3(GIFTS)), ms(105));
}

#[test]
fn per_path_limits_name_routes_in_any_spelling_and_the_last_wins() {
    let (limiter, _) = limiter(Limits {
        default: None,
        per_path: vec![
            (format!("/v3/{GIFTS}"), exact(1)),
            (format!("/{GIFTS}"), exact(4)),
            ("v2:coupon.user-coupon-list".to_owned(), exact(2)),
        ],
        max_in_flight: None,
    });
    assert_eq!(limiter.limit_for(v3(GIFTS)), Some(exact(4)));
    assert_eq!(limiter.reserve(v3(GIFTS)), Duration::ZERO);
    assert_eq!(limiter.reserve(v3(GIFTS)), ms(250));
    let v2 = Route::v2("coupon.user-coupon-list").unwrap();
    assert_eq!(limiter.reserve(v2), Duration::ZERO);
    assert_eq!(limiter.reserve(v2), ms(500));
    assert_eq!(limiter.limit_for(v3(CODES)), None, "no default: the other paths are free");
}

#[test]
fn unusable_limits_are_configuration_errors() {
    let refused = |l: Limits| Limiter::new(&l, ManualClock::new()).unwrap_err();
    let e = refused(limits(Some(exact(0))));
    assert!(matches!(e, ConfigError::InvalidRateLimit { path: None, .. }), "{e:?}");
    assert!(e.to_string().starts_with("invalid rate limit for every path: a rate of 0"), "{e}");
    let e = refused(limits(Some(exact(5).with_burst(0))));
    assert!(e.to_string().contains("a burst of 0"), "{e}");
    let e =
        refused(Limits { per_path: vec![("crm/../admin".into(), RateLimit::DEFAULT)], ..Limits::default() });
    assert!(e.to_string().starts_with("invalid rate limit for crm/../admin: "), "{e}");
    let e = refused(Limits { per_path: vec![("v2:".into(), RateLimit::DEFAULT)], ..Limits::default() });
    assert!(matches!(e, ConfigError::InvalidRateLimit { path: Some(ref p), .. } if p == "v2:"), "{e:?}");
    let e = refused(Limits { per_path: vec![("\u{1b}[2J".into(), RateLimit::DEFAULT)], ..Limits::default() });
    assert!(!e.to_string().contains('\u{1b}'), "sanitized: {e}");
    let e = refused(Limits { max_in_flight: Some(0), ..Limits::default() });
    assert!(matches!(e, ConfigError::InvalidMaxInFlight), "{e:?}");
    // Through the builders: a configuration error, nothing sent.
    let script = Script::new(vec![Reply::Json(OK)]);
    for e in [
        script.blocking_builder().rate_limit(exact(0)).build().unwrap_err(),
        script.blocking_builder().rate_limit_for("crm/..", RateLimit::DEFAULT).build().unwrap_err(),
        script.async_builder().max_in_flight(0).build().unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    }
    assert!(script.requests().is_empty());
}

#[test]
fn idle_paths_are_forgotten_without_changing_any_decision() {
    let (limiter, clock) = limiter(Limits::default());
    let paths: Vec<String> = (0..3000).map(|i| format!("crm/p{i}")).collect();
    assert!(paths.iter().all(|p| limiter.reserve(v3(p)).is_zero()));
    clock.advance(ms(40));
    // Still busy: each path's next slot is 65 ms away, however many paths there are.
    assert_eq!(limiter.reserve(v3(&paths[0])), ms(65));
    clock.advance(ms(1000));
    assert!(paths[..1500].iter().all(|p| limiter.reserve(v3(p)).is_zero()));
    assert_eq!(limiter.reserve(v3(&paths[0])), ms(105));
}

#[test]
fn the_arithmetic_is_total() {
    let clock = ManualClock::new();
    let limiter = Limiter::new(&Limits::default(), clock.clone()).unwrap();
    clock.advance(Duration::MAX);
    clock.advance(Duration::MAX);
    assert_eq!(clock.elapsed(), Duration::from_nanos(u64::MAX));
    assert!(limiter.reserve(v3(GIFTS)) <= ms(100));
    let mut g = Gcra::default();
    for limit in [exact(0), exact(1).with_burst(u32::MAX)] {
        for now in [Duration::ZERO, Duration::MAX] {
            let _ = g.reserve(&limit, now);
        }
    }
}

// ----- the clients -----

#[test]
fn calls_to_one_path_wait_their_turn_through_the_sleeper() {
    let p = GiftCardListParams::new("10001");
    for (r, script) in both(
        vec![Reply::Json(OK)],
        |c| (0..3).map(|_| c.gift_cards(&p).map(|_| ())).collect::<Result<Vec<_>, _>>(),
        async |c| {
            let mut out = Vec::new();
            for _ in 0..3 {
                out.push(c.gift_cards(&p).await.map(|_| ()));
            }
            out.into_iter().collect()
        },
    ) {
        r.unwrap();
        assert_eq!(script.requests().len(), 3);
        assert_eq!(script.sleeps(), vec![ms(105), ms(105)]);
    }
}

#[test]
fn a_retry_takes_a_slot_of_its_own() {
    let p = GiftCardListParams::new("10001");
    // 5 a second (200 ms apart); the backoff with jitter 0 is 100 ms, so the retry waits
    // 100 ms more for its slot.
    let replies = vec![Reply::Status(503, "busy"), Reply::Json(OK)];
    let script = Script::new(replies.clone());
    let client = script.blocking_builder().rate_limit(exact(5)).jitter(|| 0.0).build().unwrap();
    client.gift_cards(&p).unwrap();
    assert_eq!(script.sleeps(), vec![ms(100), ms(100)]);
    let script = Script::new(replies);
    let client = script.async_builder().rate_limit(exact(5)).jitter(|| 0.0).build().unwrap();
    run(client.gift_cards(&p)).unwrap();
    assert_eq!(script.sleeps(), vec![ms(100), ms(100)]);
}

/// The interaction that made a retry test flaky: a backoff shorter than the limit's
/// 105 ms spacing is followed by a limiter wait for the rest of it, so the time between
/// two attempts is exactly the longer of the two, for every jitter.
#[test]
fn a_backoff_under_the_limit_spacing_waits_only_the_difference() {
    let p = GiftCardListParams::new("10001");
    let spacing = RateLimit::DEFAULT.interval();
    assert_eq!(spacing, ms(105));
    for jitter in [0.0, 0.01, 0.049, 0.05, 0.051, 0.5, 0.999] {
        let backoff = RetryPolicy::default().backoff(1, jitter);
        let expected = if backoff < spacing { vec![backoff, spacing - backoff] } else { vec![backoff] };
        let replies = vec![Reply::Status(503, "busy"), Reply::Json(OK)];
        let script = Script::new(replies.clone());
        let client = script.blocking_builder().jitter(move || jitter).build().unwrap();
        client.gift_cards(&p).unwrap();
        assert_eq!(script.sleeps(), expected, "blocking, jitter {jitter}");
        let script = Script::new(replies);
        let client = script.async_builder().jitter(move || jitter).build().unwrap();
        run(client.gift_cards(&p)).unwrap();
        assert_eq!(script.sleeps(), expected, "async, jitter {jitter}");
        let between: Duration = expected.iter().sum();
        assert_eq!(between, backoff.max(spacing), "jitter {jitter}");
    }
}

#[test]
fn client_clones_share_the_limit_and_other_clients_do_not() {
    let p = GiftCardListParams::new("10001");
    let script = Script::new(vec![Reply::Json(OK)]);
    let client = script.blocking();
    let clone = client.clone();
    client.gift_cards(&p).unwrap();
    clone.gift_cards(&p).unwrap();
    assert_eq!(script.sleeps(), vec![ms(105)]);
    script.blocking().gift_cards(&p).unwrap();
    assert_eq!(script.sleeps(), vec![ms(105)], "a client built apart has its own limiter");

    let script = Script::new(vec![Reply::Json(OK)]);
    let client = script.asynch();
    let clone = client.clone();
    run(async {
        client.gift_cards(&p).await.unwrap();
        clone.gift_cards(&p).await.unwrap();
    });
    assert_eq!(script.sleeps(), vec![ms(105)]);
}

#[test]
fn per_path_limits_and_switching_off_through_the_builder() {
    let p = GiftCardListParams::new("10001");
    let script = Script::new(vec![Reply::Json(CODE_OK)]);
    let client = script.blocking_builder().rate_limit_for(format!("/v3/{CODES}"), exact(2)).build().unwrap();
    client.exchange_code_status("1").unwrap();
    client.exchange_code_status("1").unwrap();
    assert_eq!(script.sleeps(), vec![ms(500)]);
    assert_eq!(client.config().limiter().limit_for(v3(GIFTS)), Some(RateLimit::DEFAULT));

    // Off: nothing waits.
    let script = Script::new(vec![Reply::Json(OK)]);
    let client = script.async_builder().rate_limit_for(GIFTS, exact(1)).no_rate_limit().build().unwrap();
    run(async {
        for _ in 0..20 {
            client.gift_cards(&p).await.unwrap();
        }
    });
    assert!(script.sleeps().is_empty());
    assert_eq!(client.config().limiter().limit_for(v3(GIFTS)), None);
    // A path limited after switching off is the only one limited.
    let script = Script::new(vec![Reply::Json(OK)]);
    let client = script.blocking_builder().no_rate_limit().rate_limit_for(GIFTS, exact(4)).build().unwrap();
    let codes = UntypedRequest::v3(CODES, "{}").unwrap();
    client.gift_cards(&p).unwrap();
    client.gift_cards(&p).unwrap();
    client.send_untyped(&codes).unwrap();
    client.send_untyped(&codes).unwrap();
    assert_eq!(script.sleeps(), vec![ms(250)]);
}

#[test]
fn waiting_shows_in_tracing() {
    let p = GiftCardListParams::new("10001");
    let script = Script::new(vec![Reply::Json(OK)]);
    let client = script.blocking();
    let ((), logs) = with_logs(|| {
        client.gift_cards(&p).unwrap();
        client.gift_cards(&p).unwrap();
    });
    let line = logs.lines().find(|l| l.contains("waiting")).unwrap_or_else(|| panic!("{logs}"));
    assert!(line.contains("DEBUG"), "{line}");
    assert!(line.contains(&format!("waiting 105 ms for the rate limit of /v3/{GIFTS}")), "{line}");
    assert!(line.contains("wait_ms=105") && line.contains(&format!("endpoint=/v3/{GIFTS}")), "{line}");
    assert!(line.contains("zv_api"), "the SDK's target: {line}");
    assert_eq!(logs.matches("for the rate limit").count(), 1, "{logs}");

    let script = Script::new(vec![Reply::Json(OK)]);
    let client = script.asynch();
    let ((), logs) = with_logs(|| {
        run(async {
            client.gift_cards(&p).await.unwrap();
            client.gift_cards(&p).await.unwrap();
        })
    });
    assert!(logs.contains(&format!("waiting 105 ms for the rate limit of /v3/{GIFTS}")), "{logs}");
}

// ----- calls in flight -----

#[test]
fn an_in_flight_permit_is_given_back_on_drop_and_a_dropped_waiter_takes_none() {
    let (limiter, _) = limiter(Limits { max_in_flight: Some(2), ..Limits::default() });
    assert_eq!(limiter.max_in_flight(), Some(2));
    let first = limiter.in_flight_permit_blocking().unwrap();
    let second = limiter.in_flight_permit_blocking().unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    let mut third = Box::pin(limiter.in_flight_permit());
    assert!(third.as_mut().poll(&mut cx).is_pending(), "two in flight: the third waits");
    let mut fourth = Box::pin(limiter.in_flight_permit());
    assert!(fourth.as_mut().poll(&mut cx).is_pending());
    drop(fourth); // cancelled while waiting
    drop(first);
    let Poll::Ready(Some(third)) = third.as_mut().poll(&mut cx) else { panic!("a place was given back") };
    let mut fifth = Box::pin(limiter.in_flight_permit());
    assert!(fifth.as_mut().poll(&mut cx).is_pending());
    drop((second, third));
    assert!(matches!(fifth.as_mut().poll(&mut cx), Poll::Ready(Some(_))));
    // No cap: no permit needed.
    let (free, _) = self::limiter(Limits::default());
    assert!(free.in_flight_permit_blocking().is_none());
    assert!(matches!(Box::pin(free.in_flight_permit()).as_mut().poll(&mut cx), Poll::Ready(None)));
}

/// A waker that remembers being woken.
#[derive(Default)]
struct Flag(std::sync::atomic::AtomicBool);

impl std::task::Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Flag {
    fn woken(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn two_places_given_back_at_once_wake_two_waiters() {
    let (limiter, _) = limiter(Limits { max_in_flight: Some(2), ..Limits::default() });
    let held = [limiter.in_flight_permit_blocking().unwrap(), limiter.in_flight_permit_blocking().unwrap()];
    let flags = [Arc::new(Flag::default()), Arc::new(Flag::default())];
    let mut waiters: Vec<_> = (0..2).map(|_| Box::pin(limiter.in_flight_permit())).collect();
    for (waiter, flag) in waiters.iter_mut().zip(&flags) {
        let waker = Waker::from(flag.clone());
        assert!(waiter.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    }
    drop(held);
    assert!(flags.iter().all(|f| f.woken()), "each place given back wakes a waiter of its own");
    for (waiter, flag) in waiters.iter_mut().zip(&flags) {
        let waker = Waker::from(flag.clone());
        assert!(matches!(waiter.as_mut().poll(&mut Context::from_waker(&waker)), Poll::Ready(Some(_))));
    }
}

/// Counts the attempts sending at once. An attempt leaves the transport only once every
/// call has started and the cap is reached (or all the others are done): without a cap,
/// every started call piles into the transport; with one, the cap is met exactly.
#[derive(Default)]
struct Concurrency {
    state: Mutex<Counts>,
    changed: Condvar,
}

#[derive(Default)]
struct Counts {
    started: usize,
    sending: usize,
    done: usize,
    most: usize,
}

impl Counts {
    fn may_leave(&self) -> bool {
        self.started == CALLS && (self.sending >= CAP || self.sending + self.done == CALLS)
    }
}

impl Concurrency {
    fn update(&self, f: impl FnOnce(&mut Counts)) {
        let mut s = self.state.lock().unwrap();
        f(&mut s);
        s.most = s.most.max(s.sending);
        self.changed.notify_all();
    }

    fn start(&self) {
        self.update(|s| s.started += 1);
    }

    fn enter(&self) {
        self.update(|s| s.sending += 1);
    }

    fn may_leave(&self) -> bool {
        self.state.lock().unwrap().may_leave()
    }

    fn leave(&self) {
        self.update(|s| {
            s.sending -= 1;
            s.done += 1;
        });
    }

    fn wait_to_leave(&self) {
        let mut s = self.state.lock().unwrap();
        while !s.may_leave() {
            s = self.changed.wait(s).unwrap();
        }
        drop(s);
        self.leave();
    }

    fn most(&self) -> usize {
        self.state.lock().unwrap().most
    }
}

const CAP: usize = 3;
const CALLS: usize = 13;

/// A client with a cap of [`CAP`] calls in flight and no rate limit.
fn capped<M: zv_api::Mode>(builder: zv_api::ClientBuilder<M>) -> zv_api::ClientBuilder<M> {
    builder.no_rate_limit().max_in_flight(CAP)
}

#[test]
fn the_blocking_client_keeps_to_its_cap_across_threads() {
    let seen = Arc::new(Concurrency::default());
    let s = seen.clone();
    let client = capped(Script::default().blocking_builder())
        .transport(transport_fn(move |_| {
            s.enter();
            s.wait_to_leave();
            Ok(http::Response::new(OK.as_bytes().to_vec()))
        }))
        .build()
        .unwrap();
    let p = GiftCardListParams::new("10001");
    std::thread::scope(|scope| {
        let calls: Vec<_> = (0..CALLS)
            .map(|_| {
                scope.spawn(|| {
                    seen.start();
                    client.gift_cards(&p)
                })
            })
            .collect();
        for call in calls {
            call.join().unwrap().unwrap();
        }
    });
    assert_eq!(seen.most(), CAP);
}

#[test]
fn the_async_client_keeps_to_its_cap_across_tasks() {
    let seen = Arc::new(Concurrency::default());
    let s = seen.clone();
    let client = capped(Script::default().async_builder())
        .transport(async_transport_fn(move |_| {
            let s = s.clone();
            async move {
                s.enter();
                while !s.may_leave() {
                    tokio::task::yield_now().await;
                }
                s.leave();
                Ok(http::Response::new(OK.as_bytes().to_vec()))
            }
        }))
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let tasks: Vec<_> = (0..CALLS)
            .map(|_| {
                let (client, seen) = (client.clone(), seen.clone());
                tokio::spawn(async move {
                    seen.start();
                    client.gift_cards(&GiftCardListParams::new("10001")).await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
    });
    assert_eq!(seen.most(), CAP);
}

#[test]
fn the_limits_show_in_debug_without_secrets() {
    let script = Script::new(vec![Reply::Json(OK)]);
    let client = script.blocking_builder().max_in_flight(4).build().unwrap();
    let debug = format!("{client:?}");
    assert!(
        debug.contains(r#"default: Some("10/s")"#) && debug.contains("max_in_flight: Some(4)"),
        "{debug}"
    );
    assert!(!debug.contains(KEY));
}

#[test]
fn the_guard_spreads_each_window_over_a_second_and_a_little_more() {
    // The default: 10 a second, 105 ms apart, so arrivals that travel up to 50 ms faster
    // than the one ten before still never make eleven in a second at the gateway.
    assert_eq!(RateLimit::DEFAULT.guard(), zv_api::limit::DEFAULT_GUARD);
    assert_eq!(RateLimit::DEFAULT.interval(), ms(105));
    let sent = slots(RateLimit::DEFAULT, &[Duration::ZERO; 40]);
    let jitter = [ms(0), ms(49)]; // the earlier call slow, the later one fast
    for i in 0..30 {
        let (early, late) = (sent[i] + jitter[1], sent[i + 10] + jitter[0]);
        assert!(late - early >= ms(1000), "calls {i} and {} arrive within a second", i + 10);
    }
    // Without it, the same jitter puts eleven in a second.
    let spaced = slots(exact(10), &[Duration::ZERO; 40]);
    assert!(spaced[10] + jitter[0] - (spaced[0] + jitter[1]) < ms(1000));
    assert_eq!(exact(10).interval(), ms(100));
}
