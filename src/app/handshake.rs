//! The three-step handshake: the invited tenant accepts (or declines), the
//! inviting side confirms; and Resend. Every step re-checks what may have
//! changed since the invitation was created.

use super::access::{acting, Acting};
use super::audit;
use super::community_access::{current_membership, in_community};
use super::context::Context;
use super::error::AppError;
use super::invitations::{may_answer, queue_invitation_email, spend_quota, view, InvitationView};
use super::notify;
use super::profile;
use super::removal::release_invitee;
use super::trusted_domains;
use crate::auth::session;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::community::Community;
use crate::domain::identity::Caller;
use crate::domain::ids::{InvitationId, PrincipalId};
use crate::domain::invitation::Invitation;
use crate::domain::membership::{CommunityTenantStatus, Membership};
use crate::domain::notification::Notice;
use crate::domain::permission::Operation;
use crate::domain::role::{Role, RoleSet};
use crate::store::{
    communities, grants, identities, invitations, memberships, profiles, sessions, tenants,
    Readable, WriteTx,
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

/// `link_session` is the portal session (its cookie value) of a person who
/// may have followed the invitation's signed link: that is their proof of
/// reading the recipient mailbox. It is read inside the transaction, so a
/// Resend, a withdrawal or a logout that commits first takes the proof away.
pub async fn process(
    ctx: &Context,
    caller: Caller,
    id: InvitationId,
    action: Action,
    link_session: Option<&str>,
) -> Result<InvitationView, AppError> {
    process_with_contact(ctx, caller, id, action, link_session, None).await
}

/// `process`, recording on Accept the accepting tenant's contact email
/// (AVEVA Data Hub's `ProcessInvitationInput.ContactEmail`) in the same
/// transaction.
pub async fn process_with_contact(
    ctx: &Context,
    caller: Caller,
    id: InvitationId,
    action: Action,
    link_session: Option<&str>,
    contact_email: Option<String>,
) -> Result<InvitationView, AppError> {
    let contact = profile::contact_email("ContactEmail", contact_email.as_deref())?.flatten();
    let now = ctx.clock.now();
    let ttl = ctx.invitation_ttl();
    let cap = ctx.settings.invitations_per_community_per_day;
    let link_session = link_session.map(session::key);
    let who = audit::by(ctx, caller);
    let done = ctx
        .store
        .write(move |tx| {
            let link = match &link_session {
                Some(key) => followed_link(tx, key, id, now)?,
                None => None,
            };
            let inv = match action {
                Action::Accept => {
                    let (inv, community) = accept(tx, caller, id, link, now)?;
                    if let (Some(contact), Some(tenant)) = (&contact, inv.invited_tenant) {
                        let mut mine = profiles::member(tx, inv.community, tenant)?;
                        mine.contact_email = Some(contact.clone());
                        profiles::set_member(tx, inv.community, tenant, &mine)?;
                    }
                    record_answer(tx, &who, AuditKind::InvitationAccepted, &inv)?;
                    settle_acceptance(tx, &who, inv, &community, now)?
                }
                Action::Decline => decline(tx, caller, id, link, now)?,
                Action::Confirm => confirm(tx, &who, id, now)?,
                Action::Resend => resend(tx, caller, id, now, ttl, cap)?,
            };
            let kind = match action {
                Action::Decline => Some(AuditKind::InvitationDeclined),
                Action::Resend => Some(AuditKind::InvitationResent),
                // Recorded above, before the confirmation it may bring.
                Action::Accept => None,
                // `confirm_invitation` records it.
                Action::Confirm => None,
            };
            if let Some(kind) = kind {
                record_answer(tx, &who, kind, &inv)?;
            }
            view(tx, inv, now)
        })
        .await?;
    ctx.mail_ready.notify_one();
    Ok(done)
}

/// An answer to an invitation (or its resending), seen by the inviting
/// tenant and the tenant that answered.
fn record_answer(
    tx: &WriteTx,
    who: &Origin,
    kind: AuditKind,
    inv: &Invitation,
) -> Result<(), AppError> {
    let mut touched = vec![inv.issuing_tenant];
    touched.extend(inv.invited_tenant);
    let detail = serde_json::json!({
        "Community": inv.community.to_string(),
        "Recipient": inv.recipient.as_str(),
    });
    audit::record(tx, who, kind, Subject::invitation(inv.id), detail, &touched)?;
    Ok(())
}

/// The generation of the invitation link the session followed, if it did;
/// an ended session proves nothing and is refused.
fn followed_link(
    tx: &impl Readable,
    key: &[u8],
    id: InvitationId,
    now: DateTime<Utc>,
) -> Result<Option<u32>, AppError> {
    let session = sessions::get(tx, key)?
        .filter(|s| s.is_live_at(now))
        .ok_or_else(|| AppError::Unauthorized("your session has ended; log in again".into()))?;
    Ok(session.link_generation(id))
}

/// The invitation, for its own issuing tenant only: to any other tenant it
/// answers as an id that does not exist, before any of its state is looked
/// at (only the tenant that sent an invitation can confirm or resend it).
/// The issuer may learn its own invitation's state (withdrawn, say) even
/// after leaving the community.
fn load_issued(
    tx: &impl Readable,
    caller: Caller,
    id: InvitationId,
) -> Result<(Invitation, Community), AppError> {
    let not_found = || {
        AppError::not_found(format!(
            "your tenant sent no invitation {id} (only the tenant that sent an invitation can confirm or resend it)"
        ))
    };
    // Who is asking comes first: a caller whose tenant is not Active
    // learns nothing about any invitation.
    acting(tx, caller)?;
    let inv = invitations::get(tx, id)?
        .filter(|inv| inv.issuing_tenant == caller.tenant)
        .ok_or_else(not_found)?;
    let community = communities::get(tx, inv.community)?.ok_or_else(not_found)?;
    Ok((inv, community))
}

fn not_withdrawn(inv: &Invitation) -> Result<(), AppError> {
    if inv.withdrawn.is_some() {
        return Err(AppError::conflict(
            "the invitation was withdrawn by the inviting tenant",
        ));
    }
    Ok(())
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
    link: Option<u32>,
) -> Result<(Acting, Invitation, Community), AppError> {
    let me = acting(tx, caller)?;
    me.require_tenant_role(Operation::AnswerInvitation)?;
    let inv = invitations::get(tx, id)?
        .ok_or_else(|| AppError::not_found(format!("invitation {id} does not exist")))?;
    if !may_answer(tx, caller, &inv, link)? {
        return Err(AppError::forbidden(
            "the invitation was addressed to an email address that no user of your tenant has, and this session has not followed its current link",
        ));
    }
    not_withdrawn(&inv)?;
    let community = communities::get(tx, inv.community)?
        .ok_or_else(|| AppError::not_found("the invitation's community no longer exists"))?;
    Ok((me, inv, community))
}

/// Records the acceptance and leaves the tenant awaiting confirmation
/// (`settle_acceptance` then decides who confirms it).
fn accept(
    tx: &WriteTx,
    caller: Caller,
    id: InvitationId,
    link: Option<u32>,
    now: DateTime<Utc>,
) -> Result<(Invitation, Community), AppError> {
    let (me, mut inv, community) = answering(tx, caller, id, link)?;
    // A waiting membership left by an acceptance that lapsed does not count:
    // this acceptance replaces it.
    if current_membership(tx, community.id, caller.tenant, now)?.is_some() {
        return Err(AppError::conflict(format!(
            "tenant '{}' is already a member of community '{}' (or is awaiting confirmation)",
            me.tenant.company_name,
            community.name.as_str()
        )));
    }
    check_inviting_side(tx, &inv)?;
    trusted_domains::check_invitation(tx, &inv)?;
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
            paused_by: None,
        },
    )?;
    invitations::put(tx, &inv)?;
    Ok((inv, community))
}

