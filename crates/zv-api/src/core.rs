//! What both clients are made of: a configuration, a transport and a sleeper of their mode.

use std::fmt;
use std::sync::Arc;

use crate::config::Config;
use crate::error::Error;
use crate::sansio::CallState;
use crate::untyped::UntypedRequest;

/// The two kinds of client a builder can build: [`Blocking`] and [`Async`].
pub trait Mode: Sized {
    /// The transport trait object of this mode.
    type Transport: ?Sized + Send + Sync;
    /// The sleeper trait object of this mode.
    type Sleeper: ?Sized + Send + Sync;
    /// The transport used when none is set (a feature-gated backend).
    fn default_transport(config: &Config) -> Result<Arc<Self::Transport>, Error>;
    /// The sleeper used when none is set.
    fn default_sleeper() -> Result<Arc<Self::Sleeper>, Error>;
}

/// What both clients hold: the configuration, a transport and a sleeper of their mode.
pub(crate) struct ClientCore<M: Mode> {
    pub(crate) config: Config,
    pub(crate) transport: Arc<M::Transport>,
    pub(crate) sleeper: Arc<M::Sleeper>,
}

impl<M: Mode> Clone for ClientCore<M> {
    fn clone(&self) -> Self {
        ClientCore {
            config: self.config.clone(),
            transport: self.transport.clone(),
            sleeper: self.sleeper.clone(),
        }
    }
}

impl<M: Mode> ClientCore<M> {
    /// A call to a declared endpoint.
    pub(crate) fn endpoint_call<E: zv_types::Endpoint>(
        &self,
        params: &E::Params,
    ) -> Result<CallState<'_, E::Data>, Error> {
        CallState::endpoint::<E>(&self.config, params)
    }

    /// An untyped call.
    pub(crate) fn untyped_call<'a>(
        &'a self,
        request: &'a UntypedRequest<'a>,
    ) -> Result<CallState<'a, Box<serde_json::value::RawValue>>, Error> {
        Ok(CallState::untyped(&self.config, request))
    }
}

impl<M: Mode> fmt::Debug for ClientCore<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("config", &self.config).finish_non_exhaustive()
    }
}

/// Builds a [`crate::blocking::Client`].
#[derive(Debug)]
pub enum Blocking {}
/// Builds an async [`crate::Client`].
#[derive(Debug)]
pub enum Async {}

/// The methods both clients share, written once: `client_methods!(Blocking;)` for the
/// blocking client, `client_methods!(Async; async .await)` for the async one (the only
/// difference is `async fn` and `.await`).
macro_rules! client_methods {
    ($mode:ident; $($async:ident .$await:ident)?) => {
        /// A builder.
        pub fn builder() -> crate::ClientBuilder<crate::$mode> {
            crate::ClientBuilder::new()
        }

        /// A client configured from `ZV_OPEN_ID`, `ZV_GRANT_CODE`, `ZV_OPEN_KEY` and
        /// (optionally) `ZV_BASE_URL`.
        pub fn from_env() -> Result<Self, crate::Error> {
            Self::builder().from_env()?.build()
        }

        /// The configuration.
        pub fn config(&self) -> &crate::Config {
            &self.core.config
        }

        /// A member's gift cards (`/v3/crm/giftCard/getCustomerGiftCardList`).
        pub $($async)? fn gift_cards(
            &self,
            params: &zv_types::GiftCardListParams,
        ) -> Result<Vec<zv_types::GiftCard>, crate::Error> {
            self.call::<zv_types::GetCustomerGiftCardList>(params)$(.$await)?
        }

        /// A member's coupons (V2 `coupon.user-coupon-list`).
        pub $($async)? fn coupons(
            &self,
            params: &zv_types::CouponListParams,
        ) -> Result<zv_types::CouponList, crate::Error> {
            self.call::<zv_types::UserCouponList>(params)$(.$await)?
        }

        /// Whether an exchange code can be redeemed (`/v3/coupon/exchange/getExchangeCodeStatus`).
        pub $($async)? fn exchange_code_status(
            &self,
            code: &str,
        ) -> Result<zv_types::ExchangeCodeStatus, crate::Error> {
            self.call::<zv_types::GetExchangeCodeStatus>(&zv_types::ExchangeCodeParams::new(code))$(.$await)?
        }

        /// Calls any declared endpoint and returns its data.
        pub $($async)? fn call<E: zv_types::Endpoint>(&self, params: &E::Params) -> Result<E::Data, crate::Error> {
            self.send::<E>(params)$(.$await)?.map(|r| r.data)
        }

        /// Calls any declared endpoint and returns its data with the HTTP response it came from.
        pub $($async)? fn send<E: zv_types::Endpoint>(
            &self,
            params: &E::Params,
        ) -> Result<crate::ApiResponse<E::Data>, crate::Error> {
            self.execute(self.core.endpoint_call::<E>(params)?)$(.$await)?
        }

        /// Calls any V3 path or V2 Action with JSON params; `data` comes back as the exact
        /// JSON text the gateway sent (`null` when absent): numbers beyond `u64` and long
        /// decimals stay byte for byte. Read it with `.get()`, or
        /// `serde_json::from_str::<T>(data.get())`.
        pub $($async)? fn send_untyped(
            &self,
            request: &crate::UntypedRequest<'_>,
        ) -> Result<crate::ApiResponse<Box<serde_json::value::RawValue>>, crate::Error> {
            self.execute(self.core.untyped_call(request)?)$(.$await)?
        }
    };
}
pub(crate) use client_methods;

/// One call's attempts, written once for both clients: `attempts!(self, call,
/// in_flight_permit_blocking;)` in the blocking client, `attempts!(self, call,
/// in_flight_permit; .await)` in the async one. Each attempt takes a place among the calls
/// in flight (if capped), waits its turn under the rate limit, is signed, sent, and read;
/// the place is given back as soon as the response is in, before any backoff.
macro_rules! attempts {
    ($self:ident, $call:ident, $permit:ident; $(.$await:ident)?) => {
        loop {
            let permit = $self.core.config.limiter().$permit()$(.$await)?;
            let wait = $call.reserve_attempt();
            if !wait.is_zero() {
                $self.core.sleeper.sleep(wait)$(.$await)?;
            }
            let request = $call.next_request()?;
            let response = $self.core.transport.send(request)$(.$await)?;
            drop(permit);
            match $call.on_response(response) {
                crate::sansio::Step::Done(result) => return result,
                crate::sansio::Step::Retry(delay) => $self.core.sleeper.sleep(delay)$(.$await)?,
            }
        }
    };
}
pub(crate) use attempts;
