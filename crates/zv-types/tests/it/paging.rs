//! The pure pager against simulated gateways of every dialect: 0, 1, exactly full and many
//! pages, lenient pages, lying totals, bad input, and a property over all of them.

use proptest::prelude::*;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use zv_types::paging::{
    DEFAULT_MAX_PAGES, DEFAULT_PAGE_SIZE, Page, PageDialect, PageError, PageOptions, Pager,
};

/// A record whose id is beyond `u64`: it survives only if its text is kept as sent.
fn record(i: u64) -> Box<RawValue> {
    RawValue::from_string(format!(r#"{{"id":{}{i:03},"n":"r{i}"}}"#, "12345678901234567890")).unwrap()
}

/// A gateway of `dialect` holding `n` records; `claim` is the total it says (else the truth),
/// and `stuck` makes it answer page 1 whatever page is asked for.
#[derive(Clone, Copy)]
struct Gateway {
    dialect: PageDialect,
    n: u64,
    claim: Option<u64>,
    stuck: bool,
}

impl Gateway {
    fn new(dialect: PageDialect, n: u64) -> Self {
        Gateway { dialect, n, claim: None, stuck: false }
    }

    fn serve(&self, params: &Value) -> Box<RawValue> {
        let (number_field, size_field) = self.dialect.request_fields();
        let number = wire_int(&params[number_field]);
        let size = wire_int(&params[size_field]);
        let page = if self.stuck { 1 } else { number };
        let first = (page - 1) * size;
        let records: Vec<_> = (first..self.n.min(first + size)).map(record).collect();
        self.dialect.render_page(&records, number as u32, size as u32, self.claim.unwrap_or(self.n)).unwrap()
    }
}

fn wire_int(v: &Value) -> u64 {
    v.as_u64().or_else(|| v.as_str()?.parse().ok()).expect("a page field")
}

/// Runs a whole scan: the records' texts, the requests sent, and the error that ended it.
fn scan(gateway: Gateway, params: Value, options: PageOptions) -> (Vec<String>, u32, Option<PageError>) {
    let mut pager = Pager::new(gateway.dialect, params, options).unwrap();
    let (mut records, mut requests) = (Vec::new(), 0);
    loop {
        match pager.next_request_params() {
            Ok(Some(params)) => {
                requests += 1;
                let page = pager.on_page(gateway.serve(&params)).unwrap();
                records.extend(page.records().iter().map(|r| r.get().to_owned()));
            }
            Ok(None) => return (records, requests, None),
            Err(e) => return (records, requests, Some(e)),
        }
    }
}

fn expected(n: u64) -> Vec<String> {
    (0..n).map(|i| record(i).get().to_owned()).collect()
}

fn has_total(dialect: PageDialect) -> bool {
    dialect != PageDialect::Records
}

fn size(n: u32) -> PageOptions {
    PageOptions { page_size: Some(n), ..PageOptions::default() }
}

#[test]
fn every_dialect_zero_one_full_and_many_pages() {
    for dialect in PageDialect::ALL {
        // (records, pages a gateway with a total needs, pages one without needs)
        for (n, with_total, without_total) in [(0, 1, 1), (2, 1, 1), (3, 1, 2), (6, 2, 3), (10, 4, 4)] {
            let (records, requests, error) = scan(Gateway::new(dialect, n), json!({"shopId": 9}), size(3));
            assert_eq!(error, None, "{dialect} n={n}");
            assert_eq!(records, expected(n), "{dialect} n={n}");
            let pages = if has_total(dialect) { with_total } else { without_total };
            assert_eq!(requests, pages, "{dialect} n={n}");
        }
    }
}

#[test]
fn requests_carry_the_params_and_the_dialects_page_fields() {
    for dialect in PageDialect::ALL {
        let mut pager = Pager::new(dialect, json!({"shopId": 9, "status": "on"}), size(3)).unwrap();
        let (number, size) = dialect.request_fields();
        let first = pager.next_request_params().unwrap().unwrap();
        assert_eq!(first, json!({"shopId": 9, "status": "on", number: 1, size: 3}), "{dialect}");
        // Asking again without reading a page gives the same request.
        assert_eq!(pager.next_request_params().unwrap().unwrap(), first);
        pager.on_page(Gateway::new(dialect, 10).serve(&first)).unwrap();
        let second = pager.next_request_params().unwrap().unwrap();
        assert_eq!(second, json!({"shopId": 9, "status": "on", number: 2, size: 3}), "{dialect}");
        assert_eq!((pager.pages_read(), pager.records_read(), pager.next_page()), (1, 3, 2));
    }
}

#[test]
fn page_size_from_options_params_or_default() {
    let d = PageDialect::PageSize;
    let pager = Pager::new(d, Value::Null, PageOptions::default()).unwrap();
    assert_eq!(pager.page_size(), DEFAULT_PAGE_SIZE);
    assert_eq!(pager.next_request_params().unwrap().unwrap(), json!({"page": 1, "size": 10}));
    let pager = Pager::new(d, json!({"size": 50}), PageOptions::default()).unwrap();
    assert_eq!(pager.next_request_params().unwrap().unwrap(), json!({"page": 1, "size": 50}));
    // The same size in both places is no conflict.
    assert_eq!(Pager::new(d, json!({"size": 50}), size(50)).unwrap().page_size(), 50);
    // A page size written as a string makes both page fields strings.
    let pager = Pager::new(d, json!({"size": "20"}), PageOptions::default().start_page(4)).unwrap();
    assert_eq!(pager.next_request_params().unwrap().unwrap(), json!({"page": "4", "size": "20"}));
    assert_eq!((PageOptions::default().max_pages, DEFAULT_MAX_PAGES), (1000, 1000));
}

#[test]
fn string_page_fields_scan_to_the_end() {
    let gateway = Gateway::new(PageDialect::ListTotal, 7);
    let (records, requests, error) = scan(gateway, json!({"pageSize": "3"}), PageOptions::default());
    assert_eq!((records, requests, error), (expected(7), 3, None));
}

#[test]
fn start_page_skips_the_pages_before() {
    for dialect in PageDialect::ALL {
        let (records, requests, error) = scan(Gateway::new(dialect, 10), Value::Null, size(3).start_page(3));
        assert_eq!(error, None);
        assert_eq!(records, expected(10)[6..], "{dialect}");
        assert_eq!(requests, 2, "{dialect}");
    }
}

#[test]
fn records_keep_their_exact_text() {
    let data =
        RawValue::from_string(r#"{"list":[{"id":123456789012345678901234, "x" : 1.50}],"total":"1"}"#.into())
            .unwrap();
    let mut pager = Pager::new(PageDialect::ListTotal, Value::Null, PageOptions::default()).unwrap();
    let page = pager.on_page(data).unwrap();
    assert_eq!(page.records()[0].get(), r#"{"id":123456789012345678901234, "x" : 1.50}"#);
    assert_eq!((page.number, page.total, page.total_pages, page.is_last), (1, Some(1), None, true));
}

#[test]
fn a_page_lends_its_records_from_its_own_data() {
    // Escapes, blanks and a PHP index-keyed list: each record is its exact text.
    let text = r#"{"total":3,"list":{"0":{"s":"a\"b\u4e2d"}, "1": [ 1 ,2 ], "2":"x"}}"#;
    let mut pager = Pager::new(PageDialect::ListTotal, Value::Null, PageOptions::default()).unwrap();
    let page = pager.on_page(RawValue::from_string(text.into()).unwrap()).unwrap();
    assert_eq!(page.data().get(), text);
    let expected = [r#"{"s":"a\"b\u4e2d"}"#, "[ 1 ,2 ]", r#""x""#];
    assert_eq!(page.records().iter().map(|r| r.get()).collect::<Vec<_>>(), expected);
    // No copies: every record lies inside the page's own text, in order.
    let data = page.data().get().as_bytes().as_ptr_range();
    let mut after = data.start;
    for record in page.records() {
        let range = record.get().as_bytes().as_ptr_range();
        assert!(after <= range.start && range.end <= data.end, "{record}");
        after = range.end;
    }
    // The page moves (to another thread) with the records it lends.
    let page = std::thread::spawn(move || page).join().unwrap();
    assert_eq!(page.records()[2].get(), r#""x""#);
    let debug = format!("{page:?}");
    assert!(
        debug.starts_with("Page { number: 1, records: [") && debug.ends_with("is_last: true }"),
        "{debug}"
    );
    // Owned records outlive their page.
    let owned = page.into_records();
    assert_eq!(owned.iter().map(|r| r.get()).collect::<Vec<_>>(), expected);
}

fn first_page(dialect: PageDialect, data: &str) -> Result<Page, PageError> {
    let mut pager = Pager::new(dialect, Value::Null, size(2)).unwrap();
    pager.on_page(RawValue::from_string(data.to_owned()).unwrap())
}

#[test]
fn lenient_pages() {
    use PageDialect::*;
    // Totals as strings, numbers as floats; lists as PHP index-keyed objects.
    let page = first_page(DataTotal, r#"{"data":[1,2],"total":"12"}"#).unwrap();
    assert_eq!((page.records().len(), page.total, page.is_last), (2, Some(12), false));
    let page = first_page(PageCount, r#"{"list":{"0":1,"1":2},"totalCount":"4","pageCount":2.0}"#).unwrap();
    assert_eq!((page.total, page.total_pages, page.is_last), (Some(4), Some(2), false));
    // No value at all is an empty, last page.
    for data in ["null", r#""""#, "[]", "{}", r#"{"list":null,"total":0}"#, r#"{"total":"0"}"#] {
        let page = first_page(ListTotal, data).unwrap();
        assert!(page.records().is_empty() && page.is_last, "{data}");
        assert_eq!(page.data().get(), data);
    }
    // Records: a bare list or `{records}`; a full page is not the last.
    assert!(!first_page(Records, "[1,2]").unwrap().is_last);
    assert!(first_page(Records, r#"{"records":[1]}"#).unwrap().is_last);
    // A total that is unknown (empty or negative) falls back to the short-page rule.
    assert!(!first_page(ListTotal, r#"{"list":[1,2],"total":""}"#).unwrap().is_last);
    assert!(first_page(ListTotal, r#"{"list":[1],"total":-1}"#).unwrap().is_last);
}

#[test]
fn a_page_of_another_shape_is_an_error_naming_the_page() {
    use PageDialect::*;
    let cases = [
        (ListTotal, r#"{"data":[1,2],"total":2}"#, "no `list` list in the page"),
        (DataTotal, r#"{"data":[1],"total":"many"}"#, "`total`: "),
        (TotalPage, r#"{"list":5,"totalPage":1}"#, "`list`: "),
        (ResultList, r#""oops""#, "invalid value"),
        (Records, "42", "invalid type"),
    ];
    for (dialect, data, says) in cases {
        let mut pager = Pager::new(dialect, Value::Null, size(2)).unwrap();
        let good = Gateway::new(dialect, 10).serve(&pager.next_request_params().unwrap().unwrap());
        pager.on_page(good.clone()).unwrap();
        let e = pager.on_page(RawValue::from_string(data.to_owned()).unwrap()).unwrap_err();
        assert!(matches!(e, PageError::NotAPage { page: 2, dialect: d, .. } if d == dialect), "{e:?}");
        assert_eq!(e.page(), Some(2));
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("page 2 is not a {dialect} page: ")) && text.contains(says),
            "{text}"
        );
        // The pager is unchanged: page 2 can be asked for again.
        assert_eq!((pager.next_page(), pager.pages_read(), pager.is_done()), (2, 1, false));
        assert!(pager.on_page(good).is_ok());
    }
}

#[test]
fn a_total_that_says_more_than_there_is_ends_at_the_empty_page() {
    for dialect in PageDialect::ALL {
        let gateway = Gateway { claim: Some(1_000_000), ..Gateway::new(dialect, 7) };
        let (records, requests, error) = scan(gateway, Value::Null, size(3));
        // Without a total, the short third page is the last.
        let pages = if has_total(dialect) { 4 } else { 3 };
        assert_eq!((records, requests, error), (expected(7), pages, None), "{dialect}");
    }
}

#[test]
fn a_total_that_says_less_than_there_is_is_believed() {
    for dialect in PageDialect::ALL.into_iter().filter(|&d| has_total(d)) {
        let gateway = Gateway { claim: Some(4), ..Gateway::new(dialect, 20) };
        let (records, requests, error) = scan(gateway, Value::Null, size(3));
        assert_eq!((records, requests, error), (expected(6), 2, None), "{dialect}");
    }
}

#[test]
fn a_gateway_that_never_ends_hits_the_page_cap() {
    for dialect in PageDialect::ALL {
        // The same full page for every page number, with a total that never is reached.
        let gateway = Gateway { claim: Some(i64::MAX as u64), stuck: true, ..Gateway::new(dialect, 3) };
        let (records, requests, error) = scan(gateway, Value::Null, size(3).max_pages(5));
        assert_eq!((records.len(), requests), (15, 5), "{dialect}");
        let e = error.unwrap();
        assert_eq!(e, PageError::TooManyPages { page: 6, max_pages: 5 });
        assert_eq!(
            e.to_string(),
            "page 6 is beyond the cap of 5 pages, and page 5 did not say it was the last"
        );
    }
    // A scan that ends on the cap's last page is no error.
    let (records, requests, error) =
        scan(Gateway::new(PageDialect::Records, 5), Value::Null, size(3).max_pages(2));
    assert_eq!((records, requests, error), (expected(5), 2, None));
}

#[test]
fn the_cap_holds_for_on_page_too_and_a_finished_scan_takes_no_page() {
    let mut pager = Pager::new(PageDialect::Records, Value::Null, size(1).max_pages(1)).unwrap();
    let full = RawValue::from_string("[1]".into()).unwrap();
    assert!(!pager.on_page(full.clone()).unwrap().is_last);
    assert_eq!(pager.on_page(full.clone()).unwrap_err(), PageError::TooManyPages { page: 2, max_pages: 1 });

    let mut pager = Pager::new(PageDialect::Records, Value::Null, size(2)).unwrap();
    assert!(pager.on_page(full.clone()).unwrap().is_last);
    assert!(pager.is_done());
    assert_eq!(pager.next_request_params(), Ok(None));
    let e = pager.on_page(full).unwrap_err();
    assert_eq!((e.clone(), e.page()), (PageError::Finished { page: 2 }, Some(2)));
}

#[test]
fn bad_params_and_options_are_typed_errors() {
    let d = PageDialect::ListTotal;
    let new = |params: Value, options| Pager::new(d, params, options).unwrap_err();
    assert_eq!(new(json!([1]), PageOptions::default()), PageError::ParamsNotObject("an array"));
    assert_eq!(new(json!("x"), PageOptions::default()), PageError::ParamsNotObject("a string"));
    let e = new(json!({"pageNum": 2}), PageOptions::default());
    assert_eq!(e, PageError::PageNumberInParams { field: "pageNum" });
    assert_eq!(e.page(), None);
    for bad in [json!(0), json!(-5), json!(2.5), json!("ten"), json!(null), json!(1u64 << 40)] {
        let e = new(json!({"pageSize": bad.clone()}), PageOptions::default());
        assert_eq!(e, PageError::InvalidPageSize { field: "pageSize", value: bad.to_string() });
    }
    let e = new(json!({"pageSize": 20}), size(30));
    assert_eq!(e.to_string(), "params set the page size `pageSize` to 20, the options to 30");
    for options in [size(0), PageOptions::default().max_pages(0), PageOptions::default().start_page(0)] {
        assert!(matches!(new(Value::Null, options), PageError::InvalidOptions(_)), "{options:?}");
    }
}

#[test]
fn render_page_writes_each_dialect() {
    let records = [1, 2];
    let render = |d: PageDialect| d.render_page(&records, 2, 2, 5).unwrap().get().to_owned();
    assert_eq!(render(PageDialect::DataTotal), r#"{"data":[1,2],"total":5}"#);
    assert_eq!(render(PageDialect::ListTotal), r#"{"list":[1,2],"total":5}"#);
    assert_eq!(
        render(PageDialect::ResultList),
        r#"{"resultList":[1,2],"pageNo":2,"pageSize":2,"totalCount":5}"#
    );
    assert_eq!(render(PageDialect::TotalPage), r#"{"list":[1,2],"currentPage":2,"totalPage":3}"#);
    assert_eq!(render(PageDialect::PageCount), r#"{"list":[1,2],"pageNum":2,"totalCount":5,"pageCount":3}"#);
    assert_eq!(render(PageDialect::PageSize), r#"{"list":[1,2],"page":2,"size":2,"total":5}"#);
    assert_eq!(render(PageDialect::Records), "[1,2]");
}

proptest! {
    /// Any dialect, any number of records, any page size, any start: every record from the
    /// start on, in order, once, in the fewest requests the dialect allows.
    #[test]
    fn scans_read_everything_once(
        dialect in proptest::sample::select(PageDialect::ALL.to_vec()),
        n in 0u64..60, page_size in 1u32..8, start in 1u32..4,
    ) {
        let (records, requests, error) = scan(Gateway::new(dialect, n), Value::Null, size(page_size).start_page(start));
        let skip = (u64::from(start - 1) * u64::from(page_size)).min(n);
        prop_assert_eq!(error, None);
        prop_assert_eq!(&records[..], &expected(n)[skip as usize..]);
        let left = n - skip;
        let full = left.div_ceil(u64::from(page_size));
        let needs_empty = left == 0 || (!has_total(dialect) && left % u64::from(page_size) == 0);
        prop_assert_eq!(u64::from(requests), full + u64::from(needs_empty));
    }

    /// Whatever a gateway claims, a scan ends within the cap.
    #[test]
    fn lying_gateways_never_loop(
        dialect in proptest::sample::select(PageDialect::ALL.to_vec()),
        n in 0u64..30, claim in proptest::option::of(0u64..i64::MAX as u64), stuck: bool, max_pages in 1u32..12,
    ) {
        let gateway = Gateway { claim, stuck, ..Gateway::new(dialect, n) };
        let (_, requests, error) = scan(gateway, Value::Null, size(3).max_pages(max_pages));
        prop_assert!(requests <= max_pages);
        if let Some(e) = error {
            prop_assert_eq!(e, PageError::TooManyPages { page: max_pages + 1, max_pages });
        }
    }
}

/// Params given as JSON text keep every member as written on every page: numbers beyond
/// `u64` and `f64` too (issue 11 item 4).
#[test]
fn params_given_as_text_are_sent_exactly() {
    let raw = |s: &str| RawValue::from_string(s.to_owned()).unwrap();
    let params = raw(r#"{"id":164822200532619796511,"x":0.1000000000000000000001,"inf":1e400,"size":"3"}"#);
    let mut pager = Pager::from_json(PageDialect::PageSize, &params, PageOptions::default()).unwrap();
    let first = pager.next_request_json().unwrap().unwrap();
    assert_eq!(
        first.get(),
        r#"{"id":164822200532619796511,"inf":1e400,"page":"1","size":"3","x":0.1000000000000000000001}"#
    );
    // As a `Value` they cannot be: said, not rounded silently past f64's range.
    assert!(matches!(pager.next_request_params(), Err(PageError::Params(_))));
    pager.on_page(raw(r#"{"list":[1,2,3],"total":4}"#)).unwrap();
    assert!(pager.next_request_json().unwrap().unwrap().get().contains(r#""page":"2""#));
    // `null` is no params; anything but an object is refused by name.
    let none = Pager::from_json(PageDialect::DataTotal, RawValue::NULL, PageOptions::default()).unwrap();
    assert_eq!(none.next_request_json().unwrap().unwrap().get(), r#"{"pageNo":1,"pageSize":10}"#);
    for (text, what) in
        [("[1]", "an array"), ("12", "a number"), ("\"a\"", "a string"), ("true", "a boolean")]
    {
        assert_eq!(
            Pager::from_json(PageDialect::DataTotal, &raw(text), PageOptions::default()).unwrap_err(),
            PageError::ParamsNotObject(what)
        );
    }
    // A page size in the params is read from its exact text, and named so when refused.
    for bad in ["99999999999999999999999", "-1", "1.5", "\"x\"", "1e400"] {
        let params = raw(&format!(r#"{{"pageSize":{bad}}}"#));
        let e = Pager::from_json(PageDialect::DataTotal, &params, PageOptions::default()).unwrap_err();
        assert_eq!(e, PageError::InvalidPageSize { field: "pageSize", value: bad.to_owned() });
    }
}
