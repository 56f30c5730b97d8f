//! `zv exchange-code`: whether an exchange code can be redeemed.

use std::io::Write;

use serde_json::json;

use super::Context;
use crate::failure::Failure;
use crate::output::format::Format;
use crate::output::typed as output;

/// Examples shown at the end of `zv exchange-code --help`, sandbox ones first.
pub const EXAMPLES: &str = r#"Examples:
  zv --sandbox exchange-code 164822200532619796511
  zv exchange-code 164822200532619796511 --json"#;

/// `zv exchange-code`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The exchange code or universal code (兑换码/通用码).
    code: String,
}

/// Runs `zv exchange-code` (exits 0 whether or not the code can be redeemed).
pub(crate) fn run(args: Args, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    let code = args.code;
    let status = cx.connect()?.client.exchange_code_status(&code)?;
    let value = json!({"code": code, "redeemable": status.redeemable});
    output::show(out, &cx.printer(Format::Table), &value, None, |out| {
        output::exchange_code(out, &code, status.redeemable)
    })
    .map_err(Failure::output)
}
