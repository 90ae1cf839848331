//! `.../Types`: get-or-create, get, list, delete.

use super::request::Namespace;
use super::request::Query;
use super::wire;
use crate::app::sds::types::{self, Created};
use crate::app::AppError;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::TypePath;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// Under each of the mounts it answers at (see `super::operations`).
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_list, _, _>(mount, list);
    table.add::<__path_get, _, _>(mount, get);
    table.add::<__path_create, _, _>(mount, create);
    table.add::<__path_delete, _, _>(mount, delete);
}

/// Create an SDS type (200 when the same one exists)
#[utoipa::path(post, path = "/Types/{typeId}", params(TypePath), request_body = serde_json::Value,
    responses((status = 200, description = "It existed already", body = serde_json::Value), (status = 201, description = "Created", body = serde_json::Value)))]
async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = types::get_or_create(&ctx, ns.target(&caller)?, path.type_id, body.0).await?;
    Ok(match found {
        Created::New(t) => HttpResponse::Created().json(wire::sds_type(&t)),
        Created::Existing(t) => HttpResponse::Ok().json(wire::sds_type(&t)),
    })
}

/// An SDS type
#[utoipa::path(get, path = "/Types/{typeId}", params(TypePath),
    responses((status = 200, description = "The type", body = serde_json::Value)))]
async fn get(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let t = types::get(&ctx, ns.target(&caller)?, path.type_id).await?;
    Ok(HttpResponse::Ok().json(wire::sds_type(&t)))
}

/// SDS types
#[utoipa::path(get, path = "/Types",
    responses((status = 200, description = "The types", body = serde_json::Value)))]
async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let page = Query::of(&req).page()?;
    let found = types::list(&ctx, ns.target(&caller)?, page).await?;
    Ok(HttpResponse::Ok().json(found.iter().map(wire::sds_type).collect::<Vec<_>>()))
}

/// Delete an SDS type
#[utoipa::path(delete, path = "/Types/{typeId}", params(TypePath),
    responses((status = 204, description = "Deleted")))]
async fn delete(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: TypePath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    types::delete(&ctx, ns.target(&caller)?, path.type_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
