//! `GET /communities/{id}`: the community details page, on the tab the
//! query names (Tenants unless it names one this viewer may see).

use super::{invitations, roles, tenants, usage};
use crate::app::communities;
use crate::domain::ids::CommunityId;
use crate::domain::permission::Operation;
use crate::web::pages::render::{PageResult, Portal};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct TabQuery {
    pub tab: Option<String>,
    /// The Invitations tab's filter: one of its `FILTERS`' keys; anything
    /// else shows every state.
    pub state: Option<String>,
    /// The Invitations tab's page: how many rows come before it.
    pub skip: Option<usize>,
}

pub async fn show(
    p: Portal,
    path: web::Path<CommunityId>,
    q: web::Query<TabQuery>,
) -> HttpResponse {
    let result = show_inner(&p, path.into_inner(), q.into_inner()).await;
    p.finish(result)
}

async fn show_inner(p: &Portal, id: CommunityId, q: TabQuery) -> PageResult {
    let v = p.visitor()?;
    let view = communities::get(&p.ctx, v.caller(), None, id).await?;
    let me = v.session.tenant;
    match q.tab.as_deref() {
        Some("invitations") if Operation::ViewInvitations.allows(view.viewer_roles) => {
            let skip = q.skip.unwrap_or(0);
            invitations::show(p, &view, me, q.state.as_deref(), skip).await
        }
        Some("roles") => roles::show(p, &view, me).await,
        Some("usage") if Operation::ViewUsage.allows(view.viewer_roles) => {
            usage::show(p, &view, me).await
        }
        _ => tenants::show(p, &view, me).await,
    }
}
