//! Params checked against the catalogue before anything is sent (`zv api`, batches), and
//! `zv endpoints show`, end to end through the `zv` binary against zv-mock or a scripted
//! stand-in gateway started by the test (127.0.0.1 only).

use serde_json::{Value, json};
use zv_mock::{Endpoints, MockConfig};

use crate::common::*;

/// A mock that answers every documented endpoint (as `--sandbox` does).
fn documented_mock() -> (zv_mock::MockServer, impl Fn() -> assert_cmd::Command) {
    mock_with_and_zv(MockConfig::new().endpoints(Endpoints::builtin().catalogue_hints(true)))
}

/// A documented read: `type` a required integer with allowed values, `identifierNumber` a
/// string.
const GATHER: &str = "v3/crm/customer/gatherCustomerInfo";
/// Its V2 twin.
const GATHER_V2: &str = "communal.user.gether-customer-info";
/// A read only seen in the field: its params are not all known, so not checked.
const OBSERVED: &str = "v3/crm/customer/getBaseInfo";

#[test]
fn every_problem_kind_exits_2_with_one_line_and_sends_nothing() {
    // a strict mock would refuse them too: here it would answer, so a send would show
    let (mock, cmd) = documented_mock();
    let cases: [(&[&str], &[&str]); 7] = [
        (&[], &["missing required param `type` (integer: 识别类型)"]),
        (
            &["tpye=2"],
            &["2 param problems", "unknown param `tpye`: did you mean `type`?", "missing required"],
        ),
        (&["type=two"], &["`type` must be integer, found a string \"two\""]),
        (&["type:=\"2\""], &["`type` must be integer, found a string \"2\""]),
        (&["type=9"], &["`type` = 9 is not allowed; allowed: 1 (会员码或会员ID), 2 (手机号), 3 (会员卡号)"]),
        (&["type=1.5"], &["`type` must be integer"]),
        (&["type=2", "typeCate=2"], &["`typeCate` = 2 is not allowed; allowed: 1 (堂食), 3 (外卖)"]),
    ];
    for (fields, expected) in cases {
        let mut args = vec!["api", GATHER];
        args.extend_from_slice(fields);
        let r = run(cmd(), &args);
        let line = fails(&r, 2);
        assert!(line.starts_with("error: /v3/crm/customer/gatherCustomerInfo: "), "{line}");
        assert!(line.ends_with("nothing was sent (--no-validate sends anyway)"), "{line}");
        for part in expected {
            assert!(line.contains(part), "{fields:?}: {part}: {line}");
        }
    }
    // the V2 twin is checked by its own page
    let line = fails(&run(cmd(), &["api", GATHER_V2, "type=7"]), 2).to_owned();
    assert!(line.contains("is not allowed"), "{line}");
    // `--params` too, and many problems stay one bounded line
    let many: serde_json::Map<String, Value> = (0..40).map(|i| (format!("bogus{i}"), json!(i))).collect();
    let many = Value::Object(many).to_string();
    let line = fails(&run(cmd(), &["api", GATHER, "--params", &many]), 2).to_owned();
    assert!(line.contains("41 param problems") && line.contains("; and 35 more;"), "{line}");
    assert!(line.len() < 1_000, "{} chars: {line}", line.len());
    assert!(mock.log().is_empty(), "sent: {:?}", mock.log());
}

#[test]
fn absurd_names_fail_fast_and_hostile_text_is_sanitized() {
    let (mock, cmd) = documented_mock();
    // a name far past any documented one: refused before the did-you-mean compares it
    let long = format!("{}=1", "k".repeat(100_000)); // an argument is at most 128 KiB
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "p.json", &format!("{{\"type\":2,\"{}\":1}}", "k".repeat(900_000)));
    for args in
        [vec!["api", GATHER, "type=2", long.as_str()], vec!["api", GATHER, "--params", &format!("@{file}")]]
    {
        let line = fails(&run(cmd(), &args), 2).to_owned();
        assert!(line.contains("is over 256 characters"), "{}", &line[..line.len().min(300)]);
        assert!(line.len() < 400, "{} chars", line.len());
    }
    // too many names, nested ones included
    let nested: Vec<Value> = (0..1_100).map(|i| json!({ format!("n{i}"): i })).collect();
    let params = json!({"type": 2, "list": nested}).to_string();
    let line = fails(&run(cmd(), &["api", GATHER, "--params", &params]), 2).to_owned();
    assert!(line.contains("over 1000 param names"), "{line}");
    // nested deeper than JSON is read: refused, not a crash
    let deep = format!("{{\"type\":2,\"x\":{}{}}}", "[".repeat(200), "]".repeat(200));
    let line = fails(&run(cmd(), &["api", GATHER, "--params", &deep]), 2).to_owned();
    assert!(line.contains("the params cannot be checked: recursion limit exceeded"), "{line}");
    // a name or value with terminal controls: shown escaped, never obeyed
    let line = fails(&run(cmd(), &["api", GATHER, "type=\u{1b}[2J", "x\u{9b}y=1"]), 2).to_owned();
    assert!(!line.contains(ESC) && !line.contains('\u{9b}'), "{line:?}");
    assert!(mock.log().is_empty());
}

