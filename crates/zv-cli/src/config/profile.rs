//! Profiles: named sets of settings (base URL, openId, grantCode, shop code) in the
//! platform's config directory, and each profile's openKey in the OS credential store
//! (macOS Keychain, Windows Credential Manager, the Secret Service on Linux: all survive a
//! reboot). Where there is none (a headless server), `zv profile add --insecure-storage`
//! keeps the key in the config file instead, as `insecure_open_key`, and says so.
//!
//! The file is `config.toml` in the `zv` folder of [`dirs::config_dir`]
//! (`$XDG_CONFIG_HOME/zv/config.toml` or `~/.config/zv/config.toml` on Linux,
//! `~/Library/Application Support/zv/config.toml` on macOS, `%APPDATA%\zv\config.toml` on
//! Windows), written atomically (a temporary file in the same folder, renamed over it) and
//! readable by its owner only (mode 0600, in a 0700 folder). Every change holds an
//! exclusive lock on `config.toml.lock` beside it from reading to renaming
//! ([`Config::update`]): concurrent `zv profile add` never lose one another's profile.
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

use fs4::fs_std::FileExt as _;
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
    /// The openKey in plain text, only where `zv profile add --insecure-storage` put it
    /// (no OS credential store on the machine). Never shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_open_key: Option<Secret>,
    /// `zv mcp`: the write endpoints (paths or Actions) its `prepare_write` may prepare,
    /// besides those `--allow-write` names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mcp_allow_write: Vec<String>,
    /// `zv mcp`: the most writes it sends a day (UTC), counted in its journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_daily_write_cap: Option<u32>,
}

impl Profile {
    /// Sets each value given, keeps the others.
    /// The openKey is not among them: see [`add`].
    pub fn update(&mut self, other: Profile) {
        let Profile { base_url, open_id, grant_code, shop_code, .. } = other;
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
    /// The file keeps an openKey in plain text (`insecure_open_key`) and others than its
    /// owner may read it: it is not used until it is readable by its owner only, as ssh
    /// refuses a private key others can read.
    #[error(
        "config file {path} holds an openKey (insecure_open_key) and is readable by others (mode {mode:04o}): nothing was done; run `chmod 600 {path}`"
    )]
    ReadableByOthers {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
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
        let config: Config = toml::from_str(&text).map_err(|e| ProfileError::Invalid {
            path: path.display().to_string(),
            message: e.message().to_owned(),
        })?;
        if config.profiles.values().any(|p| p.insecure_open_key.is_some()) {
            check_private(path)?;
        }
        Ok(config)
    }

    /// Reads the file, lets `change` edit it, and writes it back ([`save`](Self::save)),
    /// all under an exclusive lock on `config.toml.lock` beside it, so that no other `zv`
    /// changes it in between. Nothing is written when `change` fails.
    pub fn update<T, E: From<ProfileError>>(
        path: &Path,
        change: impl FnOnce(&mut Config) -> Result<T, E>,
    ) -> Result<T, E> {
        let io = |source| ProfileError::Io { path: path.display().to_string(), source };
        let dir = path.parent().ok_or_else(|| io(std::io::Error::other("no parent folder")))?;
        create_private_dir(dir).map_err(io)?;
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(".lock");
        let lock_path = dir.join(name);
        let lock = open_private(&lock_path)
            .map_err(|source| ProfileError::Io { path: lock_path.display().to_string(), source })?;
        lock.lock_exclusive()
            .map_err(|source| ProfileError::Io { path: lock_path.display().to_string(), source })?;
        let mut config = Config::load(path)?;
        let value = change(&mut config)?;
        config.save(path)?;
        // The lock is released when `lock` is closed, here.
        drop(lock);
        Ok(value)
    }

    /// Writes the file atomically: a temporary file beside it (created readable by its owner
    /// only), synced, then renamed over it; the folder is created (0700) if need be. A
    /// change to a config that may be in use goes through [`update`](Self::update).
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

/// Refuses a file that others than its owner may read or write (any of the mode's group
/// and other bits, as ssh checks a private key). Unix only: elsewhere, nothing is checked.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ProfileError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path)
        .map_err(|source| ProfileError::Io { path: path.display().to_string(), source })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ProfileError::ReadableByOthers { path: path.display().to_string(), mode });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ProfileError> {
    Ok(())
}

/// Opens (creating) a file readable by its owner only, for the lock.
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// An openKey; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    #[cfg(test)]
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Secret {
        Secret(key.into())
    }

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
#[error("no OS credential store is reachable ({0})")]
pub struct StoreError(#[source] Box<keyring::Error>);

impl From<keyring::Error> for StoreError {
    fn from(e: keyring::Error) -> Self {
        StoreError(Box::new(e))
    }
}

/// The profiles' openKeys in the OS credential store, through the `keyring` crate: the
/// macOS Keychain, the Windows Credential Manager, and on Linux and the BSDs the Secret
/// Service over D-Bus (GNOME Keyring, KWallet) — all of them survive a reboot. Service
/// [`KEYRING_SERVICE`], the profile's name as the user.
///
/// Entries are kept per profile for the life of the store, so a store made with
/// [`KeyStore::with_builder`] (e.g. keyring's in-memory mock) reads back what was written.
pub struct KeyStore {
    builder: Option<Box<keyring::CredentialBuilder>>,
    entries: Mutex<HashMap<String, keyring::Entry>>,
}

impl Default for KeyStore {
    fn default() -> Self {
        KeyStore::new()
    }
}

impl fmt::Debug for KeyStore {
    /// `KeyStore(os)`, or `KeyStore(test)` for one made with [`KeyStore::with_builder`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.builder.is_some() { "KeyStore(test)" } else { "KeyStore(os)" })
    }
}

