//! The comparisons of the benchmark contract, `docs/benchmarks.md`, each the zv side against
//! its floor.

use std::fmt::Debug;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha1::Sha1;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use zv_api::zv_transport::DEFAULT_USER_AGENT;
use zv_sign::{Credentials, Signer};
use zv_types::{GetCustomerGiftCardList, GiftCardListParams, UserCouponList, decode_endpoint};

use crate::fixtures::{self, StrictCard};
use crate::harness::{Comparison, Plan, Side, compare, looped};
use crate::server::Server;

/// The credentials of the vendor's worked example (realistic lengths: 32, 10, 50).
pub const OPEN_ID: &str = "a4c123b1612dd272d1371c17149d4395";
pub const GRANT_CODE: &str = "LKOmxgJTeK";
pub const OPEN_KEY: &str = "FRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40";
/// The member whose gift cards are asked for.
pub const USER_ID: &str = "10001";
/// The path of the gift-card list.
pub const GIFT_CARDS_PATH: &str = "/v3/crm/giftCard/getCustomerGiftCardList";
/// How many calls the concurrent async comparison keeps in flight.
pub const IN_FLIGHT: u64 = 64;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const TIMEOUT: Duration = Duration::from_secs(30);

/// A full signature from a ready signer vs a bare HMAC-SHA1 over the same canonical bytes
/// with the keyed state precomputed (clone, update, finalize).
pub fn sign(plan: Plan) -> Comparison {
    let signer = Signer::new(&Credentials::new(OPEN_ID, GRANT_CODE, OPEN_KEY));
    let (timestamp, nonce) = (1_767_196_800_u64, 658_965_123_u64);
    let canonical = signer.canonical(timestamp, nonce).into_bytes();
    let keyed = <Hmac<Sha1> as KeyInit>::new_from_slice(OPEN_KEY.as_bytes()).expect("any key length");
    let bare = || {
        let mut mac = keyed.clone();
        mac.update(black_box(&canonical));
        mac.finalize().into_bytes()
    };
    // Both sides compute the same MAC.
    let expected = base64::engine::general_purpose::STANDARD.encode(bare());
    assert_eq!(signer.sign(timestamp, nonce).signature(), expected, "the floor signs the same bytes");
    compare(plan, looped(|| signer.sign(black_box(timestamp), black_box(nonce))), looped(bare))
}

/// The gift-card list decoded by zv (envelope, lenient models) vs strict derive structs.
pub fn decode_gift_cards(plan: Plan) -> Comparison {
    decode(
        plan,
        &fixtures::gift_card_body(),
        decode_endpoint::<GetCustomerGiftCardList>,
        fixtures::strict_cards,
    )
}

/// The coupon list decoded by zv vs strict derive structs.
pub fn decode_coupons(plan: Plan) -> Comparison {
    decode(plan, &fixtures::coupon_body(), decode_endpoint::<UserCouponList>, fixtures::strict_coupons)
}

/// `zv` against `strict` on the same body; both must succeed.
fn decode<T, U, E: Debug, F: Debug>(
    plan: Plan,
    body: &[u8],
    zv: fn(&[u8]) -> Result<T, E>,
    strict: fn(&[u8]) -> Result<U, F>,
) -> Comparison {
    compare(
        plan,
        looped(|| zv(black_box(body)).expect("zv decodes")),
        looped(|| strict(black_box(body)).expect("strict decodes")),
    )
}

/// The V3 request envelope as a raw client would write it with serde_json.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UntypedRequest<'a> {
    open_id: &'a str,
    grant_code: &'a str,
    timestamp: String,
    nonce: String,
    token: &'a str,
    params: RawParams<'a>,
}

/// The gift-card list params as a raw client would write them.
#[derive(Serialize)]
pub struct RawParams<'a> {
    user_id: &'a str,
    #[serde(rename = "needCycleCard")]
    need_cycle_card: u8,
}

static RAW_NONCE: AtomicU64 = AtomicU64::new(1);

/// The raw clients' request body: the SDK's envelope, built with serde_json each time (no
/// signing: a fixed token of the typical length stands in for it).
pub fn raw_body() -> Vec<u8> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let request = UntypedRequest {
        open_id: OPEN_ID,
        grant_code: GRANT_CODE,
        timestamp: now.to_string(),
        nonce: RAW_NONCE.fetch_add(1, Ordering::Relaxed).to_string(),
        token: "gabI4ZLsNaf09arKmlSCe8Y%2FLz4%3D",
        params: RawParams { user_id: USER_ID, need_cycle_card: 0 },
    };
    serde_json::to_vec(&request).expect("plain structs serialize")
}

