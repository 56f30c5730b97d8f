//! The recording proxy ([`MockConfig::record`](crate::MockConfig::record)): verified requests
//! signed again with real credentials, forwarded upstream, answered unchanged and appended
//! to a stubs file that `zv mock --stubs FILE` replays.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderValue};
use serde_json::value::RawValue;
use zv_api::UntypedRequest;
use zv_sign::Credentials;
use zv_types::ApiErrorKind;
use zv_types::catalogue::Safety;

mod redact;

use redact::{Issued, Secrets, redact};

use crate::model::{
    MockError, Recording, Rejection, RouteKey, Stub, Stubs, UPSTREAM_FAILED_CODE, WRITE_REFUSED_CODE,
    WireError, WireStub, lock,
};

/// A recording session, running.
pub(crate) struct Recorder {
    file: PathBuf,
    client: zv_api::blocking::Client,
    writes: bool,
    /// What must never reach the file.
    secrets: Secrets,
    stubs: Mutex<Stubs>,
}

/// What the proxy answers a request with.
pub(crate) enum Outcome {
    /// The upstream's answer, unchanged.
    Upstream { status: StatusCode, content_type: Option<HeaderValue>, body: Vec<u8>, note: String },
    /// No answer from upstream: a system error of the mock's.
    Failed { status: StatusCode, code: i64, message: String, note: &'static str },
}

impl Recorder {
    /// Opens the session: reads the file's stubs (if it exists) and writes it back, so that
    /// a file that cannot be written fails now rather than at the first exchange.
    pub(crate) fn open(recording: Recording, mock: &Credentials) -> Result<Recorder, MockError> {
        let error =
            |message: String| MockError::Record { file: recording.file.display().to_string(), message };
        let stubs = if recording.file.exists() { Stubs::from_path(&recording.file)? } else { Stubs::new() };
        write_file(&recording.file, &stubs.to_json()).map_err(|e| error(format!("cannot write: {e}")))?;
        let client = zv_api::blocking::Client::builder()
            .base_url(&recording.upstream)
            .credentials(recording.credentials.clone())
            .nonce_source(Issued::default())
            .max_retries(0)
            .build()
            .map_err(|e| error(format!("cannot reach the upstream: {e}")))?;
        let secrets = Secrets::new(&recording.credentials, mock);
        Ok(Recorder {
            file: recording.file,
            client,
            writes: recording.writes,
            secrets,
            stubs: Mutex::new(stubs),
        })
    }

    /// Forwards a verified request for `route` with these params (the JSON text the client
    /// sent), records the exchange, and says what to answer.
    ///
    /// # Errors
    ///
    /// A rejection by the `route` check when `route` is not a V3 path or V2 Action the SDK
    /// could send.
    pub(crate) fn forward(
        &self,
        route: &RouteKey,
        params: &RawValue,
        token: &str,
    ) -> Result<Outcome, Rejection> {
        let entry = route.catalogue();
        let request = UntypedRequest::new(route.sdk_route()?, params)
            .map_err(|e| Rejection::new(crate::model::Check::Route, format!("cannot send {route}: {e}")))?;
        if !self.writes && entry.is_none_or(|e| e.safety == Safety::Write) {
            let why = if entry.is_some() {
                "the catalogue lists it as a write"
            } else {
                "it is not in the catalogue, so it is taken for a write"
            };
            return Ok(Outcome::Failed {
                status: StatusCode::OK,
                code: WRITE_REFUSED_CODE,
                message: format!(
                    "录制模式不转发写操作 (not forwarded): {route} may change data ({why}); nothing was sent \
                     upstream. Start `zv mock --record FILE --upstream URL --record-writes` \
                     (Recording::forward_writes) to forward writes"
                ),
                note: "refused: a write",
            });
        }
        Issued::take_drawn();
        let result = self.client.send_untyped(&request);
        // The nonce the client drew on this thread to sign this request.
        let drawn = Issued::take_drawn();
        let (http, answer) = match &result {
            Ok(response) => (&response.http, Some(data_answer(response.http.data_json()))),
            Err(e) => match e.http_response() {
                Some(http) => (http, e.api_error().and_then(|api| error_answer(api, http.body()))),
                None => {
                    return Ok(Outcome::Failed {
                        status: StatusCode::BAD_GATEWAY,
                        code: UPSTREAM_FAILED_CODE,
                        message: format!("上游网关无应答 (the upstream did not answer): {e}"),
                        note: "failed: no answer from upstream",
                    });
                }
            },
        };
        let note = match answer {
            Some(answer) => self.record(route, params, answer, &Signed { token, drawn: &drawn }),
            None => "not recorded: not the platform's envelope".to_owned(),
        };
        Ok(Outcome::Upstream {
            status: http.status(),
            content_type: http.headers().get(CONTENT_TYPE).cloned(),
            body: http.body().to_vec(),
            note: format!("forwarded ({}), {note}", http.status().as_u16()),
        })
    }

