//! Passwords people choose themselves: changing one's own in the portal,
//! forgot password (an email with set-password links), and the first
//! password of an invited user (the invitation email's link, the same kind).
//!
//! Every change bumps the user's password generation (`User::
//! set_password_hash`). Sessions carry the generation they were made
//! under, and so do set-password links, so one write ends the user's other
//! sessions and makes every earlier link useless, on every instance serving
//! the database, with nothing kept in any process.

use super::audit;
use super::context::Context;
use super::error::AppError;
use super::identity::login_key;
use super::notify;
use super::{identity, users};
use crate::auth::password::hash_now;
use crate::auth::session;
use crate::auth::source::Source;
use crate::domain::audit::{Actor, AuditKind};
use crate::domain::email::EmailAddress;
use crate::domain::identity::Caller;
use crate::domain::ids::PrincipalId;
use crate::domain::notification::{Notice, PasswordAccount};
use crate::domain::password::check_new;
use crate::domain::session::Session;
use crate::store::{identities, sessions, tenants, user_invitations, Readable};
use chrono::{DateTime, Utc};

/// The fields of the change-password form, as typed.
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub again: String,
}

/// The new password and its repetition: the rule, then the same twice.
/// Errors name the form's fields.
pub(super) fn check_choice(new: &str, again: &str) -> Result<(), AppError> {
    check_new(new).map_err(|reason| AppError::invalid("new_password", reason))?;
    if new != again {
        return Err(AppError::invalid(
            "new_password_again",
            "does not match the new password",
        ));
    }
    Ok(())
}

pub(super) async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| AppError::Unexpected(format!("hashing stopped: {e}")))?
        .map_err(AppError::Unexpected)
}

/// Changes the signed-in user's password. The current password is checked
/// as a sign-in is (same failure budget, same hashing queue), so the form
/// cannot be used to guess it faster. On success every other session of
/// the user ends; this one (`session_id`) moves to the new generation and
/// stays signed in.
pub async fn change_own(
    ctx: &Context,
    session_id: &str,
    session: &Session,
    change: PasswordChange,
    source: Source,
) -> Result<(), AppError> {
    check_choice(&change.new, &change.again)?;
    let (user_id, generation) = (session.user, session.password_generation);
    let user = ctx
        .store
        .read(move |tx| Ok::<_, AppError>(identities::get_user(tx, user_id)?))
        .await?
        .filter(|u| u.password_generation == generation)
        .ok_or_else(|| AppError::Unauthorized("the session has ended".into()))?;
    let key = login_key(user.tenant, user.email.as_str());
    if let Err(wait) = ctx.auth_throttle.check(&key, source).await? {
        return Err(AppError::TooMany {
            reason: "too many wrong passwords; try again in a minute".into(),
            retry_after: wait,
        });
    }
    let matched = ctx
        .passwords
        .verify(source, change.current, Some(user.password_hash.clone()))
        .await
        .map_err(|busy| AppError::TooMany {
            reason:
                "the server is checking too many passwords right now; try again in a few seconds"
                    .into(),
            retry_after: busy.retry_after,
        })?;
    if !matched {
        ctx.auth_throttle.failed(&key, source).await?;
        return Err(AppError::invalid("current_password", "is not right"));
    }
    ctx.auth_throttle.succeeded(&key, source).await?;
    let hash = hash(change.new).await?;
    let key = session::key(session_id);
    let who = audit::by(ctx, identity::caller_of(session));
    ctx.store
        .write(move |tx| {
            let mut user = identities::get_user(tx, user_id)?
                .filter(|u| u.password_generation == generation)
                // Changed meanwhile (another session, a reset link): this
                // session ended with that change.
                .ok_or_else(|| AppError::Unauthorized("the session has ended".into()))?;
            let mut current = sessions::get(tx, &key)?
                .ok_or_else(|| AppError::Unauthorized("the session has ended".into()))?;
            user.set_password_hash(hash.clone());
            identities::put_user(tx, &user)?;
            current.password_generation = user.password_generation;
            sessions::put(tx, &key, &current)?;
            users::record(tx, &who, AuditKind::UserPasswordChanged, &user)?;
            Ok(())
        })
        .await
}

/// Asks for set-password links to be emailed to `email`. The answer is the
/// same whether or not any account has the address, and so is its timing:
/// after the throttle (which counts every request alike) the lookup and the
/// email are queued as work of their own, and the caller is answered at once.
pub async fn request_reset(ctx: &Context, email: &str, source: Source) -> Result<(), AppError> {
    let address = EmailAddress::parse(email)
        .map_err(|_| AppError::invalid("email", "is not an email address"))?;
    if let Err(wait) = ctx.reset_throttle.take(address.as_str(), source).await? {
        return Err(AppError::TooMany {
            reason: "too many requests for a new password; try again later".into(),
            retry_after: wait,
        });
    }
    let ctx = ctx.clone();
    tokio::spawn(async move {
        // Neither the address nor any link goes into the log.
        if let Err(e) = queue_reset_email(&ctx, address).await {
            tracing::error!(error = %e.detail(), "could not queue a set-password email");
        }
    });
    Ok(())
}

