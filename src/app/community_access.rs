//! Loading a community as the caller sees it, with the checks every
//! community route shares: the community exists, the caller's tenant is in
//! it, and which roles the caller holds there.

use super::access::{acting, Acting};
use super::error::AppError;
use crate::domain::community::Community;
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::{CommunityTenantStatus, Membership};
use crate::domain::permission::Operation;
use crate::domain::role::RoleSet;
use crate::store::{communities, invitations, memberships, Readable};
use chrono::{DateTime, Utc};

pub struct InCommunity {
    pub me: Acting,
    pub community: Community,
    pub membership: Membership,
    /// Tenant roles plus community roles in this community.
    pub roles: RoleSet,
}

impl InCommunity {
    /// The caller's roles here allow `op`, and so does its tenant's
    /// standing (a paused tenant cannot invite: see the permission table).
    pub fn require(&self, op: Operation) -> Result<(), AppError> {
        self.me.require(op, self.roles)?;
        if self.membership.status == CommunityTenantStatus::Paused && !op.allowed_while_paused() {
            return Err(AppError::forbidden(
                "your tenant's sharing in this community is paused; a paused tenant cannot invite or confirm tenants until it is resumed",
            ));
        }
        Ok(())
    }

    pub fn is_owner_side(&self) -> bool {
        self.community.owner == self.me.caller.tenant
    }

    /// Operations reserved to the tenant that owns the community.
    pub fn require_owner_side(&self, what: &str) -> Result<(), AppError> {
        if self.is_owner_side() {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "only the tenant that owns the community can {what}"
            )))
        }
    }
}

/// The path's `{tenantId}` is the calling tenant (as in OCS); another
/// tenant's id is refused.
pub fn check_path_tenant(caller: Caller, path_tenant: Option<TenantId>) -> Result<(), AppError> {
    match path_tenant {
        Some(t) if t != caller.tenant => Err(AppError::forbidden(
            "the tenant in the path must be the caller's own tenant",
        )),
        _ => Ok(()),
    }
}

/// The community, if the caller's tenant is in it (Active or Paused). A
/// tenant with no membership gets 404, so ids of others' communities reveal
/// nothing; one still awaiting confirmation gets 403.
pub fn in_community(
    tx: &impl Readable,
    caller: Caller,
    path_tenant: Option<TenantId>,
    id: CommunityId,
) -> Result<InCommunity, AppError> {
    load(tx, caller, path_tenant, id, false)
}

/// Like `in_community`, but a tenant still awaiting confirmation is let in
/// too (it may leave, withdrawing its acceptance).
pub fn in_or_awaiting(
    tx: &impl Readable,
    caller: Caller,
    path_tenant: Option<TenantId>,
    id: CommunityId,
) -> Result<InCommunity, AppError> {
    load(tx, caller, path_tenant, id, true)
}

fn load(
    tx: &impl Readable,
    caller: Caller,
    path_tenant: Option<TenantId>,
    id: CommunityId,
    awaiting_ok: bool,
) -> Result<InCommunity, AppError> {
    check_path_tenant(caller, path_tenant)?;
    enter(tx, acting(tx, caller)?, id, awaiting_ok)
}

/// The community as seen by an already-loaded caller (lists load it once).
pub fn enter(
    tx: &impl Readable,
    me: Acting,
    id: CommunityId,
    awaiting_ok: bool,
) -> Result<InCommunity, AppError> {
    let caller = me.caller;
    let not_found = || {
        AppError::not_found(format!(
            "community {id} does not exist or your tenant is not a member of it"
        ))
    };
    let community = communities::get(tx, id)?.ok_or_else(not_found)?;
    let membership = memberships::get(tx, id, caller.tenant)?.ok_or_else(not_found)?;
    if membership.status == CommunityTenantStatus::AwaitingConfirmation && !awaiting_ok {
        return Err(AppError::forbidden(
            "your tenant has accepted the invitation but the inviting tenant has not confirmed it yet",
        ));
    }
    let roles = me.roles_in(tx, id)?;
    Ok(InCommunity {
        me,
        community,
        membership,
        roles,
    })
}

/// Whether a stored membership still stands at `now`: an awaiting one whose
/// accepted invitation lapsed (expired, withdrawn, resent) does not, even
/// before the sweep deletes it (see `Membership::is_current`).
pub fn stands(
    tx: &impl Readable,
    membership: &Membership,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let waiting_on = match (membership.status, membership.invitation) {
        (CommunityTenantStatus::AwaitingConfirmation, Some(id)) => invitations::get(tx, id)?,
        _ => None,
    };
    Ok(membership.is_current(waiting_on.as_ref(), now))
}

/// A tenant's membership as it stands at `now`.
pub fn current_membership(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<Option<Membership>, AppError> {
    match memberships::get(tx, community, tenant)? {
        Some(m) if stands(tx, &m, now)? => Ok(Some(m)),
        _ => Ok(None),
    }
}
