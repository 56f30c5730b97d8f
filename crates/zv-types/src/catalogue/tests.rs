//! The catalogue's invariants, through its public API. That the table matches
//! `catalogue/*.toml` is checked by `cargo xtask catalogue --check` (and its test).

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::{Endpoint, GetCustomerGiftCardList, UserCouponList};

fn entry(path_or_action: &str) -> &'static Entry {
    lookup(path_or_action).unwrap_or_else(|| panic!("{path_or_action} is not catalogued"))
}

fn keys<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<&'static str> {
    entries.map(Entry::key).collect()
}

#[test]
fn every_route_is_valid() {
    for e in all() {
        match (e.route.path(), e.route.action()) {
            (Some(path), None) => {
                assert_eq!(Route::v3(path), Ok(e.route), "{path}");
                assert!(!path.starts_with("v3/") && !path.starts_with('/'), "{path} keeps a prefix");
            }
            (None, Some(action)) => assert_eq!(Route::v2(action), Ok(e.route), "{action}"),
            other => panic!("a route is a path or an action: {other:?}"),
        }
    }
}

#[test]
fn no_duplicates() {
    let mut seen = BTreeSet::new();
    for e in all() {
        assert!(seen.insert(e.key()), "{} is catalogued twice", e.key());
        let mut names = BTreeSet::new();
        assert!(e.params.iter().all(|p| names.insert(p.name)), "{}: a param listed twice", e.key());
    }
}

#[test]
fn ordered_by_domain_then_route_and_domains_match() {
    let order = |e: &Entry| (e.domain, e.route.protocol() == Protocol::V3, e.key());
    assert!(all().windows(2).all(|w| order(&w[0]) < order(&w[1])));
    let used: BTreeSet<&str> = all().iter().map(|e| e.domain).collect();
    assert_eq!(domains().iter().copied().collect::<BTreeSet<_>>(), used);
    assert!(domains().windows(2).all(|w| w[0] < w[1]));
}

/// Per domain, its (V3 reads, V3 writes, V2 reads, V2 writes), as `catalogue/*.toml` says:
/// read from the files themselves, so no count here is edited when an endpoint is added.
fn counts_in_toml() -> BTreeMap<String, [usize; 4]> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalogue");
    let mut counts = BTreeMap::new();
    let files = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for file in files.map(|f| f.map(|f| f.path())) {
        let file = file.unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        if file.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let table: toml::Table = text.parse().unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let domain = table["domain"].as_str().unwrap_or_else(|| panic!("{}: no domain", file.display()));
        let mut count = [0; 4];
        for e in table.get("endpoint").and_then(toml::Value::as_array).into_iter().flatten() {
            let v2 = e.get("action").is_some();
            let read = e.get("safety").and_then(toml::Value::as_str) == Some("read");
            count[usize::from(v2) * 2 + usize::from(!read)] += 1;
        }
        assert!(counts.insert(domain.to_owned(), count).is_none(), "{domain} in two files");
    }
    counts
}

#[test]
fn counts_per_domain_and_safety_match_the_catalogue_files() {
    let mut counts: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for e in all() {
        let v2 = e.route.protocol() == Protocol::V2;
        let count = counts.entry(e.domain.to_owned()).or_default();
        count[usize::from(v2) * 2 + usize::from(e.safety == Safety::Write)] += 1;
    }
    let expected = counts_in_toml();
    assert_eq!(counts, expected);
    assert_eq!(
        domains().iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        expected.keys().cloned().collect::<Vec<_>>()
    );
    // Both kinds of route, and both safeties, are there (a floor, not a count to keep up).
    let total: [usize; 4] = expected.values().fold([0; 4], |a, c| std::array::from_fn(|i| a[i] + c[i]));
    assert!(total.iter().all(|&n| n > 0), "{total:?}");
    assert_eq!(all().len(), total.iter().sum::<usize>());
    let v2 = keys(all().iter().filter(|e| e.route.protocol() == Protocol::V2));
    assert!(v2.contains(&"coupon.user-coupon-list") && v2.contains(&"coupn.coupon-template-detail"));
}

#[test]
fn typed_endpoints_are_catalogued_with_their_safety_and_type() {
    // Every `rust_type` in the catalogue (the generator lists them all, the hand-written ones
    // too), against what its type declares.
    let declared = table::rust_types();
    assert_eq!(all().iter().filter(|e| e.rust_type.is_some()).count(), declared.len());
    for (rust_type, type_name, route, safety) in declared {
        let e = by_route(route).unwrap_or_else(|| panic!("{rust_type}'s route {route} is not catalogued"));
        assert_eq!((e.rust_type, e.safety), (Some(rust_type), safety));
        let name = rust_type.rsplit("::").next().unwrap_or_default();
        assert!(type_name.ends_with(&format!("::{name}")), "{rust_type} is {type_name}");
    }
    // The hand-written endpoints are among them.
    let types: BTreeSet<&str> = declared.iter().map(|(t, ..)| *t).collect();
    for hand in
        ["zv_types::GetCustomerGiftCardList", "zv_types::GetExchangeCodeStatus", "zv_types::UserCouponList"]
    {
        assert!(types.contains(hand), "{hand}");
    }
}

