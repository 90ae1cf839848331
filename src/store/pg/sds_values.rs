//! Stream values on PostgreSQL (see `store::sds_values`): (stream storage
//! id, index key) -> JSON text. Keys are bytea, which compares bytewise as
//! redb does, so every range walks the values in the same order.

use super::sds_types::bigint;
use super::tx::PgTx;
use crate::store::error::StoreError;
use serde_json::Value;
use std::collections::HashSet;
use std::fmt::Write;
use std::ops::Bound;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

/// How many values the first query of a range walk reads: a page of the
/// default size, a first or last value, or a window page, in one query.
const FIRST_BATCH: usize = 128;
/// Each further query reads twice as many as the one before, up to this.
/// Doubling keeps the values read but not wanted (the walk's `each` stops
/// when the answer is full) below what was wanted, so memory stays within
/// about twice the answer; the cap bounds it for long walks too.
const MAX_BATCH: usize = 2048;

fn parse(bytes: &[u8]) -> Result<Value, StoreError> {
    serde_json::from_slice(bytes).map_err(StoreError::from)
}

pub fn get(tx: &PgTx, stream: Uuid, key: &[u8]) -> Result<Option<Value>, StoreError> {
    let row = tx.query_opt(
        "SELECT json FROM sds_values WHERE stream = $1 AND key = $2",
        &[&stream, &key],
    )?;
    row.map(|r| parse(r.get(0))).transpose()
}

pub fn exists(tx: &PgTx, stream: Uuid, key: &[u8]) -> Result<bool, StoreError> {
    let row = tx.query_one(
        "SELECT EXISTS (SELECT 1 FROM sds_values WHERE stream = $1 AND key = $2)",
        &[&stream, &key],
    )?;
    Ok(row.get(0))
}

pub fn put(tx: &PgTx, stream: Uuid, key: &[u8], json: &[u8]) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sds_values (stream, key, json) VALUES ($1, $2, $3)
         ON CONFLICT (stream, key) DO UPDATE SET json = EXCLUDED.json",
        &[&stream, &key, &json],
    )?;
    Ok(())
}

/// Writes every (key, JSON) pair, telling `check` first each value's place
/// and whether it replaces one; an `Err` from `check` stops there and
/// nothing is written (the transaction it is returned from aborts, as on
/// redb). Two statements whatever the number of values: which keys are
/// stored already, then one insert of them all.
pub fn put_each<'v, E: From<StoreError>>(
    tx: &PgTx,
    stream: Uuid,
    values: impl IntoIterator<Item = (&'v [u8], &'v [u8])>,
    mut check: impl FnMut(usize, bool) -> Result<(), E>,
) -> Result<(), E> {
    let (keys, jsons): (Vec<&[u8]>, Vec<&[u8]>) = values.into_iter().unzip();
    if keys.is_empty() {
        return Ok(());
    }
    let stored = stored_keys(tx, stream, &keys)?;
    let mut seen: HashSet<&[u8]> = stored.iter().map(Vec::as_slice).collect();
    for (i, key) in keys.iter().enumerate() {
        // A key named twice replaces its own first value, as on redb.
        check(i, !seen.insert(key))?;
    }
    // Of a key named twice the last value stays, as on redb (and one
    // INSERT may not change a row twice).
    tx.execute(
        "INSERT INTO sds_values (stream, key, json)
         SELECT DISTINCT ON (v.key) $1::uuid, v.key, v.json
         FROM unnest($2::bytea[], $3::bytea[]) WITH ORDINALITY AS v(key, json, at)
         ORDER BY v.key, v.at DESC
         ON CONFLICT (stream, key) DO UPDATE SET json = EXCLUDED.json",
        &[&stream, &keys, &jsons],
    )?;
    Ok(())
}

