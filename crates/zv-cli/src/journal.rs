//! A write-ahead journal: the file that says, for each call that may change something,
//! whether it was sent and what came of it — so that a write is never sent twice blindly.
//!
//! One JSON record a line, in a file only one process holds at a time:
//!
//! ```text
//! {"zv_journal":1,"zv":"0.1.0","purpose":"batch","binding":{"input_sha256":"9f…","path":"/v3/…","template":"{}"}}
//! {"record":"open","pid":4242}
//! {"record":"sent","row":1}
//! {"row":1,"ok":true,"data":{"redeemed":true}}
//! {"record":"sent","row":2}
//! {"row":2,"ok":false,"error":{…},"outcome":"unknown"}
//! {"record":"resolve","row":2,"as":"applied","note":"checked in the back office"}
//! ```
//!
//! - the **header** (first line) names the zv version, what the journal is for
//!   (`purpose`), and what it is bound to (`binding`: for a batch the endpoint, the input's
//!   SHA-256 and the params template): continuing it with anything else is refused, naming
//!   the difference;
//! - an **open** record names the process that holds it (the pid a second process is told);
//! - a **sent** record is appended and synced to disk *before* the call it names is made;
//! - an **outcome** record is any line with the key (`row` or `key`) and `ok`, plus
//!   `outcome` (`unknown`, `rejected`, `not_sent`) when it failed — a batch's result lines
//!   keep their shape; a failed outcome reads as [`State::Failed`] only when it is
//!   `not_sent` or `rejected`: any other (missing, misspelt, a newer zv's) is
//!   [`State::Unknown`], never sent again blindly;
//! - a **resolve** record is a person's verdict on a call whose outcome was unknown.
//!
//! [`Journal::open`] takes an exclusive lock for the life of the [`Journal`], refuses a file
//! that is not a journal (leaving it untouched), never follows a symlink, drops a last line
//! cut short by a crash, and returns the last [`State`] of every key ([`Scan`]).
//!
//! Example: the unit test `the_module_example_appends_and_reads_back`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The journal format's version, the header's `zv_journal`.
pub const FORMAT: u32 = 1;

/// The longest line read back, in bytes: a longer one means the file is not a journal.
pub const MAX_LINE: u64 = 64 * 1024 * 1024;

/// The first line: what wrote the journal, what for, and what it is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The format's version ([`FORMAT`]).
    pub zv_journal: u32,
    /// The zv version that started it.
    pub zv: String,
    /// What it records, e.g. `batch`.
    pub purpose: String,
    /// What it is bound to: continuing it needs the same values.
    pub binding: BTreeMap<String, String>,
}

impl Header {
    /// A header of this zv version for `purpose`, bound to `binding`'s names and values.
    pub fn new<'a>(purpose: &str, binding: impl IntoIterator<Item = (&'a str, &'a str)>) -> Header {
        Header {
            zv_journal: FORMAT,
            zv: env!("CARGO_PKG_VERSION").to_owned(),
            purpose: purpose.to_owned(),
            binding: binding.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        }
    }

    /// What differs between the journal's header (`self`) and the one a run would write:
    /// the purpose and every binding whose value differs, each on its own (empty when the
    /// run may continue the journal). The zv version may differ.
    pub fn differences(&self, wanted: &Header) -> Vec<String> {
        let mut out = Vec::new();
        if self.purpose != wanted.purpose {
            out.push(format!(
                "it is a {} journal, not a {} one",
                shorten(&self.purpose),
                shorten(&wanted.purpose)
            ));
        }
        let names: BTreeSet<&String> = self.binding.keys().chain(wanted.binding.keys()).collect();
        for name in names {
            let (was, is) = (self.binding.get(name), wanted.binding.get(name));
            if was != is {
                let show = |v: Option<&String>| v.map_or_else(|| "nothing".to_owned(), |v| shorten(v));
                out.push(format!("{name} was {} and is now {}", show(was), show(is)));
            }
        }
        out
    }
}

fn shorten(value: &str) -> String {
    let value = crate::output::render::replace_unsafe(value);
    match value.char_indices().nth(80) {
        Some((at, _)) => format!("{:?}…", &value[..at]),
        None => format!("{value:?}"),
    }
}

/// What a call is known by in its journal: a batch's row number, or a string (e.g. a
/// request's fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// A batch's data row, 1-based: the `row` of its records.
    Row(u64),
    /// Any other name: the `key` of its records.
    Id(String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Row(row) => write!(f, "row {row}"),
            Key::Id(id) => write!(f, "{}", crate::output::render::replace_unsafe(id)),
        }
    }
}

