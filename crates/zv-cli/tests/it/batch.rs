//! `zv api PATH --each FILE`: batches end to end against zv-mock (or the scripted stand-in
//! gateway, for exact bytes) started by the test on 127.0.0.1.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::{Value, json};
use zv_mock::{Fault, MockConfig, MockServer, Verdict};

use crate::common::*;

const GIFT_CARDS: &str = "/v3/crm/giftCard/getCustomerGiftCardList";
/// A write the mock serves (uncatalogued: a write).
const REDEEM: &str = "/v3/coupon/exchange/redeemExchangeCode";
const CODE: &str = "164822200532619796511";

/// Every result line of a results text (stdout's, or a results file's without its header
/// and `open`/`sent` records), each whole JSON (the text ends with a line break).
fn result_lines(text: &str) -> Vec<Value> {
    assert!(text.is_empty() || text.ends_with('\n'), "a partial last line: {text:?}");
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .filter(|l| l.get("zv_journal").is_none() && l.get("record").is_none())
        .collect()
}

/// The lines by row; each row has one line.
fn by_row(lines: &[Value]) -> BTreeMap<u64, Value> {
    let map: BTreeMap<u64, Value> = lines.iter().map(|l| (l["row"].as_u64().unwrap(), l.clone())).collect();
    assert_eq!(map.len(), lines.len(), "a row twice: {lines:?}");
    map
}

/// The params of every request the mock verified, oldest first.
fn sent_params(mock: &MockServer) -> Vec<Value> {
    mock.log().iter().filter(|e| e.verdict.is_ok()).map(|e| e.params.clone().unwrap()).collect()
}

#[test]
fn csv_and_jsonl_rows_are_merged_over_the_field_arguments_and_win() {
    // `note` and `x` are not documented params: --no-validate, the merging alone
    let (mock, cmd) = mock_and_zv();
    let dir = tempfile::tempdir().unwrap();
    // CSV: every cell a string; an empty cell is no param, so the FIELD argument stays
    let csv = write(dir.path(), "rows.csv", "user_id,note\r\n10001,from-row\r\n10001,\r\n");
    let r = run(
        cmd(),
        &[
            "api",
            GIFT_CARDS,
            "--no-validate",
            "--each",
            &csv,
            "note=from-field",
            "needCycleCard:=0",
            "--concurrency",
            "1",
        ],
    );
    let lines = result_lines(ok(&r));
    let rows = by_row(&lines);
    assert_eq!(rows.keys().copied().collect::<Vec<_>>(), [1, 2]);
    assert!(rows.values().all(|l| l["ok"] == true && l["data"].as_array().is_some_and(|a| !a.is_empty())));
    assert_eq!(
        sent_params(&mock),
        [
            json!({"note": "from-row", "needCycleCard": 0, "user_id": "10001"}),
            json!({"note": "from-field", "needCycleCard": 0, "user_id": "10001"}),
        ]
    );
    // JSONL: values as typed; a row's value wins over --params and FIELD arguments
    mock.clear_log();
    let jsonl = write(
        dir.path(),
        "rows.jsonl",
        "{\"user_id\":\"10001\",\"needCycleCard\":1}\n\n{\"user_id\":10001}\n",
    );
    let r = run(
        cmd(),
        &[
            "api",
            GIFT_CARDS,
            "--no-validate",
            "--each",
            &jsonl,
            "--params",
            r#"{"needCycleCard":0,"x":"p"}"#,
            "user_id=1",
            "--concurrency",
            "1",
        ],
    );
    assert_eq!(by_row(&result_lines(ok(&r))).len(), 2);
    assert_eq!(
        sent_params(&mock),
        [
            json!({"needCycleCard": 1, "x": "p", "user_id": "10001"}),
            json!({"needCycleCard": 0, "x": "p", "user_id": 10001}),
        ]
    );
}

