//! The community's name and description, edited by the owner's Community
//! Administrator through the same use case as the API's PUT.

use super::frame::community_page;
use crate::app::communities::{self, CommunityChange};
use crate::app::AppError;
use crate::domain::ids::CommunityId;
use crate::web::pages::render::{self, PageResult, Portal};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

pub async fn show(p: Portal, path: web::Path<CommunityId>) -> HttpResponse {
    let result = show_inner(&p, path.into_inner()).await;
    p.finish(result)
}

async fn show_inner(p: &Portal, id: CommunityId) -> PageResult {
    let v = p.visitor()?;
    let view = communities::get(&p.ctx, v.caller(), None, id).await?;
    let page = community_page(&view, v.session.tenant, "edit");
    Ok(p.render("community_edit", page))
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn save(
    p: Portal,
    path: web::Path<CommunityId>,
    form: web::Form<EditForm>,
) -> HttpResponse {
    let result = save_inner(&p, path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn save_inner(p: &Portal, id: CommunityId, form: EditForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let change = CommunityChange {
        name: Some(form.name.clone()),
        description: Some(form.description.trim().to_string()),
        ..CommunityChange::default()
    };
    match communities::update(&p.ctx, v.caller(), None, id, change).await {
        Ok(_) => Ok(p.done("community_saved", &format!("/communities/{id}"))),
        // Bad input or a name already taken: the form again, with what was
        // typed and the reason.
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let text = match e {
                AppError::Invalid { field, reason } => format!("{field} {reason}."),
                other => render::sentence(&other.to_string()),
            };
            let view = communities::get(&p.ctx, v.caller(), None, id).await?;
            let mut page = community_page(&view, v.session.tenant, "edit");
            page.insert("name", &form.name);
            page.insert("description", &form.description);
            page.insert("error", &text);
            Ok(p.render_status(StatusCode::BAD_REQUEST, "community_edit", &mut page))
        }
        Err(e) => Err(e.into()),
    }
}
