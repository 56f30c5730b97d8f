//! The gateway itself: the checks every request goes through, the endpoints, the faults.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use zv_types::{
    Basket, CouponFilter, CouponList, CouponListParams, CouponStatusFilter, CouponUseStatus, Endpoint,
    ExchangeCodeParams, ExchangeCodeStatus, GetCustomerGiftCardList, GetExchangeCodeStatus, GiftCard,
    GiftCardListParams, GiftCardStatus, Money, Protocol, UserCoupon, UserCouponList, V2Request, V3Request,
};

use crate::fault::{Fault, HugeBody, nginx_page};
use crate::render::Representation;
use crate::state::{Shared, lock, stopped};
use crate::{Check, LogEntry, Verdict};

/// The business code of "nothing found": an unknown member (查询的信息不存在).
pub const NOT_FOUND_CODE: i64 = 20001;
/// The message of [`NOT_FOUND_CODE`].
pub const NOT_FOUND_MESSAGE: &str = "查询的信息不存在";
/// The business code of a redeem that cannot be done: the code does not exist or was
/// already redeemed (兑换码不存在或已兑换).
pub const REDEEM_FAILED_CODE: i64 = 20002;
/// The message of [`REDEEM_FAILED_CODE`].
pub const REDEEM_FAILED_MESSAGE: &str = "兑换码不存在或已兑换";
/// The V3 path of the mock-only, non-idempotent redeem write: params
/// `{"exchangeCode": "…", "user_id": "…"}`; a redeemable code becomes unredeemable.
pub const REDEEM_PATH: &str = "/v3/coupon/exchange/redeemExchangeCode";

/// The largest request body read (1 MiB); a larger one fails the `json` check.
const MAX_REQUEST_BYTES: usize = 1 << 20;
/// The URL path of every V2 request.
const V2_PATH: &str = "/api/v2";

/// A failed check.
struct Rejection {
    check: Check,
    message: String,
}

fn reject(check: Check, message: impl Into<String>) -> Rejection {
    Rejection { check, message: message.into() }
}

/// The params of the mock's redeem write.
struct RedeemParams {
    exchange_code: String,
    user_id: String,
}

/// An endpoint with its parsed params.
enum Call {
    GiftCards(GiftCardListParams),
    Coupons(CouponListParams),
    ExchangeStatus(ExchangeCodeParams),
    Redeem(RedeemParams),
}

/// A request that passed every check.
struct Verified {
    call: Call,
    nonce: u64,
    user_id: Option<String>,
}

/// The common fields of both envelopes.
struct Envelope {
    open_id: String,
    grant_code: String,
    timestamp: u64,
    nonce: u64,
    token: String,
    action: Option<String>,
    params: Value,
}

impl Envelope {
    fn read(protocol: Protocol, json: &Value) -> Result<Envelope, String> {
        if !json.is_object() {
            return Err("the body must be a JSON object".into());
        }
        let (open_id, grant_code, timestamp, nonce, token, action, params) = match protocol {
            Protocol::V3 => {
                let r = V3Request::<Value>::deserialize(json).map_err(|e| {
                    format!("not a V3 envelope (openId, grantCode, timestamp, nonce, token, params): {e}")
                })?;
                (r.open_id, r.grant_code, r.timestamp, r.nonce, r.token, None, r.params)
            }
            Protocol::V2 => {
                let r = V2Request::<Value>::deserialize(json).map_err(|e| {
                    format!(
                        "not a V2 envelope (OpenId, GrantCode, Timestamp, Nonce, Token, Action, Params): {e}"
                    )
                })?;
                (
                    r.open_id,
                    r.grant_code,
                    r.timestamp,
                    r.nonce,
                    r.token,
                    Some(r.action.into_owned()),
                    r.params,
                )
            }
        };
        Ok(Envelope {
            open_id: open_id.into_owned(),
            grant_code: grant_code.into_owned(),
            timestamp,
            nonce,
            token: token.into_owned(),
            action,
            params,
        })
    }
}

/// A text param sent as a string or a number.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn params<P: DeserializeOwned>(v: &Value) -> Result<P, Rejection> {
    P::deserialize(v).map_err(|e| reject(Check::Params, e.to_string()))
}

