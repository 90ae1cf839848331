//! Proving who you are: client credentials for the API, password logins and
//! sessions for the portal. Both check the failure budgets of the identity
//! (as tried from this source) and of the source before any argon2 work, and
//! wait for argon2 in the fair hashing queue. A client secret already
//! proven against the hash stored now skips both (`RememberedSecrets`).

use super::audit;
use super::context::Context;
use super::error::AppError;
use crate::auth::client_secret;
use crate::auth::password::Busy;
use crate::auth::pending_sign_in::Owed;
use crate::auth::session;
use crate::auth::source::Source;
use crate::domain::audit::Subject;
use crate::domain::email::EmailAddress;
use crate::domain::identity::{Caller, Client, User};
use crate::domain::ids::{ClientId, PrincipalId, TenantId};
use crate::domain::session::{LinkGrant, Session};
use crate::domain::tenant::Tenant;
use crate::store::{identities, sessions, sign_in_policies, tenants, StoreError};
use crate::telemetry::metrics::AuthOutcome;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("the client id or secret is wrong")]
    InvalidClient,
    #[error("too many attempts; retry later")]
    Throttled(Duration),
    #[error("too many secrets are being checked; retry later")]
    Busy(Busy),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
}

/// The throttle key of a client id as sent: the same GUID written in any
/// accepted form (braces, `urn:uuid:`, without hyphens, any case, padded)
/// is one identity, so it has one failure budget.
pub fn canonical_client(raw: &str) -> (Option<ClientId>, String) {
    let id = ClientId::parse(&raw.trim().to_ascii_lowercase());
    let key = match id {
        Some(id) => format!("client:{id}"),
        None => "client:(not a GUID)".to_string(),
    };
    (id, key)
}

/// OAuth client_credentials: a client id and secret buy an access token.
pub async fn client_token(
    ctx: &Context,
    client_id: &str,
    secret: &str,
    source: Source,
) -> Result<IssuedToken, CredentialError> {
    let result = check_client(ctx, client_id, secret, source).await;
    ctx.metrics.token_request(match &result {
        Ok(_) => AuthOutcome::Success,
        Err(CredentialError::InvalidClient) => AuthOutcome::BadCredentials,
        Err(CredentialError::Throttled(_) | CredentialError::Busy(_)) => AuthOutcome::Throttled,
        Err(CredentialError::Store(_)) => AuthOutcome::Error,
    });
    result
}

async fn check_client(
    ctx: &Context,
    client_id: &str,
    secret: &str,
    source: Source,
) -> Result<IssuedToken, CredentialError> {
    let (id, key) = canonical_client(client_id);
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
    // A secret already proven against a hash stored now skips the failure
    // budgets and the queue: others' wrong guesses for this client (from
    // the same address behind a proxy) must not refuse or delay it. Only
    // live secrets count: an expired or revoked one is a wrong one.
    let now = ctx.clock.now();
    let usable = |c: &Client, t: &Tenant| t.state.is_active() && c.enabled;
    if let Some((client, tenant)) = &found {
        let remembered = client
            .secrets
            .iter()
            .filter(|s| s.is_live_at(now))
            .any(|s| ctx.remembered_secrets.recall(&s.hash, secret));
        if usable(client, tenant) && remembered {
            return issue(ctx, client).await;
        }
    }
    ctx.auth_throttle
        .check(&key, source)
        .await?
        .map_err(CredentialError::Throttled)?;
    // The fingerprint picks the live secret worth an argon2 run (a secret
    // from before fingerprints is always tried). When none carries it the
    // answer is "wrong", but a known client still costs one real check
    // against one of its hashes, whose result cannot count: a wrong guess
    // then takes as long, and weighs on the hashing queue as much, as a
    // right one. An unknown client runs no argon2 (see `Passwords`).
    let presented = client_secret::fingerprint(secret);
    let mut checks: Vec<(String, bool)> = Vec::new();
    if let Some((c, _)) = &found {
        checks.extend(
            c.secrets
                .iter()
                .filter(|s| s.is_live_at(now) && s.may_match(presented))
                .map(|s| (s.hash.clone(), true)),
        );
        if checks.is_empty() {
            checks.extend(c.secrets.first().map(|s| (s.hash.clone(), false)));
        }
    }
    let mut matched = None;
    if checks.is_empty() {
        ctx.passwords
            .verify(source, secret.to_string(), None)
            .await
            .map_err(CredentialError::Busy)?;
    }
    for (hash, counts) in checks {
        let right = ctx
            .passwords
            .verify(source, secret.to_string(), Some(hash.clone()))
            .await
            .map_err(CredentialError::Busy)?;
        if right && counts {
            matched = Some(hash);
            break;
        }
    }
    // A client of a tenant that is not Active, or a disabled client, gets
    // the answer of a wrong secret whatever it sent, so the answer never
    // tells whether the secret was right.
    let known = found.as_ref().map(|(c, _)| (c.id, c.tenant));
    let Some(((client, _), hash)) = found.filter(|(c, t)| usable(c, t)).zip(matched) else {
        ctx.auth_throttle.failed(&key, source).await?;
        if let Some((id, tenant)) = known {
            let detail = serde_json::json!({ "Method": "ClientCredentials" });
            audit::sign_in_failed(ctx, tenant, Subject::client(id), detail).await?;
        }
        return Err(CredentialError::InvalidClient);
    };
    ctx.auth_throttle.succeeded(&key, source).await?;
    ctx.remembered_secrets.remember(&hash, secret);
    issue(ctx, &client).await
}

