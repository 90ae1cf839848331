//! Lets one read function serve both read and write transactions.

use super::error::StoreError;
use super::memo::{self, Snapshot};
use super::tables::*;
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
        name: &'static str,
        ids: [u128; 3],
        load: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        memo::recall(self.snapshot(), name, ids, load)
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
    tx.open_table(META)?;
    tx.open_table(SECRETS)?;
    tx.open_table(TENANTS)?;
    tx.open_table(TENANT_BY_ALIAS)?;
    tx.open_table(TENANT_BY_NAME)?;
    tx.open_table(TENANT_ICONS)?;
    tx.open_table(USERS)?;
    tx.open_table(USER_BY_EMAIL)?;
    tx.open_table(USERS_BY_TENANT)?;
    tx.open_table(CLIENTS)?;
    tx.open_table(CLIENTS_BY_TENANT)?;
    tx.open_table(COMMUNITIES)?;
    tx.open_table(COMMUNITY_NAMES)?;
    tx.open_table(MEMBERSHIPS)?;
    tx.open_table(MEMBERSHIPS_BY_TENANT)?;
    tx.open_table(GRANTS)?;
    tx.open_table(SHARES)?;
    tx.open_table(COMMUNITY_PREFERRED_REGIONS)?;
    tx.open_table(MEMBER_CONTACT_EMAILS)?;
    tx.open_table(MEMBER_PREFERRED_REGIONS)?;
    tx.open_table(TENANT_EXTERNAL_ACCOUNTS)?;
    tx.open_table(SDS_TYPES)?;
    tx.open_table(SDS_STREAMS)?;
    tx.open_table(SDS_VALUES)?;
    tx.open_table(INVITATIONS)?;
    tx.open_table(INVITATIONS_BY_COMMUNITY)?;
    tx.open_table(INVITATIONS_BY_INVITED_TENANT)?;
    tx.open_table(LIVE_INVITATION)?;
    tx.open_table(INVITATIONS_BY_EXPIRY)?;
    tx.open_table(INVITATION_QUOTA)?;
    tx.open_table(OUTBOX)?;
    tx.open_table(OUTBOX_DUE)?;
    tx.open_table(OUTBOX_CLAIMS)?;
    tx.open_table(OUTBOX_QUARANTINE)?;
    tx.open_table(SESSIONS)?;
    tx.open_table(SESSIONS_BY_EXPIRY)?;
    Ok(())
}
