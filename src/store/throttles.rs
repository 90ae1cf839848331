//! Failure buckets of the sign-in throttle, kept where every instance sees
//! them (PostgreSQL). A bucket is its level, when it was last drained and
//! when it was last let through over budget (seconds on the wall clock).
//! On redb, one process serves, and its in-memory throttle needs none of
//! this; the table keeps both backends able to answer alike.

use super::error::StoreError;
use super::tables::THROTTLES;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use redb::ReadableTable;

/// One bucket as stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub value: f64,
    pub at: f64,
    pub probed: Option<f64>,
}

/// The buckets under `keys`, in the same order.
pub fn get<const N: usize>(
    tx: &impl Readable,
    keys: [&str; N],
) -> Result<[Option<Bucket>; N], StoreError> {
    let tx = &redb_or_pg!(tx, |pg| Ok(super::pg::throttles::get(pg, keys)?
        .map(|row| row.map(|(value, at, probed)| Bucket { value, at, probed }))));
    let table = tx.table(THROTTLES)?;
    let mut found = [None; N];
    for (slot, key) in found.iter_mut().zip(keys) {
        *slot = table.get(key)?.map(|v| {
            let (value, at, probed) = v.value();
            Bucket {
                value,
                at,
                probed: (probed >= 0.0).then_some(probed),
            }
        });
    }
    Ok(found)
}

pub fn put(tx: &impl Writable, key: &str, bucket: Bucket) -> Result<(), StoreError> {
    let row = (bucket.value, bucket.at, bucket.probed);
    let tx = redb_write_or_pg!(tx, |pg| super::pg::throttles::put(pg, key, row));
    let stored = (bucket.value, bucket.at, bucket.probed.unwrap_or(-1.0));
    tx.open_table(THROTTLES)?.insert(key, stored)?;
    Ok(())
}

pub fn forget(tx: &impl Writable, key: &str) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::throttles::forget(pg, key));
    tx.open_table(THROTTLES)?.remove(key)?;
    Ok(())
}