#[test]
fn documented_dialects_are_attached() {
    let documented = [
        ("v3/goods/item/getItemList", PageDialect::DataTotal),
        ("v3/org/shop/getShopList", PageDialect::ListTotal),
        ("v3/dataone/finance/summary/businessRecord", PageDialect::ResultList),
        ("v3/crm/marketing/couponActivityList/page", PageDialect::TotalPage),
        ("v3/coupon/card/consumeFlow/page", PageDialect::PageCount),
        ("v3/queuing/queueNo/queryShopQueueNoList", PageDialect::PageSize),
        ("v3/scm/order/inbound/order/list", PageDialect::Records),
    ];
    for (path, dialect) in documented {
        let e = entry(path);
        assert_eq!((e.paging, e.safety), (Some(dialect), Safety::Read), "{path}");
    }
    // Beyond those, only where the field shows the shape: pageNo/pageSize → {data, total}.
    let shown = [
        ("v3/newPattern/scmApiserver/post/declare/order/list", PageDialect::DataTotal),
        ("v3/order/userAppointTimeOrderList", PageDialect::DataTotal),
    ];
    let paged: BTreeMap<String, PageDialect> =
        all().iter().filter_map(|e| Some((e.route.to_string(), e.paging?))).collect();
    let expected: BTreeMap<String, PageDialect> =
        documented.iter().chain(&shown).map(|(p, d)| (format!("/{p}"), *d)).collect();
    assert_eq!(paged, expected);
    // Paged-looking paths whose page shape is unknown page in no dialect.
    for path in
        ["v3/crm/coupon/getCustomerCouponList", "v3/cdp/panoramaLabel/list", "v3/dist/meTakeoutShopMapPage"]
    {
        assert_eq!(entry(path).paging, None, "{path}");
    }
}

#[test]
fn paged_params_are_the_dialects_and_unknown_paging_is_noted() {
    let paging_params = ["pageNo", "pageNum", "page", "pageSize", "size"];
    for e in all() {
        let names: BTreeSet<&str> = e.params.iter().map(|p| p.name).collect();
        match e.paging {
            // Where params were seen, the dialect's request fields are among them.
            Some(dialect) if !names.is_empty() => {
                let (page, size) = dialect.request_fields();
                assert!(names.contains(page) && names.contains(size), "{}: {dialect} but {names:?}", e.key());
            }
            Some(_) => {}
            // A path sent page fields but catalogued without a dialect says why.
            None if paging_params.iter().any(|p| names.contains(p)) => {
                assert!(e.notes.is_some_and(|n| n.contains("no paging dialect")), "{}", e.key());
            }
            None => {}
        }
    }
}

#[test]
fn uncertain_safety_is_write() {
    // A read in the field notes, but checking a captcha may use it up.
    assert_eq!(entry("v3/message/commonCheckSmsCaptcha").safety, Safety::Write);
    for path in ["v3/org/shop/shopCode2Id", "v3/newPattern/accountCenter/post/account/can-logoff"] {
        assert_eq!(entry(path).safety, Safety::Write, "{path}");
    }
    assert_eq!(entry("v3/coupon/exchange/codeDispatch").safety, Safety::Write);
}

#[test]
fn params_carry_what_the_vendor_pages_say() {
    let cards = entry("crm/giftCard/getCustomerGiftCardList");
    assert_eq!(cards.title, Some("我的礼品卡列表"));
    let flag = cards.param("needCycleCard").unwrap();
    // required comes from its V2 twin's page (the V3 page's plain table has no 是否必填)
    assert_eq!(
        (flag.json_type, flag.required, flag.money_unit),
        (Some(JsonType::Integer), Some(false), None)
    );
    assert!(flag.description.is_some_and(|d| d.contains("回收")));
    assert_eq!(cards.param("user_id").and_then(|p| p.json_type), Some(JsonType::String));
    assert_eq!(cards.param("nope"), None);

    let coupons = entry("v2:coupon.user-coupon-list");
    assert_eq!(coupons.params.len(), 7);
    assert!(coupons.params.iter().all(|p| p.required == Some(false)));
    let amount = coupons.param("amount").unwrap();
    assert_eq!((amount.json_type, amount.money_unit), (Some(JsonType::Integer), Some(MoneyUnit::Fen)));

    let code = entry("/v3/coupon/exchange/getExchangeCodeStatus").param("exchangeCode").unwrap();
    assert_eq!((code.json_type, code.description), (Some(JsonType::String), Some("兑换码/通用码")));

    let sync = entry("v3/goods/sync/shopGoodsSync");
    assert_eq!(sync.param("costPrice").and_then(|p| p.money_unit), Some(MoneyUnit::Yuan));
    assert_eq!(sync.param("salePrice").and_then(|p| p.money_unit), None); // no unit documented
    let money = all().iter().flat_map(|e| e.params).filter(|p| p.money_unit.is_some()).count();
    assert!(money > 10, "{money}");
}

