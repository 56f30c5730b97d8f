//! The result lines of a batch, and the results file `--resume` continues.
//!
//! A line is made whole in memory and written with one `write_all` and a flush by the one
//! thread that writes (see [`runner`](super::runner)), so lines never interleave. A crash
//! can still cut the last one short: [`open_for_resume`] drops such a line (its row is done
//! again) before appending, so the file never holds a partial line followed by a new one.
//!
//! ```
//! use serde_json::value::RawValue;
//! let data = RawValue::from_string("{\n \"id\": 164822200532619796511\n}".into()).unwrap();
//! assert_eq!(
//!     zv_cli::batch::results::ok_line(3, &data).unwrap(),
//!     r#"{"row":3,"ok":true,"data":{"id":164822200532619796511}}"#
//! );
//! ```

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use zv_api::{Error, ErrorKind, Outcome};

use crate::data::{Data, escape_unsafe};
use crate::exit;

/// The line of a row whose call succeeded: `{"row":N,"ok":true,"data":DATA}`, `data` the
/// gateway's JSON text on one line, every number as it came (characters a terminal would
/// obey written as JSON escapes, [`escape_unsafe`]).
pub fn ok_line(row: usize, data: &RawValue) -> Result<String, serde_json::Error> {
    let data = Data::one_line(data.get())?;
    // The same JSON, with what a terminal would obey (C1 controls, bidi overrides) escaped.
    let data = RawValue::from_string(escape_unsafe(&data).into_owned())?;
    serde_json::to_string(&Line { row, ok: true, data: Some(&data), error: None, outcome: None })
}

/// The line of a row whose call failed: `{"row":N,"ok":false,"error":{"kind","code",
/// "message","traceId"},"outcome":"not_sent"|"rejected"|"unknown"}`.
///
/// `kind` is the error's family ([`exit::kind_name`]); `code` the platform's code for an
/// API error, the HTTP status for an HTTP error, else `null`; `message` the platform's
/// message for an API error, else the error on one line; `traceId` the gateway's, or
/// `null`. No key or token is ever part of it.
pub fn error_line(row: usize, error: &Error) -> String {
    let code = match (error.api_code(), error.kind()) {
        (Some(zv_types::ResponseCode::Num(n)), _) => Code::Num(*n),
        (Some(zv_types::ResponseCode::Text(t)), _) => Code::Text(crate::render::sanitize(t)),
        (None, ErrorKind::Http) => error.http_status().map_or(Code::None, |s| Code::Num(s.as_u16().into())),
        (None, _) => Code::None,
    };
    let message = match error.api_error() {
        Some(api) => crate::render::sanitize(&api.message),
        None => crate::report::error_line(error),
    };
    let details = ErrorDetails {
        kind: exit::kind_name(error.kind()),
        code,
        message,
        trace_id: crate::report::trace_id(error),
    };
    let line = Line { row, ok: false, data: None, error: Some(details), outcome: Some(error.outcome()) };
    // Numbers, strings and `null` only: serializing cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

/// The line of a row whose call succeeded with a `data` that could not be put on one line
/// (never for JSON the client accepted): a decode failure whose outcome is unknown.
pub fn unreadable_data_line(row: usize, reason: &serde_json::Error) -> String {
    let details = ErrorDetails {
        kind: exit::kind_name(ErrorKind::Decode),
        code: Code::None,
        message: crate::render::sanitize(&format!("cannot read the response data: {reason}")),
        trace_id: None,
    };
    let line = Line { row, ok: false, data: None, error: Some(details), outcome: Some(Outcome::Unknown) };
    serde_json::to_string(&line).unwrap_or_default()
}

#[derive(Serialize)]
struct Line<'a> {
    row: usize,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorDetails>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "outcome_name")]
    outcome: Option<Outcome>,
}

#[derive(Serialize)]
struct ErrorDetails {
    kind: &'static str,
    code: Code,
    message: String,
    #[serde(rename = "traceId")]
    trace_id: Option<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Code {
    Num(i64),
    Text(String),
    None,
}

fn outcome_name<S: serde::Serializer>(outcome: &Option<Outcome>, s: S) -> Result<S::Ok, S::Error> {
    match outcome {
        Some(o) => s.serialize_str(o.as_str()),
        None => s.serialize_none(),
    }
}

/// What a results file says of the rows: the ones done, the ones that failed with an
/// unknown outcome and were not done since.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resumed {
    /// The rows with an `"ok": true` line.
    pub ok: BTreeSet<usize>,
    /// The rows whose last line says `"outcome": "unknown"` and that have no `ok` line: a
    /// write among them may have been applied.
    pub unknown: BTreeSet<usize>,
    /// The whole lines read.
    pub lines: usize,
    /// The largest row number in the file.
    pub max_row: usize,
    /// Whether a last line cut short (a crash while writing it) was dropped.
    pub dropped_partial_line: bool,
}

