//! Lenient serde adapters for the way the gateway really answers.
//!
//! The vendor's PHP backends send numbers as strings and strings as numbers, `""` or `null`
//! for "no value", `[]` for an empty object, and `{"0": …, "1": …}` for a list now and then.
//! Each adapter here is a small serde visitor used through `#[serde_as(as = "…")]`: it reads
//! the value once, straight from the deserializer, without buffering it into a
//! `serde_json::Value` first (a benchmark holds lenient decoding to ≤ 1.10× strict derive).
//!
//! Every adapter also serializes, to the *canonical* wire form the vendor documents, so a
//! model round-trips through its own JSON.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_with::{DeserializeAs, SerializeAs};

/// Text that may arrive as a string, a number or a bool; `null` or absent becomes `""`.
///
/// Canonical form: a JSON string.
pub struct LenientString;

struct StringVisitor;

impl<'de> Visitor<'de> for StringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or null")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        // JSON integers beyond u64/i64 reach us as f64: their digits are already lost, so
        // refuse rather than hand back a different identifier. The same adapter reads the
        // gateway's answers and (in zv-mock) a client's params: the message blames neither.
        if v.fract() == 0.0 && v.abs() >= 9_007_199_254_740_992.0 {
            return Err(E::custom(format_args!(
                "the number {v:e} is too large to keep exactly; it must be sent as a string"
            )));
        }
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(if v { "true" } else { "false" }.to_owned())
    }
    nullish_is!(String::new());
}

impl<'de> DeserializeAs<'de, String> for LenientString {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

impl SerializeAs<String> for LenientString {
    fn serialize_as<S: Serializer>(v: &String, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }
}

/// Integers the adapters can produce.
pub trait LenientInteger: Copy + Sized + fmt::Display + Serialize {
    /// Converts from `u64`, if in range.
    fn from_u64(v: u64) -> Option<Self>;
    /// Converts from `i64`, if in range.
    fn from_i64(v: i64) -> Option<Self>;
    /// Parses a decimal integer.
    fn parse_decimal(s: &str) -> Option<Self>;
}

macro_rules! lenient_integer {
    ($($t:ty),*) => {$(
        impl LenientInteger for $t {
            fn from_u64(v: u64) -> Option<Self> { Self::try_from(v).ok() }
            fn from_i64(v: i64) -> Option<Self> { Self::try_from(v).ok() }
            fn parse_decimal(s: &str) -> Option<Self> { s.parse().ok() }
        }
    )*};
}
lenient_integer!(u8, u16, u32, u64, i32, i64);

/// An integer that may arrive as a number (`5`, `5.0`) or a string (`"5"`, `" 5 "`, `"5.0"`);
/// `""`, `null` or absent become `None`. Out-of-range or non-numeric values are errors, and so
/// is any fraction (`5.5`, `"5.0000000000000001"`): an integer is never rounded.
///
/// Canonical form: a JSON number.
pub struct LenientInt;

struct IntVisitor<T>(PhantomData<T>);

/// Why a float is not read as a decimal.
pub(crate) enum InexactFloat {
    /// NaN or an infinity (never from JSON).
    NotFinite,
    /// More significant digits than [`f64::DIGITS`]: the float may stand for another decimal.
    TooManyDigits,
}

/// The decimal a JSON number stood for, from the `f64` serde_json read it into (serde_json
/// without its `arbitrary_precision` feature, which would change number handling for every
/// crate in a build, hands numbers with a fraction or an exponent to visitors as `f64`).
///
/// The text is the shortest decimal that reads back as the same float (`0.1` is `"0.1"`,
/// `100.505` is `"100.505"`, `1e3` is `"1000"`; never an exponent), which is the decimal the
/// gateway wrote whenever it wrote at most 15 significant digits: such decimals are distinct
/// floats ([`f64::DIGITS`]), and serde_json reads them to the nearest float. A float whose
/// shortest decimal has more than 15 significant digits is refused: the decimal it came from
/// cannot be known. Callers then check the decimal's own digits (a third decimal of yuan, a
/// fraction of an integer) exactly, as they do for a text.
///
/// Hand-written on std's `Display` rather than with `ryu`: `Display` writes the same shortest
/// round-trip digits, and without `ryu`'s exponent form, so the decimal parsers read it as is.
pub(crate) fn exact_float_text(v: f64) -> Result<String, InexactFloat> {
    if !v.is_finite() {
        return Err(InexactFloat::NotFinite);
    }
    if v == 0.0 {
        return Ok("0".to_owned()); // -0.0 too
    }
    let text = v.to_string();
    // The significant digits: from the first non-zero digit to the last, the point left out.
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).collect();
    let first = digits.iter().position(|&b| b != b'0');
    let last = digits.iter().rposition(|&b| b != b'0');
    match (first, last) {
        (Some(first), Some(last)) if last - first + 1 > f64::DIGITS as usize => {
            Err(InexactFloat::TooManyDigits)
        }
        _ => Ok(text),
    }
}

