//! The vendor pages' own JSON examples, and the messy variants real gateways send.

use zv_types::*;

// 7.2.7 我的礼品卡列表 — 响应示例 (verbatim).
const GIFT_CARDS_EXAMPLE: &str = r#"{
    "status": "true",
    "code": "0",
    "message": "说明",
    "data": [
        {
            "id": "",
            "gift_card_id": "",
            "gift_title": "",
            "par_value": "",
            "cover": "",
            "expired_desc": "",
            "deduct_amount": "",
            "bind_status": "",
            "beginAt": "",
            "endAt": "",
            "createdAt": "",
            "status_desc": "",
            "status": "",
            "validType": "",
            "isErp": ""
        }
    ]
}"#;

// coupon.user-coupon-list — 响应示例 (verbatim).
const COUPONS_EXAMPLE: &str = r#"{ "status": "true", "code": "0", "message": "说明", "data": { "item_list": [ { "id": "", "coupon_id": "", "start_at": "1552924800", "end_at": "1553183999", "status": "", "verify_code": "", "is_lock": "", "date_time": "已过期", "coupon": { "id": "", "title": "", "coupon_type": "", "min_amount_use": "", "desc": "" } } ] } }"#;

// 7.1.6 获取兑换码状态 — 响应示例 (verbatim).
const EXCHANGE_EXAMPLE: &str = r#"{
    "status": "true",
    "code": "0",
    "message": "说明",
    "data": {
        "status": "true"
    }
}"#;

// 异常示例 and 错误码 (verbatim; the code is a placeholder text on the vendor page).
const BUSINESS_EXAMPLE: &str = r#"{
    "status": true,
    "code": "异常编码,根据不同的业务返回编码",
    "message": "异常说明:查询的信息不存在"
}"#;
const SYSTEM_EXAMPLE: &str = r#"{
    "status": false,
    "code": "系统错误编码:详见全局返回编码",
    "message": "系统错误说明"
}"#;

#[test]
fn gift_card_example_decodes_to_an_empty_card() {
    let cards = decode_endpoint::<GetCustomerGiftCardList>(GIFT_CARDS_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(cards.len(), 1);
    let c = &cards[0];
    assert_eq!(c, &GiftCard::default());
    assert_eq!(c.source, CardSource::Qmai, "isErp \"\" means 企迈");
    assert_eq!(c.par_value, None);
    assert_eq!(c.status, None);
}

#[test]
fn coupon_example_decodes() {
    let list = decode_endpoint::<UserCouponList>(COUPONS_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(list.item_list.len(), 1);
    let c = &list.item_list[0];
    assert_eq!(c.id, None);
    assert_eq!(c.start_at.as_ref().and_then(Moment::unix_seconds), Some(1_552_924_800));
    assert_eq!(c.end_at.as_ref().and_then(Moment::unix_seconds), Some(1_553_183_999));
    assert_eq!(c.start_at.as_ref().unwrap().to_string(), "2019-03-19 00:00:00");
    assert_eq!(c.date_time, "已过期");
    let coupon = c.coupon.as_ref().unwrap();
    assert_eq!(coupon.coupon_type, None);
    assert_eq!(coupon.min_amount_use, None);
}

#[test]
fn exchange_example_decodes() {
    let s = decode_endpoint::<GetExchangeCodeStatus>(EXCHANGE_EXAMPLE.as_bytes()).unwrap();
    assert!(s.redeemable);
}

#[test]
fn business_and_system_examples_are_errors() {
    let e = decode_endpoint::<GetExchangeCodeStatus>(BUSINESS_EXAMPLE.as_bytes()).unwrap_err();
    let ResponseError::Api(api) = e else { panic!("{e:?}") };
    assert_eq!(api.kind, ApiErrorKind::Business);
    assert_eq!(api.code, ResponseCode::Text("异常编码,根据不同的业务返回编码".into()));
    assert_eq!(api.message, "异常说明:查询的信息不存在");

    let e = decode_endpoint::<GetCustomerGiftCardList>(SYSTEM_EXAMPLE.as_bytes()).unwrap_err();
    let ResponseError::Api(api) = e else { panic!("{e:?}") };
    assert_eq!(api.kind, ApiErrorKind::System);
    assert_eq!(api.to_string(), "API system error 系统错误编码:详见全局返回编码: 系统错误说明");
}

#[test]
fn a_realistic_card_decodes_every_field() {
    let body = r#"{"status":true,"code":0,"message":"ok","data":[{
        "id":"8800012345","gift_card_id":"301","gift_title":"生日礼品卡","par_value":"100.50",
        "cover":"https://img.example/c.png","expired_desc":"长期有效","deduct_amount":"200",
        "bind_status":"1","beginAt":"2024-01-01 00:00:00","endAt":"2025-12-31 23:59:59",
        "createdAt":"2023-12-31 10:20:30","status_desc":"已绑定","status":"4","validType":"3","isErp":"1"}]}"#;
    let cards = decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).unwrap();
    let c = &cards[0];
    assert_eq!(c.id, "8800012345");
    assert_eq!(c.gift_card_id, "301");
    assert_eq!(c.gift_title, "生日礼品卡");
    assert_eq!(c.par_value, Some(Money::from_fen(10050)));
    assert_eq!(c.deduct_amount, Some(Money::from_fen(20000)));
    assert_eq!(c.bind_status, Some(BindStatus::Bound));
    assert_eq!(c.begin_at.as_ref().unwrap().to_string(), "2024-01-01 00:00:00");
    assert_eq!(c.end_at.as_ref().unwrap().unix_seconds(), Some(1_767_196_799));
    assert_eq!(c.created_at.as_ref().unwrap().to_string(), "2023-12-31 10:20:30");
    assert_eq!(c.status, Some(GiftCardStatus::Bound));
    assert_eq!(c.valid_type, Some(ValidType::FixedDates));
    assert_eq!(c.source, CardSource::Erp);
    assert_eq!(c.status.as_ref().unwrap().to_string(), "已绑定");
}

