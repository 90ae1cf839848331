//! What happens when a tenant stops being a member (removed or left) and
//! when a community is deleted: memberships, role grants, shares and the
//! tenant's pending invitations go in the same transaction.

use super::audit;
use super::error::AppError;
use super::notify;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::community::Community;
use crate::domain::ids::TenantId;
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::membership::Membership;
use crate::domain::notification::Notice;
use crate::store::{communities, grants, invitations, memberships, tenants, WriteTx};
use chrono::{DateTime, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Departure {
    /// The owner side removed the tenant.
    Removed,
    /// The tenant left by itself.
    Left,
}

/// Ends a membership. The owner's membership never comes here.
pub fn end_membership(
    tx: &WriteTx,
    who: &Origin,
    community: &Community,
    member: &Membership,
    how: Departure,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    drop_membership(tx, community, member.tenant, now)?;
    let kind = match how {
        Departure::Removed => AuditKind::MembershipRemoved,
        Departure::Left => AuditKind::MembershipLeft,
    };
    audit::record(
        tx,
        who,
        kind,
        Subject::membership(community.id, member.tenant),
        serde_json::json!({ "CommunityName": community.name.as_str() }),
        &[member.tenant, community.owner],
    )?;
    let tenant_name = tenants::get(tx, member.tenant)?
        .map(|t| t.company_name)
        .unwrap_or_default();
    let (to, by_community) = match how {
        Departure::Removed => (notify::tenant_administrators(tx, member.tenant)?, true),
        Departure::Left => (notify::tenant_administrators(tx, community.owner)?, false),
    };
    notify::queue(
        tx,
        to,
        Notice::Removed {
            community_name: community.name.as_str().to_string(),
            tenant_name,
            by_community,
        },
        now,
    )?;
    Ok(())
}

/// The data side of leaving: membership, grants, shares, and every open
/// invitation the tenant issued or accepted for this community.
fn drop_membership(
    tx: &WriteTx,
    community: &Community,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    memberships::remove(tx, community.id, tenant)?;
    grants::remove_tenant(tx, community.id, tenant)?;
    super::sds::sharing::revoke(tx, community.id, tenant)?;
    for mut inv in invitations::of_community(tx, community.id)? {
        let open = inv.is_live_at(now);
        let issued_by_it = inv.issuing_tenant == tenant;
        let accepted_by_it = inv.invited_tenant == Some(tenant)
            && inv.state_at(now) == InvitationState::InvitationAccepted;
        if open && (issued_by_it || accepted_by_it) {
            // A tenant that accepted this one's invitation but was not yet
            // confirmed can no longer be: its waiting membership goes too.
            if issued_by_it && inv.state_at(now) == InvitationState::InvitationAccepted {
                release_invitee(tx, &inv)?;
            }
            inv.withdraw(now)
                .map_err(|e| AppError::conflict(e.to_string()))?;
            invitations::put(tx, &inv)?;
        }
    }
    Ok(())
}

/// An accepted invitation that ends unconfirmed (withdrawn, expired,
/// resent, or its issuer left) takes the invitee's waiting membership with
/// it: the one waiting on this invitation, never a newer one.
pub fn release_invitee(tx: &WriteTx, inv: &Invitation) -> Result<(), AppError> {
    let Some(invitee) = inv.invited_tenant else {
        return Ok(());
    };
    let waiting = memberships::get(tx, inv.community, invitee)?
        .is_some_and(|m| !m.is_in() && m.invitation == Some(inv.id));
    if waiting {
        memberships::remove(tx, inv.community, invitee)?;
        grants::remove_tenant(tx, inv.community, invitee)?;
    }
    Ok(())
}

/// Deletes a community and everything in it; every member tenant sees
/// the deletion.
pub fn delete_community(tx: &WriteTx, who: &Origin, community: &Community) -> Result<(), AppError> {
    super::sds::sharing::revoke_community(tx, community)?;
    let members = memberships::of_community(tx, community.id)?;
    let touched: Vec<TenantId> = members.iter().map(|m| m.tenant).collect();
    audit::record(
        tx,
        who,
        AuditKind::CommunityDeleted,
        Subject::community(community.id),
        serde_json::json!({ "Name": community.name.as_str() }),
        &touched,
    )?;
    for m in members {
        memberships::remove(tx, community.id, m.tenant)?;
        grants::remove_tenant(tx, community.id, m.tenant)?;
    }
    for inv in invitations::of_community(tx, community.id)? {
        invitations::purge(tx, &inv)?;
    }
    communities::delete(tx, community)?;
    Ok(())
}
