//! `zv profile add|list|show|remove`.

use std::io::{IsTerminal, Write};

use clap::Subcommand;

use crate::config::profile::{self, AddError, Config, KeyPlace, KeyStore, Profile, Secret, check_name};
use crate::config::settings::{Inputs, Source};
use crate::output::data::Data;
use crate::output::format::Printer;

use super::Context;
use crate::failure::Failure;
use crate::output::typed as output;

fn config_path() -> Result<std::path::PathBuf, Failure> {
    Config::default_path().map_err(|e| Failure::usage(e.to_string()))
}

fn load(path: &std::path::Path) -> Result<Config, Failure> {
    Config::load(path).map_err(|e| Failure::usage(crate::report::error_line(&e)))
}

/// A value given with its flag on this command line (the environment's are not a profile's).
fn flag(given: &Option<crate::config::settings::Given>) -> Option<String> {
    given.as_ref().filter(|g| g.source == Source::Flag).map(|g| g.value.clone())
}

/// Examples shown at the end of `zv profile add --help`.
const PROFILE_EXAMPLES: &str = r#"Examples:
  zv profile add prod --open-id ID --grant-code CODE --open-key-stdin < key.txt
  zv profile add ci --open-key-stdin --insecure-storage < key.txt
  zv --profile prod gift-cards --user-id 10001"#;

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

/// Runs a `zv profile` command.
pub(crate) fn run(command: ProfileCommand, cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    execute(command, cx.inputs, cx.store, &cx.printer(crate::output::format::Format::Table), out)
}

/// [`run`] with the flags given, the key store and the printer.
fn execute(
    command: ProfileCommand,
    inputs: &Inputs,
    store: &KeyStore,
    printer: &Printer,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let path = config_path()?;
    match command {
        ProfileCommand::Add { name, shop_code, open_key_stdin, insecure_storage } => {
            check_name(&name).map_err(|e| Failure::usage(e.to_string()))?;
            if flag(&inputs.open_key).is_some() {
                return Err(Failure::usage(
                    "the openKey is never given as a flag: give it with --open-key-stdin (it goes to the OS credential store)",
                ));
            }
            // Checked as the client will check it: a URL with a password in it is never saved.
            let base_url = flag(&inputs.base_url)
                .map(|url| zv_api::validate_base_url(&url))
                .transpose()
                .map_err(|e| Failure::usage(crate::report::error_line(&e)))?;
            let place = if insecure_storage { KeyPlace::ConfigFile } else { KeyPlace::Store };
            let key = if open_key_stdin { Some((read_key()?, place)) } else { None };
            let update = Profile {
                base_url,
                open_id: flag(&inputs.open_id),
                grant_code: flag(&inputs.grant_code),
                shop_code,
                insecure_open_key: None,
                ..Profile::default()
            };
            profile::add(&path, store, &name, update, key).map_err(|e| match e {
                AddError::NotSaved { .. } => Failure::internal(crate::report::error_line(&e)),
                _ => Failure::usage(crate::report::error_line(&e)),
            })?;
            let stored = match (open_key_stdin, place) {
                (false, _) => {
                    // Said, so a missing key is not first met as a refused signature.
                    let in_file = load(&path)
                        .ok()
                        .and_then(|c| c.profile(&name).ok().map(|p| p.insecure_open_key.is_some()));
                    let has_key = in_file == Some(true) || matches!(store.get(&name), Ok(Some(_)));
                    if !has_key {
                        let _ = writeln!(
                            std::io::stderr(),
                            "note: no openKey was saved with profile {name}: sign with ZV_OPEN_KEY, or add it with `zv profile add {name} --open-key-stdin`"
                        );
                    }
                    ""
                }
                (true, KeyPlace::Store) => ", its key in the OS credential store",
                (true, KeyPlace::ConfigFile) => {
                    // Never silently: the `gh auth login --insecure-storage` convention.
                    let _ = writeln!(
                        std::io::stderr(),
                        "warning: the openKey of profile {name} is kept in plain text in {} (readable by you only); anyone who can read your files or their backups can sign as you",
                        path.display()
                    );
                    // A key the store held before is not left behind, out of date.
                    let _ = store.delete(&name);
                    ", its key in plain text in the file"
                }
            };
            writeln!(out, "profile {name} saved in {}{stored}", path.display()).map_err(Failure::output)
        }
        ProfileCommand::List => {
            let config = load(&path)?;
            let rows: Vec<Data> = config.profiles.iter().map(|(name, p)| view(name, p, store)).collect();
            output::show(out, printer, &Data::Array(rows.clone()), None, |out| {
                if rows.is_empty() {
                    return writeln!(out, "no profiles (add one with `zv profile add NAME`)");
                }
                write!(out, "{}", Data::Array(rows).render(printer.layout))
            })
            .map_err(Failure::output)
        }
        ProfileCommand::Show { name } => {
            let config = load(&path)?;
            let profile = config.profile(&name).map_err(|e| Failure::usage(e.to_string()))?;
            output::show(out, printer, &view(&name, profile, store), None, |out| {
                write!(out, "{}", view(&name, profile, store).render(printer.layout))
            })
            .map_err(Failure::output)
        }
        ProfileCommand::Remove { name } => {
            Config::update(&path, |config: &mut Config| {
                config.profile(&name)?;
                config.profiles.remove(&name);
                Ok::<_, crate::config::profile::ProfileError>(())
            })
            .map_err(|e| Failure::usage(crate::report::error_line(&e)))?;
            let key = match store.delete(&name) {
                Ok(true) => " and its stored key",
                Ok(false) | Err(_) => "",
            };
            writeln!(out, "profile {name}{key} removed").map_err(Failure::output)
        }
    }
}

