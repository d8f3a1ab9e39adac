//! A loan's accrual position as data, so that COB can keep it between business dates.
//!
//! [`LoanAccrual`](super::LoanAccrual) is its plan (built from the schedule) plus a few counters.
//! The plan is never stored: the source supplies the schedule again, and the
//! [`ScheduleFingerprint`] in the state says whether it is still the schedule the counters were
//! accrued on. If it is, [`LoanAccrual::restore`](super::LoanAccrual::restore) continues exactly
//! where the loan stopped; if not (a reschedule, a backdated repayment, a new pause),
//! [`LoanAccrual::restore_rescheduled`](super::LoanAccrual::restore_rescheduled) books the
//! difference as `accrual_adjustment`, as `reschedule` would have.
//!
//! The stored form is a public format of its own (the store keeps it as JSON): amounts are
//! whole numbers of the currency's minor unit, exactly what the engine computes with, and the
//! record carries a version number so a later format can be told apart.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use tieout_core::connector::LoanSchedule;
use tieout_core::money::Currency;

use super::amounts::Minor;
use super::{AccrualMode, PauseWindow, StopReason};

/// The version of the stored state this engine writes and reads.
const STATE_VERSION: u32 = 1;

/// A stable hash of a loan's schedule (every field of it and of every installment) and its
/// pause windows: 128 bits of SHA-256 over a length-prefixed encoding, written as 32 hex digits.
///
/// Stable across runs, machines and versions of Rust (unlike `std`'s hashers), so a fingerprint
/// stored today still matches the same schedule read next year. Decimals are normalized first:
/// `12.30` and `12.3` are the same amount and give the same fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScheduleFingerprint([u8; 16]);

impl ScheduleFingerprint {
    pub fn of(schedule: &LoanSchedule, pauses: &[PauseWindow]) -> Self {
        let mut hash = Sha256::new();
        // Names the encoding, so a change of it can never match an old fingerprint by accident.
        text(&mut hash, "tieout.schedule.v1");
        text(&mut hash, schedule.loan_id.as_str());
        text(&mut hash, schedule.product.as_str());
        match &schedule.office {
            Some(office) => {
                hash.update([1]);
                text(&mut hash, office.as_str());
            }
            None => hash.update([0]),
        }
        text(&mut hash, schedule.currency.code());
        text(&mut hash, schedule.day_count.as_str());
        date(&mut hash, schedule.disbursed_on);
        hash.update((schedule.installments.len() as u64).to_le_bytes());
        for installment in &schedule.installments {
            hash.update(installment.number.to_le_bytes());
            date(&mut hash, installment.start);
            date(&mut hash, installment.due);
            for amount in [installment.principal, installment.interest, installment.fee, installment.penalty] {
                decimal(&mut hash, amount);
            }
        }
        hash.update((pauses.len() as u64).to_le_bytes());
        for pause in pauses {
            date(&mut hash, pause.from);
            date(&mut hash, pause.to);
        }
        let digest = hash.finalize();
        let mut bytes = [0; 16];
        bytes.copy_from_slice(&digest[..16]);
        ScheduleFingerprint(bytes)
    }
}

fn text(hash: &mut Sha256, value: &str) {
    hash.update((value.len() as u64).to_le_bytes());
    hash.update(value.as_bytes());
}

fn date(hash: &mut Sha256, value: NaiveDate) {
    hash.update(value.num_days_from_ce().to_le_bytes());
}

fn decimal(hash: &mut Sha256, value: Decimal) {
    // `normalize` drops trailing zeros; zero is written one way whatever its sign or scale.
    let value = if value.is_zero() { Decimal::ZERO } else { value.normalize() };
    hash.update(value.serialize());
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl fmt::Display for ScheduleFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = [0_u8; 32];
        for (i, byte) in self.0.iter().enumerate() {
            out[2 * i] = HEX[usize::from(byte >> 4)];
            out[2 * i + 1] = HEX[usize::from(byte & 0xf)];
        }
        // Only ASCII hex digits were written.
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for ScheduleFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScheduleFingerprint({self})")
    }
}

/// A fingerprint that is not 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a schedule fingerprint: expected 32 lower-case hex digits")]
pub struct BadFingerprint(pub String);

impl FromStr for ScheduleFingerprint {
    type Err = BadFingerprint;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadFingerprint(text.to_owned());
        let digits = text.as_bytes();
        if digits.len() != 32 {
            return Err(bad());
        }
        let nibble = |c: u8| HEX.iter().position(|h| *h == c).and_then(|n| u8::try_from(n).ok());
        let mut bytes = [0; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            let (high, low) = (nibble(digits[2 * i]).ok_or_else(bad)?, nibble(digits[2 * i + 1]).ok_or_else(bad)?);
            *byte = (high << 4) | low;
        }
        Ok(ScheduleFingerprint(bytes))
    }
}

impl Serialize for ScheduleFingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ScheduleFingerprint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Everything a [`LoanAccrual`](super::LoanAccrual) holds besides its plan: how far it has
/// accrued, what it has recognized, its stop, and which schedule that was on. Taken with
/// [`LoanAccrual::state`](super::LoanAccrual::state); serialize it with serde.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccrualState {
    #[serde(rename = "v")]
    pub(super) version: u32,
    /// The schedule (and pauses) the counters below were accrued on.
    pub(super) schedule: ScheduleFingerprint,
    pub(super) mode: StoredMode,
    /// The currency the amounts are minor units of.
    pub(super) currency: Currency,
    pub(super) accrued_through: Option<NaiveDate>,
    pub(super) stop: Option<StoredStop>,
    /// Index of the first installment not yet fully accrued.
    pub(super) current: u32,
    /// `[interest, fee, penalty]` in minor units, as the engine keeps them.
    pub(super) current_accrued: [i64; 3],
    pub(super) accrued_total: [i64; 3],
    pub(super) staged: [i64; 3],
    pub(super) adjustments: u32,
}