/// The last known state of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Sent, and nothing more recorded: it may or may not have been applied.
    Sent,
    /// Succeeded (an outcome with `"ok": true`), or resolved as applied.
    Applied,
    /// Failed with an unknown outcome: it may have been applied.
    Unknown,
    /// Failed without effect (refused, or never reached the gateway), or resolved so.
    Failed,
}

impl State {
    /// Whether sending the call again could apply it twice (it may have been applied).
    pub fn is_in_doubt(self) -> bool {
        matches!(self, State::Sent | State::Unknown)
    }
}

/// How [`Journal::open`] treats an existing journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new journal: the file must not exist, or be empty.
    Create,
    /// Continue a journal with the same header, or start one if there is none.
    Continue,
}

/// What a journal says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The header, when the journal has one (an empty file has none).
    pub header: Option<Header>,
    /// The last state of every key, by key.
    pub states: BTreeMap<Key, State>,
    /// The whole records read, the header included.
    pub records: usize,
    /// The pid of the last process that opened it.
    pub last_pid: Option<u32>,
    /// Whether a last line cut short (a crash while writing it) was found (and, when
    /// opened to continue, cut off).
    pub cut_last_line: bool,
    /// The bytes of the whole records.
    keep: u64,
    /// Whether the last whole record lacks its line break.
    missing_break: bool,
}

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// It could not be opened, read, locked or written.
    #[error("cannot use the results file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// A symlink: never followed, so a journal never writes through one.
    #[error("the results file {path} is a symbolic link; give the file itself")]
    Symlink {
        /// The file.
        path: String,
    },
    /// A device, FIFO, socket or directory.
    #[error(
        "the results file {path} is not a regular file (a device, FIFO, socket or directory); give a file"
    )]
    NotRegular {
        /// The file.
        path: String,
    },
    /// Not a zv journal: left untouched.
    #[error("{path} is not a zv results file ({reason}); it was left untouched: give a new file")]
    NotJournal {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Another process holds it.
    #[error("the results file {path} is in use by another zv (pid {}); wait for it to finish", pid.map_or_else(|| "not recorded yet".to_owned(), |p| p.to_string()))]
    Locked {
        /// The file.
        path: String,
        /// The holder's pid, when it is recorded.
        pid: Option<u32>,
    },
    /// A journal whose header differs from this run's.
    #[error("the results file {path} is not for this run: {}; give another --out", differences.join("; "))]
    Mismatch {
        /// The file.
        path: String,
        /// Each difference, in words.
        differences: Vec<String>,
    },
    /// A journal exists and the run was not asked to continue it.
    #[error("the results file {path} already holds results: add --resume to continue it, or give a new file")]
    Exists {
        /// The file.
        path: String,
    },
}

impl JournalError {
    /// Whether the file's content or kind, not the system, is at fault (a usage error).
    pub fn is_usage(&self) -> bool {
        !matches!(self, JournalError::Io { .. })
    }
}

/// An open journal, locked by this process until it is dropped.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: String,
}

