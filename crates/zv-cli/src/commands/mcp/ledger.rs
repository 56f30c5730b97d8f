//! `zv mcp`'s write journal: the [`crate::journal`] of every confirmed write, one file per
//! profile, read and locked anew for each confirmation (so two servers on one journal never
//! race, and `zv journal resolve` works while a server runs).
//!
//! A write is known by the key `DAY/CONFIRMATION/ENDPOINT/FINGERPRINT` (the UTC day of
//! its sending, the confirmation id that sent it, the catalogue key and the request's
//! SHA-256 fingerprint): everything the refusals need is in the keys and their states —
//! a fingerprint in doubt on any day, or applied today, is refused; the keys of a day count
//! its confirmed writes against the daily cap.

use std::path::{Path, PathBuf};

use crate::journal::{Header, Journal, JournalError, Key, Mode, Scan, State};
use serde_json::{Value, json};

/// The daily cap on confirmed writes when the profile sets none.
pub const DEFAULT_DAILY_CAP: u32 = 20;

/// The journal used when neither `--journal` nor `ZV_MCP_JOURNAL` names one: in the XDG
/// state directory (else the local data directory), `zv/mcp-PROFILE.jsonl`.
pub fn default_path(profile: &str) -> Option<PathBuf> {
    let base = dirs::state_dir().or_else(dirs::data_local_dir)?;
    let name: String = profile
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    Some(base.join("zv").join(format!("mcp-{name}.jsonl")))
}

/// The header of the journal of `profile`'s writes.
pub fn header(profile: &str) -> Header {
    Header::new("mcp", [("profile", profile)])
}

/// The UTC day of `unix` seconds, `YYYY-MM-DD` (the last day `time` knows for times
/// beyond it).
pub fn day(unix: u64) -> String {
    let at = i64::try_from(unix)
        .ok()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map_or(time::Date::MAX, |t| t.date());
    format!("{:04}-{:02}-{:02}", at.year(), u8::from(at.month()), at.day())
}

/// One write of the journal, read from its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The whole key.
    pub key: String,
    /// The UTC day it was sent.
    pub day: String,
    /// The confirmation id that sent it: what `zv journal resolve` takes.
    pub id: String,
    /// The endpoint.
    pub endpoint: String,
    /// The request's fingerprint.
    pub fingerprint: String,
    /// Its last state.
    pub state: State,
}

impl Entry {
    /// The key of a write.
    pub fn key(day: &str, id: &str, endpoint: &str, fingerprint: &str) -> String {
        format!("{day}/{id}/{endpoint}/{fingerprint}")
    }

    fn parse(key: &Key, state: State) -> Option<Entry> {
        let Key::Id(key) = key else { return None };
        let (day, rest) = key.split_once('/')?;
        let (id, rest) = rest.split_once('/')?;
        let (endpoint, fingerprint) = rest.rsplit_once('/')?;
        Some(Entry {
            key: key.clone(),
            day: day.to_owned(),
            id: id.to_owned(),
            endpoint: endpoint.to_owned(),
            fingerprint: fingerprint.to_owned(),
            state,
        })
    }
}

/// The writes a scan of the journal knows, in key order.
pub fn entries(scan: &Scan) -> Vec<Entry> {
    scan.states.iter().filter_map(|(key, state)| Entry::parse(key, *state)).collect()
}

/// Why a write is not sent.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The same request's outcome is unknown (or it was sent and nothing more recorded).
    #[error(
        "the same write (confirmation {id}, {day}) may already have been applied: its outcome is unknown. A person must check and resolve it first (`zv journal list`, then `zv journal resolve {id} --as applied|failed`)"
    )]
    InDoubt {
        /// The earlier write's confirmation id.
        id: String,
        /// Its day.
        day: String,
    },
    /// The same request was applied today.
    #[error(
        "the same write was already applied today (confirmation {id}); an identical write is refused until tomorrow, or until a person resolves that one as failed (`zv journal resolve {id} --as failed`)"
    )]
    AppliedToday {
        /// The earlier write's confirmation id.
        id: String,
    },
    /// The daily cap is reached.
    #[error(
        "the daily cap of {cap} confirmed write(s) is reached for {day} (profile setting mcp_daily_write_cap, or --daily-write-cap)"
    )]
    Cap {
        /// The cap.
        cap: u32,
        /// The day.
        day: String,
    },
    /// The journal cannot be used (another process holds it, or it is not a journal).
    #[error("{0}")]
    Journal(String),
}

