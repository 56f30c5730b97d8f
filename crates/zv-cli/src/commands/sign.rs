//! `zv sign`: the canonical string, signature and token for a timestamp and nonce.

use std::io::Write;

use serde_json::json;
use zv_sign::Signer;

use super::Context;
use crate::failure::Failure;
use crate::output::format::Format;
use crate::output::typed as output;

/// Examples shown at the end of `zv sign --help`, sandbox ones first.
pub const EXAMPLES: &str = r#"Examples:
  zv --sandbox sign --timestamp 1531998134 --nonce 664656493
  zv sign --timestamp "$(date +%s)" --nonce 12345 --json"#;

/// `zv sign`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Unix time in seconds.
    #[arg(long, value_name = "T")]
    timestamp: u64,
    /// The nonce (a positive integer).
    #[arg(long, value_name = "N")]
    nonce: u64,
}

/// Runs `zv sign` (the demo credentials with `--sandbox`).
pub(crate) fn run(args: Args, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    let creds = match cx.settings()? {
        None => zv_mock::demo_credentials(),
        Some(s) => crate::gateway::credentials(&s)?,
    };
    let signer = Signer::new(&creds);
    let sig = signer.sign(args.timestamp, args.nonce);
    let value = json!({"canonical": sig.canonical(), "signature": sig.signature(), "token": sig.token()});
    output::show(out, &cx.printer(Format::Table), &value, None, |out| {
        writeln!(
            out,
            "canonical: {}\nsignature: {}\ntoken:     {}",
            sig.canonical(),
            sig.signature(),
            sig.token()
        )
    })
    .map_err(Failure::output)
}
