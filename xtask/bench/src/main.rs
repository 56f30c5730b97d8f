//! `zv-bench`: the harness behind `cargo xtask bench` (always built in release mode).
//!
//! Most figures are a ratio of the zv SDK against its floor, measured side by side in one
//! process, interleaved in rounds (the order alternating), as the median over rounds of
//! the per-round ratio; a few are absolute (a throughput, a memory growth, a rate against
//! its quota). See `docs/benchmarks.md`. Usage: `zv-bench [--quick] [--out FILE] [--only
//! TEXT] [--rounds N]`.

mod cases;
mod fixtures;
mod generated;
mod harness;
mod limiter;
mod mock;
mod pager;
mod server;
mod validate;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Comparison, Plan, quantile};
use crate::mock::MockPlan;
use crate::server::Server;

/// A key's goal, and which way is better.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Goal {
    /// At most this (lower is better): the ratios.
    AtMost(f64),
    /// Strictly below this (lower is better).
    Below(f64),
    /// At least this (higher is better).
    AtLeast(f64),
}

impl Goal {
    fn bound(self) -> f64 {
        match self {
            Goal::AtMost(v) | Goal::Below(v) | Goal::AtLeast(v) => v,
        }
    }

    fn met(self, value: f64) -> bool {
        match self {
            Goal::AtMost(goal) => value <= goal,
            Goal::Below(goal) => value < goal,
            Goal::AtLeast(goal) => value >= goal,
        }
    }

    /// The comparison, as the report writes it.
    fn comparison(self) -> &'static str {
        match self {
            Goal::AtMost(_) => "<=",
            Goal::Below(_) => "<",
            Goal::AtLeast(_) => ">=",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Goal::AtMost(_) => "≤",
            Goal::Below(_) => "<",
            Goal::AtLeast(_) => "≥",
        }
    }

    /// The worse of two values of sub-cases.
    fn worse(self, a: f64, b: f64) -> f64 {
        match self {
            Goal::AtMost(_) | Goal::Below(_) => a.max(b),
            Goal::AtLeast(_) => a.min(b),
        }
    }
}

/// One reported key: its goal and the sub-cases whose worst figure it holds.
struct Key {
    name: &'static str,
    goal: Goal,
    cases: &'static [&'static str],
}

const KEYS: &[Key] = &[
    Key { name: "sign_vs_bare_hmac", goal: Goal::AtMost(1.3), cases: &["sign"] },
    Key {
        name: "decode_lenient_vs_strict",
        goal: Goal::AtMost(1.10),
        cases: &["decode_gift_cards", "decode_coupons"],
    },
    Key { name: "decode_generated_vs_strict", goal: Goal::AtMost(1.10), cases: &["decode_order_detail"] },
    Key { name: "blocking_vs_raw_ureq", goal: Goal::AtMost(1.05), cases: &["blocking"] },
    Key {
        name: "async_vs_raw_reqwest",
        goal: Goal::AtMost(1.05),
        cases: &["async_sequential", "async_64_in_flight"],
    },
    Key { name: "pager_vs_manual", goal: Goal::AtMost(1.05), cases: &["pager_records"] },
    Key { name: "pager_rss_growth_mib", goal: Goal::Below(32.0), cases: &["pager_rss"] },
    Key { name: "mock_rps", goal: Goal::AtLeast(5_000.0), cases: &["mock_gift_cards"] },
    Key { name: "limiter_rate_vs_quota", goal: Goal::AtLeast(0.9), cases: &["limiter_rate"] },
    Key {
        name: "limiter_overhead",
        goal: Goal::AtMost(1.02),
        cases: &["limiter_sequential", "limiter_64_in_flight"],
    },
    Key { name: "validate_overhead", goal: Goal::AtMost(1.02), cases: &["validate_untyped"] },
];

/// An absolute figure (not a ratio of two sides).
#[derive(Debug, Clone)]
pub struct Figure {
    /// The figure.
    pub value: f64,
    /// Its unit.
    pub unit: &'static str,
    /// What was counted (calls, records).
    pub count: u64,
    /// How it was measured, for the report.
    pub detail: Value,
}

/// What a sub-case measured.
enum Outcome {
    Ratio(Comparison),
    Absolute(Figure),
}

