//! The subcommands, one module each: its clap `Args` (with its help's examples) and its
//! `run`. A command's pure parts are its child modules (`api::{params, target, batch}`,
//! `doctor::checks`, `endpoints::search`, `mcp::…`).
//!
//! A new subcommand is one new module here, one variant of [`crate::cli::Command`] and one
//! line in its dispatch ([`crate::cli::Command::run`]).

pub mod api;
pub mod call;
pub mod completions;
pub mod coupons;
pub mod doctor;
pub mod endpoints;
pub mod exchange_code;
pub mod gift_cards;
pub mod journal;
pub mod mcp;
pub mod mock;
pub mod profile;
pub mod sign;

use crate::config::profile::KeyStore;
use crate::config::settings::{Inputs, Settings};
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::global::Global;
use crate::output::format::{Format, Printer};
use crate::output::render::Layout;
use crate::output::verbose::MaxAttempts;
use crate::report::error_line;

/// What every command may use besides its own arguments.
pub(crate) struct Context<'a> {
    /// The global options.
    pub global: &'a Global,
    /// What the flags and the environment gave for the connection settings.
    pub inputs: &'a Inputs,
    /// The OS credential store (or the tests' stand-in).
    pub store: &'a KeyStore,
    /// The attempts a call may make, for the `-v` log's `attempt n/N`.
    pub attempts: &'a MaxAttempts,
    /// Stdout's table layout.
    pub layout: Layout,
    /// Whether stdout is a terminal.
    pub terminal: bool,
}

impl Context<'_> {
    /// The connection settings; `None` with `--sandbox`.
    pub fn settings(&self) -> Result<Option<Settings>, Failure> {
        if self.global.sandbox {
            return Ok(None);
        }
        crate::config::resolve(self.global, self.inputs, self.store).map(Some)
    }

    /// The gateway: the in-process sandbox with `--sandbox`, else the one the settings name.
    pub fn connect(&self) -> Result<Gateway, Failure> {
        crate::gateway::connect(self.global, self.settings()?.as_ref(), self.attempts)
    }

    /// The printer for stdout: the format asked for, else `default`.
    pub fn printer(&self, default: Format) -> Printer {
        Printer { format: self.global.format_or(default), layout: self.layout, terminal: self.terminal }
    }

    /// Reads a JSON argument given inline or as `@file` (a regular file within the size limit).
    pub fn json_arg(&self, what: &str, arg: &str) -> Result<serde_json::Value, Failure> {
        let text = crate::input::text_arg(what, arg, self.global.max_input_bytes)
            .map_err(|e| Failure::usage(error_line(&e)))?;
        serde_json::from_str(&text).map_err(|e| Failure::usage(format!("{what} is not valid JSON: {e}")))
    }
}
