//! Money is never rounded: not from a text, not from a JSON number of yuan or of fen; and
//! every amount survives `Display` → `FromStr`.

use serde_json::json;
use zv_types::*;

/// A gift card's balance (yuan, through the `Yuan` adapter) from a JSON `par_value`.
fn card_balance(par_value: &str) -> Result<Option<Money>, ResponseError> {
    let body = format!(r#"{{"status":true,"code":0,"data":[{{"par_value":{par_value}}}]}}"#);
    decode_endpoint::<GetCustomerGiftCardList>(body.as_bytes()).map(|cards| cards[0].par_value)
}

/// A basket line's unit price (fen, through the `Fen` adapter) from a JSON `offline_price`.
fn basket_price(offline_price: &str) -> Result<Money, serde_json::Error> {
    let text = format!(r#"{{"bar_code":"6901","offline_price":{offline_price},"buy_num":1}}"#);
    serde_json::from_str::<BasketItem>(&text).map(|item| item.offline_price)
}

/// A coupon threshold (optional fen) from a JSON `min_amount_use`.
fn coupon_threshold(min_amount_use: &str) -> Result<Option<Money>, ResponseError> {
    let body = format!(
        r#"{{"status":true,"code":0,"data":{{"item_list":[{{"coupon":{{"min_amount_use":{min_amount_use}}}}}]}}}}"#
    );
    decode_endpoint::<UserCouponList>(body.as_bytes())
        .map(|list| list.item_list[0].coupon.as_ref().and_then(|c| c.min_amount_use))
}

fn fen(f: i64) -> Money {
    Money::from_fen(f)
}

#[test]
fn json_numbers_of_yuan_are_exact_or_refused() {
    for (number, fen_value) in [
        ("0.1", 10),
        ("0.07", 7),
        ("100.50", 10050),
        ("100.5", 10050),
        ("1e2", 10000),
        ("1.5E1", 1500),
        ("0", 0),
        ("0.0", 0),
        ("-0.0", 0),
        ("-100.5", -10050),
        ("-0.01", -1),
        ("1234567890123.45", 123_456_789_012_345),
        ("-1234567890123.45", -123_456_789_012_345),
        ("1e15", 100_000_000_000_000_000),
        ("-92233720368547758", -9_223_372_036_854_775_800),
    ] {
        assert_eq!(serde_json::from_str::<Money>(number).unwrap(), fen(fen_value), "{number}");
        assert_eq!(card_balance(number).unwrap(), Some(fen(fen_value)), "{number}");
    }
    for (number, why) in [
        ("100.505", "more precise than one fen"),
        ("1e-3", "more precise than one fen"),
        ("-0.001", "more precise than one fen"),
        ("0.125", "more precise than one fen"),
        ("5e-324", "more precise than one fen"),
        // an f64 holds ~16 digits: this is no longer the number the gateway wrote
        ("12345678901234567.0", "more digits than a JSON number keeps exactly"),
        ("92233720368547758.07", "more digits than a JSON number keeps exactly"),
        ("1.7976931348623157e308", "more digits than a JSON number keeps exactly"),
        ("1e20", "out of range"),
        ("-1e17", "out of range"),
        ("92233720368547759", "out of range"),
        ("18446744073709551615", "out of range"),
    ] {
        let e = serde_json::from_str::<Money>(number).unwrap_err();
        assert!(e.to_string().contains(why), "{number}: {e}");
        let e = card_balance(number).unwrap_err();
        let ResponseError::Decode(d) = &e else { panic!("{number}: {e:?}") };
        assert_eq!(d.path(), Some("data[0].par_value"), "{number}");
        assert!(d.message().contains(why), "{number}: {e}");
    }
}

#[test]
fn a_float_of_yuan_is_read_exactly_or_not_at_all() {
    assert_eq!(Money::from_yuan_f64(0.1), Ok(fen(10)));
    assert_eq!(Money::from_yuan_f64(0.1 + 0.2), Err(MoneyParseError::Inexact("0.30000000000000004".into())));
    assert_eq!(Money::from_yuan_f64(100.505), Err(MoneyParseError::SubFen("100.505".into())));
    assert_eq!(Money::from_yuan_f64(-7.0), Ok(fen(-700)));
    assert_eq!(Money::from_yuan_f64(-0.0), Ok(fen(0)));
    assert!(matches!(Money::from_yuan_f64(1e20), Err(MoneyParseError::OutOfRange(_))));
    for not_a_number in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(Money::from_yuan_f64(not_a_number), Err(MoneyParseError::Invalid(_))));
    }
}

