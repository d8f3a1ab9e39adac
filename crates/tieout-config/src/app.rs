//! The application's settings, `config/default.toml`: store, server, worker, logging, HTTP.
//!
//! Loaded with the `config` crate: the file, then `TIEOUT__SECTION__KEY` variables on top. Every
//! key has a default, so a section may be left out; the file itself must exist, because a
//! missing one almost always means the wrong `--config` directory.

use std::fmt;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::client::ClientName;
use crate::env::{EnvOverrides, Override};
use crate::error::ConfigError;
use crate::message::{key_error, serde_error};
use crate::no_floats::refuse_floats;
use crate::read::read_text;

/// The application file's name inside the config directory.
pub const APP_FILE: &str = "default.toml";

/// Keys whose override is a comma-separated list (`TIEOUT__WORKER__CLIENTS=acme,demo`).
const LIST_KEYS: [&str; 1] = ["worker.clients"];

/// `config/default.toml`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    /// `[store]`: where Tieout keeps its own state.
    pub store: StoreConfig,
    /// `[server]`: the web UI and HTTP API.
    pub server: ServerConfig,
    /// `[worker]`: `tieout worker`.
    pub worker: WorkerConfig,
    /// `[log]`: logging to stderr.
    pub log: LogConfig,
    /// `[http]`: the HTTP client connectors use.
    pub http: HttpConfig,
}

/// `[store]`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// The database: `sqlite://PATH` (one machine) or `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`
    /// (many workers). Default `sqlite://data/tieout.db`, relative to the working directory.
    pub url: StoreUrl,
}

/// `[server]`.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// The address `tieout serve` listens on, as IP:PORT. Default `127.0.0.1:8080`.
    #[serde(deserialize_with = "socket_address")]
    pub address: SocketAddr,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { address: SocketAddr::from(([127, 0, 0, 1], 8080)) }
    }
}

fn socket_address<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "'{text}' is not IP:PORT: write e.g. \"127.0.0.1:8080\" (this machine only) or \"0.0.0.0:8080\" \
             (every interface); host names are not resolved here"
        ))
    })
}

/// The most jobs one worker may run at once; more is a typo, not a machine.
const MAX_CONCURRENCY: u32 = 1024;

/// `[worker]`.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerConfig {
    /// How many jobs one `tieout worker` runs at the same time (1 to 1024). Default 4.
    pub concurrency: NonZeroU32,
    /// The clients this worker serves; empty (the default) serves every client.
    pub clients: Vec<ClientName>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig { concurrency: NonZeroU32::MIN.saturating_add(3), clients: Vec::new() }
    }
}

impl WorkerConfig {
    /// Whether this worker serves `client`.
    pub fn serves(&self, client: &ClientName) -> bool {
        self.clients.is_empty() || self.clients.contains(client)
    }
}

/// `[log]`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` (for people, the default) or `json` (one object per line, for log collectors).
    pub format: LogFormat,
    /// What to log: a level or per-target directives. Default `info`.
    pub level: LogLevel,
}

/// How log lines are written.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

// By hand: the config crate words a derived enum's error as "enum LogFormat does not have
// variant constructor xml", which names a Rust type, not the fix.
impl<'de> Deserialize<'de> for LogFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match String::deserialize(deserializer)?.as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(serde::de::Error::custom(format!("'{other}' is not a log format: use \"text\" or \"json\""))),
        }
    }
}

/// A log filter in `tracing` directive syntax: a level (`error`, `warn`, `info`, `debug`,
/// `trace`, `off`) or comma-separated `target=level` directives with an optional default level
/// (`info,tieout_engine=debug`). Checked here so a typo fails at start, not silently.
#[derive(Clone, PartialEq, Eq)]
pub struct LogLevel(String);

const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

impl LogLevel {
    /// Checks a filter; the error says which directive is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = text.split(',').map(str::trim).find(|directive| {
            let (target, level) = match directive.split_once('=') {
                Some((target, level)) => (Some(target), level),
                None => (None, *directive),
            };
            let target_ok = target.is_none_or(|t| {
                !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-'))
            });
            !target_ok || !LEVELS.iter().any(|l| l.eq_ignore_ascii_case(level))
        });
        match bad {
            Some(directive) => Err(format!(
                "'{directive}' is not a log level: use one of {} or target=level directives such as \
                 \"info,tieout_engine=debug\"",
                LEVELS.join(", ")
            )),
            None => Ok(LogLevel(text.to_owned())),
        }
    }

    /// The filter, for `tracing_subscriber::EnvFilter`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for LogLevel {
    fn default() -> Self {
        LogLevel("info".to_owned())
    }
}

