//! `.../Streams/{id}/AccessControl` (GET, PUT, PATCH with JSON Patch),
//! `.../Owner` and `.../AccessRights`.

use super::request::{segment, target};
use crate::app::sds::access_control::{self, AclChange};
use crate::app::AppError;
use crate::domain::sds::acl::right_names;
use crate::web::extract::{context, ApiCaller, ApiJson};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

pub fn routes(cfg: &mut web::ServiceConfig, base: &str) {
    let one = format!("{base}/streams/{{streamId}}");
    cfg.service(
        web::resource(format!("{one}/accesscontrol"))
            .route(web::get().to(get))
            .route(web::put().to(put))
            .route(web::patch().to(patch)),
    )
    .service(
        web::resource(format!("{one}/owner"))
            .route(web::get().to(owner))
            .route(web::put().to(set_owner)),
    )
    .service(web::resource(format!("{one}/accessrights")).route(web::get().to(rights)));
}

async fn get(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let acl = access_control::get(&ctx, target(&req, &caller)?, segment(&req, "streamId")).await?;
    Ok(HttpResponse::Ok().json(acl.to_json()))
}

async fn change(
    req: HttpRequest,
    caller: ApiCaller,
    how: AclChange,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    access_control::change(&ctx, target(&req, &caller)?, segment(&req, "streamId"), how).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn put(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change(req, caller, AclChange::Replace(body.0)).await
}

async fn patch(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    change(req, caller, AclChange::Patch(body.0)).await
}

async fn owner(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found =
        access_control::owner(&ctx, target(&req, &caller)?, segment(&req, "streamId")).await?;
    Ok(match found {
        Some(t) => HttpResponse::Ok().json(t.to_json()),
        None => HttpResponse::Ok().finish(),
    })
}

async fn set_owner(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    access_control::set_owner(
        &ctx,
        target(&req, &caller)?,
        segment(&req, "streamId"),
        body.0,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn rights(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let held =
        access_control::access_rights(&ctx, target(&req, &caller)?, segment(&req, "streamId"))
            .await?;
    Ok(HttpResponse::Ok().json(right_names(held)))
}
