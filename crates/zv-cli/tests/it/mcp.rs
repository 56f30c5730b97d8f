//! `zv mcp` driven as a child process by rmcp's client over stdio: the tools, their
//! schemas, reads, paging, and writes prepared, confirmed and journaled — against
//! `--sandbox`, and against a zv-mock started here where the test must see what the
//! gateway received or make it fail.

use std::path::PathBuf;
use std::time::Duration;

use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use zv_mock::{Endpoints, Fault, MockConfig, MockServer, Stubs};

use crate::common::{self, SECRET};

const GRANT: &str = "GrAnT12345";
const OPEN_ID: &str = "0123456789abcdef0123456789abcdef";
const WRITE: &str = "v3/crm/giftCard/giftCardReportLoss";
const PAGED: &str = "v3/goods/item/getItemList";

type Client = RunningService<RoleClient, ()>;

/// A temporary directory with the journal and the clock file in it.
struct Place {
    dir: tempfile::TempDir,
}

impl Place {
    fn new() -> Place {
        let place = Place { dir: tempfile::tempdir().unwrap() };
        place.set_clock(1_796_601_600); // 2026-12-07 00:00 UTC
        place
    }
    fn journal(&self) -> PathBuf {
        self.dir.path().join("state").join("journal.jsonl")
    }
    fn clock(&self) -> PathBuf {
        self.dir.path().join("clock")
    }
    fn set_clock(&self, unix: u64) {
        std::fs::write(self.clock(), unix.to_string()).unwrap();
    }
}

/// `zv` with nothing inherited, the journal and clock of `place`, and, with a mock, its
/// credentials in the environment.
fn command(place: &Place, mock: Option<&MockServer>, args: &[&str]) -> tokio::process::Command {
    let std_command = common::zv();
    let mut c = tokio::process::Command::new(assert_cmd::cargo::cargo_bin("zv"));
    for (key, value) in std_command.get_envs() {
        match value {
            Some(value) => c.env(key, value),
            None => c.env_remove(key),
        };
    }
    c.env("ZV_MCP_JOURNAL", place.journal()).env("ZV_MCP_TEST_CLOCK", place.clock());
    if let Some(mock) = mock {
        c.env("ZV_BASE_URL", mock.base_url())
            .env("ZV_OPEN_ID", OPEN_ID)
            .env("ZV_GRANT_CODE", GRANT)
            .env("ZV_OPEN_KEY", SECRET);
    }
    c.args(args);
    c
}

async fn start(place: &Place, mock: Option<&MockServer>, args: &[&str]) -> Client {
    let mut all = vec!["mcp"];
    all.extend_from_slice(args);
    let (transport, _) = TokioChildProcess::builder(command(place, mock, &all))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    ().serve(transport).await.unwrap()
}

/// Calls `tool`: whether it failed, and its structured content. Every result is checked
/// for secrets and terminal controls, and its text must be its structured content.
async fn call(client: &Client, tool: &str, args: Value) -> (bool, Value) {
    let Value::Object(args) = args else { panic!("arguments must be an object") };
    let result =
        client.call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args)).await.unwrap();
    let whole = serde_json::to_string(&result).unwrap();
    assert!(!whole.contains(SECRET) && !whole.contains(GRANT), "a secret in {whole}");
    let unsafe_chars: Vec<char> = whole.chars().filter(|&c| zv_types::text::is_unsafe_char(c)).collect();
    assert!(unsafe_chars.is_empty(), "terminal controls {unsafe_chars:?} in {whole}");
    let structured = result.structured_content.clone().expect("structured content");
    let text = result.content[0].as_text().expect("text content").text.clone();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), structured);
    (result.is_error == Some(true), structured)
}

async fn ok(client: &Client, tool: &str, args: Value) -> Value {
    let (failed, value) = call(client, tool, args).await;
    assert!(!failed, "{tool} failed: {value}");
    value
}

async fn refused(client: &Client, tool: &str, args: Value) -> String {
    let (failed, value) = call(client, tool, args).await;
    assert!(failed, "{tool} succeeded: {value}");
    value["error"].as_str().unwrap().to_owned()
}