/// Which of `keys` the stream holds a value at.
fn stored_keys(tx: &PgTx, stream: Uuid, keys: &[&[u8]]) -> Result<Vec<Vec<u8>>, StoreError> {
    let rows = tx.query(
        "SELECT key FROM sds_values WHERE stream = $1 AND key = ANY($2::bytea[])",
        &[&stream, &keys],
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

pub fn remove(tx: &PgTx, stream: Uuid, key: &[u8]) -> Result<bool, StoreError> {
    let removed = tx.execute(
        "DELETE FROM sds_values WHERE stream = $1 AND key = $2",
        &[&stream, &key],
    )?;
    Ok(removed > 0)
}

/// Removes the values with keys in `start..=end` when there are at most
/// `limit` of them, and returns how many; past `limit` it removes nothing
/// and returns `None`. The count and the removal read the same snapshot
/// (the transaction's), so what is removed is what was counted.
pub fn remove_window(
    tx: &PgTx,
    stream: Uuid,
    (start, end): (&[u8], &[u8]),
    limit: usize,
) -> Result<Option<usize>, StoreError> {
    if count_window(tx, stream, start, end, limit.saturating_add(1))? > limit {
        return Ok(None);
    }
    let removed = tx.execute(
        "DELETE FROM sds_values WHERE stream = $1 AND key >= $2 AND key <= $3",
        &[&stream, &start, &end],
    )?;
    Ok(Some(removed as usize))
}

/// How many values have keys in `start..=end`, counting no further than
/// `limit`.
pub fn count_window(
    tx: &PgTx,
    stream: Uuid,
    start: &[u8],
    end: &[u8],
    limit: usize,
) -> Result<usize, StoreError> {
    let row = tx.query_one(
        "SELECT count(*) FROM (
             SELECT 1 FROM sds_values WHERE stream = $1 AND key >= $2 AND key <= $3 LIMIT $4
         ) AS w",
        &[&stream, &start, &end, &bigint(limit)],
    )?;
    Ok(row.get::<_, i64>(0) as usize)
}

/// Removes the first `limit` values (by key) of a stream whose values all
/// go; returns whether some remain. One statement: it reads one more key
/// than it removes, to know.
pub fn remove_some(tx: &PgTx, stream: Uuid, limit: usize) -> Result<bool, StoreError> {
    let row = tx.query_one(
        "WITH batch AS (
             SELECT key FROM sds_values WHERE stream = $1 ORDER BY key LIMIT $3
         ), gone AS (
             DELETE FROM sds_values WHERE stream = $1
             AND key IN (SELECT key FROM batch ORDER BY key LIMIT $2)
         )
         SELECT count(*) FROM batch",
        &[&stream, &bigint(limit), &bigint(limit.saturating_add(1))],
    )?;
    Ok(row.get::<_, i64>(0) as usize > limit)
}

/// Marks a deleted stream's storage as still holding values to remove.
pub fn purge_later(tx: &PgTx, stream: Uuid) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sds_value_purges (stream) VALUES ($1) ON CONFLICT DO NOTHING",
        &[&stream],
    )?;
    Ok(())
}

/// Removes up to `limit` values of the first storage waiting to be purged
/// (by id, as on redb); returns whether any purge is still waiting.
pub fn purge_some(tx: &PgTx, limit: usize) -> Result<bool, StoreError> {
    let first = tx.query_opt(
        "SELECT stream FROM sds_value_purges ORDER BY stream LIMIT 1",
        &[],
    )?;
    let Some(first) = first.map(|r| r.get::<_, Uuid>(0)) else {
        return Ok(false);
    };
    if !remove_some(tx, first, limit)? {
        tx.execute("DELETE FROM sds_value_purges WHERE stream = $1", &[&first])?;
    }
    let row = tx.query_one("SELECT EXISTS (SELECT 1 FROM sds_value_purges)", &[])?;
    Ok(row.get(0))
}

/// Up to `limit` values with keys between the bounds, after skipping
/// `skip`, walking backward when `backward`.
pub fn range(
    tx: &PgTx,
    stream: Uuid,
    bounds: (Bound<&[u8]>, Bound<&[u8]>),
    backward: bool,
    skip: usize,
    limit: usize,
) -> Result<Vec<(Vec<u8>, Value)>, StoreError> {
    let mut out = Vec::new();
    let mut failed = None;
    each_in_range(tx, stream, bounds, backward, skip, limit, |key, json| {
        match parse(json) {
            Ok(value) => out.push((key.to_vec(), value)),
            Err(e) => failed = Some(e),
        }
        failed.is_none()
    })?;
    failed.map_or(Ok(out), Err)
}