pub fn credentials() -> Credentials {
    Credentials::new(OPEN_ID, GRANT_CODE, OPEN_KEY)
}

/// One `zv_api::blocking::Client::gift_cards` call vs a raw `ureq::Agent` POST of the same
/// body, both parsing the answer, against one local keep-alive server.
pub fn blocking(plan: Plan, server: &Server) -> Comparison {
    let client = blocking_client(server).expect("blocking client");
    let params = GiftCardListParams::new(USER_ID);
    let agent = raw_agent();
    let url = format!("{}{GIFT_CARDS_PATH}", server.base_url());
    compare(
        plan,
        looped(|| client.gift_cards(&params).expect("zv call")),
        looped(|| raw_ureq_call(&agent, &url).expect("raw ureq call")),
    )
}

/// The SDK's blocking client of `server`, without a rate limit.
pub fn blocking_client(server: &Server) -> Result<zv_api::blocking::Client, zv_api::Error> {
    zv_api::blocking::Client::builder()
        .base_url(server.base_url())
        .credentials(credentials())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .no_rate_limit()
        .build()
}

/// A ureq agent configured like the SDK's (timeouts, user agent, statuses as responses, no
/// redirects, default pool).
pub fn raw_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(TIMEOUT))
        .user_agent(DEFAULT_USER_AGENT)
        .build()
        .new_agent()
}

/// The raw blocking call: build the body, POST, read, parse strictly.
pub fn raw_ureq_call(agent: &ureq::Agent, url: &str) -> Result<Vec<StrictCard>, String> {
    let mut response = agent
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .send(&raw_body()[..])
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let body = response.body_mut().read_to_vec().map_err(|e| e.to_string())?;
    fixtures::strict_cards(&body)
}

/// A reqwest client configured like the SDK's: rustls on ring (no roots needed for plain
/// http), the same timeouts and user agent, no redirects, the default keep-alive pool.
pub fn raw_reqwest_client() -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .user_agent(DEFAULT_USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}

/// The raw async call: build the body, POST, read, parse strictly.
pub async fn raw_reqwest_call(client: &reqwest::Client, url: &str) -> Result<Vec<StrictCard>, String> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(raw_body())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    fixtures::strict_cards(&body)
}

/// The async runtime of the async comparisons: multi-thread, 2 workers.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
}

/// The SDK's async client for `base_url`, with the timeouts of the raw clients and no rate
/// limit (a raw client has none; what a limiter costs is `limiter_overhead`).
pub fn async_client(base_url: &str, credentials: Credentials) -> zv_api::Client {
    async_builder(base_url, credentials).build().expect("async client")
}

/// The builder of [`async_client`], for a client configured further.
pub fn async_builder(base_url: &str, credentials: Credentials) -> zv_api::ClientBuilder<zv_api::Async> {
    zv_api::Client::builder()
        .base_url(base_url)
        .credentials(credentials)
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .no_rate_limit()
}

/// A side that makes its `n` calls of `call` one after the other on `rt` (each result goes
/// through `black_box`).
pub fn sequential<'a, T, F, Fut>(rt: &'a Runtime, call: F) -> Side<'a>
where
    F: Fn() -> Fut + 'a,
    Fut: Future<Output = T>,
{
    Box::new(move |n| {
        rt.block_on(async {
            let start = Instant::now();
            for _ in 0..n {
                black_box(call().await);
            }
            start.elapsed()
        })
    })
}

/// A task's client and params, taken by each call of [`zv_call`] and given back.
pub type ZvState = (zv_api::Client, GiftCardListParams);

/// One `Client::gift_cards` call with a task's own state (a call of [`spread`] and
/// [`concurrent`]); any error is a failure of the benchmark.
pub async fn zv_call((client, params): ZvState) -> ZvState {
    black_box(client.gift_cards(&params).await.expect("zv call"));
    (client, params)
}

/// A side that makes its `n` calls (a multiple of [`IN_FLIGHT`]) as [`spread`] does.
pub fn concurrent<'a, S, F, Fut>(rt: &'a Runtime, state: S, call: F) -> Side<'a>
where
    S: Clone + Send + 'static,
    F: Fn(S) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = S> + Send + 'static,
{
    Box::new(move |n| spread(rt, n, state.clone(), call))
}

