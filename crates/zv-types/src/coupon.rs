//! coupon.user-coupon-list — a member's coupons (V2).

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_with::{serde_as, skip_serializing_none};

use crate::code::{Code, code_enum};
use crate::endpoint::{Endpoint, Route, Safety};
use crate::lenient::{self, LenientInt, LenientList, LenientObject, LenientString, RequiredInt};
use crate::moment::{Moment, UnixSeconds};
use crate::money::{Fen, Money};

code_enum! {
    /// `status` of a member's coupon (状态).
    pub enum CouponUseStatus: Int {
        /// 0 — not used yet.
        0 => Unused = "未使用",
        /// 1 — used.
        1 => Used = "已使用",
    }
}

code_enum! {
    /// `is_lock`: whether the coupon is locked (是否锁定).
    pub enum LockState: Int {
        /// 1 — normal.
        1 => Normal = "正常",
        /// 2 — locked.
        2 => Locked = "锁定",
    }
}

code_enum! {
    /// `coupon_type`: the kind of discount (优惠形式).
    pub enum CouponType: Int {
        /// 0 — a fixed amount off (指定金额).
        0 => FixedAmount = "指定金额",
        /// 1 — a percentage discount (折扣券).
        1 => Discount = "折扣券",
    }
}

/// The coupon template a member's coupon was issued from (`coupon`).
///
/// An absent field is its default. (Each field says so itself rather than the struct: a
/// struct-wide `#[serde(default)]` builds a whole default value for every item decoded.)
#[serde_as]
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Coupon {
    /// `id`: the template id.
    #[serde_as(as = "LenientInt")]
    #[serde(default)]
    pub id: Option<u64>,
    /// `title`: the coupon's name (优惠券名称).
    #[serde_as(as = "LenientString")]
    #[serde(default)]
    pub title: String,
    /// `coupon_type`: fixed amount or discount.
    #[serde_as(as = "Code")]
    #[serde(default)]
    pub coupon_type: Option<CouponType>,
    /// `min_amount_use`: minimum spend, sent in fen (`0` = no minimum).
    #[serde_as(as = "Fen")]
    #[serde(default)]
    pub min_amount_use: Option<Money>,
    /// `desc`: description (描述).
    #[serde_as(as = "LenientString")]
    #[serde(default)]
    pub desc: String,
}

/// One coupon a member holds (`item_list[]`). An absent field is its default (see [`Coupon`]).
#[serde_as]
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserCoupon {
    /// `id`: the user-coupon id.
    #[serde_as(as = "LenientInt")]
    #[serde(default)]
    pub id: Option<u64>,
    /// `coupon_id`: the template id.
    #[serde_as(as = "LenientInt")]
    #[serde(default)]
    pub coupon_id: Option<u64>,
    /// `start_at`: start of validity (sent as Unix seconds in a string).
    #[serde_as(as = "UnixSeconds")]
    #[serde(default)]
    pub start_at: Option<Moment>,
    /// `end_at`: end of validity (sent as Unix seconds in a string).
    #[serde_as(as = "UnixSeconds")]
    #[serde(default)]
    pub end_at: Option<Moment>,
    /// `status`: used or unused.
    #[serde_as(as = "Code")]
    #[serde(default)]
    pub status: Option<CouponUseStatus>,
    /// `verify_code`: the redemption code (核销码).
    #[serde_as(as = "LenientString")]
    #[serde(default)]
    pub verify_code: String,
    /// `is_lock`: normal or locked.
    #[serde_as(as = "Code")]
    #[serde(default)]
    pub is_lock: Option<LockState>,
    /// `date_time`: the status as shown to members (e.g. 已过期).
    #[serde_as(as = "LenientString")]
    #[serde(default)]
    pub date_time: String,
    /// `coupon`: the template (absent, `""`, `null` and `[]` are `None`).
    #[serde_as(as = "LenientObject")]
    #[serde(default)]
    pub coupon: Option<Coupon>,
}

/// The `data` of [`UserCouponList`]: `{"item_list": [...]}`.
#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct CouponList {
    /// `item_list`: the member's coupons.
    #[serde_as(as = "LenientList")]
    pub item_list: Vec<UserCoupon>,
}

impl CouponList {
    /// A list of the given coupons.
    pub fn new(item_list: Vec<UserCoupon>) -> Self {
        CouponList { item_list }
    }
}

/// The status filter of a coupon list (`expire`, with `shopping = 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CouponStatusFilter {
    /// `used` — coupons already used (已使用).
    Used,
    /// `canuse` — coupons not used yet (未使用).
    #[serde(rename = "canuse")]
    CanUse,
    /// `expired` — expired coupons (已过期).
    Expired,
}

