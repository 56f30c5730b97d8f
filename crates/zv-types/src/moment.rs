//! Points in time as the gateway sends them: Unix seconds, or a China-time date-time text.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_with::{DeserializeAs, SerializeAs};
use time::format_description::FormatItem;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// China Standard Time (UTC+08:00), the zone of every date-time text the gateway sends.
pub const CHINA_OFFSET: UtcOffset = offset!(+8);

const DATE_TIME: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
const DATE_TIME_T: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
const DATE_TIME_MINUTES: &[FormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute]");
const DATE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// A point in time from the gateway, or the text it sent when that text is in no format the
/// SDK knows (kept rather than failing the whole response).
///
/// Unix seconds (`1552924800`, `"1552924800"`) and date-time texts in China time
/// (`"2024-01-01 00:00:00"`, `"2024-01-01"`, RFC 3339) are known points in time
/// ([`datetime`](Moment::datetime) is `Some`, at UTC+08:00); any other text is kept as it
/// came ([`unparsed_text`](Moment::unparsed_text)). `Display` shows `2024-01-01 00:00:00`
/// (China time). Two moments are equal when they are the same instant (whatever form it came
/// in), or the same kept text.
///
/// Unix seconds are kept as sent and turned into calendar fields only when asked for (by
/// `datetime`, `Display` or `Serialize`): decoding a list of coupons only checks the range.
///
/// ```
/// use zv_types::Moment;
/// let m = Moment::parse("1552924800").unwrap();
/// assert_eq!(m.to_string(), "2019-03-19 00:00:00");
/// assert_eq!(Moment::parse("2019-03-19"), Some(m));
/// assert_eq!(Moment::parse("长期有效").unwrap().unparsed_text(), Some("长期有效"));
/// ```
#[derive(Clone)]
pub struct Moment(Repr);

#[derive(Clone)]
enum Repr {
    /// Unix seconds, already known to fit China time (see [`FIRST_UNIX`], [`LAST_UNIX`]).
    Unix(i64),
    /// A date-time read from a text, or given.
    At(OffsetDateTime),
    /// A text in no known format.
    Text(String),
}

/// What equality and hashing look at: the instant (in nanoseconds) or the kept text.
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Instant(i128),
    Text(&'a str),
}

const CHINA_SECONDS: i64 = CHINA_OFFSET.whole_seconds() as i64;
/// The first and last Unix seconds whose China time `time` can represent (years -9999 to
/// 9999): the last hours of year 9999 UTC are already year 10000 in China time.
const FIRST_UNIX: i64 = time::UtcDateTime::MIN.unix_timestamp() - CHINA_SECONDS;
const LAST_UNIX: i64 = time::UtcDateTime::MAX.unix_timestamp() - CHINA_SECONDS;

impl Moment {
    /// The moment `secs` seconds after the Unix epoch, `None` when out of range (including
    /// the last hours of year 9999 UTC, which are already year 10000 in China time).
    pub fn from_unix_seconds(secs: i64) -> Option<Moment> {
        (FIRST_UNIX..=LAST_UNIX).contains(&secs).then_some(Moment(Repr::Unix(secs)))
    }

    /// The moment `at`, kept with its offset (`Display` shows it in China time when it fits).
    pub fn from_datetime(at: OffsetDateTime) -> Moment {
        Moment(Repr::At(at))
    }

    /// A moment known only by its text, kept as it came: what decoding makes of a text in no
    /// format the SDK knows. The text is not parsed (use [`Moment::parse`] for that).
    pub fn unparsed(text: impl Into<String>) -> Moment {
        Moment(Repr::Text(text.into()))
    }

    /// The point in time, if known (Unix seconds come at UTC+08:00).
    pub fn datetime(&self) -> Option<OffsetDateTime> {
        match &self.0 {
            Repr::Unix(secs) => china_time_of(*secs),
            Repr::At(t) => Some(*t),
            Repr::Text(_) => None,
        }
    }

    /// Unix seconds, if the point in time is known.
    pub fn unix_seconds(&self) -> Option<i64> {
        match &self.0 {
            Repr::Unix(secs) => Some(*secs),
            Repr::At(t) => Some(t.unix_timestamp()),
            Repr::Text(_) => None,
        }
    }

    /// The text as it came, when it is in no format the SDK knows.
    pub fn unparsed_text(&self) -> Option<&str> {
        match &self.0 {
            Repr::Text(text) => Some(text),
            Repr::Unix(_) | Repr::At(_) => None,
        }
    }

