//! One face over a source harness and a sink harness, so that the config and check suites are
//! written once for both sides.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tieout_core::connector::{
    AccountingSink, ConfigError, ConnectorContext, ConnectorRole, DynSinkFactory, DynSourceFactory, Retryable,
    SecretRef, ServicingSource, SinkError, SinkFactory, SourceError, SourceFactory, Typed, Validated, parse_config,
};

use tracing::instrument::WithSubscriber;

use crate::harness::{SinkHarness, SourceHarness};

/// A failed call, reduced to what the suites look at.
pub(crate) struct CallError {
    pub(crate) auth: bool,
    pub(crate) retryable: bool,
    pub(crate) display: String,
    pub(crate) debug: String,
    /// The call panicked (with this message) instead of returning.
    pub(crate) panicked: Option<String>,
}

impl CallError {
    fn panicked(error: tokio::task::JoinError) -> Self {
        let message = match error.try_into_panic() {
            Ok(payload) => payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned()),
            Err(error) => error.to_string(),
        };
        CallError {
            auth: false,
            retryable: false,
            display: format!("panicked: {message}"),
            debug: format!("panicked: {message}"),
            panicked: Some(message),
        }
    }
}

/// Runs a connector call as its own task, so that a panic becomes a failed check instead of
/// a crashed test; the task logs to the caller's subscriber.
async fn guarded<E>(call: impl std::future::Future<Output = Result<(), E>> + Send + 'static) -> Result<(), CallError>
where
    E: Into<CallError> + Send + 'static,
{
    match tokio::spawn(call.with_current_subscriber()).await {
        Ok(result) => result.map_err(Into::into),
        Err(error) => Err(CallError::panicked(error)),
    }
}

impl From<SourceError> for CallError {
    fn from(e: SourceError) -> Self {
        CallError {
            auth: matches!(e, SourceError::Auth { .. }),
            retryable: e.is_retryable(),
            display: e.to_string(),
            debug: format!("{e:?}"),
            panicked: None,
        }
    }
}

impl From<SinkError> for CallError {
    fn from(e: SinkError) -> Self {
        CallError {
            auth: matches!(e, SinkError::Auth { .. }),
            retryable: e.is_retryable(),
            display: e.to_string(),
            debug: format!("{e:?}"),
            panicked: None,
        }
    }
}

#[async_trait]
pub(crate) trait Subject: Send + Sync {
    type Built: Send + Sync;
    fn role(&self) -> ConnectorRole;
    fn kind(&self) -> &'static str;
    fn example(&self) -> &'static str;
    fn config(&self) -> toml::Table;
    fn bad_credentials(&self) -> toml::Table;
    fn secrets(&self) -> Vec<(SecretRef, String)>;
    fn max_calls(&self) -> u64;
    fn timeout(&self) -> Duration;
    /// Through the erased factory, as the registry does it.
    fn validate(&self, raw: toml::Table) -> Result<Validated, ConfigError>;
    /// `Debug` of the typed config.
    fn config_debug(&self, raw: toml::Table) -> Result<String, ConfigError>;
    /// Validate + build through the erased factory; the error is its `Display`.
    async fn build(&self, raw: toml::Table, cx: &ConnectorContext) -> Result<Self::Built, String>;
    async fn built_debug(&self, raw: toml::Table, cx: &ConnectorContext) -> Result<String, String>;
    async fn check(&self, built: &Self::Built) -> Result<(), CallError>;

    fn subject(&self) -> String {
        format!("{} '{}'", self.role(), self.kind())
    }
}

pub(crate) struct SourceSubject<'a, H>(pub(crate) &'a H);

