//! Exact money: an integer number of fen (分, 1/100 yuan). Never `f64`.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_with::{DeserializeAs, SerializeAs};

/// An amount of money in CNY, held exactly as an integer number of fen (分).
///
/// The gateway sends gift-card amounts as yuan strings (`"100.50"`, `"50"`, `"12.3"`, `0`)
/// and coupon thresholds as integer fen (`10000` = ¥100.00); both decode to `Money` through
/// the [`Yuan`] and [`Fen`] adapters. `Display` shows `¥100.50`, and `FromStr` reads that
/// back as well as the gateway's `100.50`, for every amount.
///
/// Money is never rounded: an amount more precise than one fen (`"100.505"`, or the JSON
/// number `100.505`) is an error, in every form it may come in.
///
/// ```
/// use zv_types::Money;
/// let m: Money = "100.5".parse().unwrap();
/// assert_eq!(m.fen(), 10050);
/// assert_eq!(m.to_string(), "¥100.50");
/// assert_eq!(m.yuan_string(), "100.50");
/// assert_eq!("-¥0.05".parse(), Ok(Money::from_fen(-5)));
/// assert!("100.505".parse::<Money>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    fen: i64,
}

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyParseError {
    /// The text is empty.
    #[error("empty amount")]
    Empty,
    /// The text is not a decimal number of yuan.
    #[error("not a decimal amount of yuan: {0:?}")]
    Invalid(String),
    /// The amount has non-zero digits below one fen (e.g. `1.005`); it is never rounded.
    #[error("amount {0:?} is more precise than one fen")]
    SubFen(String),
    /// The amount does not fit in an `i64` number of fen.
    #[error("amount {0:?} is out of range")]
    OutOfRange(String),
    /// A binary float (a JSON number with a fraction or an exponent) with more significant
    /// digits than a float keeps exactly (15): which amount was meant cannot be known.
    #[error("amount {0} has more digits than a JSON number keeps exactly; it must be sent as a string")]
    Inexact(String),
}

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money { fen: 0 };

    /// An amount of `fen` fen (1/100 yuan).
    pub const fn from_fen(fen: i64) -> Money {
        Money { fen }
    }

    /// A whole number of yuan, if it fits.
    pub const fn from_yuan(yuan: i64) -> Option<Money> {
        match yuan.checked_mul(100) {
            Some(fen) => Some(Money { fen }),
            None => None,
        }
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.fen
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.fen == 0
    }

    /// Adds two amounts, `None` on overflow.
    pub const fn checked_add(self, other: Money) -> Option<Money> {
        match self.fen.checked_add(other.fen) {
            Some(fen) => Some(Money { fen }),
            None => None,
        }
    }

    /// Subtracts `other`, `None` on overflow.
    pub const fn checked_sub(self, other: Money) -> Option<Money> {
        match self.fen.checked_sub(other.fen) {
            Some(fen) => Some(Money { fen }),
            None => None,
        }
    }

    /// The amount as the gateway writes yuan: `"100.50"`, `"-0.05"`.
    pub fn yuan_string(self) -> String {
        let sign = if self.fen < 0 { "-" } else { "" };
        let abs = self.fen.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Parses a decimal amount of yuan as the gateway writes it (`"100.50"`, `"50"`, `"12.3"`,
    /// `"-1.5"`, `" 7 "`). `FromStr` also reads the `Display` form (`"¥100.50"`, `"-¥0.05"`).
    ///
    /// Digits beyond the second decimal place must be zero: money is never rounded.
    pub fn parse_yuan(text: &str) -> Result<Money, MoneyParseError> {
        parse(text, false)
    }

    /// The amount of yuan `yuan` holds, exactly, or an error: never rounded.
    ///
    /// This is how a JSON number of yuan is read, since serde_json (without its
    /// `arbitrary_precision` feature) hands `100.505` to the SDK as the nearest `f64`. The
    /// float is written as the shortest decimal that reads back as the same float (so `0.1`
    /// is `0.1`, `100.505` is `100.505`), and that decimal is parsed like a text: more than
    /// two decimals is [`MoneyParseError::SubFen`]. A float whose shortest decimal has more
    /// than 15 significant digits is [`MoneyParseError::Inexact`]: up to 15 digits, distinct
    /// decimals are distinct floats, so the decimal is the number the gateway wrote (when it
    /// wrote at most 15 digits; the digits past what a float holds are gone before the SDK
    /// sees them).
    pub fn from_yuan_f64(yuan: f64) -> Result<Money, MoneyParseError> {
        match crate::lenient::exact_float_text(yuan) {
            Ok(text) => parse(&text, false),
            Err(crate::lenient::InexactFloat::NotFinite) => Err(MoneyParseError::Invalid(yuan.to_string())),
            Err(crate::lenient::InexactFloat::TooManyDigits) => {
                Err(MoneyParseError::Inexact(yuan.to_string()))
            }
        }
    }
}

/// Reads `[+-][¥]digits[.digits]` (the `¥` only when `symbol` is allowed): the sign, the yuan
/// and the fen, checked, into an `i64` of fen; `i64::MIN` included.
fn parse(text: &str, symbol: bool) -> Result<Money, MoneyParseError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(MoneyParseError::Empty);
    }
    let invalid = || MoneyParseError::Invalid(text.to_owned());
    let (negative, unsigned) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = if symbol { unsigned.strip_prefix(['¥', '￥']).unwrap_or(unsigned) } else { unsigned };
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, f),
        None => (digits, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    let (cents, rest) = frac_part.split_at(frac_part.len().min(2));
    if rest.bytes().any(|b| b != b'0') {
        return Err(MoneyParseError::SubFen(text.to_owned()));
    }
    // The magnitude in a u64, which holds that of i64::MIN (2^63) too.
    let out_of_range = || MoneyParseError::OutOfRange(text.to_owned());
    let digit = |b: u8| u64::from(b - b'0');
    let mut fen: u64 = 0;
    for b in int_part.bytes() {
        fen = fen.checked_mul(10).and_then(|v| v.checked_add(digit(b))).ok_or_else(out_of_range)?;
    }
    let cents = cents.bytes().chain(std::iter::repeat(b'0')).take(2).fold(0, |acc, b| acc * 10 + digit(b));
    fen = fen.checked_mul(100).and_then(|v| v.checked_add(cents)).ok_or_else(out_of_range)?;
    let fen = if negative { 0i64.checked_sub_unsigned(fen) } else { i64::try_from(fen).ok() };
    fen.map(Money::from_fen).ok_or_else(out_of_range)
}

