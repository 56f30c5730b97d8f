//! `zv journal`: what `zv mcp`'s write journal says, and a person's verdict on a write whose
//! outcome is unknown.

use std::io::Write;
use std::path::PathBuf;

use crate::config::settings::Inputs;
use crate::journal::{Key, State};
use crate::output::data::Data;
use crate::output::format::Printer;

use super::Context;
use crate::commands::mcp::{self, ledger};
use crate::failure::Failure;
use crate::global::Global;

/// `zv journal`'s subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum JournalCommand {
    /// The writes `zv mcp` sent for this profile: ID, day, state, endpoint, fingerprint.
    List {
        /// Only the writes whose outcome is unknown (they block an identical write).
        #[arg(long)]
        in_doubt: bool,
        /// The journal (default: the profile's, as `zv mcp` uses it).
        #[arg(long, env = "ZV_MCP_JOURNAL", value_name = "FILE")]
        journal: Option<PathBuf>,
    },
    /// Records what a person found out about a write: applied, or failed (no effect).
    Resolve {
        /// The write's ID, as `zv journal list` shows it (its confirmation id).
        id: String,
        /// What happened to it.
        #[arg(long = "as", value_enum, value_name = "VERDICT")]
        verdict: Verdict,
        /// A note kept with the verdict (how it was checked).
        #[arg(long, default_value = "")]
        note: String,
        /// The journal (default: the profile's, as `zv mcp` uses it).
        #[arg(long, env = "ZV_MCP_JOURNAL", value_name = "FILE")]
        journal: Option<PathBuf>,
    },
}

/// A person's verdict on a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Verdict {
    /// It was applied (an identical write stays refused today).
    Applied,
    /// It had no effect (an identical write may be sent again).
    Failed,
}

fn state_name(state: State) -> &'static str {
    match state {
        State::Sent => "sent (unknown)",
        State::Applied => "applied",
        State::Unknown => "unknown",
        State::Failed => "failed",
    }
}

/// Runs `zv journal …`.
pub(crate) fn run(command: JournalCommand, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    execute(command, cx.global, cx.inputs, &cx.printer(crate::output::format::Format::Table), out)
}

/// [`run`] with the global options, the flags given and the printer.
fn execute(
    command: JournalCommand,
    g: &Global,
    inputs: &Inputs,
    printer: &Printer,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let (profile_name, _) = mcp::profile(g, inputs)?;
    match command {
        JournalCommand::List { in_doubt, journal } => {
            let path = mcp::journal_path(journal, &profile_name)?;
            let scan = ledger::read(&path).map_err(|e| Failure::usage(e.to_string()))?;
            // The ID first (what `resolve` takes), whole; the fingerprint's first 16 digits.
            let rows: Vec<Data> = ledger::entries(&scan)
                .into_iter()
                .filter(|e| !in_doubt || e.state.is_in_doubt())
                .map(|e| {
                    let text = |name: &str, value: &str| (name.to_owned(), Data::String(value.to_owned()));
                    let short: String = e.fingerprint.chars().take(16).collect();
                    Data::Object(vec![
                        text("id", &e.id),
                        text("state", state_name(e.state)),
                        text("day", &e.day),
                        text("endpoint", &e.endpoint),
                        text("fingerprint", &short),
                    ])
                })
                .collect();
            if rows.is_empty() {
                eprintln!(
                    "zv: no write in {}",
                    crate::output::render::replace_unsafe(&path.display().to_string())
                );
            }
            let data = Data::Array(rows);
            printer.data(out, &data).map_err(Failure::output)
        }
        JournalCommand::Resolve { id, verdict, note, journal } => {
            let path = mcp::journal_path(journal, &profile_name)?;
            // A verdict needs a write to judge: a journal that does not exist is not created.
            if std::fs::symlink_metadata(&path).is_err() {
                let shown = crate::output::render::replace_unsafe(&path.display().to_string());
                return Err(Failure::usage(format!("no journal at {shown}: no write to resolve")));
            }
            let (mut journal, scan) = ledger::open(&path, &ledger::header(&profile_name))
                .map_err(|e| Failure::usage(e.to_string()))?;
            let id = id.trim();
            let found: Vec<ledger::Entry> =
                ledger::entries(&scan).into_iter().filter(|e| e.id == id || e.key == id).collect();
            let shown = crate::output::render::replace_unsafe(id);
            let entry = match found.as_slice() {
                [entry] => entry,
                [] => {
                    return Err(Failure::usage(format!(
                        "no write {shown} in the journal (see `zv journal list`)"
                    )));
                }
                _ => {
                    return Err(Failure::usage(format!(
                        "{shown} names more than one write: give the whole key"
                    )));
                }
            };
            let state = match verdict {
                Verdict::Applied => State::Applied,
                Verdict::Failed => State::Failed,
            };
            journal
                .append_resolve(&Key::Id(entry.key.clone()), state, &note)
                .map_err(|e| Failure::internal(format!("cannot record the verdict: {e}")))?;
            writeln!(out, "{shown}: resolved as {} (was {})", state_name(state), state_name(entry.state))
                .map_err(Failure::output)
        }
    }
}
