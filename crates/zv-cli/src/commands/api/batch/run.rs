//! `zv api PATH --each FILE [--concurrency N] [--out RESULTS] [--resume]`: one call per row
//! (the parts are in [`crate::commands::api::batch`]).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::commands::api::batch::{self, Control, InputFormat, Job, JournalSink, Lines, Progress, Summary};
use crate::commands::api::params;
use crate::commands::api::target::Target;
use crate::failure;
use crate::input;
use crate::journal::{Header, Journal, JournalError, Key, Mode, State};
use crate::output::data::Data;
use crate::output::format::{Format, Printer};
use crate::report::error_line;
use serde_json::value::RawValue;
use zv_api::UntypedRequest;
use zv_types::catalogue::Entry;

use crate::commands::api::Args as ApiCommand;
use crate::failure::Failure;
use crate::gateway::Gateway;

/// The call every row makes: the endpoint, the params the rows are set over (`--params`
/// and the FIELD arguments), and whether a retry is safe; and the `--format` given, if any
/// (the summary's).
pub struct Batch<'a> {
    pub target: &'a Target<'a>,
    pub params: &'a RawValue,
    /// The entry the rows' params are checked against (none with `--no-validate`, or for an
    /// endpoint whose params are not documented).
    pub schema: Option<&'static Entry>,
    pub retry_safe: bool,
    pub format: Option<Format>,
}

/// Checks the whole input and the results file, then sends the rows.
pub fn run(
    rows_file: &Path,
    each: &ApiCommand,
    batch: &Batch<'_>,
    max_input_bytes: u64,
    printer: &Printer,
    gateway: impl FnOnce() -> Result<Gateway, Failure>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let summary_format = match (&each.out, batch.format) {
        (Some(_), format) => format.unwrap_or(Format::Table),
        (None, None | Some(Format::Jsonl)) => Format::Jsonl,
        (None, Some(format)) => {
            return Err(Failure::usage(format!(
                "--format {} is the format of the summary printed with --out RESULTS; without --out the results go to stdout, one JSON line a row",
                format_name(format)
            )));
        }
    };
    let text =
        input::read_file("--each", rows_file, max_input_bytes).map_err(|e| Failure::usage(error_line(&e)))?;
    let format = InputFormat::detect(rows_file, &text);
    let rows = check_rows(rows_file, &text, format, batch)?;
    let (journal, states) = match &each.out {
        None => (None, BTreeMap::new()),
        Some(path) => {
            let header = Header::new(
                "batch",
                [
                    ("path", batch.target.key()),
                    ("input_sha256", sha256_hex(text.as_bytes()).as_str()),
                    ("template", batch.params.get()),
                ],
            );
            let mode = if each.resume { Mode::Continue } else { Mode::Create };
            let (journal, scan) = Journal::open(path, &header, mode).map_err(journal_failure)?;
            (Some(journal), scan.states)
        }
    };
    let plan = Plan::new(rows, &states, batch.retry_safe, each.resend_unknown);
    let progress = Progress::new(plan.to_send as u64, std::io::stderr().is_terminal());
    if !plan.held.is_empty() {
        progress.println(&format!(
            "zv: not sending again {} write row(s) sent before without a known outcome (they may have been applied): {}; check them, then --resend-unknown sends them",
            plan.held.len(),
            all_rows(&plan.held)
        ));
    }
    if !plan.resending.is_empty() {
        progress.println(&format!(
            "zv: sending again {} write row(s) whose outcome was unknown (--resend-unknown): {}",
            plan.resending.len(),
            all_rows(&plan.resending)
        ));
    }
    let gateway = gateway()?;
    let control = Arc::new(Control::new());
    let concurrency = usize::from(each.concurrency);
    on_interrupt(&control, &progress, batch.retry_safe)?;
    let client = &gateway.client;
    let call = |job: &Job| -> Result<Box<RawValue>, zv_api::Error> {
        let request =
            UntypedRequest::new(batch.target.route(), job.params.as_ref())?.retry_safe(batch.retry_safe);
        Ok(client.send_untyped(&request)?.data)
    };
    // The rows were all checked above, from this same text: none fails now.
    let jobs = batch::rows(&text, format)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|row| plan.sends(row.number(), &states))
        .filter_map(|row| {
            let params = row.params_for(batch.params.get(), batch.target.entry()).ok()?;
            Some(Job { row: row.number(), params })
        });
    let summary = match journal {
        Some(journal) => {
            let mut sink = JournalSink { journal, write_ahead: !batch.retry_safe };
            batch::run(jobs, plan.to_send, concurrency, &control, &mut sink, &progress, call)
        }
        None => {
            let mut sink = Lines { out: &mut *out, progress: &progress };
            batch::run(jobs, plan.to_send, concurrency, &control, &mut sink, &progress, call)
        }
    };
    if progress.is_visible() {
        progress.finish();
    }
    if let Some(path) = &each.out {
        let summary_printer = Printer { format: summary_format, ..*printer };
        let data = summary_data(&summary, &plan, path);
        summary_printer.data(out, &data).map_err(Failure::output)?;
    }
    outcome(&summary, &plan, each.out.as_deref(), batch.retry_safe)
}

