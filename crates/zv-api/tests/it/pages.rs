//! Paged scans through both clients: every dialect with 0, 1, exactly full and many pages,
//! errors mid-scan that name the page, lying totals, laziness, and bad input.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use http::{Request, Response, StatusCode};
use serde_json::{Value, json};
use zv_api::pages::{PageDialect, PageError, PageOptions};
use zv_api::zv_transport::{TransportError, async_transport_fn, transport_fn};
use zv_api::{Error, ErrorKind, UntypedRequest};

use crate::common::{Script, run};

/// What a gateway answers for one page instead of the page.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// This HTTP status, every time.
    Status(u16),
    /// This HTTP status the first time, the page after.
    StatusOnce(u16),
    /// A business error.
    Business,
    /// This `data`.
    Data(&'static str),
}

/// A gateway of `dialect` holding `n` records, served by both clients as a closure transport.
#[derive(Clone)]
struct Gateway {
    dialect: PageDialect,
    n: u64,
    /// The total it says, if not the truth.
    claim: Option<u64>,
    /// Answers page 1 whatever page is asked for.
    stuck: bool,
    fault: Option<(u64, Fault)>,
    /// The params of every request, in order.
    seen: Arc<Mutex<Vec<Value>>>,
    /// Every request body, as sent.
    bodies: Arc<Mutex<Vec<String>>>,
}

