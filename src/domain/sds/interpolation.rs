//! The event of a stream at any index, from the stored events around it:
//! SDS's read characteristics. An `Interpolator` is built once per read
//! from the stream's type and the stream's settings; `at` then answers an
//! index from the last stored event at or before it and the first after it.
//!
//! Each property's mode is, first to last: the property's own
//! `InterpolationMode` in the type, the stream's override for it, the
//! stream's `InterpolationMode`, the type's, else Continuous. Extrapolation
//! is the stream's, else the type's, else All.

use super::index_key::{self, KeyError, KeyPart};
use super::index_value::{self, IndexValue, Position};
use super::json_body::field;
use super::property_value::{self, ValueKind};
use super::read_modes::{ExtrapolationMode, InterpolationMode, ReadModes};
use super::sds_type::SdsType;
use super::stream::SdsStream;
use super::type_code;
use serde_json::{Map, Value};

/// An index asked for: its key (what storage seeks) and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    key: Vec<u8>,
    values: Vec<IndexValue>,
}

impl Index {
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    pub fn values(&self) -> &[IndexValue] {
        &self.values
    }

    /// Its place on a line: only a one-part numeric or DateTime index has one.
    pub fn position(&self) -> Option<Position> {
        match self.values.as_slice() {
            [one] => one.position(),
            _ => None,
        }
    }
}

/// A value property of the type and how it reads between events.
#[derive(Clone, Debug)]
struct Property {
    id: String,
    kind: ValueKind,
    mode: InterpolationMode,
}

/// How one stream answers indexes without a stored event.
#[derive(Clone, Debug)]
pub struct Interpolator {
    keys: Vec<KeyPart>,
    properties: Vec<Property>,
    extrapolation: ExtrapolationMode,
    /// Every value property is Discrete (or the event itself is, when the
    /// type has none): then there is no event between or beyond values.
    discrete: bool,
}

impl Interpolator {
    pub fn new(sds_type: &SdsType, stream: &SdsStream) -> Self {
        Self::with_modes(
            sds_type,
            &sds_type.modes,
            &stream.modes,
            stream.keys.clone(),
        )
    }

    /// From a type's properties and the type's and stream's settings.
    pub fn with_modes(
        sds_type: &SdsType,
        type_modes: &ReadModes,
        stream_modes: &ReadModes,
        keys: Vec<KeyPart>,
    ) -> Self {
        let (event_mode, resolved) = property_modes(sds_type, type_modes, stream_modes, &keys);
        let properties: Vec<Property> = resolved
            .into_iter()
            .map(|(id, code, mode)| Property {
                id,
                kind: ValueKind::of_code(code),
                mode,
            })
            .collect();
        let discrete = if properties.is_empty() {
            event_mode == InterpolationMode::Discrete
        } else {
            properties
                .iter()
                .all(|p| p.mode == InterpolationMode::Discrete)
        };
        Self {
            keys,
            properties,
            extrapolation: stream_modes
                .extrapolation
                .or(type_modes.extrapolation)
                .unwrap_or(ExtrapolationMode::All),
            discrete,
        }
    }

    /// An index given as text (`index=`, `startIndex=`).
    pub fn index(&self, text: &str) -> Result<Index, KeyError> {
        let key = index_key::of_text(&self.keys, text)?;
        self.index_of_key(key)
            .ok_or_else(|| KeyError::Missing(text.chars().take(64).collect()))
    }

    /// The index of a stored event, `None` if it has none.
    pub fn index_of_value(&self, value: &Value) -> Option<Index> {
        self.index_of_key(index_key::of_value(&self.keys, value).ok()?)
    }

    /// An index from its key bytes (as storage holds them).
    pub fn index_of_key(&self, key: Vec<u8>) -> Option<Index> {
        let values = index_value::decode(&self.keys, &key)?;
        Some(Index { key, values })
    }

