//! Login as the OCS portal does it: first the tenant, then email and password.

use super::double_submit::{double_submit_cookie, double_submit_ok};
use super::invitation_landing::sign_in_reason;
use super::render::{redirect, respond, Failure, PageResult, Portal};
use super::second_step;
use super::session::{expired_cookie, flash_cookie, safe_next, session_cookie};
use crate::app::identity::{self, LoginError, PasswordSignIn};
use crate::app::identity_providers::{self, LoginChoices};
use crate::auth::session::{new_csrf_token, COOKIE};
use crate::domain::ids::TenantId;
use crate::web::content_policy::{self, CONTENT_SECURITY_POLICY_VALUE};
use crate::web::identity::retry_after;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub(super) use super::double_submit::LOGIN_CSRF;

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login_csrf: String,
    #[serde(default)]
    tenant: String,
    tenant_id: Option<String>,
    email: Option<String>,
    password: Option<String>,
    next: Option<String>,
}

/// The sign-in page. `email` is what was typed, kept after a failed try.
pub(super) async fn login_page(
    p: &Portal,
    status: StatusCode,
    token: &str,
    next: &str,
    tenant: Option<(&TenantId, &str)>,
    error: Option<(&str, &str)>,
) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("login_csrf", token);
    page.insert("next", next);
    if let Some((purpose, community, inviter)) = sign_in_reason(p, next).await {
        page.insert("reason", purpose);
        page.insert("reason_community", &community);
        page.insert("reason_inviter", &inviter);
        super::signup::sign_in_hint(p, &mut page, next).await;
    }
    let next_q: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    page.insert("next_q", &next_q);
    let mut origins = Vec::new();
    if let Some((id, name)) = tenant {
        page.insert("tenant_id", &id.to_string());
        page.insert("tenant_name", name);
        let choices = identity_providers::login_choices(&p.ctx, *id).await;
        let choices = choices.unwrap_or(LoginChoices {
            buttons: Vec::new(),
            passwords: true,
            origins: Vec::new(),
        });
        origins = choices.origins;
        page.insert("passwords", &choices.passwords);
        let providers: Vec<_> = choices
            .buttons
            .into_iter()
            .map(|(id, name)| serde_json::json!({"id": id.to_string(), "name": name}))
            .collect();
        page.insert("providers", &providers);
    }
    if let Some((e, email)) = error {
        page.insert("error", e);
        page.insert("email", email);
    }
    let mut r = p.render_status(status, "login", &mut page);
    if !origins.is_empty() {
        r.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            provider_form_policy(&origins),
        );
    }
    r
}

/// The policy that lets the "Sign in with" form on to the providers.
fn provider_form_policy(origins: &[String]) -> HeaderValue {
    HeaderValue::from_str(&content_policy::with_form_targets(origins))
        .unwrap_or_else(|_| HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE))
}

/// The sign-in page under a fresh double-submit token, in its cookie and
/// its fields.
pub(super) async fn fresh_login_page(
    p: &Portal,
    status: StatusCode,
    next: &str,
    tenant: Option<(&TenantId, &str)>,
    error: Option<(&str, &str)>,
) -> HttpResponse {
    let token = new_csrf_token();
    let mut r = login_page(p, status, &token, next, tenant, error).await;
    let _ = r.add_cookie(&double_submit_cookie(p, LOGIN_CSRF, "/login", token));
    r
}

pub async fn show(p: Portal, q: web::Query<LoginQuery>) -> HttpResponse {
    let next = safe_next(q.next.as_deref()).unwrap_or_else(|| "/communities".into());
    fresh_login_page(&p, StatusCode::OK, &next, None, None).await
}

fn login_csrf_ok(p: &Portal, sent: &str) -> bool {
    double_submit_ok(p, LOGIN_CSRF, sent)
}

