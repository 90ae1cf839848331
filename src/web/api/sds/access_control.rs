//! `.../Streams/{id}/AccessControl` (GET, PUT, PATCH with JSON Patch),
//! `.../Owner` and `.../AccessRights`.

use super::request::Namespace;
use crate::app::sds::access_control::{self, AclChange};
use crate::app::AppError;
use crate::domain::sds::acl::right_names;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::StreamPath;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// Under each of the mounts it answers at (see `super::operations`).
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_get, _, _>(mount, get);
    table.add::<__path_put, _, _>(mount, put);
    table.add::<__path_patch, _, _>(mount, patch);
    table.add::<__path_owner, _, _>(mount, owner);
    table.add::<__path_set_owner, _, _>(mount, set_owner);
    table.add::<__path_rights, _, _>(mount, rights);
}

/// The stream's ACL
#[utoipa::path(get, path = "/Streams/{streamId}/AccessControl", params(StreamPath),
    responses((status = 200, description = "The ACL", body = serde_json::Value)))]
async fn get(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let acl = access_control::get(&ctx, ns.target(&caller)?, path.stream).await?;
    Ok(HttpResponse::Ok().json(acl.to_json()))
}

async fn change(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    how: AclChange,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    access_control::change(&ctx, ns.target(&caller)?, path.stream, how).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the stream's ACL
#[utoipa::path(put, path = "/Streams/{streamId}/AccessControl", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn put(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change(req, caller, ns, path, AclChange::Replace(body.0)).await
}

/// Change the stream's ACL (JSON Patch)
#[utoipa::path(patch, path = "/Streams/{streamId}/AccessControl", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn patch(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change(req, caller, ns, path, AclChange::Patch(body.0)).await
}

/// The stream's owner
#[utoipa::path(get, path = "/Streams/{streamId}/Owner", params(StreamPath),
    responses((status = 200, description = "The owner", body = serde_json::Value)))]
async fn owner(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = access_control::owner(&ctx, ns.target(&caller)?, path.stream).await?;
    Ok(match found {
        Some(t) => HttpResponse::Ok().json(t.to_json()),
        None => HttpResponse::Ok().finish(),
    })
}

/// Set the stream's owner
#[utoipa::path(put, path = "/Streams/{streamId}/Owner", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn set_owner(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    access_control::set_owner(&ctx, ns.target(&caller)?, path.stream, body.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's rights on the stream
#[utoipa::path(get, path = "/Streams/{streamId}/AccessRights", params(StreamPath),
    responses((status = 200, description = "The rights", body = serde_json::Value)))]
async fn rights(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let held = access_control::access_rights(&ctx, ns.target(&caller)?, path.stream).await?;
    Ok(HttpResponse::Ok().json(right_names(held)))
}
