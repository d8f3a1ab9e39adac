//! Journal entries that cannot be unbalanced: the only way to get a [`JournalEntry`] is
//! [`EntryBuilder::build`], which refuses debits ≠ credits, mixed currencies and empty entries.

mod key;

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use key::{EntryKey, KeyInput};

use crate::event::EventKind;
use crate::ids::{AccountRef, EventId, LoanId, OfficeId, ProductId};
use crate::money::{Currency, Money};
use crate::role::Role;

/// Debit or credit.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn opposite(self) -> Side {
        match self {
            Side::Debit => Side::Credit,
            Side::Credit => Side::Debit,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a line comes from: the dimensions a sink and a drill-down need.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct LineSource {
    pub product: ProductId,
    pub office: Option<OfficeId>,
    /// The loan, for a loan-level line; `None` on a summarized line.
    pub loan: Option<LoanId>,
    /// The events this line comes from.
    pub events: Arc<[EventId]>,
}

/// One debit or credit. The amount is always positive; the side says the direction.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Line {
    side: Side,
    amount: Decimal,
    role: Role,
    account: AccountRef,
    source: LineSource,
}

impl Line {
    pub fn side(&self) -> Side {
        self.side
    }
    pub fn amount(&self) -> Decimal {
        self.amount
    }
    /// Positive for a debit, negative for a credit.
    pub fn signed_amount(&self) -> Decimal {
        match self.side {
            Side::Debit => self.amount,
            Side::Credit => -self.amount,
        }
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn account(&self) -> &AccountRef {
        &self.account
    }
    pub fn source(&self) -> &LineSource {
        &self.source
    }
    pub fn product(&self) -> &ProductId {
        &self.source.product
    }
    pub fn office(&self) -> Option<&OfficeId> {
        self.source.office.as_ref()
    }
    pub fn loan(&self) -> Option<&LoanId> {
        self.source.loan.as_ref()
    }
    pub fn events(&self) -> &[EventId] {
        &self.source.events
    }
}

/// Why an entry could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("entry of {date} does not balance: debits {debits} ≠ credits {credits}")]
    Unbalanced { date: NaiveDate, debits: Decimal, credits: Decimal },
    #[error(
        "entry of {date} mixes currencies {entry} and {line}: an entry is in one currency; book each currency separately"
    )]
    MixedCurrency { date: NaiveDate, entry: Currency, line: Currency },
    #[error("entry of {date} has no lines (every amount was zero)")]
    Empty { date: NaiveDate },
    #[error("entry of {date}: amount {amount} has more decimals than {currency} allows; round it before booking")]
    SubMinorUnit { date: NaiveDate, amount: Decimal, currency: Currency },
}

/// What an entry is about: its header.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EntryHeader {
    pub date: NaiveDate,
    pub currency: Currency,
    pub kind: EventKind,
    pub memo: String,
    /// False for entries kept for drill-down but not sent on their own (daily accruals that an
    /// accrual activity posting summarizes).
    pub postable: bool,
}

/// Collects lines, then checks them once in [`EntryBuilder::build`].
#[derive(Debug)]
pub struct EntryBuilder {
    header: EntryHeader,
    lines: Vec<Line>,
    mixed: Option<Currency>,
}

impl EntryBuilder {
    pub fn new(header: EntryHeader) -> Self {
        Self { header, lines: Vec::with_capacity(6), mixed: None }
    }

    /// Adds a line. A zero amount adds nothing; a negative amount goes on the other side, so
    /// callers can add signed amounts without branching.
    pub fn push(&mut self, side: Side, money: Money, role: Role, account: AccountRef, source: LineSource) -> &mut Self {
        if money.currency != self.header.currency {
            self.mixed.get_or_insert(money.currency);
            return self;
        }
        if money.amount.is_zero() {
            return self;
        }
        let (side, amount) =
            if money.amount.is_sign_negative() { (side.opposite(), -money.amount) } else { (side, money.amount) };
        self.lines.push(Line { side, amount, role, account, source });
        self
    }

    pub fn header(&self) -> &EntryHeader {
        &self.header
    }

