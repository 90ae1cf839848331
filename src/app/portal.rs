//! Read models the portal pages need beyond the API's use cases: who is
//! signed in, what a followed link points at. Reads only; nothing changes.

use super::context::Context;
use super::error::AppError;
use crate::auth::link_token::LinkClaims;
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, InvitationId};
use crate::domain::invitation::InvitationState;
use crate::domain::role::RoleSet;
use crate::domain::session::Session;
use crate::store::{identities, invitations, tenants};

/// The person behind a session, for the page header and for deciding which
/// tenant-level buttons to show.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub email: String,
    pub tenant_name: String,
    pub tenant_roles: RoleSet,
}

/// `None` when the user or tenant no longer exists (the session is stale).
pub async fn signed_in(ctx: &Context, session: &Session) -> Result<Option<SignedIn>, AppError> {
    let (user, tenant) = (session.user, session.tenant);
    ctx.store
        .read(move |tx| {
            let Some(user) = identities::get_user(tx, user)?.filter(|u| u.tenant == tenant) else {
                return Ok(None);
            };
            let Some(tenant) = tenants::get(tx, tenant)? else {
                return Ok(None);
            };
            Ok(Some(SignedIn {
                email: user.email.to_string(),
                tenant_name: tenant.company_name,
                tenant_roles: user.tenant_roles,
            }))
        })
        .await
}

/// What a signed invitation link points at now. Only a signed-in person is
/// told which of these it is; the public sees one generic page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    Usable(InvitationId),
    Missing,
    Withdrawn,
    /// A Resend minted a newer link; this one is dead.
    Superseded,
    Expired,
}

/// What the link points at, and whether `viewer` may be told why it cannot
/// be used: only someone of the inviting tenant or of a tenant owning the
/// recipient address (SPEC 4a); everybody else sees the generic page.
pub async fn invite_link_target(
    ctx: &Context,
    claims: LinkClaims,
    viewer: Option<Caller>,
) -> Result<(LinkTarget, bool), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| {
            let Some(inv) = invitations::get(tx, claims.invitation)? else {
                return Ok((LinkTarget::Missing, false));
            };
            let explain = match viewer {
                Some(v) => {
                    v.tenant == inv.issuing_tenant
                        || identities::tenants_owning(tx, &inv.recipient)?.contains(&v.tenant)
                }
                None => false,
            };
            let target = if inv.withdrawn.is_some() {
                LinkTarget::Withdrawn
            } else if inv.generation != claims.generation {
                LinkTarget::Superseded
            } else if inv.state_at(now) == InvitationState::InvitationExpired {
                LinkTarget::Expired
            } else {
                LinkTarget::Usable(inv.id)
            };
            Ok((target, explain))
        })
        .await
}

/// The community of an invitation the caller's tenant issued (the pending
/// confirmation link leads its inviter there).
pub async fn issued_invitation_community(
    ctx: &Context,
    caller: Caller,
    id: InvitationId,
) -> Result<CommunityId, AppError> {
    ctx.store
        .read(move |tx| {
            invitations::get(tx, id)?
                .filter(|inv| inv.issuing_tenant == caller.tenant && inv.withdrawn.is_none())
                .map(|inv| inv.community)
                .ok_or_else(|| {
                    AppError::not_found("the invitation no longer exists or was withdrawn")
                })
        })
        .await
}
