//! The journalizer: events + rule set + mapping → balanced entries, one per event.
//!
//! Events are taken in value-date order (input order within a date), so that a loan's
//! charged-off state — given on the event or derived from its earlier `charge_off` — is the
//! state at the event. A reversal books the mirror of the entry the reversed event produced.

mod problem;

use std::sync::Arc;

use rustc_hash::FxHashMap;
use tieout_core::connector::{AccountMapping, MappingContext};
use tieout_core::entry::{EntryBuilder, EntryError, EntryHeader, EntryKey, JournalEntry, KeyInput, LineSource};
use tieout_core::event::{Event, EventKind};
use tieout_core::ids::{EventId, LoanId};
use tieout_core::money::Money;

pub use problem::{JournalProblem, ProblemCode};

use crate::rules::{Action, ActivityPosting, LoanState, RuleSet};

/// Whose entries these are: part of every entry key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct KeyScope {
    pub client: String,
    pub source: String,
}

impl Default for KeyScope {
    fn default() -> Self {
        KeyScope { client: "local".into(), source: "events".into() }
    }
}

/// Events journalized in an earlier run, for reversals of them.
pub trait EventHistory {
    /// The earlier event and the loan state it was journalized in.
    fn find(&self, id: &EventId) -> Option<(&Event, LoanState)>;
}

/// No earlier events.
pub struct NoHistory;

impl EventHistory for NoHistory {
    fn find(&self, _: &EventId) -> Option<(&Event, LoanState)> {
        None
    }
}

/// What a run produced: entries for the events that could be journalized, a problem for each
/// that could not, and how many booked nothing by rule.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    pub entries: Vec<JournalEntry>,
    pub problems: Vec<JournalProblem>,
    /// Events whose posting is "no entry" (term changes, accruals under cash, …).
    pub no_entry: usize,
}

/// Turns events into entries under one rule set and one mapping.
pub struct Journalizer<'a> {
    rules: &'a RuleSet,
    mapping: &'a dyn AccountMapping,
    scope: KeyScope,
    rule_set_id: String,
}

/// What the journalizer remembers about an event of this run.
#[derive(Clone, Copy)]
struct Seen {
    index: usize,
    state: LoanState,
    ok: bool,
}

/// A failure while building one entry, before it is tied to its event.
struct Failure {
    code: ProblemCode,
    role: Option<tieout_core::role::Role>,
    message: String,
}

impl Failure {
    fn new(code: ProblemCode, message: String) -> Self {
        Failure { code, role: None, message }
    }
}

impl<'a> Journalizer<'a> {
    pub fn new(rules: &'a RuleSet, mapping: &'a dyn AccountMapping, scope: KeyScope) -> Self {
        Journalizer { rules, mapping, scope, rule_set_id: rules.id() }
    }

    pub fn journalize(&self, events: &[Event]) -> Journal {
        self.journalize_with_history(events, &NoHistory)
    }

    pub fn journalize_with_history(&self, events: &[Event], history: &dyn EventHistory) -> Journal {
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| events[i].date);
        let mut seen: FxHashMap<&EventId, Seen> = FxHashMap::default();
        seen.reserve(events.len());
        let mut charged_off: FxHashMap<&LoanId, LoanState> = FxHashMap::default();
        let mut journal = Journal { entries: Vec::with_capacity(events.len()), ..Journal::default() };