/// How many rows with param problems a refusal details (each with its first problems);
/// the numbers of at most [`NAMED_ROWS`] are given.
const DETAILED_ROWS: usize = 5;
const NAMED_ROWS: usize = 50;
const PROBLEMS_A_ROW: usize = 3;

/// Reads every row of the input and builds its params, keeping none: the first bad row is
/// a usage error naming its row and line. Then, with a schema, every row's params are
/// checked: the rows that fail are all named (the first few with their problems) and
/// nothing is sent. Returns how many rows there are.
fn check_rows(path: &Path, text: &str, format: InputFormat, batch: &Batch<'_>) -> Result<usize, Failure> {
    let shown = path.display();
    let bad = |e: batch::InputError| Failure::usage(format!("--each file {shown}: {e}"));
    let mut rows = 0;
    let mut refused: Vec<(usize, u64, params::Refusal)> = Vec::new();
    let mut refused_rows = 0usize;
    for row in batch::rows(text, format).map_err(bad)? {
        let row = row.map_err(bad)?;
        let built = row.params_for(batch.params.get(), batch.target.entry()).map_err(|e| {
            Failure::usage(format!("--each file {shown}: row {} (line {}): {e}", row.number(), row.line()))
        })?;
        if let Some(Err(refusal)) = batch.schema.map(|entry| params::check(entry, &built)) {
            refused_rows += 1;
            if refused.len() < NAMED_ROWS {
                refused.push((row.number(), row.line(), refusal));
            }
        }
        rows += 1;
    }
    if refused_rows == 0 {
        return Ok(rows);
    }
    Err(Failure::usage(refused_rows_line(&shown.to_string(), batch.target, rows, refused_rows, &refused)))
}

/// The line naming the rows whose params were refused: the first [`DETAILED_ROWS`] with
/// their first problems, the numbers of the others up to [`NAMED_ROWS`].
fn refused_rows_line(
    shown: &str,
    target: &Target<'_>,
    rows: usize,
    refused_rows: usize,
    refused: &[(usize, u64, params::Refusal)],
) -> String {
    let mut line = format!(
        "--each file {shown}: {refused_rows} of {rows} row(s) have params {} refuses; nothing was sent (--no-validate sends anyway): ",
        target.route()
    );
    for (i, (row, at, refusal)) in refused.iter().take(DETAILED_ROWS).enumerate() {
        let problems = match refusal {
            params::Refusal::Problems(problems) if problems.len() > PROBLEMS_A_ROW => {
                let first: Vec<String> =
                    problems.iter().take(PROBLEMS_A_ROW).map(ToString::to_string).collect();
                let more = problems.len() - PROBLEMS_A_ROW;
                format!("{} param problems: {}; and {more} more", problems.len(), first.join("; "))
            }
            other => other.to_string(),
        };
        line.push_str(&format!("{}row {row} (line {at}): {problems}", if i == 0 { "" } else { " | " }));
    }
    if refused.len() > DETAILED_ROWS {
        let others: Vec<usize> = refused[DETAILED_ROWS..].iter().map(|(row, _, _)| *row).collect();
        line.push_str(&format!(" | also row(s) {}", all_rows(&others)));
    }
    if refused_rows > refused.len() {
        line.push_str(&format!(" and {} more", refused_rows - refused.len()));
    }
    line
}

