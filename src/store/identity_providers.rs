//! A tenant's OpenID Connect providers, keyed (tenant, provider) so a
//! tenant's providers are one range, oldest first (the order of the login
//! page's buttons), with a name index that keeps button names unique in a
//! tenant whatever their case.

use super::codec::{decode, encode, Record};
use super::error::StoreError;
use super::tables::{IDENTITY_PROVIDERS, IDENTITY_PROVIDER_NAMES};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::identity_provider::IdentityProvider;
use crate::domain::ids::{IdentityProviderId, TenantId};
use redb::ReadableTable;
use uuid::Uuid;

/// Layout version 1 (see `codec::Record` for how a layout changes).
impl Record for IdentityProvider {}

/// Every provider of the tenant, oldest first (at most
/// `MAX_PROVIDERS_PER_TENANT`).
pub fn of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Vec<IdentityProvider>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identity_providers::of_tenant(
        pg, tenant
    ));
    let table = tx.table(IDENTITY_PROVIDERS)?;
    let mut out = Vec::new();
    for entry in table.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
        out.push(decode(entry?.1.value())?);
    }
    Ok(out)
}

pub fn get(
    tx: &impl Readable,
    tenant: TenantId,
    id: IdentityProviderId,
) -> Result<Option<IdentityProvider>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identity_providers::get(pg, tenant, id));
    let table = tx.table(IDENTITY_PROVIDERS)?;
    let found = table.get((tenant.0, id.0))?;
    found.map(|v| decode(v.value())).transpose()
}

/// Creates or replaces the provider. False, writing nothing, when another
/// provider of the tenant has its name.
pub fn put(tx: &impl Writable, provider: &IdentityProvider) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::identity_providers::put(pg, provider));
    let key = provider.name_key();
    let tenant = provider.tenant.0;
    let mut names = tx.open_table(IDENTITY_PROVIDER_NAMES)?;
    let holder = names.get((tenant, key.as_str()))?.map(|v| v.value());
    if holder.is_some_and(|id| id != provider.id.0) {
        return Ok(false);
    }
    let mut providers = tx.open_table(IDENTITY_PROVIDERS)?;
    let old: Option<IdentityProvider> = providers
        .get((tenant, provider.id.0))?
        .map(|v| decode(v.value()))
        .transpose()?;
    if let Some(old) = old {
        names.remove((tenant, old.name_key().as_str()))?;
    }
    names.insert((tenant, key.as_str()), provider.id.0)?;
    providers.insert((tenant, provider.id.0), encode(provider)?.as_slice())?;
    Ok(true)
}

/// Removes the provider; false when the tenant had no such provider.
pub fn delete(
    tx: &impl Writable,
    tenant: TenantId,
    id: IdentityProviderId,
) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::identity_providers::delete(
        pg, tenant, id
    ));
    let old: Option<IdentityProvider> = {
        let mut providers = tx.open_table(IDENTITY_PROVIDERS)?;
        let removed = providers.remove((tenant.0, id.0))?;
        removed.map(|v| decode(v.value())).transpose()?
    };
    let Some(old) = old else {
        return Ok(false);
    };
    tx.open_table(IDENTITY_PROVIDER_NAMES)?
        .remove((tenant.0, old.name_key().as_str()))?;
    Ok(true)
}
