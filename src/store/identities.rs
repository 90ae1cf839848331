//! Users and clients of tenants, with their indexes.

use super::codec::{decode, encode, layout, Record};
use super::error::StoreError;
use super::lookup::Lookup;
use super::tables::{CLIENTS, CLIENTS_BY_TENANT, USERS, USERS_BY_TENANT, USER_BY_EMAIL};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::email::EmailAddress;
use crate::domain::identity::{Client, Holder, User};
use crate::domain::ids::{ClientId, PrincipalId, TenantId, UserId};
use crate::domain::paging::Page;
use crate::domain::role::RoleSet;
use chrono::{DateTime, Utc};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Layout 2 adds the password generation; layout 1 is converted on read
/// (generation 0, as every session of that release has), through layout 2.
/// Layout 3 adds `deactivated` (false for every user stored before).
/// Layout 4 adds the custom roles held (none before custom roles existed).
impl Record for User {
    const VERSION: u8 = 4;

    fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => Ok(UserV3::from(UserV2::from(layout::<UserV1>(body)?)).into()),
            2 => Ok(UserV3::from(layout::<UserV2>(body)?).into()),
            3 => Ok(layout::<UserV3>(body)?.into()),
            _ => Err(StoreError::Codec(format!(
                "unknown user record version {version}"
            ))),
        }
    }
}

/// A user as releases before password generations stored it.
#[derive(Serialize, Deserialize)]
struct UserV1 {
    id: UserId,
    tenant: TenantId,
    email: EmailAddress,
    password_hash: String,
    tenant_roles: RoleSet,
    created: DateTime<Utc>,
}

impl From<UserV1> for UserV2 {
    fn from(old: UserV1) -> Self {
        UserV2 {
            id: old.id,
            tenant: old.tenant,
            email: old.email,
            password_hash: old.password_hash,
            tenant_roles: old.tenant_roles,
            created: old.created,
            password_generation: 0,
        }
    }
}

/// A user as releases before deactivation stored it.
#[derive(Serialize, Deserialize)]
struct UserV2 {
    id: UserId,
    tenant: TenantId,
    email: EmailAddress,
    password_hash: String,
    tenant_roles: RoleSet,
    created: DateTime<Utc>,
    password_generation: u32,
}

impl From<UserV2> for UserV3 {
    fn from(old: UserV2) -> Self {
        UserV3 {
            id: old.id,
            tenant: old.tenant,
            email: old.email,
            password_hash: old.password_hash,
            tenant_roles: old.tenant_roles,
            created: old.created,
            password_generation: old.password_generation,
            deactivated: false,
        }
    }
}

/// A user as releases before custom roles stored it.
#[derive(Serialize, Deserialize)]
struct UserV3 {
    id: UserId,
    tenant: TenantId,
    email: EmailAddress,
    password_hash: String,
    tenant_roles: RoleSet,
    created: DateTime<Utc>,
    password_generation: u32,
    deactivated: bool,
}

impl From<UserV3> for User {
    fn from(old: UserV3) -> Self {
        User {
            id: old.id,
            tenant: old.tenant,
            email: old.email,
            password_hash: old.password_hash,
            tenant_roles: old.tenant_roles,
            created: old.created,
            password_generation: old.password_generation,
            deactivated: old.deactivated,
            custom_roles: Vec::new(),
        }
    }
}

pub fn get_user(tx: &impl Readable, id: UserId) -> Result<Option<User>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identities::get_user(pg, id));
    let table = tx.table(USERS)?;
    let found = table.get(id.0)?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn get_client(tx: &impl Readable, id: ClientId) -> Result<Option<Client>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identities::get_client(pg, id));
    let table = tx.table(CLIENTS)?;
    let found = table.get(id.0)?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn user_by_email(
    tx: &impl Readable,
    tenant: TenantId,
    email: &EmailAddress,
) -> Result<Option<User>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identities::user_by_email(
        pg, tenant, email
    ));
    let id = {
        let index = tx.table(USER_BY_EMAIL)?;
        let found = index.get((email.as_str(), tenant.0))?;
        found.map(|v| UserId(v.value()))
    };
    match id {
        Some(id) => get_user(tx, id),
        None => Ok(None),
    }
}

