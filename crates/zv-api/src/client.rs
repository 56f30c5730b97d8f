//! The async client: `zv_api::Client`, the same methods as the blocking one.

use std::sync::Arc;

use tracing::Instrument;
use zv_transport::AsyncTransport;

use crate::builder::ClientBuilder;
use crate::config::Config;
use crate::core::{Async, ClientCore, Mode};
use crate::error::{ConfigError, Error};
use crate::sansio::{ApiResponse, CallState};
use crate::sleep::AsyncSleeper;

/// The async client. Cheap to clone (one shared connection pool).
///
/// Needs a tokio runtime when it uses the default reqwest transport and sleeper.
#[derive(Clone, Debug)]
pub struct Client {
    core: ClientCore<Async>,
}

impl ClientBuilder<Async> {
    /// Sends with this transport instead of the default reqwest one (any closure returning
    /// a `Send + 'static` future of `Result<http::Response<Vec<u8>>, TransportError>`).
    pub fn transport(mut self, transport: impl AsyncTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Waits with this sleeper — retry backoffs and turns under the rate limit (tests: record
    /// instead of sleeping, and let a [`ManualClock`](crate::limit::ManualClock) pass).
    pub fn sleeper(mut self, sleeper: impl AsyncSleeper + 'static) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        Ok(Client { core: self.build_core()? })
    }
}

impl Mode for Async {
    type Transport = dyn AsyncTransport;
    type Sleeper = dyn AsyncSleeper;

    #[cfg(feature = "reqwest")]
    fn default_transport(config: &Config) -> Result<Arc<dyn AsyncTransport>, Error> {
        let t = zv_transport::ReqwestTransport::new(config.transport_config().clone())
            .map_err(|e| ConfigError::Transport(Arc::new(e)))?;
        Ok(Arc::new(t))
    }

    #[cfg(not(feature = "reqwest"))]
    fn default_transport(_: &Config) -> Result<Arc<dyn AsyncTransport>, Error> {
        Err(ConfigError::NoTransport("async (reqwest)").into())
    }

    #[cfg(feature = "reqwest")]
    fn default_sleeper() -> Result<Arc<dyn AsyncSleeper>, Error> {
        Ok(Arc::new(crate::sleep::TokioSleeper))
    }

    #[cfg(not(feature = "reqwest"))]
    fn default_sleeper() -> Result<Arc<dyn AsyncSleeper>, Error> {
        Err(ConfigError::NoSleeper.into())
    }
}

impl Client {
    crate::core::client_methods!(Async; async .await);

    async fn execute<T>(&self, mut call: CallState<'_, T>) -> Result<ApiResponse<T>, Error> {
        let span = call.span().clone();
        async move { crate::core::attempts!(self, call, in_flight_permit; .await) }.instrument(span).await
    }
}