/// The openKey: on a terminal, a prompt that does not echo it; else one line of stdin.
/// Either way at most [`MAX_KEY_BYTES`](crate::config::profile::MAX_KEY_BYTES) are taken.
fn read_key() -> Result<Secret, Failure> {
    let failure = |e: crate::config::profile::KeyInputError| Failure::usage(e.to_string());
    if std::io::stdin().is_terminal() {
        let typed = rpassword::prompt_password("openKey (not shown): ")
            .map_err(|e| Failure::usage(format!("cannot read the openKey: {e}")))?;
        return profile::check_key(&typed).map_err(failure);
    }
    profile::read_key(std::io::stdin().lock()).map_err(failure)
}

/// A profile as shown: its settings, and whether its key is stored (never the key).
fn view(name: &str, p: &Profile, store: &KeyStore) -> Data {
    let text = |v: &Option<String>| v.clone().map_or(Data::Null, Data::String);
    let key = if p.insecure_open_key.is_some() {
        "in plain text in the config file"
    } else {
        match store.get(name) {
            Ok(Some(_)) => "stored",
            Ok(None) => "absent",
            Err(_) => "unknown (no credential store)",
        }
    };
    Data::Object(vec![
        ("name".to_owned(), Data::String(name.to_owned())),
        // A URL saved by hand (or by an older zv) may hold a password: shown only as the
        // client would use it, else as why it cannot be used (which never echoes it).
        (
            "base_url".to_owned(),
            match &p.base_url {
                None => Data::Null,
                Some(url) => Data::String(
                    zv_api::validate_base_url(url).unwrap_or_else(|e| format!("(unusable: {e})")),
                ),
            },
        ),
        ("open_id".to_owned(), text(&p.open_id)),
        // The one rule for showing a grantCode (the same in errors, logs, doctor, --dry-run).
        (
            "grant_code".to_owned(),
            p.grant_code
                .as_deref()
                .map_or(Data::Null, |g| Data::String(zv_api::redact_grant_code(g, g).into_owned())),
        ),
        ("shop_code".to_owned(), text(&p.shop_code)),
        ("open_key".to_owned(), Data::String(key.to_owned())),
    ])
}