/// Why a results file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResultsError {
    /// It could not be opened, read, cut or written.
    #[error("cannot use the results file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// A whole line is not a result line: not this command's results file.
    #[error(
        "the results file {path} line {line} is not a result line of zv ({reason}); is it the right file?"
    )]
    NotResults {
        /// The file.
        path: String,
        /// The line, 1-based.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A device, FIFO, socket or directory: results go to a regular file, which `--resume`
    /// can read back.
    #[error(
        "the results file {path} is not a regular file (a device, FIFO, socket or directory); give a file"
    )]
    NotRegular {
        /// The file.
        path: String,
    },
    /// Without `--resume`, an existing results file is never overwritten.
    #[error("the results file {path} exists and is not empty: add --resume to continue it, or remove it")]
    Exists {
        /// The file.
        path: String,
    },
}

impl ResultsError {
    /// Whether the file's content, not the system, is at fault (a usage error).
    pub fn is_usage(&self) -> bool {
        !matches!(self, ResultsError::Io { .. })
    }
}

#[derive(Deserialize)]
struct Seen {
    row: usize,
    ok: bool,
    #[serde(default)]
    outcome: Option<String>,
}

/// What reading a results file found: what it says, and how much of it to keep.
struct Scan {
    resumed: Resumed,
    /// The length of the lines kept (whole ones, and a whole result line lacking its break).
    keep: u64,
    /// Whether the last line kept lacks its line break.
    missing_break: bool,
}

/// Reads the result lines of `reader`. A last line without its line break is a line cut
/// short by a crash: it is dropped, unless it is a whole result line that only lacks the
/// break.
fn read_results(mut reader: impl BufRead, path: &str) -> Result<Scan, ResultsError> {
    let mut scan = Scan { resumed: Resumed::default(), keep: 0, missing_break: false };
    let resumed = &mut scan.resumed;
    let mut failed_unknown = BTreeSet::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| ResultsError::Io { path: path.to_owned(), source })?;
        if n == 0 {
            break;
        }
        let whole = line.ends_with(b"\n");
        let line_number = resumed.lines + 1;
        let not_results =
            |reason: String| ResultsError::NotResults { path: path.to_owned(), line: line_number, reason };
        let parsed = std::str::from_utf8(&line)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Seen>(text.trim_end()).map_err(|e| e.to_string()));
        let seen = match parsed {
            Ok(seen) => seen,
            Err(_) if !whole => {
                resumed.dropped_partial_line = true;
                break;
            }
            Err(reason) => return Err(not_results(reason)),
        };
        if seen.row == 0 {
            return Err(not_results("row 0: rows are numbered from 1".to_owned()));
        }
        resumed.lines += 1;
        scan.keep += n as u64;
        scan.missing_break = !whole;
        resumed.max_row = resumed.max_row.max(seen.row);
        if seen.ok {
            resumed.ok.insert(seen.row);
        } else if seen.outcome.as_deref() == Some(Outcome::Unknown.as_str()) {
            failed_unknown.insert(seen.row);
        } else {
            failed_unknown.remove(&seen.row);
        }
    }
    resumed.unknown = failed_unknown.difference(&resumed.ok).copied().collect();
    Ok(scan)
}

/// Opens `path` to continue it: reads what it says, cuts a partial last line off (and ends
/// a whole last line that lacks its break), and returns it ready to append. A file that
/// does not exist is created empty.
pub fn open_for_resume(path: &Path) -> Result<(File, Resumed), ResultsError> {
    let shown = path.display().to_string();
    let io = |source| ResultsError::Io { path: shown.clone(), source };
    refuse_non_regular(path)?;
    let mut file = OpenOptions::new().read(true).append(true).create(true).open(path).map_err(io)?;
    let scan = read_results(BufReader::new(&file), &shown)?;
    if scan.resumed.dropped_partial_line {
        file.set_len(scan.keep).map_err(io)?;
    }
    file.seek(SeekFrom::End(0)).map_err(io)?;
    if scan.missing_break {
        io::Write::write_all(&mut file, b"\n").map_err(io)?;
    }
    Ok((file, scan.resumed))
}