    /// `count` indexes evenly spaced from `start` to `end`, both included
    /// (`start` alone for one); integers and times rounded to the nearest
    /// whole number and 100 ns tick. `None` for an index without a
    /// position (string, GUID or compound).
    pub fn spaced(&self, start: &Index, end: &Index, count: usize) -> Option<Vec<Index>> {
        let (from, to) = (start.position()?, end.position()?);
        let steps = count.saturating_sub(1).max(1) as i128;
        (0..count)
            .map(|i| {
                let step = i as i128;
                let value = match (&start.values[0], from, to) {
                    (IndexValue::Time(_), Position::Exact(x), Position::Exact(y)) => {
                        let nanos = x + nearest((y - x) * step, steps);
                        IndexValue::Time(index_value::time_of_nanos(nearest(nanos, 100) * 100)?)
                    }
                    (IndexValue::Whole(_), Position::Exact(x), Position::Exact(y)) => {
                        IndexValue::Whole(x + nearest((y - x) * step, steps))
                    }
                    _ => {
                        let (x, y) = (from.real(), to.real());
                        IndexValue::Real(x + (y - x) * (step as f64 / steps as f64))
                    }
                };
                let key = index_key::of_text(&self.keys, &value.text()).ok()?;
                self.index_of_key(key)
            })
            .collect()
    }

    /// The event at `index`: the stored one if `before` (the last event
    /// at or before it) or `after` (the first after it) is at `index`;
    /// else calculated between them, or extrapolated beyond the data;
    /// `None` where SDS answers no event.
    pub fn at(
        &self,
        index: &Index,
        before: Option<&Value>,
        after: Option<&Value>,
    ) -> Option<Value> {
        for stored in [before, after].into_iter().flatten() {
            if self.is_at(index, stored) {
                return Some(stored.clone());
            }
        }
        if self.discrete {
            return None;
        }
        match (before, after) {
            (Some(b), Some(a)) => Some(self.between(index, b, a)),
            (None, Some(first)) if self.extrapolation.backward() => Some(self.beyond(index, first)),
            (Some(last), None) if self.extrapolation.forward() => Some(self.beyond(index, last)),
            _ => None,
        }
    }

    fn is_at(&self, index: &Index, stored: &Value) -> bool {
        index_key::of_value(&self.keys, stored).is_ok_and(|k| k == index.key)
    }

    /// An event between two stored ones.
    fn between(&self, index: &Index, before: &Value, after: &Value) -> Value {
        let fraction = self.fraction(index, before, after);
        self.event(index, |p| {
            property_value::between(
                p.mode,
                p.kind,
                property(before, &p.id),
                property(after, &p.id),
                fraction,
            )
        })
    }

    /// An event before all data or after it: the nearest stored event's
    /// values at the index asked for (Discrete properties stay null).
    fn beyond(&self, index: &Index, nearest: &Value) -> Value {
        self.event(index, |p| match p.mode {
            InterpolationMode::Discrete => Value::Null,
            _ => property(nearest, &p.id).cloned().unwrap_or(Value::Null),
        })
    }

    fn fraction(&self, index: &Index, before: &Value, after: &Value) -> Option<f64> {
        let at = index.position()?;
        let from = self.index_of_value(before)?.position()?;
        let to = self.index_of_value(after)?.position()?;
        at.fraction(from, to)
    }

    /// An event with the index's values and each value property's.
    fn event(&self, index: &Index, mut value_of: impl FnMut(&Property) -> Value) -> Value {
        let mut event = Map::new();
        for (part, value) in self.keys.iter().zip(&index.values) {
            event.insert(part.property.clone(), value.json());
        }
        for p in &self.properties {
            event.insert(p.id.clone(), value_of(p));
        }
        Value::Object(event)
    }
}

/// `n / d` rounded to the nearest whole number (halves up); `d > 0`.
fn nearest(n: i128, d: i128) -> i128 {
    (2 * n + d).div_euclid(2 * d)
}

/// A property of a stored event by id, in any case.
fn property<'v>(event: &'v Value, id: &str) -> Option<&'v Value> {
    event.as_object().and_then(|o| field(o, id))
}

