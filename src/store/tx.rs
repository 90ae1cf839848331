//! The store's own transaction types. A use case reads through a `ReadTx`
//! and writes through a `WriteTx`, and every store function takes one of
//! them: it never learns which backend runs it. Each store function begins
//! by taking its side (`redb_or_pg!`, `redb_write_or_pg!`): a redb
//! transaction, or a PostgreSQL one (`pg::PgTx`) handed to its twin in
//! `pg`.

use super::error::StoreError;
use super::lookup::Lookup;
use super::memo::{self, Snapshot};
use super::pg::PgTx;
use super::tables::{each_table, EachTable};
use redb::{
    AccessGuard, Key, ReadOnlyTable, ReadTransaction, ReadableTable, ReadableTableMetadata, Table,
    TableDefinition, TableStats, Value, WriteTransaction,
};
use std::borrow::Borrow;
use std::ops::RangeBounds;

/// The transaction a store function was handed, by backend.
pub enum Side<'a> {
    Redb(RedbTx<'a>),
    Pg(&'a PgTx<'a>),
}

/// A write transaction, by backend.
pub enum WriteSide<'a> {
    Redb(&'a WriteTransaction),
    Pg(&'a PgTx<'a>),
}

/// A redb read or write transaction, read alike.
#[derive(Clone, Copy)]
pub enum RedbTx<'a> {
    Read(&'a ReadTransaction),
    Write(&'a WriteTransaction),
}

/// What a read function can read from: a `ReadTx` or a `WriteTx` (a write
/// sees its own changes), or, inside the store, a redb transaction.
pub trait Readable {
    fn side(&self) -> Side<'_>;

    /// The exact snapshot this transaction reads, when records read from it
    /// may be remembered (see `memo`): redb read transactions only.
    fn snapshot(&self) -> Option<Snapshot> {
        match self.side() {
            Side::Redb(RedbTx::Read(_)) => memo::current(),
            Side::Redb(RedbTx::Write(_)) | Side::Pg(_) => None,
        }
    }

    /// `load`'s answer for this lookup, from the memo when it may.
    fn recall<T: Clone + 'static>(
        &self,
        lookup: Lookup<T>,
        load: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        memo::recall(self.snapshot(), lookup, load)
    }
}

/// What a write function can write to: a `WriteTx`, or inside the store a
/// redb write transaction.
pub trait Writable: Readable {
    fn write_side(&self) -> WriteSide<'_>;
}

/// One read transaction of a use case.
pub struct ReadTx<'a>(pub(super) ReadSide<'a>);

pub(super) enum ReadSide<'a> {
    Redb(&'a ReadTransaction),
    Pg(&'a PgTx<'a>),
}

/// One write transaction of a use case. On PostgreSQL it may be run more
/// than once (a serialization failure is retried), so a use case's closure
/// must not consume what it captured.
pub struct WriteTx<'a>(pub(super) WriteSide<'a>);

impl Readable for ReadTx<'_> {
    fn side(&self) -> Side<'_> {
        match self.0 {
            ReadSide::Redb(tx) => Side::Redb(RedbTx::Read(tx)),
            ReadSide::Pg(tx) => Side::Pg(tx),
        }
    }
}

impl Readable for WriteTx<'_> {
    fn side(&self) -> Side<'_> {
        match self.0 {
            WriteSide::Redb(tx) => Side::Redb(RedbTx::Write(tx)),
            WriteSide::Pg(tx) => Side::Pg(tx),
        }
    }
}

impl Writable for WriteTx<'_> {
    fn write_side(&self) -> WriteSide<'_> {
        match self.0 {
            WriteSide::Redb(tx) => WriteSide::Redb(tx),
            WriteSide::Pg(tx) => WriteSide::Pg(tx),
        }
    }
}

impl Readable for RedbTx<'_> {
    fn side(&self) -> Side<'_> {
        Side::Redb(*self)
    }
}

impl Readable for ReadTransaction {
    fn side(&self) -> Side<'_> {
        Side::Redb(RedbTx::Read(self))
    }
}

impl Readable for WriteTransaction {
    fn side(&self) -> Side<'_> {
        Side::Redb(RedbTx::Write(self))
    }
}

impl Writable for WriteTransaction {
    fn write_side(&self) -> WriteSide<'_> {
        WriteSide::Redb(self)
    }
}