/// Refuses an existing `path` that is not a regular file, before it is opened: opening a
/// FIFO waits for a reader, and reading `/dev/zero` back never ends.
fn refuse_non_regular(path: &Path) -> Result<(), ResultsError> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(ResultsError::NotRegular { path: path.display().to_string() }),
        _ => Ok(()),
    }
}

/// Creates `path` for a new batch's results: an existing file must be empty (results are
/// never overwritten without `--resume`).
pub fn create(path: &Path) -> Result<File, ResultsError> {
    let shown = path.display().to_string();
    let io = |source| ResultsError::Io { path: shown.clone(), source };
    refuse_non_regular(path)?;
    let file = OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
    if file.metadata().map_err(io)?.len() > 0 {
        return Err(ResultsError::Exists { path: shown });
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Resumed, u64) {
        let scan = read_results(text.as_bytes(), "r.jsonl").unwrap();
        (scan.resumed, scan.keep)
    }

    #[test]
    fn ok_rows_are_done_and_a_cut_last_line_is_dropped() {
        let text = "{\"row\":2,\"ok\":true,\"data\":1}\n{\"row\":1,\"ok\":false,\"outcome\":\"unknown\"}\n{\"row\":3,\"ok\":tr";
        let (resumed, length) = read(text);
        assert_eq!(resumed.ok, BTreeSet::from([2]));
        assert_eq!(resumed.unknown, BTreeSet::from([1]));
        assert_eq!((resumed.lines, resumed.max_row, resumed.dropped_partial_line), (2, 2, true));
        assert_eq!(length, text.rfind('\n').unwrap() as u64 + 1);
        // a row done later is done; one rejected later is not unknown any more
        let (resumed, _) = read(
            "{\"row\":1,\"ok\":false,\"outcome\":\"unknown\"}\n{\"row\":1,\"ok\":true}\n{\"row\":2,\"ok\":false,\"outcome\":\"unknown\"}\n{\"row\":2,\"ok\":false,\"outcome\":\"rejected\"}\n",
        );
        assert_eq!((resumed.ok, resumed.unknown), (BTreeSet::from([1]), BTreeSet::new()));
        // a whole last line without its break counts
        let (resumed, length) = read("{\"row\":4,\"ok\":true}");
        assert_eq!((resumed.ok, resumed.dropped_partial_line, length), (BTreeSet::from([4]), false, 19));
    }

    #[test]
    fn a_whole_line_that_is_not_a_result_is_refused() {
        for text in ["{\"row\":1,\"ok\":true}\nnot json\n", "{\"a\":1}\n", "{\"row\":0,\"ok\":true}\n"] {
            let Err(e) = read_results(text.as_bytes(), "r.jsonl") else { panic!("{text:?} read") };
            assert!(e.is_usage() && e.to_string().contains("right file"), "{e}");
        }
    }

    #[test]
    fn resuming_cuts_a_partial_line_and_ends_a_whole_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        std::fs::write(&path, "{\"row\":1,\"ok\":true}\n{\"row\":2,\"o").unwrap();
        let (mut file, resumed) = open_for_resume(&path).unwrap();
        assert_eq!(resumed.ok, BTreeSet::from([1]));
        io::Write::write_all(&mut file, b"{\"row\":2,\"ok\":true}\n").unwrap();
        drop(file);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"row\":1,\"ok\":true}\n{\"row\":2,\"ok\":true}\n"
        );
        std::fs::write(&path, "{\"row\":1,\"ok\":true}").unwrap();
        let (mut file, _) = open_for_resume(&path).unwrap();
        io::Write::write_all(&mut file, b"{\"row\":2,\"ok\":true}\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"row\":1,\"ok\":true}\n{\"row\":2,\"ok\":true}\n"
        );
        // a missing file is a new one; without --resume a non-empty one is refused
        let fresh = dir.path().join("new.jsonl");
        assert_eq!(open_for_resume(&fresh).unwrap().1, Resumed::default());
        assert!(create(&fresh).is_ok());
        assert!(matches!(create(&path), Err(ResultsError::Exists { .. })));
    }
}
