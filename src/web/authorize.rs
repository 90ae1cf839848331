//! `GET /identity/connect/authorize`: the authorization endpoint of the
//! authorization code flow with PKCE (see `app::authorization_code`). A
//! person's browser arrives here from an application; signed in to the
//! portal (or once signed in, through the login page's `next`), it goes
//! back to the application's registered redirect URI with a one-time code.

use crate::app::authorization_code::{self, AuthorizeRequest, Refusal, Verified};
use crate::web::pages::render::{respond, Portal};
use crate::web::route_table::{Mount, RouteTable};
use actix_web::http::header::{HeaderValue, LOCATION};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Deserialize;

const IDENTITY: Mount = Mount::public("Identity", "/identity");

/// Longest query string read: the parameters are ids, a URI of at most
/// 2000 characters, a challenge and two values of at most 500.
const MAX_QUERY_BYTES: usize = 8 * 1024;

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_authorize, _, _>(IDENTITY, authorize);
}

/// The authorization request (RFC 6749 4.1.1, RFC 7636 4.3). Other
/// parameters AVEVA's libraries send (`scope`, `acr_values`) are ignored.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuthorizeQuery {
    /// An authorization code client of the tenant.
    client_id: String,
    /// Exactly one of the client's registered redirect URIs.
    redirect_uri: String,
    /// `code`.
    response_type: String,
    /// base64url(SHA-256(code_verifier)), 43 characters.
    code_challenge: String,
    /// `S256`.
    code_challenge_method: String,
    /// Returned unchanged with the code (at most 500 characters).
    state: Option<String>,
    /// Put in the ID token (at most 500 characters).
    nonce: Option<String>,
}

/// Each parameter's first value.
fn request_of(query: &str) -> AuthorizeRequest {
    let mut r = AuthorizeRequest::default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match name.as_ref() {
            "client_id" => &mut r.client_id,
            "redirect_uri" => &mut r.redirect_uri,
            "response_type" => &mut r.response_type,
            "code_challenge" => &mut r.code_challenge,
            "code_challenge_method" => &mut r.code_challenge_method,
            "state" => &mut r.state,
            "nonce" => &mut r.nonce,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.into_owned());
        }
    }
    r
}

/// `uri` with `pairs` added to its query.
fn with_query(uri: &str, pairs: &[(&str, Option<&str>)]) -> Option<String> {
    let mut url = url::Url::parse(uri).ok()?;
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    Some(url.to_string())
}

fn refused(p: &Portal, text: &str) -> HttpResponse {
    p.message(
        StatusCode::BAD_REQUEST,
        "This sign-in link is not valid",
        text,
    )
}

/// A 302 to `target`, or, when the browser comes straight from one of
/// this site's own pages (the login form), a page that moves on by
/// itself: browsers hold a form's redirects to the portal's `form-action
/// 'self'`, so a redirect chain from the login form must end on this site.
fn send_back(p: &Portal, target: &str, client_name: &str) -> HttpResponse {
    let from_own_page = p
        .req
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v == "same-origin");
    if from_own_page {
        let mut page = tera::Context::new();
        page.insert("title", "Signed in");
        page.insert("target", target);
        page.insert("client_name", client_name);
        return p.render("authorized", page);
    }
    redirect_to(target)
}

fn redirect_to(target: &str) -> HttpResponse {
    let mut r = respond(StatusCode::FOUND).finish();
    if let Ok(v) = HeaderValue::from_str(target) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// Authorization endpoint: sign a person in to an application (authorization code with PKCE)
#[utoipa::path(
    get,
    path = "/connect/authorize",
    params(AuthorizeQuery),
    responses(
        (status = 302, description = "To the registered redirect URI with `code` and `state` (or `error`), or to the login page with `next` pointing back here"),
        (status = 400, description = "An unknown client or an unregistered redirect URI: a page, and no redirect", content_type = "text/html"),
        (status = 403, description = "Signed in to another tenant than the application's", content_type = "text/html"),
    )
)]
async fn authorize(p: Portal) -> HttpResponse {
    let query = p.req.query_string();
    if query.len() > MAX_QUERY_BYTES {
        return refused(&p, "The sign-in request is too long.");
    }
    let request = request_of(query);
    let verified = match authorization_code::check(&p.ctx, request).await {
        Ok(v) => v,
        Err(Refusal::Page(text)) => return refused(&p, &text),
        Err(Refusal::Redirect {
            redirect_uri,
            error,
            description,
            state,
        }) => {
            let pairs = [
                ("error", Some(error)),
                ("error_description", Some(description)),
                ("state", state.as_deref()),
            ];
            return match with_query(&redirect_uri, &pairs) {
                Some(target) => redirect_to(&target),
                None => refused(&p, "The redirect URI cannot be used."),
            };
        }
    };
    let Some(visitor) = p.visitor.as_ref() else {
        return p.to_login();
    };
    if visitor.session.tenant != verified.client.tenant {
        return p.message(
            StatusCode::FORBIDDEN,
            "Signed in to another tenant",
            "This application belongs to another tenant than the one you are signed in to. Log out, then sign in to the application's tenant and try again.",
        );
    }
    finish(&p, &verified, &visitor.session).await
}

async fn finish(
    p: &Portal,
    verified: &Verified,
    session: &crate::domain::session::Session,
) -> HttpResponse {
    let code = match authorization_code::issue(&p.ctx, verified, session).await {
        Ok(code) => code,
        Err(e) => return p.finish(Err(e.into())),
    };
    let pairs = [
        ("code", Some(code.as_str())),
        ("state", verified.state.as_deref()),
    ];
    match with_query(&verified.redirect_uri, &pairs) {
        Some(target) => send_back(p, &target, &verified.client.name),
        None => refused(p, "The redirect URI cannot be used."),
    }
}
