//! The embedded default end to end, month by month: COB for every business day, Close month,
//! Send, reconcile. Shared by `tieout demo` and `tieout bench`.
//!
//! Every step is safe to run again, which is what makes the demo resumable: a COB date that ran
//! is recorded in the job-run ledger and does nothing the second time; a sent month is skipped; a
//! month left `sending` by a killed run is sent again (each entry is looked up in the ledger file
//! by its key before it is posted again); a reconciliation is read-only.
//!
//! A pipeline assumes it is the only process working on its store (the demo holds a lock on its
//! directory): a COB date or a proposal a killed run left half-done is taken over at once,
//! instead of after the minutes a shared deployment waits for a process that may still be alive.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use tieout_core::connector::{AccountingSink, ServicingSource};
use tieout_core::money::Currency;
use tieout_engine::reconcile::Reconciliation;
use tieout_period::{Books, CobOptions, CobReport, SendOptions, close_month, reconcile, run_cob_with, send};
use tieout_store::{PeriodStatus, Severity, Store, YearMonth};

use super::clock::SimulatedClock;
use super::progress;

/// Everything a run needs, built once.
pub struct Pipeline<'a> {
    pub store: &'a Store,
    pub books: Books<'a>,
    pub source: &'a dyn ServicingSource,
    pub sink: &'a dyn AccountingSink,
    pub clock: &'a SimulatedClock,
    /// Who closes and sends (the audit log's user).
    pub actor: &'a str,
}

/// How long a send's claim holds. The ledger file takes a batch in milliseconds; a killed run's
/// claims then free up quickly for the next run.
const LEASE: Duration = Duration::from_secs(5);
/// Sends of one month before giving up on entries that stay claimed.
const SEND_ROUNDS: u32 = 20;

/// What COB did over some business days.
#[derive(Clone, Copy, Debug, Default)]
pub struct CobTotals {
    /// Days run now (not counting days a previous run had done).
    pub days_run: u64,
    pub days_skipped: u64,
    pub source_events: u64,
    pub accrual_events: u64,
    /// Wall time of the days run now.
    pub elapsed: Duration,
    /// The slowest day run now.
    pub slowest: Duration,
}

/// One month closed and sent.
#[derive(Clone, Debug)]
pub struct MonthResult {
    pub period: YearMonth,
    /// Proposed entries: what was posted.
    pub entries: u64,
    /// When this run closed the month: the events journalized and the loan-level entries under
    /// the proposed ones.
    pub events: u64,
    pub detail_entries: u64,
    /// Entries posted by this run, and found already posted by a killed earlier run.
    pub posted: u64,
    pub found: u64,
    /// Debits (= credits) posted, per currency.
    pub totals: BTreeMap<Currency, Decimal>,
    /// Time to close (propose) and to send.
    pub close_time: Duration,
    pub send_time: Duration,
}

