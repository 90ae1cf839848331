//! Boundary types of window and range reads (`boundaryType`,
//! `startBoundaryType`, `endBoundaryType`; a range's `boundary_type`):
//!
//! - Exact: the stored events from the boundary on (what plain reads do);
//! - Inside: only events strictly inside the boundary;
//! - Outside: also the nearest stored event beyond the boundary;
//! - ExactOrCalculated: an event at the boundary, the stored one or else
//!   one calculated by the stream's read characteristics.
//!
//! The events a boundary type adds (beyond or calculated at an end) are
//! answered whatever a `filter` says; the filter chooses among the
//! stored events between the ends.
//!
//! A paged window adds the start's extra event to its first page and the
//! end's to its last (which may then hold one more than `count`).

use super::answer::{token_key, too_large, window_answer, Answer};
use super::interpolated::{event_at, interpolator};
use super::scan::Scan;
use super::walk::{page, range, Walk};
use crate::app::sds::values_json::ValuesJson;
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::domain::sds::boundary::BoundaryType;
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::value_count::ValueCount;
use crate::store::sds_values::{self, Direction};
use crate::store::Readable;
use std::ops::Bound;

/// The boundary types of a read's start and end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Boundaries {
    pub start: BoundaryType,
    pub end: BoundaryType,
}

/// A window's first and last index, as keys.
pub(super) struct Ends {
    pub start: Vec<u8>,
    pub end: Vec<u8>,
}

pub(super) fn window(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
    ends: &Ends,
    boundaries: Boundaries,
    (count, token): (Option<ValueCount>, Option<String>),
    mut scan: Scan,
) -> Result<Answer, AppError> {
    let size = count.unwrap_or_else(ValueCount::most).get();
    let mut results = ValuesJson::new();
    if ends.start > ends.end {
        return window_answer(count, results, None);
    }
    let resumed = token_key(token)?;
    let first_page = resumed.is_none();
    let lower = match (&resumed, boundaries.start) {
        (Some(key), _) => Bound::Included(key.as_slice()),
        (None, BoundaryType::Inside) => Bound::Excluded(ends.start.as_slice()),
        (None, _) => Bound::Included(ends.start.as_slice()),
    };
    let upper = match boundaries.end {
        BoundaryType::Inside => Bound::Excluded(ends.end.as_slice()),
        _ => Bound::Included(ends.end.as_slice()),
    };
    let mut start_extra = false;
    if first_page {
        if let Some(json) = extra(
            tx,
            owner,
            stream,
            &ends.start,
            boundaries.start,
            Side::Start,
        )? {
            results.push(&json);
            start_extra = true;
        }
    }
    let next = page(tx, stream, (lower, upper), size, &mut results, &mut scan)?;
    if count.is_none() && scan.exhausted() {
        return Err(scan.refused("read the window in pages with count"));
    }
    // An end that is also the start gets one calculated event, not two.
    let same_event =
        start_extra && ends.start == ends.end && boundaries.end == BoundaryType::ExactOrCalculated;
    if next.is_none() && !same_event {
        if let Some(json) = extra(tx, owner, stream, &ends.end, boundaries.end, Side::End)? {
            if !results.is_empty() && !results.fits(&json) {
                return Err(too_large("endIndex", "read it in pages with count"));
            }
            results.push(&json);
        }
    }
    window_answer(count, results, next)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// The event a boundary adds beyond the stored ones within it: Outside's
/// nearest event beyond it, or ExactOrCalculated's calculated one where
/// none is stored at it. As JSON text.
fn extra(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
    key: &[u8],
    boundary: BoundaryType,
    side: Side,
) -> Result<Option<Vec<u8>>, AppError> {
    match boundary {
        BoundaryType::Outside => {
            let (bounds, direction) = match side {
                Side::Start => (
                    (Bound::Unbounded, Bound::Excluded(key)),
                    Direction::Backward,
                ),
                Side::End => ((Bound::Excluded(key), Bound::Unbounded), Direction::Forward),
            };
            stored_next(tx, stream, bounds, direction)
        }
        BoundaryType::ExactOrCalculated => calculated(tx, owner, stream, key),
        BoundaryType::Exact | BoundaryType::Inside => Ok(None),
    }
}

/// The first stored value's JSON text within `bounds` walking `direction`.
fn stored_next(
    tx: &impl Readable,
    stream: &SdsStream,
    bounds: (Bound<&[u8]>, Bound<&[u8]>),
    direction: Direction,
) -> Result<Option<Vec<u8>>, AppError> {
    let mut found = None;
    sds_values::each_in_range(tx, stream.storage, bounds, direction, 0, 1, |_, json| {
        found = Some(json.to_vec());
        false
    })?;
    Ok(found)
}

/// The calculated event at `key` when none is stored there.
fn calculated(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
    key: &[u8],
) -> Result<Option<Vec<u8>>, AppError> {
    if sds_values::exists(tx, stream.storage, key)? {
        return Ok(None);
    }
    let interpolator = interpolator(tx, owner, stream)?;
    let Some(index) = interpolator.index_of_key(key.to_vec()) else {
        return Ok(None);
    };
    event_at(tx, &interpolator, stream, &index)?
        .map(|event| {
            serde_json::to_vec(&event)
                .map_err(|e| AppError::Unexpected(format!("an event could not be written: {e}")))
        })
        .transpose()
}

/// A range's paging: how many to skip, how many to answer, which way.
pub(super) struct RangeRead {
    pub skip: usize,
    pub count: usize,
    pub reversed: bool,
}

/// `Transform?startIndex&count&boundary_type`: the range starts at the
/// start's boundary (Outside: the nearest event beyond it; Inside: after
/// it; ExactOrCalculated: a calculated event at it where none is stored).
pub(super) fn range_from(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
    start: &[u8],
    boundary: BoundaryType,
    r: RangeRead,
    scan: &mut Scan,
) -> Result<ValuesJson, AppError> {
    // Beyond the start is before it when walking forwards, after it when back.
    let beyond = match r.reversed {
        false => (Bound::Unbounded, Bound::Excluded(start)),
        true => (Bound::Excluded(start), Bound::Unbounded),
    };
    let back = match r.reversed {
        false => Direction::Backward,
        true => Direction::Forward,
    };
    let mut found = ValuesJson::new();
    let (from, skip, count) = match boundary {
        BoundaryType::Exact => (Bound::Included(start.to_vec()), r.skip, r.count),
        BoundaryType::Inside => (Bound::Excluded(start.to_vec()), r.skip, r.count),
        BoundaryType::Outside => {
            let outside = sds_values::range(tx, stream.storage, beyond.0, beyond.1, back, 0, 1)?;
            let from = outside.first().map_or(start, |(k, _)| k.as_slice());
            (Bound::Included(from.to_vec()), r.skip, r.count)
        }
        BoundaryType::ExactOrCalculated => match calculated(tx, owner, stream, start)? {
            Some(json) if r.skip == 0 => {
                found.push(&json);
                (Bound::Excluded(start.to_vec()), 0, r.count - 1)
            }
            // The calculated event is the first one skipped.
            Some(_) => (Bound::Excluded(start.to_vec()), r.skip - 1, r.count),
            None => (Bound::Included(start.to_vec()), r.skip, r.count),
        },
    };
    let from = match &from {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    };
    range(
        tx,
        stream,
        Walk::from(from, r.reversed),
        skip,
        count,
        found,
        scan,
    )
}
