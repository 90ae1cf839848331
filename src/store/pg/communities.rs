//! Communities on PostgreSQL (see `store::communities`). The per-owner name
//! index is the table's own `UNIQUE (owner, name_key)`.

use super::grants::count;
use super::tx::PgTx;
use crate::domain::community::Community;
use crate::domain::ids::{CommunityId, TenantId};
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn get(pg: &PgTx, id: CommunityId) -> Result<Option<Community>, StoreError> {
    let row = pg.query_opt("SELECT body FROM communities WHERE id = $1", &[&id.0])?;
    row.map(|row| decode(row.get(0))).transpose()
}

/// Inserts or replaces the community unless another community of the owner
/// holds the name: the check and the write are one statement. Two writers
/// racing for a name meet at the UNIQUE constraint; the loser is run again
/// and then finds the clash.
pub fn put(pg: &PgTx, community: &Community) -> Result<bool, StoreError> {
    let written = pg.execute(
        "INSERT INTO communities (id, owner, name_key, body)
         SELECT $1::uuid, $2::uuid, $3::text, $4::bytea
         WHERE NOT EXISTS (
             SELECT 1 FROM communities WHERE owner = $2 AND name_key = $3 AND id <> $1)
         ON CONFLICT (id) DO UPDATE
         SET owner = EXCLUDED.owner, name_key = EXCLUDED.name_key, body = EXCLUDED.body",
        &[
            &community.id.0,
            &community.owner.0,
            &community.name.unique_key(),
            &encode(community)?,
        ],
    )?;
    Ok(written == 1)
}

/// Every community, in id order (redb's key order).
pub fn all(pg: &PgTx) -> Result<Vec<Community>, StoreError> {
    let rows = pg.query("SELECT body FROM communities ORDER BY id", &[])?;
    rows.iter().map(|row| decode(row.get(0))).collect()
}

/// The community and the shares into it, in one statement. (Its preferred
/// region goes through `profiles`, which owns that table.)
pub fn delete(pg: &PgTx, community: &Community) -> Result<(), StoreError> {
    pg.execute(
        "WITH shares_gone AS (DELETE FROM shares WHERE community = $1)
         DELETE FROM communities WHERE id = $1",
        &[&community.id.0],
    )?;
    Ok(())
}

/// One aggregate over the community's shares, in tenant order like redb's
/// walk of its keys.
pub fn share_counts(pg: &PgTx, community: CommunityId) -> Result<Vec<(TenantId, u64)>, StoreError> {
    let rows = pg.query(
        "SELECT tenant, count(*) FROM shares WHERE community = $1
         GROUP BY tenant ORDER BY tenant",
        &[&community.0],
    )?;
    rows.iter()
        .map(|row| Ok((TenantId(row.get(0)), count(row.get(1))?)))
        .collect()
}

/// For the tests of this directory: one script on both backends, and
/// short ways to run a transaction. (Outside `tests`, so the other files'
/// tests can use it; test code all the same.)
#[cfg(test)]
mod both_backends {
    use super::PgTx;
    use crate::store::tx::WriteSide;
    use crate::store::{ReadTx, Store, StoreError, Writable, WriteTx};
    use std::fmt::Debug;

    /// Runs `script` on a fresh redb store and on a fresh PostgreSQL
    /// database, checks both answer alike and returns the answer; `None`
    /// (the test then passes) when `COMMUNITYD_TEST_DATABASE_URL` is unset.
    pub(in crate::store::pg) fn on_both<T: PartialEq + Debug>(
        script: impl Fn(&Store) -> Result<T, StoreError>,
    ) -> Option<T> {
        let pg = on_postgres()?;
        let redb_dir = tempfile::tempdir().expect("tempdir");
        let redb = Store::open(redb_dir.path()).expect("redb store");
        let on_redb = script(&redb).expect("script on redb");
        let on_pg = script(&pg.0).expect("script on PostgreSQL");
        assert_eq!(on_pg, on_redb, "PostgreSQL answers unlike redb");
        Some(on_pg)
    }

    /// A store on a fresh PostgreSQL database (and the data dir it keeps),
    /// or `None` when `COMMUNITYD_TEST_DATABASE_URL` is unset.
    pub(in crate::store::pg) fn on_postgres() -> Option<(Store, tempfile::TempDir)> {
        let dir = tempfile::tempdir().expect("tempdir");
        let Some(store) = crate::store::pg::testing::fresh_store(dir.path()) else {
            eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset");
            return None;
        };
        Some((store.expect("PostgreSQL store"), dir))
    }

    /// Runs `f` with the PostgreSQL side of a write, to reach a twin whose
    /// store function also needs another area's twin.
    pub(in crate::store::pg) fn pg_write<T: Send>(
        store: &Store,
        f: impl Fn(&PgTx) -> Result<T, StoreError> + Send + Sync,
    ) -> Result<T, StoreError> {
        write(store, |tx| match tx.write_side() {
            WriteSide::Pg(pg) => f(pg),
            WriteSide::Redb(_) => unreachable!("a PostgreSQL store"),
        })
    }

    /// `Store::write_blocking` with the store's own error.
    pub(in crate::store::pg) fn write<T: Send>(
        store: &Store,
        f: impl Fn(&WriteTx) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        store.write_blocking(f)
    }

