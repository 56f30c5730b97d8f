//! Property tests: canonical round trips, messy round trips, no panics on any input,
//! params on the wire.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use zv_types::*;

// ---------- strategies ----------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 ]{1,12}",
        "[0-9]{1,15}",
        "\\PC{0,12}",
        Just("生日礼品卡".to_owned()),
    ]
}

fn money() -> impl Strategy<Value = Money> {
    (-10_000_000_000i64..10_000_000_000).prop_map(Money::from_fen)
}

fn moment() -> impl Strategy<Value = Moment> {
    prop_oneof![
        4 => (0i64..4_102_444_800).prop_map(|s| Moment::from_unix_seconds(s).unwrap()),
        1 => "[a-z\\p{Han}]{1,8}".prop_map(Moment::unparsed),
    ]
}

fn code<E: CodeEnum + std::fmt::Debug + Clone>(known: std::ops::Range<i64>) -> impl Strategy<Value = E> {
    prop_oneof![
        4 => known.prop_map(E::from_code),
        1 => (100i64..100_000).prop_map(E::from_code),
        1 => "[a-z]{1,6}".prop_map(|s| E::from_raw(&s)),
    ]
}

prop_compose! {
    fn gift_card()(
        id in text(), gift_card_id in text(), gift_title in text(), par_value in proptest::option::of(money()),
        cover in text(), expired_desc in text(), deduct_amount in proptest::option::of(money()),
        bind_status in proptest::option::of(code::<BindStatus>(0..2)),
        times in (proptest::option::of(moment()), proptest::option::of(moment()), proptest::option::of(moment())),
        status_desc in text(), status in proptest::option::of(code::<GiftCardStatus>(0..8)),
        valid_type in proptest::option::of(code::<ValidType>(0..4)), source in code::<CardSource>(0..2),
    ) -> GiftCard {
        let mut c = GiftCard::default();
        c.id = id; c.gift_card_id = gift_card_id; c.gift_title = gift_title; c.par_value = par_value;
        c.cover = cover; c.expired_desc = expired_desc; c.deduct_amount = deduct_amount;
        c.bind_status = bind_status; c.begin_at = times.0; c.end_at = times.1; c.created_at = times.2;
        c.status_desc = status_desc; c.status = status; c.valid_type = valid_type; c.source = source;
        c
    }
}

prop_compose! {
    fn coupon()(
        id in proptest::option::of(0u64..1 << 50), title in text(),
        coupon_type in proptest::option::of(code::<CouponType>(0..2)),
        min in proptest::option::of((0i64..100_000_000).prop_map(Money::from_fen)), desc in text(),
    ) -> Coupon {
        let mut c = Coupon::default();
        c.id = id; c.title = title; c.coupon_type = coupon_type; c.min_amount_use = min; c.desc = desc;
        c
    }
}

fn unix_moment() -> impl Strategy<Value = Moment> {
    // Coupons carry Unix seconds; a text there is kept too.
    moment()
}

prop_compose! {
    fn user_coupon()(
        id in proptest::option::of(0u64..1 << 50), coupon_id in proptest::option::of(0u64..1 << 50),
        start_at in proptest::option::of(unix_moment()), end_at in proptest::option::of(unix_moment()),
        status in proptest::option::of(code::<CouponUseStatus>(0..2)), verify_code in text(),
        is_lock in proptest::option::of(code::<LockState>(1..3)), date_time in text(),
        coupon in proptest::option::of(coupon()),
    ) -> UserCoupon {
        let mut c = UserCoupon::default();
        c.id = id; c.coupon_id = coupon_id; c.start_at = start_at; c.end_at = end_at; c.status = status;
        c.verify_code = verify_code; c.is_lock = is_lock; c.date_time = date_time; c.coupon = coupon;
        c
    }
}

// ---------- messify: what real gateways do to the same data ----------