/// A mock serving every catalogued endpoint, with `stubs`.
fn mock_with(stubs: &str) -> MockServer {
    let creds = zv_sign::Credentials::new(OPEN_ID, GRANT, SECRET);
    let stubs = Stubs::from_json(stubs).unwrap();
    let endpoints = Endpoints::builtin().stubs(&stubs).catalogue_hints(true);
    MockServer::start(MockConfig::new().credentials(creds).endpoints(endpoints)).unwrap()
}

fn write_stubs() -> String {
    json!({"stubs": [{"path": WRITE, "data": {"reported": true}}]}).to_string()
}

/// How many requests for `path` reached the mock.
fn sent(mock: &MockServer, path: &str) -> usize {
    mock.log().iter().filter(|e| e.path.trim_start_matches('/') == path).count()
}

#[tokio::test]
async fn a_sandbox_session_lists_searches_describes_reads_and_refuses_writes() {
    let place = Place::new();
    let client = start(&place, None, &["--sandbox"]).await;
    let info = client.peer_info().unwrap();
    let server = info.server_info.as_ref().unwrap();
    assert_eq!((server.name.as_str(), server.version.as_str()), ("zv", env!("CARGO_PKG_VERSION")));

    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "search_endpoints",
            "describe_endpoint",
            "call_endpoint",
            "list_pages",
            "prepare_write",
            "confirm_write"
        ]
    );
    for t in &tools {
        assert_eq!(t.input_schema["type"], "object", "{}", t.name);
        assert!(t.input_schema["properties"].is_object(), "{}", t.name);
        let a = t.annotations.as_ref().unwrap();
        let writes = t.name == "confirm_write";
        assert_eq!(a.destructive_hint, Some(writes), "{}", t.name);
        assert_eq!(a.read_only_hint, Some(!writes), "{}", t.name);
    }

    let found = ok(&client, "search_endpoints", json!({"query": "giftCard", "domain": "marketing"})).await;
    let list = found["endpoints"].as_array().unwrap();
    assert!(
        list.iter().any(|e| e["endpoint"] == "v3/crm/giftCard/getCustomerGiftCardList" && e["typed"] == true)
    );
    assert!(list.iter().all(|e| e["domain"] == "marketing"));
    assert!(
        refused(&client, "search_endpoints", json!({"query": "x", "domain": "nope"}))
            .await
            .contains("unknown domain")
    );

    let shown =
        ok(&client, "describe_endpoint", json!({"endpoint": "/v3/crm/giftCard/getCustomerGiftCardList"}))
            .await;
    let entry = zv_types::catalogue::lookup("v3/crm/giftCard/getCustomerGiftCardList").unwrap();
    for key in ["path", "title", "safety", "paging", "params", "data", "source", "twin", "rust_type"] {
        assert_eq!(shown[key], entry.describe_json()[key], "{key}");
    }
    assert_eq!(shown["paramsSchema"]["properties"]["user_id"]["type"], "string");
    assert_eq!(shown["paramsSchema"]["required"], json!(["user_id"]));

    let read = ok(
        &client,
        "call_endpoint",
        json!({"endpoint": "v3/crm/giftCard/getCustomerGiftCardList", "params": {"user_id": "10001"}}),
    )
    .await;
    assert!(!read["data"].as_array().unwrap().is_empty(), "{read}");
    assert!(read["traceId"].as_str().is_some_and(|t| !t.is_empty()), "{read}");
    assert_eq!(read["cut"], Value::Null);

    let error = refused(&client, "call_endpoint", json!({"endpoint": WRITE, "params": {}})).await;
    assert!(error.contains("is a write") && error.contains("prepare_write"), "{error}");
    let error = refused(&client, "prepare_write", json!({"endpoint": WRITE, "params": {}})).await;
    assert!(error.contains("does not allow") && error.contains("--allow-write"), "{error}");
    let error = refused(&client, "call_endpoint", json!({"endpoint": "v3/no/such/path"})).await;
    assert!(error.contains("not in the endpoint catalogue"), "{error}");
    let error =
        refused(&client, "describe_endpoint", json!({"endpoint": "v3/crm/giftCard/getCustomerGiftCardLis"}))
            .await;
    assert!(error.contains("Did you mean `v3/crm/giftCard/getCustomerGiftCardList`"), "{error}");
    let error = refused(&client, "confirm_write", json!({"confirmation": "0123"})).await;
    assert!(error.contains("unknown confirmation"), "{error}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn list_pages_reads_a_paged_endpoint_to_its_end() {
    let place = Place::new();
    let items: Vec<Value> = (1..=7).map(|i| json!({"id": i, "name": format!("item {i}")})).collect();
    let mock = mock_with(&json!({"stubs": [{"path": PAGED, "items": items}]}).to_string());
    let client = start(&place, Some(&mock), &["--max-records", "3"]).await;
    let mut cursor: Option<String> = None;
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let mut args = json!({"endpoint": PAGED, "params": {}});
        if let Some(c) = &cursor {
            args["cursor"] = json!(c);
        }
        let page = ok(&client, "list_pages", args).await;
        pages += 1;
        assert_eq!(page["page"], pages);
        ids.extend(page["records"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "no end");
    }
    assert_eq!((pages, ids), (3, (1..=7).collect::<Vec<_>>()));
    // call_endpoint reads the same endpoint with the record bound, saying it cut.
    let read = ok(&client, "call_endpoint", json!({"endpoint": PAGED, "params": {"pageSize": 7}})).await;
    assert_eq!(read["cut"]["cuts"][0]["records"], 7, "{read}");
    let error = refused(&client, "list_pages", json!({"endpoint": PAGED, "cursor": "7"})).await;
    assert!(error.contains("cursor"), "{error}");
    let error = refused(
        &client,
        "list_pages",
        json!({"endpoint": "v3/crm/giftCard/getCustomerGiftCardList", "params": {"user_id": "1"}}),
    )
    .await;
    assert!(error.contains("does not page"), "{error}");
    client.cancel().await.unwrap();
}

