//! Tenants API (`/api/v1/Tenants/{tenantId}`): get, exists, update, icon, regions.

use super::time;
use crate::app::tenants::{self, TenantChange, TenantView, Unknown};
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::web::extract::{context, path_id, ApiCaller, ApiJson};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/tenants/{tenantId}")
            .route(web::get().to(get_tenant))
            .route(web::head().to(tenant_exists))
            .route(web::put().to(update_tenant)),
    )
    .service(
        web::resource("/api/v1/tenants/{tenantId}/icon")
            .route(web::get().to(get_icon))
            .route(web::put().to(put_icon))
            .route(web::delete().to(delete_icon)),
    )
    .service(web::resource("/api/v1/tenants/{tenantId}/regions").route(web::get().to(regions)));
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TenantBody {
    id: TenantId,
    company_name: String,
    alias: String,
    state: u8,
    created: String,
    last_updated: String,
    features: Vec<serde_json::Value>,
    entitlements: Vec<serde_json::Value>,
    external_account_id: Option<String>,
    tenant_type: &'static str,
}

impl From<TenantView> for TenantBody {
    fn from(v: TenantView) -> Self {
        let tenant_type = v.tenant_type();
        let t = v.tenant;
        Self {
            id: t.id,
            company_name: t.company_name,
            alias: t.alias,
            state: t.state.code(),
            created: time(&t.created),
            last_updated: time(&t.last_updated),
            features: Vec::new(),
            entitlements: Vec::new(),
            external_account_id: v.external_account_id,
            tenant_type,
        }
    }
}

async fn get_tenant(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "tenantId")?;
    let tenant = tenants::get(&ctx, caller.0, id, Unknown::Forbidden).await?;
    Ok(HttpResponse::Ok().json(TenantBody::from(tenant)))
}

async fn tenant_exists(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "tenantId")?;
    tenants::get(&ctx, caller.0, id, Unknown::NotFound).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TenantInput {
    id: Option<String>,
    company_name: Option<String>,
    alias: Option<String>,
    state: Option<i64>,
    external_account_id: Option<String>,
}

async fn update_tenant(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<TenantInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "tenantId")?;
    let input = body.0;
    let change = TenantChange {
        id: input.id,
        company_name: input.company_name,
        alias: input.alias,
        state: input.state,
        external_account_id: input.external_account_id,
    };
    let tenant = tenants::update(&ctx, caller.0, id, change).await?;
    Ok(HttpResponse::Ok().json(TenantBody::from(tenant)))
}

async fn get_icon(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "tenantId")?;
    let icon = tenants::icon(&ctx, caller.0, id).await?;
    // An unset icon is an empty string: the seed documents 200 and a string.
    Ok(HttpResponse::Ok().json(icon.map(|i| i.to_base64()).unwrap_or_default()))
}

async fn put_icon(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<String>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "tenantId")?;
    let stored = tenants::set_icon(&ctx, caller.0, id, body.0).await?;
    Ok(HttpResponse::Ok().json(stored.to_base64()))
}

async fn delete_icon(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "tenantId")?;
    tenants::delete_icon(&ctx, caller.0, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Region {
    id: String,
    name: String,
    administrative_endpoints_writable: bool,
    base_address: String,
}

async fn regions(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "tenantId")?;
    tenants::check_regions_access(&ctx, caller.0, id).await?;
    Ok(HttpResponse::Ok().json(vec![Region {
        id: ctx.settings.region_id.clone(),
        name: ctx.settings.region_name.clone(),
        administrative_endpoints_writable: true,
        base_address: ctx.public_url.clone(),
    }]))
}
