//! Communities API (seed 003), with and without the `tenants/{tenantId}`
//! segment, plus the summary and the community's role instances.

use super::roles::RoleBody;
use super::{time, Dialect};
use crate::app::communities::{
    self, CommunityChange, CommunityView, NewCommunity, TenantInCommunity,
};
use crate::app::community_roles;
use crate::app::AppError;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::CommunityTenantStatus;
use crate::domain::role::Role;
use crate::web::api::mounts::{COMMUNITIES, COMMUNITIES_OF_TENANT};
use crate::web::extract::{context, ApiCaller, ApiJson, Paging};
use crate::web::path::{CommunityPath, TenantScope};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn operations(table: &mut RouteTable) {
    for mount in [COMMUNITIES_OF_TENANT, COMMUNITIES] {
        table.add::<__path_list, _, _>(mount, list);
        table.add::<__path_create, _, _>(mount, create);
        table.add::<__path_get, _, _>(mount, get);
        table.add::<__path_update, _, _>(mount, update);
        table.add::<__path_delete, _, _>(mount, delete);
        table.add::<__path_summary, _, _>(mount, summary);
    }
    table.add::<__path_roles, _, _>(COMMUNITIES, roles);
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CommunityTenantBody {
    id: TenantId,
    name: String,
    status: CommunityTenantStatus,
    is_owner: bool,
    user_count: u32,
    client_count: u32,
    preferred_region_id: Option<String>,
    contact_email: Option<String>,
    community_alias: Option<String>,
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
            preferred_region_id: t.preferred_region_id,
            contact_email: t.contact_email,
            community_alias: t.community_alias,
        }
    }
}

/// The member tenants in the request's dialect: AVEVA Data Hub's public
/// `CommunityTenantStatus` has no `AwaitingConfirmation` (its clients fail
/// to parse it), so there a tenant shows up once it is confirmed.
pub fn members(tenants: Vec<TenantInCommunity>, dialect: Dialect) -> Vec<CommunityTenantBody> {
    tenants
        .into_iter()
        .filter(|t| {
            dialect == Dialect::Ocs2021
                || matches!(
                    t.status,
                    CommunityTenantStatus::Active | CommunityTenantStatus::Paused
                )
        })
        .map(Into::into)
        .collect()
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CommunityBody {
    id: CommunityId,
    member_role_id: Uuid,
    name: String,
    alias: String,
    display_name: String,
    description: String,
    tenants: Vec<CommunityTenantBody>,
    date_created: String,
    streams_contributed_count: u64,
    total_streams_contributed_count: u64,
    preferred_region_id: Option<String>,
    community_roles: Vec<RoleBody>,
    /// The email domains the community invites; empty: any.
    allowed_domains: Vec<String>,
    /// Joiners invited at an allowed domain are confirmed as they accept.
    auto_confirm_allowed_domains: bool,
    /// Who set the two above last (a user's email or a client's name).
    allowed_domains_set_by: Option<String>,
    allowed_domains_set_date: Option<String>,
}

impl CommunityBody {
    fn new(v: CommunityView, dialect: Dialect) -> Self {
        Self {
            id: v.community.id,
            member_role_id: Role::CommunityMember.instance_id(v.community.id.0),
            name: v.community.name.as_str().to_string(),
            display_name: v.alias.clone(),
            alias: v.alias,
            description: v.community.description,
            tenants: members(v.tenants, dialect),
            date_created: time(&v.community.created),
            streams_contributed_count: v.streams_contributed,
            total_streams_contributed_count: v.streams_total,
            preferred_region_id: v.preferred_region_id,
            community_roles: v.roles.into_iter().map(RoleBody::from).collect(),
            allowed_domains: v
                .trusted
                .allowed
                .iter()
                .map(|d| d.as_str().to_string())
                .collect(),
            auto_confirm_allowed_domains: v.trusted.auto_confirm,
            allowed_domains_set_date: v.trusted.set_by.as_ref().map(|s| time(&s.at)),
            allowed_domains_set_by: v.trusted.set_by.map(|s| s.name),
        }
    }
}

/// Communities the tenant is in
#[utoipa::path(get, path = "", params(Paging),
    responses((status = 200, description = "Communities the tenant is in", body = [CommunityBody])))]
