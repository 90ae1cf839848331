//! Memberships on PostgreSQL (see `store::memberships`). The by-tenant index
//! is a partial index over the rows whose tenant is in the community.

use super::tx::PgTx;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::Membership;
use crate::domain::paging::Page;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn get(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Option<Membership>, StoreError> {
    let row = pg.query_opt(
        "SELECT body FROM memberships WHERE community = $1 AND tenant = $2",
        &[&community.0, &tenant.0],
    )?;
    row.map(|row| decode(row.get(0))).transpose()
}

pub fn put(pg: &PgTx, membership: &Membership) -> Result<(), StoreError> {
    pg.execute(
        "INSERT INTO memberships (community, tenant, listed, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (community, tenant) DO UPDATE
         SET listed = EXCLUDED.listed, body = EXCLUDED.body",
        &[
            &membership.community.0,
            &membership.tenant.0,
            &membership.is_in(),
            &encode(membership)?,
        ],
    )?;
    Ok(())
}

/// The membership row alone; its profile rows go through `profiles`.
pub fn remove(pg: &PgTx, community: CommunityId, tenant: TenantId) -> Result<(), StoreError> {
    pg.execute(
        "DELETE FROM memberships WHERE community = $1 AND tenant = $2",
        &[&community.0, &tenant.0],
    )?;
    Ok(())
}

pub fn of_community(pg: &PgTx, community: CommunityId) -> Result<Vec<Membership>, StoreError> {
    let rows = pg.query(
        "SELECT body FROM memberships WHERE community = $1 ORDER BY tenant",
        &[&community.0],
    )?;
    rows.iter().map(|row| decode(row.get(0))).collect()
}

/// Ids are time-ordered, so community order is oldest first, as on redb.
pub fn communities_of_tenant(
    pg: &PgTx,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<CommunityId>, StoreError> {
    // `Page::everything()` counts usize::MAX: no limit, in effect.
    let skip = i64::try_from(page.skip).unwrap_or(i64::MAX);
    let count = i64::try_from(page.count).unwrap_or(i64::MAX);
    let rows = pg.query(
        "SELECT community FROM memberships WHERE tenant = $1 AND listed
         ORDER BY community OFFSET $2 LIMIT $3",
        &[&tenant.0, &skip, &count],
    )?;
    Ok(rows.iter().map(|row| CommunityId(row.get(0))).collect())
}

/// The membership fixture, for the other areas' tests here.
#[cfg(test)]
pub(super) use tests::membership;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::membership::{CommunityTenantStatus, PausedBy};
    use crate::store::pg::communities::{on_both, on_postgres, pg_write, read, write};
    use crate::store::{memberships, Store};
    use chrono::Utc;
    use uuid::Uuid;

    /// A membership with an alias of its own, paused by itself when Paused.
    pub(in crate::store::pg) fn membership(
        community: CommunityId,
        tenant: TenantId,
        status: CommunityTenantStatus,
    ) -> Membership {
        Membership {
            community,
            tenant,
            status,
            is_owner: false,
            joined: Utc::now(),
            alias: Some(format!("alias of {tenant}")),
            invitation: None,
            paused_by: (status == CommunityTenantStatus::Paused).then_some(PausedBy::Itself),
        }
    }

    fn write_all(store: &Store, all: &[Membership]) -> Result<(), StoreError> {
        write(store, |tx| {
            all.iter().try_for_each(|m| memberships::put(tx, m))
        })
    }

    #[test]
    fn a_tenant_lists_the_communities_it_is_in_oldest_first_in_pages() {
        use CommunityTenantStatus::*;
        let tenant = TenantId(Uuid::new_v4());
        let communities: Vec<CommunityId> = (0..5).map(|_| CommunityId::generate()).collect();
        let statuses = [Active, AwaitingConfirmation, Paused, Active, Active];
        let all: Vec<Membership> = communities
            .iter()
            .zip(statuses)
            .map(|(c, s)| membership(*c, tenant, s))
            .collect();
        // The awaiting one joins, the last one waits again.
        let mut joined = all[1].clone();
        joined.status = Active;
        let mut waits = all[4].clone();
        waits.status = AwaitingConfirmation;
        let answers = on_both(|store| {
            write_all(store, &all)?;
            let before = read(store, |tx| {
                memberships::communities_of_tenant(tx, tenant, Page::everything())
            })?;
            write_all(store, &[joined.clone(), waits.clone()])?;
            read(store, |tx| {
                Ok((
                    before,
                    memberships::communities_of_tenant(tx, tenant, Page::everything())?,
                    memberships::communities_of_tenant(tx, tenant, Page { skip: 1, count: 2 })?,
                    memberships::communities_of_tenant(tx, tenant, Page { skip: 9, count: 2 })?,
                    memberships::get(tx, communities[1], tenant)?,
                ))
            })
        });
        let Some((before, after, page, beyond, got)) = answers else {
            return;
        };
        let c = &communities;
        assert_eq!(before, vec![c[0], c[2], c[3], c[4]]);
        assert_eq!(after, vec![c[0], c[1], c[2], c[3]]);
        assert_eq!(page, vec![c[1], c[2]]);
        assert!(beyond.is_empty());
        assert_eq!(got, Some(joined.clone()));
    }

    #[test]
    fn a_community_lists_its_memberships_in_tenant_order() {
        let community = CommunityId::generate();
        let tenants: Vec<TenantId> = (0..4).map(|_| TenantId(Uuid::new_v4())).collect();
        let all: Vec<Membership> = tenants
            .iter()
            .map(|t| membership(community, *t, CommunityTenantStatus::Active))
            .collect();
        let answers = on_both(|store| {
            write_all(store, &all)?;
            write_all(
                store,
                &[membership(
                    CommunityId::generate(),
                    tenants[0],
                    CommunityTenantStatus::Active,
                )],
            )?;
            read(store, |tx| {
                Ok((
                    memberships::of_community(tx, community)?,
                    memberships::get(tx, community, TenantId(Uuid::new_v4()))?,
                ))
            })
        });
        let Some((listed, missing)) = answers else {
            return;
        };
        let mut expected = all.clone();
        expected.sort_by_key(|m| m.tenant);
        assert_eq!(listed, expected);
        assert_eq!(missing, None);
    }

    #[test]
    fn a_removed_membership_is_gone_from_both_lists() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let (community, tenant) = (CommunityId::generate(), TenantId::generate());
        let kept = membership(
            community,
            TenantId::generate(),
            CommunityTenantStatus::Active,
        );
        write_all(
            &store,
            &[
                membership(community, tenant, CommunityTenantStatus::Active),
                kept.clone(),
            ],
        )
        .unwrap();
        // The store function also removes the member's profile through
        // `profiles`; this is the twin alone.
        pg_write(&store, |pg| remove(pg, community, tenant)).unwrap();
        let after = read(&store, |tx| {
            Ok((
                memberships::get(tx, community, tenant)?,
                memberships::of_community(tx, community)?,
                memberships::communities_of_tenant(tx, tenant, Page::everything())?,
            ))
        })
        .unwrap();
        assert_eq!(after, (None, vec![kept], vec![]));
    }
}