    /// Appends the exchange to the file; says what became of it.
    fn record(&self, route: &RouteKey, params: &RawValue, answer: Answer, signed: &Signed<'_>) -> String {
        let Ok(matching) = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(params.get()) else {
            return "not recorded: the params are not an object".into();
        };
        let mut wire = WireStub::for_route(route);
        wire.matching = (!matching.is_empty()).then_some(matching);
        match answer {
            Answer::Data(data) => wire.data = Some(data),
            Answer::Error(error) => wire.error = Some(error),
        }
        let Ok(text) = serde_json::to_string(&wire) else { return "not recorded: cannot write it".into() };
        let signature = zv_sign::php_urldecode(signed.token).unwrap_or_default();
        let secrets = self.secrets.of_exchange(&[signed.token, &signature], signed.drawn);
        let Some((text, redacted)) = redact(&text, &secrets) else {
            return "not recorded: it held a credential that cannot be redacted".into();
        };
        let stub =
            serde_json::from_str::<WireStub>(&text).map_err(|e| e.to_string()).and_then(Stub::from_wire);
        let Ok(stub) = stub else {
            return "not recorded: it held a credential that cannot be redacted".into();
        };
        let mut stubs = lock(&self.stubs);
        if stubs.answers_like(&stub) {
            return "already recorded".into();
        }
        stubs.push(stub);
        if let Err(e) = write_file(&self.file, &stubs.to_json()) {
            return format!("not recorded: cannot write {}: {e}", self.file.display());
        }
        if redacted { "recorded, credentials redacted".into() } else { "recorded".into() }
    }
}

/// How an exchange was signed, both ways: secrets its recording must not hold.
struct Signed<'a> {
    /// The client's token.
    token: &'a str,
    /// The nonces (and when they were drawn) of the request signed for upstream.
    drawn: &'a [(u64, u64)],
}

/// The answer of an exchange, as the stubs file writes it.
enum Answer {
    Data(Box<RawValue>),
    Error(WireError),
}

fn data_answer(data: Option<&RawValue>) -> Answer {
    Answer::Data(data.map_or_else(|| RawValue::NULL.to_owned(), ToOwned::to_owned))
}

/// A platform error with its code exactly as the upstream wrote it.
fn error_answer(api: &zv_types::ApiError, body: &[u8]) -> Option<Answer> {
    #[derive(serde::Deserialize)]
    struct Head {
        code: Box<RawValue>,
    }
    let head: Head = serde_json::from_slice(body).ok()?;
    let status = (api.kind == ApiErrorKind::System).then_some(false);
    Some(Answer::Error(WireError { status, code: head.code, message: api.message.clone() }))
}

/// Writes `text` to `path` whole or not at all: to a temporary file beside it, then renamed
/// over it.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_file(&path, "{\"stubs\": []}").unwrap();
        write_file(&path, "{\"stubs\": [1]}").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"stubs\": [1]}\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
        assert!(write_file(&dir.path().join("no/such/dir/r.json"), "x").is_err());
    }
}
