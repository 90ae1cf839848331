//! A backup's layout on disk: the database (a compact redb file), then a
//! manifest that says what it holds, in one file an operator can move
//! around as one thing:
//!
//! ```text
//! [database bytes][manifest JSON][manifest length: u64 LE][SHA-256 of the manifest][MAGIC]
//! ```
//!
//! The manifest carries the SHA-256 of the database bytes and each table's
//! record count, and the footer carries the manifest's own SHA-256, so a
//! change to any byte of the file is found: in the database (free pages and
//! allocator state included, which no record check would read), in the
//! manifest, or in the footer. The file is only ever opened for reading.

use super::error::StoreError;
use redb::{ReadOnlyDatabase, StorageBackend};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Ends every backup that carries a manifest.
const MAGIC: &[u8; 16] = b"COMMUNITYD-BKP-1";
/// The manifest's length, its SHA-256, the magic.
const FOOTER: u64 = 8 + 32 + MAGIC.len() as u64;
/// A manifest names a few dozen tables: anything larger is damage.
const MAX_MANIFEST: u64 = 1024 * 1024;
/// The layout this release writes and reads.
const FORMAT: u32 = 1;

/// What a backup holds, written after the database it describes.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub schema_version: u64,
    pub database_bytes: u64,
    pub database_sha256: String,
    /// Records per table, for every table in the database.
    pub tables: BTreeMap<String, u64>,
}

/// Something wrong with a backup file, in one line naming what failed
/// (the caller names the file).
pub(super) fn damaged(problem: impl std::fmt::Display) -> StoreError {
    StoreError::Backup(problem.to_string())
}

/// SHA-256 of the first `len` bytes of `file`, as lower-case hex.
fn sha256_of(file: &File, len: u64, path: &Path) -> Result<String, StoreError> {
    let mut hasher = Sha256::new();
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file.take(len));
    let copied = std::io::copy(&mut reader, &mut hasher).map_err(|e| StoreError::file(path, e))?;
    if copied != len {
        return Err(damaged("the file ended before the database did"));
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// Appends the manifest to a finished database file at `path`: its size,
/// its checksum, and the record counts the copy made.
pub fn seal(
    path: &Path,
    schema_version: u64,
    tables: BTreeMap<String, u64>,
) -> Result<Manifest, StoreError> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| StoreError::file(path, e))?;
    let database_bytes = file
        .metadata()
        .map_err(|e| StoreError::file(path, e))?
        .len();
    let manifest = Manifest {
        format: FORMAT,
        schema_version,
        database_bytes,
        database_sha256: sha256_of(&file, database_bytes, path)?,
        tables,
    };
    let json = serde_json::to_vec(&manifest)?;
    let mut trailer = json.clone();
    trailer.extend_from_slice(&(json.len() as u64).to_le_bytes());
    trailer.extend_from_slice(&Sha256::digest(&json));
    trailer.extend_from_slice(MAGIC);
    file.write_all(&trailer)
        .map_err(|e| StoreError::file(path, e))?;
    file.sync_all().map_err(|e| StoreError::file(path, e))?;
    Ok(manifest)
}

/// A backup whose manifest and database checksum are verified; its
/// database can be opened read-only.
pub struct Sealed {
    file: File,
    path: PathBuf,
    pub manifest: Manifest,
}

/// Opens `path` read-only and checks the manifest's checksum and the
/// database's against it. A file without a manifest is refused.
pub fn open(path: &Path) -> Result<Sealed, StoreError> {
    let file = File::open(path).map_err(|e| StoreError::file(path, e))?;
    let len = file
        .metadata()
        .map_err(|e| StoreError::file(path, e))?
        .len();
    let manifest = read_manifest(&file, len, path)?;
    if manifest.format != FORMAT {
        return Err(damaged(format!(
            "backup format {} is not one this release reads ({FORMAT})",
            manifest.format
        )));
    }
    let found = sha256_of(&file, manifest.database_bytes, path)?;
    if found != manifest.database_sha256 {
        return Err(damaged(
            format!(
                "checksum mismatch: the database's SHA-256 is {found}, the manifest says {}; the file is damaged",
                manifest.database_sha256
            ),
        ));
    }
    Ok(Sealed {
        file,
        path: path.to_path_buf(),
        manifest,
    })
}