/// Follows list_pages' cursors from the first page to the end: the ids of the records
/// returned, in order, and how many calls it took.
async fn page_to_the_end(client: &Client, params: Value) -> (Vec<i64>, usize) {
    let (mut cursor, mut ids, mut calls) = (None::<String>, Vec::new(), 0);
    loop {
        let mut args = json!({"endpoint": PAGED, "params": params.clone()});
        if let Some(c) = &cursor {
            args["cursor"] = json!(c);
        }
        let page = ok(client, "list_pages", args).await;
        calls += 1;
        ids.extend(page["records"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (ids, calls),
        }
        assert!(calls < 500, "no end");
    }
}

#[tokio::test]
async fn list_pages_cut_to_the_bounds_goes_on_within_the_page_and_reaches_every_record() {
    let place = Place::new();
    let mut items: Vec<Value> = (0..100).map(|i| json!({"id": i, "name": format!("item {i}")})).collect();
    items[49]["blob"] = json!("x".repeat(2000));
    let mock = mock_with(&json!({"stubs": [{"path": PAGED, "items": items}]}).to_string());
    // a page size over --max-records: each page is read in pieces of 5
    let client = start(&place, Some(&mock), &["--max-records", "5"]).await;
    let (ids, calls) = page_to_the_end(&client, json!({"pageSize": 20})).await;
    assert_eq!(ids, (0..100).collect::<Vec<_>>());
    assert_eq!(calls, 20);
    let page = ok(
        &client,
        "list_pages",
        json!({"endpoint": PAGED, "params": {"pageSize": 20}, "cursor": "page:2:15"}),
    )
    .await;
    assert_eq!(
        (&page["page"], &page["from"], &page["next_cursor"]),
        (&json!(2), &json!(15), &json!("page:3"))
    );
    let ids: Vec<i64> =
        page["records"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [35, 36, 37, 38, 39]);
    // past the page's end: nothing, and on to the next page
    let page = ok(
        &client,
        "list_pages",
        json!({"endpoint": PAGED, "params": {"pageSize": 20}, "cursor": "page:2:99"}),
    )
    .await;
    assert_eq!((&page["records"], &page["next_cursor"]), (&json!([]), &json!("page:3")));
    for bad in ["page:2:", "page:2:-1", "page:0:1", "page:2:1:1", "page:x"] {
        let error = refused(&client, "list_pages", json!({"endpoint": PAGED, "cursor": bad})).await;
        assert!(error.contains("cursor"), "{bad}: {error}");
    }
    client.cancel().await.unwrap();
    // a page cut by the byte bound goes on too; the one record too big for it is skipped,
    // and the result says so
    let client = start(&place, Some(&mock), &["--max-bytes", "600"]).await;
    let (ids, _) = page_to_the_end(&client, json!({"pageSize": 20})).await;
    assert_eq!(ids, (0..100).filter(|&i| i != 49).collect::<Vec<_>>());
    let page = ok(
        &client,
        "list_pages",
        json!({"endpoint": PAGED, "params": {"pageSize": 20}, "cursor": "page:3:9"}),
    )
    .await;
    assert_eq!((&page["records"], &page["next_cursor"]), (&json!([]), &json!("page:3:10")));
    assert!(page["cut"]["cuts"][0]["why"].as_str().unwrap().contains("byte"), "{page}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_write_journal_keeps_no_grant_code_or_open_key_from_the_params() {
    let place = Place::new();
    let mock = mock_with(&write_stubs());
    let client = start(&place, Some(&mock), &["--allow-write", WRITE]).await;
    let card = format!("{GRANT} {SECRET}");
    let prepared = ok(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": card}})).await;
    let id = prepared["confirmation"].as_str().unwrap().to_owned();
    ok(&client, "confirm_write", json!({"confirmation": id})).await;
    client.cancel().await.unwrap();
    assert_eq!(sent(&mock, WRITE), 1);
    let journal = std::fs::read_to_string(place.journal()).unwrap();
    for secret in [GRANT, SECRET, &SECRET[..4], &SECRET[SECRET.len() - 4..]] {
        assert!(!journal.contains(secret), "{secret} in {journal}");
    }
    let outcome: Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(outcome["params"]["cardNo"], "[redacted] [redacted]", "{journal}");
}

#[tokio::test]
async fn a_confirmed_write_is_sent_once_and_replayed_or_expired_confirmations_are_refused() {
    let place = Place::new();
    let mock = mock_with(&write_stubs());
    let client = start(&place, Some(&mock), &["--allow-write", WRITE]).await;
    let tools = client.list_all_tools().await.unwrap();
    let prepare = tools.iter().find(|t| t.name == "prepare_write").unwrap();
    assert_eq!(prepare.input_schema["oneOf"][0]["properties"]["endpoint"]["const"], WRITE);

    let prepared =
        ok(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "A-1"}})).await;
    assert_eq!(sent(&mock, WRITE), 0, "prepare sends nothing");
    let preview = &prepared["preview"];
    assert_eq!(preview["body"]["token"], "<redacted>", "{preview}");
    assert_eq!(preview["body"]["grantCode"], "[redacted]", "{preview}");
    assert_eq!(preview["body"]["params"]["cardNo"], "A-1");
    assert_eq!(prepared["valid_for_seconds"], 300);
    let id = prepared["confirmation"].as_str().unwrap().to_owned();

    let done = ok(&client, "confirm_write", json!({"confirmation": id})).await;
    assert_eq!(done["data"], json!({"reported": true}));
    assert_eq!(sent(&mock, WRITE), 1);
    let error = refused(&client, "confirm_write", json!({"confirmation": id})).await;
    assert!(error.contains("already used"), "{error}");
    let error =
        refused(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "A-1"}})).await;
    assert!(error.contains("already applied today"), "{error}");

    let other = ok(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "B-2"}})).await;
    place.set_clock(1_796_601_600 + 300);
    let error = refused(&client, "confirm_write", json!({"confirmation": other["confirmation"]})).await;
    assert!(error.contains("expired"), "{error}");
    assert_eq!(sent(&mock, WRITE), 1, "the mock applied the write exactly once");

    // The next day, the same write may be sent again.
    place.set_clock(1_796_601_600 + 86_400);
    let again = ok(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "A-1"}})).await;
    ok(&client, "confirm_write", json!({"confirmation": again["confirmation"]})).await;
    assert_eq!(sent(&mock, WRITE), 2);
    client.cancel().await.unwrap();
}

