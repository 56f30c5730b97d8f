//! `zv api PATH --each FILE [--concurrency N] [--out RESULTS] [--resume]`: one call per row
//! (the parts are in [`zv_cli::batch`]).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use serde_json::value::RawValue;
use zv_api::UntypedRequest;
use zv_cli::api::Target;
use zv_cli::batch::{self, Control, InputFormat, Job, Progress, Resumed, Summary, results};
use zv_cli::data::Data;
use zv_cli::exit;
use zv_cli::format::{Format, Printer};
use zv_cli::input;
use zv_cli::report::error_line;

use crate::cli::ApiCommand;
use crate::{Failure, Gateway};

/// The call every row makes: the endpoint, the params the rows are set over (`--params`
/// and the FIELD arguments), and whether a retry is safe; and the `--format` given, if any
/// (the summary's).
pub struct Batch<'a> {
    pub target: &'a Target<'a>,
    pub params: &'a RawValue,
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
    let jobs = read_jobs(rows_file, batch.params, max_input_bytes)?;
    let rows = jobs.len();
    let (mut results_file, resumed) = match &each.out {
        None => (None, Resumed::default()),
        Some(path) if each.resume => {
            let (opened, resumed) = results::open_for_resume(path).map_err(results_failure)?;
            if resumed.max_row > rows {
                return Err(Failure::usage(format!(
                    "the results file {} has a line for row {} but {} has {rows} row(s): are they the results of this input?",
                    path.display(),
                    resumed.max_row,
                    rows_file.display()
                )));
            }
            (Some(opened), resumed)
        }
        Some(path) => (Some(results::create(path).map_err(results_failure)?), Resumed::default()),
    };
    let jobs: Vec<Job> = jobs.into_iter().filter(|job| !resumed.ok.contains(&job.row)).collect();
    let progress = Progress::new(jobs.len() as u64, std::io::stderr().is_terminal());
    let again: Vec<usize> = jobs.iter().map(|j| j.row).filter(|row| resumed.unknown.contains(row)).collect();
    if !again.is_empty() && !batch.retry_safe {
        progress.println(&format!(
            "zv: sending again {} row(s) whose outcome was unknown (a write may have been applied): {}",
            again.len(),
            row_list(&again)
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
    let summary = match results_file.as_mut() {
        Some(file) => batch::run(&jobs, concurrency, &control, file, &progress, call),
        None => batch::run(&jobs, concurrency, &control, out, &progress, call),
    };
    if progress.is_visible() {
        progress.finish();
    }
    if let Some(path) = &each.out {
        let summary_printer = Printer { format: summary_format, ..*printer };
        let data = summary_data(&summary, rows, rows - summary.jobs, path);
        summary_printer.data(out, &data).map_err(Failure::output)?;
    }
    outcome(&summary, each.out.as_deref(), batch.retry_safe)
}

/// Every row of the file as a call's params, or the first bad row as a usage error.
fn read_jobs(path: &Path, params: &RawValue, max_input_bytes: u64) -> Result<Vec<Job>, Failure> {
    let text =
        input::read_file("--each", path, max_input_bytes).map_err(|e| Failure::usage(error_line(&e)))?;
    let shown = path.display();
    let rows = batch::read_rows(&text, InputFormat::detect(path, &text))
        .map_err(|e| Failure::usage(format!("--each file {shown}: {e}")))?;
    rows.iter()
        .map(|row| {
            let params = row.params_over(params.get()).map_err(|e| {
                Failure::usage(format!(
                    "--each file {shown}: row {} (line {}): {e}",
                    row.number(),
                    row.line()
                ))
            })?;
            Ok(Job { row: row.number(), params })
        })
        .collect()
}

/// Ctrl-C (and SIGTERM, SIGHUP) once: no further row is sent, the calls in flight finish and
/// are recorded. Twice: exit at once, between two lines, leaving the calls in flight
/// unrecorded.
fn on_interrupt(control: &Arc<Control>, progress: &Progress, retry_safe: bool) -> Result<(), Failure> {
    let (control, progress) = (control.clone(), progress.clone());
    ctrlc::set_handler(move || {
        if control.interrupt() == 1 {
            progress.println(&format!(
                "zv: interrupted: sending no further row; waiting for the {} call(s) in flight (Ctrl-C again to quit without recording them)",
                control.in_flight()
            ));
            return;
        }
        let _no_line_half_written = control.hold_writes();
        let in_flight = control.in_flight();
        let warning = if retry_safe || in_flight == 0 { "" } else { " (a write among them may have been applied)" };
        progress.println(&format!("zv: quit: {in_flight} call(s) in flight not recorded{warning}"));
        std::process::exit(i32::from(exit::INTERRUPTED));
    })
    .map_err(|e| Failure::internal(format!("cannot install the Ctrl-C handler: {e}")))
}

/// The exit code and the line that says why, or `Ok` when every row succeeded.
fn outcome(summary: &Summary, out: Option<&Path>, retry_safe: bool) -> Result<(), Failure> {
    let code = summary.exit_code();
    if code == exit::SUCCESS {
        return Ok(());
    }
    let unsent = summary.not_started();
    let message = if let Some(e) = &summary.write_error {
        let lost = match (summary.unrecorded, retry_safe) {
            (0, _) => String::new(),
            (n, true) => format!("; {n} call(s) made were not recorded"),
            (n, false) => {
                format!("; {n} call(s) made were not recorded (a write among them may have been applied)")
            }
        };
        format!("cannot write the results: {e}{lost}; {unsent} row(s) not sent")
    } else if summary.interrupted {
        let next = match out {
            Some(_) => "; run the same command with --resume to send them",
            None => " (the rows without a line)",
        };
        format!("interrupted: {unsent} row(s) not sent{next}")
    } else {
        let mut message = format!(
            "{} of {} row(s) failed ({} rejected, {} with an unknown outcome, {} not sent); see their lines in the results",
            summary.failed, summary.sent, summary.rejected, summary.unknown, summary.not_sent
        );
        if summary.unknown > 0 && !retry_safe {
            message.push_str(
                "; a write whose outcome is unknown may have been applied: check before sending it again",
            );
        }
        message
    };
    Err(Failure { message, code })
}

/// The summary `--out` prints on stdout.
fn summary_data(summary: &Summary, rows: usize, skipped: usize, results: &Path) -> Data {
    let number = |n: usize| Data::Number(n.to_string());
    Data::Object(vec![
        ("rows".into(), number(rows)),
        ("skipped".into(), number(skipped)),
        ("sent".into(), number(summary.sent)),
        ("ok".into(), number(summary.ok)),
        ("failed".into(), number(summary.failed)),
        ("rejected".into(), number(summary.rejected)),
        ("unknown".into(), number(summary.unknown)),
        ("not_sent".into(), number(summary.not_sent)),
        ("not_started".into(), number(summary.not_started())),
        ("interrupted".into(), Data::Bool(summary.interrupted)),
        ("results".into(), Data::String(results.display().to_string())),
    ])
}

fn results_failure(e: results::ResultsError) -> Failure {
    let code = if e.is_usage() { exit::USAGE } else { exit::INTERNAL };
    Failure { message: error_line(&e), code }
}

/// The format's name as `--format` takes it.
fn format_name(format: Format) -> String {
    clap::ValueEnum::to_possible_value(&format).map(|v| v.get_name().to_owned()).unwrap_or_default()
}

/// Row numbers for a line: the first ten, then how many more.
fn row_list(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(10).map(ToString::to_string).collect();
    match rows.len().saturating_sub(10) {
        0 => shown.join(", "),
        more => format!("{}, and {more} more", shown.join(", ")),
    }
}
