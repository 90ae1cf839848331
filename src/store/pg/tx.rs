//! One PostgreSQL transaction as the store functions use it: synchronous
//! calls, each a prepared statement (prepared once per connection and
//! cached), driven to completion on the blocking thread the transaction
//! runs on.

use crate::store::error::StoreError;
use crate::store::lookup::Lookup;
use crate::store::memo::TxMemory;
use std::cell::Cell;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

pub struct PgTx<'a> {
    tx: &'a deadpool_postgres::Transaction<'a>,
    /// Set when a statement failed because of a concurrent transaction, so
    /// the write is run again rather than its error reported.
    conflict: Cell<bool>,
    /// What this read has looked up so far (see `TxMemory`); writes read
    /// afresh, since they change what they read.
    memory: Option<TxMemory>,
    /// Statements sent so far: round trips, in the trace log.
    statements: Cell<u32>,
}

/// Parameters of one statement.
pub type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

/// Errors that mean "another transaction got there first; run again".
pub(super) fn is_conflict(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::UNIQUE_VIOLATION
    )
}

impl<'a> PgTx<'a> {
    pub(super) fn writing(tx: &'a deadpool_postgres::Transaction<'a>) -> Self {
        Self {
            tx,
            conflict: Cell::new(false),
            memory: None,
            statements: Cell::new(0),
        }
    }

    pub(super) fn reading(tx: &'a deadpool_postgres::Transaction<'a>) -> Self {
        Self {
            memory: Some(TxMemory::default()),
            ..Self::writing(tx)
        }
    }

    /// Whether lookups are remembered for the rest of this transaction
    /// (a read), so reading them ahead (`prefetch`) saves round trips.
    pub(in crate::store) fn remembers(&self) -> bool {
        self.memory.is_some()
    }

    /// `load`'s answer for `lookup`: in a read, once per transaction.
    pub(in crate::store) fn recall<T: Clone + 'static>(
        &self,
        lookup: Lookup<T>,
        load: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.memory {
            Some(memory) => memory.recall(lookup, load),
            None => load(),
        }
    }

    /// Keeps an answer read ahead; a write keeps nothing.
    pub(in crate::store) fn remember<T: Clone + 'static>(&self, lookup: Lookup<T>, value: T) {
        if let Some(memory) = &self.memory {
            memory.remember(lookup, value);
        }
    }

    pub(super) fn conflicted(&self) -> bool {
        self.conflict.get()
    }

    /// How many statements this transaction has sent.
    pub(in crate::store) fn statements(&self) -> u32 {
        self.statements.get()
    }

    fn check<T>(&self, result: Result<T, tokio_postgres::Error>) -> Result<T, StoreError> {
        self.statements.set(self.statements.get() + 1);
        result.map_err(|e| {
            if is_conflict(&e) {
                self.conflict.set(true);
            }
            StoreError::from(e)
        })
    }

    /// Every row the statement returns.
    pub fn query(&self, sql: &str, params: Params) -> Result<Vec<Row>, StoreError> {
        self.check(block_on(async {
            let statement = self.tx.prepare_cached(sql).await?;
            self.tx.query(&statement, params).await
        }))
    }

    /// The row the statement returns, if any (more than one is an error).
    pub fn query_opt(&self, sql: &str, params: Params) -> Result<Option<Row>, StoreError> {
        self.check(block_on(async {
            let statement = self.tx.prepare_cached(sql).await?;
            self.tx.query_opt(&statement, params).await
        }))
    }

    /// The one row the statement returns.
    pub fn query_one(&self, sql: &str, params: Params) -> Result<Row, StoreError> {
        self.check(block_on(async {
            let statement = self.tx.prepare_cached(sql).await?;
            self.tx.query_one(&statement, params).await
        }))
    }

    /// How many rows the statement changed.
    pub fn execute(&self, sql: &str, params: Params) -> Result<u64, StoreError> {
        self.check(block_on(async {
            let statement = self.tx.prepare_cached(sql).await?;
            self.tx.execute(&statement, params).await
        }))
    }
}

/// Drives a database future to completion on this blocking thread (one of
/// the backend runtime's, where blocking is allowed).
pub(super) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Handle::current().block_on(f)
}
