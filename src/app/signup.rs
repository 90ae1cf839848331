//! Partner tenants from a community invitation. With `tenant_signup =
//! "invited"`, the recipient of an invitation whose address belongs to no
//! tenant may create their tenant through the invitation link: the link
//! proves the address, so its holder becomes the new tenant's first
//! Tenant Administrator with the password they choose, and can then Join.
//! The inviter still confirms, as for any tenant. An address that already
//! has an account signs in instead, so one invitation makes at most one
//! tenant, on every instance (the check and the tenant are one write).

use super::audit;
use super::context::Context;
use super::error::AppError;
use super::founding::{self, new_tenant, Founding};
use super::{identity, passwords};
use crate::auth::link_token::LinkClaims;
use crate::config::TenantSignup;
use crate::domain::audit::{Actor, AuditKind, Subject};
use crate::domain::email::EmailAddress;
use crate::domain::identity::Caller;
use crate::domain::ids::PrincipalId;
use crate::domain::invitation::InvitationState;
use crate::domain::session::Session;
use crate::store::{communities, identities, invitations, tenants, Readable};
use chrono::{DateTime, Utc};

/// What an invitation link offers someone who is not signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Offer {
    /// The recipient may create their tenant.
    Open(Invitee),
    /// Only the operator creates tenants here.
    Closed,
    /// An account already uses the address: sign in instead.
    HasTenant,
    /// The link cannot be answered (withdrawn, superseded, expired,
    /// already answered): the generic invalid-link page.
    Unusable,
}

/// Who was invited, and to what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    pub recipient: EmailAddress,
    pub community: String,
    pub inviter: String,
}

/// The sign-up form, as typed.
pub struct SignUp {
    pub company_name: String,
    pub password: String,
    pub password_again: String,
}

pub async fn offer(ctx: &Context, claims: LinkClaims) -> Result<Offer, AppError> {
    let (now, open) = (ctx.clock.now(), is_open(ctx));
    ctx.store
        .read(move |tx| offer_in(tx, claims, now, open))
        .await
}

fn is_open(ctx: &Context) -> bool {
    ctx.settings.tenant_signup == TenantSignup::Invited
}

fn offer_in(
    tx: &impl Readable,
    claims: LinkClaims,
    now: DateTime<Utc>,
    open: bool,
) -> Result<Offer, AppError> {
    let Some(inv) = invitations::get(tx, claims.invitation)? else {
        return Ok(Offer::Unusable);
    };
    let answerable = inv.withdrawn.is_none()
        && inv.generation == claims.generation
        && inv.state_at(now) == InvitationState::InvitationCreated;
    if !answerable {
        return Ok(Offer::Unusable);
    }
    if !identities::tenants_owning(tx, &inv.recipient)?.is_empty() {
        return Ok(Offer::HasTenant);
    }
    if !open {
        return Ok(Offer::Closed);
    }
    let Some(community) = communities::get(tx, inv.community)? else {
        return Ok(Offer::Unusable);
    };
    let inviter = tenants::get(tx, inv.issuing_tenant)?
        .map(|t| t.company_name)
        .unwrap_or_default();
    Ok(Offer::Open(Invitee {
        recipient: inv.recipient,
        community: community.name.as_str().to_string(),
        inviter,
    }))
}

/// Creates the recipient's tenant and signs its administrator in (the new
/// session's id and record), or answers with the offer that stands instead
/// of an open one. The form is checked, and the offer read, before the
/// password is hashed; the offer is read again in the write.
pub async fn sign_up(
    ctx: &Context,
    claims: LinkClaims,
    form: SignUp,
) -> Result<Result<(String, Session), Offer>, AppError> {
    let (now, open) = (ctx.clock.now(), is_open(ctx));
    let tenant = new_tenant("company_name", &form.company_name, now)?;
    passwords::check_choice(&form.password, &form.password_again)?;
    let alias = tenant.alias.clone();
    let (offer, name_taken) = ctx
        .store
        .read(move |tx| {
            let taken = tenants::by_alias(tx, &alias)?.is_some();
            Ok::<_, AppError>((offer_in(tx, claims, now, open)?, taken))
        })
        .await?;
    let Offer::Open(invitee) = offer else {
        return Ok(Err(offer));
    };
    if name_taken {
        return Err(founding::name_taken(&tenant.company_name));
    }
    let hash = passwords::hash(form.password).await?;
    let founding = Founding::new(tenant, invitee.recipient, hash);
    let stored = founding.clone();
    // The new administrator makes the tenant, from the invitation's link.
    let who = audit::origin(
        ctx,
        Some(Actor::of(Caller {
            principal: PrincipalId::User(founding.admin.id),
            tenant: founding.tenant.id,
        })),
    );
    let written = ctx
        .store
        .write(move |tx| match offer_in(tx, claims, now, open)? {
            Offer::Open(_) => {
                stored.record(tx)?;
                let tenant = &stored.tenant;
                let detail = serde_json::json!({
                    "Name": tenant.company_name,
                    "Invitation": claims.invitation.to_string(),
                });
                let subject = Subject::tenant(tenant.id);
                audit::record(tx, &who, AuditKind::TenantCreated, subject, detail, &[])?;
                Ok::<_, AppError>(Ok(()))
            }
            other => Ok(Err(other)),
        })
        .await?;
    if let Err(offer) = written {
        return Ok(Err(offer));
    }
    tracing::info!(tenant = %founding.tenant.id, invitation = %claims.invitation, "tenant created from an invitation");
    Ok(Ok(
        identity::start_session(ctx, &founding.admin, "SignUp").await?
    ))
}
