//! Tenants, their alias and name keys and their icons on PostgreSQL (see
//! `store::tenants`). The keys are columns of the tenant's row, each
//! UNIQUE: the database is the backstop of the checks `put` makes first.

use super::tx::PgTx;
use crate::domain::ids::TenantId;
use crate::domain::tenant::Tenant;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;
use tokio_postgres::Row;

fn tenant(row: &Row) -> Result<Tenant, StoreError> {
    decode(row.get::<_, &[u8]>(0))
}

pub fn get(pg: &PgTx, id: TenantId) -> Result<Option<Tenant>, StoreError> {
    let row = pg.query_opt("SELECT body FROM tenants WHERE id = $1", &[&id.0])?;
    row.as_ref().map(tenant).transpose()
}

/// The tenant whose lower-cased alias is `alias_key`.
pub fn by_alias_key(pg: &PgTx, alias_key: &str) -> Result<Option<Tenant>, StoreError> {
    let row = pg.query_opt(
        "SELECT body FROM tenants WHERE alias_key = $1",
        &[&alias_key],
    )?;
    row.as_ref().map(tenant).transpose()
}

/// Which of the keys a tenant other than `id` holds: (alias, name).
pub fn taken(
    pg: &PgTx,
    id: TenantId,
    alias_key: &str,
    name_key: &str,
) -> Result<(bool, bool), StoreError> {
    let row = pg.query_one(
        "SELECT coalesce(bool_or(alias_key = $2), false),
                coalesce(bool_or(name_key = $3), false)
           FROM tenants
          WHERE id <> $1 AND (alias_key = $2 OR name_key = $3)",
        &[&id.0, &alias_key, &name_key],
    )?;
    Ok((row.get(0), row.get(1)))
}

/// Inserts or replaces the tenant's row, its keys with it.
pub fn upsert(
    pg: &PgTx,
    tenant: &Tenant,
    alias_key: &str,
    name_key: &str,
) -> Result<(), StoreError> {
    pg.execute(
        "INSERT INTO tenants (id, alias_key, name_key, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE
            SET alias_key = EXCLUDED.alias_key,
                name_key = EXCLUDED.name_key,
                body = EXCLUDED.body",
        &[&tenant.id.0, &alias_key, &name_key, &encode(tenant)?],
    )?;
    Ok(())
}

/// Every tenant, in id order (redb's key order).
pub fn all(pg: &PgTx) -> Result<Vec<Tenant>, StoreError> {
    let rows = pg.query("SELECT body FROM tenants ORDER BY id", &[])?;
    rows.iter().map(tenant).collect()
}

pub fn icon(pg: &PgTx, id: TenantId) -> Result<Option<Vec<u8>>, StoreError> {
    let row = pg.query_opt("SELECT png FROM tenant_icons WHERE tenant = $1", &[&id.0])?;
    Ok(row.map(|r| r.get(0)))
}

pub fn set_icon(pg: &PgTx, id: TenantId, png: &[u8]) -> Result<(), StoreError> {
    pg.execute(
        "INSERT INTO tenant_icons (tenant, png) VALUES ($1, $2)
         ON CONFLICT (tenant) DO UPDATE SET png = EXCLUDED.png",
        &[&id.0, &png],
    )?;
    Ok(())
}

/// Whether there was an icon to delete.
pub fn delete_icon(pg: &PgTx, id: TenantId) -> Result<bool, StoreError> {
    let removed = pg.execute("DELETE FROM tenant_icons WHERE tenant = $1", &[&id.0])?;
    Ok(removed > 0)
}

#[cfg(test)]
mod tests {
    use crate::domain::ids::TenantId;
    use crate::domain::tenant::{Tenant, TenantState};
    use crate::store::pg::testing;
    use crate::store::tenants::{self, Clash};
    use crate::store::{Store, StoreError};
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    fn tenant(id: u128, alias: &str, company_name: &str) -> Tenant {
        let at = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        Tenant {
            id: TenantId(Uuid::from_u128(id)),
            company_name: company_name.into(),
            alias: alias.into(),
            state: TenantState::Active,
            created: at,
            last_updated: at,
        }
    }

    fn put(store: &Store, t: &Tenant) -> Result<(), Clash> {
        store.write_blocking(|tx| tenants::put(tx, t)).expect("put")
    }

    fn read<T: Send>(
        store: &Store,
        f: impl FnOnce(&crate::store::ReadTx) -> Result<T, StoreError> + Send,
    ) -> T {
        store.read_blocking(f).expect("read")
    }

