//! `.../Types`: get-or-create, get, list, delete.

use super::request::{segment, target, Query};
use crate::app::sds::types::{self, Created};
use crate::app::AppError;
use crate::web::extract::{context, ApiCaller, ApiJson};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

pub fn routes(cfg: &mut web::ServiceConfig, base: &str) {
    cfg.service(web::resource(format!("{base}/types")).route(web::get().to(list)))
        .service(
            web::resource(format!("{base}/types/{{typeId}}"))
                .route(web::get().to(get))
                .route(web::post().to(create))
                .route(web::delete().to(delete)),
        );
}

async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = types::get_or_create(
        &ctx,
        target(&req, &caller)?,
        segment(&req, "typeId"),
        body.0,
    )
    .await?;
    Ok(match found {
        Created::New(t) => HttpResponse::Created().json(t.to_json()),
        Created::Existing(t) => HttpResponse::Ok().json(t.to_json()),
    })
}

async fn get(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let t = types::get(&ctx, target(&req, &caller)?, segment(&req, "typeId")).await?;
    Ok(HttpResponse::Ok().json(t.to_json()))
}

async fn list(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let page = Query::of(&req).page()?;
    let found = types::list(&ctx, target(&req, &caller)?, page).await?;
    Ok(HttpResponse::Ok().json(found.iter().map(|t| t.to_json()).collect::<Vec<_>>()))
}

async fn delete(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    types::delete(&ctx, target(&req, &caller)?, segment(&req, "typeId")).await?;
    Ok(HttpResponse::NoContent().finish())
}
