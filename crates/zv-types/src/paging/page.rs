//! One page of a scan, and how its `data` is read: in one pass, each record borrowed from
//! the page's text.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::dialect::Shape;
use crate::lenient::{LenientInt, deserialize_list};

/// One page of a scan: its `data`, kept once as the gateway sent it, and its records,
/// borrowed from that text.
///
/// A page makes no copy of its records: [`records`](Self::records) borrows each record's
/// exact JSON text from the page's [`data`](Self::data). [`into_records`](Self::into_records)
/// copies them out, for records that outlive their page.
///
/// ```
/// use serde_json::value::RawValue;
/// use zv_types::paging::{PageDialect, PageOptions, Pager};
///
/// let mut pager = Pager::new(PageDialect::ListTotal, serde_json::Value::Null, PageOptions::default())?;
/// let data = RawValue::from_string(r#"{"list": [{"id": 123456789012345678901}, 7], "total": 2}"#.into())?;
/// let page = pager.on_page(data)?;
/// assert_eq!((page.number, page.total, page.is_last), (1, Some(2), true));
/// let texts: Vec<&str> = page.records().iter().map(|r| r.get()).collect();
/// assert_eq!(texts, [r#"{"id": 123456789012345678901}"#, "7"]);
/// assert_eq!(page.data().get(), r#"{"list": [{"id": 123456789012345678901}, 7], "total": 2}"#);
/// let owned: Vec<Box<RawValue>> = page.into_records();
/// assert_eq!(owned[1].get(), "7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
pub struct Page {
    /// Its page number (the first page is 1).
    pub number: u32,
    /// The number of records of the whole scan, if the page says.
    pub total: Option<u64>,
    /// The number of pages of the whole scan, if the page says.
    pub total_pages: Option<u64>,
    /// Whether this is the last page: the scan is over.
    pub is_last: bool,
    pub(super) text: PageText,
}

// A page's `data` and the records borrowed from it, in one value that can move (down a
// stream, across an `.await`). Self-referential, hence the `self_cell` crate: a record is a
// `&RawValue` into the page's own text, which safe Rust cannot otherwise keep next to its
// owner (byte ranges would need `unsafe`, or a second validating parse, to become
// `&RawValue`s again). The text is heap-allocated and never changes, so the borrows stay valid.
self_cell::self_cell!(
    pub(super) struct PageText {
        owner: Box<RawValue>,
        #[covariant]
        dependent: PageBody,
    }
);

impl Page {
    /// Its records, each the exact JSON text the gateway sent (ids beyond `u64` intact),
    /// borrowed from the page's [`data`](Self::data).
    pub fn records(&self) -> &[&RawValue] {
        &self.text.borrow_dependent().records
    }

    /// Its records, each copied out of the page into its own allocation: for records that
    /// outlive their page (a flat stream of records).
    pub fn into_records(self) -> Vec<Box<RawValue>> {
        self.records().iter().map(|&record| record.to_owned()).collect()
    }

    /// The page's whole `data`, as the gateway sent it (`null` when it sent none).
    pub fn data(&self) -> &RawValue {
        self.text.borrow_owner()
    }
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("number", &self.number)
            .field("records", &self.records())
            .field("total", &self.total)
            .field("total_pages", &self.total_pages)
            .field("is_last", &self.is_last)
            .finish()
    }
}

/// What the pager takes from a page: its records, borrowed from the page's text.
#[derive(Default)]
pub(super) struct PageBody<'a> {
    pub(super) records: Vec<&'a RawValue>,
    pub(super) total: Option<u64>,
    pub(super) pages: Option<u64>,
}

/// Reads a page in one pass over its JSON text, borrowing each record's text as sent.
///
/// Hand-written (a visitor, not a derive) because the field names depend on the dialect.
pub(super) fn read_page(shape: Shape, data: &RawValue) -> Result<PageBody<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(data.get());
    let body = PageSeed(shape).deserialize(&mut de)?;
    de.end()?;
    Ok(body)
}

struct PageSeed(Shape);

impl<'de> DeserializeSeed<'de> for PageSeed {
    type Value = PageBody<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<PageBody<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PageSeed {
    type Value = PageBody<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with `{}`, a list of records, \"\" or null", self.0.list)
    }

    /// A bare list of records (no total).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PageBody<'de>, A::Error> {
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(record) = seq.next_element()? {
            records.push(record);
        }
        Ok(PageBody { records, ..PageBody::default() })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PageBody<'de>, A::Error> {
        let shape = self.0;
        let mut body = PageBody::default();
        let (mut has_list, mut has_others) = (false, false);
        while let Some(field) = map.next_key_seed(FieldSeed(shape))? {
            let named = |e: A::Error, name: &str| de::Error::custom(format_args!("`{name}`: {e}"));
            match field {
                Field::List => {
                    let records: ListOf<'de> = map.next_value().map_err(|e| named(e, shape.list))?;
                    body.records = records.0;
                    has_list = true;
                }
                Field::Total(name) => body.total = map.next_value::<Count>().map_err(|e| named(e, name))?.0,
                Field::Pages(name) => body.pages = map.next_value::<Count>().map_err(|e| named(e, name))?.0,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                    has_others = true;
                }
            }
        }
        // A page of another dialect would otherwise read as an empty page, silently ending
        // the scan; only a page that says it is empty may leave the list out.
        let says_empty = !has_others || body.total == Some(0) || body.pages == Some(0);
        if !has_list && !says_empty {
            return Err(de::Error::custom(format_args!("no `{}` list in the page", shape.list)));
        }
        Ok(body)
    }

    /// An empty page.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<PageBody<'de>, E> {
        if v.trim().is_empty() {
            Ok(PageBody::default())
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    nullish_is!(PageBody::default());
}

enum Field {
    List,
    Total(&'static str),
    Pages(&'static str),
    Other,
}

struct FieldSeed(Shape);

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Field;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        let Shape { list, total, pages } = self.0;
        Ok(if v == list {
            Field::List
        } else if let Some(total) = total.filter(|&t| t == v) {
            Field::Total(total)
        } else if let Some(pages) = pages.filter(|&p| p == v) {
            Field::Pages(pages)
        } else {
            Field::Other
        })
    }
}

/// A list of records, read leniently (`null`, `""` and PHP's index-keyed objects too), each
/// borrowed from the page's text.
struct ListOf<'a>(Vec<&'a RawValue>);

impl<'de> serde::Deserialize<'de> for ListOf<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_list(d).map(ListOf)
    }
}

/// A count, read leniently (`12`, `"12"`, `""`, `null`); a negative count means "unknown".
struct Count(Option<u64>);

impl<'de> serde::Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n: Option<i64> = serde_with::As::<LenientInt>::deserialize(d)?;
        Ok(Count(n.and_then(|n| u64::try_from(n).ok())))
    }
}
