//! The pager: the params of each page request, and when the scan is over. No I/O.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json::value::RawValue;

use super::dialect::PageDialect;
use super::page::{Page, PageText, read_page};

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
/// endpoint wants). See the [module documentation](crate::paging) for a complete scan.
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
