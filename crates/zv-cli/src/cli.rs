//! The command line, declared with clap.

use clap::{ArgGroup, Args, Parser, Subcommand};
use std::path::PathBuf;

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

/// Options accepted before or after the command (no `Debug`: they hold the key). Each
/// command's help lists them after its own options, under their own heading.
#[derive(Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Gateway base URL (default `http://openapi.zvcms.com`).
    #[arg(long, env = "ZV_BASE_URL", global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The openId (密钥Id).
    #[arg(long, env = "ZV_OPEN_ID", global = true, value_name = "ID")]
    pub open_id: Option<String>,
    /// The grantCode (授权code).
    #[arg(long, env = "ZV_GRANT_CODE", global = true, value_name = "CODE")]
    pub grant_code: Option<String>,
    /// The openKey (the secret; prefer the environment variable, a command line is visible to other users).
    #[arg(long, env = "ZV_OPEN_KEY", global = true, value_name = "KEY", hide_env_values = true)]
    pub open_key: Option<String>,
    /// The profile to use (`zv profile list`); default: the one called `default`, if any.
    #[arg(long, env = "ZV_PROFILE", global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Run against a built-in mock gateway with demo data: no credentials, no network.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Print the result as JSON (and nothing else on stdout): --format json.
    #[arg(long, global = true, conflicts_with = "format")]
    pub json: bool,
    /// The output format: a table, JSON (indented on a terminal), one JSON record per line, or CSV with a header (RFC 4180; nested values as compact JSON). Default: a table, JSON for `zv api`.
    #[arg(long, global = true, value_name = "FORMAT", value_enum)]
    pub format: Option<zv_cli::format::Format>,
    /// Whole-request timeout in seconds (default 30).
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<std::time::Duration>,
    /// The largest file an @file argument, --each or --fixtures may be, in bytes (default 16 MiB);
    /// only regular files are read.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = zv_cli::input::DEFAULT_MAX_INPUT_BYTES)]
    pub max_input_bytes: u64,
    /// Retries after a transient failure (default 2); every retry is signed anew.
    #[arg(long, global = true, value_name = "N")]
    pub retries: Option<u32>,
    /// -v: one line per attempt on stderr (endpoint, attempt n/m, HTTP status, platform code, time, retry); -vv: the SDK's spans and fields; -vvv: the HTTP libraries' logs too.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    let secs: f64 =
        s.trim().parse().map_err(|_| format!("not a number of seconds (e.g. 10 or 0.5): {s:?}"))?;
    if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
        return Err(format!("the timeout must be more than 0 and at most 86400 seconds, not {s}"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// A member's gift cards (我的礼品卡列表).
    #[command(after_help = GIFT_CARDS_EXAMPLES)]
    GiftCards {
        /// The member id.
        #[arg(long, value_name = "ID")]
        user_id: String,
        /// Include recycled cards in the unusable list (needCycleCard=1).
        #[arg(long)]
        include_recycled: bool,
    },
    /// A member's coupons (coupon.user-coupon-list).
    #[command(group(ArgGroup::new("filter").args(["status", "amount"]).multiple(true).conflicts_with("basket")))]
    #[command(after_help = COUPONS_EXAMPLES)]
    Coupons {
        /// The member id.
        #[arg(long, value_name = "ID")]
        user_id: Option<u64>,
        /// Only coupons in this state.
        #[arg(long, value_name = "STATUS", value_parser = ["used", "canuse", "expired"])]
        status: Option<String>,
        /// Only coupons usable at this order amount, in fen (10000 = ¥100.00).
        #[arg(long, value_name = "FEN")]
        amount: Option<u64>,
        /// Only coupons usable for this basket: JSON `[{"bar_code":"…","offline_price":120,"buy_num":2}]` (price in fen) or @file.
        #[arg(long, value_name = "JSON|@FILE")]
        basket: Option<String>,
        /// Called from the pay page (from_pay_page=1).
        #[arg(long)]
        from_pay_page: bool,
        /// Multi-store identifier (multi_store_sn).
        #[arg(long, value_name = "SN")]
        store: Option<String>,
    },
    /// Whether an exchange code can be redeemed (exits 0 either way).
    #[command(after_help = EXCHANGE_CODE_EXAMPLES)]
    ExchangeCode {
        /// The exchange code or universal code (兑换码/通用码).
        code: String,
    },
    /// Search the endpoint catalogue by path, title or domain.
    #[command(after_help = ENDPOINTS_EXAMPLES)]
    #[command(args_conflicts_with_subcommands = true)]
    Endpoints {
        /// Part of a path or Action, a title or a domain (case-insensitive); none: every endpoint.
        query: Option<String>,
        /// Only this domain's endpoints (member, marketing, goods, …).
        #[arg(long, value_name = "D")]
        domain: Option<String>,
        #[command(subcommand)]
        show: Option<EndpointsCommand>,
    },
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
    #[command(after_help = API_EXAMPLES)]
    Api(ApiCommand),
    /// Call any endpoint with --action/--path and --params (see `zv api`, which supersedes it); prints `data` as a table (--json: as JSON). A write, or an endpoint the catalogue does not know, needs --yes.
    #[command(group(ArgGroup::new("route").args(["action", "path"]).required(true)))]
    #[command(after_help = CALL_EXAMPLES)]
    Call {
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
    },
    /// Manage profiles: named settings in the config file, each key in the OS credential store.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Check the configuration, the network path to the gateway, the clock and a signed probe.
    #[command(after_help = DOCTOR_EXAMPLES)]
    Doctor,
    /// Print a shell completion script (e.g. `zv completions bash > /etc/bash_completion.d/zv`).
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the canonical string, signature and token for a timestamp and nonce.
    #[command(after_help = SIGN_EXAMPLES)]
    Sign {
        /// Unix time in seconds.
        #[arg(long, value_name = "T")]
        timestamp: u64,
        /// The nonce (a positive integer).
        #[arg(long, value_name = "N")]
        nonce: u64,
    },
    /// Run the verifying mock gateway until interrupted; prints one JSON line when ready.
    ///
    /// It always uses its own sandbox credentials (printed in that line), never ZV_* ones.
    #[command(after_help = crate::mock_cmd::MOCK_EXAMPLES)]
    Mock(crate::mock_cmd::MockArgs),
    /// Serve the Model Context Protocol on stdio for AI agents: reads free, writes only when allowed and confirmed.
    Mcp(crate::commands::mcp::McpArgs),
    /// The write journal of `zv mcp`: list it, resolve a write whose outcome is unknown.
    #[command(subcommand)]
    Journal(crate::commands::journal::JournalCommand),
}

/// `zv endpoints …`.
#[derive(Debug, Subcommand)]
pub enum EndpointsCommand {
    /// One endpoint in full: safety, paging, twin, source, its params (name, type, unit, required, default, allowed values) and its answer's data fields as a tree; --json prints the catalogue's JSON description.
    #[command(after_help = ENDPOINTS_SHOW_EXAMPLES)]
    Show {
        /// A V3 path (`v3/crm/x/y`, `/crm/x/y`) or a V2 Action, as `zv api` takes it.
        #[arg(value_name = "PATH|ACTION")]
        target: String,
    },
}

/// `zv api`'s arguments.
#[derive(Debug, Args)]
pub struct ApiCommand {
    /// A V3 path (`/v3/crm/x/y`, `v3/crm/x/y`, `crm/x/y`) or a V2 Action (`coupon.user-coupon-list`).
    #[arg(value_name = "PATH|ACTION")]
    pub target: String,
    /// Params: FIELD=VALUE takes the type the catalogue declares for FIELD (an integer param is sent as a number; a string param, or one the catalogue does not type, stays a string: `customerId=00123` stays "00123"); FIELD:=JSON is raw JSON (`points:=10`), taken as given. Both override --params.
    #[arg(value_name = "FIELD=VALUE|FIELD:=JSON", value_parser = clap::value_parser!(zv_cli::params::Field))]
    pub fields: Vec<zv_cli::params::Field>,
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

/// `zv profile …`.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Add a profile, or update one: the global --base-url, --open-id and --grant-code given on the command line (not from the environment) go into it.
    #[command(after_help = PROFILE_EXAMPLES)]
    Add {
        /// The profile's name (letters, digits, `-`, `_`, `.`).
        name: String,
        /// The shop code `zv api` sends as `shopCode` to endpoints that take one.
        #[arg(long, value_name = "CODE")]
        shop_code: Option<String>,
        /// Read the openKey (one line; on a terminal, a prompt that does not echo it) into the OS credential store (Keychain, Credential Manager, Secret Service).
        #[arg(long)]
        open_key_stdin: bool,
        /// Where no OS credential store exists (a headless server): keep the openKey in plain text in the config file (readable by you only) instead, with a warning.
        #[arg(long, requires = "open_key_stdin")]
        insecure_storage: bool,
    },
    /// The profiles, without their keys.
    List,
    /// One profile; the key only as stored or not.
    Show {
        /// The profile's name.
        name: String,
    },
    /// Remove a profile and its stored key.
    Remove {
        /// The profile's name.
        name: String,
    },
}

// Each command's help ends with examples, sandbox ones first (a test runs those).
const GIFT_CARDS_EXAMPLES: &str = r#"Examples:
  zv --sandbox gift-cards --user-id 10001
  zv --sandbox gift-cards --user-id 10001 --include-recycled --json
  zv gift-cards --user-id 10001"#;
const COUPONS_EXAMPLES: &str = r#"Examples:
  zv --sandbox coupons --user-id 10001 --status canuse
  zv --sandbox coupons --basket '[{"bar_code":"A1","offline_price":12000,"buy_num":2}]'
  zv coupons --user-id 10001 --amount 10000 --json"#;
const EXCHANGE_CODE_EXAMPLES: &str = r#"Examples:
  zv --sandbox exchange-code 164822200532619796511
  zv exchange-code 164822200532619796511 --json"#;
const CALL_EXAMPLES: &str = r#"Examples:
  zv --sandbox call --path /v3/crm/giftCard/getCustomerGiftCardList --params '{"user_id":"10001"}'
  zv --sandbox call --action coupon.user-coupon-list --params '{"user_id":10001}' --json
  zv call --path /v3/coupon/card/exchangeGiftCard --params @card.json --yes"#;
const ENDPOINTS_EXAMPLES: &str = r#"Examples:
  zv endpoints giftCard
  zv endpoints --domain goods --json
  zv endpoints 礼品卡"#;
const ENDPOINTS_SHOW_EXAMPLES: &str = r#"Examples:
  zv endpoints show v3/crm/customer/gatherCustomerInfo
  zv endpoints show communal.user.gether-customer-info --json"#;
const API_EXAMPLES: &str = r#"Examples:
  zv --sandbox api crm/giftCard/getCustomerGiftCardList user_id=10001
  zv --sandbox api coupon.user-coupon-list user_id:=10001 --params '{"shopping":0}'
  zv api crm/points/addCustomerPoints --each points.csv --yes --out results.jsonl"#;
const PROFILE_EXAMPLES: &str = r#"Examples:
  zv profile add prod --open-id ID --grant-code CODE --open-key-stdin < key.txt
  zv profile add ci --open-key-stdin --insecure-storage < key.txt
  zv --profile prod gift-cards --user-id 10001"#;
const DOCTOR_EXAMPLES: &str = r#"Examples:
  zv --sandbox doctor
  zv --profile prod doctor --json"#;
const COMPLETIONS_EXAMPLES: &str = r#"Examples:
  zv completions bash > ~/.local/share/bash-completion/completions/zv
  zv completions zsh > ~/.zfunc/_zv
  zv completions fish > ~/.config/fish/completions/zv.fish"#;
const SIGN_EXAMPLES: &str = r#"Examples:
  zv --sandbox sign --timestamp 1531998134 --nonce 664656493
  zv sign --timestamp "$(date +%s)" --nonce 12345 --json"#;
impl Global {
    /// The format asked for (`--json` is `--format json`), or `default`.
    pub fn format_or(&self, default: zv_cli::format::Format) -> zv_cli::format::Format {
        self.format_given().unwrap_or(default)
    }

    /// The format asked for (`--json` is `--format json`), if one was.
    pub fn format_given(&self) -> Option<zv_cli::format::Format> {
        if self.json { Some(zv_cli::format::Format::Json) } else { self.format }
    }
}
