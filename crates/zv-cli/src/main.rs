//! `zv`: the zvcms / 企迈 (Qmai) OpenAPI from the command line.
//!
//! Typed calls (gift cards, coupons, exchange codes), an untyped call for any endpoint, request
//! signing for debugging a signature with the vendor, an offline `--sandbox`, and `zv mock`,
//! a signature-verifying local gateway any language can test against. It never prints the
//! `openKey` or a request token (except `zv sign`, whose job is the token, and `zv mock`,
//! which prints its own sandbox key so a client can be configured). Every failure is one
//! line on stderr and a documented exit code.

mod cli;
mod commands;
mod config;
mod failure;
mod gateway;
mod global;
mod input;
mod journal;
mod output;
mod report;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::commands::Context;
use crate::config::profile::KeyStore;
use crate::failure::{Failure, clap_exit, report};
use crate::output::{terminal, verbose};

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return clap_exit(e),
    };
    let inputs = config::inputs(&cli.global, &matches);
    match verbose::init(cli.global.verbose).and_then(|attempts| run(cli, &inputs, &attempts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code: 0, .. }) => ExitCode::SUCCESS,
        Err(f) => {
            report(&f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Runs the command with what every command may use ([`Context`]).
fn run(cli: Cli, inputs: &config::settings::Inputs, attempts: &verbose::MaxAttempts) -> Result<(), Failure> {
    // Tests set ZV_KEYRING=mock (or `none`): never the machine's credentials. Only test
    // and debug builds read it.
    let store = KeyStore::for_process(std::env::var_os("ZV_KEYRING").as_deref());
    let global = &cli.global;
    let layout = terminal::stdout_layout();
    let terminal = terminal::stdout_is_terminal();
    let cx = Context { global, inputs, store: &store, attempts, layout, terminal };
    cli.command.run(&cx)
}