impl fmt::Debug for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl<'de> Deserialize<'de> for LogLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        LogLevel::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// `[http]`.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Seconds to wait for a connection to a servicing system or accounting package (1 to 3600).
    /// Default 10.
    pub connect_timeout_secs: u64,
    /// Seconds one request may take, connecting included (1 to 3600, at least
    /// `connect_timeout_secs`). Default 60.
    pub request_timeout_secs: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig { connect_timeout_secs: 10, request_timeout_secs: 60 }
    }
}

impl HttpConfig {
    /// `connect_timeout_secs` as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    /// `request_timeout_secs` as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

/// A database URL. `Debug` and `Display` hide the password (`postgres://tieout:***@db/tieout`),
/// because a URL from `TIEOUT__STORE__URL` usually carries one and settings get logged.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreUrl(String);

impl StoreUrl {
    /// Checks the scheme: `sqlite:` or `postgres://` / `postgresql://`. The error never repeats
    /// the URL, which may hold a password.
    pub fn parse(url: &str) -> Result<Self, String> {
        let Some((scheme, _)) = url.split_once(':') else {
            return Err("is not a URL: use sqlite://PATH or postgres://USER@HOST/DATABASE".to_owned());
        };
        let rest_ok = match scheme {
            "sqlite" => url.len() > "sqlite:".len(),
            "postgres" | "postgresql" => {
                url[scheme.len()..].starts_with("://") && url.len() > scheme.len() + "://".len()
            }
            _ => {
                return Err(format!(
                    "the scheme '{}' is not supported: use sqlite://PATH or postgres://USER@HOST/DATABASE",
                    scheme.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>()
                ));
            }
        };
        if !rest_ok {
            return Err("names no database: use sqlite://PATH or postgres://USER@HOST/DATABASE".to_owned());
        }
        Ok(StoreUrl(url.to_owned()))
    }

    /// The full URL, password included, for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the store is SQLite (one machine) rather than Postgres.
    pub fn is_sqlite(&self) -> bool {
        self.0.starts_with("sqlite:")
    }

    /// The URL with the password and any `password=` query value replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, Some(query)),
            None => (url.as_str(), None),
        };
        let mut out = match base.split_once("://") {
            Some((scheme, rest)) => {
                let authority_end = rest.find('/').unwrap_or(rest.len());
                let (authority, path) = rest.split_at(authority_end);
                match authority.rsplit_once('@') {
                    Some((userinfo, host)) => match userinfo.split_once(':') {
                        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
                        None => base.to_owned(),
                    },
                    None => base.to_owned(),
                }
            }
            None => base.to_owned(),
        };
        if let Some(query) = query {
            let params: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k.to_ascii_lowercase().contains("password") => format!("{k}=***"),
                    _ => p.to_owned(),
                })
                .collect();
            out.push('?');
            out.push_str(&params.join("&"));
        }
        out
    }
}

