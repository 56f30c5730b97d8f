//! The command line, declared with clap.

use clap::{ArgGroup, Args, Parser, Subcommand};

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

Environment:
  ZV_OPEN_ID, ZV_GRANT_CODE, ZV_OPEN_KEY  the credentials (the key only signs: never sent or shown)
  ZV_BASE_URL     the gateway (default http://openapi.zvcms.com; Qmai: https://openapi.qmai.cn)
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
  6  the response could not be decoded";

/// Options accepted before or after the command (no `Debug`: they hold the key).
#[derive(Args)]
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
    /// Run against a built-in mock gateway with demo data: no credentials, no network.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Print the result as JSON (and nothing else on stdout).
    #[arg(long, global = true)]
    pub json: bool,
    /// Whole-request timeout in seconds (default 30).
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<std::time::Duration>,
    /// The largest file an @file argument or --fixtures may be, in bytes (default 16 MiB);
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
    let secs: f64 = s.trim().parse().map_err(|_| format!("not a number of seconds: {s:?}"))?;
    if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
        return Err(format!("the timeout must be between 0 and 86400 seconds, not {s}"));
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
    /// Call any endpoint: a V2 Action or a V3 path, JSON params; prints `data` as a table (--json: as JSON).
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
        /// The call is a read and safe to send twice: retry it after transient failures.
        #[arg(long)]
        idempotent: bool,
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
  zv call --path /v3/crm/member/getMemberInfo --params @params.json --idempotent"#;
const SIGN_EXAMPLES: &str = r#"Examples:
  zv --sandbox sign --timestamp 1531998134 --nonce 664656493
  zv sign --timestamp "$(date +%s)" --nonce 12345 --json"#;
