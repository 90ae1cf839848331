//! Identity providers on PostgreSQL (see `store::identity_providers`): one
//! row per provider, `(tenant, id)` its key so a tenant's providers list in
//! redb's order, `(tenant, name_key)` unique as redb's name index.

use super::tx::PgTx;
use crate::domain::identity_provider::IdentityProvider;
use crate::domain::ids::{IdentityProviderId, TenantId};
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn of_tenant(tx: &PgTx, tenant: TenantId) -> Result<Vec<IdentityProvider>, StoreError> {
    tx.query(
        "SELECT body FROM identity_providers WHERE tenant = $1 ORDER BY id",
        &[&tenant.0],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

pub fn get(
    tx: &PgTx,
    tenant: TenantId,
    id: IdentityProviderId,
) -> Result<Option<IdentityProvider>, StoreError> {
    tx.query_opt(
        "SELECT body FROM identity_providers WHERE tenant = $1 AND id = $2",
        &[&tenant.0, &id.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

/// As on redb: false, writing nothing, when another provider has the
/// name. Two writers racing for one name meet the unique index, and the
/// loser runs again and finds the name taken.
pub fn put(tx: &PgTx, provider: &IdentityProvider) -> Result<bool, StoreError> {
    let key = provider.name_key();
    let taken = tx.query_opt(
        "SELECT 1 FROM identity_providers WHERE tenant = $1 AND name_key = $2 AND id <> $3",
        &[&provider.tenant.0, &key, &provider.id.0],
    )?;
    if taken.is_some() {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO identity_providers (tenant, id, name_key, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, id) DO UPDATE
         SET name_key = EXCLUDED.name_key, body = EXCLUDED.body",
        &[&provider.tenant.0, &provider.id.0, &key, &encode(provider)?],
    )?;
    Ok(true)
}

pub fn delete(tx: &PgTx, tenant: TenantId, id: IdentityProviderId) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "DELETE FROM identity_providers WHERE tenant = $1 AND id = $2",
        &[&tenant.0, &id.0],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity_provider::{GroupRole, ProviderSecret};
    use crate::store::identity_providers;
    use crate::store::pg::communities::{on_both, read, write};
    use chrono::DateTime;
    use uuid::Uuid;

    fn provider(tenant: TenantId, id: u128, name: &str) -> IdentityProvider {
        IdentityProvider {
            id: IdentityProviderId(Uuid::from_u128(id)),
            tenant,
            name: name.into(),
            issuer: "https://login.contoso.example".into(),
            client_id: "communityd".into(),
            client_secret: ProviderSecret::new("secret".into()),
            domains: vec!["contoso.example".into()],
            create_unknown_users: true,
            groups_claim: Some("groups".into()),
            group_roles: vec![GroupRole {
                group: "admins".into(),
                role: Uuid::from_u128(7),
            }],
            // Fixed: both stores must answer the very same record.
            created: DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        }
    }

    #[test]
    fn providers_list_rename_clash_and_delete_like_on_redb() {
        let (tenant, other) = (TenantId::generate(), TenantId::generate());
        // The high bit set sorts last bytewise, first as signed numbers.
        let entra = provider(tenant, 0xff00 << 112, "Entra ID");
        let okta = provider(tenant, 1, "Okta");
        let answers = on_both(|store| {
            let puts = write(store, |tx| {
                Ok([
                    identity_providers::put(tx, &entra)?,
                    identity_providers::put(tx, &okta)?,
                    identity_providers::put(tx, &provider(tenant, 2, "ENTRA id"))?,
                    identity_providers::put(tx, &provider(other, 3, "Entra ID"))?,
                    identity_providers::put(tx, &provider(tenant, 1, "Keycloak"))?,
                    identity_providers::put(tx, &provider(tenant, 4, "Okta"))?,
                ])
            })?;
            let names = |store: &crate::store::Store| {
                read(store, |tx| {
                    Ok(identity_providers::of_tenant(tx, tenant)?
                        .into_iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>())
                })
            };
            let before = names(store)?;
            let deleted = write(store, |tx| {
                Ok([
                    identity_providers::delete(tx, tenant, entra.id)?,
                    identity_providers::delete(tx, tenant, entra.id)?,
                    identity_providers::put(tx, &provider(tenant, 5, "Entra ID"))?,
                ])
            })?;
            let found = read(store, |tx| identity_providers::get(tx, tenant, okta.id))?;
            Ok((puts, before, deleted, names(store)?, found))
        });
        let Some((puts, before, deleted, after, found)) = answers else {
            return;
        };
        assert_eq!(puts, [true, true, false, true, true, true]);
        assert_eq!(before, ["Keycloak", "Okta", "Entra ID"]);
        assert_eq!(deleted, [true, false, true]);
        assert_eq!(after, ["Keycloak", "Okta", "Entra ID"]);
        let found = found.expect("stored");
        assert_eq!(found.client_secret.expose(), "secret");
        assert_eq!(found.group_roles.len(), 1);
    }
}
