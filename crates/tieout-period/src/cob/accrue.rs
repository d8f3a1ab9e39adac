//! Step 3 of COB for a source that does not accrue: every loan of the source's schedules, chunk
//! by chunk, restored from its stored state (or new), given its pending stops and schedule
//! changes, accrued through the business date; its accrual events and its new state written in
//! ONE transaction per chunk.
//!
//! Memory holds one chunk of loans (their schedules, states and events), whatever the size of
//! the book. A crash loses at most the chunk in flight: a loan is either still at its old state
//! with none of the chunk's events, or at its new state with all of them, and running the date
//! again accrues only the loans not yet at it (accruing a date already accrued posts nothing;
//! event ids are deterministic and the events table keeps one per id).

use std::collections::HashMap;

use chrono::NaiveDate;
use tieout_core::connector::{Cursor, LoanSchedule, ServicingSource};
use tieout_core::event::Event;
use tieout_core::ids::{ClientId, LoanId};
use tieout_engine::accrual::{AccrualError, AccrualOptions, AccrualPosting, LoanAccrual};
use tieout_store::{AccrualRecord, Store};

use super::lifecycle::{LoanChanges, MARKER, Pending};
use super::products::{ProductAccrual, Products};
use super::{ACCRUAL_SOURCE, AccrualReport, CobError, CobOptions};
use crate::Books;

/// Refused loans named in the report (the rest are counted).
const REFUSED_NAMED: usize = 20;

/// Accrues every loan of `source` through `date` (see the module docs).
pub(crate) async fn accrue_day(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    date: NaiveDate,
    options: &CobOptions,
) -> Result<AccrualReport, CobError> {
    let client = books.client;
    let mut products = Products::new(books.mapping, source.products().await?);
    let mut pending = Pending::load(store, client).await?;
    let mut report = AccrualReport::default();
    let page_size = options.page_size.min(source.capabilities().max_page_size.max(1)).max(1);

    let mut chunk: Vec<LoanSchedule> = Vec::with_capacity(options.chunk_loans);
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = source.schedules(cursor.as_ref(), page_size).await?;
        chunk.extend(page.items);
        let last = page.next.is_none();
        if chunk.len() >= options.chunk_loans || last {
            let mut day = Day { client, date, products: &mut products, pending: &mut pending, report: &mut report };
            day.chunk(store, &chunk).await?;
            chunk.clear();
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }

    // Stops and term changes of accruing loans the source did not report: kept for a later run
    // (the source may report the schedule late), and said.
    let unfound = pending.unfound(|product| matches!(products.accrual(product), ProductAccrual::Accrue(_)));
    report.unfound = unfound.iter().map(|(loan, _)| (*loan).clone()).take(REFUSED_NAMED).collect();
    report.unfound_count = unfound.len() as u64;
    let kept_from = unfound.first().map(|(_, changes)| changes.first_row);
    if !pending.is_empty()
        && let Some(marker) = pending.next_marker(kept_from)
    {
        store.cursors().set(client, MARKER, &marker.to_string()).await?;
    }

    let (behind, sample) = store.accruals().behind(client, date, REFUSED_NAMED as u64).await?;
    report.behind_count = behind;
    report.behind = sample;
    Ok(report)
}

/// One business date's work on the chunks of one run.
struct Day<'r, 'p> {
    client: &'r ClientId,
    date: NaiveDate,
    products: &'r mut Products<'p>,
    pending: &'r mut Pending,
    report: &'r mut AccrualReport,
}

/// What one loan did this date.
struct Moved {
    record: Option<AccrualRecord>,
    new: bool,
    rescheduled: bool,
    stopped: bool,
}

