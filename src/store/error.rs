use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the database at {0} is in use by another communityd process (a server already running on this data dir?); stop it, or choose another data dir")]
    Locked(String),
    #[error("{0}")]
    DataDir(String),
    #[error("the database was written by a different version of communityd (schema {found}, this build uses {expected}); a database from a newer release needs that release, or restore the backup taken before it")]
    SchemaMismatch { found: u64, expected: u64 },
    #[error("database error: {0}")]
    Database(#[from] redb::Error),
    #[error("record encoding error: {0}")]
    Codec(String),
    #[error("database task failed: {0}")]
    Task(String),
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
    redb::CommitError
);
