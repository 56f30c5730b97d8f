//! `zv api`: which endpoint an argument names, whether it may be sent, and what `--dry-run`
//! shows.

use zv_api::zv_transport::http;
use zv_types::catalogue::{self, Entry, Safety};
use zv_types::{PageDialect, Route, RouteError};

use crate::output::data::Data;

/// The endpoint `zv api` calls: its route and, when catalogued, its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    route: Route<'a>,
    key: &'a str,
    entry: Option<&'static Entry>,
}

impl<'a> Target<'a> {
    /// Reads a V3 path (`/v3/x/y`, `v3/x/y`, `/x/y` or `x/y`) or a V2 Action
    /// (`coupon.user-coupon-list` or `v2:coupon.user-coupon-list`): a catalogued one first,
    /// else anything with a `/` is a V3 path and anything else an Action.
    pub fn resolve(arg: &'a str) -> Result<Target<'a>, RouteError> {
        if let Some(entry) = catalogue::lookup(arg) {
            return Ok(Target { route: entry.route, key: entry.key(), entry: Some(entry) });
        }
        let arg = arg.trim();
        let (route, key) = if let Some(action) = arg.strip_prefix("v2:") {
            (Route::v2(action.trim())?, action.trim())
        } else if arg.contains('/') {
            let path = arg.strip_prefix('/').unwrap_or(arg);
            let path = path.strip_prefix("v3/").unwrap_or(path);
            (Route::v3(path)?, path)
        } else {
            (Route::v2(arg)?, arg)
        };
        Ok(Target { route, key, entry: None })
    }

    /// Where requests go.
    pub fn route(&self) -> Route<'a> {
        self.route
    }

    /// The catalogue's entry, if the endpoint is catalogued.
    pub fn entry(&self) -> Option<&'static Entry> {
        self.entry
    }

    /// A read when the catalogue says so; a write otherwise (an uncatalogued endpoint too).
    pub fn safety(&self) -> Safety {
        self.entry.map_or(Safety::Write, |e| e.safety)
    }

    /// How it pages, when the catalogue knows.
    pub fn paging(&self) -> Option<PageDialect> {
        self.entry.and_then(|e| e.paging)
    }

    /// The V3 path without `/v3/`, or the V2 Action.
    pub fn key(&self) -> &'a str {
        self.key
    }

    /// The catalogued endpoint an uncatalogued one was probably meant to be (a typo, a
    /// letter in the wrong case): the same protocol's nearest path or Action, at most a few
    /// edits away ignoring case. `None` for a catalogued endpoint.
    pub fn suggestion(&self) -> Option<&'static Entry> {
        if self.entry.is_some() {
            return None;
        }
        let key = self.key.to_lowercase();
        // A few edits, and fewer than a quarter of the name: `a/b` is no typo of `a/c`.
        let limit = 3.min(key.chars().count() / 4);
        catalogue::all()
            .iter()
            .filter(|e| e.route.protocol() == self.route.protocol())
            .map(|e| (strsim::levenshtein(&key, &e.key().to_lowercase()), e))
            .filter(|(distance, _)| *distance <= limit)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, e)| e)
    }

    /// Why a write is refused without `--yes`: one line naming `--yes`, and the catalogued
    /// endpoint an uncatalogued one was probably meant to be.
    pub fn refusal(&self) -> String {
        let what = match self.entry {
            Some(_) => "a write (the endpoint catalogue says so)",
            None => "not in the endpoint catalogue, so it is treated as a write",
        };
        match self.suggestion() {
            Some(e) => format!(
                "{} is {what}: nothing was sent; did you mean {}? (if not, add --yes to send it)",
                self.route, e.route
            ),
            None => format!("{} is {what}: nothing was sent; add --yes to send it", self.route),
        }
    }
}

/// The line for an argument `zv api` cannot read as a path or an Action, with the likely fix
/// when it is a whole URL.
pub fn route_error_line(arg: &str, error: &RouteError) -> String {
    if arg.contains("://") {
        format!(
            "{error}; give the path only (e.g. v3/crm/giftCard/getCustomerGiftCardList): the base URL goes in --base-url or ZV_BASE_URL"
        )
    } else {
        error.to_string()
    }
}

/// The placeholder `--dry-run` shows instead of the token.
pub const REDACTED: &str = "<redacted>";

/// What `--dry-run` prints: method, URL, whether a retry would be safe, and the body with
/// its token replaced by [`REDACTED`] (any member named `token`, ignoring case) and the
/// `grant_code` wherever it is shown as [`zv_api::redact_grant_code`] shows it. Numbers
/// and key order are as they would be sent.
pub fn dry_run_view(
    request: &http::Request<Vec<u8>>,
    retry_safe: bool,
    redact: &dyn Fn(&str) -> String,
) -> Result<Data, serde_json::Error> {
    let text = String::from_utf8_lossy(request.body());
    let mut body = Data::from_json(&text)?;
    redact_strings(&mut body, redact);
    if let Data::Object(members) = &mut body {
        for (key, value) in members.iter_mut() {
            if key.eq_ignore_ascii_case("token") {
                *value = Data::String(REDACTED.to_owned());
            }
        }
    }
    Ok(Data::Object(vec![
        ("method".to_owned(), Data::String(request.method().to_string())),
        ("url".to_owned(), Data::String(request.uri().to_string())),
        ("retry_safe".to_owned(), Data::Bool(retry_safe)),
        ("body".to_owned(), body),
    ]))
}

