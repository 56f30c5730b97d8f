//! `zv endpoints` and `zv api`, end to end against zv-mock or a scripted stand-in gateway
//! started by the test (127.0.0.1 only).

use std::io::{BufRead, BufReader};

use serde_json::{Value, json};
use zv_mock::Fault;

use crate::common::*;

const GIFT_CARDS: &str = "/v3/crm/giftCard/getCustomerGiftCardList";
const EXCHANGE_STATUS: &str = "coupon/exchange/getExchangeCodeStatus";
/// A write the mock serves that the catalogue does not list.
const REDEEM: &str = "/v3/coupon/exchange/redeemExchangeCode";

#[test]
fn endpoints_search_by_path_title_or_domain_and_the_json_shape() {
    let all = json_out(&run(zv(), &["endpoints", "--json"]));
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), zv_types::catalogue::all().len());
    for e in all {
        assert!(e["path"].as_str().is_some_and(|p| p.starts_with("/v3/") || p.starts_with("v2:")), "{e}");
        assert!(e["domain"].is_string(), "{e}");
        assert!(e["title"].is_string() || e["title"].is_null(), "{e}");
        assert!(e["safety"] == "read" || e["safety"] == "write", "{e}");
        assert!(
            e["paging"].is_null()
                || zv_types::PageDialect::from_name(e["paging"].as_str().unwrap_or_default()).is_some(),
            "{e}"
        );
        assert!(e["params"].as_array().unwrap().iter().all(Value::is_string), "{e}");
    }
    assert!(all.iter().any(|e| e["paging"] == "data_total"));

    // by path (any case), by title, by domain
    let by_path = json_out(&run(zv(), &["endpoints", "GIFTCARD/getcustomer", "--json"]));
    let paths: Vec<&str> = by_path.as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&GIFT_CARDS), "{paths:?}");
    let card = by_path.as_array().unwrap().iter().find(|e| e["path"] == GIFT_CARDS).unwrap();
    assert_eq!((&card["safety"], &card["domain"]), (&json!("read"), &json!("marketing")));
    assert!(card["params"].as_array().unwrap().contains(&json!("user_id")), "{card}");
    let by_title = json_out(&run(zv(), &["endpoints", "我的礼品卡", "--json"]));
    assert!(by_title.as_array().unwrap().iter().any(|e| e["path"] == GIFT_CARDS), "{by_title}");
    let queue = json_out(&run(zv(), &["--json", "endpoints", "--domain", "queue"]));
    let queue = queue.as_array().unwrap();
    assert!(!queue.is_empty() && queue.iter().all(|e| e["domain"] == "queue"), "{queue:?}");
    assert!(queue.len() < all.len());

    // the table: one row per endpoint on a pipe, and a count
    let r = run(zv(), &["endpoints", "--domain", "queue"]);
    let table = ok(&r);
    assert_eq!(table.lines().filter(|l| l.contains("/v3/queuing/")).count(), queue.len(), "{table}");
    assert!(table.ends_with(&format!("{} endpoint(s)\n", queue.len())), "{table}");
    assert!(ok(&run(zv(), &["endpoints", "no-such-endpoint-anywhere"])).contains("no endpoint matches"));
    assert_eq!(json_out(&run(zv(), &["endpoints", "no-such-endpoint-anywhere", "--json"])), json!([]));
    let line = fails(&run(zv(), &["endpoints", "--domain", "nope"]), 2).to_owned();
    assert!(line.contains("unknown domain") && line.contains("member"), "{line}");
}

/// The params the mock logged for the last request.
fn last_params(mock: &zv_mock::MockServer) -> Value {
    mock.log().last().and_then(|e| e.params.clone()).expect("a request reached the mock")
}

