//! `zv call`: the older form of `zv api` (`--action` or `--path`, `--params`).

use std::io::Write;

use clap::ArgGroup;

use super::Context;
use crate::failure::Failure;
use crate::input;
use crate::output::format::Format;
use crate::report::error_line;

/// Examples shown at the end of `zv call --help`, sandbox ones first.
pub const EXAMPLES: &str = r#"Examples:
  zv --sandbox call --path /v3/crm/giftCard/getCustomerGiftCardList --params '{"user_id":"10001"}'
  zv --sandbox call --action coupon.user-coupon-list --params '{"user_id":10001}' --json
  zv call --path /v3/coupon/card/exchangeGiftCard --params @card.json --yes"#;

/// `zv call`'s arguments.
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("route").args(["action", "path"]).required(true)))]
pub struct Args {
    /// A V2 Action, e.g. coupon.user-coupon-list.
    #[arg(long, value_name = "ACTION")]
    action: Option<String>,
    /// A V3 path, e.g. /v3/crm/giftCard/getCustomerGiftCardList.
    #[arg(long, value_name = "PATH")]
    path: Option<String>,
    /// The params as JSON, or @file.
    #[arg(long, value_name = "JSON|@FILE", default_value = "{}")]
    params: String,
    /// An endpoint the catalogue does not know is a read and safe to send twice: retry it after transient failures (a catalogued write stays a write).
    #[arg(long)]
    idempotent: bool,
    /// Send a write (or an endpoint the catalogue does not know), as `zv api --yes`.
    #[arg(long)]
    yes: bool,
    /// Send the params without checking them against the endpoint's documented params, as `zv api --no-validate`.
    #[arg(long)]
    no_validate: bool,
}

/// Runs `zv call`.
pub(crate) fn run(args: Args, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    // The params' text goes as it is: every number exactly as written.
    let params = input::text_arg("--params", &args.params, cx.global.max_input_bytes)
        .map_err(|e| Failure::usage(error_line(&e)))?;
    let route = match (args.action, args.path) {
        (Some(action), _) => format!("v2:{action}"),
        (None, Some(path)) => path,
        (None, None) => return Err(Failure::usage("give --action or --path")),
    };
    let table = cx.printer(Format::Table);
    let options =
        super::api::CallOptions { idempotent: args.idempotent, yes: args.yes, no_validate: args.no_validate };
    super::api::call(&route, &params, options, &table, || cx.connect(), out)
}
