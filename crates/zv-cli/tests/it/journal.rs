//! `zv api … --each FILE --out RESULTS`: the results file is a write-ahead journal — one
//! owner, bound to its input, never clobbering another file, recording each write before
//! it is sent, stopping when it cannot record — proved against `zv mock` (started by the
//! test on 127.0.0.1), down to a batch SIGKILLed at many moments and resumed each time.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use zv_mock::{Fault, Fixtures, MockConfig, MockServer};

use crate::common::*;

/// The mock's non-idempotent write: a code redeemed once cannot be redeemed again.
const REDEEM: &str = "/v3/coupon/exchange/redeemExchangeCode";
const GIFT_CARDS: &str = "/v3/crm/giftCard/getCustomerGiftCardList";
// (these tests mark rows with names the gift-card list does not document: `--no-validate`)

fn code(row: usize) -> String {
    format!("CODE-{row:04}")
}

/// A mock whose fixtures hold `rows` redeemable codes, and `zv` for it; the rows file
/// redeems one code a row.
fn redeem_setup(rows: usize) -> (MockServer, impl Fn() -> assert_cmd::Command, tempfile::TempDir, String) {
    let mut fixtures = Fixtures::demo();
    for row in 1..=rows {
        fixtures.exchange_codes.insert(code(row), true);
    }
    let (mock, cmd) = mock_with_and_zv(MockConfig::new().fixtures(fixtures));
    let dir = tempfile::tempdir().unwrap();
    let text: String = (1..=rows)
        .map(|row| format!("{{\"exchangeCode\":\"{}\",\"user_id\":\"10001\"}}\n", code(row)))
        .collect();
    let input = write(dir.path(), "codes.jsonl", &text);
    (mock, cmd, dir, input)
}

/// How many requests for each code the mock verified.
fn requests_by_code(mock: &MockServer) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for entry in mock.log() {
        if entry.path == REDEEM && entry.verdict.is_ok() {
            let code = entry.params.as_ref().unwrap()["exchangeCode"].as_str().unwrap().to_owned();
            *counts.entry(code).or_default() += 1;
        }
    }
    counts
}

/// Whether the mock applied the redemption of `row`'s code.
fn applied(mock: &MockServer, row: usize) -> bool {
    mock.fixtures().exchange_codes.get(&code(row)) == Some(&false)
}

fn rows_in(text: &str) -> BTreeSet<usize> {
    text.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect()
}

/// The last state of a call in a journal (the binary's `journal::State`), read back from
/// the file as its format documents it (see the `journal` module of the binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Sent,
    Applied,
    Unknown,
    Failed,
}

impl State {
    fn is_in_doubt(self) -> bool {
        matches!(self, State::Sent | State::Unknown)
    }

    fn name(self) -> &'static str {
        match self {
            State::Sent => "sent",
            State::Applied => "applied",
            State::Unknown => "unknown",
            State::Failed => "failed",
        }
    }
}

/// A line of a journal, as far as these tests read it.
#[derive(serde::Deserialize)]
struct Record {
    record: Option<String>,
    row: Option<u64>,
    ok: Option<bool>,
    outcome: Option<String>,
    #[serde(rename = "as")]
    verdict: Option<String>,
}

/// Each row's last state in the journal at `path`: a `sent` record, an outcome line
/// (`ok`, or its `outcome`), or a person's `resolve`.
pub(crate) fn row_states(path: &Path) -> BTreeMap<u64, State> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["zv_journal"], 1, "{header}");
    let mut states = BTreeMap::new();
    for line in lines {
        // `data` and `error` are skipped unparsed: an answer of any depth reads.
        let record: Record = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let Some(row) = record.row else {
            assert_eq!(record.record.as_deref(), Some("open"), "{line}");
            continue;
        };
        let state = match (record.record.as_deref(), record.ok) {
            (Some("sent"), _) => State::Sent,
            (Some("resolve"), _) => match record.verdict.as_deref() {
                Some("applied") => State::Applied,
                Some("failed") => State::Failed,
                other => panic!("{other:?}: {line}"),
            },
            (None, Some(true)) => State::Applied,
            (None, Some(false)) if record.outcome.as_deref() == Some("unknown") => State::Unknown,
            (None, Some(false)) => State::Failed,
            _ => panic!("not a journal record: {line}"),
        };
        states.insert(row, state);
    }
    states
}

