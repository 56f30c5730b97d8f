//! The data the mock serves: members with their gift cards and coupons, and exchange codes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use zv_types::{
    BindStatus, CardSource, Coupon, CouponType, CouponUseStatus, GiftCard, GiftCardStatus, LockState, Moment,
    Money, UserCoupon, ValidType,
};

use super::error::MockError;
use super::files::{read_file, read_json};

/// The demo `openId` (32 hex characters), accepted by default.
pub const DEMO_OPEN_ID: &str = "6d6f636b7a766d6f636b7a766d6f636b";
/// The demo `grantCode` (10 alphanumerics), accepted by default.
pub const DEMO_GRANT_CODE: &str = "ZvMock2024";
/// The demo `openKey`: published on purpose, so it is a secret to nobody; it only opens this
/// mock. Real keys are never to be written down like this.
pub const DEMO_OPEN_KEY: &str = "zvMockDemoOpenKey-NOT-a-secret-for-local-tests-only";

/// [`DEMO_OPEN_ID`], [`DEMO_GRANT_CODE`] and [`DEMO_OPEN_KEY`] as credentials.
pub fn demo_credentials() -> zv_sign::Credentials {
    zv_sign::Credentials::new(DEMO_OPEN_ID, DEMO_GRANT_CODE, DEMO_OPEN_KEY)
}

/// The member id of the demo data: it has gift cards in every status and coupons that are
/// valid, used and expired.
pub const DEMO_MEMBER: &str = "10001";

/// A demo exchange code that can be redeemed (once: redeeming it makes it unredeemable).
pub const DEMO_EXCHANGE_CODE: &str = "164822200532619796511";

/// A demo exchange code that exists but cannot be redeemed.
pub const DEMO_SPENT_EXCHANGE_CODE: &str = "164822200532619796512";

/// Everything the mock serves, keyed by member id and exchange code.
///
/// The JSON form (for [`Fixtures::from_path`] / [`Fixtures::from_json`]) is exactly the
/// `serde_json` form of this struct; the models inside are written in their canonical wire
/// form, the way the gateway documents them (see the [crate docs](crate#fixtures) for an
/// example). Unknown keys at the top level or in a member are rejected (a typo would
/// otherwise silently serve nothing); missing keys are empty.
///
/// New kinds of data may be added: build one with [`Fixtures::new`] and the `with_*`
/// methods, or start from [`Fixtures::demo`].
///
/// ```
/// use zv_mock::{Fixtures, Member};
///
/// let fixtures = Fixtures::new()
///     .with_member("20001", Member::new())
///     .with_exchange_code("900000000000000001", true);
/// assert!(fixtures.members["20001"].gift_cards.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Fixtures {
    /// The members, by member id (`user_id`).
    pub members: BTreeMap<String, Member>,
    /// Exchange codes: `true` when the code can be redeemed, `false` when it exists but
    /// cannot (already redeemed). A code not listed does not exist.
    pub exchange_codes: BTreeMap<String, bool>,
}

/// One member's gift cards and coupons: build one with [`Member::new`] and the `with_*`
/// methods.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Member {
    /// The member's gift cards, in the order they are listed.
    pub gift_cards: Vec<GiftCard>,
    /// The member's coupons, in the order they are listed.
    pub coupons: Vec<UserCoupon>,
}

impl Member {
    /// A member without gift cards or coupons.
    pub fn new() -> Self {
        Self::default()
    }

    /// This member with these gift cards (in the order they are listed).
    pub fn with_gift_cards(mut self, gift_cards: Vec<GiftCard>) -> Self {
        self.gift_cards = gift_cards;
        self
    }

    /// This member with these coupons (in the order they are listed).
    pub fn with_coupons(mut self, coupons: Vec<UserCoupon>) -> Self {
        self.coupons = coupons;
        self
    }
}

impl Fixtures {
    /// No data at all: no member, no exchange code.
    pub fn new() -> Self {
        Self::default()
    }

    /// These fixtures with member `user_id` (replacing one of that id).
    pub fn with_member(mut self, user_id: impl Into<String>, member: Member) -> Self {
        self.members.insert(user_id.into(), member);
        self
    }

    /// These fixtures with exchange code `code`, redeemable or not.
    pub fn with_exchange_code(mut self, code: impl Into<String>, redeemable: bool) -> Self {
        self.exchange_codes.insert(code.into(), redeemable);
        self
    }