        for index in order {
            let event = &events[index];
            let problem = |f: Failure| JournalProblem {
                index,
                event: event.id.clone(),
                loan: event.loan_id.clone(),
                product: event.product.clone(),
                kind: event.kind,
                role: f.role,
                code: f.code,
                message: f.message,
            };
            if let Some(first) = seen.get(&event.id) {
                let message = format!(
                    "the id is used by another event too (input position {}): ids must be unique per source",
                    first.index + 1
                );
                journal.problems.push(problem(Failure::new(ProblemCode::DuplicateEvent, message)));
                continue;
            }
            let derived = charged_off.get(&event.loan_id).copied().unwrap_or_default();
            let state = LoanState {
                charged_off: event.charged_off.unwrap_or(derived.charged_off),
                fraud: event.fraud.unwrap_or(derived.fraud),
            };
            let outcome = self.entry_for(event, state, events, &seen, history);
            let ok = outcome.is_ok();
            match outcome {
                Ok(Some(entry)) => journal.entries.push(entry),
                Ok(None) => journal.no_entry += 1,
                Err(failure) => journal.problems.push(problem(failure)),
            }
            seen.insert(&event.id, Seen { index, state, ok });
            self.track_charge_off(event, events, &seen, history, &mut charged_off);
        }
        journal
    }

    /// A charge-off marks the loan charged off from then on; reversing it clears the mark.
    fn track_charge_off<'e>(
        &self,
        event: &'e Event,
        events: &'e [Event],
        seen: &FxHashMap<&EventId, Seen>,
        history: &dyn EventHistory,
        charged_off: &mut FxHashMap<&'e LoanId, LoanState>,
    ) {
        match event.kind {
            EventKind::ChargeOff => {
                let state = LoanState { charged_off: true, fraud: event.fraud.unwrap_or(false) };
                charged_off.insert(&event.loan_id, state);
            }
            EventKind::Reversal => {
                // A reversal of a charge-off clears the mark; a reversal of that reversal books
                // the charge-off again, and so marks the loan again.
                let Some((root, undone)) = reversal_root(event, events, seen, history) else { return };
                if root.kind == EventKind::ChargeOff {
                    let state = if undone {
                        LoanState::default()
                    } else {
                        LoanState { charged_off: true, fraud: root.fraud.unwrap_or(false) }
                    };
                    charged_off.insert(&event.loan_id, state);
                }
            }
            _ => {}
        }
    }

    fn entry_for(
        &self,
        event: &Event,
        state: LoanState,
        events: &[Event],
        seen: &FxHashMap<&EventId, Seen>,
        history: &dyn EventHistory,
    ) -> Result<Option<JournalEntry>, Failure> {
        let lookup = Lookup { events, seen, history };
        let memo = match &event.reverses {
            Some(target) => format!("reversal of {target}"),
            None => String::new(),
        };
        // A reversal is staged or postable as the entry it (finally) mirrors is.
        let booked_as = match event.kind {
            EventKind::Reversal => reversal_root(event, events, seen, history).map_or(event, |(root, _)| root),
            _ => event,
        };
        let mut builder = EntryBuilder::new(self.header(event, booked_as, memo));
        if !self.push_legs(&mut builder, event, event, state, false, &lookup)? {
            return Ok(None);
        }
        let key = EntryKey::derive(&KeyInput {
            client: &self.scope.client,
            source: &self.scope.source,
            events: std::slice::from_ref(&event.id),
            rule_set_version: &self.rule_set_id,
            position: 0,
        });
        builder.build(key).map(Some).map_err(|e| {
            let code = match e {
                EntryError::MixedCurrency { .. } => ProblemCode::MixedCurrency,
                _ => ProblemCode::BadEntry,
            };
            Failure::new(code, e.to_string())
        })
    }

    /// The header of `event`'s entry; `booked_as` is the event whose posting it books (the
    /// event itself, or the original a reversal mirrors), which decides whether it is postable.
    fn header(&self, event: &Event, booked_as: &Event, memo: String) -> EntryHeader {
        let postable = match (self.rules.activity_posting(), booked_as.kind) {
            (ActivityPosting::Activity, EventKind::Accrual) => {
                !self.mapping.accrual_activity_posting(&booked_as.product)
            }
            (ActivityPosting::Activity, EventKind::AccrualActivity) => {
                self.mapping.accrual_activity_posting(&booked_as.product)
            }
            _ => true,
        };
        EntryHeader { date: event.date, currency: event.currency, kind: event.kind, memo, postable }
    }

    /// Adds the legs that `source` books — mirrored when `flip` — to the entry of `event`.
    /// Returns false when the posting books nothing, by rule or because every amount it would
    /// book is zero (a close without payment, a cash write-off of interest only). A reversal
    /// mirrors what the reversed event booked, so a reversal of a reversal books the original again.
    fn push_legs(
        &self,
        builder: &mut EntryBuilder,
        event: &Event,
        source: &Event,
        state: LoanState,
        flip: bool,
        lookup: &Lookup<'_, '_>,
    ) -> Result<bool, Failure> {
        let rule = self
            .mapping
            .accounting_rule(&source.product)
            .map_err(|e| Failure::new(ProblemCode::NoRule, e.to_string()))?;
        let posting = self.rules.posting(rule, source.kind, state);
        let legs = match &posting.action {
            Action::Nothing => return Ok(false),
            Action::Post(legs) => legs,
            Action::MirrorReversed => {
                let (original, original_state) = lookup.reversed(source)?;
                return self.push_legs(builder, event, original, original_state, !flip, lookup);
            }
        };
        if let Some(portion) = posting.unbooked(&source.portions) {
            return Err(Failure::new(
                ProblemCode::UnbookedPortion,
                format!(
                    "its {portion} portion ({}) is not booked by the {} rule set for {} under {rule}: correct the portions, or add the portion to the posting's legs or ignore list",
                    source.portions.get(portion),
                    self.rules.name(),
                    source.kind.with_article()
                ),
            ));
        }
        let context = MappingContext {
            product: &source.product,
            payment_type: source.payment_type.as_ref(),
            charge: source.charge.as_ref(),
            office: source.office.as_ref(),
        };
        let ids: Arc<[EventId]> = Arc::from([event.id.clone()]);
        let mut booked = false;
        for leg in legs {
            let amount = leg.amount.of(&source.portions);
            if amount.is_zero() {
                continue;
            }
            let account = self.mapping.account(leg.role, &context).map_err(|mut e| {
                // The problem already names the event; name the source only when a reversal
                // needs an account for the event it mirrors.
                if source.id != event.id {
                    e.event = Some(source.id.clone());
                    e.kind = Some(source.kind);
                }
                Failure { code: ProblemCode::Unmapped, role: Some(leg.role), message: e.to_string() }
            })?;
            let side = if flip { leg.side.opposite() } else { leg.side };
            let line_source = LineSource {
                product: source.product.clone(),
                office: source.office.clone(),
                loan: Some(source.loan_id.clone()),
                events: ids.clone(),
            };
            builder.push(side, Money::new(amount, source.currency), leg.role, account, line_source);
            booked = true;
        }
        Ok(booked)
    }
}

