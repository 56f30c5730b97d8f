//! Where each setting comes from: flags, then the environment, then the profile (and the
//! OS credential store for its key), then the defaults.

use std::fmt;

use crate::config::profile::{KeyStore, Profile, StoreError};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable (named).
    Env(&'static str),
    /// The profile (named).
    Profile(String),
    /// The OS credential store, under the profile (named).
    CredentialStore(String),
    /// The profile's key kept in plain text in the config file (`--insecure-storage`).
    InsecureFile(String),
    /// The built-in default.
    Default,
    /// Nowhere: not set.
    Missing,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::Env(var) => write!(f, "environment {var}"),
            Source::Profile(name) => write!(f, "profile {name}"),
            Source::CredentialStore(name) => write!(f, "OS credential store, profile {name}"),
            Source::InsecureFile(name) => write!(f, "profile {name}, in plain text in the config file"),
            Source::Default => f.write_str("default"),
            Source::Missing => f.write_str("not set"),
        }
    }
}

/// A value given on the command line or in the environment, and which.
#[derive(Clone, PartialEq, Eq)]
pub struct Given {
    /// The value.
    pub value: String,
    /// [`Source::Flag`] or [`Source::Env`].
    pub source: Source,
}

impl fmt::Debug for Given {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key is a `Given` too: never shown.
        f.debug_struct("Given").field("source", &self.source).finish_non_exhaustive()
    }
}

/// One resolved setting.
#[derive(Clone, PartialEq, Eq)]
pub struct Setting {
    /// The value, if any.
    pub value: Option<String>,
    /// Where it came from.
    pub source: Source,
}

impl fmt::Debug for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setting").field("set", &self.value.is_some()).field("source", &self.source).finish()
    }
}

/// The settings a gateway connection needs, each with its source. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The profile in use, if any.
    pub profile: Option<String>,
    /// The base URL.
    pub base_url: Setting,
    /// The openId.
    pub open_id: Setting,
    /// The grantCode.
    pub grant_code: Setting,
    /// The openKey.
    pub open_key: Setting,
    /// The shop code (profiles only).
    pub shop_code: Setting,
    /// Why the credential store could not be read, when it could not.
    pub store_error: Option<String>,
}

/// What the command line and the environment gave.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `--base-url` / `ZV_BASE_URL`.
    pub base_url: Option<Given>,
    /// `--open-id` / `ZV_OPEN_ID`.
    pub open_id: Option<Given>,
    /// `--grant-code` / `ZV_GRANT_CODE`.
    pub grant_code: Option<Given>,
    /// `--open-key` / `ZV_OPEN_KEY`.
    pub open_key: Option<Given>,
}

impl Inputs {
    /// Whether the flags or the environment name the account (its openId or grantCode).
    /// Then a profile that was not named (`default`) contributes nothing to the call, not
    /// even its shop code: it belongs to whichever account it was saved for. A key alone
    /// (`ZV_OPEN_KEY`) still completes the profile.
    pub fn name_an_account(&self) -> bool {
        [&self.open_id, &self.grant_code].into_iter().flatten().any(|g| !g.value.trim().is_empty())
    }
}

