//! `SdsStream`: a named sequence of values of one type, with tags,
//! metadata, its access control list and owner.

use super::acl::{AccessControlList, Trustee};
use super::identifier;
use super::index_key::KeyPart;
use super::json_body::{field, text_field, Invalid};
use super::read_modes::ReadModes;
use super::sds_type::SdsType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SdsStream {
    /// Internal, never shown: the values of the stream are keyed by it, so
    /// deleting a stream is one range and a re-created stream starts empty.
    pub storage: Uuid,
    pub namespace: String,
    pub id: String,
    pub name: String,
    pub description: String,
    pub type_id: String,
    pub keys: Vec<KeyPart>,
    pub tags: Vec<String>,
    pub metadata: Vec<(String, String)>,
    /// `Indexes` (secondary indexes) as sent, JSON text; kept, not used.
    pub indexes: String,
    pub acl: AccessControlList,
    pub owner: Option<Trustee>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    /// When values were last written (what the portal shows).
    pub last_write: Option<DateTime<Utc>>,
    /// `InterpolationMode`, `ExtrapolationMode`, `PropertyOverrides`.
    pub modes: ReadModes,
}

/// The client-editable fields of a stream, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamInput {
    pub id: String,
    pub name: String,
    pub description: String,
    pub type_id: String,
    pub indexes: String,
    /// `InterpolationMode`, `ExtrapolationMode` and `PropertyOverrides` as
    /// sent: overrides are checked against the type (`modes_for`).
    settings: Map<String, Value>,
}

impl StreamInput {
    pub fn parse(path_id: &str, body: &Value) -> Result<Self, Invalid> {
        let bad = |f: &str, r: &str| Invalid {
            field: f.to_string(),
            reason: r.to_string(),
        };
        let object = body
            .as_object()
            .ok_or_else(|| bad("body", "must be a JSON object (an SdsStream)"))?;
        let id = text_field(object, "Id")?.unwrap_or_else(|| path_id.to_string());
        identifier::validate(&id).map_err(|r| bad("Id", r))?;
        if identifier::key(&id) != identifier::key(path_id) {
            return Err(bad("Id", "must match the stream id in the path"));
        }
        let type_id = text_field(object, "TypeId")?
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| bad("TypeId", "is required"))?;
        let name = text_field(object, "Name")?.unwrap_or_else(|| id.clone());
        let description = text_field(object, "Description")?.unwrap_or_default();
        if name.chars().count() > 250 {
            return Err(bad("Name", "must be at most 250 characters"));
        }
        if description.chars().count() > 500 {
            return Err(bad("Description", "must be at most 500 characters"));
        }
        let indexes = match field(object, "Indexes") {
            None | Some(Value::Null) => "[]".to_string(),
            Some(v @ Value::Array(_)) => v.to_string(),
            Some(_) => return Err(bad("Indexes", "must be an array")),
        };
        let settings: Map<String, Value> = [
            "InterpolationMode",
            "ExtrapolationMode",
            "PropertyOverrides",
        ]
        .into_iter()
        .filter_map(|name| field(object, name).map(|v| (name.to_string(), v.clone())))
        .collect();
        ReadModes::parse(&settings, None)?;
        Ok(Self {
            id,
            name,
            description,
            type_id,
            indexes,
            settings,
        })
    }

    /// The stream's read settings, its overrides naming properties of
    /// `sds_type`.
    pub fn modes_for(&self, sds_type: &SdsType) -> Result<ReadModes, Invalid> {
        ReadModes::parse(&self.settings, Some(&sds_type.property_ids()))
    }
}

impl SdsStream {
    pub fn key(&self) -> String {
        identifier::key(&self.id)
    }

    pub fn metadata_json(&self) -> Value {
        Value::Object(
            self.metadata
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect::<Map<String, Value>>(),
        )
    }
}

/// Metadata: a JSON object of string values.
pub fn parse_metadata(body: &Value) -> Result<Vec<(String, String)>, Invalid> {
    let object = body.as_object().ok_or_else(|| Invalid {
        field: "body".into(),
        reason: "must be a JSON object of string values".into(),
    })?;
    object
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(Invalid {
                field: k.clone(),
                reason: "metadata values must be strings".into(),
            }),
        })
        .collect()
}

/// Tags: a JSON array of strings.
pub fn parse_tags(body: &Value) -> Result<Vec<String>, Invalid> {
    let items = body.as_array().ok_or_else(|| Invalid {
        field: "body".into(),
        reason: "must be a JSON array of strings".into(),
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str().map(str::to_string).ok_or_else(|| Invalid {
                field: format!("[{i}]"),
                reason: "tags must be strings".into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sds::read_modes::InterpolationMode;
    use serde_json::json;

    #[test]
    fn the_sdk_stream_parses() {
        let s = StreamInput::parse(
            "wavedata_samplestream",
            &json!({"Id": "WaveData_SampleStream", "TypeId": "WaveData_SampleType", "Name": "WaveStreamPySample"}),
        )
        .unwrap();
        assert_eq!(s.id, "WaveData_SampleStream");
        assert_eq!(
            s.modes_for(&wave_type()).unwrap(),
            ReadModes::default(),
            "no settings: the type's apply"
        );
        assert_eq!(s.indexes, "[]");
        let err = StreamInput::parse("x", &json!({"Id": "x"})).unwrap_err();
        assert_eq!(err.field, "TypeId");
    }

    fn wave_type() -> SdsType {
        let body = json!({"Id": "Wave", "SdsTypeCode": 1, "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"SdsTypeCode": "Int32"}},
            {"Id": "Radians", "SdsType": {"SdsTypeCode": "Double"}}
        ]});
        SdsType::parse("Wave", &body, chrono::Utc::now()).unwrap()
    }

    #[test]
    fn read_settings_are_checked_against_the_type() {
        let body = json!({"Id": "s", "TypeId": "Wave", "InterpolationMode": "Discrete",
            "PropertyOverrides": [{"SdsTypePropertyId": "radians", "InterpolationMode": 1}]});
        let modes = StreamInput::parse("s", &body)
            .unwrap()
            .modes_for(&wave_type())
            .unwrap();
        assert_eq!(modes.interpolation, Some(InterpolationMode::Discrete));
        assert_eq!(modes.overrides[0].property, "Radians");
        let bad = json!({"Id": "s", "TypeId": "Wave", "ExtrapolationMode": "Sideways"});
        assert_eq!(
            StreamInput::parse("s", &bad).unwrap_err().field,
            "ExtrapolationMode"
        );
        let unknown = json!({"Id": "s", "TypeId": "Wave",
            "PropertyOverrides": [{"SdsTypePropertyId": "Degrees"}]});
        assert_eq!(
            StreamInput::parse("s", &unknown)
                .unwrap()
                .modes_for(&wave_type())
                .unwrap_err()
                .field,
            "PropertyOverrides[0].SdsTypePropertyId"
        );
    }

    #[test]
    fn metadata_and_tags_must_be_strings() {
        assert!(parse_metadata(&json!({"a": "b"})).is_ok());
        assert_eq!(parse_metadata(&json!({"a": 1})).unwrap_err().field, "a");
        assert_eq!(parse_tags(&json!(["a", 2])).unwrap_err().field, "[1]");
    }
}
