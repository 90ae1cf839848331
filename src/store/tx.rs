//! Lets one read function serve both read and write transactions.

use super::error::StoreError;
use super::lookup::Lookup;
use super::memo::{self, Snapshot};
use super::tables::{each_table, EachTable};
use redb::{
    Key, ReadOnlyTable, ReadTransaction, ReadableTable, Table, TableDefinition, Value,
    WriteTransaction,
};

pub trait Readable {
    type Table<'a, K: Key + 'static, V: Value + 'static>: ReadableTable<K, V>
    where
        Self: 'a;

    fn table<'a, K: Key + 'static, V: Value + 'static>(
        &'a self,
        def: TableDefinition<K, V>,
    ) -> Result<Self::Table<'a, K, V>, StoreError>;

    /// The exact snapshot this transaction reads, when records read from it
    /// may be remembered (see `memo`); never for a write transaction.
    fn snapshot(&self) -> Option<Snapshot>;

    /// `load`'s answer for this lookup, from the memo when it has it.
    fn recall<T: Clone + 'static>(
        &self,
        lookup: Lookup<T>,
        load: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        memo::recall(self.snapshot(), lookup, load)
    }
}

impl Readable for ReadTransaction {
    type Table<'a, K: Key + 'static, V: Value + 'static> = ReadOnlyTable<K, V>;

    fn table<'a, K: Key + 'static, V: Value + 'static>(
        &'a self,
        def: TableDefinition<K, V>,
    ) -> Result<Self::Table<'a, K, V>, StoreError> {
        Ok(self.open_table(def)?)
    }

    fn snapshot(&self) -> Option<Snapshot> {
        memo::current()
    }
}

impl Readable for WriteTransaction {
    type Table<'a, K: Key + 'static, V: Value + 'static> = Table<'a, K, V>;

    fn table<'a, K: Key + 'static, V: Value + 'static>(
        &'a self,
        def: TableDefinition<K, V>,
    ) -> Result<Self::Table<'a, K, V>, StoreError> {
        Ok(self.open_table(def)?)
    }

    /// A write transaction sees its own changes: never from memory.
    fn snapshot(&self) -> Option<Snapshot> {
        None
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