/// `zv journal …` on `place`'s journal, with the mock's account (profile `env`).
fn journal_cli(place: &Place, mock: &MockServer, args: &[&str]) -> common::Run {
    let mut c = common::zv();
    c.env("ZV_MCP_JOURNAL", place.journal())
        .env("ZV_BASE_URL", mock.base_url())
        .env("ZV_OPEN_ID", OPEN_ID)
        .env("ZV_GRANT_CODE", GRANT)
        .env("ZV_OPEN_KEY", SECRET);
    common::run(c, args)
}

#[test]
fn resolving_in_a_journal_that_does_not_exist_leaves_it_uncreated() {
    let place = Place::new();
    let mock = mock_with(&write_stubs());
    let missing = journal_cli(&place, &mock, &["journal", "resolve", "abc", "--as", "applied"]);
    let line = common::fails(&missing, 2);
    assert!(line.contains("no journal at") && line.contains("no write to resolve"), "{line}");
    assert_eq!(missing.stderr.lines().count(), 1, "{}", missing.stderr);
    assert!(!place.journal().exists(), "the journal was created");
}

#[tokio::test]
async fn after_an_unknown_outcome_an_identical_write_is_refused_across_restarts_until_resolved() {
    let place = Place::new();
    let mock = mock_with(&write_stubs());
    let args = ["--allow-write", WRITE];
    let params = json!({"endpoint": WRITE, "params": {"cardNo": "A-1", "mobile": "13800001234"}});
    let client = start(&place, Some(&mock), &args).await;
    let prepared = ok(&client, "prepare_write", params.clone()).await;
    let id = prepared["confirmation"].as_str().unwrap().to_owned();
    mock.push_fault(Fault::HttpStatus(502));
    let (failed, error) = call(&client, "confirm_write", json!({"confirmation": id})).await;
    assert!(failed);
    assert_eq!(error["outcome"], "unknown", "{error}");
    assert!(error["error"].as_str().unwrap().contains("may have been applied"), "{error}");
    let refusal = refused(&client, "prepare_write", params.clone()).await;
    assert!(refusal.contains("outcome is unknown") && refusal.contains(&id), "{refusal}");
    client.cancel().await.unwrap();

    // A new server on the same journal knows it.
    let client = start(&place, Some(&mock), &args).await;
    let refusal = refused(&client, "prepare_write", params.clone()).await;
    assert!(refusal.contains("outcome is unknown"), "{refusal}");
    let journal = std::fs::read_to_string(place.journal()).unwrap();
    assert!(!journal.contains("13800001234") && journal.contains("138******34"), "{journal}");
    assert!(!journal.contains(SECRET) && !journal.contains(GRANT));

    let listed = journal_cli(&place, &mock, &["journal", "list", "--in-doubt", "--json"]);
    let listed: Value = serde_json::from_str(common::ok(&listed)).unwrap();
    assert_eq!(listed[0]["id"], id.as_str(), "{listed}");
    assert_eq!(listed[0]["state"], "unknown");
    let table = journal_cli(&place, &mock, &["journal", "list"]);
    assert!(common::ok(&table).contains(&id), "the whole ID, to resolve it: {}", table.stdout);
    let resolved = journal_cli(
        &place,
        &mock,
        &["journal", "resolve", &id, "--as", "failed", "--note", "not in the back office"],
    );
    assert!(common::ok(&resolved).contains("resolved as failed"));
    let missing = journal_cli(&place, &mock, &["journal", "resolve", "nope", "--as", "failed"]);
    assert!(common::fails(&missing, 2).contains("no write nope"));

    let prepared = ok(&client, "prepare_write", params.clone()).await;
    ok(&client, "confirm_write", json!({"confirmation": prepared["confirmation"]})).await;
    assert_eq!(sent(&mock, WRITE), 2, "the faulted attempt and the one after the verdict");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_daily_cap_holds_across_restarts_and_a_held_journal_refuses_the_write() {
    let place = Place::new();
    let mock = mock_with(&write_stubs());
    let args = ["--allow-write", WRITE, "--daily-write-cap", "1"];
    let client = start(&place, Some(&mock), &args).await;
    let prepared = ok(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "1"}})).await;
    ok(&client, "confirm_write", json!({"confirmation": prepared["confirmation"]})).await;
    client.cancel().await.unwrap();

    let client = start(&place, Some(&mock), &args).await;
    let error =
        refused(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "2"}})).await;
    assert!(error.contains("daily cap of 1"), "{error}");
    client.cancel().await.unwrap();

    // Another process holding the journal: the confirmation is refused, nothing is sent.
    let client = start(&place, Some(&mock), &["--allow-write", WRITE]).await;
    let prepared = ok(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "3"}})).await;
    let held = crate::journal::hold(&place.journal(), "");
    let error = refused(&client, "confirm_write", json!({"confirmation": prepared["confirmation"]})).await;
    assert!(
        error.contains("in use by another zv") && error.contains(&std::process::id().to_string()),
        "{error}"
    );
    // A server starts while another process holds the journal.
    let second = start(&place, Some(&mock), &[]).await;
    assert_eq!(second.list_all_tools().await.unwrap().len(), 6);
    second.cancel().await.unwrap();
    drop(held);
    assert_eq!(sent(&mock, WRITE), 1);
    // Nothing was sent: the same confirmation goes through once the journal is free.
    ok(&client, "confirm_write", json!({"confirmation": prepared["confirmation"]})).await;
    assert_eq!(sent(&mock, WRITE), 2);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn hostile_inputs_and_a_hanging_gateway_are_bounded() {
    let place = Place::new();
    let hostile = json!({"stubs": [{"path": "v3/coupon/card/getGiftCardTemplateDetail", "data": {
        "title\u{1b}[2J": "x\u{1b}]0;owned\u{7}\u{9b}31m\u{202e}gnp.exe",
        "list": [1, 2, 3],
    }}]});
    let mock = mock_with(&hostile.to_string());
    let client =
        start(&place, Some(&mock), &["--timeout", "0.5", "--retries", "0", "--max-records", "2"]).await;

    let (failed, bad) = call(
        &client,
        "call_endpoint",
        json!({"endpoint": "v3/crm/giftCard/getCustomerGiftCardList", "params": {"user_idd": 1}}),
    )
    .await;
    assert!(failed);
    let problems = bad["problems"].to_string();
    assert!(
        problems.contains("did you mean `user_id`") && problems.contains("missing required param `user_id`"),
        "{bad}"
    );
    let error = refused(
        &client,
        "call_endpoint",
        json!({"endpoint": PAGED, "params": {"blob": "x".repeat(100_000)}}),
    )
    .await;
    assert!(error.contains("more than the 65536 bytes"), "{error}");
    let error = refused(&client, "call_endpoint", json!({"endpoint": PAGED, "params": [1, 2]})).await;
    assert!(error.contains("do not fit") || error.contains("object"), "{error}");
    assert!(mock.log().is_empty(), "nothing invalid was sent");

    // Escapes from the gateway arrive as data, without a control character (checked in `call`).
    let read = ok(
        &client,
        "call_endpoint",
        json!({"endpoint": "v3/coupon/card/getGiftCardTemplateDetail", "params": {"id": "T1"}}),
    )
    .await;
    let text = read["data"].to_string();
    assert!(text.contains("owned") && text.contains('\u{FFFD}'), "{text}");
    assert_eq!(read["data"]["list"], json!([1, 2]));

    mock.push_fault(Fault::Delay(Duration::from_secs(3)));
    let (failed, error) = call(&client, "call_endpoint", json!({"endpoint": PAGED})).await;
    assert!(failed);
    assert!(error["error"].as_str().unwrap().contains("timed out"), "{error}");
    assert!(error["hint"].as_str().unwrap().contains("--timeout"), "{error}");
    client.cancel().await.unwrap();
}