/// The journal at `path` held as another zv holds it: its exclusive lock, and an `open`
/// record naming this process (a new file gets `header` first). Held until dropped.
pub(crate) fn hold(path: &Path, header: &str) -> std::fs::File {
    let mut file = std::fs::OpenOptions::new().read(true).append(true).create(true).open(path).unwrap();
    assert!(fs4::fs_std::FileExt::try_lock_exclusive(&file).unwrap(), "already held");
    if file.metadata().unwrap().len() == 0 {
        writeln!(file, "{header}").unwrap();
    }
    writeln!(file, "{{\"record\":\"open\",\"pid\":{}}}", std::process::id()).unwrap();
    file
}

/// The header line of a journal of this zv version for `purpose`, bound to `binding`.
pub(crate) fn header(purpose: &str, binding: Value) -> String {
    serde_json::json!({"zv_journal": 1, "zv": env!("CARGO_PKG_VERSION"), "purpose": purpose, "binding": binding})
        .to_string()
}

/// The rows whose last record leaves them in doubt.
fn in_doubt(path: &Path) -> BTreeSet<usize> {
    row_states(path).into_iter().filter(|(_, s)| s.is_in_doubt()).map(|(row, _)| row as usize).collect()
}

#[test]
fn a_second_run_on_the_same_results_exits_2_naming_the_holders_pid_and_sends_nothing() {
    let (mock, cmd) = mock_and_zv();
    mock.fault_for_member("10001", Fault::Delay(Duration::from_millis(300)));
    let dir = tempfile::tempdir().unwrap();
    let text: String = (1..=20).map(|i| format!("{{\"user_id\":\"10001\",\"tag\":\"{i}\"}}\n")).collect();
    let input = write(dir.path(), "rows.jsonl", &text);
    let out = dir.path().join("r.jsonl");
    let out_arg = out.display().to_string();
    let args =
        ["api", GIFT_CARDS, "--no-validate", "--each", &input, "--concurrency", "1", "--out", &out_arg];
    let mut first = spawn(&cmd(), &args);
    // the first run holds the file once its `open` record is there
    let open = format!("{{\"record\":\"open\",\"pid\":{}}}", first.id());
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&out).unwrap_or_default().contains(&open) {
        assert!(Instant::now() < deadline, "the first run never opened its results");
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent_before = mock.log().len();
    for resume in [false, true] {
        let mut second: Vec<&str> = args.to_vec();
        if resume {
            second.push("--resume");
        }
        let line = fails(&run(cmd(), &second), 2).to_owned();
        assert!(line.contains(&format!("pid {}", first.id())) && line.contains("in use"), "{line}");
    }
    first.kill().unwrap();
    first.wait().unwrap();
    // the second runs sent nothing: every request in the log is the first run's, each once
    let tags: Vec<String> =
        mock.log().iter().map(|e| e.params.as_ref().unwrap()["tag"].as_str().unwrap().to_owned()).collect();
    let unique: BTreeSet<&String> = tags.iter().collect();
    assert_eq!(unique.len(), tags.len(), "a row sent twice: {tags:?}");
    assert!(tags.len() <= sent_before + 1, "{tags:?}");
}

