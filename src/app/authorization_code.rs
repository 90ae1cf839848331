//! The authorization code flow with PKCE for people (RFC 6749 4.1, RFC
//! 7636), as AVEVA's libraries drive it for interactive sign-in: the
//! application sends the person's browser to the authorization endpoint,
//! the person signs in to the portal as usual, the endpoint sends a
//! one-time code to the application's registered redirect URI, and the
//! application trades the code and its PKCE verifier for an access token
//! that acts as that person, with that person's roles, and an ID token.
//!
//! The client and the redirect URI are checked before anything is sent
//! anywhere: an unknown client or an unregistered URI gets a page, never a
//! redirect, so the endpoint cannot be used to bounce people elsewhere.

use super::audit;
use super::context::Context;
use super::error::AppError;
use crate::auth::access_token::{IdentityStatement, LIFETIME_SECONDS};
use crate::auth::{authorization_code as codes_auth, pkce};
use crate::domain::authorization_code::{AuthorizationCode, MAX_CARRIED_CHARS};
use crate::domain::authorization_code_client::AuthorizationCodeClient;
use crate::domain::identity::Caller;
use crate::domain::ids::{AuthorizationCodeClientId, PrincipalId};
use crate::domain::session::Session;
use crate::store::{authorization_code_clients, authorization_codes, identities, tenants};
use crate::telemetry::metrics::AuthOutcome;

/// The authorization request's parameters, as sent.
#[derive(Default)]
pub struct AuthorizeRequest {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
}

/// A request whose client and redirect URI are known good.
pub struct Verified {
    pub client: AuthorizationCodeClient,
    pub redirect_uri: String,
    pub state: Option<String>,
    nonce: Option<String>,
    code_challenge: String,
}

/// Why a request gets no code.
pub enum Refusal {
    /// Told to the person on a page: the client or the redirect URI is not
    /// one to send anything to.
    Page(String),
    /// Sent back to the application at its verified redirect URI, as RFC
    /// 6749 4.1.2.1 has it.
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: &'static str,
        state: Option<String>,
    },
}

