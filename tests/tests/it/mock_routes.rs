//! A user's own endpoint mocked through zv-mock's public table, called by the SDK's clients:
//! served, verified like every request, and listed when a route is unknown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use zv_api::{ErrorKind, UntypedRequest};
use zv_integration_tests::{BACKENDS, Backend, Env, call};
use zv_mock::{CallContext, Check, Endpoints, MockConfig, PlatformError, Verdict};
use zv_sign::Credentials;
use zv_types::{Endpoint, Route};

/// An endpoint the SDK does not type: a member's points.
struct MemberPoints;

#[derive(Serialize, Deserialize)]
struct PointsParams {
    user_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Points {
    user_id: String,
    points: u64,
}

impl Endpoint for MemberPoints {
    type Params = PointsParams;
    type Data = Points;
    const ROUTE: Route<'static> = Route::v3_static("crm/member/getPoints");
    const SAFETY: zv_types::Safety = zv_types::Safety::Read;
}

/// The typed call through `backend` (the `call!` macro takes no turbofish).
fn points(env: &Env, backend: Backend, user_id: &str) -> Result<Points, zv_api::Error> {
    let params = PointsParams { user_id: user_id.into() };
    match backend {
        Backend::BlockingUreq => env.blocking.call::<MemberPoints>(&params),
        Backend::AsyncReqwest => env.rt.block_on(env.asynch.call::<MemberPoints>(&params)),
    }
}

const LEVEL: &str = "/v3/crm/member/getMemberLevel";

/// The mock with two endpoints of the user's (one typed, one untyped) besides the built-in
/// ones, and a count of the handlers' runs.
fn env(messy: bool, sign_with: Option<Credentials>) -> (Env, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let (typed_runs, level_runs) = (runs.clone(), runs.clone());
    let endpoints = Endpoints::builtin()
        .endpoint::<MemberPoints, _>(move |p, call| {
            typed_runs.fetch_add(1, Ordering::SeqCst);
            let cards = call.fixtures().members.get(&p.user_id).map(|m| m.gift_cards.len());
            let cards = cards.ok_or_else(|| PlatformError::business(20001, "查询的信息不存在"))?;
            Ok(Points { user_id: p.user_id, points: 100 * cards as u64 })
        })
        .v3(LEVEL, move |params: Value, _: &CallContext<'_>| {
            level_runs.fetch_add(1, Ordering::SeqCst);
            Ok(json!({"user_id": params["user_id"], "level": "gold"}))
        })
        .unwrap();
    let config = MockConfig::new().endpoints(endpoints).messy(messy);
    let env = match sign_with {
        None => Env::new(config),
        Some(creds) => Env::with(config, |b| b.credentials(creds.clone()), |a| a.credentials(creds.clone())),
    };
    (env, runs)
}

#[test]
fn a_user_endpoint_is_served_to_both_clients_canonical_and_messy() {
    for messy in [false, true] {
        let (env, runs) = env(messy, None);
        let level = UntypedRequest::v3(LEVEL, json!({"user_id": "10001"})).unwrap();
        for backend in BACKENDS {
            assert_eq!(
                points(&env, backend, "10001").unwrap(),
                Points { user_id: "10001".into(), points: 600 },
                "{backend:?}"
            );
            assert_eq!(points(&env, backend, "9").unwrap_err().kind(), ErrorKind::ApiBusiness);
            let data = call!(env, backend, send_untyped(&level)).unwrap().data;
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(data.get()).unwrap(),
                json!({"user_id": "10001", "level": "gold"})
            );
        }
        assert_eq!(runs.load(Ordering::SeqCst), 6);
        assert!(env.mock.log().iter().all(|e| e.verdict == Verdict::Ok));
    }
}

#[test]
fn a_user_endpoint_is_verified_like_any_other() {
    let creds = zv_mock::demo_credentials();
    let forger = Credentials::new(creds.open_id(), creds.grant_code(), "not-the-key");
    let (env, runs) = env(false, Some(forger));
    for backend in BACKENDS {
        let error = points(&env, backend, "10001").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ApiSystem, "{backend:?}: {error}");
        assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(Check::Signature.code()));
        let level = UntypedRequest::v3(LEVEL, json!({})).unwrap();
        let error = call!(env, backend, send_untyped(&level)).unwrap_err();
        assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(Check::Signature.code()));
    }
    assert_eq!(runs.load(Ordering::SeqCst), 0, "no handler ran for a forged request");
    assert!(env.mock.log().iter().all(|e| e.verdict.check() == Some(Check::Signature)));
}

#[test]
fn an_unknown_route_lists_the_table_with_the_user_endpoints() {
    let (env, _) = env(false, None);
    let nowhere = UntypedRequest::v3("crm/member/nowhere", json!({})).unwrap();
    for backend in BACKENDS {
        let error = call!(env, backend, send_untyped(&nowhere)).unwrap_err();
        assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(Check::Route.code()), "{error}");
        let message = &error.api_error().unwrap().message;
        assert!(message.contains("no endpoint at /v3/crm/member/nowhere: the mock serves "), "{message}");
        for route in [
            LEVEL,
            "/v3/crm/member/getPoints",
            "/v3/crm/giftCard/getCustomerGiftCardList",
            "/api/v2 Action coupon.user-coupon-list",
        ] {
            assert!(message.contains(route), "{route} in {message}");
        }
    }
}
