//! Signing keys on PostgreSQL (see `store::secrets`).

use super::tx::PgTx;
use crate::store::error::StoreError;

/// Returns the named key, storing `candidate` when there is none yet.
/// Instances starting together each offer their own candidate; the first
/// insert wins and every instance reads the winner's key: a second
/// insert does nothing (ON CONFLICT), or, if the first is not committed
/// yet, waits for it and fails serialization, so the write runs again
/// and reads the committed key.
pub fn get_or_create(pg: &PgTx, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
    pg.execute(
        "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&name, &candidate],
    )?;
    let row = pg.query_one("SELECT value FROM secrets WHERE name = $1", &[&name])?;
    Ok(row.get(0))
}

pub fn get(pg: &PgTx, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let row = pg.query_opt("SELECT value FROM secrets WHERE name = $1", &[&name])?;
    Ok(row.map(|row| row.get(0)))
}

pub fn put(pg: &PgTx, name: &str, key: &[u8]) -> Result<(), StoreError> {
    pg.execute(
        "INSERT INTO secrets (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
        &[&name, &key],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::store::pg::testing;
    use crate::store::{secrets, Store};

    fn key(store: &Store, name: &str) -> Vec<u8> {
        store
            .write_blocking(|tx| secrets::get_or_create(tx, name))
            .unwrap()
    }

    #[test]
    fn a_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let Some(store) = testing::fresh_store(dir.path()) else {
            eprintln!("skipped: {} is unset", testing::TEST_DATABASE_URL);
            return;
        };
        let store = store.unwrap();
        let first = key(&store, "access_token_key");
        assert_eq!(first.len(), 32);
        assert_eq!(key(&store, "access_token_key"), first);
        assert_ne!(key(&store, "link_token_key"), first);
    }

    /// Four instances start together on one database: all sign with the
    /// same key.
    #[test]
    fn instances_starting_together_agree_on_the_key() {
        let Some(url) = testing::fresh_database_url() else {
            eprintln!("skipped: {} is unset", testing::TEST_DATABASE_URL);
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let keys: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..4)
                .map(|_| {
                    let (dir, url) = (dir.path(), &url);
                    scope.spawn(move || {
                        let store = Store::open_configured(dir, url, 2).unwrap();
                        key(&store, "access_token_key")
                    })
                })
                .collect();
            starts.into_iter().map(|s| s.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    }
}
