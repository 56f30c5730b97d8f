//! https on both backends at once (both features enabled in one process).

use zv_integration_tests::{BACKENDS, Env, call};
use zv_mock::MockConfig;
use zv_types::GiftCardListParams;

#[test]
fn both_backends_over_https_in_one_process() {
    let env = Env::new(MockConfig::new().tls(true));
    assert!(env.mock.base_url().starts_with("https://"), "{}", env.mock.base_url());
    for backend in BACKENDS {
        let cards = call!(env, backend, gift_cards(&GiftCardListParams::new("10001"))).unwrap();
        assert!(cards.len() >= 4, "{backend:?}");
        assert!(call!(env, backend, exchange_code_status("164822200532619796511")).unwrap().redeemable);
    }
    // a client that does not trust the mock's certificate fails with a TLS error, not retried
    let untrusting = zv_api::blocking::Client::builder()
        .base_url(env.mock.base_url())
        .credentials(env.mock.credentials().clone())
        .build()
        .unwrap();
    let e = untrusting.exchange_code_status("1").unwrap_err();
    assert_eq!(e.transport_error().map(|t| t.kind()), Some(zv_transport::TransportErrorKind::Tls), "{e}");
}
