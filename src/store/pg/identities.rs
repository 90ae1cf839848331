//! Users and clients on PostgreSQL (see `store::identities`). One row per
//! user or client; the redb side's indexes are the table's keys: the
//! primary key by id, `(email_key, tenant)` unique, and `(tenant, id)` for
//! a tenant's lists, which therefore come in the same order as redb's
//! (uuids compare bytewise on both).

use super::tx::PgTx;
use crate::domain::email::EmailAddress;
use crate::domain::identity::{Client, Holder, User};
use crate::domain::ids::{ClientId, PrincipalId, TenantId, UserId};
use crate::domain::paging::Page;
use crate::store::codec::{decode, encode, Record};
use crate::store::error::StoreError;
use tokio_postgres::Row;
use uuid::Uuid;

/// The records in the `body` column (the first) of `rows`, in order.
fn bodies<T: Record>(rows: Vec<Row>) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(|row| decode(row.get::<_, &[u8]>(0)))
        .collect()
}

fn first_body<T: Record>(row: Option<Row>) -> Result<Option<T>, StoreError> {
    row.map(|row| decode(row.get::<_, &[u8]>(0))).transpose()
}

/// A count of rows as SQL takes it: `Page::everything()` asks for
/// `usize::MAX`, which means "no limit".
fn sql_count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub fn get_user(tx: &PgTx, id: UserId) -> Result<Option<User>, StoreError> {
    first_body(tx.query_opt("SELECT body FROM users WHERE id = $1", &[&id.0])?)
}

pub fn get_client(tx: &PgTx, id: ClientId) -> Result<Option<Client>, StoreError> {
    first_body(tx.query_opt("SELECT body FROM clients WHERE id = $1", &[&id.0])?)
}

pub fn user_by_email(
    tx: &PgTx,
    tenant: TenantId,
    email: &EmailAddress,
) -> Result<Option<User>, StoreError> {
    first_body(tx.query_opt(
        "SELECT body FROM users WHERE email_key = $1 AND tenant = $2",
        &[&email.as_str(), &tenant.0],
    )?)
}

/// In tenant order, as redb's `(email, tenant)` index range gives them.
pub fn tenants_owning(tx: &PgTx, email: &EmailAddress) -> Result<Vec<TenantId>, StoreError> {
    let rows = tx.query(
        "SELECT tenant FROM users WHERE email_key = $1 ORDER BY tenant",
        &[&email.as_str()],
    )?;
    Ok(rows.iter().map(|row| TenantId(row.get(0))).collect())
}

/// Inserts or replaces a user; false (writing nothing) when another user of
/// the tenant has the address. A concurrent write that takes the address
/// first breaks the unique key; the write is then run again and sees it.
pub fn put_user(tx: &PgTx, user: &User) -> Result<bool, StoreError> {
    let holder = tx.query_opt(
        "SELECT id FROM users WHERE email_key = $1 AND tenant = $2",
        &[&user.email.as_str(), &user.tenant.0],
    )?;
    if holder.is_some_and(|row| row.get::<_, Uuid>(0) != user.id.0) {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO users (id, tenant, email_key, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE
         SET tenant = EXCLUDED.tenant, email_key = EXCLUDED.email_key, body = EXCLUDED.body",
        &[
            &user.id.0,
            &user.tenant.0,
            &user.email.as_str(),
            &encode(user)?,
        ],
    )?;
    Ok(true)
}

pub fn put_client(tx: &PgTx, client: &Client) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO clients (id, tenant, body) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET tenant = EXCLUDED.tenant, body = EXCLUDED.body",
        &[&client.id.0, &client.tenant.0, &encode(client)?],
    )?;
    Ok(())
}

pub fn users_of_tenant(tx: &PgTx, tenant: TenantId) -> Result<Vec<User>, StoreError> {
    user_page(tx, tenant, Page::everything())
}

pub fn clients_of_tenant(tx: &PgTx, tenant: TenantId) -> Result<Vec<Client>, StoreError> {
    client_page(tx, tenant, Page::everything())
}

/// Oldest id first, like redb's `(tenant, id)` range: skip, then count.
pub fn user_page(tx: &PgTx, tenant: TenantId, page: Page) -> Result<Vec<User>, StoreError> {
    bodies(tx.query(
        "SELECT body FROM users WHERE tenant = $1 ORDER BY id OFFSET $2 LIMIT $3",
        &[&tenant.0, &sql_count(page.skip), &sql_count(page.count)],
    )?)
}

pub fn client_page(tx: &PgTx, tenant: TenantId, page: Page) -> Result<Vec<Client>, StoreError> {
    bodies(tx.query(
        "SELECT body FROM clients WHERE tenant = $1 ORDER BY id OFFSET $2 LIMIT $3",
        &[&tenant.0, &sql_count(page.skip), &sql_count(page.count)],
    )?)
}

