//! The Interpolated join: every index of any stream's window, each stream
//! answering the indexes it has no value at from its stored neighbours (as
//! `domain::sds::interpolation` reads a stream), so every row is full where
//! the stream's modes give a value. The neighbours of the window's first
//! and last indexes may lie outside it: each stream's value before the
//! window and after it are read too.

use super::interpolated::interpolator;
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::domain::sds::interpolation::Interpolator;
use crate::domain::sds::join::{self, Column, JoinMode};
use crate::domain::sds::stream::SdsStream;
use crate::store::sds_values::{self, Direction};
use crate::store::Readable;
use serde_json::Value;
use std::ops::Bound;

/// The columns of a complete window, each filled at every index of the
/// join where its stream answers one.
pub fn fill(
    tx: &impl Readable,
    tenant: TenantId,
    streams: &[SdsStream],
    columns: Vec<Column>,
    (from, to): (&[u8], &[u8]),
) -> Result<Vec<Column>, AppError> {
    let keys: Vec<Vec<u8>> = join::rows(JoinMode::Outer, &columns, None)
        .iter()
        .map(|row| row.key.to_vec())
        .collect();
    let mut filled = Vec::with_capacity(columns.len());
    for (stream, column) in streams.iter().zip(columns) {
        let interpolator = interpolator(tx, tenant, stream)?;
        let outside = (
            neighbour(
                tx,
                stream,
                (Bound::Unbounded, Bound::Excluded(from)),
                Direction::Backward,
            )?,
            neighbour(
                tx,
                stream,
                (Bound::Excluded(to), Bound::Unbounded),
                Direction::Forward,
            )?,
        );
        filled.push(fill_column(&interpolator, column, &keys, outside));
    }
    Ok(filled)
}

/// The stream's one value nearest the window on one side of it.
fn neighbour(
    tx: &impl Readable,
    stream: &SdsStream,
    bounds: (Bound<&[u8]>, Bound<&[u8]>),
    direction: Direction,
) -> Result<Option<Value>, AppError> {
    let found = sds_values::range(tx, stream.storage, bounds.0, bounds.1, direction, 0, 1)?;
    Ok(found.into_iter().next().map(|(_, v)| v))
}

/// `column` with a value at each of `keys` it lacks one at, where the
/// interpolator gives one from the stored values on either side.
fn fill_column(
    interpolator: &Interpolator,
    column: Column,
    keys: &[Vec<u8>],
    (before_window, after_window): (Option<Value>, Option<Value>),
) -> Column {
    let parse = |json: &[u8]| serde_json::from_slice::<Value>(json).ok();
    let mut out: Column = Vec::with_capacity(keys.len());
    let mut at = 0;
    for key in keys {
        while at < column.len() && column[at].0 < *key {
            at += 1;
        }
        if at < column.len() && column[at].0 == *key {
            out.push(column[at].clone());
            continue;
        }
        let before = match at {
            0 => before_window.clone(),
            _ => parse(&column[at - 1].1),
        };
        let after = match column.get(at) {
            Some((_, json)) => parse(json),
            None => after_window.clone(),
        };
        let value = interpolator
            .index_of_key(key.clone())
            .and_then(|index| interpolator.at(&index, before.as_ref(), after.as_ref()));
        if let Some(value) = value {
            out.push((key.clone(), value.to_string().into_bytes()));
        }
    }
    out
}
