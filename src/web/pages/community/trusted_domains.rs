//! The edit page's Trusted partners form: the domains the community
//! invites and whether their joiners are confirmed automatically, saved by
//! the owner's Community Administrator through the same use case as the
//! API's `AllowedDomains` and `AutoConfirmAllowedDomains`. A list with an
//! entry that is not a domain brings the page back with what was typed.

use super::frame::community_page;
use crate::app::communities::{self, CommunityChange};
use crate::app::AppError;
use crate::domain::ids::CommunityId;
use crate::web::pages::render::{self, PageResult, Portal};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct TrustedForm {
    #[serde(default)]
    csrf: String,
    /// Domains separated by lines, commas or spaces.
    #[serde(default)]
    allowed_domains: String,
    /// Present (any value) when the box is ticked.
    auto_confirm: Option<String>,
}

impl TrustedForm {
    fn domains(&self) -> Vec<String> {
        self.allowed_domains
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect()
    }
}

pub async fn save(
    p: Portal,
    path: web::Path<CommunityId>,
    form: web::Form<TrustedForm>,
) -> HttpResponse {
    let result = save_inner(&p, path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn save_inner(p: &Portal, id: CommunityId, form: TrustedForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let change = CommunityChange {
        allowed_domains: Some(form.domains()),
        auto_confirm_allowed_domains: Some(form.auto_confirm.is_some()),
        ..CommunityChange::default()
    };
    match communities::update(&p.ctx, v.caller(), None, id, change).await {
        Ok(_) => Ok(p.done("trusted_domains_saved", &format!("/communities/{id}"))),
        Err(AppError::Invalid { field, reason }) => {
            let view = communities::get(&p.ctx, v.caller(), None, id).await?;
            let mut page = community_page(&view, v.session.tenant, "edit");
            page.insert("trusted_typed", &form.allowed_domains);
            page.insert("trusted_auto_typed", &form.auto_confirm.is_some());
            let text = render::sentence(&format!("{field} {reason}"));
            page.insert("trusted_error", &text);
            Ok(p.render_status(StatusCode::BAD_REQUEST, "community_edit", &mut page))
        }
        Err(e) => Err(e.into()),
    }
}
