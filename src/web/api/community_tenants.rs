//! Community tenants (OCS T1-T3): list members, change a member's status
//! (confirm, pause, resume, remove), remove or leave.

use super::communities::{members, CommunityTenantBody};
use super::mounts::{COMMUNITY, COMMUNITY_OF_TENANT};
use super::Dialect;
use crate::app::community_tenants::{self, MemberChange, Outcome};
use crate::app::AppError;
use crate::domain::membership::CommunityTenantStatus;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::{CommunityPath, MemberTenantPath, TenantScope};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_list_community_tenants, _, _>(COMMUNITY_OF_TENANT, list_community_tenants);
    table.add::<__path_update_community_tenant, _, _>(COMMUNITY_OF_TENANT, update_community_tenant);
    table.add::<__path_remove_community_tenant, _, _>(COMMUNITY_OF_TENANT, remove_community_tenant);
    table.add::<__path_update_member_tenant, _, _>(COMMUNITY_OF_TENANT, update_member_tenant);
    table.add::<__path_remove_member_tenant, _, _>(COMMUNITY_OF_TENANT, remove_member_tenant);
    // The tenant-less form, as AVEVA's newer API names it.
    table.add::<__path_list_tenants, _, _>(COMMUNITY, list_tenants);
    table.add::<__path_update_tenant, _, _>(COMMUNITY, update_tenant);
    table.add::<__path_remove_tenant, _, _>(COMMUNITY, remove_tenant);
}

at_path! {
    /// Member tenants
    #[utoipa::path(get, path = "/CommunityTenants",
        responses((status = 200, description = "Member tenants", body = [CommunityTenantBody])))]
    list_community_tenants => list(scope: TenantScope, path: CommunityPath)
}

at_path! {
    /// Member tenants
    #[utoipa::path(get, path = "/Tenants",
        responses((status = 200, description = "Member tenants", body = [CommunityTenantBody])))]
    list_tenants => list(scope: TenantScope, path: CommunityPath)
}

at_path! {
    /// Confirm, pause, resume or remove a member tenant
    #[utoipa::path(put, path = "/CommunityTenants/{memberTenantId}", params(MemberTenantPath),
        request_body = UpdateCommunityTenantInput,
        responses((status = 200, description = "Changed: the member tenant as it is now (Status Remove once removed)", body = CommunityTenantBody), (status = 204, description = "Nothing to change")))]
    update_community_tenant => update(scope: TenantScope, path: CommunityPath, member: MemberTenantPath, body: ApiJson<UpdateCommunityTenantInput>)
}

at_path! {
    /// Confirm, pause, resume or remove a member tenant
    #[utoipa::path(put, path = "/MemberTenants/{memberTenantId}", params(MemberTenantPath),
        request_body = UpdateCommunityTenantInput,
        responses((status = 200, description = "Changed: the member tenant as it is now (Status Remove once removed)", body = CommunityTenantBody), (status = 204, description = "Nothing to change")))]
    update_member_tenant => update(scope: TenantScope, path: CommunityPath, member: MemberTenantPath, body: ApiJson<UpdateCommunityTenantInput>)
}

at_path! {
    /// Confirm, pause, resume or remove a member tenant
    #[utoipa::path(method(put, patch), path = "/Tenants/{memberTenantId}", params(MemberTenantPath),
        request_body = UpdateCommunityTenantInput,
        responses((status = 200, description = "Changed: the member tenant as it is now (Status Remove once removed)", body = CommunityTenantBody), (status = 204, description = "Nothing to change")))]
    update_tenant => update(scope: TenantScope, path: CommunityPath, member: MemberTenantPath, body: ApiJson<UpdateCommunityTenantInput>)
}

at_path! {
    /// Remove a member tenant, or leave
    #[utoipa::path(delete, path = "/CommunityTenants/{memberTenantId}", params(MemberTenantPath),
        responses((status = 204, description = "Removed")))]
    remove_community_tenant => remove(scope: TenantScope, path: CommunityPath, member: MemberTenantPath)
}

at_path! {
    /// Remove a member tenant, or leave
    #[utoipa::path(delete, path = "/MemberTenants/{memberTenantId}", params(MemberTenantPath),
        responses((status = 204, description = "Removed")))]
    remove_member_tenant => remove(scope: TenantScope, path: CommunityPath, member: MemberTenantPath)
}

at_path! {
    /// Remove a member tenant, or leave
    #[utoipa::path(delete, path = "/Tenants/{memberTenantId}", params(MemberTenantPath),
        responses((status = 204, description = "Removed")))]
    remove_tenant => remove(scope: TenantScope, path: CommunityPath, member: MemberTenantPath)
}

async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = community_tenants::list(&ctx, caller.0, scope.0, path.community).await?;
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
    scope: TenantScope,
    path: CommunityPath,
    member: MemberTenantPath,
    body: ApiJson<UpdateCommunityTenantInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0;
    let change = MemberChange {
        status: input.status,
        community_alias: input.community_alias,
        contact_email: input.contact_email,
        preferred_region_id: input.preferred_region_id,
    };
    let updated = community_tenants::update(
        &ctx,
        caller.0,
        scope.0,
        path.community,
        member.member,
        change,
    )
    .await?;
    // OCS answers a change with 200 and no body; the member as it is now
    // tells a script what happened (a removed one has status Remove), and
    // a client that reads no body loses nothing.
    Ok(match (updated.outcome, updated.member) {
        (Outcome::Changed, Some(member)) => {
            HttpResponse::Ok().json(CommunityTenantBody::from(member))
        }
        (Outcome::Changed, None) => HttpResponse::Ok().finish(),
        (Outcome::Unchanged, _) => HttpResponse::NoContent().finish(),
    })
}

async fn remove(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
    member: MemberTenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    community_tenants::remove(&ctx, caller.0, scope.0, path.community, member.member).await?;
    Ok(HttpResponse::NoContent().finish())
}