    /// Every answer the tenant functions give along one story, written
    /// down so the two backends can be compared.
    fn story(store: &Store) -> Vec<String> {
        // The high bit set sorts last bytewise, first as signed numbers.
        let a = tenant(0xff00 << 112, "Contoso", "Contoso Ltd");
        let b = tenant(1, "contoso", "Fabrikam");
        let mut seen = Vec::new();
        let mut note = |what: &str, answer: String| seen.push(format!("{what}: {answer}"));
        note("put a", format!("{:?}", put(store, &a)));
        note("b takes a's alias", format!("{:?}", put(store, &b)));
        let b = tenant(1, "Fabrikam", " CONTOSO LTD ");
        note("b takes a's name", format!("{:?}", put(store, &b)));
        let b = tenant(1, "CONTOSO", "contoso ltd");
        note("b takes both", format!("{:?}", put(store, &b)));
        let b = tenant(1, "Fabrikam", "Fabrikam");
        note("put b", format!("{:?}", put(store, &b)));
        note("put a again", format!("{:?}", put(store, &a)));
        let a = tenant(0xff00 << 112, "Northwind", "Northwind Traders");
        note("a renamed", format!("{:?}", put(store, &a)));
        let b = tenant(1, "contoso", "Contoso Ltd");
        note("b takes a's old keys", format!("{:?}", put(store, &b)));
        for alias in ["contoso", " NORTHWIND ", "fabrikam", "nobody"] {
            let found = read(store, |tx| tenants::by_alias(tx, alias));
            note(&format!("by alias {alias:?}"), format!("{found:?}"));
        }
        for id in [a.id, b.id, TenantId(Uuid::from_u128(2))] {
            note(
                &format!("get {id:?}"),
                format!("{:?}", read(store, |tx| tenants::get(tx, id))),
            );
        }
        note("all", format!("{:?}", read(store, |tx| tenants::all(tx))));
        seen
    }

    fn icons(store: &Store) -> Vec<String> {
        let id = TenantId(Uuid::from_u128(7));
        let icon = || format!("{:?}", read(store, |tx| tenants::icon(tx, id)));
        let write = |f: &(dyn Fn(&crate::store::WriteTx) -> Result<bool, StoreError> + Sync)| {
            store.write_blocking(|tx| f(tx)).expect("write")
        };
        let mut seen = vec![icon()];
        write(&|tx| tenants::set_icon(tx, id, &[1, 2, 3]).map(|()| true));
        seen.push(icon());
        write(&|tx| tenants::set_icon(tx, id, &[4]).map(|()| true));
        seen.push(icon());
        seen.push(format!("{}", write(&|tx| tenants::delete_icon(tx, id))));
        seen.push(format!("{}", write(&|tx| tenants::delete_icon(tx, id))));
        seen.push(icon());
        write(&|tx| tenants::index_names(tx).map(|()| true));
        seen
    }

    /// A redb store and a PostgreSQL one, or `None` (skip) when no test
    /// database is configured.
    fn both(dir: &tempfile::TempDir) -> Option<(Store, Store)> {
        let Some(pg) = testing::fresh_store(&dir.path().join("pg")) else {
            eprintln!("skipped: {} is unset", testing::TEST_DATABASE_URL);
            return None;
        };
        Some((Store::open(dir.path()).unwrap(), pg.unwrap()))
    }

    #[test]
    fn tenants_answer_as_on_redb() {
        let dir = tempfile::tempdir().unwrap();
        let Some((redb, pg)) = both(&dir) else { return };
        let on_pg = story(&pg);
        assert_eq!(on_pg, story(&redb));
        let expected = [
            "put a: Ok(())",
            "b takes a's alias: Err(Alias)",
            "b takes a's name: Err(CompanyName)",
            "b takes both: Err(Alias)",
            "put b: Ok(())",
            "put a again: Ok(())",
            "a renamed: Ok(())",
            "b takes a's old keys: Ok(())",
        ];
        assert_eq!(on_pg[..expected.len()], expected);
        let all = pg.read_blocking(|tx| tenants::all(tx)).unwrap();
        let ids: Vec<u128> = all.iter().map(|t| t.id.0.as_u128()).collect();
        assert_eq!(ids, [1, 0xff00 << 112], "bytewise id order");
        assert_eq!(all[1].alias, "Northwind");
    }

    #[test]
    fn icons_answer_as_on_redb() {
        let dir = tempfile::tempdir().unwrap();
        let Some((redb, pg)) = both(&dir) else { return };
        let on_pg = icons(&pg);
        assert_eq!(on_pg, icons(&redb));
        assert_eq!(
            on_pg,
            [
                "None",
                "Some([1, 2, 3])",
                "Some([4])",
                "true",
                "false",
                "None"
            ]
        );
    }

    /// Many writers want one alias at once: exactly one gets it, every
    /// other is told `Clash::Alias` (not an error).
    #[test]
    fn one_alias_goes_to_one_of_many_concurrent_writers() {
        let dir = tempfile::tempdir().unwrap();
        let Some(Ok(pg)) = testing::fresh_store(dir.path()) else {
            eprintln!("skipped: {} is unset", testing::TEST_DATABASE_URL);
            return;
        };
        let answers: Vec<Result<(), Clash>> = std::thread::scope(|scope| {
            let writers: Vec<_> = (0..8u128)
                .map(|i| {
                    let pg = &pg;
                    scope.spawn(move || put(pg, &tenant(i + 1, "Same", &format!("Company {i}"))))
                })
                .collect();
            writers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert_eq!(
            answers.iter().filter(|a| a.is_ok()).count(),
            1,
            "{answers:?}"
        );
        assert!(answers.iter().all(|a| *a != Err(Clash::CompanyName)));
        assert_eq!(pg.read_blocking(|tx| tenants::all(tx)).unwrap().len(), 1);
    }
}
