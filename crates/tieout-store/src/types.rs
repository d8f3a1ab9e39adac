//! Plain types of the store's API: accounting months and the status machines.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// Which database a store runs on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Backend {
    /// One file, one machine (the default).
    Sqlite,
    /// Many workers on many machines.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// An accounting month, written `YYYY-MM`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

/// Text that is not a `YYYY-MM` month.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("'{0}' is not a month: write it as YYYY-MM, e.g. 2026-10")]
pub struct InvalidYearMonth(pub String);

impl YearMonth {
    /// A month of the years 1 to 9999.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(YearMonth { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        YearMonth { year: date.year(), month: date.month() }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        // `new` admits only valid months, whose first day exists.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            YearMonth { year: self.year + 1, month: 1 }
        } else {
            YearMonth { month: self.month + 1, ..self }
        }
    }

    pub fn prev(self) -> Self {
        if self.month == 1 {
            YearMonth { year: self.year - 1, month: 12 }
        } else {
            YearMonth { month: self.month - 1, ..self }
        }
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        YearMonth::of(date) == self
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Debug for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for YearMonth {
    type Err = InvalidYearMonth;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidYearMonth(s.to_owned());
        let (year, month) = s.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 || !(year.bytes().chain(month.bytes()).all(|b| b.is_ascii_digit())) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        YearMonth::new(year, month).ok_or_else(bad)
    }
}

macro_rules! status_enum {
    ($(#[$meta:meta])* $ty:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $name:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum $ty {
            $($(#[$vmeta])* $variant),+
        }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    other => Err(UnknownName { what: $what, name: other.to_owned() }),
                }
            }
        }
    };
}

/// A status or kind name that the store does not know.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("unknown {what} '{name}'")]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
}

status_enum!(
    /// Where a month is in the close (DESIGN.md section 7).
    PeriodStatus, "period status", {
        /// Events are booked into it; nothing proposed yet (or reopened).
        Open => "open",
        /// The proposing job is building its entries.
        Proposing => "proposing",
        /// Entries and problems are ready for review.
        Proposed => "proposed",
        /// Send started: entries are being posted to the sink.
        Sending => "sending",
        /// Every entry is posted; the month never changes again.
        Sent => "sent",
    }
);

impl PeriodStatus {
    /// The statuses this one may move to. `open → proposing → proposed → sending → sent` is the
    /// close; `proposing → open` is a proposing job that gave up, `proposed → proposing` a reload,
    /// `proposed → open` a reopen, and `sending → proposed` a send abandoned with entries that
    /// failed for good (fix them, reload, send again: posted keys are never posted twice).
    pub fn next(self) -> &'static [PeriodStatus] {
        use PeriodStatus::*;
        match self {
            Open => &[Proposing],
            Proposing => &[Proposed, Open],
            Proposed => &[Proposing, Open, Sending],
            Sending => &[Sent, Proposed],
            Sent => &[],
        }
    }

    pub fn can_go_to(self, to: PeriodStatus) -> bool {
        self.next().contains(&to)
    }

    /// Whether entries may be (re)staged: while nothing has been sent.
    pub fn accepts_staging(self) -> bool {
        matches!(self, PeriodStatus::Open | PeriodStatus::Proposing)
    }
}

status_enum!(
    /// Where one entry is in the exactly-once send (DESIGN.md section 8).
    PostingStatus, "posting status", {
        /// Not sent yet.
        Pending => "pending",
        /// Claimed and (maybe) handed to the sink: committed before the sink is called. After a
        /// crash the sink must be asked for the key before sending again.
        Sending => "sending",
        /// The sink holds it; the external id is recorded. Never changes again.
        Posted => "posted",
        /// The sink refused it. Retryable failures are claimed again; others wait for a fix and
        /// [`crate::Postings::retry_failed`].
        Failed => "failed",
    }
);

status_enum!(
    /// A job run of the run ledger.
    JobStatus, "job status", {
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
);

status_enum!(
    /// How much a problem matters: errors block sending, warnings are shown.
    Severity, "severity", {
        Error => "error",
        Warning => "warning",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_months_parse_strictly_and_know_their_days() {
        let october: YearMonth = "2026-10".parse().unwrap();
        assert_eq!(october.to_string(), "2026-10");
        assert_eq!(october.first_day(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(october.last_day(), NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
        assert_eq!("2028-02".parse::<YearMonth>().unwrap().last_day().day(), 29);
        assert_eq!("2026-12".parse::<YearMonth>().unwrap().next().to_string(), "2027-01");
        assert_eq!("2026-01".parse::<YearMonth>().unwrap().prev().to_string(), "2025-12");
        for bad in ["2026-13", "2026-1", "26-10", "2026/10", "2026-00", "+026-10", ""] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn period_status_machine_has_the_designed_edges() {
        use PeriodStatus::*;
        assert!(Open.can_go_to(Proposing) && Proposing.can_go_to(Proposed) && Proposed.can_go_to(Sending));
        assert!(Sending.can_go_to(Sent) && Proposed.can_go_to(Open) && Proposed.can_go_to(Proposing));
        assert!(!Open.can_go_to(Sending) && !Sent.can_go_to(Open) && !Open.can_go_to(Sent));
        for status in PeriodStatus::ALL {
            assert_eq!(status.as_str().parse::<PeriodStatus>(), Ok(*status));
        }
    }
}
