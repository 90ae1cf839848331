//! Interpolated reads (`.../Data/Interpolated`, `.../Data/Transform/Interpolated`):
//! the stream's event at each index of a collection, or at `count` evenly
//! spaced indexes from a start to an end, stored or calculated by the
//! stream's read characteristics (`domain::sds::interpolation`). Each index
//! costs two keyed seeks, the last value at or before it and the first
//! after it: never a scan, whatever the stream's size.

use super::answer::{too_large, Answer, READ_LIMIT};
use super::index_text::key_of_text;
use crate::app::sds::values_json::ValuesJson;
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::domain::sds::interpolation::{Index, Interpolator};
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::value_count::ValueCount;
use crate::store::sds_values::{self, Direction};
use crate::store::{sds_types, Readable};
use serde_json::Value;
use std::ops::Bound;

/// The indexes an interpolated read asks for.
#[derive(Clone, Debug)]
pub enum Indexes {
    /// `?index=` once or more.
    Listed(Vec<String>),
    /// `?startIndex&endIndex&count`: `count` indexes evenly spaced, both
    /// ends included.
    Spaced {
        start: String,
        end: String,
        count: ValueCount,
    },
}

/// The stream's type: the one its owner keeps in the stream's namespace.
pub fn stream_type(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
) -> Result<SdsType, AppError> {
    sds_types::get(tx, owner, &stream.namespace, &stream.type_id)?
        .ok_or_else(|| AppError::not_found(format!("type '{}' does not exist", stream.type_id)))
}

/// The stream's interpolator, built once per read.
pub fn interpolator(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
) -> Result<Interpolator, AppError> {
    Ok(Interpolator::new(&stream_type(tx, owner, stream)?, stream))
}

/// The events at the indexes asked for, in their order; an index where
/// the stream answers no event is left out.
pub fn read(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
    indexes: &Indexes,
) -> Result<Answer, AppError> {
    let interpolator = interpolator(tx, owner, stream)?;
    let (indexes, field) = resolve(&interpolator, stream, indexes)?;
    let mut found = ValuesJson::new();
    for index in &indexes {
        let Some(event) = event_at(tx, &interpolator, stream, index)? else {
            continue;
        };
        let json = serde_json::to_vec(&event)
            .map_err(|e| AppError::Unexpected(format!("an event could not be written: {e}")))?;
        if !found.is_empty() && !found.fits(&json) {
            return Err(too_large(field, "ask for fewer indexes at a time"));
        }
        found.push(&json);
    }
    Ok(Answer::Values(found))
}

/// The indexes as keys, and the parameter that names how many there are.
fn resolve(
    interpolator: &Interpolator,
    stream: &SdsStream,
    indexes: &Indexes,
) -> Result<(Vec<Index>, &'static str), AppError> {
    match indexes {
        Indexes::Listed(texts) => {
            if texts.len() > READ_LIMIT {
                return Err(too_large("index", "ask for fewer indexes at a time"));
            }
            let listed = texts
                .iter()
                .map(|t| index_of_text(interpolator, stream, "index", t))
                .collect::<Result<_, _>>()?;
            Ok((listed, "index"))
        }
        Indexes::Spaced { start, end, count } => {
            let start = index_of_text(interpolator, stream, "startIndex", start)?;
            let end = index_of_text(interpolator, stream, "endIndex", end)?;
            let spaced = interpolator
                .spaced(&start, &end, count.get())
                .ok_or_else(|| {
                    AppError::invalid(
                        "startIndex",
                        "evenly spaced indexes need a one-part numeric or DateTime index; ask for indexes with index=",
                    )
                })?;
            Ok((spaced, "count"))
        }
    }
}

fn index_of_text(
    interpolator: &Interpolator,
    stream: &SdsStream,
    field: &str,
    text: &str,
) -> Result<Index, AppError> {
    let key = key_of_text(&stream.keys, field, text)?;
    interpolator
        .index_of_key(key)
        .ok_or_else(|| AppError::invalid(field, "is not an index of the stream"))
}

/// The event at one index: two keyed seeks, then the interpolator.
pub fn event_at(
    tx: &impl Readable,
    interpolator: &Interpolator,
    stream: &SdsStream,
    index: &Index,
) -> Result<Option<Value>, AppError> {
    let key = index.key();
    let before = nearest(
        tx,
        stream,
        (Bound::Unbounded, Bound::Included(key)),
        Direction::Backward,
    )?;
    let exact = before.as_ref().is_some_and(|(k, _)| k.as_slice() == key);
    let after = if exact {
        None
    } else {
        nearest(
            tx,
            stream,
            (Bound::Excluded(key), Bound::Unbounded),
            Direction::Forward,
        )?
    };
    Ok(interpolator.at(
        index,
        before.as_ref().map(|(_, v)| v),
        after.as_ref().map(|(_, v)| v),
    ))
}

/// The first stored value within `bounds` walking in `direction`.
fn nearest(
    tx: &impl Readable,
    stream: &SdsStream,
    bounds: (Bound<&[u8]>, Bound<&[u8]>),
    direction: Direction,
) -> Result<Option<(Vec<u8>, Value)>, AppError> {
    let (start, end) = bounds;
    Ok(sds_values::range(tx, stream.storage, start, end, direction, 0, 1)?.pop())
}
