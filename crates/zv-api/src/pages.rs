//! Paged scans: every page (or every record) of a paged endpoint, as a blocking `Iterator`
//! ([`blocking::Client::pages`], [`blocking::Client::records`]) or an async `Stream`
//! ([`Client::pages`], [`Client::records`]).
//!
//! Both drive the one pure [`Pager`] of `zv_types::paging` through the same scan state: it
//! builds each page's request from the previous page and reads each answer; the drivers
//! only send. A scan is lazy and streaming — one page is fetched when the records before it
//! are used up, and only that page is held — so memory does not grow with the number of
//! pages. It ends after the last page, or after the first error, which names the page
//! ([`Error::page`]); the pages before it were already yielded.
//!
//! ```
//! use zv_api::{UntypedRequest, blocking::Client, zv_transport::transport_fn};
//! use zv_api::zv_types::paging::{PageDialect, PageOptions};
//!
//! // A stand-in gateway with 25 shops, 10 a page, in the `{list, total}` dialect.
//! let gateway = transport_fn(|request: http::Request<Vec<u8>>| {
//!     let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
//!     let page = body["params"]["pageNum"].as_u64().unwrap();
//!     let list: Vec<u64> = ((page - 1) * 10 + 1..=(page * 10).min(25)).collect();
//!     let data = serde_json::json!({"list": list, "total": 25});
//!     Ok(http::Response::new(serde_json::json!({"status": true, "code": 0, "data": data}).to_string().into_bytes()))
//! });
//! let client = Client::builder()
//!     .credentials(zv_api::zv_sign::Credentials::new("open-id", "grant-code", "open-key"))
//!     .transport(gateway)
//!     .build()?;
//!
//! let request = UntypedRequest::v3("org/shop/getShopList", serde_json::json!({"brandId": 7}))?.retry_safe(true);
//! let options = PageOptions::default().page_size(10);
//! let shops = client.records(&request, PageDialect::ListTotal, options).collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(shops.len(), 25);
//! assert_eq!(shops[24].get(), "25"); // each record is its exact JSON text
//!
//! let pages: Vec<_> = client.pages(&request, PageDialect::ListTotal, options).collect::<Result<_, _>>()?;
//! assert_eq!(pages.iter().map(|p| p.records().len()).collect::<Vec<_>>(), [10, 10, 5]);
//! assert!(pages[2].is_last);
//! assert_eq!(pages[2].records()[4].get(), "25"); // borrowed from the page's own `data`
//! # Ok::<(), zv_api::Error>(())
//! ```
//!
//! A page keeps its `data` as the gateway sent it and lends out its records
//! ([`Page::records`]): iterating pages reads every record without a copy. A record scan
//! ([`Client::records`]) copies each record out of its page, to yield records that outlive it.
//!
//! The async client is the same with a `Stream` (pin it to iterate):
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use zv_api::{Client, UntypedRequest};
//! use zv_api::zv_types::paging::{PageDialect, PageOptions};
//!
//! # async fn run(client: Client) -> Result<(), zv_api::Error> {
//! let request = UntypedRequest::v3("goods/item/getItemList", serde_json::json!({}))?.retry_safe(true);
//! let mut items = std::pin::pin!(client.records(&request, PageDialect::DataTotal, PageOptions::default()));
//! while let Some(item) = items.next().await {
//!     println!("{}", item?.get());
//! }
//! // Or page by page, each record borrowed from its page:
//! let mut pages = std::pin::pin!(client.pages(&request, PageDialect::DataTotal, PageOptions::default()));
//! while let Some(page) = pages.next().await {
//!     for item in page?.records() {
//!         println!("{}", item.get());
//!     }
//! }
//! # Ok(()) }
//! ```

use futures_util::{Stream, StreamExt, stream};
use serde_json::value::RawValue;
use zv_types::Route;
pub use zv_types::paging::{Page, PageDialect, PageError, PageOptions, Pager};

use crate::Client;
use crate::blocking;
use crate::error::Error;
use crate::response::HttpResponse;
use crate::sansio::ApiResponse;
use crate::untyped::{UntypedRequest, params_json};

/// One scan's state between pages, shared by the blocking and async drivers: the request of
/// the next page, and the reading of its answer. The drivers only send.
struct Scan<'a> {
    route: Route<'a>,
    retry_safe: bool,
    pager: Result<Pager, PageError>,
    over: bool,
}

impl<'a> Scan<'a> {
    fn new(request: &UntypedRequest<'a>, dialect: PageDialect, options: PageOptions) -> Self {
        Scan {
            route: request.route(),
            retry_safe: request.is_retry_safe(),
            // The pager adds the page fields to the params, each of their members kept as
            // the exact JSON text given (as the records are kept as sent).
            pager: Pager::from_json(dialect, request.params(), options),
            over: false,
        }
    }

