//! The progress bar of a batch, on stderr: done/total, ok/failed, rate and ETA (indicatif).
//! Drawn only when stderr is a terminal; otherwise nothing at all is drawn, and
//! [`Progress::println`] writes plain lines.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar's layout: `[=====>    ] 120/200 ok 118 failed 2 · 9.8/s · ETA 8s`.
const TEMPLATE: &str = "{wide_bar} {pos}/{len} {msg} · {per_sec} · ETA {eta}";

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
        let bar = ProgressBar::with_draw_target(Some(total), target);
        // The template is a constant that is known to parse; a failure would only lose the
        // layout, not the counts.
        if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
            bar.set_style(style.progress_chars("=> "));
        }
        let progress = Progress { bar, ok: Arc::default(), failed: Arc::default() };
        progress.show_counts();
        progress
    }

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
    }
}