/// A credential store that is never there (`ZV_KEYRING=none` in test builds): a headless
/// machine without a Secret Service.
#[cfg(any(test, debug_assertions))]
struct NoStore;

#[cfg(any(test, debug_assertions))]
impl keyring::credential::CredentialBuilderApi for NoStore {
    fn build(
        &self,
        _: Option<&str>,
        _: &str,
        _: &str,
    ) -> keyring::Result<Box<keyring::credential::Credential>> {
        Err(keyring::Error::NoStorageAccess(Box::new(std::io::Error::other(
            "no credential store on this machine (ZV_KEYRING=none)",
        ))))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl KeyStore {
    /// The platform's store.
    pub fn new() -> KeyStore {
        KeyStore { builder: None, entries: Mutex::default() }
    }

    /// A store whose credentials `builder` makes (a test's own store).
    pub fn with_builder(builder: Box<keyring::CredentialBuilder>) -> KeyStore {
        KeyStore { builder: Some(builder), entries: Mutex::default() }
    }

    /// keyring's in-memory mock store, for tests, which must never touch the machine's
    /// credentials. Only in test and debug builds.
    #[cfg(any(test, debug_assertions))]
    pub fn mock() -> KeyStore {
        KeyStore::with_builder(keyring::mock::default_credential_builder())
    }

    /// A store that cannot be reached, as on a headless server. Only in test and debug builds.
    #[cfg(any(test, debug_assertions))]
    pub fn unavailable() -> KeyStore {
        KeyStore::with_builder(Box::new(NoStore))
    }

    /// The store for this process, given the `ZV_KEYRING` variable: in test and debug
    /// builds `mock` is [`mock`](Self::mock) and `none` is [`unavailable`](Self::unavailable);
    /// a release build ignores the variable and always uses the platform's store.
    pub fn for_process(switch: Option<&std::ffi::OsStr>) -> KeyStore {
        #[cfg(debug_assertions)]
        match switch.and_then(std::ffi::OsStr::to_str) {
            Some("mock") => return KeyStore::mock(),
            Some("none") => return KeyStore::unavailable(),
            _ => {}
        }
        let _ = switch;
        KeyStore::new()
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
                let entry = match &self.builder {
                    Some(builder) => {
                        builder.build(None, KEYRING_SERVICE, profile).map(keyring::Entry::new_with_credential)
                    }
                    None => keyring::Entry::new(KEYRING_SERVICE, profile),
                };
                v.insert(entry.map_err(StoreError::from)?)
            }
        };
        f(entry).map_err(StoreError::from)
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

    /// Puts back what the store held for `profile` before (`previous`), or nothing.
    fn restore(&self, profile: &str, previous: Option<&Secret>) -> Result<(), StoreError> {
        match previous {
            Some(key) => self.set(profile, key.expose()),
            None => self.delete(profile).map(drop),
        }
    }
}

/// Where `zv profile add` keeps a profile's openKey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlace {
    /// The OS credential store.
    Store,
    /// The config file, in plain text (`--insecure-storage`).
    ConfigFile,
}

/// Why `zv profile add` saved nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AddError {
    /// The config file could not be read or written (no key was stored).
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The credential store could not take the key; nothing was saved.
    #[error(
        "{source}; nothing was saved: add --insecure-storage to keep the key in the config file (readable by you only), or set ZV_OPEN_KEY instead{}",
        leftover_note(.profile, .leftover.as_ref())
    )]
    Store {
        /// The profile.
        profile: String,
        /// What the store said.
        #[source]
        source: StoreError,
        /// Why what the store may hold of it could not be taken back, if it could not.
        leftover: Option<StoreError>,
    },
    /// The key was stored but the config file could not be written: the key was taken
    /// back out of the store (or not, and then this says so).
    #[error("profile {profile} was not saved ({source}); {}", taken_back(.profile, .leftover.as_ref()))]
    NotSaved {
        /// The profile.
        profile: String,
        /// Why the file could not be written.
        #[source]
        source: ProfileError,
        /// Why the key could not be taken back out of the store, if it could not.
        leftover: Option<StoreError>,
    },
}

fn leftover_note(profile: &str, leftover: Option<&StoreError>) -> String {
    leftover.map_or_else(String::new, |e| {
        format!(
            "; the store may hold part of the key and removing it failed too ({e}): remove service {KEYRING_SERVICE:?}, account {profile:?} by hand"
        )
    })
}