/// Keys whose string values are yuan amounts (a decimal text may become a JSON number).
const MONEY_KEYS: &[&str] = &["par_value", "deduct_amount"];
/// Every field name the models know; an absent one may come back as "" or null.
const KNOWN_KEYS: &[&str] = &[
    "id",
    "gift_card_id",
    "gift_title",
    "par_value",
    "cover",
    "expired_desc",
    "deduct_amount",
    "bind_status",
    "beginAt",
    "endAt",
    "createdAt",
    "status_desc",
    "status",
    "validType",
    "coupon_id",
    "start_at",
    "end_at",
    "verify_code",
    "is_lock",
    "date_time",
    "coupon",
    "title",
    "coupon_type",
    "min_amount_use",
    "desc",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic per proptest seed, so failures shrink and replay.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn chance(&mut self, in_n: u64) -> bool {
        self.next().is_multiple_of(in_n)
    }
}

fn is_plain_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.len() <= 15
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0"
}

fn messify(v: Value, key: Option<&str>, rng: &mut Rng) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let m = messify(v, Some(&k), rng);
                if (m == json!("") || m.is_null()) && rng.chance(3) {
                    continue; // drop an empty field altogether
                }
                out.insert(k, m);
            }
            for k in KNOWN_KEYS {
                if !out.contains_key(*k) && rng.chance(2) {
                    let empty = match rng.next() % 3 {
                        0 => json!(""),
                        1 => Value::Null,
                        _ if *k == "coupon" => json!([]),
                        _ => json!(""),
                    };
                    out.insert((*k).to_owned(), empty);
                }
            }
            if rng.chance(2) {
                out.insert(format!("x_new_field_{}", rng.next() % 100), json!({"nested": [1, "two", null]}));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|i| messify(i, None, rng)).collect()),
        Value::Number(n) if rng.chance(2) => Value::String(n.to_string()),
        Value::String(s) if is_plain_integer(&s) && rng.chance(2) => {
            serde_json::from_str::<Value>(&s).unwrap_or(Value::String(s))
        }
        Value::String(s) if key.is_some_and(|k| MONEY_KEYS.contains(&k)) && rng.chance(2) => {
            let f: f64 = s.parse().unwrap();
            match serde_json::Number::from_f64(f) {
                Some(n) if Money::parse_yuan(&f.to_string()) == Money::parse_yuan(&s) => Value::Number(n),
                _ => Value::String(s),
            }
        }
        Value::Bool(b) => match rng.next() % 4 {
            0 => json!(if b { "true" } else { "false" }),
            1 => json!(u8::from(b)),
            2 => json!(if b { "1" } else { "0" }),
            _ => Value::Bool(b),
        },
        other => other,
    }
}

fn envelope(data: Value, rng: &mut Rng) -> Vec<u8> {
    let status = match rng.next() % 4 {
        0 => json!(true),
        1 => json!("true"),
        2 => json!(1),
        _ => json!("1"),
    };
    let code = if rng.chance(2) { json!(0) } else { json!("0") };
    let mut env = json!({"status": status, "code": code, "message": "说明", "data": data});
    if rng.chance(2) {
        env["request_id"] = json!("abc");
    }
    serde_json::to_vec(&env).unwrap()
}

fn canonical(data: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(&ResponseEnvelope::success(data)).unwrap()
}

// ---------- properties ----------