/// Whether a write of `fingerprint` may be sent on `today`, by what the journal says.
pub fn check(scan: &Scan, fingerprint: &str, today: &str, cap: u32) -> Result<(), Refusal> {
    let all = entries(scan);
    let same: Vec<&Entry> = all.iter().filter(|e| e.fingerprint == fingerprint).collect();
    if let Some(e) = same.iter().find(|e| e.state.is_in_doubt()) {
        return Err(Refusal::InDoubt { id: e.id.clone(), day: e.day.clone() });
    }
    if let Some(e) = same.iter().find(|e| e.state == State::Applied && e.day == today) {
        return Err(Refusal::AppliedToday { id: e.id.clone() });
    }
    let sent_today = all.iter().filter(|e| e.day == today).count();
    if u64::try_from(sent_today).unwrap_or(u64::MAX) >= u64::from(cap) {
        return Err(Refusal::Cap { cap, day: today.to_owned() });
    }
    Ok(())
}

/// Reads the journal without locking it (for a check before the one under the lock); a
/// journal that does not exist yet is empty.
pub fn read(path: &Path) -> Result<Scan, Refusal> {
    match Journal::read(path) {
        Ok(scan) => Ok(scan),
        Err(JournalError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Ok(Scan::default())
        }
        Err(e) => Err(Refusal::Journal(journal_line(&e))),
    }
}

/// Opens the journal to write, locked: refused when another process holds it.
pub fn open(path: &Path, header: &Header) -> Result<(Journal, Scan), Refusal> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Refusal::Journal(format!("cannot create the journal's directory {}: {e}", dir.display()))
        })?;
    }
    Journal::open(path, header, Mode::Continue).map_err(|e| Refusal::Journal(journal_line(&e)))
}

/// A journal error in the words of `zv mcp` (the journal's own speak of results files).
pub fn journal_line(e: &JournalError) -> String {
    let line = match e {
        JournalError::Locked { path, pid } => format!(
            "the write journal {path} is in use by another zv (pid {}): one write at a time; try again when it is done",
            pid.map_or_else(|| "not recorded yet".to_owned(), |p| p.to_string())
        ),
        other => crate::report::error_line(other).replace("results file", "write journal"),
    };
    crate::output::render::replace_unsafe(&line)
}

/// The outcome record of the write `key`: whether it succeeded, the outcome when it did not
/// (`unknown`, `rejected`, `not_sent`), the endpoint, its params masked, and the error's
/// code and message (masked) — never the data, a key, a token or the grantCode: `redact`
/// (the client's rule, [`zv_api::blocking::Client`]'s `config().redact`) replaces the
/// grantCode and the openKey in every string, number and member name before the masking.
pub fn outcome_line(
    key: &str,
    endpoint: &str,
    params: &Value,
    result: &Result<(), ErrorView>,
    redact: &dyn Fn(&str) -> String,
) -> String {
    let mut record = json!({ "key": key, "ok": result.is_ok(), "endpoint": endpoint, "params": mask(&redacted(params, redact)) });
    if let Err(e) = result {
        record["outcome"] = e.outcome.into();
        record["error"] = json!({ "code": e.code, "message": mask_text(&redact(&e.message)) });
    }
    record.to_string()
}

/// `value` with `redact` applied to each string, number and member name (a number it
/// changes becomes a string): what the journal and the write preview keep of params.
pub fn redacted(value: &Value, redact: &dyn Fn(&str) -> String) -> Value {
    map_texts(value, redact, true)
}

