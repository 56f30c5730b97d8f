//! zv-mock started from async code and inside a runtime, serving the SDK's async client.

use zv_mock::{MockConfig, MockServer};
use zv_types::GiftCardListParams;

fn client(mock: &MockServer) -> zv_api::Client {
    let mut builder =
        zv_api::Client::builder().base_url(mock.base_url()).credentials(mock.credentials().clone());
    if let Some(der) = mock.certificate_der() {
        builder = builder.add_root_certificate(der);
    }
    builder.build().unwrap()
}

#[test]
fn start_async_serves_the_async_client_over_http_and_https() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        for tls in [false, true] {
            let mock = MockServer::start_async(MockConfig::new().tls(tls)).await.unwrap();
            let client = client(&mock);
            assert_eq!(client.gift_cards(&GiftCardListParams::new("10001")).await.unwrap().len(), 5);
            assert!(client.exchange_code_status(zv_mock::DEMO_EXCHANGE_CODE).await.unwrap().redeemable);
        }
        // A blocking server started from async code serves it too.
        let inner = MockServer::start(MockConfig::new()).unwrap();
        assert!(client(&inner).exchange_code_status(zv_mock::DEMO_EXCHANGE_CODE).await.unwrap().redeemable);
    });
}