    /// The demo data: member [`DEMO_MEMBER`] (`10001`) with six gift cards (bound with
    /// ¥100.50, used up, expired, recycled, one in a status the SDK does not know (`"8"`))
    /// and five coupons (two valid until 2099, two used, one expired in 2020, with minimum
    /// spends of ¥0, ¥50 and ¥100), member `10002` with one card, and the exchange codes
    /// [`DEMO_EXCHANGE_CODE`] (redeemable) and [`DEMO_SPENT_EXCHANGE_CODE`] (not).
    pub fn demo() -> Self {
        let mut coffee = card("8800101", "106", "咖啡会员卡", GiftCardStatus::Bound, 5000);
        coffee.deduct_amount = Some(Money::from_fen(5000));
        coffee.valid_type = Some(ValidType::Permanent);
        coffee.expired_desc = "长期有效".into();
        coffee.created_at = at("2025-05-20 08:15:00");
        Fixtures::new()
            .with_member(
                DEMO_MEMBER,
                Member::new().with_gift_cards(demo_cards()).with_coupons(demo_coupons()),
            )
            .with_member("10002", Member::new().with_gift_cards(vec![coffee]))
            .with_exchange_code(DEMO_EXCHANGE_CODE, true)
            .with_exchange_code(DEMO_SPENT_EXCHANGE_CODE, false)
    }

    /// Reads fixtures from JSON text.
    ///
    /// # Errors
    ///
    /// [`MockError::Fixtures`] naming the JSON path, line and column of the first problem.
    pub fn from_json(text: &str) -> Result<Self, MockError> {
        parse(text, "<json text>")
    }

    /// Reads fixtures from a JSON file (see [`Fixtures`] for the format): a regular file of
    /// at most [`MAX_FILE_BYTES`](crate::MAX_FILE_BYTES).
    ///
    /// # Errors
    ///
    /// [`MockError::Fixtures`] when the file cannot be read (a device or a FIFO is refused
    /// before it is opened, a larger file before it is read) or its content is not fixtures;
    /// the message names the file and, for bad content, the JSON path, line and column.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, MockError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text =
            read_file(path).map_err(|message| MockError::Fixtures { origin: origin.clone(), message })?;
        parse(&text, &origin)
    }

    /// The fixtures as pretty-printed JSON, the format [`Fixtures::from_json`] reads (e.g. to
    /// start a fixtures file from [`Fixtures::demo`]).
    pub fn to_json(&self) -> String {
        // Maps with string keys and models with derived `Serialize` cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn parse(text: &str, origin: &str) -> Result<Fixtures, MockError> {
    read_json(text).map_err(|message| MockError::Fixtures { origin: origin.to_owned(), message })
}

/// A China-time date-time (`2024-01-01 00:00:00`).
fn at(text: &str) -> Option<Moment> {
    Moment::parse(text)
}

fn card(id: &str, template: &str, title: &str, status: GiftCardStatus, balance_fen: i64) -> GiftCard {
    let mut c = GiftCard::default();
    c.id = id.into();
    c.gift_card_id = template.into();
    c.gift_title = title.into();
    c.par_value = Some(Money::from_fen(balance_fen));
    c.cover = format!("https://img.zvcms.example/giftcard/{template}.png");
    c.bind_status = Some(BindStatus::Bound);
    c.status_desc = status.label().into();
    c.status = Some(status);
    c
}

fn fixed_dates(c: &mut GiftCard, begin: &str, end: &str) {
    c.valid_type = Some(ValidType::FixedDates);
    c.begin_at = at(begin);
    c.end_at = at(end);
    c.expired_desc = format!("{}至{}有效", &begin[..10], &end[..10]);
}

