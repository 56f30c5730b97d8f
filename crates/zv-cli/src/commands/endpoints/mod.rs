//! `zv endpoints [QUERY]` and `zv endpoints show PATH|ACTION`: the endpoint catalogue
//! searched ([`search`]), as a table or in any format.

pub mod search;

use std::io::Write;

use clap::Subcommand;

use super::Context;
use crate::failure::Failure;
use crate::output::format::{Format, Printer};
use search as endpoints;

/// Examples shown at the end of `zv endpoints --help`.
pub const EXAMPLES: &str = r#"Examples:
  zv endpoints giftCard
  zv endpoints --domain goods --json
  zv endpoints 礼品卡"#;
const SHOW_EXAMPLES: &str = r#"Examples:
  zv endpoints show v3/crm/customer/gatherCustomerInfo
  zv endpoints show communal.user.gether-customer-info --json"#;

/// `zv endpoints`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Part of a path or Action, a title or a domain (case-insensitive); none: every endpoint.
    query: Option<String>,
    /// Only this domain's endpoints (member, marketing, goods, …).
    #[arg(long, value_name = "D")]
    domain: Option<String>,
    /// Print the catalogue as an OpenAPI 3.1 document (the repository's `docs/openapi.json`:
    /// one operation per V3 path, the V2 Actions under `x-zv-actions`), to import into Postman
    /// or Apifox or to generate a client in another language.
    #[arg(long, conflicts_with_all = ["query", "domain"])]
    openapi: bool,
    #[command(subcommand)]
    show: Option<EndpointsCommand>,
}

/// The catalogue as OpenAPI 3.1, as `cargo xtask catalogue` generates it (and `--check`
/// keeps it current) from the same TOML as the compiled table this binary searches.
const OPENAPI: &str = include_str!("../../../../../docs/openapi.json");

/// `zv endpoints …`.
#[derive(Debug, Subcommand)]
pub enum EndpointsCommand {
    /// One endpoint in full: safety, paging, twin, source, its params (name, type, unit, required, default, allowed values) and its answer's data fields as a tree; --json prints the catalogue's JSON description.
    #[command(after_help = SHOW_EXAMPLES)]
    Show {
        /// A V3 path (`v3/crm/x/y`, `/crm/x/y`) or a V2 Action, as `zv api` takes it.
        #[arg(value_name = "PATH|ACTION")]
        target: String,
    },
}

/// Runs `zv endpoints`.
pub(crate) fn run(args: Args, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    let table = cx.printer(Format::Table);
    if args.openapi {
        if args.show.is_some() {
            return Err(Failure::usage("--openapi prints the whole catalogue: leave out `show`"));
        }
        return out.write_all(OPENAPI.as_bytes()).map_err(Failure::output);
    }
    match args.show {
        Some(EndpointsCommand::Show { target }) => endpoints_show(&target, &table, out),
        None => list(args.query.as_deref(), args.domain.as_deref(), &table, out),
    }
}

/// `zv endpoints`.
fn list(
    query: Option<&str>,
    domain: Option<&str>,
    printer: &Printer,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let entries = endpoints::search(query, domain).map_err(|e| Failure::usage(e.to_string()))?;
    let rows = endpoints::rows(&entries);
    crate::output::typed::show(out, printer, &rows, None, |out| {
        if rows.is_empty() {
            return writeln!(out, "no endpoint matches (没有匹配的接口)");
        }
        write!(out, "{}", endpoints::grid(&rows).render(printer.layout))?;
        writeln!(out, "{} endpoint(s)", rows.len())
    })
    .map_err(Failure::output)
}

/// `zv endpoints show PATH|ACTION`: the entry in full as tables fitted to the width, or
/// (another format) exactly [`describe_json`](zv_types::catalogue::Entry::describe_json).
fn endpoints_show(arg: &str, printer: &Printer, out: &mut impl Write) -> Result<(), Failure> {
    let entry = endpoints::find(arg).map_err(|e| Failure::usage(e.to_string()))?;
    let shown = endpoints::show(entry);
    crate::output::typed::show(out, printer, &entry.describe_json(), None, |out| {
        write!(out, "{}", shown.facts.render(printer.layout))?;
        match &shown.params {
            Some(grid) => write!(out, "\nparams:\n{}", grid.render(printer.layout))?,
            None => writeln!(out, "\nparams: none known")?,
        }
        match &shown.data {
            Some((heading, grid)) => {
                let heading = crate::output::render::replace_unsafe(heading);
                write!(out, "\n{heading}:\n{}", grid.render(printer.layout))
            }
            None => writeln!(out, "\ndata: not documented"),
        }
    })
    .map_err(Failure::output)
}
