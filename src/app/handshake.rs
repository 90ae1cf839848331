//! The three-step handshake: the invited tenant accepts (or declines), the
//! inviting side confirms; and Resend. Every step re-checks what may have
//! changed since the invitation was created.

use super::access::{acting, require, Acting};
use super::community_access::in_community;
use super::context::Context;
use super::error::AppError;
use super::invitations::{may_answer, queue_invitation_email, spend_quota, view, InvitationView};
use super::notify;
use super::profile;
use crate::domain::community::Community;
use crate::domain::identity::Caller;
use crate::domain::ids::{InvitationId, PrincipalId};
use crate::domain::invitation::Invitation;
use crate::domain::membership::{CommunityTenantStatus, Membership};
use crate::domain::notification::Notice;
use crate::domain::permission::Operation;
use crate::domain::role::{Role, RoleSet};
use crate::store::{
    communities, grants, identities, invitations, memberships, profiles, tenants, Readable,
    WriteTransaction,
};
use chrono::{DateTime, Utc};

/// `ProcessInvitationAction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub enum Action {
    Accept,
    Decline,
    Confirm,
    Resend,
}

pub async fn process(
    ctx: &Context,
    caller: Caller,
    id: InvitationId,
    action: Action,
    via_link: bool,
) -> Result<InvitationView, AppError> {
    process_with_contact(ctx, caller, id, action, via_link, None).await
}

/// `process`, recording on Accept the accepting tenant's contact email
/// (AVEVA Data Hub's `ProcessInvitationInput.ContactEmail`) in the same
/// transaction.
pub async fn process_with_contact(
    ctx: &Context,
    caller: Caller,
    id: InvitationId,
    action: Action,
    via_link: bool,
    contact_email: Option<String>,
) -> Result<InvitationView, AppError> {
    let contact = profile::contact_email("ContactEmail", contact_email.as_deref())?.flatten();
    let now = ctx.clock.now();
    let ttl = ctx.invitation_ttl();
    let cap = ctx.settings.invitations_per_community_per_day;
    let done = ctx
        .store
        .write(move |tx| {
            let inv = match action {
                Action::Accept => {
                    let inv = accept(tx, caller, id, via_link, now)?;
                    if let (Some(contact), Some(tenant)) = (&contact, inv.invited_tenant) {
                        let mut mine = profiles::member(tx, inv.community, tenant)?;
                        mine.contact_email = Some(contact.clone());
                        profiles::set_member(tx, inv.community, tenant, &mine)?;
                    }
                    inv
                }
                Action::Decline => decline(tx, caller, id, via_link, now)?,
                Action::Confirm => confirm(tx, caller, id, now)?,
                Action::Resend => resend(tx, caller, id, now, ttl, cap)?,
            };
            view(tx, inv, now)
        })
        .await?;
    ctx.mail_ready.notify_one();
    Ok(done)
}

fn load(tx: &impl Readable, id: InvitationId) -> Result<(Invitation, Community), AppError> {
    let inv = invitations::get(tx, id)?
        .ok_or_else(|| AppError::not_found(format!("invitation {id} does not exist")))?;
    if inv.withdrawn.is_some() {
        return Err(AppError::conflict(
            "the invitation was withdrawn by the inviting tenant",
        ));
    }
    let community = communities::get(tx, inv.community)?
        .ok_or_else(|| AppError::not_found("the invitation's community no longer exists"))?;
    Ok((inv, community))
}

fn conflict(e: impl ToString) -> AppError {
    AppError::conflict(e.to_string())
}

/// The inviting side must still be able to invite: its tenant Active and
/// the issuer still holding an inviting role in the community.
fn check_inviting_side(tx: &impl Readable, inv: &Invitation) -> Result<(), AppError> {
    let issuer_tenant = tenants::get(tx, inv.issuing_tenant)?;
    if !issuer_tenant.is_some_and(|t| t.state.is_active()) {
        return Err(AppError::conflict(
            "the inviting tenant is no longer active",
        ));
    }
    let in_it = memberships::get(tx, inv.community, inv.issuing_tenant)?.is_some_and(|m| m.is_in());
    let issuer_roles = grants::get(tx, inv.community, inv.issuing_tenant, inv.issued_by)?;
    if !in_it || !Operation::InviteTenant.allows(issuer_roles) {
        return Err(AppError::conflict(
            "the person who sent this invitation can no longer invite tenants to the community; ask them to invite you again",
        ));
    }
    Ok(())
}

/// The invited side's common checks: a Tenant Administrator of a tenant
/// that may answer this invitation (it owns the address, or followed the link).
fn answering(
    tx: &impl Readable,
    caller: Caller,
    id: InvitationId,
    via_link: bool,
) -> Result<(Acting, Invitation, Community), AppError> {
    let me = acting(tx, caller)?;
    me.require_tenant_role(Operation::AnswerInvitation)?;
    let (inv, community) = load(tx, id)?;
    if !may_answer(tx, caller, &inv, via_link)? {
        return Err(AppError::forbidden(
            "the invitation was addressed to an email address that no user of your tenant has",
        ));
    }
    Ok((me, inv, community))
}

