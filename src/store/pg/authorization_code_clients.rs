//! Authorization-code clients on PostgreSQL (see
//! `store::authorization_code_clients`): one row per client, listed by
//! tenant in id order as redb's index lists them.

use super::tx::PgTx;
use crate::domain::authorization_code_client::AuthorizationCodeClient;
use crate::domain::ids::{AuthorizationCodeClientId, TenantId};
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn get(
    tx: &PgTx,
    id: AuthorizationCodeClientId,
) -> Result<Option<AuthorizationCodeClient>, StoreError> {
    tx.query_opt(
        "SELECT body FROM authorization_code_clients WHERE id = $1",
        &[&id.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn of_tenant(tx: &PgTx, tenant: TenantId) -> Result<Vec<AuthorizationCodeClient>, StoreError> {
    tx.query(
        "SELECT body FROM authorization_code_clients WHERE tenant = $1 ORDER BY id",
        &[&tenant.0],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

pub fn put(tx: &PgTx, client: &AuthorizationCodeClient) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO authorization_code_clients (id, tenant, body) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body",
        &[&client.id.0, &client.tenant.0, &encode(client)?],
    )?;
    Ok(())
}

pub fn delete(tx: &PgTx, id: AuthorizationCodeClientId) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "DELETE FROM authorization_code_clients WHERE id = $1",
        &[&id.0],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::authorization_code_clients as clients;
    use crate::store::pg::communities::{on_both, read, write};
    use chrono::Utc;
    use uuid::Uuid;

    fn client(tenant: TenantId, id: u128, name: &str) -> AuthorizationCodeClient {
        AuthorizationCodeClient {
            id: AuthorizationCodeClientId(Uuid::from_u128(id)),
            tenant,
            name: name.into(),
            enabled: true,
            redirect_uris: vec!["http://localhost:5004/callback.html".into()],
            post_logout_redirect_uris: vec![],
            allowed_cors_origins: vec![],
            created: Utc::now(),
        }
    }

    #[test]
    fn clients_list_replace_and_delete_like_on_redb() {
        let (tenant, other) = (TenantId::generate(), TenantId::generate());
        // The high bit set sorts last bytewise, first as signed numbers.
        let late = client(tenant, 0xff00 << 112, "Notebook");
        let early = client(tenant, 1, "Dashboard");
        let answers = on_both(|store| {
            let names = |store: &crate::store::Store| {
                read(store, |tx| {
                    Ok(clients::of_tenant(tx, tenant)?
                        .into_iter()
                        .map(|c| c.name)
                        .collect::<Vec<_>>())
                })
            };
            write(store, |tx| {
                clients::put(tx, &late)?;
                clients::put(tx, &early)?;
                clients::put(tx, &client(other, 2, "Elsewhere"))?;
                clients::put(tx, &client(tenant, 1, "Renamed"))
            })?;
            let before = names(store)?;
            let deleted = write(store, |tx| {
                Ok([clients::delete(tx, late.id)?, clients::delete(tx, late.id)?])
            })?;
            let found = read(store, |tx| Ok(clients::get(tx, early.id)?.map(|c| c.name)))?;
            Ok((before, deleted, names(store)?, found))
        });
        let Some((before, deleted, after, found)) = answers else {
            return;
        };
        assert_eq!(before, ["Renamed", "Notebook"]);
        assert_eq!(deleted, [true, false]);
        assert_eq!(after, ["Renamed"]);
        assert_eq!(found.as_deref(), Some("Renamed"));
    }
}
