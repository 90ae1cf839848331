//! The emails time sends about community invitations: the recipient's
//! "expires soon" reminder, `invitation_reminder_before` the expiry, and
//! the "expired" notice to the inviting tenant's Community Administrators
//! when the expiry sweep stores InvitationExpired.
//!
//! Each is queued in the transaction that records it was sent (the
//! invitation's `reminded` generation, or its stored expiry), so a restart
//! or a second instance never sends one twice and a crash loses none.

use super::context::Context;
use super::error::AppError;
use super::notify;
use crate::domain::email::EmailAddress;
use crate::domain::ids::PrincipalId;
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::notification::Notice;
use crate::domain::role::Role;
use crate::store::{communities, grants, identities, invitations, tenants, Readable, WriteTx};
use chrono::{DateTime, Duration, Utc};

const BATCH: usize = 256;

/// Queues the reminders now due, a batch per transaction until none is
/// left; returns how many were queued. Nothing when reminders are off.
pub async fn sweep(ctx: &Context) -> Result<usize, AppError> {
    let before = ctx.invitation_reminder_before();
    if before <= Duration::zero() {
        return Ok(0);
    }
    let now = ctx.clock.now();
    let mut queued = 0;
    loop {
        let (settled, sent) = ctx
            .store
            .write(move |tx| remind_due(tx, now, before))
            .await?;
        queued += sent;
        if settled < BATCH {
            break;
        }
    }
    if queued > 0 {
        ctx.mail_ready.notify_one();
    }
    Ok(queued)
}

/// One batch: every invitation of it leaves the index, reminded or found
/// to need no reminder. Returns (settled, emails queued).
fn remind_due(
    tx: &WriteTx,
    now: DateTime<Utc>,
    before: Duration,
) -> Result<(usize, usize), AppError> {
    let due = invitations::awaiting_reminder(tx, now, now + before, BATCH)?;
    let mut sent = 0;
    for id in &due {
        let Some(mut inv) = invitations::get(tx, *id)? else {
            continue;
        };
        if !inv.awaits_reminder() || inv.state_at(now) != InvitationState::InvitationCreated {
            continue;
        }
        if inv.reminder_due(before).is_some_and(|due| due <= now) {
            sent += usize::from(queue_reminder(tx, &inv, now)?);
        }
        inv.settle_reminder();
        invitations::put(tx, &inv)?;
    }
    Ok((due.len(), sent))
}

/// The reminder email, with the names as they are now.
fn queue_reminder(tx: &WriteTx, inv: &Invitation, now: DateTime<Utc>) -> Result<bool, AppError> {
    let Some(community) = communities::get(tx, inv.community)? else {
        return Ok(false);
    };
    let inviting_tenant = tenants::get(tx, inv.issuing_tenant)?
        .map(|t| t.company_name)
        .unwrap_or_default();
    let notice = Notice::InvitationReminder {
        invitation: inv.id,
        generation: inv.generation,
        community_name: community.name.as_str().to_string(),
        inviting_tenant,
        expires: inv.expires,
    };
    Ok(notify::queue(tx, vec![inv.recipient.clone()], notice, now)?.is_some())
}

/// Tells the inviting side that `inv` expired: called by the expiry sweep
/// in the transaction that stores it expired, so once per expiry. `was`
/// is the stored state before (Accepted: a tenant was left unconfirmed).
pub fn remind_expired(
    tx: &WriteTx,
    inv: &Invitation,
    was: InvitationState,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(community) = communities::get(tx, inv.community)? else {
        return Ok(());
    };
    let accepting_tenant = match (was, inv.invited_tenant) {
        (InvitationState::InvitationAccepted, Some(t)) => {
            tenants::get(tx, t)?.map(|t| t.company_name)
        }
        _ => None,
    };
    let notice = Notice::InvitationExpired {
        community: community.id,
        community_name: community.name.as_str().to_string(),
        recipient: inv.recipient.to_string(),
        expired: inv.expires,
        accepting_tenant,
    };
    notify::queue(tx, inviting_administrators(tx, inv)?, notice, now)?;
    Ok(())
}

/// The active users of the inviting tenant who administer the community;
/// when it has none with a mailbox (its administrator is a client, say),
/// whoever sent the invitation, as the other handshake emails reach it.
fn inviting_administrators(
    tx: &impl Readable,
    inv: &Invitation,
) -> Result<Vec<EmailAddress>, AppError> {
    let mut to = Vec::new();
    for (who, roles) in grants::of_tenant(tx, inv.community, inv.issuing_tenant)? {
        let PrincipalId::User(user) = who else {
            continue;
        };
        if !roles.contains(Role::CommunityAdministrator) {
            continue;
        }
        if let Some(user) = identities::get_user(tx, user)?.filter(|u| !u.deactivated) {
            to.push(user.email);
        }
    }
    if to.is_empty() {
        return notify::contact_of(tx, inv.issued_by, inv.issuing_tenant);
    }
    Ok(to)
}
