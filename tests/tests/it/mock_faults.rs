//! zv-mock's injected faults as the SDK's clients take them, beyond the error kinds of
//! `errors.rs` and the retries of `retries.rs`: what is retried and what the mock logged.

use zv_api::ErrorKind;
use zv_integration_tests::{BACKENDS, Env, call};
use zv_mock::{Fault, MockConfig};
use zv_types::GiftCardListParams;

fn cards() -> GiftCardListParams {
    GiftCardListParams::new("10001")
}

#[test]
fn a_4xx_is_not_retried_by_a_retrying_client() {
    let env = Env::new(MockConfig::new());
    for backend in BACKENDS {
        env.mock.clear_log();
        env.mock.push_fault(Fault::HttpStatus(404));
        let error = call!(env, backend, gift_cards(&cards())).unwrap_err();
        assert_eq!(error.http_status().map(|s| s.as_u16()), Some(404), "{backend:?}");
        assert_eq!(env.mock.log().len(), 1, "{backend:?}: sent once");
        assert!(call!(env, backend, gift_cards(&cards())).is_ok(), "the queue is empty");
    }
}

#[test]
fn fail_times_is_seen_attempt_by_attempt() {
    let env = Env::new(MockConfig::new());
    for backend in BACKENDS {
        env.mock.clear_log();
        env.mock.push_fault(Fault::fail_times(2, Fault::HttpStatus(503)));
        assert!(!call!(env, backend, gift_cards(&cards())).unwrap().is_empty(), "the 3rd attempt");
        let log = env.mock.log();
        assert_eq!(log.iter().map(|e| e.http_status).collect::<Vec<_>>(), [503, 503, 200], "{backend:?}");
        assert!(log[0].fault.as_deref().unwrap().starts_with("http 503"));
        assert_eq!(log[2].fault, None);
    }
    // With one retry too few, the 503 comes back.
    let env = Env::with(MockConfig::new(), |b| b.max_retries(1), |a| a.max_retries(1));
    for backend in BACKENDS {
        env.mock.clear_log();
        env.mock.push_fault(Fault::fail_times(2, Fault::HttpStatus(503)));
        let error = call!(env, backend, gift_cards(&cards())).unwrap_err();
        assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503), "{backend:?}");
        assert_eq!(env.mock.log().len(), 2);
        assert!(call!(env, backend, gift_cards(&cards())).is_ok());
    }
}

#[test]
fn messy_platform_errors_are_read_like_canonical_ones() {
    let env = Env::with(MockConfig::new().messy(true), |b| b.max_retries(0), |a| a.max_retries(0));
    for backend in BACKENDS {
        env.mock.push_fault(Fault::business(30001, "会员已冻结"));
        env.mock.push_fault(Fault::system(50000, "系统繁忙"));
        let error = call!(env, backend, gift_cards(&cards())).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ApiBusiness, "{backend:?}: {error}");
        assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(30001));
        assert_eq!(error.api_error().unwrap().message, "会员已冻结");
        let error = call!(env, backend, gift_cards(&cards())).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ApiSystem, "{backend:?}: {error}");
        assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(50000));
    }
    assert!(env.mock.log().iter().all(|e| e.verdict.is_ok()));
}

#[test]
fn a_member_fault_reaches_the_clients_of_that_member_only() {
    let env = Env::with(MockConfig::new(), |b| b.max_retries(0), |a| a.max_retries(0));
    env.mock.fault_for_member("10002", Fault::HttpStatus(500));
    for backend in BACKENDS {
        assert!(call!(env, backend, gift_cards(&cards())).is_ok());
        let error = call!(env, backend, gift_cards(&GiftCardListParams::new("10002"))).unwrap_err();
        assert_eq!(error.http_status().map(|s| s.as_u16()), Some(500), "{backend:?}");
        // The coupon list sends user_id as a number: the member matches all the same.
        env.mock.fault_for_member("10001", Fault::fail_times(1, Fault::business(1, "x")));
        let coupons = zv_types::CouponListParams::new().user_id(10001);
        assert_eq!(call!(env, backend, coupons(&coupons)).unwrap_err().kind(), ErrorKind::ApiBusiness);
        assert_eq!(call!(env, backend, coupons(&coupons)).unwrap().item_list.len(), 5);
    }
}
