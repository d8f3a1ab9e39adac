//! Tieout's configuration (DESIGN.md section 12, docs/configuration.md).
//!
//! A config directory holds `default.toml` (store, server, worker, log, HTTP: [`AppConfig`]) and
//! one file per client in `clients/` ([`ClientConfig`]: source and sink connectors, mapping,
//! rules, time zone, schedules, detail level, users). Every key can be overridden by a
//! `TIEOUT__…` environment variable ([`EnvOverrides`]). [`load_config`] reads and checks it all,
//! including the mapping and rule files the clients name, and fails with an error that names
//! the file (or variable), the key and the fix ([`ConfigError`]).
//!
//! Connector sections stay untyped ([`ConnectorSection`]): this crate knows no connector; the
//! registry hands each section to its factory's `validate`. Secrets are never in config files,
//! only references to them (`{ env = "NAME" }`, `{ file = "PATH" }`), resolved by
//! [`EnvSecrets`] into redacted `SecretString`s.

//! ```
//! use tieout_config::{ClientConfig, Job};
//!
//! let client = ClientConfig::from_toml(
//!     r#"
//!     time_zone = "America/New_York"
//!     mapping = "mappings/acme.toml"
//!     [source]
//!     kind = "memory"
//!     [sink]
//!     kind = "ledger"
//!     path = "data/acme.journal"
//!     [schedules.cob]
//!     cron = "0 30 1 * * *"
//!     "#,
//!     "clients/acme.toml",
//! )?;
//! assert_eq!(client.sink.kind(), "ledger");
//! assert!(client.sink.settings().contains_key("path"));
//! assert_eq!(client.schedules.get(Job::Cob).unwrap().time_zone, chrono_tz::Tz::America__New_York);
//!
//! let err = ClientConfig::from_toml("time_zone = \"Mars/Olympus\"", "clients/acme.toml").unwrap_err();
//! assert!(err.to_string().starts_with("clients/acme.toml: time_zone: unknown time zone"));
//! # Ok::<(), tieout_config::ConfigError>(())
//! ```

#![warn(missing_docs)]

mod app;
mod client;
mod embedded;
mod env;
mod error;
mod load;
mod message;
mod no_floats;
mod overlay;
mod read;
mod secrets;

pub use app::{
    APP_FILE, AppConfig, HttpConfig, LogConfig, LogFormat, LogLevel, ServerConfig, StoreConfig, StoreUrl, WorkerConfig,
    load_app, load_app_with,
};
pub use client::{
    ClientConfig, ClientName, ConnectorSection, CronExpr, Job, JobSchedule, PasswordHash, RulesChoice, Schedules, User,
    UserRole,
};
pub use embedded::{DEFAULT_TOML, DEMO_CLIENT_TOML, DEMO_FILES, DEMO_MAPPING_TOML};
pub use env::{EnvOverrides, PREFIX as ENV_PREFIX};
pub use error::{ConfigError, Origin};
pub use load::{
    CLIENTS_DIR, Client, DEFAULT_DIR, Loaded, client_names, load_client, load_client_with, load_config,
    load_config_with,
};
pub use secrets::EnvSecrets;
