//! `zv mcp`: the Model Context Protocol over stdio, for AI agents — reads free, writes only
//! by explicit, confirmed, journaled consent.
//!
//! - [`tools`]: the six tools and the server;
//! - [`confirm`]: one-time confirmations, request fingerprints and the injected clock;
//! - [`ledger`]: the write journal (refusals, the daily cap, masking);
//! - [`bound`]: what a result carries of the gateway's data.
//!
//! Nothing but the protocol goes to stdout; logs (`-v`) go to stderr.

pub mod bound;
pub mod confirm;
pub mod ledger;
pub mod tools;

use std::path::PathBuf;
use std::sync::Mutex;

use crate::config::profile::{KeyStore, Profile};
use crate::config::settings::Inputs;
use crate::output::verbose::MaxAttempts;
use rmcp::ServiceExt;
use zv_types::catalogue::{self, Entry, Safety};

use super::Context;
use crate::failure::Failure;
use crate::global::Global;

/// `zv mcp`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Let prepare_write prepare this write (a V3 path or V2 Action from the catalogue);
    /// repeat for more. The profile's `mcp_allow_write` list adds to these.
    #[arg(long = "allow-write", value_name = "PATH|ACTION")]
    pub allow_write: Vec<String>,
    /// The most records one tool result carries (the rest cut, and said so).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_records: u32,
    /// The most bytes of data one tool result carries.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024)]
    pub max_bytes: usize,
    /// The most writes confirmed a day (UTC); default: the profile's `mcp_daily_write_cap`,
    /// else 20.
    #[arg(long, value_name = "N")]
    pub daily_write_cap: Option<u32>,
    /// The write journal (default: `zv/mcp-PROFILE.jsonl` in the XDG state directory).
    #[arg(long, env = "ZV_MCP_JOURNAL", value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// The profile in use, by name (`sandbox` with `--sandbox`, `env` when the flags and
/// environment give the account), and its settings.
pub(crate) fn profile(g: &Global, inputs: &Inputs) -> Result<(String, Option<Profile>), Failure> {
    if g.sandbox {
        return Ok(("sandbox".to_owned(), None));
    }
    Ok(match crate::config::selected_profile(g, inputs)? {
        Some((name, profile)) => (name, Some(profile)),
        None => ("env".to_owned(), None),
    })
}

/// The journal of `profile_name`: `--journal`/`ZV_MCP_JOURNAL`, else the default place.
pub(crate) fn journal_path(given: Option<PathBuf>, profile_name: &str) -> Result<PathBuf, Failure> {
    given.or_else(|| ledger::default_path(profile_name)).ok_or_else(|| {
        Failure::usage("no state directory for the write journal on this system: give --journal FILE")
    })
}

/// The allowed writes: each a catalogued write.
fn allowed(names: impl IntoIterator<Item = String>) -> Result<Vec<&'static Entry>, Failure> {
    let mut out: Vec<&'static Entry> = Vec::new();
    for given in names {
        let shown = crate::output::render::replace_unsafe(&given);
        let entry = catalogue::lookup(&given).ok_or_else(|| {
            Failure::usage(format!(
                "--allow-write {shown}: not in the endpoint catalogue (see `zv endpoints`)"
            ))
        })?;
        if entry.safety == Safety::Read {
            return Err(Failure::usage(format!(
                "--allow-write {shown}: it is a read, and reads need no permission"
            )));
        }
        if !out.iter().any(|e| e.key() == entry.key()) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Checks the journal now, so that a wrong file fails at start rather than at a write: a
/// journal of another profile, or a file that is no journal, is refused; a missing one is
/// created. Read without its lock: another server may be writing with it.
fn check_journal(path: &std::path::Path, header: &crate::journal::Header) -> Result<(), Failure> {
    let scan = ledger::read(path).map_err(|e| Failure::usage(e.to_string()))?;
    match scan.header {
        Some(found) => {
            let differences = found.differences(header);
            if differences.is_empty() {
                Ok(())
            } else {
                Err(Failure::usage(format!(
                    "the write journal {} is not this profile's: {}; give another --journal",
                    crate::output::render::replace_unsafe(&path.display().to_string()),
                    differences.join("; ")
                )))
            }
        }
        None => ledger::open(path, header).map(drop).map_err(|e| Failure::usage(e.to_string())),
    }
}

/// Serves the tools on stdin/stdout until the client closes them.
pub(crate) fn run(args: Args, cx: &Context<'_>) -> Result<(), Failure> {
    serve(args, cx.global, cx.inputs, cx.store, cx.attempts)
}

/// [`run`] with the global options, the flags given, the key store and the attempts' count.
fn serve(
    args: Args,
    g: &Global,
    inputs: &Inputs,
    store: &KeyStore,
    attempts: &MaxAttempts,
) -> Result<(), Failure> {
    let (profile_name, profile) = profile(g, inputs)?;
    let profile = profile.unwrap_or_default();
    let allowed = allowed(args.allow_write.into_iter().chain(profile.mcp_allow_write))?;
    let cap = args.daily_write_cap.or(profile.mcp_daily_write_cap).unwrap_or(ledger::DEFAULT_DAILY_CAP);
    let journal = journal_path(args.journal, &profile_name)?;
    let header = ledger::header(&profile_name);
    check_journal(&journal, &header)?;
    let settings = if g.sandbox { None } else { Some(crate::config::resolve(g, inputs, store)?) };
    let gateway = crate::gateway::connect(g, settings.as_ref(), attempts)?;
    let inner = tools::Inner {
        gateway,
        allowed,
        limits: bound::Limits { max_records: args.max_records as usize, max_bytes: args.max_bytes },
        journal,
        header,
        cap,
        clock: confirm::Clock::for_process(),
        pending: Mutex::new(confirm::Pending::default()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::internal(format!("cannot start the MCP server: {e}")))?;
    runtime.block_on(async move {
        let service = tools::Server::new(inner)
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| Failure::internal(format!("the MCP session did not start: {e}")))?;
        service.waiting().await.map_err(|e| Failure::internal(format!("the MCP session failed: {e}")))?;
        Ok(())
    })
}
