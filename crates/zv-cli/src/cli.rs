//! The command line, declared with clap: the commands, each the `Args` of its module in
//! [`commands`], and the dispatch to each one's `run`.

use clap::{CommandFactory, Parser, Subcommand};

use crate::commands::{self, Context};
use crate::failure::Failure;
use crate::global::Global;

/// zv — the zvcms / 企迈 (Qmai) OpenAPI from the command line.
///
/// Credentials come from the options or the environment (ZV_OPEN_ID, ZV_GRANT_CODE,
/// ZV_OPEN_KEY, ZV_BASE_URL); prefer the environment for the key. --sandbox needs neither:
/// it runs every command against a built-in mock gateway with demo data (member 10001).
// No `Debug`: the global options hold the key.
#[derive(Parser)]
#[command(name = "zv", version, about, long_about, after_help = TOP_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Examples, environment variables and exit codes, shown at the end of `zv --help`.
pub const TOP_HELP: &str = "\
Examples:
  zv --sandbox gift-cards --user-id 10001
  zv --sandbox coupons --user-id 10001 --status canuse
  zv -v coupons --user-id 10001 --json
  zv --sandbox api crm/giftCard/getCustomerGiftCardList user_id=10001
  zv endpoints giftCard

Environment:
  ZV_OPEN_ID, ZV_GRANT_CODE, ZV_OPEN_KEY  the credentials (the key only signs: never sent or shown)
  ZV_BASE_URL     the gateway (default http://openapi.zvcms.com; Qmai: https://openapi.qmai.cn)
  ZV_PROFILE      the profile to use (`zv profile add`); flags and ZV_* variables win over it
  COLUMNS         the table width when stdout is not a terminal (default: no limit)
  NO_COLOR        no colour; CLICOLOR_FORCE=1: colour even when not a terminal
  RUST_LOG        an extra log filter, e.g. ureq=debug (an HTTP library's TRACE only when named)

Exit codes:
  0  success
  1  internal or I/O error
  2  usage or configuration error (bad option, missing credentials, bad input file)
  3  API business error (status true, code != 0), e.g. 20001 查询的信息不存在
  4  API system error (status false), e.g. a bad signature
  5  transport or HTTP error (connect, timeout, TLS, body too large, HTTP 4xx/5xx)
  6  the response could not be decoded
  7  a batch's writes with an unknown outcome were not sent again (--resend-unknown sends them)
  130  interrupted (a batch: the calls in flight were finished and recorded)";

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// A member's gift cards (我的礼品卡列表).
    #[command(after_help = commands::gift_cards::EXAMPLES)]
    GiftCards(commands::gift_cards::Args),
    /// A member's coupons (coupon.user-coupon-list).
    #[command(after_help = commands::coupons::EXAMPLES)]
    Coupons(commands::coupons::Args),
    /// Whether an exchange code can be redeemed (exits 0 either way).
    #[command(after_help = commands::exchange_code::EXAMPLES)]
    ExchangeCode(commands::exchange_code::Args),
    /// Search the endpoint catalogue by path, title or domain.
    #[command(after_help = commands::endpoints::EXAMPLES)]
    #[command(args_conflicts_with_subcommands = true)]
    Endpoints(commands::endpoints::Args),
    /// Call any endpoint by path or Action; prints `data` as JSON (pretty on a terminal).
    ///
    /// A read (per the endpoint catalogue) is retried after transient failures; a write, or
    /// any endpoint not in the catalogue, is never resent blindly and needs --yes.
    ///
    /// Params are checked before anything is sent, for an endpoint whose params come from the
    /// vendor's reference page (`zv endpoints show PATH` shows them): a missing required
    /// param, an unknown name, a wrong type or a value not allowed exits 2 and sends nothing.
    /// Uncatalogued endpoints, and those whose params are only partly known, are not checked.
    /// --no-validate sends anyway; --dry-run prints the request and names the problems (exit 2
    /// when there are any).
    ///
    /// Batches: with --each FILE, one call per row of FILE, a CSV file with a header (each
    /// column a string param; an empty cell is no param) or a JSONL file (each line a params
    /// object, every value as typed). A row's values win over the FIELD arguments, which win
    /// over --params. The whole file is checked before anything is sent: a bad row exits 2
    /// and names its row and line; rows whose params fail the check are all named (with
    /// their problems) and nothing is sent (--no-validate sends them anyway). The results (stdout, or --out RESULTS) are one JSON line
    /// per row, in the order the calls complete: {"row":N,"ok":true,"data":…} or
    /// {"row":N,"ok":false,"error":{"kind","code","message","traceId"},"outcome":"not_sent"|"rejected"|"unknown"}
    /// (unknown: a write may have been applied). --format does not change them (they are
    /// JSONL); with --out, stdout gets a summary in --format (a table by default), and
    /// without --out only --format jsonl is accepted. --out RESULTS is a write-ahead journal:
    /// a header binding it to the endpoint, the input's SHA-256 and the params, then each
    /// write recorded as {"record":"sent","row":N} on disk before it is sent, then its line.
    /// One run at a time holds it; it must be a new file or a zv results file. Exit: 0 when
    /// every row succeeded, else the highest code among the failed rows (3 to 6); 7 when
    /// --resume held back writes whose outcome is unknown; 1 when the results cannot be
    /// written (the rows made but not recorded are named); 130 when interrupted: Ctrl-C
    /// stops the sending, the calls in flight finish and get their lines, and --resume
    /// continues (a second Ctrl-C quits at once). A progress bar is drawn on stderr when it
    /// is a terminal.
    #[command(after_help = commands::api::EXAMPLES)]
    Api(commands::api::Args),
    /// Call any endpoint with --action/--path and --params (see `zv api`, which supersedes it); prints `data` as a table (--json: as JSON). A write, or an endpoint the catalogue does not know, needs --yes.
    #[command(after_help = commands::call::EXAMPLES)]
    Call(commands::call::Args),
    /// Manage profiles: named settings in the config file, each key in the OS credential store.
    #[command(subcommand)]
    Profile(commands::profile::ProfileCommand),
    /// Check the configuration, the network path to the gateway, the clock and a signed probe.
    #[command(after_help = commands::doctor::EXAMPLES)]
    Doctor,
    /// Print a shell completion script (e.g. `zv completions bash > /etc/bash_completion.d/zv`).
    #[command(after_help = commands::completions::EXAMPLES)]
    Completions(commands::completions::Args),
    /// Print the canonical string, signature and token for a timestamp and nonce.
    #[command(after_help = commands::sign::EXAMPLES)]
    Sign(commands::sign::Args),
    /// Run the verifying mock gateway until interrupted; prints one JSON line when ready.
    ///
    /// It always uses its own sandbox credentials (printed in that line), never ZV_* ones.
    #[command(after_help = commands::mock::EXAMPLES)]
    Mock(commands::mock::Args),
    /// Serve the Model Context Protocol on stdio for AI agents: reads free, writes only when allowed and confirmed.
    Mcp(commands::mcp::Args),
    /// The write journal of `zv mcp`: list it, resolve a write whose outcome is unknown.
    #[command(subcommand)]
    Journal(commands::journal::JournalCommand),
}

impl Command {
    /// Runs the command: one line per command, its module's `run`.
    pub fn run(self, cx: &Context<'_>) -> Result<(), Failure> {
        let mut stdout = std::io::stdout().lock();
        let out = &mut stdout;
        match self {
            Command::GiftCards(args) => commands::gift_cards::run(args, cx, out),
            Command::Coupons(args) => commands::coupons::run(args, cx, out),
            Command::ExchangeCode(args) => commands::exchange_code::run(args, cx, out),
            Command::Endpoints(args) => commands::endpoints::run(args, cx, out),
            Command::Api(args) => commands::api::run(args, cx, out),
            Command::Call(args) => commands::call::run(args, cx, out),
            Command::Profile(command) => commands::profile::run(command, cx, out),
            Command::Doctor => commands::doctor::run(cx, out),
            Command::Completions(args) => commands::completions::run(args, Cli::command(), out),
            Command::Sign(args) => commands::sign::run(args, cx, out),
            Command::Mock(args) => commands::mock::run(args, cx, out),
            Command::Mcp(args) => {
                drop(stdout); // the protocol writes stdout from another thread
                commands::mcp::run(args, cx)
            }
            Command::Journal(command) => commands::journal::run(command, cx, out),
        }
    }
}
