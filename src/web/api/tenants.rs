//! Tenants API (`/api/v1/Tenants/{tenantId}`): get, exists, update, icon, regions.

use super::time;
use crate::app::tenants::{self, TenantChange, TenantView, Unknown};
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::web::api::mounts::TENANT;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::TenantPath;
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_get_tenant, _, _>(TENANT, get_tenant);
    table.add::<__path_tenant_exists, _, _>(TENANT, tenant_exists);
    table.add::<__path_update_tenant, _, _>(TENANT, update_tenant);
    table.add::<__path_get_icon, _, _>(TENANT, get_icon);
    table.add::<__path_put_icon, _, _>(TENANT, put_icon);
    table.add::<__path_delete_icon, _, _>(TENANT, delete_icon);
    table.add::<__path_regions, _, _>(TENANT, regions);
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

/// A tenant (your own)
#[utoipa::path(get, path = "", responses((status = 200, description = "The tenant", body = TenantBody)))]
async fn get_tenant(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path.tenant;
    let tenant = tenants::get(&ctx, caller.0, id, Unknown::Forbidden).await?;
    Ok(HttpResponse::Ok().json(TenantBody::from(tenant)))
}

/// Whether a tenant exists
#[utoipa::path(head, path = "", responses((status = 204, description = "It exists")))]
async fn tenant_exists(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path.tenant;
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

/// Update your tenant
#[utoipa::path(put, path = "", request_body = TenantInput,
    responses((status = 200, description = "The tenant as changed", body = TenantBody)))]
async fn update_tenant(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<TenantInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path.tenant;
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

/// The tenant's icon (base64 PNG)
#[utoipa::path(get, path = "/Icon", responses((status = 200, description = "Base64 PNG, or empty",
    body = String, content_type = "application/json")))]
async fn get_icon(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path.tenant;
    let icon = tenants::icon(&ctx, caller.0, id).await?;
    // An unset icon is an empty string: the seed documents 200 and a string.
    Ok(HttpResponse::Ok().json(icon.map(|i| i.to_base64()).unwrap_or_default()))
}

/// Set the tenant's icon (base64 PNG under 64 KiB)
#[utoipa::path(put, path = "/Icon",
    request_body(content = String, content_type = "application/json"),
    responses((status = 200, description = "The stored icon",
        body = String, content_type = "application/json")))]
async fn put_icon(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<String>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path.tenant;
    let stored = tenants::set_icon(&ctx, caller.0, id, body.0).await?;
    Ok(HttpResponse::Ok().json(stored.to_base64()))
}

/// Remove the tenant's icon
#[utoipa::path(delete, path = "/Icon", responses((status = 204, description = "Removed")))]
async fn delete_icon(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path.tenant;
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

/// The installation's region
#[utoipa::path(get, path = "/Regions", responses((status = 200, description = "The region", body = [Region])))]
async fn regions(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path.tenant;
    tenants::check_regions_access(&ctx, caller.0, id).await?;
    Ok(HttpResponse::Ok().json(vec![Region {
        id: ctx.settings.region_id.clone(),
        name: ctx.settings.region_name.clone(),
        administrative_endpoints_writable: true,
        base_address: ctx.public_url.clone(),
    }]))
}
