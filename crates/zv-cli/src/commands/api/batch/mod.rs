//! Batches: `zv api PATH --each FILE [--concurrency N] [--out RESULTS] [--resume]`.
//!
//! One call per row of FILE, each row's values merged over the command's params (a row's
//! value wins over a `FIELD` argument, which wins over `--params`), and one JSON line per
//! row in RESULTS, in the order the calls complete:
//!
//! ```text
//! {"row":1,"ok":true,"data":{"id":164822200532619796511}}
//! {"row":2,"ok":false,"error":{"kind":"api_business","code":20001,"message":"查询的信息不存在","traceId":"7f3a"},"outcome":"rejected"}
//! ```
//!
//! The parts, each usable without a process:
//!
//! - [`input`]: the rows of a CSV file with a header (its columns become string params) or
//!   of a JSONL file (each line a params object, every value kept as its JSON text), read
//!   one at a time in linear time, all of them checked before anything is sent;
//! - [`results`]: the result lines; with `--out RESULTS` they are the outcome records of a
//!   [journal](crate::journal), which also records each write as `sent` before it is made,
//!   so `--resume` never sends a write again blindly;
//! - [`runner`]: N workers sending the rows with the blocking client, one writer recording
//!   each `sent` and each outcome whole, and a [`Control`] that stops the sending (Ctrl-C)
//!   while the calls in flight finish and are recorded;
//! - [`progress`]: the progress bar on stderr (done/total, ok/failed, rate, ETA), drawn only
//!   on a terminal.

pub mod input;
pub mod progress;
pub mod results;
pub mod run;
pub mod runner;

pub use input::{InputError, InputFormat, rows};
pub use progress::Progress;
pub use runner::{Control, Job, JournalSink, Lines, Summary, run};
