//! Detail levels (DESIGN.md section 6): one entry per event (`loan`), or one per product,
//! office, kind and day (`product-day`, the default) or month (`product-month`). A summarized
//! entry keeps the loan-level entries it was made from, for drill-down and exports.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use tieout_core::entry::{EntryBuilder, EntryError, EntryHeader, EntryKey, JournalEntry, KeyInput, LineSource, Side};
use tieout_core::event::EventKind;
use tieout_core::ids::{AccountRef, EventId, OfficeId, ProductId};
use tieout_core::money::{Currency, Money};
use tieout_core::role::Role;

use crate::journal::KeyScope;

/// How much entries are summarized.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum DetailLevel {
    /// One entry per event.
    Loan,
    /// One entry per product, office, kind and day.
    #[default]
    ProductDay,
    /// One entry per product, office, kind and month, dated the month's last day.
    ProductMonth,
}

impl DetailLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            DetailLevel::Loan => "loan",
            DetailLevel::ProductDay => "product-day",
            DetailLevel::ProductMonth => "product-month",
        }
    }
}

impl fmt::Display for DetailLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DetailLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "loan" => Ok(DetailLevel::Loan),
            "product-day" => Ok(DetailLevel::ProductDay),
            "product-month" => Ok(DetailLevel::ProductMonth),
            other => Err(format!("unknown detail level '{other}': use loan, product-day or product-month")),
        }
    }
}

/// An entry to propose, with the loan-level entries behind it (empty at the `loan` level,
/// where the entry is itself loan-level).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Proposed {
    pub entry: JournalEntry,
    pub detail: Vec<JournalEntry>,
}

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct GroupKey {
    date: NaiveDate,
    postable: bool,
    kind: EventKind,
    product: ProductId,
    office: Option<OfficeId>,
    currency: Currency,
}

/// Summarizes loan-level entries. The result does not depend on the order of `entries`: groups
/// are ordered by date, kind, product and office, and each group's entries by key.
pub fn summarize(
    entries: Vec<JournalEntry>,
    level: DetailLevel,
    scope: &KeyScope,
    rule_set_id: &str,
) -> Result<Vec<Proposed>, EntryError> {
    if level == DetailLevel::Loan {
        // Loan level keeps the journalizer's order: by value date, then as the source sent them.
        let mut out: Vec<Proposed> = entries.into_iter().map(|entry| Proposed { entry, detail: Vec::new() }).collect();
        out.sort_by_key(|p| p.entry.date());
        return Ok(out);
    }
    let mut groups: BTreeMap<GroupKey, Vec<JournalEntry>> = BTreeMap::new();
    for entry in entries {
        let first = &entry.lines()[0];
        let key = GroupKey {
            date: match level {
                DetailLevel::ProductMonth => month_end(entry.date()),
                _ => entry.date(),
            },
            postable: entry.is_postable(),
            kind: entry.kind(),
            product: first.product().clone(),
            office: first.office().cloned(),
            currency: entry.currency(),
        };
        groups.entry(key).or_default().push(entry);
    }
    groups.into_iter().map(|(key, detail)| summarize_group(key, detail, scope, rule_set_id)).collect()
}

fn summarize_group(
    key: GroupKey,
    mut detail: Vec<JournalEntry>,
    scope: &KeyScope,
    rule_set_id: &str,
) -> Result<Proposed, EntryError> {
    detail.sort_by(|a, b| (a.date(), a.key()).cmp(&(b.date(), b.key())));
    let mut events: Vec<EventId> =
        detail.iter().flat_map(|e| e.lines().iter().flat_map(|l| l.events().iter().cloned())).collect();
    events.sort();
    events.dedup();
    let mut totals: BTreeMap<(Side, Role, AccountRef), Decimal> = BTreeMap::new();
    for line in detail.iter().flat_map(JournalEntry::lines) {
        *totals.entry((line.side(), line.role(), line.account().clone())).or_default() += line.amount();
    }
    let office = key.office.as_ref().map_or(String::new(), |o| format!(" {o}"));
    let count = match events.len() {
        1 => "1 event".to_owned(),
        n => format!("{n} events"),
    };
    let memo = format!("{} {}{} ({count})", key.kind, key.product, office);
    let header = EntryHeader { date: key.date, currency: key.currency, kind: key.kind, memo, postable: key.postable };
    let entry_key = EntryKey::derive(&KeyInput {
        client: &scope.client,
        source: &scope.source,
        events: &events,
        rule_set_version: rule_set_id,
        position: 0,
    });
    let ids: Arc<[EventId]> = events.into();
    let mut builder = EntryBuilder::new(header);
    for ((side, role, account), amount) in totals {
        let source =
            LineSource { product: key.product.clone(), office: key.office.clone(), loan: None, events: ids.clone() };
        builder.push(side, Money::new(amount, key.currency), role, account, source);
    }
    Ok(Proposed { entry: builder.build(entry_key)?, detail })
}

fn month_end(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
    // The first of a month always exists, and so does the day before it.
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Journalizer;
    use crate::mapping::MappingFile;
    use crate::rules::RuleSet;
    use tieout_core::event::parse_events;

    const MAPPING: &str = "default_rule = \"accrual-periodic\"\n[accounts]\nfund_source = \"Cash\"\nloan_portfolio = \"Loans\"\ninterest_receivable = \"IntRec\"\ninterest_income = \"IntInc\"\n";
    const EVENTS: &str = r#"{"id":"a","loan_id":"L1","product":"p","kind":"disbursement","date":"2026-10-01","currency":"USD","amount":"100.00","office":"HQ"}
{"id":"b","loan_id":"L2","product":"p","kind":"disbursement","date":"2026-10-01","currency":"USD","amount":"50.00","office":"HQ"}
{"id":"c","loan_id":"L1","product":"p","kind":"accrual","date":"2026-10-02","currency":"USD","amount":"0.33","office":"HQ"}
{"id":"d","loan_id":"L2","product":"p","kind":"accrual","date":"2026-10-03","currency":"USD","amount":"0.17","office":"HQ"}"#;

    fn entries() -> Vec<JournalEntry> {
        let rules = RuleSet::standard();
        let mapping = MappingFile::from_toml(MAPPING, "m").unwrap();
        let events: Vec<_> = parse_events(EVENTS).map(Result::unwrap).collect();
        Journalizer::new(&rules, &mapping, KeyScope::default()).journalize(&events).entries
    }

    #[test]
    fn product_day_groups_a_day_and_keeps_the_detail() {
        let out = summarize(entries(), DetailLevel::ProductDay, &KeyScope::default(), "standard@1").unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].entry.total(), rust_decimal_macros::dec!(150.00));
        assert_eq!(out[0].detail.len(), 2);
        assert_eq!(out[0].entry.lines().len(), 2);
        assert_eq!(out[0].entry.memo(), "disbursement p HQ (2 events)");
    }

    #[test]
    fn product_month_dates_the_month_end_and_ignores_input_order() {
        let mut reversed = entries();
        reversed.reverse();
        let a = summarize(entries(), DetailLevel::ProductMonth, &KeyScope::default(), "s@1").unwrap();
        let b = summarize(reversed, DetailLevel::ProductMonth, &KeyScope::default(), "s@1").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].entry.date(), NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
        assert_eq!(a[1].entry.total(), rust_decimal_macros::dec!(0.50));
    }
}
