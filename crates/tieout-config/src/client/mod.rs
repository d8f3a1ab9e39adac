//! A client's file, `clients/<name>.toml`: one lender's books — its source and sink, mapping,
//! rule set, time zone, schedules, detail level, reconciliation tolerance and users.

mod amount;
mod connector;
mod name;
mod rules;
mod schedule;
mod time_zone;
mod users;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use tieout_engine::summarize::DetailLevel;
use toml::{Table, Value};

pub use connector::ConnectorSection;
pub use name::ClientName;
pub use rules::RulesChoice;
pub use schedule::{CronExpr, Job, JobSchedule, Schedules};
pub use users::{PasswordHash, User, UserRole};

use crate::env::Override;
use crate::error::ConfigError;
use crate::message::{key_error, serde_error};
use crate::no_floats::refuse_floats;
use crate::overlay;

/// A client's configuration: its file with the environment's overrides applied, checked. The
/// mapping and rule files it names are loaded by [`crate::load_client`].
#[derive(Clone, PartialEq, Debug)]
pub struct ClientConfig {
    /// The client's time zone (IANA): business dates, month ends and schedules are in it.
    pub time_zone: Tz,
    /// The posting rule set.
    pub rules: RulesChoice,
    /// The mapping file, as written (relative to the config directory unless absolute).
    pub mapping: PathBuf,
    /// How much entries are summarized before they are proposed.
    pub detail: DetailLevel,
    /// Whether a month must be sent by a user other than the one who closed it.
    pub separation_of_duties: bool,
    /// The servicing-source connector.
    pub source: ConnectorSection,
    /// The accounting-sink connector.
    pub sink: ConnectorSection,
    /// When the client's jobs run.
    pub schedules: Schedules,
    /// The largest difference per account, in the account's currency, that a reconciliation
    /// reports without alerting.
    pub reconcile_tolerance: Decimal,
    /// Who may use the client's books.
    pub users: Vec<User>,
}

impl ClientConfig {
    /// Parses a client file's text without environment overrides and without reading the
    /// files it names. `file` names it in errors.
    pub fn from_toml(text: &str, file: impl AsRef<Path>) -> Result<ClientConfig, ConfigError> {
        parse(text, file.as_ref(), &[])
    }
}

/// The file as written. Private: the public type has defaults applied and values checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    time_zone: time_zone::TzValue,
    #[serde(default)]
    rules: RulesChoice,
    mapping: PathBuf,
    #[serde(default)]
    detail: Detail,
    #[serde(default)]
    separation_of_duties: bool,
    source: ConnectorSection,
    sink: ConnectorSection,
    #[serde(default)]
    schedules: schedule::RawSchedules,
    reconcile_tolerance: Option<amount::Amount>,
    #[serde(default)]
    users: Vec<User>,
}

#[derive(Default)]
struct Detail(DetailLevel);

impl<'de> Deserialize<'de> for Detail {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DetailLevel::from_str(&text).map(Detail).map_err(serde::de::Error::custom)
    }
}

/// Parses a client file, applying `overrides` (this client's variables) first.
pub(crate) fn parse(text: &str, file: &Path, overrides: &[Override]) -> Result<ClientConfig, ConfigError> {
    let mut table: Table = toml::from_str(text)
        .map_err(|e| ConfigError::Syntax { file: file.to_owned(), message: e.to_string().trim_end().to_owned() })?;
    overlay::apply(&mut table, overrides, file)?;
    refuse_floats(&table, file, overrides)?;
    let raw: RawClient = serde_path_to_error::deserialize(Value::Table(table))
        .map_err(|e| serde_error(&e.path().to_string(), e.inner().message(), file, overrides))?;

    if raw.mapping.as_os_str().is_empty() {
        return Err(key_error(
            "mapping",
            "is empty: name the client's mapping file, e.g. \"mappings/acme.toml\"",
            file,
            overrides,
        ));
    }
    users::check(&raw.users)
        .map_err(|(i, key, message)| key_error(&format!("users[{i}].{key}"), &message, file, overrides))?;

    let mut source = raw.source;
    let mut sink = raw.sink;
    for o in overrides {
        match o.path.split_first() {
            Some((section, rest)) if section == "source" && !rest.is_empty() => {
                source.record_override(rest.join("."), o.var.clone());
            }
            Some((section, rest)) if section == "sink" && !rest.is_empty() => {
                sink.record_override(rest.join("."), o.var.clone());
            }
            _ => {}
        }
    }
    let time_zone = raw.time_zone.0;
    Ok(ClientConfig {
        time_zone,
        rules: raw.rules,
        mapping: raw.mapping,
        detail: raw.detail.0,
        separation_of_duties: raw.separation_of_duties,
        source,
        sink,
        schedules: raw.schedules.resolve(time_zone),
        reconcile_tolerance: raw.reconcile_tolerance.map_or(Decimal::ZERO, |a| a.0),
        users: raw.users,
    })
}
