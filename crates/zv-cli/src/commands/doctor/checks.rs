//! `zv doctor`'s checklist: each check's verdict, its line, and the rules that are not I/O
//! (how much clock skew is too much, what a probe's answer says).

use std::fmt::Write as _;

use crate::output::data::Data;

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Fine.
    Pass,
    /// Fine for now, but worth fixing (counts as a pass).
    Warn,
    /// Not fine: `zv doctor` exits non-zero.
    Fail,
    /// Could not be told (e.g. the gateway throttled the probe): not a pass, `zv doctor`
    /// exits non-zero.
    Inconclusive,
}

impl Status {
    /// Whether it counts as a pass: [`Pass`](Status::Pass) or [`Warn`](Status::Warn).
    pub const fn passes(self) -> bool {
        matches!(self, Status::Pass | Status::Warn)
    }

    /// `pass`, `warn` or `fail`.
    pub const fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Inconclusive => "inconclusive",
        }
    }
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was checked (`base URL`, `DNS`, `clock`, …).
    pub name: &'static str,
    /// The verdict.
    pub status: Status,
    /// What was found, on one line.
    pub detail: String,
    /// How long it took, for the network checks.
    pub millis: Option<f64>,
}

impl Check {
    /// A check.
    pub fn new(name: &'static str, status: Status, detail: impl Into<String>) -> Check {
        Check { name, status, detail: detail.into(), millis: None }
    }

    /// With the time it took.
    pub fn timed(mut self, elapsed: std::time::Duration) -> Check {
        self.millis = Some(elapsed.as_secs_f64() * 1e3);
        self
    }

    /// `✔ DNS          openapi.qmai.cn → 1.2.3.4 (3 ms)`; a warning is a ✔ that says so.
    pub fn line(&self) -> String {
        let mark = match self.status {
            Status::Pass | Status::Warn => '✔',
            Status::Fail => '✘',
            Status::Inconclusive => '?',
        };
        let mut line = format!("{mark} {:<13}", self.name);
        if self.status == Status::Warn {
            line.push_str("warning: ");
        }
        line.push_str(&crate::output::render::replace_unsafe(&self.detail));
        if let Some(ms) = self.millis {
            let _ = write!(line, " ({ms:.0} ms)");
        }
        line
    }

    /// The check as `--json` shows it: `check`, `status`, `ok`, `detail`, `ms`.
    pub fn to_data(&self) -> Data {
        Data::Object(vec![
            ("check".to_owned(), Data::String(self.name.to_owned())),
            ("status".to_owned(), Data::String(self.status.name().to_owned())),
            ("ok".to_owned(), Data::Bool(self.status.passes())),
            ("detail".to_owned(), Data::String(self.detail.clone())),
            ("ms".to_owned(), self.millis.map_or(Data::Null, |ms| Data::Number(format!("{ms:.1}")))),
        ])
    }
}

/// Skew above this many seconds is a warning.
pub const SKEW_WARN_SECS: u64 = 60;
/// Skew above this many seconds fails: the gateway refuses timestamps beyond 300 s.
pub const SKEW_FAIL_SECS: u64 = 240;

/// The clock check for `skew` seconds (local time minus the gateway's `Date`).
pub fn clock(skew: i64) -> Check {
    let off = skew.unsigned_abs();
    let direction = if skew >= 0 { "ahead of" } else { "behind" };
    let detail = format!("the local clock is {off} s {direction} the gateway's Date header");
    let status = match off {
        s if s > SKEW_FAIL_SECS => Status::Fail,
        s if s > SKEW_WARN_SECS => Status::Warn,
        _ => Status::Pass,
    };
    let detail = match status {
        Status::Pass | Status::Inconclusive => detail,
        Status::Warn => {
            format!("{detail} (over {SKEW_WARN_SECS} s; the gateway refuses beyond 300 s): sync the clock")
        }
        Status::Fail => {
            format!("{detail}, near or past the gateway's 300 s limit: sync the clock (e.g. NTP)")
        }
    };
    Check::new("clock", status, detail)
}

/// What a signed probe's answer says, given the clock check (to tell a bad key from a bad
/// clock). A refused signature in any form fails: code 110004 whatever its `status`, or a
/// message that says so (验签, 签名, signature). A throttled answer is inconclusive. Any
/// other business answer passes: the envelope and signature were accepted. `now_unix`
/// reads a `Retry-After` date.
pub fn probe(result: Result<u16, &zv_api::Error>, clock: Option<Status>, now_unix: u64) -> Check {
    use zv_api::ErrorKind as K;
    let e = match result {
        Ok(status) => {
            return Check::new(
                "signed probe",
                Status::Pass,
                format!("a signed read was accepted (HTTP {status})"),
            );
        }
        Err(e) => e,
    };
    let line = crate::report::error_line(e);
    let message = e.api_error().map(|a| a.message.as_str()).unwrap_or_default();
    let code = e.api_code().map(|c| c.to_string());
    let signature =
        zv_api::hints::for_platform_error(code.as_deref(), message) == Some(zv_api::hints::SIGNATURE_HINT);
    let throttled = matches!(e.attempt_outcome(now_unix), zv_api::retry::AttemptOutcome::Throttled { .. });
    let (status, detail) = match e.kind() {
        K::ApiBusiness | K::ApiSystem if signature => {
            let why = if clock == Some(Status::Fail) {
                "the signature was refused, and the clock is off: sync the clock first"
            } else {
                "the signature was refused and the clock is fine: check the openKey, openId and grantCode"
            };
            (Status::Fail, format!("{why} ({line})"))
        }
        _ if throttled => (
            Status::Inconclusive,
            format!(
                "the gateway throttled the probe, so the signature is untested: run `zv doctor` again later ({line})"
            ),
        ),
        K::ApiBusiness => {
            (Status::Pass, format!("a signed read was accepted (the dummy code's answer: {line})"))
        }
        K::ApiSystem => (Status::Fail, format!("the gateway refused the request ({line})")),
        K::Transport | K::Http => (Status::Fail, format!("the gateway is unreachable or failing ({line})")),
        _ => (Status::Fail, line),
    };
    Check::new("signed probe", status, detail)
}

/// Whether every check passed (a warning passes; an inconclusive check does not).
pub fn all_pass(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.status.passes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_thresholds() {
        assert_eq!(clock(0).status, Status::Pass);
        assert_eq!(clock(-60).status, Status::Pass);
        assert_eq!(clock(61).status, Status::Warn);
        assert_eq!(clock(-240).status, Status::Warn);
        assert_eq!(clock(241).status, Status::Fail);
        assert!(clock(-300).detail.contains("300 s behind"));
        assert!(clock(75).line().starts_with("✔ clock        warning: "), "{}", clock(75).line());
        assert!(clock(400).line().starts_with("✘ clock"));
    }

    #[test]
    fn lines_and_json() {
        let c = Check::new("DNS", Status::Pass, "h → 1.2.3.4").timed(std::time::Duration::from_millis(3));
        assert_eq!(c.line(), "✔ DNS          h → 1.2.3.4 (3 ms)");
        assert_eq!(
            c.to_data().to_json(),
            r#"{"check":"DNS","status":"pass","ok":true,"detail":"h → 1.2.3.4","ms":3.0}"#
        );
        assert!(all_pass(&[c.clone(), clock(100)]));
        assert!(!all_pass(&[c, clock(1000)]));
    }
}
