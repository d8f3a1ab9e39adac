//! Building a configured client's connectors: its config section is validated by the
//! connector's factory (pure), then built with a context made here (HTTP client from `[http]`,
//! the system clock, secrets from the environment or files).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tieout_config::{Client, load_app, load_client};
use tieout_core::connector::{AccountingSink, Clock, ConnectorContext, ServicingSource, SystemClock, Unlimited};
use tieout_registry::{HttpSettings, Registry, http_client};
use tieout_store::Store;

/// A client's config, loaded on its own so that another client's broken file does not stop
/// an integrator working on this one.
pub struct Configured {
    pub app: tieout_config::AppConfig,
    pub client: Client,
    context: ConnectorContext,
}

impl Configured {
    pub fn load(dir: &Path, client: &str) -> anyhow::Result<Self> {
        let app = load_app(dir)?;
        let client = load_client(dir, client)?;
        let http = http_client(HttpSettings {
            connect_timeout: app.http.connect_timeout(),
            request_timeout: app.http.request_timeout(),
        })?;
        let secrets = tieout_config::EnvSecrets::from_process().with_base_dir(dir);
        let context = ConnectorContext {
            client: client.name.to_client_id(),
            http,
            clock: Arc::new(SystemClock),
            secrets: Arc::new(secrets),
            budget: Arc::new(Unlimited),
            span: tracing::info_span!("connector", client = %client.name),
        };
        Ok(Configured { app, client, context })
    }

    pub async fn source(&self, registry: &Registry) -> anyhow::Result<Box<dyn ServicingSource>> {
        let section = &self.client.config.source;
        let validated = registry
            .validate_source(section.kind(), section.settings().clone())
            .with_context(|| format!("[source] in {}", self.client.file.display()))?;
        let factory = registry.source(section.kind())?;
        let mut context = self.context.clone();
        context.span = tracing::info_span!("source", client = %self.client.name, connector = section.kind());
        factory.build(validated, &context).await.with_context(|| format!("building the {} source", section.kind()))
    }

    pub async fn sink(&self, registry: &Registry) -> anyhow::Result<Box<dyn AccountingSink>> {
        let section = &self.client.config.sink;
        let validated = registry
            .validate_sink(section.kind(), section.settings().clone())
            .with_context(|| format!("[sink] in {}", self.client.file.display()))?;
        let factory = registry.sink(section.kind())?;
        let mut context = self.context.clone();
        context.span = tracing::info_span!("sink", client = %self.client.name, connector = section.kind());
        factory.build(validated, &context).await.with_context(|| format!("building the {} sink", section.kind()))
    }

    /// The store from `[store] url`, migrated to this binary's schema.
    pub async fn open_store(&self) -> anyhow::Result<Store> {
        let url = &self.app.store.url;
        let store =
            Store::connect(url.expose()).await.with_context(|| format!("opening the store {}", url.redacted()))?;
        store.migrate().await.with_context(|| format!("migrating the store {}", url.redacted()))?;
        Ok(store)
    }

    /// Connectors built from here on read `clock` instead of the system clock (`tieout demo`
    /// drives a simulated book day by day).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.context.clock = clock;
        self
    }
}

/// A runtime for one command: connectors are async, the CLI is not.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")
}
