//! Table-layout migrations. A record's own layout is versioned by
//! `codec::Record` and converted when read, so only a change to a table's
//! key or value types (a new index, a re-keyed table) needs a step here.
//! Each step takes the database from `from` to `from + 1` and runs inside
//! the opening write transaction: it either completes with the version
//! stamped, or leaves the file as it was. Steps run before the tables of
//! `tables!` are created, so a step sees a table still under its old types
//! and leaves it under the types the registry now declares.

use super::error::StoreError;
use super::tables::META;
use redb::WriteTransaction;

pub type Step = fn(&WriteTransaction) -> Result<(), StoreError>;

/// (from version, step to the next).
pub const STEPS: &[(u64, Step)] = &[
    (1, add_counts),
    (2, add_reminder_index),
    (3, add_invitations_by_recipient),
];

/// 1 -> 2: the COUNTS table, filled once from the records it counts.
fn add_counts(tx: &WriteTransaction) -> Result<(), StoreError> {
    super::counts::store_recount(tx)
}

/// 2 -> 3: the index of invitations awaiting their reminder, filled once
/// from the invitations (none of which was reminded yet).
fn add_reminder_index(tx: &WriteTransaction) -> Result<(), StoreError> {
    super::invitations::index_awaiting_reminders(tx)
}

/// 3 -> 4: INVITATIONS_BY_RECIPIENT, filled from the live invitations.
fn add_invitations_by_recipient(tx: &WriteTransaction) -> Result<(), StoreError> {
    super::invitations::index_recipients(tx)
}

/// Brings a database stamped `found` to `target`, or says why it cannot.
pub fn run(
    tx: &WriteTransaction,
    found: u64,
    target: u64,
    steps: &[(u64, Step)],
) -> Result<(), StoreError> {
    if found > target {
        return Err(StoreError::SchemaMismatch {
            found,
            expected: target,
        });
    }
    for from in found..target {
        let step = steps
            .iter()
            .find(|(v, _)| *v == from)
            .map(|(_, step)| step)
            .ok_or(StoreError::SchemaMismatch {
                found,
                expected: target,
            })?;
        step(tx)?;
        tracing::info!(from, to = from + 1, "database layout migrated");
    }
    tx.open_table(META)?.insert("schema_version", target)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableTable, ReadableTableMetadata};

    fn db() -> (tempfile::TempDir, redb::Database) {
        let dir = tempfile::tempdir().unwrap();
        let db = redb::Database::create(dir.path().join("t.redb")).unwrap();
        (dir, db)
    }

    fn mark(tx: &WriteTransaction, key: &str) -> Result<(), StoreError> {
        let mut meta = tx.open_table(META)?;
        let n = meta.len()?;
        meta.insert(key, n)?;
        Ok(())
    }

    #[test]
    fn steps_run_in_order_and_the_version_is_stamped() {
        let (_dir, db) = db();
        let steps: &[(u64, Step)] = &[(2, |tx| mark(tx, "second")), (1, |tx| mark(tx, "first"))];
        let tx = db.begin_write().unwrap();
        run(&tx, 1, 3, steps).unwrap();
        let meta = tx.open_table(META).unwrap();
        assert_eq!(meta.get("first").unwrap().unwrap().value(), 0);
        assert_eq!(meta.get("second").unwrap().unwrap().value(), 1);
        assert_eq!(meta.get("schema_version").unwrap().unwrap().value(), 3);
    }

    #[test]
    fn a_newer_database_or_a_missing_step_is_refused() {
        let (_dir, db) = db();
        let tx = db.begin_write().unwrap();
        let newer = run(&tx, 4, 3, &[]).unwrap_err().to_string();
        assert!(
            newer.contains("schema 4") && newer.contains("uses 3"),
            "{newer}"
        );
        assert!(run(&tx, 1, 2, &[]).is_err());
    }
}