fn redeem_params(v: &Value) -> Result<RedeemParams, Rejection> {
    let exchange_code = text(&v["exchangeCode"])
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| reject(Check::Params, "`exchangeCode` is required (a string)"))?;
    Ok(RedeemParams { exchange_code, user_id: text(&v["user_id"]).unwrap_or_default() })
}

/// The checks, in order: method, json, envelope, credentials, timestamp, signature, nonce,
/// route, params. Fills `entry` with what it learns on the way.
fn verify(
    shared: &Shared,
    entry: &mut LogEntry,
    body: Option<Result<Bytes, axum::Error>>,
) -> Result<Verified, Rejection> {
    let Some(body) = body else {
        return Err(reject(
            Check::Method,
            format!("{} is not allowed: every endpoint takes POST with a JSON body", entry.method),
        ));
    };
    let body = body.map_err(|e| {
        reject(Check::Json, format!("cannot read the body (at most {MAX_REQUEST_BYTES} bytes): {e}"))
    })?;
    let json: Value = serde_json::from_slice(&body)
        .map_err(|e| reject(Check::Json, format!("the body is not JSON: {e}")))?;

    let protocol = if entry.path == V2_PATH { Protocol::V2 } else { Protocol::V3 };
    entry.protocol = Some(protocol);
    let env = Envelope::read(protocol, &json).map_err(|e| reject(Check::Envelope, e))?;
    entry.open_id = Some(env.open_id.clone());
    entry.timestamp = Some(env.timestamp);
    entry.nonce = Some(env.nonce);
    entry.action.clone_from(&env.action);

    if env.open_id != shared.credentials.open_id() {
        return Err(reject(Check::Credentials, format!("unknown openId {:?}", env.open_id)));
    }
    if env.grant_code != shared.credentials.grant_code() {
        return Err(reject(Check::Credentials, "the grantCode does not belong to this openId"));
    }

    let now = shared.clock.now_unix_seconds();
    let diff = now.abs_diff(env.timestamp);
    if Duration::from_secs(diff) > shared.skew {
        let side = if env.timestamp < now { "behind" } else { "ahead of" };
        return Err(reject(
            Check::Timestamp,
            format!(
                "timestamp {} is {diff} s {side} the server clock ({now}); allowed ±{} s",
                env.timestamp,
                shared.skew.as_secs()
            ),
        ));
    }

    if !shared.signer.verify(env.timestamp, env.nonce, &env.token) {
        return Err(reject(Check::Signature, "token does not match"));
    }
    // Only a signed request's params are kept in the log: an unauthenticated client cannot
    // fill the mock's memory through it.
    entry.params = Some(env.params.clone());

    let window = shared.skew.as_secs();
    if !lock(&shared.nonces).record(&env.open_id, env.nonce, env.timestamp, now, window) {
        return Err(reject(
            Check::Nonce,
            format!("nonce {} was already used within the last {window} s (replay)", env.nonce),
        ));
    }

    let path = entry.path.as_str();
    let call = match (protocol, env.action.as_deref()) {
        (Protocol::V2, Some(action)) if action == route_name::<UserCouponList>() => {
            Call::Coupons(params(&env.params)?)
        }
        (Protocol::V2, action) => {
            return Err(reject(
                Check::Route,
                format!(
                    "unknown Action {:?}: the mock serves {}",
                    action.unwrap_or_default(),
                    route_name::<UserCouponList>()
                ),
            ));
        }
        (Protocol::V3, _) if path == GetCustomerGiftCardList::ROUTE.url_path() => {
            Call::GiftCards(params(&env.params)?)
        }
        (Protocol::V3, _) if path == GetExchangeCodeStatus::ROUTE.url_path() => {
            Call::ExchangeStatus(params(&env.params)?)
        }
        (Protocol::V3, _) if path == REDEEM_PATH => Call::Redeem(redeem_params(&env.params)?),
        (Protocol::V3, _) => {
            return Err(reject(
                Check::Route,
                format!(
                    "no endpoint at {path}: the mock serves {}, {}, {REDEEM_PATH} and {V2_PATH}",
                    GetCustomerGiftCardList::ROUTE.url_path(),
                    GetExchangeCodeStatus::ROUTE.url_path(),
                ),
            ));
        }
    };
    let user_id = text(&env.params["user_id"]);
    Ok(Verified { call, nonce: env.nonce, user_id })
}

