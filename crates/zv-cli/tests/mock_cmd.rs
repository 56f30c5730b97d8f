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
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("zv"))
            .arg("mock")
            .args(args)
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
    assert!(stderr.contains("--stubs file") && stderr.contains("stub 1: has no answer"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn the_sandbox_hints_at_catalogued_paths_too() {
    let out = zv(&["--sandbox", "call", "--path", "/v3/goods/item/getItemList"]);
    assert_eq!(out.status.code(), Some(3), "a business error");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("no stub for /v3/goods/item/getItemList"), "{stderr}");
    let out = zv(&["--sandbox", "call", "--path", "/v3/no/such/path"]);
    assert_eq!(out.status.code(), Some(4), "a system error");
    assert!(String::from_utf8(out.stderr).unwrap().contains("no endpoint at /v3/no/such/path"));
}