/// `value` with `f` applied to each string and number (a number it changes becomes a
/// string), and to each member name when `names`.
fn map_texts(value: &Value, f: &dyn Fn(&str) -> String, names: bool) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Number(n) => {
            let text = n.to_string();
            let out = f(&text);
            if out == text { value.clone() } else { Value::String(out) }
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| map_texts(v, f, names)).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (if names { f(k) } else { k.clone() }, map_texts(v, f, names)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What the journal keeps of a failed write.
#[derive(Debug, Clone)]
pub struct ErrorView {
    /// `unknown`, `rejected` or `not_sent`.
    pub outcome: &'static str,
    /// The platform's code, when it answered with one.
    pub code: Option<Value>,
    /// The error's line.
    pub message: String,
}

/// `value` with phone numbers and long identifiers masked, in every string and number:
///
/// - a run of 11 or more digits keeps its first 3 and last 2 digits (`138******00`); the
///   run ends at any non-digit (a CJK character or a letter too: `手机138******00`), except
///   that digit groups joined by up to 3 `-`, space or `+` are one run
///   (`138-****-**00`, `+86 1** **** **00`); full-width digits count as digits;
/// - any other word of 16 or more letters, digits, `-` or `_` keeps its first and last 4
///   characters (`abcd…wxyz`), with the digits of a phone number in them still masked.
pub fn mask(value: &Value) -> Value {
    map_texts(value, &mask_text, false)
}

/// The fewest digits a run needs to be masked as a phone number.
const PHONE_DIGITS: usize = 11;
/// The most separators (`-`, space, `+`) that join two digit groups into one run.
const MAX_GAP: usize = 3;
/// The fewest characters a word needs to be masked as an identifier.
const LONG_WORD: usize = 16;

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn is_phone_separator(c: char) -> bool {
    matches!(c, '-' | ' ' | '+')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

fn mask_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let hidden = phone_digits(&chars);
    let shown = |i: usize| if hidden[i] { '*' } else { chars[i] };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_word_char(chars[i]) {
            out.push(shown(i));
            i += 1;
            continue;
        }
        let end = (i..chars.len()).find(|&j| !is_word_char(chars[j])).unwrap_or(chars.len());
        let all_digits = chars[i..end].iter().all(|&c| is_digit(c));
        if end - i >= LONG_WORD && !all_digits {
            out.extend((i..i + 4).map(shown));
            out.push('…');
            out.extend((end - 4..end).map(shown));
        } else {
            out.extend((i..end).map(shown));
        }
        i = end;
    }
    out
}

