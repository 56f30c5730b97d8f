//! `validate_overhead`: what checking the params against the catalogue costs `zv api` per
//! call. Both sides do what `zv api PATH FIELD=VALUE…` does with its arguments — convert
//! the FIELD values to the declared types, build the params' JSON, then send them with the
//! blocking client's `send_untyped` to one local keep-alive server — and the validating side
//! also runs the CLI's check (`zv_cli::params::check`, i.e.
//! `Entry::check_params`), as `zv api` does without `--no-validate`.

use std::hint::black_box;

use serde_json::value::RawValue;
use zv_api::UntypedRequest;
use zv_cli::params::{self, Field};
use zv_types::catalogue::{self, Entry};

use crate::cases::blocking_client;
use crate::harness::{Comparison, Plan, compare, looped};
use crate::server::Server;

/// A documented read: a required enumerated integer and a string.
pub const PATH: &str = "v3/crm/customer/gatherCustomerInfo";
/// Its `FIELD=VALUE` arguments.
const FIELDS: [&str; 3] = ["type=2", "identifierNumber=13800000000", "typeCate=1"];

/// The untyped call with the check vs the same call on `--no-validate`'s path.
pub fn validate_overhead(plan: Plan, server: &Server) -> Result<Comparison, String> {
    let entry = catalogue::lookup(PATH).ok_or_else(|| format!("{PATH} is not catalogued"))?;
    let schema = params::schema(Some(entry)).ok_or_else(|| format!("{PATH} has no params schema"))?;
    let fields: Vec<Field> =
        FIELDS.iter().map(|f| f.parse::<Field>().map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    // The check must pass, or the validating side would measure a refusal.
    params::check(schema, &build(entry, &fields)?).map_err(|e| format!("{PATH}: {e}"))?;
    let client = blocking_client(server).map_err(|e| format!("the blocking client: {e}"))?;
    let call = |validate: bool| -> Result<Box<RawValue>, String> {
        let built = build(entry, &fields)?;
        if validate {
            params::check(schema, &built).map_err(|e| e.to_string())?;
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

/// The params `zv api` builds from `fields`: each converted to its declared type.
fn build(entry: &Entry, fields: &[Field]) -> Result<Box<RawValue>, String> {
    params::build(None, &params::typed(fields, Some(entry))).map_err(|e| e.to_string())
}
