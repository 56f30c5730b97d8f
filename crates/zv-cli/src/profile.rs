//! Profiles: named sets of settings (base URL, openId, grantCode, shop code) in the
//! platform's config directory, and each profile's openKey in the OS credential store —
//! never in a file.
//!
//! The file is `config.toml` in the `zv` folder of [`dirs::config_dir`]
//! (`$XDG_CONFIG_HOME/zv/config.toml` or `~/.config/zv/config.toml` on Linux,
//! `~/Library/Application Support/zv/config.toml` on macOS, `%APPDATA%\zv\config.toml` on
//! Windows), written atomically (a temporary file in the same folder, renamed over it) and
//! readable by its owner only (mode 0600, in a 0700 folder).
//!
//! ```toml
//! [profiles.prod]
//! base_url = "https://openapi.qmai.cn"
//! open_id = "a4c123b1612dd272d1371c17149d4395"
//! grant_code = "LKOmxgJTeK"
//! shop_code = "S001"
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The largest config file read: 1 MiB (a config of profiles is a few hundred bytes).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The service name of every credential `zv` stores; the profile's name is the user.
pub const KEYRING_SERVICE: &str = "zv";

/// One profile's settings (the openKey is in the credential store, see [`KeyStore`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The gateway's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The openId (密钥Id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_id: Option<String>,
    /// The grantCode (授权code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_code: Option<String>,
    /// The shop code: `zv api` sends it as `shopCode` to the catalogued endpoints that take one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_code: Option<String>,
}

impl Profile {
    /// Sets each value given, keeps the others.
    pub fn update(&mut self, other: Profile) {
        let Profile { base_url, open_id, grant_code, shop_code } = other;
        for (slot, value) in [
            (&mut self.base_url, base_url),
            (&mut self.open_id, open_id),
            (&mut self.grant_code, grant_code),
            (&mut self.shop_code, shop_code),
        ] {
            if value.is_some() {
                *slot = value;
            }
        }
    }
}

/// The config file: the profiles by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profiles, by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// Why a profile or the config file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// No config directory is known for this platform (no home directory).
    #[error("no config directory is known on this system (is HOME set?)")]
    NoConfigDir,
    /// The file could not be read or written.
    #[error("config file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not one that is read: a device, FIFO or directory, too large, or not
    /// UTF-8 text.
    #[error(transparent)]
    Unreadable(#[from] crate::input::InputError),
    /// The file is not a valid config.
    #[error("config file {path} is not valid: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, as the TOML reader says.
        message: String,
    },
    /// No profile has this name.
    #[error("unknown profile {name:?} ({}); add it with `zv profile add {name}`", known_list(.known))]
    Unknown {
        /// The name asked for.
        name: String,
        /// The profiles there are.
        known: Vec<String>,
    },
    /// Not a usable name.
    #[error("{name:?} is not a profile name: use 1 to 64 letters, digits, `-`, `_` or `.`")]
    BadName {
        /// The name given.
        name: String,
    },
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "there are no profiles".to_owned()
    } else {
        format!("the profiles are {}", known.join(", "))
    }
}

/// Checks a profile name: 1 to 64 of `A-Za-z0-9-_.`.
pub fn check_name(name: &str) -> Result<(), ProfileError> {
    let ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok { Ok(()) } else { Err(ProfileError::BadName { name: name.to_owned() }) }
}

impl Config {
    /// Where the config file is on this platform.
    pub fn default_path() -> Result<PathBuf, ProfileError> {
        Ok(dirs::config_dir().ok_or(ProfileError::NoConfigDir)?.join("zv").join("config.toml"))
    }

