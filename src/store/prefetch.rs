//! Reading ahead what a request is about to look up, where that saves
//! round trips. On PostgreSQL one statement answers the dozen lookups of a
//! GET of a community, and each answer is kept for the rest of the read
//! transaction (see `memo::TxMemory`), so the use case's code, and every
//! rule it applies, stays as it is. A write keeps what it read ahead only
//! until its next statement, so its caller's five checks cost one round
//! trip where they cost five. On redb lookups are already local and
//! remembered per snapshot: nothing to do.

use super::error::StoreError;
use super::lookup::Lookup;
use super::pg::prefetch::CallerRead;
use super::pg::PgTx;
use super::profiles::MemberProfile;
use super::tx::{Readable, Side};
use crate::domain::ids::{CommunityId, PrincipalId, TenantId};

/// Everything a view of `community` by `principal` of `tenant` reads: the
/// caller, its tenant and roles, the community, and each member with its
/// tenant, role counts and profile. Only a read transaction keeps it.
pub fn community_view(
    tx: &impl Readable,
    principal: PrincipalId,
    tenant: TenantId,
    community: CommunityId,
) -> Result<(), StoreError> {
    let pg = match tx.side() {
        Side::Pg(pg) if pg.remembers() => pg,
        _ => return Ok(()),
    };
    let read = super::pg::prefetch::community(pg, principal, tenant, community)?;
    remember_caller(pg, principal, tenant, community, read.caller);
    pg.remember(Lookup::community_region(community), read.region);
    pg.remember(Lookup::community_share_counts(community), read.share_counts);
    pg.remember(
        Lookup::community_trusted_domains(community),
        read.trusted_domains,
    );
    let mut memberships = Vec::with_capacity(read.members.len());
    for member in read.members {
        let at = member.membership.tenant;
        pg.remember(Lookup::tenant(at), member.tenant);
        pg.remember(Lookup::grant_counts(community, at), member.grant_counts);
        pg.remember(
            Lookup::member_profile(community, at),
            MemberProfile {
                contact_email: member.contact_email,
                preferred_region_id: member.region,
            },
        );
        pg.remember(
            Lookup::membership(community, at),
            Some(member.membership.clone()),
        );
        memberships.push(member.membership);
    }
    pg.remember(Lookup::community_memberships(community), memberships);
    Ok(())
}

/// What every use case about `community` checks first: `principal` of
/// `tenant`, that tenant, the community, the tenant's membership and the
/// principal's roles there (`community_access::in_community`). For a
/// write: it keeps them until its next statement (see `PgTx`), which is
/// as long as that check takes.
pub fn caller_in_community(
    tx: &impl Readable,
    principal: PrincipalId,
    tenant: TenantId,
    community: CommunityId,
) -> Result<(), StoreError> {
    let Side::Pg(pg) = tx.side() else {
        return Ok(());
    };
    let read = super::pg::prefetch::caller(pg, principal, tenant, community)?;
    remember_caller(pg, principal, tenant, community, read);
    Ok(())
}

fn remember_caller(
    pg: &PgTx,
    principal: PrincipalId,
    tenant: TenantId,
    community: CommunityId,
    read: CallerRead,
) {
    pg.remember(Lookup::principal(principal), read.principal);
    pg.remember(Lookup::tenant(tenant), read.tenant);
    pg.remember(Lookup::community(community), read.community);
    pg.remember(Lookup::membership(community, tenant), read.membership);
    pg.remember(Lookup::grant(community, tenant, principal), read.grant);
}
