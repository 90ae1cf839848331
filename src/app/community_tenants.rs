//! Member tenants of a community: list, confirm, pause, resume, remove, leave.

use super::communities::{tenants_of, TenantInCommunity};
use super::community_access::{in_community, in_or_awaiting, InCommunity};
use super::context::Context;
use super::error::AppError;
use super::handshake::confirm_invitation;
use super::removal::{end_membership, Departure};
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::{CommunityTenantStatus, Membership, StatusChange, StatusError};
use crate::domain::permission::Operation;
use crate::store::{invitations, memberships, WriteTransaction};
use chrono::{DateTime, Utc};

pub async fn list(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
) -> Result<Vec<TenantInCommunity>, AppError> {
    ctx.store
        .read(move |tx| {
            let at = in_community(tx, caller, path_tenant, community)?;
            at.require(Operation::ViewCommunity)?;
            tenants_of(tx, community)
        })
        .await
}

/// What a status request did: `Unchanged` answers 204.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Changed,
    Unchanged,
}

fn status_error(e: StatusError) -> AppError {
    match e {
        StatusError::NotRequestable(_) => AppError::invalid("Status", e.to_string()),
        StatusError::Illegal { .. } | StatusError::OwnerCannotLeave => {
            AppError::conflict(e.to_string())
        }
    }
}

fn member_of(
    tx: &WriteTransaction,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Membership, AppError> {
    memberships::get(tx, community, tenant)?.ok_or_else(|| {
        AppError::not_found(format!("tenant {tenant} is not a member of this community"))
    })
}

pub async fn set_status(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    member: TenantId,
    requested: CommunityTenantStatus,
) -> Result<Outcome, AppError> {
    let now = ctx.clock.now();
    let outcome = ctx
        .store
        .write(move |tx| {
            let leaving = requested == CommunityTenantStatus::Remove && member == caller.tenant;
            let at = if leaving {
                in_or_awaiting(tx, caller, path_tenant, community)?
            } else {
                in_community(tx, caller, path_tenant, community)?
            };
            let mut membership = member_of(tx, community, member)?;
            match membership.change_to(requested).map_err(status_error)? {
                StatusChange::Unchanged => Ok(Outcome::Unchanged),
                StatusChange::Confirm => confirm(tx, &at, &membership, now),
                StatusChange::Remove => remove_or_leave(tx, &at, &membership, now),
                StatusChange::Pause | StatusChange::Resume => {
                    at.require(Operation::PauseOrResumeTenant)?;
                    if member != caller.tenant {
                        at.require_owner_side("pause or resume another tenant's sharing")?;
                    }
                    membership.status = requested;
                    memberships::put(tx, &membership)?;
                    Ok(Outcome::Changed)
                }
            }
        })
        .await?;
    ctx.mail_ready.notify_one();
    Ok(outcome)
}

fn confirm(
    tx: &WriteTransaction,
    at: &InCommunity,
    membership: &Membership,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    at.require(Operation::ConfirmTenant)?;
    let inv = membership
        .invitation
        .and_then(|id| invitations::get(tx, id).ok().flatten())
        .ok_or_else(|| {
            AppError::conflict("no invitation is waiting for this tenant's confirmation")
        })?;
    if inv.issuing_tenant != at.me.caller.tenant {
        return Err(AppError::forbidden(
            "only the tenant that sent the invitation can confirm it",
        ));
    }
    confirm_invitation(tx, inv, &at.community, now)?;
    Ok(Outcome::Changed)
}

/// Removing another tenant is for the owner side's administrators and
/// moderators; removing your own tenant is leaving.
fn remove_or_leave(
    tx: &WriteTransaction,
    at: &InCommunity,
    member: &Membership,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    let how = if member.tenant == at.me.caller.tenant {
        at.require(Operation::LeaveCommunity)?;
        Departure::Left
    } else {
        at.require(Operation::RemoveTenant)?;
        at.require_owner_side("remove other tenants")?;
        Departure::Removed
    };
    end_membership(tx, &at.community, member, how, now)?;
    Ok(Outcome::Changed)
}

pub async fn remove(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    member: TenantId,
) -> Result<(), AppError> {
    let outcome = set_status(
        ctx,
        caller,
        path_tenant,
        community,
        member,
        CommunityTenantStatus::Remove,
    )
    .await?;
    debug_assert_eq!(outcome, Outcome::Changed);
    Ok(())
}
