//! Where the request nonce comes from.

use core::fmt;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// A source of nonces for the `nonce` field: a positive integer, fresh for every request
/// (including every retry).
///
/// [`Signer::sign`](crate::Signer::sign) never draws one itself; the caller asks a
/// `NonceSource` and passes the value in.
pub trait NonceSource: Send + Sync {
    /// The next nonce.
    fn next_nonce(&self) -> u64;
}

/// The prime 2³¹ − 1 (= `i32::MAX`). Nonces are `1 + π(counter mod P)` for a keyed permutation
/// π of `0..P`, so they cover exactly `1..=i32::MAX`.
const P: u64 = (1 << 31) - 1;

/// Number of rounds of the permutation.
const ROUNDS: usize = 3;

/// Round keys of the permutation: per round an additive key in `0..p` and a multiplier in
/// `1..p`.
#[derive(Clone, Copy)]
struct Keys {
    add: [u64; ROUNDS],
    mul: [u64; ROUNDS],
}

impl Keys {
    fn from_rng(rng: &mut fastrand::Rng, p: u64) -> Self {
        let mut keys = Keys { add: [0; ROUNDS], mul: [0; ROUNDS] };
        for r in 0..ROUNDS {
            keys.add[r] = rng.u64(0..p);
            keys.mul[r] = rng.u64(1..p);
        }
        keys
    }
}

#[inline]
fn mul_mod(a: u64, b: u64, p: u64) -> u64 {
    // a, b < p < 2^32, so the product fits in u64.
    (a * b) % p
}

/// A keyed bijection of `0..p`, for a prime `p < 2³²` with `gcd(5, p − 1) = 1`.
///
/// Each round is `x ↦ m · (x + a)⁵ mod p`. Adding `a` is a bijection of ℤ/p, `x ↦ x⁵` is a
/// bijection of ℤ/p because 5 is coprime to `p − 1` (for 2³¹ − 1: `p − 1 = 2·3²·7·11·31·151·331`),
/// and multiplying by `m ≠ 0` is a bijection because `p` is prime. A composition of
/// bijections is a bijection, so distinct inputs give distinct outputs; the non-linear power
/// map makes consecutive counters give unrelated-looking values.
#[inline]
fn permute(mut x: u64, keys: &Keys, p: u64) -> u64 {
    for r in 0..ROUNDS {
        x = (x + keys.add[r]) % p;
        let x2 = mul_mod(x, x, p);
        let x4 = mul_mod(x2, x2, p);
        x = mul_mod(x4, x, p);
        x = mul_mod(x, keys.mul[r], p);
    }
    x
}

struct RandomNonceState {
    counter: AtomicU64,
    keys: Keys,
}

impl RandomNonceState {
    fn with_rng(mut rng: fastrand::Rng) -> Self {
        Self { counter: AtomicU64::new(0), keys: Keys::from_rng(&mut rng, P) }
    }
}

/// A seed from OS entropy: std's `RandomState` keys its SipHash from the operating system's
/// random source. Mixed with fastrand's own (time/thread based) seed, the process id and the
/// wall clock, so two processes started at the same instant still differ.
fn entropy_seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(fastrand::u64(..));
    h.write_u32(std::process::id());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    h.finish()
}

/// The default nonce source: random-looking positive nonces in `1..=i32::MAX` (they fit a
/// signed 32-bit integer, as gateways written in PHP/Java expect) that **never repeat** within
/// a process for 2³¹ − 1 draws.
///
/// Why not plain random numbers: the gateway rejects a nonce it has already seen inside its
/// replay window, and independent random 31-bit draws collide quickly (birthday bound: about
/// a 1‰ chance among 2,000 draws; at 1,000 requests/s, hundreds of thousands of nonces in a
/// 300-second window contain dozens of collisions), each one a spurious rejection.
///
/// How: a random key is drawn once (seeded from OS entropy), and each call returns
/// `1 + π(n)`, where `n` is an atomic counter (0, 1, 2, …, modulo 2³¹ − 1) and π is a keyed
/// permutation of `0..2³¹−1` (three rounds of `x ↦ m·(x + a)⁵ mod (2³¹−1)`, each a bijection).
/// Distinct counters give distinct nonces, and the sequence does not look sequential. After
/// 2³¹ − 1 draws the sequence starts over.
///
/// [`RandomNonce::new`] (and `Default`) share one process-wide sequence, so even separately
/// created sources (several clients in one process) never hand out the same nonce. Clones
/// share the sequence too. Separate processes have independent keys, so their nonces can
/// coincide by chance; the nonces are unpredictable only in the non-cryptographic sense (they
/// are not a secret, the HMAC is what authenticates).
#[derive(Clone)]
pub struct RandomNonce {
    state: Arc<RandomNonceState>,
}

impl RandomNonce {
    /// The process-wide sequence, keyed from OS entropy on first use.
    #[must_use]
    pub fn new() -> Self {
        static GLOBAL: OnceLock<Arc<RandomNonceState>> = OnceLock::new();
        let state = GLOBAL
            .get_or_init(|| Arc::new(RandomNonceState::with_rng(fastrand::Rng::with_seed(entropy_seed()))));
        Self { state: Arc::clone(state) }
    }

    /// A separate, reproducible sequence keyed from `seed` (for tests). It has the same
    /// no-repeat guarantee, but only within itself: it is independent of the process-wide
    /// sequence.
    #[must_use]
    pub fn with_seed(seed: u64) -> Self {
        Self { state: Arc::new(RandomNonceState::with_rng(fastrand::Rng::with_seed(seed))) }
    }
}

