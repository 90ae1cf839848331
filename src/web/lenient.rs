//! Reading request bodies as OCS's ASP.NET service did: property names and
//! enum values match whatever their case (`invitationRecipient`,
//! `INVITATIONRECIPIENT`, `"accept"`), while responses keep PascalCase.
//!
//! serde tells a deserializer the names it expects (`fields` of a struct,
//! `variants` of an enum), so this wrapper over a parsed JSON value renames
//! a key or a string to the expected spelling just before serde looks, and
//! leaves everything else (types, missing fields, error paths) to serde_json.

use serde::de::value::StringDeserializer;
use serde::de::{DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

type Error = serde_json::Error;

pub struct Lenient(pub Value);

/// The expected spelling of `found`, if one matches it ignoring case.
fn expected(found: String, names: &'static [&'static str]) -> String {
    names
        .iter()
        .find(|n| n.eq_ignore_ascii_case(&found))
        .map(|n| n.to_string())
        .unwrap_or(found)
}

macro_rules! to_value {
    ($($method:ident),*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.0.$method(visitor)
        })*
    };
}

impl<'de> Deserializer<'de> for Lenient {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Entries::new(map, &[])),
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Entries::new(map, fields)),
            other => other.deserialize_struct(name, fields, visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => {
                Value::String(expected(s, variants)).deserialize_enum(name, variants, visitor)
            }
            other => other.deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Lenient(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            other => other.deserialize_seq(visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Entries::new(map, &[])),
            other => other.deserialize_map(visitor),
        }
    }

    to_value!(
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }
}

/// A JSON object's entries, keys respelled to the struct's field names.
struct Entries {
    iter: serde_json::map::IntoIter,
    fields: &'static [&'static str],
    value: Option<Value>,
}

impl Entries {
    fn new(map: Map<String, Value>, fields: &'static [&'static str]) -> Self {
        Self {
            iter: map.into_iter(),
            fields,
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                let key: StringDeserializer<Error> = expected(key, self.fields).into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(Lenient(self.value.take().unwrap_or(Value::Null)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(Lenient(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    enum Action {
        Accept,
        Decline,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Input {
        invitation_recipient: String,
        action: Option<Action>,
        nested: Option<Vec<Inner>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Inner {
        contact_email: String,
    }

    fn read(text: &str) -> Result<Input, Error> {
        Input::deserialize(Lenient(serde_json::from_str(text).unwrap()))
    }

    #[test]
    fn names_and_enum_values_match_in_any_case() {
        let got = read(
            r#"{"invitationRecipient":"a@b.example","ACTION":"accept","nested":[{"contactemail":"c@d.example"}]}"#,
        )
        .unwrap();
        assert_eq!(
            got,
            Input {
                invitation_recipient: "a@b.example".into(),
                action: Some(Action::Accept),
                nested: Some(vec![Inner {
                    contact_email: "c@d.example".into()
                }]),
            }
        );
        assert_eq!(
            read(r#"{"InvitationRecipient":"x","Action":"DECLINE"}"#)
                .unwrap()
                .action,
            Some(Action::Decline)
        );
    }

    #[test]
    fn unknown_values_and_missing_fields_still_fail() {
        assert!(read(r#"{"InvitationRecipient":"x","Action":"Maybe"}"#).is_err());
        assert!(read(r#"{"Action":"Accept"}"#)
            .unwrap_err()
            .to_string()
            .contains("missing field `InvitationRecipient`"));
        assert!(read(r#"{"InvitationRecipient":7}"#).is_err());
    }
}
