//! Community stream search: `GET /api/v1-preview/Search/Communities/{c}/Streams`
//! (ADH, as AVEVA's client calls it) and the OCS-2021
//! `/api/v1-preview/tenants/{t}/search/communities/{c}/streams`. Each hit's
//! `Self` is the absolute community-scoped route to read it.

use super::read_params::{SearchParams, TenantFilterParams};
use super::request::{encode_segment, Query};
use crate::app::sds::community_streams::{self, SharedStream};
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::web::extract::{context, ApiCaller, Paging};
use crate::web::path::{CommunityPath, TenantScope};
use crate::web::route_table::{Mount, RouteTable};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Value};
use uuid::Uuid;

pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_search, _, _>(mount, search);
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

/// Streams shared into a community
#[utoipa::path(get, path = "/Search/Communities/{communityId}/Streams", params(CommunityPath, Paging, SearchParams, TenantFilterParams),
    responses((status = 200, description = "The shared streams", body = serde_json::Value)))]
async fn search(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path.community;
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
    let search = query.search()?;
    let hits =
        community_streams::search(&ctx, caller.0, scope.0, community, search, page, only).await?;
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
