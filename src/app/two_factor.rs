//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and
//! recovery codes: a user enrols from their account, turns it off with a
//! current code, and a Tenant Administrator resets it for a user who lost
//! their device. A password sign-in of an enrolled user, or of any user of
//! a tenant that requires codes, ends with a second step here before any
//! session exists.
//!
//! A code is accepted once: the step it matched is stored with the
//! secret, in the same transaction that checks it, so two instances (or
//! two tabs) cannot both take it. Wrong codes count against the sign-in
//! throttle of the same identity as wrong passwords do.

use super::access::acting;
use super::audit;
use super::context::Context;
use super::error::AppError;
use super::identity::{login_key, start_session};
use super::users::{in_own_tenant, own_user};
use crate::auth::pending_sign_in::{Owed, Pending};
use crate::auth::source::Source;
use crate::auth::{recovery_codes, totp};
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::identity::{Caller, User};
use crate::domain::ids::{PrincipalId, TenantId, UserId};
use crate::domain::permission::Operation;
use crate::domain::session::Session;
use crate::domain::two_factor::TwoFactor;
use crate::store::{identities, sign_in_policies, tenants, two_factor, Readable, WriteTx};
use std::time::Duration;

/// The issuer authenticator apps show beside the account.
pub const ISSUER: &str = "communityd";

/// The signed value the second step's page carries.
pub fn pending_token(
    ctx: &Context,
    owed: Owed,
    user: &User,
    next: &str,
) -> Result<String, AppError> {
    let pending = Pending {
        owed,
        user: user.id,
        generation: user.password_generation,
        next: next.to_string(),
    };
    ctx.pending_sign_ins
        .issue(&pending, ctx.clock.now())
        .map_err(AppError::Unexpected)
}

/// A secret offered for enrolment, as a person copies it into an app.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Offer {
    /// Base32, as apps take it typed.
    pub secret: String,
    /// `otpauth://totp/...`, as apps take it from a QR code or a link.
    pub uri: String,
}

/// A new secret for `email` of the tenant named `tenant_name`.
pub fn offer(tenant_name: &str, email: &str) -> Offer {
    offer_of(&totp::new_secret(), tenant_name, email)
}

fn offer_of(secret: &[u8], tenant_name: &str, email: &str) -> Offer {
    let account = format!("{tenant_name}/{email}");
    Offer {
        secret: totp::base32(secret),
        uri: totp::otpauth_uri(ISSUER, &account, secret),
    }
}

/// The same offer again (after a wrong code), from the secret as the form
/// sent it back; a new one when that is not a secret this server makes.
pub fn offer_again(secret: &str, tenant_name: &str, email: &str) -> Offer {
    match parse_secret(secret) {
        Ok(bytes) => offer_of(&bytes, tenant_name, email),
        Err(_) => offer(tenant_name, email),
    }
}

fn parse_secret(text: &str) -> Result<Vec<u8>, AppError> {
    match totp::from_base32(text) {
        Some(bytes) if bytes.len() == totp::SECRET_BYTES => Ok(bytes),
        _ => Err(AppError::invalid(
            "secret",
            "is not a secret offered by this page; reload it and start again",
        )),
    }
}

/// The first code an app shows for a new secret: proves the app holds it.
fn first_step(secret: &[u8], typed: &str, unix_seconds: i64) -> Result<i64, AppError> {
    let code = totp::parse_code(typed)
        .ok_or_else(|| AppError::invalid("code", "must be the six digits your app shows"))?;
    totp::matching_step(secret, code, unix_seconds, 0).ok_or_else(|| {
        AppError::invalid(
            "code",
            "is not the one your app shows now; check the app's clock and try the next code",
        )
    })
}

/// A new enrolment: the secret, the step of its first code, and recovery
/// codes (answered as shown, kept as hashes).
fn new_enrolment(
    user: &User,
    secret: Vec<u8>,
    step: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> (TwoFactor, Vec<String>) {
    let codes: Vec<String> = (0..recovery_codes::COUNT)
        .map(|_| recovery_codes::new_code())
        .collect();
    let record = TwoFactor {
        user: user.id,
        tenant: user.tenant,
        secret,
        enrolled: now,
        last_step: step,
        recovery: codes
            .iter()
            .filter_map(|c| recovery_codes::hash(c))
            .collect(),
    };
    (record, codes)
}

/// Takes a code (from the app, or a recovery code) against the record:
/// true when it is right and unused, and the record now says it is used.
fn accept(record: &mut TwoFactor, typed: &str, unix_seconds: i64) -> bool {
    if let Some(code) = totp::parse_code(typed) {
        return match totp::matching_step(&record.secret, code, unix_seconds, record.last_step) {
            Some(step) => {
                record.last_step = step;
                true
            }
            None => false,
        };
    }
    match recovery_codes::hash(typed) {
        Some(hash) => record.use_recovery(&hash),
        None => false,
    }
}

// ---- The account page ----

/// What the account page shows.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Status {
    pub enrolled: bool,
    /// Recovery codes not yet used.
    pub recovery_left: usize,
    /// The tenant requires codes.
    pub required: bool,
    pub tenant_name: String,
    pub email: String,
}

