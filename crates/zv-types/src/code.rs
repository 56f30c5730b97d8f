//! Enumerations of the gateway's numeric codes that never fail to decode.
//!
//! A code the SDK does not know yet becomes `Unknown(raw)` (the raw text as it came), so a
//! new status added on the server does not break a client in production.

use std::fmt;
use std::marker::PhantomData;

use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};
use serde_with::{DeserializeAs, SerializeAs};

/// How a code is written on the wire, in canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// As a JSON number (`1`).
    Int,
    /// As a JSON string (`"1"`).
    Str,
}

/// A closed set of known integer codes plus `Unknown(raw)`.
///
/// Implemented by the enums the `code_enum!` macro declares; used by the [`Code`] and
/// [`CodeOrDefault`] adapters.
pub trait CodeEnum: Sized {
    /// The canonical wire form of this code.
    const WIRE: Wire;
    /// The variant for an integer code (`Unknown` when the code is not known).
    fn from_code(code: i64) -> Self;
    /// The variant for a raw text that is not an integer.
    fn from_raw(raw: &str) -> Self;
    /// The integer code, if the value has one.
    fn code(&self) -> Option<i64>;
    /// The raw text of an unknown code, if the value is unknown.
    fn unknown_raw(&self) -> Option<&str>;
}

struct CodeVisitor<E>(PhantomData<E>);

impl<'de, E: CodeEnum> Visitor<'de> for CodeVisitor<E> {
    type Value = Option<E>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a code as a number or a string")
    }
    fn visit_u64<Er: de::Error>(self, v: u64) -> Result<Self::Value, Er> {
        Ok(Some(match i64::try_from(v) {
            Ok(i) => E::from_code(i),
            Err(_) => E::from_raw(&v.to_string()),
        }))
    }
    fn visit_i64<Er: de::Error>(self, v: i64) -> Result<Self::Value, Er> {
        Ok(Some(E::from_code(v)))
    }
    fn visit_f64<Er: de::Error>(self, v: f64) -> Result<Self::Value, Er> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            #[allow(clippy::cast_possible_truncation)]
            return Ok(Some(E::from_code(v as i64)));
        }
        Ok(Some(E::from_raw(&v.to_string())))
    }
    fn visit_bool<Er: de::Error>(self, v: bool) -> Result<Self::Value, Er> {
        Ok(Some(E::from_raw(if v { "true" } else { "false" })))
    }
    fn visit_str<Er: de::Error>(self, v: &str) -> Result<Self::Value, Er> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        Ok(Some(match t.parse::<i64>() {
            Ok(i) => E::from_code(i),
            Err(_) => E::from_raw(v),
        }))
    }
    nullish_is!(None);
}

fn serialize_code<E: CodeEnum, S: Serializer>(v: &E, s: S) -> Result<S::Ok, S::Error> {
    match (v.code(), E::WIRE) {
        (Some(i), Wire::Int) => s.serialize_i64(i),
        (Some(i), Wire::Str) => s.collect_str(&i),
        (None, _) => s.serialize_str(v.unknown_raw().unwrap_or_default()),
    }
}

/// An optional code: numbers and numeric strings map to the enum, other texts to
/// `Unknown(raw)`, and `""`/`null`/absent to `None`. Serializes in the enum's wire form.
pub struct Code;

impl<'de, E: CodeEnum> DeserializeAs<'de, Option<E>> for Code {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<E>, D::Error> {
        d.deserialize_any(CodeVisitor(PhantomData))
    }
}

impl<E: CodeEnum> SerializeAs<Option<E>> for Code {
    fn serialize_as<S: Serializer>(v: &Option<E>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(e) => serialize_code(e, s),
            None => s.serialize_none(),
        }
    }
}

/// A code with a documented default for "no value" (`""`/`null`/absent → `E::default()`).
pub struct CodeOrDefault;

impl<'de, E: CodeEnum + Default> DeserializeAs<'de, E> for CodeOrDefault {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<E, D::Error> {
        Ok(d.deserialize_any(CodeVisitor(PhantomData))?.unwrap_or_default())
    }
}

