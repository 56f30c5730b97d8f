//! The pager keys of issue 12: `pager_vs_manual` (the async pager against a hand-written
//! page loop, both reading every record's text borrowed from its page) and `pager_rss_growth_mib` (the peak memory growth of a long scan, measured in
//! a child process).

use std::hint::black_box;
use std::io;
use std::pin::pin;
use std::process::{Command, Stdio};
use std::time::Instant;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use zv_api::UntypedRequest;
use zv_api::pages::{PageDialect, PageOptions};

use crate::cases::{async_client, credentials, runtime, sequential};
use crate::fixtures::{ITEMS_PATH, ItemPages, ManualPage};
use crate::harness::{Comparison, Plan, compare};
use crate::server::Server;
use crate::{Figure, round2};

/// Records per page, both keys.
pub const PAGE_SIZE: u32 = 200;
/// The pages one scan of `pager_vs_manual` reads.
pub const COMPARED_PAGES: u32 = 20;
/// The pages the memory scan of `pager_rss_growth_mib` streams.
pub const STREAMED_PAGES: u32 = 1_000;
/// The argument that makes `zv-bench` the child process of the memory scan.
pub const RSS_CHILD_ARG: &str = "--pager-rss-child";

/// The caller's params of every page request (the page fields are added to them).
fn params() -> Value {
    json!({"shopCode": "S10001"})
}

/// The paged request both sides send, declared a read (as the catalogue has it) so that
/// both are retried alike.
fn request() -> UntypedRequest<'static> {
    UntypedRequest::v3(ITEMS_PATH, params()).expect("a valid V3 path and JSON params").retry_safe(true)
}

fn options(pages: u32) -> PageOptions {
    PageOptions::default().page_size(PAGE_SIZE).max_pages(pages)
}

/// Every record of `pages` pages through the async pager, as a user reading records does:
/// `Client::pages`, each page's records borrowed from it (`Page::records`), each seen and
/// dropped with its page; the number of records.
async fn pager_scan(client: &zv_api::Client, pages: u32) -> Result<u64, zv_api::Error> {
    let request = request();
    let mut pages = pin!(client.pages(&request, PageDialect::DataTotal, options(pages)));
    let mut seen = 0;
    while let Some(page) = pages.next().await {
        let page = page?;
        for &record in page.records() {
            black_box(record);
        }
        seen += page.records().len() as u64;
    }
    Ok(seen)
}

/// The same pages fetched by hand: `send_untyped` with `pageNo`/`pageSize` set, the records
/// borrowed from the page's `data`, until the records seen reach the total (or a page is
/// empty); the number of records.
async fn manual_scan(client: &zv_api::Client) -> Result<u64, String> {
    let mut seen = 0;
    for page_no in 1.. {
        let mut params = params();
        params["pageNo"] = page_no.into();
        params["pageSize"] = PAGE_SIZE.into();
        let request = UntypedRequest::v3(ITEMS_PATH, params).map_err(|e| e.to_string())?.retry_safe(true);
        let response = client.send_untyped(&request).await.map_err(|e| e.to_string())?;
        let page: ManualPage<'_> = serde_json::from_str(response.data.get()).map_err(|e| e.to_string())?;
        let count = page.data.len() as u64;
        for record in page.data {
            black_box(record);
        }
        seen += count;
        if count == 0 || seen >= page.total {
            break;
        }
    }
    Ok(seen)
}

/// `pager_vs_manual`: one operation is a scan of [`COMPARED_PAGES`] pages of [`PAGE_SIZE`]
/// records, both sides with the same client against the same local server.
pub fn pager_vs_manual(plan: Plan) -> Comparison {
    let pages = ItemPages::new(COMPARED_PAGES, PAGE_SIZE);
    let total = pages.total();
    let server = Server::paged(pages).expect("a local server on 127.0.0.1");
    let rt = runtime();
    let client = async_client(&server.base_url(), credentials());
    let zv = sequential(&rt, || async {
        let seen = pager_scan(&client, COMPARED_PAGES).await.expect("the pager reads every page");
        assert_eq!(seen, total, "the pager reads every record");
    });
    let manual = sequential(&rt, || async {
        let seen = manual_scan(&client).await.expect("the loop reads every page");
        assert_eq!(seen, total, "the loop reads every record");
    });
    compare(plan, zv, manual)
}

/// What the child process of the memory scan reports.
#[derive(Debug, Serialize, Deserialize)]
struct RssReport {
    records: u64,
    hwm_before_kib: u64,
    hwm_after_kib: u64,
    rss_before_kib: u64,
    rss_after_kib: u64,
    seconds: f64,
}

