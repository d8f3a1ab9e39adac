//! Reading a rule set from TOML and refusing any that could not balance or that leaves a
//! (rule, kind) without a posting.

use std::collections::BTreeSet;

use serde::Deserialize;
use tieout_core::entry::Side;
use tieout_core::event::{EventKind, Portion};
use tieout_core::role::{AccountingRule, Role};

use super::{Action, ActivityPosting, Leg, PortionSet, Posting, RuleSet, When, kind_index, rule_index};

/// Why a rule set was refused. Names the file and the posting (1-based, in file order).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}, posting {posting}: {message}")]
    Posting { file: String, posting: usize, message: String },
    #[error(
        "{file}: posting {posting} cannot balance for {kind} under {rule}: portion {portion} is debited {debits} time(s) and credited {credits} time(s); make each portion appear as often on each side"
    )]
    Unbalanced {
        file: String,
        posting: usize,
        kind: EventKind,
        rule: AccountingRule,
        portion: Portion,
        debits: usize,
        credits: usize,
    },
    #[error("{file}: no unconditional posting for {}: add a [[posting]] (with action = \"none\" where nothing is booked)", missing.join(", "))]
    Incomplete { file: String, missing: Vec<String> },
    #[error("{file}: postings {first} and {second} both apply to {kind} under {rule} in the same loan state: keep one")]
    Ambiguous { file: String, first: usize, second: usize, kind: EventKind, rule: AccountingRule },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: String,
    version: String,
    #[serde(default)]
    description: String,
    accrual_activity_posting: String,
    #[serde(default)]
    posting: Vec<PostingFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostingFile {
    kinds: Vec<String>,
    rules: Vec<String>,
    #[serde(default)]
    when: Option<WhenFile>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    debit: Vec<LegFile>,
    #[serde(default)]
    credit: Vec<LegFile>,
    #[serde(default)]
    ignore: Option<String>,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WhenFile {
    charged_off: Option<bool>,
    fraud: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegFile {
    role: String,
    amount: String,
}

impl RuleSet {
    /// Parses and checks a rule set. `file` names the source in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<RuleSet, RuleError> {
        let parsed: RuleFile =
            toml::from_str(text).map_err(|e| RuleError::Parse { file: file.to_owned(), message: e.to_string() })?;
        let activity_posting = match parsed.accrual_activity_posting.as_str() {
            "activity" => ActivityPosting::Activity,
            "accruals" => ActivityPosting::Accruals,
            other => {
                return Err(RuleError::Parse {
                    file: file.to_owned(),
                    message: format!("accrual_activity_posting = '{other}': use \"activity\" or \"accruals\""),
                });
            }
        };
        let mut postings = Vec::new();
        let mut origin = Vec::new();
        for (i, p) in parsed.posting.iter().enumerate() {
            let number = i + 1;
            for posting in expand(p, file, number)? {
                check_balance(&posting, file, number)?;
                postings.push(posting);
                origin.push(number);
            }
        }
        let index = build_index(&postings, &origin, file)?;
        Ok(RuleSet {
            name: parsed.name,
            version: parsed.version,
            description: parsed.description,
            activity_posting,
            postings,
            index,
        })
    }
}

/// One file posting names several kinds and rules; it becomes one [`Posting`] per pair.
fn expand(p: &PostingFile, file: &str, number: usize) -> Result<Vec<Posting>, RuleError> {
    let err = |message: String| RuleError::Posting { file: file.to_owned(), posting: number, message };
    if p.kinds.is_empty() || p.rules.is_empty() {
        return Err(err("a posting needs at least one kind and one rule".into()));
    }
    let kinds = p
        .kinds
        .iter()
        .map(|k| k.parse::<EventKind>().map_err(|e| err(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let rules = p
        .rules
        .iter()
        .map(|r| r.parse::<AccountingRule>().map_err(|e| err(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let legs = |side: Side, legs: &[LegFile]| -> Result<Vec<Leg>, RuleError> {
        legs.iter()
            .map(|l| {
                let role = l.role.parse::<Role>().map_err(|e| err(e.to_string()))?;
                let amount = PortionSet::parse(&l.amount).map_err(|e| err(format!("{} amount: {e}", l.role)))?;
                Ok(Leg { side, role, amount })
            })
            .collect()
    };
    let mut all_legs = legs(Side::Debit, &p.debit)?;
    all_legs.extend(legs(Side::Credit, &p.credit)?);
    let action = match p.action.as_deref() {
        None | Some("post") if !all_legs.is_empty() => Action::Post(all_legs),
        None | Some("post") => return Err(err("a posting that books must list debit and credit legs".into())),
        Some("none") if all_legs.is_empty() => Action::Nothing,
        Some("mirror") if all_legs.is_empty() => Action::MirrorReversed,
        Some("none" | "mirror") => {
            return Err(err("action \"none\" or \"mirror\" takes no debit or credit legs".into()));
        }
        Some(other) => return Err(err(format!("unknown action '{other}': use \"post\", \"none\" or \"mirror\""))),
    };
    let is_mirror = action == Action::MirrorReversed;
    if kinds.iter().any(|k| (*k == EventKind::Reversal) != is_mirror) {
        return Err(err("reversal, and only reversal, takes action = \"mirror\"".into()));
    }
    let ignore = match &p.ignore {
        Some(text) => PortionSet::parse(text).map_err(|e| err(format!("ignore: {e}")))?,
        None => PortionSet::EMPTY,
    };
    let when = p.when.as_ref().map(|w| When { charged_off: w.charged_off, fraud: w.fraud }).unwrap_or_default();
    let mut out = Vec::new();
    for &rule in &rules {
        for &kind in &kinds {
            out.push(Posting { kind, rule, when, action: action.clone(), ignore, note: p.note.clone() });
        }
    }
    Ok(out)
}

/// Every portion must be debited as often as it is credited: then, whatever the event's
/// portions are, debits equal credits. A booked portion must not also be ignored.
fn check_balance(posting: &Posting, file: &str, number: usize) -> Result<(), RuleError> {
    let Action::Post(legs) = &posting.action else { return Ok(()) };
    for portion in Portion::ALL {
        let count = |side: Side| legs.iter().filter(|l| l.side == side && l.amount.contains(portion)).count();
        let (debits, credits) = (count(Side::Debit), count(Side::Credit));
        if debits != credits {
            return Err(RuleError::Unbalanced {
                file: file.to_owned(),
                posting: number,
                kind: posting.kind,
                rule: posting.rule,
                portion,
                debits,
                credits,
            });
        }
        if debits > 0 && posting.ignore.contains(portion) {
            return Err(RuleError::Posting {
                file: file.to_owned(),
                posting: number,
                message: format!("{portion} is both booked and ignored"),
            });
        }
    }
    Ok(())
}

fn build_index(postings: &[Posting], origin: &[usize], file: &str) -> Result<Vec<Vec<Vec<usize>>>, RuleError> {
    let mut index = vec![vec![Vec::new(); EventKind::ALL.len()]; AccountingRule::ALL.len()];
    for (i, p) in postings.iter().enumerate() {
        let slot: &mut Vec<usize> = &mut index[rule_index(p.rule)][kind_index(p.kind)];
        if let Some(&j) = slot.iter().find(|&&j| postings[j].when == p.when) {
            return Err(RuleError::Ambiguous {
                file: file.to_owned(),
                first: origin[j],
                second: origin[i],
                kind: p.kind,
                rule: p.rule,
            });
        }
        slot.push(i);
    }
    let mut missing = BTreeSet::new();
    for rule in AccountingRule::ALL {
        for kind in EventKind::ALL {
            let slot = &mut index[rule_index(*rule)][kind_index(*kind)];
            // Most specific first, so the first match is the best one; file order breaks ties.
            slot.sort_by_key(|&i| (std::cmp::Reverse(postings[i].when.specificity()), i));
            if !slot.iter().any(|&i| postings[i].when.is_unconditional()) {
                missing.insert(format!("{kind} under {rule}"));
            }
        }
    }
    if !missing.is_empty() {
        return Err(RuleError::Incomplete { file: file.to_owned(), missing: missing.into_iter().collect() });
    }
    Ok(index)
}
