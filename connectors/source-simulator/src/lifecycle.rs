//! One loan's life, simulated: a queue of dated actions processed in date order, each writing
//! records (events) and moving the loan's state.
//!
//! The simulation of a loan depends only on the book's settings and the loan's number, and it
//! only ever looks forward: running it through a date gives exactly the events entered up to
//! that date and schedule changes that running it longer would give. That is what lets the
//! source generate any loan, through any date, on its own. The loan acts on what it has been
//! told: a reversal that undoes a repayment as of the repayment's date changes the loan on the
//! day it is entered, so no event entered before then depends on it.
//!
//! The rules (the crate docs say what the accrual engine and reconciliation may rely on):
//! - Payments are allocated penalty → fee → interest → principal due → principal not yet due →
//!   overpayment. "Due" is what the rows due so far bill, less what was paid, waived or lost.
//! - A late fee is charged on `due + grace_days + 1` to an installment not fully paid by then; it
//!   is added to the next row's penalty (billed with the next installment), or, after the last
//!   installment, to a new row due that day.
//! - A reschedule or an interest pause is agreed on an installment's due date and changes only
//!   later rows. So every schedule change touches only days after the day it is made.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::NaiveDate;
use tieout_core::event::EventKind;
use tieout_core::role::AccountingRule;

use crate::catalogue::{ProductSpec, cents_to_minor, major_to_minor};
use crate::config::{Behaviour, ValidatedSimulator};
use crate::day_count::{add_days, days_between, interest};
use crate::earned::{Spread, billed, earned};
use crate::loan::{Fate, LoanTerms, Loss, draw_terms};
use crate::record::{Charge, Parts, PayType, Record};
use crate::rng::Rng;
use crate::schedule::{Amortization, Row, amortize};

/// How a borrower pays an installment.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Style {
    OnTime,
    Late,
    /// This share (per mille) of what is due.
    Partial(u16),
    /// What is due plus this share (per mille) of the installment.
    Over(u16),
    /// Paying again after a reversal.
    Replacement,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Action {
    Disburse,
    /// Installment `n` (a row number) falls due.
    Due(u32),
    /// Charge a late fee if installment `n` is still not paid.
    LateCheck(u32),
    Pay {
        row: u32,
        style: Style,
    },
    Payoff,
    /// Reverse the record at this index, value-dated `value` (the action's date is the day it
    /// is entered).
    Reverse {
        record: usize,
        value: NaiveDate,
    },
    Loss,
    Recovery {
        amount: i64,
    },
    Refund,
}