#[test]
fn bad_allow_lists_and_journals_fail_at_start_with_one_line() {
    let place = Place::new();
    let run = |args: &[&str]| {
        let mut c = common::zv();
        c.env("ZV_MCP_JOURNAL", place.journal());
        common::run(c, args)
    };
    let read = run(&["mcp", "--sandbox", "--allow-write", "v3/crm/giftCard/getCustomerGiftCardList"]);
    assert!(common::fails(&read, 2).contains("it is a read"));
    let unknown = run(&["mcp", "--sandbox", "--allow-write", "v3/no/such"]);
    assert!(common::fails(&unknown, 2).contains("not in the endpoint catalogue"));
    std::fs::create_dir_all(place.journal().parent().unwrap()).unwrap();
    std::fs::write(place.journal(), "my notes\n").unwrap();
    let notes = run(&["mcp", "--sandbox"]);
    assert!(common::fails(&notes, 2).contains("not a zv"));
    assert_eq!(std::fs::read_to_string(place.journal()).unwrap(), "my notes\n");
    // Another profile's journal is refused, naming the difference.
    std::fs::remove_file(place.journal()).unwrap();
    let header = crate::journal::header("mcp", json!({"profile": "shop2"}));
    drop(crate::journal::hold(&place.journal(), &header));
    let other = run(&["mcp", "--sandbox"]);
    assert!(
        common::fails(&other, 2).contains("profile was \"shop2\" and is now \"sandbox\""),
        "{}",
        other.stderr
    );
}

