//! Proving who you are: client credentials for the API, password logins and
//! sessions for the portal. Both are throttled per key before any argon2 work.

use super::context::Context;
use super::error::AppError;
use crate::auth::session;
use crate::domain::email::EmailAddress;
use crate::domain::identity::{Caller, User};
use crate::domain::ids::{ClientId, PrincipalId, TenantId};
use crate::domain::session::{LinkGrant, Session};
use crate::domain::tenant::Tenant;
use crate::store::{identities, sessions, tenants, StoreError};
use crate::telemetry::metrics::AuthOutcome;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("the client id or secret is wrong")]
    InvalidClient,
    #[error("too many attempts; retry later")]
    Throttled(Duration),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
}

/// OAuth client_credentials: a client id and secret buy an access token.
pub async fn client_token(
    ctx: &Context,
    client_id: &str,
    secret: &str,
) -> Result<IssuedToken, CredentialError> {
    let result = check_client(ctx, client_id, secret).await;
    ctx.metrics.token_request(match &result {
        Ok(_) => AuthOutcome::Success,
        Err(CredentialError::InvalidClient) => AuthOutcome::BadCredentials,
        Err(CredentialError::Throttled(_)) => AuthOutcome::Throttled,
        Err(CredentialError::Store(_)) => AuthOutcome::Error,
    });
    result
}

async fn check_client(
    ctx: &Context,
    client_id: &str,
    secret: &str,
) -> Result<IssuedToken, CredentialError> {
    ctx.auth_throttle
        .check(&format!("client:{client_id}"))
        .map_err(CredentialError::Throttled)?;
    let id = ClientId::parse(client_id);
    let found = match id {
        Some(id) => {
            ctx.store
                .read(move |tx| {
                    let Some(client) = identities::get_client(tx, id)? else {
                        return Ok::<_, StoreError>(None);
                    };
                    let tenant = tenants::get(tx, client.tenant)?;
                    Ok(tenant.map(|t| (client, t)))
                })
                .await?
        }
        None => None,
    };
    let hash = found.as_ref().map(|(c, _)| c.secret_hash.clone());
    let secret_ok = ctx.passwords.verify(secret.to_string(), hash).await;
    // A client of a tenant that is not Active gets the answer of a wrong
    // secret whatever it sent, so the answer never tells whether the
    // secret was right.
    let Some((client, _)) = found.filter(|(_, t)| secret_ok && t.state.is_active()) else {
        return Err(CredentialError::InvalidClient);
    };
    let caller = Caller {
        principal: PrincipalId::Client(client.id),
        tenant: client.tenant,
    };
    let access_token = ctx
        .access_tokens
        .issue(caller, client.tenant_roles, ctx.clock.now())
        .map_err(|e| CredentialError::Store(StoreError::Task(e)))?;
    Ok(IssuedToken {
        access_token,
        expires_in: crate::auth::access_token::LIFETIME_SECONDS,
    })
}

/// The tenant a person names at the login page: its alias or its id.
pub async fn find_tenant(ctx: &Context, name: &str) -> Result<Option<Tenant>, AppError> {
    let name = name.trim().to_string();
    ctx.store
        .read(move |tx| {
            if let Some(id) = TenantId::parse(&name) {
                if let Some(t) = tenants::get(tx, id)? {
                    return Ok(Some(t));
                }
            }
            Ok(tenants::by_alias(tx, &name)?)
        })
        .await
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("The email or password is not right for this tenant.")]
    BadCredentials,
    #[error("This tenant is not active, so its users cannot log in.")]
    TenantInactive,
    #[error("Too many login attempts. Try again in a minute.")]
    Throttled(Duration),
    #[error(transparent)]
    App(#[from] AppError),
}

/// A password login into one tenant; on success a new session.
pub async fn login(
    ctx: &Context,
    tenant: TenantId,
    email: &str,
    password: &str,
    from: &str,
) -> Result<(String, Session), LoginError> {
    let result = check_password(ctx, tenant, email, password, from).await;
    ctx.metrics.login(match &result {
        Ok(_) => AuthOutcome::Success,
        Err(LoginError::BadCredentials) => AuthOutcome::BadCredentials,
        Err(LoginError::TenantInactive) => AuthOutcome::TenantInactive,
        Err(LoginError::Throttled(_)) => AuthOutcome::Throttled,
        Err(LoginError::App(_)) => AuthOutcome::Error,
    });
    result
}

