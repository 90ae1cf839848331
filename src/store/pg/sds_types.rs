//! SdsTypes on PostgreSQL (see `store::sds_types`): keyed (tenant,
//! namespace, lower-cased id), bodies in the codec's format.

use super::tx::PgTx;
use crate::domain::ids::TenantId;
use crate::domain::paging::Page;
use crate::domain::sds::identifier;
use crate::domain::sds::sds_type::SdsType;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

/// Where redb's range over a namespace's types or streams ends: keys from
/// here on are not listed there, so not here either.
pub(super) const KEYS_END: &str = "\u{10FFFF}";

pub fn get(
    tx: &PgTx,
    tenant: TenantId,
    namespace: &str,
    id: &str,
) -> Result<Option<SdsType>, StoreError> {
    let row = tx.query_opt(
        "SELECT body FROM sds_types WHERE tenant = $1 AND namespace = $2 AND type_key = $3",
        &[&tenant.0, &namespace, &identifier::key(id)],
    )?;
    row.map(|r| decode(r.get(0))).transpose()
}

pub fn put(
    tx: &PgTx,
    tenant: TenantId,
    namespace: &str,
    sds_type: &SdsType,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sds_types (tenant, namespace, type_key, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, namespace, type_key) DO UPDATE SET body = EXCLUDED.body",
        &[
            &tenant.0,
            &namespace,
            &identifier::key(&sds_type.id),
            &encode(sds_type)?,
        ],
    )?;
    Ok(())
}

pub fn delete(tx: &PgTx, tenant: TenantId, namespace: &str, id: &str) -> Result<bool, StoreError> {
    let removed = tx.execute(
        "DELETE FROM sds_types WHERE tenant = $1 AND namespace = $2 AND type_key = $3",
        &[&tenant.0, &namespace, &identifier::key(id)],
    )?;
    Ok(removed > 0)
}

/// One page of a namespace's types, by id: one query.
pub fn list(
    tx: &PgTx,
    tenant: TenantId,
    namespace: &str,
    page: Page,
) -> Result<Vec<SdsType>, StoreError> {
    let rows = tx.query(
        "SELECT body FROM sds_types WHERE tenant = $1 AND namespace = $2 AND type_key < $3
         ORDER BY type_key LIMIT $4 OFFSET $5",
        &[
            &tenant.0,
            &namespace,
            &KEYS_END,
            &bigint(page.count),
            &bigint(page.skip),
        ],
    )?;
    rows.iter().map(|r| decode(r.get(0))).collect()
}

/// Up to `limit` of a tenant's types (namespace, type) after the
/// (namespace, type key) `after`, in key order.
pub fn page_of_tenant(
    tx: &PgTx,
    tenant: TenantId,
    after: Option<(&str, &str)>,
    limit: usize,
) -> Result<Vec<(String, SdsType)>, StoreError> {
    let rows = match after {
        None => tx.query(
            "SELECT namespace, body FROM sds_types WHERE tenant = $1
             ORDER BY namespace, type_key LIMIT $2",
            &[&tenant.0, &bigint(limit)],
        )?,
        Some((namespace, key)) => tx.query(
            "SELECT namespace, body FROM sds_types
             WHERE tenant = $1 AND (namespace, type_key) > ($2, $3)
             ORDER BY namespace, type_key LIMIT $4",
            &[&tenant.0, &namespace, &key, &bigint(limit)],
        )?,
    };
    rows.iter()
        .map(|r| Ok((r.get(0), decode(r.get(1))?)))
        .collect()
}

