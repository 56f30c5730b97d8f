//! 7.2.7 我的礼品卡列表 — a member's gift cards (V3).

use serde::{Deserialize, Serialize};
use serde_with::{serde_as, skip_serializing_none};

use crate::code::{Code, CodeOrDefault, code_enum};
use crate::endpoint::{Endpoint, Route, Safety};
use crate::lenient::{IntFlag, LenientString};
use crate::moment::{ChinaDateTime, Moment};
use crate::money::{Money, Yuan};

code_enum! {
    /// `status` of a gift card (礼品卡的状态).
    pub enum GiftCardStatus: Str {
        /// 0 — status not known to the platform.
        0 => Unspecified = "未知状态",
        /// 1 — not bound to a member.
        1 => Unbound = "未绑定",
        /// 2 — being given as a gift.
        2 => BeingGifted = "赠送中",
        /// 3 — given as a gift.
        3 => Gifted = "已赠送",
        /// 4 — bound to the member.
        4 => Bound = "已绑定",
        /// 5 — expired.
        5 => Expired = "已过期",
        /// 6 — recycled.
        6 => Recycled = "已回收",
        /// 7 — balance used up.
        7 => UsedUp = "已用完",
    }
}

code_enum! {
    /// `validType`: how a card's validity is defined (有效期类型).
    pub enum ValidType: Str {
        /// 0 — unknown.
        0 => Unspecified = "未知",
        /// 1 — valid forever.
        1 => Permanent = "长期有效",
        /// 2 — valid for N days from binding.
        2 => DaysFromBinding = "自绑定日起有效",
        /// 3 — valid between fixed dates.
        3 => FixedDates = "固定日期",
    }
}

code_enum! {
    /// `bind_status` (绑定状态).
    pub enum BindStatus: Str {
        /// 0 — not bound.
        0 => Unbound = "未绑定",
        /// 1 — bound.
        1 => Bound = "已绑定",
    }
}

code_enum! {
    /// Where a card comes from (`isErp`): `"1"` the 非码 ERP, `"0"` or absent 企迈 (Qmai).
    pub enum CardSource: Str {
        /// `isErp` `"0"` or absent — issued by 企迈 (Qmai).
        0 => Qmai = "企迈",
        /// `isErp` `"1"` — issued by the 非码 ERP.
        1 => Erp = "非码",
    }
}

// The enum is declared by `code_enum!`, whose derive list has no `Default`.
#[allow(clippy::derivable_impls)]
impl Default for CardSource {
    fn default() -> Self {
        CardSource::Qmai
    }
}

/// One of a member's gift cards. Every field tolerates the gateway's loose typing; text
/// fields that are absent or `null` are empty.
#[serde_as]
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GiftCard {
    /// `id`: the card number (卡号).
    #[serde_as(as = "LenientString")]
    pub id: String,
    /// `gift_card_id`: the card template id (礼品卡模板id).
    #[serde_as(as = "LenientString")]
    pub gift_card_id: String,
    /// `gift_title`: the card's name (卡名称).
    #[serde_as(as = "LenientString")]
    pub gift_title: String,
    /// `par_value`: the balance (余额).
    #[serde_as(as = "Yuan")]
    pub par_value: Option<Money>,
    /// `cover`: the card image URL (卡图片).
    #[serde_as(as = "LenientString")]
    pub cover: String,
    /// `expired_desc`: the validity description (有效期说明).
    #[serde_as(as = "LenientString")]
    pub expired_desc: String,
    /// `deduct_amount`: the face value (卡面总值).
    #[serde_as(as = "Yuan")]
    pub deduct_amount: Option<Money>,
    /// `bind_status`: bound or not (绑定状态).
    #[serde_as(as = "Code")]
    pub bind_status: Option<BindStatus>,
    /// `beginAt`: start of validity (有效期开始时间).
    #[serde_as(as = "ChinaDateTime")]
    #[serde(rename = "beginAt")]
    pub begin_at: Option<Moment>,
    /// `endAt`: end of validity (有效期结束时间).
    #[serde_as(as = "ChinaDateTime")]
    #[serde(rename = "endAt")]
    pub end_at: Option<Moment>,
    /// `createdAt`: when the card was created (创建时间).
    #[serde_as(as = "ChinaDateTime")]
    #[serde(rename = "createdAt")]
    pub created_at: Option<Moment>,
    /// `status_desc`: the status as text (状态描述).
    #[serde_as(as = "LenientString")]
    pub status_desc: String,
    /// `status`: the card's status.
    #[serde_as(as = "Code")]
    pub status: Option<GiftCardStatus>,
    /// `validType`: how validity is defined.
    #[serde_as(as = "Code")]
    #[serde(rename = "validType")]
    pub valid_type: Option<ValidType>,
    /// `isErp`: where the card comes from.
    #[serde_as(as = "CodeOrDefault")]
    #[serde(rename = "isErp")]
    pub source: CardSource,
}

/// Params of [`GetCustomerGiftCardList`]: `{"user_id": "…", "needCycleCard": 0|1}`.
#[serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GiftCardListParams {
    /// `user_id`: the member id (用户id).
    #[serde_as(as = "LenientString")]
    #[serde(default)]
    pub user_id: String,
    /// `needCycleCard`: whether the list of unusable cards includes recycled ones.
    #[serde_as(as = "IntFlag")]
    #[serde(rename = "needCycleCard", default)]
    pub include_recycled: bool,
}

impl GiftCardListParams {
    /// The cards of member `user_id`, recycled cards left out.
    pub fn new(user_id: impl Into<String>) -> Self {
        GiftCardListParams { user_id: user_id.into(), include_recycled: false }
    }

    /// Whether to include recycled cards (`needCycleCard = 1`).
    pub fn include_recycled(mut self, yes: bool) -> Self {
        self.include_recycled = yes;
        self
    }
}

/// `POST /v3/crm/giftCard/getCustomerGiftCardList` — a member's gift cards (a read).
#[derive(Debug, Clone, Copy)]
pub struct GetCustomerGiftCardList;

impl Endpoint for GetCustomerGiftCardList {
    type Params = GiftCardListParams;
    type Data = Vec<GiftCard>;
    const ROUTE: Route<'static> = Route::v3_static("crm/giftCard/getCustomerGiftCardList");
    const SAFETY: Safety = Safety::Read;

    fn absent_data() -> Option<Vec<GiftCard>> {
        Some(Vec::new())
    }

    /// A list, also from PHP's `{"0": …}` form or `""`.
    fn deserialize_data<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<GiftCard>, D::Error> {
        crate::lenient::deserialize_list(d)
    }
}