/// Which rows a run sends, by what the results file says of them.
struct Plan {
    /// The rows of the input.
    rows: usize,
    /// The rows already ok (or resolved as applied): not sent.
    done: usize,
    /// Write rows in doubt (sent without a recorded outcome, or unknown): not sent.
    held: Vec<usize>,
    /// Write rows in doubt sent again (`--resend-unknown`).
    resending: Vec<usize>,
    /// The rows to send.
    to_send: usize,
}

impl Plan {
    fn new(rows: usize, states: &BTreeMap<Key, State>, retry_safe: bool, resend_unknown: bool) -> Plan {
        let mut plan = Plan { rows, done: 0, held: Vec::new(), resending: Vec::new(), to_send: 0 };
        for (key, state) in states {
            let Key::Row(row) = key else { continue };
            let Ok(row) = usize::try_from(*row) else { continue };
            if row > rows {
                continue;
            }
            match state {
                State::Applied => plan.done += 1,
                state if state.is_in_doubt() && !retry_safe && resend_unknown => plan.resending.push(row),
                state if state.is_in_doubt() && !retry_safe => plan.held.push(row),
                _ => {}
            }
        }
        plan.to_send = rows - plan.done - plan.held.len();
        plan
    }

    /// Whether `row` is sent.
    fn sends(&self, row: usize, states: &BTreeMap<Key, State>) -> bool {
        match states.get(&Key::Row(row as u64)) {
            Some(State::Applied) => false,
            Some(state) if state.is_in_doubt() => self.held.binary_search(&row).is_err(),
            _ => true,
        }
    }
}

/// The SHA-256 of `bytes`, in lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a second Ctrl-C waits for a record being written to finish before quitting.
const QUIT_GRACE: Duration = Duration::from_millis(500);

