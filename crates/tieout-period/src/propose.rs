//! Close month / Reload: sync, book, journalize, summarize, validate, stage (DESIGN.md section 7).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use tieout_core::connector::{AccountingSink, ServicingSource};
use tieout_core::entry::{EntryBuilder, EntryHeader, EntryKey, JournalEntry};
use tieout_core::event::{Event, EventKind};
use tieout_core::ids::ClientId;
use tieout_core::ids::EventId;
use tieout_core::money::Money;
use tieout_engine::journal::{EventHistory, Journalizer, KeyScope};
use tieout_engine::rules::LoanState;
use tieout_engine::summarize::{Proposed, summarize};
use tieout_store::{PeriodStatus, PostingStatus, Problem, Severity, Store, YearMonth};

use crate::book::plan_bookings;
use crate::sync::{SyncReport, ensure_client, sync_events};
use crate::validate::{ProposalFacts, bad_entry, validate};
use crate::{Books, PeriodError, SYNC_PAGE_SIZE};

/// What a proposal did and found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProposeReport {
    pub period: YearMonth,
    pub synced: SyncReport,
    /// Events booked by this proposal (into this month or an earlier open one; late ones possibly
    /// into a later one, when this month was sent in part).
    pub booked: u64,
    /// Of them, late ones: dated in a closed (sent, or sent in part) or locked month, booked on
    /// another month's first day.
    pub late: u64,
    /// Events journalized for the month.
    pub events: u64,
    /// Proposed entries (what Send posts) and the loan-level entries under them.
    pub entries: u64,
    pub detail_entries: u64,
    /// The accounting package's lock date when the month was proposed.
    pub lock_date: Option<NaiveDate>,
    /// Every problem, errors first; errors block sending.
    pub problems: Vec<Problem>,
}

impl ProposeReport {
    /// Problems that block sending.
    pub fn blocking(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }
}

/// Close month (or Reload): moves the period `open`/`proposed` → `proposing` (compare-and-set;
/// `actor` is recorded as the preparer), syncs the chart of accounts and lock date from `sink` and
/// the events from `source`, books unbooked events (see the `book` module), journalizes the month's
/// events with keys scoped by client and source kind, summarizes them to the client's detail
/// level, validates, and stores the entries and the problems together; then `proposing` →
/// `proposed`. Proposing the same events again gives the same keys. If any step fails, the period
/// goes back to `open` (the previous proposal's entries stay staged until the next proposal).
pub async fn propose(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    sink: &dyn AccountingSink,
    period: YearMonth,
    actor: &str,
) -> Result<ProposeReport, PeriodError> {
    let client = books.client;
    ensure_client(store, client).await?;
    let current = store.periods().ensure(client, period).await?;
    match current.status {
        PeriodStatus::Open | PeriodStatus::Proposed => {
            store.periods().transition(client, period, current.status, PeriodStatus::Proposing, actor).await?;
        }
        PeriodStatus::Proposing => return Err(PeriodError::Busy { client: client.to_string(), period }),
        status @ (PeriodStatus::Sending | PeriodStatus::Sent) => {
            return Err(PeriodError::AlreadySent { client: client.to_string(), period, status });
        }
    }
    match build(store, books, source, sink, period).await {
        Ok(report) => {
            store.periods().transition(client, period, PeriodStatus::Proposing, PeriodStatus::Proposed, actor).await?;
            Ok(report)
        }
        Err(err) => {
            if let Err(back) =
                store.periods().transition(client, period, PeriodStatus::Proposing, PeriodStatus::Open, actor).await
            {
                tracing::warn!(client = %client, %period, error = %back, "Could not put a failed proposal back to open.");
            }
            Err(err)
        }
    }
}

async fn build(
    store: &Store,
    books: &Books<'_>,
    source: &dyn ServicingSource,
    sink: &dyn AccountingSink,
    period: YearMonth,
) -> Result<ProposeReport, PeriodError> {
    let client = books.client;
    let chart = sink.chart_of_accounts().await?;
    let lock_date = sink.lock_date().await?;
    let capabilities = sink.capabilities();
    let synced = sync_events(store, client, source, SYNC_PAGE_SIZE).await?;

    let unbooked = store.events().unbooked(client).await?;
    let periods = store.periods().list(client).await?;
    // Months with entries in the accounting package take no new events (see `book`), this one
    // included when its send was abandoned part-way.
    let posted_months = store.postings().periods_with_posted(client).await?;
    let plan = plan_bookings(&unbooked, &periods, &posted_months, period, lock_date);
    for month in &plan.new_months {
        store.periods().ensure(client, *month).await?;
    }
    let booked = store.events().book(client, &plan.bookings).await?;

    // The month's events, each on the date it is booked on; late ones keep their own date for the memo.
    let stored = store.events().in_period(client, period).await?;
    let mut original: BTreeMap<EventId, NaiveDate> = BTreeMap::new();
    let events: Vec<Event> = stored
        .iter()
        .map(|s| {
            let mut event = s.event.clone();
            if let (Some(date), Some(booked_on)) = (s.original_date(), s.booked_on) {
                original.insert(event.id.clone(), date);
                event.date = booked_on;
            }
            event
        })
        .collect();
    let scope = KeyScope { client: client.to_string(), source: source.kind().to_owned() };
    let history = EarlierEvents::load(store, client, &events).await?;
    let journal =
        Journalizer::new(books.rules, books.mapping, scope.clone()).journalize_with_history(&events, &history);
    let entries = journal.entries.into_iter().map(|e| with_original_date(e, &original)).collect();

    let mut problems = Vec::new();
    let proposals: Vec<Proposed> = match summarize(entries, books.detail, &scope, &books.rules.id()) {
        Ok(proposals) => proposals,
        Err(e) => {
            problems.push(bad_entry(&e.to_string()));
            Vec::new()
        }
    };
    // The month's entries posted before its send was abandoned: in the accounting package already,
    // so its lock date cannot refuse them.
    let posted: BTreeSet<EntryKey> = if posted_months.contains(&period) {
        let postings = store.postings().list(client, period).await?;
        postings.into_iter().filter(|p| p.status == PostingStatus::Posted).map(|p| p.key).collect()
    } else {
        BTreeSet::new()
    };
    let facts = ProposalFacts {
        period,
        posted: &posted,
        chart: &chart,
        lock_date,
        currencies: &capabilities.currencies,
        dimensions: &capabilities.dimensions,
        mapping: books.mapping,
    };
    problems.extend(validate(&facts, &journal.problems, &proposals));
    problems.sort_by_key(|p| p.severity != Severity::Error);

    let tx = store.begin().await?;
    let staged = tx.entries().stage(client, period, books.detail, &proposals).await?;
    tx.problems().replace_for_period(client, period, &problems).await?;
    tx.commit().await?;

    tracing::info!(
        client = %client, %period, entries = staged.entries, problems = problems.len(), "Proposed the month."
    );
    Ok(ProposeReport {
        period,
        synced,
        booked,
        late: plan.late,
        events: stored.len() as u64,
        entries: staged.entries,
        detail_entries: staged.detail_entries,
        lock_date,
        problems,
    })
}

