//! Retries end to end: re-signed attempts, never a business error, never a write twice.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;
use zv_api::{ErrorKind, UntypedRequest};
use zv_integration_tests::{BACKENDS, Env, call};
use zv_mock::{Fault, MockConfig, Verdict};
use zv_types::GiftCardListParams;

#[test]
fn fail_twice_then_succeed_with_three_verified_nonces() {
    let env = Env::new(MockConfig::new());
    for backend in BACKENDS {
        env.mock.clear_log();
        env.mock.push_fault(Fault::FailTimes { times: 2, fault: Box::new(Fault::HttpStatus(503)) });
        let cards = call!(env, backend, gift_cards(&GiftCardListParams::new("10001"))).unwrap();
        assert!(!cards.is_empty());
        let log = env.mock.log();
        assert_eq!(log.len(), 3, "{backend:?}: {log:?}");
        assert!(log.iter().all(|e| e.verdict == Verdict::Ok), "every attempt verified: {log:?}");
        let nonces: HashSet<_> = log.iter().map(|e| e.nonce).collect();
        assert_eq!(nonces.len(), 3, "three distinct nonces");
    }
}

#[test]
fn system_error_then_success_when_configured_transient() {
    let env = Env::with(
        MockConfig::new(),
        |b| b.retry_policy(zv_integration_tests::fast_retries().with_transient_system_codes([50001])),
        |a| a.retry_policy(zv_integration_tests::fast_retries().with_transient_system_codes([50001])),
    );
    for backend in BACKENDS {
        env.mock.clear_log();
        env.mock.push_fault(Fault::FailTimes {
            times: 1,
            fault: Box::new(Fault::SystemError { code: 50001, message: "系统繁忙".into() }),
        });
        assert!(call!(env, backend, exchange_code_status("164822200532619796511")).is_ok());
        assert_eq!(env.mock.log().len(), 2);
    }
}

#[test]
fn a_business_error_is_not_retried() {
    let env = Env::new(MockConfig::new());
    for backend in BACKENDS {
        env.mock.clear_log();
        env.mock.push_fault(Fault::FailTimes {
            times: 3,
            fault: Box::new(Fault::BusinessError { code: 20001, message: "查询的信息不存在".into() }),
        });
        let e = call!(env, backend, gift_cards(&GiftCardListParams::new("10001"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiBusiness);
        assert_eq!(env.mock.log().len(), 1, "{backend:?}");
        env.mock.clear_faults();
    }
}

#[test]
fn a_non_idempotent_raw_call_is_not_resent_after_a_timeout() {
    let env = Env::with(
        MockConfig::new(),
        // A second: long enough for an undelayed call to be answered on a loaded machine.
        |b| b.timeout(Duration::from_secs(1)),
        |a| a.timeout(Duration::from_secs(1)),
    );
    for backend in BACKENDS {
        env.mock.clear_log();
        env.mock.push_fault(Fault::Delay(Duration::from_secs(60)));
        let redeem = UntypedRequest::v3(
            "coupon/exchange/redeemExchangeCode",
            json!({"exchangeCode": "164822200532619796511", "user_id": "10001"}),
        )
        .unwrap();
        let e = call!(env, backend, send_untyped(&redeem)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport, "{backend:?}: {e}");
        // The client has returned: nothing more will be sent. The mock logs a request as it
        // reads it, which on a loaded machine may come after the client gave up: wait for it.
        while env.mock.log().is_empty() {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(env.mock.log().len(), 1, "{backend:?}: the write was sent once");
        // the same call declared safe (a read) is retried
        env.mock.clear_log();
        env.mock.push_fault(Fault::Delay(Duration::from_secs(60)));
        let read = UntypedRequest::v3("coupon/exchange/getExchangeCodeStatus", json!({"exchangeCode": "1"}))
            .unwrap()
            .retry_safe(true);
        assert!(call!(env, backend, send_untyped(&read)).is_ok(), "{backend:?}");
        assert_eq!(env.mock.log().len(), 2);
    }
}