impl<E: CodeEnum> SerializeAs<E> for CodeOrDefault {
    fn serialize_as<S: Serializer>(v: &E, s: S) -> Result<S::Ok, S::Error> {
        serialize_code(v, s)
    }
}

/// A code that must be present (a required param): `""`/`null`/absent are errors.
/// Serializes in the enum's wire form.
pub struct RequiredCode;

impl<'de, E: CodeEnum> DeserializeAs<'de, E> for RequiredCode {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<E, D::Error> {
        d.deserialize_any(CodeVisitor(PhantomData))?
            .ok_or_else(|| de::Error::custom("expected a code, found no value"))
    }
}

impl<E: CodeEnum> SerializeAs<E> for RequiredCode {
    fn serialize_as<S: Serializer>(v: &E, s: S) -> Result<S::Ok, S::Error> {
        serialize_code(v, s)
    }
}

/// Declares an enum of integer codes with an `Unknown(String)` variant, its Chinese labels
/// (the vendor's wording, shown by `Display`) and its [`CodeEnum`] impl, so that a code this
/// version does not know decodes as `Unknown(raw)` instead of failing. Usable from any crate,
/// for endpoints declared outside `zv-types`; use the enum with the [`Code`] or
/// [`CodeOrDefault`] adapters (`#[serde_as(as = "Code")]`).
///
/// ```
/// use serde::Deserialize;
/// use serde_with::serde_as;
///
/// zv_types::code_enum! {
///     /// A card's colour (hypothetical).
///     pub enum Colour: Int {
///         /// Red.
///         1 => Red = "红色",
///         /// Blue.
///         2 => Blue = "蓝色",
///     }
/// }
///
/// #[serde_as]
/// #[derive(Deserialize)]
/// struct Card {
///     #[serde_as(as = "zv_types::code::Code")]
///     #[serde(default)]
///     colour: Option<Colour>,
/// }
///
/// let card: Card = serde_json::from_str(r#"{"colour":"2"}"#).unwrap();
/// assert_eq!(card.colour, Some(Colour::Blue));
/// let card: Card = serde_json::from_str(r#"{"colour":7}"#).unwrap();
/// assert_eq!(card.colour, Some(Colour::Unknown("7".into())));
/// assert_eq!(card.colour.unwrap().to_string(), "未知(7)");
/// ```
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $wire:ident {
            $( $(#[$vmeta:meta])* $code:literal => $variant:ident = $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A code this version of the SDK does not know, as it came on the wire.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The integer code, or `None` for an unknown non-numeric code.
            pub fn code(&self) -> ::core::option::Option<i64> {
                <Self as $crate::code::CodeEnum>::code(self)
            }

            /// The vendor's label for this code (Chinese), e.g. for display.
            pub fn label(&self) -> &str {
                match self {
                    $( $name::$variant => $label, )+
                    $name::Unknown(raw) => raw,
                }
            }
        }

        impl $crate::code::CodeEnum for $name {
            const WIRE: $crate::code::Wire = $crate::code::Wire::$wire;
            fn from_code(code: i64) -> Self {
                match code {
                    $( $code => $name::$variant, )+
                    other => $name::Unknown(::std::string::ToString::to_string(&other)),
                }
            }
            fn from_raw(raw: &str) -> Self {
                $name::Unknown(::std::borrow::ToOwned::to_owned(raw))
            }
            fn code(&self) -> ::core::option::Option<i64> {
                match self {
                    $( $name::$variant => ::core::option::Option::Some($code), )+
                    $name::Unknown(raw) => raw.trim().parse().ok(),
                }
            }
            fn unknown_raw(&self) -> ::core::option::Option<&str> {
                match self {
                    $name::Unknown(raw) => ::core::option::Option::Some(raw),
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $name::Unknown(raw) => {
                        ::core::write!(f, "未知({})", $crate::text::Sanitized::new(raw).max_chars(64))
                    }
                    known => f.write_str(known.label()),
                }
            }
        }
    };
}
pub use code_enum;
