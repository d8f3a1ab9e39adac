//! A rule set as rows an accountant can read and approve (`tieout rules show`): one row per
//! debit or credit, the kind and note on the first row of each posting.

use tieout_core::entry::Side;

use super::{Action, Posting, RuleSet};

/// One line of the table.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RuleRow {
    pub rule: String,
    pub kind: String,
    /// The loan state the posting applies in, empty for any state.
    pub when: String,
    /// `Dr`, `Cr`, or empty for a posting that books nothing or mirrors.
    pub side: String,
    /// The role, or what happens instead (`no entry`, `mirror of the reversed entry`).
    pub role: String,
    /// The portions the leg carries (`amount`, `principal + overpayment`).
    pub amount: String,
    pub note: String,
}

pub const HEADERS: [&str; 7] = ["rule", "kind", "when", "side", "role", "amount", "note"];

impl RuleRow {
    pub fn cells(&self) -> [&str; 7] {
        [&self.rule, &self.kind, &self.when, &self.side, &self.role, &self.amount, &self.note]
    }
}

/// Rows in rule order, then kind order, unconditional before conditional; debits before
/// credits within a posting.
pub fn rule_rows(rules: &RuleSet) -> Vec<RuleRow> {
    let mut postings: Vec<&Posting> = rules.postings().iter().collect();
    postings.sort_by_key(|p| (p.rule, p.kind, p.when.charged_off, p.when.fraud));
    postings.into_iter().flat_map(rows).collect()
}

fn rows(p: &Posting) -> Vec<RuleRow> {
    let mut when = Vec::new();
    if let Some(v) = p.when.charged_off {
        when.push(if v { "charged off" } else { "not charged off" });
    }
    if let Some(v) = p.when.fraud {
        when.push(if v { "fraud" } else { "not fraud" });
    }
    let mut note = p.note.clone();
    if !p.ignore.is_empty() {
        note = format!("{note} Not booked: {}.", p.ignore).trim().to_owned();
    }
    let row = |side: &str, role: String, amount: String, note: String| RuleRow {
        rule: p.rule.to_string(),
        kind: p.kind.to_string(),
        when: when.join(", "),
        side: side.to_owned(),
        role,
        amount,
        note,
    };
    match &p.action {
        Action::Post(legs) => {
            let mut legs: Vec<_> = legs.iter().collect();
            legs.sort_by_key(|l| l.side == Side::Credit);
            legs.iter()
                .enumerate()
                .map(|(i, l)| {
                    let side = if l.side == Side::Debit { "Dr" } else { "Cr" };
                    row(
                        side,
                        l.role.to_string(),
                        l.amount.to_string(),
                        if i == 0 { note.clone() } else { String::new() },
                    )
                })
                .collect()
        }
        Action::Nothing => vec![row("", "no entry".into(), String::new(), note)],
        Action::MirrorReversed => vec![row("", "mirror of the reversed event's entry".into(), String::new(), note)],
    }
}
