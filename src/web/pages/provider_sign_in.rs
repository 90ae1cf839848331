//! "Sign in with NAME": the login page's buttons for the tenant's identity
//! providers, and the page the provider sends the browser back to. The
//! sign-in in progress rides in a signed cookie (`auth::oidc::flow`), so
//! the answer may reach any instance.

use super::double_submit::double_submit_ok;
use super::login::{fresh_login_page, LOGIN_CSRF};
use super::render::{redirect, PageResult, Portal};
use super::session::{expired_cookie, safe_next, session_cookie};
use crate::app::identity;
use crate::app::provider_sign_in::{self, Answer, SignInError};
use crate::auth::oidc::flow::FLOW_MINUTES;
use crate::domain::ids::{IdentityProviderId, TenantId};
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

/// The cookie that carries a sign-in at a provider; only the callback
/// reads it.
const FLOW_COOKIE: &str = "provider_flow";
const FLOW_COOKIE_PATH: &str = "/login/provider";

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    login_csrf: String,
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    provider: String,
    next: Option<String>,
}

/// A button was pressed: off to the provider.
pub async fn start(p: Portal, form: web::Form<StartForm>) -> HttpResponse {
    let result = start_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn start_inner(p: &Portal, form: StartForm) -> PageResult {
    let next = safe_next(form.next.as_deref()).unwrap_or_else(|| "/communities".into());
    let ids = TenantId::parse(&form.tenant_id).zip(IdentityProviderId::parse(&form.provider));
    let Some((tenant, provider)) =
        ids.filter(|_| double_submit_ok(p, LOGIN_CSRF, &form.login_csrf))
    else {
        let again: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        return Ok(redirect(&format!("/login?next={again}")));
    };
    match provider_sign_in::start(&p.ctx, tenant, provider, next.clone()).await {
        Ok((url, flow)) => {
            let mut r = redirect(&url);
            let cookie = Cookie::build(FLOW_COOKIE, p.ctx.provider_flows.seal(&flow))
                .path(FLOW_COOKIE_PATH)
                .http_only(true)
                // The provider's redirect back is a top-level GET, which
                // Lax lets the cookie ride along with.
                .same_site(SameSite::Lax)
                .secure(p.ctx.public_url.starts_with("https://"))
                .max_age(time::Duration::minutes(FLOW_MINUTES))
                .finish();
            let _ = r.add_cookie(&cookie);
            Ok(r)
        }
        Err(e) => failed(p, tenant, &next, e).await,
    }
}

/// The provider sent the browser back.
pub async fn callback(p: Portal, answer: web::Query<Answer>) -> HttpResponse {
    let result = callback_inner(&p, answer.into_inner()).await;
    let mut r = p.finish(result);
    let mut gone = expired_cookie(&p.ctx, FLOW_COOKIE);
    gone.set_path(FLOW_COOKIE_PATH);
    let _ = r.add_cookie(&gone);
    r
}

async fn callback_inner(p: &Portal, answer: Answer) -> PageResult {
    let now = p.ctx.clock.now();
    let flow = p
        .req
        .cookie(FLOW_COOKIE)
        .and_then(|c| p.ctx.provider_flows.open(c.value(), now));
    let Some(flow) = flow else {
        let message = SignInError::FlowLost.to_string();
        let error = Some((message.as_str(), ""));
        let next = "/communities";
        return Ok(fresh_login_page(p, StatusCode::BAD_REQUEST, next, None, error).await);
    };
    let tenant = TenantId(flow.tenant);
    let next = flow.next.clone();
    match provider_sign_in::finish(&p.ctx, flow, answer).await {
        Ok((id, _, next)) => {
            let mut r = redirect(&next);
            let _ = r.add_cookie(&session_cookie(&p.ctx, id));
            Ok(r)
        }
        Err(e) => failed(p, tenant, &next, e).await,
    }
}

/// The tenant's sign-in page again, saying what went wrong.
async fn failed(p: &Portal, tenant: TenantId, next: &str, e: SignInError) -> PageResult {
    let e = match e {
        SignInError::App(e) => return Err(e.into()),
        e => e,
    };
    let status = match &e {
        SignInError::App(_) => StatusCode::INTERNAL_SERVER_ERROR,
        SignInError::ProviderDown { .. } => StatusCode::BAD_GATEWAY,
        SignInError::FlowLost => StatusCode::BAD_REQUEST,
        SignInError::UnknownProvider => StatusCode::NOT_FOUND,
        SignInError::TenantInactive
        | SignInError::OutsideDomains { .. }
        | SignInError::UnknownUser { .. }
        | SignInError::Deactivated { .. } => StatusCode::FORBIDDEN,
        SignInError::ProviderRefused { .. } | SignInError::Rejected { .. } => {
            StatusCode::UNAUTHORIZED
        }
    };
    tracing::warn!(%tenant, error = %e, "sign-in through an identity provider failed");
    let name = identity::find_tenant(&p.ctx, &tenant.to_string())
        .await?
        .map(|t| t.company_name);
    let shown = name.as_deref().map(|n| (&tenant, n));
    let message = e.to_string();
    Ok(fresh_login_page(p, status, next, shown, Some((&message, ""))).await)
}
