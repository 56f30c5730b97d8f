//! A table of records with many distinct keys takes memory linear in the answer (its own
//! test binary, so the process's peak memory is this test's alone). A 266 KB answer used to
//! take 1 GB: one cell per record per key, for every layout tried.

use zv_cli::render::{Data, Layout, MAX_COLUMNS};

/// The peak resident memory of this process so far, in KiB (Linux `VmHWM`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_quarter_megabyte_of_distinct_keys_renders_in_bounded_memory() {
    // ~270 KB: 3000 records, each with three keys of its own (9000 keys in all).
    let records: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r#"{{"id":{i},"name":"会员{i}","a{i}":"x","b{i}":[1,2],"c{i}":{{"d":null}},"note":"——"}}"#
            )
        })
        .collect();
    let text = format!("[{}]", records.join(","));
    assert!(text.len() > 250_000, "{}", text.len());
    let Some(before) = peak_rss_kib() else {
        eprintln!("no /proc/self/status: memory not measured");
        return;
    };
    let data = Data::from_json(&text).unwrap();
    for layout in [Layout::UNLIMITED, Layout::fixed(80), Layout::fixed(80).wrapped()] {
        let table = data.render(layout);
        let last = table.lines().last().unwrap();
        assert!(last.starts_with(&format!("({} more columns: ", 9003 - MAX_COLUMNS)), "{last}");
        assert_eq!(table.lines().filter(|l| l.contains("会员2999")).count(), 1);
    }
    let grown_mib = (peak_rss_kib().unwrap() - before) / 1024;
    // A cell per record per key would be 27 million cells: gigabytes.
    assert!(grown_mib < 64, "peak memory grew by {grown_mib} MiB");
}
