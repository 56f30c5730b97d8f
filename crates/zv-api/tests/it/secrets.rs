//! The key never shows: not in Debug of the client, its config, its builder, or any error;
//! and the token never shows in an error.

use crate::common::*;
use zv_api::zv_transport::TransportErrorKind;
use zv_types::GiftCardListParams;

#[test]
fn the_key_is_never_in_debug_or_errors() {
    let script = Script::new(vec![Reply::Status(502, "<html>bad</html>")]);
    let builder = script.blocking_builder();
    let mut texts = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    texts.push(format!("{client:?}"));
    texts.push(format!("{:?}", client.config()));
    texts.push(format!("{:#?}", client.config()));
    let aclient = script.asynch();
    texts.push(format!("{aclient:?}"));
    let p = GiftCardListParams::new("1");
    for reply in [
        Reply::Status(502, "<html>bad</html>"),
        Reply::Json(r#"{"status":false,"code":40003,"message":"签名错误"}"#),
        Reply::Json("{not json"),
        Reply::Fail(TransportErrorKind::Connect, false),
    ] {
        let s = Script::new(vec![reply]);
        let e = s.blocking().gift_cards(&p).unwrap_err();
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
        // the token sent is not in the error either
        let token = s.bodies()[0]["token"].as_str().unwrap().to_owned();
        assert!(!e.to_string().contains(&token) && !format!("{e:?}").contains(&token));
    }
    for t in &texts {
        assert!(!t.contains(KEY), "key leaked in: {t}");
        assert!(!t.contains("TOP-SECRET"), "key leaked in: {t}");
    }
    assert!(texts[0].contains("redacted") || texts[1].contains("redacted"), "{}", texts[1]);
}

#[test]
fn from_lookup_names_every_missing_variable() {
    let e = zv_api::blocking::Client::builder().from_lookup(|_| None).unwrap_err();
    assert_eq!(e.kind(), zv_api::ErrorKind::Config);
    let msg = e.to_string();
    for v in ["ZV_OPEN_ID", "ZV_GRANT_CODE", "ZV_OPEN_KEY"] {
        assert!(msg.contains(v), "{msg}");
    }
    let e = zv_api::blocking::Client::builder()
        .from_lookup(|k| (k == "ZV_OPEN_ID" || k == "ZV_GRANT_CODE").then(|| "x".to_owned()))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "missing environment variable: ZV_OPEN_KEY (set it, e.g. to the credentials `zv mock` prints for local tests)"
    );
    let b = zv_api::blocking::Client::builder()
        .from_lookup(|k| match k {
            "ZV_BASE_URL" => Some("http://127.0.0.1:9".into()),
            "ZV_OPEN_KEY" => Some(KEY.into()),
            _ => Some("v".into()),
        })
        .unwrap();
    let config = b.build_config().unwrap();
    assert_eq!(config.base_url(), "http://127.0.0.1:9");
    assert_eq!(config.open_id(), "v");
    assert!(!format!("{config:?}").contains(KEY));
    let e = zv_api::blocking::Client::builder()
        .base_url("ftp://x")
        .credentials(credentials())
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), zv_api::ErrorKind::Config);
    let e = zv_api::blocking::Client::builder().build().unwrap_err();
    assert_eq!(e.kind(), zv_api::ErrorKind::Config);
}

#[test]
fn an_error_shows_the_grant_code_as_redact_grant_code_does() {
    // The gateway echoes the grantCode in its message: the error shows it exactly as the one
    // public rule does, wherever it stands in the text.
    let message = format!("grantCode {GRANT_CODE} is not valid for {GRANT_CODE}x");
    let body = format!(r#"{{"status":false,"code":40003,"message":"{message}"}}"#);
    let s = Script::new(vec![Reply::Json(Box::leak(body.into_boxed_str()))]);
    let e = s.blocking().gift_cards(&GiftCardListParams::new("1")).unwrap_err();
    let shown = e.api_error().unwrap().message.clone();
    assert_eq!(shown, zv_api::redact_grant_code(&message, GRANT_CODE));
    assert_eq!(shown, "grantCode [redacted] is not valid for [redacted]x");
    assert!(!e.to_string().contains(GRANT_CODE) && !format!("{e:?}").contains(GRANT_CODE));
    // shown alone, a grantCode reads `[redacted]`; an empty one redacts nothing
    assert_eq!(zv_api::redact_grant_code(GRANT_CODE, GRANT_CODE), "[redacted]");
    assert_eq!(zv_api::redact_grant_code("text", ""), "text");
}
