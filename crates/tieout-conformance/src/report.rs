//! What a suite returns: a report of every check, or a failure that names each failed check.

use std::fmt;
use std::future::Future;
use std::time::Duration;

/// How one check ended.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Status {
    Passed,
    /// The check does not apply to this connector; the reason says why (and how to make it apply).
    Skipped(String),
    /// The check failed; the message says what was expected and what happened.
    Failed(String),
}

/// One check of a suite, named `suite.check` (`sink.repost_is_idempotent`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CheckRecord {
    pub name: String,
    pub status: Status,
}

/// The checks a suite ran, in order.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Report {
    /// What was tested: `sink 'memory'`, `mapping (standard@1)`.
    pub subject: String,
    pub checks: Vec<CheckRecord>,
}

impl Report {
    pub(crate) fn new(subject: impl Into<String>) -> Self {
        Report { subject: subject.into(), checks: Vec::new() }
    }

    /// Names of the checks that passed.
    pub fn passed(&self) -> Vec<&str> {
        self.checks.iter().filter(|c| c.status == Status::Passed).map(|c| c.name.as_str()).collect()
    }

    /// Names and reasons of the checks that were skipped.
    pub fn skipped(&self) -> Vec<(&str, &str)> {
        self.checks
            .iter()
            .filter_map(|c| match &c.status {
                Status::Skipped(why) => Some((c.name.as_str(), why.as_str())),
                _ => None,
            })
            .collect()
    }

    /// Names and messages of the checks that failed.
    pub fn failures(&self) -> Vec<(&str, &str)> {
        self.checks
            .iter()
            .filter_map(|c| match &c.status {
                Status::Failed(message) => Some((c.name.as_str(), message.as_str())),
                _ => None,
            })
            .collect()
    }

    /// The status of a check by name (`sink.repost_is_idempotent`).
    pub fn status(&self, check: &str) -> Option<&Status> {
        self.checks.iter().find(|c| c.name == check).map(|c| &c.status)
    }

    /// Appends another report's checks (used by the `all` functions).
    pub fn merge(&mut self, other: Report) {
        self.checks.extend(other.checks);
    }

    /// `Ok(self)` when no check failed.
    pub fn into_result(self) -> Result<Report, SuiteFailure> {
        if self.failures().is_empty() { Ok(self) } else { Err(SuiteFailure { report: self }) }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().len();
        let skipped = self.skipped();
        write!(
            f,
            "conformance of {}: {} checks, {} passed, {} skipped, {} failed",
            self.subject,
            self.checks.len(),
            self.passed().len(),
            skipped.len(),
            failed
        )?;
        for (name, message) in self.failures() {
            write!(f, "\n  FAILED {name}: {message}")?;
        }
        for (name, why) in skipped {
            write!(f, "\n  skipped {name}: {why}")?;
        }
        Ok(())
    }
}

/// A suite in which at least one check failed. `Debug` prints the same as `Display`, so that
/// `suite(..).await.unwrap()` in a test shows every failed check with its message.
#[derive(Clone, PartialEq, Eq)]
pub struct SuiteFailure {
    pub report: Report,
}

impl SuiteFailure {
    /// Names of the failed checks.
    pub fn failed_checks(&self) -> Vec<&str> {
        self.report.failures().into_iter().map(|(name, _)| name).collect()
    }

    /// The failure message of a check, if it failed.
    pub fn message(&self, check: &str) -> Option<&str> {
        match self.report.status(check) {
            Some(Status::Failed(message)) => Some(message),
            _ => None,
        }
    }
}

impl fmt::Display for SuiteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.report, f)
    }
}

impl fmt::Debug for SuiteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.report, f)
    }
}

impl std::error::Error for SuiteFailure {}

/// Why a check did not pass.
#[derive(Debug)]
pub(crate) enum Fail {
    Failed(String),
    Skipped(String),
}

/// What a check function returns.
pub(crate) type Outcome = Result<(), Fail>;

/// Fails the check with a formatted message.
macro_rules! fail {
    ($($arg:tt)*) => {
        return Err($crate::report::Fail::Failed(format!($($arg)*)))
    };
}

/// Fails the check unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => {
        if !$cond {
            $crate::report::fail!($($arg)*);
        }
    };
}

/// Skips the check with a formatted reason.
macro_rules! skip {
    ($($arg:tt)*) => {
        return Err($crate::report::Fail::Skipped(format!($($arg)*)))
    };
}

pub(crate) use {ensure, fail, skip};

/// Runs the checks of one suite, recording each outcome.
pub(crate) struct Run {
    pub(crate) report: Report,
    timeout: Duration,
}

impl Run {
    pub(crate) fn new(subject: impl Into<String>, timeout: Duration) -> Self {
        Run { report: Report::new(subject), timeout }
    }

    /// Runs one check, with the harness's time limit (a hang detector, not a benchmark).
    pub(crate) async fn check(&mut self, name: &str, check: impl Future<Output = Outcome>) {
        let status = match tokio::time::timeout(self.timeout, check).await {
            Ok(Ok(())) => Status::Passed,
            Ok(Err(Fail::Skipped(why))) => Status::Skipped(why),
            Ok(Err(Fail::Failed(message))) => Status::Failed(message),
            Err(_) => Status::Failed(format!(
                "did not finish within {} s: a call hangs or retries in a loop",
                self.timeout.as_secs()
            )),
        };
        self.report.checks.push(CheckRecord { name: name.to_owned(), status });
    }

    /// Records a synchronous check.
    pub(crate) fn check_sync(&mut self, name: &str, outcome: Outcome) {
        let status = match outcome {
            Ok(()) => Status::Passed,
            Err(Fail::Skipped(why)) => Status::Skipped(why),
            Err(Fail::Failed(message)) => Status::Failed(message),
        };
        self.report.checks.push(CheckRecord { name: name.to_owned(), status });
    }

    pub(crate) fn finish(self) -> Result<Report, SuiteFailure> {
        self.report.into_result()
    }
}
