//! OpenID discovery and the OAuth token endpoint (client_credentials for
//! API clients, authorization_code with PKCE for people signing in through
//! an application; its authorization endpoint is `web::authorize`), as
//! OCS's SDKs call them.

use crate::app::authorization_code::{self, Exchange, ExchangeError};
use crate::app::identity::{client_token, CredentialError};
use crate::app::AppError;
use crate::web::extract::context;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::http::header::{CACHE_CONTROL, RETRY_AFTER};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

const IDENTITY: Mount = Mount::public("Identity", "/identity");

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_discovery, _, _>(IDENTITY, discovery);
    table.add::<__path_token, _, _>(IDENTITY, token);
}

#[derive(Serialize, ToSchema)]
pub struct OpenIdConfiguration {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    grant_types_supported: Vec<String>,
    token_endpoint_auth_methods_supported: Vec<String>,
    response_types_supported: Vec<String>,
    /// `S256` only.
    code_challenge_methods_supported: Vec<String>,
    scopes_supported: Vec<String>,
    subject_types_supported: Vec<String>,
    /// ID tokens are signed as access tokens are.
    id_token_signing_alg_values_supported: Vec<String>,
}

/// OpenID discovery
#[utoipa::path(
    get,
    path = "/.well-known/openid-configuration",
    responses((status = 200, description = "OpenID discovery", body = OpenIdConfiguration))
)]
async fn discovery(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let base = &ctx.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "issuer": format!("{base}/identity"),
        "authorization_endpoint": format!("{base}/identity/connect/authorize"),
        "token_endpoint": format!("{base}/identity/connect/token"),
        "grant_types_supported": ["client_credentials", "authorization_code"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
        "response_types_supported": ["code", "token"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "ocsapi"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256"],
    })))
}

fn oauth_error(
    status: actix_web::http::StatusCode,
    error: &str,
    description: &str,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(json!({"error": error, "error_description": description}))
}

/// Client id and secret from the form, or from HTTP Basic as RFC 6749 allows.
fn credentials(req: &HttpRequest, form: &[(String, String)]) -> Option<(String, String)> {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if let (Some(id), Some(secret)) = (field("client_id"), field("client_secret")) {
        return Some((id, secret));
    }
    let header = req.headers().get("authorization")?.to_str().ok()?;
    let encoded = header.strip_prefix("Basic ")?;
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// `POST /identity/connect/token`'s success body.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    access_token: String,
    /// Always `Bearer`.
    token_type: String,
    /// Seconds.
    expires_in: i64,
    /// authorization_code only: who signed in, for the application
    /// (`aud` its client id, `nonce` as it sent it).
    id_token: Option<String>,
}

/// An OAuth 2.0 error (RFC 6749 section 5.2).
#[derive(Serialize, ToSchema)]
pub struct OAuthError {
    error: String,
    error_description: String,
}

/// The token request form.
#[derive(Serialize, ToSchema)]
pub struct TokenRequest {
    /// `client_credentials` or `authorization_code`.
    grant_type: String,
    /// Or HTTP Basic authentication (client_credentials).
    client_id: Option<String>,
    /// client_credentials only.
    client_secret: Option<String>,
    /// authorization_code: the code the authorization endpoint sent.
    code: Option<String>,
    /// authorization_code: the redirect URI the code was sent to.
    redirect_uri: Option<String>,
    /// authorization_code: the PKCE verifier of the code's challenge.
    code_verifier: Option<String>,
}

/// OAuth token endpoint: client credentials, or an authorization code with its PKCE verifier, buy an access token
#[utoipa::path(
    post,
    path = "/connect/token",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The access token", body = TokenResponse),
        (status = 400, description = "Bad request or credentials", body = OAuthError),
        (status = 429, description = "Too many attempts for this client", body = OAuthError),
        (status = 503, description = "Too many secrets being checked; see Retry-After", body = OAuthError),
        (status = 500, description = "Unexpected", body = crate::web::error::ErrorResponse),
    )
)]
async fn token(req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, AppError> {
    use actix_web::http::StatusCode;
    let ctx = context(&req)?;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let grant = form
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.as_str());
    match grant {
        None => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            ))
        }
        Some("client_credentials") => {}
        Some("authorization_code") => return code_grant(&ctx, &form).await,
        Some(_) => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials and authorization_code are supported",
            ))
        }
    }
    let Some((id, secret)) = credentials(&req, &form) else {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id and client_secret are required",
        ));
    };
    let source = crate::web::client_source::of(&req);
    match client_token(&ctx, &id, &secret, source).await {
        Ok(issued) => Ok(HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(json!({
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
            }))),
        Err(CredentialError::InvalidClient) => Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown client, wrong secret, or a tenant that is not Active",
        )),
        Err(CredentialError::Throttled(wait)) => Ok(retry_after(
            oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "slow_down",
                "too many failed token requests for this client from this address",
            ),
            wait,
        )),
        Err(CredentialError::Busy(busy)) => {
            let (status, description) = if busy.everyone {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is checking too many secrets; retry later",
                )
            } else {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many token requests from this address are waiting",
                )
            };
            Ok(retry_after(
                oauth_error(status, "temporarily_unavailable", description),
                busy.retry_after,
            ))
        }
        Err(CredentialError::Store(e)) => Err(e.into()),
    }
}

/// The authorization_code grant: every parameter required, each once.
async fn code_grant(
    ctx: &crate::app::Context,
    form: &[(String, String)],
) -> Result<HttpResponse, AppError> {
    use actix_web::http::StatusCode;
    let field = |name: &str| {
        let mut values = form.iter().filter(|(k, _)| k == name);
        match (values.next(), values.next()) {
            (Some((_, v)), None) => Some(v.clone()),
            _ => None,
        }
    };
    let (Some(code), Some(redirect_uri), Some(client_id), Some(code_verifier)) = (
        field("code"),
        field("redirect_uri"),
        field("client_id"),
        field("code_verifier"),
    ) else {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code, redirect_uri, client_id and code_verifier are each required once",
        ));
    };
    let exchange = Exchange {
        code,
        redirect_uri,
        client_id,
        code_verifier,
    };
    match authorization_code::exchange(ctx, exchange).await {
        Ok(tokens) => Ok(HttpResponse::Ok()
            .insert_header((CACHE_CONTROL, "no-store"))
            .json(json!({
                "access_token": tokens.access_token,
                "token_type": "Bearer",
                "expires_in": tokens.expires_in,
                "id_token": tokens.id_token,
            }))),
        Err(ExchangeError::InvalidClient) => Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown or disabled authorization code client",
        )),
        Err(ExchangeError::InvalidGrant(why)) => {
            Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why))
        }
        Err(ExchangeError::App(e)) => Err(e),
    }
}

/// Whole seconds, rounded up, at least one.
pub fn retry_after(mut response: HttpResponse, wait: std::time::Duration) -> HttpResponse {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(v) = seconds.max(1).to_string().parse() {
        response.headers_mut().insert(RETRY_AFTER, v);
    }
    response
}