/// A record this module writes.
#[derive(Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
enum Record {
    Open {
        pid: u32,
    },
    Sent {
        #[serde(flatten)]
        key: KeyField,
    },
    Resolve {
        #[serde(flatten)]
        key: KeyField,
        #[serde(rename = "as")]
        state: State,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum KeyField {
    Row { row: u64 },
    Id { key: String },
}

impl From<&Key> for KeyField {
    fn from(key: &Key) -> KeyField {
        match key {
            Key::Row(row) => KeyField::Row { row: *row },
            Key::Id(key) => KeyField::Id { key: key.clone() },
        }
    }
}

impl From<KeyField> for Key {
    fn from(key: KeyField) -> Key {
        match key {
            KeyField::Row { row } => Key::Row(row),
            KeyField::Id { key } => Key::Id(key),
        }
    }
}

/// An outcome record, as far as the journal reads it (`data` and `error` are skipped
/// without being parsed into values: any depth reads).
#[derive(Deserialize)]
struct Outcome {
    row: Option<u64>,
    key: Option<String>,
    ok: bool,
    #[serde(default)]
    outcome: Option<String>,
}

impl Journal {
    /// Opens (creating it if need be) the journal at `path` for a run whose header is
    /// `header`, and locks it for as long as the [`Journal`] lives.
    ///
    /// Refused, the file left as it was: a symlink, anything but a regular file, a file
    /// that is not empty and not a zv journal, a journal another process holds, a journal
    /// with another header, and, with [`Mode::Create`], any journal. Otherwise a last line
    /// cut short is cut off, an `open` record with this process's pid appended, and what
    /// the journal says returned.
    pub fn open(path: &Path, header: &Header, mode: Mode) -> Result<(Journal, Scan), JournalError> {
        let shown = path.display().to_string();
        let io = |source| JournalError::Io { path: shown.clone(), source };
        let (mut file, created) = open_file(path).map_err(|e| classify(e, &shown))?;
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(JournalError::NotRegular { path: shown });
        }
        if !fs4::fs_std::FileExt::try_lock_exclusive(&file).map_err(io)? {
            let pid = read_scan(BufReader::new(&file), &shown).ok().and_then(|s| s.last_pid);
            return Err(JournalError::Locked { path: shown, pid });
        }
        let mut scan = read_scan(BufReader::new(&file), &shown)?;
        match (&scan.header, mode) {
            (None, _) => {}
            (Some(_), Mode::Create) => return Err(JournalError::Exists { path: shown }),
            (Some(found), Mode::Continue) => {
                let differences = found.differences(header);
                if !differences.is_empty() {
                    return Err(JournalError::Mismatch { path: shown, differences });
                }
            }
        }
        if scan.cut_last_line {
            file.set_len(scan.keep).map_err(io)?;
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        let mut journal = Journal { file, path: shown.clone() };
        let mut start = String::new();
        if scan.missing_break {
            start.push('\n');
        }
        if scan.header.is_none() {
            start.push_str(&serde_json::to_string(header).map_err(|e| io(e.into()))?);
            start.push('\n');
        }
        start.push_str(&record_line(&Record::Open { pid: std::process::id() }));
        journal.append(&start, true).map_err(io)?;
        if created {
            sync_parent(path).map_err(io)?;
        }
        scan.header.get_or_insert_with(|| header.clone());
        scan.last_pid = Some(std::process::id());
        Ok((journal, scan))
    }

    /// Reads the journal at `path` without writing or locking it (for a look while a run
    /// may hold it): a last line cut short is ignored.
    pub fn read(path: &Path) -> Result<Scan, JournalError> {
        let shown = path.display().to_string();
        let file = open_read(path).map_err(|e| classify(e, &shown))?;
        if !file.metadata().map_err(|source| JournalError::Io { path: shown.clone(), source })?.is_file() {
            return Err(JournalError::NotRegular { path: shown });
        }
        read_scan(BufReader::new(&file), &shown)
    }

    /// Records that the call `key` is about to be sent, synced to disk before it returns:
    /// call it before sending.
    pub fn append_sent(&mut self, key: &Key) -> io::Result<()> {
        self.append(&record_line(&Record::Sent { key: key.into() }), true)
    }

    /// Records a call's outcome: `line` is one JSON object on one line with the key (`row`
    /// or `key`), `ok`, and, when it failed, `outcome`. It reaches the operating system
    /// before this returns (a killed process loses nothing); it is not synced, since a lost
    /// outcome leaves the call `sent`, which is never sent again blindly.
    pub fn append_outcome(&mut self, line: &str) -> io::Result<()> {
        let mut line = line.replace(['\n', '\r'], " ");
        line.push('\n');
        self.append(&line, false)
    }

    /// Records a person's verdict on the call `key` (applied or not), synced to disk.
    pub fn append_resolve(&mut self, key: &Key, state: State, note: &str) -> io::Result<()> {
        let record = Record::Resolve { key: key.into(), state, note: note.to_owned() };
        self.append(&record_line(&record), true)
    }

    /// The file, as given.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Writes `text` (whole lines) with one `write_all`, synced when `durable`.
    fn append(&mut self, text: &str, durable: bool) -> io::Result<()> {
        self.file.write_all(text.as_bytes())?;
        if durable { self.file.sync_data() } else { Ok(()) }
    }
}

fn record_line(record: &Record) -> String {
    // Numbers, names and strings only: serializing cannot fail.
    let mut line = serde_json::to_string(record).unwrap_or_default();
    line.push('\n');
    line
}

/// Opens `path` to read and write, never through a symlink and without waiting on a FIFO;
/// creates it when it does not exist. Returns whether it was created.
fn open_file(path: &Path) -> io::Result<(File, bool)> {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    no_follow(&mut options);
    match options.clone().create_new(true).open(path) {
        Ok(file) => Ok((file, true)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok((options.open(path)?, false)),
        Err(e) => Err(e),
    }
}

fn open_read(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    no_follow(&mut options);
    options.open(path)
}

#[cfg(unix)]
fn no_follow(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
}

#[cfg(not(unix))]
fn no_follow(_options: &mut OpenOptions) {}

/// An open error in the journal's words: a symlink (`O_NOFOLLOW` says `ELOOP`) and a
/// directory are named.
fn classify(e: io::Error, path: &str) -> JournalError {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => JournalError::Symlink { path: path.to_owned() },
        Ok(meta) if !meta.is_file() => JournalError::NotRegular { path: path.to_owned() },
        _ => JournalError::Io { path: path.to_owned(), source: e },
    }
}

/// Makes a new file's name durable: syncs its directory.
#[cfg(unix)]
fn sync_parent(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(parent)?.sync_all()
}

#[cfg(not(unix))]
fn sync_parent(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// Reads a journal from its start, one line at a time, no line longer than [`MAX_LINE`].
fn read_scan(mut reader: impl BufRead + Seek, path: &str) -> Result<Scan, JournalError> {
    reader.seek(SeekFrom::Start(0)).map_err(|source| JournalError::Io { path: path.to_owned(), source })?;
    scan_lines(reader, path)
}

fn scan_lines(mut reader: impl BufRead, path: &str) -> Result<Scan, JournalError> {
    let mut scan = Scan::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)
            .map_err(|source| JournalError::Io { path: path.to_owned(), source })?;
        if n == 0 {
            break;
        }
        // The reason may quote the file: sanitized before it can reach a terminal.
        let not_journal = |reason: String| JournalError::NotJournal {
            path: path.to_owned(),
            reason: crate::output::render::replace_unsafe(&reason),
        };
        let number = scan.records + 1;
        if n as u64 > MAX_LINE {
            return Err(not_journal(format!("line {number} is longer than {MAX_LINE} bytes")));
        }
        let whole = line.ends_with(b"\n");
        let text = std::str::from_utf8(&line).map(str::trim_end);
        let read = match text {
            Ok(text) if scan.header.is_none() => read_header(text).map(|h| scan.header = Some(h)),
            Ok(text) => read_record(text, &mut scan),
            Err(e) => Err(e.to_string()),
        };
        match read {
            Ok(()) => {}
            // A last line cut short by a crash: dropped. A first line without a break is
            // no journal's header.
            Err(_) if !whole && scan.header.is_some() => {
                scan.cut_last_line = true;
                break;
            }
            Err(reason) if number == 1 => {
                return Err(not_journal(format!("its first line is not a zv journal header: {reason}")));
            }
            Err(reason) => return Err(not_journal(format!("line {number}: {reason}"))),
        }
        scan.records += 1;
        scan.keep += n as u64;
        scan.missing_break = !whole;
    }
    Ok(scan)
}

fn read_header(text: &str) -> Result<Header, String> {
    let header: Header = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if header.zv_journal != FORMAT {
        return Err(format!("format {} (this zv reads format {FORMAT})", header.zv_journal));
    }
    Ok(header)
}

fn read_record(text: &str, scan: &mut Scan) -> Result<(), String> {
    let is_record = text.starts_with("{\"record\":");
    if is_record {
        match serde_json::from_str::<Record>(text).map_err(|e| e.to_string())? {
            Record::Open { pid } => scan.last_pid = Some(pid),
            Record::Sent { key } => {
                scan.states.insert(key.into(), State::Sent);
            }
            Record::Resolve { key, state, .. } => {
                scan.states.insert(key.into(), state);
            }
        }
        return Ok(());
    }
    let outcome: Outcome = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let key = match (outcome.row, outcome.key) {
        (Some(0), _) => return Err("row 0: rows are numbered from 1".to_owned()),
        (Some(row), None) => Key::Row(row),
        (None, Some(key)) => Key::Id(key),
        _ => return Err("an outcome names one row or one key".to_owned()),
    };
    let state = match (outcome.ok, outcome.outcome.as_deref()) {
        (true, _) => State::Applied,
        // Only the outcomes that prove the request was not applied read as failed; any other
        // (`unknown`, a missing one, a hand edit, a newer zv's name) may have been applied.
        (false, Some("not_sent" | "rejected")) => State::Failed,
        (false, _) => State::Unknown,
    };
    scan.states.insert(key, state);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header::new("batch", [("path", "/v3/a"), ("input_sha256", "ab"), ("template", "{}")])
    }

