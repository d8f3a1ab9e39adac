//! A loan's terms, drawn from its own generator: product, office, amount, rate, term, how the
//! borrower pays, and the loan's fate.

use chrono::NaiveDate;

use crate::catalogue::major_to_minor;
use crate::config::ValidatedSimulator;
use crate::day_count::add_days;
use crate::record::PayType;
use crate::rng::Rng;

/// How a defaulted loan leaves the books.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Loss {
    ChargeOff { fraud: bool },
    WriteOff,
}

/// The one thing that sets a loan apart, if any.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Fate {
    Performing,
    /// The borrower pays nothing from installment `from` on.
    Default {
        from: u32,
        loss: Loss,
    },
    /// Paid off some days after installment `after` is due.
    Payoff {
        after: u32,
    },
    /// Re-amortized over a longer term on the due date of installment `at`.
    Reschedule {
        at: u32,
    },
    /// Interest paused for the first days of the installment after `at`, agreed on `at`'s due date.
    Pause {
        at: u32,
    },
}

/// What is fixed when the loan is made.
#[derive(Clone, Debug)]
pub(crate) struct LoanTerms {
    pub number: u32,
    /// Index into the book's products.
    pub product: usize,
    /// Index into the book's offices.
    pub office: usize,
    pub disbursed_on: NaiveDate,
    /// In the product currency's minor unit.
    pub principal: i64,
    pub rate_bp: u32,
    /// Months.
    pub term: u32,
    pub payment_type: PayType,
    pub fate: Fate,
}

/// The disbursement date of loan `number`: loans are spread evenly over the disbursement
/// window in number order, so it needs no random draw and is cheap to compute for any loan.
pub(crate) fn disbursement_date(book: &ValidatedSimulator, number: u32) -> NaiveDate {
    let offset = i64::from(number.saturating_sub(1)) * book.disburse_days / i64::from(book.loans.max(1));
    add_days(book.start, offset)
}

/// Draws loan `number`'s terms. Uses `rng` first, so the rest of the simulation follows.
pub(crate) fn draw_terms(book: &ValidatedSimulator, number: u32, rng: &mut Rng) -> LoanTerms {
    let weights: Vec<u32> = book.products.iter().map(|p| p.spec.weight).collect();
    let product = rng.weighted(&weights);
    let spec = book.products[product].spec;
    let decimals = book.products[product].currency.minor_units();
    let office = usize::try_from(rng.below(book.offices.len() as u64)).unwrap_or(0);

    let steps = (spec.amount_max - spec.amount_min) / spec.amount_step;
    let major = spec.amount_min + rng.between(0, steps) * spec.amount_step;
    let principal = major_to_minor(major, decimals);
    let spread_steps = i64::from(spec.rate_spread_bp / 25);
    let rate = i64::from(spec.rate_bp) + rng.between(-spread_steps, spread_steps) * 25;
    let rate_bp = u32::try_from(rate).unwrap_or(spec.rate_bp);
    let term = spec.terms[usize::try_from(rng.below(spec.terms.len() as u64)).unwrap_or(0)];
    let payment_type = PayType::ALL[rng.weighted(&[60, 25, 15])];

    let behaviour = &book.behaviour;
    let roll = rng.below(1000);
    let mut threshold = u64::from(behaviour.default_per_mille);
    let fate = if roll < threshold {
        let loss = if rng.chance(behaviour.write_off_per_mille) {
            Loss::WriteOff
        } else {
            Loss::ChargeOff { fraud: rng.chance(behaviour.fraud_per_mille) }
        };
        let from = match loss {
            Loss::ChargeOff { fraud: true } => 1,
            _ => u32::try_from(rng.between(1, i64::from((term / 2).max(1)))).unwrap_or(1),
        };
        Fate::Default { from, loss }
    } else {
        threshold += u64::from(behaviour.payoff_per_mille);
        if roll < threshold {
            if spec.allows_payoff() && term >= 2 {
                Fate::Payoff { after: u32::try_from(rng.between(1, i64::from(term - 1))).unwrap_or(1) }
            } else {
                Fate::Performing
            }
        } else {
            threshold += u64::from(behaviour.reschedule_per_mille);
            if roll < threshold {
                if spec.allows_term_changes() && term >= 4 {
                    Fate::Reschedule { at: u32::try_from(rng.between(1, i64::from(term - 2))).unwrap_or(1) }
                } else {
                    Fate::Performing
                }
            } else {
                threshold += u64::from(behaviour.interest_pause_per_mille);
                if roll < threshold && spec.allows_term_changes() && term >= 3 {
                    Fate::Pause { at: u32::try_from(rng.between(1, i64::from(term - 2))).unwrap_or(1) }
                } else {
                    Fate::Performing
                }
            }
        }
    };

    LoanTerms {
        number,
        product,
        office,
        disbursed_on: disbursement_date(book, number),
        principal,
        rate_bp,
        term,
        payment_type,
        fate,
    }
}
