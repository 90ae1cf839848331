//! Reading a JSON body as ASP.NET did (property names in any case) and
//! naming what is wrong in it: shared by every SDS body (types, streams,
//! access control lists, patches).

use serde_json::{Map, Value};

/// A rejected definition: the field (a JSON path) and why.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A property of a JSON object by name, in any case (as ASP.NET read them).
pub fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

pub fn text_field(object: &Map<String, Value>, name: &str) -> Result<Option<String>, Invalid> {
    match field(object, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(name, "must be a string")),
    }
}
