//! Authorization-code clients, keyed by id with a (tenant, client) index,
//! so a tenant's clients are one range, oldest first. Nothing else points
//! at them: a code in flight names its client and is refused once the
//! client is gone.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{AUTHORIZATION_CODE_CLIENTS, AUTHORIZATION_CODE_CLIENTS_BY_TENANT};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::authorization_code_client::AuthorizationCodeClient;
use crate::domain::ids::{AuthorizationCodeClientId, TenantId};
use redb::ReadableTable;
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for AuthorizationCodeClient {}

pub fn get(
    tx: &impl Readable,
    id: AuthorizationCodeClientId,
) -> Result<Option<AuthorizationCodeClient>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::authorization_code_clients::get(pg, id));
    let table = tx.table(AUTHORIZATION_CODE_CLIENTS)?;
    let found = table.get(id.0)?;
    found.map(|v| decode(v.value())).transpose()
}

/// Every client of the tenant, oldest first (a tenant has at most
/// `MAX_AUTHORIZATION_CODE_CLIENTS_PER_TENANT`).
pub fn of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Vec<AuthorizationCodeClient>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::authorization_code_clients::of_tenant(
        pg, tenant
    ));
    let index = tx.table(AUTHORIZATION_CODE_CLIENTS_BY_TENANT)?;
    let mut out = Vec::new();
    for entry in index.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
        let id = AuthorizationCodeClientId(entry?.0.value().1);
        out.extend(get(tx, id)?);
    }
    Ok(out)
}

/// Creates or replaces the client (its tenant never changes).
pub fn put(tx: &impl Writable, client: &AuthorizationCodeClient) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::authorization_code_clients::put(
        pg, client
    ));
    tx.open_table(AUTHORIZATION_CODE_CLIENTS_BY_TENANT)?
        .insert((client.tenant.0, client.id.0), ())?;
    tx.open_table(AUTHORIZATION_CODE_CLIENTS)?
        .insert(client.id.0, encode(client)?.as_slice())?;
    Ok(())
}

/// Removes the client; false when there was none.
pub fn delete(tx: &impl Writable, id: AuthorizationCodeClientId) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::authorization_code_clients::delete(
        pg, id
    ));
    let old: Option<AuthorizationCodeClient> = {
        let mut table = tx.open_table(AUTHORIZATION_CODE_CLIENTS)?;
        let removed = table.remove(id.0)?;
        removed.map(|v| decode(v.value())).transpose()?
    };
    let Some(old) = old else {
        return Ok(false);
    };
    tx.open_table(AUTHORIZATION_CODE_CLIENTS_BY_TENANT)?
        .remove((old.tenant.0, id.0))?;
    Ok(true)
}
