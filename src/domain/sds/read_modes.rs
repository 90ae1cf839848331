//! How a stream answers an index where no value is stored: its
//! `InterpolationMode` (between values), `ExtrapolationMode` (before the
//! first and after the last) and `PropertyOverrides` (a mode for one
//! property of its type). A type carries the first two as well; a stream's
//! settings, when given, come before its type's.

use super::json_body::{field, invalid, Invalid};
use super::modes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// `SdsInterpolationMode`. Stored by position: only ever add at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InterpolationMode {
    Continuous,
    StepwiseContinuousLeading,
    StepwiseContinuousTrailing,
    Discrete,
    ContinuousNullableLeading,
    ContinuousNullableTrailing,
}

/// `SdsExtrapolationMode`. Stored by position: only ever add at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExtrapolationMode {
    /// The first value before all data, the last after.
    All,
    /// No event outside the data.
    None,
    /// The last value after all data; none before.
    Forward,
    /// The first value before all data; none after.
    Backward,
}

impl InterpolationMode {
    const ALL: [Self; 6] = [
        Self::Continuous,
        Self::StepwiseContinuousLeading,
        Self::StepwiseContinuousTrailing,
        Self::Discrete,
        Self::ContinuousNullableLeading,
        Self::ContinuousNullableTrailing,
    ];

    /// SDS's number for the mode.
    pub fn number(self) -> u16 {
        self as u16
    }

    /// A mode by name (any case, `Default` is `Continuous`) or number.
    pub fn parse(value: &Value) -> Option<Self> {
        let n = match value {
            Value::String(name) => modes::interpolation(name)?,
            Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
            _ => return None,
        };
        Self::ALL.get(usize::from(n)).copied()
    }
}

impl ExtrapolationMode {
    const ALL: [Self; 4] = [Self::All, Self::None, Self::Forward, Self::Backward];

    pub fn number(self) -> u16 {
        self as u16
    }

    /// A mode by name (any case: the Python libraries send `none`) or number.
    pub fn parse(value: &Value) -> Option<Self> {
        let n = match value {
            Value::String(name) => modes::extrapolation(name)?,
            Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
            _ => return None,
        };
        Self::ALL.get(usize::from(n)).copied()
    }

    /// Whether an index before all data answers the first value.
    pub fn backward(self) -> bool {
        matches!(self, Self::All | Self::Backward)
    }

    /// Whether an index after all data answers the last value.
    pub fn forward(self) -> bool {
        matches!(self, Self::All | Self::Forward)
    }
}

/// `SdsStreamPropertyOverride`: a stream's own mode (and unit of measure)
/// for one property of its type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyOverride {
    /// `SdsTypePropertyId`, as sent.
    pub property: String,
    pub interpolation: Option<InterpolationMode>,
    pub uom: Option<String>,
}

/// A stream's or a type's read settings; `None` where it sets none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadModes {
    pub interpolation: Option<InterpolationMode>,
    pub extrapolation: Option<ExtrapolationMode>,
    /// Only streams have overrides.
    pub overrides: Vec<PropertyOverride>,
}

/// The most overrides a stream may carry (SDS types are far smaller).
pub const MAX_OVERRIDES: usize = 1000;

impl ReadModes {
    /// Reads `InterpolationMode`, `ExtrapolationMode` and, when
    /// `properties` (the type's property ids) is given, `PropertyOverrides`
    /// from a stream or type body; a 400 names the field.
    pub fn parse(
        object: &Map<String, Value>,
        properties: Option<&[String]>,
    ) -> Result<Self, Invalid> {
        let interpolation = match field(object, "InterpolationMode") {
            None | Some(Value::Null) => None,
            Some(v) => Some(InterpolationMode::parse(v).ok_or_else(|| {
                invalid("InterpolationMode", "is not a known SdsInterpolationMode")
            })?),
        };
        let extrapolation = match field(object, "ExtrapolationMode") {
            None | Some(Value::Null) => None,
            Some(v) => Some(ExtrapolationMode::parse(v).ok_or_else(|| {
                invalid("ExtrapolationMode", "is not a known SdsExtrapolationMode")
            })?),
        };
        let overrides = match (properties, field(object, "PropertyOverrides")) {
            (_, None | Some(Value::Null)) | (None, _) => Vec::new(),
            (Some(ids), Some(Value::Array(items))) => parse_overrides(items, ids)?,
            (Some(_), Some(_)) => return Err(invalid("PropertyOverrides", "must be an array")),
        };
        Ok(Self {
            interpolation,
            extrapolation,
            overrides,
        })
    }

    /// The override of a property, by id in any case.
    pub fn override_of(&self, property: &str) -> Option<&PropertyOverride> {
        self.overrides
            .iter()
            .find(|o| o.property.eq_ignore_ascii_case(property))
    }

    /// The settings as SDS answers them, modes by number; absent ones are
    /// left out.
    pub fn write_into(&self, object: &mut Map<String, Value>) {
        if let Some(mode) = self.interpolation {
            object.insert("InterpolationMode".into(), json!(mode.number()));
        }
        if let Some(mode) = self.extrapolation {
            object.insert("ExtrapolationMode".into(), json!(mode.number()));
        }
        if !self.overrides.is_empty() {
            let overrides: Vec<Value> = self.overrides.iter().map(override_json).collect();
            object.insert("PropertyOverrides".into(), Value::Array(overrides));
        }
    }
}

fn override_json(o: &PropertyOverride) -> Value {
    let mut shown = Map::new();
    shown.insert("SdsTypePropertyId".into(), json!(o.property));
    if let Some(uom) = &o.uom {
        shown.insert("Uom".into(), json!(uom));
    }
    if let Some(mode) = o.interpolation {
        shown.insert("InterpolationMode".into(), json!(mode.number()));
    }
    Value::Object(shown)
}