    fn scan(text: &str) -> Result<Scan, JournalError> {
        scan_lines(text.as_bytes(), "j")
    }

    fn head() -> String {
        serde_json::to_string(&header()).unwrap() + "\n"
    }

    #[test]
    fn the_last_record_of_each_key_is_its_state() {
        let text = head()
            + "{\"record\":\"open\",\"pid\":7}\n{\"record\":\"sent\",\"row\":1}\n{\"record\":\"sent\",\"row\":2}\n"
            + "{\"row\":1,\"ok\":true,\"data\":1}\n{\"record\":\"sent\",\"row\":3}\n{\"row\":3,\"ok\":false,\"outcome\":\"unknown\"}\n"
            + "{\"row\":4,\"ok\":false,\"outcome\":\"rejected\"}\n{\"record\":\"resolve\",\"row\":3,\"as\":\"applied\"}\n"
            + "{\"record\":\"sent\",\"key\":\"fp-1\"}\n{\"key\":\"fp-2\",\"ok\":false,\"outcome\":\"unknown\"}\n";
        let scan = scan(&text).unwrap();
        assert_eq!(scan.header, Some(header()));
        assert_eq!(scan.last_pid, Some(7));
        let states: Vec<(Key, State)> = scan.states.into_iter().collect();
        assert_eq!(
            states,
            [
                (Key::Row(1), State::Applied),
                (Key::Row(2), State::Sent),
                (Key::Row(3), State::Applied),
                (Key::Row(4), State::Failed),
                (Key::Id("fp-1".into()), State::Sent),
                (Key::Id("fp-2".into()), State::Unknown),
            ]
        );
    }

