//! The endpoint table: one handler per route, the route and params checks (8 and 9), and
//! what a handler sees ([`CallContext`]) and may answer ([`PlatformError`]).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::DerefMut;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use zv_types::Endpoint;
use zv_types::catalogue::{self, Entry};

use super::{checks, stubs};
use crate::model::{
    Check, Fixtures, MockError, PlatformError, Rejection, Representation, RouteKey, Stubs, Verified,
    generic_messy, lock,
};

/// How many routes the "no such endpoint" message lists before it says how many more.
const LISTED_ROUTES: usize = 12;

/// What a handler sees of a verified request and of the mock: the params as sent, the
/// fixtures (to read or change) and the mock's clock.
pub struct CallContext<'a> {
    params: &'a Value,
    fixtures: &'a Mutex<Fixtures>,
    now: u64,
}

impl CallContext<'_> {
    /// The business params exactly as the client sent them (`params` / `Params`).
    pub fn params(&self) -> &Value {
        self.params
    }

    /// The data the mock serves, locked until the returned guard is dropped; changes are
    /// seen by later requests and by [`MockServer::fixtures`](crate::MockServer::fixtures).
    pub fn fixtures(&self) -> impl DerefMut<Target = Fixtures> + '_ {
        lock(self.fixtures)
    }

    /// The mock's clock (see [`MockConfig::clock`](crate::MockConfig::clock)), in Unix
    /// seconds.
    pub fn now_unix_seconds(&self) -> u64 {
        self.now
    }
}

impl fmt::Debug for CallContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext").field("params", self.params).field("now", &self.now).finish()
    }
}

