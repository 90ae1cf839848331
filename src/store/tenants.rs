//! Tenants, their alias index and their icons.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::lookup::Lookup;
use super::pg::{tenants as pg_tenants, PgTx};
use super::tables::{TENANTS, TENANT_BY_ALIAS, TENANT_BY_NAME, TENANT_ICONS};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::TenantId;
use crate::domain::tenant::{name_key, Tenant};
use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for Tenant {}

pub fn get(tx: &impl Readable, id: TenantId) -> Result<Option<Tenant>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg
        .recall(Lookup::tenant(id), || pg_tenants::get(pg, id)));
    tx.recall(Lookup::tenant(id), || {
        let table = tx.table(TENANTS)?;
        let found = table.get(id.0)?;
        found.map(|v| decode(v.value())).transpose()
    })
}

pub fn by_alias(tx: &impl Readable, alias: &str) -> Result<Option<Tenant>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg_tenants::by_alias_key(
        pg,
        &alias.trim().to_lowercase()
    ));
    let id = {
        let index = tx.table(TENANT_BY_ALIAS)?;
        let found = index.get(alias.trim().to_lowercase().as_str())?;
        found.map(|v| TenantId(v.value()))
    };
    match id {
        Some(id) => get(tx, id),
        None => Ok(None),
    }
}

/// What another tenant already holds, so a write was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clash {
    Alias,
    CompanyName,
}

/// Whether a tenant other than `id` holds the company name (any case).
fn name_taken(tx: &WriteTransaction, key: &str, id: Uuid) -> Result<bool, StoreError> {
    let index = tx.open_table(TENANT_BY_NAME)?;
    for entry in index.range((key, Uuid::nil())..=(key, Uuid::max()))? {
        if entry?.0.value().1 != id {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The keys a tenant is unique by: its lower-cased alias and its folded
/// company name.
fn keys(tenant: &Tenant) -> (String, String) {
    (tenant.alias.to_lowercase(), name_key(&tenant.company_name))
}

/// Inserts or replaces a tenant, keeping the alias and name indexes.
/// Writes nothing and names the clash when another tenant already has the
/// alias or the company name.
pub fn put(tx: &impl Writable, tenant: &Tenant) -> Result<Result<(), Clash>, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| put_pg(pg, tenant));
    let (key, name) = keys(tenant);
    let old = get(tx, tenant.id)?;
    let mut index = tx.open_table(TENANT_BY_ALIAS)?;
    let holder = index.get(key.as_str())?.map(|v| v.value());
    if holder.is_some_and(|h| h != tenant.id.0) {
        return Ok(Err(Clash::Alias));
    }
    if name_taken(tx, &name, tenant.id.0)? {
        return Ok(Err(Clash::CompanyName));
    }
    let mut names = tx.open_table(TENANT_BY_NAME)?;
    if let Some(old) = &old {
        index.remove(old.alias.to_lowercase().as_str())?;
        names.remove((name_key(&old.company_name).as_str(), tenant.id.0))?;
    }
    index.insert(key.as_str(), tenant.id.0)?;
    names.insert((name.as_str(), tenant.id.0), ())?;
    tx.open_table(TENANTS)?
        .insert(tenant.id.0, encode(tenant)?.as_slice())?;
    Ok(Ok(()))
}

/// `put` on PostgreSQL: the same checks in the same order (alias first),
/// in one query; the keys' UNIQUE constraints are the backstop against a
/// concurrent put (its violation runs the write again, which then finds
/// the clash here).
fn put_pg(pg: &PgTx, tenant: &Tenant) -> Result<Result<(), Clash>, StoreError> {
    let (key, name) = keys(tenant);
    match pg_tenants::taken(pg, tenant.id, &key, &name)? {
        (true, _) => Ok(Err(Clash::Alias)),
        (false, true) => Ok(Err(Clash::CompanyName)),
        (false, false) => pg_tenants::upsert(pg, tenant, &key, &name).map(Ok),
    }
}

/// Fills the company-name index for tenants written before it existed (a
/// database of an earlier release). Runs on open; does nothing once every
/// tenant is indexed. On PostgreSQL the name key is a column every row
/// has had from the start: nothing to fill.
pub fn index_names(tx: &impl Writable) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |_pg| Ok(()));
    let tenants = tx.open_table(TENANTS)?;
    let mut names = tx.open_table(TENANT_BY_NAME)?;
    if names.len()? == tenants.len()? {
        return Ok(());
    }
    for entry in tenants.range::<Uuid>(..)? {
        let (_, v) = entry?;
        let tenant: Tenant = decode(v.value())?;
        names.insert((name_key(&tenant.company_name).as_str(), tenant.id.0), ())?;
    }
    Ok(())
}

/// Every tenant, for the operator's CLI (a full scan is fine there).
pub fn all(tx: &impl Readable) -> Result<Vec<Tenant>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg_tenants::all(pg));
    let table = tx.table(TENANTS)?;
    let mut out = Vec::new();
    for entry in table.range::<uuid::Uuid>(..)? {
        let (_, v) = entry?;
        out.push(decode(v.value())?);
    }
    Ok(out)
}

pub fn icon(tx: &impl Readable, id: TenantId) -> Result<Option<Vec<u8>>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg_tenants::icon(pg, id));
    let table = tx.table(TENANT_ICONS)?;
    let found = table.get(id.0)?;
    Ok(found.map(|v| v.value().to_vec()))
}

pub fn set_icon(tx: &impl Writable, id: TenantId, png: &[u8]) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| pg_tenants::set_icon(pg, id, png));
    tx.open_table(TENANT_ICONS)?.insert(id.0, png)?;
    Ok(())
}

pub fn delete_icon(tx: &impl Writable, id: TenantId) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| pg_tenants::delete_icon(pg, id));
    let removed = tx.open_table(TENANT_ICONS)?.remove(id.0)?.is_some();
    Ok(removed)
}