/// An integer written as a decimal with a zero fraction (`"5.0"`, `"-3."`, `"0.00"`), read
/// from the text itself, never through a float: `"5.0000000000000001"` is not an integer.
fn whole_number<T: LenientInteger>(t: &str) -> Option<T> {
    let (int, fraction) = t.split_once('.').unwrap_or((t, ""));
    if !fraction.bytes().all(|b| b == b'0') {
        return None;
    }
    T::parse_decimal(int).or_else(|| {
        // `-0` is zero even for an unsigned type.
        let magnitude = int.strip_prefix(['-', '+']).unwrap_or(int);
        (!magnitude.is_empty() && magnitude.bytes().all(|b| b == b'0')).then(|| T::from_u64(0)).flatten()
    })
}

impl<T: LenientInteger> IntVisitor<T> {
    fn from_f64<E: de::Error>(v: f64) -> Result<Option<T>, E> {
        // A float is accepted only when it is exactly an integer (`5.0`, `1e3`), never rounded.
        match exact_float_text(v) {
            Ok(text) => match whole_number(&text) {
                Some(i) => Ok(Some(i)),
                None if text.contains('.') => Err(E::invalid_value(de::Unexpected::Float(v), &"an integer")),
                None => Err(E::custom(format_args!("integer {text} is out of range"))),
            },
            Err(InexactFloat::TooManyDigits) => Err(E::custom(format_args!(
                "the number {v} has more digits than a JSON number keeps exactly; it must be sent as an integer or a string"
            ))),
            Err(InexactFloat::NotFinite) => Err(E::invalid_value(de::Unexpected::Float(v), &"an integer")),
        }
    }
}

impl<'de, T: LenientInteger> Visitor<'de> for IntVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, a numeric string, \"\" or null")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_u64(v).map(Some).ok_or_else(|| E::custom(format_args!("integer {v} is out of range")))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::from_i64(v).map(Some).ok_or_else(|| E::custom(format_args!("integer {v} is out of range")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::from_f64(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        whole_number(t).map(Some).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &"an integer"))
    }
    nullish_is!(None);
}

impl<'de, T: LenientInteger> DeserializeAs<'de, Option<T>> for LenientInt {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(IntVisitor(PhantomData))
    }
}

impl<T: LenientInteger> SerializeAs<Option<T>> for LenientInt {
    fn serialize_as<S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(i) => i.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// Like [`LenientInt`] but for a value that must be present: `""`/`null`/absent are errors.
pub struct RequiredInt;

impl<'de, T: LenientInteger> DeserializeAs<'de, T> for RequiredInt {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        d.deserialize_any(IntVisitor(PhantomData))?
            .ok_or_else(|| de::Error::custom("a value is required here"))
    }
}

impl<T: LenientInteger> SerializeAs<T> for RequiredInt {
    fn serialize_as<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// A flag that may arrive as `true`/`false`, `1`/`0`, `"true"`/`"false"`, `"1"`/`"0"`
/// (case and surrounding blanks ignored). `""` and `null` are "no value".
///
/// As `bool`, "no value" is an error (used where a missing answer must not be guessed, such
/// as whether an exchange code is redeemable); as `Option<bool>` it is `None`.
///
/// Canonical form: a JSON bool.
pub struct LenientBool;

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a bool, 0/1, \"true\"/\"false\" or \"0\"/\"1\"")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            Ok(None)
        } else if t == "1" || t.eq_ignore_ascii_case("true") {
            Ok(Some(true))
        } else if t == "0" || t.eq_ignore_ascii_case("false") {
            Ok(Some(false))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    nullish_is!(None);
}

