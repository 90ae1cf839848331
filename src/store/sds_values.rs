//! Stream values: (stream storage id, index key) -> JSON text. Every read is
//! a key range of one stream.

use super::error::StoreError;
use super::tables::{SDS_VALUES, SDS_VALUE_PURGES};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use redb::{ReadableTable, ReadableTableMetadata, Table};
use serde_json::Value;
use std::ops::{Bound, RangeBounds};
use uuid::Uuid;

pub type Entry = (Vec<u8>, Value);

fn parse(bytes: &[u8]) -> Result<Value, StoreError> {
    serde_json::from_slice(bytes).map_err(StoreError::from)
}

pub fn get(tx: &impl Readable, stream: Uuid, key: &[u8]) -> Result<Option<Value>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_values::get(pg, stream, key));
    let table = tx.table(SDS_VALUES)?;
    let found = table.get((stream, key))?;
    found.map(|v| parse(v.value())).transpose()
}

pub fn exists(tx: &impl Readable, stream: Uuid, key: &[u8]) -> Result<bool, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_values::exists(pg, stream, key));
    let found = tx.table(SDS_VALUES)?.get((stream, key))?.is_some();
    Ok(found)
}

pub fn put(tx: &impl Writable, stream: Uuid, key: &[u8], json: &[u8]) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_values::put(pg, stream, key, json));
    tx.open_table(SDS_VALUES)?.insert((stream, key), json)?;
    Ok(())
}

/// Writes every (key, JSON) pair in one opening of the table, telling
/// `check` each value's place and whether it replaced one; an `Err` from
/// `check` stops there (and aborts the transaction it is returned from).
pub fn put_each<'v, E: From<StoreError>>(
    tx: &impl Writable,
    stream: Uuid,
    values: impl IntoIterator<Item = (&'v [u8], &'v [u8])>,
    mut check: impl FnMut(usize, bool) -> Result<(), E>,
) -> Result<(), E> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_values::put_each(
        pg, stream, values, check
    ));
    let mut table = tx.open_table(SDS_VALUES).map_err(StoreError::from)?;
    for (i, (key, json)) in values.into_iter().enumerate() {
        let replaced = table
            .insert((stream, key), json)
            .map_err(StoreError::from)?
            .is_some();
        check(i, replaced)?;
    }
    Ok(())
}

pub fn remove(tx: &impl Writable, stream: Uuid, key: &[u8]) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_values::remove(pg, stream, key));
    Ok(tx.open_table(SDS_VALUES)?.remove((stream, key))?.is_some())
}

/// Removes the values with keys in `start..=end` when there are at most
/// `limit` of them, and returns how many; past `limit` it removes nothing
/// and returns `None`. One walk of the window, never more than `limit + 1`.
pub fn remove_window(
    tx: &impl Writable,
    stream: Uuid,
    (start, end): (&[u8], &[u8]),
    limit: usize,
) -> Result<Option<usize>, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_values::remove_window(
        pg,
        stream,
        (start, end),
        limit
    ));
    let mut table = tx.open_table(SDS_VALUES)?;
    let keys = first_keys(&table, (stream, start)..=(stream, end), limit + 1)?;
    if keys.len() > limit {
        return Ok(None);
    }
    remove_keys(&mut table, stream, &keys)?;
    Ok(Some(keys.len()))
}

/// How many values have keys in `start..=end`, counting no further than
/// `limit`.
pub fn count_window(
    tx: &impl Readable,
    stream: Uuid,
    start: &[u8],
    end: &[u8],
    limit: usize,
) -> Result<usize, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_values::count_window(
        pg, stream, start, end, limit
    ));
    let table = tx.table(SDS_VALUES)?;
    let range = table.range::<(Uuid, &[u8])>((stream, start)..=(stream, end))?;
    let mut found = 0;
    for entry in range.take(limit) {
        entry?;
        found += 1;
    }
    Ok(found)
}

/// Removes up to `limit` values of a stream whose values all go (it was
/// deleted); returns whether some remain. A bounded batch, so removing a
/// large stream's values never holds the commit thread for long.
pub fn remove_some(tx: &impl Writable, stream: Uuid, limit: usize) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_values::remove_some(
        pg, stream, limit
    ));
    let mut table = tx.open_table(SDS_VALUES)?;
    let from: &[u8] = &[];
    let mut keys = first_keys(
        &table,
        (stream, from)..(next_storage(stream), from),
        limit + 1,
    )?;
    let more = keys.len() > limit;
    keys.truncate(limit);
    remove_keys(&mut table, stream, &keys)?;
    Ok(more)
}

