//! The throttle's buckets on PostgreSQL (see `store::throttles`): each as
//! (level, drained at, probed at).

use super::tx::PgTx;
use crate::store::error::StoreError;

pub type Row = (f64, f64, Option<f64>);

pub fn get<const N: usize>(tx: &PgTx, keys: [&str; N]) -> Result<[Option<Row>; N], StoreError> {
    let wanted: Vec<&str> = keys.to_vec();
    let rows = tx.query(
        "SELECT key, level, at_s, probed_s FROM throttles WHERE key = ANY($1)",
        &[&wanted],
    )?;
    let mut found = [None; N];
    for row in rows {
        let key: &str = row.get(0);
        if let Some(at) = keys.iter().position(|k| *k == key) {
            found[at] = Some((row.get(1), row.get(2), row.get(3)));
        }
    }
    Ok(found)
}

pub fn put(tx: &PgTx, key: &str, (level, at, probed): Row) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO throttles (key, level, at_s, probed_s) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE
         SET level = EXCLUDED.level, at_s = EXCLUDED.at_s, probed_s = EXCLUDED.probed_s",
        &[&key, &level, &at, &probed],
    )?;
    Ok(())
}

pub fn forget(tx: &PgTx, key: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM throttles WHERE key = $1", &[&key])?;
    Ok(())
}
