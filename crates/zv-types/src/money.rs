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
/// the [`Yuan`] and [`Fen`] adapters. `Display` shows `¥100.50`.
///
/// ```
/// use zv_types::Money;
/// let m: Money = "100.5".parse().unwrap();
/// assert_eq!(m.fen(), 10050);
/// assert_eq!(m.to_string(), "¥100.50");
/// assert_eq!(m.yuan_string(), "100.50");
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

    /// Parses a decimal amount of yuan (`"100.50"`, `"50"`, `"12.3"`, `"-1.5"`, `" 7 "`).
    ///
    /// Digits beyond the second decimal place must be zero: money is never rounded.
    pub fn parse_yuan(text: &str) -> Result<Money, MoneyParseError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(MoneyParseError::Empty);
        }
        let invalid = || MoneyParseError::Invalid(text.to_owned());
        let (negative, digits) = match t.as_bytes()[0] {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
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
        let out_of_range = || MoneyParseError::OutOfRange(text.to_owned());
        let mut fen: i64 = 0;
        for b in int_part.bytes() {
            fen = fen
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .ok_or_else(out_of_range)?;
        }
        let mut frac: i64 = 0;
        for i in 0..2 {
            let d = cents.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            frac = frac * 10 + d;
        }
        fen = fen.checked_mul(100).and_then(|v| v.checked_add(frac)).ok_or_else(out_of_range)?;
        Ok(Money { fen: if negative { -fen } else { fen } })
    }
}

impl FromStr for Money {
    type Err = MoneyParseError;
    fn from_str(s: &str) -> Result<Money, MoneyParseError> {
        Money::parse_yuan(s)
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
        if !v.is_finite() {
            return Err(E::invalid_value(de::Unexpected::Float(v), &self));
        }
        // `Display` for f64 prints the shortest text that round-trips (and never an
        // exponent), so `100.5` reads as the decimal "100.5", exactly.
        self.visit_str(&v.to_string())
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
