//! Every error kind end to end, through both backends.

use std::time::Duration;

use zv_api::{Error, ErrorKind};
use zv_integration_tests::{BACKENDS, Env, call};
use zv_mock::{Fault, MockConfig};
use zv_transport::TransportErrorKind;
use zv_types::{ApiErrorKind, GiftCardListParams, ResponseCode};

fn one_attempt() -> Env {
    Env::with(MockConfig::new(), |b| b.max_retries(0), |a| a.max_retries(0))
}

fn gift_cards(env: &Env, backend: zv_integration_tests::Backend) -> Result<Vec<zv_types::GiftCard>, Error> {
    call!(env, backend, gift_cards(&GiftCardListParams::new("10001")))
}

#[test]
fn business_error_for_an_unknown_member() {
    let env = one_attempt();
    for backend in BACKENDS {
        let e = call!(env, backend, gift_cards(&GiftCardListParams::new("99999"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiBusiness);
        assert_eq!(e.to_string(), "API business error 20001: 查询的信息不存在");
    }
}

#[test]
fn injected_business_and_system_errors() {
    let env = one_attempt();
    for backend in BACKENDS {
        env.mock.push_fault(Fault::BusinessError { code: 30001, message: "会员已冻结".into() });
        let e = gift_cards(&env, backend).unwrap_err();
        let api = e.api_error().unwrap();
        assert_eq!(
            (api.kind, &api.code, api.message.as_str()),
            (ApiErrorKind::Business, &ResponseCode::Num(30001), "会员已冻结")
        );
        env.mock.push_fault(Fault::SystemError { code: 50001, message: "系统繁忙".into() });
        let e = gift_cards(&env, backend).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiSystem);
        assert_eq!(e.to_string(), "API system error 50001: 系统繁忙");
    }
}

#[test]
fn http_status_with_html() {
    let env = one_attempt();
    for backend in BACKENDS {
        env.mock.push_fault(Fault::HttpStatus(502));
        let e = gift_cards(&env, backend).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Http, "{backend:?}: {e}");
        assert_eq!(e.http_status(), Some(http::StatusCode::BAD_GATEWAY));
        let msg = e.to_string();
        assert!(
            msg.starts_with("HTTP 502 Bad Gateway from /v3/crm/giftCard/getCustomerGiftCardList: "),
            "{msg}"
        );
        assert!(msg.contains("html") && !msg.contains('\n'), "{msg}");
    }
}

#[test]
fn empty_and_truncated_bodies() {
    let env = one_attempt();
    for backend in BACKENDS {
        env.mock.push_fault(Fault::EmptyBody);
        let e = gift_cards(&env, backend).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "{backend:?}: {e}");
        assert!(e.to_string().ends_with("(body: (empty body))"), "{e}");
        env.mock.push_fault(Fault::TruncatedJson);
        let e = gift_cards(&env, backend).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "{backend:?}: {e}");
        let Error::Decode { source, .. } = &e else { panic!("{e:?}") };
        assert!(source.path().is_some_and(|p| p.starts_with("data")), "{e}");
    }
}

#[test]
fn timeouts_come_back_promptly() {
    let env = Env::with(
        MockConfig::new(),
        // (a second: long enough for the call after it to be answered on a loaded machine)
        |b| b.max_retries(0).timeout(Duration::from_secs(1)),
        |a| a.max_retries(0).timeout(Duration::from_secs(1)),
    );
    for backend in BACKENDS {
        // Ten minutes of delay against a 1 s timeout: a client that waited would hang the
        // suite, so no wall-clock assertion is needed.
        env.mock.push_fault(Fault::Delay(Duration::from_secs(600)));
        let e = gift_cards(&env, backend).unwrap_err();
        assert_eq!(
            e.transport_error().map(|t| t.kind()),
            Some(TransportErrorKind::Timeout),
            "{backend:?}: {e}"
        );
        // the mock survives a client that gave up
        assert!(gift_cards(&env, backend).is_ok());
    }
}

#[test]
fn a_huge_body_is_refused_at_the_cap() {
    let env = Env::with(
        MockConfig::new(),
        |b| b.max_retries(0).max_response_bytes(1 << 20),
        |a| a.max_retries(0).max_response_bytes(1 << 20),
    );
    for backend in BACKENDS {
        for content_length in [true, false] {
            env.mock.push_fault(Fault::HugeBody { bytes: 300 << 20, content_length });
            let e = gift_cards(&env, backend).unwrap_err();
            assert_eq!(
                e.transport_error().map(|t| t.kind()),
                Some(TransportErrorKind::BodyTooLarge),
                "{backend:?}: {e}"
            );
        }
    }
}

#[test]
fn decode_error_names_the_json_path() {
    let env = one_attempt();
    let body = r#"{"status":true,"code":0,"data":[{"id":"1","par_value":"10.00"},{"id":"2","par_value":"ten yuan"}]}"#;
    for backend in BACKENDS {
        env.mock.push_fault(Fault::Respond { status: 200, body: body.into() });
        let e = gift_cards(&env, backend).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "{backend:?}: {e}");
        let Error::Decode { source, .. } = &e else { panic!("{e:?}") };
        assert_eq!(source.path(), Some("data[1].par_value"));
        let msg = zv_api::Report(&e).to_string();
        assert!(msg.starts_with(r#"cannot decode the response of /v3/crm/giftCard/getCustomerGiftCardList (body: {"status":true"#), "{msg}");
        assert!(msg.contains("): at `data[1].par_value`: "), "{msg}");
        assert_eq!(e.http_response().unwrap().body(), body.as_bytes());
    }
}
