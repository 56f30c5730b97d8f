//! The wire forms the field shows the gateway accepts, against zv-mock over real sockets:
//! four token encoders × timestamps and nonces as numbers and strings by default, only the
//! documented form in strict mode (each refusal naming what was off), and a `traceId` in
//! every answer.

use serde_json::{Value, json};
use zv_mock::{Check, MockConfig, MockServer, Verdict};
use zv_sign::{Credentials, FixedClock, Signer};
use zv_transport::{Transport, TransportConfig, UreqTransport};

const GIFT_CARDS: &str = "/v3/crm/giftCard/getCustomerGiftCardList";
/// The mock's clock, and every request's timestamp.
const NOW: u64 = 1_750_000_000;

/// PHP `urlencode`: `A-Za-z0-9-_.` as they are, space as `+`, every other byte `%XX`.
fn php_urlencode(s: &str) -> String {
    encode(s, b"-_.", "+")
}

/// Go `url.QueryEscape`: like PHP, but `~` stays as it is.
fn go_query_escape(s: &str) -> String {
    encode(s, b"-_.~", "+")
}

/// JavaScript `encodeURIComponent`: `A-Za-z0-9-_.!~*'()` as they are, space as `%20`.
fn js_encode_uri_component(s: &str) -> String {
    encode(s, b"-_.!~*'()", "%20")
}

/// Python `urllib.parse.quote(s, safe='')`: `A-Za-z0-9_.-~` as they are, space as `%20`.
fn python_quote(s: &str) -> String {
    encode(s, b"_.-~", "%20")
}

