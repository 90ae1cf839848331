//! Community stream search: `GET /api/v1-preview/Search/Communities/{c}/Streams`
//! (ADH, as AVEVA's client calls it) and the OCS-2021
//! `/api/v1-preview/tenants/{t}/search/communities/{c}/streams`. Each hit's
//! `Self` is the absolute community-scoped route to read it.

use super::request::{encode_segment, Query};
use crate::app::sds::community_streams::{self, SharedStream};
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::web::api::communities::path_tenant;
use crate::web::extract::{context, path_id, ApiCaller};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    for path in [
        "/api/v1-preview/search/communities/{communityId}/streams",
        "/api/v1-preview/tenants/{tenantId}/search/communities/{communityId}/streams",
    ] {
        cfg.service(web::resource(path).route(web::get().to(search)));
    }
}

/// The link a member reads the stream through, with no extra header.
pub fn self_link(public_url: &str, hit: &SharedStream) -> String {
    format!(
        "{public_url}/api/v1-preview/communities/{}/tenants/{}/namespaces/{}/streams/{}",
        hit.community,
        hit.tenant,
        encode_segment(&hit.stream.namespace),
        encode_segment(&hit.stream.id)
    )
}

async fn search(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path_id(&req, "communityId")?;
    let query = Query::of(&req);
    let page = query.page()?;
    let only = match query
        .get("searchtenantid")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(t) => Some(
            Uuid::try_parse(t)
                .map_err(|_| AppError::invalid("searchTenantId", "must be a GUID"))
                .map(TenantId)?,
        )
        .filter(|t| !t.0.is_nil()),
    };
    let text = query.get("query").unwrap_or_default().to_string();
    let hits = community_streams::search(
        &ctx,
        caller.0,
        path_tenant(&req)?,
        community,
        text,
        page,
        only,
    )
    .await?;
    let body: Vec<Value> = hits
        .iter()
        .map(|h| {
            json!({
                "Id": h.stream.id,
                "Name": h.stream.name,
                "TypeId": h.stream.type_id,
                "Description": h.stream.description,
                "Self": self_link(&ctx.public_url, h),
                "TenantId": h.tenant,
                "TenantName": h.tenant_name,
                "NamespaceId": h.stream.namespace,
                "CommunityId": h.community,
                "PropertyOverrides": [],
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}
