//! Files and folders only the service's own user may read: the database
//! holds password hashes and the token signing keys, and backups hold the
//! same. Modes are set when a file is created, never left to the umask,
//! and a data dir left open to others is closed at start.

use super::error::StoreError;
use std::fs::File;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Folders: the owner only.
const DIR_MODE: u32 = 0o700;
/// Files: the owner reads and writes.
const FILE_MODE: u32 = 0o600;

/// Creates a new file at `path` (it must not exist), owner-only.
pub fn create_new(path: &Path) -> Result<File, StoreError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
        .map_err(|e| StoreError::file(path, e))
}

/// Creates `dir` and any missing parents owner-only; an existing `dir`
/// open to others is closed to them, with a warning. Tightening is the
/// choice (not refusing to start) because every data dir made by an
/// earlier release is open, and its files stay secret either way.
pub fn data_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    tighten(dir, DIR_MODE);
    Ok(())
}

/// Creates the file at `path` owner-only if it does not exist, and closes
/// an existing one to others (a database made by an earlier release).
pub fn existing_file(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(path)?;
    tighten(path, FILE_MODE);
    Ok(())
}

/// Takes from group and others whatever `path` grants them beyond `mode`.
/// A file this user does not own cannot be changed: that is logged, not
/// fatal (a mounted volume may be owned by root yet writable to us).
fn tighten(path: &Path, mode: u32) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let found = meta.permissions().mode() & 0o777;
    if found & 0o077 == 0 {
        return;
    }
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Ok(()) => tracing::warn!(
            path = %path.display(),
            was = format!("{found:o}"),
            now = format!("{mode:o}"),
            "closed to other local users: it holds password hashes and signing keys"
        ),
        Err(e) => tracing::warn!(
            path = %path.display(),
            mode = format!("{found:o}"),
            error = %e,
            "other local users can open this; make it owner-only (chmod {mode:o})"
        ),
    }
}