fn taken_back(profile: &str, leftover: Option<&StoreError>) -> String {
    match leftover {
        None => "its key was taken back out of the OS credential store".to_owned(),
        Some(e) => format!(
            "its key is still in the OS credential store: removing it failed ({e}); remove service {KEYRING_SERVICE:?}, account {profile:?} by hand"
        ),
    }
}

/// Adds or updates profile `name` in the config file at `path` with the values `update`
/// gives, and its key, if one is given, in `place`. All or nothing: when anything fails,
/// the config file is as it was and every store touched holds what it held before (or
/// the error says what it could not take back).
pub fn add(
    path: &Path,
    store: &KeyStore,
    name: &str,
    update: Profile,
    key: Option<(Secret, KeyPlace)>,
) -> Result<(), AddError> {
    check_name(name)?;
    let mut previous = None;
    let stored = match &key {
        Some((secret, KeyPlace::Store)) => {
            // A store that cannot even be read is not there: nothing was written to it.
            previous = store.get(name).map_err(|source| AddError::Store {
                profile: name.to_owned(),
                source,
                leftover: None,
            })?;
            if let Err(source) = store.set(name, secret.expose()) {
                // A store that failed halfway may hold part of it: put back what it held.
                let leftover = store.restore(name, previous.as_ref()).err();
                return Err(AddError::Store { profile: name.to_owned(), source, leftover });
            }
            true
        }
        _ => false,
    };
    let saved = Config::update(path, |config: &mut Config| {
        let profile = config.profiles.entry(name.to_owned()).or_default();
        profile.update(update);
        match key {
            Some((secret, KeyPlace::ConfigFile)) => profile.insecure_open_key = Some(secret),
            Some((_, KeyPlace::Store)) => profile.insecure_open_key = None,
            None => {}
        }
        Ok::<_, ProfileError>(())
    });
    match saved {
        Ok(()) => Ok(()),
        Err(source) if stored => Err(AddError::NotSaved {
            profile: name.to_owned(),
            source,
            leftover: store.restore(name, previous.as_ref()).err(),
        }),
        Err(source) => Err(source.into()),
    }
}

/// The longest openKey read (`--open-key-stdin`): keys are 32 characters.
pub const MAX_KEY_BYTES: usize = 1024;

/// Why an openKey could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyInputError {
    /// Reading failed.
    #[error("cannot read the openKey: {0}")]
    Io(#[from] std::io::Error),
    /// Nothing but blanks.
    #[error("--open-key-stdin read an empty line: give the key on stdin")]
    Empty,
    /// Longer than [`MAX_KEY_BYTES`].
    #[error("--open-key-stdin read more than {MAX_KEY_BYTES} bytes on a line: that is not an openKey")]
    TooLong,
    /// Not UTF-8 text.
    #[error("the openKey read is not UTF-8 text")]
    NotText,
}

/// The key on the first line of `reader`, without its line break, reading at most
/// [`MAX_KEY_BYTES`] and a line break.
pub fn read_key(reader: impl std::io::BufRead) -> Result<Secret, KeyInputError> {
    let mut line = Vec::new();
    std::io::BufRead::read_until(
        &mut std::io::Read::take(reader, MAX_KEY_BYTES as u64 + 2),
        b'\n',
        &mut line,
    )?;
    let text = String::from_utf8(line).map_err(|_| KeyInputError::NotText)?;
    check_key(text.trim_end_matches(['\r', '\n']))
}

/// A key typed or read: not empty, at most [`MAX_KEY_BYTES`].
pub fn check_key(key: &str) -> Result<Secret, KeyInputError> {
    if key.len() > MAX_KEY_BYTES {
        return Err(KeyInputError::TooLong);
    }
    if key.trim().is_empty() {
        return Err(KeyInputError::Empty);
    }
    Ok(Secret(key.to_owned()))
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
                shop_code: Some("S".into()),
                insecure_open_key: None,
                ..Profile::default()
            }
        );
    }

    #[test]
    fn the_test_switch_works_only_in_test_and_debug_builds() {
        for switch in ["mock", "none"] {
            let store = KeyStore::for_process(Some(std::ffi::OsStr::new(switch)));
            let expected = if cfg!(debug_assertions) { "KeyStore(test)" } else { "KeyStore(os)" };
            assert_eq!(format!("{store:?}"), expected, "{switch}");
        }
        for other in [None, Some(std::ffi::OsStr::new("")), Some(std::ffi::OsStr::new("os"))] {
            assert_eq!(format!("{:?}", KeyStore::for_process(other)), "KeyStore(os)");
        }
    }

    #[test]
    fn keys_go_to_the_mock_store_and_back() {
        let store = KeyStore::mock();
        assert!(store.get("p").unwrap().is_none());
        store.set("p", "the-key").unwrap();
        assert_eq!(store.get("p").unwrap().unwrap().expose(), "the-key");
        assert_eq!(format!("{:?}", store.get("p").unwrap()), "Some(Secret(<redacted>))");
        assert!(store.delete("p").unwrap());
        assert!(!store.delete("p").unwrap());
        assert!(store.get("p").unwrap().is_none());
    }
}
