//! The demo data through the SDK's own clients (blocking and async), canonical and messy,
//! over HTTP and HTTPS; starting, stopping and secrets.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;
use zv_api::{ErrorKind, UntypedRequest};
use zv_mock::{
    DEMO_EXCHANGE_CODE, DEMO_MEMBER, DEMO_OPEN_KEY, DEMO_SPENT_EXCHANGE_CODE, Fixtures, LogEntry, MockConfig,
    MockError, MockServer, NOT_FOUND_CODE, REDEEM_FAILED_CODE, REDEEM_PATH,
};
use zv_sign::Credentials;
use zv_types::{
    Basket, BasketItem, CardSource, CouponList, CouponListParams, CouponStatusFilter, GiftCard,
    GiftCardListParams, GiftCardStatus, Money,
};

fn card_ids(cards: &[GiftCard]) -> Vec<&str> {
    cards.iter().map(|c| c.id.as_str()).collect()
}

fn coupon_ids(list: &CouponList) -> Vec<u64> {
    list.item_list.iter().filter_map(|c| c.id).collect()
}

fn member() -> CouponListParams {
    CouponListParams::new().user_id(DEMO_MEMBER.parse().unwrap())
}

fn basket() -> Basket {
    Basket::new(vec![
        BasketItem::new("P5C5A1", Money::from_fen(1200), 2),
        BasketItem::new("P5C5B2", Money::from_fen(2800), 1),
    ])
    .unwrap()
}

/// Every read the demo data supports, through the blocking client.
fn all_reads_blocking(client: &zv_api::blocking::Client) -> (Vec<Vec<GiftCard>>, Vec<CouponList>, Vec<bool>) {
    let cards = vec![
        client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER)).unwrap(),
        client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER).include_recycled(true)).unwrap(),
        client.gift_cards(&GiftCardListParams::new("10002")).unwrap(),
    ];
    let coupons = vec![
        client.coupons(&member()).unwrap(),
        client.coupons(&member().status(CouponStatusFilter::Used)).unwrap(),
        client.coupons(&member().status(CouponStatusFilter::CanUse)).unwrap(),
        client.coupons(&member().status(CouponStatusFilter::Expired)).unwrap(),
        client.coupons(&member().amount(Money::from_fen(6000))).unwrap(),
        client.coupons(&member().status(CouponStatusFilter::CanUse).amount(Money::from_fen(3000))).unwrap(),
        client.coupons(&member().basket(basket())).unwrap(),
        client.coupons(&CouponListParams::new()).unwrap(),
    ];
    let codes = [DEMO_EXCHANGE_CODE, DEMO_SPENT_EXCHANGE_CODE, "1"]
        .iter()
        .map(|c| client.exchange_code_status(c).unwrap().redeemable)
        .collect();
    (cards, coupons, codes)
}

#[test]
fn demo_gift_cards() {
    let mock = start(MockConfig::new());
    let client = blocking(&mock);
    let cards = client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER)).unwrap();
    assert_eq!(card_ids(&cards), ["8800001", "8800002", "8800003", "8800005", "8800006"]);
    let all = client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER).include_recycled(true)).unwrap();
    assert_eq!(card_ids(&all), ["8800001", "8800002", "8800003", "8800004", "8800005", "8800006"]);
    assert_eq!(all[3].status, Some(GiftCardStatus::Recycled));

    let birthday = &cards[0];
    assert_eq!(birthday.gift_title, "生日礼品卡");
    assert_eq!(birthday.par_value, Some(Money::from_fen(10050)));
    assert_eq!(birthday.status, Some(GiftCardStatus::Bound));
    assert_eq!(birthday.end_at.as_ref().unwrap().to_string(), "2099-12-31 23:59:59");
    assert_eq!(cards[1].status, Some(GiftCardStatus::UsedUp));
    assert_eq!(cards[1].source, CardSource::Erp);
    assert_eq!(cards[2].status, Some(GiftCardStatus::Expired));
    assert_eq!(cards[3].status, Some(GiftCardStatus::Unknown("8".into())));

    let statuses: BTreeSet<_> = all.iter().map(|c| c.status.clone().unwrap().code()).collect();
    assert!(statuses.len() >= 5, "{statuses:?}");
    assert_eq!(client.gift_cards(&GiftCardListParams::new("10002")).unwrap().len(), 1);
}