impl<'de> DeserializeAs<'de, bool> for LenientBool {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        d.deserialize_any(BoolVisitor)?
            .ok_or_else(|| de::Error::custom("expected true or false, found no value"))
    }
}

impl<'de> DeserializeAs<'de, Option<bool>> for LenientBool {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

impl SerializeAs<bool> for LenientBool {
    fn serialize_as<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(*v)
    }
}

impl SerializeAs<Option<bool>> for LenientBool {
    fn serialize_as<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_bool(*b),
            None => s.serialize_none(),
        }
    }
}

/// A required flag sent as the text `"true"`/`"false"` (the vendor's documented form for the
/// exchange-code `status`), read leniently like [`LenientBool`].
pub struct StrBool;

impl<'de> DeserializeAs<'de, bool> for StrBool {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        <LenientBool as DeserializeAs<'de, bool>>::deserialize_as(d)
    }
}

impl SerializeAs<bool> for StrBool {
    fn serialize_as<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *v { "true" } else { "false" })
    }
}

/// A flag sent as the integer `0`/`1` (canonical form), read leniently like [`LenientBool`];
/// "no value" reads as `false`.
pub struct IntFlag;

impl<'de> DeserializeAs<'de, bool> for IntFlag {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(d.deserialize_any(BoolVisitor)?.unwrap_or(false))
    }
}

impl SerializeAs<bool> for IntFlag {
    fn serialize_as<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(u8::from(*v))
    }
}

/// A number that may have a fraction (not money: amounts are [`Money`](crate::Money)),
/// arriving as a number or a numeric string; `""`, `null` or absent become `None`, and so
/// does nothing else: a text that is not a finite number is an error.
///
/// Canonical form: a JSON number.
pub struct LenientFloat;

struct FloatVisitor;

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a numeric string")
    }
    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    nullish_is!(None);
}

impl<'de> DeserializeAs<'de, Option<f64>> for LenientFloat {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
}

impl SerializeAs<Option<f64>> for LenientFloat {
    fn serialize_as<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(n) if n.is_finite() => s.serialize_f64(*n),
            _ => s.serialize_none(),
        }
    }
}

/// A list that may arrive as a JSON array, as a PHP "array" with index keys
/// (`{"0": …, "1": …}`, values taken in order), or as `""`/`null`/absent for an empty list.
///
/// Canonical form: a JSON array.
pub struct LenientList;

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list, an object of list items, \"\" or null")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((_, item)) = map.next_entry::<de::IgnoredAny, T>()? {
            out.push(item);
        }
        Ok(out)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(Vec::new())
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    nullish_is!(Vec::new());
}

impl<'de, T: Deserialize<'de>> DeserializeAs<'de, Vec<T>> for LenientList {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

impl<T: Serialize> SerializeAs<Vec<T>> for LenientList {
    fn serialize_as<S: Serializer>(v: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// Deserializes a list leniently, for hand-written `Deserialize` impls.
pub fn deserialize_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    d.deserialize_any(ListVisitor(PhantomData))
}

/// A nested object that may be absent: `""`, `null` and PHP's empty array `[]` are `None`.
///
/// Canonical form: the object itself.
pub struct LenientObject;

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object, [], \"\" or null")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        match seq.next_element::<de::IgnoredAny>()? {
            None => Ok(None),
            Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() { Ok(None) } else { Err(E::invalid_value(de::Unexpected::Str(v), &self)) }
    }
    nullish_is!(None);
}

impl<'de, T: Deserialize<'de>> DeserializeAs<'de, Option<T>> for LenientObject {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(ObjectVisitor(PhantomData))
    }
}

impl<T: Serialize> SerializeAs<Option<T>> for LenientObject {
    fn serialize_as<S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// Deserializes an object that PHP may send as `[]` when empty (then `T::default()`),
/// for hand-written `Deserialize` impls of top-level `data` objects.
pub fn deserialize_object_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(d.deserialize_any(ObjectVisitor(PhantomData))?.unwrap_or_default())
}

/// Decodes a JSON value into `T` from a string, used where the wire nests JSON inside a
/// string (e.g. the coupon basket `checked`).
pub(crate) fn from_json_str<T: DeserializeOwned, E: de::Error>(s: &str) -> Result<T, E> {
    serde_json::from_str(s).map_err(E::custom)
}