#[test]
fn numbers_reach_the_wire_and_the_results_digit_for_digit() {
    let gateway = Scripted::start();
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(dir.path(), "rows.jsonl", "{\"id\":123456789012345678901,\"x\":0.10}\n");
    let csv = write(dir.path(), "rows.csv", "id\n00123\n");
    gateway.answer_data(r#"{"code":164822200532619796511,"amount":1.10}"#);
    gateway.answer_data("[1.50, 98765432109876543210]");
    let r = run(
        gateway.zv(),
        &["api", "coupon/exchange/getExchangeCodeStatus", "--no-validate", "--each", &jsonl],
    );
    assert_eq!(ok(&r), "{\"row\":1,\"ok\":true,\"data\":{\"code\":164822200532619796511,\"amount\":1.10}}\n");
    let r =
        run(gateway.zv(), &["api", "coupon/exchange/getExchangeCodeStatus", "--no-validate", "--each", &csv]);
    // the gateway's text as it came (on one line)
    assert_eq!(ok(&r), "{\"row\":1,\"ok\":true,\"data\":[1.50, 98765432109876543210]}\n");
    let sent = gateway.requests();
    assert!(sent[0].contains(r#""params":{"id":123456789012345678901,"x":0.10}"#), "{}", sent[0]);
    assert!(sent[1].contains(r#""params":{"id":"00123"}"#), "{}", sent[1]);
}

#[test]
fn a_write_needs_yes_and_is_refused_before_anything_is_sent() {
    let (mock, cmd) = mock_and_zv();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "codes.csv", &format!("exchangeCode\n{CODE}\n"));
    let line = fails(&run(cmd(), &["api", REDEEM, "--each", &csv, "user_id=10001"]), 2).to_owned();
    assert!(line.contains("--yes") && line.contains("nothing was sent"), "{line}");
    assert!(mock.log().is_empty(), "{:?}", mock.log());
    let r = run(cmd(), &["api", REDEEM, "--each", &csv, "user_id=10001", "--yes"]);
    let lines = result_lines(ok(&r));
    assert_eq!(
        lines,
        [json!({"row":1,"ok":true,"data":{"exchangeCode":CODE,"user_id":"10001","redeemed":true}})]
    );
}

#[test]
fn failed_rows_say_kind_code_message_trace_id_and_outcome_and_the_worst_code_is_the_exit_code() {
    let (mock, cmd) = mock_and_zv();
    mock.fault_for_member("u-refused", Fault::business(20001, "查询的信息不存在"));
    mock.fault_for_member("u-502", Fault::HttpStatus(502));
    mock.fault_for_member("u-system", Fault::system(110004, "验签失败"));
    let dir = tempfile::tempdir().unwrap();
    let csv =
        write(dir.path(), "rows.csv", &format!("user_id,exchangeCode\n10001,{CODE}\nu-refused,1\nu-502,2\n"));
    let r = run(cmd(), &["api", REDEEM, "--each", &csv, "--yes"]);
    assert_eq!(r.code, 5, "the transport/HTTP failure is the worst: {}", r.stderr);
    let rows = by_row(&result_lines(&r.stdout));
    assert_eq!(rows[&1]["ok"], true);
    // the mock sends a fresh traceId with every answer: it is kept, whatever its value
    let trace_id = rows[&2]["error"]["traceId"].as_str().unwrap().to_owned();
    assert_eq!(trace_id.len(), 32, "{}", rows[&2]);
    assert_eq!(
        rows[&2],
        json!({"row":2,"ok":false,"error":{"kind":"api_business","code":20001,"message":"查询的信息不存在","traceId":trace_id},"outcome":"rejected"})
    );
    let unknown = &rows[&3];
    assert_eq!((&unknown["ok"], &unknown["outcome"]), (&json!(false), &json!("unknown")));
    assert_eq!((&unknown["error"]["kind"], &unknown["error"]["code"]), (&json!("http"), &json!(502)));
    assert!(unknown["error"]["message"].as_str().unwrap().contains("502"), "{unknown}");
    let keys: Vec<&String> = unknown["error"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["code", "kind", "message", "traceId"]);
    // the write with an unknown outcome was sent once, never again
    assert_eq!(mock.log().iter().filter(|e| e.params.as_ref().unwrap()["user_id"] == "u-502").count(), 1);
    let line = r.stderr.trim_end();
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(line.contains("2 of 3 row(s) failed") && line.contains("may have been applied"), "{line}");
    // business and system errors only: the system error (4) is the worse
    let csv = write(dir.path(), "rows2.csv", "user_id,exchangeCode\nu-refused,1\nu-system,2\n");
    let r = run(cmd(), &["api", REDEEM, "--each", &csv, "--yes"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    let rows = by_row(&result_lines(&r.stdout));
    assert_eq!(
        (&rows[&2]["error"]["kind"], &rows[&2]["outcome"]),
        (&json!("api_system"), &json!("rejected"))
    );
    // a trace id the gateway sends is in the line
    mock.fault_for_member(
        "u-traced",
        Fault::Respond {
            status: 200,
            body: r#"{"status":true,"code":20001,"message":"no","traceId":"7f3a-trace"}"#.into(),
        },
    );
    let csv = write(dir.path(), "rows3.csv", "user_id\nu-traced\n");
    let r = run(cmd(), &["api", GIFT_CARDS, "--each", &csv]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(result_lines(&r.stdout)[0]["error"]["traceId"], "7f3a-trace");
}

#[test]
fn resume_skips_the_rows_already_ok_and_appends_the_others() {
    let (mock, cmd) = mock_and_zv();
    mock.fault_for_member("u-2", Fault::fail_times(1, Fault::business(20001, "查询的信息不存在")));
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "rows.csv", "user_id,tag\n10001,1\nu-2,2\n10001,3\n");
    let results = dir.path().join("results.jsonl");
    let out = results.display().to_string();
    // u-2 is not a member: without the fault it is refused too, so give it one
    let mut fixtures = mock.fixtures();
    let member = fixtures.members["10001"].clone();
    fixtures.members.insert("u-2".into(), member);
    mock.set_fixtures(fixtures);
    // `tag` marks the rows (the gift-card list does not document it)
    let args = ["--json", "api", GIFT_CARDS, "--no-validate", "--each", &csv, "--out", &out];
    let r = run(cmd(), &args);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let summary: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!((&summary["ok"], &summary["failed"], &summary["rows"]), (&json!(2), &json!(1), &json!(3)));
    let first = std::fs::read_to_string(&results).unwrap();
    assert_eq!(by_row(&result_lines(&first)).len(), 3);
    // without --resume, the results are never overwritten
    mock.clear_log();
    let line = fails(&run(cmd(), &["api", GIFT_CARDS, "--no-validate", "--each", &csv, "--out", &out]), 2)
        .to_owned();
    assert!(line.contains("--resume"), "{line}");
    assert_eq!(std::fs::read_to_string(&results).unwrap(), first, "untouched");
    assert!(mock.log().is_empty());
    // --resume: only the failed row is sent, its line appended
    let resume = ["--json", "api", GIFT_CARDS, "--no-validate", "--each", &csv, "--out", &out, "--resume"];
    let r = run(cmd(), &resume);
    let summary: Value = serde_json::from_str(ok(&r)).unwrap();
    assert_eq!((&summary["skipped"], &summary["sent"], &summary["ok"]), (&json!(2), &json!(1), &json!(1)));
    assert_eq!(sent_params(&mock).iter().map(|p| p["tag"].clone()).collect::<Vec<_>>(), [json!("2")]);
    let second = std::fs::read_to_string(&results).unwrap();
    assert!(second.starts_with(&first), "appended");
    let lines = result_lines(&second);
    assert_eq!((lines.len(), &lines[3]["row"], &lines[3]["ok"]), (4, &json!(2), &json!(true)));
    // everything ok: nothing is sent
    mock.clear_log();
    ok(&run(cmd(), &resume));
    assert!(mock.log().is_empty());
    // a last line cut short by a crash is dropped and its row (a read) sent again
    let kept: String =
        first.lines().filter(|l| !l.contains("\"row\":3,")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&results, format!("{kept}{{\"row\":3,\"ok\":tr")).unwrap();
    let r = run(cmd(), &resume);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tags: BTreeSet<String> =
        sent_params(&mock).iter().map(|p| p["tag"].as_str().unwrap().to_owned()).collect();
    assert_eq!(tags, BTreeSet::from(["2".to_owned(), "3".to_owned()]));
    let ok_rows: BTreeSet<u64> = result_lines(&std::fs::read_to_string(&results).unwrap())
        .iter()
        .filter(|l| l["ok"] == true)
        .map(|l| l["row"].as_u64().unwrap())
        .collect();
    assert_eq!(ok_rows, BTreeSet::from([1, 2, 3]));
    // results of another input: refused
    let short = write(dir.path(), "short.csv", "user_id\n10001\n");
    let line = fails(
        &run(cmd(), &["api", GIFT_CARDS, "--no-validate", "--each", &short, "--out", &out, "--resume"]),
        2,
    )
    .to_owned();
    assert!(line.contains("input_sha256 was") && line.contains("not for this run"), "{line}");
}

#[test]
fn bad_input_exits_2_naming_the_row_and_line_before_anything_is_sent() {
    let (mock, cmd) = mock_and_zv();
    let dir = tempfile::tempdir().unwrap();
    let cells = write(dir.path(), "cells.csv", "user_id,tag\n10001,1\n10001,2\n10001\n");
    let not_object = write(dir.path(), "rows.jsonl", "{\"user_id\":\"10001\"}\n\n[1]\n");
    let not_json = write(dir.path(), "rows.ndjson", "{\"user_id\":\"10001\"}\n{\"user_id\":\n");
    let header = write(dir.path(), "header.csv", "user_id,user_id\n1,2\n");
    for (args, expected) in [
        (vec!["api", GIFT_CARDS, "--each", &cells], "row 3 (line 4): has 1 cell(s) where the header has 2"),
        (vec!["api", GIFT_CARDS, "--each", &not_object], "row 2 (line 3): is not a JSON object"),
        (vec!["api", GIFT_CARDS, "--each", &not_json], "row 2 (line 2): is not valid JSON"),
        (vec!["api", GIFT_CARDS, "--each", &header], "\"user_id\" twice"),
        (vec!["api", GIFT_CARDS, "--each", "/nonexistent/rows.csv"], "cannot read --each file"),
        (vec!["--format", "table", "api", GIFT_CARDS, "--each", &cells], "--out"),
        (vec!["api", GIFT_CARDS, "--each", &cells, "--resume"], "--out"),
        (vec!["api", GIFT_CARDS, "--each", &cells, "--concurrency", "0"], "concurrency"),
        (vec!["api", GIFT_CARDS, "--each", &cells, "--all-pages"], "--all-pages"),
        (vec!["api", GIFT_CARDS, "--concurrency", "2"], "--each"),
    ] {
        let line = fails(&run(cmd(), &args), 2).to_owned();
        assert!(line.contains(expected), "{args:?}: {line}");
    }
    assert!(mock.log().is_empty(), "nothing sent: {:?}", mock.log());
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal_and_the_summary_takes_the_format() {
    let (_mock, cmd) = mock_and_zv();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "rows.csv", "user_id\n10001\n10001\n");
    let out = dir.path().join("r.jsonl").display().to_string();
    let r = run(cmd(), &["api", GIFT_CARDS, "--no-validate", "--each", &csv, "--out", &out]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "nothing at all on stderr");
    assert!(r.stdout.contains("ok") && r.stdout.contains("not_started"), "a table: {}", r.stdout);
    let out2 = dir.path().join("r2.jsonl").display().to_string();
    let r = run(cmd(), &["--format", "csv", "api", GIFT_CARDS, "--each", &csv, "--out", &out2]);
    assert_eq!(r.stderr, "");
    assert!(ok(&r).starts_with("rows,skipped,sent,ok,failed,"), "{}", r.stdout);
    assert!(r.stdout.contains("\r\n2,0,2,2,0,0,0,0,0,false,"), "{}", r.stdout);
    let r = run(cmd(), &["--format", "jsonl", "api", GIFT_CARDS, "--each", &csv]);
    assert_eq!((by_row(&result_lines(ok(&r))).len(), r.stderr.as_str()), (2, ""));
}

/// `zv` running a batch of `rows` gift-card calls for member 10001 (each row tagged with
/// its number as a string), each answered after `delay`, `concurrency` at once, with its
/// results in a file.
struct Running {
    mock: MockServer,
    child: std::process::Child,
    out: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn start_batch(rows: usize, delay: Duration, concurrency: &str) -> Running {
    start_batch_on(MockConfig::new(), rows, delay, concurrency)
}

/// [`start_batch`] against a mock configured by `config`.
fn start_batch_on(config: MockConfig, rows: usize, delay: Duration, concurrency: &str) -> Running {
    let (mock, cmd) = mock_with_and_zv(config);
    mock.fault_for_member("10001", Fault::Delay(delay));
    let dir = tempfile::tempdir().unwrap();
    let text: String = (1..=rows).map(|i| format!("{{\"user_id\":\"10001\",\"tag\":\"{i}\"}}\n")).collect();
    let jsonl = write(dir.path(), "rows.jsonl", &text);
    let out = dir.path().join("r.jsonl");
    let out_arg = out.display().to_string();
    let args = [
        "--json",
        "api",
        GIFT_CARDS,
        "--no-validate",
        "--each",
        &jsonl,
        "--concurrency",
        concurrency,
        "--out",
        &out_arg,
    ];
    let child = spawn(&cmd(), &args);
    Running { mock, child, out, _dir: dir }
}

/// The tags of the rows the mock was sent.
fn sent_tags(mock: &MockServer) -> Vec<u64> {
    sent_params(mock).iter().map(|p| p["tag"].as_str().unwrap().parse().unwrap()).collect()
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_sending_and_the_calls_in_flight_are_recorded() {
    // every call takes a while: four are in flight when the signal comes
    let Running { mock, child, out, _dir } = start_batch(40, Duration::from_millis(1500), "4");
    // wait (a minute at most) until four calls reached the gateway
    for _ in 0..6000 {
        if mock.log().len() >= 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(mock.log().len() >= 4, "the batch did not start: {:?}", mock.log());
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted") && stderr.contains("--resume"), "{stderr}");
    assert!(!stderr.contains(SECRET) && !stderr.contains("panicked"), "{stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["interrupted"], true);
    // every line whole, and exactly the rows that reached the gateway: none lost
    let lines = result_lines(&std::fs::read_to_string(&out).unwrap());
    let written: BTreeSet<u64> = by_row(&lines).into_keys().collect();
    let sent: BTreeSet<u64> = sent_tags(&mock).into_iter().collect();
    assert_eq!(written, sent);
    assert!(lines.iter().all(|l| l["ok"] == true), "{lines:?}");
    assert!(sent.len() < 40, "the sending stopped: {} sent", sent.len());
    assert_eq!(summary["not_started"], json!(40 - sent.len()));
}

#[test]
fn two_hundred_rows_at_the_documented_limit_each_sent_once_never_throttled() {
    // The gateway's documented limit, 10 a second per interface, simulated by the mock; the
    // client keeps to it by default. Each call takes a little while, so that calls overlap.
    let config = MockConfig::new().qps(10);
    let Running { mock, mut child, out, _dir } = start_batch_on(config, 200, Duration::from_millis(20), "8");
    let mut most_connections = 0;
    let status = loop {
        most_connections = most_connections.max(mock.open_connections());
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    assert!(status.success(), "{status:?}");
    assert!(most_connections <= 8, "{most_connections} connections at once");
    let lines = result_lines(&std::fs::read_to_string(&out).unwrap());
    let rows = by_row(&lines);
    assert_eq!(rows.keys().copied().collect::<Vec<_>>(), (1..=200).collect::<Vec<_>>());
    assert!(rows.values().all(|l| l["ok"] == true));
    let mut sent = sent_tags(&mock);
    sent.sort_unstable();
    assert_eq!(sent, (1..=200).collect::<Vec<_>>(), "each row sent once");
    // The client spaces its sends 105 ms apart, but the mock counts *arrivals* in real time:
    // on a loaded machine the scheduler can bunch two arrivals closer than the 50 ms guard,
    // and the mock throttles one. That was this test's flake. A throttle did nothing and is
    // retried (each row above applied once, and ok); that the client's own spacing keeps to
    // the limit exactly is shown in virtual time (tests/tests/mock_throttle.rs). Every
    // request was answered ok, or refused at the door.
    assert!(mock.log().iter().all(|e| (e.verdict.is_ok() && e.http_status == 200)
        || (matches!(e.verdict, Verdict::Throttled { .. }) && e.http_status == 429)));
}

#[cfg(unix)]
#[test]
fn a_second_ctrl_c_exits_at_once_even_with_stdout_blocked() {
    // Results on stdout, a pipe nobody reads: a 256 KiB line fills it, and the writer blocks.
    let gateway = Scripted::start();
    let big = format!("[\"{}\"]", "x".repeat(256 * 1024));
    for _ in 0..3 {
        gateway.answer_data(&big);
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "rows.csv", "user_id\n1\n2\n3\n");
    let mut child = spawn(&gateway.zv(), &["api", GIFT_CARDS, "--each", &csv, "--concurrency", "1"]);
    // The second request is sent only once the writer took the first row's line (one
    // worker, a rendezvous channel): the writer is then writing it, and blocks.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while gateway.requests().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "the batch did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    // stderr read as it comes, so the second Ctrl-C follows the first one's message: two
    // SIGINTs sent before the first is handled are one pending signal to the kernel.
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let (mut pipe, stderr) = (child.stderr.take().unwrap(), std::sync::Arc::clone(&stderr));
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = std::io::Read::read(&mut pipe, &mut buf) {
                stderr.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    let interrupt = || {
        let kill =
            std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        assert!(kill.success());
    };
    interrupt();
    while !stderr.lock().unwrap().contains("zv: interrupted") {
        assert!(std::time::Instant::now() < deadline, "no word of the first Ctrl-C");
        std::thread::sleep(Duration::from_millis(5));
    }
    interrupt();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "zv did not exit after a second Ctrl-C");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(130));
    reader.join().unwrap();
    let stderr = stderr.lock().unwrap();
    assert!(stderr.contains("zv: quit:"), "{stderr}");
}
