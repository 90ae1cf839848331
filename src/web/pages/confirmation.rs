//! The second step every state change in the portal goes through: a page
//! that asks, and the form field that says the answer was yes.

use super::render::Portal;
use actix_web::HttpResponse;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf: String,
    pub confirm: Option<String>,
}

impl ActionForm {
    pub fn confirmed(&self) -> bool {
        self.confirm.as_deref() == Some("yes")
    }
}

/// What a confirmation step asks, and how its button looks.
pub struct Question<'a> {
    pub title: &'a str,
    pub question: &'a str,
    /// Where the confirmed form posts.
    pub action: &'a str,
    pub button: &'a str,
    pub cancel: &'a str,
    /// Takes something away: the button gets the danger style.
    pub danger: bool,
}

/// The page that asks before anything changes.
pub fn confirm_page(p: &Portal, q: Question) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", q.title);
    page.insert("question", q.question);
    page.insert("action", q.action);
    page.insert("button", q.button);
    page.insert("cancel", q.cancel);
    page.insert("danger", &q.danger);
    p.render("confirm", page)
}
