//! The recording proxy: zv-mock in front of a second, in-process zv-mock as the upstream
//! (never a real gateway). Clients sign with the proxy's credentials; it signs again with the
//! upstream's, answers unchanged and records; the recording replays with the upstream
//! stopped, holds no credential or token, and writes go through only when asked.

use serde_json::{Value, json};
use zv_api::{ErrorKind, UntypedRequest};
use zv_integration_tests::{BACKENDS, Backend, Env, call};
use zv_mock::{Endpoints, Fixtures, MockConfig, MockServer, Recording, Stubs, Verdict, WRITE_REFUSED_CODE};
use zv_sign::{Credentials, Signer};
use zv_types::GiftCardListParams;

const UPSTREAM_KEY: &str = "upstream-KEY-never-recorded-5d4c3b2a1";
/// A catalogued read.
const BASE_INFO: &str = "crm/customer/getBaseInfo";
/// A catalogued write.
const CREATE_ORDER: &str = "delivery/createDeliveryOrder";

fn upstream_credentials() -> Credentials {
    Credentials::new("0123456789abcdef0123456789abcdef", "UpGrant123", UPSTREAM_KEY)
}

/// The upstream: the demo data, plus stubs that echo its own credentials (which the
/// recording must not keep) and a write.
fn upstream() -> MockServer {
    let creds = upstream_credentials();
    let stubs = Stubs::from_json(&format!(
        r#"{{"stubs": [
            {{"path": "v3/{BASE_INFO}", "match": {{"customerId": "10001"}},
              "data": {{"customerId": "10001", "card_no": 98765432109876543210, "app": "{}", "grant": "{}"}}}},
            {{"path": "v3/{BASE_INFO}", "error": {{"code": "20001", "message": "查询的信息不存在"}}}},
            {{"path": "v3/{CREATE_ORDER}", "data": {{"orderNo": "D1"}}}}
        ]}}"#,
        creds.open_id(),
        creds.grant_code()
    ))
    .unwrap();
    let endpoints = Endpoints::builtin().stubs(&stubs);
    MockServer::start(MockConfig::new().credentials(creds).endpoints(endpoints).strict(true)).unwrap()
}

fn send(
    env: &Env,
    backend: Backend,
    path: &str,
    params: Value,
) -> Result<zv_api::ApiResponse<Box<serde_json::value::RawValue>>, zv_api::Error> {
    let request = UntypedRequest::v3(path, params)?;
    call!(env, backend, send_untyped(&request))
}

/// Every text the recording must not hold: the credentials, and the token of every request
/// either mock saw (computed from the logged timestamp and nonce).
fn secrets(upstream: &MockServer, proxy: &MockServer) -> Vec<String> {
    let up = upstream_credentials();
    let mut secrets = vec![
        up.open_id().to_owned(),
        up.grant_code().to_owned(),
        up.expose_open_key().to_owned(),
        proxy.credentials().expose_open_key().to_owned(),
    ];
    for (creds, log) in [(&up, upstream.log()), (proxy.credentials(), proxy.log())] {
        let signer = Signer::new(creds);
        for entry in log {
            let (Some(ts), Some(nonce)) = (entry.timestamp, entry.nonce) else { continue };
            let sig = signer.sign(ts, nonce);
            secrets.push(sig.token().to_owned());
            secrets.push(sig.signature().to_owned());
        }
    }
    secrets
}

