//! One PostgreSQL transaction as the store functions use it: synchronous
//! calls, each a prepared statement (prepared once per connection and
//! cached), driven to completion on the blocking thread the transaction
//! runs on.
//!
//! Round trips are what a request spends here, so none is spent on the
//! transaction itself: its BEGIN goes out with its first statement (one
//! write to the socket, answered together), and a read's COMMIT goes out
//! without waiting for the answer (the connection answers in order, so
//! whoever takes it next is behind it). A write waits for its COMMIT: that
//! answer says whether it is durable, or conflicted and must run again.

use super::block::block_on;
use super::quota::{Day, Ledger};
use crate::store::error::StoreError;
use crate::store::lookup::Lookup;
use crate::store::memo::TxMemory;
use futures_util::FutureExt;
use std::cell::{Cell, RefCell};
use std::future::Future;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

pub struct PgTx<'a> {
    client: &'a deadpool_postgres::Client,
    /// The statement that begins this transaction, with its isolation.
    begin: &'static str,
    /// Whether BEGIN went out (with the first statement), and whether
    /// COMMIT or ROLLBACK has since.
    begun: Cell<bool>,
    ended: Cell<bool>,
    /// Set when a statement failed because of a concurrent transaction, so
    /// the write is run again rather than its error reported.
    conflict: Cell<bool>,
    /// What this read has looked up so far (see `TxMemory`); writes read
    /// afresh, since they change what they read.
    memory: Option<TxMemory>,
    /// A write's lookups read ahead (`prefetch`), answered until the write
    /// sends its next statement: until then it has changed nothing, so
    /// they are what the lookups would read; after it they may not be.
    ahead: TxMemory,
    /// Statements sent so far: round trips, in the trace log.
    statements: Cell<u32>,
    /// A write's quota spends over all its runs, and this run's.
    ledger: Option<&'a Ledger<'a>>,
    quota_spent: RefCell<Vec<Day>>,
}

