//! The gateway a command talks to, built from the settings: a client for the configured
//! gateway, or an in-process sandbox mock with `--sandbox`.

use zv_sign::Credentials;

use crate::config::settings::Settings;
use crate::failure::Failure;
use crate::global::Global;
use crate::output::verbose::MaxAttempts;

/// The gateway a command talks to: the configured one, or an in-process sandbox mock.
pub(crate) struct Gateway {
    /// The client.
    pub(crate) client: zv_api::blocking::Client,
    /// Kept alive for the duration of the command; dropped (stopped) at the end.
    _sandbox: Option<zv_mock::MockServer>,
}

/// The credentials the settings name; the line says which are missing and how to give them.
pub(crate) fn credentials(s: &Settings) -> Result<Credentials, Failure> {
    match (&s.open_id.value, &s.grant_code.value, &s.open_key.value) {
        (Some(id), Some(code), Some(key)) => Ok(Credentials::new(id.clone(), code.clone(), key.clone())),
        _ => {
            let missing: Vec<&str> = [
                ("ZV_OPEN_ID (--open-id)", &s.open_id),
                ("ZV_GRANT_CODE (--grant-code)", &s.grant_code),
                ("ZV_OPEN_KEY (--open-key)", &s.open_key),
            ]
            .into_iter()
            .filter(|(_, v)| v.value.is_none())
            .map(|(name, _)| name)
            .collect();
            let store = s.store_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
            let them = if missing.len() == 1 { "it" } else { "them" };
            // With a profile in use, the fix is to complete that profile, not to add one.
            let profile = match &s.profile {
                Some(name) => format!(
                    "save {them} in profile {name} (`zv profile add {name}`, the key with --open-key-stdin)"
                ),
                None => "add a profile (`zv profile add`)".to_owned(),
            };
            Err(Failure::usage(format!(
                "missing credentials: {}{store}; set {them}, {profile}, or try --sandbox for the built-in demo gateway",
                missing.join(", ")
            )))
        }
    }
}

/// The gateway: the in-process sandbox with `--sandbox`, else the one the settings name.
pub(crate) fn connect(
    g: &Global,
    settings: Option<&Settings>,
    attempts: &MaxAttempts,
) -> Result<Gateway, Failure> {
    connect_within(g.timeout, g.retries, settings, attempts)
}

/// [`connect`] with this timeout and number of retries (`zv doctor` bounds its probe).
pub(crate) fn connect_within(
    timeout: Option<std::time::Duration>,
    retries: Option<u32>,
    settings: Option<&Settings>,
    attempts: &MaxAttempts,
) -> Result<Gateway, Failure> {
    let mut builder = zv_api::blocking::Client::builder();
    let sandbox = match settings {
        None => {
            let endpoints = zv_mock::Endpoints::builtin().catalogue_hints(true);
            let mock = zv_mock::MockServer::start(zv_mock::MockConfig::new().endpoints(endpoints))?;
            builder = builder.base_url(mock.base_url()).credentials(mock.credentials().clone());
            Some(mock)
        }
        Some(s) => {
            builder = builder.credentials(credentials(s)?);
            if let Some(url) = &s.base_url.value {
                builder = builder.base_url(url);
            }
            None
        }
    };
    if let Some(t) = timeout {
        builder = builder.timeout(t);
    }
    if let Some(n) = retries {
        builder = builder.max_retries(n);
    }
    let client = builder.build()?;
    attempts.set(client.config().retry_policy().max_retries.saturating_add(1));
    Ok(Gateway { client, _sandbox: sandbox })
}
