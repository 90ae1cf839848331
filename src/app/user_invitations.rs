//! User invitations: a Tenant Administrator invites a user of the tenant to
//! set a password and sign in. The email is queued in the transaction that
//! stores the invitation and carries a set-password link (the forgot
//! password machinery's, `app::passwords`), signed for the user's password
//! generation and expiring with the invitation, so it works once.
//!
//! Issuing again (a resend, `PUT`) and withdrawing (`DELETE`) bump the
//! user's password generation, which kills the earlier link on every
//! instance; the invitation is accepted when a password is set through its
//! own link (`passwords::set_with_link`).

use super::audit;
use super::context::Context;
use super::directory::Listed;
use super::error::AppError;
use super::notify;
use super::role_ids::{self, NamedRoles};
use super::users::{in_own_tenant, insert_new, own_user};
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::email::EmailAddress;
use crate::domain::identity::{Caller, User};
use crate::domain::ids::{CustomRoleId, TenantId, UserId};
use crate::domain::notification::Notice;
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::domain::role::{Role, RoleSet};
use crate::domain::user_invitation::{UserInvitation, UserInvitationState};
use crate::store::{identities, tenants, user_invitations, WriteTx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An invitation with its state at the time it was read.
#[derive(Clone, Debug)]
pub struct InvitationView {
    pub invitation: UserInvitation,
    pub state: UserInvitationState,
}

impl InvitationView {
    fn at(invitation: UserInvitation, now: DateTime<Utc>) -> Self {
        let state = invitation.state_at(now);
        Self { invitation, state }
    }
}

/// What a body may ask: whether to send the email (default yes).
#[derive(Clone, Copy, Debug)]
pub struct InvitationInput {
    pub send_invitation: Option<bool>,
}

/// `POST` answers an existing invitation unchanged; `PUT` issues it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    GetOrCreate,
    CreateOrUpdate,
}

/// Whether the invitation was made by this call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Issued {
    Created,
    Existing,
}

fn ttl(ctx: &Context) -> chrono::Duration {
    chrono::Duration::from_std(ctx.settings.user_invitation_ttl)
        .unwrap_or(chrono::Duration::days(7))
}

/// Stores `invitation` for `user` and queues its email when asked to.
fn store_and_send(
    tx: &WriteTx,
    user: &User,
    invitation: &UserInvitation,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    user_invitations::put(tx, invitation)?;
    if !invitation.send_invitation {
        return Ok(false);
    }
    let tenant_name = tenants::get(tx, user.tenant)?
        .map(|t| t.company_name)
        .unwrap_or_default();
    let notice = Notice::UserInvitation {
        user: user.id,
        generation: invitation.generation,
        tenant_name,
        expires: invitation.expires,
    };
    Ok(notify::queue(tx, vec![user.email.clone()], notice, now)?.is_some())
}

/// Issues (or, `CreateOrUpdate`, issues again) the invitation of `user`
/// in the write transaction `tx`. Answers the invitation, whether it is
/// new, and whether an email was queued.
fn issue_in(
    tx: &WriteTx,
    mut user: User,
    mode: Mode,
    send: bool,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(UserInvitation, Issued, bool), AppError> {
    match (user_invitations::of_user(tx, user.id)?, mode) {
        (Some(old), Mode::GetOrCreate) => Ok((old, Issued::Existing, false)),
        (Some(old), Mode::CreateOrUpdate) if old.accepted.is_some() => {
            Err(AppError::conflict(format!(
                "{} accepted the invitation already and signs in with their own password; Forgot password? on the sign-in page sends a new link",
                user.email
            )))
        }
        (Some(mut old), Mode::CreateOrUpdate) => {
            // A new link: the generation moves, so the old link is dead.
            user.end_sessions_and_links();
            identities::put_user(tx, &user)?;
            old.reissue(user.password_generation, send, now, expires);
            let sent = store_and_send(tx, &user, &old, now)?;
            Ok((old, Issued::Existing, sent))
        }
        (None, _) => {
            let invitation = UserInvitation::issue(
                user.tenant,
                user.id,
                user.password_generation,
                send,
                now,
                expires,
            );
            let sent = store_and_send(tx, &user, &invitation, now)?;
            Ok((invitation, Issued::Created, sent))
        }
    }
}

/// A user invitation made (and, when `sent`, emailed).
fn record_sent(tx: &WriteTx, who: &Origin, user: &User, sent: bool) -> Result<(), AppError> {
    let detail = serde_json::json!({ "Email": user.email.as_str(), "Emailed": sent });
    let subject = Subject::user(user.id);
    audit::record(tx, who, AuditKind::UserInvitationSent, subject, detail, &[])?;
    Ok(())
}

/// `POST|PUT /Users/{userId}/Invitation`.
pub async fn issue(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    user: UserId,
    input: InvitationInput,
    mode: Mode,
) -> Result<(InvitationView, Issued), AppError> {
    let now = ctx.clock.now();
    let expires = now + ttl(ctx);
    let send = input.send_invitation.unwrap_or(true);
    let who = audit::by(ctx, caller);
    let (invitation, issued, sent) = ctx
        .store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            let user = own_user(tx, tenant, user)?;
            let issued = issue_in(tx, user.clone(), mode, send, now, expires)?;
            if issued.1 == Issued::Created {
                record_sent(tx, &who, &user, issued.2)?;
            }
            Ok::<_, AppError>(issued)
        })
        .await?;
    if sent {
        ctx.mail_ready.notify_one();
    }
    Ok((InvitationView::at(invitation, now), issued))
}

