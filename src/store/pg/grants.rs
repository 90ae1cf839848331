//! Community roles on PostgreSQL (see `store::grants`). redb stores the
//! value as two bytes (principal kind code, role bits); here they are two
//! smallints holding the same bytes.

use super::tx::PgTx;
use crate::domain::ids::{CommunityId, PrincipalId, PrincipalKind, TenantId};
use crate::domain::role::RoleSet;
use crate::store::error::StoreError;

/// A smallint column holding one of redb's value bytes.
pub(super) fn byte(value: i16) -> Result<u8, StoreError> {
    u8::try_from(value).map_err(|_| StoreError::Codec(format!("grant byte {value} out of range")))
}

/// A bigint `count(*)` as the store's count type.
pub(super) fn count<N: TryFrom<i64>>(value: i64) -> Result<N, StoreError> {
    N::try_from(value).map_err(|_| StoreError::Codec(format!("count {value} out of range")))
}

pub fn get(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
    who: PrincipalId,
) -> Result<RoleSet, StoreError> {
    let row = pg.query_opt(
        "SELECT roles FROM grants WHERE community = $1 AND tenant = $2 AND principal = $3",
        &[&community.0, &tenant.0, &who.as_uuid()],
    )?;
    match row {
        Some(row) => Ok(RoleSet::from_bits(byte(row.get(0))?)),
        None => Ok(RoleSet::default()),
    }
}

/// An empty set removes the grant, as on redb.
pub fn set(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
    who: PrincipalId,
    roles: RoleSet,
) -> Result<(), StoreError> {
    if roles.is_empty() {
        pg.execute(
            "DELETE FROM grants WHERE community = $1 AND tenant = $2 AND principal = $3",
            &[&community.0, &tenant.0, &who.as_uuid()],
        )?;
    } else {
        pg.execute(
            "INSERT INTO grants (community, tenant, principal, kind, roles)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (community, tenant, principal) DO UPDATE
             SET kind = EXCLUDED.kind, roles = EXCLUDED.roles",
            &[
                &community.0,
                &tenant.0,
                &who.as_uuid(),
                &i16::from(who.kind().code()),
                &i16::from(roles.bits()),
            ],
        )?;
    }
    Ok(())
}

/// In principal-id order; a kind this release does not know is skipped,
/// as on redb.
pub fn of_tenant(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Vec<(PrincipalId, RoleSet)>, StoreError> {
    let rows = pg.query(
        "SELECT principal, kind, roles FROM grants WHERE community = $1 AND tenant = $2
         ORDER BY principal",
        &[&community.0, &tenant.0],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(kind) = PrincipalKind::from_code(byte(row.get(1))?) {
            let roles = RoleSet::from_bits(byte(row.get(2))?);
            out.push((PrincipalId::from_parts(kind, row.get(0)), roles));
        }
    }
    Ok(out)
}

/// Every grant in a community: (tenant, principal, roles) in key order.
pub fn of_community(
    pg: &PgTx,
    community: CommunityId,
) -> Result<Vec<(TenantId, PrincipalId, RoleSet)>, StoreError> {
    let rows = pg.query(
        "SELECT tenant, principal, kind, roles FROM grants WHERE community = $1
         ORDER BY tenant, principal",
        &[&community.0],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(kind) = PrincipalKind::from_code(byte(row.get(2))?) {
            let roles = RoleSet::from_bits(byte(row.get(3))?);
            out.push((
                TenantId(row.get(0)),
                PrincipalId::from_parts(kind, row.get(1)),
                roles,
            ));
        }
    }
    Ok(out)
}

/// (users, clients): one aggregate over the tenant's grants there.
pub fn counts(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(u32, u32), StoreError> {
    let row = pg.query_one(
        "SELECT count(*) FILTER (WHERE kind = $3), count(*) FILTER (WHERE kind = $4)
         FROM grants WHERE community = $1 AND tenant = $2",
        &[
            &community.0,
            &tenant.0,
            &i16::from(PrincipalKind::User.code()),
            &i16::from(PrincipalKind::Client.code()),
        ],
    )?;
    Ok((count(row.get(0))?, count(row.get(1))?))
}

pub fn remove_tenant(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(), StoreError> {
    pg.execute(
        "DELETE FROM grants WHERE community = $1 AND tenant = $2",
        &[&community.0, &tenant.0],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{ClientId, UserId};
    use crate::domain::role::Role;
    use crate::store::grants;
    use crate::store::pg::communities::{on_both, read, write};
    use uuid::Uuid;

    #[test]
    fn grants_are_set_counted_listed_and_removed_like_on_redb() {
        let (community, tenant, other) = (
            CommunityId::generate(),
            TenantId::generate(),
            TenantId::generate(),
        );
        let users: Vec<PrincipalId> = (0..3)
            .map(|_| PrincipalId::User(UserId(Uuid::new_v4())))
            .collect();
        let client = PrincipalId::Client(ClientId(Uuid::new_v4()));
        let admin = RoleSet::of(&[Role::CommunityAdministrator, Role::CommunityMember]);
        let member = RoleSet::of(&[Role::CommunityMember]);
        let answers = on_both(|store| {
            write(store, |tx| {
                for who in &users {
                    grants::set(tx, community, tenant, *who, member)?;
                }
                grants::set(tx, community, tenant, client, member)?;
                grants::set(tx, community, tenant, users[0], admin)?;
                // An empty set removes the grant.
                grants::set(tx, community, tenant, users[1], RoleSet::EMPTY)?;
                grants::set(tx, community, other, users[2], admin)
            })?;
            let snapshot = |store: &crate::store::Store| {
                read(store, |tx| {
                    Ok((
                        grants::get(tx, community, tenant, users[0])?,
                        grants::get(tx, community, tenant, users[1])?,
                        grants::of_tenant(tx, community, tenant)?,
                        grants::counts(tx, community, tenant)?,
                        grants::counts(tx, community, other)?,
                    ))
                })
            };
            let before = snapshot(store)?;
            write(store, |tx| grants::remove_tenant(tx, community, tenant))?;
            Ok((before, snapshot(store)?))
        });
        let Some((before, after)) = answers else {
            return;
        };
        let mut listed = vec![(users[0], admin), (users[2], member), (client, member)];
        listed.sort_by_key(|(who, _)| who.as_uuid());
        assert_eq!(before, (admin, RoleSet::EMPTY, listed, (2, 1), (1, 0)));
        assert_eq!(
            after,
            (RoleSet::EMPTY, RoleSet::EMPTY, vec![], (0, 0), (1, 0))
        );
    }
}
