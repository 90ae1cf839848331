//! What can go wrong in the store. Where an error comes from a library
//! (redb, bincode, serde_json, the file system), it is kept as the source,
//! so a log can show the whole chain; the messages stay one line each.

use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the database at {0} is in use by another communityd process (a server already running on this data dir?); stop it, or choose another data dir")]
    Locked(String),
    #[error("the data dir {} cannot be used ({source}); give the server's user write access to it, or choose another with --data-dir or COMMUNITYD_DATA_DIR", dir.display())]
    DataDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the database was written by a different version of communityd (schema {found}, this build uses {expected}); a database from a newer release needs that release, or restore the backup taken before it")]
    SchemaMismatch { found: u64, expected: u64 },
    #[error("the PostgreSQL database at {url} was written by a newer release of communityd (migration {found}, this build knows up to {known}); run that release, or restore the backup taken before the upgrade")]
    NewerDatabase { url: String, found: i64, known: i64 },
    #[error("database error: {0}")]
    Database(#[from] redb::Error),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("COMMUNITYD_DATABASE_URL (database_url in the config file) cannot be used: {0}; write it as postgres://user:password@host:5432/database, or unset it to keep the data in the data dir")]
    DatabaseUrl(String),
    #[error("cannot reach the PostgreSQL database at {url} ({reason}); check that it runs and that COMMUNITYD_DATABASE_URL (database_url in the config file) names the right host, port, user, password and database")]
    Unreachable { url: String, reason: String },
    /// A record the codec itself refuses (a version it does not know).
    #[error("record encoding error: {0}")]
    Codec(String),
    #[error("record encoding error: {0}")]
    Encode(#[from] bincode::error::EncodeError),
    #[error("record encoding error: {0}")]
    Decode(#[from] bincode::error::DecodeError),
    #[error("record encoding error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database task failed: {0}")]
    Task(String),
    /// A backup that is damaged, or not one this release can restore.
    #[error("the backup cannot be used: {0}")]
    Backup(String),
    #[error("database task failed: {}: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database task failed: cannot start the committer: {0}")]
    Committer(#[source] std::io::Error),
    /// Shared by every write that waited on the same failed `fsync`.
    #[error("database task failed: the write could not be made durable: {0}")]
    NotDurable(#[source] Arc<StoreError>),
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Database(e.into())
            }
        }
    )*};
}

from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

impl StoreError {
    /// A file the store reads or writes at `path` failed.
    pub fn file(path: &std::path::Path, source: std::io::Error) -> Self {
        StoreError::File {
            path: path.to_path_buf(),
            source,
        }
    }
}
