//! `.../Streams`: create, update, get, list, delete, the stream's type,
//! tags and metadata.

use super::request::{segment, target, Query};
use crate::app::sds::streams::{self, Annotation, Created};
use crate::app::AppError;
use crate::web::extract::{context, ApiCaller, ApiJson};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

pub fn routes(cfg: &mut web::ServiceConfig, base: &str) {
    let one = format!("{base}/streams/{{streamId}}");
    cfg.service(web::resource(format!("{base}/streams")).route(web::get().to(list)))
        .service(
            web::resource(one.clone())
                .route(web::get().to(get))
                .route(web::post().to(create))
                .route(web::put().to(update))
                .route(web::delete().to(delete)),
        )
        .service(web::resource(format!("{one}/type")).route(web::get().to(get_type)))
        .service(
            web::resource(format!("{one}/tags"))
                .route(web::get().to(tags))
                .route(web::put().to(set_tags)),
        )
        .service(
            web::resource(format!("{one}/metadata"))
                .route(web::get().to(metadata))
                .route(web::put().to(set_metadata))
                .route(web::patch().to(patch_metadata)),
        )
        .service(web::resource(format!("{one}/metadata/{{key}}")).route(web::get().to(metadatum)));
}

async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = streams::get_or_create(
        &ctx,
        target(&req, &caller)?,
        segment(&req, "streamId"),
        body.0,
    )
    .await?;
    Ok(match found {
        Created::New(s) => HttpResponse::Created().json(s.to_json()),
        Created::Existing(s) => HttpResponse::Ok().json(s.to_json()),
    })
}

async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    streams::create_or_update(
        &ctx,
        target(&req, &caller)?,
        segment(&req, "streamId"),
        body.0,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn get(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let s = streams::get(&ctx, target(&req, &caller)?, segment(&req, "streamId")).await?;
    Ok(HttpResponse::Ok().json(s.to_json()))
}

async fn get_type(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let t = streams::get_type(&ctx, target(&req, &caller)?, segment(&req, "streamId")).await?;
    Ok(HttpResponse::Ok().json(t.to_json()))
}

async fn list(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let query = Query::of(&req);
    let page = query.page()?;
    let text = query.get("query").unwrap_or_default().to_string();
    let found = streams::list(&ctx, target(&req, &caller)?, text, page).await?;
    Ok(HttpResponse::Ok().json(found.iter().map(|s| s.to_json()).collect::<Vec<_>>()))
}

async fn delete(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    streams::delete(&ctx, target(&req, &caller)?, segment(&req, "streamId")).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn tags(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let s = streams::get(&ctx, target(&req, &caller)?, segment(&req, "streamId")).await?;
    Ok(HttpResponse::Ok().json(s.tags))
}

async fn metadata(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let s = streams::get(&ctx, target(&req, &caller)?, segment(&req, "streamId")).await?;
    Ok(HttpResponse::Ok().json(s.metadata_json()))
}

async fn metadatum(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let key = segment(&req, "key");
    let s = streams::get(&ctx, target(&req, &caller)?, segment(&req, "streamId")).await?;
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
    change: Annotation,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    streams::annotate(
        &ctx,
        target(&req, &caller)?,
        segment(&req, "streamId"),
        change,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn set_tags(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let change = Annotation::Tags(body.0);
    annotate(req, caller, change).await
}

async fn set_metadata(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let change = Annotation::Metadata(body.0);
    annotate(req, caller, change).await
}

async fn patch_metadata(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let change = Annotation::MetadataPatch(body.0);
    annotate(req, caller, change).await
}