#[test]
fn demo_coupons_with_every_filter() {
    let mock = start(MockConfig::new());
    let client = blocking(&mock);
    let (_, coupons, _) = all_reads_blocking(&client);
    let ids: Vec<Vec<u64>> = coupons.iter().map(coupon_ids).collect();
    assert_eq!(ids[0], [50001, 50002, 50003, 50004, 50005]);
    assert_eq!(ids[1], [50003, 50005], "used");
    assert_eq!(ids[2], [50001, 50002], "canuse");
    assert_eq!(ids[3], [50004], "expired");
    assert_eq!(ids[4], [50001, 50002, 50004, 50005], "amount ¥60");
    assert_eq!(ids[5], [50002], "canuse at ¥30");
    assert_eq!(ids[6], [50001, 50002, 50004, 50005], "basket of ¥52");
    assert!(ids[7].is_empty(), "no user_id: an empty list");
    let thresholds: BTreeSet<i64> = coupons[0]
        .item_list
        .iter()
        .filter_map(|c| c.coupon.as_ref()?.min_amount_use.map(Money::fen))
        .collect();
    assert_eq!(thresholds, BTreeSet::from([0, 5000, 10000]));

    // The canuse filter follows the mock's clock.
    let past = start(MockConfig::new().clock(zv_sign::FixedClock(1_600_000_000)));
    let client = blocking_builder(&past).clock(zv_sign::FixedClock(1_600_000_000)).build().unwrap();
    let canuse = client.coupons(&member().status(CouponStatusFilter::CanUse)).unwrap();
    assert_eq!(coupon_ids(&canuse), [50001, 50002, 50004]);
}

#[test]
fn unknown_member_is_a_business_error() {
    let mock = start(MockConfig::new());
    let client = blocking(&mock);
    for error in [
        client.gift_cards(&GiftCardListParams::new("99999")).unwrap_err(),
        client.gift_cards(&GiftCardListParams::default()).unwrap_err(),
        client.coupons(&CouponListParams::new().user_id(99999)).unwrap_err(),
    ] {
        assert_eq!(error.kind(), ErrorKind::ApiBusiness, "{error}");
        assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(NOT_FOUND_CODE));
        assert_eq!(error.api_error().unwrap().message, "查询的信息不存在");
    }
    assert!(mock.log().iter().all(|e| e.verdict.is_ok()), "business errors pass every check");
}

#[test]
fn exchange_codes_and_the_redeem_write() {
    let mock = start(MockConfig::new());
    let client = blocking(&mock);
    assert!(client.exchange_code_status(DEMO_EXCHANGE_CODE).unwrap().redeemable);
    assert!(!client.exchange_code_status(DEMO_SPENT_EXCHANGE_CODE).unwrap().redeemable);
    assert!(!client.exchange_code_status("000").unwrap().redeemable);

    let redeem = |code: &str| {
        client.send_untyped(
            &UntypedRequest::v3(REDEEM_PATH, json!({"exchangeCode": code, "user_id": DEMO_MEMBER})).unwrap(),
        )
    };
    let done = redeem(DEMO_EXCHANGE_CODE).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(done.data.get()).unwrap()["redeemed"], true);
    assert!(!client.exchange_code_status(DEMO_EXCHANGE_CODE).unwrap().redeemable);
    assert!(!mock.fixtures().exchange_codes[DEMO_EXCHANGE_CODE]);
    for code in [DEMO_EXCHANGE_CODE, DEMO_SPENT_EXCHANGE_CODE, "nope"] {
        let error = redeem(code).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ApiBusiness);
        assert_eq!(error.api_code().and_then(|c| c.as_i64()), Some(REDEEM_FAILED_CODE));
    }
    // set_fixtures brings the code back.
    mock.set_fixtures(Fixtures::demo());
    assert!(client.exchange_code_status(DEMO_EXCHANGE_CODE).unwrap().redeemable);
}

#[test]
fn async_client_reads_the_same_data() {
    let mock = start(MockConfig::new());
    let expected = all_reads_blocking(&blocking(&mock));
    let client = asynch(&mock);
    let got = run(async {
        let cards = client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER)).await.unwrap();
        let used = client.coupons(&member().status(CouponStatusFilter::Used)).await.unwrap();
        let basket = client.coupons(&member().basket(basket())).await.unwrap();
        let code = client.exchange_code_status(DEMO_EXCHANGE_CODE).await.unwrap().redeemable;
        (cards, used, basket, code)
    });
    assert_eq!(got.0, expected.0[0]);
    assert_eq!(got.1, expected.1[1]);
    assert_eq!(got.2, expected.1[6]);
    assert_eq!(got.3, expected.2[0]);
}

