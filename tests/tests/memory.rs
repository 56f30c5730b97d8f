//! A hostile 300 MB response keeps memory bounded (its own test binary, so the process's
//! peak memory is this test's alone).

use zv_integration_tests::{BACKENDS, Env, call, peak_rss_kib};
use zv_mock::{Fault, MockConfig};
use zv_types::GiftCardListParams;

#[test]
fn three_hundred_megabytes_never_reach_memory() {
    // the default cap: 16 MiB
    let env = Env::with(MockConfig::new(), |b| b.max_retries(0), |a| a.max_retries(0));
    // warm up both backends so their own allocations are counted before the baseline
    for backend in BACKENDS {
        call!(env, backend, gift_cards(&GiftCardListParams::new("10001"))).unwrap();
    }
    let before = peak_rss_kib().expect("Linux /proc");
    for backend in BACKENDS {
        for content_length in [true, false] {
            env.mock.push_fault(Fault::HugeBody { bytes: 300 << 20, content_length });
            let e = call!(env, backend, gift_cards(&GiftCardListParams::new("10001"))).unwrap_err();
            assert_eq!(
                e.transport_error().map(|t| t.kind()),
                Some(zv_transport::TransportErrorKind::BodyTooLarge),
                "{backend:?}: {e}"
            );
        }
    }
    let grown_mib = (peak_rss_kib().unwrap() - before) / 1024;
    // The cap is 16 MiB: reading up to it (and its Vec doubling) costs tens of MiB at most;
    // buffering the 300 MB body would cost over 300.
    assert!(grown_mib < 100, "peak memory grew by {grown_mib} MiB");
}
