//! What summaries and sampled values share: a stream's type and
//! interpolation, a range's evenly spaced interval edges, the one forward
//! walk over the range's stored values (bounded), the stored neighbours
//! just outside it, and the counted read on the large-read pool.

use super::counted;
use crate::app::sds::stream_access::{readable_stream, Target};
use crate::app::{AppError, Context};
use crate::domain::sds::filter::Filter;
use crate::domain::sds::interpolation::{Index, Interpolator};
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::type_code::KeyFamily;
use crate::domain::usage::day_of;
use crate::store::sds_values::{self, Direction};
use crate::store::{sds_types, ReadTx, Readable};
use serde_json::Value;
use std::ops::Bound;

/// The most stored values one summary or sampled read walks; a range
/// holding more is refused (400 naming `endIndex`).
pub const MAX_SCANNED: usize = 10_000_000;

/// The most intervals one summary or sampled read divides its range into.
pub const MAX_INTERVALS: usize = 10_000;

/// A read of a stream's values on the large-read pool, counted like
/// `data::read` when it goes through a community: `work` answers and says
/// how many stored values it read.
pub async fn counted_read<T: Send + 'static>(
    ctx: &Context,
    target: Target,
    id: String,
    work: impl FnOnce(&ReadTx, &SdsStream, SdsType) -> Result<(T, u64), AppError> + Send + 'static,
) -> Result<T, AppError> {
    let day = ctx.usage.enabled().then(|| day_of(ctx.clock.now()));
    let (answer, usage) = ctx
        .store
        .read_large(&ctx.large_reads, move |tx| {
            let stream = match readable_stream(tx, &target, &id) {
                Ok(stream) => stream,
                Err(e) => {
                    let usage = match day {
                        Some(day) => counted::refused(tx, &target, &id, day, &e)?,
                        None => None,
                    };
                    return Ok::<_, AppError>((Err(e), usage));
                }
            };
            let answer =
                stream_type(tx, &target, &stream).and_then(|sds_type| work(tx, &stream, sds_type));
            let values = answer.as_ref().map_or(0, |(_, n)| *n);
            let usage = day.and_then(|day| counted::answered(&target, &stream, day, values));
            Ok((answer.map(|(t, _)| t), usage))
        })
        .await?;
    if let Some((key, counts)) = usage {
        ctx.usage.count(key, counts);
    }
    answer
}

fn stream_type(tx: &ReadTx, target: &Target, stream: &SdsStream) -> Result<SdsType, AppError> {
    sds_types::get(tx, target.tenant, &target.namespace, &stream.type_id)?.ok_or_else(|| {
        AppError::not_found(format!(
            "the type '{}' of the stream is gone",
            stream.type_id
        ))
    })
}

/// A range of a stream to walk: its ends as indexes, and how to place a
/// stored key on the index line.
pub struct Range {
    pub interpolator: Interpolator,
    pub start: Index,
    pub end: Index,
    /// The index property's name, as the type spells it.
    pub index_property: String,
    line: Line,
    /// The start's place on the line, which positions are measured from.
    origin: f64,
}

impl Range {
    /// The range `startIndex..=endIndex` of a stream with one numeric or
    /// DateTime index property (the indexes SDS interpolates).
    pub fn new(
        stream: &SdsStream,
        sds_type: &SdsType,
        start: &str,
        end: &str,
    ) -> Result<Self, AppError> {
        let family = match stream.keys.as_slice() {
            [one] => one.kind.family(),
            _ => return Err(not_on_a_line()),
        };
        let line = match family {
            KeyFamily::DateTime => Line::Time,
            KeyFamily::Signed { .. } => Line::Signed,
            KeyFamily::Unsigned { .. } => Line::Unsigned,
            KeyFamily::Float { .. } => Line::Float,
            KeyFamily::Text | KeyFamily::Char | KeyFamily::Guid => return Err(not_on_a_line()),
        };
        let interpolator = Interpolator::new(sds_type, stream);
        let index = |field: &str, text: &str| {
            interpolator
                .index(text)
                .map_err(|e| AppError::invalid(field, e.to_string()))
        };
        let (start, end) = (index("startIndex", start)?, index("endIndex", end)?);
        if start.key() > end.key() {
            return Err(AppError::invalid(
                "endIndex",
                "must not be before startIndex",
            ));
        }
        Ok(Self {
            interpolator,
            origin: line.offset(start.key()),
            start,
            end,
            index_property: stream.keys[0].property.clone(),
            line,
        })
    }

