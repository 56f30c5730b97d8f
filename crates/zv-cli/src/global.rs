//! The options every command accepts (`--base-url`, `--format`, `--sandbox`, …).

use clap::Args;

use crate::output::format::Format;

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
    pub format: Option<crate::output::format::Format>,
    /// Whole-request timeout in seconds (default 30).
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<std::time::Duration>,
    /// The largest file an @file argument, --each or --fixtures may be, in bytes (default 16 MiB);
    /// only regular files are read.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = crate::input::DEFAULT_MAX_INPUT_BYTES)]
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

impl Global {
    /// The format asked for (`--json` is `--format json`), or `default`.
    pub fn format_or(&self, default: Format) -> Format {
        self.format_given().unwrap_or(default)
    }

    /// The format asked for (`--json` is `--format json`), if one was.
    pub fn format_given(&self) -> Option<Format> {
        if self.json { Some(Format::Json) } else { self.format }
    }
}