#[async_trait]
impl<H: SourceHarness> Subject for SourceSubject<'_, H> {
    type Built = Arc<dyn ServicingSource>;

    fn role(&self) -> ConnectorRole {
        ConnectorRole::Source
    }
    fn kind(&self) -> &'static str {
        H::Factory::KIND
    }
    fn example(&self) -> &'static str {
        H::Factory::example()
    }
    fn config(&self) -> toml::Table {
        self.0.config()
    }
    fn bad_credentials(&self) -> toml::Table {
        self.0.bad_credentials()
    }
    fn secrets(&self) -> Vec<(SecretRef, String)> {
        self.0.secrets()
    }
    fn max_calls(&self) -> u64 {
        self.0.max_calls_per_check()
    }
    fn timeout(&self) -> Duration {
        self.0.timeout()
    }
    fn validate(&self, raw: toml::Table) -> Result<Validated, ConfigError> {
        Typed::<H::Factory>::new().validate(raw)
    }
    fn config_debug(&self, raw: toml::Table) -> Result<String, ConfigError> {
        let config: <H::Factory as SourceFactory>::Config = parse_config(self.role(), self.kind(), raw)?;
        Ok(format!("{config:?}"))
    }
    async fn build(&self, raw: toml::Table, cx: &ConnectorContext) -> Result<Self::Built, String> {
        let factory = Typed::<H::Factory>::new();
        let validated = factory.validate(raw).map_err(|e| e.to_string())?;
        factory.build(validated, cx).await.map(Arc::from).map_err(|e| e.to_string())
    }
    async fn built_debug(&self, raw: toml::Table, cx: &ConnectorContext) -> Result<String, String> {
        let config = parse_config(self.role(), self.kind(), raw).map_err(|e| e.to_string())?;
        let validated = H::Factory::validate(config).map_err(|e| e.to_string())?;
        self.0.built_debug(validated, cx).await.map_err(|e| e.to_string())
    }
    async fn check(&self, built: &Self::Built) -> Result<(), CallError> {
        let built = built.clone();
        guarded(async move { built.check().await }).await
    }
}

pub(crate) struct SinkSubject<'a, H>(pub(crate) &'a H);

#[async_trait]
impl<H: SinkHarness> Subject for SinkSubject<'_, H> {
    type Built = Arc<dyn AccountingSink>;

    fn role(&self) -> ConnectorRole {
        ConnectorRole::Sink
    }
    fn kind(&self) -> &'static str {
        H::Factory::KIND
    }
    fn example(&self) -> &'static str {
        H::Factory::example()
    }
    fn config(&self) -> toml::Table {
        self.0.config()
    }
    fn bad_credentials(&self) -> toml::Table {
        self.0.bad_credentials()
    }
    fn secrets(&self) -> Vec<(SecretRef, String)> {
        self.0.secrets()
    }
    fn max_calls(&self) -> u64 {
        self.0.max_calls_per_check()
    }
    fn timeout(&self) -> Duration {
        self.0.timeout()
    }
    fn validate(&self, raw: toml::Table) -> Result<Validated, ConfigError> {
        Typed::<H::Factory>::new().validate(raw)
    }
    fn config_debug(&self, raw: toml::Table) -> Result<String, ConfigError> {
        let config: <H::Factory as SinkFactory>::Config = parse_config(self.role(), self.kind(), raw)?;
        Ok(format!("{config:?}"))
    }
    async fn build(&self, raw: toml::Table, cx: &ConnectorContext) -> Result<Self::Built, String> {
        let factory = Typed::<H::Factory>::new();
        let validated = factory.validate(raw).map_err(|e| e.to_string())?;
        factory.build(validated, cx).await.map(Arc::from).map_err(|e| e.to_string())
    }
    async fn built_debug(&self, raw: toml::Table, cx: &ConnectorContext) -> Result<String, String> {
        let config = parse_config(self.role(), self.kind(), raw).map_err(|e| e.to_string())?;
        let validated = H::Factory::validate(config).map_err(|e| e.to_string())?;
        self.0.built_debug(validated, cx).await.map_err(|e| e.to_string())
    }
    async fn check(&self, built: &Self::Built) -> Result<(), CallError> {
        let built = built.clone();
        guarded(async move { built.check().await }).await
    }
}
