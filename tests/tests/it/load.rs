//! Load: 2,000 async calls with 64 in flight; a blocking client shared by several threads.

use std::collections::HashSet;
use std::sync::Arc;

use zv_integration_tests::Env;
use zv_mock::{MockConfig, Verdict};
use zv_types::GiftCardListParams;

#[test]
fn two_thousand_async_calls_64_in_flight() {
    // The clients' concurrency, not the gateway's quota (10 a second per path by default).
    let env = Env::with(MockConfig::new(), |b| b.no_rate_limit(), |a| a.no_rate_limit());
    let client = env.asynch.clone();
    let ok = env.rt.block_on(async move {
        let limit = Arc::new(tokio::sync::Semaphore::new(64));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..2000u32 {
            let permit = limit.clone().acquire_owned().await.unwrap();
            let client = client.clone();
            tasks.spawn(async move {
                let _permit = permit;
                if i % 2 == 0 {
                    client.gift_cards(&GiftCardListParams::new("10001")).await.map(|c| !c.is_empty())
                } else {
                    client.exchange_code_status("164822200532619796511").await.map(|s| s.redeemable)
                }
            });
        }
        let mut ok = 0;
        while let Some(r) = tasks.join_next().await {
            assert!(r.unwrap().unwrap());
            ok += 1;
        }
        ok
    });
    assert_eq!(ok, 2000);
    let log = env.mock.log();
    assert_eq!(log.len(), 2000, "no retries were needed");
    assert!(log.iter().all(|e| e.verdict == Verdict::Ok), "the mock saw no bad request");
    let nonces: HashSet<_> = log.iter().map(|e| e.nonce).collect();
    assert_eq!(nonces.len(), 2000, "all nonces distinct");
}

#[test]
fn one_blocking_client_shared_by_eight_threads() {
    let env = Env::with(MockConfig::new(), |b| b.no_rate_limit(), |a| a.no_rate_limit());
    std::thread::scope(|s| {
        for _ in 0..8 {
            let client = env.blocking.clone();
            s.spawn(move || {
                for _ in 0..50 {
                    assert!(!client.gift_cards(&GiftCardListParams::new("10001")).unwrap().is_empty());
                }
            });
        }
    });
    let log = env.mock.log();
    assert_eq!(log.len(), 400);
    assert!(log.iter().all(|e| e.verdict == Verdict::Ok));
    assert_eq!(log.iter().map(|e| e.nonce).collect::<HashSet<_>>().len(), 400);
}
