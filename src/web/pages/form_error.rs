//! A form's refusal shown on the form itself, naming the field that is
//! wrong: the portal's counterpart of an API ErrorResponse.

use crate::app::AppError;
use crate::web::identity::retry_after;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

/// A form field's label, to name it in an error.
fn label(field: &str) -> &'static str {
    match field {
        "current_password" => "Current password",
        "new_password" => "New password",
        "new_password_again" => "New password again",
        "email" => "Email address",
        "company_name" => "Company name",
        "Name" => "The name",
        "Description" => "The description",
        "code" => "The code",
        "secret" => "The secret",
        "Issuer" => "The issuer URL",
        "ClientId" => "The client ID",
        "ClientSecret" => "The client secret",
        "Domains" => "The email domains",
        "GroupsClaim" => "The groups claim",
        "GroupRoles" => "The group mappings",
        "Url" => "The URL",
        "Events" => "The events",
        _ => "A field",
    }
}

/// "New password must be at least 8 characters."
fn field_error(field: &str, reason: &str) -> String {
    format!("{} {reason}.", label(field))
}

/// A refusal shown on the form itself: a field that is wrong (400) or a
/// throttle (429, with Retry-After). Anything else is the page's failure.
pub(super) struct FormError {
    status: StatusCode,
    field: String,
    text: String,
    wait: Option<std::time::Duration>,
}

impl FormError {
    pub(super) fn of(e: AppError) -> Result<Self, AppError> {
        match e {
            AppError::Invalid { field, reason } => Ok(Self {
                status: StatusCode::BAD_REQUEST,
                text: field_error(&field, &reason),
                field,
                wait: None,
            }),
            AppError::TooMany {
                reason,
                retry_after,
            } => Ok(Self {
                status: StatusCode::TOO_MANY_REQUESTS,
                field: String::new(),
                text: super::render::sentence(&reason),
                wait: Some(retry_after),
            }),
            other => Err(other),
        }
    }

    /// As `of`, with a conflict (409) shown on `field`: a name taken.
    pub(super) fn or_conflict(e: AppError, field: &str) -> Result<Self, AppError> {
        match e {
            AppError::Conflict(reason) => Ok(Self {
                status: StatusCode::CONFLICT,
                field: field.to_string(),
                text: super::render::sentence(&reason),
                wait: None,
            }),
            other => Self::of(other),
        }
    }

    pub(super) fn insert(&self, page: &mut tera::Context) {
        page.insert("error", &self.text);
        page.insert("error_field", &self.field);
    }

    pub(super) fn respond(&self, page: HttpResponse) -> HttpResponse {
        match self.wait {
            Some(wait) => retry_after(page, wait),
            None => page,
        }
    }
}

/// The page `name` with `error` (if any) shown on its form, answered with
/// the error's status (and its Retry-After).
pub(super) fn render(
    p: &super::render::Portal,
    name: &str,
    page: &mut tera::Context,
    error: Option<&FormError>,
) -> HttpResponse {
    page.insert("error_field", "");
    let Some(e) = error else {
        return p.render_status(StatusCode::OK, name, page);
    };
    e.insert(page);
    e.respond(p.render_status(e.status, name, page))
}
