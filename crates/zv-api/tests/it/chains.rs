//! Errors print each cause once: rendering a whole chain the way error reporters do (each
//! level's `Display` joined with ": "), no phrase appears twice — for every error kind of
//! zv-api, zv-types and zv-transport.

use std::error::Error as StdError;
use std::io;

use crate::common::*;
use zv_api::sansio::{self, CallState, Step};
use zv_api::zv_transport::{TransportError, TransportErrorKind};
use zv_api::{ConfigError, Error, Report, RetryPolicy};
use zv_types::{DecodeError, GetCustomerGiftCardList, GiftCardListParams, Money, ResponseError, Route};

/// Each level's own text, outermost first.
fn levels(e: &(dyn StdError + 'static)) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut next = e.source();
    while let Some(s) = next {
        out.push(s.to_string());
        next = s.source();
    }
    out
}

/// The rendered chain repeats no level of three words or more, and no run of four words.
/// (A two-word OS message such as `timed out` under `timed out waiting for the server` is
/// the OS's own report, not a repetition.)
fn assert_each_cause_once(e: &(dyn StdError + 'static)) {
    let report = Report(e).to_string();
    let levels = levels(e);
    assert_eq!(report, levels.join(": "));
    for level in &levels {
        assert!(!level.is_empty(), "an empty level in {report:?}");
        if level.split_whitespace().count() >= 3 {
            assert_eq!(report.matches(level.as_str()).count(), 1, "{level:?} repeated in {report:?}");
        }
    }
    let words: Vec<&str> = report.split_whitespace().collect();
    let mut seen = std::collections::HashSet::new();
    for w in words.windows(4) {
        assert!(seen.insert(w.join(" ")), "the phrase {:?} appears twice in {report:?}", w.join(" "));
    }
}

fn config() -> zv_api::Config {
    zv_api::blocking::Client::builder().credentials(credentials()).build_config().unwrap()
}

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    let mut r = http::Response::new(body.as_bytes().to_vec());
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

fn transport_errors() -> Vec<TransportError> {
    let refused = || io::Error::from(io::ErrorKind::ConnectionRefused);
    vec![
        TransportError::connect(refused()),
        TransportError::connect(TransportError::connect(refused())),
        TransportError::timeout(io::Error::from(io::ErrorKind::TimedOut)),
        TransportError::timeout("connect timed out").with_reached_server(false),
        TransportError::tls("invalid peer certificate: UnknownIssuer"),
        TransportError::io(io::Error::from(io::ErrorKind::ConnectionReset)),
        TransportError::invalid_request("relative URI"),
        TransportError::other("the proxy refused the tunnel"),
        TransportError::body_too_large(10, Some(20)),
        TransportError::new(TransportErrorKind::Io, io::Error::other(TransportError::io("inner reset"))),
    ]
}

fn api_errors() -> Vec<Error> {
    let config = config();
    let parse = |status, body: &str| {
        sansio::parse::<GetCustomerGiftCardList>(&config, response(status, body)).unwrap_err()
    };
    let mut errors = vec![
        parse(200, r#"{"status":true,"code":20001,"message":"查询的信息不存在"}"#),
        parse(200, r#"{"status":false,"code":40003,"message":"签名错误"}"#),
        parse(503, r#"{"status":false,"code":50300,"message":"维护中"}"#),
        parse(502, "<html>502 Bad Gateway</html>"),
        parse(200, ""),
        parse(200, "not json"),
        parse(200, r#"{"status":true,"code":0,"data":[{"par_value":"ten"}]}"#),
        parse(200, r#"{"status":true,"code":0,"data":[{"par_value":"1.00"}],"#),
    ];
    let small = zv_api::blocking::Client::builder()
        .credentials(credentials())
        .max_response_bytes(4)
        .build_config()
        .unwrap();
    errors.push(sansio::parse::<GetCustomerGiftCardList>(&small, response(200, "12345")).unwrap_err());
    for source in transport_errors() {
        let config = zv_api::blocking::Client::builder()
            .credentials(credentials())
            .retry_policy(RetryPolicy::none())
            .build_config()
            .unwrap();
        let params = GiftCardListParams::new("1");
        let mut call = CallState::endpoint::<GetCustomerGiftCardList>(&config, &params).unwrap();
        call.next_request().unwrap();
        let Step::Done(Err(e)) = call.on_response(Err(source)) else { panic!("not done") };
        errors.push(e);
    }
    for c in [
        ConfigError::MissingEnv(vec!["ZV_OPEN_ID", "ZV_OPEN_KEY"]),
        ConfigError::MissingCredentials,
        ConfigError::NoTransport("blocking (ureq)"),
        ConfigError::NoSleeper,
    ] {
        errors.push(c.into());
    }
    let builder = || zv_api::blocking::Client::builder().credentials(credentials());
    errors.push(builder().base_url("ftp://x").build().unwrap_err());
    errors.push(builder().timeout(std::time::Duration::ZERO).build().unwrap_err());
    errors.push(builder().add_root_certificate(b"not a certificate".to_vec()).build().unwrap_err());
    errors.push(zv_api::UntypedRequest::v3("a/../b", serde_json::json!({})).unwrap_err());
    errors
}

#[test]
fn zv_api_errors_print_each_cause_once() {
    let errors = api_errors();
    assert!(errors.len() > 25);
    for e in &errors {
        assert_each_cause_once(e);
        // One line each, and the cause is reachable.
        assert!(!Report(e).to_string().contains('\n'), "{e}");
    }
    // Causes are reachable through `source()`, not folded into the text.
    let transport = errors.iter().find(|e| e.transport_error().is_some()).unwrap();
    assert!(transport.source().is_some());
    let decode = errors.iter().find(|e| matches!(e, Error::Decode { .. })).unwrap();
    assert!(decode.source().unwrap().downcast_ref::<DecodeError>().is_some());
}

#[test]
fn zv_types_errors_print_each_cause_once() {
    let config = config();
    let mut errors: Vec<Box<dyn StdError>> = Vec::new();
    for body in [
        "",
        "[]",
        r#"{"status":true,"code":20001,"message":"x"}"#,
        r#"{"status":true,"code":0,"data":[{"par_value":"x"}]}"#,
    ] {
        let e: ResponseError =
            zv_types::decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).unwrap_err();
        if let ResponseError::Decode(d) = &e {
            errors.push(Box::new(d.clone()));
        }
        errors.push(Box::new(e));
    }
    for bad in ["", "a//b", "../x", "a b"] {
        errors.push(Box::new(Route::v3(bad).unwrap_err()));
    }
    errors.push(Box::new(Route::v2("\u{1b}").unwrap_err()));
    errors.push(Box::new(Route::from_url_path("/v4/x", None).unwrap_err()));
    for bad in ["", "abc", "1.005", "99999999999999999999"] {
        errors.push(Box::new(Money::parse_yuan(bad).unwrap_err()));
    }
    drop(config);
    for e in &errors {
        assert_each_cause_once(e.as_ref());
    }
    let decode: ResponseError = zv_types::decode_endpoint::<GetCustomerGiftCardList>(b"").unwrap_err();
    assert_eq!(decode.to_string(), "cannot decode the response");
    assert!(decode.source().is_some());
}

#[test]
fn zv_transport_errors_print_each_cause_once() {
    for e in transport_errors() {
        assert_each_cause_once(&e);
    }
}