/// Runs `n` calls on `rt` as [`IN_FLIGHT`] tasks of `n / IN_FLIGHT` sequential calls each;
/// every task owns a clone of `state`, which each call borrows by taking and giving it back.
/// Returns the wall-clock time of all of them.
pub fn spread<S, F, Fut>(rt: &Runtime, n: u64, state: S, call: F) -> Duration
where
    S: Clone + Send + 'static,
    F: Fn(S) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = S> + Send + 'static,
{
    let per_task = n / IN_FLIGHT;
    rt.block_on(async {
        let start = Instant::now();
        let mut tasks = JoinSet::new();
        for _ in 0..IN_FLIGHT {
            let mut state = state.clone();
            tasks.spawn(async move {
                for _ in 0..per_task {
                    state = call(state).await;
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("a benchmark task panicked");
        }
        start.elapsed()
    })
}

/// The async comparisons against one server: sequential calls, then [`IN_FLIGHT`] at once.
pub struct AsyncSides {
    rt: Runtime,
    zv: zv_api::Client,
    raw: reqwest::Client,
    url: Arc<str>,
    params: GiftCardListParams,
}

impl AsyncSides {
    /// Both clients, built for `server`.
    pub fn new(server: &Server) -> Self {
        AsyncSides {
            rt: runtime(),
            zv: async_client(&server.base_url(), credentials()),
            raw: raw_reqwest_client(),
            url: format!("{}{GIFT_CARDS_PATH}", server.base_url()).into(),
            params: GiftCardListParams::new(USER_ID),
        }
    }

    /// `zv_api::Client` vs raw reqwest, one call after the other.
    pub fn sequential(&self, plan: Plan) -> Comparison {
        let zv = sequential(&self.rt, || async { self.zv.gift_cards(&self.params).await.expect("zv call") });
        let raw = sequential(&self.rt, || async {
            raw_reqwest_call(&self.raw, &self.url).await.expect("raw reqwest call")
        });
        compare(plan, zv, raw)
    }

    /// The same with [`IN_FLIGHT`] tasks calling concurrently (time per call).
    pub fn concurrent(&self, plan: Plan) -> Comparison {
        let plan = Plan { multiple: IN_FLIGHT, ..plan };
        let zv = concurrent(&self.rt, (self.zv.clone(), self.params.clone()), zv_call);
        let raw =
            concurrent(&self.rt, (self.raw.clone(), Arc::clone(&self.url)), |(client, url)| async move {
                black_box(raw_reqwest_call(&client, &url).await.expect("raw reqwest call"));
                (client, url)
            });
        compare(plan, zv, raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::test_plan as plan;
    use serde_json::Value;

    #[test]
    fn raw_body_has_the_sdks_shape() {
        let config = zv_api::blocking::Client::builder().credentials(credentials()).build_config().unwrap();
        let request = zv_api::sansio::prepare::<GetCustomerGiftCardList>(
            &config,
            &GiftCardListParams::new(USER_ID),
            1_767_196_800,
            42,
        )
        .unwrap();
        let sdk: Value = serde_json::from_slice(request.body()).unwrap();
        let raw: Value = serde_json::from_slice(&raw_body()).unwrap();
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&sdk), keys(&raw));
        assert_eq!(sdk["params"], raw["params"]);
        // A token is 28 base64 characters, each `+`, `/` or `=` sent as 3: typically 32.
        let token_len = |v: &Value| v["token"].as_str().unwrap().len();
        assert!((28..=40).contains(&token_len(&sdk)) && token_len(&raw) == 32);
        assert_eq!(request.uri().path(), GIFT_CARDS_PATH);
    }

    #[test]
    fn all_sides_work_against_the_local_server() {
        let server = Server::start(fixtures::gift_card_body()).unwrap();
        assert_eq!(sign(plan()).zv_ns.len(), 2);
        assert_eq!(blocking(plan(), &server).floor_ns.len(), 2);
        let sides = AsyncSides::new(&server);
        assert!(sides.sequential(plan()).ratio().is_finite());
        let concurrent = sides.concurrent(plan());
        assert_eq!(concurrent.iterations % IN_FLIGHT, 0);
        let cards = sides.rt.block_on(raw_reqwest_call(&sides.raw, &sides.url)).unwrap();
        assert_eq!(cards.len(), fixtures::ITEMS);
    }
}