    /// The request for the next page; `None` once the scan is over.
    fn next_request(&mut self) -> Option<Result<UntypedRequest<'a>, Error>> {
        if self.over {
            return None;
        }
        let params = match &self.pager {
            Ok(pager) => pager.next_request_json(),
            Err(e) => Err(e.clone()),
        };
        let request = match params {
            Ok(None) => {
                self.over = true;
                return None;
            }
            // The scan's route and retry safety, as the caller's request has them: not looked
            // up in the catalogue again for every page.
            Ok(Some(params)) => params_json(&params).map(|params| UntypedRequest {
                route: self.route,
                params,
                retry_safe: self.retry_safe,
            }),
            Err(e) => Err(paging_error(self.route, e, None)),
        };
        self.over = request.is_err();
        Some(request)
    }

    /// Reads the answer to the request [`next_request`](Self::next_request) gave.
    fn on_response(&mut self, response: Result<ApiResponse<Box<RawValue>>, Error>) -> Result<Page, Error> {
        let route = self.route;
        let page = match (&mut self.pager, response) {
            (Err(e), _) => Err(paging_error(route, e.clone(), None)),
            // The `data` the call already cut out of the body (`null` when absent), moved into
            // the page, which lends out its records: the body is parsed once per page, and
            // the records are not copied.
            (Ok(pager), Ok(response)) => {
                let ApiResponse { data, http, .. } = response;
                pager.on_page(data).map_err(|e| paging_error(route, e, Some(http)))
            }
            (Ok(pager), Err(e)) => Err(Error::Page { page: pager.next_page(), source: Box::new(e) }),
        };
        self.over = page.is_err();
        page
    }
}

fn paging_error(route: Route<'_>, source: PageError, response: Option<HttpResponse>) -> Error {
    Error::Paging { route: route.to_string(), source, response: response.map(Box::new) }
}

/// A page's records, each copied out of it, or its error: what a record scan yields for each
/// page.
fn records_of(page: Result<Page, Error>) -> impl Iterator<Item = Result<Box<RawValue>, Error>> {
    let (records, error) = match page {
        Ok(page) => (page.into_records(), None),
        Err(e) => (Vec::new(), Some(e)),
    };
    records.into_iter().map(Ok).chain(error.map(Err))
}

impl blocking::Client {
    /// Every page of a paged endpoint, lazily: `request` is sent once per page with the
    /// page fields of `dialect` added to its params (see
    /// [`Pager`]). The iteration ends after the last page or the
    /// first error, which names its page. Declare the request
    /// [`retry_safe`](UntypedRequest::retry_safe) to have transient failures retried.
    pub fn pages<'c, 'a>(
        &'c self,
        request: &UntypedRequest<'a>,
        dialect: PageDialect,
        options: PageOptions,
    ) -> impl Iterator<Item = Result<Page, Error>> + use<'c, 'a> {
        let mut scan = Scan::new(request, dialect, options);
        std::iter::from_fn(move || {
            let request = match scan.next_request()? {
                Ok(request) => request,
                Err(e) => return Some(Err(e)),
            };
            Some(scan.on_response(self.send_untyped(&request)))
        })
    }

    /// Every record of a paged endpoint, each its exact JSON text, lazily, page by page (see
    /// [`pages`](Self::pages)). Each record is copied out of its page; to read records
    /// without copies, iterate the pages' [`records`](Page::records).
    pub fn records<'c, 'a>(
        &'c self,
        request: &UntypedRequest<'a>,
        dialect: PageDialect,
        options: PageOptions,
    ) -> impl Iterator<Item = Result<Box<RawValue>, Error>> + use<'c, 'a> {
        self.pages(request, dialect, options).flat_map(records_of)
    }
}

impl Client {
    /// Every page of a paged endpoint, as a lazy `Stream`: `request` is sent once per page
    /// with the page fields of `dialect` added to its params (see
    /// [`Pager`]). The stream ends after the last page or the first
    /// error, which names its page. Declare the request
    /// [`retry_safe`](UntypedRequest::retry_safe) to have transient failures retried.
    pub fn pages<'c, 'a>(
        &'c self,
        request: &UntypedRequest<'a>,
        dialect: PageDialect,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Page, Error>> + use<'c, 'a> {
        stream::unfold(Scan::new(request, dialect, options), move |mut scan| async move {
            let request = match scan.next_request()? {
                Ok(request) => request,
                Err(e) => return Some((Err(e), scan)),
            };
            let page = scan.on_response(self.send_untyped(&request).await);
            Some((page, scan))
        })
    }

    /// Every record of a paged endpoint, each its exact JSON text, as a lazy `Stream`, page
    /// by page (see [`pages`](Self::pages)). Each record is copied out of its page; to read
    /// records without copies, iterate the pages' [`records`](Page::records).
    pub fn records<'c, 'a>(
        &'c self,
        request: &UntypedRequest<'a>,
        dialect: PageDialect,
        options: PageOptions,
    ) -> impl Stream<Item = Result<Box<RawValue>, Error>> + use<'c, 'a> {
        self.pages(request, dialect, options).flat_map(|page| stream::iter(records_of(page)))
    }
}
