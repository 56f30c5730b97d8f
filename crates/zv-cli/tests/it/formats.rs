//! `--format`, `zv completions` and the hints for platform codes, end to end.

use serde_json::Value;
use zv_mock::Fault;

use crate::common::*;

const GIFT_CARDS: &str = "/v3/crm/giftCard/getCustomerGiftCardList";

/// Every command that prints a result, with the number of records it prints.
fn commands() -> Vec<(Vec<&'static str>, usize)> {
    vec![
        (vec!["--sandbox", "gift-cards", "--user-id", "10001"], 5),
        (vec!["--sandbox", "coupons", "--user-id", "10001"], 5),
        (vec!["--sandbox", "exchange-code", "164822200532619796511"], 1),
        (vec!["endpoints", "--domain", "queue"], 3),
        (vec!["--sandbox", "api", GIFT_CARDS, "user_id=10001"], 5),
        (vec!["--sandbox", "call", "--path", GIFT_CARDS, "--params", r#"{"user_id":"10001"}"#], 5),
        (vec!["--sandbox", "sign", "--timestamp", "1", "--nonce", "2"], 1),
        (vec!["--sandbox", "api", REDEEM, "exchangeCode=1", "--dry-run"], 1),
    ]
}

const REDEEM: &str = "/v3/coupon/exchange/redeemExchangeCode";

fn with_format(args: &[&'static str], format: &'static str) -> Vec<&'static str> {
    let mut all = vec!["--format", format];
    all.extend_from_slice(args);
    all
}

#[test]
fn every_command_prints_every_format() {
    for (args, records) in commands() {
        // json: one value
        let json = json_out(&run(zv(), &with_format(&args, "json")));
        assert!(json.is_array() || json.is_object(), "{args:?}: {json}");
        // --json is the same
        let mut short = vec!["--json"];
        short.extend_from_slice(&args);
        if !args.contains(&"--dry-run") {
            assert_eq!(json_out(&run(zv(), &short)), json, "{args:?}");
        }
        // jsonl: one object a record
        let r = run(zv(), &with_format(&args, "jsonl"));
        let lines: Vec<Value> = ok(&r).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), records, "{args:?}: {}", r.stdout);
        assert!(lines.iter().all(Value::is_object), "{args:?}: {}", r.stdout);
        // csv: a header, then one row a record, as the csv crate reads it back
        let r = run(zv(), &with_format(&args, "csv"));
        let mut reader = csv::Reader::from_reader(ok(&r).as_bytes());
        let header = reader.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), records, "{args:?}: {}", r.stdout);
        assert!(rows.iter().all(|row| row.len() == header.len()), "{args:?}");
        assert!(ok(&r).contains("\r\n"), "RFC 4180 line ends");
        // table: a table or the command's own words, never JSON
        let r = run(zv(), &with_format(&args, "table"));
        assert!(!ok(&r).starts_with(['{', '[']), "{args:?}: {}", r.stdout);
    }
}

#[test]
fn csv_cells_keep_numbers_and_nest_json() {
    let r = run(zv(), &["--sandbox", "--format", "csv", "coupons", "--user-id", "10001"]);
    let mut reader = csv::Reader::from_reader(ok(&r).as_bytes());
    let header = reader.headers().unwrap().clone();
    let coupon = header.iter().position(|h| h == "coupon").expect("a coupon column");
    let row = reader.records().next().unwrap().unwrap();
    let nested: Value = serde_json::from_str(&row[coupon]).unwrap();
    assert!(nested.is_object(), "nested values are compact JSON: {}", &row[coupon]);

    let (mock, cmd) = mock_and_zv();
    let data = r#"[{"id":164822200532619796511,"name":"奶茶, \"大杯\"","tags":null}]"#;
    mock.push_fault(Fault::Respond {
        status: 200,
        body: format!(r#"{{"status":true,"code":0,"data":{data}}}"#),
    });
    let r = run(cmd(), &["--format", "csv", "api", GIFT_CARDS, "user_id=10001"]);
    assert_eq!(ok(&r), "id,name,tags\r\n164822200532619796511,\"奶茶, \"\"大杯\"\"\",\r\n");
}

#[test]
fn json_and_another_format_is_a_usage_error() {
    let line = fails(&run(zv(), &["--json", "--format", "csv", "endpoints"]), 2).to_owned();
    assert!(line.contains("--format"), "{line}");
    fails(&run(zv(), &["--format", "yaml", "endpoints"]), 2);
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(zv(), &["completions", shell]);
        let script = ok(&r);
        for word in ["endpoints", "api", "completions", "--format"] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
    }
    fails(&run(zv(), &["completions", "tcsh"]), 2);
}

#[test]
fn platform_codes_seen_in_the_field_get_their_hint() {
    let (mock, cmd) = mock_and_zv();
    let cases = [
        (Fault::SystemError { code: 110004, message: "验签失败".into() }, 4, "zv doctor"),
        (Fault::BusinessError { code: 100002, message: "参数错误".into() }, 3, "JSON object"),
        (Fault::BusinessError { code: 99001, message: "接口请求过于频繁".into() }, 3, "lower the rate"),
        (Fault::SystemError { code: 99002, message: "系统繁忙,限流中".into() }, 4, "lower the rate"),
        (Fault::HttpStatus(429), 5, "lower the rate"),
    ];
    for (fault, code, hint) in cases {
        mock.push_fault(fault.clone());
        let line =
            fails(&run(cmd(), &["--retries", "0", "api", GIFT_CARDS, "user_id=10001"]), code).to_owned();
        assert!(line.contains(hint), "{fault:?}: {line}");
    }
    // a business error with no known fix gets none
    mock.push_fault(Fault::BusinessError { code: 20001, message: "查询的信息不存在".into() });
    let line = fails(&run(cmd(), &["api", GIFT_CARDS, "user_id=10001"]), 3).to_owned();
    assert_eq!(without_trace_id(&line), "error: API business error 20001: 查询的信息不存在");
}