impl Default for StoreUrl {
    fn default() -> Self {
        StoreUrl("sqlite://data/tieout.db".to_owned())
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({:?})", self.redacted())
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for StoreUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        StoreUrl::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Reads `<dir>/default.toml` with the `TIEOUT__SECTION__KEY` overrides of `env` on top.
pub fn load_app_with(dir: impl AsRef<Path>, env: &EnvOverrides) -> Result<AppConfig, ConfigError> {
    let file = dir.as_ref().join(APP_FILE);
    let text = read_text(
        &file,
        "create it (docs/configuration.md shows every key) or point --config at the directory that holds it",
    )?;
    // Parsed here first for two things the config crate does not do: refuse floats (it rounds
    // 3.5 into an integer key) and report syntax errors with line and column.
    let table: toml::Table = toml::from_str(&text)
        .map_err(|e| ConfigError::Syntax { file: file.clone(), message: e.to_string().trim_end().to_owned() })?;
    refuse_floats(&table, &file, &[])?;

    let overrides = env.app()?;
    // Lists are split here rather than by the config crate: it splits only when it also guesses
    // types, which turns "3.5" into a float and a client named "7" into a number.
    let (lists, scalars): (Vec<&Override>, Vec<&Override>) =
        overrides.iter().partition(|o| LIST_KEYS.contains(&o.key().as_str()));
    let vars = scalars.iter().map(|o| (o.var.clone(), o.value.clone())).collect();
    let mut builder =
        config::Config::builder().add_source(config::File::from_str(&text, config::FileFormat::Toml)).add_source(
            config::Environment::with_prefix("TIEOUT").prefix_separator("__").separator("__").source(Some(vars)),
        );
    for o in lists {
        let items: Vec<String> =
            o.value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        builder = builder
            .set_override(o.key(), items)
            .map_err(|e| key_error(&o.key(), &e.to_string(), &file, std::slice::from_ref(o)))?;
    }
    let built = builder
        .build()
        .map_err(|e| ConfigError::Syntax { file: file.clone(), message: e.to_string().trim_end().to_owned() })?;
    let app: AppConfig = serde_path_to_error::deserialize(built)
        .map_err(|e| serde_error(&e.path().to_string(), &e.inner().to_string(), &file, &overrides))?;
    app.check(&file, &overrides)?;
    Ok(app)
}

/// Reads `<dir>/default.toml` with the process's `TIEOUT__SECTION__KEY` variables on top.
pub fn load_app(dir: impl AsRef<Path>) -> Result<AppConfig, ConfigError> {
    load_app_with(dir, &EnvOverrides::from_process()?)
}

impl AppConfig {
    /// Checks that span keys or need ranges serde does not express.
    fn check(&self, file: &Path, overrides: &[Override]) -> Result<(), ConfigError> {
        let err = |key: &str, message: String| Err(key_error(key, &message, file, overrides));
        if self.worker.concurrency.get() > MAX_CONCURRENCY {
            return err("worker.concurrency", format!("must be at most {MAX_CONCURRENCY}: lower it"));
        }
        for (key, secs) in [
            ("http.connect_timeout_secs", self.http.connect_timeout_secs),
            ("http.request_timeout_secs", self.http.request_timeout_secs),
        ] {
            if !(1..=3600).contains(&secs) {
                return err(key, "must be between 1 and 3600 seconds".to_owned());
            }
        }
        if self.http.request_timeout_secs < self.http.connect_timeout_secs {
            return err(
                "http.request_timeout_secs",
                "is shorter than http.connect_timeout_secs, which it includes: raise it".to_owned(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_are_checked_and_redacted() {
        let url = StoreUrl::parse("postgres://tieout:hunter2@db:5432/tieout?sslmode=require&password=x").unwrap();
        assert_eq!(url.redacted(), "postgres://tieout:***@db:5432/tieout?sslmode=require&password=***");
        assert!(!format!("{url:?} {url}").contains("hunter2"));
        assert_eq!(url.expose(), "postgres://tieout:hunter2@db:5432/tieout?sslmode=require&password=x");
        assert!(StoreUrl::parse("sqlite://data/t.db").unwrap().is_sqlite());
        assert!(StoreUrl::parse("sqlite::memory:").is_ok());
        let err = StoreUrl::parse("mysql://u:hunter2@h/db").unwrap_err();
        assert!(err.contains("'mysql' is not supported") && !err.contains("hunter2"), "{err}");
        assert!(StoreUrl::parse("postgres://").is_err());
    }

    #[test]
    fn log_levels_and_directives() {
        assert!(LogLevel::parse("info").is_ok());
        assert!(LogLevel::parse("warn,tieout_engine=debug,tieout::jobs=trace").is_ok());
        assert!(LogLevel::parse("verbose").unwrap_err().starts_with("'verbose' is not a log level"));
        assert!(LogLevel::parse("info,=debug").is_err());
    }

    fn app(text: &str) -> Result<AppConfig, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(APP_FILE), text).unwrap();
        load_app_with(dir.path(), &EnvOverrides::none())
    }

    #[test]
    fn values_out_of_range_name_the_key_and_the_fix() {
        let message = |text: &str| app(text).unwrap_err().to_string();
        assert!(
            message("[server]\naddress = \"localhost:8080\"")
                .contains("server.address: 'localhost:8080' is not IP:PORT")
        );
        assert!(message("[worker]\nconcurrency = 0").contains("worker.concurrency: invalid value"));
        assert!(message("[worker]\nconcurrency = 5000").contains("worker.concurrency: must be at most 1024"));
        assert!(message("[http]\nconnect_timeout_secs = 0").contains("http.connect_timeout_secs: must be between 1"));
        assert!(
            message("[http]\nconnect_timeout_secs = 30\nrequest_timeout_secs = 20")
                .contains("http.request_timeout_secs: is shorter than http.connect_timeout_secs")
        );
        assert!(
            message("[log]\nformat = \"xml\"")
                .contains("log.format: 'xml' is not a log format: use \"text\" or \"json\"")
        );
        assert_eq!(app("").unwrap(), AppConfig::default());
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let app = AppConfig::default();
        assert_eq!(app.store.url.expose(), "sqlite://data/tieout.db");
        assert_eq!(app.server.address.to_string(), "127.0.0.1:8080");
        assert_eq!(app.worker.concurrency.get(), 4);
        assert_eq!(app.http.request_timeout(), Duration::from_secs(60));
    }
}
