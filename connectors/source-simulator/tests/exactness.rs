//! The simulator's balances tie out, to the cent, with what Tieout books from its events: the
//! accrual engine (`tieout-engine`) accrues each loan from the schedule `schedules()` reports,
//! the journalizer books events and accruals under the standard rules, and per loan and role
//! the ledger equals `balances(as_of)`: loan_portfolio = principal, the receivables, and
//! overpayment_liability = overpayment.

mod support;

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use source_simulator::{CATALOGUE, SimulatorSource};
use support::*;
use tieout_conformance::Kit;
use tieout_core::connector::LoanBalance;
use tieout_core::event::{Event, EventKind};
use tieout_core::ids::{EventId, LoanId};
use tieout_core::role::Role;
use tieout_engine::accrual::{AccrualOptions, AccrualPosting, LoanAccrual, PostingKind, StopReason};
use tieout_engine::journal::{Journalizer, KeyScope};
use tieout_engine::mapping::MappingFile;
use tieout_engine::rules::RuleSet;

/// Every role to an account of its own name; every product under its catalogue rule.
fn mapping() -> MappingFile {
    let mut text = String::from("[accounts]\n");
    for role in Role::ALL {
        text.push_str(&format!("{role} = \"{role}\"\n"));
    }
    for product in CATALOGUE {
        text.push_str(&format!("[products.{}]\nrule = \"{}\"\n", product.id, product.rule));
    }
    MappingFile::from_toml(&text, "exactness.toml").unwrap()
}

const ROLES: [Role; 5] = [
    Role::LoanPortfolio,
    Role::InterestReceivable,
    Role::FeeReceivable,
    Role::PenaltyReceivable,
    Role::OverpaymentLiability,
];

/// The five balances as the ledger sees them (overpayment as the liability it is, positive).
fn from_balance(balance: &LoanBalance) -> [Decimal; 5] {
    [
        balance.principal,
        balance.interest_receivable,
        balance.fee_receivable,
        balance.penalty_receivable,
        balance.overpayment,
    ]
}

/// One ledger line that matters here.
struct Line {
    date: NaiveDate,
    /// The day Tieout received the event behind it.
    received: NaiveDate,
    loan: LoanId,
    role: usize,
    amount: Decimal,
}

/// Journalizes `events` (with the day each was received) and keeps the lines on the five roles.
fn ledger(events: &[(Event, NaiveDate)]) -> Vec<Line> {
    let rules = RuleSet::standard();
    let mapping = mapping();
    let only: Vec<Event> = events.iter().map(|(e, _)| e.clone()).collect();
    let received: HashMap<&EventId, NaiveDate> = events.iter().map(|(e, day)| (&e.id, *day)).collect();
    let journal = Journalizer::new(&rules, &mapping, KeyScope::default()).journalize(&only);
    assert!(
        journal.problems.is_empty(),
        "the standard rules refuse simulated events: {:#?}",
        &journal.problems[..3.min(journal.problems.len())]
    );
    let mut lines = Vec::new();
    for entry in &journal.entries {
        for line in entry.lines() {
            let Some(role) = ROLES.iter().position(|r| *r == line.role()) else { continue };
            let sign = if line.role() == Role::OverpaymentLiability { -Decimal::ONE } else { Decimal::ONE };
            lines.push(Line {
                date: entry.date(),
                received: line.events().iter().filter_map(|id| received.get(id)).copied().max().unwrap(),
                loan: line.loan().unwrap().clone(),
                role,
                amount: line.signed_amount() * sign,
            });
        }
    }
    lines
}

/// Per loan, the five role balances of the lines dated by `as_of` and received by `known`.
fn ledger_as_of(lines: &[Line], as_of: NaiveDate, known: NaiveDate) -> BTreeMap<LoanId, [Decimal; 5]> {
    let mut out: BTreeMap<LoanId, [Decimal; 5]> = BTreeMap::new();
    for line in lines.iter().filter(|l| l.date <= as_of && l.received <= known) {
        out.entry(line.loan.clone()).or_default()[line.role] += line.amount;
    }
    out
}

