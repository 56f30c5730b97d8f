//! `validate_overhead`: what checking the params against the catalogue costs `zv api` per
//! call. Both sides do what `zv api PATH FIELD=VALUE…` does with its arguments — convert
//! the FIELD values to the declared types ([`Entry::coerce_param`]), build the params' JSON,
//! then send them with the blocking client's `send_untyped` to one local keep-alive server —
//! and the validating side also runs the check `zv api` runs without `--no-validate`: the
//! params read as a value and [`Entry::check_params`] (which bounds the number and length
//! of the names first, as it does for the CLI and the mock).

use std::hint::black_box;

use serde_json::value::RawValue;
use serde_json::{Map, Value};
use zv_api::UntypedRequest;
use zv_types::catalogue::{self, Entry};

use crate::cases::blocking_client;
use crate::harness::{Comparison, Plan, compare, looped};
use crate::server::Server;

/// A documented read: a required enumerated integer and a string.
pub const PATH: &str = "v3/crm/customer/gatherCustomerInfo";
/// Its `FIELD=VALUE` arguments.
const FIELDS: [(&str, &str); 3] = [("type", "2"), ("identifierNumber", "13800000000"), ("typeCate", "1")];

/// The untyped call with the check vs the same call on `--no-validate`'s path.
pub fn validate_overhead(plan: Plan, server: &Server) -> Result<Comparison, String> {
    let entry = catalogue::lookup(PATH).ok_or_else(|| format!("{PATH} is not catalogued"))?;
    // The check must pass, or the validating side would measure a refusal.
    check(entry, &build(entry)?)?;
    let client = blocking_client(server).map_err(|e| format!("the blocking client: {e}"))?;
    let call = |validate: bool| -> Result<Box<RawValue>, String> {
        let built = build(entry)?;
        if validate {
            check(entry, &built)?;
        }
        let request = UntypedRequest::new(entry.route, &*built).map_err(|e| e.to_string())?.retry_safe(true);
        client.send_untyped(&request).map(|r| r.data).map_err(|e| e.to_string())
    };
    Ok(compare(
        plan,
        looped(|| black_box(call(true).expect("a validated call"))),
        looped(|| black_box(call(false).expect("a call on --no-validate's path"))),
    ))
}

/// The params `zv api` builds from the fields: each converted to its declared type.
fn build(entry: &Entry) -> Result<Box<RawValue>, String> {
    let mut params = Map::new();
    for (name, text) in FIELDS {
        let value = entry.coerce_param(name, text).map_err(|e| format!("{PATH}: {e}"))?;
        params.insert(name.to_owned(), value);
    }
    serde_json::value::to_raw_value(&params).map_err(|e| e.to_string())
}

/// The check: the params' text read as a value, then the catalogue's check.
fn check(entry: &Entry, params: &RawValue) -> Result<(), String> {
    let value: Value = serde_json::from_str(params.get()).map_err(|e| e.to_string())?;
    entry.check_params(&value).map_err(|problems| format!("{PATH}: {problems:?}"))
}
