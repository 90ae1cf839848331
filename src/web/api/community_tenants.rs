//! Community tenants (OCS T1-T3): list members, change a member's status
//! (confirm, pause, resume, remove), remove or leave.

use super::communities::{members, path_tenant};
use super::Dialect;
use crate::app::community_tenants::{self, MemberChange, Outcome};
use crate::app::AppError;
use crate::domain::membership::CommunityTenantStatus;
use crate::web::extract::{context, path_id, ApiCaller, ApiJson};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    let base = "/api/v1-preview/tenants/{tenantId}/communities/{communityId}";
    cfg.service(web::resource(format!("{base}/communitytenants")).route(web::get().to(list)));
    for member in ["communitytenants", "membertenants"] {
        cfg.service(
            web::resource(format!("{base}/{member}/{{memberTenantId}}"))
                .route(web::put().to(update))
                .route(web::delete().to(remove)),
        );
    }
    // The tenant-less form, as AVEVA's newer API names it.
    cfg.service(
        web::resource("/api/v1-preview/communities/{communityId}/tenants")
            .route(web::get().to(list)),
    )
    .service(
        web::resource("/api/v1-preview/communities/{communityId}/tenants/{memberTenantId}")
            .route(web::put().to(update))
            .route(web::patch().to(update))
            .route(web::delete().to(remove)),
    );
}

async fn list(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path_id(&req, "communityId")?;
    let found = community_tenants::list(&ctx, caller.0, path_tenant(&req)?, community).await?;
    Ok(HttpResponse::Ok().json(members(found, Dialect::of(&req))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateCommunityTenantInput {
    status: Option<CommunityTenantStatus>,
    community_alias: Option<String>,
    contact_email: Option<String>,
    preferred_region_id: Option<String>,
}

async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<UpdateCommunityTenantInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path_id(&req, "communityId")?;
    let member = path_id(&req, "memberTenantId")?;
    let input = body.0;
    let change = MemberChange {
        status: input.status,
        community_alias: input.community_alias,
        contact_email: input.contact_email,
        preferred_region_id: input.preferred_region_id,
    };
    let outcome = community_tenants::update(
        &ctx,
        caller.0,
        path_tenant(&req)?,
        community,
        member,
        change,
    )
    .await?;
    Ok(match outcome {
        Outcome::Changed => HttpResponse::Ok().finish(),
        Outcome::Unchanged => HttpResponse::NoContent().finish(),
    })
}

async fn remove(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path_id(&req, "communityId")?;
    let member = path_id(&req, "memberTenantId")?;
    community_tenants::remove(&ctx, caller.0, path_tenant(&req)?, community, member).await?;
    Ok(HttpResponse::NoContent().finish())
}
