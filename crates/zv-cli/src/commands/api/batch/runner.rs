//! Sends a batch's rows: N worker threads make the calls (the blocking client, shared), and
//! the calling thread records them as they go — one writer, so every record is written
//! whole, one `write_all`, in the order things happen.
//!
//! With write-ahead ([`Sink::write_ahead`]: a write's batch with a journal), a worker asks
//! the writer to record `sent` for its row and waits until it is on disk before it sends;
//! if that cannot be recorded, the row is not sent and the batch stops. A call's outcome is
//! recorded when it completes; one that cannot be recorded stops the batch, and the rows
//! made but not recorded are named in the [`Summary`].
//!
//! [`Control::interrupt`] (Ctrl-C) stops the workers from taking another row; the calls in
//! flight finish, and their outcomes are recorded before [`run`] returns.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};

use serde_json::value::RawValue;
use zv_api::Outcome;

use super::progress::Progress;
use super::results;
use crate::failure;
use crate::journal::{Journal, Key};

/// One call of a batch: the data row it comes from and its params.
#[derive(Debug, Clone)]
pub struct Job {
    /// The data row's number, 1-based (the `row` of its result line).
    pub row: usize,
    /// The call's params, as JSON text.
    pub params: Box<RawValue>,
}

/// Where a batch records what it does.
pub trait Sink {
    /// Whether a `sent` record must be on disk before each call (a write's journal).
    fn write_ahead(&self) -> bool;
    /// Records that `row` is about to be sent, durably.
    fn sent(&mut self, row: usize) -> io::Result<()>;
    /// Records an outcome: one result line, without its line break.
    fn outcome(&mut self, line: &str) -> io::Result<()>;
}

/// A journal as a batch's sink; `sent` records only when `write_ahead` (a write's batch).
#[derive(Debug)]
pub struct JournalSink {
    /// The journal.
    pub journal: Journal,
    /// Whether each call is recorded as sent before it is made.
    pub write_ahead: bool,
}

impl Sink for JournalSink {
    fn write_ahead(&self) -> bool {
        self.write_ahead
    }

    fn sent(&mut self, row: usize) -> io::Result<()> {
        self.journal.append_sent(&Key::Row(row as u64))
    }

    fn outcome(&mut self, line: &str) -> io::Result<()> {
        self.journal.append_outcome(line)
    }
}

/// Result lines on a stream (stdout), each written above the progress bar when it is
/// drawn, so a line never runs into the bar; nothing is recorded before a call.
pub struct Lines<'a, W: Write> {
    /// The stream.
    pub out: W,
    /// The progress bar to write above.
    pub progress: &'a Progress,
}

impl<W: Write> Sink for Lines<'_, W> {
    fn write_ahead(&self) -> bool {
        false
    }

    fn sent(&mut self, _row: usize) -> io::Result<()> {
        Ok(())
    }

    fn outcome(&mut self, line: &str) -> io::Result<()> {
        let mut line = line.to_owned();
        line.push('\n');
        let out = &mut self.out;
        self.progress.suspend(|| {
            out.write_all(line.as_bytes())?;
            out.flush()
        })
    }
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

    /// The calls sent whose outcomes are not recorded yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until no record is being written, and holds further records back while the
    /// guard lives: to exit the process between two records.
    pub fn hold_writes(&self) -> MutexGuard<'_, ()> {
        self.writing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// [`hold_writes`](Control::hold_writes) if no record is being written now, else
    /// `None` (a writer blocked on a full pipe may never finish).
    pub fn try_hold_writes(&self) -> Option<MutexGuard<'_, ()>> {
        match self.writing.try_lock() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
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
    /// The calls made.
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
    /// The rows whose calls were made but whose outcomes could not be recorded.
    pub unrecorded: Vec<usize>,
}

impl Summary {
    /// The calls never made (interrupted, or stopped because the results could not be
    /// written).
    pub fn not_started(&self) -> usize {
        self.jobs.saturating_sub(self.sent)
    }

