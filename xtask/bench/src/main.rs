//! `zv-bench`: the harness behind `cargo xtask bench` (always built in release mode).
//!
//! Every figure is a ratio of the zv SDK against its floor, measured side by side in one
//! process, interleaved in rounds (the order alternating), as the median over rounds of
//! the per-round ratio; see `docs/benchmarks.md`. Usage: `zv-bench [--quick] [--out FILE]
//! [--only TEXT] [--rounds N]`.

mod cases;
mod fixtures;
mod harness;
mod server;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Comparison, Plan, quantile};
use crate::server::Server;

/// One reported key: its goal and the sub-cases whose worst ratio it holds.
struct Key {
    name: &'static str,
    goal: f64,
    cases: &'static [&'static str],
}

const KEYS: &[Key] = &[
    Key { name: "sign_vs_bare_hmac", goal: 1.3, cases: &["sign"] },
    Key { name: "decode_lenient_vs_strict", goal: 1.10, cases: &["decode_gift_cards", "decode_coupons"] },
    Key { name: "blocking_vs_raw_ureq", goal: 1.05, cases: &["blocking"] },
    Key { name: "async_vs_raw_reqwest", goal: 1.05, cases: &["async_sequential", "async_64_in_flight"] },
];

/// What each sub-case compares (numerator, denominator).
fn sides(case: &str) -> (&'static str, &'static str) {
    match case {
        "sign" => ("zv_sign::Signer::sign (token)", "Hmac<Sha1> clone+update+finalize"),
        "decode_gift_cards" => ("decode_endpoint::<GetCustomerGiftCardList>", "serde_json strict structs"),
        "decode_coupons" => ("decode_endpoint::<UserCouponList>", "serde_json strict structs"),
        "blocking" => ("zv_api::blocking::Client::gift_cards", "raw ureq::Agent POST + strict parse"),
        "async_sequential" => ("zv_api::Client::gift_cards, sequential", "raw reqwest::Client, sequential"),
        "async_64_in_flight" => {
            ("zv_api::Client::gift_cards, 64 in flight", "raw reqwest::Client, 64 in flight")
        }
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

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
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
}

fn plans(quick: bool, rounds: Option<usize>) -> Plans {
    let ms = Duration::from_millis;
    let rounds = rounds.unwrap_or(if quick { 150 } else { 400 }).max(1);
    Plans {
        in_process: Plan { rounds, per_side: ms(if quick { 5 } else { 10 }), warm_up: ms(200), multiple: 1 },
        http: Plan { rounds, per_side: ms(if quick { 30 } else { 50 }), warm_up: ms(500), multiple: 1 },
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

fn detail(case: &str, c: &Comparison) -> Value {
    let ratios = c.round_ratios();
    let (zv, floor) = sides(case);
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

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn main() {
    let args = match parse_args() {
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

    let mut results: Vec<(&str, Comparison)> = Vec::new();
    let mut run = |case: &'static str, f: &dyn Fn() -> Comparison| {
        if !wanted(case) {
            return;
        }
        let (zv, floor) = sides(case);
        eprint!("  {case:<20} {zv} vs {floor} ... ");
        let t = Instant::now();
        let c = f();
        eprintln!("{:.3} ({:.1}s)", c.ratio(), t.elapsed().as_secs_f64());
        results.push((case, c));
    };
    eprintln!(
        "zv-bench: {} run, {} rounds per comparison",
        if args.quick { "quick" } else { "full" },
        plans.http.rounds
    );
    run("sign", &|| cases::sign(plans.in_process));
    run("decode_gift_cards", &|| cases::decode_gift_cards(plans.in_process));
    run("decode_coupons", &|| cases::decode_coupons(plans.in_process));
    run("blocking", &|| cases::blocking(plans.http, &server));
    if wanted("async_sequential") || wanted("async_64_in_flight") {
        let sides = cases::AsyncSides::new(&server);
        run("async_sequential", &|| sides.sequential(plans.http));
        run("async_64_in_flight", &|| sides.concurrent(plans.http));
    }

    let report = report(&args, &plans, &results, gift_cards.len(), started.elapsed());
    print_table(&results, &report);
    if let Some(out) = &args.out {
        let text = serde_json::to_string_pretty(&report).expect("a JSON value serializes") + "\n";
        if let Err(e) = std::fs::write(out, text) {
            eprintln!("zv-bench: cannot write {}: {e}", out.display());
            std::process::exit(1);
        }
        println!("report written to {}", out.display());
    }
}

fn report(
    args: &Args,
    plans: &Plans,
    results: &[(&str, Comparison)],
    body_len: usize,
    took: Duration,
) -> Value {
    let mut report = serde_json::Map::new();
    let mut goals = serde_json::Map::new();
    for key in KEYS {
        // The key holds the worst of its sub-cases.
        let worst =
            results.iter().filter(|(c, _)| key.cases.contains(c)).map(|(_, c)| c.ratio()).reduce(f64::max);
        let Some(value) = worst else { continue };
        report.insert(key.name.into(), json!(round4(value)));
        goals.insert(
            key.name.into(),
            json!({"goal": key.goal, "value": round4(value), "met": value <= key.goal}),
        );
    }
    let details: serde_json::Map<String, Value> =
        results.iter().map(|(case, c)| ((*case).to_owned(), detail(case, c))).collect();
    let iterations: serde_json::Map<String, Value> =
        results.iter().map(|(case, c)| ((*case).to_owned(), json!(c.iterations))).collect();
    report.insert("goals".into(), Value::Object(goals));
    report.insert("details".into(), Value::Object(details));
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
            "server": "127.0.0.1 keep-alive HTTP/1.1, thread per connection, same bytes for every request",
        }),
    );
    report.insert(
        "method".into(),
        json!(
            "each round runs zv and its floor back to back (the order alternating) for the same number of \
               operations; ratio = the median over rounds of zv ns/op ÷ floor ns/op (ratio_of_medians is the \
               cross-check); a key holds the worst of its sub-cases"
        ),
    );
    report.insert("elapsed_s".into(), json!(round2(took.as_secs_f64())));
    Value::Object(report)
}

fn print_table(results: &[(&str, Comparison)], report: &Value) {
    println!();
    println!("{:<20} {:>12} {:>12} {:>8} {:>11}", "case", "zv ns/op", "floor ns/op", "ratio", "med÷med");
    for (case, c) in results {
        println!(
            "{case:<20} {:>12.1} {:>12.1} {:>8.3} {:>11.3}",
            c.zv_median(),
            c.floor_median(),
            c.ratio(),
            c.ratio_of_medians()
        );
    }
    println!();
    println!("{:<26} {:>7} {:>6}  result", "key", "ratio", "goal");
    for key in KEYS {
        let Some(goal) = report["goals"].get(key.name) else { continue };
        let met = goal["met"].as_bool() == Some(true);
        println!(
            "{:<26} {:>7.3} {:>6}  {}",
            key.name,
            goal["value"].as_f64().unwrap_or(f64::NAN),
            format!("≤{}", key.goal),
            if met { "met" } else { "MISSED" }
        );
    }
}
