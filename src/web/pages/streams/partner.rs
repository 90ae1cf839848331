//! `GET /communities/{id}/tenants/{tenant}/streams/{namespace}/{stream}`:
//! a stream another tenant shares into the community, read through the
//! community as the API reads it (Community Member, the share visible
//! now), so a stream that is not shared with the visitor is not found.

use super::values::{self, WindowQuery};
use crate::app::communities;
use crate::app::sds::stream_access::Target;
use crate::domain::ids::{CommunityId, TenantId};
use crate::web::api::sds::request::encode_segment;
use crate::web::pages::render::{PageResult, Portal};
use actix_web::{web, HttpResponse};

pub async fn show(
    p: Portal,
    path: web::Path<(CommunityId, TenantId, String, String)>,
    q: web::Query<WindowQuery>,
) -> HttpResponse {
    let (community, tenant, namespace, stream) = path.into_inner();
    let result = show_inner(&p, community, tenant, &namespace, &stream, q.into_inner()).await;
    p.finish(result)
}

/// The address of a shared stream's page in a community.
pub fn page_of(community: CommunityId, tenant: TenantId, namespace: &str, stream: &str) -> String {
    format!(
        "/communities/{community}/tenants/{tenant}/streams/{}/{}",
        encode_segment(namespace),
        encode_segment(stream)
    )
}

async fn show_inner(
    p: &Portal,
    community: CommunityId,
    tenant: TenantId,
    namespace: &str,
    id: &str,
    q: WindowQuery,
) -> PageResult {
    let v = p.visitor()?;
    let target = Target::new(v.caller(), tenant, namespace, Some(community))?;
    let mut page = tera::Context::new();
    let (stream, status) = values::fill(p, &mut page, target, id, &q).await?;
    let view = communities::get(&p.ctx, v.caller(), None, community).await?;
    let sharer = view
        .tenants
        .iter()
        .find(|t| t.id == tenant)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    page.insert("title", &stream.name);
    page.insert("sharer", &sharer);
    page.insert("community_name", view.community.name.as_str());
    page.insert(
        "here",
        &page_of(community, tenant, &stream.namespace, &stream.id),
    );
    page.insert("back", &format!("/communities/{community}"));
    page.insert("back_label", view.community.name.as_str());
    Ok(p.render_status(status, "stream", &mut page))
}
