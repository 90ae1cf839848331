//! Rendering pages with Tera, and the headers every portal response carries.

use super::session::{self, Visitor, FLASH_COOKIE};
use crate::app::{AppError, Context};
use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use futures_util::future::LocalBoxFuture;
use tera::Tera;

/// Everything a page handler needs: the request, the use-case context, the
/// templates, and the visitor if signed in.
pub struct Portal {
    pub req: HttpRequest,
    pub ctx: web::Data<Context>,
    pub tera: web::Data<Tera>,
    pub visitor: Option<Visitor>,
}

impl FromRequest for Portal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let ctx = crate::web::extract::context(&req)?;
            let tera = req
                .app_data::<web::Data<Tera>>()
                .cloned()
                .ok_or_else(|| AppError::Unexpected("templates missing".into()))?;
            let visitor = session::visitor(&ctx, &req).await?;
            Ok(Portal {
                req,
                ctx,
                tera,
                visitor,
            })
        })
    }
}

/// Why a page did not render normally: a use-case error to explain, or a
/// ready response (a redirect to login, a CSRF refusal).
pub enum Failure {
    App(AppError),
    /// Boxed: a response is large and most results are `Ok`.
    Respond(Box<HttpResponse>),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::App(e)
    }
}

pub type PageResult = Result<HttpResponse, Failure>;

/// Link pages must not leak their URL (it may carry a token) to other
/// sites, must not be framed, and must not be cached.
pub fn respond(status: StatusCode) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    b
}

/// 303 so a POST is followed by a GET.
pub fn redirect(to: &str) -> HttpResponse {
    let mut b = respond(StatusCode::SEE_OTHER);
    if let Ok(v) = HeaderValue::from_str(to) {
        b.insert_header((header::LOCATION, v));
    }
    b.finish()
}

pub fn readable_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %Y %H:%M UTC").to_string()
}

pub fn readable_date(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

impl Portal {
    pub fn visitor(&self) -> Result<&Visitor, Failure> {
        self.visitor
            .as_ref()
            .ok_or_else(|| Failure::Respond(Box::new(self.to_login())))
    }

    /// Back to login, returning here afterwards (only for GET pages: a
    /// POST's path is not a page to return to).
    pub fn to_login(&self) -> HttpResponse {
        let here = if self.req.method() == actix_web::http::Method::GET {
            self.req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
        } else {
            "/communities"
        };
        let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
        redirect(&format!("/login?next={next}"))
    }

    /// The signed-in visitor whose form carried the session's CSRF token.
    pub fn checked(&self, csrf: &str) -> Result<&Visitor, Failure> {
        let v = self.visitor()?;
        if v.csrf_ok(csrf) {
            Ok(v)
        } else {
            Err(Failure::Respond(Box::new(self.message(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was not sent from this page or your session changed. Go back, reload the page and try again.",
            ))))
        }
    }

    pub fn render(&self, name: &str, mut page: tera::Context) -> HttpResponse {
        self.render_status(StatusCode::OK, name, &mut page)
    }

    pub fn render_status(
        &self,
        status: StatusCode,
        name: &str,
        page: &mut tera::Context,
    ) -> HttpResponse {
        if let Some(v) = &self.visitor {
            page.insert("me_email", &v.who.email);
            page.insert("me_tenant", &v.who.tenant_name);
            page.insert(
                "me_manages_clients",
                &crate::domain::permission::Operation::ManageClients.allows(v.who.tenant_roles),
            );
            page.insert("csrf", &v.session.csrf);
        }
        let flash = self
            .req
            .cookie(FLASH_COOKIE)
            .and_then(|c| session::flash_text(c.value()));
        if let Some(text) = flash {
            page.insert("flash", text);
        }
        match self.tera.render(&format!("pages/{name}.html"), page) {
            Ok(html) => {
                let mut b = respond(status);
                if flash.is_some() {
                    b.cookie(session::expired_cookie(&self.ctx, FLASH_COOKIE));
                }
                b.content_type("text/html; charset=utf-8").body(html)
            }
            Err(e) => {
                tracing::error!(template = name, error = ?e, "page template failed");
                respond(StatusCode::INTERNAL_SERVER_ERROR)
                    .content_type("text/plain; charset=utf-8")
                    .body("The page could not be shown.")
            }
        }
    }

    /// A page with a heading and one paragraph.
    pub fn message(&self, status: StatusCode, title: &str, text: &str) -> HttpResponse {
        let mut page = tera::Context::new();
        page.insert("title", title);
        page.insert("text", text);
        self.render_status(status, "message", &mut page)
    }

    /// After an action: a flash for the next page, then a redirect.
    pub fn done(&self, flash: &'static str, to: &str) -> HttpResponse {
        let mut r = redirect(to);
        let _ = r.add_cookie(&session::flash_cookie(&self.ctx, flash));
        r
    }

    pub fn finish(&self, result: PageResult) -> HttpResponse {
        match result {
            Ok(r) => r,
            Err(Failure::Respond(r)) => *r,
            Err(Failure::App(e)) => self.explain(e),
        }
    }

    /// A use case refused: say why, with the status the API would use.
    fn explain(&self, e: AppError) -> HttpResponse {
        let (status, title) = match &e {
            AppError::Unauthorized(_) => return self.to_login(),
            AppError::Invalid { .. } => (StatusCode::BAD_REQUEST, "That did not work"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "Not allowed"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "That cannot be done now"),
            AppError::TooMany { .. } => (StatusCode::TOO_MANY_REQUESTS, "Too many requests"),
            AppError::Unexpected(_) | AppError::Store(_) => {
                tracing::error!(error = %e.detail(), "page failed");
                return self.message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The server could not complete the request. Try again in a moment.",
                );
            }
        };
        let reason = match &e {
            AppError::Invalid { reason, .. } => reason.clone(),
            other => other.to_string(),
        };
        let text = sentence(&reason);
        self.message(status, title, &text)
    }
}