/// Bounds of a range walk, owned: each query after the first starts past
/// the last key the one before read.
type Bounds = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// Calls `each` with the key and stored JSON text of up to `limit` values
/// with keys between the bounds, after skipping `skip`, until it returns
/// false; says how many it was called with. Reads in growing batches (see
/// `MAX_BATCH`), each query going on after the last key of the one before.
pub fn each_in_range(
    tx: &PgTx,
    stream: Uuid,
    (start, end): (Bound<&[u8]>, Bound<&[u8]>),
    backward: bool,
    skip: usize,
    limit: usize,
    mut each: impl FnMut(&[u8], &[u8]) -> bool,
) -> Result<usize, StoreError> {
    let mut bounds: Bounds = (start.map(<[u8]>::to_vec), end.map(<[u8]>::to_vec));
    let (mut skip, mut batch, mut called) = (skip, FIRST_BATCH, 0);
    while called < limit {
        let wanted = batch.min(limit - called);
        let rows = step(tx, stream, &bounds, backward, skip, wanted)?;
        for row in &rows {
            called += 1;
            if !each(row.get(0), row.get(1)) {
                return Ok(called);
            }
        }
        let Some(last) = rows.last().filter(|_| rows.len() == wanted) else {
            break;
        };
        let past = Bound::Excluded(last.get(0));
        if backward {
            bounds.1 = past;
        } else {
            bounds.0 = past;
        }
        skip = 0;
        batch = (batch * 2).min(MAX_BATCH);
    }
    Ok(called)
}

/// One query of a range walk: (key, json) of up to `limit` values between
/// the bounds, in walking order, after skipping `skip`. Each kind of bound
/// is written into the statement (not `$2 IS NULL OR ...`), so that the
/// bounds are always part of the index scan, also in a generic plan.
fn step(
    tx: &PgTx,
    stream: Uuid,
    (lower, upper): &Bounds,
    backward: bool,
    skip: usize,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let (skip, limit) = (bigint(skip), bigint(limit));
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&stream];
    let mut sql = String::from("SELECT key, json FROM sds_values WHERE stream = $1");
    for (bound, included, excluded) in [(lower, ">=", ">"), (upper, "<=", "<")] {
        let (op, key) = match bound {
            Bound::Included(key) => (included, key),
            Bound::Excluded(key) => (excluded, key),
            Bound::Unbounded => continue,
        };
        params.push(key);
        let _ = write!(sql, " AND key {op} ${}", params.len());
    }
    let order = if backward { "DESC" } else { "ASC" };
    params.extend([&limit as &(dyn ToSql + Sync), &skip]);
    let _ = write!(
        sql,
        " ORDER BY key {order} LIMIT ${} OFFSET ${}",
        params.len() - 1,
        params.len()
    );
    tx.query(&sql, &params)
}

#[cfg(test)]
mod tests {
    use super::super::sds_types::both;
    use crate::store::sds_values::{self as values, Direction};
    use crate::store::{Store, StoreError};
    use std::ops::Bound;
    use uuid::Uuid;