/// The index keys of the first `n` values in `range`.
fn first_keys<'a>(
    table: &Table<(Uuid, &'static [u8]), &'static [u8]>,
    range: impl RangeBounds<(Uuid, &'a [u8])> + 'a,
    n: usize,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut keys = Vec::new();
    for entry in table.range(range)?.take(n) {
        keys.push(entry?.0.value().1.to_vec());
    }
    Ok(keys)
}

fn remove_keys(
    table: &mut Table<(Uuid, &'static [u8]), &'static [u8]>,
    stream: Uuid,
    keys: &[Vec<u8>],
) -> Result<(), StoreError> {
    for key in keys {
        table.remove((stream, key.as_slice()))?;
    }
    Ok(())
}

fn next_storage(stream: Uuid) -> Uuid {
    Uuid::from_u128(stream.as_u128().wrapping_add(1))
}

/// Marks a deleted stream's storage as still holding values to remove.
pub fn purge_later(tx: &impl Writable, stream: Uuid) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_values::purge_later(pg, stream));
    tx.open_table(SDS_VALUE_PURGES)?.insert(stream, ())?;
    Ok(())
}

/// Removes up to `limit` values of the first storage waiting to be purged;
/// returns whether any purge is still waiting.
pub fn purge_some(tx: &impl Writable, limit: usize) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sds_values::purge_some(pg, limit));
    let mut purges = tx.open_table(SDS_VALUE_PURGES)?;
    let Some(first) = purges.first()?.map(|(k, _)| k.value()) else {
        return Ok(false);
    };
    if !remove_some(tx, first, limit)? {
        purges.remove(first)?;
    }
    Ok(!purges.is_empty()?)
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
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_values::range(
        pg,
        stream,
        (start, end),
        direction == Direction::Backward,
        skip,
        limit
    ));
    let mut out = Vec::new();
    let mut failed = None;
    each_in_range(
        tx,
        stream,
        (start, end),
        direction,
        skip,
        limit,
        |key, json| {
            match parse(json) {
                Ok(value) => out.push((key.to_vec(), value)),
                Err(e) => failed = Some(e),
            }
            failed.is_none()
        },
    )?;
    failed.map_or(Ok(out), Err)
}

/// Calls `each` with the key and stored JSON text of up to `limit` values
/// with keys between the bounds, after skipping `skip`, until it returns
/// false; says how many it was called with. Nothing is decoded: a large
/// read copies stored text into its answer instead of building a value
/// tree per value.
pub fn each_in_range(
    tx: &impl Readable,
    stream: Uuid,
    (start, end): (Bound<&[u8]>, Bound<&[u8]>),
    direction: Direction,
    skip: usize,
    limit: usize,
    mut each: impl FnMut(&[u8], &[u8]) -> bool,
) -> Result<usize, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sds_values::each_in_range(
        pg,
        stream,
        (start, end),
        direction == Direction::Backward,
        skip,
        limit,
        each
    ));
    let table = tx.table(SDS_VALUES)?;
    let empty: &[u8] = &[];
    let next_stream = next_storage(stream);
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
    let entries: Box<dyn Iterator<Item = _>> = match direction {
        Direction::Forward => Box::new(range),
        Direction::Backward => Box::new(range.rev()),
    };
    let mut called = 0;
    for entry in entries.skip(skip).take(limit) {
        let (k, v) = entry?;
        called += 1;
        if !each(k.value().1, v.value()) {
            break;
        }
    }
    Ok(called)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RedbStore as Store;

    #[test]
    fn a_purge_removes_a_bounded_batch_per_transaction_until_none_is_left() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let (gone, kept) = (Uuid::now_v7(), Uuid::now_v7());
        store
            .write_blocking(|tx| {
                for i in 0u32..25 {
                    put(tx, gone, &i.to_be_bytes(), b"{}")?;
                }
                put(tx, kept, b"k", b"{}")?;
                purge_later(tx, gone)
            })
            .expect("fill");
        let left = |store: &Store| {
            store
                .read_blocking(|tx| Ok::<_, StoreError>(tx.open_table(SDS_VALUES)?.len()?))
                .expect("read")
        };
        let mut rounds = Vec::new();
        while store
            .write_blocking(|tx| purge_some(tx, 10))
            .expect("purge")
        {
            rounds.push(left(&store));
        }
        rounds.push(left(&store));
        assert_eq!(rounds, vec![16, 6, 1]);
        assert!(!store
            .write_blocking(|tx| purge_some(tx, 10))
            .expect("purge"));
    }
}