/// Reads the gateway's form (`100.50`) and the `Display` form (`¥100.50`, `-¥0.05`, also with
/// the full-width `￥`): `Display` then `parse` gives back every amount.
impl FromStr for Money {
    type Err = MoneyParseError;
    fn from_str(s: &str) -> Result<Money, MoneyParseError> {
        parse(s, true)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.fen < 0 { "-" } else { "" };
        let abs = self.fen.unsigned_abs();
        write!(f, "{sign}¥{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

/// Serializes as a yuan string (`"100.50"`), the gateway's form for amounts.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.yuan_string())
    }
}

/// Deserializes leniently from yuan, as a string or a number (`"100.50"`, `100.5`, `0`).
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(YuanVisitor)?.ok_or_else(|| de::Error::custom("expected an amount, found no value"))
    }
}

struct YuanVisitor;

impl<'de> Visitor<'de> for YuanVisitor {
    type Value = Option<Money>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount of yuan as a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match Money::parse_yuan(v) {
            Ok(m) => Ok(Some(m)),
            Err(MoneyParseError::Empty) => Ok(None),
            Err(e) => Err(E::custom(e)),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .ok()
            .and_then(Money::from_yuan)
            .map(Some)
            .ok_or_else(|| E::custom(MoneyParseError::OutOfRange(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Money::from_yuan(v).map(Some).ok_or_else(|| E::custom(MoneyParseError::OutOfRange(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Money::from_yuan_f64(v).map(Some).map_err(E::custom)
    }
    nullish_is!(None);
}

/// An optional amount sent in yuan: canonical form a string (`"100.50"`); read leniently
/// from a string or number; `""`/`null`/absent are `None`.
pub struct Yuan;

impl<'de> DeserializeAs<'de, Option<Money>> for Yuan {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        d.deserialize_any(YuanVisitor)
    }
}

impl SerializeAs<Option<Money>> for Yuan {
    fn serialize_as<S: Serializer>(v: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(m) => s.serialize_str(&m.yuan_string()),
            None => s.serialize_none(),
        }
    }
}

/// An amount in yuan sent as a JSON number (`100.5`), for the params a vendor page types
/// `money(元)`; read leniently like [`Yuan`]. As `Option<Money>`, `""`, `null` and absent
/// are `None`; as `Money` they are an error.
pub struct YuanNumber;

impl<'de> DeserializeAs<'de, Option<Money>> for YuanNumber {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        d.deserialize_any(YuanVisitor)
    }
}

impl<'de> DeserializeAs<'de, Money> for YuanNumber {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(YuanVisitor)?
            .ok_or_else(|| de::Error::custom("expected an amount in yuan, found no value"))
    }
}

impl SerializeAs<Money> for YuanNumber {
    fn serialize_as<S: Serializer>(v: &Money, s: S) -> Result<S::Ok, S::Error> {
        // The yuan text has at most 2 decimals and reads back as the float nearest to it,
        // which JSON writes as the same shortest decimal.
        match v.yuan_string().parse::<f64>() {
            Ok(n) => s.serialize_f64(n),
            Err(_) => s.serialize_str(&v.yuan_string()),
        }
    }
}

impl SerializeAs<Option<Money>> for YuanNumber {
    fn serialize_as<S: Serializer>(v: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(m) => <YuanNumber as SerializeAs<Money>>::serialize_as(m, s),
            None => s.serialize_none(),
        }
    }
}

/// An amount sent as an integer number of fen: canonical form a JSON number (`10000` =
/// ¥100.00); read leniently from a number or numeric string. As `Option<Money>`, `""`,
/// `null` and absent are `None`; as `Money` they are an error.
pub struct Fen;

impl<'de> DeserializeAs<'de, Option<Money>> for Fen {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        let fen: Option<i64> = crate::lenient::LenientInt::deserialize_as(d)?;
        Ok(fen.map(Money::from_fen))
    }
}