/// `pager_rss_growth_mib`: streams [`STREAMED_PAGES`] pages of [`PAGE_SIZE`] records from a
/// server in this process through the async pager in a child process (`zv-bench
/// --pager-rss-child URL PAGES`), which measures its own peak resident set (`VmHWM`) before and
/// after. The server writes each page when asked for, and lives in another process anyway.
pub fn pager_rss() -> Result<Figure, String> {
    let pages = ItemPages::new(STREAMED_PAGES, PAGE_SIZE);
    let total = pages.total();
    let server = Server::paged(pages).map_err(|e| format!("a local server: {e}"))?;
    let exe = std::env::current_exe().map_err(|e| format!("where zv-bench is: {e}"))?;
    let output = Command::new(exe)
        .arg(RSS_CHILD_ARG)
        .arg(server.base_url())
        .arg(STREAMED_PAGES.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the child process: {e}"))?;
    if !output.status.success() {
        return Err(format!("the child process failed ({})", output.status));
    }
    let report: RssReport = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("the child's report: {e}: {}", String::from_utf8_lossy(&output.stdout)))?;
    if report.records != total {
        return Err(format!("the child streamed {} records, not {total}", report.records));
    }
    let growth_kib = report.hwm_after_kib.saturating_sub(report.hwm_before_kib);
    let growth_mib = growth_kib as f64 / 1024.0;
    Ok(Figure {
        value: growth_mib,
        unit: "MiB",
        count: report.records,
        detail: json!({
            "records": report.records,
            "pages": STREAMED_PAGES,
            "page_size": PAGE_SIZE,
            "vm_hwm_before_kib": report.hwm_before_kib,
            "vm_hwm_after_kib": report.hwm_after_kib,
            "vm_rss_before_kib": report.rss_before_kib,
            "vm_rss_after_kib": report.rss_after_kib,
            "stream_s": round2(report.seconds),
            "records_per_s": (report.records as f64 / report.seconds).round(),
            "measured": "in a child process: VmHWM of /proc/self/status before the first request (client and runtime built) and after the last record; the server is in the parent",
        }),
    })
}

/// The child process of [`pager_rss`] (`zv-bench --pager-rss-child URL PAGES`): streams
/// every record of `PAGES` pages from `URL` and prints what it measured as JSON.
pub fn rss_child(args: &[String]) -> Result<(), String> {
    let [base_url, pages] = args else {
        return Err(format!("{RSS_CHILD_ARG} needs a URL and a number of pages"));
    };
    let pages = pages.parse().map_err(|_| format!("{RSS_CHILD_ARG}: `{pages}` is not a number of pages"))?;
    let report = measure_scan(base_url, pages)?;
    println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?);
    Ok(())
}

/// Streams every record of `pages` pages from `base_url` through the async pager, with the
/// resident set before (the client and its runtime built, nothing sent) and after.
fn measure_scan(base_url: &str, pages: u32) -> Result<RssReport, String> {
    let rt = runtime();
    let client = async_client(base_url, credentials());
    let (hwm_before_kib, rss_before_kib) = (status_kib("VmHWM")?, status_kib("VmRSS")?);
    let start = Instant::now();
    let records = rt.block_on(pager_scan(&client, pages)).map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(RssReport {
        records,
        hwm_before_kib,
        hwm_after_kib: status_kib("VmHWM")?,
        rss_before_kib,
        rss_after_kib: status_kib("VmRSS")?,
        seconds,
    })
}

/// A `kB` field of `/proc/self/status` (Linux), e.g. `VmHWM`, the peak resident set.
fn status_kib(field: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e: io::Error| format!("/proc/self/status (Linux only): {e}"))?;
    parse_status_kib(&status, field).ok_or_else(|| format!("no `{field}` in /proc/self/status"))
}

fn parse_status_kib(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(field)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_fields() {
        let status = "Name:\tzv-bench\nVmPeak:\t  123 kB\nVmHWM:\t    4567 kB\nVmRSS:\t 89 kB\n";
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(4567));
        assert_eq!(parse_status_kib(status, "VmRSS"), Some(89));
        assert_eq!(parse_status_kib(status, "VmSwap"), None);
        assert_eq!(parse_status_kib("VmHWM:\tmany kB\n", "VmHWM"), None);
        assert!(status_kib("VmHWM").unwrap() > 0, "this test runs on Linux");
    }

    #[test]
    fn both_sides_read_every_record() {
        let pages = ItemPages::new(3, PAGE_SIZE);
        let server = Server::paged(pages).unwrap();
        let rt = runtime();
        let client = async_client(&server.base_url(), credentials());
        assert_eq!(rt.block_on(pager_scan(&client, 3)).unwrap(), 600);
        assert_eq!(rt.block_on(manual_scan(&client)).unwrap(), 600);
        // A cap below the number of pages is an error, not a short scan.
        assert!(rt.block_on(pager_scan(&client, 2)).is_err());
    }

    #[test]
    fn the_comparison_runs_both_sides() {
        let c = pager_vs_manual(crate::harness::test_plan());
        assert_eq!((c.zv_ns.len(), c.floor_ns.len()), (2, 2));
        assert!(c.ratio().is_finite());
    }

    #[test]
    fn the_child_measures_a_whole_scan() {
        let server = Server::paged(ItemPages::new(4, PAGE_SIZE)).unwrap();
        let report = measure_scan(&server.base_url(), 4).unwrap();
        assert_eq!(report.records, 800);
        assert!(report.hwm_after_kib >= report.hwm_before_kib && report.hwm_before_kib > 0);
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(rss_child(&args(&[&server.base_url()])).unwrap_err().contains("needs a URL"));
        assert!(rss_child(&args(&[&server.base_url(), "many"])).unwrap_err().contains("not a number"));
        // A cap below the pages served: an error naming the cap, not a short scan.
        assert!(measure_scan(&server.base_url(), 3).unwrap_err().contains("cap"));
    }
}
