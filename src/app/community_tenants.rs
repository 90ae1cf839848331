//! Member tenants of a community: list, confirm, pause, resume, remove, leave.

use super::audit;
use super::communities::{tenants_of, TenantInCommunity};
use super::community_access::{in_community, in_or_awaiting, InCommunity};
use super::context::Context;
use super::error::{optional, AppError};
use super::handshake::confirm_invitation;
use super::profile;
use super::removal::{end_membership, Departure};
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::community::validate_alias;
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::{
    CommunityTenantStatus, Membership, PausedBy, StatusChange, StatusError,
};
use crate::domain::permission::{may_resume, Operation};
use crate::store::{invitations, memberships, profiles, WriteTx};
use chrono::{DateTime, Utc};

pub async fn list(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
) -> Result<Vec<TenantInCommunity>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let at = in_community(tx, caller, path_tenant, community)?;
            at.require(Operation::ViewCommunity)?;
            tenants_of(tx, community, caller.tenant, now)
        })
        .await
}

/// What a status request did: `Unchanged` answers 204.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Changed,
    Unchanged,
}

/// What `update` did, and the member tenant as it is after the change:
/// a tenant that left or was removed, as it was, with status `Remove`.
#[derive(Debug)]
pub struct Updated {
    pub outcome: Outcome,
    pub member: Option<TenantInCommunity>,
}

/// `member` as `viewer`'s tenant sees it in the community, if it stands there.
fn member_as_seen(
    tx: &WriteTx,
    community: CommunityId,
    viewer: TenantId,
    member: TenantId,
    now: DateTime<Utc>,
) -> Result<Option<TenantInCommunity>, AppError> {
    Ok(tenants_of(tx, community, viewer, now)?
        .into_iter()
        .find(|t| t.id == member))
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
    tx: &WriteTx,
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
    let change = MemberChange {
        status: Some(requested),
        ..Default::default()
    };
    Ok(update(ctx, caller, path_tenant, community, member, change)
        .await?
        .outcome)
}

/// What `UpdateCommunityTenantInput` asks; AVEVA Data Hub made every part
/// optional, so a body with only `CommunityAlias` is a whole request.
#[derive(Debug, Default)]
pub struct MemberChange {
    pub status: Option<CommunityTenantStatus>,
    pub community_alias: Option<String>,
    pub contact_email: Option<String>,
    pub preferred_region_id: Option<String>,
}

/// Applies a status and the member's own settings in one transaction.
pub async fn update(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    member: TenantId,
    change: MemberChange,
) -> Result<Updated, AppError> {
    let settings = MemberSettings {
        alias: optional(
            "CommunityAlias",
            change.community_alias.as_deref(),
            validate_alias,
        )?,
        contact_email: profile::contact_email("ContactEmail", change.contact_email.as_deref())?,
        region: profile::region(
            ctx,
            "PreferredRegionId",
            change.preferred_region_id.as_deref(),
        )?,
    };
    if change.status.is_none() && settings.is_empty() {
        return Err(AppError::invalid(
            "body",
            "send at least one of Status, CommunityAlias, ContactEmail or PreferredRegionId",
        ));
    }
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    let outcome = ctx
        .store
        .write(move |tx| {
            // Settings first: a removal that follows takes them with it.
            let mut outcome = Outcome::Unchanged;
            if !settings.is_empty() {
                outcome = settings.apply(tx, &who, path_tenant, community, member)?;
            }
            // A tenant removed is answered as it was, so read it first.
            let mut leaving = None;
            if let Some(requested) = change.status {
                if requested == CommunityTenantStatus::Remove {
                    leaving = member_as_seen(tx, community, caller.tenant, member, now)?;
                }
                let status =
                    apply_status(tx, &who, path_tenant, community, member, requested, now)?;
                if status == Outcome::Changed {
                    outcome = Outcome::Changed;
                }
            }
            let member = match outcome {
                Outcome::Unchanged => None,
                Outcome::Changed => member_as_seen(tx, community, caller.tenant, member, now)?
                    .or_else(|| {
                        leaving.map(|t| TenantInCommunity {
                            status: CommunityTenantStatus::Remove,
                            paused_by: None,
                            ..t
                        })
                    }),
            };
            Ok::<_, AppError>(Updated { outcome, member })
        })
        .await?;
    ctx.mail_ready.notify_one();
    Ok(outcome)
}

/// A member tenant's own settings in a community (AVEVA Data Hub): each
/// `None` leaves one alone; `Some(None)` clears it.
struct MemberSettings {
    alias: Option<Option<String>>,
    contact_email: profile::Setting,
    region: profile::Setting,
}

impl MemberSettings {
    fn is_empty(&self) -> bool {
        self.alias.is_none() && self.contact_email.is_none() && self.region.is_none()
    }