/// One email to the address, with a link for each account it has in an
/// Active tenant (a user belongs to one tenant, and one address may be a
/// user in several). One email rather than one per tenant: the person asked
/// once and gets one answer, which names each tenant beside its link so
/// they choose the account they meant; each link is signed for its own user
/// and generation, so using one changes only that tenant's password. No
/// account: nothing is queued.
async fn queue_reset_email(ctx: &Context, address: EmailAddress) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let ttl = chrono::Duration::from_std(ctx.settings.password_link_ttl)
        .unwrap_or(chrono::Duration::minutes(30));
    let expires = now + ttl;
    let queued = ctx
        .store
        .write(move |tx| {
            let mut accounts = Vec::new();
            for tenant in identities::tenants_owning(tx, &address)? {
                let Some(t) = tenants::get(tx, tenant)?.filter(|t| t.state.is_active()) else {
                    continue;
                };
                if let Some(user) =
                    identities::user_by_email(tx, tenant, &address)?.filter(|u| !u.deactivated)
                {
                    accounts.push(PasswordAccount {
                        user: user.id,
                        generation: user.password_generation,
                        tenant_name: t.company_name,
                    });
                }
            }
            if accounts.is_empty() {
                return Ok::<_, AppError>(false);
            }
            accounts.sort_by(|a, b| a.tenant_name.cmp(&b.tenant_name));
            let notice = Notice::PasswordReset { accounts, expires };
            notify::queue(tx, vec![address.clone()], notice, now)?;
            Ok(true)
        })
        .await?;
    if queued {
        ctx.mail_ready.notify_one();
    }
    Ok(())
}

/// The account a set-password link is for, while the link can be used.
#[derive(Clone, Debug)]
pub struct LinkAccount {
    pub email: String,
    pub tenant_name: String,
}

/// The account behind a set-password link; `None` when the link is not
/// one this server signed, has expired, was used (or the password changed
/// since), or its user or tenant is gone or not Active. The public is told
/// the same in every case.
pub async fn link_account(ctx: &Context, token: &str) -> Result<Option<LinkAccount>, AppError> {
    let now = ctx.clock.now();
    let Some(link) = ctx.links.verify_password(token, now) else {
        return Ok(None);
    };
    ctx.store
        .read(move |tx| {
            let Some(user) = identities::get_user(tx, link.user)?
                .filter(|u| u.password_generation == link.generation && !u.deactivated)
            else {
                return Ok(None);
            };
            Ok(
                active_tenant_name(tx, &user)?.map(|tenant_name| LinkAccount {
                    email: user.email.to_string(),
                    tenant_name,
                }),
            )
        })
        .await
}

fn active_tenant_name(
    tx: &impl Readable,
    user: &crate::domain::identity::User,
) -> Result<Option<String>, AppError> {
    Ok(tenants::get(tx, user.tenant)?
        .filter(|t| t.state.is_active())
        .map(|t| t.company_name))
}

/// Why a set-password link did not set a password.
#[derive(Debug, thiserror::Error)]
pub enum SetPasswordError {
    /// Not signed here, expired, already used, or its account is gone.
    #[error("the link is not valid")]
    InvalidLink,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<crate::store::StoreError> for SetPasswordError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::App(e.into())
    }
}

/// Sets a new password through a link. The link's generation must still be
/// the user's, checked again in the write transaction that bumps it, so a
/// link works once even when several instances receive it at the same
/// moment. Every session of the user ends.
pub async fn set_with_link(
    ctx: &Context,
    token: &str,
    new: String,
    again: &str,
    now: DateTime<Utc>,
) -> Result<(), SetPasswordError> {
    let link = ctx
        .links
        .verify_password(token, now)
        .ok_or(SetPasswordError::InvalidLink)?;
    if link_account(ctx, token).await?.is_none() {
        return Err(SetPasswordError::InvalidLink);
    }
    check_choice(&new, again)?;
    let hash = hash(new).await?;
    // The actor is the link's user, whose tenant the write reads.
    let link_origin = audit::origin(ctx, None);
    ctx.store
        .write(move |tx| {
            let Some(mut user) = identities::get_user(tx, link.user)?
                .filter(|u| u.password_generation == link.generation && !u.deactivated)
            else {
                return Err(SetPasswordError::InvalidLink);
            };
            if active_tenant_name(tx, &user)?.is_none() {
                return Err(SetPasswordError::InvalidLink);
            }
            let mut who = link_origin.clone();
            who.actor = Some(Actor::of(Caller {
                principal: PrincipalId::User(user.id),
                tenant: user.tenant,
            }));
            // The user's invitation, if this link is its own, is accepted.
            if let Some(mut invitation) = user_invitations::of_user(tx, user.id)?
                .filter(|i| i.is_answered_by(link.generation))
            {
                invitation.accepted = Some(now);
                user_invitations::put(tx, &invitation)?;
                users::record(tx, &who, AuditKind::UserInvitationAccepted, &user)?;
            }
            user.set_password_hash(hash.clone());
            identities::put_user(tx, &user)?;
            users::record(tx, &who, AuditKind::UserPasswordChanged, &user)?;
            Ok(())
        })
        .await
}