impl Action {
    /// Order among actions of the same date.
    fn priority(self) -> u8 {
        match self {
            Action::Disburse => 0,
            Action::Due(_) => 1,
            Action::LateCheck(_) => 2,
            Action::Pay { .. } | Action::Payoff => 3,
            Action::Reverse { .. } => 4,
            Action::Loss => 5,
            Action::Recovery { .. } => 6,
            Action::Refund => 7,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Status {
    Active,
    ChargedOff { fraud: bool },
    WrittenOff,
    Closed,
}

/// A loan simulated through some date.
#[derive(Clone, Debug)]
pub(crate) struct LoanHistory {
    pub terms: LoanTerms,
    pub spec: &'static ProductSpec,
    pub decimals: u32,
    /// The schedule as it stands after the simulated days.
    pub rows: Vec<Row>,
    /// The events of the simulated days, in `seq` order: every event entered (`emitted`) by
    /// the simulated date, and backdated repayments value-dated by it but entered later (even
    /// after the book's end): callers filter by what is visible.
    pub records: Vec<Record>,
}

/// Receivables in minor units: principal, interest, fee, penalty.
type Four = [i64; 4];

struct Sim<'a> {
    book: &'a ValidatedSimulator,
    behaviour: Behaviour,
    spec: &'static ProductSpec,
    terms: LoanTerms,
    rng: Rng,
    decimals: u32,
    rows: Vec<Row>,
    /// Rows that are installments (the others carry late fees after the last one).
    regular: u32,
    records: Vec<Record>,
    queue: BinaryHeap<Reverse<(NaiveDate, u8, u32, Action)>>,
    queued: u32,
    /// Paid, waived or lost so far: principal, interest, fee, penalty.
    credited: Four,
    /// Owed back to the borrower.
    overpayment: i64,
    status: Status,
    last_payment: NaiveDate,
    late_fee: i64,
}

/// Simulates loan `number` of `book` through `through` (inclusive).
pub(crate) fn simulate(book: &ValidatedSimulator, number: u32, through: NaiveDate) -> LoanHistory {
    let mut rng = Rng::for_loan(book.seed, number);
    let terms = draw_terms(book, number, &mut rng);
    let product = &book.products[terms.product];
    let spec = product.spec;
    let decimals = product.currency.minor_units();
    let fee = cents_to_minor(spec.monthly_fee_cents, decimals);
    let rows = amortize(&Amortization {
        principal: terms.principal,
        rate_bp: terms.rate_bp,
        day_count: spec.day_count,
        fee,
        anchor: terms.disbursed_on,
        first_month: 1,
        count: terms.term,
        first_start: terms.disbursed_on,
        first_number: 1,
    });
    let mut sim = Sim {
        book,
        behaviour: book.behaviour,
        spec,
        regular: terms.term,
        last_payment: terms.disbursed_on,
        late_fee: cents_to_minor(spec.late_fee_cents, decimals),
        terms,
        rng,
        decimals,
        rows,
        records: Vec::with_capacity(16),
        queue: BinaryHeap::with_capacity(16),
        queued: 0,
        credited: [0; 4],
        overpayment: 0,
        status: Status::Active,
    };
    sim.push(sim.terms.disbursed_on, Action::Disburse);
    while let Some(Reverse((date, _, _, action))) = sim.queue.pop() {
        if date > through {
            break;
        }
        sim.run(date, action);
    }
    LoanHistory { terms: sim.terms, spec, decimals, rows: sim.rows, records: sim.records }
}

impl Sim<'_> {
    fn push(&mut self, date: NaiveDate, action: Action) {
        self.queued += 1;
        self.queue.push(Reverse((date, action.priority(), self.queued, action)));
    }

    fn record(&mut self, kind: EventKind, date: NaiveDate, portions: Parts, effect: Parts) -> usize {
        let seq = u32::try_from(self.records.len() + 1).unwrap_or(u32::MAX);
        self.records.push(Record::new(seq, kind, date, portions, effect));
        self.records.len() - 1
    }

    fn pay_type(&mut self) -> PayType {
        if self.rng.chance(900) {
            self.terms.payment_type
        } else {
            PayType::ALL[usize::try_from(self.rng.below(3)).unwrap_or(0)]
        }
    }

    fn outstanding(&self) -> i64 {
        self.terms.principal - self.credited[0]
    }

    /// What the borrower owes today: billed so far less credited, per portion, never negative.
    fn due(&self, date: NaiveDate) -> Four {
        let billed = billed(&self.rows, date);
        std::array::from_fn(|i| (billed[i] - self.credited[i]).max(0))
    }

    fn credit(&mut self, parts: &Parts) {
        self.credited[0] += parts.principal;
        self.credited[1] += parts.interest;
        self.credited[2] += parts.fee;
        self.credited[3] += parts.penalty;
        self.overpayment += parts.overpayment;
    }

    fn run(&mut self, date: NaiveDate, action: Action) {
        match action {
            Action::Disburse => self.disburse(date),
            Action::Due(number) => self.fall_due(date, number),
            Action::LateCheck(number) => self.late_check(date, number),
            Action::Pay { row, style } => self.pay(date, row, style),
            Action::Payoff => self.payoff(date),
            Action::Reverse { record, value } => self.reverse(value, record, date),
            Action::Loss => self.loss(date),
            Action::Recovery { amount } => self.recover(date, amount),
            Action::Refund => self.refund(date),
        }
    }

    fn disburse(&mut self, date: NaiveDate) {
        let principal = self.terms.principal;
        let pay_type = self.terms.payment_type;
        let index =
            self.record(EventKind::Disbursement, date, Parts::principal(principal), Parts::principal(principal));
        self.records[index].payment_type = Some(pay_type);
        let origination = i64::try_from(crate::day_count::round_div(
            i128::from(principal) * i128::from(self.spec.origination_bp),
            10_000,
        ))
        .unwrap_or(0)
            + cents_to_minor(self.spec.origination_flat_cents, self.decimals);
        if origination > 0 {
            let index =
                self.record(EventKind::RepaymentAtDisbursement, date, Parts::fee(origination), Parts::default());
            let record = &mut self.records[index];
            record.charge = Some(Charge::Origination);
            record.payment_type = Some(pay_type);
            record.receipt = true;
        }
        if let Some(first) = self.rows.first() {
            let due = first.due;
            self.push(due, Action::Due(1));
        }
    }

    fn fall_due(&mut self, date: NaiveDate, number: u32) {
        if self.status != Status::Active {
            return;
        }
        let Some(row) = self.rows.get((number as usize).saturating_sub(1)).copied() else { return };
        // The late fee billed today (charged after the previous installment) may be waived.
        if row.penalty > 0 && self.rng.chance(self.behaviour.waive_penalty_per_mille) {
            let waived = row.penalty.min(self.due(date)[3]);
            if waived > 0 {
                let index = self.record(EventKind::WaiveCharge, date, Parts::penalty(waived), Parts::penalty(-waived));
                self.records[index].charge = Some(Charge::LateFee);
                self.credited[3] += waived;
            }
        }
        let mut paying = true;
        match self.terms.fate {
            Fate::Reschedule { at } if at == number => self.reschedule(date, number),
            Fate::Pause { at } if at == number => self.pause(date, number),
            Fate::Payoff { after } if after == number => {
                if let Some(next) = self.rows.get(number as usize) {
                    let room = days_between(date, next.due) - 1;
                    let days = self.rng.between(1, room.clamp(1, 20));
                    self.push(add_days(date, days), Action::Payoff);
                }
            }
            Fate::Default { from, loss } if number >= from => {
                paying = false;
                if number == from {
                    let days = i64::from(self.behaviour.charge_off_days);
                    let days = match loss {
                        Loss::ChargeOff { fraud: false } => days,
                        Loss::ChargeOff { fraud: true } | Loss::WriteOff => days / 2,
                    };
                    self.push(add_days(date, days), Action::Loss);
                }
            }
            _ => {}
        }
        if paying {
            let last = number >= self.regular;
            let b = self.behaviour;
            let roll = u16::try_from(self.rng.below(1000)).unwrap_or(0);
            let (style, delay) = if roll < b.late_per_mille {
                (Style::Late, self.rng.between(1, 40))
            } else if roll < b.late_per_mille + b.partial_per_mille {
                // The last installment is never paid in part: it is paid on time instead.
                let share = u16::try_from(self.rng.between(300, 800)).unwrap_or(500);
                (if last { Style::OnTime } else { Style::Partial(share) }, 0)
            } else if roll < b.late_per_mille + b.partial_per_mille + b.overpay_per_mille {
                (Style::Over(u16::try_from(self.rng.between(100, 500)).unwrap_or(100)), 0)
            } else {
                (Style::OnTime, 0)
            };
            let when = add_days(date, delay).max(self.last_payment);
            self.last_payment = when;
            self.push(when, Action::Pay { row: number, style });
        }
        self.push(add_days(date, i64::from(self.behaviour.grace_days) + 1), Action::LateCheck(number));
        if let Some(next) = self.rows.get(number as usize).copied()
            && next.regular
        {
            self.push(next.due, Action::Due(next.number));
        }
    }

    /// Whether everything rows 1..=number bill has been credited.
    fn paid_through(&self, number: u32) -> bool {
        let upto = (number as usize).min(self.rows.len());
        let mut billed: Four = [0; 4];
        for row in &self.rows[..upto] {
            billed[0] += row.principal;
            billed[1] += row.interest;
            billed[2] += row.fee;
            billed[3] += row.penalty;
        }
        (0..4).all(|i| self.credited[i] >= billed[i])
    }

    fn late_check(&mut self, date: NaiveDate, number: u32) {
        if self.status != Status::Active || self.late_fee == 0 || self.paid_through(number) {
            return;
        }
        // Billed with the next installment, or on its own row after the last one.
        if let Some(row) = self.rows.iter_mut().find(|row| row.due > date) {
            row.penalty += self.late_fee;
        } else if let Some(last) = self.rows.last().copied() {
            self.rows.push(Row {
                number: last.number + 1,
                start: last.due,
                due: date,
                principal: 0,
                interest: 0,
                fee: 0,
                penalty: self.late_fee,
                regular: false,
            });
        }
    }

    /// Splits a payment: penalty, fee, interest, principal due, principal ahead, overpayment.
    fn allocate(&self, amount: i64, due: Four) -> Parts {
        let mut rest = amount;
        let mut take = |want: i64| {
            let taken = want.min(rest).max(0);
            rest -= taken;
            taken
        };
        let penalty = take(due[3]);
        let fee = take(due[2]);
        let interest = take(due[1]);
        let principal_due = take(due[0]);
        let ahead = take(self.outstanding() - principal_due);
        Parts { principal: principal_due + ahead, interest, fee, penalty, overpayment: rest }
    }

    fn receipt(&mut self, index: usize, pay_type: PayType) {
        let record = &mut self.records[index];
        record.payment_type = Some(pay_type);
        record.receipt = true;
    }

    /// Says on a payment that the loan is not charged off: posting rules route collections on
    /// charged-off loans elsewhere, and the state should not depend on the order events arrive.
    fn performing(&mut self, index: usize) {
        self.records[index].charged_off = Some(false);
    }

    fn pay(&mut self, date: NaiveDate, number: u32, style: Style) {
        if self.status != Status::Active {
            return;
        }
        let mut due = self.due(date);
        if style == Style::Late && due[1] > 1 && self.rng.chance(self.behaviour.waive_interest_per_mille) {
            let waived = due[1] / 2;
            self.record(EventKind::WaiveInterest, date, Parts::interest(waived), Parts::interest(-waived));
            self.credited[1] += waived;
            due[1] -= waived;
        }
        let pay_type = self.pay_type();
        if due[3] > 0 && self.rng.chance(self.behaviour.separate_charge_per_mille) {
            let penalty = Parts::penalty(due[3]);
            let index = self.record(EventKind::ChargePayment, date, penalty, penalty.as_payment());
            self.receipt(index, pay_type);
            self.performing(index);
            self.records[index].charge = Some(Charge::LateFee);
            self.credit(&penalty);
            due[3] = 0;
        }
        let total: i64 = due.iter().sum();
        let amount = match style {
            Style::OnTime | Style::Late | Style::Replacement => total,
            Style::Partial(share) => (total * i64::from(share) / 1000).max(total.min(1)),
            Style::Over(share) => {
                let installment = self.rows.get((number as usize).saturating_sub(1)).map_or(0, Row::amount);
                total + installment * i64::from(share) / 1000
            }
        };
        if amount <= 0 {
            return;
        }
        let parts = self.allocate(amount, due);
        let index = self.record(EventKind::Repayment, date, parts, parts.as_payment());
        self.receipt(index, pay_type);
        self.performing(index);
        if parts.penalty > 0 {
            self.records[index].charge = Some(Charge::LateFee);
        } else if parts.fee > 0 && self.spec.monthly_fee_cents > 0 {
            self.records[index].charge = Some(Charge::ServiceFee);
        }
        self.credit(&parts);
        if self.fully_paid(date) {
            self.close(date);
            return;
        }
        let end = self.book.end;
        if style != Style::Replacement && self.rng.chance(self.behaviour.backdated_per_mille) {
            let emitted = add_days(date, self.rng.between(1, 6));
            // Not for a loan headed for a loss: entered after its charge-off, a payment would
            // read as a collection on a charged-off loan, though it came first.
            let defaulting = matches!(self.terms.fate, Fate::Default { .. });
            if emitted <= end && !defaulting {
                self.records[index].emitted = emitted;
                return;
            }
        }
        if style != Style::Replacement && self.rng.chance(self.behaviour.reversal_per_mille) {
            // Undone as of its own date and entered days later, or bounced days later.
            let (value, emitted) = if self.rng.chance(333) {
                (date, add_days(date, self.rng.between(2, 10)))
            } else {
                let day = add_days(date, self.rng.between(1, 4));
                (day, day)
            };
            if emitted <= end {
                // The loan learns of it when it is entered, whatever its value date.
                self.push(emitted, Action::Reverse { record: index, value });
                let again = add_days(emitted, self.rng.between(1, 5));
                self.push(again, Action::Pay { row: number, style: Style::Replacement });
            }
        }
    }

    /// Paid in full: past the last row's due date, nothing due, no principal left.
    fn fully_paid(&self, date: NaiveDate) -> bool {
        let past_last = self.rows.last().is_none_or(|row| date >= row.due);
        past_last && self.outstanding() == 0 && self.due(date).iter().all(|d| *d == 0)
    }

    fn close(&mut self, date: NaiveDate) {
        self.record(EventKind::Close, date, Parts::default(), Parts::default());
        self.status = Status::Closed;
        if self.overpayment > 0 {
            let days = self.rng.between(5, 20);
            self.push(add_days(date, days), Action::Refund);
        }
    }

    fn reverse(&mut self, date: NaiveDate, target: usize, emitted: NaiveDate) {
        if self.status != Status::Active {
            return;
        }
        let Some(original) = self.records.get(target).copied() else { return };
        let index = self.record(EventKind::Reversal, date, original.portions, original.effect.negated());
        let record = &mut self.records[index];
        record.emitted = emitted;
        record.reverses = Some(original.seq);
        record.payment_type = original.payment_type;
        record.charge = original.charge;
        let undone = original.portions;
        self.credited[0] -= undone.principal;
        self.credited[1] -= undone.interest;
        self.credited[2] -= undone.fee;
        self.credited[3] -= undone.penalty;
        self.overpayment -= undone.overpayment;
    }

    fn spread(&self) -> Spread {
        if self.spec.rule == AccountingRule::AccrualUpfront { Spread::Upfront } else { Spread::Daily }
    }

    fn loss(&mut self, date: NaiveDate) {
        if self.status != Status::Active {
            return;
        }
        let Fate::Default { loss, .. } = self.terms.fate else { return };
        let billed = billed(&self.rows, date);
        // Accrual products lose what the books carry (earned less credited); cash products
        // report what the borrower owes, which their rule does not book.
        let (interest, fee) = if self.spec.rule.is_accrual() {
            let earned = earned(&self.rows, self.spread(), self.spec.day_count, self.terms.disbursed_on, date);
            (earned.interest, earned.fee)
        } else {
            (billed[1], billed[2])
        };
        let parts = Parts {
            principal: self.outstanding(),
            interest: (interest - self.credited[1]).max(0),
            fee: (fee - self.credited[2]).max(0),
            penalty: (billed[3] - self.credited[3]).max(0),
            overpayment: 0,
        };
        let (kind, status) = match loss {
            Loss::ChargeOff { fraud } => (EventKind::ChargeOff, Status::ChargedOff { fraud }),
            Loss::WriteOff => (EventKind::WriteOff, Status::WrittenOff),
        };
        let index = self.record(kind, date, parts, parts.as_payment());
        if let Status::ChargedOff { fraud } = status {
            self.records[index].fraud = Some(fraud);
        }
        self.credit(&parts);
        self.status = status;
        if self.rng.chance(self.behaviour.recovery_per_mille) {
            let count = 1 + self.rng.below(2);
            let mut day = date;
            for _ in 0..count {
                day = add_days(day, self.rng.between(15, 45));
                let amount = parts.principal * self.rng.between(50, 300) / 1000;
                if amount > 0 {
                    self.push(day, Action::Recovery { amount });
                }
            }
        }
    }

    fn recover(&mut self, date: NaiveDate, amount: i64) {
        let fraud = match self.status {
            Status::ChargedOff { fraud } => Some(fraud),
            Status::WrittenOff => None,
            Status::Active | Status::Closed => return,
        };
        let pay_type = self.pay_type();
        let index = self.record(EventKind::RecoveryRepayment, date, Parts::principal(amount), Parts::default());
        self.receipt(index, pay_type);
        let record = &mut self.records[index];
        record.charged_off = Some(fraud.is_some());
        record.fraud = fraud;
    }

    fn payoff(&mut self, date: NaiveDate) {
        if self.status != Status::Active {
            return;
        }
        let earned = earned(&self.rows, Spread::Daily, self.spec.day_count, self.terms.disbursed_on, date);
        let billed = billed(&self.rows, date);
        let mut parts = Parts {
            principal: self.outstanding(),
            interest: (earned.interest - self.credited[1]).max(0),
            fee: (earned.fee - self.credited[2]).max(0),
            penalty: (billed[3] - self.credited[3]).max(0),
            overpayment: 0,
        };
        // Borrowers pay off with a round sum: up to the next 10 major units; the rest is owed back.
        let unit = major_to_minor(10, self.decimals).max(1);
        let total = parts.total();
        parts.overpayment = (unit - total.rem_euclid(unit)) % unit;
        let pay_type = self.pay_type();
        let index = self.record(EventKind::Foreclosure, date, parts, parts.as_payment());
        self.receipt(index, pay_type);
        self.performing(index);
        self.credit(&parts);
        self.close(date);
    }

    fn refund(&mut self, date: NaiveDate) {
        if self.overpayment <= 0 {
            return;
        }
        let amount = self.overpayment;
        let pay_type = self.terms.payment_type;
        let index =
            self.record(EventKind::CreditBalanceRefund, date, Parts::overpayment(amount), Parts::overpayment(-amount));
        self.receipt(index, pay_type);
        self.overpayment = 0;
    }

    /// Re-amortizes what the schedule still has to repay after row `number` over the rows left
    /// plus 3–12 months, at a rate up to 2 % lower. Rows up to `number` stay as they were.
    fn reschedule(&mut self, date: NaiveDate, number: u32) {
        let keep = number as usize;
        if keep + 1 >= self.rows.len() {
            return;
        }
        let repaid: i64 = self.rows[..keep].iter().map(|row| row.principal).sum();
        let remaining = self.regular - number;
        let count = remaining + u32::try_from(self.rng.between(3, 12)).unwrap_or(3);
        let cut = self.rng.between(0, 8) * 25;
        let rate = (i64::from(self.terms.rate_bp) - cut).max(100);
        self.terms.rate_bp = u32::try_from(rate).unwrap_or(self.terms.rate_bp);
        let fee = self.rows[keep - 1].fee;
        let rows = amortize(&Amortization {
            principal: self.terms.principal - repaid,
            rate_bp: self.terms.rate_bp,
            day_count: self.spec.day_count,
            fee,
            anchor: self.terms.disbursed_on,
            first_month: number + 1,
            count,
            first_start: date,
            first_number: number + 1,
        });
        self.rows.truncate(keep);
        self.rows.extend(rows);
        self.regular = number + count;
        self.record(EventKind::Reschedule, date, Parts::default(), Parts::default());
    }

    /// Pauses interest for the first 10–20 days of the installment after row `number`: that row
    /// now starts on the pause's last day, and its interest is for the days after it.
    fn pause(&mut self, date: NaiveDate, number: u32) {
        let index = number as usize;
        let Some(row) = self.rows.get(index).copied() else { return };
        let length = days_between(row.start, row.due);
        if length < 12 {
            return;
        }
        let days = self.rng.between(10, (length - 2).min(20));
        let start = add_days(date, days);
        let repaid: i64 = self.rows[..index].iter().map(|row| row.principal).sum();
        let outstanding = self.terms.principal - repaid;
        let row = &mut self.rows[index];
        row.start = start;
        row.interest = interest(outstanding, self.terms.rate_bp, self.spec.day_count, start, row.due);
        self.record(EventKind::InterestPause, date, Parts::default(), Parts::default());
    }
}