impl CouponStatusFilter {
    /// The wire value: `used`, `canuse` or `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            CouponStatusFilter::Used => "used",
            CouponStatusFilter::CanUse => "canuse",
            CouponStatusFilter::Expired => "expired",
        }
    }
}

impl std::str::FromStr for CouponStatusFilter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "used" => Ok(CouponStatusFilter::Used),
            "canuse" => Ok(CouponStatusFilter::CanUse),
            "expired" => Ok(CouponStatusFilter::Expired),
            other => Err(format!("unknown coupon status {other:?} (expected used, canuse or expired)")),
        }
    }
}

/// One line of a shopping basket (`checked[]`).
#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketItem {
    /// `bar_code`: the product identifier (商品标识).
    #[serde_as(as = "LenientString")]
    pub bar_code: String,
    /// `offline_price`: the unit price, sent as an integer number of fen.
    #[serde_as(as = "Fen")]
    pub offline_price: Money,
    /// `buy_num`: the quantity (购买数量).
    #[serde_as(as = "RequiredInt")]
    pub buy_num: u32,
}

impl BasketItem {
    /// A basket line: `quantity` of product `bar_code` at `unit_price` each.
    pub fn new(bar_code: impl Into<String>, unit_price: Money, quantity: u32) -> Self {
        BasketItem { bar_code: bar_code.into(), offline_price: unit_price, buy_num: quantity }
    }
}

/// A non-empty shopping basket, sent as `shopping = 1` and `checked` (a JSON-encoded string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basket(Vec<BasketItem>);

/// A basket must hold at least one item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a shopping basket needs at least one item")]
pub struct EmptyBasket;

impl Basket {
    /// A basket of `items`; an empty list is refused.
    pub fn new(items: Vec<BasketItem>) -> Result<Basket, EmptyBasket> {
        if items.is_empty() { Err(EmptyBasket) } else { Ok(Basket(items)) }
    }

    /// The basket's items (never empty).
    pub fn items(&self) -> &[BasketItem] {
        &self.0
    }

    /// The `checked` value: the items as a JSON-encoded string.
    pub fn to_checked_string(&self) -> String {
        // Serializing plain structs of strings and integers cannot fail.
        serde_json::to_string(&self.0).unwrap_or_default()
    }
}

impl TryFrom<Vec<BasketItem>> for Basket {
    type Error = EmptyBasket;
    fn try_from(items: Vec<BasketItem>) -> Result<Basket, EmptyBasket> {
        Basket::new(items)
    }
}

/// How to filter a coupon list: by status (and order amount), or by a shopping basket —
/// never both, so the invalid combinations of `shopping`/`expire`/`amount`/`checked` cannot
/// be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CouponFilter {
    /// `shopping = 0`, with an optional `expire` status and an optional order `amount`
    /// (only coupons usable at that amount; sent as an integer in fen).
    Status {
        /// `expire`: used, canuse or expired.
        status: Option<CouponStatusFilter>,
        /// `amount`: the order amount.
        amount: Option<Money>,
    },
    /// `shopping = 1` with the basket in `checked`.
    Basket(Basket),
}

/// Params of [`UserCouponList`]; all optional. Unset params are omitted from the request.
///
/// ```
/// use zv_types::{CouponListParams, CouponStatusFilter, Money};
/// let p = CouponListParams::new()
///     .user_id(10001)
///     .status(CouponStatusFilter::CanUse)
///     .amount(Money::from_fen(10000));
/// assert_eq!(
///     serde_json::to_string(&p).unwrap(),
///     r#"{"user_id":10001,"shopping":0,"expire":"canuse","amount":10000}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CouponListParams {
    /// `user_id`: the member id (会员id).
    pub user_id: Option<u64>,
    /// `from_pay_page`: called from the pay page (是否买单页面).
    pub from_pay_page: Option<bool>,
    /// `multi_store_sn`: the multi-store identifier (多门店标识码).
    pub multi_store_sn: Option<String>,
    /// The status or basket filter.
    pub filter: Option<CouponFilter>,
}

impl CouponListParams {
    /// No filter at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the coupons of member `user_id`.
    pub fn user_id(mut self, user_id: u64) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Marks the call as coming from the pay page.
    pub fn from_pay_page(mut self, yes: bool) -> Self {
        self.from_pay_page = Some(yes);
        self
    }

    /// Only coupons of store `sn`.
    pub fn multi_store_sn(mut self, sn: impl Into<String>) -> Self {
        self.multi_store_sn = Some(sn.into());
        self
    }

