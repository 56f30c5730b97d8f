//! Sends a batch's rows: N worker threads make the calls (the blocking client, shared), and
//! the calling thread writes each result line as it arrives — one writer, so every line is
//! written whole, one `write_all` and a flush, in the order the calls complete.
//!
//! [`Control::interrupt`] (Ctrl-C) stops the workers from taking another row; the calls in
//! flight finish, and their lines are written before [`run`] returns.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};

use serde_json::value::RawValue;
use zv_api::Outcome;

use super::progress::Progress;
use super::results;
use crate::exit;

/// One call of a batch: the data row it comes from and its params.
#[derive(Debug, Clone)]
pub struct Job {
    /// The data row's number, 1-based (the `row` of its result line).
    pub row: usize,
    /// The call's params, as JSON text.
    pub params: Box<RawValue>,
}

/// Stops a running batch and tells how far it is; shared with a signal handler.
#[derive(Debug, Default)]
pub struct Control {
    stopped: AtomicBool,
    interrupts: AtomicUsize,
    in_flight: AtomicUsize,
    writing: Mutex<()>,
}

impl Control {
    /// A batch not stopped.
    pub fn new() -> Control {
        Control::default()
    }

    /// An interrupt (Ctrl-C): no further row is sent. Returns how many interrupts there
    /// have been, this one included.
    pub fn interrupt(&self) -> usize {
        self.stopped.store(true, Ordering::SeqCst);
        self.interrupts.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether the batch was interrupted.
    pub fn interrupted(&self) -> bool {
        self.interrupts.load(Ordering::SeqCst) > 0
    }

    /// Whether no further row is to be sent (interrupted, or the results cannot be written).
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// The calls sent whose lines are not written yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until no line is being written, and holds further lines back while the guard
    /// lives: to exit the process without leaving a partial line.
    pub fn hold_writes(&self) -> MutexGuard<'_, ()> {
        self.writing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn halt(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }
}

/// How a batch went.
#[derive(Debug, Default)]
pub struct Summary {
    /// The calls it was to make.
    pub jobs: usize,
    /// The calls made (each has its line, unless the results could not be written).
    pub sent: usize,
    /// The calls that succeeded.
    pub ok: usize,
    /// The calls that failed.
    pub failed: usize,
    /// Failed calls the gateway refused: nothing was done.
    pub rejected: usize,
    /// Failed calls that may have been acted on (a write may have been applied).
    pub unknown: usize,
    /// Failed calls that never reached the gateway.
    pub not_sent: usize,
    /// The highest exit code among the failed calls.
    pub worst_exit: Option<u8>,
    /// Whether it was interrupted.
    pub interrupted: bool,
    /// Why the results could not be written, when they could not: the batch stopped.
    pub write_error: Option<io::Error>,
    /// Calls made whose lines could not be written.
    pub unrecorded: usize,
}

impl Summary {
    /// The calls never made (interrupted, or stopped because the results could not be
    /// written).
    pub fn not_started(&self) -> usize {
        self.jobs - self.sent
    }

    /// `zv`'s exit code: 130 when interrupted, 1 when the results could not be written,
    /// else the highest exit code among the failed calls (3 business, 4 system, 5 transport
    /// or HTTP, 6 decode), else 0.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            exit::INTERRUPTED
        } else if self.write_error.is_some() {
            exit::INTERNAL
        } else {
            self.worst_exit.unwrap_or(exit::SUCCESS)
        }
    }

    fn record(&mut self, failure: Option<(Outcome, u8)>) {
        let Some((outcome, code)) = failure else {
            self.ok += 1;
            return;
        };
        self.failed += 1;
        match outcome {
            Outcome::Rejected => self.rejected += 1,
            Outcome::Unknown => self.unknown += 1,
            Outcome::NotSent => self.not_sent += 1,
        }
        self.worst_exit = self.worst_exit.max(Some(code));
    }
}