proptest! {
    #[test]
    fn gift_cards_round_trip(cards in proptest::collection::vec(gift_card(), 0..5), seed in any::<u64>()) {
        let back = decode_endpoint::<GetCustomerGiftCardList>(&canonical(&cards)).unwrap();
        prop_assert_eq!(&back, &cards);
        let mut rng = Rng(seed | 1);
        let messy = messify(serde_json::to_value(&cards).unwrap(), None, &mut rng);
        let body = envelope(messy, &mut rng);
        let back = decode_endpoint::<GetCustomerGiftCardList>(&body);
        prop_assert_eq!(back.as_ref(), Ok(&cards), "messy body: {}", String::from_utf8_lossy(&body));
    }

    #[test]
    fn coupons_round_trip(items in proptest::collection::vec(user_coupon(), 0..5), seed in any::<u64>()) {
        let list = CouponList::new(items);
        let back = decode_endpoint::<UserCouponList>(&canonical(&list)).unwrap();
        prop_assert_eq!(&back, &list);
        let mut rng = Rng(seed | 1);
        let messy = messify(serde_json::to_value(&list).unwrap(), None, &mut rng);
        let body = envelope(messy, &mut rng);
        let back = decode_endpoint::<UserCouponList>(&body);
        prop_assert_eq!(back.as_ref(), Ok(&list), "messy body: {}", String::from_utf8_lossy(&body));
    }

    #[test]
    fn exchange_status_round_trips(redeemable in any::<bool>(), seed in any::<u64>()) {
        let s = ExchangeCodeStatus::new(redeemable);
        prop_assert_eq!(decode_endpoint::<GetExchangeCodeStatus>(&canonical(&s)).unwrap(), s);
        let mut rng = Rng(seed | 1);
        let messy = messify(serde_json::to_value(s).unwrap(), None, &mut rng);
        let body = envelope(messy, &mut rng);
        prop_assert_eq!(decode_endpoint::<GetExchangeCodeStatus>(&body), Ok(s));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_endpoint::<GetCustomerGiftCardList>(&bytes);
        let _ = decode_endpoint::<UserCouponList>(&bytes);
        let _ = decode_endpoint::<GetExchangeCodeStatus>(&bytes);
        let _ = serde_json::from_slice::<CouponListParams>(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(data in arbitrary_json(), status in arbitrary_json(), code in arbitrary_json()) {
        let body = serde_json::to_vec(&json!({"status": status, "code": code, "data": data})).unwrap();
        let _ = decode_endpoint::<GetCustomerGiftCardList>(&body);
        let _ = decode_endpoint::<UserCouponList>(&body);
        let _ = decode_endpoint::<GetExchangeCodeStatus>(&body);
        let ok = serde_json::to_vec(&json!({"status": true, "code": 0, "data": data})).unwrap();
        let _ = decode_endpoint::<GetCustomerGiftCardList>(&ok);
        let _ = decode_endpoint::<UserCouponList>(&ok);
        let _ = decode_endpoint::<GetExchangeCodeStatus>(&ok);
        let item = serde_json::to_vec(&json!({"status": true, "code": 0, "data": {"item_list": [data]}})).unwrap();
        let _ = decode_endpoint::<UserCouponList>(&item);
    }

    #[test]
    fn coupon_params_use_only_documented_keys(
        user_id in proptest::option::of(any::<u64>()), pay in proptest::option::of(any::<bool>()),
        sn in proptest::option::of("[A-Z0-9]{1,8}"), which in 0u8..3,
        status in proptest::option::of(prop_oneof![Just(CouponStatusFilter::Used), Just(CouponStatusFilter::CanUse), Just(CouponStatusFilter::Expired)]),
        amount in proptest::option::of((0i64..1_000_000).prop_map(Money::from_fen)),
        items in proptest::collection::vec(("[A-Z0-9]{1,18}", 0i64..1_000_000, 1u32..100), 1..4),
    ) {
        let mut p = CouponListParams { user_id, from_pay_page: pay, multi_store_sn: sn, filter: None };
        match which {
            1 => p.filter = Some(CouponFilter::Status { status, amount }),
            2 => p.filter = Some(CouponFilter::Basket(Basket::new(
                items.iter().map(|(b, f, n)| BasketItem::new(b.clone(), Money::from_fen(*f), *n)).collect()).unwrap())),
            _ => {}
        }
        let v = serde_json::to_value(&p).unwrap();
        let obj = v.as_object().unwrap();
        for k in obj.keys() {
            prop_assert!(["user_id","from_pay_page","shopping","checked","expire","amount","multi_store_sn"].contains(&k.as_str()), "{}", k);
        }
        for (k, v) in obj {
            prop_assert!(v != &json!("") && !v.is_null(), "{} sent empty", k);
        }
        match &p.filter {
            None => prop_assert!(!obj.contains_key("shopping")),
            Some(CouponFilter::Status { .. }) => {
                prop_assert_eq!(&obj["shopping"], &json!(0));
                prop_assert!(!obj.contains_key("checked"));
            }
            Some(CouponFilter::Basket(b)) => {
                prop_assert_eq!(&obj["shopping"], &json!(1));
                prop_assert!(!obj.contains_key("expire") && !obj.contains_key("amount"));
                let checked: Vec<BasketItem> = serde_json::from_str(obj["checked"].as_str().unwrap()).unwrap();
                prop_assert_eq!(checked.as_slice(), b.items());
            }
        }
        // and the gateway's reading of them is the same params
        let back: CouponListParams = serde_json::from_value(v).unwrap();
        prop_assert_eq!(back, p);
    }

    #[test]
    fn gift_card_params_wire(user_id in "\\PC{0,10}", recycled in any::<bool>()) {
        let p = GiftCardListParams::new(user_id.clone()).include_recycled(recycled);
        let v = serde_json::to_value(&p).unwrap();
        prop_assert_eq!(v, json!({"user_id": user_id, "needCycleCard": u8::from(recycled)}));
    }

    #[test]
    fn unix_seconds_read_as_the_calendar_says(secs in prop_oneof![
        any::<i64>(),
        0i64..4_102_444_800,
        // around the first and the last second China time can hold (years -9999 and 9999)
        -377_705_200_000i64..-377_705_000_000,
        253_402_200_000i64..253_402_400_000,
    ]) {
        // What decoding used to compute at once, and now computes on access.
        let eager = secs
            .checked_add(8 * 3600)
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
            .map(|t| t.replace_offset(CHINA_OFFSET));
        let mut forms = vec![json!(secs)];
        if secs >= 0 {
            forms.push(json!(secs.to_string()));
        }
        for form in forms {
            let m: Moment = serde_json::from_value(form).unwrap();
            prop_assert_eq!(m.datetime(), eager);
            match eager {
                Some(t) => {
                    prop_assert_eq!(m.unix_seconds(), Some(secs));
                    prop_assert_eq!(m.unparsed_text(), None);
                    let text = format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                        t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second());
                    prop_assert_eq!(m.to_string(), text);
                    prop_assert_eq!(&m, &Moment::from_datetime(t));
                }
                None => {
                    prop_assert_eq!(m.unix_seconds(), None);
                    let kept = secs.to_string();
                    prop_assert_eq!(m.unparsed_text(), Some(kept.as_str()));
                }
            }
        }
    }

    #[test]
    fn money_text_round_trips(fen in prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), -1000i64..1000]) {
        let m = Money::from_fen(fen);
        prop_assert_eq!(Money::parse_yuan(&m.yuan_string()), Ok(m));
        prop_assert_eq!(m.to_string().parse::<Money>(), Ok(m));
        prop_assert_eq!(m.yuan_string().parse::<Money>(), Ok(m));
    }

    #[test]
    fn yuan_numbers_of_up_to_15_digits_are_exact(fen in -999_999_999_999_999i64..=999_999_999_999_999) {
        // The amount as the JSON number a gateway writes (`100.5`, `-0.07`, `3`).
        let m = Money::from_fen(fen);
        let number = m.yuan_string();
        prop_assert_eq!(serde_json::from_str::<Money>(&number).unwrap(), m);
        prop_assert_eq!(Money::from_yuan_f64(number.parse().unwrap()), Ok(m));
        let trimmed = number.trim_end_matches('0').trim_end_matches('.');
        prop_assert_eq!(serde_json::from_str::<Money>(trimmed).unwrap(), m);
    }

    #[test]
    fn yuan_numbers_finer_than_a_fen_are_refused(fen in -99_999_999_999_999i64..=99_999_999_999_999, extra in 1u8..10) {
        // A third decimal that is not zero (`12.345`): an error, never a rounded amount.
        let number = format!("{}{extra}", Money::from_fen(fen).yuan_string());
        prop_assert!(serde_json::from_str::<Money>(&number).is_err(), "{}", number);
        prop_assert!(Money::from_yuan_f64(number.parse().unwrap()).is_err(), "{}", number);
        prop_assert!(Money::parse_yuan(&number).is_err(), "{}", number);
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        (253_402_000_000i64..253_402_400_000).prop_map(|i| json!(i)),
        (253_402_000_000i64..253_402_400_000).prop_map(|i| json!(i.to_string())),
        Just(json!("9999-12-31T23:59:59Z")),
        any::<u64>().prop_map(|i| json!(i)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,10}".prop_map(Value::String),
        "[0-9.\\- ]{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("status".to_owned()),
                    Just("id".to_owned()),
                    Just("item_list".to_owned()),
                    Just("coupon".to_owned()),
                    Just("par_value".to_owned()),
                    Just("beginAt".to_owned()),
                    Just("min_amount_use".to_owned()),
                    Just("0".to_owned()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