/// The V2 Action or V3 path (without `/v3/`) of an endpoint.
fn route_name<E: Endpoint>() -> &'static str {
    E::ROUTE.name()
}

fn total(basket: &Basket) -> Money {
    basket.items().iter().fold(Money::ZERO, |sum, item| {
        let line = Money::from_fen(item.offline_price.fen().saturating_mul(i64::from(item.buy_num)));
        sum.checked_add(line).unwrap_or(Money::from_fen(i64::MAX))
    })
}

/// Whether coupon `c` passes `filter` at Unix time `now`.
fn keep(c: &UserCoupon, filter: Option<&CouponFilter>, now: i64) -> bool {
    let minimum = c.coupon.as_ref().and_then(|t| t.min_amount_use).unwrap_or(Money::ZERO);
    let ended = c.end_at.as_ref().and_then(zv_types::Moment::unix_seconds).is_some_and(|end| end <= now);
    let unused = c.status == Some(CouponUseStatus::Unused);
    match filter {
        None => true,
        Some(CouponFilter::Status { status, amount }) => {
            let status_ok = match status {
                None => true,
                Some(CouponStatusFilter::Used) => c.status == Some(CouponUseStatus::Used),
                Some(CouponStatusFilter::CanUse) => unused && !ended,
                Some(CouponStatusFilter::Expired) => unused && ended,
            };
            status_ok && amount.is_none_or(|a| minimum <= a)
        }
        Some(CouponFilter::Basket(basket)) => minimum <= total(basket),
    }
}

