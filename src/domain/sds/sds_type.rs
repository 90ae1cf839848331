//! `SdsType`: the shape of a stream's values. The definition is kept as the
//! JSON the client sent; it is answered with its enums by number, as SDS
//! answers them (`numbered`). The index, derived once here, is what
//! storage needs.

use super::acl::{AccessControlList, Trustee};
use super::identifier;
use super::index_key::KeyPart;
use super::json_body::{field, invalid, text_field, Invalid};
use super::modes;
use super::read_modes::ReadModes;
use super::type_code::{self, KeyKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SdsType {
    pub id: String,
    pub name: String,
    pub description: String,
    pub code: u16,
    /// The index properties, in key order.
    pub keys: Vec<KeyPart>,
    /// `Properties` as sent, as JSON text.
    pub properties: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    /// Who may do what to the type. `None` for a type stored before types
    /// had lists of their own: the tenant's default list applies to it.
    pub acl: Option<AccessControlList>,
    /// The identity holding every right on it; `None` for none.
    pub owner: Option<Trustee>,
    /// The type's own `InterpolationMode` and `ExtrapolationMode`.
    pub modes: ReadModes,
}

impl SdsType {
    /// Validates a definition posted for `path_id`.
    pub fn parse(path_id: &str, body: &Value, now: DateTime<Utc>) -> Result<Self, Invalid> {
        let object = body
            .as_object()
            .ok_or_else(|| invalid("body", "must be a JSON object (an SdsType)"))?;
        let id = text_field(object, "Id")?.unwrap_or_else(|| path_id.to_string());
        identifier::validate(&id).map_err(|r| invalid("Id", r))?;
        if identifier::key(&id) != identifier::key(path_id) {
            return Err(invalid("Id", "must match the type id in the path"));
        }
        let code = field(object, "SdsTypeCode")
            .map(|v| {
                type_code::parse(v)
                    .ok_or_else(|| invalid("SdsTypeCode", "is not a known SdsTypeCode"))
            })
            .transpose()?
            .unwrap_or(type_code::OBJECT);
        let properties = match field(object, "Properties") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.clone(),
            Some(_) => return Err(invalid("Properties", "must be an array")),
        };
        let keys = if code == type_code::OBJECT {
            index_of(&properties)?
        } else {
            Vec::new()
        };
        if code == type_code::OBJECT && keys.is_empty() {
            return Err(invalid(
                "Properties",
                "an Object type needs at least one property with IsKey true",
            ));
        }
        let modes = ReadModes::parse(object, None)?;
        Ok(Self {
            id,
            name: text_field(object, "Name")?.unwrap_or_default(),
            description: text_field(object, "Description")?.unwrap_or_default(),
            code,
            keys,
            properties: Value::Array(properties).to_string(),
            created: now,
            modified: now,
            acl: None,
            owner: None,
            modes,
        })
    }

    /// Two definitions are the same type when all but their times agree,
    /// whether their codes were sent by name or by number.
    pub fn same_definition(&self, other: &SdsType) -> bool {
        self.id == other.id
            && self.name == other.name
            && self.description == other.description
            && self.code == other.code
            && self.modes == other.modes
            && (self.properties == other.properties
                || self.numbered_properties() == other.numbered_properties())
    }

    /// The ids of the type's top-level properties.
    pub fn property_ids(&self) -> Vec<String> {
        match serde_json::from_str::<Value>(&self.properties) {
            Ok(Value::Array(items)) => items
                .iter()
                .filter_map(|p| p.as_object().and_then(|o| field(o, "Id")))
                .filter_map(|id| id.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `Properties` as SDS answers them: see `numbered`.
    pub fn numbered_properties(&self) -> Value {
        let mut properties =
            serde_json::from_str(&self.properties).unwrap_or(Value::Array(Vec::new()));
        numbered_properties(&mut properties);
        properties
    }
}

/// Turns the enums of a type definition sent by name (`"SdsTypeCode":
/// "Int32"`, `"InterpolationMode": "Discrete"`) into the numbers SDS
/// answers with (`9`, `3`), through nested property types, base types and
/// generic arguments. AVEVA's OCS-era Python library reads only numbers
/// back; the newer one reads both. A name that is not known is left as sent.
pub fn numbered(definition: &mut Value) {
    let Value::Object(object) = definition else {
        return;
    };
    for (key, value) in object.iter_mut() {
        let number = match (key.to_ascii_lowercase().as_str(), &*value) {
            ("sdstypecode", Value::String(_)) => type_code::parse(value),
            ("interpolationmode", Value::String(name)) => modes::interpolation(name),
            ("extrapolationmode", Value::String(name)) => modes::extrapolation(name),
            ("properties", _) => {
                numbered_properties(value);
                None
            }
            ("sdstype" | "basetype", _) => {
                numbered(value);
                None
            }
            ("genericarguments" | "derivedtypes", Value::Array(_)) => {
                if let Value::Array(types) = value {
                    types.iter_mut().for_each(numbered);
                }
                None
            }
            _ => None,
        };
        if let Some(number) = number {
            *value = Value::from(number);
        }
    }
}

/// `numbered` for each property of a `Properties` list: a property's own
/// modes, and its `SdsType`.
fn numbered_properties(properties: &mut Value) {
    if let Value::Array(items) = properties {
        items.iter_mut().for_each(numbered);
    }
}

/// The key properties, ordered by `Order` then position.
fn index_of(properties: &[Value]) -> Result<Vec<KeyPart>, Invalid> {
    let mut keys = Vec::new();
    for (i, property) in properties.iter().enumerate() {
        let path = format!("Properties[{i}]");
        let object = property
            .as_object()
            .ok_or_else(|| invalid(&path, "must be an SdsTypeProperty object"))?;
        let id = text_field(object, "Id")
            .map_err(|e| invalid(format!("{path}.Id"), e.reason))?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| invalid(format!("{path}.Id"), "is required"))?;
        let is_key = match field(object, "IsKey") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(invalid(format!("{path}.IsKey"), "must be true or false")),
        };
        let code = field(object, "SdsType")
            .and_then(Value::as_object)
            .and_then(|t| field(t, "SdsTypeCode"))
            .ok_or_else(|| invalid(format!("{path}.SdsType.SdsTypeCode"), "is required"))?;
        let code = type_code::parse(code).ok_or_else(|| {
            invalid(
                format!("{path}.SdsType.SdsTypeCode"),
                "is not a known SdsTypeCode",
            )
        })?;
        if is_key {
            let kind: KeyKind = type_code::key_kind(code).ok_or_else(|| {
                invalid(
                    format!("{path}.SdsType.SdsTypeCode"),
                    format!(
                        "{} cannot be an index; use a number, DateTime or String",
                        type_code::name(code)
                    ),
                )
            })?;
            let order = field(object, "Order").and_then(Value::as_i64).unwrap_or(0);
            keys.push((order, i, KeyPart { property: id, kind }));
        }
    }
    keys.sort_by_key(|(order, i, _)| (*order, *i));
    Ok(keys.into_iter().map(|(_, _, k)| k).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wave() -> Value {
        json!({
            "Id": "WaveData_SampleType", "SdsTypeCode": "Object", "Name": "WaveDataSample",
            "Properties": [
                {"Id": "Order", "IsKey": true, "SdsType": {"Id": "intType", "SdsTypeCode": "Int32", "Properties": []}},
                {"Id": "Radians", "IsKey": false, "SdsType": {"Id": "doubleType", "SdsTypeCode": "Double", "Properties": []}}
            ]
        })
    }

    #[test]
    fn the_sdk_wave_type_parses_with_its_index() {
        let t = SdsType::parse("wavedata_sampletype", &wave(), Utc::now()).unwrap();
        assert_eq!(t.id, "WaveData_SampleType");
        assert_eq!(
            t.keys,
            vec![KeyPart {
                property: "Order".into(),
                kind: KeyKind::Int32
            }]
        );
    }

    #[test]
    fn compound_keys_follow_order() {
        let body = json!({"Id": "c", "SdsTypeCode": 1, "Properties": [
            {"Id": "B", "IsKey": true, "Order": 2, "SdsType": {"SdsTypeCode": "Int32"}},
            {"Id": "A", "IsKey": true, "Order": 1, "SdsType": {"SdsTypeCode": "DateTime"}}
        ]});
        let t = SdsType::parse("c", &body, Utc::now()).unwrap();
        let names: Vec<&str> = t.keys.iter().map(|k| k.property.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
    }

    #[test]
    fn definitions_are_answered_with_numbers_however_they_were_sent() {
        let mut by_name = wave();
        by_name["Properties"][1]["InterpolationMode"] = json!("Discrete");
        by_name["Properties"][1]["SdsType"]["ExtrapolationMode"] = json!("none");
        by_name["Properties"][1]["SdsType"]["BaseType"] =
            json!({"Id": "b", "SdsTypeCode": "Single"});
        by_name["Properties"][1]["Unknown"] = json!({"SdsTypeCode": "Int32"});
        let t = SdsType::parse("WaveData_SampleType", &by_name, Utc::now()).unwrap();
        let shown = t.numbered_properties();
        assert_eq!(shown[0]["SdsType"]["SdsTypeCode"], 9);
        assert_eq!(shown[1]["SdsType"]["SdsTypeCode"], 14);
        assert_eq!(shown[1]["InterpolationMode"], 3);
        assert_eq!(shown[1]["SdsType"]["ExtrapolationMode"], 1);
        assert_eq!(shown[1]["SdsType"]["BaseType"]["SdsTypeCode"], 13);
        assert_eq!(
            shown[1]["Unknown"]["SdsTypeCode"], "Int32",
            "only the places SDS defines are touched"
        );
        assert_eq!(shown[0]["Id"], "Order", "the rest stays as sent");

        let mut by_number = by_name.clone();
        by_number["Properties"][0]["SdsType"]["SdsTypeCode"] = json!(9);
        by_number["Properties"][1]["InterpolationMode"] = json!(3);
        let again = SdsType::parse("WaveData_SampleType", &by_number, Utc::now()).unwrap();
        assert!(t.same_definition(&again), "names and numbers are one type");
        by_number["Properties"][0]["SdsType"]["SdsTypeCode"] = json!(11);
        let other = SdsType::parse("WaveData_SampleType", &by_number, Utc::now()).unwrap();
        assert!(!t.same_definition(&other), "Int64 is another type");
    }

    #[test]
    fn bad_definitions_name_the_field() {
        let mut body = wave();
        body["Properties"][0]["SdsType"]["SdsTypeCode"] = json!("Int33");
        let err = SdsType::parse("WaveData_SampleType", &body, Utc::now()).unwrap_err();
        assert_eq!(err.field, "Properties[0].SdsType.SdsTypeCode");
        let err = SdsType::parse("other", &wave(), Utc::now()).unwrap_err();
        assert_eq!(err.field, "Id");
        let mut body = wave();
        body["Properties"][0]["IsKey"] = json!(false);
        assert_eq!(
            SdsType::parse("WaveData_SampleType", &body, Utc::now())
                .unwrap_err()
                .field,
            "Properties"
        );
    }
}