#[test]
fn lookup_accepts_every_form_of_a_path_or_action() {
    let path = entry("v3/crm/giftCard/getCustomerGiftCardList");
    assert_eq!(path.route, GetCustomerGiftCardList::ROUTE);
    for form in [
        "/v3/crm/giftCard/getCustomerGiftCardList",
        "crm/giftCard/getCustomerGiftCardList",
        "/crm/giftCard/getCustomerGiftCardList",
        "  v3/crm/giftCard/getCustomerGiftCardList\n",
    ] {
        assert_eq!(lookup(form), Some(path), "{form:?}");
    }
    let action = entry("coupon.user-coupon-list");
    assert_eq!(lookup("v2:coupon.user-coupon-list"), Some(action));
    assert_eq!(lookup(&UserCouponList::ROUTE.to_string()), Some(action));
    assert_eq!(lookup(&GetCustomerGiftCardList::ROUTE.to_string()), Some(path));
    for miss in [
        "",
        "/",
        "v3/",
        "v2:",
        "nope",
        "v3/crm/giftCard",
        "crm/giftcard/getcustomergiftcardlist", // paths are compared exactly
        "v3/v3/crm/giftCard/getCustomerGiftCardList",
        "v2:crm/giftCard/getCustomerGiftCardList", // a path is not an Action
        "/coupon.user-coupon-list",                // nor an Action a path
        "v3/coupon.user-coupon-list",
    ] {
        assert_eq!(lookup(miss), None, "{miss:?}");
    }
}

#[test]
fn by_route_is_exact() {
    assert_eq!(by_route(Route::v3_static("goods/item/getItemList")).map(|e| e.domain), Some("goods"));
    assert_eq!(by_route(Route::v2_static("goods/item/getItemList")), None);
    assert_eq!(by_route(Route::v3_static("coupon.user-coupon-list")), None);
}

#[test]
fn every_entry_is_found_by_its_route_and_its_key() {
    for e in all() {
        assert_eq!(by_route(e.route), Some(e), "{}", e.route);
        assert_eq!(lookup(&e.route.to_string()), Some(e), "{}", e.route);
        assert_eq!(lookup(e.key()), Some(e), "{}", e.key());
        let other = match e.route.protocol() {
            Protocol::V3 => Route::v2(e.key()),
            Protocol::V2 => Route::v3(e.key()),
        };
        // The same name under the other protocol is another route (when it is one at all).
        if let Ok(other) = other {
            assert_eq!(by_route(other), None, "{other}");
        }
    }
    // Before the first entry, after the last, and between two.
    for miss in
        ["", "0", "zzzz", "crm/giftCard/getCustomerGiftCardLis", "crm/giftCard/getCustomerGiftCardList0"]
    {
        assert_eq!(lookup(miss), None, "{miss:?}");
    }
}

#[test]
fn search_by_path_title_or_domain_ignoring_case() {
    // By path, with or without the prefix and in any case.
    let by_path = keys(search("GIFTCARD/unifyCardConsume", None));
    assert_eq!(
        by_path,
        [
            "crm/giftCard/unifyCardConsume",
            "crm/giftCard/unifyCardConsumePartReverse",
            "crm/giftCard/unifyCardConsumeReverse"
        ]
    );
    assert_eq!(keys(search("/v3/crm/giftCard/unifyCardConsume", None)), by_path);
    // By title.
    assert_eq!(
        keys(search("兑换码状态", None)),
        ["coupon/exchange/getExchangeCodeStatus", "coupon/exchange/queryCodeStatus"]
    );
    assert_eq!(keys(search("A MEMBER'S COUPONS", None)), ["coupon.user-coupon-list"]);
    // By domain name: every queue endpoint.
    let queue = all().iter().filter(|e| e.domain == "queue").count();
    assert!(queue > 0);
    assert_eq!(search("queue", None).filter(|e| e.domain == "queue").count(), queue);
    assert!(search("queue", None).all(|e| e.domain == "queue" || e.key().to_lowercase().contains("queue")));
    // Within a domain; an empty query lists the domain.
    assert_eq!(search("", Some("Queue")).count(), queue);
    assert_eq!(search("  ", None).count(), all().len());
    assert_eq!(keys(search("giftcard", Some("member"))), Vec::<&str>::new());
    assert!(search("giftcard", Some("marketing")).count() > 10);
    assert_eq!(search("", Some("nowhere")).count(), 0);
    assert_eq!(search("no such endpoint", None).count(), 0);
}

#[test]
fn names_and_display() {
    assert_eq!((Safety::Read.to_string(), Safety::Write.name()), ("read".to_owned(), "write"));
    assert!(Safety::Read.is_retry_safe() && !Safety::Write.is_retry_safe());
    assert_eq!((MoneyUnit::Fen.to_string(), MoneyUnit::Yuan.name()), ("fen".to_owned(), "yuan"));
    let types = [
        JsonType::String,
        JsonType::Integer,
        JsonType::Number,
        JsonType::Boolean,
        JsonType::Array,
        JsonType::Object,
    ];
    assert_eq!(types.map(|t| t.to_string()), ["string", "integer", "number", "boolean", "array", "object"]);
}