/// Every string (and member name) in `data` through `redact` (the client's: the grantCode
/// by the one rule, and the openKey should the params hold it).
fn redact_strings(data: &mut Data, redact: &dyn Fn(&str) -> String) {
    let apply = |text: &mut String| *text = redact(text);
    match data {
        Data::String(text) => apply(text),
        Data::Array(items) => items.iter_mut().for_each(|item| redact_strings(item, redact)),
        Data::Object(members) => {
            for (key, value) in members {
                apply(key);
                redact_strings(value, redact);
            }
        }
        Data::Number(_) | Data::Bool(_) | Data::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zv_types::Protocol;

    #[test]
    fn every_path_form_reaches_the_same_catalogued_entry() {
        let forms = [
            "/v3/crm/giftCard/getCustomerGiftCardList",
            "v3/crm/giftCard/getCustomerGiftCardList",
            "/crm/giftCard/getCustomerGiftCardList",
            "crm/giftCard/getCustomerGiftCardList",
        ];
        for form in forms {
            let t = Target::resolve(form).unwrap();
            assert_eq!(
                (t.route().protocol(), t.key()),
                (Protocol::V3, "crm/giftCard/getCustomerGiftCardList")
            );
            assert_eq!(t.safety(), Safety::Read, "{form}");
        }
        let t = Target::resolve("coupon.user-coupon-list").unwrap();
        assert_eq!((t.route().protocol(), t.entry().is_some()), (Protocol::V2, true));
    }

    #[test]
    fn an_uncatalogued_endpoint_is_a_write_without_paging() {
        for form in ["v3/no/such/thing", "/no/such/thing", "no/such/thing"] {
            let t = Target::resolve(form).unwrap();
            assert_eq!(t.route().protocol(), Protocol::V3);
            assert_eq!((t.safety(), t.paging(), t.key()), (Safety::Write, None, "no/such/thing"));
            assert!(t.refusal().contains("--yes"));
        }
        for form in ["v2:some.action", "some.action"] {
            let t = Target::resolve(form).unwrap();
            assert_eq!((t.route().protocol(), t.key()), (Protocol::V2, "some.action"));
        }
        assert!(Target::resolve("/v3/../etc").is_err());
        assert!(Target::resolve("  ").is_err());
    }

    #[test]
    fn a_typo_in_a_path_or_action_suggests_the_catalogued_one() {
        for typo in [
            "crm/giftCard/getCustomerGiftCardLst",
            "crm/giftcard/getCustomerGiftCardList",
            "/v3/crm/giftCard/getCustomerGiftCardLists",
        ] {
            let t = Target::resolve(typo).unwrap();
            let suggested = t.suggestion().map(Entry::key);
            assert_eq!(suggested, Some("crm/giftCard/getCustomerGiftCardList"), "{typo}");
            let line = t.refusal();
            assert!(
                line.contains("did you mean /v3/crm/giftCard/getCustomerGiftCardList?")
                    && line.contains("--yes"),
                "{line}"
            );
        }
        let t = Target::resolve("coupon.user-coupons-list").unwrap();
        assert_eq!(t.suggestion().map(Entry::key), Some("coupon.user-coupon-list"));
        // nothing near, or too short to tell a typo from another name: no suggestion
        for other in ["no/such/thing", "coupon/exchange/redeemExchangeCode", "a/b", "some.action"] {
            let t = Target::resolve(other).unwrap();
            assert_eq!(t.suggestion(), None, "{other}");
            assert!(t.refusal().ends_with("nothing was sent; add --yes to send it"), "{other}");
        }
        // a catalogued endpoint needs none
        assert_eq!(Target::resolve("coupon/card/exchangeGiftCard").unwrap().suggestion(), None);
    }

    #[test]
    fn a_whole_url_for_a_path_says_where_the_base_url_goes() {
        let arg = "https://openapi.qmai.cn/v3/crm/giftCard/getCustomerGiftCardList";
        let e = Target::resolve(arg).unwrap_err();
        let line = route_error_line(arg, &e);
        assert!(line.starts_with(&e.to_string()) && line.contains("--base-url"), "{line}");
        let e = Target::resolve("/v3/../etc").unwrap_err();
        assert_eq!(route_error_line("/v3/../etc", &e), e.to_string());
    }

    #[test]
    fn the_dry_run_view_never_holds_the_token() {
        let body = br#"{"openId":"o","grantCode":"GrAnT","timestamp":1,"nonce":2,"token":"SeCrEt%3D","params":{"id":123456789012345678901,"note":["a GrAnT"]}}"#;
        let request = http::Request::post("http://h/v3/x").body(body.to_vec()).unwrap();
        let view = dry_run_view(&request, false, &|t| zv_api::redact_grant_code(t, "GrAnT").into_owned())
            .unwrap()
            .to_json();
        assert!(!view.contains("GrAnT"), "{view}");
        assert!(
            view.contains(r#""grantCode":"[redacted]""#) && view.contains(r#"["a [redacted]"]"#),
            "{view}"
        );
        assert!(!view.contains("SeCrEt"), "{view}");
        assert!(view.contains(r#""token":"<redacted>""#), "{view}");
        assert!(view.contains(r#""params":{"id":123456789012345678901,"#), "{view}");
        assert!(view.starts_with(r#"{"method":"POST","url":"http://h/v3/x","retry_safe":false"#), "{view}");
    }
}
