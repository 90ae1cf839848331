//! Invitations seen from the inviting side: create, list, get, withdraw;
//! and from the invited side: details and the accepted list.

use super::access::acting;
use super::audit;
use super::community_access::{check_path_tenant, current_membership, in_community, InCommunity};
use super::context::Context;
use super::error::AppError;
use super::removal::release_invitee;
use super::trusted_domains;
use crate::domain::audit::{AuditKind, Subject};
use crate::domain::email::EmailAddress;
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::notification::{DeliveryReport, DeliveryStatus, Notice, OutboxEntry};
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::store::{
    communities, identities, invitations, outbox, prefetch, profiles, tenants, Readable, WriteTx,
};
use chrono::{DateTime, Datelike, Duration, Utc};

/// An invitation as the API and pages show it.
#[derive(Clone, Debug)]
pub struct InvitationView {
    pub invitation: Invitation,
    /// Effective state (expiry is computed on read).
    pub state: InvitationState,
    pub community_name: String,
    pub accepted_tenant_name: Option<String>,
    pub delivery: Option<Delivery>,
}

#[derive(Clone, Debug)]
pub struct Delivery {
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
}

impl Delivery {
    pub(super) fn of(report: &DeliveryReport) -> Self {
        Self {
            status: report.status.clone(),
            attempts: report.attempts,
            last_error: report.last_error.clone(),
        }
    }
}

pub fn view(
    tx: &impl Readable,
    inv: Invitation,
    now: DateTime<Utc>,
) -> Result<InvitationView, AppError> {
    let community_name = communities::get(tx, inv.community)?
        .map(|c| c.name.as_str().to_string())
        .unwrap_or_default();
    let accepted_tenant_name = match inv.invited_tenant {
        Some(t) => tenants::get(tx, t)?.map(|t| t.company_name),
        None => None,
    };
    let delivery = match inv.last_email {
        Some(id) => outbox::delivery(tx, id)?.map(|d| Delivery::of(&d)),
        None => None,
    };
    Ok(InvitationView {
        state: inv.state_at(now),
        invitation: inv,
        community_name,
        accepted_tenant_name,
        delivery,
    })
}

/// The UTC day number that the daily cap counts in.
pub(super) fn day_of(now: DateTime<Utc>) -> i64 {
    i64::from(now.date_naive().num_days_from_ce())
}