fn own_user_of(tx: &impl Readable, caller: Caller) -> Result<User, AppError> {
    acting(tx, caller)?;
    let PrincipalId::User(id) = caller.principal else {
        return Err(AppError::forbidden("only users sign in with codes"));
    };
    own_user(tx, caller.tenant, id)
}

pub async fn status(ctx: &Context, caller: Caller) -> Result<Status, AppError> {
    ctx.store
        .read(move |tx| {
            let user = own_user_of(tx, caller)?;
            let found = two_factor::get(tx, user.tenant, user.id)?;
            let tenant = tenants::get(tx, user.tenant)?
                .ok_or_else(|| AppError::Unauthorized("the tenant no longer exists".into()))?;
            Ok(Status {
                enrolled: found.is_some(),
                recovery_left: found.map_or(0, |f| f.recovery.len()),
                required: sign_in_policies::of_tenant(tx, user.tenant)?.totp_required,
                tenant_name: tenant.company_name,
                email: user.email.to_string(),
            })
        })
        .await
}

/// Enrols the signed-in user with `secret` (as offered) once `code`
/// proves their app holds it; answers the recovery codes, shown once.
pub async fn enrol(
    ctx: &Context,
    caller: Caller,
    secret: &str,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let secret = parse_secret(secret)?;
    let now = ctx.clock.now();
    let step = first_step(&secret, code, now.timestamp())?;
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            let user = own_user_of(tx, caller)?;
            if two_factor::get(tx, user.tenant, user.id)?.is_some() {
                return Err(AppError::conflict(
                    "you already sign in with codes; turn them off first to enrol another app",
                ));
            }
            let (record, codes) = new_enrolment(&user, secret.clone(), step, now);
            two_factor::put(tx, &record)?;
            record_change(tx, &who, user.id, "Enrolled")?;
            Ok(codes)
        })
        .await
}

/// Turns codes off for the signed-in user, who proves they still hold the
/// app (or a recovery code). Refused while the tenant requires codes.
/// Wrong codes count against the user's sign-in throttle.
pub async fn turn_off(
    ctx: &Context,
    caller: Caller,
    code: &str,
    source: Source,
) -> Result<(), AppError> {
    if code.trim().is_empty() {
        return Err(AppError::invalid(
            "code",
            "is required: a code from your app",
        ));
    }
    let user = ctx.store.read(move |tx| own_user_of(tx, caller)).await?;
    let key = login_key(user.tenant, user.email.as_str());
    if let Err(wait) = ctx.auth_throttle.check(&key, source).await? {
        return Err(too_many(wait));
    }
    let typed = code.to_string();
    let now = ctx.clock.now().timestamp();
    let (tenant, id) = (user.tenant, user.id);
    let who = audit::by(ctx, caller);
    let accepted = ctx
        .store
        .write(move |tx| {
            if sign_in_policies::of_tenant(tx, tenant)?.totp_required {
                return Err(AppError::conflict(
                    "your tenant requires a one-time code with passwords, so codes cannot be turned off",
                ));
            }
            let Some(mut record) = two_factor::get(tx, tenant, id)? else {
                return Err(AppError::conflict("you do not sign in with codes"));
            };
            if !accept(&mut record, &typed, now) {
                return Ok(false);
            }
            two_factor::delete(tx, tenant, id)?;
            record_change(tx, &who, id, "TurnedOff")?;
            Ok(true)
        })
        .await?;
    if !accepted {
        ctx.auth_throttle.failed(&key, source).await?;
        return Err(AppError::invalid(
            "code",
            "is not right, or was already used; try the next code your app shows",
        ));
    }
    Ok(())
}

/// A user's one-time codes enrolled, turned off or reset.
fn record_change(tx: &WriteTx, who: &Origin, user: UserId, how: &str) -> Result<(), AppError> {
    let detail = serde_json::json!({ "TwoFactor": how });
    let kind = AuditKind::UserTwoFactorChanged;
    audit::record(tx, who, kind, Subject::user(user), detail, &[])?;
    Ok(())
}

