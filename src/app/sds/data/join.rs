//! Joined windows of several streams (`Bulk/Streams/Data/Joins`). Every
//! stream must be readable by the caller (its own, or shared through the
//! target's community), checked for all of them before any value is read.
//! The streams' windows are read one after the other under one budget
//! (`READ_LIMIT` values and `MAX_ANSWER_BYTES` in all, and one filter
//! scan), then joined by index (see `domain::sds::join`).
//!
//! An Interpolated join fills each stream's missing values from its
//! neighbours (`join_interpolated`), and needs each stream's whole window.
//!
//! A join answers up to `count` rows (all of them without `count`); an
//! answer holds at most `READ_LIMIT` values and nulls in all, so each row
//! of n streams costs n. A join past its budget is refused (400), as a
//! window without `count` is: SDS's join has no continuation token.

use super::counted;
use super::index_text::key_of_text;
use super::join_interpolated;
use super::scan::Scan;
use super::READ_LIMIT;
use crate::app::sds::stream_access::{readable_stream, Target};
use crate::app::{AppError, Context};
use crate::domain::ids::TenantId;
use crate::domain::sds::filter::Filter;
use crate::domain::sds::join::{self, Column, JoinMode, Row};
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::value_count::{ValueCount, MAX_ANSWER_BYTES};
use crate::domain::usage::{day_of, UsageCounts, UsageKey};
use crate::store::sds_values::{self, Direction};
use crate::store::{ReadTx, Readable};
use std::ops::Bound;

/// The most streams one join names.
pub const MAX_JOINED_STREAMS: usize = 100;

/// What a join reads: the window, how, how many rows, and which values.
#[derive(Clone, Debug)]
pub struct JoinRead {
    pub start: String,
    pub end: String,
    pub mode: JoinMode,
    pub count: Option<ValueCount>,
    pub filter: Option<Filter>,
}

struct Counted {
    answer: Result<Vec<u8>, AppError>,
    usage: Vec<(UsageKey, UsageCounts)>,
}