/// Counts one invitation email against the community's daily cap.
pub fn spend_quota(
    tx: &WriteTx,
    ctx_cap: u32,
    community: CommunityId,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if invitations::spend_quota(tx, community, day_of(now), ctx_cap)? {
        return Ok(());
    }
    let midnight = (now.date_naive() + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    let wait = (midnight - now).to_std().unwrap_or_default();
    Err(AppError::TooMany {
        reason: format!("this community has sent its {ctx_cap} invitation emails for today (UTC)"),
        retry_after: wait,
    })
}

/// Queues the invitation email for the invitation's current generation.
pub fn queue_invitation_email(
    tx: &WriteTx,
    inv: &mut Invitation,
    inviting_tenant: &str,
    community_name: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let email = invitation_email(inv, inviting_tenant, community_name, now);
    outbox::put(tx, &email)?;
    Ok(())
}

/// The invitation email for the invitation's current generation, not yet
/// queued; the invitation names it as its last email.
pub(super) fn invitation_email(
    inv: &mut Invitation,
    inviting_tenant: &str,
    community_name: &str,
    now: DateTime<Utc>,
) -> OutboxEntry {
    let email = OutboxEntry::new(
        vec![inv.recipient.clone()],
        Notice::Invitation {
            invitation: inv.id,
            generation: inv.generation,
            community_name: community_name.to_string(),
            inviting_tenant: inviting_tenant.to_string(),
            expires: inv.expires,
        },
        now,
    );
    inv.last_email = Some(email.id);
    email
}

/// 409 when every tenant that owns the address is already in the community.
fn check_recipient_not_member(
    tx: &impl Readable,
    community: CommunityId,
    recipient: &EmailAddress,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if let Some(name) = member_owning(tx, community, recipient, now)? {
        return Err(AppError::conflict(format!(
            "{recipient} belongs to tenant '{name}', which is already a member of this community"
        )));
    }
    Ok(())
}

/// The name of a member tenant owning the address, when every tenant that
/// owns it is already in the community (inviting it again could reach no
/// one new).
pub(super) fn member_owning(
    tx: &impl Readable,
    community: CommunityId,
    recipient: &EmailAddress,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let owners = identities::tenants_owning(tx, recipient)?;
    let mut members = Vec::new();
    for t in &owners {
        if current_membership(tx, community, *t, now)?.is_some() {
            members.push(*t);
        }
    }
    if owners.is_empty() || members.len() < owners.len() {
        return Ok(None);
    }
    Ok(Some(
        tenants::get(tx, members[0])?
            .map(|t| t.company_name)
            .unwrap_or_default(),
    ))
}

/// Stores a new invitation, which takes its recipient's address in the
/// community: 409 while another open invitation holds it; one that lapsed
/// (expired, not yet swept) gives it up. Checked by storing first, so
/// invitations created at once in one community do not conflict (see
/// `invitations::insert_unless_address_held`); a refusal later in the same
/// write takes the stored one back with the rest.
pub(super) fn take_address(
    tx: &WriteTx,
    inv: &Invitation,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if invitations::insert_unless_address_held(tx, inv)? {
        return Ok(());
    }
    if let Some(live) = invitations::live_for(tx, inv.community, &inv.recipient)? {
        if live.is_live_at(now) {
            return Err(AppError::conflict(format!(
                "{} already has an open invitation to this community ({}, state {})",
                inv.recipient,
                live.id,
                live.state_at(now).name()
            )));
        }
    }
    invitations::put(tx, inv)?;
    Ok(())
}

pub async fn create(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    recipient: &str,
) -> Result<InvitationView, AppError> {
    let recipient = EmailAddress::parse(recipient)
        .map_err(|e| AppError::invalid("InvitationRecipient", e.to_string()))?;
    let now = ctx.clock.now();
    let ttl = ctx.invitation_ttl();
    let cap = ctx.settings.invitations_per_community_per_day;
    let who = audit::by(ctx, caller);
    let created = ctx
        .store
        .write(move |tx| {
            prefetch::caller_in_community(tx, caller.principal, caller.tenant, community)?;
            let at = in_community(tx, caller, path_tenant, community)?;
            at.require(Operation::InviteTenant)?;
            trusted_domains::check_recipient(tx, community, &recipient)?;
            let mut inv = Invitation::new(
                community,
                caller.tenant,
                caller.principal,
                recipient.clone(),
                now,
                ttl,
            );
            let name = at.community.name.as_str();
            let email = invitation_email(&mut inv, &at.me.tenant.company_name, name, now);
            take_address(tx, &inv, now)?;
            check_recipient_not_member(tx, community, &recipient, now)?;
            spend_quota(tx, cap, community, now)?;
            outbox::put(tx, &email)?;
            let detail = serde_json::json!({
                "Community": community.to_string(),
                "Recipient": recipient.as_str(),
            });
            let subject = Subject::invitation(inv.id);
            audit::record(tx, &who, AuditKind::InvitationCreated, subject, detail, &[])?;
            // What `view` would read back, known already.
            Ok::<_, AppError>(InvitationView {
                state: inv.state_at(now),
                invitation: inv,
                community_name: name.to_string(),
                accepted_tenant_name: None,
                delivery: Some(Delivery::of(&DeliveryReport::of(&email))),
            })
        })
        .await?;
    ctx.mail_ready.notify_one();
    Ok(created)
}

pub async fn list(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    page: Page,
) -> Result<Vec<InvitationView>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let at = in_community(tx, caller, path_tenant, community)?;
            at.require(Operation::ViewInvitations)?;
            invitations::issued_by(tx, community, caller.tenant, Some(page))?
                .into_iter()
                .map(|inv| view(tx, inv, now))
                .collect()
        })
        .await
}

/// An invitation the caller's tenant issued in this community.
fn issued_here(
    tx: &impl Readable,
    at: &InCommunity,
    id: InvitationId,
) -> Result<Invitation, AppError> {
    invitations::get(tx, id)?
        .filter(|inv| {
            inv.community == at.community.id
                && inv.issuing_tenant == at.me.caller.tenant
                && inv.withdrawn.is_none()
        })
        .ok_or_else(|| {
            AppError::not_found(format!("invitation {id} does not exist in this community"))
        })
}

pub async fn get(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    id: InvitationId,
) -> Result<InvitationView, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| {
            let at = in_community(tx, caller, path_tenant, community)?;
            at.require(Operation::ViewInvitations)?;
            let inv = issued_here(tx, &at, id)?;
            view(tx, inv, now)
        })
        .await
}