#[test]
fn fen_are_integers_never_rounded() {
    for (value, fen_value) in [
        ("10000", 10000),
        ("\"10000\"", 10000),
        ("100.0", 100),
        ("\"100.00\"", 100),
        ("\" 100. \"", 100),
        ("1e3", 1000),
        ("-5", -5),
        ("\"-5\"", -5),
        ("\"-0\"", 0),
        ("-0.0", 0),
        ("9223372036854775807", i64::MAX),
        ("-9223372036854775808", i64::MIN),
        ("\"-9223372036854775808.000\"", i64::MIN),
        ("999999999999999.0", 999_999_999_999_999),
    ] {
        assert_eq!(basket_price(value).unwrap(), fen(fen_value), "{value}");
        assert_eq!(coupon_threshold(value).unwrap(), Some(fen(fen_value)), "{value}");
    }
    for value in [
        "100.5",
        "\"100.50\"",
        "1e-3",
        "0.001",
        // read through an f64 this was 100: the text is read exactly instead
        "\"100.0000000000000001\"",
        "\"1e3\"",
        "1e300",
        "123456789012345678.0",
        "9223372036854775808",
        "\"9223372036854775808\"",
        "-9223372036854775809",
        "\".0\"",
        "\"NaN\"",
        "\"inf\"",
        "true",
    ] {
        assert!(basket_price(value).is_err(), "{value}");
        let e = coupon_threshold(value).unwrap_err();
        let ResponseError::Decode(d) = &e else { panic!("{value}: {e:?}") };
        assert_eq!(d.path(), Some("data.item_list[0].coupon.min_amount_use"), "{value}: {e}");
    }
    assert!(basket_price("null").is_err(), "a basket price is required");
    assert_eq!(coupon_threshold("\"\"").unwrap(), None);
    assert_eq!(coupon_threshold("null").unwrap(), None);
}

#[test]
fn display_and_parse_round_trip_at_the_edges() {
    for f in [i64::MIN, i64::MIN + 1, -10050, -100, -99, -1, 0, 1, 5, 99, 100, 10050, i64::MAX - 1, i64::MAX]
    {
        let m = fen(f);
        assert_eq!(m.to_string().parse::<Money>(), Ok(m), "{m}");
        assert_eq!(Money::parse_yuan(&m.yuan_string()), Ok(m), "{m}");
        assert_eq!(m.yuan_string().parse::<Money>(), Ok(m), "{m}");
        let wire = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Money>(&wire).unwrap(), m, "{wire}");
    }
    assert_eq!(fen(i64::MIN).to_string(), "-¥92233720368547758.08");
    assert_eq!(fen(i64::MAX).to_string(), "¥92233720368547758.07");
    assert_eq!("￥3".parse(), Ok(fen(300)));
    assert_eq!(" +¥0.5 ".parse(), Ok(fen(50)));
    // One fen past either end is out of range, never wrapped or saturated.
    for text in ["-¥92233720368547758.09", "¥92233720368547758.08", "92233720368547758.08"] {
        assert!(matches!(text.parse::<Money>(), Err(MoneyParseError::OutOfRange(_))), "{text}");
    }
    for text in ["¥", "-¥", "¥-5", "¥+5", "¥¥5", "5¥", "¥ 5", "--¥5"] {
        assert!(matches!(text.parse::<Money>(), Err(MoneyParseError::Invalid(_))), "{text}");
    }
    // The gateway's own form has no currency sign.
    assert!(matches!(Money::parse_yuan("¥5"), Err(MoneyParseError::Invalid(_))));
    assert!(serde_json::from_value::<Money>(json!("¥5")).is_err());
}
