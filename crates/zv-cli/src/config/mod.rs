//! The configuration: where each setting comes from ([`settings`]), and the config file
//! with its profiles and the OS credential store for their keys ([`profile`]).

pub mod profile;
pub mod settings;

#[cfg(test)]
mod profile_tests;

use profile::{Config, KeyStore, Profile};
use settings::{Given, Inputs, Settings, Source};

use crate::failure::Failure;
use crate::global::Global;
use crate::report::error_line;

/// What the flags and the environment gave for the connection settings, and which gave it.
pub(crate) fn inputs(g: &Global, matches: &clap::ArgMatches) -> Inputs {
    let given = |id: &str, var: &'static str, value: &Option<String>| {
        let source = match matches.value_source(id) {
            Some(clap::parser::ValueSource::EnvVariable) => Source::Env(var),
            _ => Source::Flag,
        };
        value.clone().map(|value| Given { value, source })
    };
    Inputs {
        base_url: given("base_url", "ZV_BASE_URL", &g.base_url),
        open_id: given("open_id", "ZV_OPEN_ID", &g.open_id),
        grant_code: given("grant_code", "ZV_GRANT_CODE", &g.grant_code),
        open_key: given("open_key", "ZV_OPEN_KEY", &g.open_key),
    }
}

/// The profile in use: `--profile`/`ZV_PROFILE`, else the one called `default` if there is
/// one and the flags and environment do not name another account (see
/// [`Inputs::name_an_account`]).
pub(crate) fn selected_profile(g: &Global, inputs: &Inputs) -> Result<Option<(String, Profile)>, Failure> {
    if g.profile.is_none() && inputs.name_an_account() {
        return Ok(None);
    }
    let path = match (Config::default_path(), &g.profile) {
        (Ok(path), _) => path,
        (Err(_), None) => return Ok(None),
        (Err(e), Some(_)) => return Err(Failure::usage(e.to_string())),
    };
    let config = Config::load(&path).map_err(|e| Failure::usage(error_line(&e)))?;
    match &g.profile {
        Some(name) => {
            let profile = config.profile(name).map_err(|e| Failure::usage(e.to_string()))?;
            Ok(Some((name.clone(), profile.clone())))
        }
        None => Ok(config.profiles.get("default").map(|p| ("default".to_owned(), p.clone()))),
    }
}

/// The connection settings, each from a flag, the environment, the profile or the defaults.
pub(crate) fn resolve(g: &Global, inputs: &Inputs, store: &KeyStore) -> Result<Settings, Failure> {
    let profile = selected_profile(g, inputs)?;
    let profile = profile.as_ref().map(|(name, p)| (name.as_str(), p));
    Ok(settings::resolve(inputs.clone(), profile, store, zv_api::DEFAULT_BASE_URL))
}