#[test]
fn messy_variants_decode_to_the_same_card() {
    let canonical = r#"{"status":true,"code":0,"data":[{"id":"77","par_value":"12.30","status":"5","validType":"1",
        "bind_status":"0","beginAt":"2024-01-01 00:00:00","isErp":"0"}]}"#;
    let messy = r#"{"status":"1","code":"0","message":null,"extra":{"trace":"x"},"data":[{"id":77,"par_value":12.3,
        "status":5,"validType":1.0,"bind_status":0,"beginAt":1704038400,"isErp":0,"new_field":[1,2],
        "cover":null,"deduct_amount":"","endAt":"","gift_title":null}]}"#;
    let a = decode_endpoint::<GetCustomerGiftCardList>(canonical.as_bytes()).unwrap();
    let b = decode_endpoint::<GetCustomerGiftCardList>(messy.as_bytes()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a[0].par_value, Some(Money::from_fen(1230)));
}

#[test]
fn unknown_codes_are_kept_not_fatal() {
    let body = r#"{"status":true,"code":0,"data":[{"status":"9","validType":"forever","bind_status":"2","isErp":"3"}]}"#;
    let c = &decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).unwrap()[0];
    assert_eq!(c.status, Some(GiftCardStatus::Unknown("9".into())));
    assert_eq!(c.status.as_ref().unwrap().code(), Some(9));
    assert_eq!(c.valid_type, Some(ValidType::Unknown("forever".into())));
    assert_eq!(c.valid_type.as_ref().unwrap().code(), None);
    assert_eq!(c.bind_status, Some(BindStatus::Unknown("2".into())));
    assert_eq!(c.source, CardSource::Unknown("3".into()));
    assert_eq!(c.status.as_ref().unwrap().to_string(), "未知(9)");
    // and they serialize back as they came
    let json = serde_json::to_value(c).unwrap();
    assert_eq!(json["status"], "9");
    assert_eq!(json["validType"], "forever");
}

