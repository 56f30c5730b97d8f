//! `zv api`: any endpoint by path or Action, its params checked against the catalogue;
//! with `--each`, a batch ([`batch`]).

pub mod batch;
pub mod params;
pub mod target;

use std::io::Write;
use std::path::PathBuf;

use crate::commands::api::target::{Target, dry_run_view};
use crate::input;
use crate::output::data::Data;
use crate::output::format::{Format, Printer};
use params::Field;
use serde_json::value::RawValue;
use zv_api::UntypedRequest;
use zv_api::pages::PageOptions;

use super::Context;
use crate::failure::{self, Failure};
use crate::gateway::Gateway;

/// Examples shown at the end of `zv api --help`.
pub const EXAMPLES: &str = r#"Examples:
  zv --sandbox api crm/giftCard/getCustomerGiftCardList user_id=10001
  zv --sandbox api coupon.user-coupon-list user_id:=10001 --params '{"shopping":0}'
  zv api crm/points/addCustomerPoints --each points.csv --yes --out results.jsonl"#;

/// `zv api`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A V3 path (`/v3/crm/x/y`, `v3/crm/x/y`, `crm/x/y`) or a V2 Action (`coupon.user-coupon-list`).
    #[arg(value_name = "PATH|ACTION")]
    pub target: String,
    /// Params: FIELD=VALUE takes the type the catalogue declares for FIELD (an integer param is sent as a number; a string param, or one the catalogue does not type, stays a string: `customerId=00123` stays "00123"); FIELD:=JSON is raw JSON (`points:=10`), taken as given. Both override --params.
    #[arg(value_name = "FIELD=VALUE|FIELD:=JSON", value_parser = clap::value_parser!(params::Field))]
    pub fields: Vec<params::Field>,
    /// The params as a JSON object, or @file.
    #[arg(long, value_name = "JSON|@FILE")]
    pub params: Option<String>,
    /// Every page, one record per line (JSONL) as pages arrive; the paging dialect comes from the catalogue.
    #[arg(long)]
    pub all_pages: bool,
    /// Records per page with --all-pages.
    #[arg(long, value_name = "N", requires = "all_pages")]
    pub page_size: Option<u32>,
    /// Stop after this many pages with --all-pages.
    #[arg(long, value_name = "N", requires = "all_pages")]
    pub max_pages: Option<u32>,
    /// Send a write (or an endpoint the catalogue does not know).
    #[arg(long)]
    pub yes: bool,
    /// Print the request that would be sent (the token redacted) and send nothing; the params' problems are named too, and then zv exits 2.
    #[arg(long)]
    pub dry_run: bool,
    /// Send without checking the params against the catalogue (FIELD=VALUE is still converted to the declared type).
    #[arg(long)]
    pub no_validate: bool,
    /// One call per row of FILE: CSV with a header, or JSONL (by the extension .csv or .jsonl, else by the first character); limited by --max-input-bytes.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["all_pages", "dry_run"])]
    pub each: Option<PathBuf>,
    /// With --each: the calls in flight at once (1 to 64).
    #[arg(long, value_name = "N", default_value_t = 4, requires = "each", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// With --each: write the result lines to RESULTS (stdout then gets a summary); an existing RESULTS that is not empty needs --resume.
    #[arg(long, value_name = "RESULTS", requires = "each")]
    pub out: Option<PathBuf>,
    /// With --out: continue RESULTS (the same endpoint, input and params only): skip the rows already ok, send the others. A write that was sent without a recorded outcome, or whose outcome is unknown, is not sent again: zv lists those rows and exits 7.
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// With --resume: send again the writes whose outcome is unknown (check first that they were not applied).
    #[arg(long, requires = "resume")]
    pub resend_unknown: bool,
}

/// Runs `zv api`.
pub(crate) fn run(args: Args, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    let g = cx.global;
    let resolved = cx.settings()?;
    let shop_code = resolved.as_ref().and_then(|s| s.shop_code.value.clone());
    let context = ApiContext { shop_code, format: g.format_given() };
    let default = if args.all_pages { Format::Jsonl } else { Format::Json };
    let connect = || crate::gateway::connect(g, resolved.as_ref(), cx.attempts);
    api(args, context, g.max_input_bytes, &cx.printer(default), connect, out)
}

/// The param a profile's shop code fills in.
const SHOP_CODE: &str = "shopCode";

/// What `zv api` was asked, besides its arguments.
pub struct ApiContext {
    /// The profile's shop code: sent as `shopCode` to a catalogued endpoint that takes one,
    /// unless the params give it.
    pub shop_code: Option<String>,
    /// The `--format` given, if any (a batch's summary format).
    pub format: Option<Format>,
}

