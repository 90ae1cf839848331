//! A backup is checked in full before it replaces anything: one flipped
//! byte anywhere in it (database, free pages, manifest, footer) is refused
//! with the live database left as it was, a file without a manifest is
//! refused, and a good backup restores from a read-only copy without a
//! byte of it changing.

use crate::helpers::spawn_app;
use communityd::operator::client;
use communityd::store::{tables, Store, StoreError, FILE_NAME};
use redb::ReadableTableMetadata;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;

const VALUES: i64 = 2_000;

fn sha256(file: &Path) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(file).expect("read")))
}

/// A stopped server's data dir with a tenant and a stream of values, and
/// a backup of it.
async fn backed_up() -> (Arc<TempDir>, TempDir, PathBuf) {
    let app = spawn_app().await;
    let owner = app.tenant("Backup Owner").await;
    let orders: Vec<i64> = (0..VALUES).collect();
    app.wave_stream(&owner, "flow", &orders).await;
    let live = app.stop().await;
    let backups = tempfile::tempdir().expect("dir");
    let file = backups.path().join("backup.redb");
    client::backup(live.path(), &file).expect("backup");
    (live, backups, file)
}

fn stream_values(data_dir: &Path) -> u64 {
    let store = Store::open(data_dir).expect("the database opens");
    store
        .redb()
        .expect("redb's own tables")
        .read_blocking(|tx| Ok::<_, StoreError>(tx.open_table(tables::SDS_VALUES)?.len()?))
        .expect("count")
}

/// Byte positions spread over the whole file, and every part of the footer.
fn positions(len: usize) -> Vec<usize> {
    let spread = 48;
    let mut at: Vec<usize> = (0..spread).map(|i| i * len / spread).collect();
    at.extend([len - 1, len - 20, len - 40, len - 50, len - 60, len - 200]);
    at
}

#[tokio::test]
async fn a_backup_with_any_flipped_byte_is_refused_and_the_live_database_kept() {
    if crate::helpers::redb_only("backups and restores of the redb file") {
        return;
    }
    let (live, backups, file) = backed_up().await;
    let good = std::fs::read(&file).expect("read");
    let live_file = live.path().join(FILE_NAME);
    let before = sha256(&live_file);
    let mut accepted = Vec::new();
    for at in positions(good.len()) {
        let mut bad = good.clone();
        bad[at] ^= 0xff;
        let copy = backups.path().join(format!("flipped-{at}.redb"));
        std::fs::write(&copy, &bad).expect("write");
        let (dir, source) = (live.path().to_path_buf(), copy.clone());
        let outcome = tokio::task::spawn_blocking(move || client::restore(&dir, &source))
            .await
            .expect("the restore did not panic");
        match outcome {
            Ok(_) => accepted.push(at),
            Err(e) => assert!(e.contains("cannot be restored"), "byte {at}: {e}"),
        }
        assert_eq!(
            sha256(&live_file),
            before,
            "byte {at} changed the live database"
        );
        assert!(
            !live.path().join(format!("{FILE_NAME}.restoring")).exists(),
            "byte {at} left a partial copy"
        );
    }
    assert!(
        accepted.is_empty(),
        "{} of {} damaged backups were restored (bytes {accepted:?} of {})",
        accepted.len(),
        positions(good.len()).len(),
        good.len()
    );
    assert_eq!(stream_values(live.path()), VALUES as u64);
}

#[cfg(unix)]
#[tokio::test]
async fn a_good_backup_restores_from_a_read_only_copy_that_stays_unchanged() {
    if crate::helpers::redb_only("backups and restores of the redb file") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let (_live, backups, file) = backed_up().await;
    let shelf = backups.path().join("shelf");
    std::fs::create_dir(&shelf).expect("dir");
    let copy = shelf.join("read-only.redb");
    std::fs::copy(&file, &copy).expect("copy");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o400)).expect("chmod");
    std::fs::set_permissions(&shelf, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    let before = (
        sha256(&copy),
        std::fs::metadata(&copy).expect("meta").modified().ok(),
    );

    let target = tempfile::tempdir().expect("dir");
    let data_dir = target.path().join("data");
    let restored = client::restore(&data_dir, &copy).expect("a good backup restores");
    assert_eq!(
        restored["schema_version"],
        communityd::store::SCHEMA_VERSION
    );

    let after = (
        sha256(&copy),
        std::fs::metadata(&copy).expect("meta").modified().ok(),
    );
    assert_eq!(after, before, "the restore changed the backup");
    assert_eq!(stream_values(&data_dir), VALUES as u64);
    std::fs::set_permissions(&shelf, std::fs::Permissions::from_mode(0o700)).expect("chmod");
}

#[tokio::test]
async fn a_database_file_without_a_manifest_is_refused() {
    if crate::helpers::redb_only("backups and restores of the redb file") {
        return;
    }
    let (live, backups, _) = backed_up().await;
    let bare = backups.path().join("bare.redb");
    std::fs::copy(live.path().join(FILE_NAME), &bare).expect("copy");
    let target = tempfile::tempdir().expect("dir");
    let err = client::restore(target.path(), &bare).unwrap_err();
    assert!(err.contains("no backup manifest"), "{err}");
    assert!(!target.path().join(FILE_NAME).exists());
}

#[tokio::test]
async fn verify_names_what_failed_and_reports_the_counts_of_a_good_backup() {
    if crate::helpers::redb_only("backups and restores of the redb file") {
        return;
    }
    let (_live, backups, file) = backed_up().await;
    let checked = client::verify(&file).expect("a good backup verifies");
    assert_eq!(checked["tables"]["SDS_VALUES"], VALUES);
    let mut bytes = std::fs::read(&file).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let bad = backups.path().join("bad.redb");
    std::fs::write(&bad, &bytes).expect("write");
    let err = client::verify(&bad).unwrap_err();
    assert!(err.contains("checksum mismatch"), "{err}");
}
