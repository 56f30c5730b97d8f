//! The blocking client: `zv_api::blocking::Client`, the same methods as the async one.

use std::sync::Arc;

use zv_transport::Transport;

use crate::builder::ClientBuilder;
use crate::config::Config;
use crate::core::{Blocking, ClientCore, Mode};
use crate::error::{ConfigError, Error};
use crate::sansio::{ApiResponse, CallState};
use crate::sleep::{Sleeper, ThreadSleeper};

/// A blocking client. Cheap to clone (one shared connection pool); share it across threads.
///
/// ```no_run
/// use zv_api::blocking::Client;
/// use zv_types::GiftCardListParams;
///
/// let client = Client::from_env()?; // ZV_OPEN_ID, ZV_GRANT_CODE, ZV_OPEN_KEY, ZV_BASE_URL
/// for card in client.gift_cards(&GiftCardListParams::new("10001"))? {
///     println!("{} {}", card.gift_title, card.par_value.unwrap_or_default());
/// }
/// # Ok::<(), zv_api::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    core: ClientCore<Blocking>,
}

impl ClientBuilder<Blocking> {
    /// Sends with this transport instead of the default ureq one (any closure
    /// `Fn(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportError>`).
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Waits with this sleeper — retry backoffs and turns under the rate limit (tests: record
    /// instead of sleeping, and let a [`ManualClock`](crate::limit::ManualClock) pass).
    pub fn sleeper(mut self, sleeper: impl Sleeper + 'static) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        Ok(Client { core: self.build_core()? })
    }
}

impl Mode for Blocking {
    type Transport = dyn Transport;
    type Sleeper = dyn Sleeper;

    #[cfg(feature = "ureq")]
    fn default_transport(config: &Config) -> Result<Arc<dyn Transport>, Error> {
        let t = zv_transport::UreqTransport::new(config.transport_config().clone())
            .map_err(|e| ConfigError::Transport(Arc::new(e)))?;
        Ok(Arc::new(t))
    }

    #[cfg(not(feature = "ureq"))]
    fn default_transport(_: &Config) -> Result<Arc<dyn Transport>, Error> {
        Err(ConfigError::NoTransport("blocking (ureq)").into())
    }

    fn default_sleeper() -> Result<Arc<dyn Sleeper>, Error> {
        Ok(Arc::new(ThreadSleeper))
    }
}

impl Client {
    crate::core::client_methods!(Blocking;);

    fn execute<T>(&self, mut call: CallState<'_, T>) -> Result<ApiResponse<T>, Error> {
        let span = call.span().clone();
        let _entered = span.enter();
        crate::core::attempts!(self, call, in_flight_permit_blocking;)
    }
}