    fn apply(
        &self,
        tx: &WriteTx,
        who: &Origin,
        path_tenant: Option<TenantId>,
        community: CommunityId,
        member: TenantId,
    ) -> Result<Outcome, AppError> {
        let caller = audit::caller(who)?;
        let at = in_community(tx, caller, path_tenant, community)?;
        if member != caller.tenant {
            return Err(AppError::forbidden(
                "a tenant sets only its own alias, contact email and preferred region",
            ));
        }
        at.require(Operation::SetCommunityAlias)?;
        let mut membership = at.membership.clone();
        let before = profiles::member(tx, community, member)?;
        let mut after = before.clone();
        if let Some(alias) = &self.alias {
            membership.alias = alias.clone();
        }
        if let Some(contact) = &self.contact_email {
            after.contact_email = contact.clone();
        }
        if let Some(region) = &self.region {
            after.preferred_region_id = region.clone();
        }
        if membership == at.membership && after == before {
            return Ok(Outcome::Unchanged);
        }
        memberships::put(tx, &membership)?;
        profiles::set_member(tx, community, member, &after)?;
        let detail = serde_json::json!({
            "CommunityAlias": membership.alias,
            "ContactEmail": after.contact_email,
            "PreferredRegionId": after.preferred_region_id,
        });
        audit::record(
            tx,
            who,
            AuditKind::MembershipSettingsChanged,
            Subject::membership(community, member),
            detail,
            &[],
        )?;
        Ok(Outcome::Changed)
    }
}

fn apply_status(
    tx: &WriteTx,
    who: &Origin,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    member: TenantId,
    requested: CommunityTenantStatus,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    let caller = audit::caller(who)?;
    let leaving = requested == CommunityTenantStatus::Remove && member == caller.tenant;
    let at = if leaving {
        in_or_awaiting(tx, caller, path_tenant, community)?
    } else {
        in_community(tx, caller, path_tenant, community)?
    };
    may_request(&at, member, requested)?;
    let mut membership = member_of(tx, community, member)?;
    let change = membership.change_to(requested).map_err(status_error)?;
    let itself = member == caller.tenant;
    if requested == CommunityTenantStatus::Active
        && !itself
        && !at.is_owner_side()
        && change != StatusChange::Confirm
    {
        return Err(AppError::forbidden(
            "only the tenant that owns the community can resume another tenant's sharing",
        ));
    }
    match change {
        StatusChange::Unchanged => Ok(Outcome::Unchanged),
        StatusChange::Confirm => confirm(tx, who, &at, &membership, now),
        StatusChange::Remove => remove_or_leave(tx, who, &at, &membership, now),
        StatusChange::Pause => {
            membership.status = CommunityTenantStatus::Paused;
            membership.paused_by = Some(if itself {
                PausedBy::Itself
            } else {
                PausedBy::Owner
            });
            memberships::put(tx, &membership)?;
            record_status(tx, who, &at, &membership, AuditKind::MembershipPaused)?;
            Ok(Outcome::Changed)
        }
        StatusChange::Resume => {
            if !may_resume(membership.paused_by, itself, at.is_owner_side()) {
                return Err(AppError::forbidden(resume_refusal(membership.paused_by)));
            }
            membership.status = CommunityTenantStatus::Active;
            membership.paused_by = None;
            memberships::put(tx, &membership)?;
            record_status(tx, who, &at, &membership, AuditKind::MembershipResumed)?;
            Ok(Outcome::Changed)
        }
    }
}

/// A pause or resume, seen by the member and the owner.
fn record_status(
    tx: &WriteTx,
    who: &Origin,
    at: &InCommunity,
    membership: &Membership,
    kind: AuditKind,
) -> Result<(), AppError> {
    let detail = serde_json::json!({ "PausedBy": membership.paused_by.map(|p| format!("{p:?}")) });
    audit::record(
        tx,
        who,
        kind,
        Subject::membership(membership.community, membership.tenant),
        detail,
        &[membership.tenant, at.community.owner],
    )?;
    Ok(())
}

/// Whether the caller may ask for `requested` on `member` at all, decided
/// from the request and the caller alone: the member's status is read (and
/// answered, even with a 204 for "nothing changed") only after this.
fn may_request(
    at: &InCommunity,
    member: TenantId,
    requested: CommunityTenantStatus,
) -> Result<(), AppError> {
    use CommunityTenantStatus as S;
    let itself = member == at.me.caller.tenant;
    match requested {
        S::None | S::AwaitingConfirmation => {
            Err(status_error(StatusError::NotRequestable(requested)))
        }
        S::Remove if itself => at.require(Operation::LeaveCommunity),
        S::Remove => {
            at.require(Operation::RemoveTenant)?;
            at.require_owner_side("remove other tenants")
        }
        S::Paused if itself => at.require(Operation::PauseOrResumeTenant),
        S::Paused => {
            at.require(Operation::PauseOrResumeTenant)?;
            at.require_owner_side("pause or resume another tenant's sharing")
        }
        S::Active if itself => at.require(Operation::PauseOrResumeTenant),
        // Another tenant: the owner side resumes it; the tenant that invited
        // it confirms it (checked again once the membership is read).
        S::Active if at.is_owner_side() => at.require(Operation::PauseOrResumeTenant),
        S::Active => at.require(Operation::ConfirmTenant),
    }
}

fn resume_refusal(paused_by: Option<PausedBy>) -> &'static str {
    match paused_by {
        Some(PausedBy::Itself) => {
            "the tenant paused its own sharing; only that tenant can resume it"
        }
        _ => {
            "the tenant that owns the community paused this tenant's sharing; only the owner side can resume it"
        }
    }
}

fn confirm(
    tx: &WriteTx,
    who: &Origin,
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
    confirm_invitation(tx, who, inv, &at.community, now)?;
    Ok(Outcome::Changed)
}

/// Removing another tenant is for the owner side's administrators and
/// moderators; removing your own tenant is leaving.
fn remove_or_leave(
    tx: &WriteTx,
    who: &Origin,
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
    end_membership(tx, who, &at.community, member, how, now)?;
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