impl Default for RandomNonce {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RandomNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RandomNonce").finish_non_exhaustive()
    }
}

impl NonceSource for RandomNonce {
    fn next_nonce(&self) -> u64 {
        let n = self.state.counter.fetch_add(1, Ordering::Relaxed) % P;
        1 + permute(n, &self.state.keys, P)
    }
}

/// A deterministic nonce source for tests: returns `start`, `start + 1`, `start + 2`, …
/// (wrapping at `u64::MAX`). It does not restrict values to `1..=i32::MAX`.
#[derive(Debug)]
pub struct SequenceNonce {
    next: AtomicU64,
}

impl SequenceNonce {
    /// A sequence whose first nonce is `start`.
    #[must_use]
    pub fn new(start: u64) -> Self {
        Self { next: AtomicU64::new(start) }
    }
}

impl NonceSource for SequenceNonce {
    fn next_nonce(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }
}

impl<N: NonceSource + ?Sized> NonceSource for &N {
    fn next_nonce(&self) -> u64 {
        (**self).next_nonce()
    }
}

impl<N: NonceSource + ?Sized> NonceSource for Arc<N> {
    fn next_nonce(&self) -> u64 {
        (**self).next_nonce()
    }
}

impl<N: NonceSource + ?Sized> NonceSource for Box<N> {
    fn next_nonce(&self) -> u64 {
        (**self).next_nonce()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }

    #[test]
    fn power_map_is_a_bijection_mod_p() {
        assert_eq!(P, u64::try_from(i32::MAX).unwrap());
        assert_eq!(gcd(5, P - 1), 1);
        assert_eq!(2 * 9 * 7 * 11 * 31 * 151 * 331, P - 1);
    }

    #[test]
    fn permute_is_a_bijection_exhaustively_for_a_small_prime() {
        // 65537 is prime and 65536 = 2^16, coprime to 5: the same construction, fully checked.
        const Q: u64 = 65_537;
        assert_eq!(gcd(5, Q - 1), 1);
        for seed in 0..3 {
            let keys = Keys::from_rng(&mut fastrand::Rng::with_seed(seed), Q);
            let mut seen = vec![false; usize::try_from(Q).unwrap()];
            for x in 0..Q {
                let y = permute(x, &keys, Q);
                assert!(y < Q);
                let slot = &mut seen[usize::try_from(y).unwrap()];
                assert!(!*slot, "collision at x = {x}");
                *slot = true;
            }
        }
    }

    #[test]
    fn random_nonce_100k_distinct_and_in_range() {
        let source = RandomNonce::new();
        let mut seen = HashSet::with_capacity(100_000);
        for _ in 0..100_000 {
            let n = source.next_nonce();
            assert!((1..=u64::try_from(i32::MAX).unwrap()).contains(&n), "{n}");
            assert!(seen.insert(n), "repeated nonce {n}");
        }
    }

    #[test]
    fn random_nonce_does_not_look_sequential() {
        // An affine map of the counter would give one constant difference (mod P).
        let source = RandomNonce::with_seed(7);
        let draws: Vec<u64> = (0..101).map(|_| source.next_nonce()).collect();
        let diffs: HashSet<u64> = draws.windows(2).map(|w| (w[1] + P - w[0]) % P).collect();
        assert!(diffs.len() > 90, "{} distinct differences", diffs.len());
        let small = draws.windows(2).filter(|w| w[0].abs_diff(w[1]) < 1_000_000).count();
        assert!(small < 5, "{small} near-consecutive pairs");
    }

    #[test]
    fn random_nonce_instances_share_the_process_sequence() {
        let a = RandomNonce::new();
        let b = RandomNonce::default();
        let c = a.clone();
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            for n in [a.next_nonce(), b.next_nonce(), c.next_nonce()] {
                assert!(seen.insert(n), "repeated nonce {n}");
            }
        }
    }

    #[test]
    fn seeded_random_nonce_is_reproducible_and_wraps_after_p() {
        let a = RandomNonce::with_seed(42);
        let b = RandomNonce::with_seed(42);
        let first: Vec<u64> = (0..5).map(|_| a.next_nonce()).collect();
        let again: Vec<u64> = (0..5).map(|_| b.next_nonce()).collect();
        assert_eq!(first, again);
        assert_ne!(first, (0..5).map(|_| RandomNonce::with_seed(43).next_nonce()).collect::<Vec<_>>());
        // The counter is reduced mod P: draw P+1 would equal draw 1.
        a.state.counter.store(P, Ordering::Relaxed);
        assert_eq!(a.next_nonce(), first[0]);
    }

    #[test]
    fn sequence_nonce_counts_up() {
        let s = SequenceNonce::new(658_965);
        assert_eq!(s.next_nonce(), 658_965);
        assert_eq!(s.next_nonce(), 658_966);
        let by_ref: &dyn NonceSource = &s;
        assert_eq!(by_ref.next_nonce(), 658_967);
        let shared: Arc<dyn NonceSource> = Arc::new(SequenceNonce::new(1));
        assert_eq!(shared.next_nonce(), 1);
        let boxed: Box<dyn NonceSource> = Box::new(SequenceNonce::new(u64::MAX));
        assert_eq!(boxed.next_nonce(), u64::MAX);
        assert_eq!(boxed.next_nonce(), 0);
    }
}