/// A handler with its params read: runs the endpoint and writes the answer's body.
pub(crate) type Run =
    Box<dyn FnOnce(&CallContext<'_>, &mut Representation) -> Result<Vec<u8>, PlatformError> + Send>;

/// A type-erased handler: reads the params (an error fails the `params` check), given as a
/// `Value` and as the exact JSON text sent, and returns what runs the endpoint.
type Handler = Arc<dyn Fn(&Value, &RawValue) -> Result<Run, String> + Send + Sync>;

/// A handler from the endpoint's code (`run`) and how its data is written (`render`).
fn handler<P, T, F, R>(run: F, render: R) -> Handler
where
    P: DeserializeOwned + Send + 'static,
    T: 'static,
    F: Fn(P, &CallContext<'_>) -> Result<T, PlatformError> + Send + Sync + 'static,
    R: Fn(&mut Representation, &T) -> Vec<u8> + Send + Sync + 'static,
{
    let parts = Arc::new((run, render));
    Arc::new(move |params: &Value, _: &RawValue| {
        let parsed = P::deserialize(params).map_err(|e| e.to_string())?;
        let parts = Arc::clone(&parts);
        let run: Run = Box::new(move |call: &CallContext<'_>, style: &mut Representation| {
            let (run, render) = &*parts;
            run(parsed, call).map(|data| render(style, &data))
        });
        Ok(run)
    })
}

/// The mock's endpoints: a table from route (a V3 path or a V2 `Action`) to handler. The
/// default ([`Endpoints::builtin`]) serves the endpoints listed in the
/// [crate docs](crate#endpoints); add your own to mock an endpoint the SDK does not type,
/// or replace a built-in one, then give the table to [`MockConfig::endpoints`](crate::MockConfig::endpoints).
///
/// A handler runs only for a request that passed every check before routing (the
/// signature included): it gets the params and a [`CallContext`] and returns the `data` of
/// a success, or a [`PlatformError`]. A request for a route not in the table fails the
/// `route` check, and its message lists the table.
///
/// ```
/// use serde_json::{Value, json};
/// use zv_mock::{Endpoints, MockConfig, PlatformError};
///
/// let endpoints = Endpoints::builtin()
///     .v3("/v3/crm/member/getMemberInfo", |params: Value, call| {
///         let user_id = params["user_id"].as_str().unwrap_or_default();
///         if !call.fixtures().members.contains_key(user_id) {
///             return Err(PlatformError::business(20001, "查询的信息不存在"));
///         }
///         Ok(json!({"user_id": user_id, "level": 3}))
///     })?;
/// assert!(endpoints.routes().any(|r| r == "/v3/crm/member/getMemberInfo"));
/// let config = MockConfig::new().endpoints(endpoints);
/// # Ok::<(), zv_mock::MockError>(())
/// ```
#[derive(Clone, Default)]
pub struct Endpoints {
    table: BTreeMap<RouteKey, Handler>,
    /// Whether a catalogued route without a handler gets a "no stub" business error.
    hints: bool,
}

impl Endpoints {
    /// An empty table: every request fails the `route` check.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves the V3 path `path` (`/v3/crm/x/y`, `/crm/x/y` or `crm/x/y`) with `handler`,
    /// replacing any handler it had. The params are read as `P` first (use
    /// [`serde_json::Value`] to take them as they come); params that do not read as `P` fail
    /// the `params` check. The handler's `Value` is the `data` of the answer, written as is
    /// (in messy mode only the envelope is messy).
    ///
    /// # Errors
    ///
    /// [`MockError::Route`] when `path` is not a valid V3 path (the SDK's own rules).
    pub fn v3<P, F>(self, path: &str, handler: F) -> Result<Self, MockError>
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(P, &CallContext<'_>) -> Result<Value, PlatformError> + Send + Sync + 'static,
    {
        Ok(self.untyped(RouteKey::v3(path)?, handler))
    }

    /// Serves the V2 `Action` `action` (on `POST /api/v2`) with `handler`, as
    /// [`Endpoints::v3`] does for a path.
    ///
    /// # Errors
    ///
    /// [`MockError::Route`] when `action` is blank or has control characters.
    pub fn v2<P, F>(self, action: &str, handler: F) -> Result<Self, MockError>
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(P, &CallContext<'_>) -> Result<Value, PlatformError> + Send + Sync + 'static,
    {
        Ok(self.untyped(RouteKey::v2(action)?, handler))
    }

    /// Serves endpoint `E` (at `E::ROUTE`) with a typed handler: it gets `E::Params` and
    /// returns `E::Data`, replacing any handler the route had. In messy mode the data is
    /// written the way real gateways write theirs (numbers as texts and back, unknown fields,
    /// …), each change kept only if `E`'s decoder still reads exactly the same value.
    pub fn endpoint<E, F>(self, handler: F) -> Self
    where
        E: Endpoint,
        E::Params: DeserializeOwned + Send + 'static,
        E::Data: Serialize + PartialEq + Send + 'static,
        F: Fn(E::Params, &CallContext<'_>) -> Result<E::Data, PlatformError> + Send + Sync + 'static,
    {
        self.typed::<E, F>(handler, generic_messy::<E::Data>)
    }

    /// Like [`Endpoints::endpoint`], with the data's own messy writer.
    pub(crate) fn typed<E, F>(mut self, run: F, messy: fn(&E::Data, &mut fastrand::Rng) -> Value) -> Self
    where
        E: Endpoint,
        E::Params: DeserializeOwned + Send + 'static,
        E::Data: Serialize + PartialEq + Send + 'static,
        F: Fn(E::Params, &CallContext<'_>) -> Result<E::Data, PlatformError> + Send + Sync + 'static,
    {
        let render = move |style: &mut Representation, data: &E::Data| style.answer::<E>(data, messy);
        self.table.insert(RouteKey::of(&E::ROUTE), handler(run, render));
        self
    }

    pub(crate) fn untyped<P, F>(mut self, key: RouteKey, run: F) -> Self
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(P, &CallContext<'_>) -> Result<Value, PlatformError> + Send + Sync + 'static,
    {
        let render = |style: &mut Representation, data: &Value| style.success(data);
        self.table.insert(key, handler(run, render));
        self
    }

    /// Serves `stubs` (canned answers, see [`Stubs`]): each route with stubs gets a handler
    /// that answers with its first stub whose `match` fits the params. Params none of them
    /// matches go to the handler the route had before (a built-in endpoint, say), or get
    /// the business error [`NO_STUB_CODE`](crate::NO_STUB_CODE) saying so.
    ///
    /// ```
    /// use zv_mock::{Endpoints, MockConfig, Stubs};
    ///
    /// let stubs = Stubs::from_json(r#"{"stubs": [{"path": "v3/org/shop/getShopList", "items": [{"id": 1}]}]}"#)?;
    /// let endpoints = Endpoints::builtin().stubs(&stubs);
    /// assert!(endpoints.routes().any(|r| r == "/v3/org/shop/getShopList"));
    /// let config = MockConfig::new().endpoints(endpoints);
    /// # Ok::<(), zv_mock::MockError>(())
    /// ```
    pub fn stubs(mut self, stubs: &Stubs) -> Self {
        for (key, list) in stubs.by_route() {
            let fallback = self.table.remove(&key);
            let route = key.clone();
            let handler: Handler = Arc::new(move |params: &Value, raw: &RawValue| {
                if let Some(stub) = stubs::find(&list, raw) {
                    let stub = Arc::clone(stub);
                    let run: Run = Box::new(move |call: &CallContext<'_>, style: &mut Representation| {
                        stub.answer(call.params(), style)
                    });
                    return Ok(run);
                }
                match &fallback {
                    Some(fallback) => fallback(params, raw),
                    None => Ok(failing(stubs::no_match(&route, &list))),
                }
            });
            self.table.insert(key, handler);
        }
        self
    }

    /// With `yes`, a request for a route the table does not serve but the endpoint
    /// [catalogue](zv_types::catalogue) knows is answered from the catalogue instead of
    /// failing the `route` check: with sample data when the entry has a data schema
    /// ([`sample_data`](zv_types::catalogue::sample_data): valid under the schema, the same
    /// for the same params, paged in the entry's dialect; a write is answered, not applied,
    /// and logged like any request), otherwise with a business error
    /// ([`NO_STUB_CODE`](crate::NO_STUB_CODE)) saying there is no stub for it and how to add
    /// one. Handlers and stubs in the table keep precedence; a route the catalogue does not
    /// know still fails the `route` check. Off by default; `zv mock` and `zv --sandbox` turn
    /// it on.
    pub fn catalogue_hints(mut self, yes: bool) -> Self {
        self.hints = yes;
        self
    }

    /// The routes served, in order: V3 paths (`/v3/…`), then V2 Actions
    /// (`/api/v2 Action coupon.user-coupon-list`).
    pub fn routes(&self) -> impl Iterator<Item = String> + '_ {
        self.table.keys().map(ToString::to_string)
    }

    /// The table, as the `route` check's message shows it (at most [`LISTED_ROUTES`]).
    fn listing(&self) -> String {
        if self.table.is_empty() {
            return "no endpoint at all".into();
        }
        let mut shown: Vec<String> = self.routes().take(LISTED_ROUTES).collect();
        let more = self.table.len().saturating_sub(LISTED_ROUTES);
        if more > 0 {
            shown.push(format!("and {more} more"));
        }
        shown.join(", ")
    }

    /// Checks 8 and 9: finds the handler of the route `verified` asks for at `path`, checks
    /// the params of a catalogued route ([`checks::documented`]: refused in strict mode,
    /// traced otherwise) and has the handler read them.
    pub(crate) fn route(&self, path: &str, verified: &Verified, strict: bool) -> Result<Run, Rejection> {
        let key = RouteKey::of_request(path, verified);
        let Some(handler) = self.table.get(&key) else {
            if let Some(entry) = key.catalogue().filter(|_| self.hints) {
                checks::documented(strict, &key, &verified.params)?;
                return Ok(match entry.data {
                    Some(_) => generated(entry),
                    None => failing(stubs::unstubbed(&key, entry)),
                });
            }
            let what = match &key {
                RouteKey::V3(path) => format!("no endpoint at {path}"),
                RouteKey::V2(action) => format!("unknown Action {action:?}"),
            };
            return Err(Rejection::new(Check::Route, format!("{what}: the mock serves {}", self.listing())));
        };
        checks::documented(strict, &key, &verified.params)?;
        handler(&verified.params, &verified.raw_params).map_err(|e| Rejection::new(Check::Params, e))
    }
}

/// A run that answers with the catalogue's sample data for `entry` (which has a data
/// schema): deterministic for the params, valid under the schema, written messily in messy
/// mode. A write is not applied (there is nothing to apply it to); the log still counts it.
fn generated(entry: &'static Entry) -> Run {
    Box::new(move |call: &CallContext<'_>, style: &mut Representation| {
        let (Some(data), Some(schema)) = (catalogue::sample_data(entry, call.params()), entry.data) else {
            return Err(stubs::unstubbed(&RouteKey::of(&entry.route), entry));
        };
        Ok(style.sampled(schema, data))
    })
}

/// A run that answers with `error`, whatever the request.
fn failing(error: PlatformError) -> Run {
    Box::new(move |_: &CallContext<'_>, _: &mut Representation| Err(error))
}

/// Runs an endpoint found by [`Endpoints::route`]: the body of its answer, or the rejection
/// of its params when the handler found them wanting.
pub(crate) fn run(
    run: Run,
    params: &Value,
    fixtures: &Mutex<Fixtures>,
    now: u64,
    style: &mut Representation,
) -> Result<Vec<u8>, Rejection> {
    let call = CallContext { params, fixtures, now };
    match run(&call, style) {
        Ok(body) => Ok(body),
        Err(PlatformError::Business { code, message }) => Ok(style.error(true, code, &message)),
        Err(PlatformError::System { code, message }) => Ok(style.error(false, code, &message)),
        Err(PlatformError::Params(message)) => Err(Rejection::new(Check::Params, message)),
    }
}

impl fmt::Debug for Endpoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.routes()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::V2_PATH;
    use zv_types::Protocol;

    fn verified(protocol: Protocol, action: Option<&str>) -> Verified {
        let raw_params = serde_json::value::RawValue::NULL.to_owned();
        Verified {
            protocol,
            action: action.map(Into::into),
            nonce: 1,
            params: Value::Null,
            raw_params,
            token: String::new(),
        }
    }

    #[test]
    fn keys_and_their_display() {
        assert_eq!(RouteKey::v3("crm/x/y").unwrap(), RouteKey::V3("/v3/crm/x/y".into()));
        assert_eq!(RouteKey::v3("/v3/crm/x/y").unwrap(), RouteKey::v3("/crm/x/y").unwrap());
        assert!(matches!(RouteKey::v3("crm/../x"), Err(MockError::Route(_))));
        assert!(matches!(RouteKey::v2(" "), Err(MockError::Route(_))));
        assert_eq!(RouteKey::v2("a.b").unwrap().to_string(), "/api/v2 Action a.b");
        let v2 = verified(Protocol::V2, Some("a.b"));
        assert_eq!(RouteKey::of_request(V2_PATH, &v2), RouteKey::V2("a.b".into()));
        let v3 = verified(Protocol::V3, None);
        assert_eq!(RouteKey::of_request("/v4/x", &v3), RouteKey::V3("/v4/x".into()));
    }

    #[test]
    fn the_unknown_route_message_lists_the_table_capped() {
        let answer = |_: Value, _: &CallContext<'_>| Ok(Value::Null);
        let mut table = Endpoints::new();
        assert!(table.route("/v3/a", &verified(Protocol::V3, None), false).is_err());
        for i in 0..LISTED_ROUTES + 3 {
            table = table.v3(&format!("p/{i:02}"), answer).unwrap();
        }
        let Err(rejection) = table.route("/v3/nope", &verified(Protocol::V3, None), false) else { panic!() };
        assert_eq!(rejection.check, Check::Route);
        assert!(rejection.message.starts_with("no endpoint at /v3/nope: the mock serves /v3/p/00, "));
        assert!(rejection.message.ends_with("/v3/p/11, and 3 more"), "{}", rejection.message);
        assert!(!rejection.message.contains("/v3/p/12"));
        let Err(rejection) = table.route(V2_PATH, &verified(Protocol::V2, Some("x")), false) else {
            panic!()
        };
        assert!(rejection.message.starts_with("unknown Action \"x\": the mock serves "));
    }
}