/// First the client and the exact redirect URI; only then the rest, whose
/// faults go back to the application.
pub async fn check(ctx: &Context, request: AuthorizeRequest) -> Result<Verified, Refusal> {
    let (client, redirect_uri) = registered(ctx, &request).await?;
    let back = |error, description| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        error,
        description,
        state: request.state.clone(),
    };
    let carried = |v: &Option<String>| {
        v.as_ref()
            .is_none_or(|s| s.chars().count() <= MAX_CARRIED_CHARS)
    };
    if !carried(&request.state) || !carried(&request.nonce) {
        return Err(back(
            "invalid_request",
            "state and nonce may be at most 500 characters",
        ));
    }
    if request.response_type.as_deref() != Some("code") {
        return Err(back(
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    if request.code_challenge_method.as_deref() != Some("S256") {
        return Err(back(
            "invalid_request",
            "code_challenge_method must be S256",
        ));
    }
    let Some(code_challenge) = request.code_challenge.filter(|c| pkce::valid_challenge(c)) else {
        return Err(back(
            "invalid_request",
            "code_challenge must be base64url(SHA-256(code_verifier)), 43 characters",
        ));
    };
    Ok(Verified {
        client,
        redirect_uri,
        state: request.state,
        nonce: request.nonce,
        code_challenge,
    })
}

/// The request's client, enabled, of an Active tenant, and its redirect
/// URI exactly as registered.
async fn registered(
    ctx: &Context,
    request: &AuthorizeRequest,
) -> Result<(AuthorizationCodeClient, String), Refusal> {
    let page = |text: &str| Refusal::Page(text.to_string());
    let Some(id) = request
        .client_id
        .as_deref()
        .and_then(AuthorizationCodeClientId::parse)
    else {
        return Err(page(
            "The sign-in request names no client this service knows.",
        ));
    };
    let found = ctx
        .store
        .read(move |tx| {
            let Some(client) = authorization_code_clients::get(tx, id)? else {
                return Ok::<_, AppError>(None);
            };
            let active = tenants::get(tx, client.tenant)?.is_some_and(|t| t.state.is_active());
            Ok(Some((client, active)))
        })
        .await
        .map_err(|_| page("The sign-in request could not be checked; try again."))?;
    let Some((client, active)) = found else {
        return Err(page(
            "The sign-in request names no client this service knows.",
        ));
    };
    if !client.enabled || !active {
        return Err(page(
            "This application is disabled, or its tenant is not active; ask its administrator.",
        ));
    }
    match request.redirect_uri.as_deref() {
        Some(uri) if client.redirects_to(uri) => Ok((client, uri.to_string())),
        _ => Err(page(
            "The sign-in request asks to return to an address that is not registered for this application; nothing was sent there.",
        )),
    }
}

/// A one-time code for the session's person, stored (hashed) until it is
/// traded or expires. The caller checked the session is of the client's
/// tenant.
pub async fn issue(
    ctx: &Context,
    request: &Verified,
    session: &Session,
) -> Result<String, AppError> {
    let code = codes_auth::new_code();
    let key = codes_auth::key(&code);
    let record = AuthorizationCode::new(
        request.client.id,
        session.tenant,
        session.user,
        request.redirect_uri.clone(),
        request.code_challenge.clone(),
        request.nonce.clone(),
        ctx.clock.now(),
    );
    ctx.store
        .write(move |tx| Ok::<_, AppError>(authorization_codes::put(tx, &key, &record)?))
        .await?;
    Ok(code)
}

/// The token request of the authorization_code grant, as sent.
pub struct Exchange {
    pub code: String,
    pub redirect_uri: String,
    pub client_id: String,
    pub code_verifier: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error("unknown or disabled client")]
    InvalidClient,
    #[error("{0}")]
    InvalidGrant(&'static str),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What a traded code buys.
pub struct UserTokens {
    pub access_token: String,
    pub id_token: String,
    pub expires_in: i64,
}

/// Trades a code for tokens. The code is taken from the store before it
/// is checked, so it is spent whatever the outcome: a second try, with
/// the right verifier or not, finds nothing.
pub async fn exchange(ctx: &Context, x: Exchange) -> Result<UserTokens, ExchangeError> {
    let result = trade(ctx, x).await;
    ctx.metrics.token_request(match &result {
        Ok(_) => AuthOutcome::Success,
        Err(ExchangeError::App(_)) => AuthOutcome::Error,
        Err(_) => AuthOutcome::BadCredentials,
    });
    result
}

async fn trade(ctx: &Context, x: Exchange) -> Result<UserTokens, ExchangeError> {
    let client_id =
        AuthorizationCodeClientId::parse(&x.client_id).ok_or(ExchangeError::InvalidClient)?;
    if x.code.len() > codes_auth::MAX_CODE_CHARS {
        return Err(ExchangeError::InvalidGrant("unknown, used or expired code"));
    }
    let key = codes_auth::key(&x.code);
    let now = ctx.clock.now();
    let outcome = ctx
        .store
        .write(move |tx| {
            let client = authorization_code_clients::get(tx, client_id)?.filter(|c| c.enabled);
            let Some(client) = client else {
                return Ok::<_, AppError>(Err(ExchangeError::InvalidClient));
            };
            let Some(code) = authorization_codes::take(tx, &key)? else {
                return Ok(Err(ExchangeError::InvalidGrant(
                    "unknown, used or expired code",
                )));
            };
            let user = identities::get_user(tx, code.user)?.filter(|u| !u.deactivated);
            let active = tenants::get(tx, code.tenant)?.is_some_and(|t| t.state.is_active());
            Ok(Ok((client, code, user, active)))
        })
        .await??;
    let (client, code, user, active) = outcome;
    if !code.is_live_at(now) {
        return Err(ExchangeError::InvalidGrant("unknown, used or expired code"));
    }
    if code.client != client.id || code.redirect_uri != x.redirect_uri {
        return Err(ExchangeError::InvalidGrant(
            "the code was issued to another client or redirect_uri",
        ));
    }
    if !pkce::verifies(&x.code_verifier, &code.code_challenge) {
        return Err(ExchangeError::InvalidGrant(
            "code_verifier does not match the code_challenge",
        ));
    }
    let Some(user) = user.filter(|u| u.tenant == code.tenant && active) else {
        return Err(ExchangeError::InvalidGrant(
            "the user or its tenant can no longer sign in",
        ));
    };
    let unexpected = |e: String| ExchangeError::App(AppError::Unexpected(e));
    let caller = Caller {
        principal: PrincipalId::User(user.id),
        tenant: user.tenant,
    };
    let access_token = ctx
        .access_tokens
        .issue(caller, user.tenant_roles, now)
        .map_err(unexpected)?;
    let statement = IdentityStatement {
        user: user.id,
        tenant: user.tenant,
        email: user.email.to_string(),
        audience: client.id.to_string(),
        nonce: code.nonce,
    };
    let id_token = ctx
        .access_tokens
        .issue_id_token(statement, now)
        .map_err(unexpected)?;
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| audit::sign_in_succeeded(tx, &who, "AuthorizationCode"))
        .await
        .map_err(AppError::from)?;
    Ok(UserTokens {
        access_token,
        id_token,
        expires_in: LIFETIME_SECONDS,
    })
}