/// `zv api`: checks everything that needs no gateway (the route, the params, whether a write
/// may be sent, the paging dialect) before `gateway` is asked for a connection.
fn api(
    args: Args,
    context: ApiContext,
    max_input_bytes: u64,
    printer: &Printer,
    gateway: impl FnOnce() -> Result<Gateway, Failure>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let target = Target::resolve(&args.target)
        .map_err(|e| Failure::usage(crate::commands::api::target::route_error_line(&args.target, &e)))?;
    let base = match &args.params {
        Some(arg) => Some(
            input::text_arg("--params", arg, max_input_bytes)
                .map_err(|e| Failure::usage(crate::report::error_line(&e)))?,
        ),
        None => None,
    };
    let defaults = match (&context.shop_code, target.entry().and_then(|e| e.param(SHOP_CODE))) {
        (Some(code), Some(_)) => vec![Field::string(SHOP_CODE, code)],
        _ => Vec::new(),
    };
    let (defaults, fields) =
        (params::typed(&defaults, target.entry()), params::typed(&args.fields, target.entry()));
    let params = params::build_with_defaults(&defaults, base.as_deref(), &fields)
        .map_err(|e| Failure::usage(e.to_string()))?;
    // A batch's params are checked row by row (a row may give what the FIELDs leave out).
    let schema = if args.no_validate { None } else { params::schema(target.entry()) };
    let refusal = match (schema, &args.each) {
        (Some(entry), None) => params::check(entry, &params).err(),
        _ => None,
    };
    if let (Some(refusal), false) = (&refusal, args.dry_run) {
        return Err(Failure::usage(refused_line(&target, refusal)));
    }
    let retry_safe = target.safety().is_retry_safe();
    let paging = match (args.all_pages, target.paging()) {
        (false, _) => None,
        (true, Some(dialect)) => Some(dialect),
        (true, None) => {
            return Err(Failure::usage(format!(
                "{} has no known paging dialect (see `zv endpoints --json`), so --all-pages cannot page it",
                target.route()
            )));
        }
    };
    if !args.dry_run {
        guard(&target, args.yes)?;
    }
    if let Some(file) = &args.each {
        let batch = crate::commands::api::batch::run::Batch {
            target: &target,
            params: &params,
            schema,
            retry_safe,
            format: context.format,
        };
        return crate::commands::api::batch::run::run(
            file,
            &args,
            &batch,
            max_input_bytes,
            printer,
            gateway,
            out,
        );
    }
    let gateway = gateway()?;
    let client = &gateway.client;
    if args.dry_run {
        let (timestamp, nonce) = sample_timestamp_and_nonce();
        let request =
            zv_api::sansio::prepare_serialized(client.config(), target.route(), &params, timestamp, nonce)?;
        let view = dry_run_view(&request, retry_safe, &|text| client.config().redact(text).into_owned())
            .map_err(|e| Failure::usage(format!("cannot show the request: {e}")))?;
        printer.data(out, &view).map_err(Failure::output)?;
        // The request is shown either way; params that would be refused still exit 2.
        return match refusal {
            Some(refusal) => Err(Failure::usage(refused_line(&target, &refusal))),
            None => Ok(()),
        };
    }
    let request = untyped_request(&target, &params, retry_safe)?;
    if let Some(dialect) = paging {
        let mut options = PageOptions::default();
        if let Some(n) = args.page_size {
            options = options.page_size(n);
        }
        let max_pages = args.max_pages.map_or(options.max_pages, |n| n.max(1));
        options = options.max_pages(max_pages);
        // Each page's records written (and, stdout being line-buffered, shown) as the page
        // arrives: one a line (jsonl), or one a line inside a JSON array (json); a table or
        // CSV needs them all first. An error ends the scan after the records before it.
        let mut more = false;
        let mut kept = Vec::new();
        let mut first = true;
        for page in client.pages(&request, dialect, options).take(max_pages as usize) {
            let page = page?;
            for &record in page.records() {
                match printer.format {
                    Format::Jsonl => writeln!(out, "{}", one_line(record.get())?),
                    Format::Json => {
                        let sep = if std::mem::take(&mut first) { "[" } else { "," };
                        writeln!(out, "{sep}{}", one_line(record.get())?)
                    }
                    Format::Table | Format::Csv => {
                        kept.push(Data::from_raw(record).map_err(decode_failure)?);
                        Ok(())
                    }
                }
                .map_err(Failure::output)?;
            }
            more = !page.is_last;
        }
        match printer.format {
            Format::Jsonl => Ok(()),
            Format::Json => writeln!(out, "{}", if first { "[]" } else { "]" }),
            Format::Table | Format::Csv => printer.data(out, &Data::Array(kept)),
        }
        .map_err(Failure::output)?;
        if more && args.max_pages.is_some() {
            eprintln!("zv: stopped after {max_pages} page(s) (--max-pages); there are more");
        }
        return Ok(());
    }
    let response = client.send_untyped(&request).map_err(|e| Failure::of_write(e, retry_safe))?;
    print_data(out, printer, response.data.get())
}

