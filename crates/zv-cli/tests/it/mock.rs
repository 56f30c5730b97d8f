//! `zv mock` end to end: the binary started with its options, its ready line, and the SDK
//! against it (127.0.0.1 only; every file in a tempfile dir).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use zv_api::{ErrorKind, UntypedRequest};

/// A running `zv mock`: stopped (SIGTERM) and reaped when dropped.
struct Running {
    child: Child,
    ready: Value,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("zv"));
        command.arg("mock").args(args);
        Running::spawn(command)
    }

    /// Runs `command` (a `zv mock`), waiting for its ready line.
    fn spawn(mut command: Command) -> Running {
        let mut child = command
            .env_remove("ZV_BASE_URL")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let ready = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        Running { child, ready }
    }

    fn client(&self) -> zv_api::blocking::Client {
        let text = |k: &str| self.ready[k].as_str().unwrap().to_owned();
        zv_api::blocking::Client::builder()
            .base_url(text("base_url"))
            .credentials(zv_sign::Credentials::new(text("open_id"), text("grant_code"), text("open_key")))
            .max_retries(0)
            .build()
            .unwrap()
    }

    /// Stops it like a terminal would; its stderr.
    fn stop(mut self) -> String {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(self.child.wait().unwrap().success());
        let mut stderr = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        stderr
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn zv(args: &[&str]) -> std::process::Output {
    Command::new(assert_cmd::cargo::cargo_bin("zv")).args(args).env_remove("ZV_BASE_URL").output().unwrap()
}

#[test]
fn zv_mock_serves_a_stubs_file_and_hints_at_catalogued_paths_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let stubs = dir.path().join("stubs.json");
    std::fs::write(
        &stubs,
        r#"{"stubs": [
            {"path": "v3/crm/member/getMemberInfo", "match": {"user_id": "10001"}, "data": {"id": 98765432109876543210}},
            {"path": "v3/org/shop/getShopList", "items": [{"id": 1}, {"id": 2}, {"id": 3}]}
        ]}"#,
    )
    .unwrap();
    let mock = Running::start(&["--stubs", stubs.to_str().unwrap()]);
    let client = mock.client();
    let request = UntypedRequest::v3("crm/member/getMemberInfo", json!({"user_id": 10001})).unwrap();
    let response = client.send_untyped(&request).unwrap();
    assert_eq!(response.http.data_json().unwrap().get(), r#"{"id": 98765432109876543210}"#);
    let request = UntypedRequest::v3("org/shop/getShopList", json!({"pageNum": 2, "pageSize": 2})).unwrap();
    assert_eq!(client.send_untyped(&request).unwrap().data.get(), r#"{"list":[{"id": 3}],"total":3}"#);
    let request = UntypedRequest::v3("goods/item/getItemList", json!({})).unwrap();
    let e = client.send_untyped(&request).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiBusiness);
    assert!(e.to_string().contains("no stub for /v3/goods/item/getItemList"), "{e}");
    let stderr = mock.stop();
    assert!(stderr.contains("POST /v3/crm/member/getMemberInfo"), "{stderr}");
}