impl Day<'_, '_> {
    async fn chunk(&mut self, store: &Store, schedules: &[LoanSchedule]) -> Result<(), CobError> {
        let ids: Vec<LoanId> = schedules.iter().map(|s| s.loan_id.clone()).collect();
        let mut stored: HashMap<LoanId, AccrualRecord> =
            store.accruals().load(self.client, &ids).await?.into_iter().map(|r| (r.loan.clone(), r)).collect();
        let mut events: Vec<Event> = Vec::new();
        let mut records: Vec<AccrualRecord> = Vec::with_capacity(schedules.len());
        let mut postings: Vec<AccrualPosting> = Vec::new();
        for schedule in schedules {
            let options = match self.products.accrual(&schedule.product) {
                ProductAccrual::Accrue(options) => options,
                ProductAccrual::NotAccrued => {
                    self.report.not_accrued += 1;
                    continue;
                }
                ProductAccrual::NoRule => {
                    self.report.no_rule += 1;
                    if !self.report.no_rule_products.contains(&schedule.product) {
                        self.report.no_rule_products.push(schedule.product.clone());
                    }
                    continue;
                }
            };
            let changes = self.pending.take(&schedule.loan_id).cloned();
            let record = stored.remove(&schedule.loan_id);
            match self.loan(schedule, options, record, changes.as_ref(), &mut postings, &mut events) {
                Ok(moved) => {
                    self.report.loans += 1;
                    self.report.new_loans += u64::from(moved.new);
                    self.report.rescheduled += u64::from(moved.rescheduled);
                    self.report.stopped += u64::from(moved.stopped);
                    records.extend(moved.record);
                }
                Err(refused) => {
                    self.report.refused_count += 1;
                    if self.report.refused.len() < REFUSED_NAMED {
                        self.report.refused.push((schedule.loan_id.clone(), refused.to_string()));
                    }
                    tracing::warn!(
                        client = %self.client, business_date = %self.date, loan = %schedule.loan_id, error = %refused,
                        "COB could not accrue a loan."
                    );
                }
            }
        }
        if events.is_empty() && records.is_empty() {
            return Ok(());
        }
        let tx = store.begin().await?;
        let inserted = tx.events().insert_batch(self.client, ACCRUAL_SOURCE, &events).await?;
        tx.accruals().upsert(self.client, &records).await?;
        tx.commit().await?;
        self.report.events += events.len() as u64;
        self.report.new_events += inserted.new;
        self.report.chunks += 1;
        tracing::debug!(
            client = %self.client, business_date = %self.date, loans = schedules.len(), events = events.len(),
            "COB stored a chunk."
        );
        Ok(())
    }

    /// Moves one loan to the business date. A refusal leaves the loan as it was (its postings
    /// are dropped with it) and is reported; the loan catches up on a later date once fixed.
    fn loan(
        &self,
        schedule: &LoanSchedule,
        options: AccrualOptions,
        record: Option<AccrualRecord>,
        changes: Option<&LoanChanges>,
        postings: &mut Vec<AccrualPosting>,
        events: &mut Vec<Event>,
    ) -> Result<Moved, AccrualError> {
        postings.clear();
        let was_finished = record.as_ref().is_some_and(|r| !r.active);
        let (mut loan, new, rescheduled) = match &record {
            None => (LoanAccrual::new(schedule, options, &[])?, true, false),
            Some(record) => match LoanAccrual::restore(schedule, options, &[], &record.state) {
                Ok(loan) => (loan, false, false),
                Err(AccrualError::PlanChanged { .. }) => {
                    // A term change gives the date the new schedule takes effect; a schedule
                    // that changed without one (a backdated repayment) takes effect today. The
                    // adjustment corrects days accrued by today, so it is never dated later.
                    let effective = changes.and_then(|c| c.term_change).unwrap_or(self.date).min(self.date);
                    let loan =
                        LoanAccrual::restore_rescheduled(schedule, options, &[], &record.state, effective, postings)?;
                    (loan, false, true)
                }
                Err(other) => return Err(other),
            },
        };
        let stopped_before = loan.stopped();
        if let Some((stop, reason)) = changes.and_then(|c| c.stop) {
            loan.stop(stop, reason, postings);
        }
        loan.accrue(self.date, postings)?;
        let built: Result<Vec<Event>, AccrualError> = postings.iter().map(|p| loan.event(p)).collect();
        events.extend(built?);
        // A loan that had finished and did nothing today is left as stored: its row says all
        // there is, and not rewriting it keeps a day's cost to the loans that can still move.
        let stopped = loan.stopped() != stopped_before;
        let changed = new || rescheduled || stopped || !postings.is_empty();
        let record = (changed || !was_finished).then(|| AccrualRecord {
            loan: schedule.loan_id.clone(),
            product: schedule.product.clone(),
            state: loan.state(),
            active: !loan.is_finished(),
        });
        Ok(Moved { record, new, rescheduled, stopped })
    }
}
