//! Turning requests into typed values, with 400s that name the field.

use crate::app::{AppError, Context};
use crate::auth::access_token::TokenError;
use crate::domain::identity::Caller;
use crate::domain::paging::{Page, DEFAULT_COUNT, MAX_COUNT};
use crate::web::lenient::Lenient;
use crate::web::schemas::{query_param, whole_number};
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::KnownFormat;

/// The application context: a shared handle (one reference count), not a
/// copy of its settings and keys.
pub fn context(req: &HttpRequest) -> Result<web::Data<Context>, AppError> {
    req.app_data::<web::Data<Context>>()
        .cloned()
        .ok_or_else(|| AppError::Unexpected("application context missing".into()))
}

/// The authenticated API caller, from `Authorization: Bearer <token>`.
pub struct ApiCaller(pub Caller);

impl FromRequest for ApiCaller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer_caller(req).map(ApiCaller))
    }
}

fn bearer_caller(req: &HttpRequest) -> Result<Caller, AppError> {
    // Borrowed, not cloned: this runs on every API request.
    let ctx = req
        .app_data::<web::Data<Context>>()
        .ok_or_else(|| AppError::Unexpected("application context missing".into()))?;
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthorized("no Authorization header was sent".into()))?;
    let value = header.to_str().map_err(|_| {
        AppError::Unauthorized("the Authorization header is not readable text".into())
    })?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| {
            AppError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })?;
    let caller = ctx
        .access_tokens
        .verify(token.trim(), ctx.clock.now())
        .map_err(|e| match e {
            TokenError::Expired => {
                AppError::Unauthorized("the access token has expired; request a new one".into())
            }
            TokenError::Invalid => AppError::Unauthorized("the access token is not valid".into()),
        })?;
    crate::web::operation::record_tenant(caller.tenant);
    Ok(caller)
}

/// A JSON body read within the configured size limit and decoded with the
/// path of any bad property, so a 400 can name it.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = ApiBody::from_request(req, payload);
        Box::pin(async move { decode_json(&body.await?.0).map(ApiJson) })
    }
}

/// A body read within the configured size limit and not yet decoded, for
/// a use case that decodes it after its rights check, off the HTTP workers.
pub struct ApiBody(pub Vec<u8>);

impl FromRequest for ApiBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = context(req)
            .map(|c| c.settings.body_limit_bytes)
            .unwrap_or(262_144);
        let mut payload = payload.take();
        Box::pin(async move {
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|e| AppError::invalid("body", format!("could not be read: {e}")))?;
                if body.len() + chunk.len() > limit {
                    return Err(AppError::invalid(
                        "body",
                        format!("is larger than the limit of {limit} bytes"),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(ApiBody(body.into()))
        })
    }
}

pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::invalid("body", "a JSON body is required"));
    }
    // Malformed JSON is a fault of the body as a whole.
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| AppError::invalid("body", e.to_string()))?;
    serde_path_to_error::deserialize(Lenient(value)).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() {
            // "missing field `X`" names the field only in the message.
            message
                .split('`')
                .nth(1)
                .filter(|_| message.starts_with("missing field"))
                .unwrap_or("body")
                .to_string()
        } else {
            path
        };
        AppError::invalid(field, message)
    })
}

/// `skip` and `count` from the query string (any case).
pub struct Paging(pub Page);

impl FromRequest for Paging {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let mut skip = None;
        let mut count = None;
        for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if k.eq_ignore_ascii_case("skip") {
                skip = Some(v.into_owned());
            } else if k.eq_ignore_ascii_case("count") {
                count = Some(v.into_owned());
            }
        }
        ready(
            Page::parse(skip.as_deref(), count.as_deref())
                .map(Paging)
                .map_err(|e| AppError::invalid(e.field(), e.to_string())),
        )
    }
}

impl utoipa::IntoParams for Paging {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let count = format!("How many to return (default {DEFAULT_COUNT})");
        [
            ("skip", 0, None, "How many to skip (default 0)".to_string()),
            ("count", 1, Some(MAX_COUNT as u64), count),
        ]
        .into_iter()
        .map(|(name, min, max, text)| {
            query_param(name, &text, whole_number(KnownFormat::Int32, min, max))
        })
        .collect()
    }
}
