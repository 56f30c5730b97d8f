//! Paged scans end to end: signed page requests over real sockets to zv-mock, which answers
//! each with a scripted page (`Fault::Respond`), through both backends.

use std::collections::HashSet;

use futures_util::StreamExt;
use serde_json::json;
use serde_json::value::RawValue;
use zv_api::pages::{PageDialect, PageOptions};
use zv_api::{Error, ErrorKind, UntypedRequest};
use zv_integration_tests::{BACKENDS, Backend, Env};
use zv_mock::{Endpoints, Fault, MockConfig, Verdict};

/// A path the mock serves (it checks the route before it applies a fault), not in the
/// catalogue: the strict mock takes any params there, page fields included.
const PATH: &str = "/v3/zvtest/paged/list";

fn env() -> Env {
    let endpoints =
        Endpoints::builtin().v3(PATH, |_: serde_json::Value, _: &zv_mock::CallContext<'_>| Ok(json!([])));
    Env::new(MockConfig::new().endpoints(endpoints.unwrap()))
}

/// Record `i`: an id beyond `u64`, which survives only as the exact text sent.
fn record(i: u64) -> Box<RawValue> {
    RawValue::from_string(format!(r#"{{"id":98765432109876543210{i:02}}}"#)).unwrap()
}

/// Queues page `number` of `n` records, `size` a page, in `dialect`, as the mock's next answer.
fn push_page(env: &Env, dialect: PageDialect, number: u32, size: u32, n: u64) {
    let first = u64::from(number - 1) * u64::from(size);
    let records: Vec<_> = (first..n.min(first + u64::from(size))).map(record).collect();
    let data = dialect.render_page(&records, number, size, n).unwrap();
    let body = format!(r#"{{"status":true,"code":0,"message":"请求成功","data":{}}}"#, data.get());
    env.mock.push_fault(Fault::Respond { status: 200, body });
}

/// Every record of a scan (its text, or the error), through `backend`.
fn scan(
    env: &Env,
    backend: Backend,
    request: &UntypedRequest<'_>,
    dialect: PageDialect,
) -> Vec<Result<String, Error>> {
    let options = PageOptions::default().page_size(4);
    let text = |r: Result<Box<RawValue>, Error>| r.map(|r| r.get().to_owned());
    match backend {
        Backend::BlockingUreq => env.blocking.records(request, dialect, options).map(text).collect(),
        Backend::AsyncReqwest => {
            env.rt.block_on(env.asynch.records(request, dialect, options).map(text).collect())
        }
    }
}

fn request() -> UntypedRequest<'static> {
    UntypedRequest::v3(PATH, json!({"user_id": "10001"})).unwrap()
}

#[test]
fn every_page_is_a_signed_verified_request_and_every_record_arrives_exactly() {
    let env = env();
    for backend in BACKENDS {
        for dialect in [PageDialect::DataTotal, PageDialect::PageCount, PageDialect::Records] {
            env.mock.clear_log();
            // 10 records, 4 a page: 3 pages (the last one short).
            for number in 1..=3 {
                push_page(&env, dialect, number, 4, 10);
            }
            let records: Vec<String> =
                scan(&env, backend, &request(), dialect).into_iter().collect::<Result<_, _>>().unwrap();
            let expected: Vec<String> = (0..10).map(|i| record(i).get().to_owned()).collect();
            assert_eq!(records, expected, "{backend:?} {dialect}");

            let log = env.mock.log();
            assert_eq!(log.len(), 3, "{backend:?} {dialect}: {log:?}");
            assert!(log.iter().all(|e| e.verdict == Verdict::Ok), "every page verified: {log:?}");
            let (number, size) = dialect.request_fields();
            for (i, entry) in log.iter().enumerate() {
                let params = entry.params.as_ref().unwrap();
                assert_eq!(
                    params,
                    &json!({"user_id": "10001", number: i + 1, size: 4}),
                    "{backend:?} {dialect}"
                );
            }
            assert_eq!(log.iter().map(|e| e.nonce).collect::<HashSet<_>>().len(), 3, "a fresh nonce a page");
        }
    }
}

#[test]
fn an_http_error_on_page_two_ends_the_scan_after_page_one() {
    let env = env();
    for backend in BACKENDS {
        env.mock.clear_log();
        push_page(&env, PageDialect::ListTotal, 1, 4, 10);
        env.mock.push_fault(Fault::HttpStatus(502));
        // Declared unsafe (the path is a catalogued read, so it would be retried): the 502 is not
        // retried, and no page after it is asked for.
        let mut records = scan(&env, backend, &request().retry_safe(false), PageDialect::ListTotal);
        let e = records.pop().unwrap().unwrap_err();
        assert_eq!(records.len(), 4, "{backend:?}: page 1 stays yielded");
        assert_eq!((e.page(), e.kind()), (Some(2), ErrorKind::Http), "{backend:?}: {e}");
        assert!(e.to_string().starts_with(&format!("page 2: HTTP 502 Bad Gateway from {PATH}: ")), "{e}");
        assert_eq!(env.mock.log().len(), 2, "{backend:?}");
    }
}