    /// `Store::read_blocking` with the store's own error.
    pub(in crate::store::pg) fn read<T: Send>(
        store: &Store,
        f: impl FnOnce(&ReadTx) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        store.read_blocking(f)
    }
}

#[cfg(test)]
pub(super) use self::both_backends::{on_both, on_postgres, pg_write, read, write};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::community::CommunityName;
    use crate::store::{communities, shares};
    use uuid::Uuid;

    fn community(owner: TenantId, name: &str) -> Community {
        Community {
            id: CommunityId::generate(),
            owner,
            name: CommunityName::parse(name).unwrap(),
            description: format!("about {name}"),
            created: chrono::Utc::now(),
        }
    }

    fn tenant() -> TenantId {
        // Random, not time-ordered: orderings by tenant are then tested.
        TenantId(Uuid::new_v4())
    }

    #[test]
    fn names_clash_per_owner_whatever_the_case() {
        let (owner, other) = (tenant(), tenant());
        let plant = community(owner, "Plant data");
        let same_name = community(owner, "PLANT DATA");
        let elsewhere = community(other, "Plant data");
        let mut renamed = plant.clone();
        renamed.name = CommunityName::parse("Line data").unwrap();
        let answers = on_both(|store| {
            write(store, |tx| {
                Ok((
                    communities::put(tx, &plant)?,
                    communities::put(tx, &same_name)?,
                    communities::put(tx, &elsewhere)?,
                    communities::get(tx, same_name.id)?,
                    communities::put(tx, &renamed)?,
                    // The old name is free once renamed.
                    communities::put(tx, &same_name)?,
                ))
            })?;
            read(store, |tx| {
                Ok((
                    communities::get(tx, plant.id)?,
                    communities::get(tx, same_name.id)?,
                ))
            })
        });
        let Some(answers) = answers else { return };
        assert_eq!(answers, (Some(renamed.clone()), Some(same_name.clone())));
    }

    #[test]
    fn a_put_that_clashes_changes_nothing() {
        let owner = tenant();
        let (first, second) = (community(owner, "One"), community(owner, "Two"));
        let mut taking = second.clone();
        taking.name = first.name.clone();
        let answers = on_both(|store| {
            let clashed = write(store, |tx| {
                communities::put(tx, &first)?;
                communities::put(tx, &second)?;
                communities::put(tx, &taking)
            })?;
            let stored = read(store, |tx| communities::get(tx, second.id))?;
            Ok((clashed, stored))
        });
        let Some(answers) = answers else { return };
        assert_eq!(answers, (false, Some(second.clone())));
    }

    #[test]
    fn of_writers_racing_for_a_name_exactly_one_gets_it() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let owner = tenant();
        let rivals: Vec<Community> = (0..8).map(|_| community(owner, "Contested")).collect();
        let won: Vec<bool> = std::thread::scope(|scope| {
            let racing: Vec<_> = rivals
                .iter()
                .map(|rival| {
                    let store = &store;
                    scope.spawn(move || write(store, |tx| communities::put(tx, rival)).unwrap())
                })
                .collect();
            racing.into_iter().map(|r| r.join().unwrap()).collect()
        });
        assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
        let stored = read(&store, |tx| {
            rivals
                .iter()
                .map(|r| communities::get(tx, r.id))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
        assert_eq!(stored.iter().flatten().count(), 1);
    }

    #[test]
    fn share_counts_are_per_tenant_in_tenant_order() {
        let tenants = [tenant(), tenant(), tenant()];
        let id = CommunityId::generate();
        let other = CommunityId::generate();
        let answers = on_both(|store| {
            write(store, |tx| {
                for (n, t) in tenants.iter().enumerate().take(2) {
                    for s in 0..=n {
                        shares::add(tx, id, *t, &format!("default/s{s}"))?;
                    }
                }
                shares::add(tx, other, tenants[2], "default/s")
            })?;
            read(store, |tx| {
                Ok((
                    communities::share_counts(tx, id)?,
                    communities::share_counts(tx, CommunityId::generate())?,
                ))
            })
        });
        let Some((counts, none)) = answers else {
            return;
        };
        let mut expected = vec![(tenants[0], 1), (tenants[1], 2)];
        expected.sort();
        assert_eq!(counts, expected);
        assert!(none.is_empty());
    }

    #[test]
    fn a_deleted_community_takes_its_shares_and_frees_its_name() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let owner = tenant();
        let doomed = community(owner, "Doomed");
        let kept = community(owner, "Kept");
        let reborn = community(owner, "DOOMED");
        write(&store, |tx| {
            communities::put(tx, &doomed)?;
            communities::put(tx, &kept)?;
            shares::add(tx, doomed.id, owner, "default/a")?;
            shares::add(tx, kept.id, owner, "default/b")
        })
        .unwrap();
        // The store function also clears the community's region through
        // `profiles`; this is the twin alone.
        pg_write(&store, |pg| delete(pg, &doomed)).unwrap();
        let after = write(&store, |tx| {
            Ok((
                communities::get(tx, doomed.id)?,
                shares::of_community(tx, doomed.id)?,
                shares::of_community(tx, kept.id)?,
                communities::put(tx, &reborn)?,
            ))
        })
        .unwrap();
        assert_eq!(
            after,
            (None, vec![], vec![(owner, "default/b".to_string())], true)
        );
    }
}