/// `s` with alphanumerics and `kept` as they are, a space as `space`, other bytes `%XX`.
fn encode(s: &str, kept: &[u8], space: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b if b.is_ascii_alphanumeric() || kept.contains(&b) => char::from(b).to_string(),
            b' ' => space.to_owned(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

type Encoder = (&'static str, fn(&str) -> String);
const ENCODERS: [Encoder; 4] = [
    ("PHP urlencode", php_urlencode),
    ("Go QueryEscape", go_query_escape),
    ("JS encodeURIComponent", js_encode_uri_component),
    ("Python quote", python_quote),
];

#[test]
fn the_encoders_are_the_real_ones() {
    let text = "a b~c*d!e'f(g)h/i+j=k";
    assert_eq!(php_urlencode(text), "a+b%7Ec%2Ad%21e%27f%28g%29h%2Fi%2Bj%3Dk");
    assert_eq!(go_query_escape(text), "a+b~c%2Ad%21e%27f%28g%29h%2Fi%2Bj%3Dk");
    assert_eq!(js_encode_uri_component(text), "a%20b~c*d!e'f(g)h%2Fi%2Bj%3Dk");
    assert_eq!(python_quote(text), "a%20b~c%2Ad%21e%27f%28g%29h%2Fi%2Bj%3Dk");
    // PHP's own, as zv-sign writes it.
    assert_eq!(php_urlencode(text), zv_sign::php_urlencode(text));
}

/// Nonces whose signature (by `signer`, at [`NOW`]) has `+`, `/` and `=`: the characters
/// the encoders escape.
fn nonces_with_escapes(signer: &Signer, n: usize) -> Vec<u64> {
    (1_000u64..)
        .filter(|&nonce| {
            let sig = signer.sign(NOW, nonce);
            ['+', '/', '='].iter().all(|c| sig.signature().contains(*c))
        })
        .take(n)
        .collect()
}

/// A V3 body for `params` with this token; timestamp and nonce as strings or numbers.
fn body(creds: &Credentials, nonce: u64, token: &str, numbers: (bool, bool), params: Value) -> Value {
    let timestamp = if numbers.0 { json!(NOW) } else { json!(NOW.to_string()) };
    let nonce = if numbers.1 { json!(nonce) } else { json!(nonce.to_string()) };
    json!({
        "openId": creds.open_id(), "grantCode": creds.grant_code(),
        "timestamp": timestamp, "nonce": nonce, "token": token, "params": params,
    })
}

/// POSTs `body` with this `Content-Type` (none for `None`): the HTTP status and the JSON.
fn post(mock: &MockServer, path: &str, content_type: Option<&str>, body: &[u8]) -> (u16, Value) {
    let transport = UreqTransport::new(TransportConfig::default()).unwrap();
    let mut request = http::Request::post(format!("{}{path}", mock.base_url()));
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = transport.send(request.body(body.to_vec()).unwrap()).unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(response.body()).unwrap())
}

fn post_json(mock: &MockServer, body: &Value) -> Value {
    post(mock, GIFT_CARDS, Some("application/json"), &serde_json::to_vec(body).unwrap()).1
}

fn mock(strict: bool) -> MockServer {
    MockServer::start(MockConfig::new().clock(FixedClock(NOW)).strict(strict)).unwrap()
}

fn cards() -> Value {
    json!({"user_id": "10001", "needCycleCard": 0})
}

/// A success with its traceId.
fn assert_success(answer: &Value, what: &str) {
    assert_eq!((&answer["status"], &answer["code"]), (&json!(true), &json!(0)), "{what}: {answer}");
    assert_trace(answer);
}

fn assert_trace(answer: &Value) {
    let trace = answer["traceId"].as_str().unwrap_or_else(|| panic!("no traceId: {answer}"));
    assert!(trace.len() == 32 && trace.bytes().all(|b| b.is_ascii_hexdigit()), "{trace}");
}

/// A refusal by `check` whose message says `fragment`, logged.
fn assert_refused(mock: &MockServer, answer: &Value, check: Check, fragment: &str) {
    assert_eq!((&answer["status"], &answer["code"]), (&json!(false), &json!(check.code())), "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains(fragment), "{fragment:?} not in {message:?}");
    assert_trace(answer);
    assert_eq!(mock.log().last().unwrap().verdict.check(), Some(check));
}

#[test]
fn every_encoder_with_numbers_or_strings_verifies_by_default() {
    let mock = mock(false);
    let creds = mock.credentials().clone();
    let signer = Signer::new(&creds);
    let forms = [(false, false), (true, true), (true, false), (false, true)];
    let nonces = nonces_with_escapes(&signer, ENCODERS.len() * forms.len());
    let mut cases = nonces.into_iter();
    for (name, encoder) in ENCODERS {
        for numbers in forms {
            let nonce = cases.next().unwrap();
            let signature = signer.sign(NOW, nonce).signature().to_owned();
            let token = encoder(&signature);
            assert_ne!(token, signature, "{name} escapes `+`, `/` and `=`");
            let answer = post_json(&mock, &body(&creds, nonce, &token, numbers, cards()));
            assert_success(&answer, &format!("{name}, numbers {numbers:?}"));
            assert_eq!(mock.log().last().unwrap().nonce, Some(nonce));
        }
    }
    // Lower-case hex decodes the same; a Content-Type with a charset, an unknown envelope key
    // and an undocumented param are taken too.
    let nonce = nonces_with_escapes(&signer, 20)[19];
    let token =
        php_urlencode(signer.sign(NOW, nonce).signature()).replace("%2B", "%2b").replace("%2F", "%2f");
    let mut lenient = body(&creds, nonce, &token, (false, false), json!({"user_id": "10001", "extra": 1}));
    lenient["sign"] = json!("x");
    let (status, answer) = post(
        &mock,
        GIFT_CARDS,
        Some("application/json; charset=UTF-8"),
        &serde_json::to_vec(&lenient).unwrap(),
    );
    assert_eq!(status, 200);
    assert_success(&answer, "lenient");
    // The bare base64 verifies when it has no `+` (which URL-decoding reads as a space).
    let plain = (1u64..).find(|n| !signer.sign(NOW, *n).signature().contains('+')).unwrap();
    let answer =
        post_json(&mock, &body(&creds, plain, signer.sign(NOW, plain).signature(), (true, true), cards()));
    assert_success(&answer, "bare base64 without +");
    let plus = (1u64..).find(|n| signer.sign(NOW, *n).signature().contains('+')).unwrap();
    let answer =
        post_json(&mock, &body(&creds, plus, signer.sign(NOW, plus).signature(), (true, true), cards()));
    assert_refused(&mock, &answer, Check::Signature, "token does not match");
}

#[test]
fn still_refused_by_default_with_the_same_codes() {
    let mock = mock(false);
    let creds = mock.credentials().clone();
    let signer = Signer::new(&creds);
    let token = |nonce| signer.sign(NOW, nonce).token().to_owned();
    let wrong = Signer::new(&Credentials::new(creds.open_id(), creds.grant_code(), "wrong-key"));
    let answer = post_json(&mock, &body(&creds, 7, wrong.sign(NOW, 7).token(), (true, true), cards()));
    assert_refused(&mock, &answer, Check::Signature, "token does not match");
    let stranger = Credentials::new("ffffffffffffffffffffffffffffffff", creds.grant_code(), "k");
    assert_refused(
        &mock,
        &post_json(&mock, &body(&stranger, 8, &token(8), (true, true), cards())),
        Check::Credentials,
        "unknown openId",
    );
    let mut stale = body(&creds, 9, &token(9), (true, true), cards());
    stale["timestamp"] = json!(NOW - 301);
    assert_refused(&mock, &post_json(&mock, &stale), Check::Timestamp, "allowed ±300 s");
    let mut missing = body(&creds, 10, &token(10), (true, true), cards());
    missing.as_object_mut().unwrap().remove("token");
    assert_refused(&mock, &post_json(&mock, &missing), Check::Envelope, "`token` is missing");
    let once = body(&creds, 11, &token(11), (true, true), cards());
    assert_success(&post_json(&mock, &once), "first");
    let again = post_json(&mock, &once);
    assert_refused(&mock, &again, Check::Nonce, "replay");
    assert!(again["message"].as_str().unwrap().contains("--allow-replay"), "{again}");
    let (status, answer) = post(&mock, GIFT_CARDS, Some("text/plain"), &serde_json::to_vec(&once).unwrap());
    assert_eq!(status, 200);
    assert_refused(&mock, &answer, Check::Json, "is not JSON");

    // With allow_replay, the same request passes twice.
    let replays = MockServer::start(MockConfig::new().clock(FixedClock(NOW)).allow_replay(true)).unwrap();
    assert_success(&post_json(&replays, &once), "first");
    assert_success(&post_json(&replays, &once), "replayed");
    assert!(replays.log().iter().all(|e| e.verdict == Verdict::Ok));
}

#[test]
fn strict_mode_takes_only_the_documented_form_and_says_what_was_off() {
    let mock = mock(true);
    let creds = mock.credentials().clone();
    let signer = Signer::new(&creds);
    let nonces = nonces_with_escapes(&signer, 12);
    let token = |nonce: u64| signer.sign(NOW, nonce).token().to_owned();
    let documented = |nonce: u64| body(&creds, nonce, &token(nonce), (false, false), cards());

    assert_success(&post_json(&mock, &documented(nonces[0])), "the documented form");
    let answer = post_json(&mock, &body(&creds, nonces[1], &token(nonces[1]), (true, false), cards()));
    assert_refused(&mock, &answer, Check::Envelope, "`timestamp` is the JSON number");
    let answer = post_json(&mock, &body(&creds, nonces[2], &token(nonces[2]), (false, true), cards()));
    assert_refused(&mock, &answer, Check::Envelope, "`nonce` is the JSON number");
    let lower = token(nonces[3]).replace("%2B", "%2b");
    let answer = post_json(&mock, &body(&creds, nonces[3], &lower, (false, false), cards()));
    assert_refused(&mock, &answer, Check::Signature, "not written as PHP `urlencode` writes it");
    let bare = signer.sign(NOW, nonces[4]).signature().replace('+', "%2B");
    let answer = post_json(&mock, &body(&creds, nonces[4], &bare, (false, false), cards()));
    assert_refused(&mock, &answer, Check::Signature, "not written as PHP `urlencode` writes it");
    let bytes = serde_json::to_vec(&documented(nonces[5])).unwrap();
    let (_, answer) = post(&mock, GIFT_CARDS, Some("application/json; charset=utf-8"), &bytes);
    assert_refused(&mock, &answer, Check::Json, "without parameters");
    let (_, answer) = post(&mock, GIFT_CARDS, None, &bytes);
    assert_refused(&mock, &answer, Check::Json, "no Content-Type");
    let mut extra = documented(nonces[6]);
    extra["sign"] = json!("x");
    assert_refused(
        &mock,
        &post_json(&mock, &extra),
        Check::Envelope,
        "`sign` is not a key of the V3 envelope",
    );
    let mut text_params = documented(nonces[7]);
    text_params["params"] = json!(r#"{"user_id":"10001"}"#);
    assert_refused(&mock, &post_json(&mock, &text_params), Check::Envelope, "`params` must be an object");
    let undocumented =
        body(&creds, nonces[8], &token(nonces[8]), (false, false), json!({"user_id": "1", "foo": 1}));
    let answer = post_json(&mock, &undocumented);
    // Params the catalogue's check refuses get the gateway's own answer, 100002 参数错误.
    assert_eq!((&answer["status"], &answer["code"]), (&json!(false), &json!(zv_mock::PARAMS_ERROR_CODE)));
    let message = answer["message"].as_str().unwrap();
    assert!(message.starts_with("参数错误: /v3/crm/giftCard/getCustomerGiftCardList: "), "{message}");
    assert!(message.contains("unknown param `foo`"), "{message}");
    assert_eq!(mock.log().last().unwrap().verdict.check(), Some(Check::Params));
    // The SDK itself sends the documented form: its typed call passes.
    let client = zv_api::blocking::Client::builder()
        .base_url(mock.base_url())
        .credentials(creds.clone())
        .clock(FixedClock(NOW))
        .build()
        .unwrap();
    assert!(!client.gift_cards(&zv_types::GiftCardListParams::new("10001")).unwrap().is_empty());
}

#[test]
fn every_answer_carries_a_trace_id_and_the_sdk_keeps_it() {
    let mock = mock(false);
    let client = zv_api::blocking::Client::builder()
        .base_url(mock.base_url())
        .credentials(mock.credentials().clone())
        .clock(FixedClock(NOW))
        .build()
        .unwrap();
    let ok = client
        .send::<zv_types::GetCustomerGiftCardList>(&zv_types::GiftCardListParams::new("10001"))
        .unwrap();
    let body: Value = serde_json::from_slice(ok.http.body()).unwrap();
    assert_trace(&body);
    let logged = mock.log().pop().unwrap();
    assert_eq!(logged.trace_id.as_deref(), body["traceId"].as_str(), "the log names the answer's traceId");
    let e = client.gift_cards(&zv_types::GiftCardListParams::new("99999")).unwrap_err();
    let body: Value = serde_json::from_slice(e.http_response().unwrap().body()).unwrap();
    assert_trace(&body);
    let (_, rejected) = post(&mock, GIFT_CARDS, Some("application/json"), b"not json");
    assert_trace(&rejected);
    let traces: std::collections::HashSet<_> = mock.log().into_iter().filter_map(|e| e.trace_id).collect();
    assert_eq!(traces.len(), 3, "one traceId per answer");
}