/// Makes the calls of `jobs`, at most `concurrency` at once, each with `call`, and writes
/// each one's result line to `out` as it completes; stops taking rows once `control` is
/// stopped, and returns when the calls in flight are done and written.
pub fn run<F>(
    jobs: &[Job],
    concurrency: usize,
    control: &Control,
    out: &mut dyn Write,
    progress: &Progress,
    call: F,
) -> Summary
where
    F: Fn(&Job) -> Result<Box<RawValue>, zv_api::Error> + Sync,
{
    let mut summary = Summary { jobs: jobs.len(), ..Summary::default() };
    let next = AtomicUsize::new(0);
    // A rendezvous channel: a worker takes its next row only once its result was taken to
    // be written, so a batch whose results cannot be written stops within one call a worker.
    let (tx, rx) = mpsc::sync_channel(0);
    std::thread::scope(|scope| {
        for _ in 0..concurrency.clamp(1, jobs.len().max(1)) {
            let (tx, next, call) = (tx.clone(), &next, &call);
            scope.spawn(move || {
                while !control.is_stopped() {
                    let Some(job) = jobs.get(next.fetch_add(1, Ordering::SeqCst)) else { break };
                    control.in_flight.fetch_add(1, Ordering::SeqCst);
                    if tx.send((job.row, call(job))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (row, result) in rx {
            summary.sent += 1;
            let (line, failure) = match result {
                Ok(data) => match results::ok_line(row, &data) {
                    Ok(line) => (line, None),
                    Err(e) => {
                        (results::unreadable_data_line(row, &e), Some((Outcome::Unknown, exit::DECODE)))
                    }
                },
                Err(e) => (results::error_line(row, &e), Some((e.outcome(), exit::for_error(&e)))),
            };
            let written = match summary.write_error {
                Some(_) => None,
                None => Some(write_line(control, out, line)),
            };
            control.in_flight.fetch_sub(1, Ordering::SeqCst);
            match written {
                Some(Ok(())) => {
                    summary.record(failure);
                    progress.row_done(failure.is_none());
                }
                Some(Err(e)) => {
                    summary.write_error = Some(e);
                    summary.unrecorded += 1;
                    control.halt();
                }
                None => summary.unrecorded += 1,
            }
        }
    });
    summary.interrupted = control.interrupted();
    summary
}

/// One line, whole: a single `write_all` of the line and its break, then a flush, while no
/// one holds [`Control::hold_writes`].
fn write_line(control: &Control, out: &mut dyn Write, mut line: String) -> io::Result<()> {
    line.push('\n');
    let _writing = control.hold_writes();
    out.write_all(line.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::{Arc, Condvar};
    use std::time::Duration;

    use serde_json::Value;
    use zv_api::zv_transport::{TransportError, http, transport_fn};

    use super::*;

    /// A blocking client whose gateway is `answer`: it gets the row number of each call
    /// (its params' `row`) and gives the body (HTTP 200) or status and body to answer with.
    fn client(
        answer: impl Fn(u64) -> Result<(u16, String), TransportError> + Send + Sync + 'static,
    ) -> zv_api::blocking::Client {
        let transport = transport_fn(move |request: http::Request<Vec<u8>>| {
            let body: Value = serde_json::from_slice(request.body()).unwrap();
            let (status, body) = answer(body["params"]["row"].as_u64().unwrap())?;
            Ok(http::Response::builder().status(status).body(body.into_bytes()).unwrap())
        });
        zv_api::blocking::Client::builder()
            .base_url("http://gateway.test")
            .credentials(zv_api::zv_sign::Credentials::new("id", "code", "key"))
            .transport(transport)
            .max_retries(0)
            .build()
            .unwrap()
    }

    fn jobs(n: usize) -> Vec<Job> {
        (1..=n)
            .map(|row| Job { row, params: RawValue::from_string(format!("{{\"row\":{row}}}")).unwrap() })
            .collect()
    }

    fn send(client: &zv_api::blocking::Client, job: &Job) -> Result<Box<RawValue>, zv_api::Error> {
        let request = zv_api::UntypedRequest::v3("test/batch/write", job.params.as_ref())?;
        Ok(client.send_untyped(&request)?.data)
    }

    fn lines(out: &[u8]) -> Vec<Value> {
        let text = std::str::from_utf8(out).unwrap();
        assert!(text.is_empty() || text.ends_with('\n'));
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    fn ok_body(row: u64) -> String {
        format!(r#"{{"status":true,"code":0,"data":{{"row":{row},"big":164822200532619796511}}}}"#)
    }

    #[test]
    fn at_most_n_calls_are_in_flight_and_every_row_gets_one_line() {
        // The first four calls wait until four are in flight (or a minute passes: then the
        // count below fails); a fifth at once would be counted too.
        let gate = Arc::new((Mutex::new((0usize, 0usize, 0usize)), Condvar::new()));
        let seen = gate.clone();
        let client = client(move |row| {
            let (lock, cv) = &*seen;
            let mut state = lock.lock().unwrap();
            state.0 += 1; // in flight
            state.1 = state.1.max(state.0); // the most at once
            state.2 += 1; // calls
            cv.notify_all();
            if state.2 <= 4 {
                state =
                    cv.wait_timeout_while(state, Duration::from_secs(60), |s| s.0 < 4 && s.2 < 5).unwrap().0;
            }
            state.0 -= 1;
            Ok((200, ok_body(row)))
        });
        let (control, progress) = (Control::new(), Progress::hidden(40));
        let mut out = Vec::new();
        let summary = run(&jobs(40), 4, &control, &mut out, &progress, |job| send(&client, job));
        assert_eq!(gate.0.lock().unwrap().1, 4, "the most calls at once");
        let lines = lines(&out);
        let rows: BTreeSet<u64> = lines.iter().map(|l| l["row"].as_u64().unwrap()).collect();
        assert_eq!((lines.len(), rows.len()), (40, 40));
        assert!(lines.iter().all(|l| l["ok"] == true && l["data"]["row"] == l["row"]));
        assert!(String::from_utf8(out).unwrap().contains(r#""big":164822200532619796511"#));
        assert_eq!((summary.sent, summary.ok, summary.failed, summary.exit_code()), (40, 40, 0, 0));
        assert_eq!(progress.counts(), (40, 0));
    }

    #[test]
    fn each_failure_has_its_kind_code_message_and_outcome_and_the_worst_exit_code_wins() {
        let client = client(|row| match row {
            1 => Ok((
                200,
                r#"{"status":true,"code":20001,"message":"查询的信息不存在","traceId":"t-1"}"#.into(),
            )),
            2 => Ok((502, "<html>bad gateway</html>".into())),
            3 => Err(TransportError::connect(io::Error::from(io::ErrorKind::ConnectionRefused))),
            4 => Ok((200, r#"{"status":false,"code":"E1","message":"boom"}"#.into())),
            row => Ok((200, ok_body(row))),
        });
        let (control, progress) = (Control::new(), Progress::hidden(5));
        let mut out = Vec::new();
        let summary = run(&jobs(5), 2, &control, &mut out, &progress, |job| send(&client, job));
        let by_row = |row: u64| lines(&out).into_iter().find(|l| l["row"] == row).unwrap();
        assert_eq!(
            by_row(1),
            serde_json::json!({"row":1,"ok":false,"error":{"kind":"api_business","code":20001,"message":"查询的信息不存在","traceId":"t-1"},"outcome":"rejected"})
        );
        let http = by_row(2);
        assert_eq!((&http["error"]["kind"], &http["error"]["code"]), (&"http".into(), &502.into()));
        assert_eq!((&http["outcome"], &http["error"]["traceId"]), (&"unknown".into(), &Value::Null));
        assert!(http["error"]["message"].as_str().unwrap().contains("502"), "{http}");
        let refused = by_row(3);
        assert_eq!(
            (&refused["error"]["kind"], &refused["outcome"]),
            (&"transport".into(), &"not_sent".into())
        );
        assert_eq!(refused["error"]["code"], Value::Null);
        assert_eq!(
            (&by_row(4)["error"]["code"], &by_row(4)["error"]["kind"]),
            (&"E1".into(), &"api_system".into())
        );
        assert_eq!(by_row(5)["ok"], true);
        assert_eq!((summary.ok, summary.failed), (1, 4));
        assert_eq!((summary.rejected, summary.unknown, summary.not_sent), (2, 1, 1));
        assert_eq!(summary.exit_code(), exit::TRANSPORT);
        assert!(!String::from_utf8(out).unwrap().contains("key"));
    }

    #[test]
    fn an_interrupt_stops_the_sending_and_the_call_in_flight_is_written() {
        let control = Arc::new(Control::new());
        let interrupter = control.clone();
        let client = client(move |row| {
            if row == 3 {
                assert_eq!(interrupter.interrupt(), 1);
            }
            Ok((200, ok_body(row)))
        });
        let progress = Progress::hidden(10);
        let mut out = Vec::new();
        let summary = run(&jobs(10), 1, &control, &mut out, &progress, |job| send(&client, job));
        let rows: Vec<u64> = lines(&out).iter().map(|l| l["row"].as_u64().unwrap()).collect();
        assert_eq!(rows, [1, 2, 3]);
        assert!(summary.interrupted);
        assert_eq!((summary.sent, summary.not_started(), summary.exit_code()), (3, 7, exit::INTERRUPTED));
        assert_eq!(control.in_flight(), 0);
    }

    #[test]
    fn results_that_cannot_be_written_stop_the_batch() {
        struct Full(usize);
        impl Write for Full {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("disk full"));
                }
                self.0 -= 1;
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let client = client(|row| Ok((200, ok_body(row))));
        let (control, progress) = (Control::new(), Progress::hidden(10));
        let summary = run(&jobs(10), 1, &control, &mut Full(2), &progress, |job| send(&client, job));
        assert_eq!(summary.ok, 2);
        assert!(summary.write_error.is_some() && summary.unrecorded >= 1);
        assert!(summary.not_started() > 0 && summary.sent < 10);
        assert_eq!(summary.exit_code(), exit::INTERNAL);
    }
}
