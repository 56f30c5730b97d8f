//! `Error::hint`: the platform's error codes seen in the field, throttling and a refused
//! signature get the SDK's hint; other failures none.

use zv_api::UntypedRequest;
use zv_api::hints::{PLATFORM_CODES, SIGNATURE_HINT, THROTTLE_HINT};
use zv_api::zv_transport::TransportErrorKind;

use crate::common::*;

const WRITE: &str = "crm/x/doThing";

#[test]
fn each_failure_gets_the_hint_of_its_code_or_message_or_none() {
    let cases: Vec<(Reply, Option<&str>)> = vec![
        (Reply::Json(r#"{"status":"true","code":"110004","message":"验签失败"}"#), Some(SIGNATURE_HINT)),
        (Reply::Json(r#"{"status":"false","code":110004,"message":"x"}"#), Some(SIGNATURE_HINT)),
        (Reply::Json(r#"{"status":"false","code":"71011","message":"x"}"#), Some(PLATFORM_CODES[3].hint)),
        (
            Reply::Json(r#"{"status":"false","code":"99999","message":"接口请求过于频繁"}"#),
            Some(THROTTLE_HINT),
        ),
        (Reply::Json(r#"{"status":"false","code":"40006","message":"签名错误"}"#), Some(SIGNATURE_HINT)),
        (Reply::Json(r#"{"status":"false","code":"20001","message":"查询的信息不存在"}"#), None),
        (Reply::Status(429, "slow down"), Some(THROTTLE_HINT)),
        (Reply::Status(502, "<html>bad gateway</html>"), None),
        (Reply::Fail(TransportErrorKind::Connect, false), None),
        (Reply::Json(r#"{"status":"true","code":"0","data":"#), None),
    ];
    for (reply, expected) in cases {
        let label = format!("{reply:?}");
        let script = Script::new(vec![reply]);
        let write = UntypedRequest::v3(WRITE, "{}").unwrap();
        let e = script.blocking().send_untyped(&write).unwrap_err();
        assert_eq!(e.hint(), expected, "{label}: {e}");
    }
    assert_eq!(zv_api::Error::from(zv_api::ConfigError::MissingCredentials).hint(), None);
}