/// Deleting an invitation withdraws it: its links stop working, and a
/// tenant that accepted it but was not confirmed is no longer waiting.
pub async fn withdraw(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    id: InvitationId,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            let at = in_community(tx, caller, path_tenant, community)?;
            at.require(Operation::WithdrawInvitation)?;
            let mut inv = issued_here(tx, &at, id)?;
            // Accepted and never confirmed, whether still open or expired
            // since: the tenant that accepted stops waiting.
            if inv.state_at(now) != InvitationState::InvitationCompleted {
                release_invitee(tx, &inv)?;
            }
            inv.withdraw(now)
                .map_err(|e| AppError::conflict(e.to_string()))?;
            invitations::put(tx, &inv)?;
            let mut touched = vec![inv.issuing_tenant];
            touched.extend(inv.invited_tenant);
            let detail = serde_json::json!({ "Recipient": inv.recipient.as_str() });
            let subject = Subject::invitation(inv.id);
            audit::record(
                tx,
                &who,
                AuditKind::InvitationWithdrawn,
                subject,
                detail,
                &touched,
            )?;
            Ok(())
        })
        .await
}

/// What the invited side may learn about an invitation (I2).
#[derive(Clone, Debug)]
pub struct InvitationDetails {
    pub community_id: CommunityId,
    pub community_name: String,
    pub tenant_already_member: bool,
    pub state: InvitationState,
    pub inviting_tenant: String,
    pub recipient: String,
    pub expires: DateTime<Utc>,
    /// The inviting tenant's point of contact in the community.
    pub contact_email: Option<String>,
}

/// May this caller answer (or read) this invitation? Its tenant owns the
/// recipient address, or the person followed the invitation's current
/// signed link (`link` is the generation of the link they followed: a
/// Resend or withdrawal since then has revoked it).
pub fn may_answer(
    tx: &impl Readable,
    caller: Caller,
    inv: &Invitation,
    link: Option<u32>,
) -> Result<bool, AppError> {
    if link == Some(inv.generation) {
        return Ok(true);
    }
    Ok(identities::tenants_owning(tx, &inv.recipient)?.contains(&caller.tenant))
}

pub fn details_in(
    tx: &impl Readable,
    caller: Caller,
    id: InvitationId,
    link: Option<u32>,
    now: DateTime<Utc>,
) -> Result<InvitationDetails, AppError> {
    let me = acting(tx, caller)?;
    me.require_tenant_role(Operation::AnswerInvitation)?;
    let inv = invitations::get(tx, id)?
        .ok_or_else(|| AppError::not_found(format!("invitation {id} does not exist")))?;
    if !may_answer(tx, caller, &inv, link)? && inv.issuing_tenant != caller.tenant {
        return Err(AppError::forbidden(
            "the invitation was not addressed to your tenant",
        ));
    }
    let community = communities::get(tx, inv.community)?
        .ok_or_else(|| AppError::not_found("the invitation's community no longer exists"))?;
    let state = if inv.withdrawn.is_some() {
        InvitationState::None
    } else {
        inv.state_at(now)
    };
    Ok(InvitationDetails {
        community_id: community.id,
        community_name: community.name.as_str().to_string(),
        tenant_already_member: current_membership(tx, community.id, caller.tenant, now)?.is_some(),
        state,
        inviting_tenant: tenants::get(tx, inv.issuing_tenant)?
            .map(|t| t.company_name)
            .unwrap_or_default(),
        recipient: inv.recipient.to_string(),
        contact_email: profiles::member(tx, inv.community, inv.issuing_tenant)?.contact_email,
        expires: inv.expires,
    })
}

pub async fn details(
    ctx: &Context,
    caller: Caller,
    id: InvitationId,
) -> Result<InvitationDetails, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| details_in(tx, caller, id, None, now))
        .await
}

/// I7: invitations the tenant accepted that await the inviter's confirmation.
pub async fn accepted_by_tenant(
    ctx: &Context,
    caller: Caller,
    path_tenant: TenantId,
    page: Page,
) -> Result<Vec<InvitationView>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            check_path_tenant(caller, Some(path_tenant))?;
            let me = acting(tx, caller)?;
            me.require_tenant_role(Operation::AnswerInvitation)?;
            invitations::accepted_by_tenant(tx, caller.tenant)?
                .into_iter()
                .filter(|inv| {
                    inv.withdrawn.is_none()
                        && inv.state_at(now) == InvitationState::InvitationAccepted
                })
                .skip(page.skip)
                .take(page.count)
                .map(|inv| view(tx, inv, now))
                .collect()
        })
        .await
}
