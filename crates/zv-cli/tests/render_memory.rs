//! A table of records with many distinct keys takes memory linear in the answer (its own
//! test binary, so the peak memory of the `zv` processes it waits for is this test's
//! alone). A 266 KB answer used to take 1 GB: one cell per record per key, for every layout
//! tried.

#[path = "it/common.rs"]
mod common;

use common::*;
use zv_mock::{Endpoints, MockConfig, Stubs};

/// The largest peak resident memory of the children waited for so far, in KiB (Linux
/// `ru_maxrss` of `RUSAGE_CHILDREN`).
fn children_peak_rss_kib() -> u64 {
    // SAFETY: getrusage writes the struct it is given, zeroed here, and nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) }, 0);
    u64::try_from(usage.ru_maxrss).unwrap()
}

/// The records of the answer: `n` of them, each with three keys of its own.
fn records(n: usize) -> String {
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id":{i},"name":"会员{i}","a{i}":"x","b{i}":[1,2],"c{i}":{{"d":null}},"note":"——"}}"#
            )
        })
        .collect();
    format!("[{}]", records.join(","))
}

#[test]
#[cfg(target_os = "linux")]
fn a_quarter_megabyte_of_distinct_keys_renders_in_bounded_memory() {
    // ~270 KB: 3000 records, each with three keys of its own (9000 keys in all).
    let text = records(3000);
    assert!(text.len() > 250_000, "{}", text.len());
    let stubs = format!(
        r#"{{"stubs": [{{"path": "v3/test/many/keys", "data": {text}}}, {{"path": "v3/test/few/keys", "data": {}}}]}}"#,
        records(3)
    );
    let endpoints = Endpoints::builtin().stubs(&Stubs::from_json(&stubs).unwrap());
    let (_mock, zv) = mock_with_and_zv(MockConfig::new().endpoints(endpoints));
    // The baseline: the same command with a small answer.
    ok(&run(zv(), &["api", "v3/test/few/keys", "--yes", "--format", "table"]));
    let before = children_peak_rss_kib();
    // No width (a pipe), and 80 columns.
    for columns in [None, Some("80")] {
        let mut c = zv();
        if let Some(columns) = columns {
            c.env("COLUMNS", columns);
        }
        let r = run(c, &["api", "v3/test/many/keys", "--yes", "--format", "table"]);
        let table = ok(&r);
        let last = table.lines().last().unwrap();
        // 9003 keys, at most 24 columns shown.
        assert!(last.starts_with(&format!("({} more columns: ", 9003 - 24)), "{last}");
        assert_eq!(table.lines().filter(|l| l.contains("会员2999")).count(), 1);
    }
    let grown_mib = children_peak_rss_kib().saturating_sub(before) / 1024;
    // A cell per record per key would be 27 million cells: gigabytes.
    assert!(grown_mib < 64, "peak memory grew by {grown_mib} MiB");
}