fn accept(
    tx: &WriteTransaction,
    caller: Caller,
    id: InvitationId,
    via_link: bool,
    now: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    let (me, mut inv, community) = answering(tx, caller, id, via_link)?;
    if memberships::get(tx, community.id, caller.tenant)?.is_some() {
        return Err(AppError::conflict(format!(
            "tenant '{}' is already a member of community '{}' (or is awaiting confirmation)",
            me.tenant.company_name,
            community.name.as_str()
        )));
    }
    check_inviting_side(tx, &inv)?;
    let user_email = match caller.principal {
        PrincipalId::User(u) => identities::get_user(tx, u)?.map(|u| u.email),
        PrincipalId::Client(_) => None,
    };
    inv.accept(now, caller.tenant, caller.principal, user_email)
        .map_err(conflict)?;
    memberships::put(
        tx,
        &Membership {
            community: community.id,
            tenant: caller.tenant,
            status: CommunityTenantStatus::AwaitingConfirmation,
            is_owner: false,
            joined: now,
            alias: None,
            invitation: Some(inv.id),
        },
    )?;
    notify::queue(
        tx,
        notify::contact_of(tx, inv.issued_by, inv.issuing_tenant)?,
        Notice::PendingConfirmation {
            invitation: inv.id,
            community: community.id,
            community_name: community.name.as_str().to_string(),
            accepting_tenant: me.tenant.company_name.clone(),
        },
        now,
    )?;
    invitations::put(tx, &inv)?;
    Ok(inv)
}

fn decline(
    tx: &WriteTransaction,
    caller: Caller,
    id: InvitationId,
    via_link: bool,
    now: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    let (_, mut inv, community) = answering(tx, caller, id, via_link)?;
    inv.decline(now).map_err(conflict)?;
    notify::queue(
        tx,
        notify::contact_of(tx, inv.issued_by, inv.issuing_tenant)?,
        Notice::Declined {
            community: community.id,
            community_name: community.name.as_str().to_string(),
            recipient: inv.recipient.to_string(),
        },
        now,
    )?;
    invitations::put(tx, &inv)?;
    Ok(inv)
}

fn confirm(
    tx: &WriteTransaction,
    caller: Caller,
    id: InvitationId,
    now: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    let (inv, community) = load(tx, id)?;
    let at = in_community(tx, caller, None, community.id)?;
    if inv.issuing_tenant != caller.tenant {
        return Err(AppError::forbidden(
            "only the tenant that sent the invitation can confirm it",
        ));
    }
    at.require(Operation::ConfirmTenant)?;
    confirm_invitation(tx, inv, &community, now)
}

/// Makes the accepting tenant Active and completes the invitation. Used by
/// Confirm and by the community-tenants PUT with Status Active.
pub fn confirm_invitation(
    tx: &WriteTransaction,
    mut inv: Invitation,
    community: &Community,
    now: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    inv.confirm(now).map_err(conflict)?;
    let invitee = inv
        .invited_tenant
        .ok_or_else(|| AppError::conflict("the invitation has no accepting tenant"))?;
    let tenant = tenants::get(tx, invitee)?
        .filter(|t| t.state.is_active())
        .ok_or_else(|| {
            AppError::conflict("the tenant that accepted the invitation is no longer active")
        })?;
    let mut membership = memberships::get(tx, community.id, invitee)?
        .filter(|m| m.status == CommunityTenantStatus::AwaitingConfirmation)
        .ok_or_else(|| {
            AppError::conflict("the accepting tenant is no longer awaiting confirmation")
        })?;
    membership.status = CommunityTenantStatus::Active;
    memberships::put(tx, &membership)?;
    if let Some(acceptor) = inv.accepted_by {
        let held = grants::get(tx, community.id, invitee, acceptor)?;
        let roles = held.union(RoleSet::of(&[
            Role::CommunityAdministrator,
            Role::CommunityMember,
        ]));
        grants::set(tx, community.id, invitee, acceptor, roles)?;
    }
    let to = match (&inv.accepted_user_email, inv.accepted_by) {
        (Some(email), _) => vec![email.clone()],
        (None, Some(who)) => notify::contact_of(tx, who, invitee)?,
        (None, None) => notify::tenant_administrators(tx, invitee)?,
    };
    let inviting_tenant = tenants::get(tx, inv.issuing_tenant)?
        .map(|t| t.company_name)
        .unwrap_or_default();
    notify::queue(
        tx,
        to,
        Notice::Confirmed {
            community: community.id,
            community_name: community.name.as_str().to_string(),
            inviting_tenant,
        },
        now,
    )?;
    tracing::info!(community = %community.id, tenant = %tenant.id, "tenant confirmed");
    invitations::put(tx, &inv)?;
    Ok(inv)
}

fn resend(
    tx: &WriteTransaction,
    caller: Caller,
    id: InvitationId,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
    cap: u32,
) -> Result<Invitation, AppError> {
    let (mut inv, community) = load(tx, id)?;
    let at = in_community(tx, caller, None, community.id)?;
    if inv.issuing_tenant != caller.tenant {
        return Err(AppError::forbidden(
            "only the tenant that sent the invitation can resend it",
        ));
    }
    require(Operation::ResendInvitation, at.roles)?;
    inv.resend(now, ttl).map_err(conflict)?;
    spend_quota(tx, cap, community.id, now)?;
    queue_invitation_email(
        tx,
        &mut inv,
        &at.me.tenant.company_name,
        community.name.as_str(),
        now,
    )?;
    invitations::put(tx, &inv)?;
    Ok(inv)
}