#[test]
fn field_values_are_strings_raw_json_is_typed_and_both_override_params() {
    let (mock, cmd) = mock_and_zv();
    let r = run(
        cmd(),
        &[
            "api",
            GIFT_CARDS,
            "--params",
            r#"{"user_id":1,"needCycleCard":1}"#,
            "user_id=10001",
            "needCycleCard:=0",
        ],
    );
    assert!(ok(&r).contains("8800001"), "{}", r.stdout);
    assert_eq!(last_params(&mock), json!({"user_id": "10001", "needCycleCard": 0}));

    // the exact params text, in order, as --dry-run shows what would be sent
    let r = run(
        cmd(),
        &[
            "api",
            GIFT_CARDS,
            "--params",
            r#"{"points":1,"flag":true,"customerId":7}"#,
            "customerId=00123",
            "points:=10",
            "tags:=[\"a\",2]",
            "note=x:=y",
            "--dry-run",
            // names the gift-card list does not document: the params layer alone
            "--no-validate",
        ],
    );
    assert!(
        ok(&r).contains(
            r#""params":{"points":10,"flag":true,"customerId":"00123","tags":["a",2],"note":"x:=y"}"#
        ),
        "{}",
        r.stdout
    );
    // --params from a file, overridden the same way
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("params.json");
    std::fs::write(&file, r#"{"user_id":"1","needCycleCard":0}"#).unwrap();
    ok(&run(cmd(), &["api", GIFT_CARDS, "--params", &format!("@{}", file.display()), "user_id=10001"]));
    assert_eq!(last_params(&mock), json!({"user_id": "10001", "needCycleCard": 0}));

    // bad fields and params: exit 2, one line, nothing sent
    mock.clear_log();
    for (args, expected) in [
        (&["api", GIFT_CARDS, "user_id"][..], "FIELD=VALUE"),
        (&["api", GIFT_CARDS, "points:=ten"], "not JSON"),
        (&["api", GIFT_CARDS, "--params", "[1,2]"], "must be a JSON object"),
        (&["api", GIFT_CARDS, "--params", "{oops"], "not valid JSON"),
        (&["api", GIFT_CARDS, "--params", "@/nonexistent/params.json"], "cannot read"),
        (&["api", "/v3/../etc"], "invalid route"),
    ] {
        let line = fails(&run(cmd(), args), 2).to_owned();
        assert!(line.contains(expected), "{args:?}: {line}");
    }
    assert!(mock.log().is_empty(), "{:?}", mock.log());
}

#[test]
fn every_path_form_reaches_the_same_endpoint() {
    let (mock, cmd) = mock_and_zv();
    let forms = [
        GIFT_CARDS,
        "v3/crm/giftCard/getCustomerGiftCardList",
        "/crm/giftCard/getCustomerGiftCardList",
        "crm/giftCard/getCustomerGiftCardList",
    ];
    for form in forms {
        let cards = json_out(&run(cmd(), &["api", form, "user_id=10001"]));
        assert!(cards.as_array().unwrap().len() >= 4, "{form}: {cards}");
    }
    let log = mock.log();
    assert_eq!(log.len(), forms.len());
    assert!(log.iter().all(|e| e.path == GIFT_CARDS && e.verdict.is_ok()), "{log:?}");
    // a V2 Action, bare or as `v2:Action`
    for form in ["coupon.user-coupon-list", "v2:coupon.user-coupon-list"] {
        let coupons = json_out(&run(cmd(), &["api", form, "user_id:=10001"]));
        assert!(coupons["item_list"].is_array(), "{form}: {coupons}");
    }
    assert_eq!(mock.log().last().unwrap().action.as_deref(), Some("coupon.user-coupon-list"));
}

#[test]
fn a_write_needs_yes_and_is_refused_in_one_line_without_it() {
    let (mock, cmd) = mock_and_zv();
    // uncatalogued: treated as a write
    let line = fails(&run(cmd(), &["api", REDEEM, "exchangeCode=164822200532619796511", "user_id=10001"]), 2)
        .to_owned();
    assert!(line.contains("--yes") && line.contains("nothing was sent"), "{line}");
    // catalogued as a write
    let line = fails(&run(cmd(), &["api", "coupon/card/exchangeGiftCard", "code=1"]), 2).to_owned();
    assert!(line.contains("--yes") && line.contains("catalogue says"), "{line}");
    assert!(mock.log().is_empty(), "nothing sent: {:?}", mock.log());
    // with --yes it is sent, once
    let r = run(cmd(), &["api", REDEEM, "exchangeCode=164822200532619796511", "user_id=10001", "--yes"]);
    ok(&r);
    let log = mock.log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].path, REDEEM);
}