impl<'de> DeserializeAs<'de, Money> for Fen {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        <Fen as DeserializeAs<'de, Option<Money>>>::deserialize_as(d)?
            .ok_or_else(|| de::Error::custom("expected an amount in fen, found no value"))
    }
}

impl SerializeAs<Option<Money>> for Fen {
    fn serialize_as<S: Serializer>(v: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(m) => s.serialize_i64(m.fen),
            None => s.serialize_none(),
        }
    }
}

impl SerializeAs<Money> for Fen {
    fn serialize_as<S: Serializer>(v: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(v.fen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_vendor_forms() {
        for (text, fen) in [
            ("100.50", 10050),
            ("100.5", 10050),
            ("50", 5000),
            ("12.3", 1230),
            ("0", 0),
            ("0.01", 1),
            (".5", 50),
            ("7.", 700),
            (" 8.00 ", 800),
            ("-1.5", -150),
            ("+2", 200),
            ("1.500", 150),
        ] {
            assert_eq!(Money::parse_yuan(text), Ok(Money::from_fen(fen)), "{text}");
        }
    }

    #[test]
    fn rejects_what_is_not_money() {
        assert_eq!(Money::parse_yuan(""), Err(MoneyParseError::Empty));
        assert_eq!(Money::parse_yuan("  "), Err(MoneyParseError::Empty));
        for bad in ["abc", "1,000", "1.2.3", ".", "-", "1e3", "¥5", "--1", "0x10"] {
            assert!(matches!(Money::parse_yuan(bad), Err(MoneyParseError::Invalid(_))), "{bad}");
        }
        assert!(matches!(Money::parse_yuan("1.005"), Err(MoneyParseError::SubFen(_))));
        assert!(matches!(Money::parse_yuan("99999999999999999999"), Err(MoneyParseError::OutOfRange(_))));
    }

    #[test]
    fn displays_with_the_yuan_sign() {
        assert_eq!(Money::from_fen(10050).to_string(), "¥100.50");
        assert_eq!(Money::from_fen(5).to_string(), "¥0.05");
        assert_eq!(Money::from_fen(-5).to_string(), "-¥0.05");
        assert_eq!(Money::from_fen(-5).yuan_string(), "-0.05");
        assert_eq!(Money::from_fen(i64::MIN).yuan_string(), "-92233720368547758.08");
        assert_eq!(format!("{:?}", Money::from_fen(1)), "Money(¥0.01)");
    }

    #[test]
    fn decodes_numbers_exactly() {
        let m: Money = serde_json::from_str("100.5").unwrap();
        assert_eq!(m.fen(), 10050);
        let m: Money = serde_json::from_str("0.07").unwrap();
        assert_eq!(m.fen(), 7);
        let m: Money = serde_json::from_str("\"12.3\"").unwrap();
        assert_eq!(m.fen(), 1230);
        assert!(serde_json::from_str::<Money>("0.001").is_err());
        assert!(serde_json::from_str::<Money>("\"\"").is_err());
        assert!(serde_json::from_str::<Money>("true").is_err());
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Money::from_fen(1).checked_add(Money::from_fen(2)), Some(Money::from_fen(3)));
        assert_eq!(Money::from_fen(i64::MAX).checked_add(Money::from_fen(1)), None);
        assert_eq!(Money::from_fen(i64::MIN).checked_sub(Money::from_fen(1)), None);
        assert_eq!(Money::from_yuan(i64::MAX), None);
        assert!(Money::ZERO.is_zero());
    }
}