/// Ctrl-C (and SIGTERM, SIGHUP) once: no further row is sent, the calls in flight finish and
/// are recorded. Twice: exit at once, between two records if one is being written (a
/// record that does not finish within [`QUIT_GRACE`], stdout blocked, is left), the calls
/// in flight unrecorded. The handler never waits on stdout or stderr itself.
fn on_interrupt(control: &Arc<Control>, progress: &Progress, retry_safe: bool) -> Result<(), Failure> {
    let (control, progress) = (control.clone(), progress.clone());
    ctrlc::set_handler(move || {
        if control.interrupt() == 1 {
            let (progress, in_flight) = (progress.clone(), control.in_flight());
            // Printed by another thread: a blocked stderr does not hold up a second Ctrl-C.
            std::thread::spawn(move || {
                progress.println(&format!(
                    "zv: interrupted: sending no further row; waiting for the {in_flight} call(s) in flight (Ctrl-C again to quit without recording them)"
                ));
            });
            return;
        }
        // Whatever blocks below, the process ends within the grace period.
        std::thread::spawn(|| {
            std::thread::sleep(QUIT_GRACE * 2);
            quit_now();
        });
        let deadline = Instant::now() + QUIT_GRACE;
        let _no_record_half_written = loop {
            match control.try_hold_writes() {
                Some(guard) => break Some(guard),
                None if Instant::now() >= deadline => break None,
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        };
        let in_flight = control.in_flight();
        let warning = if retry_safe || in_flight == 0 { "" } else { " (a write among them may have been applied)" };
        let _ = writeln!(std::io::stderr(), "zv: quit: {in_flight} call(s) in flight not recorded{warning}");
        quit_now();
    })
    .map_err(|e| Failure::internal(format!("cannot install the Ctrl-C handler: {e}")))
}

/// Ends the process with exit code 130 at once, flushing nothing: stdout may be blocked.
fn quit_now() -> ! {
    #[cfg(unix)]
    // SAFETY: `_exit` takes no pointer and never returns; it is async-signal-safe.
    unsafe {
        libc::_exit(i32::from(failure::INTERRUPTED))
    }
    #[cfg(not(unix))]
    std::process::exit(i32::from(failure::INTERRUPTED))
}

/// The exit code and the line that says why, or `Ok` when every row succeeded.
fn outcome(summary: &Summary, plan: &Plan, out: Option<&Path>, retry_safe: bool) -> Result<(), Failure> {
    let mut code = summary.exit_code();
    if code != failure::INTERRUPTED && code != failure::INTERNAL && !plan.held.is_empty() {
        code = failure::UNKNOWN_OUTCOME;
    }
    if code == failure::SUCCESS {
        return Ok(());
    }
    let unsent = summary.not_started();
    let message = if let Some(e) = &summary.write_error {
        let lost = match (summary.unrecorded.as_slice(), retry_safe) {
            ([], _) => String::new(),
            (rows, true) => {
                format!("; row(s) {} were sent but their outcome is not recorded", all_rows(rows))
            }
            (rows, false) => format!(
                "; row(s) {} were sent but their outcome is not recorded (a write among them may have been applied: --resume will not send them again)",
                all_rows(rows)
            ),
        };
        format!("cannot write the results: {e}{lost}; {unsent} row(s) not sent")
    } else if summary.interrupted {
        let next = match out {
            Some(_) => "; run the same command with --resume to send them",
            None => " (the rows without a line)",
        };
        format!("interrupted: {unsent} row(s) not sent{next}")
    } else {
        let mut message = String::new();
        if summary.failed > 0 {
            message = format!(
                "{} of {} row(s) failed ({} rejected, {} with an unknown outcome, {} not sent); see their lines in the results",
                summary.failed, summary.sent, summary.rejected, summary.unknown, summary.not_sent
            );
            if summary.unknown > 0 && !retry_safe {
                message.push_str(
                    "; a write whose outcome is unknown may have been applied: check before sending it again",
                );
            }
        }
        if !plan.held.is_empty() {
            if !message.is_empty() {
                message.push_str("; ");
            }
            message.push_str(&format!(
                "{} write row(s) with an unknown outcome were not sent again: {}; check them, then run with --resend-unknown to send them",
                plan.held.len(),
                all_rows(&plan.held)
            ));
        }
        message
    };
    Err(Failure { message, code })
}

/// The summary `--out` prints on stdout.
fn summary_data(summary: &Summary, plan: &Plan, results: &Path) -> Data {
    let number = |n: usize| Data::Number(n.to_string());
    Data::Object(vec![
        ("rows".into(), number(plan.rows)),
        ("skipped".into(), number(plan.done)),
        ("sent".into(), number(summary.sent)),
        ("ok".into(), number(summary.ok)),
        ("failed".into(), number(summary.failed)),
        ("rejected".into(), number(summary.rejected)),
        ("unknown".into(), number(summary.unknown)),
        ("not_sent".into(), number(summary.not_sent)),
        ("not_started".into(), number(summary.not_started())),
        ("interrupted".into(), Data::Bool(summary.interrupted)),
        ("results".into(), Data::String(results.display().to_string())),
        ("held_back".into(), number(plan.held.len())),
        ("unrecorded".into(), number(summary.unrecorded.len())),
    ])
}

fn journal_failure(e: JournalError) -> Failure {
    let code = if e.is_usage() { failure::USAGE } else { failure::INTERNAL };
    Failure { message: error_line(&e), code }
}

/// The format's name as `--format` takes it.
fn format_name(format: Format) -> String {
    clap::ValueEnum::to_possible_value(&format).map(|v| v.get_name().to_owned()).unwrap_or_default()
}

/// Every row number, for a line.
fn all_rows(rows: &[usize]) -> String {
    rows.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