impl Outcome {
    /// The figure its key compares with the goal.
    fn value(&self) -> f64 {
        match self {
            Outcome::Ratio(c) => c.ratio(),
            Outcome::Absolute(f) => f.value,
        }
    }
}

/// What each sub-case compares (numerator, denominator).
fn sides(case: &str) -> (&'static str, &'static str) {
    match case {
        "sign" => ("zv_sign::Signer::sign (token)", "Hmac<Sha1> clone+update+finalize"),
        "decode_gift_cards" => ("decode_endpoint::<GetCustomerGiftCardList>", "serde_json strict structs"),
        "decode_coupons" => ("decode_endpoint::<UserCouponList>", "serde_json strict structs"),
        "decode_order_detail" => (
            "decode_endpoint::<endpoints::OrderDetail> (generated, lenient), 12 discounts",
            "serde_json strict structs of the same fields",
        ),
        "blocking" => ("zv_api::blocking::Client::gift_cards", "raw ureq::Agent POST + strict parse"),
        "async_sequential" => ("zv_api::Client::gift_cards, sequential", "raw reqwest::Client, sequential"),
        "async_64_in_flight" => {
            ("zv_api::Client::gift_cards, 64 in flight", "raw reqwest::Client, 64 in flight")
        }
        "pager_records" => (
            "zv_api::Client::pages, 20 pages of 200, records borrowed",
            "send_untyped loop, pageNo/pageSize by hand, records borrowed",
        ),
        "pager_rss" => ("VmHWM growth, Client::pages of 1,000 pages of 200", "—"),
        "mock_gift_cards" => ("zv-mock answering Client::gift_cards, 64 in flight", "—"),
        "limiter_rate" => ("Client::gift_cards limited to 50/s, 200 calls by 8 tasks", "the quota"),
        "limiter_sequential" => (
            "Client::gift_cards, a limiter that never binds, sequential",
            "Client::gift_cards, no limiter, sequential",
        ),
        "limiter_64_in_flight" => (
            "Client::gift_cards, a limiter that never binds, 64 in flight",
            "Client::gift_cards, no limiter, 64 in flight",
        ),
        "validate_untyped" => (
            "zv api's untyped call (blocking send_untyped), params checked against the catalogue",
            "the same call on --no-validate's path",
        ),
        _ => ("?", "?"),
    }
}

#[derive(Debug, Default)]
struct Args {
    quick: bool,
    /// Overrides the number of rounds (e.g. a handful under a profiler).
    rounds: Option<usize>,
    out: Option<PathBuf>,
    only: Option<String>,
}

fn parse_args(argv: Vec<String>) -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = argv.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => args.quick = true,
            "--out" => args.out = Some(it.next().ok_or("--out needs a file")?.into()),
            "--only" => args.only = Some(it.next().ok_or("--only needs a text")?),
            "--rounds" => {
                let n = it.next().ok_or("--rounds needs a number")?;
                args.rounds = Some(n.parse().map_err(|_| format!("--rounds: `{n}` is not a number"))?);
            }
            "-h" | "--help" => {
                println!("zv-bench [--quick] [--out FILE] [--only TEXT] [--rounds N]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

/// The rounds and round lengths of a run.
struct Plans {
    in_process: Plan,
    http: Plan,
    mock: MockPlan,
}

fn plans(quick: bool, rounds: Option<usize>) -> Plans {
    let ms = Duration::from_millis;
    let rounds = rounds.unwrap_or(if quick { 150 } else { 400 }).max(1);
    Plans {
        in_process: Plan { rounds, per_side: ms(if quick { 5 } else { 10 }), warm_up: ms(200), multiple: 1 },
        http: Plan { rounds, per_side: ms(if quick { 30 } else { 50 }), warm_up: ms(500), multiple: 1 },
        mock: MockPlan { warm_up: 2_048, calls: 20_000, batches: if quick { 3 } else { 7 } },
    }
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == name).then(|| v.trim().to_owned())
        })
    };
    let flags = field("flags").unwrap_or_default();
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let pretty = os_release.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"'));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    json!({
        "cpu_model": field("model name").unwrap_or_else(|| "unknown".into()),
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "os": format!("{} {} ({}, kernel {})", std::env::consts::OS, std::env::consts::ARCH,
            pretty.unwrap_or("unknown"), kernel.trim()),
        "sha_extensions": flags.split_whitespace().any(|f| f == "sha_ni"),
    })
}