    /// Reads a text the way the gateway writes times: all digits are Unix seconds; otherwise
    /// a China-time date-time or date, or RFC 3339; anything else is kept as text.
    /// An empty text is `None`.
    pub fn parse(text: &str) -> Option<Moment> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            if let Some(m) = t.parse::<i64>().ok().and_then(Moment::from_unix_seconds) {
                return Some(m);
            }
        } else if let Some(at) = parse_china_text(t) {
            return Some(Moment(Repr::At(at)));
        }
        Some(Moment::unparsed(text))
    }

    /// The canonical China-time text, `2024-01-01 00:00:00` (or the kept text).
    pub fn china_text(&self) -> String {
        self.to_string()
    }

    fn key(&self) -> Key<'_> {
        match &self.0 {
            Repr::Unix(secs) => Key::Instant(i128::from(*secs) * 1_000_000_000),
            Repr::At(t) => Key::Instant(t.unix_timestamp_nanos()),
            Repr::Text(text) => Key::Text(text),
        }
    }
}

/// The China-time date-time of Unix seconds: the fields of UTC at `secs + 8 h`, one calendar
/// computation instead of two (UTC, then the offset); `None` past year 9999 in China time.
fn china_time_of(secs: i64) -> Option<OffsetDateTime> {
    let local = OffsetDateTime::from_unix_timestamp(secs.checked_add(CHINA_SECONDS)?).ok()?;
    Some(local.replace_offset(CHINA_OFFSET))
}

impl From<OffsetDateTime> for Moment {
    fn from(at: OffsetDateTime) -> Moment {
        Moment::from_datetime(at)
    }
}

impl PartialEq for Moment {
    fn eq(&self, other: &Moment) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Moment {}

impl std::hash::Hash for Moment {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// `YYYY-MM-DD HH:MM:SS` (or with `T`), the gateway's usual form, read by position.
///
/// Hand-written because it is the hot path of decoding a gift-card list (three per card):
/// `time`'s format-description parser is general and costs ~10× more on these 19 bytes.
fn parse_fixed_datetime(t: &str) -> Option<OffsetDateTime> {
    let b = t.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b' ' | b'T')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u16, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()?;
    let time = time::Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(CHINA_OFFSET))
}

fn parse_china_text(t: &str) -> Option<OffsetDateTime> {
    if let Some(at) = parse_fixed_datetime(t) {
        return Some(at);
    }
    let naive = |fmt: &[FormatItem<'_>]| PrimitiveDateTime::parse(t, fmt).ok();
    if let Some(p) = naive(DATE_TIME).or_else(|| naive(DATE_TIME_T)).or_else(|| naive(DATE_TIME_MINUTES)) {
        return Some(p.assume_offset(CHINA_OFFSET));
    }
    if let Ok(d) = time::Date::parse(t, DATE) {
        return Some(d.midnight().assume_offset(CHINA_OFFSET));
    }
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|at| at.checked_to_offset(CHINA_OFFSET))
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Repr::Text(text) = &self.0 {
            return f.write_str(text);
        }
        let Some(t) = self.datetime() else { return Ok(()) };
        // A moment built by hand may not fit China time (year 10000): show it as is.
        let t = t.checked_to_offset(CHINA_OFFSET).unwrap_or(t);
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl fmt::Debug for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Text(s) => write!(f, "Moment::unparsed({s:?})"),
            Repr::Unix(_) | Repr::At(_) => write!(f, "Moment({self} +08:00)"),
        }
    }
}

/// Serializes as the China-time text (`"2024-01-01 00:00:00"`).
impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Deserializes leniently from Unix seconds or a date-time text; never fails on a string.
impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Moment, D::Error> {
        d.deserialize_any(MomentVisitor)?.ok_or_else(|| de::Error::custom("expected a time, found no value"))
    }
}

struct MomentVisitor;

