//! Portal sessions on PostgreSQL (see `store::sessions`): one row per
//! session, keyed by the hash of its cookie, with its expiry beside the
//! body so the sweep finds expired rows through `sessions_by_expiry`.

use super::tx::PgTx;
use crate::domain::session::Session;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;
use chrono::{DateTime, Utc};

pub fn get(tx: &PgTx, key: &[u8]) -> Result<Option<Session>, StoreError> {
    tx.query_opt("SELECT body FROM sessions WHERE key = $1", &[&key])?
        .map(|row| decode(row.get::<_, &[u8]>(0)))
        .transpose()
}

pub fn put(tx: &PgTx, key: &[u8], session: &Session) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sessions (key, expires_ms, body) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE
         SET expires_ms = EXCLUDED.expires_ms, body = EXCLUDED.body",
        &[&key, &session.expires.timestamp_millis(), &encode(session)?],
    )?;
    Ok(())
}

pub fn delete(tx: &PgTx, key: &[u8]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE key = $1", &[&key])?;
    Ok(())
}

/// Up to `limit` sessions with keys after `after`, in key order.
pub fn page_after(
    tx: &PgTx,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<(Vec<u8>, Session)>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match after {
        None => tx.query(
            "SELECT key, body FROM sessions ORDER BY key LIMIT $1",
            &[&limit],
        )?,
        Some(key) => tx.query(
            "SELECT key, body FROM sessions WHERE key > $1 ORDER BY key LIMIT $2",
            &[&key, &limit],
        )?,
    };
    rows.iter()
        .map(|row| Ok((row.get(0), decode(row.get::<_, &[u8]>(1))?)))
        .collect()
}

/// Deletes up to `limit` sessions that expired before `now` (the redb side
/// takes `expires < now` too), earliest expiry first; returns how many.
/// Two instances sweeping at once conflict, and the loser runs again on
/// the rows that are left.
pub fn delete_expired(tx: &PgTx, now: DateTime<Utc>, limit: usize) -> Result<usize, StoreError> {
    let deleted = tx.execute(
        "DELETE FROM sessions WHERE key IN (
             SELECT key FROM sessions WHERE expires_ms < $1
             ORDER BY expires_ms, key LIMIT $2)",
        &[
            &now.timestamp_millis(),
            &i64::try_from(limit).unwrap_or(i64::MAX),
        ],
    )?;
    Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::super::identities::{on_both, write};
    use crate::domain::ids::{TenantId, UserId};
    use crate::domain::session::Session;
    use crate::store::{sessions, StoreError};
    use chrono::{DateTime, Duration, Utc};

    fn session(expires: DateTime<Utc>) -> Session {
        Session {
            user: UserId::generate(),
            tenant: TenantId::generate(),
            csrf: "token".into(),
            created: expires - Duration::hours(1),
            expires,
            invitation_links: Vec::new(),
            password_generation: 0,
        }
    }

    #[test]
    fn a_session_is_put_replaced_and_deleted_like_on_redb() {
        let now = Utc::now();
        let first = session(now);
        let second = session(now + Duration::hours(2));
        let answers = on_both(|store| {
            let get = || {
                store
                    .read_blocking(|tx| sessions::get(tx, b"cookie"))
                    .unwrap()
            };
            write(store, |tx| sessions::put(tx, b"cookie", &first));
            let put = get();
            write(store, |tx| sessions::put(tx, b"cookie", &second));
            let replaced = get();
            // The replaced expiry no longer counts: nothing expired.
            let swept = write(store, |tx| {
                sessions::delete_expired(tx, now + Duration::hours(1), 10)
            });
            write(store, |tx| sessions::delete(tx, b"cookie"));
            write(store, |tx| sessions::delete(tx, b"never there"));
            (put, replaced, swept, get())
        });
        let Some((put, replaced, swept, deleted)) = answers else {
            return;
        };
        assert_eq!(put, Some(first.clone()));
        assert_eq!(replaced, Some(second.clone()));
        assert_eq!(swept, 0);
        assert_eq!(deleted, None);
    }

    #[test]
    fn the_sweep_deletes_a_bounded_batch_of_the_earliest_expired() {
        let now = Utc::now();
        // Five expired (one a millisecond before now), one expiring exactly
        // now (kept: expired means before now), one later.
        let expiries =
            [-50, -40, -30, -20, -1, 0, 60_000].map(|ms| now + Duration::milliseconds(ms));
        let answers = on_both(|store| {
            for (i, expires) in expiries.iter().enumerate() {
                write(store, |tx| {
                    sessions::put(tx, &[i as u8], &session(*expires))
                });
            }
            let batches = [2, 2, 2, 2]
                .map(|limit| write(store, |tx| sessions::delete_expired(tx, now, limit)));
            let left = store
                .read_blocking(|tx| {
                    (0..expiries.len() as u8)
                        .map(|i| Ok::<_, StoreError>(sessions::get(tx, &[i])?.is_some()))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap();
            (batches, left)
        });
        let Some((batches, left)) = answers else {
            return;
        };
        assert_eq!(batches, [2, 2, 1, 0]);
        assert_eq!(left, [false, false, false, false, false, true, true]);
    }

    #[test]
    fn the_first_sweep_takes_the_earliest_expiries() {
        let now = Utc::now();
        let answers = on_both(|store| {
            // Put latest first, so insertion order is not expiry order.
            for (key, ms) in [(b'c', -10), (b'b', -20), (b'a', -30)] {
                let s = session(now + Duration::milliseconds(ms));
                write(store, |tx| sessions::put(tx, &[key], &s));
            }
            write(store, |tx| sessions::delete_expired(tx, now, 2));
            store
                .read_blocking(|tx| {
                    [b'a', b'b', b'c']
                        .map(|k| sessions::get(tx, &[k]).map(|s| s.is_some()))
                        .into_iter()
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap()
        });
        if let Some(left) = answers {
            assert_eq!(left, [false, false, true]);
        }
    }
}
