//! The `simulator` source's config, its pure validation and its factory.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::Deserialize;
use tieout_core::connector::{
    BuildError, ConfigError, ConnectorContext, ConnectorRole, Cursor, ServicingSource, SourceFactory,
};
use tieout_core::ids::{ChargeName, OfficeId, PaymentType, ProductId};
use tieout_core::money::Currency;

use crate::catalogue::{self, ProductSpec};
use crate::cursor::{EventPosition, event_cursor};
use crate::day_count::{add_days, add_months, days_between};
use crate::source::SimulatorSource;

pub(crate) const KIND: &str = "simulator";

/// `[source] kind = "simulator"`: a synthetic lender. See the README for every key.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct SimulatorConfig {
    /// The same seed (and settings) give the same book on every machine.
    pub seed: u64,
    /// How many loans: numbered 1..=loans, ids `L-0000001`…
    pub loans: u32,
    /// The first disbursement date and the first simulated day.
    pub start: NaiveDate,
    /// How many months the book runs from `start` (default 3); or give `end`.
    pub months: Option<u32>,
    /// The last simulated day (instead of `months`).
    pub end: Option<NaiveDate>,
    /// The book's currency.
    pub currency: Currency,
    /// Currency of the products lent in a foreign currency (`export`); default EUR, or USD for a
    /// EUR book.
    pub foreign_currency: Option<Currency>,
    /// Products of the built-in catalogue.
    pub products: Vec<String>,
    /// Offices loans are booked in (default `["HQ"]`).
    pub offices: Option<Vec<String>>,
    /// Loans are disbursed evenly over this many months from `start` (default: the whole
    /// period; 0: all on `start`).
    pub disburse_months: Option<u32>,
    /// When events become visible (default `all`).
    #[serde(default)]
    pub release: Release,
    /// The largest page returned, whatever limit is asked (default 1000, at most 10000).
    pub page_size: Option<usize>,
    /// How borrowers and the lender behave.
    #[serde(default)]
    pub behaviour: Behaviour,
}

/// When the simulator's events become visible.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Release {
    /// Everything through the last simulated day is there from the start.
    #[default]
    All,
    /// An event is visible once the connector's clock (UTC) has passed the day it was entered:
    /// at any time on day D, the events entered up to D − 1. Balances and schedules follow.
    Clock,
}

/// Shares per mille (0–1000) and day counts that drive the simulation. Every key is optional.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    /// Installments paid after their due date (1 to 40 days late).
    pub late_per_mille: u16,
    /// Installments paid in part (30 %–80 % of what is due); never the last.
    pub partial_per_mille: u16,
    /// Installments paid with extra (10 %–50 % of an installment): principal ahead of
    /// schedule, or an overpayment on the last installment.
    pub overpay_per_mille: u16,
    /// Late fees, once billed, paid by a separate charge payment before the repayment.
    pub separate_charge_per_mille: u16,
    /// Late fees waived on the day they are billed.
    pub waive_penalty_per_mille: u16,
    /// Late payments that come with a waiver of half the interest due.
    pub waive_interest_per_mille: u16,
    /// Loans whose borrower stops paying (then charged off or written off).
    pub default_per_mille: u16,
    /// Of those, written off instead of charged off.
    pub write_off_per_mille: u16,
    /// Of the charged-off ones, fraud (first payment default, charged off sooner).
    pub fraud_per_mille: u16,
    /// Charged-off or written-off loans with one or two recoveries later.
    pub recovery_per_mille: u16,
    /// Repayments reversed: bounced a few days later, or undone as of their own date.
    pub reversal_per_mille: u16,
    /// Repayments entered 1–6 days after their value date.
    pub backdated_per_mille: u16,
    /// Loans rescheduled once (not upfront products).
    pub reschedule_per_mille: u16,
    /// Loans with one interest pause (not upfront products).
    pub interest_pause_per_mille: u16,
    /// Loans paid off early (foreclosure; not upfront products).
    pub payoff_per_mille: u16,
    /// Days after a due date before an unpaid installment is charged a late fee.
    pub grace_days: u16,
    /// Days past due at which a defaulted loan is charged off (fraud and write-offs: half).
    pub charge_off_days: u16,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            late_per_mille: 150,
            partial_per_mille: 60,
            overpay_per_mille: 30,
            separate_charge_per_mille: 400,
            waive_penalty_per_mille: 250,
            waive_interest_per_mille: 150,
            default_per_mille: 60,
            write_off_per_mille: 300,
            fraud_per_mille: 250,
            recovery_per_mille: 500,
            reversal_per_mille: 25,
            backdated_per_mille: 40,
            reschedule_per_mille: 30,
            interest_pause_per_mille: 30,
            payoff_per_mille: 50,
            grace_days: 5,
            charge_off_days: 60,
        }
    }
}