#[test]
fn coupon_messy_forms() {
    let body = r#"{"status":"true","code":"0","data":{"item_list":{"0":{"id":"12","coupon_id":3,"start_at":1552924800,
        "end_at":"","status":"1","is_lock":"2","coupon":[],"verify_code":123456},
        "1":{"id":13,"status":7,"is_lock":1,"coupon":{"id":"5","coupon_type":"1","min_amount_use":"10000","title":5}}}}}"#;
    let list = decode_endpoint::<UserCouponList>(body.as_bytes()).unwrap();
    let [a, b] = &list.item_list[..] else { panic!("{list:?}") };
    assert_eq!(a.id, Some(12));
    assert_eq!(a.coupon_id, Some(3));
    assert_eq!(a.end_at, None);
    assert_eq!(a.status, Some(CouponUseStatus::Used));
    assert_eq!(a.is_lock, Some(LockState::Locked));
    assert_eq!(a.coupon, None, "PHP's empty array [] is no coupon");
    assert_eq!(a.verify_code, "123456");
    assert_eq!(b.status, Some(CouponUseStatus::Unknown("7".into())));
    let c = b.coupon.as_ref().unwrap();
    assert_eq!(c.coupon_type, Some(CouponType::Discount));
    assert_eq!(c.min_amount_use, Some(Money::from_fen(10000)));
    assert_eq!(c.min_amount_use.unwrap().to_string(), "¥100.00");
    assert_eq!(c.title, "5");
}

#[test]
fn absent_coupon_fields_are_their_defaults() {
    let body = r#"{"status":true,"code":0,"data":{"item_list":[{},{"coupon":{}},{"coupon":{"desc":"x"}}]}}"#;
    let list = decode_endpoint::<UserCouponList>(body.as_bytes()).unwrap();
    let mut with_template = UserCoupon::default();
    with_template.coupon = Some(Coupon::default());
    let mut described = with_template.clone();
    if let Some(c) = described.coupon.as_mut() {
        c.desc = "x".into();
    }
    assert_eq!(list.item_list, [UserCoupon::default(), with_template, described]);
}

#[test]
fn invalid_utf8_is_a_decode_error_wherever_it_is() {
    let in_data = b"{\"status\":true,\"code\":0,\"data\":[{\"id\":\"88\xff\"}]}";
    let e = decode_endpoint::<GetCustomerGiftCardList>(in_data).unwrap_err();
    assert!(matches!(&e, ResponseError::Decode(d) if d.message().contains("unicode")), "{e:?}");
    let in_message = b"{\"status\":true,\"code\":40004,\"message\":\"\xe4\xb8\",\"data\":[]}";
    let e = decode_endpoint::<GetCustomerGiftCardList>(in_message).unwrap_err();
    assert!(matches!(&e, ResponseError::Decode(d) if d.message().contains("unicode")), "{e:?}");
    // The same bytes, valid, decode.
    let valid = "{\"status\":true,\"code\":0,\"data\":[{\"id\":\"88中\"}]}";
    assert_eq!(decode_endpoint::<GetCustomerGiftCardList>(valid.as_bytes()).unwrap()[0].id, "88中");
}

#[test]
fn empty_and_absent_data() {
    for body in [
        r#"{"status":true,"code":0}"#,
        r#"{"status":true,"code":0,"data":null}"#,
        r#"{"status":true,"code":0,"data":[]}"#,
        r#"{"status":true,"code":0,"data":{"item_list":[]}}"#,
        r#"{"status":true,"code":0,"data":{"item_list":""}}"#,
        r#"{"status":true,"code":0,"data":{}}"#,
    ] {
        let list = decode_endpoint::<UserCouponList>(body.as_bytes()).unwrap();
        assert!(list.item_list.is_empty(), "{body}");
    }
    let cards =
        decode_endpoint::<GetCustomerGiftCardList>(br#"{"status":true,"code":0,"data":null}"#).unwrap();
    assert!(cards.is_empty());
    // An exchange-code answer without data is not guessed.
    let e = decode_endpoint::<GetExchangeCodeStatus>(br#"{"status":true,"code":0}"#).unwrap_err();
    assert!(matches!(e, ResponseError::Decode(ref d) if d.path() == Some("data")), "{e:?}");
}

#[test]
fn numbers_too_large_to_keep_exactly_are_refused_not_mangled() {
    let body = r#"{"status":true,"code":0,"data":[{"id":12345678901234567890123}]}"#;
    let e = decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).unwrap_err();
    assert!(matches!(&e, ResponseError::Decode(d) if d.path() == Some("data[0].id")), "{e}");
    let chain: Vec<String> = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
        .map(|e| e.to_string())
        .collect();
    let chain = chain.join(": ");
    assert!(chain.contains("too large to keep exactly; it must be sent as a string"), "{chain}");
    // a small one is fine, and code 0.0 is the code 0
    let body = r#"{"status":true,"code":0.0,"data":[{"id":8800001}]}"#;
    assert_eq!(decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).unwrap()[0].id, "8800001");
    // far-future times never panic
    let body = r#"{"status":true,"code":0,"data":{"item_list":[{"start_at":"253402300799","end_at":253402300799}]}}"#;
    let list = decode_endpoint::<UserCouponList>(body.as_bytes()).unwrap();
    assert_eq!(list.item_list[0].start_at, Some(Moment::unparsed("253402300799")));
    let body = r#"{"status":true,"code":0,"data":[{"endAt":"9999-12-31T23:59:59Z"}]}"#;
    assert!(decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).is_ok());
}