/// Every authenticated request asks this: one primary-key read. (No memo
/// on PostgreSQL: another instance may have changed the roles.)
pub fn principal(tx: &PgTx, id: PrincipalId) -> Result<Option<Holder>, StoreError> {
    Ok(match id {
        PrincipalId::User(u) => get_user(tx, u)?.map(|u| u.holder()),
        PrincipalId::Client(c) => get_client(tx, c)?.map(|c| c.holder()),
    })
}

/// Deletes a user (see `store::identities::delete_user`).
pub fn delete_user(tx: &PgTx, id: UserId) -> Result<bool, StoreError> {
    Ok(tx.execute("DELETE FROM users WHERE id = $1", &[&id.0])? > 0)
}

/// Deletes a client and every community role it holds (a scan of the
/// grants, like redb's: a rare operator action). False when there was no
/// such client.
pub fn delete_client(tx: &PgTx, id: ClientId) -> Result<bool, StoreError> {
    if tx.execute("DELETE FROM clients WHERE id = $1", &[&id.0])? == 0 {
        return Ok(false);
    }
    tx.execute("DELETE FROM grants WHERE principal = $1", &[&id.0])?;
    Ok(true)
}

#[cfg(test)]
pub(super) use self::tests::{on_both, write};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::CustomRoleId;
    use crate::domain::role::{Role, RoleSet};
    use crate::store::pg::testing::fresh_store;
    use crate::store::tx::{Writable, WriteSide};
    use crate::store::{identities, Store, WriteTx};
    use chrono::Utc;
    use std::fmt::Debug;

    /// Runs `scenario` on a fresh redb store and on a fresh PostgreSQL
    /// database and checks both answered alike; returns the answers, or
    /// `None` (after saying so) when no test database is configured.
    pub(in crate::store::pg) fn on_both<T: Debug + PartialEq>(
        scenario: impl Fn(&Store) -> T,
    ) -> Option<T> {
        let pg_dir = tempfile::tempdir().unwrap();
        let Some(pg) = fresh_store(pg_dir.path()) else {
            eprintln!("COMMUNITYD_TEST_DATABASE_URL is unset: skipping a PostgreSQL test");
            return None;
        };
        let redb_dir = tempfile::tempdir().unwrap();
        let on_redb = scenario(&Store::open(redb_dir.path()).unwrap());
        let on_pg = scenario(&pg.unwrap());
        assert_eq!(on_pg, on_redb, "PostgreSQL answers unlike redb");
        Some(on_pg)
    }

    pub(in crate::store::pg) fn write<T: Send>(
        store: &Store,
        f: impl Fn(&WriteTx) -> Result<T, StoreError> + Send,
    ) -> T {
        store.write_blocking(f).unwrap()
    }

    fn user(tenant: TenantId, email: &str) -> User {
        User::new(
            UserId::generate(),
            tenant,
            EmailAddress::parse(email).unwrap(),
            "hash".into(),
            RoleSet::of(&[Role::TenantMember]),
            Utc::now(),
        )
    }

    fn client(tenant: TenantId, name: &str) -> Client {
        Client::new(
            ClientId::generate(),
            tenant,
            name.into(),
            RoleSet::of(&[Role::TenantAdministrator]),
            crate::domain::identity::NewSecret {
                hash: "secret".into(),
                fingerprint: 0,
                description: String::new(),
                expires: None,
            },
            Utc::now(),
        )
    }

    fn emails(users: &[User]) -> Vec<&str> {
        users.iter().map(|u| u.email.as_str()).collect()
    }

    #[test]
    fn an_address_is_unique_per_tenant_and_found_in_every_tenant_owning_it() {
        let (t1, t2) = (TenantId::generate(), TenantId::generate());
        let alice = user(t1, "alice@example.com");
        let alice_elsewhere = user(t2, "alice@example.com");
        let intruder = user(t1, "alice@example.com");
        let mut renamed = alice.clone();
        renamed.email = EmailAddress::parse("carol@example.com").unwrap();
        let address = alice.email.clone();
        let answers = on_both(|store| {
            let puts = [&alice, &alice_elsewhere, &intruder, &renamed, &intruder]
                .map(|u| write(store, |tx| identities::put_user(tx, u)));
            store
                .read_blocking(|tx| {
                    Ok::<_, StoreError>((
                        puts,
                        identities::user_by_email(tx, t1, &address)?.map(|u| u.id),
                        identities::user_by_email(tx, t1, &renamed.email)?.map(|u| u.id),
                        identities::tenants_owning(tx, &address)?,
                        identities::get_user(tx, alice.id)?,
                    ))
                })
                .unwrap()
        });
        let Some((puts, by_alice, by_carol, owners, got)) = answers else {
            return;
        };
        // The intruder is refused while alice holds the address, and taken
        // once she moved to another.
        assert_eq!(puts, [true, true, false, true, true]);
        assert_eq!(by_alice, Some(intruder.id));
        assert_eq!(by_carol, Some(alice.id));
        let mut both = vec![t1, t2];
        both.sort_by_key(|t| t.0);
        assert_eq!(owners, both);
        assert_eq!(got, Some(renamed.clone()));
    }

    #[test]
    fn pages_skip_and_count_in_id_order_like_redb() {
        let tenant = TenantId::generate();
        let users: Vec<User> = (0..5)
            .map(|i| user(tenant, &format!("u{i}@example.com")))
            .collect();
        let clients: Vec<Client> = (0..4).map(|i| client(tenant, &format!("c{i}"))).collect();
        let other = user(TenantId::generate(), "other@example.com");
        let pages = [
            (0, 2),
            (2, 2),
            (4, 2),
            (5, 1),
            (1, usize::MAX),
            (usize::MAX, 3),
        ]
        .map(|(skip, count)| Page { skip, count });
        let answers = on_both(|store| {
            for u in users.iter().chain([&other]) {
                assert!(write(store, |tx| identities::put_user(tx, u)));
            }
            for c in &clients {
                write(store, |tx| identities::put_client(tx, c));
            }
            store
                .read_blocking(|tx| {
                    let mut user_pages = Vec::new();
                    let mut client_pages = Vec::new();
                    for page in pages {
                        user_pages.push(identities::user_page(tx, tenant, page)?);
                        client_pages.push(identities::client_page(tx, tenant, page)?);
                    }
                    Ok::<_, StoreError>((
                        user_pages,
                        client_pages,
                        identities::users_of_tenant(tx, tenant)?,
                        identities::clients_of_tenant(tx, tenant)?,
                    ))
                })
                .unwrap()
        });
        let Some((user_pages, client_pages, all_users, all_clients)) = answers else {
            return;
        };
        let mut by_id = users.clone();
        by_id.sort_by_key(|u| u.id.0);
        assert_eq!(all_users, by_id);
        assert_eq!(emails(&user_pages[1]), emails(&by_id[2..4]));
        assert_eq!(user_pages[2].len(), 1);
        assert!(user_pages[3].is_empty() && user_pages[5].is_empty());
        assert_eq!(user_pages[4], by_id[1..]);
        let mut clients_by_id = clients.clone();
        clients_by_id.sort_by_key(|c| c.id.0);
        assert_eq!(all_clients, clients_by_id);
        assert_eq!(client_pages[0], clients_by_id[..2]);
        assert_eq!(client_pages[4], clients_by_id[1..]);
    }

    #[test]
    fn a_principal_is_its_tenant_and_roles_and_a_deleted_client_is_none() {
        let tenant = TenantId::generate();
        let mut alice = user(tenant, "alice@example.com");
        alice.custom_roles = vec![CustomRoleId::generate()];
        let robot = client(tenant, "robot");
        let ids = [
            PrincipalId::User(alice.id),
            PrincipalId::Client(robot.id),
            PrincipalId::User(UserId::generate()),
        ];
        let answers = on_both(|store| {
            write(store, |tx| identities::put_user(tx, &alice));
            write(store, |tx| identities::put_client(tx, &robot));
            let principals = |store: &Store| {
                store
                    .read_blocking(|tx| {
                        ids.iter()
                            .map(|id| identities::principal(tx, *id))
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .unwrap()
            };
            let before = principals(store);
            let deleted =
                [0, 1].map(|_| write(store, |tx| identities::delete_client(tx, robot.id)));
            (before, deleted, principals(store))
        });
        let Some((before, deleted, after)) = answers else {
            return;
        };
        assert_eq!(before[0], Some(alice.holder()));
        assert_eq!(before[0].as_ref().unwrap().custom_roles.len(), 1);
        assert_eq!(before[1], Some(robot.holder()));
        assert_eq!(before[2], None);
        assert_eq!(deleted, [true, false]);
        assert_eq!(after, [before[0].clone(), None, None]);
    }

    #[test]
    fn deleting_a_client_drops_its_community_roles() {
        let dir = tempfile::tempdir().unwrap();
        let Some(store) = fresh_store(dir.path()) else {
            eprintln!("COMMUNITYD_TEST_DATABASE_URL is unset: skipping a PostgreSQL test");
            return;
        };
        let store = store.unwrap();
        let robot = client(TenantId::generate(), "robot");
        let kept = Uuid::new_v4();
        let grants = |tx: &WriteTx| match tx.write_side() {
            WriteSide::Pg(pg) => {
                Ok(pg.query("SELECT principal FROM grants ORDER BY principal", &[])?)
            }
            WriteSide::Redb(_) => unreachable!("a PostgreSQL store"),
        };
        write(&store, |tx| {
            identities::put_client(tx, &robot)?;
            let WriteSide::Pg(pg) = tx.write_side() else {
                unreachable!("a PostgreSQL store")
            };
            for principal in [robot.id.0, kept] {
                pg.execute(
                    "INSERT INTO grants (community, tenant, principal, kind, roles)
                     VALUES ($1, $2, $3, 1, 1)",
                    &[&Uuid::new_v4(), &robot.tenant.0, &principal],
                )?;
            }
            Ok(())
        });
        assert!(write(&store, |tx| identities::delete_client(tx, robot.id)));
        let left: Vec<Uuid> = write(&store, grants).iter().map(|r| r.get(0)).collect();
        assert_eq!(left, [kept]);
    }
}