/// The most loans a book holds (ids have seven digits).
pub const MAX_LOANS: u32 = 9_999_999;
const MAX_MONTHS: u32 = 120;
const DEFAULT_MONTHS: u32 = 3;
const DEFAULT_PAGE_SIZE: usize = 1000;
const MAX_PAGE_SIZE: usize = 10_000;

/// A product as the book lends it: the catalogue entry, its currency and its shared ids.
#[derive(Clone, Debug)]
pub(crate) struct BookProduct {
    pub spec: &'static ProductSpec,
    pub id: ProductId,
    pub currency: Currency,
}

/// Shared ids of the payment types and charges, so events share one allocation each.
#[derive(Clone, Debug)]
pub(crate) struct Names {
    pub payment_types: [PaymentType; 3],
    pub charges: [ChargeName; 3],
}

/// What `validate` proves: everything the simulation needs, checked.
#[derive(Clone, Debug)]
pub struct ValidatedSimulator {
    pub(crate) seed: u64,
    pub(crate) loans: u32,
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
    /// Days over which disbursements are spread (at least 1).
    pub(crate) disburse_days: i64,
    pub(crate) products: Vec<BookProduct>,
    pub(crate) offices: Vec<OfficeId>,
    pub(crate) release: Release,
    pub(crate) page_size: usize,
    pub(crate) behaviour: Behaviour,
    pub(crate) names: Names,
    /// Ties cursors to this book: a cursor of another book is refused.
    pub(crate) fingerprint: String,
}

impl ValidatedSimulator {
    /// The first simulated day.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last simulated day.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    pub fn loans(&self) -> u32 {
        self.loans
    }

    pub fn release(&self) -> Release {
        self.release
    }

    /// An events cursor positioned after every event entered on or before `date`: to start a
    /// sync at a date, or, with a date after [`end`](Self::end), a cursor beyond the end.
    pub fn events_cursor_after(&self, date: NaiveDate) -> Cursor {
        let position = match u32::try_from(days_between(self.start, date)) {
            Ok(day) => EventPosition { day, loan: u32::MAX, seq: u32::MAX },
            Err(_) => EventPosition { day: 0, loan: 0, seq: 0 },
        };
        event_cursor(&self.fingerprint, position)
    }
}

fn error(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::new(ConnectorRole::Source, KIND, Some(key), message)
}

impl Behaviour {
    fn check(&self) -> Result<(), ConfigError> {
        let shares = [
            ("late_per_mille", self.late_per_mille),
            ("partial_per_mille", self.partial_per_mille),
            ("overpay_per_mille", self.overpay_per_mille),
            ("separate_charge_per_mille", self.separate_charge_per_mille),
            ("waive_penalty_per_mille", self.waive_penalty_per_mille),
            ("waive_interest_per_mille", self.waive_interest_per_mille),
            ("default_per_mille", self.default_per_mille),
            ("write_off_per_mille", self.write_off_per_mille),
            ("fraud_per_mille", self.fraud_per_mille),
            ("recovery_per_mille", self.recovery_per_mille),
            ("reversal_per_mille", self.reversal_per_mille),
            ("backdated_per_mille", self.backdated_per_mille),
            ("reschedule_per_mille", self.reschedule_per_mille),
            ("interest_pause_per_mille", self.interest_pause_per_mille),
            ("payoff_per_mille", self.payoff_per_mille),
        ];
        for (key, value) in shares {
            if value > 1000 {
                return Err(error(&format!("behaviour.{key}"), format!("is per mille: 0 to 1000, not {value}")));
            }
        }
        let installment =
            u32::from(self.late_per_mille) + u32::from(self.partial_per_mille) + u32::from(self.overpay_per_mille);
        if installment > 1000 {
            return Err(error(
                "behaviour.late_per_mille",
                format!("late, partial and overpay share each installment: together at most 1000, not {installment}"),
            ));
        }
        let fates = u32::from(self.default_per_mille)
            + u32::from(self.payoff_per_mille)
            + u32::from(self.reschedule_per_mille)
            + u32::from(self.interest_pause_per_mille);
        if fates > 1000 {
            return Err(error(
                "behaviour.default_per_mille",
                format!(
                    "a loan has at most one of default, payoff, reschedule and interest pause: together at most \
                     1000, not {fates}"
                ),
            ));
        }
        if self.grace_days > 20 {
            return Err(error(
                "behaviour.grace_days",
                format!("must be 0 to 20 (shorter than a month), not {}", self.grace_days),
            ));
        }
        if !(2..=365).contains(&self.charge_off_days) {
            return Err(error("behaviour.charge_off_days", format!("must be 2 to 365, not {}", self.charge_off_days)));
        }
        Ok(())
    }
}