#[tokio::test]
async fn a_profile_allows_writes_caps_them_and_names_its_journal() {
    let place = Place::new();
    let mock = mock_with(&write_stubs());
    let config = place.dir.path().join("config");
    std::fs::create_dir_all(config.join("zv")).unwrap();
    std::fs::write(
        config.join("zv").join("config.toml"),
        format!(
            "[profiles.shop1]\nbase_url = \"{}\"\nopen_id = \"{OPEN_ID}\"\ngrant_code = \"{GRANT}\"\nmcp_allow_write = [\"{WRITE}\"]\nmcp_daily_write_cap = 1\n",
            mock.base_url()
        ),
    )
    .unwrap();
    let state = place.dir.path().join("xdg-state");
    let mut c = command(&place, None, &["mcp", "--profile", "shop1"]);
    c.env_remove("ZV_MCP_JOURNAL")
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_STATE_HOME", &state)
        .env("ZV_OPEN_KEY", SECRET);
    let (transport, _) = TokioChildProcess::builder(c).stderr(std::process::Stdio::null()).spawn().unwrap();
    let client: Client = ().serve(transport).await.unwrap();
    let prepared = ok(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "1"}})).await;
    ok(&client, "confirm_write", json!({"confirmation": prepared["confirmation"]})).await;
    let error =
        refused(&client, "prepare_write", json!({"endpoint": WRITE, "params": {"cardNo": "2"}})).await;
    assert!(error.contains("daily cap of 1"), "{error}");
    client.cancel().await.unwrap();
    let journal = std::fs::read_to_string(state.join("zv").join("mcp-shop1.jsonl")).unwrap();
    assert!(journal.contains("\"profile\":\"shop1\"") && journal.contains(WRITE), "{journal}");
    assert_eq!(sent(&mock, WRITE), 1);
}