/// The entry with "original date …" in its memo when its event was booked late.
fn with_original_date(entry: JournalEntry, original: &BTreeMap<EventId, NaiveDate>) -> JournalEntry {
    let dates: Vec<NaiveDate> = entry.events().iter().filter_map(|id| original.get(id).copied()).collect();
    let Some(date) = dates.into_iter().min() else { return entry };
    let header = entry.header();
    let note = format!("original date {date}");
    let memo = if header.memo.is_empty() { note } else { format!("{}; {note}", header.memo) };
    let mut builder = EntryBuilder::new(EntryHeader { memo, ..header.clone() });
    for line in entry.lines() {
        builder.push(
            line.side(),
            Money::new(line.amount(), entry.currency()),
            line.role(),
            line.account().clone(),
            line.source().clone(),
        );
    }
    // The same lines under the same key: it balanced before, so it balances now.
    match builder.build(entry.key().clone()) {
        Ok(rebuilt) => rebuilt,
        Err(_) => entry,
    }
}

/// Events of other months that this month's reversals name (following reversals of reversals),
/// with the loan state each was journalized in, so that a reversal of an event booked earlier
/// mirrors exactly what was booked for it.
struct EarlierEvents(BTreeMap<EventId, (Event, LoanState)>);

impl EarlierEvents {
    async fn load(store: &Store, client: &ClientId, month: &[Event]) -> Result<Self, PeriodError> {
        let in_month: std::collections::BTreeSet<&EventId> = month.iter().map(|e| &e.id).collect();
        let mut wanted: Vec<EventId> =
            month.iter().filter_map(|e| e.reverses.clone()).filter(|id| !in_month.contains(id)).collect();
        let mut found: BTreeMap<EventId, Event> = BTreeMap::new();
        while let Some(id) = wanted.pop() {
            if found.contains_key(&id) {
                continue;
            }
            if let Some(stored) = store.events().get(client, &id).await? {
                if let Some(next) = &stored.event.reverses
                    && !in_month.contains(next)
                {
                    wanted.push(next.clone());
                }
                found.insert(id, stored.event);
            }
        }
        if found.is_empty() {
            return Ok(EarlierEvents(BTreeMap::new()));
        }
        // The loans' earlier events, in the order they were journalized, for their charged-off state.
        let loans: std::collections::BTreeSet<_> = found.values().map(|e| e.loan_id.clone()).collect();
        let mut loan_events: Vec<Event> = Vec::new();
        for period in store.periods().list(client).await? {
            for stored in store.events().in_period(client, period.period).await? {
                if loans.contains(&stored.event.loan_id) {
                    loan_events.push(stored.event);
                }
            }
        }
        loan_events.sort_by_key(|e| e.date);
        let with_state = found
            .into_iter()
            .map(|(id, event)| {
                let state = state_at(&event, &loan_events);
                (id, (event, state))
            })
            .collect();
        Ok(EarlierEvents(with_state))
    }
}

/// The loan's charged-off state at `event`, as the journalizer derives it: from the event's own
/// flags, else from the loan's last charge-off before it (cleared by a reversal of it).
fn state_at(event: &Event, loan_events: &[Event]) -> LoanState {
    let mut derived = LoanState::default();
    for earlier in loan_events.iter().filter(|e| e.loan_id == event.loan_id) {
        if earlier.id == event.id {
            break;
        }
        match earlier.kind {
            EventKind::ChargeOff => derived = LoanState { charged_off: true, fraud: earlier.fraud.unwrap_or(false) },
            EventKind::Reversal => {
                let undoes_charge_off = earlier.reverses.as_ref().is_some_and(|target| {
                    loan_events.iter().any(|e| &e.id == target && e.kind == EventKind::ChargeOff)
                });
                if undoes_charge_off {
                    derived = LoanState::default();
                }
            }
            _ => {}
        }
    }
    LoanState {
        charged_off: event.charged_off.unwrap_or(derived.charged_off),
        fraud: event.fraud.unwrap_or(derived.fraud),
    }
}

impl EventHistory for EarlierEvents {
    fn find(&self, id: &EventId) -> Option<(&Event, LoanState)> {
        self.0.get(id).map(|(event, state)| (event, *state))
    }
}