    /// Checks the entry and freezes it under `key`.
    pub fn build(self, key: EntryKey) -> Result<JournalEntry, EntryError> {
        let date = self.header.date;
        let currency = self.header.currency;
        if let Some(line) = self.mixed {
            return Err(EntryError::MixedCurrency { date, entry: currency, line });
        }
        if self.lines.is_empty() {
            return Err(EntryError::Empty { date });
        }
        let mut debits = Decimal::ZERO;
        let mut credits = Decimal::ZERO;
        for line in &self.lines {
            if !currency.is_representable(line.amount) {
                return Err(EntryError::SubMinorUnit { date, amount: line.amount, currency });
            }
            match line.side {
                Side::Debit => debits += line.amount,
                Side::Credit => credits += line.amount,
            }
        }
        if debits != credits {
            return Err(EntryError::Unbalanced { date, debits, credits });
        }
        Ok(JournalEntry { key, header: self.header, lines: self.lines, total: debits })
    }
}

/// A balanced journal entry in one currency.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JournalEntry {
    key: EntryKey,
    header: EntryHeader,
    lines: Vec<Line>,
    total: Decimal,
}

impl JournalEntry {
    pub fn key(&self) -> &EntryKey {
        &self.key
    }
    pub fn header(&self) -> &EntryHeader {
        &self.header
    }
    pub fn date(&self) -> NaiveDate {
        self.header.date
    }
    pub fn currency(&self) -> Currency {
        self.header.currency
    }
    pub fn kind(&self) -> EventKind {
        self.header.kind
    }
    pub fn memo(&self) -> &str {
        &self.header.memo
    }
    pub fn is_postable(&self) -> bool {
        self.header.postable
    }
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
    /// The sum of the debits (equal to the sum of the credits).
    pub fn total(&self) -> Decimal {
        self.total
    }
    /// Every event behind the entry, sorted and without repeats.
    pub fn events(&self) -> Vec<EventId> {
        let mut ids: Vec<EventId> = self.lines.iter().flat_map(|l| l.events().iter().cloned()).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn header() -> EntryHeader {
        EntryHeader {
            date: NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(),
            currency: Currency::new("USD").unwrap(),
            kind: EventKind::Repayment,
            memo: String::new(),
            postable: true,
        }
    }

    fn src() -> LineSource {
        LineSource {
            product: "p".into(),
            office: None,
            loan: Some("L1".into()),
            events: Arc::from(vec![EventId::from("e1")]),
        }
    }

    fn usd(amount: Decimal) -> Money {
        Money::new(amount, Currency::new("USD").unwrap())
    }

    #[test]
    fn balanced_entry_builds_and_zero_lines_vanish() {
        let mut b = EntryBuilder::new(header());
        b.push(Side::Debit, usd(dec!(10)), Role::FundSource, "Cash".into(), src())
            .push(Side::Credit, usd(dec!(10)), Role::LoanPortfolio, "Loans".into(), src())
            .push(Side::Credit, usd(dec!(0)), Role::InterestReceivable, "IntRec".into(), src());
        let entry = b.build(EntryKey::from_raw("k")).unwrap();
        assert_eq!(entry.lines().len(), 2);
        assert_eq!(entry.total(), dec!(10));
    }

    #[test]
    fn unbalanced_entry_is_refused() {
        let mut b = EntryBuilder::new(header());
        b.push(Side::Debit, usd(dec!(10)), Role::FundSource, "Cash".into(), src()).push(
            Side::Credit,
            usd(dec!(9.99)),
            Role::LoanPortfolio,
            "Loans".into(),
            src(),
        );
        assert!(matches!(b.build(EntryKey::from_raw("k")), Err(EntryError::Unbalanced { .. })));
    }

    #[test]
    fn negative_amount_flips_side() {
        let mut b = EntryBuilder::new(header());
        b.push(Side::Debit, usd(dec!(-3)), Role::InterestReceivable, "IntRec".into(), src()).push(
            Side::Credit,
            usd(dec!(-3)),
            Role::InterestIncome,
            "IntInc".into(),
            src(),
        );
        let entry = b.build(EntryKey::from_raw("k")).unwrap();
        assert_eq!(entry.lines()[0].side(), Side::Credit);
        assert_eq!(entry.lines()[1].side(), Side::Debit);
    }

    #[test]
    fn mixed_currency_is_refused() {
        let mut b = EntryBuilder::new(header());
        b.push(Side::Debit, Money::new(dec!(1), Currency::new("EUR").unwrap()), Role::FundSource, "Cash".into(), src());
        assert!(matches!(b.build(EntryKey::from_raw("k")), Err(EntryError::MixedCurrency { .. })));
    }
}
