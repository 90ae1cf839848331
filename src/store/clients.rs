//! How a client is stored, and the counts its quota needs. The record
//! and its indexes are written by `identities`.
//!
//! Layout 2 holds several secrets per client (with ids, descriptions,
//! expiries and fingerprints), whether it is enabled, and its tags.
//! Layout 1 held a single secret hash; it reads as a client whose only
//! secret (id 1, no expiry, no fingerprint, so it is always checked) is
//! that hash. The same bytes are the `body` of PostgreSQL's `clients`
//! rows, so both backends convert old clients the same way, on read;
//! the first write of the client stores the newest layout. Layout 3 adds
//! the custom roles held (none before custom roles existed).

use super::codec::{layout, Record};
use super::error::StoreError;
use super::tables::CLIENTS_BY_TENANT;
use super::tx::{redb_or_pg, Readable, RedbReadable};
use crate::domain::client_secret::ClientSecret;
use crate::domain::identity::Client;
use crate::domain::ids::{ClientId, TenantId};
use crate::domain::role::RoleSet;
use chrono::{DateTime, Utc};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

impl Record for Client {
    const VERSION: u8 = 3;

    fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => Ok(ClientV2::from(layout::<ClientV1>(body)?).into()),
            2 => Ok(layout::<ClientV2>(body)?.into()),
            _ => Err(StoreError::Codec(format!(
                "unknown client record version {version}"
            ))),
        }
    }
}

/// A client as releases before several secrets stored it.
#[derive(Serialize, Deserialize)]
struct ClientV1 {
    id: ClientId,
    tenant: TenantId,
    name: String,
    secret_hash: String,
    tenant_roles: RoleSet,
    created: DateTime<Utc>,
}

impl From<ClientV1> for ClientV2 {
    fn from(old: ClientV1) -> Self {
        ClientV2 {
            id: old.id,
            tenant: old.tenant,
            name: old.name,
            secrets: vec![ClientSecret {
                id: 1,
                description: String::new(),
                hash: old.secret_hash,
                fingerprint: None,
                created: old.created,
                expires: None,
            }],
            tenant_roles: old.tenant_roles,
            created: old.created,
            enabled: true,
            tags: Vec::new(),
            next_secret_id: 2,
        }
    }
}

/// A client as releases before custom roles stored it.
#[derive(Serialize, Deserialize)]
struct ClientV2 {
    id: ClientId,
    tenant: TenantId,
    name: String,
    secrets: Vec<ClientSecret>,
    tenant_roles: RoleSet,
    created: DateTime<Utc>,
    enabled: bool,
    tags: Vec<String>,
    next_secret_id: u32,
}

impl From<ClientV2> for Client {
    fn from(old: ClientV2) -> Self {
        Client {
            id: old.id,
            tenant: old.tenant,
            name: old.name,
            secrets: old.secrets,
            tenant_roles: old.tenant_roles,
            created: old.created,
            enabled: old.enabled,
            tags: old.tags,
            next_secret_id: old.next_secret_id,
            custom_roles: Vec::new(),
        }
    }
}

/// How many clients the tenant has (for its quota).
pub fn count_of_tenant(tx: &impl Readable, tenant: TenantId) -> Result<usize, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::clients::count_of_tenant(pg, tenant));
    let index = tx.table(CLIENTS_BY_TENANT)?;
    let mut n = 0;
    for entry in index.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
        entry?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;
    use crate::store::codec::{decode, encode};

    #[test]
    fn a_client_with_one_secret_hash_reads_as_a_client_with_that_secret() {
        let old = ClientV1 {
            id: ClientId::generate(),
            tenant: TenantId::generate(),
            name: "ingest".into(),
            secret_hash: "$argon2id$stand-in".into(),
            tenant_roles: RoleSet::of(&[Role::TenantMember]),
            created: Utc::now(),
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: Client = decode(&bytes).unwrap();
        assert_eq!((back.id, back.tenant), (old.id, old.tenant));
        assert_eq!(back.name, old.name);
        assert_eq!(back.tenant_roles, old.tenant_roles);
        assert!(back.enabled);
        assert_eq!(back.secrets.len(), 1);
        let first = &back.secrets[0];
        assert_eq!(
            (first.id, first.hash.as_str()),
            (1, old.secret_hash.as_str())
        );
        assert_eq!((first.fingerprint, first.expires), (None, None));
        assert!(first.may_match(12345));
        assert_eq!(back.next_secret_id, 2);
        let again = encode(&back).unwrap();
        assert_eq!(again[0], 3);
        assert!(back.custom_roles.is_empty());
        assert_eq!(decode::<Client>(&again).unwrap(), back);
    }
}
