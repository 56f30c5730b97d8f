//! `zv gift-cards`: a member's gift cards.

use std::io::Write;

use zv_types::GiftCardListParams;

use super::Context;
use crate::failure::Failure;
use crate::output::format::Format;
use crate::output::typed as output;

/// Examples shown at the end of `zv gift-cards --help`, sandbox ones first (a test runs those).
pub const EXAMPLES: &str = r#"Examples:
  zv --sandbox gift-cards --user-id 10001
  zv --sandbox gift-cards --user-id 10001 --include-recycled --json
  zv gift-cards --user-id 10001"#;

/// `zv gift-cards`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The member id.
    #[arg(long, value_name = "ID")]
    user_id: String,
    /// Include recycled cards in the unusable list (needCycleCard=1).
    #[arg(long)]
    include_recycled: bool,
}

/// Runs `zv gift-cards`.
pub(crate) fn run(args: Args, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    let params = GiftCardListParams::new(args.user_id).include_recycled(args.include_recycled);
    let cards = cx.connect()?.client.gift_cards(&params)?;
    output::show(out, &cx.printer(Format::Table), &cards, None, |out| {
        output::gift_cards(out, &cards, cx.layout)
    })
    .map_err(Failure::output)
}
