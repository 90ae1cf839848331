//! The second step of a password sign-in: a one-time code (or a recovery
//! code) from a user who signs in with codes, or an enrolment from a user
//! whose tenant requires codes and who has no app yet. No session exists
//! until it is done; the half-done sign-in travels in the form as a
//! signed value (see `auth::pending_sign_in`), with the page's
//! double-submit token as the first step's.

use super::double_submit::{double_submit_ok, LOGIN_CSRF};
use super::render::{redirect, Failure, PageResult, Portal};
use super::session::session_cookie;
use crate::app::two_factor::{self, Offer, SecondStepError, SignedIn};
use crate::auth::pending_sign_in::Owed;
use crate::domain::identity::User;
use crate::web::identity::retry_after;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

/// The second step's page for what is owed, right after the password.
pub(super) fn ask(
    p: &Portal,
    login_csrf: &str,
    next: &str,
    owed: Owed,
    user: &User,
    tenant_name: &str,
) -> PageResult {
    let pending = two_factor::pending_token(&p.ctx, owed, user, next)?;
    Ok(match owed {
        Owed::SignInCode => code_page(p, StatusCode::OK, login_csrf, &pending, None),
        Owed::SignInEnrolment => {
            let offer = two_factor::offer(tenant_name, user.email.as_str());
            enrol_page(p, StatusCode::OK, login_csrf, &pending, &offer, None)
        }
    })
}

fn code_page(
    p: &Portal,
    status: StatusCode,
    login_csrf: &str,
    pending: &str,
    error: Option<&str>,
) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", "Enter your code");
    page.insert("login_csrf", login_csrf);
    page.insert("pending", pending);
    if let Some(e) = error {
        page.insert("error", e);
    }
    p.render_status(status, "login_code", &mut page)
}

fn enrol_page(
    p: &Portal,
    status: StatusCode,
    login_csrf: &str,
    pending: &str,
    offer: &Offer,
    error: Option<&str>,
) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", "Set up an authenticator app");
    page.insert("login_csrf", login_csrf);
    page.insert("pending", pending);
    page.insert("offer", offer);
    if let Some(e) = error {
        page.insert("error", e);
    }
    p.render_status(status, "login_enrol", &mut page)
}

/// Signed in: to `next`, or first to the recovery codes just made.
fn finished(p: &Portal, done: SignedIn) -> HttpResponse {
    let mut r = if done.recovery_codes.is_empty() {
        redirect(&done.next)
    } else {
        super::two_factor::recovery_codes_page(p, &done.recovery_codes, &done.next)
    };
    let _ = r.add_cookie(&session_cookie(&p.ctx, done.id));
    r
}

/// A half-done sign-in that cannot go on: the same page whatever the
/// reason, with the way back to the first step.
fn stale(p: &Portal) -> HttpResponse {
    p.message(
        StatusCode::UNAUTHORIZED,
        "Sign in again",
        &SecondStepError::Stale.to_string(),
    )
}

/// A refusal the person can act on, shown on the step's page; `page`
/// renders it with the status and message.
fn refused(
    p: &Portal,
    e: SecondStepError,
    page: impl FnOnce(StatusCode, &str) -> HttpResponse,
) -> PageResult {
    let text = e.to_string();
    match e {
        SecondStepError::Stale => Ok(stale(p)),
        SecondStepError::WrongCode => Ok(page(StatusCode::UNAUTHORIZED, &text)),
        SecondStepError::Throttled(wait) => Ok(retry_after(
            page(StatusCode::TOO_MANY_REQUESTS, &text),
            wait,
        )),
        SecondStepError::Enrolment(crate::app::AppError::Invalid { field, reason }) => {
            let label = if field == "code" {
                "The code"
            } else {
                "The secret"
            };
            let text = super::render::sentence(&format!("{label} {reason}"));
            Ok(page(StatusCode::BAD_REQUEST, &text))
        }
        SecondStepError::Enrolment(other) | SecondStepError::App(other) => Err(Failure::App(other)),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    login_csrf: String,
    #[serde(default)]
    pending: String,
    #[serde(default)]
    code: String,
}

pub async fn code(p: Portal, form: web::Form<CodeForm>) -> HttpResponse {
    let result = code_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn code_inner(p: &Portal, form: CodeForm) -> PageResult {
    if !double_submit_ok(p, LOGIN_CSRF, &form.login_csrf) {
        return Ok(redirect("/login"));
    }
    let from = crate::web::client_source::of(&p.req);
    match two_factor::sign_in_with_code(&p.ctx, &form.pending, &form.code, from).await {
        Ok(done) => Ok(finished(p, done)),
        Err(e) => refused(p, e, |status, text| {
            code_page(p, status, &form.login_csrf, &form.pending, Some(text))
        }),
    }
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    login_csrf: String,
    #[serde(default)]
    pending: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

pub async fn enrol(p: Portal, form: web::Form<EnrolForm>) -> HttpResponse {
    let result = enrol_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn enrol_inner(p: &Portal, form: EnrolForm) -> PageResult {
    if !double_submit_ok(p, LOGIN_CSRF, &form.login_csrf) {
        return Ok(redirect("/login"));
    }
    let from = crate::web::client_source::of(&p.req);
    let result =
        two_factor::sign_in_with_enrolment(&p.ctx, &form.pending, &form.secret, &form.code, from)
            .await;
    match result {
        Ok(done) => Ok(finished(p, done)),
        Err(SecondStepError::Stale) => Ok(stale(p)),
        Err(e) => {
            // The same secret again, so the app already set up still fits.
            let owed = Owed::SignInEnrolment;
            let (tenant, email) =
                match two_factor::pending_account(&p.ctx, &form.pending, owed).await {
                    Ok(names) => names,
                    Err(_) => return Ok(stale(p)),
                };
            let offer = two_factor::offer_again(&form.secret, &tenant, &email);
            refused(p, e, |status, text| {
                enrol_page(
                    p,
                    status,
                    &form.login_csrf,
                    &form.pending,
                    &offer,
                    Some(text),
                )
            })
        }
    }
}
