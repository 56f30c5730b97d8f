//! A signature-verifying local stand-in for the zvcms / 企迈 (Qmai) OpenAPI gateway.
//!
//! `zv-mock` listens on `127.0.0.1` (port 0 by default, or any address you give it) and
//! answers like the real gateway: it reads the V3 (`POST /v3/<path>`, lowerCamel) and V2
//! (`POST /api/v2`, PascalCase, `Action`) envelopes, checks the credentials, the timestamp
//! against its clock, the HMAC-SHA1 token (in constant time) and nonce replays, and serves
//! gift cards, coupons and exchange codes from fixtures (demo data by default), any other
//! path from stubs, and every answer with a `traceId`. By default it accepts every wire form
//! the field shows the gateway accepts; [strict mode](MockConfig::strict) only the
//! documented one. Every request is logged with the check it failed, if any. Faults
//! (delays, HTTP errors, truncated, empty or huge bodies, platform errors, "fail N times")
//! can be injected, the documented rate limit simulated ([`MockConfig::qps`]), and a
//! *messy* mode writes the same data the way real gateways do. As a
//! [recording proxy](MockConfig::record) it forwards to a real gateway and writes what it
//! answers as stubs to replay. Use it to test an app (the `zv mock` command wraps it) or
//! the SDK itself over real sockets. It deliberately is **not** a full gateway: it serves
//! the three documented endpoints plus one mock-only write ([`REDEEM_PATH`]) — and any
//! endpoint you register ([`Endpoints`]) or stub ([`Stubs`]) —, keeps everything in memory
//! (no persistence: a restart forgets redeems and nonces), and has no accounts or
//! permissions beyond one credential set.
//!
//! # From blocking code
//!
//! ```
//! use zv_mock::{MockConfig, MockServer, DEMO_MEMBER};
//! use zv_types::GiftCardListParams;
//!
//! let mock = MockServer::start(MockConfig::new())?;
//! let client = zv_api::blocking::Client::builder()
//!     .base_url(mock.base_url())
//!     .credentials(mock.credentials().clone())
//!     .build()?;
//! let cards = client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER))?;
//! assert_eq!(cards[0].gift_title, "生日礼品卡");
//! assert!(mock.log().iter().all(|entry| entry.verdict.is_ok()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # From async code
//!
//! ```
//! use zv_mock::{MockConfig, MockServer, DEMO_EXCHANGE_CODE};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = MockServer::start_async(MockConfig::new().messy(true)).await?;
//! let client = zv_api::Client::builder()
//!     .base_url(mock.base_url())
//!     .credentials(mock.credentials().clone())
//!     .build()?;
//! assert!(client.exchange_code_status(DEMO_EXCHANGE_CODE).await?.redeemable);
//! # Ok(()) }
//! ```
//!
//! With [`MockConfig::tls`], the server speaks HTTPS with a certificate generated at start;
//! trust it with `.add_root_certificate(mock.certificate_der().unwrap())` on the client
//! builder.
//!
//! # Checks
//!
//! Every request goes through these checks, in this order. The first that fails decides
//! the answer: HTTP 200 with the platform's system-error shape
//! `{"status":false,"code":<code>,"message":"<label>: <detail>","traceId":"…"}`, and the
//! log records the [`Check`]. The nonce of a request is remembered only once its signature
//! verified.
//!
//! | order | [`Check`] | code | fails when |
//! |---|---|---|---|
//! | 1 | `Method` | 40001 | the method is not `POST` |
//! | 2 | `Json` | 40002 | the body is not JSON (or is over 1 MiB), or its `Content-Type` is not `application/json` (a UTF-8 `charset` is fine; an absent header too, unless strict) |
//! | 3 | `Envelope` | 40003 | not the envelope of the path's protocol: a key missing or misspelled (a V2 body on a `/v3/` path), `timestamp`/`nonce` not a decimal string or a JSON integer, not an object |
//! | 4 | `Credentials` | 40004 | `openId` or `grantCode` is not the configured one |
//! | 5 | `Timestamp` | 40005 | `timestamp` is more than the skew (±300 s) from the mock's clock |
//! | 6 | `Signature` | 40006 | `token`, URL-decoded as PHP's `urldecode` does, is not the HMAC-SHA1 signature of the request (so PHP `urlencode`, Go `QueryEscape`, JavaScript `encodeURIComponent` and Python `quote` all verify, and lower-case hex) |
//! | 7 | `Nonce` | 40007 | the `nonce` was already used by this `openId` within the skew window (a replay), unless [`MockConfig::allow_replay`] |
//! | 8 | `Route` | 40008 | no such V3 path or V2 `Action` in the [`Endpoints`] table (any path other than `/api/v2` is read as V3); the message lists the table |
//! | 9 | `Params` | 40009 | the params do not fit the endpoint (e.g. a basket with `shopping = 1` but no `checked`); strict: 100002 for a catalogued endpoint's params that fail its check (below) |
//!
//! The field suggests the real gateway may not refuse replayed nonces; the mock refuses them
//! by default (an SDK that never reuses a nonce passes either way), and says so.
//!
//! **Strict mode** ([`MockConfig::strict`], `zv mock --strict`) takes only what the vendor
//! pages document, and its refusal names what was off: `timestamp` and `nonce` as decimal
//! strings (a JSON number fails `envelope`), the token exactly as PHP's `urlencode` writes it
//! (another encoder's form or the bare base64 fails `signature`, saying the signature was
//! right but not its form), `Content-Type: application/json` with no parameters (`json`),
//! no envelope keys besides the documented ones and `params` an object (`envelope`), and on
//! a catalogued endpoint params that pass the catalogue's one validator,
//! [`Entry::check_params`](zv_types::catalogue::Entry::check_params) (required params
//! present, no unknown names, JSON types, money and time forms, enum values; a paged
//! endpoint's page fields allowed): otherwise the answer is the gateway's own
//! `{"status":false,"code":100002,"message":"参数错误: <route>: <the problems>"}`
//! ([`PARAMS_ERROR_CODE`]; at most six problems listed, printable and cut short), logged as
//! the `params` check. Outside strict mode such params are accepted and their problems
//! traced at debug level. The SDK's own integration suite runs against strict mode.
//!
//! **Rate limit** ([`MockConfig::qps`], `zv mock --qps N`): a request that passed every check
//! beyond the `N`th to its route within one second (a sliding window) gets HTTP 429,
//! `Retry-After: 1` and `{"status":false,"code":42900,"message":"…限流…"}`
//! ([`THROTTLED_CODE`]), and is logged as [`Verdict::Throttled`].
//!
//! **`traceId`**: every envelope the mock writes — success, business error, rejection,
//! throttle, injected platform error — ends with a fresh `traceId` (32 hex digits), also in
//! the request's [`LogEntry`]. Faults that replace the body with raw bytes
//! ([`Fault::Respond`], an HTML page, an empty or huge body) have none.
//!
//! # Recording
//!
//! With [`MockConfig::record`] (`zv mock --record FILE --upstream URL`) the mock is a
//! recording proxy in front of a real gateway: clients sign with the mock's credentials,
//! the mock verifies them (the checks above, the rate limit), signs the same params again
//! with the real credentials of the [`Recording`], forwards them with the SDK's blocking
//! client, answers with the upstream's answer unchanged, and appends the exchange to the
//! file as a stub (the params as `match`, then the `data` or the `error`), which
//! `zv mock --stubs FILE` replays. The file never holds a key, a token, or the upstream's
//! `openId` or `grantCode`, in any spelling JSON allows (escapes such as `\/` or `\u002f`,
//! percent-encodings, or under a credential's name such as `token`): the exchange is
//! scanned as parsed JSON. The proxy signs with real credentials, so it answers only
//! requests addressed to the loopback address it listens on (their `Host`, or HTTP/2
//! authority, is its own `IP:port`; any other name gets HTTP 403 unread: a web page cannot
//! reach it through DNS rebinding) and with a `Content-Type` (an absent one fails the `json`
//! check). The proxy is the cargo feature `record`, on by default; without it the crate
//! pulls neither zv-api nor ureq. Writes (a catalogued write, or a route the catalogue does not
//! know) are forwarded only with [`Recording::forward_writes`] (`--record-writes`); without
//! it they get the system error [`WRITE_REFUSED_CODE`] `40300`. An upstream that does not
//! answer gives HTTP 502 with [`UPSTREAM_FAILED_CODE`] `50200`. Faults and the endpoint
//! table do not apply while recording.
//!
//! # Endpoints
//!
//! The mock dispatches through a table, [`Endpoints`]: one handler per route. These are the
//! built-in entries ([`Endpoints::builtin`], the default):
//!
//! | route | answers |
//! |---|---|
//! | `POST /v3/crm/giftCard/getCustomerGiftCardList` | the member's gift cards; `needCycleCard = 0` leaves out recycled cards (status 6) |
//! | `POST /api/v2`, `Action` `coupon.user-coupon-list` | `{"item_list":[…]}`, the member's coupons, filtered (below) |
//! | `POST /v3/coupon/exchange/getExchangeCodeStatus` | `{"status":"true"}` if the code can be redeemed, else `"false"` (unknown codes too) |
//! | `POST /v3/coupon/exchange/redeemExchangeCode` | mock-only, **not idempotent**: params `{"exchangeCode","user_id"}`; redeems the code (its status becomes false) |
//!
//! Coupon filters: `expire = used` keeps status 1; `canuse` keeps status 0 whose `end_at` is
//! in the future by the mock's clock (or absent); `expired` keeps status 0 whose `end_at` is
//! past; `amount` (fen) keeps coupons whose `coupon.min_amount_use` ≤ amount; a basket
//! (`shopping = 1`, `checked`) keeps those whose `min_amount_use` ≤ Σ `offline_price` ×
//! `buy_num`. A coupon without a template or threshold counts as threshold 0. A request
//! without `user_id` gets an empty list.
//!
//! Your own endpoint — one the SDK does not type yet, or a built-in one answered
//! differently — is a handler in the table: it gets the params (as JSON, or read into your
//! type, which makes the `params` check yours) and a [`CallContext`] (the fixtures, the
//! clock), and returns the `data` or a [`PlatformError`]. It runs only for requests that
//! passed every check, and faults apply to it like to any endpoint. A typed handler
//! ([`Endpoints::endpoint`]) is messy in messy mode too.
//!
//! ```
//! use serde_json::{Value, json};
//! use zv_mock::{Endpoints, MockConfig, MockServer, PlatformError};
//!
//! let endpoints = Endpoints::builtin().v3("crm/member/getMemberInfo", |params: Value, call| {
//!     let user_id = params["user_id"].as_str().unwrap_or_default().to_owned();
//!     match call.fixtures().members.get(&user_id) {
//!         Some(member) => Ok(json!({"user_id": user_id, "gift_cards": member.gift_cards.len()})),
//!         None => Err(PlatformError::business(zv_mock::NOT_FOUND_CODE, zv_mock::NOT_FOUND_MESSAGE)),
//!     }
//! })?;
//! let mock = MockServer::start(MockConfig::new().endpoints(endpoints))?;
//! let client = zv_api::blocking::Client::builder()
//!     .base_url(mock.base_url())
//!     .credentials(mock.credentials().clone())
//!     .build()?;
//! let request = zv_api::UntypedRequest::v3("crm/member/getMemberInfo", json!({"user_id": "10001"}))?;
//! let data: Value = serde_json::from_str(client.send_untyped(&request)?.data.get())?;
//! assert_eq!(data["gift_cards"], 6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Stubs
//!
//! Any other path is served from [`Stubs`], canned answers read from a stubs file
//! (`zv mock --stubs FILE`, [`Stubs::from_path`]) and added to the table with
//! [`Endpoints::stubs`]: `{"stubs": [...]}`, each stub a `"path"` (or a V2 `"action"`), an
//! optional `"match"` on the params, and one of `"data"`, `"error"` or `"items"` — a list
//! served page by page in the path's paging dialect from the
//! [catalogue](zv_types::catalogue), so an SDK's paged scan works end to end. The first
//! stub that matches answers, byte for byte as written (big integers survive). With
//! [`Endpoints::catalogue_hints`] (on in `zv mock` and `zv --sandbox`), a catalogued path
//! that nothing serves is answered from the catalogue: with generated data when its entry
//! has a data schema ([`zv_types::catalogue::sample_data`]: valid under the schema, the
//! same for the same params, money and times plausible, enum values from the enum, pages
//! in the entry's dialect; written messily in messy mode; a write is answered, never
//! applied, and logged like any request), otherwise with the business error
//! [`NO_STUB_CODE`] `20003` saying how to stub it. Built-in and user handlers and stubs keep
//! precedence; a path the catalogue does not know fails the `route` check.
//!
//! ```
//! use zv_mock::{Endpoints, MockConfig, MockServer, Stubs};
//! use zv_types::paging::{PageDialect, PageOptions};
//!
//! let stubs = Stubs::from_json(r#"{"stubs": [
//!   {"path": "v3/org/shop/getShopList", "items": [{"id": 1}, {"id": 2}, {"id": 3}]}
//! ]}"#)?;
//! let mock = MockServer::start(MockConfig::new().endpoints(Endpoints::builtin().stubs(&stubs)))?;
//! let client = zv_api::blocking::Client::builder()
//!     .base_url(mock.base_url())
//!     .credentials(mock.credentials().clone())
//!     .build()?;
//! let request = zv_api::UntypedRequest::v3("org/shop/getShopList", serde_json::json!({}))?;
//! let options = PageOptions::default().page_size(2);
//! let shops: Vec<_> = client.records(&request, PageDialect::ListTotal, options).collect::<Result<_, _>>()?;
//! assert_eq!(shops.len(), 3);
//! assert_eq!(mock.log().len(), 2, "two pages");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Business errors (`{"status":true,"code":…}`): an unknown member (gift cards or coupons)
//! gets [`NOT_FOUND_CODE`] `20001` "查询的信息不存在"; redeeming an unknown or spent code
//! gets [`REDEEM_FAILED_CODE`] `20002` "兑换码不存在或已兑换"; a request no stub answers gets
//! [`NO_STUB_CODE`] `20003`. These codes, like every code in the tables above, are the
//! mock's own: the real gateway's are not documented.
//!
//! Answers are canonical by default — each model exactly as it serializes, in
//! `{"status":true,"code":0,"message":"success","data":…}`. In messy mode
//! ([`MockConfig::messy`]) the same data comes as real gateways send it: integer texts as
//! numbers and numbers as texts, yuan amounts as JSON numbers when exact, absent fields as
//! `""` or `null`, an absent coupon template as `[]`, unknown extra fields, and
//! `"status":"true"`, `"code":"0"`. It is deterministic per request (seeded with the nonce)
//! and never changes a value: every change is checked to decode to exactly the same model.
//!
//! # Faults
//!
//! [`MockServer::push_fault`] queues a [`Fault`] for the next verified request(s);
//! [`MockServer::fault_for_member`] pins one to a member. A fault applies only after every
//! check passed, so it never hides a bad signature, and a rejected request consumes none.
//!
//! # Fixtures
//!
//! The data is a [`Fixtures`]; its JSON form (for `zv mock --fixtures FILE`,
//! [`Fixtures::from_path`]) is its `serde_json` form, with each model in its canonical wire
//! form. Every key may be left out; unknown keys in the two outer levels are refused. A
//! sample lives in the crate at `fixtures/example.json`.
//!
//! ```
//! let fixtures = zv_mock::Fixtures::from_json(r#"{
//!   "members": {
//!     "20001": {
//!       "gift_cards": [
//!         {"id": "9900001", "gift_card_id": "201", "gift_title": "储值卡", "par_value": "50.00",
//!          "status": "4", "bind_status": "1", "validType": "1", "isErp": "0",
//!          "beginAt": "2025-01-01 00:00:00", "endAt": "2099-12-31 23:59:59"}
//!       ],
//!       "coupons": [
//!         {"id": 70001, "coupon_id": 801, "status": 0, "is_lock": 1,
//!          "start_at": "1735660800", "end_at": "4102415999", "verify_code": "100200300",
//!          "coupon": {"id": 801, "title": "满30减5元", "coupon_type": 0, "min_amount_use": 3000}}
//!       ]
//!     }
//!   },
//!   "exchange_codes": {"900000000000000001": true}
//! }"#)?;
//! assert_eq!(fixtures.members["20001"].gift_cards[0].gift_title, "储值卡");
//! # Ok::<(), zv_mock::MockError>(())
//! ```
//!
//! # Hostile clients
//!
//! The mock is meant for tests, but stays up under clients that misbehave:
//!
//! - The log keeps a summary of each request: every text field (path, `Action`, `openId`,
//!   message) is cut short and its control characters escaped, and only a signed request's
//!   params are kept whole. The log is bounded in bytes ([`MockConfig::log_capacity`],
//!   16 MiB by default), dropping the oldest entries.
//! - A connection must send its first request head (and finish any TLS handshake) within
//!   the header timeout ([`MockConfig::header_timeout`], 5 s), and a request's body within
//!   as long again; a connection with no request in flight is closed after the idle timeout
//!   ([`MockConfig::idle_timeout`], 30 s); at most [`MockConfig::max_connections`] (256) are
//!   held at once, the others wait to be accepted. Half-sent requests cannot starve real
//!   clients.
//! - A [`LogEntry`]'s `Display` (the line `zv mock` prints) escapes control characters and
//!   cuts long fields: no client can forge a line or print a megabyte one.
//!
//! # Sandbox credentials
//!
//! By default the mock accepts [`DEMO_OPEN_ID`], [`DEMO_GRANT_CODE`] and [`DEMO_OPEN_KEY`]
//! ([`demo_credentials`]): fixed, published, and worthless anywhere but here. Give your own
//! with [`MockConfig::credentials`]. The key never appears in `Debug`, the log, or `tracing`
//! events (target `zv_mock`: one event per request).
#![forbid(unsafe_code)]
// Without the `record` feature, the docs above name a proxy that is not built.
#![cfg_attr(not(feature = "record"), allow(rustdoc::broken_intra_doc_links))]
#![warn(missing_docs)]

mod gateway;
mod model;
#[cfg(feature = "record")]
mod record;
mod server;

pub use gateway::{
    Answered, CallContext, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_SKEW, Endpoints, Fault, MockConfig, NOT_FOUND_CODE, NOT_FOUND_MESSAGE, REDEEM_FAILED_CODE,
    REDEEM_FAILED_MESSAGE, REDEEM_PATH, THROTTLED_CODE, Verifier,
};
pub use model::{
    Check, DEMO_EXCHANGE_CODE, DEMO_GRANT_CODE, DEMO_MEMBER, DEMO_OPEN_ID, DEMO_OPEN_KEY,
    DEMO_SPENT_EXCHANGE_CODE, FileError, Fixtures, LogEntry, MAX_FILE_BYTES, Member, MockError, NO_STUB_CODE,
    PARAMS_ERROR_CODE, PARAMS_ERROR_MESSAGE, PlatformError, Stubs, Verdict, demo_credentials, read_bounded,
};
#[cfg(feature = "record")]
pub use model::{Recording, UPSTREAM_FAILED_CODE, WRITE_REFUSED_CODE};
pub use server::MockServer;