/// The mode of the event (the stream's, else the type's, else
/// Continuous), and each value property (not an index) with its type code
/// and its mode: its own, else the stream's override for it, else the
/// event's. Summaries weigh by the same modes that interpolation uses.
pub fn property_modes(
    sds_type: &SdsType,
    type_modes: &ReadModes,
    stream_modes: &ReadModes,
    keys: &[KeyPart],
) -> (InterpolationMode, Vec<(String, u16, InterpolationMode)>) {
    let event_mode = stream_modes
        .interpolation
        .or(type_modes.interpolation)
        .unwrap_or(InterpolationMode::Continuous);
    let properties = value_properties(sds_type, keys)
        .map(|(id, code, own)| {
            let mode = own
                .or_else(|| stream_modes.override_of(&id).and_then(|o| o.interpolation))
                .unwrap_or(event_mode);
            (id, code, mode)
        })
        .collect();
    (event_mode, properties)
}

/// The type's properties that are not part of the index, as (id, code,
/// own mode).
fn value_properties<'t>(
    sds_type: &'t SdsType,
    keys: &'t [KeyPart],
) -> impl Iterator<Item = (String, u16, Option<InterpolationMode>)> + 't {
    let properties: Vec<Value> = match serde_json::from_str(&sds_type.properties) {
        Ok(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    properties.into_iter().filter_map(move |p| {
        let object = p.as_object()?;
        let id = field(object, "Id")?.as_str()?.to_string();
        if keys.iter().any(|k| k.property.eq_ignore_ascii_case(&id)) {
            return None;
        }
        let code = field(object, "SdsType")
            .and_then(Value::as_object)
            .and_then(|t| field(t, "SdsTypeCode"))
            .and_then(type_code::parse)
            .unwrap_or(type_code::OBJECT);
        let own = field(object, "InterpolationMode").and_then(InterpolationMode::parse);
        Some((id, code, own))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sds::read_modes::PropertyOverride;
    use chrono::Utc;
    use serde_json::json;

    fn reading_type(value_mode: Option<&str>) -> SdsType {
        let mut value = json!({"Id": "Value", "SdsType": {"SdsTypeCode": "Double"}});
        if let Some(mode) = value_mode {
            value["InterpolationMode"] = json!(mode);
        }
        let body = json!({"Id": "Reading", "SdsTypeCode": "Object", "Properties": [
            {"Id": "Time", "IsKey": true, "SdsType": {"SdsTypeCode": "DateTime"}},
            value,
            {"Id": "Count", "SdsType": {"SdsTypeCode": "Int32"}},
            {"Id": "Label", "SdsType": {"SdsTypeCode": "String"}}
        ]});
        SdsType::parse("Reading", &body, Utc::now()).unwrap()
    }

    fn interpolator(sds_type: &SdsType, stream: ReadModes) -> Interpolator {
        Interpolator::with_modes(
            sds_type,
            &ReadModes::default(),
            &stream,
            sds_type.keys.clone(),
        )
    }

    fn a() -> Value {
        json!({"Time": "2024-01-01T00:00:00Z", "Value": 10.0, "Count": 10, "Label": "a"})
    }

    fn b() -> Value {
        json!({"Time": "2024-01-01T00:01:00Z", "Value": 20.0, "Count": 20, "Label": "b"})
    }

    #[test]
    fn continuous_interpolates_by_the_instant() {
        let i = interpolator(&reading_type(None), ReadModes::default());
        let at = i.index("2024-01-01T00:00:15Z").unwrap();
        assert_eq!(
            i.at(&at, Some(&a()), Some(&b())),
            Some(
                json!({"Time": "2024-01-01T00:00:15Z", "Value": 12.5, "Count": 12, "Label": null})
            )
        );
    }

    #[test]
    fn a_stored_event_is_answered_as_stored() {
        let i = interpolator(&reading_type(Some("Discrete")), ReadModes::default());
        let at = i.index("2024-01-01T00:00:00").unwrap();
        assert_eq!(i.at(&at, Some(&a()), Some(&b())), Some(a()));
        let at = i.index("2024-01-01T00:01:00Z").unwrap();
        assert_eq!(
            i.at(&at, Some(&a()), Some(&b())),
            Some(b()),
            "also when passed as after"
        );
    }

    #[test]
    fn modes_resolve_property_then_override_then_stream_then_type() {
        let stream = ReadModes {
            interpolation: Some(InterpolationMode::StepwiseContinuousTrailing),
            extrapolation: None,
            overrides: vec![
                PropertyOverride {
                    property: "value".into(),
                    interpolation: Some(InterpolationMode::Discrete),
                    uom: None,
                },
                PropertyOverride {
                    property: "Count".into(),
                    interpolation: Some(InterpolationMode::StepwiseContinuousLeading),
                    uom: None,
                },
            ],
        };
        let at = |t: &SdsType, s: &ReadModes| {
            let i = interpolator(t, s.clone());
            i.at(
                &i.index("2024-01-01T00:00:15Z").unwrap(),
                Some(&a()),
                Some(&b()),
            )
            .unwrap()
        };
        let own = at(&reading_type(Some("Continuous")), &stream);
        assert_eq!(own["Value"], 12.5, "the property's own mode comes first");
        assert_eq!(own["Count"], 10, "then the stream's override");
        assert_eq!(own["Label"], "b", "then the stream's mode");
        let overridden = at(&reading_type(None), &stream);
        assert_eq!(overridden["Value"], Value::Null);

        let mut typed = reading_type(None);
        typed.modes.interpolation = Some(InterpolationMode::StepwiseContinuousLeading);
        let i = Interpolator::with_modes(
            &typed,
            &typed.modes,
            &ReadModes::default(),
            typed.keys.clone(),
        );
        let e = i
            .at(
                &i.index("2024-01-01T00:00:15Z").unwrap(),
                Some(&a()),
                Some(&b()),
            )
            .unwrap();
        assert_eq!(
            (e["Value"].clone(), e["Label"].clone()),
            (json!(10.0), json!("a")),
            "the type's mode last"
        );
    }

    #[test]
    fn discrete_everywhere_answers_no_event() {
        let stream = ReadModes {
            interpolation: Some(InterpolationMode::Discrete),
            ..ReadModes::default()
        };
        let i = interpolator(&reading_type(None), stream);
        let at = i.index("2024-01-01T00:00:15Z").unwrap();
        assert_eq!(i.at(&at, Some(&a()), Some(&b())), None);
        assert_eq!(i.at(&at, None, Some(&a())), None, "nor beyond the data");
    }

    #[test]
    fn extrapolation_answers_the_nearest_event_at_the_index() {
        let before = "2023-12-31T23:00:00Z";
        let after = "2024-01-01T01:00:00Z";
        let cases = [
            (None, true, true),
            (Some(ExtrapolationMode::All), true, true),
            (Some(ExtrapolationMode::None), false, false),
            (Some(ExtrapolationMode::Forward), false, true),
            (Some(ExtrapolationMode::Backward), true, false),
        ];
        for (mode, backward, forward) in cases {
            let stream = ReadModes {
                extrapolation: mode,
                ..ReadModes::default()
            };
            let i = interpolator(&reading_type(None), stream);
            let early = i.at(&i.index(before).unwrap(), None, Some(&a()));
            let late = i.at(&i.index(after).unwrap(), Some(&b()), None);
            assert_eq!(early.is_some(), backward, "{mode:?} before");
            assert_eq!(late.is_some(), forward, "{mode:?} after");
            if let Some(e) = early {
                assert_eq!(
                    e,
                    json!({"Time": before, "Value": 10.0, "Count": 10, "Label": "a"})
                );
            }
        }
        let i = interpolator(&reading_type(None), ReadModes::default());
        assert_eq!(
            i.at(&i.index(before).unwrap(), None, None),
            None,
            "an empty stream has none"
        );
    }

    #[test]
    fn numeric_indexes_interpolate_by_value() {
        let body = json!({"Id": "Wave", "SdsTypeCode": 1, "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"SdsTypeCode": "Int32"}},
            {"Id": "Radians", "SdsType": {"SdsTypeCode": "Double"}},
            {"Id": "Up", "SdsType": {"SdsTypeCode": "Boolean"}}
        ]});
        let t = SdsType::parse("Wave", &body, Utc::now()).unwrap();
        let i = interpolator(&t, ReadModes::default());
        let e = i
            .at(
                &i.index("3").unwrap(),
                Some(&json!({"Order": 2, "Radians": 1.0, "Up": true})),
                Some(&json!({"Order": 6, "Radians": 3.0, "Up": false})),
            )
            .unwrap();
        assert_eq!(e, json!({"Order": 3, "Radians": 1.5, "Up": true}));
    }

    #[test]
    fn indexes_are_spaced_evenly_with_both_ends() {
        let i = interpolator(&reading_type(None), ReadModes::default());
        let (start, end) = (
            i.index("2024-01-01T00:00:00Z").unwrap(),
            i.index("2024-01-01T00:01:00Z").unwrap(),
        );
        let texts: Vec<Value> = i
            .spaced(&start, &end, 5)
            .unwrap()
            .iter()
            .map(|x| x.values()[0].json())
            .collect();
        assert_eq!(
            texts,
            [
                "2024-01-01T00:00:00Z",
                "2024-01-01T00:00:15Z",
                "2024-01-01T00:00:30Z",
                "2024-01-01T00:00:45Z",
                "2024-01-01T00:01:00Z"
            ]
        );
        assert_eq!(
            i.spaced(&start, &end, 1).unwrap(),
            std::slice::from_ref(&start)
        );
        let thirds = i.spaced(&start, &end, 4).unwrap();
        assert_eq!(thirds[1].values()[0].json(), "2024-01-01T00:00:20Z");

        let body = json!({"Id": "W", "SdsTypeCode": 1, "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"SdsTypeCode": "Int32"}},
            {"Id": "X", "SdsType": {"SdsTypeCode": "Double"}}
        ]});
        let t = SdsType::parse("W", &body, Utc::now()).unwrap();
        let w = interpolator(&t, ReadModes::default());
        let orders: Vec<Value> = w
            .spaced(&w.index("0").unwrap(), &w.index("10").unwrap(), 4)
            .unwrap()
            .iter()
            .map(|x| x.values()[0].json())
            .collect();
        assert_eq!(
            orders,
            [json!(0), json!(3), json!(7), json!(10)],
            "rounded to whole orders"
        );
        let down: Vec<Value> = w
            .spaced(&w.index("10").unwrap(), &w.index("0").unwrap(), 3)
            .unwrap()
            .iter()
            .map(|x| x.values()[0].json())
            .collect();
        assert_eq!(down, [json!(10), json!(5), json!(0)]);
    }

    #[test]
    fn string_indexes_step_but_do_not_interpolate() {
        let body = json!({"Id": "Named", "SdsTypeCode": 1, "Properties": [
            {"Id": "Name", "IsKey": true, "SdsType": {"SdsTypeCode": "String"}},
            {"Id": "V", "SdsType": {"SdsTypeCode": "Double"}},
            {"Id": "S", "InterpolationMode": 1, "SdsType": {"SdsTypeCode": "Double"}}
        ]});
        let t = SdsType::parse("Named", &body, Utc::now()).unwrap();
        let i = interpolator(&t, ReadModes::default());
        let e = i
            .at(
                &i.index("b").unwrap(),
                Some(&json!({"Name": "a", "V": 1.0, "S": 1.0})),
                Some(&json!({"Name": "c", "V": 3.0, "S": 3.0})),
            )
            .unwrap();
        assert_eq!(e, json!({"Name": "b", "V": null, "S": 1.0}));
        let (a, c) = (i.index("a").unwrap(), i.index("c").unwrap());
        assert_eq!(i.spaced(&a, &c, 3), None, "strings cannot be spaced");
    }
}
