//! What a simulated book holds: every kind the simulator claims (and no other), and the
//! properties each kind of activity promises.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_decimal::Decimal;
use source_simulator::KINDS;
use support::*;
use tieout_core::event::{Event, EventKind};
use tieout_core::role::AccountingRule;

#[tokio::test]
async fn every_claimed_kind_appears_in_a_500_loan_book_and_no_other() {
    let claimed: BTreeSet<EventKind> = KINDS.iter().copied().collect();
    for seed in [42, 7, 2026] {
        let events = all_events(&source(&book_text(seed, 500, 12)), 10_000).await;
        let mut counts: BTreeMap<EventKind, usize> = BTreeMap::new();
        for event in &events {
            *counts.entry(event.kind).or_default() += 1;
        }
        let seen: BTreeSet<EventKind> = counts.keys().copied().collect();
        assert_eq!(seen, claimed, "seed {seed}: {counts:?}");
    }
}

/// The demo client's book (`config/clients/demo.toml`) at `tieout demo`'s default of 500 loans
/// has every kind too, in three months.
#[tokio::test]
async fn the_demo_book_has_every_kind() {
    let demo: toml::Table = toml::from_str(include_str!("../../../config/clients/demo.toml")).unwrap();
    let mut section = demo["source"].as_table().unwrap().clone();
    section.remove("kind");
    section.insert("loans".into(), toml::Value::Integer(500));
    let text = toml::to_string(&section).unwrap();
    let seen: BTreeSet<EventKind> = all_events(&source(&text), 10_000).await.iter().map(|e| e.kind).collect();
    assert_eq!(seen, KINDS.iter().copied().collect::<BTreeSet<_>>());
}

async fn year_book() -> Vec<Event> {
    all_events(&source(&book_text(42, 500, 12)), 10_000).await
}

#[tokio::test]
async fn reversals_follow_the_repayment_they_reverse() {
    let events = year_book().await;
    let position: HashMap<&str, usize> = events.iter().enumerate().map(|(i, e)| (e.id.as_str(), i)).collect();
    let mut undone_as_of_their_date = 0;
    let reversals: Vec<&Event> = events.iter().filter(|e| e.kind == EventKind::Reversal).collect();
    assert!(!reversals.is_empty());
    for reversal in reversals {
        let target = reversal.reverses.as_ref().unwrap();
        let original = &events[position[target.as_str()]];
        assert!(position[target.as_str()] < position[reversal.id.as_str()], "{} comes before {target}", reversal.id);
        assert_eq!(original.kind, EventKind::Repayment);
        assert_eq!(
            (original.loan_id.clone(), original.amount, original.portions),
            (reversal.loan_id.clone(), reversal.amount, reversal.portions)
        );
        assert!(reversal.date >= original.date);
        undone_as_of_their_date += usize::from(reversal.date == original.date);
    }
    assert!(undone_as_of_their_date > 0, "some reversals are value-dated on the repayment's own date");
}

#[tokio::test]
async fn some_repayments_are_backdated() {
    let events = year_book().await;
    // In stream order, a backdated event's value date is earlier than that of events before it.
    let mut latest = events[0].date;
    let mut backdated = 0;
    for event in &events {
        if event.date < latest {
            backdated += 1;
            assert!(matches!(event.kind, EventKind::Repayment | EventKind::Reversal), "{event:?}");
        }
        latest = latest.max(event.date);
    }
    assert!(backdated > 10, "{backdated}");
}

#[tokio::test]
async fn payments_are_allocated_penalty_fee_interest_principal() {
    let source = source(&book_text(42, 200, 12));
    for number in 1..=200 {
        let events = source.book().loan_events(number).unwrap();
        let mut closed = false;
        for event in &events {
            assert!(
                !closed || matches!(event.kind, EventKind::CreditBalanceRefund),
                "{} after the close: {event:?}",
                event.loan_id
            );
            closed |= event.kind == EventKind::Close;
            if event.kind == EventKind::Repayment && event.portions.overpayment > Decimal::ZERO {
                // Nothing is left owing when a repayment overpays: the loan closes on that date.
                assert!(events.iter().any(|e| e.kind == EventKind::Close && e.date == event.date), "{event:?}");
            }
        }
        let schedule = source.book().loan_schedule(number).unwrap();
        let disbursed: Decimal = events.iter().filter(|e| e.kind == EventKind::Disbursement).map(|e| e.amount).sum();
        assert_eq!(schedule.installments.iter().map(|i| i.principal).sum::<Decimal>(), disbursed, "loan {number}");
        for pair in schedule.installments.windows(2) {
            assert!(pair[1].start >= pair[0].due && pair[1].number == pair[0].number + 1, "{schedule:?}");
        }
    }
}

