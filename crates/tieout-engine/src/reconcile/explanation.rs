//! Why an account's figures differ, where Tieout can tell.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A known cause of a difference.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExplanationKind {
    /// Staged in Tieout and not sent yet (not enqueued, or pending).
    StagedUnsent,
    /// Being sent: claimed by a sender that has not reported back, and not in the sink's balance.
    Sending,
    /// Being sent and already in the sink's balance (the sink took it; Tieout has not recorded
    /// it as posted yet).
    SendingInSink,
    /// The sink refused the entry.
    Failed,
    /// Value-dated on or before the as-of date but booked into a later period (it arrived after
    /// its month was sent or locked).
    Backdated,
    /// The sink's balance differs from what Tieout posted: journals made in the accounting
    /// package by hand (or by another system).
    PostedOutsideTieout,
}

impl ExplanationKind {
    pub const ALL: [ExplanationKind; 6] = [
        ExplanationKind::StagedUnsent,
        ExplanationKind::Sending,
        ExplanationKind::SendingInSink,
        ExplanationKind::Failed,
        ExplanationKind::Backdated,
        ExplanationKind::PostedOutsideTieout,
    ];

    /// The name in JSON and CSV (`posted_outside_tieout`).
    pub fn as_str(self) -> &'static str {
        match self {
            ExplanationKind::StagedUnsent => "staged_unsent",
            ExplanationKind::Sending => "sending",
            ExplanationKind::SendingInSink => "sending_in_sink",
            ExplanationKind::Failed => "failed",
            ExplanationKind::Backdated => "backdated",
            ExplanationKind::PostedOutsideTieout => "posted_outside_tieout",
        }
    }

    /// A short label for a report ("posted outside Tieout").
    pub fn label(self) -> &'static str {
        match self {
            ExplanationKind::StagedUnsent => "staged, not sent",
            ExplanationKind::Sending => "being sent",
            ExplanationKind::SendingInSink => "sent, not yet confirmed",
            ExplanationKind::Failed => "failed to post",
            ExplanationKind::Backdated => "backdated, booked in a later period",
            ExplanationKind::PostedOutsideTieout => "posted outside Tieout",
        }
    }

    /// What the reader can do about it.
    pub fn advice(self) -> &'static str {
        match self {
            ExplanationKind::StagedUnsent => "send the period (tieout period send)",
            ExplanationKind::Sending => "let the send finish, or run tieout period send again to resume it",
            ExplanationKind::SendingInSink => "run tieout period send again: it finds the entries in the sink by key",
            ExplanationKind::Failed => "read the failed postings, fix the cause, and send the period again",
            ExplanationKind::Backdated => "nothing: it is in the ledger in the period it was booked into",
            ExplanationKind::PostedOutsideTieout => {
                "find the manual journal in the accounting package; reverse it there if it is wrong"
            }
        }
    }
}

impl fmt::Display for ExplanationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cause and the part of the account's `difference` it accounts for (same sign as the
/// difference: an account's explanations add up to its `explained`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Explanation {
    pub kind: ExplanationKind,
    pub amount: Decimal,
}
