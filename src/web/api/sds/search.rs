//! Community stream search: `GET /api/v1-preview/Search/Communities/{c}/Streams`
//! (ADH, as AVEVA's client calls it) and the OCS-2021
//! `/api/v1-preview/tenants/{t}/search/communities/{c}/streams`. Each hit's
//! `Self` is the absolute community-scoped route to read it. Paging and
//! order are `search_paging`'s; a search that could not reach every
//! sharing tenant answers 207 with AVEVA's `PartialFailureResult`.

use super::read_params::{SearchPagingParams, SearchParams, TenantFilterParams};
use super::request::encode_segment;
use super::search_paging::{self, Paging as SearchPaging};
use crate::app::sds::community_search::{self, SearchAnswer, Unsearched};
use crate::app::sds::community_streams::SharedStream;
use crate::app::AppError;
use crate::web::extract::{context, ApiCaller, Paging};
use crate::web::path::{CommunityPath, TenantScope};
use crate::web::route_table::{Mount, RouteTable};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Value};

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
#[utoipa::path(get, path = "/Search/Communities/{communityId}/Streams",
    params(CommunityPath, Paging, SearchParams, TenantFilterParams, SearchPagingParams),
    responses(
        (status = 200, description = "The shared streams", body = serde_json::Value),
        (status = 207, description = "The streams found, and the tenants that could not be searched (PartialFailureResult)", body = serde_json::Value)))]
async fn search(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let paging = SearchPaging::of(&req)?;
    let request = paging.request.clone();
    let answer = community_search::search(&ctx, caller.0, scope.0, path.community, request).await?;
    let data: Vec<Value> = answer
        .hits
        .iter()
        .map(|h| hit_json(&ctx.public_url, h))
        .collect();
    let status = if answer.unsearched.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    let mut out = HttpResponse::build(status);
    if let Some(link) = search_paging::link_header(&ctx.public_url, &req, &paging, &answer) {
        out.insert_header(("Link", link));
    }
    if answer.unsearched.is_empty() {
        return Ok(out.json(data));
    }
    Ok(out.json(partial_failure(
        &answer,
        data,
        ctx.settings.search_share_budget,
    )))
}

fn hit_json(public_url: &str, h: &SharedStream) -> Value {
    json!({
        "Id": h.stream.id,
        "Name": h.stream.name,
        "TypeId": h.stream.type_id,
        "Description": h.stream.description,
        "Self": self_link(public_url, h),
        "TenantId": h.tenant,
        "TenantName": h.tenant_name,
        "NamespaceId": h.stream.namespace,
        "CommunityId": h.community,
        "PropertyOverrides": [],
    })
}

/// AVEVA's `PartialFailureResult`: the hits, and one child error per
/// tenant (or namespace) that could not be searched.
fn partial_failure(answer: &SearchAnswer, data: Vec<Value>, budget: usize) -> Value {
    let operation = crate::web::operation::current();
    let children: Vec<Value> = answer
        .unsearched
        .iter()
        .map(|u| match u {
            Unsearched::Budget { tenant } => json!({
                "OperationId": operation,
                "TenantId": tenant,
                "NamespaceId": null,
                "Error": "The search stopped before it examined all of this tenant's shared streams.",
                "Reason": format!("One search examines at most {budget} shares."),
                "Resolution": "Search this tenant alone with searchTenantId, or narrow the community's shares.",
                "StatusCode": 408,
            }),
            Unsearched::Unreadable { tenant, namespace } => json!({
                "OperationId": operation,
                "TenantId": tenant,
                "NamespaceId": namespace,
                "Error": "A stream this tenant shares could not be read.",
                "Reason": "Its stored record could not be decoded.",
                "Resolution": format!("Try again; if it persists, report OperationId {operation}."),
                "StatusCode": 500,
            }),
        })
        .collect();
    json!({
        "OperationId": operation,
        "Error": "Some tenants' shared streams could not be searched.",
        "ReasonPhrase": "Multi-Status",
        "ChildErrors": children,
        "Data": data,
    })
}
