//! `.../Streams`: create, update, get, list, delete, the stream's type,
//! tags and metadata.

use super::read_params::SearchParams;
use super::request::Namespace;
use super::request::Query;
use super::wire;
use crate::app::sds::streams::{self, Annotation, Created};
use crate::app::AppError;
use crate::web::extract::{context, ApiCaller, ApiJson, Paging};
use crate::web::path::{MetadataKeyPath, StreamPath};
use crate::web::route_table::{Mount, RouteTable};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// Under each of the mounts it answers at (see `super::operations`).
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_list, _, _>(mount, list);
    table.add::<__path_get, _, _>(mount, get);
    table.add::<__path_create, _, _>(mount, create);
    table.add::<__path_update, _, _>(mount, update);
    table.add::<__path_delete, _, _>(mount, delete);
    table.add::<__path_get_type, _, _>(mount, get_type);
    table.add::<__path_tags, _, _>(mount, tags);
    table.add::<__path_set_tags, _, _>(mount, set_tags);
    table.add::<__path_metadata, _, _>(mount, metadata);
    table.add::<__path_set_metadata, _, _>(mount, set_metadata);
    table.add::<__path_patch_metadata, _, _>(mount, patch_metadata);
    table.add::<__path_metadatum, _, _>(mount, metadatum);
}

/// Create a stream (200 when the same one exists)
#[utoipa::path(post, path = "/Streams/{streamId}", params(StreamPath), request_body = serde_json::Value,
    responses((status = 200, description = "It existed already", body = serde_json::Value), (status = 201, description = "Created", body = serde_json::Value)))]
async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = streams::get_or_create(&ctx, ns.target(&caller)?, path.stream, body.0).await?;
    Ok(match found {
        Created::New(s) => HttpResponse::Created().json(wire::stream(&s)),
        Created::Existing(s) => HttpResponse::Ok().json(wire::stream(&s)),
    })
}

/// Create or update a stream
#[utoipa::path(put, path = "/Streams/{streamId}", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    streams::create_or_update(&ctx, ns.target(&caller)?, path.stream, body.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A stream
#[utoipa::path(get, path = "/Streams/{streamId}", params(StreamPath),
    responses((status = 200, description = "The stream", body = serde_json::Value)))]
async fn get(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let s = streams::get(&ctx, ns.target(&caller)?, path.stream).await?;
    Ok(HttpResponse::Ok().json(wire::stream(&s)))
}

/// The stream's type
#[utoipa::path(get, path = "/Streams/{streamId}/Type", params(StreamPath),
    responses((status = 200, description = "The type", body = serde_json::Value)))]
async fn get_type(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let t = streams::get_type(&ctx, ns.target(&caller)?, path.stream).await?;
    Ok(HttpResponse::Ok().json(wire::sds_type(&t)))
}

/// Streams
#[utoipa::path(get, path = "/Streams", params(Paging, SearchParams),
    responses((status = 200, description = "The streams", body = serde_json::Value)))]
async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let query = Query::of(&req);
    let page = query.page()?;
    let search = query.search()?;
    let found = streams::list(&ctx, ns.target(&caller)?, search, page).await?;
    Ok(HttpResponse::Ok().json(found.iter().map(wire::stream).collect::<Vec<_>>()))
}

/// Delete a stream
#[utoipa::path(delete, path = "/Streams/{streamId}", params(StreamPath),
    responses((status = 204, description = "Deleted")))]
async fn delete(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    streams::delete(&ctx, ns.target(&caller)?, path.stream).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The stream's tags
#[utoipa::path(get, path = "/Streams/{streamId}/Tags", params(StreamPath),
    responses((status = 200, description = "The tags", body = serde_json::Value)))]
async fn tags(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let s = streams::get(&ctx, ns.target(&caller)?, path.stream).await?;
    Ok(HttpResponse::Ok().json(s.tags))
}

/// The stream's metadata
#[utoipa::path(get, path = "/Streams/{streamId}/Metadata", params(StreamPath),
    responses((status = 200, description = "The metadata", body = serde_json::Value)))]
async fn metadata(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let s = streams::get(&ctx, ns.target(&caller)?, path.stream).await?;
    Ok(HttpResponse::Ok().json(s.metadata_json()))
}

/// One metadata value
#[utoipa::path(get, path = "/Streams/{streamId}/Metadata/{key}", params(MetadataKeyPath),
    responses((status = 200, description = "The value", body = serde_json::Value)))]
async fn metadatum(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: MetadataKeyPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let key = path.key;
    let s = streams::get(&ctx, ns.target(&caller)?, path.stream).await?;
    let value = s
        .metadata
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        .map(|(_, v)| Value::String(v.clone()))
        .ok_or_else(|| {
            AppError::not_found(format!("stream '{}' has no metadata key '{key}'", s.id))
        })?;
    Ok(HttpResponse::Ok().json(value))
}

async fn annotate(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    change: Annotation,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    streams::annotate(&ctx, ns.target(&caller)?, path.stream, change).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the stream's tags
#[utoipa::path(put, path = "/Streams/{streamId}/Tags", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn set_tags(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let change = Annotation::Tags(body.0);
    annotate(req, caller, ns, path, change).await
}

/// Replace the stream's metadata
#[utoipa::path(put, path = "/Streams/{streamId}/Metadata", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn set_metadata(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let change = Annotation::Metadata(body.0);
    annotate(req, caller, ns, path, change).await
}

/// Change the stream's metadata
#[utoipa::path(patch, path = "/Streams/{streamId}/Metadata", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn patch_metadata(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let change = Annotation::MetadataPatch(body.0);
    annotate(req, caller, ns, path, change).await
}