#[test]
fn a_mistyped_path_or_a_whole_url_is_refused_with_the_likely_fix() {
    let line =
        fails(&run(zv(), &["--sandbox", "api", "crm/giftCard/getCustomerGiftCardLst", "user_id=10001"]), 2)
            .to_owned();
    assert!(line.contains("did you mean /v3/crm/giftCard/getCustomerGiftCardList?"), "{line}");
    assert!(line.contains("nothing was sent"), "{line}");
    let url = "https://openapi.qmai.cn/v3/crm/giftCard/getCustomerGiftCardList";
    let line = fails(&run(zv(), &["--sandbox", "api", url, "user_id=10001"]), 2).to_owned();
    assert!(line.contains("give the path only") && line.contains("--base-url"), "{line}");
}

#[test]
fn a_write_is_never_resent_and_a_read_is_retried() {
    let (mock, cmd) = mock_and_zv();
    mock.push_fault(Fault::fail_times(1, Fault::HttpStatus(503)));
    ok(&run(cmd(), &["api", GIFT_CARDS, "user_id=10001"]));
    assert_eq!(mock.log().len(), 2, "a read is retried: {:?}", mock.log());
    mock.clear_log();
    mock.push_fault(Fault::fail_times(1, Fault::HttpStatus(503)));
    let args = ["api", REDEEM, "exchangeCode=164822200532619796511", "user_id=10001", "--yes"];
    fails(&run(cmd(), &args), 5);
    assert_eq!(mock.log().len(), 1, "a write is sent once: {:?}", mock.log());
}

#[test]
fn dry_run_sends_nothing_and_shows_no_secret() {
    let (mock, cmd) = mock_and_zv();
    for args in [
        &["api", REDEEM, "exchangeCode=1", "--dry-run"][..],
        &["api", GIFT_CARDS, "user_id=10001", "--dry-run", "-v"],
        &["api", "coupon.user-coupon-list", "user_id:=10001", "--dry-run"],
    ] {
        let r = run(cmd(), args); // `run` fails on the key anywhere in the output
        let shown = json_out(&r);
        assert_eq!(shown["method"], "POST", "{shown}");
        assert!(shown["url"].as_str().unwrap().starts_with(&mock.base_url().to_string()), "{shown}");
        let body = shown["body"].as_object().unwrap();
        let token = body.iter().find(|(k, _)| k.eq_ignore_ascii_case("token")).unwrap().1;
        assert_eq!(token, "<redacted>", "{shown}");
        assert!(!r.stdout.contains("%3D") && !r.stderr.contains("token="), "{}", r.stdout);
    }
    let r = run(cmd(), &["api", REDEEM, "exchangeCode=1", "--dry-run"]);
    let shown = json_out(&r);
    assert_eq!(shown["retry_safe"], false);
    assert_eq!(shown["body"]["params"], json!({"exchangeCode": "1"}));
    // the openKey, should the params hold it, is redacted like the grantCode
    let arg = format!("exchangeCode={}", mock.credentials().expose_open_key());
    let r = run(cmd(), &["api", REDEEM, &arg, "--dry-run"]);
    assert_eq!(json_out(&r)["body"]["params"], json!({"exchangeCode": "[redacted]"}), "{}", r.stdout);
    assert!(mock.log().is_empty(), "--dry-run sent something: {:?}", mock.log());
}

