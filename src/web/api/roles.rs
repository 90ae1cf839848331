//! The caller's own tenant's roles under AVEVA's Identity paths
//! (`/api/v1/Tenants/{tenantId}/Roles`): the built-in ones, which nobody
//! changes, and the custom ones its administrators make, change and delete
//! (`app::custom_roles`). The `Role` body here is the one every route that
//! shows a role answers with.

use crate::app::custom_roles::{self, RoleInput};
use crate::app::{directory, AppError};
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::role::RoleInstance;
use crate::web::extract::{context, ApiCaller, ApiJson, Paging};
use crate::web::path::{RolePath, TenantPath};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub fn operations(table: &mut RouteTable) {
    use super::mounts::TENANT;
    table.add::<__path_roles, _, _>(TENANT, roles);
    table.add::<__path_role, _, _>(TENANT, role);
    table.add::<__path_create_role, _, _>(TENANT, create_role);
    table.add::<__path_update_role, _, _>(TENANT, update_role);
    table.add::<__path_delete_role, _, _>(TENANT, delete_role);
}

/// `Role`: every property present, `null` where it does not apply (a
/// custom role has no `RoleTypeId`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RoleBody {
    id: Uuid,
    name: String,
    description: String,
    role_scope: u8,
    tenant_id: Option<TenantId>,
    community_id: Option<CommunityId>,
    role_type_id: Option<Uuid>,
}

impl From<RoleInstance> for RoleBody {
    fn from(r: RoleInstance) -> Self {
        Self {
            id: r.id,
            name: r.name,
            description: r.description,
            role_scope: r.scope as u8,
            tenant_id: r.tenant,
            community_id: r.community,
            role_type_id: r.type_id,
        }
    }
}

/// A `Role` as clients send it. `RoleScope` is AVEVA's integer (or its
/// name); it and the ids are checked by the use case, after the rights.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RoleInputBody {
    id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    #[schema(value_type = Option<u8>)]
    role_scope: Option<Value>,
    tenant_id: Option<String>,
    community_id: Option<String>,
    role_type_id: Option<String>,
}

impl From<RoleInputBody> for RoleInput {
    fn from(b: RoleInputBody) -> Self {
        RoleInput {
            id: b.id,
            name: b.name,
            description: b.description,
            scope: b.role_scope.filter(|v| !v.is_null()),
            tenant: b.tenant_id,
            community: b.community_id,
            type_id: b.role_type_id,
        }
    }
}

/// Your tenant's roles
#[utoipa::path(get, path = "/Roles", params(Paging),
    responses((status = 200, description = "Your tenant's roles", body = [RoleBody])))]
async fn roles(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = directory::roles(&ctx, caller.0, path.tenant, paging.0).await?;
    Ok(HttpResponse::Ok().json(found.into_iter().map(RoleBody::from).collect::<Vec<_>>()))
}

/// A role of your tenant
#[utoipa::path(get, path = "/Roles/{roleId}", params(RolePath),
    responses((status = 200, description = "A role of your tenant", body = RoleBody)))]
async fn role(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: RolePath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = directory::role(&ctx, caller.0, path.tenant, one.role).await?;
    Ok(HttpResponse::Ok().json(RoleBody::from(found)))
}

/// Make a custom role for your tenant (Tenant Administrator)
#[utoipa::path(post, path = "/Roles", request_body = RoleInputBody,
    responses((status = 201, description = "The new role", body = RoleBody)))]
async fn create_role(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<RoleInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let made = custom_roles::create(&ctx, caller.0, path.tenant, body.0.into()).await?;
    Ok(HttpResponse::Created().json(RoleBody::from(made)))
}

/// Rename a custom role or change its description (Tenant Administrator; built-in roles cannot be changed)
#[utoipa::path(put, path = "/Roles/{roleId}", params(RolePath), request_body = RoleInputBody,
    responses((status = 200, description = "The role as changed", body = RoleBody)))]
async fn update_role(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: RolePath,
    body: ApiJson<RoleInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0.into();
    let changed = custom_roles::update(&ctx, caller.0, path.tenant, one.role, input).await?;
    Ok(HttpResponse::Ok().json(RoleBody::from(changed)))
}

/// Delete a custom role; its holders lose it (Tenant Administrator; built-in roles cannot be deleted)
#[utoipa::path(delete, path = "/Roles/{roleId}", params(RolePath),
    responses((status = 204, description = "Deleted")))]
async fn delete_role(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: RolePath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    custom_roles::delete(&ctx, caller.0, path.tenant, one.role).await?;
    Ok(HttpResponse::NoContent().finish())
}