    #[test]
    fn only_not_sent_and_rejected_read_as_failed_any_other_failure_is_unknown() {
        let text = head()
            + "{\"row\":1,\"ok\":false,\"outcome\":\"not_sent\"}\n{\"row\":2,\"ok\":false,\"outcome\":\"rejected\"}\n"
            + "{\"row\":3,\"ok\":false,\"outcome\":\"maybe_applied\"}\n{\"row\":4,\"ok\":false}\n"
            + "{\"row\":5,\"ok\":false,\"outcome\":null}\n{\"row\":6,\"ok\":false,\"outcome\":\"Rejected\"}\n";
        let states: Vec<(Key, State)> = scan(&text).unwrap().states.into_iter().collect();
        assert_eq!(
            states,
            [
                (Key::Row(1), State::Failed),
                (Key::Row(2), State::Failed),
                (Key::Row(3), State::Unknown),
                (Key::Row(4), State::Unknown),
                (Key::Row(5), State::Unknown),
                (Key::Row(6), State::Unknown),
            ]
        );
    }

    #[test]
    fn deeply_nested_data_reads_and_a_cut_last_line_is_dropped() {
        let deep = "[".repeat(5000) + &"]".repeat(5000);
        let text = head()
            + &format!(
                "{{\"row\":1,\"ok\":true,\"data\":{deep}}}\n{{\"record\":\"sent\",\"row\":2}}\n{{\"row\":2,\"ok\":tr"
            );
        let scan = scan(&text).unwrap();
        assert_eq!(scan.states[&Key::Row(1)], State::Applied);
        assert_eq!(scan.states[&Key::Row(2)], State::Sent);
        assert!(scan.cut_last_line);
        assert_eq!(scan.keep as usize, text.rfind('\n').unwrap() + 1);
    }

    #[test]
    fn anything_but_a_journal_is_refused() {
        for text in [
            "notes without a line break",
            "my notes\nsecond line\n",
            "user_id,tag\n1,2\n",
            "{\"row\":1,\"ok\":true}\n",
            "{\"zv_journal\":2,\"zv\":\"9\",\"purpose\":\"batch\",\"binding\":{}}\n",
        ] {
            let e = scan(text).unwrap_err();
            assert!(matches!(e, JournalError::NotJournal { .. }) && e.is_usage(), "{text:?}: {e}");
        }
        let e = scan(&(head() + "{\"record\":\"sent\",\"row\":1}\nnot json\n{\"row\":1,\"ok\":true}\n"))
            .unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(scan(&(head() + "{\"row\":0,\"ok\":true}\n")).is_err());
        // what the file says reaches no terminal as an escape sequence
        let e = scan(&(head() + "{\"record\":\"\u{202e}x\u{9b}31m\"}\n")).unwrap_err().to_string();
        assert!(e.contains("unknown variant"), "{e}");
        assert!(!e.contains('\u{202e}') && !e.contains('\u{9b}'), "{e:?}");
    }

