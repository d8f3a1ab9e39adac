//! A rule set as rows an accountant can read and approve (`tieout rules show`).

use tieout_core::entry::Side;

use super::{Action, Posting, RuleSet};

/// One row: a kind under a rule (in a loan state), what is debited and what is credited.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RuleRow {
    pub rule: String,
    pub kind: String,
    pub when: String,
    pub debit: String,
    pub credit: String,
    pub note: String,
}

/// Rows in rule order, then kind order, unconditional before conditional.
pub fn rule_rows(rules: &RuleSet) -> Vec<RuleRow> {
    let mut postings: Vec<&Posting> = rules.postings().iter().collect();
    postings.sort_by_key(|p| (p.rule, p.kind, p.when.charged_off, p.when.fraud));
    postings.into_iter().map(row).collect()
}

fn row(p: &Posting) -> RuleRow {
    let mut when = Vec::new();
    if let Some(v) = p.when.charged_off {
        when.push(if v { "charged off" } else { "not charged off" });
    }
    if let Some(v) = p.when.fraud {
        when.push(if v { "fraud" } else { "not fraud" });
    }
    let (debit, credit) = match &p.action {
        Action::Post(legs) => {
            let side = |s: Side| {
                legs.iter()
                    .filter(|l| l.side == s)
                    .map(|l| format!("{} ({})", l.role, l.amount))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            (side(Side::Debit), side(Side::Credit))
        }
        Action::Nothing => ("no entry".to_owned(), String::new()),
        Action::MirrorReversed => ("mirror of the reversed event's entry".to_owned(), String::new()),
    };
    let mut note = p.note.clone();
    if !p.ignore.is_empty() {
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(&format!("Not booked: {}.", p.ignore));
    }
    RuleRow { rule: p.rule.to_string(), kind: p.kind.to_string(), when: when.join(", "), debit, credit, note }
}
