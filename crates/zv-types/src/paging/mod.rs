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
//!
//! The module is three parts: [`PageDialect`] (how each dialect names its fields, and a
//! page rendered for a server), the [`Pager`] with its options and errors, and the
//! [`Page`] it hands back (read in one pass, its records borrowed from its text).

mod dialect;
mod page;
mod pager;

pub use dialect::PageDialect;
pub use page::Page;
pub(crate) use pager::json_type;
pub use pager::{DEFAULT_MAX_PAGES, DEFAULT_PAGE_SIZE, PageError, PageOptions, Pager};
