//! `zv profile add|list|show|remove`.

use std::io::{BufRead, Write};

use zv_cli::data::Data;
use zv_cli::format::Printer;
use zv_cli::profile::{Config, KeyStore, Profile, check_name};
use zv_cli::settings::{Inputs, Source};

use crate::cli::ProfileCommand;
use crate::{Failure, output};

fn config_path() -> Result<std::path::PathBuf, Failure> {
    Config::default_path().map_err(|e| Failure::usage(e.to_string()))
}

fn load(path: &std::path::Path) -> Result<Config, Failure> {
    Config::load(path).map_err(|e| Failure::usage(zv_cli::report::error_line(&e)))
}

fn save(config: &Config, path: &std::path::Path) -> Result<(), Failure> {
    config.save(path).map_err(|e| Failure::internal(zv_cli::report::error_line(&e)))
}

/// A value given with its flag on this command line (the environment's are not a profile's).
fn flag(given: &Option<zv_cli::settings::Given>) -> Option<String> {
    given.as_ref().filter(|g| g.source == Source::Flag).map(|g| g.value.clone())
}

/// Runs a `zv profile` command.
pub fn run(
    command: ProfileCommand,
    inputs: &Inputs,
    store: &KeyStore,
    printer: &Printer,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let path = config_path()?;
    match command {
        ProfileCommand::Add { name, shop_code, open_key_stdin } => {
            check_name(&name).map_err(|e| Failure::usage(e.to_string()))?;
            if flag(&inputs.open_key).is_some() {
                return Err(Failure::usage(
                    "the openKey is never written to a file: give it with --open-key-stdin (it goes to the OS credential store)",
                ));
            }
            // Checked as the client will check it: a URL with a password in it is never saved.
            let base_url = flag(&inputs.base_url)
                .map(|url| zv_api::validate_base_url(&url))
                .transpose()
                .map_err(|e| Failure::usage(zv_cli::report::error_line(&e)))?;
            let key = if open_key_stdin { Some(read_key()?) } else { None };
            let mut config = load(&path)?;
            let update = Profile {
                base_url,
                open_id: flag(&inputs.open_id),
                grant_code: flag(&inputs.grant_code),
                shop_code,
            };
            config.profiles.entry(name.clone()).or_default().update(update);
            save(&config, &path)?;
            if let Some(key) = key
                && let Err(e) = store.set(&name, &key)
            {
                // A store that failed halfway may hold part of it: take that back too.
                let _ = store.delete(&name);
                return Err(Failure::usage(format!(
                    "profile {name} saved without its key: {}",
                    zv_cli::report::error_line(&e)
                )));
            }
            let stored = if open_key_stdin { ", its key in the OS credential store" } else { "" };
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
            let mut config = load(&path)?;
            config.profile(&name).map_err(|e| Failure::usage(e.to_string()))?;
            config.profiles.remove(&name);
            save(&config, &path)?;
            let key = match store.delete(&name) {
                Ok(true) => " and its stored key",
                Ok(false) | Err(_) => "",
            };
            writeln!(out, "profile {name}{key} removed").map_err(Failure::output)
        }
    }
}

/// One line from stdin, without its line break: the key.
fn read_key() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::usage(format!("cannot read the openKey from stdin: {e}")))?;
    let key = line.trim_end_matches(['\r', '\n']).to_owned();
    if key.trim().is_empty() {
        return Err(Failure::usage("--open-key-stdin read an empty line: give the key on stdin"));
    }
    Ok(key)
}

/// A profile as shown: its settings, and whether its key is stored (never the key).
fn view(name: &str, p: &Profile, store: &KeyStore) -> Data {
    let text = |v: &Option<String>| v.clone().map_or(Data::Null, Data::String);
    let key = match store.get(name) {
        Ok(Some(_)) => "stored",
        Ok(None) => "absent",
        Err(_) => "unknown (no credential store)",
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
        ("grant_code".to_owned(), text(&p.grant_code)),
        ("shop_code".to_owned(), text(&p.shop_code)),
        ("open_key".to_owned(), Data::String(key.to_owned())),
    ])
}
