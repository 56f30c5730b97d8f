//! Hostile peers: text from the network is rendered safely (escapes, caps), and a server that
//! echoes the request never puts the token, the grantCode or the openKey on screen or in logs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::common::*;
use http::{Request, Response, StatusCode};
use serde_json::Value;
use zv_api::zv_transport::{TransportError, transport_fn};
use zv_api::{Error, Report};
use zv_types::{Endpoint, GiftCardListParams, Route};

/// A distinctive params value: it must never appear in a log line.
const PARAM_MARKER: &str = "PARAM-MARKER-10001";

/// Everything a person or a log could see of an error.
fn renderings(e: &Error) -> Vec<String> {
    let mut out = vec![e.to_string(), Report(e).to_string()];
    if let Some(r) = e.http_response() {
        out.push(r.excerpt());
        out.push(format!("{r:?}"));
    }
    out
}

/// No control character or line separator in any line (log lines end with `\n`).
fn assert_safe_text(text: &str) {
    for line in text.lines() {
        for c in line.chars() {
            assert!(!zv_types::text::is_unsafe_char(c), "unsafe char {c:?} rendered in {line:?}");
        }
    }
}

#[test]
fn terminal_escapes_and_huge_messages_are_rendered_safely() {
    let hostile = "ok\u{1b}]0;pwned\u{7}\u{1b}[2J\u{b}\u{c}\u{85}\u{7f}\u{2028}\u{2029}end";
    let huge = "长".repeat(400_000);
    let business =
        format!(r#"{{"status":true,"code":20001,"message":{}}}"#, serde_json::to_string(hostile).unwrap());
    let long = format!(r#"{{"status":false,"code":40003,"message":"{huge}"}}"#);
    let page = format!("<html>\u{1b}[2J{hostile}\r\n{}</html>", "x".repeat(1 << 20));
    let code = format!(r#"{{"status":true,"code":"\u001b[2J{}","message":"x"}}"#, "9".repeat(100_000));
    let p = GiftCardListParams::new(PARAM_MARKER);
    for body in [(200, business), (200, long), (502, page), (200, code)] {
        let script = Script::new(vec![Reply::Status(body.0, Box::leak(body.1.clone().into_boxed_str()))]);
        let client = script.blocking_builder().max_retries(1).build().unwrap();
        let (e, logs) = with_logs(|| client.gift_cards(&p).unwrap_err());
        for text in renderings(&e).iter().chain([&logs]) {
            assert_safe_text(text);
            assert!(text.len() < 4_000, "{} bytes rendered", text.len());
            assert!(!text.contains(PARAM_MARKER), "params logged: {text}");
        }
        // The raw bytes stay available programmatically.
        assert_eq!(e.http_response().unwrap().body(), body.1.as_bytes());
        if let Some(api) = e.api_error() {
            assert!(api.message == hostile || api.message == huge || api.code.to_string().len() > 100_000);
        }
        let shown = e.to_string();
        assert!(shown.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J") || shown.contains("…("), "{shown}");
    }
    let e = Script::new(vec![Reply::Json(r#"{"status":false,"code":1,"message":"长长长"}"#)])
        .blocking()
        .gift_cards(&p)
        .unwrap_err();
    assert_eq!(e.to_string(), "API system error 1: 长长长");
    let huge_error = Script::new(vec![Reply::Json(Box::leak(
        format!(r#"{{"status":false,"code":1,"message":"{}"}}"#, "长".repeat(600)).into_boxed_str(),
    ))])
    .blocking()
    .gift_cards(&p)
    .unwrap_err();
    assert!(huge_error.to_string().ends_with(&format!("{}…(1800 bytes)", "长".repeat(512))), "{huge_error}");
}

/// An endpoint whose data is a map: the gateway's JSON keys end up in decode paths.
struct Keyed;
impl Endpoint for Keyed {
    type Params = Value;
    type Data = HashMap<String, HashMap<String, u32>>;
    const ROUTE: Route<'static> = Route::v3_static("crm/keyed");
    const SAFETY: zv_types::Safety = zv_types::Safety::Read;
}

#[test]
fn json_keys_in_decode_paths_are_rendered_safely() {
    let body = r#"{"status":true,"code":0,"data":{"\u001b]0;x\u0007":{"\u2028\u001b[2J":"not a number"}}}"#;
    let e = Script::new(vec![Reply::Json(body)]).blocking().call::<Keyed>(&Value::Null).unwrap_err();
    let Error::Decode { source, .. } = &e else { panic!("{e:?}") };
    assert!(source.path().unwrap().contains('\u{1b}'), "the path keeps the key as it came");
    for text in renderings(&e) {
        assert_safe_text(&text);
    }
    assert!(
        Report(&e).to_string().contains(r"at `data.\u{1b}]0;x\u{7}.\u{2028}\u{1b}[2J`"),
        "{}",
        Report(&e)
    );
}

/// A gateway that reflects the request: in an HTML error page, in a business error's
/// message, and (for good measure) with the key itself.
fn echoing(mode: u8) -> impl Fn(Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> + Send + Sync {
    move |request| {
        let sent = String::from_utf8(request.body().clone()).unwrap();
        let envelope: Value = serde_json::from_str(&sent).unwrap();
        let token = envelope["token"].as_str().unwrap().to_owned();
        let decoded = zv_api::zv_sign::php_urldecode(&token).unwrap();
        let echo =
            format!("{sent} token={token} decoded={decoded} php={} key={KEY}", decoded.replace('/', "\\/"));
        let (status, body) = match mode {
            0 => (502, format!("<html><pre>{echo}</pre></html>")),
            1 => (200, serde_json::json!({"status": true, "code": 20001, "message": echo}).to_string()),
            2 => (503, serde_json::json!({"status": false, "code": 1, "message": echo}).to_string()),
            _ => (
                200,
                serde_json::json!({"status": true, "code": 0, "data": [{"par_value": echo}]}).to_string(),
            ),
        };
        let mut response = Response::new(body.into_bytes());
        *response.status_mut() = StatusCode::from_u16(status).unwrap();
        Ok(response)
    }
}

#[test]
fn echoed_secrets_are_redacted_on_screen_and_in_logs() {
    let p = GiftCardListParams::new(PARAM_MARKER);
    for mode in 0..4u8 {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let echo = echoing(mode);
        let client = zv_api::blocking::Client::builder()
            .credentials(credentials())
            .base_url("http://gateway.test")
            .clock(zv_api::zv_sign::FixedClock(NOW))
            .sleeper(|_| {})
            .transport(transport_fn(move |r: Request<Vec<u8>>| {
                record.lock().unwrap().push(r.body().clone());
                echo(r)
            }))
            .build()
            .unwrap();
        let (e, logs) = with_logs(|| client.gift_cards(&p).unwrap_err());
        let bodies = seen.lock().unwrap().clone();
        assert!(!bodies.is_empty());
        let mut secrets = vec![KEY.to_owned(), GRANT_CODE.to_owned()];
        for body in &bodies {
            let envelope: Value = serde_json::from_slice(body).unwrap();
            let token = envelope["token"].as_str().unwrap().to_owned();
            let decoded = zv_api::zv_sign::php_urldecode(&token).unwrap();
            secrets.push(decoded.replace('/', "\\/"));
            secrets.extend([token, decoded]);
        }
        let mut texts = renderings(&e);
        texts.push(format!("{e:?}"));
        texts.push(logs.clone());
        for text in &texts {
            for secret in &secrets {
                assert!(!text.contains(secret.as_str()), "mode {mode}: {secret:?} in {text}");
            }
        }
        // Our own log lines carry no params (only the server's echo, in the error, does).
        for line in logs.lines().filter(|l| !l.contains("error=")) {
            assert!(!line.contains(PARAM_MARKER), "mode {mode}: {line}");
        }
        assert!(texts[0].contains("[redacted]"), "mode {mode}: {}", texts[0]);
        // the body itself is kept as it came, for the program
        assert!(String::from_utf8_lossy(e.http_response().unwrap().body()).contains(KEY));
    }
}