#[test]
fn big_numbers_print_byte_for_byte() {
    let (mock, cmd) = mock_and_zv();
    let data =
        r#"{"code":164822200532619796511,"status":"true","amount":1.10,"big":-98765432109876543210.5e3}"#;
    mock.push_fault(Fault::Respond {
        status: 200,
        body: format!(r#"{{"status":true,"code":0,"data":{data}}}"#),
    });
    let r = run(cmd(), &["api", EXCHANGE_STATUS, "exchangeCode=164822200532619796511"]);
    assert_eq!(ok(&r), format!("{data}\n"));
    // a gateway that indents its JSON: compacted on a pipe, every digit kept
    mock.push_fault(Fault::Respond {
        status: 200,
        body: "{\"status\":true,\"code\":0,\"data\":{\n  \"id\": 123456789012345678901,\n  \"n\": [1.50]\n}}"
            .into(),
    });
    let r = run(cmd(), &["api", EXCHANGE_STATUS, "exchangeCode=1"]);
    assert_eq!(ok(&r), "{\"id\":123456789012345678901,\"n\":[1.50]}\n");
}

#[test]
fn numbers_in_params_reach_the_wire_as_typed() {
    let gateway = Scripted::start();
    gateway.answer_data("null");
    let r = run(
        gateway.zv(),
        &[
            "api",
            EXCHANGE_STATUS,
            "--no-validate",
            "id:=1234567890123456789",
            "max:=18446744073709551615",
            "x:=0.1",
            "s=00123",
        ],
    );
    assert_eq!(ok(&r), "null\n");
    let sent = gateway.requests();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].contains(
            r#""params":{"id":1234567890123456789,"max":18446744073709551615,"x":0.1,"s":"00123"}"#
        ),
        "{}",
        sent[0]
    );
    // beyond 64 bits too: the params' text is what is sent
    gateway.answer_data("null");
    ok(&run(
        gateway.zv(),
        &[
            "api",
            EXCHANGE_STATUS,
            "--no-validate",
            "id:=123456789012345678901",
            "d:=0.10000000000000000000001",
        ],
    ));
    let sent = gateway.requests();
    assert!(
        sent[1].contains(r#""params":{"id":123456789012345678901,"d":0.10000000000000000000001}"#),
        "{}",
        sent[1]
    );
    // and through `zv call` as well
    gateway.answer_data("null");
    ok(&run(
        gateway.zv(),
        &["call", "--path", EXCHANGE_STATUS, "--no-validate", "--params", r#"{"id":123456789012345678901}"#],
    ));
    assert!(gateway.requests()[2].contains(r#""params":{"id":123456789012345678901}"#));
}

#[test]
fn errors_show_the_gateways_trace_id() {
    let (mock, cmd) = mock_and_zv();
    mock.push_fault(Fault::Respond {
        status: 200,
        body: r#"{"status":true,"code":20001,"message":"查询的信息不存在","traceId":"7f3a9c0e-trace"}"#
            .into(),
    });
    let line = fails(&run(cmd(), &["api", GIFT_CARDS, "user_id=10001"]), 3).to_owned();
    assert!(line.contains("20001") && line.contains("traceId 7f3a9c0e-trace"), "{line}");
    // and a typed command the same way
    mock.push_fault(Fault::Respond {
        status: 200,
        body: r#"{"status":false,"code":110004,"message":"验签失败","traceId":42}"#.into(),
    });
    let line = fails(&run(cmd(), &["exchange-code", "1"]), 4).to_owned();
    assert!(line.contains("traceId 42"), "{line}");
}

/// The `getItemList` page `number` of `pages` (pageNo/pageSize → `{data, total}`).
fn item_page(records: &[&str], total: usize) -> String {
    format!(r#"{{"data":[{}],"total":{total}}}"#, records.join(","))
}

#[test]
fn all_pages_streams_one_record_per_line() {
    let gateway = Scripted::start();
    let records = [r#"{"id":98765432109876543210,"name":"奶茶"}"#, r#"{"id":2}"#, r#"{"id":3}"#];
    let args = ["api", "goods/item/getItemList", "shopCode=S1", "--all-pages", "--page-size", "2"];
    let mut child = spawn(&gateway.zv(), &args);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // page 1 is answered; page 2 only once page 1's records were read: they came as it arrived
    gateway.answer_data(&item_page(&records[..2], 3));
    let mut lines = Vec::new();
    for _ in 0..2 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        lines.push(line);
    }
    gateway.answer_data(&item_page(&records[2..], 3));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    lines.extend(rest.lines().map(|l| format!("{l}\n")));
    let expected: Vec<String> = records.iter().map(|r| format!("{r}\n")).collect();
    assert_eq!(lines, expected);
    let sent = gateway.requests();
    assert_eq!(sent.len(), 2, "{sent:?}");
    for (i, body) in sent.iter().enumerate() {
        let params = &serde_json::from_str::<Value>(body).unwrap()["params"];
        assert_eq!(params, &json!({"shopCode": "S1", "pageNo": i + 1, "pageSize": 2}), "{body}");
    }
}

#[test]
fn all_pages_needs_a_paging_dialect_and_a_page_error_ends_the_scan() {
    let (mock, cmd) = mock_and_zv();
    let line = fails(&run(cmd(), &["api", GIFT_CARDS, "user_id=10001", "--all-pages"]), 2).to_owned();
    assert!(line.contains("paging dialect") && line.contains("--all-pages"), "{line}");
    fails(&run(cmd(), &["api", GIFT_CARDS, "--page-size", "5"]), 2);
    assert!(mock.log().is_empty());
    // the first page's records, then the second page's error
    let gateway = Scripted::start();
    gateway.answer_data(&item_page(&[r#"{"id":1}"#], 2));
    gateway.answer(r#"{"status":true,"code":20001,"message":"查询的信息不存在"}"#);
    let r = run(gateway.zv(), &["api", "goods/item/getItemList", "--all-pages", "--page-size", "1"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.stdout, "{\"id\":1}\n");
    assert!(r.stderr.contains("page 2") && r.stderr.contains("20001"), "{}", r.stderr);
    // --max-pages stops the scan there, and says there was more
    let gateway = Scripted::start();
    gateway.answer_data(&item_page(&[r#"{"id":1}"#], 5));
    let args = ["api", "goods/item/getItemList", "--all-pages", "--page-size", "1", "--max-pages", "1"];
    let r = run(gateway.zv(), &args);
    assert_eq!(ok(&r), "{\"id\":1}\n");
    assert!(r.stderr.contains("--max-pages") && r.stderr.contains("more"), "{}", r.stderr);
    assert_eq!(gateway.requests().len(), 1);
}

#[test]
fn all_pages_in_every_format() {
    let page = item_page(&[r#"{"id":98765432109876543210,"n":"a"}"#, r#"{"id":2,"m":[1]}"#], 2);
    let run_with = |format: &str| {
        let gateway = Scripted::start();
        gateway.answer_data(&page);
        let args = ["--format", format, "api", "goods/item/getItemList", "--all-pages", "--page-size", "2"];
        let r = run(gateway.zv(), &args);
        ok(&r).to_owned()
    };
    assert_eq!(run_with("json"), "[{\"id\":98765432109876543210,\"n\":\"a\"}\n,{\"id\":2,\"m\":[1]}\n]\n");
    assert_eq!(run_with("jsonl"), "{\"id\":98765432109876543210,\"n\":\"a\"}\n{\"id\":2,\"m\":[1]}\n");
    assert_eq!(run_with("csv"), "id,n,m\r\n98765432109876543210,a,\r\n2,,[1]\r\n");
    assert!(run_with("table").contains("98765432109876543210"));
    // no record at all is still a JSON array
    let gateway = Scripted::start();
    gateway.answer_data(&item_page(&[], 0));
    let r = run(gateway.zv(), &["--json", "api", "goods/item/getItemList", "--all-pages"]);
    assert_eq!(ok(&r), "[]\n");
}

#[test]
fn a_write_whose_outcome_is_unknown_says_it_may_have_been_applied() {
    let (mock, cmd) = mock_and_zv();
    // an uncatalogued path is a write: a 502 page after it was sent leaves its outcome unknown
    mock.push_fault(Fault::HttpStatus(502));
    let line = fails(
        &run(
            cmd(),
            &[
                "api",
                "coupon/exchange/redeemExchangeCode",
                "exchangeCode=164822200532619796511",
                "user_id=10001",
                "--yes",
            ],
        ),
        5,
    )
    .to_owned();
    assert!(line.contains("502") && line.contains("the write may have been applied"), "{line}");
    // a read's failure does not say so (it was retried, and a read applies nothing)
    mock.push_fault(Fault::HttpStatus(502));
    mock.push_fault(Fault::HttpStatus(502));
    mock.push_fault(Fault::HttpStatus(502));
    let line = fails(&run(cmd(), &["api", GIFT_CARDS, "user_id=10001"]), 5).to_owned();
    assert!(!line.contains("may have been applied"), "{line}");
    // a business error is a refusal: nothing was applied, nothing to warn about
    mock.push_fault(Fault::Respond {
        status: 200,
        body: r#"{"status":true,"code":20001,"message":"no"}"#.into(),
    });
    let line = fails(
        &run(
            cmd(),
            &["api", "coupon/exchange/redeemExchangeCode", "exchangeCode=1", "user_id=10001", "--yes"],
        ),
        3,
    )
    .to_owned();
    assert!(!line.contains("may have been applied"), "{line}");
}