#[test]
fn resume_with_another_input_path_or_template_exits_2_naming_the_difference() {
    let (mock, cmd, dir, input) = redeem_setup(2);
    let out = dir.path().join("r.jsonl").display().to_string();
    let r = run(cmd(), &["--json", "api", REDEEM, "--each", &input, "--out", &out, "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = std::fs::read_to_string(&out).unwrap();
    mock.clear_log();
    let other = write(dir.path(), "other.jsonl", "{\"exchangeCode\":\"CODE-0001\",\"user_id\":\"10001\"}\n");
    for (args, expected) in [
        (vec!["api", REDEEM, "--each", &other, "--out", &out, "--yes", "--resume"], "input_sha256 was"),
        (
            vec!["api", GIFT_CARDS, "--no-validate", "--each", &input, "--out", &out, "--resume"],
            "path was \"coupon/exchange/redeemExchangeCode\" and is now \"crm/giftCard",
        ),
        (
            vec!["api", REDEEM, "--each", &input, "--out", &out, "--yes", "--resume", "note=x"],
            "template was \"{}\" and is now \"{\\\"note\\\":\\\"x\\\"}\"",
        ),
    ] {
        let line = fails(&run(cmd(), &args), 2).to_owned();
        assert!(line.contains(expected) && line.contains("not for this run"), "{args:?}: {line}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), before, "untouched");
    }
    assert!(mock.log().is_empty(), "{:?}", mock.log());
}

#[test]
fn out_must_be_new_or_a_zv_results_file_anything_else_is_left_untouched() {
    let (mock, cmd, dir, input) = redeem_setup(1);
    let no_break = write(dir.path(), "no-break.txt", "important notes, no line break");
    let notes = write(dir.path(), "notes.txt", "line one\nline two\n");
    let old_style = write(dir.path(), "old.jsonl", "{\"row\":1,\"ok\":true,\"data\":1}\n");
    let target = write(dir.path(), "target.jsonl", "");
    let link = dir.path().join("link.jsonl");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let input_text = std::fs::read_to_string(&input).unwrap();
    let link = link.display().to_string();
    let mut cases = vec![
        (no_break.clone(), "not a zv results file"),
        (notes.clone(), "not a zv results file"),
        (old_style.clone(), "not a zv results file"),
        (input.clone(), "not a zv results file"),
    ];
    if cfg!(unix) {
        cases.push((link.clone(), "symbolic link"));
    }
    for (out, expected) in cases {
        let before = std::fs::read(&out).unwrap();
        for resume in [false, true] {
            let mut args = vec!["api", REDEEM, "--each", &input, "--out", &out, "--yes"];
            if resume {
                args.push("--resume");
            }
            let line = fails(&run(cmd(), &args), 2).to_owned();
            assert!(line.contains(expected), "{out}: {line}");
            assert_eq!(std::fs::read(&out).unwrap(), before, "{out} untouched");
        }
    }
    assert_eq!(std::fs::read_to_string(&input).unwrap(), input_text);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "", "nothing written through the link");
    assert!(mock.log().is_empty(), "{:?}", mock.log());
    // an empty file is a new one
    let r = run(cmd(), &["api", REDEEM, "--each", &input, "--out", &target, "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The records of a journal's text, each as JSON.
fn records(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_write_sent_without_a_recorded_outcome_is_held_back_with_exit_7_until_resend_unknown() {
    let (mock, cmd, dir, input) = redeem_setup(4);
    let out_path = dir.path().join("r.jsonl");
    let out = out_path.display().to_string();
    let args = ["--json", "api", REDEEM, "--each", &input, "--out", &out, "--yes", "--concurrency", "1"];
    let r = run(cmd(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&out_path).unwrap();
    let lines = records(&text);
    // header, open, then sent before each outcome
    assert_eq!(lines[0]["zv_journal"], 1);
    assert_eq!(lines[0]["binding"]["path"], REDEEM.trim_start_matches("/v3/"));
    assert_eq!(lines[0]["binding"]["input_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(lines[1]["record"], "open");
    for row in 1..=4u64 {
        let sent = lines.iter().position(|l| l["record"] == "sent" && l["row"] == row).unwrap();
        let done = lines.iter().position(|l| l["record"].is_null() && l["row"] == row).unwrap();
        assert!(sent < done && lines[done]["ok"] == true, "{text}");
    }
    // As a crash would leave it: row 2 sent with no outcome; row 3 with an unknown one; row
    // 4's outcome cut short mid-line. (Rows 2 to 4 were applied by the mock.)
    let mut crashed = String::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let outcome = v["record"].is_null() && v.get("row").is_some();
        match v["row"].as_u64() {
            Some(2 | 4) if outcome => continue,
            Some(3) if outcome => crashed.push_str(
                "{\"row\":3,\"ok\":false,\"error\":{\"kind\":\"http\",\"code\":502,\"message\":\"HTTP 502\",\"traceId\":null},\"outcome\":\"unknown\"}\n",
            ),
            _ => crashed.push_str(&format!("{line}\n")),
        }
    }
    crashed.push_str("{\"row\":4,\"ok\":tr");
    std::fs::write(&out_path, &crashed).unwrap();
    mock.clear_log();
    let resume = [&args[..], &["--resume"]].concat();
    let r = run(cmd(), &resume);
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(mock.log().is_empty(), "nothing sent again: {:?}", mock.log());
    let last = r.stderr.lines().last().unwrap();
    assert!(
        last.contains("3 write row(s)") && last.contains("2, 3, 4") && last.contains("--resend-unknown"),
        "{}",
        r.stderr
    );
    let summary: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (&summary["held_back"], &summary["skipped"], &summary["sent"]),
        (&3.into(), &1.into(), &0.into())
    );
    // the cut line went; nothing else changed
    let after = std::fs::read_to_string(&out_path).unwrap();
    assert!(after.starts_with(&crashed[..crashed.rfind('\n').unwrap() + 1]));
    assert!(!after.contains("\"ok\":tr\n") && !after.contains("ok\":tr{"), "{after}");
    // --resend-unknown sends them (the mock refuses: they were applied, which is what a
    // person checks before using it)
    let r = run(cmd(), &[&resume[..], &["--resend-unknown"]].concat());
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(requests_by_code(&mock).keys().cloned().collect::<Vec<_>>(), [code(2), code(3), code(4)]);
    // --resend-unknown needs --resume
    let line = fails(&run(cmd(), &[&args[..], &["--resend-unknown"]].concat()), 2).to_owned();
    assert!(line.contains("--resume"), "{line}");
}

#[test]
fn a_failed_write_whose_outcome_is_missing_or_unknown_to_zv_is_held_back_not_sent_again() {
    let (mock, cmd, dir, input) = redeem_setup(3);
    let out_path = dir.path().join("r.jsonl");
    let out = out_path.display().to_string();
    let args = ["--json", "api", REDEEM, "--each", &input, "--out", &out, "--yes", "--concurrency", "1"];
    assert_eq!(run(cmd(), &args).code, 0);
    // Rows 2 and 3 were applied; their outcome lines as a newer zv or a hand edit might
    // leave them: a name this zv does not know, and no `outcome` at all.
    let error = "\"error\":{\"kind\":\"transport\",\"code\":null,\"message\":\"x\",\"traceId\":null}";
    let mut edited = String::new();
    for line in std::fs::read_to_string(&out_path).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match (v["record"].is_null(), v["row"].as_u64()) {
            (true, Some(2)) => edited
                .push_str(&format!("{{\"row\":2,\"ok\":false,{error},\"outcome\":\"maybe_applied\"}}\n")),
            (true, Some(3)) => edited.push_str(&format!("{{\"row\":3,\"ok\":false,{error}}}\n")),
            _ => edited.push_str(&format!("{line}\n")),
        }
    }
    std::fs::write(&out_path, &edited).unwrap();
    mock.clear_log();
    let r = run(cmd(), &[&args[..], &["--resume"]].concat());
    assert_eq!(r.code, 7, "{}", r.stderr);
    assert!(mock.log().is_empty(), "nothing sent again: {:?}", mock.log());
    assert!(r.stderr.contains("2 write row(s)") && r.stderr.contains("2, 3"), "{}", r.stderr);
}

#[test]
fn reads_in_doubt_are_sent_again() {
    let (mock, cmd) = mock_and_zv();
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "rows.csv", "user_id\n10001\n10001\n");
    let out_path = dir.path().join("r.jsonl");
    let out = out_path.display().to_string();
    let args = ["api", GIFT_CARDS, "--no-validate", "--each", &input, "--out", &out];
    assert_eq!(run(cmd(), &args).code, 0);
    let text = std::fs::read_to_string(&out_path).unwrap();
    assert!(!text.contains("\"sent\""), "reads are not recorded before: {text}");
    let kept: String =
        text.lines().filter(|l| !l.starts_with("{\"row\":2,")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&out_path, kept + "{\"record\":\"sent\",\"row\":2}\n").unwrap();
    mock.clear_log();
    let r = run(cmd(), &[&args[..], &["--resume"]].concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(mock.log().len(), 1);
}

#[test]
fn a_deeply_nested_answer_to_a_write_is_recorded_ok_as_it_came() {
    let gateway = Scripted::start();
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "rows.jsonl", "{\"exchangeCode\":\"X\",\"user_id\":\"1\"}\n");
    let out_path = dir.path().join("r.jsonl");
    let out = out_path.display().to_string();
    let deep = format!("{}1{}", "{\"a\":\n".repeat(300), "\n}".repeat(300));
    gateway.answer_data(&deep);
    let r = run(gateway.zv(), &["api", REDEEM, "--each", &input, "--out", &out, "--yes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&out_path).unwrap();
    let last = text.lines().last().unwrap();
    let expected =
        format!("{{\"row\":1,\"ok\":true,\"data\":{}1{}}}", "{\"a\":".repeat(300), "}".repeat(300));
    assert_eq!(last, expected);
    // and it reads back: the row is done
    assert_eq!(row_states(&out_path)[&1], State::Applied);
    let r = run(gateway.zv(), &["api", REDEEM, "--each", &input, "--out", &out, "--yes", "--resume"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(gateway.requests().len(), 1);
}

#[test]
fn csv_an_unterminated_quote_names_its_line_and_header_names_are_trimmed() {
    let (mock, cmd) = mock_and_zv();
    let dir = tempfile::tempdir().unwrap();
    let quote = write(dir.path(), "q.csv", "user_id,note\n10001,a\n10001,\"open\n10001,b\n10001,c\n");
    let line = fails(&run(cmd(), &["api", GIFT_CARDS, "--each", &quote]), 2).to_owned();
    assert!(line.contains("line 3") && line.contains("never closed"), "{line}");
    let one_column = write(dir.path(), "q1.csv", "user_id\n10001\n\"10001\n10001\n");
    let line = fails(&run(cmd(), &["api", GIFT_CARDS, "--each", &one_column]), 2).to_owned();
    assert!(line.contains("row 2 (line 3)") && line.contains("never closed"), "{line}");
    let header = write(dir.path(), "h.csv", "\"user_id\n10001\n");
    let line = fails(&run(cmd(), &["api", GIFT_CARDS, "--each", &header]), 2).to_owned();
    assert!(line.contains("header") && line.contains("never closed"), "{line}");
    assert!(mock.log().is_empty());
    let trimmed = write(dir.path(), "t.csv", " user_id , tag \n10001,1\n");
    let r = run(cmd(), &["api", GIFT_CARDS, "--no-validate", "--each", &trimmed]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let params = mock.log()[0].params.clone().unwrap();
    assert_eq!(params, serde_json::json!({"user_id":"10001","tag":"1"}));
}

/// `zv` with its files limited to `bytes` (RLIMIT_FSIZE, SIGXFSZ ignored): a write past
/// the limit fails with EFBIG, as on a full disk.
#[cfg(target_os = "linux")]
fn run_with_file_limit(c: &assert_cmd::Command, args: &[&str], bytes: u64) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut s = std::process::Command::new(assert_cmd::cargo::cargo_bin("zv"));
    for (key, value) in c.get_envs() {
        match value {
            Some(value) => s.env(key, value),
            None => s.env_remove(key),
        };
    }
    // SAFETY: between fork and exec only async-signal-safe calls: signal and setrlimit.
    unsafe {
        s.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    s.args(args).output().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_stops_the_sending_and_names_every_row_made_but_not_recorded() {
    const ROWS: usize = 6;
    // The header and the `open` record: their length (the pid's digits aside) from a run
    // with the same header (the input's path is not part of it).
    let header_len = {
        let (_mock, cmd, dir, input) = redeem_setup(ROWS);
        let probe = dir.path().join("r.jsonl").display().to_string();
        let r = run(cmd(), &["api", REDEEM, "--each", &input, "--out", &probe, "--yes"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let text = std::fs::read_to_string(&probe).unwrap();
        text.lines().take(2).map(|l| l.len() as u64 + 1).sum::<u64>() + 8
    };
    // Each limit cuts the journal at another record: after the header, in a `sent`, in an
    // outcome.
    for extra in [0u64, 30, 70, 130, 200] {
        let (mock, cmd, dir, input) = redeem_setup(ROWS);
        let out_path = dir.path().join("r.jsonl");
        let out = out_path.display().to_string();
        let args = ["--json", "api", REDEEM, "--each", &input, "--out", &out, "--yes", "--concurrency", "2"];
        let output = run_with_file_limit(&cmd(), &args, header_len + extra);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{extra}: {stderr}");
        assert!(stderr.contains("cannot write the results"), "{stderr}");
        let requested: BTreeSet<usize> = requests_by_code(&mock)
            .into_iter()
            .map(|(code, n)| {
                assert_eq!(n, 1);
                code.trim_start_matches("CODE-").parse().unwrap()
            })
            .collect();
        assert!(requested.len() < ROWS, "the sending stopped: {requested:?}");
        let text = String::from_utf8_lossy(&std::fs::read(&out_path).unwrap()).into_owned();
        // every row sent has a whole `sent` record: nothing was sent without one
        for row in &requested {
            assert!(text.contains(&format!("{{\"record\":\"sent\",\"row\":{row}}}\n")), "{row}: {text}");
        }
        // the rows named are exactly the ones made whose outcome is not in the file
        let recorded: BTreeSet<usize> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["record"].is_null() && l["row"].is_u64())
            .map(|l| l["row"].as_u64().unwrap() as usize)
            .collect();
        let unrecorded: BTreeSet<usize> = requested.difference(&recorded).copied().collect();
        let named = stderr
            .split_once("row(s) ")
            .filter(|_| stderr.contains("were sent but"))
            .map(|(_, rest)| rows_in(rest.split(" were sent").next().unwrap()))
            .unwrap_or_default();
        assert_eq!(named, unrecorded, "{extra}: {stderr}");
        // resumed with room: those rows are held back, the others sent, none twice
        let r = run(cmd(), &[&args[..], &["--resume"]].concat());
        let expected = if unrecorded.is_empty() { 0 } else { 7 };
        assert_eq!(r.code, expected, "{extra}: {}", r.stderr);
        assert_eq!(in_doubt(&out_path), unrecorded);
        let counts = requests_by_code(&mock);
        assert_eq!(counts.len(), ROWS, "every row sent: {counts:?}");
        assert!(counts.values().all(|&n| n == 1), "a write sent twice: {counts:?}");
    }
}

/// An HTTP request of our own, answered: every connection the mock accepted before it is
/// accepted too (one listen queue, in order).
fn sentinel(mock: &MockServer) {
    let addr = mock.base_url().trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(stream, "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let deadline = Instant::now() + Duration::from_secs(60);
    while mock.open_connections() > 0 {
        assert!(Instant::now() < deadline, "the mock never finished its requests");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Resolves each row in doubt as a person would after checking the gateway: applied if
/// the mock applied it, else not applied (sent again by the next run).
fn reconcile(mock: &MockServer, path: &Path) -> usize {
    let doubtful = in_doubt(path);
    if doubtful.is_empty() {
        return 0;
    }
    let mut journal = hold(path, "");
    for &row in &doubtful {
        let state = if applied(mock, row) { State::Applied } else { State::Failed };
        // A record's line starts with its `record` field.
        let record = format!(
            r#"{{"record":"resolve","row":{row},"as":"{}","note":"checked against the mock"}}"#,
            state.name()
        );
        writeln!(journal, "{record}").unwrap();
    }
    doubtful.len()
}

#[cfg(unix)]
#[test]
fn a_batch_of_writes_killed_at_fifty_moments_and_resumed_applies_each_write_once() {
    const ROWS: usize = 80;
    const KILLS: usize = 50;
    let (mock, cmd, dir, input) = redeem_setup(ROWS);
    let out_path: PathBuf = dir.path().join("r.jsonl");
    let out = out_path.display().to_string();
    let args =
        ["--json", "api", REDEEM, "--each", &input, "--out", &out, "--yes", "--resume", "--concurrency", "3"];
    let mut rng = fastrand::Rng::with_seed(0x5eed_0018);
    let (mut kills, mut runs, mut held_runs, mut resolved) = (0, 0, 0, 0);
    loop {
        runs += 1;
        assert!(runs < 400, "no end: {kills} kills");
        let start = std::fs::metadata(&out_path).map_or(0, |m| m.len());
        let mut child = spawn(&cmd(), &args);
        // killed once the journal grew by a seeded number of bytes (from the `open` record,
        // about 30 bytes, to a few rows' records), or left to finish
        let grow = if kills < KILLS { Some(rng.u64(1..300)) } else { None };
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            let size = std::fs::metadata(&out_path).map_or(0, |m| m.len());
            if grow.is_some_and(|g| size >= start + g) {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
                break None;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        sentinel(&mock);
        if let Some(status) = status {
            let mut stderr = String::new();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            let doubtful = in_doubt(&out_path);
            if doubtful.is_empty() {
                assert_eq!(status.code(), Some(0), "{stderr}");
                if kills >= KILLS {
                    break;
                }
            } else {
                // rows in doubt are listed, exit 7, and were not sent again
                held_runs += 1;
                assert_eq!(status.code(), Some(7), "{stderr}");
                let last = stderr.lines().last().unwrap();
                let listed =
                    rows_in(last.split("not sent again: ").nth(1).unwrap().split(';').next().unwrap());
                assert_eq!(listed, doubtful, "{stderr}");
            }
        }
        // a row sent twice would show now
        assert!(requests_by_code(&mock).values().all(|&n| n == 1), "{:?}", requests_by_code(&mock));
        // Rows in doubt are settled after a run that finished, and after every fifth kill;
        // between those, runs meet them, and must not send them again.
        if status.is_some() || (kills < KILLS && kills % 5 == 0) {
            resolved += reconcile(&mock, &out_path);
        }
    }
    let counts = requests_by_code(&mock);
    assert_eq!(counts.len(), ROWS, "a row missing: {counts:?}");
    assert!(counts.values().all(|&n| n == 1), "a write applied twice: {counts:?}");
    assert!((1..=ROWS).all(|row| applied(&mock, row)));
    let states = row_states(&out_path);
    assert!((1..=ROWS).all(|row| states[&(row as u64)] == State::Applied));
    eprintln!(
        "crash test: {kills} kills, {runs} runs, {ROWS} rows, {held_runs} runs held rows in doubt, {resolved} rows resolved, 0 duplicates"
    );
    assert!(kills >= KILLS);
}
