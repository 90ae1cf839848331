//! The boundary types a window or range read may carry: `boundaryType`
//! (both ends), `startBoundaryType` and `endBoundaryType` (each end), and
//! for a range the `boundary_type` AVEVA's Python library sends. By name
//! or number; a bad one is a 400 naming the parameter.

use super::request::Query;
use crate::app::sds::data::{Boundaries, Read};
use crate::app::AppError;
use crate::domain::sds::boundary::BoundaryType;

/// The boundary type parameter `name`, when it is given.
pub fn boundary(query: &Query, name: &str) -> Result<Option<BoundaryType>, AppError> {
    query
        .get(name)
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            BoundaryType::parse(v).ok_or_else(|| {
                AppError::invalid(
                    name,
                    "must be Exact, Inside, Outside or ExactOrCalculated (or 0 to 3)",
                )
            })
        })
        .transpose()
}

/// The read with its boundary types, when any end is not `Exact`.
pub fn with_boundaries(query: &Query, read: Read) -> Result<Read, AppError> {
    let both = match boundary(query, "boundaryType")? {
        Some(b) => Some(b),
        None => boundary(query, "boundary_type")?,
    };
    let start = boundary(query, "startBoundaryType")?;
    let end = boundary(query, "endBoundaryType")?;
    let boundaries = Boundaries {
        start: start.or(both).unwrap_or_default(),
        end: end.or(both).unwrap_or_default(),
    };
    Ok(if boundaries == Boundaries::default() {
        read
    } else {
        Read::Bounded {
            read: Box::new(read),
            boundaries,
        }
    })
}
