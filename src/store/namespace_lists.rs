//! Access control lists kept one per (tenant, namespace): what a
//! namespace gives its new streams (`stream_defaults`) and a namespace's
//! own list (`namespace_access`). Both are the same record in tables of
//! their own, so they share these functions.

use super::codec::{decode, encode};
use super::error::StoreError;
use super::pg::namespace_lists as pg;
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::AccessControlList;
use redb::{ReadableTable, TableDefinition};
use uuid::Uuid;

/// Where one kind of list is kept, on each backend.
#[derive(Clone, Copy)]
pub struct Lists {
    pub redb: TableDefinition<'static, (Uuid, &'static str), &'static [u8]>,
    /// The PostgreSQL table (`tenant`, `namespace`, `body`).
    pub pg: &'static str,
}

impl Lists {
    pub fn get(
        self,
        tx: &impl Readable,
        tenant: TenantId,
        namespace: &str,
    ) -> Result<Option<AccessControlList>, StoreError> {
        let tx = &redb_or_pg!(tx, |tx| pg::get(tx, self.pg, tenant, namespace));
        let table = tx.table(self.redb)?;
        let found = table.get((tenant.0, namespace))?;
        found.map(|v| decode(v.value())).transpose()
    }

    pub fn put(
        self,
        tx: &impl Writable,
        tenant: TenantId,
        namespace: &str,
        acl: &AccessControlList,
    ) -> Result<(), StoreError> {
        let tx = redb_write_or_pg!(tx, |tx| pg::put(tx, self.pg, tenant, namespace, acl));
        tx.open_table(self.redb)?
            .insert((tenant.0, namespace), encode(acl)?.as_slice())?;
        Ok(())
    }

    /// Every list of the tenant, in namespace order (for copying a store;
    /// a tenant has few).
    pub fn of_tenant(
        self,
        tx: &impl Readable,
        tenant: TenantId,
    ) -> Result<Vec<(String, AccessControlList)>, StoreError> {
        let tx = &redb_or_pg!(tx, |tx| pg::of_tenant(tx, self.pg, tenant));
        let table = tx.table(self.redb)?;
        let mut out = Vec::new();
        for row in table.range((tenant.0, "")..)? {
            let (key, value) = row?;
            let (owner, namespace) = key.value();
            if owner != tenant.0 {
                break;
            }
            out.push((namespace.to_string(), decode(value.value())?));
        }
        Ok(out)
    }
}