#[test]
fn exchange_status_forms() {
    for (data, want) in [
        (r#"{"status":"true"}"#, true),
        (r#"{"status":"false"}"#, false),
        (r#"{"status":true}"#, true),
        (r#"{"status":false}"#, false),
        (r#"{"status":1}"#, true),
        (r#"{"status":"0"}"#, false),
        (r#"{"status":" TRUE ","extra":1}"#, true),
    ] {
        let body = format!(r#"{{"status":true,"code":0,"data":{data}}}"#);
        assert_eq!(
            decode_endpoint::<GetExchangeCodeStatus>(body.as_bytes()).unwrap().redeemable,
            want,
            "{data}"
        );
    }
    for data in [r#"{"status":""}"#, r#"{"status":null}"#, r#"{}"#, r#"{"status":"yes"}"#, r#"{"status":2}"#]
    {
        let body = format!(r#"{{"status":true,"code":0,"data":{data}}}"#);
        let e = decode_endpoint::<GetExchangeCodeStatus>(body.as_bytes()).unwrap_err();
        let ResponseError::Decode(d) = e else { panic!("{data}: {e:?}") };
        assert!(d.path().unwrap().starts_with("data"), "{data}: {d}");
    }
}

#[test]
fn envelope_status_and_code_forms() {
    let ok = |b: &str| decode_endpoint::<GetExchangeCodeStatus>(b.as_bytes());
    let data = r#""data":{"status":"true"}"#;
    for head in [
        r#""status":true,"code":0"#,
        r#""status":"true","code":"0""#,
        r#""status":1,"code":"0""#,
        r#""status":"1","code":0"#,
        r#""code":0"#,
        r#""status":true,"code":" 0 ""#,
    ] {
        assert!(ok(&format!("{{{head},{data}}}")).unwrap().redeemable, "{head}");
    }
    let e = ok(&format!(r#"{{"status":"true","code":"20001","message":"查询的信息不存在",{data}}}"#))
        .unwrap_err();
    assert_eq!(e.to_string(), "API business error 20001: 查询的信息不存在");
    let e = ok(r#"{"status":"false","code":40001,"message":"签名错误"}"#).unwrap_err();
    assert_eq!(e.to_string(), "API system error 40001: 签名错误");
    // status false wins even with code 0
    let e = ok(&format!(r#"{{"status":0,"code":0,{data}}}"#)).unwrap_err();
    assert!(matches!(e, ResponseError::Api(ApiError { kind: ApiErrorKind::System, .. })));
}

#[test]
fn an_error_with_an_odd_data_shape_is_still_the_api_error() {
    let e = decode_endpoint::<GetCustomerGiftCardList>(
        br#"{"status":true,"code":30002,"message":"member frozen","data":{"weird":true}}"#,
    )
    .unwrap_err();
    assert!(matches!(e, ResponseError::Api(ApiError { kind: ApiErrorKind::Business, .. })), "{e:?}");
}

#[test]
fn decode_errors_name_the_json_path() {
    let body = r#"{"status":true,"code":0,"data":[{"id":"1"},{"id":"2","par_value":"12.345"}]}"#;
    let e = decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).unwrap_err();
    let ResponseError::Decode(d) = &e else { panic!("{e:?}") };
    assert_eq!(d.path(), Some("data[1].par_value"), "{d}");
    assert!(d.message().contains("more precise than one fen"), "{d}");

    let body = r#"{"status":true,"code":0,"data":{"item_list":[{"coupon":{"id":"x"}}]}}"#;
    let e = decode_endpoint::<UserCouponList>(body.as_bytes()).unwrap_err();
    let ResponseError::Decode(d) = &e else { panic!("{e:?}") };
    assert_eq!(d.path(), Some("data.item_list[0].coupon.id"), "{d}");

    for (body, path) in [
        ("", None),
        ("<html><body>502 Bad Gateway</body></html>", None),
        (r#"{"status":true,"code":0,"data":[{"id":"1"}"#, Some("data")),
        (r#"{"status":true,"message":"no code"}"#, None),
        (r#"{"status":"maybe","code":0}"#, Some("status")),
        (r#"[1,2]"#, None),
    ] {
        let e = decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).unwrap_err();
        let ResponseError::Decode(d) = &e else { panic!("{body}: {e:?}") };
        assert_eq!(d.path(), path, "{body}: {d}");
    }
}

#[test]
fn request_envelopes_have_the_documented_keys() {
    let v3 = V3Request {
        open_id: "6dc05b4ac175cf316d226252b05cf685".into(),
        grant_code: "782c281f62".into(),
        timestamp: 1_547_186_244,
        nonce: 658_965,
        token: "0%2B%2B3c6hthjwAml4ABAXOYF4Q6UY%3D".into(),
        params: ExchangeCodeParams::new("164822200532619796511"),
    };
    // The vendor's request example, minus whitespace.
    assert_eq!(
        serde_json::to_string(&v3).unwrap(),
        r#"{"openId":"6dc05b4ac175cf316d226252b05cf685","grantCode":"782c281f62","timestamp":"1547186244","nonce":"658965","token":"0%2B%2B3c6hthjwAml4ABAXOYF4Q6UY%3D","params":{"exchangeCode":"164822200532619796511"}}"#
    );
    assert!(!format!("{v3:?}").contains("0%2B%2B3c6hthjwAml4ABAXOYF4Q6UY"), "no token in Debug");
    let text = serde_json::to_string(&v3).unwrap();
    let back: V3Request<'_, ExchangeCodeParams> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, v3);

    let basket = Basket::new(vec![
        BasketItem::new("P5C503FB51B4843301", Money::from_fen(120), 2),
        BasketItem::new("P5C503FB51C2F96986", Money::from_fen(20), 2),
    ])
    .unwrap();
    let v2 = V2Request {
        open_id: "6dc05b4ac175cf316d226252b05cf685".into(),
        grant_code: "782c281f62".into(),
        timestamp: 1_547_186_244,
        nonce: 658_965,
        token: "0%2B%2B3c6hthjwAml4ABAXOYF4Q6UY%3D".into(),
        action: "coupon.user-coupon-list".into(),
        params: CouponListParams::new().user_id(1).basket(basket),
    };
    let json: serde_json::Value = serde_json::to_value(&v2).unwrap();
    let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 7);
    for k in ["OpenId", "GrantCode", "Timestamp", "Nonce", "Token", "Action", "Params"] {
        assert!(json.get(k).is_some(), "{k}");
    }
    assert_eq!(json["Timestamp"], "1547186244");
    assert_eq!(json["Nonce"], "658965");
    // `checked` is the vendor's example string, byte for byte.
    assert_eq!(
        json["Params"]["checked"],
        r#"[{"bar_code":"P5C503FB51B4843301","offline_price":120,"buy_num":2},{"bar_code":"P5C503FB51C2F96986","offline_price":20,"buy_num":2}]"#
    );
    assert_eq!(json["Params"]["shopping"], 1);
}

#[test]
fn request_envelope_rejects_numbers_for_timestamp_and_nonce() {
    let bad = r#"{"openId":"a","grantCode":"b","timestamp":1547186244,"nonce":"1","token":"t","params":{}}"#;
    assert!(serde_json::from_str::<V3Request<'_, serde_json::Value>>(bad).is_err());
    let bad =
        r#"{"openId":"a","grantCode":"b","timestamp":"1547186244","nonce":"-1","token":"t","params":{}}"#;
    assert!(serde_json::from_str::<V3Request<'_, serde_json::Value>>(bad).is_err());
    // A V2 body is not a V3 body.
    let v2 =
        r#"{"OpenId":"a","GrantCode":"b","Timestamp":"1","Nonce":"1","Token":"t","Action":"x","Params":{}}"#;
    assert!(serde_json::from_str::<V3Request<'_, serde_json::Value>>(v2).is_err());
    assert!(serde_json::from_str::<V2Request<'_, serde_json::Value>>(v2).is_ok());
}

#[test]
fn params_wire_keys() {
    let p = GiftCardListParams::new("10001");
    assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"user_id":"10001","needCycleCard":0}"#);
    let p = p.include_recycled(true);
    assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"user_id":"10001","needCycleCard":1}"#);

    assert_eq!(serde_json::to_string(&CouponListParams::new()).unwrap(), "{}");
    let p = CouponListParams::new()
        .user_id(7)
        .from_pay_page(true)
        .multi_store_sn("S1")
        .status(CouponStatusFilter::Used);
    assert_eq!(
        serde_json::to_string(&p).unwrap(),
        r#"{"user_id":7,"from_pay_page":1,"shopping":0,"expire":"used","multi_store_sn":"S1"}"#
    );
    // amount alone still means shopping = 0; a basket replaces the status filter
    let p = CouponListParams::new().amount(Money::from_fen(500));
    assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"shopping":0,"amount":500}"#);
    let basket = Basket::new(vec![BasketItem::new("B", Money::from_fen(1), 1)]).unwrap();
    let p = CouponListParams::new().status(CouponStatusFilter::Expired).basket(basket);
    assert_eq!(
        serde_json::to_string(&p).unwrap(),
        r#"{"shopping":1,"checked":"[{\"bar_code\":\"B\",\"offline_price\":1,\"buy_num\":1}]"}"#
    );
    assert_eq!(Basket::new(vec![]), Err(EmptyBasket));

    assert_eq!(serde_json::to_string(&ExchangeCodeParams::new("X1")).unwrap(), r#"{"exchangeCode":"X1"}"#);
}

#[test]
fn coupon_params_read_back_as_the_gateway_would() {
    let read = |s: &str| serde_json::from_str::<CouponListParams>(s);
    // the vendor's request example (all "" except checked): shopping is not 1, so the
    // basket is ignored, as the page documents (`checked`: required when shopping == 1)
    let vendor = r#"{ "user_id": "", "from_pay_page": "", "shopping": "", "checked": "[{\"bar_code\":\"P5C503FB51B4843301\",\"offline_price\":120,\"buy_num\":2}]", "expire": "", "amount": "", "multi_store_sn": "" }"#;
    assert_eq!(read(vendor).unwrap(), CouponListParams::new());
    let p = read(r#"{"user_id":"10001","shopping":"1","checked":"[{\"bar_code\":\"A\",\"offline_price\":\"120\",\"buy_num\":2}]"}"#).unwrap();
    assert_eq!(p.user_id, Some(10001));
    let Some(CouponFilter::Basket(b)) = &p.filter else { panic!("{p:?}") };
    assert_eq!(b.items()[0].offline_price, Money::from_fen(120));
    assert!(read(r#"{"shopping":1,"checked":"[]"}"#).is_err());
    assert!(read(r#"{"shopping":1}"#).is_err());
    // with shopping = 1 the status filter is ignored; with shopping = 0 the basket is
    let p = read(r#"{"shopping":1,"checked":"[{\"bar_code\":\"A\",\"offline_price\":1,\"buy_num\":1}]","expire":"used"}"#).unwrap();
    assert!(matches!(p.filter, Some(CouponFilter::Basket(_))));
    let p = read(r#"{"shopping":0,"checked":"[{\"bar_code\":\"A\",\"offline_price\":1,\"buy_num\":1}]","expire":"used"}"#).unwrap();
    assert_eq!(p.filter, Some(CouponFilter::Status { status: Some(CouponStatusFilter::Used), amount: None }));
    assert!(read(r#"{"expire":"someday"}"#).is_err());
    let p = read(r#"{"expire":"canuse","amount":"10000"}"#).unwrap();
    assert_eq!(
        p.filter,
        Some(CouponFilter::Status {
            status: Some(CouponStatusFilter::CanUse),
            amount: Some(Money::from_fen(10000))
        })
    );
    assert_eq!(read("{}").unwrap(), CouponListParams::new());
    assert_eq!(read("[]").unwrap(), CouponListParams::new());
    // the SDK's own output reads back the same
    let p = CouponListParams::new()
        .user_id(3)
        .from_pay_page(false)
        .status(CouponStatusFilter::Used)
        .amount(Money::from_fen(1));
    assert_eq!(read(&serde_json::to_string(&p).unwrap()).unwrap(), p);
}