#[test]
fn a_recording_session_forwards_reads_answers_unchanged_and_replays_without_the_upstream() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recorded.json");
    let upstream = upstream();
    let recording = Recording::new(&file, upstream.base_url(), upstream_credentials());
    let env = Env::new(MockConfig::new().record(recording));
    let mut expected = Vec::new();
    for backend in BACKENDS {
        // A read, forwarded and answered exactly as the upstream did, traceId included.
        let response = send(&env, backend, BASE_INFO, json!({"customerId": "10001"})).unwrap();
        let upstream_trace = upstream.log().pop().unwrap().trace_id.unwrap();
        assert!(response.http.text().contains(&upstream_trace), "the upstream's answer, unchanged");
        expected.push(response.data.get().to_owned());
        // A business error, forwarded and recorded as one.
        let e = send(&env, backend, BASE_INFO, json!({"customerId": "99"})).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ApiBusiness, "{e}");
        // A typed call through the proxy.
        let cards = call!(env, backend, gift_cards(&GiftCardListParams::new("10001"))).unwrap();
        assert_eq!(cards.len(), 5);
        // A write is refused: nothing reaches the upstream.
        let before = upstream.log().len();
        let e = send(&env, backend, CREATE_ORDER, json!({"orderNo": "D1"})).unwrap_err();
        assert_eq!(e.api_code().map(ToString::to_string), Some(WRITE_REFUSED_CODE.to_string()), "{e}");
        assert!(e.to_string().contains("--record-writes"), "{e}");
        assert_eq!(upstream.log().len(), before, "a refused write is not forwarded");
        // An uncatalogued path is taken for a write.
        let e = send(&env, backend, "zvtest/unknown/thing", json!({})).unwrap_err();
        assert!(e.to_string().contains("not in the catalogue"), "{e}");
    }
    // The upstream saw requests signed with its own credentials, in the documented form.
    let seen = upstream.log();
    assert_eq!(seen.len(), 6);
    assert!(
        seen.iter()
            .all(|e| e.verdict == Verdict::Ok
                && e.open_id.as_deref() == Some(upstream_credentials().open_id()))
    );
    let notes: Vec<_> = env.mock.log().into_iter().filter_map(|e| e.upstream).collect();
    assert_eq!(
        notes.iter().filter(|n| n.ends_with(", recorded, credentials redacted")).count(),
        1,
        "{notes:?}"
    );
    assert_eq!(notes.iter().filter(|n| n.ends_with("already recorded")).count(), 3, "{notes:?}");
    assert_eq!(notes.iter().filter(|n| *n == "refused: a write").count(), 4, "{notes:?}");

    // The recording holds the exchanges, and no credential or token of either side.
    let text = std::fs::read_to_string(&file).unwrap();
    for secret in secrets(&upstream, &env.mock) {
        assert!(!text.contains(&secret), "the recording holds {secret:?}:\n{text}");
    }
    let recorded = Stubs::from_path(&file).unwrap();
    assert_eq!(recorded.len(), 3, "{text}");
    assert!(text.contains("98765432109876543210"), "big integers recorded exactly: {text}");

    // Replay with the upstream stopped, and no fixtures of its own.
    upstream.shutdown();
    let replay = Env::new(
        MockConfig::new()
            .fixtures(Fixtures::new())
            .endpoints(Endpoints::builtin().catalogue_hints(true).stubs(&recorded)),
    );
    for backend in BACKENDS {
        let response = send(&replay, backend, BASE_INFO, json!({"customerId": "10001"})).unwrap();
        assert_eq!(
            response.data.get(),
            expected[0]
                .replace(upstream_credentials().open_id(), "[redacted]")
                .replace(upstream_credentials().grant_code(), "[redacted]")
        );
        let e = send(&replay, backend, BASE_INFO, json!({"customerId": "99"})).unwrap_err();
        assert_eq!(e.api_code().map(ToString::to_string).as_deref(), Some("20001"), "{e}");
        assert!(e.to_string().contains("查询的信息不存在"), "{e}");
        let cards = call!(replay, backend, gift_cards(&GiftCardListParams::new("10001"))).unwrap();
        assert_eq!(cards.len(), 5, "replayed, not the (empty) fixtures");
    }
    assert_eq!(expected[0], expected[1]);
}

#[test]
fn writes_go_through_only_when_asked_and_an_existing_recording_is_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recorded.json");
    std::fs::write(&file, r#"{"stubs": [{"path": "v3/a/b", "data": 1}]}"#).unwrap();
    let upstream = upstream();
    let recording = Recording::new(&file, upstream.base_url(), upstream_credentials()).forward_writes(true);
    let env = Env::new(MockConfig::new().record(recording));
    let response = send(&env, Backend::BlockingUreq, CREATE_ORDER, json!({"orderNo": "D1"})).unwrap();
    assert_eq!(response.data.get(), r#"{"orderNo": "D1"}"#);
    assert_eq!(upstream.log().len(), 1, "the write was forwarded");
    let recorded = Stubs::from_path(&file).unwrap();
    assert_eq!(recorded.routes().collect::<Vec<_>>(), ["/v3/a/b", "/v3/delivery/createDeliveryOrder"]);

    // An upstream that is gone: HTTP 502 and the mock's own error; nothing recorded.
    upstream.shutdown();
    let e = send(&env, Backend::BlockingUreq, BASE_INFO, json!({"customerId": "7"})).unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(502), "{e}");
    assert_eq!(e.api_code().map(ToString::to_string), Some(zv_mock::UPSTREAM_FAILED_CODE.to_string()));
    assert_eq!(Stubs::from_path(&file).unwrap().len(), 2);
    assert!(!std::fs::read_to_string(&file).unwrap().contains(UPSTREAM_KEY));

    // A file that is not a recording is refused at start.
    std::fs::write(&file, "{not json").unwrap();
    let bad = Recording::new(&file, "http://127.0.0.1:9", upstream_credentials());
    assert!(matches!(
        MockServer::start(MockConfig::new().record(bad)),
        Err(zv_mock::MockError::Stubs { .. })
    ));
}