fn unique_names(key: &str, names: &[String]) -> Result<(), ConfigError> {
    let mut seen = std::collections::BTreeSet::new();
    for (index, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(error(&format!("{key}[{index}]"), "must not be empty"));
        }
        if !seen.insert(name.as_str()) {
            return Err(error(&format!("{key}[{index}]"), format!("'{name}' is listed twice")));
        }
    }
    Ok(())
}

/// FNV-1a, 64 bits: a stable fingerprint of the settings that shape the book.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

impl SimulatorConfig {
    /// Checks the config. Pure: no IO.
    pub fn check(self) -> Result<ValidatedSimulator, ConfigError> {
        if self.loans == 0 || self.loans > MAX_LOANS {
            return Err(error("loans", format!("must be 1 to {MAX_LOANS}, not {}", self.loans)));
        }
        let end = match (self.months, self.end) {
            (Some(_), Some(_)) => return Err(error("end", "give months or end, not both")),
            (None, Some(end)) => {
                if end < self.start {
                    return Err(error("end", format!("{end} is before start {}", self.start)));
                }
                if end >= add_months(self.start, MAX_MONTHS) {
                    return Err(error("end", format!("the book runs at most {MAX_MONTHS} months from start")));
                }
                end
            }
            (months, None) => {
                let months = months.unwrap_or(DEFAULT_MONTHS);
                if !(1..=MAX_MONTHS).contains(&months) {
                    return Err(error("months", format!("must be 1 to {MAX_MONTHS}, not {months}")));
                }
                add_days(add_months(self.start, months), -1)
            }
        };
        let window_end = match self.disburse_months {
            None => add_days(end, 1),
            Some(0) => add_days(self.start, 1),
            Some(months) => {
                let window_end = add_months(self.start, months);
                if window_end > add_days(end, 1) {
                    return Err(error(
                        "disburse_months",
                        format!("{months} months go beyond the book's last day {end}: use at most the book's length"),
                    ));
                }
                window_end
            }
        };
        let disburse_days = days_between(self.start, window_end).max(1);

        if self.products.is_empty() {
            return Err(error(
                "products",
                format!("name at least one product of the catalogue: {}", catalogue::names().join(", ")),
            ));
        }
        unique_names("products", &self.products)?;
        let foreign = match self.foreign_currency {
            Some(currency) if currency == self.currency => {
                return Err(error("foreign_currency", format!("must differ from the book's currency {currency}")));
            }
            Some(currency) => currency,
            None if self.currency.code() == "EUR" => {
                Currency::new("USD").map_err(|e| error("currency", e.to_string()))?
            }
            None => Currency::new("EUR").map_err(|e| error("currency", e.to_string()))?,
        };
        let mut products = Vec::with_capacity(self.products.len());
        for (index, name) in self.products.iter().enumerate() {
            let spec = catalogue::product(name).ok_or_else(|| {
                error(
                    &format!("products[{index}]"),
                    format!("'{name}' is not in the catalogue: use {}", catalogue::names().join(", ")),
                )
            })?;
            let currency = if spec.foreign_currency { foreign } else { self.currency };
            products.push(BookProduct { spec, id: ProductId::from(spec.id), currency });
        }

        let offices = self.offices.clone().unwrap_or_else(|| vec!["HQ".to_owned()]);
        if offices.is_empty() {
            return Err(error("offices", "name at least one office (or leave the key out for HQ)"));
        }
        unique_names("offices", &offices)?;

        let page_size = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            return Err(error("page_size", format!("must be 1 to {MAX_PAGE_SIZE}, not {page_size}")));
        }
        self.behaviour.check()?;

        let fingerprint = format!(
            "{:016x}",
            fnv1a(&format!(
                "{}|{}|{}|{}|{}|{}|{}|{}|{}|{:?}",
                self.seed,
                self.loans,
                self.start,
                end,
                disburse_days,
                self.currency,
                foreign,
                self.products.join(","),
                offices.join(","),
                self.behaviour,
            ))
        );
        let names = Names {
            payment_types: [PaymentType::from("ach"), PaymentType::from("card"), PaymentType::from("cash")],
            charges: [ChargeName::from("origination"), ChargeName::from("service-fee"), ChargeName::from("late-fee")],
        };
        Ok(ValidatedSimulator {
            seed: self.seed,
            loans: self.loans,
            start: self.start,
            end,
            disburse_days,
            products,
            offices: offices.into_iter().map(OfficeId::from).collect(),
            release: self.release,
            page_size,
            behaviour: self.behaviour,
            names,
            fingerprint,
        })
    }
}

/// The `simulator` source's factory.
pub struct SimulatorFactory;