/// A use case's reason as a sentence for people: state names in the
/// portal's words, no raw ids, a capital letter (unless it starts with an
/// address or name, which keep their own spelling) and a full stop.
pub fn sentence(reason: &str) -> String {
    use crate::domain::invitation::InvitationState as S;
    use crate::domain::membership::CommunityTenantStatus as T;
    let mut text = reason.to_string();
    for s in [
        S::InvitationCreated,
        S::InvitationAccepted,
        S::InvitationDeclined,
        S::InvitationExpired,
        S::InvitationCompleted,
    ] {
        text = text.replace(s.name(), s.label());
    }
    text = text.replace(
        T::AwaitingConfirmation.name(),
        T::AwaitingConfirmation.label(),
    );
    let mut text = without_ids(&text);
    let first_word = text.split_whitespace().next().unwrap_or_default();
    if first_word.chars().all(|c| c.is_ascii_lowercase()) {
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + &text[1..];
        }
    }
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

fn is_id(word: &str) -> bool {
    let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
    bare.len() == 36 && uuid::Uuid::try_parse(bare).is_ok()
}

/// Drops raw ids: "(0193…, state X)" goes entirely, "invitation 0193…"
/// becomes "the invitation".
fn without_ids(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut skipping_group = false;
    for word in text.split(' ') {
        if skipping_group {
            skipping_group = !word.contains(')');
            continue;
        }
        if word.starts_with('(') && is_id(word) {
            skipping_group = !word.contains(')');
            continue;
        }
        if is_id(word) {
            let tail: String = word
                .chars()
                .rev()
                .take_while(|c| !c.is_ascii_alphanumeric())
                .collect();
            if let Some(last) = out.last_mut() {
                if matches!(
                    last.as_str(),
                    "invitation" | "community" | "tenant" | "user" | "client"
                ) {
                    *last = format!("the {last}");
                }
                last.push_str(&tail.chars().rev().collect::<String>());
            }
            continue;
        }
        out.push(word.to_string());
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn reasons_speak_the_portals_words() {
        assert_eq!(
            sentence("admin@fabrikam.example already has an open invitation to this community (0193a1b2-0000-7000-8000-000000000001, state InvitationCreated)"),
            "admin@fabrikam.example already has an open invitation to this community."
        );
        assert_eq!(
            sentence("the invitation is InvitationAccepted; it cannot be declined"),
            "The invitation is Invitation Accepted; it cannot be declined."
        );
        assert_eq!(
            sentence("invitation 0193a1b2-0000-7000-8000-000000000001 does not exist"),
            "The invitation does not exist."
        );
        assert_eq!(
            sentence("community 0193a1b2-0000-7000-8000-000000000001 does not exist or your tenant is not a member of it"),
            "The community does not exist or your tenant is not a member of it."
        );
    }
}
