//! Which properties of a stream's type a summary (or a sampled read)
//! describes: the numeric ones that are not part of the index and that
//! interpolate (SDS excludes Discrete properties), each with how its value
//! holds between events, by the mode `interpolation::property_modes`
//! resolves for it.

use super::interpolation::property_modes;
use super::read_modes::InterpolationMode;
use super::sds_type::SdsType;
use super::stream::SdsStream;
use super::summary::Holding;

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
    let (_, properties) = property_modes(sds_type, &sds_type.modes, &stream.modes, &stream.keys);
    properties
        .into_iter()
        .filter(|(_, code, _)| is_number(*code))
        .filter_map(|(id, _, mode)| {
            Some(Summarised {
                id,
                holding: holding(mode)?,
            })
        })
        .collect()
}
