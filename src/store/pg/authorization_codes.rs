//! One-time authorization codes on PostgreSQL (see
//! `store::authorization_codes`): one row per code, keyed by its hash.
//! Taking a code is one `DELETE ... RETURNING`, so of two instances
//! trading the same code at once exactly one gets it.

use super::tx::PgTx;
use crate::domain::authorization_code::AuthorizationCode;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;
use chrono::{DateTime, Utc};

pub fn put(tx: &PgTx, key: &[u8], code: &AuthorizationCode) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO authorization_codes (key, expires_ms, body) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE
         SET expires_ms = EXCLUDED.expires_ms, body = EXCLUDED.body",
        &[&key, &code.expires.timestamp_millis(), &encode(code)?],
    )?;
    Ok(())
}

pub fn get(tx: &PgTx, key: &[u8]) -> Result<Option<AuthorizationCode>, StoreError> {
    tx.query_opt(
        "SELECT body FROM authorization_codes WHERE key = $1",
        &[&key],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn take(tx: &PgTx, key: &[u8]) -> Result<Option<AuthorizationCode>, StoreError> {
    tx.query_opt(
        "DELETE FROM authorization_codes WHERE key = $1 RETURNING body",
        &[&key],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

/// Deletes up to `limit` codes that expired before `now` (as on redb),
/// earliest first; returns how many.
pub fn delete_expired(tx: &PgTx, now: DateTime<Utc>, limit: usize) -> Result<usize, StoreError> {
    let deleted = tx.execute(
        "DELETE FROM authorization_codes WHERE key IN (
             SELECT key FROM authorization_codes WHERE expires_ms < $1
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
    use crate::domain::authorization_code::AuthorizationCode;
    use crate::domain::ids::{AuthorizationCodeClientId, TenantId, UserId};
    use crate::store::authorization_codes as codes;
    use crate::store::pg::communities::{on_both, read, write};
    use chrono::{DateTime, Duration, Utc};

    fn code(now: DateTime<Utc>) -> AuthorizationCode {
        AuthorizationCode::new(
            AuthorizationCodeClientId::generate(),
            TenantId::generate(),
            UserId::generate(),
            "http://localhost:5004/callback.html".into(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            Some("nonce".into()),
            now,
        )
    }

    #[test]
    fn a_code_is_taken_once_and_the_sweep_removes_expired_ones_like_on_redb() {
        let now = Utc::now();
        let first = code(now);
        let stale = code(now - Duration::minutes(5));
        let answers = on_both(|store| {
            write(store, |tx| {
                codes::put(tx, b"first", &first)?;
                codes::put(tx, b"stale", &stale)
            })?;
            let taken = write(store, |tx| {
                Ok([codes::take(tx, b"first")?, codes::take(tx, b"first")?])
            })?;
            let swept = write(store, |tx| codes::delete_expired(tx, now, 10))?;
            let left = read(store, |tx| codes::get(tx, b"stale"))?;
            Ok((taken, swept, left))
        });
        let Some((taken, swept, left)) = answers else {
            return;
        };
        assert_eq!(taken, [Some(first), None]);
        assert_eq!(swept, 1);
        assert_eq!(left, None);
    }
}
