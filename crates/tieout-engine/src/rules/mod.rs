//! Posting rules as data (DESIGN.md section 5): per accounting rule, event kind and loan state,
//! which roles are debited and credited with which portions of the event.
//!
//! A rule set is loaded from TOML ([`RuleSet::from_toml`]); the two shipped sets are embedded
//! ([`RuleSet::standard`], [`RuleSet::fineract`]). Loading rejects any posting that could not
//! balance, so the journalizer never meets an unbalanced rule.

mod amount;
mod load;
mod table;

use tieout_core::entry::Side;
use tieout_core::event::{EventKind, Portion};
use tieout_core::role::{AccountingRule, Role};

pub use amount::PortionSet;
pub use load::RuleError;
pub use table::{HEADERS as RULE_TABLE_HEADERS, RuleRow, rule_rows};

/// The standard rule set's source text (seed 001 for accrual, seed 003 for cash).
pub const STANDARD_TOML: &str = include_str!("../../../../config/rules/standard.toml");
/// The rule set reproducing Apache Fineract's own accounting processors.
pub const FINERACT_TOML: &str = include_str!("../../../../config/rules/fineract.toml");

/// One debit or credit of a posting: a role and the portions of the event it carries.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Leg {
    pub side: Side,
    pub role: Role,
    pub amount: PortionSet,
}

/// What a posting does.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Action {
    /// Book these legs.
    Post(Vec<Leg>),
    /// Book nothing (term changes, accruals under cash, everything under `none`).
    Nothing,
    /// Book the mirror of the reversed event's entry (reversals only).
    MirrorReversed,
}

/// The loan state a posting may be conditioned on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct LoanState {
    pub charged_off: bool,
    pub fraud: bool,
}

/// Conditions on the loan's state; `None` matches either value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct When {
    pub charged_off: Option<bool>,
    pub fraud: Option<bool>,
}

impl When {
    fn matches(&self, state: LoanState) -> bool {
        self.charged_off.is_none_or(|v| v == state.charged_off) && self.fraud.is_none_or(|v| v == state.fraud)
    }

    fn specificity(&self) -> u8 {
        u8::from(self.charged_off.is_some()) + u8::from(self.fraud.is_some())
    }

    pub fn is_unconditional(&self) -> bool {
        self.specificity() == 0
    }
}

/// One row of a rule set, for one kind under one accounting rule.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Posting {
    pub kind: EventKind,
    pub rule: AccountingRule,
    pub when: When,
    pub action: Action,
    /// Portions this posting deliberately leaves unbooked (interest on a cash-basis write-off).
    /// Any other portion it does not book must be zero, or the event is refused.
    pub ignore: PortionSet,
    /// Why the row is what it is, for the accountant reading `tieout rules show`.
    pub note: String,
}

impl Posting {
    /// Portions the posting books (on either side).
    pub fn booked(&self) -> PortionSet {
        match &self.action {
            Action::Post(legs) => legs.iter().fold(PortionSet::EMPTY, |acc, leg| acc.union(leg.amount)),
            Action::Nothing | Action::MirrorReversed => PortionSet::ALL,
        }
    }

    /// A portion the event carries that this posting neither books nor ignores.
    pub fn unbooked(&self, portions: &tieout_core::event::Portions) -> Option<Portion> {
        let covered = self.booked().union(self.ignore);
        Portion::ALL.into_iter().find(|p| !covered.contains(*p) && !portions.get(*p).is_zero())
    }
}

/// Whether the daily accruals or the accrual activity post, for products with accrual activity
/// posting enabled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ActivityPosting {
    /// The accrual activity posts; the daily accruals it summarizes are staged but not sent
    /// (the standard set, per seed 001).
    Activity,
    /// The daily accruals post; the accrual activity is a marker (Fineract).
    Accruals,
}

/// A loaded, checked rule set.
#[derive(Clone, Debug)]
pub struct RuleSet {
    name: String,
    version: String,
    description: String,
    activity_posting: ActivityPosting,
    postings: Vec<Posting>,
    /// Index: [rule][kind] → indices into `postings`, most specific first.
    index: Vec<Vec<Vec<usize>>>,
}

impl RuleSet {
    /// The embedded standard set.
    pub fn standard() -> Self {
        // The embedded files are checked by tests; failing here is a build defect.
        Self::from_toml(STANDARD_TOML, "config/rules/standard.toml").expect("embedded standard.toml is valid")
    }

    /// The embedded Fineract set.
    pub fn fineract() -> Self {
        Self::from_toml(FINERACT_TOML, "config/rules/fineract.toml").expect("embedded fineract.toml is valid")
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// `name@version`: part of every entry key, so changing a rule set changes the keys.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn activity_posting(&self) -> ActivityPosting {
        self.activity_posting
    }

    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }

    /// The posting for an event kind under an accounting rule in a loan state. Every
    /// (rule, kind) has an unconditional posting (checked at load), so this always finds one.
    pub fn posting(&self, rule: AccountingRule, kind: EventKind, state: LoanState) -> &Posting {
        let candidates = &self.index[rule_index(rule)][kind_index(kind)];
        let found = candidates.iter().map(|&i| &self.postings[i]).find(|p| p.when.matches(state));
        // Load guarantees an unconditional fallback for every (rule, kind).
        found.unwrap_or_else(|| &self.postings[candidates[candidates.len() - 1]])
    }
}

fn rule_index(rule: AccountingRule) -> usize {
    AccountingRule::ALL.iter().position(|r| *r == rule).unwrap_or(0)
}

fn kind_index(kind: EventKind) -> usize {
    kind as usize
}

#[cfg(test)]
mod tests;