/// After an acceptance: a joiner invited at one of the community's
/// trusted domains, when it confirms those automatically, is confirmed
/// now by the service on the inviting side's behalf; any other waits for
/// the inviting side, which is told.
fn settle_acceptance(
    tx: &WriteTx,
    who: &Origin,
    inv: Invitation,
    community: &Community,
    now: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    if confirms_automatically(tx, &inv)? {
        return confirm_as(tx, &who.as_service(), inv, community, now, true);
    }
    let accepting_tenant = inv
        .invited_tenant
        .map(|t| tenants::get(tx, t))
        .transpose()?
        .flatten()
        .map(|t| t.company_name)
        .unwrap_or_default();
    notify::queue(
        tx,
        notify::contact_of(tx, inv.issued_by, inv.issuing_tenant)?,
        Notice::PendingConfirmation {
            invitation: inv.id,
            community: community.id,
            community_name: community.name.as_str().to_string(),
            accepting_tenant,
        },
        now,
    )?;
    Ok(inv)
}

/// The community confirms this joiner itself: its recipient is at a
/// trusted domain, the switch is on, and the inviting tenant may confirm
/// now (a paused one confirms nobody, by hand or otherwise).
fn confirms_automatically(tx: &WriteTx, inv: &Invitation) -> Result<bool, AppError> {
    let trusted = trusted_domains::check_invitation(tx, inv)?;
    if !trusted.confirms_automatically(&inv.recipient) {
        return Ok(false);
    }
    let issuer = memberships::get(tx, inv.community, inv.issuing_tenant)?;
    Ok(issuer.is_some_and(|m| m.status == CommunityTenantStatus::Active))
}

