//! The one mapping from `AppError` to a status and an `ErrorResponse`.

use crate::app::AppError;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorResponse {
    pub operation_id: String,
    pub error: String,
    pub reason: String,
    pub resolution: String,
    /// The offending field, for 400s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unexpected(_) | AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let operation_id = super::operation::current();
        let (error, reason, resolution, parameter) = match self {
            AppError::Invalid { field, reason } => (
                "The request is not valid.".to_string(),
                format!("{field}: {reason}"),
                format!("Correct '{field}' and send the request again."),
                Some(field.clone()),
            ),
            AppError::Unauthorized(reason) => (
                "Authentication is required.".into(),
                reason.clone(),
                "Send 'Authorization: Bearer <token>' with a token from /identity/connect/token."
                    .into(),
                None,
            ),
            AppError::Forbidden(reason) => (
                "The caller is not allowed to do this.".into(),
                reason.clone(),
                "Ask an administrator of your tenant or community for the needed role.".into(),
                None,
            ),
            AppError::NotFound(reason) => (
                "Not found.".into(),
                reason.clone(),
                "Check the identifiers in the request.".into(),
                None,
            ),
            AppError::Conflict(reason) => (
                "The request conflicts with the current state.".into(),
                reason.clone(),
                "Read the current state and retry with a request that fits it.".into(),
                None,
            ),
            AppError::TooMany { reason, .. } => (
                "Too many requests.".into(),
                reason.clone(),
                "Wait for the time given in Retry-After, then try again.".into(),
                None,
            ),
            AppError::Unexpected(_) | AppError::Store(_) => {
                tracing::error!(operation_id = %operation_id, error = %self.detail(), "unexpected error");
                (
                    "An unexpected error occurred.".into(),
                    "The server could not complete the request.".into(),
                    format!("Try again; if it persists, report OperationId {operation_id}."),
                    None,
                )
            }
        };
        let mut response = HttpResponse::build(self.status_code()).json(ErrorResponse {
            operation_id,
            error,
            reason,
            resolution,
            parameter,
        });
        if let AppError::Unauthorized(_) = self {
            // RFC 6750: a 401 names the scheme it wants.
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
        }
        if let AppError::TooMany { retry_after, .. } = self {
            let seconds = retry_after.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
        }
        response
    }
}

/// A route that exists but not for this method answers 405 with an
/// ErrorResponse, as every other API error does (actix's own 405 has no
/// body). Portal pages keep actix's answer.
pub fn method_not_allowed<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    use actix_web::middleware::ErrorHandlerResponse;
    if !res.request().path().starts_with("/api/") {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let method = res.request().method().to_string();
    let body = ErrorResponse {
        operation_id: super::operation::current(),
        error: "The method is not allowed on this route.".into(),
        reason: format!("this route does not accept {method}"),
        resolution: "Use one of the methods the API reference lists for this route.".into(),
        parameter: None,
    };
    let (req, _) = res.into_parts();
    let response = HttpResponse::MethodNotAllowed().json(body);
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