/// The tenants one of whose users has this address.
pub fn tenants_owning(
    tx: &impl Readable,
    email: &EmailAddress,
) -> Result<Vec<TenantId>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identities::tenants_owning(pg, email));
    let index = tx.table(USER_BY_EMAIL)?;
    let mut out = Vec::new();
    for entry in index.range((email.as_str(), Uuid::nil())..=(email.as_str(), Uuid::max()))? {
        let (k, _) = entry?;
        out.push(TenantId(k.value().1));
    }
    Ok(out)
}

/// Inserts or replaces a user. Returns false (writing nothing) when another
/// user of the same tenant has the address.
pub fn put_user(tx: &impl Writable, user: &User) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::identities::put_user(pg, user));
    let old = get_user(tx, user.id)?;
    let mut index = tx.open_table(USER_BY_EMAIL)?;
    let key = (user.email.as_str(), user.tenant.0);
    let holder = index.get(key)?.map(|v| v.value());
    if holder.is_some_and(|h| h != user.id.0) {
        return Ok(false);
    }
    if let Some(old) = old {
        index.remove((old.email.as_str(), old.tenant.0))?;
    }
    index.insert(key, user.id.0)?;
    tx.open_table(USERS_BY_TENANT)?
        .insert((user.tenant.0, user.id.0), ())?;
    tx.open_table(USERS)?
        .insert(user.id.0, encode(user)?.as_slice())?;
    Ok(true)
}

pub fn put_client(tx: &impl Writable, client: &Client) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::identities::put_client(pg, client));
    tx.open_table(CLIENTS_BY_TENANT)?
        .insert((client.tenant.0, client.id.0), ())?;
    tx.open_table(CLIENTS)?
        .insert(client.id.0, encode(client)?.as_slice())?;
    Ok(())
}

fn ids_of_tenant(
    tx: &impl RedbReadable,
    def: redb::TableDefinition<(Uuid, Uuid), ()>,
    tenant: TenantId,
) -> Result<Vec<Uuid>, StoreError> {
    let index = tx.table(def)?;
    let mut out = Vec::new();
    for entry in index.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
        out.push(entry?.0.value().1);
    }
    Ok(out)
}

pub fn users_of_tenant(tx: &impl Readable, tenant: TenantId) -> Result<Vec<User>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identities::users_of_tenant(pg, tenant));
    let mut out = Vec::new();
    for id in ids_of_tenant(tx, USERS_BY_TENANT, tenant)? {
        out.extend(get_user(tx, UserId(id))?);
    }
    Ok(out)
}

pub fn clients_of_tenant(tx: &impl Readable, tenant: TenantId) -> Result<Vec<Client>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identities::clients_of_tenant(
        pg, tenant
    ));
    let mut out = Vec::new();
    for id in ids_of_tenant(tx, CLIENTS_BY_TENANT, tenant)? {
        out.extend(get_client(tx, ClientId(id))?);
    }
    Ok(out)
}

/// The tenant and tenant roles of a user or client, if it exists.
/// One page of a tenant's ids from an index range, oldest first.
fn id_page(
    tx: &impl RedbReadable,
    def: redb::TableDefinition<(Uuid, Uuid), ()>,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<Uuid>, StoreError> {
    let index = tx.table(def)?;
    let mut out = Vec::new();
    let range = index.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))?;
    for entry in range.skip(page.skip).take(page.count) {
        out.push(entry?.0.value().1);
    }
    Ok(out)
}

pub fn user_page(
    tx: &impl Readable,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<User>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identities::user_page(pg, tenant, page));
    let mut out = Vec::new();
    for id in id_page(tx, USERS_BY_TENANT, tenant, page)? {
        out.extend(get_user(tx, UserId(id))?);
    }
    Ok(out)
}