/// The JSON text of the join of `ids`' windows.
pub async fn join(
    ctx: &Context,
    target: Target,
    ids: Vec<String>,
    what: JoinRead,
) -> Result<Vec<u8>, AppError> {
    if ids.is_empty() || ids.iter().any(|id| id.trim().is_empty()) {
        return Err(AppError::invalid(
            "streams",
            "is required: stream ids separated by commas",
        ));
    }
    if ids.len() > MAX_JOINED_STREAMS {
        return Err(AppError::invalid(
            "streams",
            format!("names more than {MAX_JOINED_STREAMS} streams"),
        ));
    }
    let day = ctx.usage.enabled().then(|| day_of(ctx.clock.now()));
    let work = move |tx: &ReadTx| -> Result<Counted, AppError> {
        let mut streams = Vec::with_capacity(ids.len());
        for id in &ids {
            match readable_stream(tx, &target, id) {
                Ok(stream) => streams.push(stream),
                Err(e) => {
                    let usage = match day {
                        Some(day) => counted::refused(tx, &target, id, day, &e)?,
                        None => None,
                    };
                    return Ok(Counted {
                        answer: Err(e),
                        usage: usage.into_iter().collect(),
                    });
                }
            }
        }
        let joined = join_streams(tx, (target.tenant, &target.namespace), &streams, what);
        let used = match &joined {
            Ok((_, used)) => used.clone(),
            Err(_) => vec![0; streams.len()],
        };
        let usage = day
            .map(|day| {
                streams
                    .iter()
                    .zip(used)
                    .filter_map(|(s, n)| counted::answered(&target, s, day, n))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Counted {
            answer: joined.map(|(json, _)| json),
            usage,
        })
    };
    let counted = ctx.store.read_large(&ctx.large_reads, work).await?;
    for (key, counts) in counted.usage {
        ctx.usage.count(key, counts);
    }
    counted.answer
}

/// What is left of a join's read budget.
struct Budget {
    values: usize,
    bytes: usize,
    scan: Scan,
}

/// The join's JSON text, and how many values of each stream it holds.
fn join_streams(
    tx: &impl Readable,
    owner: (TenantId, &str),
    streams: &[SdsStream],
    what: JoinRead,
) -> Result<(Vec<u8>, Vec<u64>), AppError> {
    let kinds = |s: &SdsStream| s.keys.iter().map(|k| k.kind).collect::<Vec<_>>();
    if streams.iter().any(|s| kinds(s) != kinds(&streams[0])) {
        return Err(AppError::invalid(
            "streams",
            "the streams of a join must have the same kind of index",
        ));
    }
    let from = key_of_text(&streams[0].keys, "startIndex", &what.start)?;
    let to = key_of_text(&streams[0].keys, "endIndex", &what.end)?;
    let wanted = what.count.map_or(usize::MAX, ValueCount::get);
    // Without count, or for an inner or interpolated join, a stream's
    // values past the first `count` may still be joined (or be a value's
    // neighbour); else `count` of each suffice.
    let per_stream = match (what.mode, what.count) {
        (JoinMode::Inner | JoinMode::Interpolated, _) | (_, None) => usize::MAX,
        (_, Some(c)) => c.get(),
    };
    let mut budget = Budget {
        values: READ_LIMIT,
        bytes: MAX_ANSWER_BYTES,
        scan: Scan::new(what.filter),
    };
    let mut columns: Vec<Column> = Vec::with_capacity(streams.len());
    let mut horizon: Option<Vec<u8>> = None;
    for stream in streams {
        let (column, stopped) = column(tx, stream, (&from, &to), per_stream, &mut budget)?;
        columns.push(column);
        if let Some(stop) = stopped {
            horizon = Some(horizon.map_or(stop.clone(), |h| h.min(stop)));
        }
    }
    if what.mode == JoinMode::Interpolated {
        return interpolated_join(
            tx,
            owner,
            streams,
            columns,
            (&from, &to),
            (horizon, what.count),
        );
    }
    let rows = join::rows(what.mode, &columns, horizon.as_deref());
    let cap = if what.mode.merges() {
        READ_LIMIT
    } else {
        READ_LIMIT / streams.len()
    };
    let chosen: &[Row] = if rows.len() >= wanted && wanted <= cap {
        &rows[..wanted]
    } else if rows.len() > cap || (horizon.is_some() && !budget.scan.exhausted()) {
        return Err(too_large(what.count.is_some(), cap));
    } else if horizon.is_some() {
        return Err(budget.scan.refused("narrow the window"));
    } else {
        &rows
    };
    Ok(join::write(what.mode, &columns, chosen))
}

/// An interpolated join needs each stream's whole window (a value's
/// neighbours may be anywhere in it): one cut short is refused.
fn interpolated_join(
    tx: &impl Readable,
    owner: (TenantId, &str),
    streams: &[SdsStream],
    columns: Vec<Column>,
    window: (&[u8], &[u8]),
    (horizon, count): (Option<Vec<u8>>, Option<ValueCount>),
) -> Result<(Vec<u8>, Vec<u64>), AppError> {
    let cap = READ_LIMIT / streams.len();
    let indexes = join::rows(JoinMode::Outer, &columns, None).len();
    if horizon.is_some() || indexes > cap {
        return Err(too_large(count.is_some(), cap));
    }
    let filled = join_interpolated::fill(tx, owner.0, streams, columns, window)?;
    let rows = join::rows(JoinMode::Outer, &filled, None);
    let wanted = count.map_or(rows.len(), ValueCount::get).min(rows.len());
    Ok(join::write(JoinMode::Outer, &filled, &rows[..wanted]))
}

fn too_large(counted: bool, cap: usize) -> AppError {
    let field = if counted { "count" } else { "endIndex" };
    AppError::invalid(
        field,
        format!(
            "the join holds more than {cap} rows, or its streams more than {READ_LIMIT} values or {} MiB in this window; narrow the window or ask for fewer rows with count",
            MAX_ANSWER_BYTES >> 20
        ),
    )
}

/// One stream's values of the window, up to `most` of them and within the
/// budget, and the key where reading stopped short of the window's end.
fn column(
    tx: &impl Readable,
    stream: &SdsStream,
    (from, to): (&[u8], &[u8]),
    most: usize,
    budget: &mut Budget,
) -> Result<(Column, Option<Vec<u8>>), AppError> {
    let mut values = Vec::new();
    let mut stopped = None;
    if from > to {
        return Ok((values, stopped));
    }
    let bounds = (Bound::Included(from), Bound::Included(to));
    sds_values::each_in_range(
        tx,
        stream.storage,
        bounds,
        Direction::Forward,
        0,
        usize::MAX,
        |key, json| {
            if !budget.scan.keeps(json) {
                if budget.scan.exhausted() {
                    stopped = Some(key.to_vec());
                }
                return !budget.scan.exhausted();
            }
            if values.len() == most || budget.values == 0 || budget.bytes < json.len() {
                stopped = Some(key.to_vec());
                return false;
            }
            budget.values -= 1;
            budget.bytes -= json.len();
            values.push((key.to_vec(), json.to_vec()));
            true
        },
    )?;
    Ok((values, stopped))
}