    #[test]
    fn differences_name_each_binding() {
        let mut other = header();
        other.binding.insert("template".into(), "{\"a\":1}".into());
        other.binding.remove("input_sha256");
        other.zv = "9.9.9".into();
        let d = header().differences(&other);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].starts_with("input_sha256 was \"ab\" and is now nothing"), "{d:?}");
        assert!(d[1].contains("template was \"{}\""), "{d:?}");
        assert!(header().differences(&header()).is_empty());
    }

    #[test]
    fn open_refuses_what_is_not_a_journal_and_leaves_it_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.txt");
        for text in ["no line break", "line\n", ""] {
            std::fs::write(&notes, text).unwrap();
            let result = Journal::open(&notes, &header(), Mode::Continue);
            if text.is_empty() {
                assert!(result.is_ok());
                continue;
            }
            assert!(matches!(result, Err(JournalError::NotJournal { .. })), "{text:?}");
            assert_eq!(std::fs::read_to_string(&notes).unwrap(), text);
        }
        #[cfg(unix)]
        {
            let target = dir.path().join("target.jsonl");
            let link = dir.path().join("link.jsonl");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let e = Journal::open(&link, &header(), Mode::Create).unwrap_err();
            assert!(matches!(e, JournalError::Symlink { .. }), "{e}");
            assert!(!target.exists(), "a dangling link's target is not created");
        }
        let e = Journal::open(dir.path(), &header(), Mode::Create).unwrap_err();
        assert!(e.is_usage(), "{e}");
    }

    #[test]
    fn one_holder_at_a_time_named_by_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let (journal, _) = Journal::open(&path, &header(), Mode::Create).unwrap();
        match Journal::open(&path, &header(), Mode::Continue) {
            Err(JournalError::Locked { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        drop(journal);
        let (_j, scan) = Journal::open(&path, &header(), Mode::Continue).unwrap();
        assert_eq!(scan.records, 2, "the header and the first run's open");
        assert!(matches!(Journal::open(&path, &header(), Mode::Create), Err(JournalError::Locked { .. })));
    }

    #[test]
    fn continuing_cuts_a_cut_line_and_checks_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let (mut journal, _) = Journal::open(&path, &header(), Mode::Create).unwrap();
        journal.append_sent(&Key::Row(1)).unwrap();
        drop(journal);
        let mut text = std::fs::read_to_string(&path).unwrap();
        let whole = text.clone();
        text.push_str("{\"row\":1,\"ok\":tr");
        std::fs::write(&path, &text).unwrap();
        assert!(matches!(Journal::open(&path, &header(), Mode::Create), Err(JournalError::Exists { .. })));
        let mut other = header();
        other.binding.insert("path".into(), "/v3/b".into());
        let e = Journal::open(&path, &other, Mode::Continue).unwrap_err();
        assert!(e.to_string().contains("path was \"/v3/a\" and is now \"/v3/b\""), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "untouched");
        let (mut journal, scan) = Journal::open(&path, &header(), Mode::Continue).unwrap();
        assert!(scan.cut_last_line);
        assert_eq!(scan.states[&Key::Row(1)], State::Sent);
        journal.append_resolve(&Key::Row(1), State::Failed, "checked").unwrap();
        drop(journal);
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(after.starts_with(&whole), "the cut line went, nothing else");
        let scan = Journal::read(&path).unwrap();
        assert_eq!(scan.states[&Key::Row(1)], State::Failed);
    }
}

#[cfg(test)]
mod example {
    #[test]
    fn the_module_example_appends_and_reads_back() {
        use crate::journal::{Header, Journal, Key, Mode, State};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.jsonl");
        let header = Header::new("batch", [("path", "/v3/x"), ("template", "{}")]);
        let (mut journal, scan) = Journal::open(&path, &header, Mode::Create).unwrap();
        assert!(scan.states.is_empty());
        journal.append_sent(&Key::Row(1)).unwrap();
        journal.append_sent(&Key::Row(2)).unwrap();
        journal.append_outcome(r#"{"row":1,"ok":true,"data":1}"#).unwrap();
        drop(journal);
        let (_journal, scan) = Journal::open(&path, &header, Mode::Continue).unwrap();
        assert_eq!(scan.states[&Key::Row(1)], State::Applied);
        assert_eq!(scan.states[&Key::Row(2)], State::Sent);
    }
}