    /// Keys of 0 to 3 bytes, many of them prefixes of others, with high
    /// bytes: bytewise order is not the order they are written in.
    fn keys() -> Vec<Vec<u8>> {
        let mut state = 7u32;
        let mut keys: Vec<Vec<u8>> = (0..900)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let bytes = state.to_be_bytes();
                let len = (bytes[3] % 4) as usize;
                bytes[..len].iter().map(|b| b & 0xc3).collect()
            })
            .collect();
        keys.dedup();
        keys
    }

    fn fill(store: &Store, stream: Uuid, keys: &[Vec<u8>]) {
        let jsons: Vec<Vec<u8>> = keys.iter().map(|k| format!("{k:?}").into_bytes()).collect();
        store
            .write_blocking(|tx| {
                let pairs = keys.iter().zip(&jsons);
                let pairs = pairs.map(|(k, j)| (k.as_slice(), j.as_slice()));
                values::put_each(tx, stream, pairs, |_, _| Ok::<_, StoreError>(()))
            })
            .expect("fill");
    }

    #[test]
    fn ranges_walk_in_redbs_order_with_its_bounds_skips_and_limits() {
        let Some(both) = both() else { return };
        let (stream, next) = (Uuid::now_v7(), Uuid::now_v7());
        let keys = keys();
        let (low, high) = (vec![0x41], vec![0x82, 0x01]);
        let bound = |b: u8, key: &[u8]| -> Bound<Vec<u8>> {
            match b {
                0 => Bound::Unbounded,
                1 => Bound::Included(key.to_vec()),
                _ => Bound::Excluded(key.to_vec()),
            }
        };
        let answer = both.same(|store| {
            fill(store, stream, &keys);
            fill(store, next, &[vec![], vec![0]]);
            store
                .read_blocking(|tx| {
                    let mut answers = Vec::new();
                    for (lower, upper) in (0..3).flat_map(|l| (0..3).map(move |u| (l, u))) {
                        let (lower, upper) = (bound(lower, &low), bound(upper, &high));
                        let bounds = (
                            lower.as_ref().map(Vec::as_slice),
                            upper.as_ref().map(Vec::as_slice),
                        );
                        for direction in [Direction::Forward, Direction::Backward] {
                            for (skip, limit) in [
                                (0, 0),
                                (0, 1),
                                (3, 100),
                                (0, 129),
                                (200, 2000),
                                (0, usize::MAX),
                            ] {
                                answers.push(values::range(
                                    tx, stream, bounds.0, bounds.1, direction, skip, limit,
                                )?);
                            }
                        }
                    }
                    Ok::<_, StoreError>(answers)
                })
                .expect("ranges")
        });
        let all = &answer[5];
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            all.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
            sorted
        );
        assert!(all.len() > 300, "{} keys: several batches", all.len());
        assert_eq!(all[0].1, serde_json::json!([]));
        assert!(answer.iter().any(|a| a.len() == 129));
    }

    #[test]
    fn a_walk_stops_where_each_says_and_counts_what_it_was_given() {
        let Some(both) = both() else { return };
        let stream = Uuid::now_v7();
        let keys = keys();
        let answer = both.same(|store| {
            fill(store, stream, &keys);
            store
                .read_blocking(|tx| {
                    let mut answers = Vec::new();
                    for stop in [1, 128, 129, 300] {
                        for direction in [Direction::Forward, Direction::Backward] {
                            let mut seen = Vec::new();
                            let all = (Bound::Unbounded, Bound::Unbounded);
                            let called = values::each_in_range(
                                tx,
                                stream,
                                all,
                                direction,
                                1,
                                1000,
                                |k, json| {
                                    seen.push((k.to_vec(), json.to_vec()));
                                    seen.len() < stop
                                },
                            )?;
                            answers.push((called, seen));
                        }
                    }
                    Ok::<_, StoreError>(answers)
                })
                .expect("walks")
        });
        let counts: Vec<usize> = answer.iter().map(|(called, _)| *called).collect();
        assert_eq!(counts, [1, 1, 128, 128, 129, 129, 300, 300]);
    }

    #[test]
    fn a_write_of_many_says_what_it_replaced_and_an_error_keeps_nothing() {
        let Some(both) = both() else { return };
        let stream = Uuid::now_v7();
        let answer = both.same(|store| {
            store
                .write_blocking(|tx| values::put(tx, stream, b"a", b"1"))
                .expect("put");
            let told = store
                .write_blocking(|tx| {
                    let mut told = Vec::new();
                    let pairs: [(&[u8], &[u8]); 4] =
                        [(b"a", b"2"), (b"b", b"3"), (b"b", b"4"), (b"c", b"5")];
                    values::put_each(tx, stream, pairs, |i, replaced| {
                        told.push((i, replaced));
                        Ok::<_, StoreError>(())
                    })?;
                    Ok::<_, StoreError>(told)
                })
                .expect("put each");
            let refused = store.write_blocking(|tx| {
                let pairs: [(&[u8], &[u8]); 2] = [(b"d", b"6"), (b"a", b"7")];
                values::put_each(tx, stream, pairs, |_, replaced| match replaced {
                    true => Err(StoreError::Task("replaces".into())),
                    false => Ok(()),
                })
            });
            let stored = store
                .read_blocking(|tx| {
                    let all = (Bound::Unbounded, Bound::Unbounded);
                    let found = values::range(tx, stream, all.0, all.1, Direction::Forward, 0, 10)?;
                    let there = [
                        values::exists(tx, stream, b"b")?,
                        values::exists(tx, stream, b"d")?,
                    ];
                    Ok::<_, StoreError>((found, there, values::get(tx, stream, b"c")?))
                })
                .expect("read");
            (told, refused.is_err(), stored)
        });
        assert_eq!(answer.0, [(0, true), (1, false), (2, true), (3, false)]);
        assert!(answer.1);
        let found: Vec<(Vec<u8>, i64)> = (answer.2 .0.iter())
            .map(|(k, v)| (k.clone(), v.as_i64().expect("a number")))
            .collect();
        assert_eq!(
            found,
            [(b"a".to_vec(), 2), (b"b".to_vec(), 4), (b"c".to_vec(), 5)]
        );
        assert_eq!(answer.2 .1, [true, false]);
        assert_eq!(answer.2 .2, Some(serde_json::json!(5)));
    }

    #[test]
    fn windows_are_counted_and_removed_within_their_limit_only() {
        let Some(both) = both() else { return };
        let stream = Uuid::now_v7();
        let keys: Vec<Vec<u8>> = (0u8..20).map(|i| vec![i]).collect();
        let answer = both.same(|store| {
            fill(store, stream, &keys);
            let counted = store
                .read_blocking(|tx| {
                    let count = |start: u8, end: u8, limit| {
                        values::count_window(tx, stream, &[start], &[end], limit)
                    };
                    Ok::<_, StoreError>([
                        count(2, 11, 100)?,
                        count(2, 11, 4)?,
                        count(5, 5, 9)?,
                        count(9, 3, 9)?,
                    ])
                })
                .expect("count");
            let removed = store
                .write_blocking(|tx| {
                    Ok::<_, StoreError>([
                        values::remove_window(tx, stream, (&[2], &[11]), 9)?,
                        values::remove_window(tx, stream, (&[2], &[11]), 10)?,
                        values::remove_window(tx, stream, (&[2], &[11]), 10)?,
                    ])
                })
                .expect("remove window");
            let single = store
                .write_blocking(|tx| {
                    Ok::<_, StoreError>([
                        values::remove(tx, stream, &[15])?,
                        values::remove(tx, stream, &[15])?,
                    ])
                })
                .expect("remove");
            let left = store
                .read_blocking(|tx| values::count_window(tx, stream, &[], &[0xff], usize::MAX))
                .expect("count");
            (counted, removed, single, left)
        });
        assert_eq!(answer.0, [10, 4, 1, 0]);
        assert_eq!(answer.1, [None, Some(10), Some(0)]);
        assert_eq!(answer.2, [true, false]);
        assert_eq!(answer.3, 9);
    }

    #[test]
    fn a_purge_removes_a_bounded_batch_per_transaction_until_none_is_left() {
        let Some(both) = both() else { return };
        let (gone, later, kept) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let keys: Vec<Vec<u8>> = (0u32..25).map(|i| i.to_be_bytes().to_vec()).collect();
        let answer = both.same(|store| {
            fill(store, gone, &keys);
            fill(store, later, &keys[..3]);
            fill(store, kept, &keys[..1]);
            let left = |stream| {
                store
                    .read_blocking(|tx| values::count_window(tx, stream, &[], &[0xff; 4], 100))
                    .expect("count")
            };
            let some = store
                .write_blocking(|tx| {
                    values::purge_later(tx, later)?;
                    values::purge_later(tx, gone)?;
                    values::purge_later(tx, gone)?;
                    Ok::<_, StoreError>([
                        values::remove_some(tx, gone, 0)?,
                        values::remove_some(tx, later, 3)?,
                    ])
                })
                .expect("mark");
            let mut rounds = Vec::new();
            loop {
                let waiting = store
                    .write_blocking(|tx| values::purge_some(tx, 10))
                    .expect("purge");
                rounds.push((waiting, left(gone), left(later), left(kept)));
                if !waiting {
                    break;
                }
            }
            (some, rounds)
        });
        assert_eq!(answer.0, [true, false]);
        assert_eq!(
            answer.1,
            [
                (true, 15, 0, 1),
                (true, 5, 0, 1),
                // `gone` is done; `later`, emptied already, still waits.
                (true, 0, 0, 1),
                (false, 0, 0, 1)
            ]
        );
    }
}
