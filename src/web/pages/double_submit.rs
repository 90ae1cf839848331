//! Double-submit tokens, for forms shown before any session exists (sign
//! in, forgot password, set a password, create your tenant): the same
//! random value in a cookie and in a field, so a form forged on another
//! site cannot be posted with the victim's cookies.

use super::render::Portal;
use actix_web::cookie::{Cookie, SameSite};

/// Login has no session yet, so its forms carry a double-submit token: the
/// same random value in a cookie and in a field (stops login CSRF, where a
/// forged form signs the victim into the attacker's account).
/// The forgot-password form and the second step of a sign-in (under
/// `/login`) use the same cookie.
pub(super) const LOGIN_CSRF: &str = "login_csrf";

/// The cookie half of a double-submit token, for forms shown before any
/// session exists; sent back only to pages under `path`.
pub(super) fn double_submit_cookie(
    p: &Portal,
    name: &'static str,
    path: &'static str,
    token: String,
) -> Cookie<'static> {
    Cookie::build(name, token)
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(p.ctx.public_url.starts_with("https://"))
        .finish()
}

/// Whether the form's field matches its cookie.
pub(super) fn double_submit_ok(p: &Portal, name: &str, sent: &str) -> bool {
    p.req
        .cookie(name)
        .is_some_and(|c| !sent.is_empty() && c.value() == sent)
}
