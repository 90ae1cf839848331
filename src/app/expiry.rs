//! Makes time-based invitation expiry durable: an invitation past its
//! `Expires` is stored as InvitationExpired, and a tenant that accepted it
//! but was never confirmed stops waiting.

use super::audit;
use super::context::Context;
use super::error::AppError;
use super::reminders::remind_expired;
use super::removal::release_invitee;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::invitation::{Invitation, InvitationState};
use crate::store::{audit_events, authorization_codes, invitations, sessions, WriteTx};

const BATCH: usize = 256;

/// Deletes portal sessions past their expiry (they already stopped working).
pub async fn sweep_sessions(ctx: &Context) -> Result<usize, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write(move |tx| Ok(sessions::delete_expired(tx, now, BATCH)?))
        .await
}

/// Deletes authorization codes nobody traded within their minute.
pub async fn sweep_authorization_codes(ctx: &Context) -> Result<usize, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write(move |tx| Ok(authorization_codes::delete_expired(tx, now, BATCH)?))
        .await
}

/// Deletes audit events older than `audit_retention_days`, a batch per
/// transaction until none is left; returns how many.
pub async fn sweep_audit_events(ctx: &Context) -> Result<usize, AppError> {
    let days = i64::from(ctx.settings.audit_retention_days);
    let cutoff = ctx.clock.now() - chrono::Duration::days(days);
    let mut swept = 0;
    loop {
        let n = ctx
            .store
            .write(move |tx| Ok::<_, AppError>(audit_events::sweep_older_than(tx, cutoff, BATCH)?))
            .await?;
        swept += n;
        if n < BATCH {
            return Ok(swept);
        }
    }
}

/// Returns how many invitations it expired (each tells its inviting
/// side by email).
pub async fn sweep(ctx: &Context) -> Result<usize, AppError> {
    let now = ctx.clock.now();
    let who = audit::origin(ctx, None);
    let expired = ctx
        .store
        .write(move |tx| {
            let mut expired = 0;
            for id in invitations::due_for_expiry(tx, now, BATCH)? {
                let Some(mut inv) = invitations::get(tx, id)? else {
                    continue;
                };
                let was = inv.state;
                if !inv.settle_expiry(now) {
                    continue;
                }
                if was == InvitationState::InvitationAccepted {
                    release_invitee(tx, &inv)?;
                }
                remind_expired(tx, &inv, was, now)?;
                invitations::put(tx, &inv)?;
                record_expiry(tx, &who, &inv)?;
                expired += 1;
            }
            Ok::<_, AppError>(expired)
        })
        .await?;
    if expired > 0 {
        ctx.mail_ready.notify_one();
    }
    Ok(expired)
}

/// An invitation that expired, by the service, seen by the inviting tenant
/// and the tenant that accepted it (if any).
fn record_expiry(tx: &WriteTx, who: &Origin, inv: &Invitation) -> Result<(), AppError> {
    let mut touched = vec![inv.issuing_tenant];
    touched.extend(inv.invited_tenant);
    let detail = serde_json::json!({ "Community": inv.community.to_string() });
    let subject = Subject::invitation(inv.id);
    audit::record(
        tx,
        who,
        AuditKind::InvitationExpired,
        subject,
        detail,
        &touched,
    )?;
    Ok(())
}