fn too_many(wait: Duration) -> AppError {
    AppError::TooMany {
        reason: "too many wrong codes; try again in a minute".into(),
        retry_after: wait,
    }
}

/// A Tenant Administrator takes a user's authenticator and recovery codes
/// away (a lost phone): the user signs in with the password alone, or
/// enrols again if the tenant requires codes. Nothing to reset is no
/// error.
pub async fn reset(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: UserId,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            own_user(tx, tenant, id)?;
            if two_factor::get(tx, tenant, id)?.is_some() {
                two_factor::delete(tx, tenant, id)?;
                record_change(tx, &who, id, "Reset")?;
            }
            Ok(())
        })
        .await
}

/// The users of the tenant who sign in with codes, for the Users page.
pub async fn enrolled_users(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
) -> Result<Vec<UserId>, AppError> {
    ctx.store
        .read(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ViewTenant)?;
            Ok(two_factor::of_tenant(tx, tenant)?
                .into_iter()
                .map(|f| f.user)
                .collect())
        })
        .await
}

// ---- The second step of a sign-in ----

#[derive(Debug, thiserror::Error)]
pub enum SecondStepError {
    /// The half-done sign-in is too old, altered, or no longer fits the
    /// user (password changed, deactivated, reset, policy changed).
    #[error("This sign-in has expired or is no longer valid. Sign in again.")]
    Stale,
    #[error("The code is not right, or was already used. Try the next code your app shows, or a recovery code.")]
    WrongCode,
    #[error("Too many wrong codes. Try again in a minute.")]
    Throttled(Duration),
    /// A field of the enrolment form (the code as typed, the secret).
    #[error("{0}")]
    Enrolment(AppError),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<crate::store::StoreError> for SecondStepError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::App(e.into())
    }
}

/// A finished sign-in: the session, where to go, and the recovery codes
/// to show once (after an enrolment; empty otherwise).
pub struct SignedIn {
    pub id: String,
    pub session: Session,
    pub next: String,
    pub recovery_codes: Vec<String>,
}

/// The user a half-done sign-in names, if it still fits: same password
/// generation, active user and tenant, passwords still allowed.
async fn pending_user(
    ctx: &Context,
    token: &str,
    owed: Owed,
) -> Result<(Pending, User), SecondStepError> {
    let pending = ctx
        .pending_sign_ins
        .verify(token, owed, ctx.clock.now())
        .ok_or(SecondStepError::Stale)?;
    let id = pending.user;
    let found = ctx
        .store
        .read(move |tx| {
            let Some(user) = identities::get_user(tx, id)? else {
                return Ok::<_, AppError>(None);
            };
            let active = tenants::get(tx, user.tenant)?.is_some_and(|t| t.state.is_active());
            let policy = sign_in_policies::of_tenant(tx, user.tenant)?;
            Ok((active && policy.passwords).then_some(user))
        })
        .await?;
    let user = found
        .filter(|u| !u.deactivated && u.password_generation == pending.generation)
        .ok_or(SecondStepError::Stale)?;
    Ok((pending, user))
}

async fn signed_in(
    ctx: &Context,
    user: &User,
    next: String,
    key: &str,
    source: Source,
    recovery_codes: Vec<String>,
) -> Result<SignedIn, SecondStepError> {
    ctx.auth_throttle.succeeded(key, source).await?;
    let (id, session) = start_session(ctx, user, "TwoFactor").await?;
    Ok(SignedIn {
        id,
        session,
        next,
        recovery_codes,
    })
}

/// The second step for an enrolled user: a code from the app, or a
/// recovery code (each used once).
pub async fn sign_in_with_code(
    ctx: &Context,
    token: &str,
    typed: &str,
    source: Source,
) -> Result<SignedIn, SecondStepError> {
    let (pending, user) = pending_user(ctx, token, Owed::SignInCode).await?;
    let key = login_key(user.tenant, user.email.as_str());
    ctx.auth_throttle
        .check(&key, source)
        .await?
        .map_err(SecondStepError::Throttled)?;
    let typed = typed.to_string();
    let now = ctx.clock.now().timestamp();
    let (tenant, id) = (user.tenant, user.id);
    let accepted = ctx
        .store
        .write(move |tx| {
            let Some(mut record) = two_factor::get(tx, tenant, id)? else {
                return Ok::<_, AppError>(None);
            };
            let right = accept(&mut record, &typed, now);
            if right {
                two_factor::put(tx, &record)?;
            }
            Ok(Some(right))
        })
        .await?;
    match accepted {
        // Reset by an administrator since the password step.
        None => Err(SecondStepError::Stale),
        Some(false) => {
            ctx.auth_throttle.failed(&key, source).await?;
            let detail = serde_json::json!({ "Method": "TwoFactor" });
            audit::sign_in_failed(ctx, tenant, Subject::user(id), detail).await?;
            Err(SecondStepError::WrongCode)
        }
        Some(true) => signed_in(ctx, &user, pending.next, &key, source, Vec::new()).await,
    }
}