fn demo_cards() -> Vec<GiftCard> {
    let mut birthday = card("8800001", "101", "生日礼品卡", GiftCardStatus::Bound, 10050);
    birthday.deduct_amount = Some(Money::from_fen(20000));
    fixed_dates(&mut birthday, "2025-01-01 10:30:00", "2099-12-31 23:59:59");
    birthday.created_at = at("2025-01-01 10:30:00");

    let mut tea = card("8800002", "102", "奶茶畅饮卡", GiftCardStatus::UsedUp, 0);
    tea.deduct_amount = Some(Money::from_fen(5000));
    tea.valid_type = Some(ValidType::Permanent);
    tea.expired_desc = "长期有效".into();
    tea.created_at = at("2024-03-08 14:20:00");
    tea.source = CardSource::Erp;

    let mut mid_autumn = card("8800003", "103", "中秋团圆卡", GiftCardStatus::Expired, 3000);
    mid_autumn.deduct_amount = Some(Money::from_fen(10000));
    fixed_dates(&mut mid_autumn, "2023-09-01 00:00:00", "2023-10-31 23:59:59");
    mid_autumn.created_at = at("2023-08-25 09:00:00");

    let mut spring = card("8800004", "104", "新春福卡", GiftCardStatus::Recycled, 6600);
    spring.deduct_amount = Some(Money::from_fen(6600));
    spring.bind_status = Some(BindStatus::Unbound);
    fixed_dates(&mut spring, "2024-02-01 00:00:00", "2024-12-31 23:59:59");
    spring.created_at = at("2024-01-20 16:45:00");

    let mut limited = card("8800005", "105", "联名限定卡", GiftCardStatus::Unknown("8".into()), 8888);
    limited.deduct_amount = Some(Money::from_fen(8888));
    limited.status_desc = "冻结中".into();
    limited.valid_type = Some(ValidType::DaysFromBinding);
    limited.expired_desc = "自绑定之日起365天内有效".into();
    limited.begin_at = at("2025-06-18 12:00:00");
    limited.end_at = at("2026-06-18 12:00:00");
    limited.created_at = at("2025-06-18 12:00:00");
    limited.cover = String::new();

    let mut welcome = card("8800006", "107", "新会员礼品卡", GiftCardStatus::Unbound, 2000);
    welcome.deduct_amount = Some(Money::from_fen(2000));
    welcome.bind_status = Some(BindStatus::Unbound);
    welcome.created_at = at("2025-09-01 09:30:00");

    vec![birthday, tea, mid_autumn, spring, limited, welcome]
}

struct CouponSpec {
    id: u64,
    template: u64,
    start: &'static str,
    end: &'static str,
    status: CouponUseStatus,
    verify_code: &'static str,
    lock: LockState,
    date_time: &'static str,
}

fn user_coupon(s: CouponSpec, template: Option<Coupon>) -> UserCoupon {
    let mut c = UserCoupon::default();
    c.id = Some(s.id);
    c.coupon_id = Some(s.template);
    c.start_at = at(s.start);
    c.end_at = at(s.end);
    c.status = Some(s.status);
    c.verify_code = s.verify_code.into();
    c.is_lock = Some(s.lock);
    c.date_time = s.date_time.into();
    c.coupon = template;
    c
}

fn template(id: u64, title: &str, kind: CouponType, min_fen: i64, desc: &str) -> Coupon {
    let mut t = Coupon::default();
    t.id = Some(id);
    t.title = title.into();
    t.coupon_type = Some(kind);
    t.min_amount_use = Some(Money::from_fen(min_fen));
    t.desc = desc.into();
    t
}

fn demo_coupons() -> Vec<UserCoupon> {
    let spec = |id, template, start, end, status, verify_code, date_time| CouponSpec {
        id,
        template,
        start,
        end,
        status,
        verify_code,
        lock: LockState::Normal,
        date_time,
    };
    use CouponUseStatus::{Unused, Used};
    vec![
        user_coupon(
            spec(
                50001,
                3001,
                "2025-01-01 00:00:00",
                "2099-12-31 23:59:59",
                Unused,
                "839201746512",
                "2025.01.01-2099.12.31",
            ),
            Some(template(
                3001,
                "满50减10元",
                CouponType::FixedAmount,
                5000,
                "订单满50元可用，不与其他优惠同享",
            )),
        ),
        user_coupon(
            spec(
                50002,
                3002,
                "2025-01-01 00:00:00",
                "2099-12-31 23:59:59",
                Unused,
                "839201746513",
                "2025.01.01-2099.12.31",
            ),
            Some(template(3002, "饮品8折券", CouponType::Discount, 0, "全场饮品8折")),
        ),
        user_coupon(
            spec(50003, 3003, "2025-03-01 00:00:00", "2099-12-31 23:59:59", Used, "839201746514", "已使用"),
            Some(template(3003, "满100减20元", CouponType::FixedAmount, 10000, "订单满100元可用")),
        ),
        user_coupon(
            spec(50004, 3004, "2020-01-01 00:00:00", "2020-12-31 23:59:59", Unused, "839201746515", "已过期"),
            Some(template(3004, "新人立减5元", CouponType::FixedAmount, 0, "新人专享，无门槛")),
        ),
        user_coupon(
            CouponSpec {
                lock: LockState::Locked,
                ..spec(50005, 3005, "2024-06-01 00:00:00", "2099-12-31 23:59:59", Used, "", "已使用")
            },
            None,
        ),
    ]
}