/// A count as a LIMIT or OFFSET (also for the other SDS files):
/// `usize::MAX` (no paging) saturates.
pub(super) fn bigint(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
pub(super) use tests::both;

#[cfg(test)]
mod tests {
    use crate::domain::ids::TenantId;
    use crate::domain::paging::Page;
    use crate::domain::sds::sds_type::SdsType;
    use crate::store::pg::testing::{fresh_store, TEST_DATABASE_URL};
    use crate::store::{sds_types as types, Store, StoreError};
    use std::fmt::Debug;
    use uuid::Uuid;

    /// A redb store and a PostgreSQL store side by side: a test runs one
    /// sequence on both and compares what they answer (the SDS tests).
    pub(in crate::store::pg) struct Both {
        redb: Store,
        pg: Store,
        _dirs: [tempfile::TempDir; 2],
    }

    impl Both {
        /// What `scenario` answers, the same on both backends.
        pub(in crate::store::pg) fn same<T: PartialEq + Debug>(
            &self,
            scenario: impl Fn(&Store) -> T,
        ) -> T {
            let on_redb = scenario(&self.redb);
            let on_pg = scenario(&self.pg);
            assert_eq!(on_pg, on_redb, "PostgreSQL answers otherwise than redb");
            on_pg
        }
    }

    /// Both stores, or `None` (the test is skipped) when
    /// `COMMUNITYD_TEST_DATABASE_URL` is unset.
    pub(in crate::store::pg) fn both() -> Option<Both> {
        let dirs = [0, 1].map(|_| tempfile::tempdir().expect("temp dir"));
        let Some(pg) = fresh_store(dirs[1].path()) else {
            eprintln!("skipped: {TEST_DATABASE_URL} is unset");
            return None;
        };
        Some(Both {
            redb: Store::open(dirs[0].path()).expect("redb store"),
            pg: pg.expect("PostgreSQL store"),
            _dirs: dirs,
        })
    }

    fn sds_type(id: &str) -> SdsType {
        let now = chrono::Utc::now();
        SdsType {
            id: id.to_string(),
            name: format!("{id} name"),
            description: String::new(),
            code: 0,
            keys: Vec::new(),
            properties: "[]".to_string(),
            created: now,
            modified: now,
            acl: None,
            owner: None,
            modes: Default::default(),
        }
    }

    #[test]
    fn types_are_found_in_any_case_and_listed_bytewise_a_page_at_a_time() {
        let Some(both) = both() else { return };
        let (tenant, other) = (TenantId(Uuid::now_v7()), TenantId(Uuid::now_v7()));
        // Keys compare bytewise: '_' before 'a', 'É' (0xC3) after 'z'; a
        // key from U+10FFFF on lies past the end of redb's range.
        let ids = [
            "Zeta",
            "alpha",
            "Éclair",
            "beta.1",
            "_x",
            "ALPHA2",
            "\u{10FFFF}late",
        ];
        let answer = both.same(|store| {
            store
                .write_blocking(|tx| {
                    for id in ids {
                        types::put(tx, tenant, "ns", &sds_type(id))?;
                    }
                    types::put(tx, tenant, "other", &sds_type("in other"))?;
                    types::put(tx, other, "ns", &sds_type("of other"))?;
                    // A second put replaces the first.
                    types::put(tx, tenant, "ns", &sds_type("zeta"))
                })
                .expect("put");
            let listed = |page: Page| {
                let found = store.read_blocking(|tx| types::list(tx, tenant, "ns", page));
                found
                    .expect("list")
                    .into_iter()
                    .map(|t| t.id)
                    .collect::<Vec<_>>()
            };
            let found = store
                .read_blocking(|tx| {
                    let ids = ["ZETA", "éclair", "\u{10FFFF}LATE", "missing"];
                    ids.map(|id| types::get(tx, tenant, "ns", id).map(|t| t.map(|t| t.id)))
                        .into_iter()
                        .collect::<Result<Vec<_>, StoreError>>()
                })
                .expect("get");
            let pages = [
                listed(Page { skip: 0, count: 2 }),
                listed(Page { skip: 2, count: 10 }),
                listed(Page::everything()),
            ];
            let deleted = store
                .write_blocking(|tx| {
                    let first = types::delete(tx, tenant, "ns", "ZETA")?;
                    Ok::<_, StoreError>([first, types::delete(tx, tenant, "ns", "zeta")?])
                })
                .expect("delete");
            (found, pages, deleted, listed(Page::everything()))
        });
        let some = |id: &str| Some(id.to_string());
        assert_eq!(answer.0, [some("zeta"), None, some("\u{10FFFF}late"), None]);
        assert_eq!(answer.1[0], ["_x", "alpha"]);
        assert_eq!(answer.1[1], ["ALPHA2", "beta.1", "zeta", "Éclair"]);
        assert_eq!(answer.1[2].len(), 6);
        assert_eq!(answer.2, [true, false]);
        assert_eq!(answer.3, ["_x", "alpha", "ALPHA2", "beta.1", "Éclair"]);
    }
}