pub fn client_page(
    tx: &impl Readable,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<Client>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::identities::client_page(
        pg, tenant, page
    ));
    let mut out = Vec::new();
    for id in id_page(tx, CLIENTS_BY_TENANT, tenant, page)? {
        out.extend(get_client(tx, ClientId(id))?);
    }
    Ok(out)
}

pub fn principal(tx: &impl Readable, id: PrincipalId) -> Result<Option<Holder>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg.recall(Lookup::principal(id), || {
        super::pg::identities::principal(pg, id)
    }));
    tx.recall(Lookup::principal(id), || {
        Ok(match id {
            PrincipalId::User(u) => get_user(tx, u)?.map(|u| u.holder()),
            PrincipalId::Client(c) => get_client(tx, c)?.map(|c| c.holder()),
        })
    })
}

/// Deletes a user with its email and tenant index entries. Its community
/// roles and its invitation are the caller's to remove in the same
/// transaction. Returns false when there was no such user.
pub fn delete_user(tx: &impl Writable, id: UserId) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::identities::delete_user(pg, id));
    let Some(user) = get_user(tx, id)? else {
        return Ok(false);
    };
    tx.open_table(USERS)?.remove(id.0)?;
    tx.open_table(USERS_BY_TENANT)?
        .remove((user.tenant.0, id.0))?;
    tx.open_table(USER_BY_EMAIL)?
        .remove((user.email.as_str(), user.tenant.0))?;
    Ok(true)
}

/// Deletes a client, its tenant index entry and every community role it
/// holds (a full pass over the grants: deleting a client is a rare
/// operator action, and grants of communities the tenant has left are
/// found too). Returns false when there was no such client.
pub fn delete_client(tx: &impl Writable, id: ClientId) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::identities::delete_client(pg, id));
    let Some(client) = get_client(tx, id)? else {
        return Ok(false);
    };
    tx.open_table(CLIENTS)?.remove(id.0)?;
    tx.open_table(CLIENTS_BY_TENANT)?
        .remove((client.tenant.0, id.0))?;
    let mut grants = tx.open_table(super::tables::GRANTS)?;
    grants.retain(|(_, _, principal), _| principal != id.0)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_without_a_password_generation_still_decodes() {
        let old = UserV1 {
            id: UserId::generate(),
            tenant: TenantId::generate(),
            email: EmailAddress::parse("a@b.example").unwrap(),
            password_hash: "$argon2id$stand-in".into(),
            tenant_roles: RoleSet::default(),
            created: Utc::now(),
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: User = decode(&bytes).unwrap();
        assert_eq!(back.id, old.id);
        assert_eq!(back.email, old.email);
        assert_eq!(back.password_hash, old.password_hash);
        assert_eq!(back.password_generation, 0);
        assert!(!back.deactivated);
        assert_eq!(encode(&back).unwrap()[0], 4);
    }

    #[test]
    fn a_user_from_before_deactivation_still_decodes_active() {
        let old = UserV2 {
            id: UserId::generate(),
            tenant: TenantId::generate(),
            email: EmailAddress::parse("a@b.example").unwrap(),
            password_hash: "$argon2id$stand-in".into(),
            tenant_roles: RoleSet::default(),
            created: Utc::now(),
            password_generation: 4,
        };
        let mut bytes = vec![2u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: User = decode(&bytes).unwrap();
        assert_eq!((back.id, back.password_generation), (old.id, 4));
        assert!(!back.deactivated);
    }

    #[test]
    fn a_user_from_before_custom_roles_keeps_its_state_and_holds_none() {
        let old = UserV3 {
            id: UserId::generate(),
            tenant: TenantId::generate(),
            email: EmailAddress::parse("a@b.example").unwrap(),
            password_hash: "$argon2id$stand-in".into(),
            tenant_roles: RoleSet::default(),
            created: Utc::now(),
            password_generation: 2,
            deactivated: true,
        };
        let mut bytes = vec![3u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: User = decode(&bytes).unwrap();
        assert_eq!((back.id, back.password_generation), (old.id, 2));
        assert!(back.deactivated);
        assert!(back.custom_roles.is_empty());
    }
}
