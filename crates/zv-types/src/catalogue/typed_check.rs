//! What the tests check of every generated endpoint, through its types.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::endpoint::{Endpoint, Route, Safety};

/// A generated endpoint's route and safety, and two checks through its types.
pub(crate) struct TypedCheck {
    /// `std::any::type_name` of the endpoint.
    pub name: &'static str,
    pub route: Route<'static>,
    pub safety: Safety,
    /// Reads params JSON into the params type and writes it back.
    pub params: fn(&Value) -> Result<Value, String>,
    /// Decodes a `data` JSON with the endpoint's data type.
    pub data: fn(&Value) -> Result<(), String>,
}

impl TypedCheck {
    pub(crate) fn of<E: Endpoint>() -> TypedCheck
    where
        E::Params: DeserializeOwned,
    {
        TypedCheck {
            name: std::any::type_name::<E>(),
            route: E::ROUTE,
            safety: E::SAFETY,
            params: |v| {
                let params: E::Params = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
                serde_json::to_value(&params).map_err(|e| e.to_string())
            },
            data: |v| E::deserialize_data(v.clone()).map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}
