//! Who is visiting a page: the session cookie, its CSRF token, and the
//! one-shot flash message shown after an action.

use crate::app::portal::{self, SignedIn};
use crate::app::{identity, AppError, Context};
use crate::auth::session::COOKIE;
use crate::domain::identity::Caller;
use crate::domain::session::Session;
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::HttpRequest;

pub const FLASH_COOKIE: &str = "flash";

/// A signed-in person: the session (by its cookie value) and who they are.
pub struct Visitor {
    pub id: String,
    pub session: Session,
    pub who: SignedIn,
}

impl Visitor {
    pub fn caller(&self) -> Caller {
        identity::caller_of(&self.session)
    }

    /// Synchronizer-token check; constant-time so the token cannot be
    /// guessed byte by byte from response timings.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        let want = self.session.csrf.as_bytes();
        let got = sent.as_bytes();
        want.len() == got.len() && want.iter().zip(got).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// The visitor behind the request's session cookie, if it is live.
pub async fn visitor(ctx: &Context, req: &HttpRequest) -> Result<Option<Visitor>, AppError> {
    let Some(cookie) = req.cookie(COOKIE) else {
        return Ok(None);
    };
    let id = cookie.value().to_string();
    let Some(session) = identity::session(ctx, &id).await? else {
        return Ok(None);
    };
    let Some(who) = portal::signed_in(ctx, &session).await? else {
        return Ok(None);
    };
    Ok(Some(Visitor { id, session, who }))
}

fn secure(ctx: &Context) -> bool {
    ctx.public_url.starts_with("https://")
}

pub fn session_cookie(ctx: &Context, id: String) -> Cookie<'static> {
    let ttl = i64::try_from(ctx.settings.session_ttl.as_secs()).unwrap_or(43_200);
    Cookie::build(COOKIE, id)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(ctx))
        .max_age(time::Duration::seconds(ttl))
        .finish()
}

pub fn expired_cookie(ctx: &Context, name: &'static str) -> Cookie<'static> {
    let mut c = Cookie::build(name, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(ctx))
        .finish();
    c.make_removal();
    c
}

/// A flash carries only a fixed code; the text comes from `flash_text`, so a
/// crafted cookie cannot put words on the page.
pub fn flash_cookie(ctx: &Context, code: &'static str) -> Cookie<'static> {
    Cookie::build(FLASH_COOKIE, code)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure(ctx))
        .max_age(time::Duration::seconds(60))
        .finish()
}

pub fn flash_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "Community created.",
        "invited" => "Invitation queued for email; the Email column shows when it has been sent.",
        "resent" => "Invitation queued again with a new link; the link in the earlier email no longer works.",
        "withdrawn" => "Invitation deleted; its link no longer works.",
        "confirmed" => "Tenant confirmed; sharing is active.",
        "paused" => "Sharing paused.",
        "resumed" => "Sharing resumed.",
        "removed" => "Tenant removed from the community.",
        "left" => "Your tenant left the community.",
        "deleted" => "Community deleted.",
        "unshared" => "Stream no longer shared with the community.",
        "shared" => "Streams shared; the community's members can read them now.",
        "defaults_saved" => "Default permissions saved; new streams of the namespace get them.",
        "defaults_applied" => "Default permissions saved and given to the existing streams you may change; their shares stay.",
        "contact_saved" => "Contact saved; every member of the community sees it.",
        "logged_out" => "You are logged out.",
        "joined" => "You joined. Sharing starts when the inviting tenant confirms; until then the community is listed as awaiting confirmation.",
        "declined" => "Invitation declined; the inviting tenant has been told.",
        "community_saved" => "Community saved.",
        "roles_saved" => "Roles saved.",
        "roles_revoked" => "Roles revoked.",
        "tenant_saved" => "Tenant name saved.",
        "icon_saved" => "Icon saved; the preview shows it as stored.",
        "icon_removed" => "Icon removed.",
        "secret_revoked" => "Secret revoked; it no longer gets tokens.",
        "client_deleted" => "Client deleted; its secrets no longer get tokens.",
        "password_changed" => "Password changed. Your other sessions are signed out.",
        "password_set" => "Password set. Sign in with it; every session signed in before has ended.",
        "user_invited" => "Invitation queued for email; the new user chooses a password through its link.",
        "user_invitation_resent" => "Invitation queued again with a new link; the link in the earlier email no longer works.",
        "user_roles_saved" => "Roles saved.",
        "user_removed" => "User removed and signed out everywhere.",
        "user_deactivated" => "User deactivated and signed out everywhere.",
        "user_reactivated" => "User reactivated; they sign in with their password again.",
        "client_roles_saved" => "Roles saved; tokens the client gets from now on carry them.",
        "role_created" => "Role created; tick it for users and clients to give it to them.",
        "role_saved" => "Role saved.",
        "role_deleted" => "Role deleted; the users and clients that held it no longer do.",
        "provider_added" => "Identity provider added; the login page offers it from now on.",
        "provider_removed" => "Identity provider removed; its people keep their users and sign in another way from now on.",
        "sign_in_saved" => "Sign-in settings saved; they apply from the next sign-in.",
        "two_factor_off" => "Two-factor sign-in turned off; you sign in with your password alone.",
        "two_factor_reset" => "Two-factor sign-in reset; the user signs in with their password, and sets up an app again if your tenant requires codes.",
        "trusted_domains_saved" => "Trusted partners saved; invitations, acceptances and confirmations follow them from now on.",
        "webhook_deleted" => "Webhook deleted; nothing more is sent to it.",
        "webhook_enabled" => "Webhook enabled; new events are sent to it again.",
        "webhook_disabled" => "Webhook disabled; nothing is sent to it until it is enabled again.",
        "webhook_redelivered" => "Delivery queued again with the same webhook-id; its status shows when it has been sent.",
        _ => return None,
    })
}

/// Only same-site paths: a single leading '/', no scheme, no '//' or '/\'
/// (which browsers treat as another host).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let mut chars = next.chars();
    let same_site = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/') | Some('\\'))
        && !next.chars().any(|c| c.is_control() || c == '\\');
    same_site.then(|| next.to_string())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_accepts_only_same_site_paths() {
        assert_eq!(
            safe_next(Some("/invitations/abc")).as_deref(),
            Some("/invitations/abc")
        );
        assert_eq!(safe_next(Some("/")).as_deref(), Some("/"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "",
            "/a\\b",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
    }
}
