//! The Tenants tab's contact form: a member tenant's point of contact for
//! the community, shown to every member, set by those who may set the
//! tenant's own settings there (as the API's `ContactEmail`). A bad
//! address brings the tab back with the address as sent and the reason.

use super::tenants::{self, ContactRefused};
use crate::app::communities;
use crate::app::community_tenants::{self, MemberChange};
use crate::app::AppError;
use crate::domain::ids::CommunityId;
use crate::web::pages::render::{self, PageResult, Portal};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ContactInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    contact_email: String,
}

pub async fn save(
    p: Portal,
    path: web::Path<CommunityId>,
    form: web::Form<ContactInput>,
) -> HttpResponse {
    let result = save_inner(&p, path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

/// An empty address clears the contact.
async fn save_inner(p: &Portal, community: CommunityId, form: ContactInput) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let me = v.session.tenant;
    let change = MemberChange {
        status: None,
        community_alias: None,
        contact_email: Some(form.contact_email.clone()),
        preferred_region_id: None,
    };
    match community_tenants::update(&p.ctx, v.caller(), None, community, me, change).await {
        Ok(_) => Ok(p.done("contact_saved", &format!("/communities/{community}"))),
        Err(AppError::Invalid { reason, .. }) => {
            let view = communities::get(&p.ctx, v.caller(), None, community).await?;
            let refused = ContactRefused {
                sent: form.contact_email,
                reason: render::sentence(&reason),
            };
            let mut page = tenants::tab(p, &view, me, Some(refused)).await?;
            Ok(p.render_status(StatusCode::BAD_REQUEST, "community", &mut page))
        }
        Err(e) => Err(e.into()),
    }
}