fn read_manifest(file: &File, len: u64, path: &Path) -> Result<Manifest, StoreError> {
    let mut footer = [0u8; FOOTER as usize];
    if len < FOOTER || file.read_exact_at(&mut footer, len - FOOTER).is_err() {
        return Err(no_manifest());
    }
    let (size, rest) = footer.split_at(8);
    let (checksum, magic) = rest.split_at(32);
    if magic != MAGIC {
        return Err(no_manifest());
    }
    let size = u64::from_le_bytes(size.try_into().expect("8 bytes"));
    if size > MAX_MANIFEST || size > len - FOOTER {
        return Err(damaged("the manifest's length is damaged"));
    }
    let mut json = vec![0u8; size as usize];
    file.read_exact_at(&mut json, len - FOOTER - size)
        .map_err(|e| StoreError::file(path, e))?;
    if Sha256::digest(&json)[..] != *checksum {
        return Err(damaged(
            "checksum mismatch: the manifest's SHA-256 does not match the one stored with it; the file is damaged",
        ));
    }
    let manifest: Manifest = serde_json::from_slice(&json)
        .map_err(|e| damaged(format!("the manifest cannot be read: {e}")))?;
    if manifest.database_bytes != len - FOOTER - size {
        return Err(damaged(format!(
            "the manifest describes {} database bytes, the file holds {}",
            manifest.database_bytes,
            len - FOOTER - size
        )));
    }
    Ok(manifest)
}

/// Why a file without a manifest is refused rather than trusted.
fn no_manifest() -> StoreError {
    damaged(
        "no backup manifest at its end: either it is not a communityd backup, its end is damaged, \
         or an older release wrote it without one. A damaged byte in such a file cannot be told \
         apart from a good one, so it is not restored; to keep its data, start a server of the \
         release that wrote it on a copy of it and take a new backup with this release",
    )
}

impl Sealed {
    /// The database part, opened read-only (nothing is ever written to the
    /// backup, so a read-only copy restores too).
    pub fn database(&self) -> Result<ReadOnlyDatabase, StoreError> {
        let part = DatabasePart {
            file: self
                .file
                .try_clone()
                .map_err(|e| StoreError::file(&self.path, e))?,
            len: self.manifest.database_bytes,
        };
        Ok(redb::Builder::new()
            .set_cache_size(16 * 1024 * 1024)
            .open_read_only_with_backend(part)?)
    }
}

impl Sealed {
    /// Copies the database part to a new file `dest`, readable only by its
    /// owner, checking on the way that the bytes copied are the ones the
    /// manifest describes (the backup may have changed since it was checked).
    pub fn copy_database(&self, dest: &Path) -> Result<(), StoreError> {
        let mut out = super::private_files::create_new(dest)?;
        let mut hasher = Sha256::new();
        let mut left = self.manifest.database_bytes;
        let mut offset = 0;
        let mut buffer = vec![0u8; 1 << 20];
        while left > 0 {
            let chunk = &mut buffer[..left.min(1 << 20) as usize];
            self.file
                .read_exact_at(chunk, offset)
                .map_err(|e| StoreError::file(&self.path, e))?;
            hasher.update(&*chunk);
            out.write_all(chunk)
                .map_err(|e| StoreError::file(dest, e))?;
            offset += chunk.len() as u64;
            left -= chunk.len() as u64;
        }
        if format!("{:x}", hasher.finalize()) != self.manifest.database_sha256 {
            return Err(damaged(
                "checksum mismatch: the file changed while it was being restored",
            ));
        }
        out.sync_all().map_err(|e| StoreError::file(dest, e))
    }
}

/// The first `len` bytes of a backup, as storage redb can read and never
/// write.
#[derive(Debug)]
struct DatabasePart {
    file: File,
    len: u64,
}

fn read_only() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        "a backup is opened read-only",
    )
}

impl StorageBackend for DatabasePart {
    fn len(&self) -> Result<u64, std::io::Error> {
        Ok(self.len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
        let end = offset.checked_add(out.len() as u64);
        if end.is_none_or(|end| end > self.len) {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        self.file.read_exact_at(out, offset)
    }

    fn set_len(&self, _: u64) -> Result<(), std::io::Error> {
        Err(read_only())
    }

    fn sync_data(&self) -> Result<(), std::io::Error> {
        Ok(())
    }

    fn write(&self, _: u64, _: &[u8]) -> Result<(), std::io::Error> {
        Err(read_only())
    }
}