fn parse_overrides(items: &[Value], ids: &[String]) -> Result<Vec<PropertyOverride>, Invalid> {
    if items.len() > MAX_OVERRIDES {
        return Err(invalid(
            "PropertyOverrides",
            format!("at most {MAX_OVERRIDES} overrides are allowed"),
        ));
    }
    let mut overrides: Vec<PropertyOverride> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("PropertyOverrides[{i}]");
        let object = item
            .as_object()
            .ok_or_else(|| invalid(&path, "must be an SdsStreamPropertyOverride object"))?;
        let property = match field(object, "SdsTypePropertyId") {
            Some(Value::String(id)) => ids
                .iter()
                .find(|known| known.eq_ignore_ascii_case(id))
                .cloned()
                .ok_or_else(|| {
                    invalid(
                        format!("{path}.SdsTypePropertyId"),
                        format!("the stream's type has no property '{id}'"),
                    )
                })?,
            _ => {
                return Err(invalid(
                    format!("{path}.SdsTypePropertyId"),
                    "is required (a property id of the stream's type)",
                ))
            }
        };
        if overrides.iter().any(|o| o.property == property) {
            return Err(invalid(
                format!("{path}.SdsTypePropertyId"),
                format!("property '{property}' is overridden twice"),
            ));
        }
        let interpolation = match field(object, "InterpolationMode") {
            None | Some(Value::Null) => None,
            Some(v) => Some(InterpolationMode::parse(v).ok_or_else(|| {
                invalid(
                    format!("{path}.InterpolationMode"),
                    "is not a known SdsInterpolationMode",
                )
            })?),
        };
        let uom = match field(object, "Uom") {
            None | Some(Value::Null) => None,
            Some(Value::String(u)) if u.chars().count() <= 250 => Some(u.clone()),
            Some(_) => {
                return Err(invalid(
                    format!("{path}.Uom"),
                    "must be a string of at most 250 characters",
                ))
            }
        };
        overrides.push(PropertyOverride {
            property,
            interpolation,
            uom,
        });
    }
    Ok(overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn modes_are_read_by_name_or_number() {
        assert_eq!(
            InterpolationMode::parse(&json!("stepwisecontinuousleading")),
            Some(InterpolationMode::StepwiseContinuousLeading)
        );
        assert_eq!(
            InterpolationMode::parse(&json!("Default")),
            Some(InterpolationMode::Continuous)
        );
        assert_eq!(
            InterpolationMode::parse(&json!(5)),
            Some(InterpolationMode::ContinuousNullableTrailing)
        );
        assert_eq!(InterpolationMode::parse(&json!(6)), None);
        assert_eq!(InterpolationMode::parse(&json!(-1)), None);
        assert_eq!(
            ExtrapolationMode::parse(&json!("none")),
            Some(ExtrapolationMode::None)
        );
        assert_eq!(
            ExtrapolationMode::parse(&json!(2)),
            Some(ExtrapolationMode::Forward)
        );
        assert_eq!(ExtrapolationMode::parse(&json!(4)), None);
        assert_eq!(InterpolationMode::Discrete.number(), 3);
        assert_eq!(ExtrapolationMode::Backward.number(), 3);
    }

    #[test]
    fn a_stream_body_gives_its_settings_and_answers_them_by_number() {
        let ids = ["Time".to_string(), "Value".to_string()];
        let body = object(json!({
            "InterpolationMode": "Discrete", "extrapolationMode": 1,
            "PropertyOverrides": [{"SdsTypePropertyId": "value", "InterpolationMode": "StepwiseContinuousTrailing", "Uom": "m"}]
        }));
        let modes = ReadModes::parse(&body, Some(&ids)).unwrap();
        assert_eq!(modes.interpolation, Some(InterpolationMode::Discrete));
        assert_eq!(modes.extrapolation, Some(ExtrapolationMode::None));
        let o = modes.override_of("VALUE").unwrap();
        assert_eq!(o.property, "Value", "the type's spelling is kept");
        assert_eq!(o.uom.as_deref(), Some("m"));
        let mut shown = Map::new();
        modes.write_into(&mut shown);
        assert_eq!(
            Value::Object(shown),
            json!({"InterpolationMode": 3, "ExtrapolationMode": 1, "PropertyOverrides": [
                {"SdsTypePropertyId": "Value", "Uom": "m", "InterpolationMode": 2}
            ]})
        );
    }

    #[test]
    fn bad_settings_name_the_field() {
        let ids = ["Value".to_string()];
        let field_of = |v: Value| ReadModes::parse(&object(v), Some(&ids)).unwrap_err().field;
        assert_eq!(
            field_of(json!({"InterpolationMode": "Sideways"})),
            "InterpolationMode"
        );
        assert_eq!(
            field_of(json!({"ExtrapolationMode": 9})),
            "ExtrapolationMode"
        );
        assert_eq!(
            field_of(json!({"PropertyOverrides": [{"SdsTypePropertyId": "Other"}]})),
            "PropertyOverrides[0].SdsTypePropertyId"
        );
        assert_eq!(
            field_of(
                json!({"PropertyOverrides": [{"SdsTypePropertyId": "Value", "InterpolationMode": 7}]})
            ),
            "PropertyOverrides[0].InterpolationMode"
        );
        assert_eq!(
            field_of(json!({"PropertyOverrides": {}})),
            "PropertyOverrides"
        );
        assert_eq!(
            field_of(
                json!({"PropertyOverrides": [{"SdsTypePropertyId": "Value"}, {"SdsTypePropertyId": "value"}]})
            ),
            "PropertyOverrides[1].SdsTypePropertyId"
        );
    }
}