fn detail(case: &str, outcome: &Outcome) -> Value {
    let (zv, floor) = sides(case);
    match outcome {
        Outcome::Ratio(c) => {
            let ratios = c.round_ratios();
            json!({
                "zv": zv,
                "floor": floor,
                "zv_median_ns": round2(c.zv_median()),
                "floor_median_ns": round2(c.floor_median()),
                "ratio": round4(c.ratio()),
                "ratio_of_medians": round4(c.ratio_of_medians()),
                "round_ratio_p10": round4(quantile(&ratios, 0.1)),
                "round_ratio_p90": round4(quantile(&ratios, 0.9)),
                "iterations": c.iterations,
                "rounds": c.zv_ns.len(),
            })
        }
        Outcome::Absolute(f) => {
            let mut detail = json!({"what": zv, "value": round4(f.value), "unit": f.unit, "count": f.count});
            if let (Some(detail), Value::Object(more)) = (detail.as_object_mut(), &f.detail) {
                detail.extend(more.clone());
            }
            detail
        }
    }
}

/// Rounds to 2 decimals.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some(pager::RSS_CHILD_ARG) {
        if let Err(e) = pager::rss_child(&argv[1..]) {
            eprintln!("zv-bench: {e}");
            std::process::exit(1);
        }
        return;
    }
    let args = match parse_args(argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("zv-bench: {e}");
            std::process::exit(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("zv-bench: warning: a debug build; the figures mean nothing (use `cargo xtask bench`)");
    }
    let started = Instant::now();
    let plans = plans(args.quick, args.rounds);
    let wanted = |case: &str| {
        let key = KEYS.iter().find(|k| k.cases.contains(&case)).map_or("", |k| k.name);
        args.only.as_deref().is_none_or(|o| case.contains(o) || key.contains(o))
    };
    let gift_cards = fixtures::gift_card_body();
    let server = Server::start(gift_cards.clone()).expect("a local server on 127.0.0.1");

    let mut results: Vec<(&str, Outcome)> = Vec::new();
    let mut failures: Vec<(&str, String)> = Vec::new();
    let mut run = |case: &'static str, f: &dyn Fn() -> Result<Outcome, String>| {
        if !wanted(case) {
            return;
        }
        let (zv, floor) = sides(case);
        eprint!("  {case:<20} {zv} vs {floor} ... ");
        let t = Instant::now();
        match f() {
            Ok(outcome) => {
                let shown = match &outcome {
                    Outcome::Ratio(c) => format!("{:.3}", c.ratio()),
                    Outcome::Absolute(f) => format!("{:.1} {}", f.value, f.unit),
                };
                eprintln!("{shown} ({:.1}s)", t.elapsed().as_secs_f64());
                results.push((case, outcome));
            }
            Err(e) => {
                eprintln!("FAILED: {e}");
                failures.push((case, e));
            }
        }
    };
    let ratio = |c: Comparison| Ok(Outcome::Ratio(c));
    eprintln!(
        "zv-bench: {} run, {} rounds per comparison",
        if args.quick { "quick" } else { "full" },
        plans.http.rounds
    );
    run("sign", &|| ratio(cases::sign(plans.in_process)));
    run("decode_gift_cards", &|| ratio(cases::decode_gift_cards(plans.in_process)));
    run("decode_coupons", &|| ratio(cases::decode_coupons(plans.in_process)));
    run("decode_order_detail", &|| generated::decode_generated(plans.in_process).map(Outcome::Ratio));
    run("blocking", &|| ratio(cases::blocking(plans.http, &server)));
    if wanted("async_sequential") || wanted("async_64_in_flight") {
        let sides = cases::AsyncSides::new(&server);
        run("async_sequential", &|| ratio(sides.sequential(plans.http)));
        run("async_64_in_flight", &|| ratio(sides.concurrent(plans.http)));
    }
    run("pager_records", &|| ratio(pager::pager_vs_manual(plans.http)));
    run("pager_rss", &|| pager::pager_rss().map(Outcome::Absolute));
    run("mock_gift_cards", &|| mock::mock_rps(plans.mock).map(Outcome::Absolute));
    run("limiter_rate", &|| {
        limiter::rate_vs_quota(&server, limiter::QUOTA, limiter::CALLS).map(Outcome::Absolute)
    });
    if wanted("limiter_sequential") || wanted("limiter_64_in_flight") {
        match limiter::OverheadSides::new(&server) {
            Ok(sides) => {
                run("limiter_sequential", &|| sides.sequential(plans.http).map(Outcome::Ratio));
                run("limiter_64_in_flight", &|| sides.concurrent(plans.http).map(Outcome::Ratio));
            }
            Err(e) => run("limiter_sequential", &|| Err(e.clone())),
        }
    }
    run("validate_untyped", &|| validate::validate_overhead(plans.http, &server).map(Outcome::Ratio));

    let report = report(&args, &plans, &results, &failures, gift_cards.len(), started.elapsed());
    print_table(&results, &report);
    if let Some(out) = &args.out {
        let text = serde_json::to_string_pretty(&report).expect("a JSON value serializes") + "\n";
        if let Err(e) = std::fs::write(out, text) {
            eprintln!("zv-bench: cannot write {}: {e}", out.display());
            std::process::exit(1);
        }
        println!("report written to {}", out.display());
    }
    if !failures.is_empty() {
        eprintln!("zv-bench: {} case(s) failed", failures.len());
        std::process::exit(1);
    }
}