/// A record whose id is beyond `u64`, with a float written the gateway's way.
fn record(i: u64) -> String {
    format!(r#"{{"id":12345678901234567890{i:03},"price":1.50}}"#)
}

fn expected(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(record).collect()
}

impl Gateway {
    fn new(dialect: PageDialect, n: u64) -> Self {
        Gateway {
            dialect,
            n,
            claim: None,
            stuck: false,
            fault: None,
            seen: Arc::default(),
            bodies: Arc::default(),
        }
    }

    fn with_fault(mut self, page: u64, fault: Fault) -> Self {
        self.fault = Some((page, fault));
        self
    }

    fn serve(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportError> {
        self.bodies.lock().unwrap().push(String::from_utf8(request.body().clone()).unwrap());
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        let params = if body["params"].is_null() { body["Params"].clone() } else { body["params"].clone() };
        let (number_field, size_field) = self.dialect.request_fields();
        let (number, size) = (int(&params[number_field]), int(&params[size_field]));
        let asked_before =
            self.seen.lock().unwrap().iter().filter(|p| int(&p[number_field]) == number).count();
        self.seen.lock().unwrap().push(params);
        let status = |code: u16, body: &str| {
            let mut r = Response::new(body.as_bytes().to_vec());
            *r.status_mut() = StatusCode::from_u16(code).unwrap();
            Ok(r)
        };
        let data = match self.fault {
            Some((page, Fault::Status(code))) if page == number => {
                return status(code, "<html>bad gateway</html>");
            }
            Some((page, Fault::StatusOnce(code))) if page == number && asked_before == 0 => {
                return status(code, "<html>busy</html>");
            }
            Some((page, Fault::Business)) if page == number => {
                return status(200, r#"{"status":true,"code":30001,"message":"门店已停用"}"#);
            }
            Some((page, Fault::Data(data))) if page == number => data.to_owned(),
            _ => {
                let first = (if self.stuck { 0 } else { number - 1 }) * size;
                let records: Vec<_> = (first..self.n.min(first + size))
                    .map(|i| serde_json::value::RawValue::from_string(record(i)).unwrap())
                    .collect();
                let total = self.claim.unwrap_or(self.n);
                self.dialect
                    .render_page(&records, number as u32, size as u32, total)
                    .unwrap()
                    .get()
                    .to_owned()
            }
        };
        status(200, &format!(r#"{{"status":"true","code":"0","message":"请求成功","data":{data}}}"#))
    }

    fn seen(&self) -> Vec<Value> {
        self.seen.lock().unwrap().clone()
    }

    fn blocking(&self) -> zv_api::blocking::Client {
        let g = self.clone();
        Script::default().blocking_builder().transport(transport_fn(move |r| g.serve(r))).build().unwrap()
    }

    fn asynch(&self) -> zv_api::Client {
        let g = self.clone();
        let transport = async_transport_fn(move |r| {
            let response = g.serve(r);
            async move { response }
        });
        Script::default().async_builder().transport(transport).build().unwrap()
    }
}

fn int(v: &Value) -> u64 {
    v.as_u64().or_else(|| v.as_str()?.parse().ok()).expect("a page field")
}

const PATH: &str = "/v3/org/shop/getShopList";

fn request(params: Value) -> UntypedRequest<'static> {
    UntypedRequest::v3(PATH, params).unwrap().retry_safe(true)
}

fn size(n: u32) -> PageOptions {
    PageOptions::default().page_size(n)
}

/// More items than any scan here yields: a scan that fails to end fails its test, not hangs.
const ENOUGH: usize = 1000;

/// A scan's records (each its text, or the error's), through the blocking and the async
/// client, each with a fresh copy of the gateway.
fn records_both(
    gateway: &Gateway,
    request: &UntypedRequest<'_>,
    options: PageOptions,
) -> [(Vec<Result<String, Error>>, Gateway); 2] {
    let text = |r: Result<Box<serde_json::value::RawValue>, Error>| r.map(|r| r.get().to_owned());
    let g = Gateway { seen: Arc::default(), bodies: Arc::default(), ..gateway.clone() };
    let blocking = g.blocking().records(request, g.dialect, options).map(text).take(ENOUGH).collect();
    let a = Gateway { seen: Arc::default(), bodies: Arc::default(), ..gateway.clone() };
    let client = a.asynch();
    let asynchronous = run(client.records(request, a.dialect, options).map(text).take(ENOUGH).collect());
    [(blocking, g), (asynchronous, a)]
}

/// A scan's pages (their record counts and last flags, or the error), through both clients.
fn pages_both(gateway: &Gateway, options: PageOptions) -> [Vec<Result<(usize, bool), Error>>; 2] {
    let shape = |p: Result<zv_api::pages::Page, Error>| p.map(|p| (p.records().len(), p.is_last));
    let request = request(json!({}));
    let blocking =
        gateway.blocking().pages(&request, gateway.dialect, options).map(shape).take(ENOUGH).collect();
    let client = gateway.asynch();
    let asynchronous =
        run(client.pages(&request, gateway.dialect, options).map(shape).take(ENOUGH).collect());
    [blocking, asynchronous]
}

fn oks(records: Vec<Result<String, Error>>) -> Vec<String> {
    records.into_iter().collect::<Result<_, _>>().unwrap()
}

#[test]
fn every_dialect_zero_one_full_and_many_pages() {
    for dialect in PageDialect::ALL {
        let has_total = dialect != PageDialect::Records;
        // (records, pages with a total, pages without)
        for (n, with_total, without_total) in [(0, 1, 1), (2, 1, 1), (3, 1, 2), (6, 2, 3), (10, 4, 4)] {
            let gateway = Gateway::new(dialect, n);
            let pages = if has_total { with_total } else { without_total };
            for (records, g) in records_both(&gateway, &request(json!({"brandId": 7})), size(3)) {
                assert_eq!(oks(records), expected(0..n), "{dialect} n={n}");
                let seen = g.seen();
                assert_eq!(seen.len(), pages, "{dialect} n={n}");
                let (number, size) = dialect.request_fields();
                for (i, params) in seen.iter().enumerate() {
                    assert_eq!(params, &json!({"brandId": 7, number: i + 1, size: 3}), "{dialect}");
                }
            }
            let mut shapes: Vec<(usize, bool)> =
                (0..pages).map(|i| ((n as usize).saturating_sub(3 * i).min(3), false)).collect();
            shapes.last_mut().unwrap().1 = true;
            for got in pages_both(&gateway, size(3)) {
                assert_eq!(
                    got.into_iter().collect::<Result<Vec<_>, _>>().unwrap(),
                    shapes,
                    "{dialect} n={n}"
                );
            }
        }
    }
}

#[test]
fn pages_lend_the_records_a_record_scan_copies() {
    let gateway = Gateway::new(PageDialect::PageCount, 23);
    let request = request(json!({}));
    let texts = |page: zv_api::pages::Page| {
        // Each record is borrowed from the page's own `data`, which holds the whole page.
        let data = page.data().get();
        assert!(data.starts_with(r#"{"list":["#) && data.contains(r#""pageCount":3"#), "{data}");
        page.records().iter().map(|r| r.get().to_owned()).collect::<Vec<_>>()
    };
    let blocking: Vec<String> = gateway
        .blocking()
        .pages(&request, gateway.dialect, size(10))
        .flat_map(|p| texts(p.unwrap()))
        .collect();
    let client = gateway.asynch();
    let asynchronous: Vec<String> =
        run(client.pages(&request, gateway.dialect, size(10)).collect::<Vec<_>>())
            .into_iter()
            .flat_map(|p| texts(p.unwrap()))
            .collect();
    for got in [blocking, asynchronous] {
        assert_eq!(got, expected(0..23));
    }
    for (records, _) in records_both(&gateway, &request, size(10)) {
        assert_eq!(oks(records), expected(0..23));
    }
}

#[test]
fn an_error_mid_scan_names_the_page_and_keeps_what_was_yielded() {
    for dialect in PageDialect::ALL {
        let gateway = Gateway::new(dialect, 20).with_fault(3, Fault::Status(502));
        for (mut records, g) in records_both(&gateway, &request(json!({})), size(3)) {
            let e = records.pop().unwrap().unwrap_err();
            assert_eq!(oks(records), expected(0..6), "{dialect}");
            assert_eq!(
                (e.page(), e.kind(), e.http_status()),
                (Some(3), ErrorKind::Http, Some(StatusCode::BAD_GATEWAY))
            );
            assert!(
                matches!(&e, Error::Page { page: 3, source } if matches!(**source, Error::Http { .. })),
                "{e:?}"
            );
            assert!(e.to_string().starts_with(&format!("page 3: HTTP 502 Bad Gateway from {PATH}: ")), "{e}");
            assert!(e.is_retryable());
            // The scan stopped: page 3 was asked for (and retried), page 4 never.
            assert!(g.seen().iter().all(|p| int(&p[dialect.request_fields().0]) <= 3));
        }
    }
}

#[test]
fn a_business_error_mid_scan() {
    let gateway = Gateway::new(PageDialect::PageCount, 20).with_fault(2, Fault::Business);
    for (mut records, g) in records_both(&gateway, &request(json!({})), size(5)) {
        let e = records.pop().unwrap().unwrap_err();
        assert_eq!(oks(records), expected(0..5));
        assert_eq!((e.page(), e.kind()), (Some(2), ErrorKind::ApiBusiness));
        assert_eq!(e.api_error().unwrap().message, "门店已停用");
        assert_eq!(e.to_string(), "page 2: API business error 30001: 门店已停用");
        assert_eq!(g.seen().len(), 2);
    }
}

#[test]
fn a_transient_failure_is_retried_for_a_retry_safe_scan_only() {
    let gateway = Gateway::new(PageDialect::ResultList, 7).with_fault(2, Fault::StatusOnce(503));
    for (records, g) in records_both(&gateway, &request(json!({})), size(3)) {
        assert_eq!(oks(records), expected(0..7));
        assert_eq!(g.seen().len(), 4); // pages 1, 2, 2 again, 3
    }
    // Every page's request keeps the scan's declared safety, catalogued or not.
    let uncatalogued = UntypedRequest::v3("/v3/org/shop/notCatalogued", json!({})).unwrap();
    assert!(!uncatalogued.is_retry_safe());
    for (records, g) in records_both(&gateway, &uncatalogued.retry_safe(true), size(3)) {
        assert_eq!(oks(records), expected(0..7));
        assert_eq!(g.seen().len(), 4);
    }
    let unsafe_request = UntypedRequest::v3(PATH, json!({})).unwrap().retry_safe(false);
    for (mut records, g) in records_both(&gateway, &unsafe_request, size(3)) {
        let e = records.pop().unwrap().unwrap_err();
        assert_eq!(
            (oks(records).len(), e.page(), e.http_status()),
            (3, Some(2), Some(StatusCode::SERVICE_UNAVAILABLE))
        );
        assert_eq!(g.seen().len(), 2);
    }
}

#[test]
fn a_page_not_of_the_dialect_is_a_paging_error_with_its_response() {
    let gateway =
        Gateway::new(PageDialect::ListTotal, 20).with_fault(2, Fault::Data(r#"{"data":[1],"total":20}"#));
    for (mut records, _) in records_both(&gateway, &request(json!({})), size(3)) {
        let e = records.pop().unwrap().unwrap_err();
        assert_eq!(oks(records).len(), 3);
        assert_eq!((e.page(), e.kind()), (Some(2), ErrorKind::Decode));
        let Error::Paging { source: PageError::NotAPage { page: 2, .. }, .. } = &e else { panic!("{e:?}") };
        assert!(
            e.to_string()
                .starts_with("paging /v3/org/shop/getShopList: page 2 is not a list_total page: no `list`"),
            "{e}"
        );
        assert!(e.http_response().unwrap().text().contains(r#""data":[1]"#));
        assert!(!e.is_retryable());
    }
}

#[test]
fn lying_totals_cannot_loop() {
    for dialect in PageDialect::ALL {
        // It says a million, has 7: the empty page ends it (without a total, the short one).
        let more = Gateway { claim: Some(1_000_000), ..Gateway::new(dialect, 7) };
        for (records, g) in records_both(&more, &request(json!({})), size(3)) {
            assert_eq!(oks(records), expected(0..7), "{dialect}");
            assert_eq!(g.seen().len(), if dialect == PageDialect::Records { 3 } else { 4 }, "{dialect}");
        }
        // The same full page for any page number, and a total never reached: the cap ends it.
        let stuck = Gateway { claim: Some(1 << 40), stuck: true, ..Gateway::new(dialect, 5) };
        for (mut records, g) in records_both(&stuck, &request(json!({})), size(5).max_pages(4)) {
            let e = records.pop().unwrap().unwrap_err();
            assert_eq!(records.len(), 20, "{dialect}");
            assert_eq!(g.seen().len(), 4, "{dialect}");
            assert_eq!((e.page(), e.kind()), (Some(5), ErrorKind::Decode));
            assert!(matches!(
                e,
                Error::Paging {
                    source: PageError::TooManyPages { page: 5, max_pages: 4 },
                    response: None,
                    ..
                }
            ));
        }
    }
}

#[test]
fn bad_paging_input_fails_before_anything_is_sent() {
    let gateway = Gateway::new(PageDialect::ListTotal, 5);
    let cases = [
        (
            json!({"pageNum": 2}),
            size(3),
            "paging /v3/org/shop/getShopList: params set `pageNum`, the page number, which the pager sets: start elsewhere with `start_page`",
        ),
        (
            json!([1, 2]),
            size(3),
            "paging /v3/org/shop/getShopList: paged params must be a JSON object, not an array",
        ),
        (
            json!({}),
            size(0),
            "paging /v3/org/shop/getShopList: invalid paging options: the page size must be at least 1",
        ),
    ];
    for (params, options, message) in cases {
        for (records, g) in records_both(&gateway, &request(params.clone()), options) {
            let [Err(e)] = &records[..] else { panic!("{records:?}") };
            assert_eq!(
                (e.kind(), e.page(), e.to_string().as_str()),
                (ErrorKind::InvalidRequest, None, message)
            );
            assert!(g.seen().is_empty());
        }
    }
}

#[test]
fn scans_are_lazy_one_page_at_a_time() {
    let gateway = Gateway::new(PageDialect::DataTotal, 100);
    let request = request(json!({}));
    let client = gateway.blocking();
    let mut records = client.records(&request, gateway.dialect, size(10));
    assert!(gateway.seen().is_empty(), "nothing is sent before the first record is asked for");
    let first: Vec<_> = records.by_ref().take(10).collect::<Result<_, _>>().unwrap();
    assert_eq!((first.len(), gateway.seen().len()), (10, 1));
    records.next().unwrap().unwrap();
    assert_eq!(gateway.seen().len(), 2);
    drop(records);

    let gateway = Gateway::new(PageDialect::DataTotal, 100);
    let client = gateway.asynch();
    run(async {
        let mut pages = std::pin::pin!(client.pages(&request, gateway.dialect, size(10)));
        assert!(gateway.seen().is_empty());
        let page = pages.next().await.unwrap().unwrap();
        assert_eq!((page.number, page.total, page.is_last, gateway.seen().len()), (1, Some(100), false, 1));
    });
}

#[test]
fn async_scans_can_be_spawned() {
    let gateway = Gateway::new(PageDialect::PageSize, 12);
    let client = gateway.asynch();
    let records =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap().block_on(
            async move {
                tokio::spawn(async move {
                    let request = request(json!({"shopCode": "S1"}));
                    client.records(&request, PageDialect::PageSize, size(5)).collect::<Vec<_>>().await
                })
                .await
                .unwrap()
            },
        );
    assert_eq!(oks(records.into_iter().map(|r| r.map(|r| r.get().to_owned())).collect()), expected(0..12));
}

#[test]
fn v2_actions_page_too() {
    let gateway = Gateway::new(PageDialect::Records, 4);
    let request = UntypedRequest::v2("scm.inbound.list", json!({"shopId": 1})).unwrap();
    for (records, g) in records_both(&gateway, &request, size(3)) {
        assert_eq!(oks(records), expected(0..4));
        assert_eq!(
            g.seen(),
            [
                json!({"shopId": 1, "pageNo": 1, "pageSize": 3}),
                json!({"shopId": 1, "pageNo": 2, "pageSize": 3})
            ]
        );
    }
}

/// Item 4 of issue 11: a paged untyped call keeps its params' numbers as written, on every
/// page, through both clients (they used to go through a `serde_json::Value`, which rounds
/// a 21-digit id and a long decimal to an `f64`).
#[test]
fn paged_params_reach_the_wire_exactly_on_every_page() {
    let params = r#"{"id":164822200532619796511,"x":0.1000000000000000000001,"pageSize":"2"}"#;
    let request = UntypedRequest::v3(PATH, params).unwrap().retry_safe(true);
    let gateway = Gateway::new(PageDialect::ListTotal, 5);
    for (records, g) in records_both(&gateway, &request, PageOptions::default()) {
        assert_eq!(oks(records), expected(0..5));
        let bodies = g.bodies.lock().unwrap().clone();
        assert_eq!(bodies.len(), 3);
        for (page, body) in bodies.iter().enumerate() {
            let expected = format!(
                r#""params":{{"id":164822200532619796511,"pageNum":"{}","pageSize":"2","x":0.1000000000000000000001}}"#,
                page + 1
            );
            assert!(body.contains(&expected), "{body}");
        }
    }
    // A page size beyond u64 is refused with its own digits, before anything is sent.
    let request =
        UntypedRequest::v3(PATH, r#"{"pageSize":99999999999999999999999}"#).unwrap().retry_safe(true);
    for (records, g) in records_both(&gateway, &request, PageOptions::default()) {
        let e = records.into_iter().next().unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(e.to_string().contains("to 99999999999999999999999, not a positive"), "{e}");
        assert!(g.bodies.lock().unwrap().is_empty());
    }
}