async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = communities::list(&ctx, caller.0, scope.0, paging.0).await?;
    let dialect = Dialect::of(&req);
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(|v| CommunityBody::new(v, dialect))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCommunityInput {
    name: String,
    description: Option<String>,
    contact_email: Option<String>,
    preferred_region_id: Option<String>,
}

/// Create a community
#[utoipa::path(post, path = "", request_body = CreateCommunityInput,
    responses((status = 201, description = "Created", body = CommunityBody)))]
async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    body: ApiJson<CreateCommunityInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0;
    let new = NewCommunity {
        name: input.name,
        description: input.description,
        contact_email: input.contact_email,
        preferred_region_id: input.preferred_region_id,
    };
    let created = communities::create(&ctx, caller.0, scope.0, new).await?;
    Ok(HttpResponse::Created().json(CommunityBody::new(created, Dialect::of(&req))))
}

/// A community
#[utoipa::path(get, path = "/{communityId}", params(CommunityPath),
    responses((status = 200, description = "The community", body = CommunityBody)))]
async fn get(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = communities::get(&ctx, caller.0, scope.0, path.community).await?;
    Ok(HttpResponse::Ok().json(CommunityBody::new(found, Dialect::of(&req))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateCommunityInput {
    name: Option<String>,
    description: Option<String>,
    alias: Option<String>,
    preferred_region_id: Option<String>,
    /// The whole list of domains to invite (empty: any); the owner's
    /// Community Administrators set it.
    allowed_domains: Option<Vec<String>>,
    auto_confirm_allowed_domains: Option<bool>,
}

/// Rename, describe or alias a community, or choose the domains it invites
#[utoipa::path(put, path = "/{communityId}", params(CommunityPath),
    request_body = UpdateCommunityInput,
    responses((status = 200, description = "The community as changed", body = CommunityBody)))]
async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
    body: ApiJson<UpdateCommunityInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0;
    let change = CommunityChange {
        name: input.name,
        description: input.description,
        alias: input.alias,
        preferred_region_id: input.preferred_region_id,
        allowed_domains: input.allowed_domains,
        auto_confirm_allowed_domains: input.auto_confirm_allowed_domains,
    };
    let updated = communities::update(&ctx, caller.0, scope.0, path.community, change).await?;
    Ok(HttpResponse::Ok().json(CommunityBody::new(updated, Dialect::of(&req))))
}

/// Delete a community
#[utoipa::path(delete, path = "/{communityId}", params(CommunityPath),
    responses((status = 204, description = "Deleted")))]
async fn delete(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    communities::delete(&ctx, caller.0, scope.0, path.community).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SummaryBody {
    total_streams: u64,
    streams_contributed: u64,
    /// AVEVA Data Hub's per-tenant counts; OCS-2021 had none.
    #[serde(skip_serializing_if = "Option::is_none")]
    community_summary_information_for_tenants: Option<Vec<TenantSummaryBody>>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TenantSummaryBody {
    tenant_id: TenantId,
    streams_contributed: u64,
}

/// Stream counts
#[utoipa::path(get, path = "/{communityId}/Summary", params(CommunityPath),
    responses((status = 200, description = "Stream counts", body = SummaryBody)))]
async fn summary(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let s = communities::summary(&ctx, caller.0, scope.0, path.community).await?;
    let per_tenant = s
        .per_tenant
        .into_iter()
        .map(|(tenant_id, streams_contributed)| TenantSummaryBody {
            tenant_id,
            streams_contributed,
        })
        .collect();
    Ok(HttpResponse::Ok().json(SummaryBody {
        total_streams: s.total,
        streams_contributed: s.mine,
        community_summary_information_for_tenants: (Dialect::of(&req) == Dialect::DataHub)
            .then_some(per_tenant),
    }))
}

/// The community's role instances
#[utoipa::path(get, path = "/{communityId}/Roles", params(CommunityPath, Paging),
    responses((status = 200, description = "The community's role instances", body = [RoleBody])))]
async fn roles(
    req: HttpRequest,
    caller: ApiCaller,
    path: CommunityPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = community_roles::roles(&ctx, caller.0, path.community).await?;
    let body: Vec<RoleBody> = found
        .into_iter()
        .skip(paging.0.skip)
        .take(paging.0.count)
        .map(RoleBody::from)
        .collect();
    Ok(HttpResponse::Ok().json(body))
}