/// The redb transaction `$tx` reads, or returns what `$pg` answers with
/// the PostgreSQL one: the first line of every read function.
macro_rules! redb_or_pg {
    ($tx:expr, |$p:ident| $pg:expr $(,)?) => {
        match $crate::store::Readable::side($tx) {
            $crate::store::tx::Side::Redb(tx) => tx,
            $crate::store::tx::Side::Pg($p) => return $pg,
        }
    };
}
pub(crate) use redb_or_pg;

/// The redb write transaction `$tx` is, or returns what `$pg` answers with
/// the PostgreSQL one: the first line of every write function.
macro_rules! redb_write_or_pg {
    ($tx:expr, |$p:ident| $pg:expr $(,)?) => {
        match $crate::store::Writable::write_side($tx) {
            $crate::store::tx::WriteSide::Redb(tx) => tx,
            $crate::store::tx::WriteSide::Pg($p) => return $pg,
        }
    };
}
pub(crate) use redb_write_or_pg;

/// Opens redb tables in a read or a write transaction alike.
pub(super) trait RedbReadable: Readable {
    type Table<'a, K: Key + 'static, V: Value + 'static>: ReadableTable<K, V>
    where
        Self: 'a;

    fn table<'a, K: Key + 'static, V: Value + 'static>(
        &'a self,
        def: TableDefinition<K, V>,
    ) -> Result<Self::Table<'a, K, V>, StoreError>;
}

impl RedbReadable for RedbTx<'_> {
    type Table<'a, K: Key + 'static, V: Value + 'static>
        = RedbTable<'a, K, V>
    where
        Self: 'a;

    fn table<'a, K: Key + 'static, V: Value + 'static>(
        &'a self,
        def: TableDefinition<K, V>,
    ) -> Result<Self::Table<'a, K, V>, StoreError> {
        Ok(match self {
            RedbTx::Read(tx) => RedbTable::Read(tx.open_table(def)?),
            RedbTx::Write(tx) => RedbTable::Write(tx.open_table(def)?),
        })
    }
}

/// A table opened by a read or a write transaction.
pub(super) enum RedbTable<'a, K: Key + 'static, V: Value + 'static> {
    Read(ReadOnlyTable<K, V>),
    Write(Table<'a, K, V>),
}

impl<K: Key + 'static, V: Value + 'static> ReadableTableMetadata for RedbTable<'_, K, V> {
    fn stats(&self) -> redb::Result<TableStats> {
        match self {
            RedbTable::Read(t) => t.stats(),
            RedbTable::Write(t) => t.stats(),
        }
    }

    fn len(&self) -> redb::Result<u64> {
        match self {
            RedbTable::Read(t) => t.len(),
            RedbTable::Write(t) => t.len(),
        }
    }
}

impl<K: Key + 'static, V: Value + 'static> ReadableTable<K, V> for RedbTable<'_, K, V> {
    fn get<'a>(
        &self,
        key: impl Borrow<K::SelfType<'a>>,
    ) -> redb::Result<Option<AccessGuard<'_, V>>> {
        match self {
            RedbTable::Read(t) => t.get(key),
            RedbTable::Write(t) => t.get(key),
        }
    }

    fn range<'a, KR>(&self, range: impl RangeBounds<KR> + 'a) -> redb::Result<redb::Range<'_, K, V>>
    where
        KR: Borrow<K::SelfType<'a>> + 'a,
    {
        match self {
            RedbTable::Read(t) => t.range(range),
            RedbTable::Write(t) => t.range(range),
        }
    }

    fn first(&self) -> redb::Result<Option<(AccessGuard<'_, K>, AccessGuard<'_, V>)>> {
        match self {
            RedbTable::Read(t) => t.first(),
            RedbTable::Write(t) => t.first(),
        }
    }

    fn last(&self) -> redb::Result<Option<(AccessGuard<'_, K>, AccessGuard<'_, V>)>> {
        match self {
            RedbTable::Read(t) => t.last(),
            RedbTable::Write(t) => t.last(),
        }
    }
}

/// Read transactions cannot open a table that was never created.
pub(super) fn create_all_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    struct Create<'t>(&'t WriteTransaction);
    impl EachTable for Create<'_> {
        fn table<K: Key + 'static, V: Value + 'static>(
            &mut self,
            def: TableDefinition<'static, K, V>,
        ) -> Result<(), StoreError> {
            self.0.open_table(def)?;
            Ok(())
        }
    }
    each_table(&mut Create(tx))
}