/// What begins a read: one snapshot, no writes.
pub(super) const BEGIN_READ: &str = "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/// How a write is isolated from the others running at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isolation {
    /// Every write of a use case: as if one ran after the other.
    Serializable,
    /// Writes whose rows are all held by row locks or leases.
    ReadCommitted,
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
    /// A write transaction on `client`, one run of a write that keeps its
    /// quota spends in `ledger`.
    pub(super) fn writing(
        client: &'a deadpool_postgres::Client,
        isolation: Isolation,
        ledger: &'a Ledger<'a>,
    ) -> Self {
        let begin = match isolation {
            Isolation::Serializable => "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            Isolation::ReadCommitted => "START TRANSACTION ISOLATION LEVEL READ COMMITTED",
        };
        Self::new(client, begin, None, Some(ledger))
    }

    /// A REPEATABLE READ, READ ONLY transaction on `client`: one snapshot.
    pub(super) fn reading(client: &'a deadpool_postgres::Client) -> Self {
        Self::new(client, BEGIN_READ, Some(TxMemory::default()), None)
    }

    fn new(
        client: &'a deadpool_postgres::Client,
        begin: &'static str,
        memory: Option<TxMemory>,
        ledger: Option<&'a Ledger<'a>>,
    ) -> Self {
        Self {
            client,
            begin,
            begun: Cell::new(false),
            ended: Cell::new(false),
            conflict: Cell::new(false),
            memory,
            ahead: TxMemory::default(),
            statements: Cell::new(0),
            ledger,
            quota_spent: RefCell::new(Vec::new()),
        }
    }

    /// Spends one of a community's `cap` invitation emails for a day,
    /// outside this transaction (see `quota`); false when none is left.
    pub(super) fn spend_quota(&self, day: Day, cap: u32) -> Result<bool, StoreError> {
        match self.ledger {
            Some(ledger) => ledger.spend(&self.quota_spent, day, cap),
            None => Err(StoreError::Task("a read cannot spend quota".into())),
        }
    }

    /// The quota this run spent or reused.
    pub(super) fn quota_spent(&self) -> Vec<Day> {
        self.quota_spent.borrow().clone()
    }

    /// Commits and waits for the answer: a write's.
    pub(super) fn commit(&self) -> Result<(), tokio_postgres::Error> {
        if self.begun.get() && !self.ended.replace(true) {
            block_on(self.client.batch_execute("COMMIT"))?;
        }
        Ok(())
    }

    /// Ends a read: what it read holds whatever COMMIT answers, so nothing
    /// waits for it.
    pub(super) fn finish_read(&self) {
        self.send_only("COMMIT");
    }

    /// Rolls back without waiting (the next user of the connection is
    /// behind it).
    pub(super) fn roll_back(&self) {
        self.send_only("ROLLBACK");
    }

    fn send_only(&self, end: &str) {
        if self.begun.get() && !self.ended.replace(true) {
            // The first poll sends the message; the answer is let go.
            let _ = self.client.batch_execute(end).now_or_never();
        }
    }

    /// `statement`, with BEGIN in front of it in the same round trip when
    /// it is the transaction's first.
    async fn within<T>(
        &self,
        statement: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, tokio_postgres::Error> {
        if self.begun.replace(true) {
            return statement.await;
        }
        // `join` polls BEGIN first, so it is sent first.
        let (begun, answer) =
            futures_util::future::join(self.client.batch_execute(self.begin), statement).await;
        begun?;
        answer
    }

    /// Whether lookups are remembered for the rest of this transaction
    /// (a read), so reading a whole view ahead (`prefetch`) saves round
    /// trips.
    pub(crate) fn remembers(&self) -> bool {
        self.memory.is_some()
    }

    /// `load`'s answer for `lookup`: in a read, once per transaction; in a
    /// write, read ahead or loaded afresh.
    pub(crate) fn recall<T: Clone + 'static>(
        &self,
        lookup: Lookup<T>,
        load: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.memory {
            Some(memory) => memory.recall(lookup, load),
            None => self.ahead.kept(lookup).map_or_else(load, Ok),
        }
    }

    /// Keeps an answer read ahead: a read for the rest of the transaction,
    /// a write until its next statement.
    pub(crate) fn remember<T: Clone + 'static>(&self, lookup: Lookup<T>, value: T) {
        match &self.memory {
            Some(memory) => memory.remember(lookup, value),
            None => self.ahead.remember(lookup, value),
        }
    }

    pub(super) fn conflicted(&self) -> bool {
        self.conflict.get()
    }

    /// How many statements this transaction has sent.
    pub(crate) fn statements(&self) -> u32 {
        self.statements.get()
    }

    fn check<T>(&self, result: Result<T, tokio_postgres::Error>) -> Result<T, StoreError> {
        self.statements.set(self.statements.get() + 1);
        self.ahead.forget();
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
            let statement = self.client.prepare_cached(sql).await?;
            self.within(self.client.query(&statement, params)).await
        }))
    }

    /// The row the statement returns, if any (more than one is an error).
    pub fn query_opt(&self, sql: &str, params: Params) -> Result<Option<Row>, StoreError> {
        self.check(block_on(async {
            let statement = self.client.prepare_cached(sql).await?;
            self.within(self.client.query_opt(&statement, params)).await
        }))
    }

    /// The one row the statement returns.
    pub fn query_one(&self, sql: &str, params: Params) -> Result<Row, StoreError> {
        self.check(block_on(async {
            let statement = self.client.prepare_cached(sql).await?;
            self.within(self.client.query_one(&statement, params)).await
        }))
    }

    /// How many rows the statement changed.
    pub fn execute(&self, sql: &str, params: Params) -> Result<u64, StoreError> {
        self.check(block_on(async {
            let statement = self.client.prepare_cached(sql).await?;
            self.within(self.client.execute(&statement, params)).await
        }))
    }
}

/// A transaction left without COMMIT (its closure failed or panicked) is
/// rolled back before the connection goes back to the pool.
impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        self.roll_back();
    }
}
