//! Paging, sans-IO: how a paged endpoint names its page request fields and shapes the `data`
//! of a page ([`PageDialect`]), and a pure [`Pager`] that builds each page request's params
//! from the previous page and decides when the scan is over.
//!
//! The pager does no I/O: ask it for the params of the next page, send them any way you
//! like, hand it the page's `data` JSON, and repeat. It stops on the first of: the records
//! read reach the page's total, the page number reaches the page count, an empty page, or —
//! when the page says no total at all — a short page. A hard cap on the number of pages
//! ([`PageOptions::max_pages`]) ends a scan whose pages never say it is over (a lying total)
//! with [`PageError::TooManyPages`] instead of looping. It keeps only counters between pages,
//! never records: memory does not grow with the number of pages.
//!
//! ```
//! use serde_json::{json, value::RawValue};
//! use zv_types::paging::{PageDialect, PageOptions, Pager};
//!
//! // A gateway with 5 shops, answering in the `{list, total}` dialect.
//! let shops: Vec<u32> = (1..=5).collect();
//! let serve = |params: &serde_json::Value| -> Box<RawValue> {
//!     let (page, size) = (params["pageNum"].as_u64().unwrap() as usize, params["pageSize"].as_u64().unwrap() as usize);
//!     let list: Vec<_> = shops.iter().skip((page - 1) * size).take(size).collect();
//!     serde_json::value::to_raw_value(&json!({"list": list, "total": "5"})).unwrap()
//! };
//!
//! let options = PageOptions { page_size: Some(2), ..PageOptions::default() };
//! let mut pager = Pager::new(PageDialect::ListTotal, json!({"brandId": 7}), options)?;
//! let mut ids = Vec::new();
//! while let Some(params) = pager.next_request_params()? {
//!     assert_eq!(params["brandId"], 7); // the caller's params ride along
//!     let page = pager.on_page(serve(&params))?;
//!     ids.extend(page.records().iter().map(|r| r.get().to_owned()));
//! }
//! assert_eq!(ids, ["1", "2", "3", "4", "5"]);
//! assert_eq!(pager.pages_read(), 3);
//! # Ok::<(), zv_types::paging::PageError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::lenient::{LenientInt, deserialize_list};

/// How one paged endpoint asks for a page and answers with one (seen in the field; the
/// request field names are exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PageDialect {
    /// `pageNo`/`pageSize` → `{data: [...], total}` (`v3/goods/item/getItemList`).
    DataTotal,
    /// `pageNum`/`pageSize` → `{list: [...], total}` (`v3/org/shop/getShopList`).
    ListTotal,
    /// `pageNo`/`pageSize` → `{pageNo, pageSize, totalCount, resultList: [...]}`
    /// (`v3/dataone/finance/summary/businessRecord`).
    ResultList,
    /// `pageNo`/`pageSize` → `{list: [...], currentPage, totalPage}`
    /// (`v3/crm/marketing/couponActivityList/page`).
    TotalPage,
    /// `pageNum`/`pageSize` → `{list: [...], pageNum, totalCount, pageCount}`
    /// (`v3/coupon/card/consumeFlow/page`).
    PageCount,
    /// `page`/`size` → `{list: [...], page, size, total}`
    /// (`v3/queuing/queueNo/queryShopQueueNoList`).
    PageSize,
    /// `pageNo`/`pageSize` → a bare array or `{records: [...]}`, no total: a short page is
    /// the last (`v3/scm/order/inbound/order/list`).
    Records,
}

impl PageDialect {
    /// Every dialect.
    pub const ALL: [PageDialect; 7] = [
        PageDialect::DataTotal,
        PageDialect::ListTotal,
        PageDialect::ResultList,
        PageDialect::TotalPage,
        PageDialect::PageCount,
        PageDialect::PageSize,
        PageDialect::Records,
    ];

