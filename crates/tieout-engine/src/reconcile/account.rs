//! One account's row: the three sides, the difference, and what explains it.
//!
//! With `S` servicing, `P` posted, `G` being sent, `U` staged unsent, `F` failed, `B` backdated
//! (booked later) and `K` the sink, all dated on or before the as-of date:
//!
//! - where the account carries servicing balances, `difference = S − K`, which splits exactly as
//!   `(S − T) + U + (G − Gₛ) + F + B + (P + Gₛ − K)` with `T = P + G + U + F + B` everything Tieout
//!   booked for those dates. Every term but the first is known, so each is an explanation, and
//!   the first, servicing against everything Tieout booked, is the unexplained remainder;
//! - elsewhere (income, cash, expense accounts) there is no reference figure: `difference = P − K`
//!   and all of it is explained, as posted outside Tieout.
//!
//! `Gₛ`, the part of `G` already in the sink: a sender may have posted and died before recording
//! it. When the sink holds exactly `P + G`, the entries being sent are taken to be there (`Gₛ = G`);
//! otherwise they are taken to be not there (`Gₛ = 0`). Anything else the sink holds beyond what
//! Tieout posted is "posted outside Tieout".

use rust_decimal::Decimal;
use tieout_core::ids::AccountRef;
use tieout_core::money::Currency;
use tieout_core::role::Role;

use super::amount::fit;
use super::explanation::{Explanation, ExplanationKind};
use super::ledger::AccountLedger;
use super::result::AccountRow;

/// Everything known about one account in one currency.
pub(crate) struct AccountFigures {
    pub account: AccountRef,
    pub currency: Currency,
    pub roles: Vec<Role>,
    pub servicing: Option<Decimal>,
    pub ledger: AccountLedger,
    pub backdated: Decimal,
    pub sink: Decimal,
}

impl AccountFigures {
    /// Everything Tieout booked for events dated on or before the as-of date.
    pub(crate) fn booked(&self) -> Decimal {
        let l = &self.ledger;
        l.posted + l.sending + l.unsent + l.failed + self.backdated
    }

    pub(crate) fn row(self) -> AccountRow {
        let AccountLedger { posted, sending, unsent, failed, .. } = self.ledger;
        let in_sink = if !sending.is_zero() && self.sink - posted == sending { sending } else { Decimal::ZERO };
        let outside = posted + in_sink - self.sink;
        let (difference, parts) = match self.servicing {
            Some(servicing) => (
                servicing - self.sink,
                vec![
                    (ExplanationKind::StagedUnsent, unsent),
                    (ExplanationKind::Sending, sending - in_sink),
                    (ExplanationKind::Failed, failed),
                    (ExplanationKind::Backdated, self.backdated),
                    (ExplanationKind::PostedOutsideTieout, outside),
                ],
            ),
            None => (
                posted - self.sink,
                vec![(ExplanationKind::SendingInSink, -in_sink), (ExplanationKind::PostedOutsideTieout, outside)],
            ),
        };
        let currency = self.currency;
        let explanations: Vec<Explanation> = parts
            .into_iter()
            .filter(|(_, amount)| !amount.is_zero())
            .map(|(kind, amount)| Explanation { kind, amount: fit(amount, currency) })
            .collect();
        let explained: Decimal = explanations.iter().map(|e| e.amount).sum();
        AccountRow {
            account: self.account,
            currency,
            roles: self.roles,
            servicing: self.servicing.map(|s| fit(s, currency)),
            ledger: fit(posted, currency),
            staged: fit(unsent + sending, currency),
            failed: fit(failed, currency),
            backdated: fit(self.backdated, currency),
            sink: fit(self.sink, currency),
            difference: fit(difference, currency),
            explained: fit(explained, currency),
            unexplained: fit(difference - explained, currency),
            explanations,
        }
    }
}