/// The event a reversal finally mirrors, following reversals of reversals, and whether the chain
/// undoes it (odd length) or books it again (even length). `None` when a link is unknown.
fn reversal_root<'x>(
    reversal: &Event,
    events: &'x [Event],
    seen: &FxHashMap<&EventId, Seen>,
    history: &'x dyn EventHistory,
) -> Option<(&'x Event, bool)> {
    let mut target = reversal.reverses.as_ref()?;
    let mut undone = true;
    // Bounded, in case an external history holds a cycle.
    for _ in 0..=events.len() + 64 {
        let original = match seen.get(target) {
            Some(s) => &events[s.index],
            None => history.find(target)?.0,
        };
        match (original.kind, &original.reverses) {
            (EventKind::Reversal, Some(next)) => {
                target = next;
                undone = !undone;
            }
            _ => return Some((original, undone)),
        }
    }
    None
}

/// Where a reversal finds the event it reverses: earlier in this run, or in the history.
struct Lookup<'e, 's> {
    events: &'e [Event],
    seen: &'s FxHashMap<&'e EventId, Seen>,
    history: &'s dyn EventHistory,
}

impl<'e> Lookup<'e, '_> {
    fn reversed(&self, reversal: &Event) -> Result<(&Event, LoanState), Failure> {
        let Some(target) = &reversal.reverses else {
            return Err(Failure::new(
                ProblemCode::UnknownReversal,
                "a reversal must name the event it reverses".into(),
            ));
        };
        let (original, state) = match self.seen.get(target) {
            Some(s) if !s.ok => {
                return Err(Failure::new(
                    ProblemCode::ReversalOfFailed,
                    format!("it reverses event {target}, which could not be journalized: fix that event first"),
                ));
            }
            Some(s) => (&self.events[s.index], s.state),
            None => self.history.find(target).ok_or_else(|| {
                Failure::new(
                    ProblemCode::UnknownReversal,
                    format!(
                        "it reverses event {target}, which is not among the events: include the original event, or remove the reversal"
                    ),
                )
            })?,
        };
        // A reversal's amount is never negative; that of a negative accrual adjustment is its size.
        if !reversal.amount.is_zero() && reversal.amount != original.amount.abs() {
            return Err(Failure::new(
                ProblemCode::ReversalMismatch,
                format!(
                    "its amount {} differs from the reversed event {target}'s amount {}: a reversal undoes the whole event",
                    reversal.amount, original.amount
                ),
            ));
        }
        if original.currency != reversal.currency {
            return Err(Failure::new(
                ProblemCode::MixedCurrency,
                format!(
                    "it is in {} but the reversed event {target} is in {}: an entry is in one currency",
                    reversal.currency, original.currency
                ),
            ));
        }
        Ok((original, state))
    }
}

#[cfg(test)]
mod tests;
