//! Job schedules: a cron expression and the time zone it is read in.
//!
//! Expressions are read by the `cron` crate, the one apalis-cron uses, so what passes here is
//! what the scheduler runs. Two rules are stricter than that crate: exactly six fields (seconds
//! first; a five-field line from a crontab would otherwise be refused with a bare caret, and a
//! seventh year field is never what a daily job wants), and day-of-week by name only, because
//! that crate counts 1 as Sunday where Unix cron counts 1 as Monday.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

use super::time_zone::TzValue;

const FIELDS: &str = "second minute hour day-of-month month day-of-week";

/// A checked cron expression: six fields, seconds first (`"0 30 1 * * *"` is 01:30:00 daily).
#[derive(Clone)]
pub struct CronExpr {
    text: String,
    schedule: cron::Schedule,
}

impl CronExpr {
    /// Checks an expression; the error says what is wrong and how to write it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        match fields.len() {
            6 => {}
            5 => {
                return Err(format!(
                    "cron '{text}' has 5 fields; Tieout's has 6, seconds first ({FIELDS}): write \"0 {}\"",
                    fields.join(" ")
                ));
            }
            n => return Err(format!("cron '{text}' has {n} fields; write 6: {FIELDS}, e.g. \"0 30 1 * * *\"")),
        }
        if fields[5].bytes().any(|b| b.is_ascii_digit()) {
            return Err(format!(
                "cron '{text}': write days of the week by name (MON-FRI, SUN), not by number; cron dialects \
                 disagree on whether 1 is Sunday or Monday"
            ));
        }
        let schedule = cron::Schedule::from_str(text).map_err(|e| {
            // The crate's message is the expression, a caret line and sometimes a sentence;
            // the sentence is the useful part.
            let detail = e.to_string();
            let reason = detail.lines().map(str::trim).rfind(|l| !l.is_empty() && *l != "^").unwrap_or("");
            let reason = if reason == text.trim() { "not a cron expression" } else { reason };
            format!("cron '{text}': {reason}; the fields are {FIELDS}, e.g. \"0 30 1 * * *\"")
        })?;
        if schedule.after(&DateTime::<Utc>::UNIX_EPOCH).next().is_none() {
            return Err(format!("cron '{text}' never fires (a day that no month has?): correct the date fields"));
        }
        Ok(CronExpr { text: text.to_owned(), schedule })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed schedule, for the scheduler.
    pub fn schedule(&self) -> &cron::Schedule {
        &self.schedule
    }
}

impl fmt::Debug for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CronExpr({:?})", self.text)
    }
}

impl fmt::Display for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for CronExpr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for CronExpr {}

impl<'de> Deserialize<'de> for CronExpr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CronExpr::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A client job that runs on a schedule.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Job {
    /// Close of business: sync events, accrue, journalize (DESIGN.md section 6).
    Cob,
    /// Posting the accrual activity of installments due.
    AccrualActivity,
    /// Reconciliation of servicing, Tieout and the accounting package (DESIGN.md section 9).
    Reconcile,
}

impl Job {
    /// Every scheduled job, in the order they run in a day.
    pub const ALL: [Job; 3] = [Job::Cob, Job::AccrualActivity, Job::Reconcile];

    /// The name under `[schedules]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Job::Cob => "cob",
            Job::AccrualActivity => "accrual_activity",
            Job::Reconcile => "reconcile",
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a job runs: its cron expression, read in its time zone.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JobSchedule {
    /// The cron expression.
    pub cron: CronExpr,
    /// The zone the expression is read in: the schedule's own `time_zone`, else the client's.
    pub time_zone: Tz,
}

impl JobSchedule {
    /// The first firing strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&self.time_zone);
        self.cron.schedule().after(&local).next().map(|t| t.with_timezone(&Utc))
    }
}

/// A client's schedules; a job without one runs only when started by hand.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Schedules {
    /// `[schedules.cob]`.
    pub cob: Option<JobSchedule>,
    /// `[schedules.accrual_activity]`.
    pub accrual_activity: Option<JobSchedule>,
    /// `[schedules.reconcile]`.
    pub reconcile: Option<JobSchedule>,
}

impl Schedules {
    /// The schedule of `job`, if it has one.
    pub fn get(&self, job: Job) -> Option<&JobSchedule> {
        match job {
            Job::Cob => self.cob.as_ref(),
            Job::AccrualActivity => self.accrual_activity.as_ref(),
            Job::Reconcile => self.reconcile.as_ref(),
        }
    }

    /// The scheduled jobs with their schedules.
    pub fn iter(&self) -> impl Iterator<Item = (Job, &JobSchedule)> {
        Job::ALL.into_iter().filter_map(|job| self.get(job).map(|s| (job, s)))
    }
}

/// `[schedules]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSchedules {
    cob: Option<RawSchedule>,
    accrual_activity: Option<RawSchedule>,
    reconcile: Option<RawSchedule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    cron: CronExpr,
    time_zone: Option<TzValue>,
}

impl RawSchedules {
    /// The schedules, each in its own zone or else `client_zone`.
    pub(crate) fn resolve(self, client_zone: Tz) -> Schedules {
        let resolve = |raw: Option<RawSchedule>| {
            raw.map(|r| JobSchedule { cron: r.cron, time_zone: r.time_zone.map_or(client_zone, |tz| tz.0) })
        };
        Schedules {
            cob: resolve(self.cob),
            accrual_activity: resolve(self.accrual_activity),
            reconcile: resolve(self.reconcile),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_fields_with_seconds_are_required() {
        assert!(CronExpr::parse("0 30 1 * * *").is_ok());
        assert!(CronExpr::parse("0 0 6 * * MON-FRI").is_ok());
        assert_eq!(
            CronExpr::parse("30 1 * * *").unwrap_err(),
            "cron '30 1 * * *' has 5 fields; Tieout's has 6, seconds first (second minute hour day-of-month \
             month day-of-week): write \"0 30 1 * * *\""
        );
        assert!(CronExpr::parse("0 0 6 * * * 2026").unwrap_err().contains("has 7 fields"));
    }

    #[test]
    fn numeric_days_of_the_week_are_refused() {
        assert!(CronExpr::parse("0 0 6 * * 1").unwrap_err().contains("by name"));
    }

    #[test]
    fn the_crates_reason_is_kept_and_impossible_dates_refused() {
        let err = CronExpr::parse("0 61 1 * * *").unwrap_err();
        assert!(err.starts_with("cron '0 61 1 * * *': Minutes must be"), "{err}");
        assert!(CronExpr::parse("0 0 0 30 Feb *").unwrap_err().contains("never fires"));
        let err = CronExpr::parse("x 0 0 * * *").unwrap_err();
        assert!(err.contains("the fields are"), "{err}");
    }

    #[test]
    fn a_schedule_fires_in_its_zone() {
        let s = JobSchedule { cron: CronExpr::parse("0 30 1 * * *").unwrap(), time_zone: Tz::America__New_York };
        let after = DateTime::parse_from_rfc3339("2026-11-22T00:00:00Z").unwrap().with_timezone(&Utc);
        // 01:30 in New York (EST, UTC-5) is 06:30 UTC.
        let next = s.next_after(after).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-22T06:30:00+00:00");
    }
}
