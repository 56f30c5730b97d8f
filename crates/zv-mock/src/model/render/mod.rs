//! How answers are written: canonical (the models exactly as they serialize) or messy (the
//! same data the way real gateways write it).
//!
//! Messy mode never changes what a value means. Each change is drawn from the seeded
//! generator, applied to one field at a time, and kept only if the model still decodes to
//! exactly the value it was made from; the whole body is checked once more against the
//! endpoint's decoder. So a rule that is wrong for some field (say, a numeric-looking title
//! that must stay text) is simply not applied there.

mod messy;

pub(crate) use messy::{Render, generic_messy};
use zv_types::catalogue::Data;

use fastrand::Rng;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use zv_types::Endpoint;

/// How one answer is written.
pub(crate) struct Representation {
    rng: Option<Rng>,
    trace: Option<String>,
}

impl Representation {
    /// Canonical, or messy with changes drawn from `seed` (the request's nonce, so that a
    /// failure reproduces).
    pub(crate) fn new(messy: bool, seed: u64) -> Self {
        Representation { rng: messy.then(|| Rng::with_seed(seed)), trace: None }
    }

    /// This representation, writing `traceId` in every envelope.
    pub(crate) fn traced(mut self, trace_id: &str) -> Self {
        self.trace = Some(trace_id.to_owned());
        self
    }

    fn is_messy(&self) -> bool {
        self.rng.is_some()
    }

    /// `{"status":true,"code":0,"message":"success","data":…}` (messy: `"true"`, `"0"`);
    /// `data` is written as it serializes (a `RawValue` byte for byte).
    pub(crate) fn success<D: Serialize + ?Sized>(&self, data: &D) -> Vec<u8> {
        self.envelope(true, Code::Int(0), "success", Some(data))
    }

    /// An error envelope without `data`: status true for a business error, false for a
    /// system error.
    pub(crate) fn error(&self, status: bool, code: i64, message: &str) -> Vec<u8> {
        self.error_with(status, Code::Int(code), message)
    }

    /// [`error`](Self::error) with a code as written elsewhere (a stub's, an upstream's).
    pub(crate) fn error_with(&self, status: bool, code: Code<'_>, message: &str) -> Vec<u8> {
        self.envelope::<Value>(status, code, message, None)
    }

    fn envelope<D: Serialize + ?Sized>(
        &self,
        status: bool,
        code: Code<'_>,
        message: &str,
        data: Option<&D>,
    ) -> Vec<u8> {
        #[derive(Serialize)]
        struct Envelope<'a, D: ?Sized> {
            status: Value,
            code: WireCode<'a>,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            data: Option<&'a D>,
            #[serde(rename = "traceId", skip_serializing_if = "Option::is_none")]
            trace_id: Option<&'a str>,
        }
        let messy = self.is_messy();
        let status = if messy { Value::String(status.to_string()) } else { Value::Bool(status) };
        let code = WireCode { code, messy };
        let trace_id = self.trace.as_deref();
        serde_json::to_vec(&Envelope { status, code, message, data, trace_id }).unwrap_or_default()
    }

    /// The success body of endpoint `E` for `data`, written messily by `messy` in messy mode.
    /// A messy body is decoded again with the SDK's own decoder and, should it not give back
    /// `data` exactly, the canonical body is sent instead (and a warning traced).
    pub(crate) fn answer<E>(&mut self, data: &E::Data, messy: fn(&E::Data, &mut Rng) -> Value) -> Vec<u8>
    where
        E: Endpoint,
        E::Data: Serialize + PartialEq,
    {
        let messy = match self.rng.as_mut() {
            None => return self.success(&canonical(data)),
            Some(rng) => messy(data, rng),
        };
        let body = self.success(&messy);
        match zv_types::decode_endpoint::<E>(&body) {
            Ok(decoded) if &decoded == data => body,
            _ => {
                tracing::warn!(
                    target: "zv_mock",
                    endpoint = std::any::type_name::<E>(),
                    "messy answer did not decode to the same data; sent the canonical one"
                );
                Representation { rng: None, trace: self.trace.clone() }.success(&canonical(data))
            }
        }
    }
}

impl Representation {
    /// The success body of generated sample `data` of a `schema`: as is, or in messy mode
    /// written as real gateways write such data ([`messy::sample`]).
    pub(crate) fn sampled(&mut self, schema: &Data, mut data: Value) -> Vec<u8> {
        if let Some(rng) = self.rng.as_mut() {
            messy::sample(schema, &mut data, rng);
        }
        self.success(&data)
    }
}

/// An envelope's `code`: the mock's own, or one written elsewhere (an integer or a string
/// JSON text, kept exactly).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Code<'a> {
    Int(i64),
    Raw(&'a RawValue),
}

/// A code as the answer writes it: as is, or (messy) a number as its text.
struct WireCode<'a> {
    code: Code<'a>,
    messy: bool,
}

impl Serialize for WireCode<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.code, self.messy) {
            (Code::Int(n), false) => s.serialize_i64(n),
            (Code::Int(n), true) => s.collect_str(&n),
            (Code::Raw(raw), true) if !raw.get().starts_with('"') => s.serialize_str(raw.get()),
            (Code::Raw(raw), _) => raw.serialize(s),
        }
    }
}

/// The content type of every JSON answer.
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// The model exactly as it serializes.
pub(crate) fn canonical<T: Serialize>(value: &T) -> Value {
    // The models serialize into maps with string keys: this cannot fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}
