//! Makes time-based invitation expiry durable: an invitation past its
//! `Expires` is stored as InvitationExpired, and a tenant that accepted it
//! but was never confirmed stops waiting.

use super::context::Context;
use super::error::AppError;
use super::removal::release_invitee;
use crate::domain::invitation::InvitationState;
use crate::store::{authorization_codes, invitations, sessions};

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

/// Returns how many invitations it expired.
pub async fn sweep(ctx: &Context) -> Result<usize, AppError> {
    let now = ctx.clock.now();
    ctx.store
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
                invitations::put(tx, &inv)?;
                expired += 1;
            }
            Ok(expired)
        })
        .await
}
