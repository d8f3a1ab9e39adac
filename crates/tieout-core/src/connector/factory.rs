//! Connector factories (research/architecture.md §1 and §4: Vector's validated components,
//! Quickwit's typed factories). A factory has a kind name, a typed config, a pure `validate`
//! (no IO, no secrets, no await) and an effectful `build`. The registry holds factories behind
//! the erased [`DynSourceFactory`]/[`DynSinkFactory`], which turn a raw TOML table into the typed
//! config once.

use std::any::Any;
use std::fmt;

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use super::{AccountingSink, ConnectorContext, Retryable, SecretError, ServicingSource};

/// Which side of Tieout a connector is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    Source,
    Sink,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Source => "source",
            Role::Sink => "sink",
        })
    }
}

/// A connector config that is wrong. Names the connector, the key and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub role: Role,
    pub kind: String,
    /// The key path inside the connector's section (`base_url`, `retry.max_attempts`).
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} '{}'", self.role, self.kind)?;
        if let Some(key) = &self.key {
            write!(f, ", key {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ConfigError {
    pub fn new(role: Role, kind: &str, key: Option<&str>, message: impl Into<String>) -> Self {
        ConfigError { role, kind: kind.to_owned(), key: key.map(str::to_owned), message: message.into() }
    }
}

/// Why a validated connector could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// Building a client failed (a CA file that does not parse, a TLS setting).
    #[error("{0}")]
    Setup(String),
    /// A resource the connector needs is unavailable right now (a file lock, a server).
    #[error("{0}")]
    Unavailable(String),
}

impl Retryable for BuildError {
    fn is_retryable(&self) -> bool {
        matches!(self, BuildError::Unavailable(_))
    }
}

/// A servicing-source connector's factory.
#[async_trait]
pub trait SourceFactory: Send + Sync + 'static {
    /// The kind name used in client files (`[source] kind = "fineract"`).
    const KIND: &'static str;
    /// The connector's config: `#[serde(deny_unknown_fields)]`, documented fields, secrets as
    /// [`super::SecretRef`]; its `Debug` never shows a secret.
    type Config: DeserializeOwned + fmt::Debug + Send + 'static;
    /// What `validate` proves about the config, handed to `build`.
    type Validated: Send + 'static;

    /// The example `[source]` section from the connector's README (a test parses it).
    fn example() -> &'static str;

    /// Checks the config. Pure: no IO, no secret reads, no await.
    fn validate(config: Self::Config) -> Result<Self::Validated, ConfigError>;

    /// Builds the connector; may read secrets and open connections.
    async fn build(validated: Self::Validated, cx: &ConnectorContext) -> Result<Box<dyn ServicingSource>, BuildError>;
}

/// An accounting-sink connector's factory.
#[async_trait]
pub trait SinkFactory: Send + Sync + 'static {
    const KIND: &'static str;
    type Config: DeserializeOwned + fmt::Debug + Send + 'static;
    type Validated: Send + 'static;
    fn example() -> &'static str;
    fn validate(config: Self::Config) -> Result<Self::Validated, ConfigError>;
    async fn build(validated: Self::Validated, cx: &ConnectorContext) -> Result<Box<dyn AccountingSink>, BuildError>;
}

/// A validated config of some connector kind, ready for `build`.
pub struct Validated {
    kind: &'static str,
    inner: Box<dyn Any + Send>,
}

impl Validated {
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

impl fmt::Debug for Validated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Validated({})", self.kind)
    }
}

/// The object-safe face of a [`SourceFactory`].
#[async_trait]
pub trait DynSourceFactory: Send + Sync {
    fn kind(&self) -> &'static str;
    fn example(&self) -> &'static str;
    /// Raw TOML section (without its `kind` key) → typed config → validated.
    fn validate(&self, raw: toml::Table) -> Result<Validated, ConfigError>;
    async fn build(&self, validated: Validated, cx: &ConnectorContext) -> Result<Box<dyn ServicingSource>, BuildError>;
}

/// The object-safe face of a [`SinkFactory`].
#[async_trait]
pub trait DynSinkFactory: Send + Sync {
    fn kind(&self) -> &'static str;
    fn example(&self) -> &'static str;
    fn validate(&self, raw: toml::Table) -> Result<Validated, ConfigError>;
    async fn build(&self, validated: Validated, cx: &ConnectorContext) -> Result<Box<dyn AccountingSink>, BuildError>;
}