#[tokio::test]
async fn losses_recoveries_and_payoffs_look_like_the_real_thing() {
    let events = year_book().await;
    let by_loan = |loan: &tieout_core::ids::LoanId| {
        let loan = loan.clone();
        events.iter().filter(move |e| e.loan_id == loan)
    };
    let mut fraud = 0;
    for event in &events {
        match event.kind {
            EventKind::ChargeOff => {
                fraud += usize::from(event.fraud == Some(true));
                assert!(event.fraud.is_some());
                assert!(event.portions.principal > Decimal::ZERO);
                // Nothing but recoveries after a loss.
                assert!(
                    by_loan(&event.loan_id)
                        .filter(|e| e.date > event.date)
                        .all(|e| e.kind == EventKind::RecoveryRepayment)
                );
            }
            EventKind::RecoveryRepayment => {
                assert!(
                    by_loan(&event.loan_id)
                        .any(|e| matches!(e.kind, EventKind::ChargeOff | EventKind::WriteOff) && e.date < event.date)
                );
            }
            EventKind::Foreclosure => {
                assert!(by_loan(&event.loan_id).any(|e| e.kind == EventKind::Close && e.date == event.date));
            }
            EventKind::CreditBalanceRefund => {
                // It pays back exactly the overpayment received when the loan closed.
                let received: Decimal = by_loan(&event.loan_id)
                    .filter(|e| matches!(e.kind, EventKind::Repayment | EventKind::Foreclosure))
                    .map(|e| e.portions.overpayment)
                    .sum();
                assert_eq!(received, event.amount, "{event:?}");
                assert!(by_loan(&event.loan_id).any(|e| e.kind == EventKind::Close && e.date < event.date));
            }
            _ => {}
        }
    }
    assert!(fraud > 0);
}

#[tokio::test]
async fn offices_payment_types_currencies_and_products_all_occur() {
    let source = source(&book_text(42, 500, 12));
    let events = all_events(&source, 10_000).await;
    let offices: BTreeSet<&str> = events.iter().filter_map(|e| e.office.as_ref().map(|o| o.as_str())).collect();
    assert_eq!(offices, BTreeSet::from(["HQ", "NORTH", "SOUTH"]));
    let types: BTreeSet<&str> = events.iter().filter_map(|e| e.payment_type.as_ref().map(|p| p.as_str())).collect();
    assert_eq!(types, BTreeSet::from(["ach", "card", "cash"]));
    let charges: BTreeSet<&str> = events.iter().filter_map(|e| e.charge.as_ref().map(|c| c.as_str())).collect();
    assert_eq!(charges, BTreeSet::from(["late-fee", "origination", "service-fee"]));
    let products = source.book().products();
    for product in &products {
        let currencies: BTreeSet<&str> =
            events.iter().filter(|e| e.product == product.id).map(|e| e.currency.code()).collect();
        assert_eq!(currencies, BTreeSet::from([product.currency.code()]), "{}", product.id);
    }
    let rules: BTreeSet<AccountingRule> = products.iter().filter_map(|p| p.accounting_rule).collect();
    assert_eq!(
        rules,
        BTreeSet::from([AccountingRule::Cash, AccountingRule::AccrualPeriodic, AccountingRule::AccrualUpfront])
    );
    assert!(products.iter().any(|p| p.accrual_activity_posting));
    assert_eq!(products.iter().filter(|p| p.currency.code() == "EUR").count(), 1);
}

/// Upfront products book all their interest at disbursement, so the simulator never changes
/// their scheduled interest (no reschedule, pause or payoff).
#[tokio::test]
async fn upfront_loans_keep_their_terms() {
    let source = source(&book_text(42, 500, 12));
    let events = all_events(&source, 10_000).await;
    for event in events.iter().filter(|e| e.product.as_str() == "auto") {
        assert!(
            !matches!(event.kind, EventKind::Reschedule | EventKind::InterestPause | EventKind::Foreclosure),
            "{event:?}"
        );
    }
    // An interest pause shows in the schedule as a gap before the paused installment.
    let paused = events.iter().find(|e| e.kind == EventKind::InterestPause).unwrap();
    let number: u32 = paused.loan_id.as_str()[2..].parse().unwrap();
    let schedule = source.book().loan_schedule(number).unwrap();
    let gap = schedule.installments.windows(2).find(|pair| pair[1].start > pair[0].due).unwrap();
    assert_eq!(gap[0].due, paused.date);
}