async fn check_password(
    ctx: &Context,
    tenant: TenantId,
    email: &str,
    password: &str,
    from: &str,
) -> Result<(String, Session), LoginError> {
    ctx.auth_throttle
        .check(&format!("login:{from}:{tenant}"))
        .map_err(LoginError::Throttled)?;
    // A tenant that is not Active answers the same for any email and
    // password, before any is checked: otherwise the answer would tell
    // whether the password was right.
    let state = ctx
        .store
        .read(move |tx| Ok::<_, AppError>(tenants::get(tx, tenant)?.map(|t| t.state)))
        .await?;
    if state.is_some_and(|s| !s.is_active()) {
        return Err(LoginError::TenantInactive);
    }
    let email = EmailAddress::parse(email).ok();
    let found: Option<(User, Tenant)> = match email {
        Some(email) => {
            ctx.store
                .read(move |tx| {
                    let user = identities::user_by_email(tx, tenant, &email)?;
                    let t = tenants::get(tx, tenant)?;
                    Ok::<_, AppError>(user.zip(t))
                })
                .await?
        }
        None => None,
    };
    let hash = found.as_ref().map(|(u, _)| u.password_hash.clone());
    if !ctx.passwords.verify(password.to_string(), hash).await {
        return Err(LoginError::BadCredentials);
    }
    let Some((user, tenant)) = found else {
        return Err(LoginError::BadCredentials);
    };
    if !tenant.state.is_active() {
        return Err(LoginError::TenantInactive);
    }
    Ok(start_session(ctx, &user).await?)
}

async fn start_session(ctx: &Context, user: &User) -> Result<(String, Session), AppError> {
    let now = ctx.clock.now();
    let ttl =
        chrono::Duration::from_std(ctx.settings.session_ttl).unwrap_or(chrono::Duration::hours(12));
    let id = session::new_id();
    let record = Session {
        user: user.id,
        tenant: user.tenant,
        csrf: session::new_csrf_token(),
        created: now,
        expires: now + ttl,
        invitation_links: Vec::new(),
    };
    let key = session::key(&id);
    let stored = record.clone();
    ctx.store
        .write(move |tx| Ok::<_, AppError>(sessions::put(tx, &key, &stored)?))
        .await?;
    Ok((id, record))
}

/// The live session behind a cookie value, if any.
pub async fn session(ctx: &Context, id: &str) -> Result<Option<Session>, AppError> {
    let key = session::key(id);
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| {
            let found = sessions::get(tx, &key)?;
            Ok(found.filter(|s| s.expires > now))
        })
        .await
}

/// Notes on the session that its person followed an invitation link. The
/// session is read and written in one transaction, and only while it is
/// still live: a page in flight when its person logs out (or the sweep
/// deletes the session) must not write it back. Returns false when the
/// session is gone.
pub async fn note_invitation_link(
    ctx: &Context,
    id: &str,
    grant: LinkGrant,
) -> Result<bool, AppError> {
    let key = session::key(id);
    let now = ctx.clock.now();
    ctx.store
        .write(move |tx| {
            let Some(mut record) = sessions::get(tx, &key)?.filter(|s| s.is_live_at(now)) else {
                return Ok::<_, AppError>(false);
            };
            if record.note_link(grant) {
                sessions::put(tx, &key, &record)?;
            }
            Ok(true)
        })
        .await
}

pub async fn logout(ctx: &Context, id: &str) -> Result<(), AppError> {
    let key = session::key(id);
    ctx.store
        .write(move |tx| Ok::<_, AppError>(sessions::delete(tx, &key)?))
        .await
}

/// The session's user as an API-style caller (pages call the same use cases).
pub fn caller_of(session: &Session) -> Caller {
    Caller {
        principal: PrincipalId::User(session.user),
        tenant: session.tenant,
    }
}
