//! `.../AccessControl/Streams` (GET, PUT): the access control list a
//! namespace gives its new streams, as SDS's collection list. PUT with
//! `applyToExisting=true` also gives it to the streams that exist, and
//! answers how many changed; without it, 204 as SDS answers.

use super::read_params::ApplyParams;
use super::request::{Namespace, Query};
use crate::app::sds::stream_defaults;
use crate::app::AppError;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::route_table::{Mount, RouteTable};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Value};

/// Under each of the mounts it answers at (see `super::operations`).
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_get, _, _>(mount, get);
    table.add::<__path_put, _, _>(mount, put);
}

/// The list new streams of the namespace get
#[utoipa::path(get, path = "/AccessControl/Streams",
    responses((status = 200, description = "The default ACL", body = serde_json::Value)))]
async fn get(req: HttpRequest, caller: ApiCaller, ns: Namespace) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let acl = stream_defaults::get(&ctx, ns.target(&caller)?).await?;
    Ok(HttpResponse::Ok().json(acl.to_json()))
}

/// Replace the list new streams of the namespace get
#[utoipa::path(put, path = "/AccessControl/Streams", params(ApplyParams), request_body = serde_json::Value,
    responses(
        (status = 204, description = "Stored"),
        (status = 200, description = "Stored and applied to existing streams", body = serde_json::Value)))]
async fn put(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let apply = Query::of(&req).flag("applyToExisting")?;
    let target = ns.target(&caller)?;
    stream_defaults::set(&ctx, target.clone(), body.0).await?;
    if !apply {
        return Ok(HttpResponse::NoContent().finish());
    }
    let applied = stream_defaults::apply_to_existing(&ctx, target).await?;
    Ok(HttpResponse::Ok().json(json!({
        "StreamsChanged": applied.changed,
        "StreamsSkipped": applied.skipped,
    })))
}