/// Wraps a typed factory as a dynamic one: `Box::new(Typed::<MySource>::new())`.
pub struct Typed<F>(std::marker::PhantomData<fn() -> F>);

impl<F> Typed<F> {
    pub fn new() -> Self {
        Typed(std::marker::PhantomData)
    }
}

impl<F> Default for Typed<F> {
    fn default() -> Self {
        Self::new()
    }
}

/// Deserializes a connector section, naming the key path of the first error.
pub fn parse_config<C: DeserializeOwned>(role: Role, kind: &str, raw: toml::Table) -> Result<C, ConfigError> {
    let text = toml::to_string(&raw).map_err(|e| ConfigError::new(role, kind, None, e.to_string()))?;
    let deserializer =
        toml::de::Deserializer::parse(&text).map_err(|e| ConfigError::new(role, kind, None, e.message()))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let key = (path != "." && !path.is_empty()).then_some(path);
        ConfigError::new(role, kind, key.as_deref(), e.inner().message().to_owned())
    })
}

fn unwrap_validated<V: 'static>(role: Role, kind: &'static str, validated: Validated) -> Result<V, BuildError> {
    if validated.kind != kind {
        return Err(BuildError::Setup(format!("a {} config was given to the {role} '{kind}'", validated.kind)));
    }
    validated
        .inner
        .downcast::<V>()
        .map(|b| *b)
        .map_err(|_| BuildError::Setup(format!("the {role} '{kind}' received a config it did not validate")))
}

#[async_trait]
impl<F: SourceFactory> DynSourceFactory for Typed<F> {
    fn kind(&self) -> &'static str {
        F::KIND
    }
    fn example(&self) -> &'static str {
        F::example()
    }
    fn validate(&self, raw: toml::Table) -> Result<Validated, ConfigError> {
        let config: F::Config = parse_config(Role::Source, F::KIND, raw)?;
        let validated = F::validate(config)?;
        Ok(Validated { kind: F::KIND, inner: Box::new(validated) })
    }
    async fn build(&self, validated: Validated, cx: &ConnectorContext) -> Result<Box<dyn ServicingSource>, BuildError> {
        let validated = unwrap_validated::<F::Validated>(Role::Source, F::KIND, validated)?;
        F::build(validated, cx).await
    }
}

#[async_trait]
impl<F: SinkFactory> DynSinkFactory for Typed<F> {
    fn kind(&self) -> &'static str {
        F::KIND
    }
    fn example(&self) -> &'static str {
        F::example()
    }
    fn validate(&self, raw: toml::Table) -> Result<Validated, ConfigError> {
        let config: F::Config = parse_config(Role::Sink, F::KIND, raw)?;
        let validated = F::validate(config)?;
        Ok(Validated { kind: F::KIND, inner: Box::new(validated) })
    }
    async fn build(&self, validated: Validated, cx: &ConnectorContext) -> Result<Box<dyn AccountingSink>, BuildError> {
        let validated = unwrap_validated::<F::Validated>(Role::Sink, F::KIND, validated)?;
        F::build(validated, cx).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::SecretRef;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct DemoConfig {
        base_url: String,
        token: SecretRef,
        #[serde(default)]
        retry: Retry,
    }

    #[derive(serde::Deserialize, Debug, Default)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Retry {
        max_attempts: u32,
    }

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn config_errors_name_the_connector_and_the_key_path() {
        let ok: DemoConfig =
            parse_config(Role::Source, "demo", table("base_url = \"http://x\"\ntoken = { env = \"DEMO_TOKEN\" }"))
                .unwrap();
        assert_eq!(format!("{:?}", ok.token), "env:DEMO_TOKEN");

        let err = parse_config::<DemoConfig>(
            Role::Source,
            "demo",
            table("base_url = \"http://x\"\ntoken = { env = \"T\" }\n[retry]\nmax_attemps = 3"),
        )
        .unwrap_err();
        assert_eq!(err.key.as_deref(), Some("retry.max_attemps"));
        assert!(
            err.to_string().starts_with("source 'demo', key retry.max_attemps: unknown field `max_attemps`"),
            "{err}"
        );

        let err =
            parse_config::<DemoConfig>(Role::Sink, "demo", table("base_url = 3\ntoken = { env = \"T\" }")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("base_url"), "{err}");
    }
}