impl AccrualState {
    /// The fingerprint of the schedule this state was accrued on: compare it with the source's
    /// current schedule to know whether the loan needs [`restore_rescheduled`](super::LoanAccrual::restore_rescheduled).
    pub fn fingerprint(&self) -> ScheduleFingerprint {
        self.schedule
    }

    /// The last date accrued, or `None` before the first accrual.
    pub fn accrued_through(&self) -> Option<NaiveDate> {
        self.accrued_through
    }

    /// The stop date and why, once the loan has stopped accruing.
    pub fn stopped(&self) -> Option<(NaiveDate, StopReason)> {
        self.stop.map(|stop| (stop.date, stop.reason.into()))
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub(super) fn is_current_version(&self) -> bool {
        self.version == STATE_VERSION
    }

    pub(super) fn new(schedule: ScheduleFingerprint, mode: AccrualMode, currency: Currency) -> Self {
        AccrualState {
            version: STATE_VERSION,
            schedule,
            mode: mode.into(),
            currency,
            accrued_through: None,
            stop: None,
            current: 0,
            current_accrued: [0; 3],
            accrued_total: [0; 3],
            staged: [0; 3],
            adjustments: 0,
        }
    }
}

/// [`AccrualMode`] as stored (its own type, so the stored names never follow a rename in code).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum StoredMode {
    Periodic,
    Upfront,
}

impl From<AccrualMode> for StoredMode {
    fn from(mode: AccrualMode) -> Self {
        match mode {
            AccrualMode::Periodic => StoredMode::Periodic,
            AccrualMode::Upfront => StoredMode::Upfront,
        }
    }
}

impl From<StoredMode> for AccrualMode {
    fn from(mode: StoredMode) -> Self {
        match mode {
            StoredMode::Periodic => AccrualMode::Periodic,
            StoredMode::Upfront => AccrualMode::Upfront,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StoredStop {
    pub date: NaiveDate,
    pub reason: StoredReason,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum StoredReason {
    ChargeOff,
    WriteOff,
    Close,
}

impl From<StopReason> for StoredReason {
    fn from(reason: StopReason) -> Self {
        match reason {
            StopReason::ChargeOff => StoredReason::ChargeOff,
            StopReason::WriteOff => StoredReason::WriteOff,
            StopReason::Close => StoredReason::Close,
        }
    }
}

impl From<StoredReason> for StopReason {
    fn from(reason: StoredReason) -> Self {
        match reason {
            StoredReason::ChargeOff => StopReason::ChargeOff,
            StoredReason::WriteOff => StopReason::WriteOff,
            StoredReason::Close => StopReason::Close,
        }
    }
}

impl From<Minor> for [i64; 3] {
    fn from(minor: Minor) -> Self {
        [minor.interest, minor.fee, minor.penalty]
    }
}

impl From<[i64; 3]> for Minor {
    fn from([interest, fee, penalty]: [i64; 3]) -> Self {
        Minor { interest, fee, penalty }
    }
}

#[cfg(test)]
mod tests {
    use tieout_core::connector::Installment;
    use tieout_core::role::DayCount;

    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn schedule(interest: Decimal) -> LoanSchedule {
        LoanSchedule {
            loan_id: "L-1".into(),
            product: "personal".into(),
            office: None,
            currency: Currency::new("USD").unwrap(),
            day_count: DayCount::ActualActual,
            disbursed_on: d("2026-01-01"),
            installments: vec![Installment {
                number: 1,
                start: d("2026-01-01"),
                due: d("2026-02-01"),
                principal: Decimal::ONE_HUNDRED,
                interest,
                fee: Decimal::ZERO,
                penalty: Decimal::ZERO,
            }],
        }
    }

    #[test]
    fn fingerprints_follow_the_content_not_its_spelling() {
        let base = ScheduleFingerprint::of(&schedule(Decimal::new(123, 2)), &[]);
        assert_eq!(base, ScheduleFingerprint::of(&schedule(Decimal::new(1230, 3)), &[]), "12.30 is 12.3");
        assert_ne!(base, ScheduleFingerprint::of(&schedule(Decimal::new(124, 2)), &[]));
        let paused = [PauseWindow::new(d("2026-01-10"), d("2026-01-12"))];
        assert_ne!(base, ScheduleFingerprint::of(&schedule(Decimal::new(123, 2)), &paused));
        let mut moved = schedule(Decimal::new(123, 2));
        moved.office = Some("HQ".into());
        assert_ne!(base, ScheduleFingerprint::of(&moved, &[]));
        // Pinned: the fingerprint must never change for the same schedule (stored ones would
        // all look rescheduled).
        assert_eq!(base.to_string(), "101f02258b1dec004cc45923dbab49da");
    }

    #[test]
    fn fingerprints_round_trip_as_text() {
        let print = ScheduleFingerprint::of(&schedule(Decimal::ONE), &[]);
        assert_eq!(print.to_string().parse::<ScheduleFingerprint>(), Ok(print));
        assert!("xyz".parse::<ScheduleFingerprint>().is_err());
        assert!("101F02258B1DEC004CC45923DBAB49DA".parse::<ScheduleFingerprint>().is_err());
    }
}