    /// Reads the file; a missing file is an empty config. Only a regular file of at most
    /// [`MAX_CONFIG_BYTES`] is read ([`input::read_file`](crate::input::read_file)): a
    /// config path that is a FIFO or `/dev/zero` fails at once instead of hanging every
    /// command.
    pub fn load(path: &Path) -> Result<Config, ProfileError> {
        use crate::input::{InputError, read_file};
        let text = match read_file("config", path, MAX_CONFIG_BYTES) {
            Ok(text) => text,
            Err(InputError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default());
            }
            Err(InputError::Io { source, .. }) => {
                return Err(ProfileError::Io { path: path.display().to_string(), source });
            }
            Err(e) => return Err(e.into()),
        };
        toml::from_str(&text).map_err(|e| ProfileError::Invalid {
            path: path.display().to_string(),
            message: e.message().to_owned(),
        })
    }

    /// Writes the file atomically: a temporary file beside it (created readable by its owner
    /// only), synced, then renamed over it; the folder is created (0700) if need be.
    pub fn save(&self, path: &Path) -> Result<(), ProfileError> {
        let io = |source| ProfileError::Io { path: path.display().to_string(), source };
        let dir = path.parent().ok_or_else(|| io(std::io::Error::other("no parent folder")))?;
        create_private_dir(dir).map_err(io)?;
        // Serializing maps of strings cannot fail.
        let text = toml::to_string(self).map_err(|e| io(std::io::Error::other(e)))?;
        // tempfile creates the file with mode 0600 on Unix.
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.as_file().sync_all().map_err(io)?;
        file.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// The profile called `name`.
    pub fn profile(&self, name: &str) -> Result<&Profile, ProfileError> {
        self.profiles.get(name).ok_or_else(|| ProfileError::Unknown {
            name: name.to_owned(),
            known: self.profiles.keys().cloned().collect(),
        })
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// An openKey read from the credential store; `Debug` never shows it.
pub struct Secret(String);

impl Secret {
    /// The key itself, to sign with.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The OS credential store is not reachable, or refused the operation.
#[derive(Debug, thiserror::Error)]
#[error("no OS credential store is reachable ({0}); set ZV_OPEN_KEY instead")]
pub struct StoreError(#[source] keyring::Error);

/// The profiles' openKeys in the OS credential store (macOS Keychain, Windows Credential
/// Manager, the Linux kernel keyring), through the `keyring` crate: service
/// [`KEYRING_SERVICE`], the profile's name as the user.
///
/// Entries are kept per profile for the life of the store, so keyring's in-memory mock
/// store (see [`KeyStore::use_mock_store`]) reads back what was written.
#[derive(Default)]
pub struct KeyStore {
    entries: Mutex<HashMap<String, keyring::Entry>>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyStore")
    }
}

impl KeyStore {
    /// The platform's store (or the mock, once [`use_mock_store`](Self::use_mock_store) was called).
    pub fn new() -> KeyStore {
        KeyStore::default()
    }

    /// Makes every store in this process keyring's in-memory mock: for tests, which must
    /// never touch the machine's credentials.
    pub fn use_mock_store() {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
    }

    fn with_entry<T>(
        &self,
        profile: &str,
        f: impl FnOnce(&keyring::Entry) -> keyring::Result<T>,
    ) -> Result<T, StoreError> {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = match entries.entry(profile.to_owned()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(keyring::Entry::new(KEYRING_SERVICE, profile).map_err(StoreError)?)
            }
        };
        f(entry).map_err(StoreError)
    }

    /// The profile's key, `None` when none is stored.
    pub fn get(&self, profile: &str) -> Result<Option<Secret>, StoreError> {
        self.with_entry(profile, |e| match e.get_password() {
            Ok(key) => Ok(Some(Secret(key))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(other) => Err(other),
        })
    }

    /// Stores the profile's key.
    pub fn set(&self, profile: &str, key: &str) -> Result<(), StoreError> {
        self.with_entry(profile, |e| e.set_password(key))
    }

    /// Removes the profile's key; whether there was one.
    pub fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        self.with_entry(profile, |e| match e.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(other) => Err(other),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_round_trips_atomically_and_privately() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zv").join("config.toml");
        assert_eq!(Config::load(&path).unwrap(), Config::default());
        let mut config = Config::default();
        config.profiles.insert(
            "prod".into(),
            Profile {
                base_url: Some("https://openapi.qmai.cn".into()),
                open_id: Some("id".into()),
                ..Profile::default()
            },
        );
        config.save(&path).unwrap();
        assert_eq!(Config::load(&path).unwrap(), config);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(
                std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
        // only the file is left: no temporary file beside it
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
        std::fs::write(&path, "[profiles.x]\nopen_key = \"no keys in files\"\n").unwrap();
        assert!(matches!(Config::load(&path), Err(ProfileError::Invalid { .. })));
    }

    #[test]
    fn names_and_unknown_profiles() {
        assert!(check_name("prod-2.cn_a").is_ok());
        for bad in ["", "a b", "a/b", "键", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        let e = Config::default().profile("prod").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown profile \"prod\" (there are no profiles); add it with `zv profile add prod`"
        );
    }

    #[test]
    fn an_update_keeps_what_is_not_given() {
        let mut p = Profile { base_url: Some("a".into()), open_id: Some("b".into()), ..Profile::default() };
        p.update(Profile { open_id: Some("c".into()), shop_code: Some("S".into()), ..Profile::default() });
        assert_eq!(
            p,
            Profile {
                base_url: Some("a".into()),
                open_id: Some("c".into()),
                grant_code: None,
                shop_code: Some("S".into())
            }
        );
    }

    #[test]
    fn keys_go_to_the_mock_store_and_back() {
        KeyStore::use_mock_store();
        let store = KeyStore::new();
        assert!(store.get("p").unwrap().is_none());
        store.set("p", "the-key").unwrap();
        assert_eq!(store.get("p").unwrap().unwrap().expose(), "the-key");
        assert_eq!(format!("{:?}", store.get("p").unwrap()), "Some(Secret(<redacted>))");
        assert!(store.delete("p").unwrap());
        assert!(!store.delete("p").unwrap());
        assert!(store.get("p").unwrap().is_none());
    }
}