/// Resolves the settings: a flag or variable wins, then the profile (`profile` is its name
/// and settings), whose key is read from `store` only when no flag or variable gives one;
/// the base URL defaults to `default_base_url`.
pub fn resolve(
    inputs: Inputs,
    profile: Option<(&str, &Profile)>,
    store: &KeyStore,
    default_base_url: &str,
) -> Settings {
    let name = profile.map(|(n, _)| n.to_owned());
    let from_profile = |given: Option<Given>, value: Option<&String>| -> Setting {
        match (given, value, &name) {
            (Some(g), _, _) if !g.value.trim().is_empty() => {
                Setting { value: Some(g.value), source: g.source }
            }
            (_, Some(v), Some(n)) => Setting { value: Some(v.clone()), source: Source::Profile(n.clone()) },
            _ => Setting { value: None, source: Source::Missing },
        }
    };
    let p = profile.map(|(_, p)| p);
    let mut base_url = from_profile(inputs.base_url, p.and_then(|p| p.base_url.as_ref()));
    if base_url.value.is_none() {
        base_url = Setting { value: Some(default_base_url.to_owned()), source: Source::Default };
    }
    let open_id = from_profile(inputs.open_id, p.and_then(|p| p.open_id.as_ref()));
    let grant_code = from_profile(inputs.grant_code, p.and_then(|p| p.grant_code.as_ref()));
    let shop_code = from_profile(None, p.and_then(|p| p.shop_code.as_ref()));
    let mut store_error = None;
    let insecure = p.and_then(|p| p.insecure_open_key.as_ref());
    let open_key = match (inputs.open_key, &name) {
        (Some(g), _) if !g.value.trim().is_empty() => Setting { value: Some(g.value), source: g.source },
        (_, Some(n)) if insecure.is_some() => Setting {
            value: insecure.map(|k| k.expose().to_owned()),
            source: Source::InsecureFile(n.clone()),
        },
        (_, Some(n)) => match store.get(n) {
            Ok(Some(secret)) => Setting {
                value: Some(secret.expose().to_owned()),
                source: Source::CredentialStore(n.clone()),
            },
            Ok(None) => Setting { value: None, source: Source::Missing },
            Err(e) => {
                store_error = Some(StoreError::to_string(&e));
                Setting { value: None, source: Source::Missing }
            }
        },
        _ => Setting { value: None, source: Source::Missing },
    };
    Settings { profile: name, base_url, open_id, grant_code, open_key, shop_code, store_error }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(value: &str, source: Source) -> Option<Given> {
        Some(Given { value: value.into(), source })
    }

    #[test]
    fn flags_then_environment_then_profile_then_defaults() {
        let store = KeyStore::mock();
        store.set("prod", "stored-key").unwrap();
        let profile = Profile {
            base_url: Some("https://p".into()),
            open_id: Some("pid".into()),
            grant_code: Some("pgc".into()),
            shop_code: Some("S1".into()),
            insecure_open_key: None,
            ..Profile::default()
        };
        let inputs = Inputs {
            open_id: given("flag-id", Source::Flag),
            grant_code: given("env-gc", Source::Env("ZV_GRANT_CODE")),
            ..Inputs::default()
        };
        let s = resolve(inputs, Some(("prod", &profile)), &store, "http://default");
        assert_eq!((s.open_id.value.as_deref(), &s.open_id.source), (Some("flag-id"), &Source::Flag));
        assert_eq!(s.grant_code.source, Source::Env("ZV_GRANT_CODE"));
        assert_eq!(
            (s.base_url.value.as_deref(), &s.base_url.source),
            (Some("https://p"), &Source::Profile("prod".into()))
        );
        assert_eq!(
            (s.open_key.value.as_deref(), &s.open_key.source),
            (Some("stored-key"), &Source::CredentialStore("prod".into()))
        );
        assert_eq!(s.shop_code.value.as_deref(), Some("S1"));
        assert!(!format!("{s:?}").contains("stored-key"));
        // the environment's key wins over the stored one
        let inputs = Inputs { open_key: given("env-key", Source::Env("ZV_OPEN_KEY")), ..Inputs::default() };
        let s = resolve(inputs, Some(("prod", &profile)), &store, "http://default");
        assert_eq!(s.open_key.value.as_deref(), Some("env-key"));
        // no profile: defaults and nothing else
        let s = resolve(Inputs::default(), None, &store, "http://default");
        assert_eq!(
            (s.base_url.value.as_deref(), &s.base_url.source),
            (Some("http://default"), &Source::Default)
        );
        assert_eq!((s.open_key.value.as_deref(), &s.open_key.source), (None, &Source::Missing));
    }

    #[test]
    fn a_key_kept_in_the_file_comes_before_the_store() {
        let store = KeyStore::mock();
        store.set("p", "stored-key").unwrap();
        let profile = Profile {
            insecure_open_key: Some(crate::config::profile::Secret::new("file-key")),
            ..Profile::default()
        };
        let s = resolve(Inputs::default(), Some(("p", &profile)), &store, "http://d");
        assert_eq!(
            (s.open_key.value.as_deref(), &s.open_key.source),
            (Some("file-key"), &Source::InsecureFile("p".into()))
        );
    }

    #[test]
    fn the_flags_or_environment_naming_an_account_set_an_unnamed_profile_aside() {
        assert!(!Inputs::default().name_an_account());
        let key_only = Inputs { open_key: given("k", Source::Env("ZV_OPEN_KEY")), ..Inputs::default() };
        assert!(!key_only.name_an_account());
        let blank = Inputs { open_id: given(" ", Source::Env("ZV_OPEN_ID")), ..Inputs::default() };
        assert!(!blank.name_an_account());
        for inputs in [
            Inputs { open_id: given("id", Source::Env("ZV_OPEN_ID")), ..Inputs::default() },
            Inputs { grant_code: given("g", Source::Flag), ..Inputs::default() },
        ] {
            assert!(inputs.name_an_account(), "{inputs:?}");
        }
    }
}