    /// The dialect's stable name (`data_total`, `list_total`, …), as the catalogue and the
    /// CLI's `--json` write it.
    pub const fn name(self) -> &'static str {
        match self {
            PageDialect::DataTotal => "data_total",
            PageDialect::ListTotal => "list_total",
            PageDialect::ResultList => "result_list",
            PageDialect::TotalPage => "total_page",
            PageDialect::PageCount => "page_count",
            PageDialect::PageSize => "page_size",
            PageDialect::Records => "records",
        }
    }

    /// The dialect with this [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<PageDialect> {
        PageDialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The request fields for the page number and the page size, e.g. `("pageNo", "pageSize")`.
    pub const fn request_fields(self) -> (&'static str, &'static str) {
        match self {
            PageDialect::ListTotal | PageDialect::PageCount => ("pageNum", "pageSize"),
            PageDialect::PageSize => ("page", "size"),
            PageDialect::DataTotal
            | PageDialect::ResultList
            | PageDialect::TotalPage
            | PageDialect::Records => ("pageNo", "pageSize"),
        }
    }

    /// The `data` of one page as a gateway of this dialect sends it: `records` (this page's),
    /// the page's number and size, and `total`, the number of records of the whole scan
    /// (written as a record count, a page count or both, as the dialect does; the
    /// [`Records`](PageDialect::Records) dialect writes a bare list and no total). For a
    /// server, such as a mock gateway.
    ///
    /// ```
    /// use zv_types::paging::PageDialect;
    /// let data = PageDialect::TotalPage.render_page(&[1, 2], 3, 2, 5).unwrap();
    /// assert_eq!(data.get(), r#"{"list":[1,2],"currentPage":3,"totalPage":3}"#);
    /// ```
    pub fn render_page<T: Serialize>(
        self,
        records: &[T],
        number: u32,
        page_size: u32,
        total: u64,
    ) -> Result<Box<RawValue>, serde_json::Error> {
        let pages = if page_size == 0 { 0 } else { total.div_ceil(u64::from(page_size)) };
        let (number, size) = (u64::from(number), u64::from(page_size));
        let counts: &[(&str, u64)] = match self {
            PageDialect::DataTotal | PageDialect::ListTotal => &[("total", total)],
            PageDialect::ResultList => &[("pageNo", number), ("pageSize", size), ("totalCount", total)],
            PageDialect::TotalPage => &[("currentPage", number), ("totalPage", pages)],
            PageDialect::PageCount => &[("pageNum", number), ("totalCount", total), ("pageCount", pages)],
            PageDialect::PageSize => &[("page", number), ("size", size), ("total", total)],
            PageDialect::Records => return serde_json::value::to_raw_value(records),
        };
        serde_json::value::to_raw_value(&Rendered { list: self.shape().list, records, counts })
    }

    /// The fields of a page's `data` the pager reads: the record list, the record total and
    /// the page count (the last two when the dialect has them).
    const fn shape(self) -> Shape {
        let (list, total, pages) = match self {
            PageDialect::DataTotal => ("data", Some("total"), None),
            PageDialect::ListTotal | PageDialect::PageSize => ("list", Some("total"), None),
            PageDialect::ResultList => ("resultList", Some("totalCount"), None),
            PageDialect::TotalPage => ("list", None, Some("totalPage")),
            PageDialect::PageCount => ("list", Some("totalCount"), Some("pageCount")),
            PageDialect::Records => ("records", None, None),
        };
        Shape { list, total, pages }
    }
}

impl fmt::Display for PageDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The page size used when neither [`PageOptions::page_size`] nor the caller's params give
/// one: the smallest cap seen on any paged endpoint (caps range from 10 to 1000), so that no
/// endpoint silently returns fewer records than asked — which, where a page says no total,
/// would end the scan early.
pub const DEFAULT_PAGE_SIZE: u32 = 10;

/// The default hard cap on the number of pages one scan reads.
pub const DEFAULT_MAX_PAGES: u32 = 1000;

/// How a scan pages.
///
/// ```
/// use zv_types::paging::PageOptions;
/// let options = PageOptions { page_size: Some(100), ..PageOptions::default() };
/// assert_eq!((options.max_pages, options.start_page), (1000, 1));
/// assert_eq!(PageOptions::default().page_size(100), options);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageOptions {
    /// Records per page; `None`: the page size in the caller's params if there is one, else
    /// [`DEFAULT_PAGE_SIZE`].
    pub page_size: Option<u32>,
    /// The most pages one scan reads ([`DEFAULT_MAX_PAGES`]). A scan whose pages still do
    /// not say it is over after this many ends with [`PageError::TooManyPages`]: raise the
    /// cap for bigger scans, or stop early by taking fewer pages.
    pub max_pages: u32,
    /// The first page to read (page numbers start at 1).
    pub start_page: u32,
}

impl Default for PageOptions {
    fn default() -> Self {
        PageOptions { page_size: None, max_pages: DEFAULT_MAX_PAGES, start_page: 1 }
    }
}

impl PageOptions {
    /// With this page size.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// With this cap on the number of pages.
    pub fn max_pages(mut self, max_pages: u32) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// Starting at this page (1 is the first).
    pub fn start_page(mut self, start_page: u32) -> Self {
        self.start_page = start_page;
        self
    }
}

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
    text: PageText,
}

