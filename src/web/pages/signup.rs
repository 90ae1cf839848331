//! Create your tenant from a community invitation (`app::signup`): the
//! link's page for a recipient whose address belongs to no tenant. A GET
//! shows the form and changes nothing; the POST carries the link and a
//! double-submit token, creates the tenant, signs its administrator in and
//! leads back to the invitation, where they Join.

use super::double_submit::{double_submit_cookie, double_submit_ok};
use super::form_error::{self, FormError};
use super::invitation_landing::generic_invalid;
use super::render::{redirect, PageResult, Portal};
use super::session::session_cookie;
use crate::app::signup::{self, Invitee, Offer, SignUp};
use crate::auth::link_token::{LinkClaims, LinkPurpose};
use crate::auth::session::new_csrf_token;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

/// The form's double-submit cookie, sent back only under `/invitations`.
const SIGNUP_CSRF: &str = "signup_csrf";

/// The link's claims while it is unexpired and ours.
fn claims(p: &Portal, token: &str) -> Option<LinkClaims> {
    let now = p.ctx.clock.now();
    p.ctx.links.verify(token, LinkPurpose::Invite, now).ok()
}

/// The page for an offer that is not open.
fn not_open(p: &Portal, offer: &Offer, token: &str) -> HttpResponse {
    match offer {
        Offer::Closed => p.message(
            StatusCode::FORBIDDEN,
            "Ask for a tenant",
            "Your organisation has no tenant on this service yet, and only its operator can create one. Ask the operator of this service for a tenant for your organisation, then follow the invitation link again.",
        ),
        Offer::HasTenant => {
            let mut page = tera::Context::new();
            page.insert("title", "Your organisation has a tenant");
            page.insert("has_tenant", &true);
            page.insert("token", token);
            p.render_status(StatusCode::CONFLICT, "signup", &mut page)
        }
        Offer::Open(_) | Offer::Unusable => generic_invalid(p),
    }
}

pub async fn show(p: Portal, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let Some(claims) = claims(&p, &token) else {
        return generic_invalid(&p);
    };
    let csrf = new_csrf_token();
    let offer = match signup::offer(&p.ctx, claims).await {
        Ok(offer) => offer,
        Err(e) => return p.finish(Err(e.into())),
    };
    let Offer::Open(invitee) = &offer else {
        return not_open(&p, &offer, &token);
    };
    let mut r = form_page(&p, &token, &csrf, invitee, "", None);
    let _ = r.add_cookie(&double_submit_cookie(&p, SIGNUP_CSRF, "/invitations", csrf));
    r
}

fn form_page(
    p: &Portal,
    token: &str,
    csrf: &str,
    invitee: &Invitee,
    company_name: &str,
    error: Option<&FormError>,
) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", "Create your tenant");
    page.insert("token", token);
    page.insert("signup_csrf", csrf);
    page.insert("recipient", invitee.recipient.as_str());
    page.insert("community", &invitee.community);
    page.insert("inviter", &invitee.inviter);
    page.insert("company_name", company_name);
    form_error::render(p, "signup", &mut page, error)
}

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    signup_csrf: String,
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

pub async fn submit(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<SignUpForm>,
) -> HttpResponse {
    let token = path.into_inner();
    let result = submit_inner(&p, &token, form.into_inner()).await;
    p.finish(result)
}

async fn submit_inner(p: &Portal, token: &str, form: SignUpForm) -> PageResult {
    let Some(claims) = claims(p, token) else {
        return Ok(generic_invalid(p));
    };
    if !double_submit_ok(p, SIGNUP_CSRF, &form.signup_csrf) {
        // Back to the form, which sets a fresh token.
        return Ok(redirect(&format!("/invitations/{token}/signup")));
    }
    let typed = form.company_name.clone();
    let sign_up = SignUp {
        company_name: form.company_name,
        password: form.new_password,
        password_again: form.new_password_again,
    };
    match signup::sign_up(&p.ctx, claims, sign_up).await {
        Ok(Ok((session, _))) => {
            let mut r = redirect(&format!("/invitations/{token}"));
            let _ = r.add_cookie(&session_cookie(&p.ctx, session));
            Ok(r)
        }
        Ok(Err(offer)) => Ok(not_open(p, &offer, token)),
        Err(e) => {
            let error = FormError::or_conflict(e, "company_name")?;
            let Offer::Open(invitee) = signup::offer(&p.ctx, claims).await? else {
                return Ok(generic_invalid(p));
            };
            let csrf = &form.signup_csrf;
            Ok(form_page(p, token, csrf, &invitee, &typed, Some(&error)))
        }
    }
}

/// For the sign-in page an invitation link leads to: what to tell someone
/// whose address belongs to no tenant yet. `next` is the page after sign-in.
pub(super) async fn sign_in_hint(p: &Portal, page: &mut tera::Context, next: &str) {
    let Some(token) = next.strip_prefix("/invitations/") else {
        return;
    };
    let Some(claims) = claims(p, token) else {
        return;
    };
    match signup::offer(&p.ctx, claims).await {
        Ok(Offer::Open(_)) => page.insert("signup_token", token),
        Ok(Offer::Closed) => page.insert("signup_closed", &true),
        _ => {}
    }
}
