//! What became of a failed call (`Error::outcome`), the gateway's `traceId`, and the retry
//! safety an untyped call takes from the catalogue.

use crate::common::{Reply, Script};
use zv_api::zv_transport::TransportErrorKind;
use zv_api::{ErrorKind, Outcome, UntypedRequest};

const READ: &str = "goods/item/getItemList"; // a catalogued read
const WRITE: &str = "crm/giftCard/redeem"; // not catalogued, so a write

#[test]
fn untyped_calls_take_their_safety_from_the_catalogue() {
    let read = UntypedRequest::v3(READ, "{}").unwrap();
    assert!(read.is_retry_safe());
    let catalogued_write = zv_types::catalogue::all()
        .iter()
        .find(|e| e.safety == zv_types::catalogue::Safety::Write && e.route.path().is_some())
        .unwrap();
    assert!(!UntypedRequest::new(catalogued_write.route, "{}").unwrap().is_retry_safe());
    assert!(!UntypedRequest::v3(WRITE, "{}").unwrap().is_retry_safe());
    // The caller may still say otherwise.
    assert!(!read.retry_safe(false).is_retry_safe());
}

#[test]
fn a_catalogued_read_is_retried_and_a_write_is_not_resent_once_it_may_have_reached() {
    let script = Script::new(vec![Reply::Status(503, "<html>busy</html>"), Reply::Json(OK)]);
    let read = UntypedRequest::v3(READ, "{}").unwrap();
    assert!(script.blocking().send_untyped(&read).is_ok());
    assert_eq!(script.requests().len(), 2);

    let script = Script::new(vec![Reply::Status(503, "<html>busy</html>"), Reply::Json(OK)]);
    let write = UntypedRequest::v3(WRITE, "{}").unwrap();
    let e = script.blocking().send_untyped(&write).unwrap_err();
    assert_eq!((e.kind(), e.outcome()), (ErrorKind::Http, Outcome::Unknown));
    assert_eq!(script.requests().len(), 1);
    assert_eq!(e.outcome().as_str(), "unknown");
    assert!(e.outcome().to_string().contains("may have been applied"));
}

const OK: &str = r#"{"status":"true","code":"0","data":{"ok":1},"traceId":"t-ok-1"}"#;

#[test]
fn every_failure_says_what_became_of_the_request() {
    let cases: Vec<(Reply, Outcome)> = vec![
        (Reply::Fail(TransportErrorKind::Connect, false), Outcome::NotSent),
        (Reply::Fail(TransportErrorKind::Timeout, true), Outcome::Unknown),
        (Reply::Json(r#"{"status":"true","code":"110004","message":"验签失败"}"#), Outcome::Rejected),
        (Reply::Json(r#"{"status":"false","code":"500","message":"boom"}"#), Outcome::Rejected),
        (Reply::Status(429, "slow down"), Outcome::Rejected),
        (Reply::Status(400, "bad"), Outcome::Rejected),
        (Reply::Status(502, "<html>bad gateway</html>"), Outcome::Unknown),
        (Reply::Json(r#"{"status":"true","code":"0","data":"#), Outcome::Unknown),
    ];
    for (reply, expected) in cases {
        let label = format!("{reply:?}");
        let script = Script::new(vec![reply]);
        let write = UntypedRequest::v3(WRITE, "{}").unwrap();
        let e = script.blocking().send_untyped(&write).unwrap_err();
        assert_eq!(e.outcome(), expected, "{label}: {e}");
    }
    let config = zv_api::Error::from(zv_api::ConfigError::MissingCredentials);
    assert_eq!(config.outcome(), Outcome::NotSent);
}

#[test]
fn the_trace_id_is_kept_on_errors_and_successes() {
    let script = Script::new(vec![
        Reply::Json(r#"{"status":"true","code":"110004","message":"验签失败","traceId":"abc-123"}"#),
        Reply::Json(OK),
        Reply::Json(r#"{"status":"true","code":"1","message":"x","traceId":12345678901234567890123}"#),
        Reply::Json(r#"{"status":"true","code":"1","message":"x","traceId":""}"#),
        Reply::Status(502, "<html>no envelope</html>"),
    ]);
    let client = script.blocking();
    let write = UntypedRequest::v3(WRITE, "{}").unwrap();
    assert_eq!(client.send_untyped(&write).unwrap_err().trace_id().as_deref(), Some("abc-123"));
    assert_eq!(client.send_untyped(&write).unwrap().http.trace_id().as_deref(), Some("t-ok-1"));
    assert_eq!(
        client.send_untyped(&write).unwrap_err().trace_id().as_deref(),
        Some("12345678901234567890123")
    );
    assert_eq!(client.send_untyped(&write).unwrap_err().trace_id(), None);
    assert_eq!(client.send_untyped(&write).unwrap_err().trace_id(), None);
}
