//! The config file's profiles and the key store, below the command line: reading a key,
//! and a failed `add` taking its key back out of the store (a store that fails on demand).

use crate::config::profile::{
    AddError, KeyInputError, KeyPlace, KeyStore, MAX_KEY_BYTES, Profile, Secret, add, read_key,
};

#[test]
fn read_key_takes_the_first_line_within_the_bound() {
    assert_eq!(read_key(&b"abc\r\nrest"[..]).unwrap().expose(), "abc");
    assert_eq!(read_key(&b"abc"[..]).unwrap().expose(), "abc");
    assert!(matches!(read_key(&b" \n"[..]), Err(KeyInputError::Empty)));
    assert!(matches!(read_key(&b""[..]), Err(KeyInputError::Empty)));
    let long = vec![b'a'; MAX_KEY_BYTES + 1];
    assert!(matches!(read_key(&long[..]), Err(KeyInputError::TooLong)));
    // an endless reader is read only up to the bound
    assert!(matches!(read_key(std::io::BufReader::new(std::io::repeat(b'a'))), Err(KeyInputError::TooLong)));
}

/// A credential store for the test: keys in a shared map, and failures on demand.
mod store {
    use std::any::Any;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};

    #[derive(Clone, Default)]
    pub struct Shared {
        pub keys: Arc<Mutex<HashMap<String, String>>>,
        /// The next `set` writes part of the key, then fails.
        pub fail_set: Arc<AtomicBool>,
        /// `delete` fails.
        pub fail_delete: Arc<AtomicBool>,
    }

    impl Shared {
        pub fn builder(&self) -> Box<keyring::CredentialBuilder> {
            Box::new(Builder(self.clone()))
        }

        pub fn key(&self, user: &str) -> Option<String> {
            self.keys.lock().unwrap().get(user).cloned()
        }
    }

    struct Builder(Shared);

    impl CredentialBuilderApi for Builder {
        fn build(&self, _: Option<&str>, _: &str, user: &str) -> keyring::Result<Box<Credential>> {
            Ok(Box::new(Cred { user: user.to_owned(), shared: self.0.clone() }))
        }

        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    struct Cred {
        user: String,
        shared: Shared,
    }

    fn failure(what: &str) -> keyring::Error {
        keyring::Error::PlatformFailure(Box::new(std::io::Error::other(what.to_owned())))
    }

    impl CredentialApi for Cred {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            let text = String::from_utf8_lossy(secret).into_owned();
            let mut keys = self.shared.keys.lock().unwrap();
            if self.shared.fail_set.swap(false, Ordering::SeqCst) {
                keys.insert(self.user.clone(), text[..text.len() / 2].to_owned());
                return Err(failure("the store failed halfway"));
            }
            keys.insert(self.user.clone(), text);
            Ok(())
        }

        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            self.shared
                .keys
                .lock()
                .unwrap()
                .get(&self.user)
                .map(|k| k.as_bytes().to_vec())
                .ok_or(keyring::Error::NoEntry)
        }

        fn delete_credential(&self) -> keyring::Result<()> {
            if self.shared.fail_delete.load(Ordering::SeqCst) {
                return Err(failure("the store refused to delete"));
            }
            self.shared.keys.lock().unwrap().remove(&self.user).map(drop).ok_or(keyring::Error::NoEntry)
        }

        fn as_any(&self) -> &dyn Any {
            self
        }
    }
}

#[test]
fn a_failed_add_takes_the_key_back_out_of_the_store_or_says_it_could_not() {
    use std::sync::atomic::Ordering;
    let home = tempfile::tempdir().unwrap();
    let good = home.path().join("ok").join("config.toml");
    // a config folder that is a file: the config cannot be written
    std::fs::write(home.path().join("blocked"), "").unwrap();
    let blocked = home.path().join("blocked").join("config.toml");
    let key = |k: &str| Some((Secret::new(k), KeyPlace::Store));

    // the file cannot be written: the key is taken back out
    let shared = store::Shared::default();
    let keys = KeyStore::with_builder(shared.builder());
    let e = add(&blocked, &keys, "p", Profile::default(), key("new-key")).unwrap_err();
    assert!(matches!(e, AddError::NotSaved { leftover: None, .. }), "{e:?}");
    assert!(e.to_string().contains("its key was taken back out of the OS credential store"), "{e}");
    assert_eq!(shared.key("p"), None);

    // … and a key stored before is put back as it was
    shared.keys.lock().unwrap().insert("p".into(), "old-key".into());
    add(&blocked, &keys, "p", Profile::default(), key("new-key")).unwrap_err();
    assert_eq!(shared.key("p").as_deref(), Some("old-key"));

    // the store fails halfway: what it holds is put back, and nothing is saved
    shared.fail_set.store(true, Ordering::SeqCst);
    let e = add(&good, &keys, "p", Profile::default(), key("new-key")).unwrap_err();
    assert!(matches!(e, AddError::Store { leftover: None, .. }), "{e:?}");
    assert_eq!(shared.key("p").as_deref(), Some("old-key"));
    assert!(!good.exists());
    shared.keys.lock().unwrap().clear();
    shared.fail_set.store(true, Ordering::SeqCst);
    add(&good, &keys, "q", Profile::default(), key("new-key")).unwrap_err();
    assert_eq!(shared.key("q"), None, "the half-written key is removed");

    // taking it back fails too: the error says where the key still is
    shared.fail_delete.store(true, Ordering::SeqCst);
    let e = add(&blocked, &keys, "p", Profile::default(), key("new-key")).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("its key is still in the OS credential store")
            && text.contains("account \"p\" by hand"),
        "{text}"
    );
    assert!(!text.contains("new-key"), "{text}");
    shared.fail_set.store(true, Ordering::SeqCst);
    let text = add(&good, &keys, "r", Profile::default(), key("new-key")).unwrap_err().to_string();
    assert!(text.contains("removing it failed too") && text.contains("account \"r\" by hand"), "{text}");
}
