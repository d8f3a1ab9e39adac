//! The HTTP client connectors share: rustls TLS, timeouts from the application config, and a
//! user agent that says who is calling.

use std::time::Duration;

use tieout_core::connector::BuildError;

/// HTTP settings from `[http]` in the application config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings { connect_timeout: Duration::from_secs(10), request_timeout: Duration::from_secs(60) }
    }
}

/// Builds the shared client. Only the TLS backend can fail here, and then nothing can be sent.
pub fn http_client(settings: HttpSettings) -> Result<reqwest::Client, BuildError> {
    reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.request_timeout)
        .user_agent(concat!("tieout/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| BuildError::Setup(format!("cannot set up the HTTP client: {e}")))
}