fn compare(balances: &[LoanBalance], ledger: &BTreeMap<LoanId, [Decimal; 5]>, as_of: NaiveDate) -> usize {
    let zero = [Decimal::ZERO; 5];
    let mut compared = 0;
    for balance in balances {
        let booked = ledger.get(&balance.loan_id).unwrap_or(&zero);
        assert_eq!(
            &from_balance(balance),
            booked,
            "loan {} ({}) as of {as_of}: the source's [principal, interest, fee, penalty, overpayment] differ from \
             the ledger's",
            balance.loan_id,
            balance.product
        );
        let values = from_balance(balance);
        assert!(values[..4].iter().all(|v| !v.is_sign_negative() || v.is_zero()), "{balance:?}");
        compared += 1;
    }
    for (loan, booked) in ledger {
        if !balances.iter().any(|b| &b.loan_id == loan) {
            assert_eq!(booked, &zero, "loan {loan} has ledger balances as of {as_of} but no source balance");
        }
    }
    compared
}

fn options(source: &SimulatorSource, product: &str) -> Option<AccrualOptions> {
    let info = source.book().products().into_iter().find(|p| p.id.as_str() == product)?;
    AccrualOptions::new(info.accounting_rule?, false).ok()
}

/// The engine's accrual events of `postings`, made by `loan`.
fn accrual_events(
    loan: &LoanAccrual,
    postings: &mut Vec<AccrualPosting>,
    received: NaiveDate,
    out: &mut Vec<(Event, NaiveDate)>,
) {
    for posting in postings.drain(..) {
        assert!(
            !matches!(posting.kind, PostingKind::Adjustment { .. }),
            "loan {}: the engine booked an adjustment on {}: {:?}; the simulator's schedule changes must not touch \
             days already accrued",
            loan.loan_id(),
            posting.date,
            posting.amounts
        );
        out.push((loan.event(&posting).unwrap(), received));
    }
}

/// Runs COB day by day over a `release = "clock"` book from `start` to `end`, as Tieout will:
/// each morning the clock passes the day, Tieout pulls the events entered the day before, takes
/// the schedule of each new loan from `schedules()`, applies stops and term changes (re-reading
/// the schedule, which must book no adjustment), and accrues the day. Every `every` days and
/// every month end, the ledger then equals `balances()` for every loan, and, once everything is
/// in, as of those days again. Returns the loan-days compared.
async fn cob_ties_out(text: &str, start: NaiveDate, end: NaiveDate, every: i64) -> usize {
    let kit = Kit::new(Vec::new());
    let source = source_in(&kit, &format!("{text}release = \"clock\"\n"));

    let mut loans: BTreeMap<LoanId, LoanAccrual> = BTreeMap::new();
    let mut received: Vec<(Event, NaiveDate)> = Vec::new();
    let mut postings = Vec::new();
    let mut cursor = None;
    let mut snapshots: Vec<(NaiveDate, Vec<LoanBalance>)> = Vec::new();
    let mut day = start;
    while day <= end {
        // COB for `day` runs early the next morning.
        let morning = day + Days::new(1);
        kit.clock.set(Utc.from_utc_datetime(&morning.and_hms_opt(6, 30, 0).unwrap()));
        let (events, next) = events_from(&source, cursor.clone(), 500).await;
        if next.is_some() {
            cursor = next;
        }
        if events.iter().any(|e| e.kind == EventKind::Disbursement || e.kind.is_term_change()) {
            let schedules = all_schedules(&source, 97).await;
            for event in &events {
                let Some(schedule) = schedules.iter().find(|s| s.loan_id == event.loan_id) else {
                    panic!("no schedule for {} after its {}", event.loan_id, event.kind)
                };
                match event.kind {
                    EventKind::Disbursement => {
                        if let Some(options) = options(&source, event.product.as_str()) {
                            loans.insert(event.loan_id.clone(), LoanAccrual::new(schedule, options, &[]).unwrap());
                        }
                    }
                    kind if kind.is_term_change() => {
                        if let Some(loan) = loans.get_mut(&event.loan_id) {
                            loan.reschedule(schedule, &[], event.date, &mut postings).unwrap();
                            accrual_events(loan, &mut postings, day, &mut received);
                        }
                    }
                    _ => {}
                }
            }
        }
        for event in &events {
            if let Some(reason) = StopReason::for_kind(event.kind)
                && let Some(loan) = loans.get_mut(&event.loan_id)
            {
                loan.stop(event.date, reason, &mut postings);
                accrual_events(loan, &mut postings, day, &mut received);
            }
        }
        received.extend(events.into_iter().map(|e| (e, day)));
        for loan in loans.values_mut() {
            loan.accrue(day, &mut postings).unwrap();
            accrual_events(loan, &mut postings, day, &mut received);
        }
        let month_end = (day + Days::new(1)).format("%d").to_string() == "01";
        if month_end || days(start, day) % every == 0 {
            snapshots.push((day, all_balances(&source, day, 89).await));
        }
        day = morning;
    }

    let lines = ledger(&received);
    let mut compared = 0;
    for (as_of, balances) in &snapshots {
        compared += compare(balances, &ledger_as_of(&lines, *as_of, *as_of), *as_of);
    }
    // Long after, with every late entry in.
    let later = end + Days::new(400);
    kit.clock.set(Utc.from_utc_datetime(&later.and_hms_opt(0, 0, 0).unwrap()));
    for (as_of, _) in snapshots.iter().step_by(3) {
        let balances = all_balances(&source, *as_of, 1000).await;
        compare(&balances, &ledger_as_of(&lines, *as_of, later), *as_of);
    }
    compared
}