#[test]
fn canonical_and_messy_decode_to_identical_values() {
    let canonical = start(MockConfig::new());
    let messy = start(MockConfig::new().messy(true));
    let expected = all_reads_blocking(&blocking(&canonical));
    // Every call has a new nonce, so a new messy rendering: try several.
    for _ in 0..8 {
        assert_eq!(all_reads_blocking(&blocking(&messy)), expected);
    }
    let client = asynch(&messy);
    let cards = run(client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER).include_recycled(true))).unwrap();
    assert_eq!(cards, expected.0[1]);
}

#[test]
fn messy_bodies_are_messy_and_reproducible() {
    let canonical = start(MockConfig::new());
    let messy = start(MockConfig::new().messy(true));
    let messy_twin = start(MockConfig::new().messy(true));
    let n = nonce();
    let params = json!({"user_id": DEMO_MEMBER, "needCycleCard": 1});
    let body = v3_body(canonical.credentials(), now(), n, params);
    let raw = |mock: &MockServer| {
        send(mock, zv_transport::http::Method::POST, GIFT_CARDS, serde_json::to_vec(&body).unwrap()).1
    };
    let (plain, mess, twin) = (raw(&canonical), raw(&messy), raw(&messy_twin));
    assert_eq!(mess, twin, "the same nonce gives the same messy body");
    assert_ne!(plain, mess);
    let plain: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let mess: serde_json::Value = serde_json::from_slice(&mess).unwrap();
    assert_eq!((&plain["status"], &plain["code"]), (&json!(true), &json!(0)));
    assert_eq!((&mess["status"], &mess["code"]), (&json!("true"), &json!("0")));
    assert_eq!(plain["data"][0]["par_value"], "100.50");
    assert_eq!(plain["data"][0]["id"], "8800001");
}

#[test]
fn tls_with_both_clients() {
    let mock = start(MockConfig::new().tls(true));
    assert!(mock.base_url().starts_with("https://127.0.0.1:"), "{}", mock.base_url());
    let der = mock.certificate_der().expect("a certificate");
    assert!(!der.is_empty());
    let cards = blocking(&mock).gift_cards(&GiftCardListParams::new(DEMO_MEMBER)).unwrap();
    assert_eq!(cards.len(), 5);
    let client = asynch(&mock);
    let coupons = run(client.coupons(&member().status(CouponStatusFilter::CanUse))).unwrap();
    assert_eq!(coupon_ids(&coupons), [50001, 50002]);

    // Also by name (in the certificate too), and refused without trusting it.
    let by_ip = blocking_builder(&mock)
        .base_url(format!("https://localhost:{}", mock.addr().port()))
        .build()
        .unwrap();
    assert!(by_ip.exchange_code_status(DEMO_EXCHANGE_CODE).unwrap().redeemable);
    let untrusting = zv_api::blocking::Client::builder()
        .base_url(mock.base_url())
        .credentials(mock.credentials().clone())
        .build()
        .unwrap();
    let error = untrusting.exchange_code_status(DEMO_EXCHANGE_CODE).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(MockServer::start(MockConfig::new()).unwrap().certificate_der().is_none());
}

#[test]
fn tls_with_start_async() {
    run(async {
        let mock = MockServer::start_async(MockConfig::new().tls(true)).await.unwrap();
        let client = asynch(&mock);
        assert!(client.exchange_code_status(DEMO_EXCHANGE_CODE).await.unwrap().redeemable);
    });
}

#[cfg(target_os = "linux")]
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|s| s.trim().to_owned())
        .collect()
}

#[test]
fn drop_stops_the_server_frees_the_port_and_joins_the_thread() {
    let mock = start(MockConfig::new());
    let addr = mock.addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(mock.base_url(), format!("http://127.0.0.1:{}", addr.port()));
    blocking(&mock).gift_cards(&GiftCardListParams::new(DEMO_MEMBER)).unwrap();
    let name = format!("zv-mock-{}", addr.port());
    #[cfg(target_os = "linux")]
    assert!(thread_names().contains(&name), "{name}");
    drop(mock);
    #[cfg(target_os = "linux")]
    assert!(!thread_names().contains(&name), "the server thread was joined");
    let again = std::net::TcpListener::bind(addr).expect("the port is free after drop");
    drop(again);

    // The same address again, explicitly, then shutdown().
    let mock = start(MockConfig::new().addr(addr));
    assert_eq!(mock.addr(), addr);
    let busy = MockServer::start(MockConfig::new().addr(addr)).unwrap_err();
    assert!(matches!(busy, MockError::Bind { .. }), "{busy}");
    assert!(busy.to_string().contains(&addr.to_string()));
    mock.shutdown();
    std::net::TcpListener::bind(addr).expect("free after shutdown");
}