    /// `count + 1` evenly spaced indexes from the start to the end, both
    /// included, spaced as interpolated reads space them.
    pub fn edges(&self, count: usize) -> Result<Vec<Index>, AppError> {
        self.interpolator
            .spaced(&self.start, &self.end, count + 1)
            .ok_or_else(not_on_a_line)
    }

    /// Where a stored key lies on the index, from the range's start: in
    /// seconds for times, in the index's own unit for numbers. Positions
    /// never decrease as keys increase, though two keys may share one.
    pub fn position(&self, key: &[u8]) -> f64 {
        self.line.offset(key) - self.origin
    }
}

fn not_on_a_line() -> AppError {
    AppError::invalid(
        "streamId",
        "summaries and sampled values need a stream whose index is one number or DateTime property",
    )
}

/// How a one-part key reads as a number (see `index_key` for the bytes).
#[derive(Clone, Copy)]
enum Line {
    Time,
    Signed,
    Unsigned,
    Float,
}

impl Line {
    fn offset(self, key: &[u8]) -> f64 {
        let word = |at: usize| {
            key.get(at..at + 8)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u64::from_be_bytes)
        };
        match self {
            Line::Time => {
                let secs = (word(0) ^ (1 << 63)) as i64;
                let nanos = key
                    .get(8..12)
                    .and_then(|b| b.try_into().ok())
                    .map_or(0, u32::from_be_bytes);
                secs as f64 + f64::from(nanos) / 1e9
            }
            Line::Signed => ((word(0) ^ (1 << 63)) as i64) as f64,
            Line::Unsigned => word(0) as f64,
            Line::Float => {
                let bits = word(0);
                f64::from_bits(if bits >> 63 == 1 {
                    bits ^ (1 << 63)
                } else {
                    !bits
                })
            }
        }
    }
}

/// Calls `each` with the key and stored text of every value in
/// `from..=to` that `filter` keeps, in index order; refuses a range of
/// more than `MAX_SCANNED` values (kept or not). Returns how many it read.
pub fn walk(
    tx: &impl Readable,
    stream: &SdsStream,
    (from, to): (&[u8], &[u8]),
    filter: Option<&Filter>,
    mut each: impl FnMut(&[u8], &[u8]) -> Result<(), AppError>,
) -> Result<u64, AppError> {
    let mut failed = None;
    let read = sds_values::each_in_range(
        tx,
        stream.storage,
        (Bound::Included(from), Bound::Included(to)),
        Direction::Forward,
        0,
        MAX_SCANNED + 1,
        |key, json| {
            if filter.is_some_and(|f| !f.matches_json(json)) {
                return true;
            }
            match each(key, json) {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        },
    )?;
    if let Some(e) = failed {
        return Err(e);
    }
    if read > MAX_SCANNED {
        return Err(AppError::invalid(
            "endIndex",
            format!("the range holds more than {MAX_SCANNED} stored values; ask for a shorter one"),
        ));
    }
    Ok(read as u64)
}

/// The last stored value before `key` (`Backward`) or the first after it
/// (`Forward`) that `filter` keeps, parsed; a filter looks no further than
/// `MAX_SCANNED` values.
pub fn neighbour(
    tx: &impl Readable,
    stream: &SdsStream,
    key: &[u8],
    direction: Direction,
    filter: Option<&Filter>,
) -> Result<Option<Value>, AppError> {
    let bounds = match direction {
        Direction::Backward => (Bound::Unbounded, Bound::Excluded(key)),
        Direction::Forward => (Bound::Excluded(key), Bound::Unbounded),
    };
    let limit = if filter.is_some() { MAX_SCANNED } else { 1 };
    let mut found = None;
    sds_values::each_in_range(
        tx,
        stream.storage,
        bounds,
        direction,
        0,
        limit,
        |_, json| {
            if filter.is_some_and(|f| !f.matches_json(json)) {
                return true;
            }
            found = Some(parse(json));
            false
        },
    )?;
    found.transpose()
}

/// A stored value's text as a value tree.
pub fn parse(json: &[u8]) -> Result<Value, AppError> {
    serde_json::from_slice(json)
        .map_err(|e| AppError::Unexpected(format!("a stored value is not JSON: {e}")))
}

/// The event at `index` as an answer states it: the interpolated event,
/// or, where SDS has none, just the index.
pub fn event_or_index(range: &Range, index: &Index, event: Option<Value>) -> Value {
    event.unwrap_or_else(|| {
        let mut only = serde_json::Map::new();
        if let Some(value) = index.values().first() {
            only.insert(range.index_property.clone(), value.json());
        }
        Value::Object(only)
    })
}