/// Runs the endpoint and writes its answer (success or business error).
fn execute(shared: &Shared, call: &Call, style: &mut Representation) -> Vec<u8> {
    let not_found = |style: &Representation| style.error(true, NOT_FOUND_CODE, NOT_FOUND_MESSAGE);
    match call {
        Call::GiftCards(p) => {
            let cards: Option<Vec<GiftCard>> = lock(&shared.fixtures).members.get(&p.user_id).map(|m| {
                m.gift_cards
                    .iter()
                    .filter(|c| p.include_recycled || c.status != Some(GiftCardStatus::Recycled))
                    .cloned()
                    .collect()
            });
            match cards {
                Some(cards) => style.answer::<GetCustomerGiftCardList>(&cards),
                None => not_found(style),
            }
        }
        Call::Coupons(p) => {
            let Some(user_id) = p.user_id else {
                return style.answer::<UserCouponList>(&CouponList::default());
            };
            let now = i64::try_from(shared.clock.now_unix_seconds()).unwrap_or(i64::MAX);
            let coupons: Option<Vec<UserCoupon>> = lock(&shared.fixtures)
                .members
                .get(&user_id.to_string())
                .map(|m| m.coupons.iter().filter(|c| keep(c, p.filter.as_ref(), now)).cloned().collect());
            match coupons {
                Some(list) => style.answer::<UserCouponList>(&CouponList::new(list)),
                None => not_found(style),
            }
        }
        Call::ExchangeStatus(p) => {
            let redeemable =
                lock(&shared.fixtures).exchange_codes.get(&p.exchange_code).copied().unwrap_or(false);
            style.answer::<GetExchangeCodeStatus>(&ExchangeCodeStatus::new(redeemable))
        }
        Call::Redeem(p) => {
            let redeemed = match lock(&shared.fixtures).exchange_codes.get_mut(&p.exchange_code) {
                Some(redeemable) if *redeemable => {
                    *redeemable = false;
                    true
                }
                _ => false,
            };
            if redeemed {
                style
                    .success(json!({"exchangeCode": p.exchange_code, "user_id": p.user_id, "redeemed": true}))
            } else {
                style.error(true, REDEEM_FAILED_CODE, REDEEM_FAILED_MESSAGE)
            }
        }
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn json_response(body: Vec<u8>) -> Response {
    respond(StatusCode::OK, "application/json; charset=utf-8", Body::from(body))
}

/// Sleeps for `d`, or less if the server shuts down meanwhile.
async fn sleep_unless_stopped(shared: &Shared, d: Duration) {
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = stopped(shared.stop.clone()) => {}
    }
}

/// The axum handler for every method and path.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut entry = LogEntry::new(parts.method.as_str(), parts.uri.path());
    let body =
        if parts.method == Method::POST { Some(to_bytes(body, MAX_REQUEST_BYTES).await) } else { None };

    let verified = match verify(&shared, &mut entry, body) {
        Ok(verified) => verified,
        Err(Rejection { check, message }) => {
            let text = format!("{}: {message}", check.label());
            let body = Representation::new(shared.messy, 0).error(false, check.code(), &text);
            entry.verdict = Verdict::Rejected { check, message };
            shared.record(entry);
            return json_response(body);
        }
    };

    let mut style = Representation::new(shared.messy, verified.nonce);
    let applied = lock(&shared.faults).take(verified.user_id.as_deref());
    let Some(applied) = applied else {
        let body = execute(&shared, &verified.call, &mut style);
        shared.record(entry);
        return json_response(body);
    };
    entry.fault = Some(applied.label);
    match applied.fault {
        Fault::Delay(d) => {
            let body = execute(&shared, &verified.call, &mut style);
            shared.record(entry);
            sleep_unless_stopped(&shared, d).await;
            json_response(body)
        }
        Fault::HttpStatus(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            entry.http_status = status.as_u16();
            shared.record(entry);
            respond(status, "text/html", Body::from(nginx_page(status)))
        }
        Fault::TruncatedJson => {
            let mut body = execute(&shared, &verified.call, &mut style);
            body.truncate(body.len() / 2);
            shared.record(entry);
            json_response(body)
        }
        Fault::EmptyBody => {
            shared.record(entry);
            json_response(Vec::new())
        }
        Fault::HugeBody { bytes, content_length } => {
            shared.record(entry);
            let body = HugeBody::new(bytes, content_length, shared.stop.clone());
            respond(StatusCode::OK, "application/json; charset=utf-8", Body::new(body))
        }
        Fault::BusinessError { code, message } => {
            shared.record(entry);
            json_response(style.error(true, code, &message))
        }
        Fault::SystemError { code, message } => {
            shared.record(entry);
            json_response(style.error(false, code, &message))
        }
        Fault::Raw { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            entry.http_status = status.as_u16();
            shared.record(entry);
            respond(status, "application/json; charset=utf-8", Body::from(body))
        }
        // `Faults::take` never hands out a `FailTimes` (it applies the fault inside).
        Fault::FailTimes { .. } => {
            let body = execute(&shared, &verified.call, &mut style);
            shared.record(entry);
            json_response(body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fixtures;
    use zv_types::{BasketItem, Moment};

    #[test]
    fn coupon_filters() {
        let coupons = &Fixtures::demo().members[crate::DEMO_MEMBER].coupons;
        let now = Moment::parse("2026-01-01 00:00:00").unwrap().unix_seconds().unwrap();
        let ids = |filter: Option<CouponFilter>| -> Vec<u64> {
            coupons.iter().filter(|c| keep(c, filter.as_ref(), now)).filter_map(|c| c.id).collect()
        };
        let status = |s| Some(CouponFilter::Status { status: Some(s), amount: None });
        assert_eq!(ids(None).len(), 5);
        assert_eq!(ids(status(CouponStatusFilter::Used)), [50003, 50005]);
        assert_eq!(ids(status(CouponStatusFilter::CanUse)), [50001, 50002]);
        assert_eq!(ids(status(CouponStatusFilter::Expired)), [50004]);
        let amount = |fen, s| Some(CouponFilter::Status { status: s, amount: Some(Money::from_fen(fen)) });
        assert_eq!(ids(amount(6000, None)), [50001, 50002, 50004, 50005]);
        assert_eq!(ids(amount(3000, Some(CouponStatusFilter::CanUse))), [50002]);
        assert_eq!(ids(amount(10000, Some(CouponStatusFilter::Used))), [50003, 50005]);
        let basket = Basket::new(vec![
            BasketItem::new("P5C5A1", Money::from_fen(1200), 2),
            BasketItem::new("P5C5B2", Money::from_fen(2800), 1),
        ])
        .unwrap();
        assert_eq!(total(&basket), Money::from_fen(5200));
        assert_eq!(ids(Some(CouponFilter::Basket(basket))), [50001, 50002, 50004, 50005]);
        let huge = Basket::new(vec![BasketItem::new("X", Money::from_fen(i64::MAX), 3)]).unwrap();
        assert_eq!(ids(Some(CouponFilter::Basket(huge))).len(), 5);
    }
}