/// A whole year of a 400-loan book, every week and month end.
#[tokio::test]
async fn day_by_day_cob_ties_out_with_the_source_balances_to_the_cent() {
    let compared = cob_ties_out(&book_text(7, 400, 12), d("2026-10-01"), d("2027-09-30"), 7).await;
    assert!(compared > 10_000, "{compared} loan-days compared");
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

/// With everything released at once and the engine catching up over gaps (one accrual per
/// installment crossed), several books tie out at irregular dates.
#[tokio::test]
async fn catch_up_accruals_tie_out_for_other_seeds_and_currencies() {
    for (seed, currency) in [(1, "USD"), (2, "JPY"), (3, "KWD"), (4, "EUR")] {
        let text = book_text(seed, 300, 15).replace("currency = \"USD\"", &format!("currency = \"{currency}\""));
        let source = source(&text);
        let events = all_events(&source, 10_000).await;
        let schedules = all_schedules(&source, 10_000).await;
        let end = d("2027-12-31");
        let checkpoints: Vec<NaiveDate> =
            (0..).map(|i| d("2026-10-01") + Days::new(i * 11 + i % 5)).take_while(|date| *date <= end).collect();

        let mut received: Vec<(Event, NaiveDate)> = events.iter().map(|e| (e.clone(), e.date)).collect();
        let mut postings = Vec::new();
        for schedule in &schedules {
            let Some(options) = options(&source, schedule.product.as_str()) else { continue };
            let mut loan = LoanAccrual::new(schedule, options, &[]).unwrap();
            for event in events.iter().filter(|e| e.loan_id == schedule.loan_id) {
                if let Some(reason) = StopReason::for_kind(event.kind) {
                    loan.stop(event.date, reason, &mut postings);
                }
            }
            for checkpoint in &checkpoints {
                loan.accrue(*checkpoint, &mut postings).unwrap();
                for posting in postings.drain(..) {
                    received.push((loan.event(&posting).unwrap(), posting.date));
                }
            }
        }
        let lines = ledger(&received);
        for as_of in &checkpoints {
            let balances = all_balances(&source, *as_of, 10_000).await;
            compare(&balances, &ledger_as_of(&lines, *as_of, end), *as_of);
        }
    }
}

/// Any behaviour, however extreme (every payment late, reversed or backdated; every loan
/// defaulting, paid off or rescheduled), still ties out, and every event is one the standard
/// rules book.
mod any_behaviour {
    use proptest::prelude::*;

    use super::*;

    fn behaviour() -> impl Strategy<Value = String> {
        let shares = prop::collection::vec(0_u16..=1000, 11);
        let installment = (0_u16..=1000, 0_u16..=1000, 0_u16..=1000);
        let fates = (0_u16..=1000, 0_u16..=1000, 0_u16..=1000, 0_u16..=1000);
        (shares, installment, fates, 0_u16..=20, 2_u16..=120).prop_map(|(s, (a, b, c), (f, g, h, i), grace, days)| {
            // Scale the shares that split one installment (or one loan) to at most 1000.
            let fit = |parts: &[u16]| {
                let total: u32 = parts.iter().map(|p| u32::from(*p)).sum();
                parts
                    .iter()
                    .map(|p| if total > 1000 { u32::from(*p) * 1000 / total } else { u32::from(*p) })
                    .collect::<Vec<_>>()
            };
            let one = fit(&[a, b, c]);
            let loan = fit(&[f, g, h, i]);
            format!(
                "behaviour.late_per_mille = {}\nbehaviour.partial_per_mille = {}\nbehaviour.overpay_per_mille = {}\n\
                 behaviour.default_per_mille = {}\nbehaviour.payoff_per_mille = {}\n\
                 behaviour.reschedule_per_mille = {}\nbehaviour.interest_pause_per_mille = {}\n\
                 behaviour.separate_charge_per_mille = {}\nbehaviour.waive_penalty_per_mille = {}\n\
                 behaviour.waive_interest_per_mille = {}\nbehaviour.write_off_per_mille = {}\n\
                 behaviour.fraud_per_mille = {}\nbehaviour.recovery_per_mille = {}\n\
                 behaviour.reversal_per_mille = {}\nbehaviour.backdated_per_mille = {}\n\
                 behaviour.grace_days = {grace}\nbehaviour.charge_off_days = {days}\n",
                one[0],
                one[1],
                one[2],
                loan[0],
                loan[1],
                loan[2],
                loan[3],
                s[0],
                s[1],
                s[2],
                s[3],
                s[4],
                s[5],
                s[6],
                s[7]
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

        #[test]
        fn ties_out_day_by_day(seed in 0_u64..1_000_000, behaviour in behaviour()) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let text = format!("{}disburse_months = 2\n{behaviour}", book_text(seed, 30, 6));
            let compared = runtime.block_on(cob_ties_out(&text, d("2026-10-01"), d("2027-03-31"), 5));
            prop_assert!(compared > 0);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn ties_out(seed in 0_u64..1_000_000, behaviour in behaviour()) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            runtime.block_on(async {
                let text = format!("{}disburse_months = 2\n{behaviour}", book_text(seed, 40, 8));
                let source = source(&text);
                let events = all_events(&source, 10_000).await;
                let schedules = all_schedules(&source, 10_000).await;
                let checkpoints: Vec<NaiveDate> =
                    (0..24).map(|i| d("2026-10-01") + Days::new(i * 10 + i % 3)).collect();
                let mut received: Vec<(Event, NaiveDate)> = events.iter().map(|e| (e.clone(), e.date)).collect();
                let mut postings = Vec::new();
                for schedule in &schedules {
                    let Some(options) = options(&source, schedule.product.as_str()) else { continue };
                    let mut loan = LoanAccrual::new(schedule, options, &[]).unwrap();
                    for event in events.iter().filter(|e| e.loan_id == schedule.loan_id) {
                        if let Some(reason) = StopReason::for_kind(event.kind) {
                            loan.stop(event.date, reason, &mut postings);
                        }
                    }
                    for checkpoint in &checkpoints {
                        loan.accrue(*checkpoint, &mut postings).unwrap();
                        for posting in postings.drain(..) {
                            received.push((loan.event(&posting).unwrap(), posting.date));
                        }
                    }
                }
                let lines = ledger(&received);
                for as_of in &checkpoints {
                    let balances = all_balances(&source, *as_of, 10_000).await;
                    compare(&balances, &ledger_as_of(&lines, *as_of, d("2028-01-01")), *as_of);
                }
            });
        }
    }
}
