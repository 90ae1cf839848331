//! Which properties of a stream's type a summary (or a sampled read)
//! describes: the numeric ones that are not part of the index and that
//! interpolate (SDS excludes Discrete properties), each with how its value
//! holds between events. The mode is resolved as `interpolation` resolves
//! it: the property's own, the stream's override, the stream's, the
//! type's, else Continuous.

use super::json_body::field;
use super::read_modes::InterpolationMode;
use super::sds_type::SdsType;
use super::stream::SdsStream;
use super::summary::Holding;
use super::type_code;
use serde_json::Value;

/// A property a summary describes.
#[derive(Clone, Debug, PartialEq)]
pub struct Summarised {
    pub id: String,
    pub holding: Holding,
}

/// SByte to Decimal, and their nullable forms: the numbers.
fn is_number(code: u16) -> bool {
    (5..=15).contains(&code) || (105..=115).contains(&code)
}

fn holding(mode: InterpolationMode) -> Option<Holding> {
    Some(match mode {
        InterpolationMode::Continuous => Holding::Continuous,
        InterpolationMode::StepwiseContinuousLeading => Holding::StepwiseLeading,
        InterpolationMode::StepwiseContinuousTrailing => Holding::StepwiseTrailing,
        InterpolationMode::ContinuousNullableLeading => Holding::NullableLeading,
        InterpolationMode::ContinuousNullableTrailing => Holding::NullableTrailing,
        InterpolationMode::Discrete => return None,
    })
}

/// The type's summarised properties, in the type's order.
pub fn properties(sds_type: &SdsType, stream: &SdsStream) -> Vec<Summarised> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&sds_type.properties) else {
        return Vec::new();
    };
    let event_mode = stream
        .modes
        .interpolation
        .or(sds_type.modes.interpolation)
        .unwrap_or(InterpolationMode::Continuous);
    items
        .iter()
        .filter_map(|p| {
            let object = p.as_object()?;
            let id = field(object, "Id")?.as_str()?.to_string();
            if stream
                .keys
                .iter()
                .any(|k| k.property.eq_ignore_ascii_case(&id))
            {
                return None;
            }
            let code = field(object, "SdsType")
                .and_then(Value::as_object)
                .and_then(|t| field(t, "SdsTypeCode"))
                .and_then(type_code::parse)?;
            if !is_number(code) {
                return None;
            }
            let mode = field(object, "InterpolationMode")
                .and_then(InterpolationMode::parse)
                .or_else(|| stream.modes.override_of(&id).and_then(|o| o.interpolation))
                .unwrap_or(event_mode);
            Some(Summarised {
                id,
                holding: holding(mode)?,
            })
        })
        .collect()
}