/// Which of `chars` are the digits of a phone number to hide: in every run of
/// [`PHONE_DIGITS`] or more digits (groups joined by up to [`MAX_GAP`] separators count as one run), all
/// but the first 3 and the last 2 digits.
fn phone_digits(chars: &[char]) -> Vec<bool> {
    let mut hidden = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            i += 1;
            continue;
        }
        // the run: digit groups, each joined to the next by one separator
        let mut digits = Vec::new();
        let mut j = i;
        loop {
            while j < chars.len() && is_digit(chars[j]) {
                digits.push(j);
                j += 1;
            }
            let gap = chars[j..].iter().take(MAX_GAP + 1).take_while(|&&c| is_phone_separator(c)).count();
            if gap == 0 || gap > MAX_GAP || !chars.get(j + gap).is_some_and(|&c| is_digit(c)) {
                break;
            }
            j += gap;
        }
        if digits.len() >= PHONE_DIGITS {
            for &at in &digits[3..digits.len() - 2] {
                hidden[at] = true;
            }
        }
        i = j;
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_secret(text: &str) -> String {
        text.to_owned()
    }

    fn scan_of(states: &[(&str, State)]) -> Scan {
        let mut scan = Scan::default();
        for (key, state) in states {
            scan.states.insert(Key::Id((*key).to_owned()), *state);
        }
        scan
    }

    #[test]
    fn days_are_utc_calendar_days() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(951_782_400), "2000-02-29");
        assert_eq!(day(1_796_687_999), "2026-12-07");
        assert_eq!(day(1_796_688_000), "2026-12-08");
        assert_eq!(day(u64::MAX), "9999-12-31");
    }

    #[test]
    fn in_doubt_any_day_and_applied_today_are_refused_and_the_cap_counts_today() {
        let today = "2026-12-07";
        let scan = scan_of(&[
            ("2026-12-01/c1/v3/x/fpA", State::Unknown),
            ("2026-12-06/c2/v3/x/fpB", State::Applied),
            ("2026-12-07/c3/v3/x/fpC", State::Applied),
            ("2026-12-07/c4/v3/x/fpD", State::Failed),
            ("2026-12-07/c5/v3/x/fpE", State::Sent),
        ]);
        assert!(matches!(check(&scan, "fpA", today, 10), Err(Refusal::InDoubt { id, .. }) if id == "c1"));
        assert!(matches!(check(&scan, "fpE", today, 10), Err(Refusal::InDoubt { id, .. }) if id == "c5"));
        assert!(matches!(check(&scan, "fpC", today, 10), Err(Refusal::AppliedToday { id }) if id == "c3"));
        assert!(check(&scan, "fpB", today, 10).is_ok(), "applied yesterday");
        assert!(check(&scan, "fpD", today, 10).is_ok(), "failed");
        assert!(check(&scan, "fpZ", today, 4).is_ok());
        assert!(matches!(check(&scan, "fpZ", today, 3), Err(Refusal::Cap { cap: 3, .. })));
        assert!(matches!(check(&scan, "fpZ", today, 0), Err(Refusal::Cap { cap: 0, .. })));
    }

    #[test]
    fn keys_read_back_with_paths_in_them() {
        let scan = scan_of(&[("2026-12-07/c1/v3/coupon/exchange/redeem/ff00", State::Sent)]);
        let e = &entries(&scan)[0];
        assert_eq!((e.day.as_str(), e.id.as_str()), ("2026-12-07", "c1"));
        assert_eq!((e.endpoint.as_str(), e.fingerprint.as_str()), ("v3/coupon/exchange/redeem", "ff00"));
    }

    #[test]
    fn phone_numbers_and_long_identifiers_are_masked() {
        let masked = mask(&serde_json::json!({
            "mobile": "13800001234",
            "n": 13800001234_u64,
            "code": "EX-0001",
            "card": "ABCDEFGHIJKLMNOPQRST",
            "text": "call 13912345678 now",
            "list": [12, "short"],
        }));
        assert_eq!(masked["mobile"], "138******34");
        assert_eq!(masked["n"], "138******34");
        assert_eq!(masked["code"], "EX-0001");
        assert_eq!(masked["card"], "ABCD…QRST");
        assert_eq!(masked["text"], "call 139******78 now");
        assert_eq!(masked["list"], serde_json::json!([12, "short"]));
    }

    #[test]
    fn phone_numbers_glued_to_cjk_or_written_with_separators_are_masked() {
        let cases = [
            ("手机13800138000", "手机138******00"),
            ("138-0013-8000", "138-****-**00"),
            ("+86 138 0013 8000", "+86 1** **** **00"),
            ("+86-13800138000", "+86-1********00"),
            ("138  0013 - 8000", "138  **** - **00"),
            ("tel:13800138000。", "tel:138******00。"),
            ("ab13800138000cd", "ab138******00cd"),
            ("１３８００１３８０００", "１３８******００"),
            ("订单号ABCDEFGH13800138000XYZ", "订单号A…0XYZ"),
            // not phone numbers: too few digits, or groups apart
            ("2026-12-07 10:00", "2026-12-07 10:00"),
            ("1.00 and 12345 67890", "1.00 and 12345 67890"),
            ("138    0013    8000", "138    0013    8000"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(mask_text(text), want, "{text:?}");
        }
        for text in ["手机13800138000", "138-0013-8000", "+86 138 0013 8000"] {
            let line = outcome_line("k", "v3/x", &serde_json::json!({ "remark": text }), &Ok(()), &no_secret);
            assert!(!line.contains("0013") && !line.contains("00138"), "{line}");
        }
    }

    #[test]
    fn an_outcome_line_keeps_no_grant_code_or_key_anywhere_in_the_params_or_error() {
        const GRANT: &str = "GrAnT12345";
        const KEY: &str = "k3y-0f-the-0pen-k3y-ABCDEFGH";
        let redact = |text: &str| zv_api::redact_grant_code(text, GRANT).replace(KEY, "[redacted]");
        let params = serde_json::json!({
            "bizId": GRANT, "note": format!("code {GRANT}, key {KEY}"), KEY: [KEY], "n": 1,
        });
        let error = ErrorView { outcome: "rejected", code: None, message: format!("bad grantCode {GRANT}") };
        let line = outcome_line("k", "v3/x", &params, &Err(error), &redact);
        for secret in [GRANT, KEY, &KEY[..4], &KEY[KEY.len() - 4..]] {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
        let record: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(record["params"]["bizId"], "[redacted]");
        assert_eq!(record["params"]["note"], "code [redacted], key [redacted]");
        assert_eq!(record["params"]["[redacted]"], serde_json::json!(["[redacted]"]));
        assert_eq!(record["params"]["n"], 1);
        assert_eq!(record["error"]["message"], "bad grantCode [redacted]");
    }

    #[test]
    fn an_outcome_line_is_read_back_by_the_journal_with_its_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let header = header("p");
        let key = Entry::key("2026-12-07", "c1", "v3/x", "fp");
        let (mut journal, _) = open(&path, &header).unwrap();
        journal.append_sent(&Key::Id(key.clone())).unwrap();
        let error = ErrorView { outcome: "unknown", code: None, message: "timed out".into() };
        journal
            .append_outcome(&outcome_line(&key, "v3/x", &serde_json::json!({}), &Err(error), &no_secret))
            .unwrap();
        drop(journal);
        let scan = read(&path).unwrap();
        assert_eq!(entries(&scan)[0].state, State::Unknown);
        assert!(matches!(open(&path, &super::header("other")), Err(Refusal::Journal(_))));
    }
}