/// A token for `client`, its sign-in recorded first.
async fn issue(ctx: &Context, client: &Client) -> Result<IssuedToken, CredentialError> {
    let caller = Caller {
        principal: PrincipalId::Client(client.id),
        tenant: client.tenant,
    };
    let mut who = audit::by(ctx, caller);
    if let Some(actor) = &mut who.actor {
        actor.name = Some(client.name.clone());
    }
    ctx.store
        .write(move |tx| audit::sign_in_succeeded(tx, &who, "ClientCredentials"))
        .await?;
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
    #[error("This tenant does not allow signing in with a password. Sign in through your organisation's identity provider instead.")]
    PasswordsOff,
    #[error("Too many login attempts. Try again in a minute.")]
    Throttled(Duration),
    #[error("The server is checking too many passwords right now. Try again in a few seconds.")]
    Busy(Busy),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for LoginError {
    fn from(e: StoreError) -> Self {
        Self::App(e.into())
    }
}

/// The throttle key of a login: the tenant and the address as typed,
/// trimmed and lower-cased (bounded, so junk cannot bloat the throttle).
pub(super) fn login_key(tenant: TenantId, email: &str) -> String {
    let address: String = email.trim().to_lowercase().chars().take(320).collect();
    format!("login:{tenant}:{address}")
}

/// What a right password leads to.
#[derive(Debug)]
pub enum PasswordSignIn {
    /// Signed in: the session id (for the cookie) and the session.
    Session(String, Session),
    /// No session yet: the user still owes a one-time code or an
    /// enrolment (see `two_factor`).
    Owed(Owed, User),
}

impl PasswordSignIn {
    /// The session, when the password was all it took.
    pub fn session(self) -> Option<(String, Session)> {
        match self {
            PasswordSignIn::Session(id, s) => Some((id, s)),
            PasswordSignIn::Owed(..) => None,
        }
    }
}

/// A password login into one tenant; on success a new session, or what is
/// still owed before one.
pub async fn login(
    ctx: &Context,
    tenant: TenantId,
    email: &str,
    password: &str,
    source: Source,
) -> Result<PasswordSignIn, LoginError> {
    let result = check_password(ctx, tenant, email, password, source).await;
    ctx.metrics.login(match &result {
        Ok(_) => AuthOutcome::Success,
        Err(LoginError::BadCredentials) => AuthOutcome::BadCredentials,
        Err(LoginError::TenantInactive | LoginError::PasswordsOff) => AuthOutcome::TenantInactive,
        Err(LoginError::Throttled(_) | LoginError::Busy(_)) => AuthOutcome::Throttled,
        Err(LoginError::App(_)) => AuthOutcome::Error,
    });
    result
}

async fn check_password(
    ctx: &Context,
    tenant: TenantId,
    email: &str,
    password: &str,
    source: Source,
) -> Result<PasswordSignIn, LoginError> {
    let key = login_key(tenant, email);
    ctx.auth_throttle
        .check(&key, source)
        .await?
        .map_err(LoginError::Throttled)?;
    // A tenant that is not Active, or that allows no passwords, answers
    // the same for any email and password, before any is checked:
    // otherwise the answer would tell whether the password was right.
    let (state, policy) = ctx
        .store
        .read(move |tx| {
            let state = tenants::get(tx, tenant)?.map(|t| t.state);
            Ok::<_, AppError>((state, sign_in_policies::of_tenant(tx, tenant)?))
        })
        .await?;
    if state.is_some_and(|s| !s.is_active()) {
        return Err(LoginError::TenantInactive);
    }
    if !policy.passwords {
        return Err(LoginError::PasswordsOff);
    }
    let email_typed = email;
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
    // A deactivated user is answered as an unknown one, in the same time.
    let found = found.filter(|(u, _)| !u.deactivated);
    let hash = found.as_ref().map(|(u, _)| u.password_hash.clone());
    let matched = ctx
        .passwords
        .verify(source, password.to_string(), hash)
        .await
        .map_err(LoginError::Busy)?;
    let Some((user, tenant)) = found.clone().filter(|_| matched) else {
        ctx.auth_throttle.failed(&key, source).await?;
        if state.is_some() {
            let subject = match &found {
                Some((user, _)) => Subject::user(user.id),
                None => Subject::sign_in_name(email_typed),
            };
            let detail = serde_json::json!({ "Method": "Password" });
            audit::sign_in_failed(ctx, tenant, subject, detail).await?;
        }
        return Err(LoginError::BadCredentials);
    };
    if !tenant.state.is_active() {
        return Err(LoginError::TenantInactive);
    }
    // A code still owed keeps the failure budget as it is: wrong codes
    // count against it, and a right password must not wipe them out.
    if let Some(owed) = super::sign_in_policy::owed(ctx, &user, policy).await? {
        return Ok(PasswordSignIn::Owed(owed, user));
    }
    ctx.auth_throttle.succeeded(&key, source).await?;
    let (id, session) = start_session(ctx, &user, "Password").await?;
    Ok(PasswordSignIn::Session(id, session))
}

/// A new portal session for `user`, who has just signed in by `method`
/// (recorded with the session).
pub(super) async fn start_session(
    ctx: &Context,
    user: &User,
    method: &'static str,
) -> Result<(String, Session), AppError> {
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
        password_generation: user.password_generation,
    };
    let key = session::key(&id);
    let stored = record.clone();
    let who = audit::by(ctx, caller_of(&record));
    ctx.store
        .write(move |tx| {
            sessions::put(tx, &key, &stored)?;
            audit::sign_in_succeeded(tx, &who, method)?;
            Ok::<_, AppError>(())
        })
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