impl<'de> Visitor<'de> for MomentVisitor {
    type Value = Option<Moment>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Unix seconds or a date-time text")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Moment::parse(v))
    }
    // A number out of the representable range is kept as text, like an unknown format.
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(
            i64::try_from(v)
                .ok()
                .and_then(Moment::from_unix_seconds)
                .unwrap_or_else(|| Moment::unparsed(v.to_string())),
        ))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Moment::from_unix_seconds(v).unwrap_or_else(|| Moment::unparsed(v.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            #[allow(clippy::cast_possible_truncation)]
            self.visit_i64(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
    nullish_is!(None);
}

/// An optional time sent as Unix seconds in a string (`"1552924800"`), the coupon form.
/// Reads any form [`Moment`] reads; `""`, `null` and absent are `None`.
pub struct UnixSeconds;

/// An optional time sent as a China-time text (`"2024-01-01 00:00:00"`), the gift-card form.
/// Reads any form [`Moment`] reads; `""`, `null` and absent are `None`.
pub struct ChinaDateTime;

impl<'de> DeserializeAs<'de, Option<Moment>> for UnixSeconds {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<Moment>, D::Error> {
        d.deserialize_any(MomentVisitor)
    }
}

impl<'de> DeserializeAs<'de, Option<Moment>> for ChinaDateTime {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<Moment>, D::Error> {
        d.deserialize_any(MomentVisitor)
    }
}

impl<'de> DeserializeAs<'de, Moment> for ChinaDateTime {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Moment, D::Error> {
        d.deserialize_any(MomentVisitor)?
            .ok_or_else(|| serde::de::Error::custom("expected a time, found no value"))
    }
}

impl SerializeAs<Moment> for ChinaDateTime {
    fn serialize_as<S: Serializer>(v: &Moment, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

impl SerializeAs<Option<Moment>> for UnixSeconds {
    fn serialize_as<S: Serializer>(v: &Option<Moment>, s: S) -> Result<S::Ok, S::Error> {
        match v.as_ref().map(|m| (m.unix_seconds(), m)) {
            Some((Some(secs), _)) => s.collect_str(&secs),
            Some((None, m)) => s.collect_str(m),
            None => s.serialize_none(),
        }
    }
}

impl SerializeAs<Option<Moment>> for ChinaDateTime {
    fn serialize_as<S: Serializer>(v: &Option<Moment>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(m) => s.collect_str(m),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_documented_form() {
        let at = Moment::from_unix_seconds(1_552_924_800).unwrap();
        assert_eq!(at.to_string(), "2019-03-19 00:00:00");
        assert_eq!(Moment::parse("1552924800"), Some(at.clone()));
        assert_eq!(Moment::parse("2019-03-19 00:00:00"), Some(at.clone()));
        assert_eq!(Moment::parse("2019-03-19"), Some(at.clone()));
        assert_eq!(Moment::parse("2019-03-19T00:00:00"), Some(at.clone()));
        assert_eq!(Moment::parse("2019-03-18T16:00:00Z"), Some(at.clone()));
        assert_eq!(Moment::parse("2019-03-19 00:00"), Some(at.clone()));
        assert_eq!(Moment::parse(""), None);
        assert_eq!(Moment::parse("  "), None);
        assert_eq!(Moment::parse("长期有效"), Some(Moment::unparsed("长期有效")));
        assert_eq!(Moment::parse("0000-00-00 00:00:00"), Some(Moment::unparsed("0000-00-00 00:00:00")));
        assert_eq!(at.unix_seconds(), Some(1_552_924_800));
    }

    #[test]
    fn the_fixed_layout_agrees_with_the_general_parser() {
        for text in [
            "2024-01-01 00:00:00",
            "2024-02-29 23:59:59",
            "1970-01-01 08:00:00",
            "9999-12-31 23:59:59",
            "0001-01-01 00:00:00",
            "2019-03-19T00:00:00",
        ] {
            let general = PrimitiveDateTime::parse(text, DATE_TIME)
                .or_else(|_| PrimitiveDateTime::parse(text, DATE_TIME_T))
                .unwrap()
                .assume_offset(CHINA_OFFSET);
            assert_eq!(parse_fixed_datetime(text), Some(general), "{text}");
        }
        for bad in [
            "2023-02-29 00:00:00",
            "2024-13-01 00:00:00",
            "2024-01-01 24:00:00",
            "2024-01-01 00:60:00",
            "2024-01-01 00:00:61",
            "2024-1-01 00:00:00x",
            "20240101 00:00:00",
            "2024-01-01_00:00:00",
            "２０２４-01-01 00:00:00",
        ] {
            assert_eq!(parse_fixed_datetime(bad), None, "{bad}");
        }
        assert_eq!(Moment::from_unix_seconds(0).unwrap().to_string(), "1970-01-01 08:00:00");
        assert_eq!(Moment::from_unix_seconds(-1).unwrap().unix_seconds(), Some(-1));
    }

    #[test]
    fn the_end_of_year_9999_does_not_panic() {
        // 9999-12-31 16:00:00 UTC and later is year 10000 in China time.
        for secs in [253_402_271_999i64, 253_402_272_000, 253_402_300_799, 253_402_300_800] {
            let _ = Moment::from_unix_seconds(secs).map(|m| m.to_string());
            let text = secs.to_string();
            let m = Moment::parse(&text).unwrap();
            let _ = m.to_string();
            let m: Moment = serde_json::from_str(&text).unwrap();
            let _ = m.to_string();
        }
        assert_eq!(Moment::from_unix_seconds(253_402_300_799), None);
        assert_eq!(Moment::parse("253402300799"), Some(Moment::unparsed("253402300799")));
        assert_eq!(Moment::parse("9999-12-31T23:59:59Z"), Some(Moment::unparsed("9999-12-31T23:59:59Z")));
        assert!(
            Moment::parse("9999-12-31 23:59:59").and_then(|m| m.datetime()).is_some(),
            "China time itself fits"
        );
        let utc_end = time::macros::datetime!(9999-12-31 23:00 UTC);
        assert_eq!(Moment::from_datetime(utc_end).to_string(), "9999-12-31 23:00:00");
    }

    #[test]
    fn unix_seconds_are_range_checked_at_once_and_read_on_access() {
        // The eager computation this type used to do on decoding, as the oracle.
        let eager = |secs: i64| {
            OffsetDateTime::from_unix_timestamp(secs.checked_add(8 * 3600)?)
                .ok()
                .map(|t| t.replace_offset(CHINA_OFFSET))
        };
        for secs in [
            i64::MIN,
            FIRST_UNIX - 1,
            FIRST_UNIX,
            -1,
            0,
            1_552_924_800,
            LAST_UNIX,
            LAST_UNIX + 1,
            253_402_300_799,
            i64::MAX - 1,
            i64::MAX,
        ] {
            let lazy = Moment::from_unix_seconds(secs);
            assert_eq!(lazy.as_ref().and_then(Moment::datetime), eager(secs), "{secs}");
            assert_eq!(lazy.as_ref().and_then(Moment::unix_seconds), eager(secs).map(|_| secs), "{secs}");
        }
        let first = Moment::from_unix_seconds(FIRST_UNIX).unwrap();
        assert_eq!(first.to_string(), "-9999-01-01 00:00:00");
        let last = Moment::from_unix_seconds(LAST_UNIX).unwrap();
        assert_eq!(last.to_string(), "9999-12-31 23:59:59");
        assert_eq!(format!("{last:?}"), "Moment(9999-12-31 23:59:59 +08:00)");
    }

    #[test]
    fn the_same_instant_is_equal_and_hashes_alike_whatever_its_form() {
        use std::collections::HashSet;
        let forms = [
            Moment::parse("1552924800").unwrap(),
            Moment::parse("2019-03-19 00:00:00").unwrap(),
            Moment::from_datetime(time::macros::datetime!(2019-03-18 16:00 UTC)),
            serde_json::from_str("1552924800").unwrap(),
        ];
        assert!(forms.iter().all(|m| m == &forms[0]));
        assert_eq!(forms.iter().cloned().collect::<HashSet<_>>().len(), 1);

        let later = Moment::from_datetime(time::macros::datetime!(2019-03-18 16:00:00.000_000_001 UTC));
        let text = Moment::unparsed("1552924800");
        assert_ne!(forms[0], later);
        assert_ne!(forms[0], text, "a kept text is not the instant it looks like");
        assert_ne!(forms[0], Moment::from_unix_seconds(1_552_924_801).unwrap());
        assert_eq!(text, Moment::unparsed("1552924800"));
        assert_eq!(text.unparsed_text(), Some("1552924800"));
        assert_eq!((text.datetime(), text.unix_seconds()), (None, None));
        assert_eq!(forms[0].unparsed_text(), None);
        let set: HashSet<Moment> = [forms[0].clone(), later, text].into_iter().collect();
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn decodes_numbers_and_rejects_nonsense_numbers() {
        let m: Moment = serde_json::from_str("1552924800").unwrap();
        assert_eq!(m.unix_seconds(), Some(1_552_924_800));
        assert!(serde_json::from_str::<Moment>("1.5").is_err());
        let far: Moment = serde_json::from_str("99999999999999999").unwrap();
        assert_eq!(far, Moment::unparsed("99999999999999999"));
        assert!(serde_json::from_str::<Moment>("true").is_err());
    }
}