#[async_trait]
impl SourceFactory for SimulatorFactory {
    const KIND: &'static str = KIND;
    type Config = SimulatorConfig;
    type Validated = ValidatedSimulator;

    fn example() -> &'static str {
        crate::EXAMPLE
    }

    fn validate(config: SimulatorConfig) -> Result<ValidatedSimulator, ConfigError> {
        config.check()
    }

    async fn build(
        validated: ValidatedSimulator,
        cx: &ConnectorContext,
    ) -> Result<Box<dyn ServicingSource>, BuildError> {
        Ok(Box::new(SimulatorSource::build(Arc::new(validated), cx)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tieout_core::connector::parse_config;

    fn validate(text: &str) -> Result<ValidatedSimulator, ConfigError> {
        let table: toml::Table = toml::from_str(text).unwrap();
        parse_config::<SimulatorConfig>(ConnectorRole::Source, KIND, table).and_then(SimulatorConfig::check)
    }

    const BASE: &str = "seed = 1\nloans = 10\nstart = \"2026-10-01\"\ncurrency = \"USD\"\nproducts = [\"personal\"]\n";

    #[test]
    fn the_example_validates() {
        let mut table: toml::Table = toml::from_str(crate::EXAMPLE).unwrap();
        assert_eq!(table.remove("kind").and_then(|k| k.as_str().map(str::to_owned)).as_deref(), Some(KIND));
        let validated = parse_config::<SimulatorConfig>(ConnectorRole::Source, KIND, table)
            .and_then(SimulatorConfig::check)
            .unwrap();
        assert_eq!(validated.end, "2026-12-31".parse().unwrap());
        assert_eq!(validated.products.len(), 5);
    }

    #[test]
    fn defaults() {
        let v = validate(BASE).unwrap();
        assert_eq!(v.end, "2026-12-31".parse().unwrap());
        assert_eq!(v.disburse_days, 92);
        assert_eq!(v.offices, [OfficeId::from("HQ")]);
        assert_eq!(v.page_size, 1000);
        assert_eq!(v.release, Release::All);
        assert_eq!(v.behaviour, Behaviour::default());
        let v = validate(&format!("{BASE}end = \"2027-01-15\"\ndisburse_months = 0\nrelease = \"clock\"")).unwrap();
        assert_eq!((v.end, v.disburse_days, v.release), ("2027-01-15".parse().unwrap(), 1, Release::Clock));
    }

    #[test]
    fn wrong_configs_name_the_key() {
        let cases = [
            ("loans = 0", "loans"),
            ("months = 2\nend = \"2027-01-01\"", "end"),
            ("months = 0", "months"),
            ("end = \"2026-09-01\"", "end"),
            ("months = 2\ndisburse_months = 3", "disburse_months"),
            ("foreign_currency = \"USD\"", "foreign_currency"),
            ("offices = []", "offices"),
            ("offices = [\"HQ\", \"HQ\"]", "offices[1]"),
            ("page_size = 0", "page_size"),
            ("behaviour.late_per_mille = 1001", "behaviour.late_per_mille"),
            ("behaviour.late_per_mille = 600\nbehaviour.partial_per_mille = 500", "behaviour.late_per_mille"),
            ("behaviour.grace_days = 40", "behaviour.grace_days"),
            ("behaviour.charge_off_days = 1", "behaviour.charge_off_days"),
        ];
        for (extra, key) in cases {
            let text = BASE.replace("loans = 10\n", if extra.starts_with("loans") { "" } else { "loans = 10\n" });
            let err = validate(&format!("{text}{extra}")).unwrap_err();
            assert_eq!(err.key.as_deref(), Some(key), "{extra}: {err}");
        }
        let err = validate(&BASE.replace("[\"personal\"]", "[\"personal\", \"yacht\"]")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("products[1]"));
        assert!(err.to_string().contains("'yacht' is not in the catalogue: use personal, gold"), "{err}");
        let err = validate(&BASE.replace("[\"personal\"]", "[]")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("products"));
        let err = validate(&format!("{BASE}behaviour.lateness = 3")).unwrap_err();
        assert!(err.to_string().contains("lateness"), "{err}");
    }

    #[test]
    fn the_fingerprint_follows_the_settings() {
        let a = validate(BASE).unwrap().fingerprint;
        assert_eq!(a, validate(BASE).unwrap().fingerprint);
        assert_ne!(a, validate(&BASE.replace("seed = 1", "seed = 2")).unwrap().fingerprint);
        assert_ne!(a, validate(&format!("{BASE}behaviour.late_per_mille = 10")).unwrap().fingerprint);
        // Paging and visibility do not change the book.
        assert_eq!(a, validate(&format!("{BASE}page_size = 7\nrelease = \"clock\"")).unwrap().fingerprint);
    }
}