fn decline(
    tx: &WriteTx,
    caller: Caller,
    id: InvitationId,
    link: Option<u32>,
    now: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    let (_, mut inv, community) = answering(tx, caller, id, link)?;
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
    tx: &WriteTx,
    who: &Origin,
    id: InvitationId,
    now: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    let caller = audit::caller(who)?;
    let (inv, community) = load_issued(tx, caller, id)?;
    not_withdrawn(&inv)?;
    let at = in_community(tx, caller, None, community.id)?;
    at.require(Operation::ConfirmTenant)?;
    confirm_invitation(tx, who, inv, &community, now)
}

/// Makes the accepting tenant Active and completes the invitation. Used by
/// Confirm and by the community-tenants PUT with Status Active.
pub fn confirm_invitation(
    tx: &WriteTx,
    who: &Origin,
    inv: Invitation,
    community: &Community,
    now: DateTime<Utc>,
) -> Result<Invitation, AppError> {
    confirm_as(tx, who, inv, community, now, false)
}

/// `confirm_invitation`; `automatic` when the community's trusted domains
/// confirmed the joiner (the audit event says so).
fn confirm_as(
    tx: &WriteTx,
    who: &Origin,
    mut inv: Invitation,
    community: &Community,
    now: DateTime<Utc>,
    automatic: bool,
) -> Result<Invitation, AppError> {
    // The trusted domains may have changed since the invitation was sent.
    trusted_domains::check_invitation(tx, &inv)?;
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
    audit::record(
        tx,
        who,
        AuditKind::MembershipConfirmed,
        Subject::membership(community.id, invitee),
        confirmation_detail(&inv, automatic),
        &[invitee, inv.issuing_tenant, community.owner],
    )?;
    invitations::put(tx, &inv)?;
    Ok(inv)
}

/// What a confirmation's event says: the invitation, and whether the
/// community's trusted domains confirmed it rather than a person.
fn confirmation_detail(inv: &Invitation, automatic: bool) -> serde_json::Value {
    if automatic {
        serde_json::json!({
            "Invitation": inv.id.to_string(),
            "ConfirmedBy": "AutoConfirmAllowedDomains",
        })
    } else {
        serde_json::json!({ "Invitation": inv.id.to_string() })
    }
}

fn resend(
    tx: &WriteTx,
    caller: Caller,
    id: InvitationId,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
    cap: u32,
) -> Result<Invitation, AppError> {
    let (mut inv, community) = load_issued(tx, caller, id)?;
    not_withdrawn(&inv)?;
    let at = in_community(tx, caller, None, community.id)?;
    at.require(Operation::ResendInvitation)?;
    trusted_domains::check_invitation(tx, &inv)?;
    // One live invitation per address: after this one expired, a new
    // invitation may have been sent to the same address.
    if let Some(other) = invitations::live_for(tx, community.id, &inv.recipient)? {
        if other.id != inv.id && other.is_live_at(now) {
            return Err(AppError::conflict(format!(
                "{} already has another open invitation to this community ({}); resend that one",
                inv.recipient, other.id
            )));
        }
    }
    // An accepted invitation that expired unconfirmed: the tenant that
    // accepted it stops waiting before the invitation starts over.
    if inv.accepted.is_some() {
        release_invitee(tx, &inv)?;
    }
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