#[test]
fn field_values_take_the_declared_type_on_the_wire() {
    let gateway = Scripted::start();
    gateway.answer_data("{}");
    // an integer param is a JSON number; a string param keeps every digit and leading zero
    let r = run(gateway.zv(), &["api", GATHER, "type=2", "identifierNumber=00123456789012345678901"]);
    ok(&r);
    let sent = gateway.requests();
    assert!(
        sent[0].contains(r#""params":{"type":2,"identifierNumber":"00123456789012345678901"}"#),
        "{}",
        sent[0]
    );
    // --dry-run shows the same body, and exits 0 when nothing is wrong
    let r = run(zv(), &["--sandbox", "api", GATHER, "type= 3 ", "identifierNumber=0", "--dry-run"]);
    assert!(ok(&r).contains(r#""params":{"type":3,"identifierNumber":"0"}"#), "{}", r.stdout);
    // against the mock: what it logged is the typed value
    let (mock, cmd) = documented_mock();
    ok(&run(cmd(), &["api", GATHER_V2, "type=2", "identifierNumber=13800000000"]));
    let params = mock.log().last().and_then(|e| e.params.clone()).unwrap();
    assert_eq!(params, json!({"type": 2, "identifierNumber": "13800000000"}));
}

#[test]
fn dry_run_shows_the_request_and_the_problems_and_exits_2() {
    let (mock, cmd) = documented_mock();
    let r = run(cmd(), &["api", GATHER, "type=9", "--dry-run"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let shown: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(shown["body"]["params"], json!({"type": 9}));
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("`type` = 9 is not allowed"), "{}", r.stderr);
    assert!(mock.log().is_empty());
}

#[test]
fn no_validate_sends_anyway_and_unchecked_endpoints_are_sent_as_given() {
    let (mock, cmd) = documented_mock();
    ok(&run(cmd(), &["api", GATHER, "type=9", "tpye=x", "--no-validate"]));
    let params = mock.log().last().and_then(|e| e.params.clone()).unwrap();
    // converted where the text is of the declared type, else as given
    assert_eq!(params, json!({"type": 9, "tpye": "x"}));
    // a strict mock answers the gateway's 100002 for what --no-validate let through
    let (strict, strict_cmd) = mock_with_and_zv(
        MockConfig::new().strict(true).endpoints(Endpoints::builtin().catalogue_hints(true)),
    );
    let r = run(strict_cmd(), &["api", GATHER, "type=9", "--no-validate"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("100002"), "{}", r.stderr);
    assert_eq!(strict.log().len(), 1);

    let gateway = Scripted::start();
    // an endpoint seen in the field: its params are not all known, so any name goes
    gateway.answer_data("{}");
    ok(&run(gateway.zv(), &["api", OBSERVED, "customerId=00042", "extra=1"]));
    // an uncatalogued one (a write: --yes)
    gateway.answer_data("{}");
    ok(&run(gateway.zv(), &["api", "v3/not/catalogued/anywhere", "anything=1", "--yes"]));
    let sent = gateway.requests();
    assert!(sent[0].contains(r#""params":{"customerId":"00042","extra":"1"}"#), "{}", sent[0]);
    assert!(sent[1].contains(r#""params":{"anything":"1"}"#), "{}", sent[1]);
}

#[test]
fn a_batch_names_every_bad_row_and_sends_nothing() {
    let (mock, cmd) = documented_mock();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "rows.csv", "type,identifierNumber\n2,138\n9,138\nx,1\n2,139\n");
    let r = run(cmd(), &["api", GATHER, "--each", &csv]);
    let line = fails(&r, 2).to_owned();
    assert!(line.contains("2 of 4 row(s) have params"), "{line}");
    assert!(line.contains("row 2 (line 3): `type` = 9 is not allowed"), "{line}");
    assert!(line.contains("row 3 (line 4): `type` must be integer, found a string \"x\""), "{line}");
    assert!(!line.contains("row 1 ") && !line.contains("row 4 "), "{line}");
    assert!(mock.log().is_empty(), "sent: {:?}", mock.log());
    // with --out, the results file is not even created: the check comes first
    let results = dir.path().join("results.jsonl");
    let out = results.display().to_string();
    fails(&run(cmd(), &["api", GATHER, "--each", &csv, "--out", &out]), 2);
    assert!(!results.exists());
    // a row may give what the FIELD arguments leave out; the CSV cells take the declared types
    let good = write(dir.path(), "good.csv", "type\n2\n3\n");
    let r = run(cmd(), &["api", GATHER, "--each", &good, "identifierNumber=007", "--concurrency", "1"]);
    ok(&r);
    let mut sent: Vec<Value> = mock.log().iter().filter_map(|e| e.params.clone()).collect();
    sent.sort_by_key(|p| p["type"].as_u64());
    assert_eq!(
        sent,
        [json!({"identifierNumber": "007", "type": 2}), json!({"identifierNumber": "007", "type": 3})]
    );
    // JSONL rows are taken as typed and checked the same
    mock.clear_log();
    let jsonl = write(dir.path(), "rows.jsonl", "{\"type\":2}\n{\"type\":\"2\"}\n{\"typ\":2}\n");
    let line = fails(&run(cmd(), &["api", GATHER, "--each", &jsonl]), 2).to_owned();
    assert!(line.contains("row 2 (line 2): `type` must be integer"), "{line}");
    assert!(
        line.contains("row 3 (line 3): 2 param problems: unknown param `typ`: did you mean `type`?"),
        "{line}"
    );
    assert!(mock.log().is_empty());
    // --no-validate sends every row
    let r = run(cmd(), &["api", GATHER, "--each", &csv, "--no-validate", "--concurrency", "1"]);
    assert_eq!(r.stdout.lines().count(), 4, "{}", r.stdout);
    assert_eq!(mock.log().len(), 4);
}

#[test]
fn many_bad_rows_stay_one_bounded_line() {
    let (mock, cmd) = documented_mock();
    let dir = tempfile::tempdir().unwrap();
    let rows: String =
        (0..10_000).map(|i| format!("{{\"type\":{},\"a{i}\":1,\"b\":2,\"c\":3}}\n", 100 + i)).collect();
    let jsonl = write(dir.path(), "rows.jsonl", &rows);
    let line = fails(&run(cmd(), &["api", GATHER, "--each", &jsonl]), 2).to_owned();
    assert!(line.contains("10000 of 10000 row(s)"), "{line}");
    assert!(line.contains("row 1 (line 1): 4 param problems:") && line.contains("; and 1 more"), "{line}");
    assert!(line.contains("| also row(s) 6, 7,") && line.ends_with(", 50 and 9950 more"), "{line}");
    assert!(line.len() < 4_000, "{} chars", line.len());
    assert!(mock.log().is_empty());
}

#[test]
fn endpoints_show_fits_80_columns_and_its_json_is_the_catalogues() {
    let mut c = zv();
    c.env("COLUMNS", "80");
    let r = run(c, &["endpoints", "show", GATHER]);
    let text = ok(&r);
    for line in text.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
    }
    for part in [
        "/v3/crm/customer/gatherCustomerInfo",
        "会员信息查询集合",
        "read",
        "v2:communal.user.gether-customer-info",
        "vendor page doc3/726",
        "params:",
        "identifierNumber",
        "integer",
        "yes",
        "data: object (the vendor's table was cut short",
        "├─ paidCardId",
        "└─ expiredAt",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    // wide enough, the allowed values and labels are there whole
    let mut c = zv();
    c.env("COLUMNS", "400");
    let wide = run(c, &["endpoints", "show", GATHER]);
    assert!(ok(&wide).contains("1=会员码或会员ID, 2=手机号"), "{}", wide.stdout);
    assert!(wide.stdout.contains("识别类型"), "{}", wide.stdout);

    for arg in [
        GATHER,
        "/crm/customer/gatherCustomerInfo",
        GATHER_V2,
        OBSERVED,
        "v3/crm/giftCard/getCustomerGiftCardList",
    ] {
        let shown = json_out(&run(zv(), &["endpoints", "show", arg, "--json"]));
        let entry = zv_types::catalogue::lookup(arg).unwrap();
        assert_eq!(shown, entry.describe_json(), "{arg}");
    }
    let observed = ok(&run(zv(), &["endpoints", "show", OBSERVED])).to_owned();
    assert!(
        observed.contains("no (the params are not all known)") && observed.contains("data: not documented")
    );
}

#[test]
fn endpoints_show_an_unknown_endpoint_exits_2_with_did_you_mean() {
    let line = fails(&run(zv(), &["endpoints", "show", "crm/customer/gatherCustomerInf"]), 2).to_owned();
    assert!(
        line.contains("not in the endpoint catalogue; did you mean /v3/crm/customer/gatherCustomerInfo?"),
        "{line}"
    );
    let line = fails(&run(zv(), &["endpoints", "show", "no/such/thing/at/all"]), 2).to_owned();
    assert!(line.contains("zv endpoints QUERY"), "{line}");
    let line = fails(&run(zv(), &["endpoints", "show", "https://openapi.qmai.cn/v3/a/b"]), 2).to_owned();
    assert!(line.contains("--base-url"), "{line}");
    let line = fails(&run(zv(), &["endpoints", "show", "v3/\u{1b}[2Jx"]), 2).to_owned();
    assert!(!line.contains(ESC), "{line:?}");
    // the search still takes a query
    assert!(ok(&run(zv(), &["endpoints", "gatherCustomerInfo"])).contains("1 endpoint(s)"));
}

#[test]
fn an_endpoint_seen_only_in_the_field_is_checked_by_neither_zv_nor_a_strict_mock() {
    // typed params, but only seen in the field: neither side has a schema to refuse by
    let seen = "v3/goods/item/getShopGoodsDetail";
    let (strict, cmd) = mock_with_and_zv(
        MockConfig::new().strict(true).endpoints(Endpoints::builtin().catalogue_hints(true)),
    );
    let r = run(cmd(), &["api", seen, "goodsIds=1,2", "zvNotSeen=1"]);
    assert_ne!(r.code, 2, "refused by zv: {}", r.stderr);
    assert!(!r.stderr.contains("100002"), "refused by the strict mock: {}", r.stderr);
    assert_eq!(strict.log().len(), 1, "sent once");
    assert_eq!(strict.log()[0].params, Some(json!({"goodsIds": "1,2", "zvNotSeen": "1"})));
}

#[test]
fn zv_call_checks_its_params_as_zv_api_does_unless_no_validate() {
    let (mock, cmd) = documented_mock();
    for params in [r#"{"type":9}"#, r#"{"tpye":2}"#, r#"{"type":"2"}"#] {
        let line = fails(&run(cmd(), &["call", "--path", GATHER, "--params", params]), 2).to_owned();
        let api = run(cmd(), &["api", GATHER, "--params", params]);
        assert_eq!(line, fails(&api, 2), "the same line as zv api");
        assert!(line.ends_with("nothing was sent (--no-validate sends anyway)"), "{line}");
    }
    // the V2 form too, and a write is refused for its params before its guard
    let line =
        fails(&run(cmd(), &["call", "--action", GATHER_V2, "--params", r#"{"type":7}"#]), 2).to_owned();
    assert!(line.contains("`type` = 7 is not allowed"), "{line}");
    assert!(mock.log().is_empty(), "sent: {:?}", mock.log());
    // valid params are sent as written; --no-validate sends anyway
    ok(&run(cmd(), &["call", "--path", GATHER, "--params", r#"{"type":2,"identifierNumber":"1"}"#]));
    ok(&run(cmd(), &["call", "--path", GATHER, "--params", r#"{"type":9}"#, "--no-validate"]));
    let sent: Vec<Option<Value>> = mock.log().iter().map(|e| e.params.clone()).collect();
    assert_eq!(sent, [Some(json!({"type": 2, "identifierNumber": "1"})), Some(json!({"type": 9}))]);
}

#[test]
fn endpoints_openapi_prints_the_committed_document_and_refuses_a_query() {
    let r = run(zv(), &["endpoints", "--openapi"]);
    let text = ok(&r);
    let committed = include_str!("../../../../docs/openapi.json");
    assert_eq!(text, committed, "zv endpoints --openapi is docs/openapi.json byte for byte");
    let doc: Value = serde_json::from_str(text).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v3/crm/customer/gatherCustomerInfo"]["post"].is_object());

    let r = run(zv(), &["endpoints", "--openapi", "giftCard"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(zv(), &["endpoints", "--openapi", "show", GATHER]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--openapi"), "{}", r.stderr);
}
