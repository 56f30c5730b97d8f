//! Side-by-side measurement: two sides run the same number of operations in alternating
//! order, round after round; each round gives a time per operation for each side.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// One side of a comparison: runs `n` operations and returns how long they took.
pub type Side<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// A side that times a plain closure in a loop (the result goes through `black_box`).
pub fn looped<'a, T>(mut op: impl FnMut() -> T + 'a) -> Side<'a> {
    Box::new(move |n| {
        let start = Instant::now();
        for _ in 0..n {
            black_box(op());
        }
        start.elapsed()
    })
}

/// How long and how often to measure.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Rounds (each runs both sides once, the order alternating).
    pub rounds: usize,
    /// The time one side should take in one round; sets the iterations.
    pub per_side: Duration,
    /// Warm-up time per side before calibrating.
    pub warm_up: Duration,
    /// Iterations are rounded up to a multiple of this (e.g. the number in flight).
    pub multiple: u64,
}

/// Two rounds of a few milliseconds: a plan for the tests, which check that the sides run,
/// not what they measure.
#[cfg(test)]
pub fn test_plan() -> Plan {
    Plan { rounds: 2, per_side: Duration::from_millis(2), warm_up: Duration::from_millis(1), multiple: 1 }
}

/// The measurements of one comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Operations per side per round.
    pub iterations: u64,
    /// Nanoseconds per operation of the numerator (zv), one per round.
    pub zv_ns: Vec<f64>,
    /// Nanoseconds per operation of the denominator (the floor), one per round.
    pub floor_ns: Vec<f64>,
}

impl Comparison {
    /// The median time per operation of the zv side.
    pub fn zv_median(&self) -> f64 {
        median(&self.zv_ns)
    }

    /// The median time per operation of the floor.
    pub fn floor_median(&self) -> f64 {
        median(&self.floor_ns)
    }

    /// The median over rounds of the per-round ratio: the reported figure. Each round's two
    /// sides ran back to back, so a slow phase of a shared machine hits both.
    pub fn ratio(&self) -> f64 {
        median(&self.round_ratios())
    }

    /// The ratio of the two medians (a cross-check of [`ratio`](Self::ratio)).
    pub fn ratio_of_medians(&self) -> f64 {
        self.zv_median() / self.floor_median()
    }

    /// The per-round ratios.
    pub fn round_ratios(&self) -> Vec<f64> {
        self.zv_ns.iter().zip(&self.floor_ns).map(|(z, f)| z / f).collect()
    }
}

/// The median (mean of the middle two for an even count); NaN for no values.
pub fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// The `q` quantile, linear between the closest ranks; NaN for no values.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

fn per_op_ns(elapsed: Duration, n: u64) -> f64 {
    elapsed.as_secs_f64() * 1e9 / n as f64
}

/// Runs `side` for about `target`, doubling the count; returns its time per operation.
fn estimate(side: &mut Side<'_>, target: Duration, multiple: u64) -> f64 {
    let mut n = multiple.max(1);
    loop {
        let took = side(n);
        if took >= target || n >= 1 << 40 {
            return per_op_ns(took, n);
        }
        // Aim straight for the target once the time is measurable, else double.
        n = if took >= Duration::from_micros(200) {
            let scale = target.as_secs_f64() / took.as_secs_f64();
            ((n as f64 * scale).ceil() as u64).max(n + 1)
        } else {
            n * 2
        };
        n = n.div_ceil(multiple.max(1)) * multiple.max(1);
    }
}

/// Warms both sides, sizes the rounds on the slower side, then measures `plan.rounds`
/// rounds, alternating which side goes first.
pub fn compare(plan: Plan, mut zv: Side<'_>, mut floor: Side<'_>) -> Comparison {
    let multiple = plan.multiple.max(1);
    let zv_ns = estimate(&mut zv, plan.warm_up, multiple);
    let floor_ns = estimate(&mut floor, plan.warm_up, multiple);
    let slower = zv_ns.max(floor_ns).max(1.0);
    let iterations = ((plan.per_side.as_secs_f64() * 1e9 / slower).ceil() as u64).max(1);
    let iterations = iterations.div_ceil(multiple) * multiple;
    let mut out = Comparison {
        iterations,
        zv_ns: Vec::with_capacity(plan.rounds),
        floor_ns: Vec::with_capacity(plan.rounds),
    };
    for round in 0..plan.rounds {
        let (z, f) = if round % 2 == 0 {
            let z = zv(iterations);
            (z, floor(iterations))
        } else {
            let f = floor(iterations);
            (zv(iterations), f)
        };
        out.zv_ns.push(per_op_ns(z, iterations));
        out.floor_ns.push(per_op_ns(f, iterations));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_quantiles() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), 2.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn compares_in_alternating_rounds() {
        let order = std::cell::RefCell::new(Vec::new());
        let zv: Side<'_> = Box::new(|n| {
            order.borrow_mut().push('z');
            Duration::from_nanos(200 * n)
        });
        let floor: Side<'_> = Box::new(|n| {
            order.borrow_mut().push('f');
            Duration::from_nanos(100 * n)
        });
        let plan = Plan {
            rounds: 4,
            per_side: Duration::from_micros(100),
            warm_up: Duration::from_micros(50),
            multiple: 8,
        };
        let c = compare(plan, zv, floor);
        assert_eq!(c.iterations % 8, 0);
        assert_eq!(c.iterations, 504, "100 µs at 200 ns per op, rounded up to a multiple of 8");
        assert!((c.ratio() - 2.0).abs() < 1e-9 && (c.ratio_of_medians() - 2.0).abs() < 1e-9);
        let rounds: String =
            order.borrow().iter().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
        assert_eq!(rounds, "zffzzffz");
    }
}