/// The portal's Invite: a new user with this address, built-in roles and
/// custom roles (each must be the tenant's), and its invitation email, in
/// one transaction.
pub async fn invite_new_user(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    email: &str,
    roles: RoleSet,
    custom: Vec<CustomRoleId>,
) -> Result<Listed<User>, AppError> {
    let email = email.to_string();
    let roles = if roles.is_empty() {
        RoleSet::of(&[Role::TenantMember])
    } else {
        roles
    };
    let now = ctx.clock.now();
    let expires = now + ttl(ctx);
    let id = UserId::generate();
    let who = audit::by(ctx, caller);
    let (listed, sent) = ctx
        .store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            let email = EmailAddress::parse(&email)
                .map_err(|e| AppError::invalid("email", e.to_string()))?;
            role_ids::check_custom(tx, tenant, &custom)?;
            let roles = NamedRoles {
                tenant_roles: roles,
                custom_roles: custom.clone(),
            };
            let user = insert_new(tx, &who, tenant, id, email, roles, now)?;
            let (_, _, sent) = issue_in(tx, user.clone(), Mode::GetOrCreate, true, now, expires)?;
            record_sent(tx, &who, &user, sent)?;
            Ok::<_, AppError>((super::directory::listed_user(tx, user)?, sent))
        })
        .await?;
    if sent {
        ctx.mail_ready.notify_one();
    }
    Ok(listed)
}

/// `GET /Users/{userId}/Invitation`.
pub async fn of_user(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    user: UserId,
) -> Result<InvitationView, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ViewTenant)?;
            own_user(tx, tenant, user)?;
            user_invitations::of_user(tx, user)?
                .map(|i| InvitationView::at(i, now))
                .ok_or_else(|| AppError::not_found(format!("user {user} has no invitation")))
        })
        .await
}

/// `GET /Invitations/{invitationId}`.
pub async fn get(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: Uuid,
) -> Result<InvitationView, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ViewTenant)?;
            user_invitations::get(tx, tenant, id)?
                .map(|i| InvitationView::at(i, now))
                .ok_or_else(|| AppError::not_found(format!("your tenant has no invitation {id}")))
        })
        .await
}

/// `GET /Invitations`: one page, oldest first.
pub async fn list(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<InvitationView>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ViewTenant)?;
            Ok(user_invitations::page_of_tenant(tx, tenant, page)?
                .into_iter()
                .map(|i| InvitationView::at(i, now))
                .collect())
        })
        .await
}

/// `DELETE /Users/{userId}/Invitation`: withdrawn. A link not yet used
/// stops working (the user's password generation moves); an accepted
/// invitation is only forgotten, the user's password and sessions stay.
pub async fn withdraw(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    user: UserId,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            let mut user = own_user(tx, tenant, user)?;
            let Some(old) = user_invitations::of_user(tx, user.id)? else {
                return Err(AppError::not_found(format!(
                    "user {} has no invitation",
                    user.id
                )));
            };
            if old.is_answered_by(user.password_generation) {
                user.end_sessions_and_links();
                identities::put_user(tx, &user)?;
            }
            user_invitations::delete(tx, user.id)?;
            let detail = serde_json::json!({ "Email": user.email.as_str() });
            let subject = Subject::user(user.id);
            audit::record(
                tx,
                &who,
                AuditKind::UserInvitationWithdrawn,
                subject,
                detail,
                &[],
            )?;
            Ok(())
        })
        .await
}

/// One user as the portal's Users page lists it.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub user: Listed<User>,
    pub invitation: Option<InvitationView>,
}

/// A page of the tenant's users, each with its invitation if it has one.
pub async fn rows(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<UserRow>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ViewTenant)?;
            identities::user_page(tx, tenant, page)?
                .into_iter()
                .map(|u| -> Result<UserRow, AppError> {
                    let invitation =
                        user_invitations::of_user(tx, u.id)?.map(|i| InvitationView::at(i, now));
                    Ok(UserRow {
                        user: super::directory::listed_user(tx, u)?,
                        invitation,
                    })
                })
                .collect()
        })
        .await
}