/// The key of each measured key with its value (the worst of its sub-cases).
fn key_values<'k>(results: &[(&str, Outcome)]) -> Vec<(&'k Key, f64)> {
    KEYS.iter()
        .filter_map(|key| {
            let worst = results
                .iter()
                .filter(|(c, _)| key.cases.contains(c))
                .map(|(_, o)| o.value())
                .reduce(|a, b| key.goal.worse(a, b))?;
            Some((key, worst))
        })
        .collect()
}

fn report(
    args: &Args,
    plans: &Plans,
    results: &[(&str, Outcome)],
    failures: &[(&str, String)],
    body_len: usize,
    took: Duration,
) -> Value {
    let mut report = serde_json::Map::new();
    let mut goals = serde_json::Map::new();
    for (key, value) in key_values(results) {
        report.insert(key.name.into(), json!(round4(value)));
        goals.insert(
            key.name.into(),
            json!({
                "goal": key.goal.bound(),
                "comparison": key.goal.comparison(),
                "value": round4(value),
                "met": key.goal.met(value),
            }),
        );
    }
    let details: serde_json::Map<String, Value> =
        results.iter().map(|(case, o)| ((*case).to_owned(), detail(case, o))).collect();
    let iterations: serde_json::Map<String, Value> = results
        .iter()
        .map(|(case, o)| {
            let n = match o {
                Outcome::Ratio(c) => c.iterations,
                Outcome::Absolute(f) => f.count,
            };
            ((*case).to_owned(), json!(n))
        })
        .collect();
    report.insert("goals".into(), Value::Object(goals));
    report.insert("details".into(), Value::Object(details));
    if !failures.is_empty() {
        let failed: serde_json::Map<String, Value> =
            failures.iter().map(|(case, e)| ((*case).to_owned(), json!(e))).collect();
        report.insert("failed".into(), Value::Object(failed));
    }
    report.insert("rounds".into(), json!(plans.http.rounds));
    report.insert("iterations".into(), Value::Object(iterations));
    report.insert("quick".into(), json!(args.quick));
    report.insert("machine".into(), machine());
    report.insert(
        "payload".into(),
        json!({
            "gift_cards": fixtures::ITEMS,
            "gift_card_body_bytes": body_len,
            "coupons": fixtures::ITEMS,
            "coupon_body_bytes": fixtures::coupon_body().len(),
            "in_flight": cases::IN_FLIGHT,
            "page_size": pager::PAGE_SIZE,
            "page_body_bytes": fixtures::ItemPages::new(1, pager::PAGE_SIZE).body_len(1),
            "pages_compared": pager::COMPARED_PAGES,
            "pages_streamed": pager::STREAMED_PAGES,
            "mock_calls_per_batch": plans.mock.calls,
            "mock_batches": plans.mock.batches,
            "limiter_quota_per_s": limiter::QUOTA,
            "limiter_calls": limiter::CALLS,
            "limiter_unbound_quota": limiter::unbound_quota().to_string(),
            "server": "127.0.0.1 keep-alive HTTP/1.1, thread per connection, same bytes for every request \
                       (the pager's: the page asked for, written on demand); mock_rps: zv-mock",
        }),
    );
    report.insert(
        "method".into(),
        json!(
            "each round runs zv and its floor back to back (the order alternating) for the same number of \
               operations; ratio = the median over rounds of zv ns/op ÷ floor ns/op (ratio_of_medians is the \
               cross-check); a key holds the worst of its sub-cases (the highest, or for a key where higher is \
               better the lowest); pager_rss_growth_mib, mock_rps and limiter_rate_vs_quota are single \
               figures, not side-by-side ratios, described in their details"
        ),
    );
    report.insert("elapsed_s".into(), json!(round2(took.as_secs_f64())));
    Value::Object(report)
}

