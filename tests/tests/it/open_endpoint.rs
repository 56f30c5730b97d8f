//! Proof that the SDK is open: an endpoint declared entirely outside zv's crates — its
//! params, and data with five fields including `Money` and an `Unknown`-able code enum —
//! mocked with a handler registered through zv-mock's public table, and called with the
//! blocking and the async client. `docs/adding-an-endpoint.md` walks through this file.

use serde::{Deserialize, Serialize};
use serde_with::serde_as;
use zv_api::ErrorKind;
use zv_integration_tests::{BACKENDS, Backend, Env};
use zv_mock::{CallContext, Endpoints, MockConfig, PlatformError, Verdict};
use zv_types::code::{Code, CodeEnum};
use zv_types::{Endpoint, Fen, Money, Route, Yuan};

// 1. The codes of an enum field: known ones by name, any other kept as `Unknown(raw)`.
zv_types::code_enum! {
    /// A member's level.
    pub enum MemberLevel: Str {
        /// 普通会员.
        1 => Regular = "普通会员",
        /// 金卡会员.
        2 => Gold = "金卡会员",
    }
}

// 2. The params, as the gateway names them.
#[derive(Debug, Serialize, Deserialize)]
pub struct MemberAccountParams {
    #[serde(rename = "customerId")]
    pub customer_id: String,
}

// 3. The data: five fields, read as leniently as the built-in models.
#[serde_as]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberAccount {
    #[serde(rename = "customerId")]
    pub customer_id: String,
    pub nickname: String,
    /// 余额, in yuan on the wire ("12.34"), exact fen in Rust.
    #[serde_as(as = "Yuan")]
    #[serde(default)]
    pub balance: Option<Money>,
    /// 积分抵现, in fen on the wire.
    #[serde_as(as = "Fen")]
    #[serde(default)]
    pub points_value: Option<Money>,
    #[serde_as(as = "Code")]
    #[serde(default)]
    pub level: Option<MemberLevel>,
}

// 4. The endpoint: where it lives and whether sending it twice is harmless.
pub struct GetMemberAccount;

impl Endpoint for GetMemberAccount {
    type Params = MemberAccountParams;
    type Data = MemberAccount;
    const ROUTE: Route<'static> = Route::v3_static("crm/member/getMemberAccount");
    const SAFETY: zv_types::Safety = zv_types::Safety::Read;
}

// 5. The mock's handler: params in, data or a platform error out.
fn member_account(p: MemberAccountParams, _: &CallContext<'_>) -> Result<MemberAccount, PlatformError> {
    let level = match p.customer_id.as_str() {
        "10001" => MemberLevel::Gold,
        "10002" => MemberLevel::from_raw("9"), // a level this SDK does not know yet
        _ => return Err(PlatformError::business(20001, "查询的信息不存在")),
    };
    Ok(MemberAccount {
        customer_id: p.customer_id,
        nickname: "小明".into(),
        balance: Some(Money::from_fen(1234)),
        points_value: Some(Money::from_fen(-5)),
        level: Some(level),
    })
}

fn call(env: &Env, backend: Backend, customer_id: &str) -> Result<MemberAccount, zv_api::Error> {
    let params = MemberAccountParams { customer_id: customer_id.into() };
    match backend {
        Backend::BlockingUreq => env.blocking.call::<GetMemberAccount>(&params),
        Backend::AsyncReqwest => env.rt.block_on(env.asynch.call::<GetMemberAccount>(&params)),
    }
}

#[test]
fn an_endpoint_declared_outside_zv_is_mocked_and_called_by_both_clients() {
    for messy in [false, true] {
        let endpoints = Endpoints::builtin().endpoint::<GetMemberAccount, _>(member_account);
        let env = Env::new(MockConfig::new().endpoints(endpoints).messy(messy));
        for backend in BACKENDS {
            let gold = call(&env, backend, "10001").unwrap();
            assert_eq!(gold.balance, Some(Money::from_fen(1234)), "{backend:?} messy={messy}");
            assert_eq!(gold.balance.unwrap_or_default().to_string(), "¥12.34");
            assert_eq!(gold.points_value, Some(Money::from_fen(-5)));
            assert_eq!((gold.nickname.as_str(), gold.level.clone()), ("小明", Some(MemberLevel::Gold)));

            let unknown = call(&env, backend, "10002").unwrap();
            assert_eq!(unknown.level, Some(MemberLevel::from_raw("9")));
            assert_eq!(unknown.level.as_ref().and_then(|l| l.unknown_raw()), Some("9"));

            let missing = call(&env, backend, "404").unwrap_err();
            assert_eq!(missing.kind(), ErrorKind::ApiBusiness, "{missing}");
        }
        // Every call was signed and verified like any other.
        assert!(env.mock.log().iter().all(|e| e.verdict == Verdict::Ok), "messy={messy}");
        assert_eq!(env.mock.log().len(), 6);
    }
}
