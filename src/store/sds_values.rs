//! Stream values: (stream storage id, index key) -> JSON text. Every read is
//! a key range of one stream.

use super::error::StoreError;
use super::tables::SDS_VALUES;
use super::tx::Readable;
use redb::{ReadableTable, WriteTransaction};
use serde_json::Value;
use std::ops::Bound;
use uuid::Uuid;

pub type Entry = (Vec<u8>, Value);

fn parse(bytes: &[u8]) -> Result<Value, StoreError> {
    serde_json::from_slice(bytes).map_err(StoreError::from)
}

pub fn get(tx: &impl Readable, stream: Uuid, key: &[u8]) -> Result<Option<Value>, StoreError> {
    let table = tx.table(SDS_VALUES)?;
    let found = table.get((stream, key))?;
    found.map(|v| parse(v.value())).transpose()
}

pub fn exists(tx: &impl Readable, stream: Uuid, key: &[u8]) -> Result<bool, StoreError> {
    Ok(tx.table(SDS_VALUES)?.get((stream, key))?.is_some())
}

pub fn put(tx: &WriteTransaction, stream: Uuid, key: &[u8], json: &[u8]) -> Result<(), StoreError> {
    tx.open_table(SDS_VALUES)?.insert((stream, key), json)?;
    Ok(())
}

pub fn remove(tx: &WriteTransaction, stream: Uuid, key: &[u8]) -> Result<bool, StoreError> {
    Ok(tx.open_table(SDS_VALUES)?.remove((stream, key))?.is_some())
}

/// Removes the values with keys in `start..=end`; returns how many.
pub fn remove_window(
    tx: &WriteTransaction,
    stream: Uuid,
    start: &[u8],
    end: &[u8],
) -> Result<u64, StoreError> {
    let mut removed = 0;
    tx.open_table(SDS_VALUES)?
        .retain_in((stream, start)..=(stream, end), |_, _| {
            removed += 1;
            false
        })?;
    Ok(removed)
}

/// Every value of a stream goes (the stream was deleted).
pub fn remove_all(tx: &WriteTransaction, stream: Uuid) -> Result<(), StoreError> {
    let mut table = tx.open_table(SDS_VALUES)?;
    let from: &[u8] = &[];
    table.retain_in(
        (stream, from)..(Uuid::from_u128(stream.as_u128().wrapping_add(1)), from),
        |_, _| false,
    )?;
    Ok(())
}

/// Which way a range read walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

/// Up to `limit` values with keys between the bounds, after skipping `skip`.
pub fn range(
    tx: &impl Readable,
    stream: Uuid,
    start: Bound<&[u8]>,
    end: Bound<&[u8]>,
    direction: Direction,
    skip: usize,
    limit: usize,
) -> Result<Vec<Entry>, StoreError> {
    let table = tx.table(SDS_VALUES)?;
    let empty: &[u8] = &[];
    let next_stream = Uuid::from_u128(stream.as_u128().wrapping_add(1));
    let lower = match start {
        Bound::Included(k) => Bound::Included((stream, k)),
        Bound::Excluded(k) => Bound::Excluded((stream, k)),
        Bound::Unbounded => Bound::Included((stream, empty)),
    };
    let upper = match end {
        Bound::Included(k) => Bound::Included((stream, k)),
        Bound::Excluded(k) => Bound::Excluded((stream, k)),
        Bound::Unbounded => Bound::Excluded((next_stream, empty)),
    };
    let range = table.range::<(Uuid, &[u8])>((lower, upper))?;
    let mut out = Vec::new();
    match direction {
        Direction::Forward => {
            for entry in range.skip(skip).take(limit) {
                let (k, v) = entry?;
                out.push((k.value().1.to_vec(), parse(v.value())?));
            }
        }
        Direction::Backward => {
            for entry in range.rev().skip(skip).take(limit) {
                let (k, v) = entry?;
                out.push((k.value().1.to_vec(), parse(v.value())?));
            }
        }
    }
    Ok(out)
}
