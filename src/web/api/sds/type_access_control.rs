//! `.../Types/{id}/AccessControl` (GET, PUT, PATCH with JSON Patch),
//! `.../Owner` and `.../AccessRights`: as for streams, with AVEVA's
//! `Types` securable calls.

use super::request::Namespace;
use crate::app::sds::access_control::AclChange;
use crate::app::sds::type_access;
use crate::app::AppError;
use crate::domain::sds::acl::right_names;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::TypePath;
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

/// The type's ACL
#[utoipa::path(get, path = "/Types/{typeId}/AccessControl", params(TypePath),
    responses((status = 200, description = "The ACL", body = serde_json::Value)))]
async fn get(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let acl = type_access::get_acl(&ctx, ns.target(&caller)?, path.type_id).await?;
    Ok(HttpResponse::Ok().json(acl.to_json()))
}

async fn change(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
    how: AclChange,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    type_access::change_acl(&ctx, ns.target(&caller)?, path.type_id, how).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the type's ACL
#[utoipa::path(put, path = "/Types/{typeId}/AccessControl", params(TypePath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn put(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change(req, caller, ns, path, AclChange::Replace(body.0)).await
}

/// Change the type's ACL (JSON Patch)
#[utoipa::path(patch, path = "/Types/{typeId}/AccessControl", params(TypePath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn patch(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change(req, caller, ns, path, AclChange::Patch(body.0)).await
}

/// The type's owner
#[utoipa::path(get, path = "/Types/{typeId}/Owner", params(TypePath),
    responses((status = 200, description = "The owner", body = serde_json::Value)))]
async fn owner(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = type_access::owner(&ctx, ns.target(&caller)?, path.type_id).await?;
    Ok(match found {
        Some(t) => HttpResponse::Ok().json(t.to_json()),
        None => HttpResponse::Ok().finish(),
    })
}

/// Set the type's owner
#[utoipa::path(put, path = "/Types/{typeId}/Owner", params(TypePath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn set_owner(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    type_access::set_owner(&ctx, ns.target(&caller)?, path.type_id, body.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's rights on the type
#[utoipa::path(get, path = "/Types/{typeId}/AccessRights", params(TypePath),
    responses((status = 200, description = "The rights", body = serde_json::Value)))]
async fn rights(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let held = type_access::access_rights(&ctx, ns.target(&caller)?, path.type_id).await?;
    Ok(HttpResponse::Ok().json(right_names(held)))
}
