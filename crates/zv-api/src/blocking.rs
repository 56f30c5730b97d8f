//! The blocking client: `zv_api::blocking::Client`, the same methods as the async one.

use std::sync::Arc;

use serde_json::Value;
use zv_transport::Transport;
use zv_types::{
    CouponList, CouponListParams, Endpoint, ExchangeCodeParams, ExchangeCodeStatus, GetCustomerGiftCardList,
    GetExchangeCodeStatus, GiftCard, GiftCardListParams, UserCouponList,
};

use crate::config::{Blocking, ClientBuilder, ClientCore, Config, Mode};
use crate::error::{ConfigError, Error};
use crate::retry::{Sleeper, ThreadSleeper};
use crate::sansio::{ApiResponse, Call, Step};
use crate::untyped::UntypedRequest;

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

    /// Waits between retries with this sleeper (tests: record instead of sleeping).
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
            .map_err(|e| ConfigError::Transport(e.to_string()))?;
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
    /// A builder.
    pub fn builder() -> ClientBuilder<Blocking> {
        ClientBuilder::new()
    }

    /// A client configured from `ZV_OPEN_ID`, `ZV_GRANT_CODE`, `ZV_OPEN_KEY` and
    /// (optionally) `ZV_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        Self::builder().from_env()?.build()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.core.config
    }

    /// A member's gift cards (`/v3/crm/giftCard/getCustomerGiftCardList`).
    pub fn gift_cards(&self, params: &GiftCardListParams) -> Result<Vec<GiftCard>, Error> {
        self.call::<GetCustomerGiftCardList>(params)
    }

    /// A member's coupons (V2 `coupon.user-coupon-list`).
    pub fn coupons(&self, params: &CouponListParams) -> Result<CouponList, Error> {
        self.call::<UserCouponList>(params)
    }

    /// Whether an exchange code can be redeemed (`/v3/coupon/exchange/getExchangeCodeStatus`).
    pub fn exchange_code_status(&self, code: &str) -> Result<ExchangeCodeStatus, Error> {
        self.call::<GetExchangeCodeStatus>(&ExchangeCodeParams::new(code))
    }

    /// Calls any declared endpoint and returns its data.
    pub fn call<E: Endpoint>(&self, params: &E::Params) -> Result<E::Data, Error> {
        self.send::<E>(params).map(|r| r.data)
    }

    /// Calls any declared endpoint and returns its data with the HTTP response it came from.
    pub fn send<E: Endpoint>(&self, params: &E::Params) -> Result<ApiResponse<E::Data>, Error> {
        self.execute(self.core.endpoint_call::<E>(params)?)
    }

    /// Calls any V3 path or V2 Action with JSON params; `data` comes back as JSON.
    pub fn send_untyped(&self, request: &UntypedRequest<'_>) -> Result<ApiResponse<Value>, Error> {
        self.execute(self.core.untyped_call(request)?)
    }

    fn execute<T>(&self, mut call: Call<'_, T>) -> Result<ApiResponse<T>, Error> {
        let span = call.span().clone();
        let _entered = span.enter();
        loop {
            let request = call.next_request()?;
            match call.on_response(self.core.transport.send(request)) {
                Step::Done(result) => return result,
                Step::Retry(delay) => self.core.sleeper.sleep(delay),
            }
        }
    }
}