    /// `zv`'s exit code: 130 when interrupted, 1 when the results could not be written,
    /// else the highest exit code among the failed calls (3 business, 4 system, 5 transport
    /// or HTTP, 6 decode), else 0.
    pub fn exit_code(&self) -> u8 {
        if self.interrupted {
            failure::INTERRUPTED
        } else if self.write_error.is_some() {
            failure::INTERNAL
        } else {
            self.worst_exit.unwrap_or(failure::SUCCESS)
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

/// What a worker tells the writer.
enum Message {
    /// About to send `row`: record it, and answer whether it may be sent.
    Sending { row: usize, ack: mpsc::SyncSender<bool> },
    /// `row`'s call completed.
    Done { row: usize, result: Result<Box<RawValue>, zv_api::Error> },
}

/// Makes the calls of `jobs` (`total` of them), at most `concurrency` at once, each with
/// `call`, recording each in `sink` (with write-ahead, before it is made, and as it
/// completes); stops taking rows once `control` is stopped, and returns when the calls in
/// flight are done and recorded.
pub fn run<F>(
    jobs: impl Iterator<Item = Job> + Send,
    total: usize,
    concurrency: usize,
    control: &Control,
    sink: &mut dyn Sink,
    progress: &Progress,
    call: F,
) -> Summary
where
    F: Fn(&Job) -> Result<Box<RawValue>, zv_api::Error> + Sync,
{
    let mut summary = Summary { jobs: total, ..Summary::default() };
    let jobs = Mutex::new(jobs);
    let write_ahead = sink.write_ahead();
    // A rendezvous channel: a worker takes its next row only once its result was taken to
    // be written, so a batch whose results cannot be written stops within one call a worker.
    let (tx, rx) = mpsc::sync_channel(0);
    std::thread::scope(|scope| {
        for _ in 0..concurrency.clamp(1, total.max(1)) {
            let (tx, jobs, call) = (tx.clone(), &jobs, &call);
            scope.spawn(move || {
                let (ack_tx, ack_rx) = mpsc::sync_channel(1);
                while !control.is_stopped() {
                    let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).next();
                    let Some(job) = next else { break };
                    if write_ahead {
                        let asked = tx.send(Message::Sending { row: job.row, ack: ack_tx.clone() });
                        if asked.is_err() || !ack_rx.recv().unwrap_or(false) {
                            break;
                        }
                    }
                    control.in_flight.fetch_add(1, Ordering::SeqCst);
                    if tx.send(Message::Done { row: job.row, result: call(&job) }).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for message in rx {
            let (row, result) = match message {
                Message::Sending { row, ack } => {
                    let may_send = summary.write_error.is_none() && !control.is_stopped() && {
                        match write(control, || sink.sent(row)) {
                            Ok(()) => true,
                            Err(e) => {
                                summary.write_error = Some(e);
                                control.halt();
                                false
                            }
                        }
                    };
                    // The worker waits for the answer; it is gone only if it panicked.
                    let _ = ack.send(may_send);
                    continue;
                }
                Message::Done { row, result } => (row, result),
            };
            summary.sent += 1;
            let (line, failure) = match result {
                Ok(data) => match results::ok_line(row, &data) {
                    Ok(line) => (line, None),
                    Err(e) => {
                        (results::unreadable_data_line(row, &e), Some((Outcome::Unknown, failure::DECODE)))
                    }
                },
                Err(e) => (results::error_line(row, &e), Some((e.outcome(), failure::for_error(&e)))),
            };
            let written = match summary.write_error {
                Some(_) => None,
                None => Some(write(control, || sink.outcome(&line))),
            };
            control.in_flight.fetch_sub(1, Ordering::SeqCst);
            match written {
                Some(Ok(())) => {
                    summary.record(failure);
                    progress.row_done(failure.is_none());
                }
                Some(Err(e)) => {
                    summary.write_error = Some(e);
                    summary.unrecorded.push(row);
                    control.halt();
                }
                None => summary.unrecorded.push(row),
            }
        }
    });
    summary.unrecorded.sort_unstable();
    summary.interrupted = control.interrupted();
    summary
}

/// One record, while no one holds [`Control::hold_writes`].
fn write(control: &Control, record: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
    let _writing = control.hold_writes();
    record()
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

    /// [`run`] of `n` jobs with their lines written to `out`.
    fn run_lines(
        n: usize,
        concurrency: usize,
        control: &Control,
        out: &mut dyn Write,
        progress: &Progress,
        client: &zv_api::blocking::Client,
    ) -> Summary {
        let mut sink = Lines { out, progress };
        run(jobs(n).into_iter(), n, concurrency, control, &mut sink, progress, |job| send(client, job))
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
        let summary = run_lines(40, 4, &control, &mut out, &progress, &client);
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
        let summary = run_lines(5, 2, &control, &mut out, &progress, &client);
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
        assert_eq!(summary.exit_code(), failure::TRANSPORT);
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
        let summary = run_lines(10, 1, &control, &mut out, &progress, &client);
        let rows: Vec<u64> = lines(&out).iter().map(|l| l["row"].as_u64().unwrap()).collect();
        assert_eq!(rows, [1, 2, 3]);
        assert!(summary.interrupted);
        assert_eq!((summary.sent, summary.not_started(), summary.exit_code()), (3, 7, failure::INTERRUPTED));
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
        let summary = run_lines(10, 1, &control, &mut Full(2), &progress, &client);
        assert_eq!(summary.ok, 2);
        // row 3's line failed; the worker may have made row 4's call meanwhile (one a worker)
        assert!(summary.write_error.is_some() && summary.unrecorded.first() == Some(&3), "{summary:?}");
        assert!(summary.unrecorded.len() <= 2 && summary.sent == 2 + summary.unrecorded.len(), "{summary:?}");
        assert!(summary.not_started() > 0 && summary.sent < 10);
        assert_eq!(summary.exit_code(), failure::INTERNAL);
    }

    /// A sink that keeps its records in order, and fails from the `fail_at`-th record on.
    #[derive(Default)]
    struct Log {
        records: Arc<Mutex<Vec<String>>>,
        fail_at: Option<usize>,
    }

    impl Sink for Log {
        fn write_ahead(&self) -> bool {
            true
        }
        fn sent(&mut self, row: usize) -> io::Result<()> {
            self.push(format!("sent {row}"))
        }
        fn outcome(&mut self, line: &str) -> io::Result<()> {
            let row: Value = serde_json::from_str(line).unwrap();
            self.push(format!("done {}", row["row"]))
        }
    }

    impl Log {
        fn push(&mut self, record: String) -> io::Result<()> {
            let mut records = self.records.lock().unwrap();
            if self.fail_at.is_some_and(|n| records.len() + 1 >= n) {
                return Err(io::Error::other("disk full"));
            }
            records.push(record);
            Ok(())
        }
    }

    #[test]
    fn with_write_ahead_each_call_is_recorded_sent_before_it_is_made() {
        let log = Log::default();
        let records = log.records.clone();
        let seen = records.clone();
        let client = client(move |row| {
            assert!(
                seen.lock().unwrap().contains(&format!("sent {row}")),
                "row {row} sent before its record"
            );
            Ok((200, ok_body(row)))
        });
        let (control, progress) = (Control::new(), Progress::hidden(20));
        let mut sink = log;
        let summary =
            run(jobs(20).into_iter(), 20, 3, &control, &mut sink, &progress, |job| send(&client, job));
        assert_eq!((summary.ok, summary.exit_code()), (20, 0));
        let records = records.lock().unwrap();
        for row in 1..=20 {
            let sent = records.iter().position(|r| *r == format!("sent {row}")).unwrap();
            let done = records.iter().position(|r| *r == format!("done {row}")).unwrap();
            assert!(sent < done);
        }
    }

    #[test]
    fn a_sent_record_that_cannot_be_written_stops_the_batch_and_its_row_is_not_sent() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let made = calls.clone();
        let client = client(move |row| {
            made.lock().unwrap().push(row);
            Ok((200, ok_body(row)))
        });
        // records 1 to 4 are written (sent 1, done 1, sent 2, done 2), the fifth fails
        let mut sink = Log { fail_at: Some(5), ..Log::default() };
        let (control, progress) = (Control::new(), Progress::hidden(10));
        let summary =
            run(jobs(10).into_iter(), 10, 1, &control, &mut sink, &progress, |job| send(&client, job));
        assert_eq!(*calls.lock().unwrap(), [1, 2], "row 3 was not sent: its record failed");
        assert_eq!((summary.sent, summary.ok, summary.not_started()), (2, 2, 8));
        assert!(summary.write_error.is_some() && summary.unrecorded.is_empty());
        assert_eq!(summary.exit_code(), failure::INTERNAL);
    }
}