/// The line for params refused before sending.
pub fn refused_line(target: &Target<'_>, refusal: &params::Refusal) -> String {
    format!("{}: {refusal}; nothing was sent (--no-validate sends anyway)", target.route())
}

/// The write guard of `zv api` and `zv call`: a write, or an endpoint the catalogue does
/// not know, is sent only with `--yes`; refused, nothing is sent and the line says why.
pub fn guard(target: &Target<'_>, yes: bool) -> Result<(), Failure> {
    if target.safety().is_retry_safe() || yes { Ok(()) } else { Err(Failure::usage(target.refusal())) }
}

/// How `zv call` was asked to send.
pub struct CallOptions {
    /// `--idempotent`: an uncatalogued endpoint is a read, retried after transient failures.
    pub idempotent: bool,
    /// `--yes`: a write (or an uncatalogued endpoint) may be sent.
    pub yes: bool,
    /// `--no-validate`: the params are sent without being checked against the catalogue.
    pub no_validate: bool,
}

/// `zv call`: the older form of `zv api` (`--action` or `--path`, `--params`), through the
/// same params check (exit 2 before anything is sent, unless `--no-validate`) and write
/// guard; `--idempotent` declares an uncatalogued endpoint a read to retry (it cannot make a
/// catalogued write one). `data` is printed by `printer` (a table by default).
pub fn call(
    route: &str,
    params: &str,
    options: CallOptions,
    printer: &Printer,
    gateway: impl FnOnce() -> Result<Gateway, Failure>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let target = Target::resolve(route)
        .map_err(|e| Failure::usage(crate::commands::api::target::route_error_line(route, &e)))?;
    let CallOptions { idempotent, yes, no_validate } = options;
    if idempotent && target.entry().is_some() && !target.safety().is_retry_safe() {
        return Err(Failure::usage(format!(
            "{} is a write (the endpoint catalogue says so): --idempotent cannot make it safe to send twice",
            target.route()
        )));
    }
    let params = RawValue::from_string(params.to_owned())
        .map_err(|e| Failure::usage(format!("--params is not valid JSON: {e}")))?;
    // Checked as `zv api` checks them: the same schema, the same one line.
    let schema = if no_validate { None } else { params::schema(target.entry()) };
    if let Some(refusal) = schema.and_then(|entry| params::check(entry, &params).err()) {
        return Err(Failure::usage(refused_line(&target, &refusal)));
    }
    guard(&target, yes)?;
    let retry_safe = target.safety().is_retry_safe() || idempotent;
    let request = untyped_request(&target, &params, retry_safe)?;
    let response = gateway()?.client.send_untyped(&request).map_err(|e| Failure::of_write(e, retry_safe))?;
    // The `data` text keeps the gateway's key order and every digit.
    print_data(out, printer, response.data.get())
}

/// A timestamp and nonce for `--dry-run`, drawn as a call would draw them.
fn sample_timestamp_and_nonce() -> (u64, u64) {
    use zv_api::zv_sign::{Clock, NonceSource, RandomNonce, SystemClock};
    (SystemClock.now_unix_seconds(), RandomNonce::default().next_nonce())
}

/// The untyped request: `params` go as their JSON text, byte for byte.
fn untyped_request<'a>(
    target: &Target<'a>,
    params: &RawValue,
    retry_safe: bool,
) -> Result<UntypedRequest<'a>, Failure> {
    Ok(UntypedRequest::new(target.route(), params)?.retry_safe(retry_safe))
}

/// `data` in the printer's format; as JSON on a pipe, exactly the text the gateway sent
/// (on one line).
pub fn print_data(out: &mut impl Write, printer: &Printer, data_json: &str) -> Result<(), Failure> {
    if printer.format == Format::Json && !printer.terminal {
        return writeln!(out, "{}", one_line(data_json)?).map_err(Failure::output);
    }
    let data = Data::from_json(data_json).map_err(decode_failure)?;
    printer.data(out, &data).map_err(Failure::output)
}

fn decode_failure(e: serde_json::Error) -> Failure {
    Failure { message: format!("cannot read the response data: {e}"), code: failure::DECODE }
}

/// JSON text on one line (see [`Data::one_line`]); text that is not JSON is a decode failure.
fn one_line(text: &str) -> Result<std::borrow::Cow<'_, str>, Failure> {
    Data::one_line(text).map_err(decode_failure)
}