    /// Filters by status (`shopping = 0`); replaces a basket filter.
    pub fn status(mut self, status: CouponStatusFilter) -> Self {
        let amount = match self.filter {
            Some(CouponFilter::Status { amount, .. }) => amount,
            _ => None,
        };
        self.filter = Some(CouponFilter::Status { status: Some(status), amount });
        self
    }

    /// Only coupons usable at this order amount (`shopping = 0`); replaces a basket filter.
    pub fn amount(mut self, amount: Money) -> Self {
        let status = match self.filter {
            Some(CouponFilter::Status { status, .. }) => status,
            _ => None,
        };
        self.filter = Some(CouponFilter::Status { status, amount: Some(amount) });
        self
    }

    /// Filters by a shopping basket (`shopping = 1`); replaces a status filter.
    pub fn basket(mut self, basket: Basket) -> Self {
        self.filter = Some(CouponFilter::Basket(basket));
        self
    }
}

impl Serialize for CouponListParams {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(id) = self.user_id {
            m.serialize_entry("user_id", &id)?;
        }
        if let Some(yes) = self.from_pay_page {
            m.serialize_entry("from_pay_page", &u8::from(yes))?;
        }
        match &self.filter {
            None => {}
            Some(CouponFilter::Status { status, amount }) => {
                m.serialize_entry("shopping", &0)?;
                if let Some(st) = status {
                    m.serialize_entry("expire", st.as_str())?;
                }
                if let Some(a) = amount {
                    m.serialize_entry("amount", &a.fen())?;
                }
            }
            Some(CouponFilter::Basket(b)) => {
                m.serialize_entry("shopping", &1)?;
                m.serialize_entry("checked", &b.to_checked_string())?;
            }
        }
        if let Some(sn) = &self.multi_store_sn {
            m.serialize_entry("multi_store_sn", sn)?;
        }
        m.end()
    }
}

/// The params as any client may send them (the mock gateway reads them this way).
#[serde_as]
#[derive(Deserialize)]
#[serde(default)]
#[derive(Default)]
struct WireCouponParams {
    #[serde_as(as = "LenientInt")]
    user_id: Option<u64>,
    #[serde_as(as = "crate::lenient::LenientBool")]
    from_pay_page: Option<bool>,
    #[serde_as(as = "crate::lenient::LenientBool")]
    shopping: Option<bool>,
    #[serde_as(as = "LenientString")]
    checked: String,
    #[serde_as(as = "LenientString")]
    expire: String,
    #[serde_as(as = "LenientInt")]
    amount: Option<i64>,
    #[serde_as(as = "LenientString")]
    multi_store_sn: String,
}

/// Reads the params as the gateway documents them: `shopping = 1` filters by the basket in
/// `checked` (then required, a non-empty JSON list) and ignores `expire`/`amount`; otherwise
/// `expire` and `amount` filter and `checked` is ignored. An unknown `expire` is refused.
impl<'de> Deserialize<'de> for CouponListParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w: WireCouponParams = lenient::deserialize_object_or_default(d)?;
        let filter = if w.shopping == Some(true) {
            if w.checked.trim().is_empty() {
                return Err(de::Error::custom("`checked` is required when shopping = 1"));
            }
            let items: Vec<BasketItem> = lenient::from_json_str(&w.checked)
                .map_err(|e: D::Error| de::Error::custom(format_args!("`checked` is not a basket: {e}")))?;
            Some(CouponFilter::Basket(Basket::new(items).map_err(de::Error::custom)?))
        } else {
            let status = match w.expire.trim() {
                "" => None,
                s => Some(s.parse::<CouponStatusFilter>().map_err(de::Error::custom)?),
            };
            let amount = w.amount.map(Money::from_fen);
            if w.shopping.is_none() && status.is_none() && amount.is_none() {
                None
            } else {
                Some(CouponFilter::Status { status, amount })
            }
        };
        Ok(CouponListParams {
            user_id: w.user_id,
            from_pay_page: w.from_pay_page,
            multi_store_sn: Some(w.multi_store_sn).filter(|s| !s.is_empty()),
            filter,
        })
    }
}

/// `coupon.user-coupon-list` (V2) — a member's coupons (a read).
#[derive(Debug, Clone, Copy)]
pub struct UserCouponList;

impl Endpoint for UserCouponList {
    type Params = CouponListParams;
    type Data = CouponList;
    const ROUTE: Route<'static> = Route::v2_static("coupon.user-coupon-list");
    const SAFETY: Safety = Safety::Read;

    fn absent_data() -> Option<CouponList> {
        Some(CouponList::default())
    }
}
