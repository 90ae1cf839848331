//! Passwords in the portal: the account page (change your own password),
//! forgot password from the sign-in page, and the page a set-password link
//! opens. A GET of the link changes nothing (mail scanners prefetch links);
//! the new password is a POST carrying the link and a double-submit token.

use super::double_submit::{double_submit_cookie, double_submit_ok};
use super::form_error::{self, FormError};
use super::login::LOGIN_CSRF;
use super::render::{redirect, PageResult, Portal};
use crate::app::passwords::{self, PasswordChange, SetPasswordError};
use crate::app::AppError;
use crate::auth::session::new_csrf_token;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

/// The set-password form's double-submit cookie, sent back only under
/// `/password`.
const PASSWORD_CSRF: &str = "password_csrf";

// ---- The account page: change your own password ----

pub async fn account(p: Portal) -> HttpResponse {
    let result = account_page(&p, None);
    p.finish(result)
}

fn account_page(p: &Portal, error: Option<&FormError>) -> PageResult {
    p.visitor()?;
    let mut page = tera::Context::new();
    page.insert("title", "Your account");
    Ok(form_error::render(p, "account", &mut page, error))
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

pub async fn change(p: Portal, form: web::Form<ChangeForm>) -> HttpResponse {
    let result = change_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn change_inner(p: &Portal, form: ChangeForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let change = PasswordChange {
        current: form.current_password,
        new: form.new_password,
        again: form.new_password_again,
    };
    let from = crate::web::client_source::of(&p.req);
    match passwords::change_own(&p.ctx, &v.id, &v.session, change, from).await {
        Ok(()) => Ok(p.done("password_changed", "/account")),
        Err(e) => account_page(p, Some(&FormError::of(e)?)),
    }
}

// ---- Forgot password ----

#[derive(Deserialize)]
pub struct ForgotQuery {
    sent: Option<String>,
}

pub async fn forgot(p: Portal, q: web::Query<ForgotQuery>) -> HttpResponse {
    let token = new_csrf_token();
    let mut r = forgot_page(&p, &token, q.sent.is_some(), "", None);
    let _ = r.add_cookie(&double_submit_cookie(&p, LOGIN_CSRF, "/login", token));
    r
}

/// The form, or after a request the same words for every address.
fn forgot_page(
    p: &Portal,
    token: &str,
    sent: bool,
    typed: &str,
    error: Option<&FormError>,
) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", "Forgot password");
    page.insert("login_csrf", token);
    page.insert("sent", &sent);
    page.insert("email", typed);
    page.insert(
        "link_minutes",
        &(p.ctx.settings.password_link_ttl.as_secs() / 60).max(1),
    );
    form_error::render(p, "forgot_password", &mut page, error)
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    login_csrf: String,
    #[serde(default)]
    email: String,
}

pub async fn forgot_submit(p: Portal, form: web::Form<ForgotForm>) -> HttpResponse {
    let result = forgot_submit_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn forgot_submit_inner(p: &Portal, form: ForgotForm) -> PageResult {
    if !double_submit_ok(p, LOGIN_CSRF, &form.login_csrf) {
        return Ok(redirect("/login/forgot"));
    }
    let from = crate::web::client_source::of(&p.req);
    match passwords::request_reset(&p.ctx, &form.email, from).await {
        // The same redirect for every address, known or not.
        Ok(()) => Ok(redirect("/login/forgot?sent=1")),
        Err(e) => {
            let e = FormError::of(e)?;
            Ok(forgot_page(
                p,
                &form.login_csrf,
                false,
                &form.email,
                Some(&e),
            ))
        }
    }
}

// ---- The set-password link ----

/// The one page for any link that cannot be used: invalid, expired, used,
/// or for an account that is gone.
fn invalid_link(p: &Portal) -> HttpResponse {
    p.message(
        StatusCode::NOT_FOUND,
        "Link not valid",
        "This link to set a password is invalid, has expired or was already used. Ask for a new one from the sign-in page (Forgot password?).",
    )
}

pub async fn link(p: Portal, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let csrf = new_csrf_token();
    match link_page(&p, &token, &csrf, None).await {
        Ok(Some(mut r)) => {
            let cookie = double_submit_cookie(&p, PASSWORD_CSRF, "/password", csrf);
            let _ = r.add_cookie(&cookie);
            r
        }
        Ok(None) => invalid_link(&p),
        Err(e) => p.finish(Err(e.into())),
    }
}

/// The set-password form for a usable link (carrying `csrf`, the value of
/// its cookie), else `None`.
async fn link_page(
    p: &Portal,
    token: &str,
    csrf: &str,
    error: Option<&FormError>,
) -> Result<Option<HttpResponse>, AppError> {
    let Some(account) = passwords::link_account(&p.ctx, token).await? else {
        return Ok(None);
    };
    let mut page = tera::Context::new();
    page.insert("title", "Set a new password");
    page.insert("token", token);
    page.insert("password_csrf", csrf);
    page.insert("account_email", &account.email);
    page.insert("account_tenant", &account.tenant_name);
    Ok(Some(form_error::render(
        p,
        "set_password",
        &mut page,
        error,
    )))
}

#[derive(Deserialize)]
pub struct SetForm {
    #[serde(default)]
    password_csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

pub async fn set(p: Portal, form: web::Form<SetForm>) -> HttpResponse {
    let result = set_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn set_inner(p: &Portal, form: SetForm) -> PageResult {
    let token = form.token.trim();
    if token.is_empty() || token.contains('/') {
        return Ok(invalid_link(p));
    }
    if !double_submit_ok(p, PASSWORD_CSRF, &form.password_csrf) {
        // Back to the link's page, which sets a fresh token.
        return Ok(redirect(&format!("/password/{token}")));
    }
    let now = p.ctx.clock.now();
    match passwords::set_with_link(
        &p.ctx,
        token,
        form.new_password,
        &form.new_password_again,
        now,
    )
    .await
    {
        Ok(()) => Ok(p.done("password_set", "/login")),
        Err(SetPasswordError::InvalidLink) => Ok(invalid_link(p)),
        Err(SetPasswordError::App(e)) => {
            let e = FormError::of(e)?;
            let page = link_page(p, token, &form.password_csrf, Some(&e)).await?;
            Ok(page.unwrap_or_else(|| invalid_link(p)))
        }
    }
}
