//! The progress bar of a batch, on stderr: done/total, ok/failed, rate and ETA (indicatif).
//! Drawn only when stderr is a terminal; otherwise nothing at all is drawn, and
//! [`Progress::println`] writes plain lines.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar's layout: `[=====>    ] 120/200 ok 118 failed 2 · 9.8/s · ETA 8s`.
const TEMPLATE: &str = "{wide_bar} {pos}/{len} {msg} · {rate} · ETA {eta}";

/// The rate, calls a second with one decimal (indicatif's `{per_sec}` shows four).
fn rate(state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = write!(w, "{:.1}/s", state.per_sec());
}

/// A batch's progress: counts, and a bar drawn on stderr when it is a terminal. Cheap to
/// clone; every clone shows the same bar.
#[derive(Clone, Debug)]
pub struct Progress {
    bar: ProgressBar,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
}

impl Progress {
    /// A bar for `total` calls, drawn on stderr if `visible` (pass whether stderr is a
    /// terminal).
    pub fn new(total: u64, visible: bool) -> Progress {
        let target = if visible { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Progress::with_target(total, target)
    }

    /// A bar for `total` calls drawn on `target`.
    fn with_target(total: u64, target: ProgressDrawTarget) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), target);
        // The template is a constant that is known to parse; a failure would only lose the
        // layout, not the counts.
        if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
            bar.set_style(style.with_key("rate", rate).progress_chars("=> "));
        }
        let progress = Progress { bar, ok: Arc::default(), failed: Arc::default() };
        progress.show_counts();
        progress
    }

    #[cfg(test)]
    /// A bar that is never drawn (tests, and stderr not being a terminal).
    pub fn hidden(total: u64) -> Progress {
        Progress::new(total, false)
    }

    /// Whether the bar is drawn.
    pub fn is_visible(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// One call done, `ok` or failed.
    pub fn row_done(&self, ok: bool) {
        let counter = if ok { &self.ok } else { &self.failed };
        counter.fetch_add(1, Ordering::Relaxed);
        self.show_counts();
        self.bar.inc(1);
    }

    /// The calls done so far: (ok, failed).
    pub fn counts(&self) -> (u64, u64) {
        (self.ok.load(Ordering::Relaxed), self.failed.load(Ordering::Relaxed))
    }

    /// A line on stderr: above the bar when it is drawn, else as it is.
    pub fn println(&self, line: &str) {
        if self.is_visible() {
            self.bar.println(line);
        } else {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }

    /// Runs `write` (a line on stdout) with the bar cleared, and draws it again after: the
    /// line never runs into the bar when both are on one terminal.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        if self.is_visible() { self.bar.suspend(write) } else { write() }
    }

    /// Leaves the bar as it is (its last state stays on the terminal).
    pub fn finish(&self) {
        self.bar.abandon();
    }

    fn show_counts(&self) {
        let (ok, failed) = self.counts();
        self.bar.set_message(format!("ok {ok} failed {failed}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_bar_counts_and_draws_nothing() {
        let progress = Progress::hidden(3);
        assert!(!progress.is_visible());
        progress.row_done(true);
        progress.clone().row_done(false);
        progress.row_done(true);
        assert_eq!(progress.counts(), (2, 1));
        assert_eq!(progress.bar.position(), 3);
        assert_eq!(progress.bar.message(), "ok 2 failed 1");
        assert_eq!(progress.suspend(|| 7), 7);
    }

    /// A terminal that keeps what is drawn on it, and what else was written when.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<std::sync::Mutex<Vec<String>>>);

    impl Screen {
        fn push(&self, s: String) {
            self.0.lock().unwrap().push(s);
        }
    }

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
            self.push(format!("<up {n}>"));
            Ok(())
        }
        fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
            self.push(format!("<down {n}>"));
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.push(format!("{s}\n"));
            Ok(())
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.push(s.to_owned());
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.push("<clear>".into());
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_result_line_is_written_with_the_bar_cleared_and_the_rate_has_one_decimal() {
        let screen = Screen::default();
        let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
        let progress = Progress::with_target(10, target);
        progress.row_done(true);
        progress.bar.tick();
        progress.suspend(|| screen.push("RESULT\n".into()));
        let events = screen.0.lock().unwrap().clone();
        let at = events.iter().position(|e| e == "RESULT\n").unwrap();
        let before = &events[..at];
        let drawn = before.iter().rposition(|e| e.contains("1/10")).expect("the bar was drawn");
        assert!(before[drawn..].iter().any(|e| e == "<clear>"), "cleared before the line: {events:?}");
        assert!(events[at + 1..].iter().any(|e| e.contains("1/10")), "drawn again after: {events:?}");
        let bar = &events[drawn];
        let rate = bar.split(" · ").nth(1).unwrap();
        let (number, unit) = rate.split_once('/').unwrap();
        assert_eq!(unit, "s", "{bar}");
        let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
        assert_eq!(decimals, 1, "one decimal: {bar}");
    }
}
