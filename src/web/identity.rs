//! OpenID discovery and the OAuth token endpoint (client_credentials), as
//! OCS's SDKs call them.

use crate::app::identity::{client_token, CredentialError};
use crate::app::AppError;
use crate::auth::source::Source;
use crate::web::extract::context;
use actix_web::http::header::{CACHE_CONTROL, RETRY_AFTER};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/identity/.well-known/openid-configuration",
        web::get().to(discovery),
    )
    .route("/identity/connect/token", web::post().to(token));
}

async fn discovery(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let base = &ctx.public_url;
    Ok(HttpResponse::Ok().json(json!({
        "issuer": format!("{base}/identity"),
        "token_endpoint": format!("{base}/identity/connect/token"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "response_types_supported": ["token"],
        "scopes_supported": ["ocsapi"],
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
        Some(_) => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
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
    let source = Source::of_peer(req.peer_addr());
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

/// Whole seconds, rounded up, at least one.
pub fn retry_after(mut response: HttpResponse, wait: std::time::Duration) -> HttpResponse {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(v) = seconds.max(1).to_string().parse() {
        response.headers_mut().insert(RETRY_AFTER, v);
    }
    response
}