#[test]
fn a_bad_stubs_file_is_a_usage_error_naming_the_stub() {
    let dir = tempfile::tempdir().unwrap();
    let stubs = dir.path().join("stubs.json");
    std::fs::write(&stubs, r#"{"stubs": [{"path": "v3/a/b", "data": 1}, {"path": "v3/a/b"}]}"#).unwrap();
    let out = zv(&["mock", "--stubs", stubs.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let named = format!("--stubs: invalid stubs in {}: stub 1: has no answer", stubs.display());
    assert!(stderr.contains(&named), "{stderr}");
    assert!(!stderr.contains("<json text>"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn the_sandbox_hints_at_catalogued_paths_too() {
    let out = zv(&["--sandbox", "call", "--path", "/v3/goods/item/getItemList"]);
    assert_eq!(out.status.code(), Some(3), "a business error");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("no stub for /v3/goods/item/getItemList"), "{stderr}");
    let out = zv(&["--sandbox", "call", "--path", "/v3/no/such/path", "--yes"]);
    assert_eq!(out.status.code(), Some(4), "a system error");
    assert!(String::from_utf8(out.stderr).unwrap().contains("no endpoint at /v3/no/such/path"));
}

#[test]
fn zv_mock_records_with_the_real_credentials_from_the_environment_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recorded.json");
    let real = zv_sign::Credentials::new(
        "fedcba9876543210fedcba9876543210",
        "RealGrant9",
        "real-KEY-never-shown-0a9b8c",
    );
    let upstream = zv_mock::MockServer::start(zv_mock::MockConfig::new().credentials(real.clone())).unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("zv"));
    child
        .args(["mock", "--record", file.to_str().unwrap(), "--upstream", upstream.base_url()])
        .env("ZV_OPEN_ID", real.open_id())
        .env("ZV_GRANT_CODE", real.grant_code())
        .env("ZV_OPEN_KEY", real.expose_open_key());
    let mock = Running::spawn(child);
    let line = mock.ready.to_string();
    assert!(!line.contains(real.expose_open_key()) && !line.contains(real.open_id()), "{line}");
    assert_eq!(mock.ready["open_id"], zv_mock::DEMO_OPEN_ID, "clients sign with the mock's own credentials");
    let cards = mock.client().gift_cards(&zv_types::GiftCardListParams::new("10001")).unwrap();
    let e = mock
        .client()
        .send_untyped(&UntypedRequest::v3("delivery/createDeliveryOrder", json!({})).unwrap())
        .unwrap_err();
    assert!(e.to_string().contains("--record-writes"), "{e}");
    let stderr = mock.stop();
    assert!(stderr.contains("recording to") && stderr.contains("reads only"), "{stderr}");
    assert!(stderr.contains("upstream: forwarded (200), recorded"), "{stderr}");
    assert!(stderr.contains("upstream: refused: a write"), "{stderr}");
    assert!(!stderr.contains(real.expose_open_key()), "{stderr}");
    let recorded = std::fs::read_to_string(&file).unwrap();
    for secret in [real.open_id(), real.grant_code(), real.expose_open_key()] {
        assert!(!recorded.contains(secret), "{recorded}");
    }
    assert_eq!(upstream.log().len(), 1);
    upstream.shutdown();

    // The recording replays with the upstream gone.
    // No fixtures, so that only the recording can answer.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let replay = Running::start(&["--stubs", file.to_str().unwrap(), "--fixtures", empty.to_str().unwrap()]);
    let replayed = replay.client().gift_cards(&zv_types::GiftCardListParams::new("10001")).unwrap();
    assert_eq!(replayed, cards);
    replay.stop();

    // Without the real credentials, recording is a usage error.
    let out = zv(&["mock", "--record", file.to_str().unwrap(), "--upstream", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--record needs the upstream's credentials") && stderr.contains("ZV_OPEN_KEY"),
        "{stderr}"
    );
    assert_eq!(zv(&["mock", "--record", "x.json"]).status.code(), Some(2), "--upstream is required");
    assert_eq!(zv(&["mock", "--qps", "0"]).status.code(), Some(2));
}

#[test]
fn zv_mock_strict_refuses_what_the_default_takes() {
    let send = |mock: &Running| {
        let ready = &mock.ready;
        let creds = zv_sign::Credentials::new(
            ready["open_id"].as_str().unwrap(),
            ready["grant_code"].as_str().unwrap(),
            ready["open_key"].as_str().unwrap(),
        );
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let body = json!({
            "openId": creds.open_id(), "grantCode": creds.grant_code(), "timestamp": now, "nonce": 4242,
            "token": zv_sign::Signer::new(&creds).sign(now, 4242).token(), "params": {"user_id": "10001"},
        });
        let transport = zv_api::zv_transport::UreqTransport::new(Default::default()).unwrap();
        let request = zv_api::zv_transport::http::Request::post(format!(
            "{}/v3/crm/giftCard/getCustomerGiftCardList",
            ready["base_url"].as_str().unwrap()
        ))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
        let response = zv_api::zv_transport::Transport::send(&transport, request).unwrap();
        serde_json::from_slice::<Value>(response.body()).unwrap()
    };
    let lenient = Running::start(&[]);
    assert_eq!(send(&lenient)["code"], 0);
    lenient.stop();
    let strict = Running::start(&["--strict"]);
    let answer = send(&strict);
    assert_eq!(answer["code"], 40003, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("strict mode"), "{answer}");
    strict.stop();
}

#[test]
fn a_recording_proxy_listens_only_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.json");
    let args = [
        "mock",
        "--record",
        file.to_str().unwrap(),
        "--upstream",
        "http://127.0.0.1:9",
        "--addr",
        "0.0.0.0:0",
    ];
    let out = zv(&args);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("listens only on a loopback address") && stderr.contains("0.0.0.0"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!file.exists(), "nothing recorded");
}