#[tokio::test]
async fn a_server_killed_while_sending_leaves_the_write_in_doubt() {
    let place = Place::new();
    let mock = mock_with(&write_stubs());
    let args = ["mcp", "--allow-write", WRITE, "--timeout", "60"];
    let (transport, _) = TokioChildProcess::builder(command(&place, Some(&mock), &args))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = transport.id().unwrap();
    let client: Client = ().serve(transport).await.unwrap();
    let params = json!({"endpoint": WRITE, "params": {"cardNo": "K-1"}});
    let prepared = ok(&client, "prepare_write", params.clone()).await;
    mock.push_fault(Fault::Delay(Duration::from_secs(30)));
    let confirming = {
        let peer = client.peer().clone();
        let args = json!({"confirmation": prepared["confirmation"]});
        let Value::Object(args) = args else { unreachable!() };
        tokio::spawn(async move {
            peer.call_tool(CallToolRequestParams::new("confirm_write").with_arguments(args)).await
        })
    };
    // Killed once the write is journaled as sent (it is synced before the request goes).
    for _ in 0..600 {
        if std::fs::read_to_string(place.journal()).unwrap_or_default().contains("\"record\":\"sent\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let killed = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    assert!(confirming.await.unwrap().is_err(), "the killed server answered");
    drop(client);

    let client = start(&place, Some(&mock), &["--allow-write", WRITE]).await;
    let error = refused(&client, "prepare_write", params).await;
    assert!(error.contains("outcome is unknown"), "{error}");
    client.cancel().await.unwrap();
}