impl Pipeline<'_> {
    /// COB for every business day from `from` through `through`, each seen from the morning
    /// after it (so the simulator has released that day's events).
    pub async fn cob_days(&self, from: NaiveDate, through: NaiveDate) -> anyhow::Result<CobTotals> {
        let days = u64::try_from((through - from).num_days() + 1).unwrap_or(0);
        let bar = progress::bar(days, "COB");
        let mut totals = CobTotals::default();
        let mut day = from;
        while day <= through {
            bar.set_message(day.to_string());
            self.clock.morning_after(day);
            let started = Instant::now();
            let report = run_cob_with(self.store, &self.books, self.source, day, &cob_options())
                .await
                .with_context(|| format!("close of business for {day}"))?;
            let took = started.elapsed();
            add_day(&mut totals, &report, took);
            bar.inc(1);
            day = day.succ_opt().context("the calendar ran out of days")?;
        }
        bar.finish_and_clear();
        Ok(totals)
    }

    /// Close month then Send, as finance would, with COB run through `through` (the month's last
    /// day, or an earlier one for a month still in progress): stops with the problems listed when
    /// the proposal has any. A month already sent is reported from the store.
    pub async fn close_and_send(&self, period: YearMonth, through: NaiveDate) -> anyhow::Result<MonthResult> {
        let client = self.books.client;
        let mut status = self.store.periods().get(client, period).await?.map(|p| p.status);
        if status == Some(PeriodStatus::Proposing) {
            // A killed run was proposing it: nothing was staged for good (a proposal stages
            // atomically), so the month goes back to open and is proposed again.
            self.store
                .periods()
                .transition(client, period, PeriodStatus::Proposing, PeriodStatus::Open, self.actor)
                .await
                .with_context(|| format!("taking over the proposal of {period} a killed run left"))?;
            status = Some(PeriodStatus::Open);
        }
        let mut result = MonthResult {
            period,
            entries: 0,
            events: 0,
            detail_entries: 0,
            posted: 0,
            found: 0,
            totals: BTreeMap::new(),
            close_time: Duration::ZERO,
            send_time: Duration::ZERO,
        };
        if matches!(status, None | Some(PeriodStatus::Open | PeriodStatus::Proposed)) {
            let spinner = progress::spinner(format!("Closing {period}"));
            let started = Instant::now();
            // The morning after `through`: everything through it has arrived.
            let today = through.succ_opt().context("the calendar ran out of days")?;
            self.clock.morning_after(through);
            let closed = close_month(self.store, &self.books, self.source, self.sink, period, self.actor, today)
                .await
                .with_context(|| format!("closing {period}"))?;
            result.close_time = started.elapsed();
            result.events = closed.proposal.events;
            result.detail_entries = closed.proposal.detail_entries;
            spinner.finish_and_clear();
            let blocking: Vec<_> = closed.proposal.problems.iter().filter(|p| p.severity == Severity::Error).collect();
            if !blocking.is_empty() {
                let mut message = format!("{period} has {} problem(s) that block sending:", blocking.len());
                for p in blocking.iter().take(10) {
                    message.push_str(&format!("\n  [{}] {} Fix: {}", p.code, p.sentence, p.fix));
                }
                bail!(message);
            }
        }
        if status != Some(PeriodStatus::Sent) {
            let spinner = progress::spinner(format!("Sending {period}"));
            let started = Instant::now();
            let options = SendOptions { lease: LEASE, ..SendOptions::default() };
            let mut round = 1;
            loop {
                let report = send(self.store, &self.books, self.sink, period, self.actor, &options)
                    .await
                    .with_context(|| format!("sending {period}"))?;
                result.posted += report.posted;
                result.found += report.found;
                if report.status == PeriodStatus::Sent {
                    break;
                }
                // Entries a killed run had claimed come free when its lease ends; failed ones
                // need a person.
                let held = report.counts.sending + report.counts.pending;
                if report.counts.failed > 0 || held == 0 || round == SEND_ROUNDS {
                    bail!("{}", report.summary());
                }
                round += 1;
                tokio::time::sleep(LEASE).await;
            }
            result.send_time = started.elapsed();
            spinner.finish_and_clear();
        }
        for staged in self.store.entries().list(client, period).await? {
            result.entries += 1;
            *result.totals.entry(staged.entry.currency()).or_default() += staged.entry.total();
        }
        Ok(result)
    }

    /// Reconciles as of `as_of` (servicing vs Tieout's ledger vs the ledger file).
    pub async fn reconcile(&self, as_of: NaiveDate) -> anyhow::Result<Reconciliation> {
        let spinner = progress::spinner(format!("Reconciling as of {as_of}"));
        let result = reconcile(self.store, &self.books, self.source, self.sink, as_of)
            .await
            .with_context(|| format!("reconciling as of {as_of}"))?;
        spinner.finish_and_clear();
        Ok(result)
    }
}

/// COB as the only process on the store: a date a killed run left `running` is taken over now.
fn cob_options() -> CobOptions {
    CobOptions {
        stale_after: Duration::ZERO,
        owner: format!("demo pid {}", std::process::id()),
        ..CobOptions::default()
    }
}

fn add_day(totals: &mut CobTotals, report: &CobReport, took: Duration) {
    if !report.ran {
        totals.days_skipped += 1;
        return;
    }
    totals.days_run += 1;
    totals.elapsed += took;
    totals.slowest = totals.slowest.max(took);
    totals.source_events += report.synced.new;
    totals.accrual_events += report.accrual.as_ref().map_or(0, |a| a.new_events);
}