pub async fn submit(p: Portal, form: web::Form<LoginForm>) -> HttpResponse {
    let result = submit_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn submit_inner(p: &Portal, form: LoginForm) -> PageResult {
    let next = safe_next(form.next.as_deref()).unwrap_or_else(|| "/communities".into());
    if !login_csrf_ok(p, &form.login_csrf) {
        let again: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        return Ok(redirect(&format!("/login?next={again}")));
    }
    let token = form.login_csrf.as_str();
    let tenant_id = form.tenant_id.as_deref().and_then(TenantId::parse);
    let (Some(tenant_id), Some(email), Some(password)) = (tenant_id, form.email, form.password)
    else {
        return choose_tenant(p, token, &next, &form.tenant).await;
    };
    let Some(tenant) = identity::find_tenant(&p.ctx, &tenant_id.to_string()).await? else {
        return choose_tenant(p, token, &next, "").await;
    };
    let from = crate::web::client_source::of(&p.req);
    let shown = Some((&tenant.id, tenant.company_name.as_str()));
    match identity::login(&p.ctx, tenant.id, &email, &password, from).await {
        Ok(PasswordSignIn::Session(id, _)) => {
            let mut r = redirect(&next);
            let _ = r.add_cookie(&session_cookie(&p.ctx, id));
            Ok(r)
        }
        Ok(PasswordSignIn::Owed(owed, user)) => {
            second_step::ask(p, token, &next, owed, &user, &tenant.company_name)
        }
        Err(LoginError::App(e)) => Err(Failure::App(e)),
        Err(e) => {
            let (status, wait) = match &e {
                LoginError::Throttled(wait) => (StatusCode::TOO_MANY_REQUESTS, Some(*wait)),
                LoginError::Busy(busy) if busy.everyone => {
                    (StatusCode::SERVICE_UNAVAILABLE, Some(busy.retry_after))
                }
                LoginError::Busy(busy) => (StatusCode::TOO_MANY_REQUESTS, Some(busy.retry_after)),
                LoginError::TenantInactive | LoginError::PasswordsOff => {
                    (StatusCode::FORBIDDEN, None)
                }
                _ => (StatusCode::UNAUTHORIZED, None),
            };
            let page = login_page(
                p,
                status,
                token,
                &next,
                shown,
                Some((&e.to_string(), &email)),
            )
            .await;
            Ok(match wait {
                Some(wait) => retry_after(page, wait),
                None => page,
            })
        }
    }
}

/// Step one: the tenant's alias or id. Step two is the same page with the
/// tenant fixed.
async fn choose_tenant(p: &Portal, token: &str, next: &str, name: &str) -> PageResult {
    if name.trim().is_empty() {
        return Ok(login_page(p, StatusCode::OK, token, next, None, None).await);
    }
    Ok(match identity::find_tenant(&p.ctx, name).await? {
        Some(t) => {
            let chosen = Some((&t.id, t.company_name.as_str()));
            login_page(p, StatusCode::OK, token, next, chosen, None).await
        }
        None => {
            login_page(
                p,
                StatusCode::NOT_FOUND,
                token,
                next,
                None,
                Some((
                    "No tenant has that name. Check the spelling, or use the tenant id.",
                    "",
                )),
            )
            .await
        }
    })
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(p: Portal, form: web::Form<LogoutForm>) -> HttpResponse {
    let Some(v) = &p.visitor else {
        return redirect("/login");
    };
    if let Err(refused) = p.checked(&form.csrf) {
        return p.finish(Err(refused));
    }
    if let Err(e) = identity::logout(&p.ctx, &v.id).await {
        return p.finish(Err(Failure::App(e)));
    }
    let mut r = respond(StatusCode::SEE_OTHER)
        .insert_header((actix_web::http::header::LOCATION, "/login"))
        .finish();
    let _ = r.add_cookie(&expired_cookie(&p.ctx, COOKIE));
    let _ = r.add_cookie(&flash_cookie(&p.ctx, "logged_out"));
    r
}
