//! A backup holds every table of the database it was taken from, row for
//! row. The database is release 2bb523e's fixture (tenants, identities,
//! communities, invitations, queued email) brought up to date and used a
//! little more, so most tables have rows; each table's count in the backup
//! must equal its count in the live file, and every table the store
//! declares must be in the backup.

use crate::helpers::spawn_app_with;
use crate::upgrade::copy_fixture_to;
use communityd::operator::client;
use communityd::store::{backup_file, tables, FILE_NAME};
use redb::{Database, ReadableDatabase, ReadableTableMetadata, TableHandle};
use std::collections::BTreeMap;

/// Rows per table, read without knowing the tables' types.
fn row_counts(db: &impl ReadableDatabase) -> BTreeMap<String, u64> {
    let tx = db.begin_read().expect("read");
    tx.list_tables()
        .expect("tables")
        .map(|handle| {
            let name = handle.name().to_string();
            let rows = tx.open_untyped_table(handle).expect("table").len();
            (name, rows.expect("count"))
        })
        .collect()
}

#[tokio::test]
async fn a_backup_holds_every_table_row_for_row() {
    if crate::helpers::redb_only("a backup copies the redb file, counted table by table") {
        return;
    }
    let app = spawn_app_with(|s| copy_fixture_to(&s.data_dir)).await;
    let owner = app.tenant("Backup Owner").await;
    let member = app.tenant("Backup Member").await;
    let community = app.community(&owner, "Shared plant data").await;
    app.join(&owner, &community, &member).await;

    // Stopped first, so nothing (the mail worker) writes between the
    // backup and the count of the live file.
    let kept = app.stop().await;
    let backups = tempfile::tempdir().expect("dir");
    let file = backups.path().join("backup.redb");
    let (dir, target) = (kept.path().to_path_buf(), file.clone());
    tokio::task::spawn_blocking(move || client::backup(&dir, &target))
        .await
        .expect("task")
        .expect("backup");

    let live = row_counts(&Database::open(kept.path().join(FILE_NAME)).expect("database"));
    let sealed = backup_file::open(&file).expect("a sealed backup");
    let copy = row_counts(&sealed.database().expect("its database"));
    assert_eq!(copy, sealed.manifest.tables, "the manifest's counts");
    for name in tables::NAMES {
        assert!(
            copy.contains_key(*name),
            "table {name} is not in the backup"
        );
    }
    for (name, rows) in &live {
        assert_eq!(copy.get(name), Some(rows), "rows of {name} in the backup");
    }
    let filled = live.values().filter(|rows| **rows > 0).count();
    assert!(
        filled >= 15,
        "the comparison needs tables with rows; only {filled} had any: {live:?}"
    );
}
