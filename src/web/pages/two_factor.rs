//! Two-factor sign-in on the account page (`/account/two-factor`): a user
//! sets up an authenticator app from the secret shown (as text and as an
//! `otpauth://` link), confirms it with a current code, and gets recovery
//! codes shown once; turning it off takes a current code. The same use
//! cases as the second step of sign-in (`app::two_factor`).

use super::form_error::{self, FormError};
use super::render::{PageResult, Portal};
use crate::app::two_factor::{self, Offer};
use crate::app::AppError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

const PAGE: &str = "/account/two-factor";

pub async fn show(p: Portal) -> HttpResponse {
    let result = two_factor_page(&p, None, None).await;
    p.finish(result)
}

/// The page: what is set up, and the form that changes it. `secret` is
/// the offer sent back with a refused code, shown again so the app
/// already set up still fits.
async fn two_factor_page(
    p: &Portal,
    error: Option<&FormError>,
    secret: Option<&str>,
) -> PageResult {
    let v = p.visitor()?;
    let status = two_factor::status(&p.ctx, v.caller()).await?;
    let mut page = tera::Context::new();
    page.insert("title", "Two-factor sign-in");
    if !status.enrolled {
        let offer: Offer = match secret {
            Some(s) => two_factor::offer_again(s, &status.tenant_name, &status.email),
            None => two_factor::offer(&status.tenant_name, &status.email),
        };
        page.insert("offer", &offer);
    }
    page.insert("status", &status);
    Ok(form_error::render(p, "two_factor", &mut page, error))
}

/// A refusal the person can act on, shown on the page; anything else is
/// the page's failure.
async fn refused(p: &Portal, e: AppError, secret: Option<&str>) -> PageResult {
    let error = FormError::or_conflict(e, "")?;
    two_factor_page(p, Some(&error), secret).await
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    csrf: String,
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
    let v = p.checked(&form.csrf)?;
    match two_factor::enrol(&p.ctx, v.caller(), &form.secret, &form.code).await {
        Ok(codes) => Ok(recovery_codes_page(p, &codes, PAGE)),
        Err(e) => refused(p, e, Some(&form.secret)).await,
    }
}

#[derive(Deserialize)]
pub struct OffForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

pub async fn turn_off(p: Portal, form: web::Form<OffForm>) -> HttpResponse {
    let result = turn_off_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn turn_off_inner(p: &Portal, form: OffForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let from = crate::web::client_source::of(&p.req);
    match two_factor::turn_off(&p.ctx, v.caller(), &form.code, from).await {
        Ok(()) => Ok(p.done("two_factor_off", PAGE)),
        Err(e) => refused(p, e, None).await,
    }
}

/// The recovery codes just made, shown this once, with the way on.
pub(super) fn recovery_codes_page(p: &Portal, codes: &[String], next: &str) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", "Your recovery codes");
    page.insert("codes", codes);
    page.insert("next", next);
    // Like every portal page, answered `no-store`: not kept by a browser
    // cache or a proxy.
    p.render_status(StatusCode::OK, "recovery_codes", &mut page)
}