#[test]
fn start_async_inside_a_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let addr = rt.block_on(async {
        let mock = MockServer::start_async(MockConfig::new()).await.unwrap();
        let client = asynch(&mock);
        let cards = client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER)).await.unwrap();
        assert_eq!(cards.len(), 5);
        // A blocking server started from async code works too.
        let inner = MockServer::start(MockConfig::new()).unwrap();
        let inner_client = asynch(&inner);
        assert!(inner_client.exchange_code_status(DEMO_EXCHANGE_CODE).await.unwrap().redeemable);
        let addr = mock.addr();
        drop(mock);
        // Dropping signals the task; it lets go of the port as soon as it runs.
        for _ in 0..100 {
            if std::net::TcpListener::bind(addr).is_ok() {
                return addr;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the port of a dropped async server stays busy");
    });
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    std::net::TcpListener::bind(addr).unwrap();
}

#[test]
fn observer_sees_each_request_once_after_the_verdict() {
    let seen: Arc<Mutex<Vec<LogEntry>>> = Arc::default();
    let sink = seen.clone();
    let mock = start(MockConfig::new().observer(move |e| sink.lock().unwrap().push(e.clone())));
    let client = blocking(&mock);
    client.gift_cards(&GiftCardListParams::new(DEMO_MEMBER)).unwrap();
    let _ = send(&mock, zv_transport::http::Method::GET, "/", Vec::new());
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen.iter().map(ToString::to_string).collect::<Vec<_>>(),
        mock.log().iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    assert!(
        seen[0].to_string().starts_with("POST /v3/crm/giftCard/getCustomerGiftCardList nonce="),
        "{}",
        seen[0]
    );
    assert!(seen[0].to_string().ends_with("-> ok (200)"), "{}", seen[0]);
    assert!(seen[1].to_string().starts_with("GET / -> rejected: method: "), "{}", seen[1]);
    mock.clear_log();
    assert!(mock.log().is_empty());
}

/// Collects everything `tracing` prints, from every thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_key_never_shows() {
    const KEY: &str = "Zz-UNMISTAKABLE-open-key-0f9e8d7c";
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    for (config, key) in [
        (MockConfig::new(), DEMO_OPEN_KEY),
        (MockConfig::new().credentials(Credentials::new("oid", "grant", KEY)).tls(true).messy(true), KEY),
    ] {
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains(key), "{shown}");
        let mock = start(config);
        let shown = format!("{mock:?} {mock:#?}");
        assert!(!shown.contains(key), "{shown}");
        assert!(shown.contains(mock.credentials().open_id()));
        // A good request, a replay, a forged signature.
        blocking(&mock).gift_cards(&GiftCardListParams::new(DEMO_MEMBER)).unwrap();
        let creds = mock.credentials().clone();
        let (ts, n) = (now(), nonce());
        let body = v3_body(&creds, ts, n, json!({"exchangeCode": DEMO_EXCHANGE_CODE}));
        let mut forged = v3_body(&creds, ts, nonce(), json!({"exchangeCode": DEMO_EXCHANGE_CODE}));
        forged["token"] =
            json!(token(&Credentials::new(creds.open_id(), creds.grant_code(), "other"), ts, n));
        let tokens =
            [body["token"].as_str().unwrap().to_owned(), forged["token"].as_str().unwrap().to_owned()];
        for b in [&body, &body, &forged] {
            let (_, answer) = post(&mock, EXCHANGE_STATUS, b);
            let answer = answer.to_string();
            assert!(!answer.contains(key) && !tokens.iter().any(|t| answer.contains(t)), "{answer}");
        }
        let log = mock.log();
        assert_eq!(log.len(), 4);
        assert_eq!(log[2].verdict.check(), Some(zv_mock::Check::Nonce));
        assert_eq!(log[3].verdict.check(), Some(zv_mock::Check::Signature));
        for entry in log {
            for text in [entry.to_string(), format!("{entry:?}"), serde_json::to_string(&entry).unwrap()] {
                assert!(!text.contains(key), "{text}");
                assert!(!tokens.iter().any(|t| text.contains(t)), "{text}");
            }
        }
        drop(mock);
    }
    let traced = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(traced.contains("rejected: signature"), "the mock traces each request: {traced}");
    assert!(!traced.contains(KEY) && !traced.contains(DEMO_OPEN_KEY), "{traced}");
}