/// The second step for a user of a tenant that requires codes who has no
/// app yet: enrols with the offered `secret` once `code` proves the app
/// holds it, then signs in; the recovery codes are to be shown once.
pub async fn sign_in_with_enrolment(
    ctx: &Context,
    token: &str,
    secret: &str,
    code: &str,
    source: Source,
) -> Result<SignedIn, SecondStepError> {
    let (pending, user) = pending_user(ctx, token, Owed::SignInEnrolment).await?;
    let key = login_key(user.tenant, user.email.as_str());
    ctx.auth_throttle
        .check(&key, source)
        .await?
        .map_err(SecondStepError::Throttled)?;
    let secret = parse_secret(secret).map_err(SecondStepError::Enrolment)?;
    let now = ctx.clock.now();
    let step = match first_step(&secret, code, now.timestamp()) {
        Ok(step) => step,
        Err(e) => {
            ctx.auth_throttle.failed(&key, source).await?;
            return Err(SecondStepError::Enrolment(e));
        }
    };
    let enrolling = user.clone();
    let codes = ctx
        .store
        .write(move |tx| {
            // Enrolled meanwhile (another tab): this half is stale.
            if two_factor::get(tx, enrolling.tenant, enrolling.id)?.is_some() {
                return Ok::<_, AppError>(None);
            }
            let (record, codes) = new_enrolment(&enrolling, secret.clone(), step, now);
            two_factor::put(tx, &record)?;
            Ok(Some(codes))
        })
        .await?
        .ok_or(SecondStepError::Stale)?;
    signed_in(ctx, &user, pending.next, &key, source, codes).await
}

/// The account names an enrolment offer shows, for a half-done sign-in.
pub async fn pending_account(
    ctx: &Context,
    token: &str,
    owed: Owed,
) -> Result<(String, String), SecondStepError> {
    let (_, user) = pending_user(ctx, token, owed).await?;
    let tenant = user.tenant;
    let name = ctx
        .store
        .read(move |tx| Ok::<_, AppError>(tenants::get(tx, tenant)?.map(|t| t.company_name)))
        .await?
        .unwrap_or_default();
    Ok((name, user.email.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailAddress;
    use crate::domain::role::RoleSet;
    use chrono::Utc;

    fn user() -> User {
        User::new(
            UserId::generate(),
            TenantId::generate(),
            EmailAddress::parse("ann@contoso.example").unwrap(),
            String::new(),
            RoleSet::default(),
            Utc::now(),
        )
    }

    #[test]
    fn a_code_is_taken_once_and_a_recovery_code_once() {
        let now = Utc::now();
        let secret = totp::new_secret();
        let at = now.timestamp();
        let step = totp::step_at(at);
        let (mut record, codes) = new_enrolment(&user(), secret.clone(), step - 1, now);
        assert_eq!(codes.len(), recovery_codes::COUNT);
        assert_eq!(record.recovery.len(), recovery_codes::COUNT);
        let code = totp::format_code(totp::code_at_step(&secret, step));
        assert!(accept(&mut record, &code, at));
        assert_eq!(record.last_step, step);
        assert!(!accept(&mut record, &code, at), "replayed");
        assert!(accept(&mut record, &codes[3].to_uppercase(), at));
        assert!(!accept(&mut record, &codes[3], at), "recovery code reused");
        assert_eq!(record.recovery.len(), recovery_codes::COUNT - 1);
        assert!(!accept(&mut record, "not a code", at));
    }

    #[test]
    fn the_first_code_proves_the_app_holds_the_offered_secret() {
        let offer = offer("Contoso", "ann@contoso.example");
        assert!(offer
            .uri
            .starts_with("otpauth://totp/communityd:Contoso%2Fann"));
        let secret = parse_secret(&offer.secret).unwrap();
        let at = Utc::now().timestamp();
        let code = totp::format_code(totp::code_at_step(&secret, totp::step_at(at)));
        assert_eq!(first_step(&secret, &code, at).unwrap(), totp::step_at(at));
        assert!(first_step(&secret, "12345", at).is_err());
        assert!(parse_secret("MZXW6YTBOI").is_err(), "too short");
        assert_eq!(
            offer_again(&offer.secret, "Contoso", "ann@contoso.example").secret,
            offer.secret
        );
    }
}
