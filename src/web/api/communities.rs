//! Communities API (seed 003), with and without the `tenants/{tenantId}`
//! segment, plus the summary and the community's role instances.

use super::time;
use crate::app::communities::{self, CommunityChange, CommunityView, TenantInCommunity};
use crate::app::community_roles;
use crate::app::AppError;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::CommunityTenantStatus;
use crate::domain::role::Role;
use crate::web::extract::{context, path_id, ApiCaller, ApiJson, Paging};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    for base in [
        "/api/v1-preview/tenants/{tenantId}/communities",
        "/api/v1-preview/communities",
    ] {
        cfg.service(
            web::resource(base)
                .route(web::get().to(list))
                .route(web::post().to(create)),
        )
        .service(
            web::resource(format!("{base}/{{communityId}}"))
                .route(web::get().to(get))
                .route(web::put().to(update))
                .route(web::delete().to(delete)),
        )
        .service(
            web::resource(format!("{base}/{{communityId}}/summary")).route(web::get().to(summary)),
        );
    }
    cfg.service(
        web::resource("/api/v1-preview/communities/{communityId}/roles")
            .route(web::get().to(roles)),
    );
}

/// The `{tenantId}` path segment when the route has one.
pub fn path_tenant(req: &HttpRequest) -> Result<Option<TenantId>, AppError> {
    match req.match_info().get("tenantId") {
        Some(_) => path_id(req, "tenantId").map(Some),
        None => Ok(None),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CommunityTenantBody {
    id: TenantId,
    name: String,
    status: CommunityTenantStatus,
    is_owner: bool,
    user_count: u32,
    client_count: u32,
}

impl From<TenantInCommunity> for CommunityTenantBody {
    fn from(t: TenantInCommunity) -> Self {
        Self {
            id: t.id,
            name: t.name,
            status: t.status,
            is_owner: t.is_owner,
            user_count: t.user_count,
            client_count: t.client_count,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CommunityBody {
    id: CommunityId,
    name: String,
    alias: String,
    display_name: String,
    description: String,
    tenants: Vec<CommunityTenantBody>,
    date_created: String,
    streams_contributed_count: u64,
    total_streams_contributed_count: u64,
    member_role_id: Uuid,
}

impl From<CommunityView> for CommunityBody {
    fn from(v: CommunityView) -> Self {
        Self {
            id: v.community.id,
            name: v.community.name.as_str().to_string(),
            display_name: v.alias.clone(),
            alias: v.alias,
            description: v.community.description,
            tenants: v.tenants.into_iter().map(Into::into).collect(),
            date_created: time(&v.community.created),
            streams_contributed_count: v.streams_contributed,
            total_streams_contributed_count: v.streams_total,
            member_role_id: Role::CommunityMember.instance_id(v.community.id.0),
        }
    }
}

async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = communities::list(&ctx, caller.0, path_tenant(&req)?, paging.0).await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(CommunityBody::from)
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateCommunityInput {
    name: String,
    description: Option<String>,
}

async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<CreateCommunityInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0;
    let created = communities::create(
        &ctx,
        caller.0,
        path_tenant(&req)?,
        &input.name,
        input.description.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created().json(CommunityBody::from(created)))
}

async fn get(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "communityId")?;
    let found = communities::get(&ctx, caller.0, path_tenant(&req)?, id).await?;
    Ok(HttpResponse::Ok().json(CommunityBody::from(found)))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateCommunityInput {
    name: Option<String>,
    description: Option<String>,
    alias: Option<String>,
}

async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<UpdateCommunityInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "communityId")?;
    let input = body.0;
    let change = CommunityChange {
        name: input.name,
        description: input.description,
        alias: input.alias,
    };
    let updated = communities::update(&ctx, caller.0, path_tenant(&req)?, id, change).await?;
    Ok(HttpResponse::Ok().json(CommunityBody::from(updated)))
}

async fn delete(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "communityId")?;
    communities::delete(&ctx, caller.0, path_tenant(&req)?, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SummaryBody {
    total_streams: u64,
    streams_contributed: u64,
}

async fn summary(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "communityId")?;
    let (total, mine) = communities::summary(&ctx, caller.0, path_tenant(&req)?, id).await?;
    Ok(HttpResponse::Ok().json(SummaryBody {
        total_streams: total,
        streams_contributed: mine,
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RoleBody {
    id: Uuid,
    name: &'static str,
    description: &'static str,
    role_scope: u8,
    community_id: CommunityId,
}

async fn roles(
    req: HttpRequest,
    caller: ApiCaller,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id: CommunityId = path_id(&req, "communityId")?;
    let found = community_roles::roles(&ctx, caller.0, id).await?;
    let body: Vec<RoleBody> = found
        .into_iter()
        .skip(paging.0.skip)
        .take(paging.0.count)
        .map(|(role, role_id)| RoleBody {
            id: role_id,
            name: role.name(),
            description: role.description(),
            role_scope: 2,
            community_id: id,
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}