// A page's `data` and the records borrowed from it, in one value that can move (down a
// stream, across an `.await`). Self-referential, hence the `self_cell` crate: a record is a
// `&RawValue` into the page's own text, which safe Rust cannot otherwise keep next to its
// owner (byte ranges would need `unsafe`, or a second validating parse, to become
// `&RawValue`s again). The text is heap-allocated and never changes, so the borrows stay valid.
self_cell::self_cell!(
    struct PageText {
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

/// Why a pager cannot go on. Errors about a page name it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// A [`PageOptions`] value that cannot page (a zero page size, cap or start page).
    #[error("invalid paging options: {0}")]
    InvalidOptions(&'static str),
    /// The caller's params are not a JSON object (nor `null`).
    #[error("paged params must be a JSON object, not {0}")]
    ParamsNotObject(&'static str),
    /// The caller's params cannot be read (not JSON), or not as a `serde_json::Value` (a
    /// number beyond `f64`, for [`Pager::next_request_params`]).
    #[error("the paged params cannot be read: {0}")]
    Params(String),
    /// The caller's params set the page number, which the pager owns.
    #[error("params set `{field}`, the page number, which the pager sets: start elsewhere with `start_page`")]
    PageNumberInParams {
        /// The page number field.
        field: &'static str,
    },
    /// The caller's params set the page size to something that is not a positive integer.
    #[error("params set the page size `{field}` to {value}, not a positive integer")]
    InvalidPageSize {
        /// The page size field.
        field: &'static str,
        /// The value given, as JSON.
        value: String,
    },
    /// The page size is set both in the params and in the options, differently.
    #[error("params set the page size `{field}` to {params}, the options to {options}")]
    PageSizeConflict {
        /// The page size field.
        field: &'static str,
        /// The size in the params.
        params: u32,
        /// The size in the options.
        options: u32,
    },
    /// A page's `data` is not a page of the dialect.
    #[error("page {page} is not a {dialect} page: {message}")]
    NotAPage {
        /// The page number.
        page: u32,
        /// The dialect expected.
        dialect: PageDialect,
        /// What is wrong with it.
        message: String,
    },
    /// The scan read [`max_pages`](PageOptions::max_pages) pages and the last of them did
    /// not say the scan is over.
    #[error("page {page} is beyond the cap of {max_pages} pages, and page {} did not say it was the last", page.saturating_sub(1))]
    TooManyPages {
        /// The page that would have been read next.
        page: u32,
        /// The cap.
        max_pages: u32,
    },
    /// A page was handed to a pager whose scan is over.
    #[error("the scan is over: no page {page} was asked for")]
    Finished {
        /// The page number after the last page.
        page: u32,
    },
}

impl PageError {
    /// The page the error is about, if it is about one (not about options or params).
    pub fn page(&self) -> Option<u32> {
        match self {
            PageError::NotAPage { page, .. }
            | PageError::TooManyPages { page, .. }
            | PageError::Finished { page } => Some(*page),
            _ => None,
        }
    }
}

/// The pure pager: the params of each page request, and the reading of each page.
///
/// It owns the page number field of the dialect and sets the page size field (in the form
/// the caller wrote it: a string page size in the params makes both fields strings, as one
/// endpoint wants). See the [module documentation](self) for a complete scan.
#[derive(Debug, Clone)]
pub struct Pager {
    dialect: PageDialect,
    /// The caller's params, each member as the exact JSON text given (a 21-digit id or a
    /// long decimal is sent as written), the page fields left out.
    params: BTreeMap<String, Box<RawValue>>,
    page_size: u32,
    as_strings: bool,
    start_page: u32,
    max_pages: u32,
    /// The page the next request asks for.
    next: u32,
    pages_read: u32,
    records_read: u64,
    done: bool,
}

impl Pager {
    /// A pager for an endpoint of `dialect`, called with `params` (a JSON object, or `null`
    /// for none) on every page.
    pub fn new(dialect: PageDialect, params: Value, options: PageOptions) -> Result<Pager, PageError> {
        let params = match params {
            Value::Object(map) => map
                .into_iter()
                .map(|(key, value)| Ok((key, serde_json::value::to_raw_value(&value)?)))
                .collect::<Result<_, serde_json::Error>>()
                .map_err(|e| PageError::Params(e.to_string()))?,
            Value::Null => BTreeMap::new(),
            other => return Err(PageError::ParamsNotObject(json_type(&other))),
        };
        Pager::with_members(dialect, params, options)
    }

    /// A pager whose params are JSON text (an object, or `null` for none), each member kept
    /// byte for byte on every page: numbers beyond `u64` or `f64` are sent as written (read
    /// the requests with [`next_request_json`](Self::next_request_json)).
    ///
    /// ```
    /// use serde_json::value::RawValue;
    /// use zv_types::paging::{PageDialect, PageOptions, Pager};
    ///
    /// let params: Box<RawValue> = serde_json::from_str(r#"{"id":164822200532619796511}"#).unwrap();
    /// let pager = Pager::from_json(PageDialect::ListTotal, &params, PageOptions::default().page_size(5))?;
    /// let first = pager.next_request_json()?.unwrap();
    /// assert_eq!(first.get(), r#"{"id":164822200532619796511,"pageNum":1,"pageSize":5}"#);
    /// # Ok::<(), zv_types::paging::PageError>(())
    /// ```
    pub fn from_json(
        dialect: PageDialect,
        params: &RawValue,
        options: PageOptions,
    ) -> Result<Pager, PageError> {
        let members = match params.get().trim_start().as_bytes().first() {
            Some(b'{') => serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(params.get())
                .map_err(|e| PageError::Params(e.to_string()))?,
            Some(b'n') => BTreeMap::new(),
            Some(b'[') => return Err(PageError::ParamsNotObject("an array")),
            Some(b'"') => return Err(PageError::ParamsNotObject("a string")),
            Some(b't' | b'f') => return Err(PageError::ParamsNotObject("a boolean")),
            _ => return Err(PageError::ParamsNotObject("a number")),
        };
        Pager::with_members(dialect, members, options)
    }

    fn with_members(
        dialect: PageDialect,
        mut params: BTreeMap<String, Box<RawValue>>,
        options: PageOptions,
    ) -> Result<Pager, PageError> {
        if options.page_size == Some(0) {
            return Err(PageError::InvalidOptions("the page size must be at least 1"));
        }
        if options.max_pages == 0 {
            return Err(PageError::InvalidOptions("the page cap must be at least 1"));
        }
        if options.start_page == 0 {
            return Err(PageError::InvalidOptions("page numbers start at 1"));
        }
        let (number_field, size_field) = dialect.request_fields();
        if params.contains_key(number_field) {
            return Err(PageError::PageNumberInParams { field: number_field });
        }
        let (page_size, as_strings) = match (params.remove(size_field), options.page_size) {
            (None, size) => (size.unwrap_or(DEFAULT_PAGE_SIZE), false),
            (Some(raw), size) => {
                let invalid =
                    || PageError::InvalidPageSize { field: size_field, value: raw.get().to_owned() };
                let value: Value = serde_json::from_str(raw.get()).map_err(|_| invalid())?;
                let given = page_size_of(&value).ok_or_else(invalid)?;
                match size {
                    Some(options) if options != given => {
                        return Err(PageError::PageSizeConflict {
                            field: size_field,
                            params: given,
                            options,
                        });
                    }
                    _ => (given, value.is_string()),
                }
            }
        };
        Ok(Pager {
            dialect,
            params,
            page_size,
            as_strings,
            start_page: options.start_page,
            max_pages: options.max_pages,
            next: options.start_page,
            pages_read: 0,
            records_read: 0,
            done: false,
        })
    }

    /// The dialect.
    pub fn dialect(&self) -> PageDialect {
        self.dialect
    }

    /// The page size every request asks for.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The page the next request asks for (after the last page: the one after it).
    pub fn next_page(&self) -> u32 {
        self.next
    }

    /// How many pages were read.
    pub fn pages_read(&self) -> u32 {
        self.pages_read
    }

    /// How many records were read, over all pages.
    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// Whether the scan is over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The params of the next page request — the caller's params with the page number and
    /// size fields set — or `None` when the scan is over. Asking twice without reading a
    /// page in between gives the same params (e.g. to resend a request).
    ///
    /// As a `serde_json::Value`, whose numbers are `u64`, `i64` or `f64`: for params with
    /// larger numbers or long decimals use [`next_request_json`](Self::next_request_json),
    /// which keeps them as written (here they fail with [`PageError::Params`] if they are
    /// beyond `f64`, and are rounded if not).
    ///
    /// Fails with [`PageError::TooManyPages`] when the page cap is reached and the last page
    /// did not say it was the last.
    pub fn next_request_params(&self) -> Result<Option<Value>, PageError> {
        self.next_request_json()?
            .map(|json| serde_json::from_str(json.get()).map_err(|e| PageError::Params(e.to_string())))
            .transpose()
    }

    /// The params of the next page request as JSON text (see
    /// [`next_request_params`](Self::next_request_params)): every member of the caller's
    /// params exactly as given, with the page number and size fields set.
    pub fn next_request_json(&self) -> Result<Option<Box<RawValue>>, PageError> {
        if self.done {
            return Ok(None);
        }
        self.check_cap()?;
        let (number_field, size_field) = self.dialect.request_fields();
        let mut params: BTreeMap<&str, &RawValue> =
            self.params.iter().map(|(k, v)| (k.as_str(), &**v)).collect();
        let (number, size) = (self.wire_number(self.next), self.wire_number(self.page_size));
        params.insert(number_field, &number);
        params.insert(size_field, &size);
        // Text keys and JSON texts cannot fail to serialize.
        serde_json::value::to_raw_value(&params).map(Some).map_err(|e| PageError::Params(e.to_string()))
    }

    /// Reads the `data` of the page last asked for ([`next_page`](Self::next_page)) and
    /// moves on. `null` or `""` (or a missing `data`, passed as `null`) is an empty page. The
    /// page keeps `data` and lends out its records ([`Page::records`]).
    ///
    /// On an error the pager is unchanged: the same page can be asked for again.
    pub fn on_page(&mut self, data: Box<RawValue>) -> Result<Page, PageError> {
        let number = self.next;
        if self.done {
            return Err(PageError::Finished { page: number });
        }
        self.check_cap()?;
        let dialect = self.dialect;
        let text = PageText::try_new(data, |data| read_page(dialect.shape(), data))
            .map_err(|e| PageError::NotAPage { page: number, dialect, message: e.to_string() })?;
        let body = text.borrow_dependent();
        let (count, total, pages) = (body.records.len() as u64, body.total, body.pages);
        self.pages_read += 1;
        self.records_read = self.records_read.saturating_add(count);
        // Pages before `start_page` were not read; count them as full.
        let skipped = u64::from(self.start_page - 1).saturating_mul(u64::from(self.page_size));
        let seen = skipped.saturating_add(self.records_read);
        let is_last = count == 0
            || total.is_some_and(|total| seen >= total)
            || pages.is_some_and(|pages| u64::from(number) >= pages)
            || (total.is_none() && pages.is_none() && count < u64::from(self.page_size))
            || number == u32::MAX;
        self.done = is_last;
        self.next = number.saturating_add(1);
        Ok(Page { number, total, total_pages: pages, is_last, text })
    }

    fn check_cap(&self) -> Result<(), PageError> {
        if self.pages_read >= self.max_pages {
            return Err(PageError::TooManyPages { page: self.next, max_pages: self.max_pages });
        }
        Ok(())
    }

    fn wire_number(&self, n: u32) -> Box<RawValue> {
        let text = if self.as_strings { format!("\"{n}\"") } else { n.to_string() };
        // Digits, quoted or not, are JSON.
        RawValue::from_string(text).unwrap_or_else(|_| RawValue::NULL.to_owned())
    }
}

/// A page size given in params: a positive integer, as a number or a numeric string.
fn page_size_of(value: &Value) -> Option<u32> {
    let size = match value {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    u32::try_from(size).ok().filter(|&n| n > 0)
}

/// `a string`, `an array`, …: the JSON type of a value, for messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A page as [`PageDialect::render_page`] writes it: the list first, then the counts.
struct Rendered<'a, T> {
    list: &'static str,
    records: &'a [T],
    counts: &'a [(&'a str, u64)],
}

impl<T: Serialize> Serialize for Rendered<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1 + self.counts.len()))?;
        map.serialize_entry(self.list, self.records)?;
        for (name, n) in self.counts {
            map.serialize_entry(name, n)?;
        }
        map.end()
    }
}

/// The fields of a page's `data` that the pager reads.
#[derive(Debug, Clone, Copy)]
struct Shape {
    list: &'static str,
    total: Option<&'static str>,
    pages: Option<&'static str>,
}

/// What the pager takes from a page: its records, borrowed from the page's text.
#[derive(Default)]
struct PageBody<'a> {
    records: Vec<&'a RawValue>,
    total: Option<u64>,
    pages: Option<u64>,
}

/// Reads a page in one pass over its JSON text, borrowing each record's text as sent.
///
/// Hand-written (a visitor, not a derive) because the field names depend on the dialect.
fn read_page(shape: Shape, data: &RawValue) -> Result<PageBody<'_>, serde_json::Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in PageDialect::ALL {
            assert_eq!(PageDialect::from_name(d.name()), Some(d));
        }
        assert_eq!(PageDialect::from_name("nope"), None);
        assert_eq!(PageDialect::PageSize.request_fields(), ("page", "size"));
    }
}