fn print_table(results: &[(&str, Outcome)], report: &Value) {
    println!();
    println!("{:<20} {:>12} {:>12} {:>8} {:>11}", "case", "zv ns/op", "floor ns/op", "ratio", "med÷med");
    for (case, outcome) in results {
        match outcome {
            Outcome::Ratio(c) => println!(
                "{case:<20} {:>12.1} {:>12.1} {:>8.3} {:>11.3}",
                c.zv_median(),
                c.floor_median(),
                c.ratio(),
                c.ratio_of_medians()
            ),
            Outcome::Absolute(f) => println!("{case:<20} {:>12.1} {}", f.value, f.unit),
        }
    }
    println!();
    println!("{:<26} {:>9} {:>8}  result", "key", "value", "goal");
    for key in KEYS {
        let Some(goal) = report["goals"].get(key.name) else { continue };
        let met = goal["met"].as_bool() == Some(true);
        let value = goal["value"].as_f64().unwrap_or(f64::NAN);
        // Ratios to 3 decimals, throughputs to the unit.
        let value = if value >= 1_000.0 { format!("{value:.0}") } else { format!("{value:.3}") };
        println!(
            "{:<26} {:>9} {:>8}  {}",
            key.name,
            value,
            format!("{}{}", key.goal.symbol(), key.goal.bound()),
            if met { "met" } else { "MISSED" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: f64) -> Outcome {
        Outcome::Absolute(Figure { value, unit: "x", count: 1, detail: json!({"more": 1}) })
    }

    #[test]
    fn goals_compare_each_way() {
        assert!(Goal::AtMost(1.05).met(1.05) && !Goal::AtMost(1.05).met(1.0501));
        assert!(Goal::Below(32.0).met(31.9) && !Goal::Below(32.0).met(32.0));
        assert!(Goal::AtLeast(5_000.0).met(5_000.0) && !Goal::AtLeast(5_000.0).met(4_999.0));
        assert_eq!(Goal::AtMost(1.0).worse(1.2, 1.1), 1.2);
        assert_eq!(Goal::AtLeast(1.0).worse(1.2, 1.1), 1.1);
    }

    #[test]
    fn every_case_has_one_key_and_sides() {
        for key in KEYS {
            for case in key.cases {
                assert_eq!(KEYS.iter().filter(|k| k.cases.contains(case)).count(), 1, "{case}");
                assert_ne!(sides(case).0, "?", "{case}");
            }
        }
    }

    #[test]
    fn reports_absolute_figures_with_their_goals() {
        let args = Args { quick: true, ..Args::default() };
        let plans = plans(true, Some(1));
        let results = [("mock_gift_cards", figure(4_000.0)), ("pager_rss", figure(3.5))];
        let failures = [("pager_records", "no server".to_owned())];
        let report = report(&args, &plans, &results, &failures, 10, Duration::from_secs(1));
        assert_eq!(report["mock_rps"], 4_000.0);
        assert_eq!(report["goals"]["mock_rps"]["met"], false);
        assert_eq!(report["goals"]["mock_rps"]["comparison"], ">=");
        assert_eq!(report["goals"]["pager_rss_growth_mib"]["met"], true);
        assert_eq!(report["details"]["pager_rss"]["more"], 1);
        assert_eq!(report["details"]["pager_rss"]["unit"], "x");
        assert_eq!(report["failed"]["pager_records"], "no server");
        assert!(report.get("pager_vs_manual").is_none());
    }
}
