//! A tenant's OpenID Connect providers
//! (`/api/v1/Tenants/{tenantId}/IdentityProviders`, `app::identity_providers`).
//! Anyone in the tenant may list them; Tenant Administrators add, change and
//! remove them. The client secret is write-only: no answer carries it.

use crate::app::identity_providers::{self, ProviderInput};
use crate::app::AppError;
use crate::domain::identity_provider::IdentityProvider;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::{IdentityProviderPath, TenantPath};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn operations(table: &mut RouteTable) {
    use super::mounts::TENANT;
    table.add::<__path_providers, _, _>(TENANT, providers);
    table.add::<__path_provider, _, _>(TENANT, provider);
    table.add::<__path_create_provider, _, _>(TENANT, create_provider);
    table.add::<__path_update_provider, _, _>(TENANT, update_provider);
    table.add::<__path_delete_provider, _, _>(TENANT, delete_provider);
}

/// Members of `Group` hold the tenant role `RoleId`.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct GroupRoleBody {
    group: String,
    role_id: String,
}

/// `IdentityProvider`, as answered: everything but the client secret.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderBody {
    id: Uuid,
    name: String,
    issuer: String,
    client_id: String,
    domains: Vec<String>,
    create_unknown_users: bool,
    groups_claim: Option<String>,
    group_roles: Vec<GroupRoleBody>,
}

impl From<IdentityProvider> for ProviderBody {
    fn from(p: IdentityProvider) -> Self {
        Self {
            id: p.id.0,
            name: p.name,
            issuer: p.issuer,
            client_id: p.client_id,
            domains: p.domains,
            create_unknown_users: p.create_unknown_users,
            groups_claim: p.groups_claim,
            group_roles: p
                .group_roles
                .into_iter()
                .map(|m| GroupRoleBody {
                    group: m.group,
                    role_id: m.role.to_string(),
                })
                .collect(),
        }
    }
}

/// `IdentityProvider` as sent. On a create `Name`, `Issuer`, `ClientId`,
/// `ClientSecret` and `Domains` are needed; on a change, a property left
/// out stays as it is.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderInputBody {
    name: Option<String>,
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    domains: Option<Vec<String>>,
    create_unknown_users: Option<bool>,
    groups_claim: Option<String>,
    group_roles: Option<Vec<GroupRoleBody>>,
}

impl From<ProviderInputBody> for ProviderInput {
    fn from(b: ProviderInputBody) -> Self {
        ProviderInput {
            name: b.name,
            issuer: b.issuer,
            client_id: b.client_id,
            client_secret: b.client_secret,
            domains: b.domains,
            create_unknown_users: b.create_unknown_users,
            groups_claim: b.groups_claim,
            group_roles: b
                .group_roles
                .map(|list| list.into_iter().map(|m| (m.group, m.role_id)).collect()),
        }
    }
}

fn answer(list: Vec<IdentityProvider>) -> HttpResponse {
    HttpResponse::Ok().json(list.into_iter().map(ProviderBody::from).collect::<Vec<_>>())
}

/// Your tenant's identity providers
#[utoipa::path(get, path = "/IdentityProviders",
    responses((status = 200, description = "Your tenant's identity providers, oldest first", body = [ProviderBody])))]
async fn providers(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    Ok(answer(
        identity_providers::of_tenant(&ctx, caller.0, path.tenant).await?,
    ))
}

/// One identity provider of your tenant
#[utoipa::path(get, path = "/IdentityProviders/{identityProviderId}", params(IdentityProviderPath),
    responses((status = 200, description = "The identity provider", body = ProviderBody)))]
async fn provider(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: IdentityProviderPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = identity_providers::get(&ctx, caller.0, path.tenant, one.provider).await?;
    Ok(HttpResponse::Ok().json(ProviderBody::from(found)))
}

/// Add an identity provider by its issuer, whose discovery document must answer (Tenant Administrator)
#[utoipa::path(post, path = "/IdentityProviders", request_body = ProviderInputBody,
    responses((status = 201, description = "The new provider", body = ProviderBody)))]
async fn create_provider(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<ProviderInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let made = identity_providers::create(&ctx, caller.0, path.tenant, body.0.into()).await?;
    Ok(HttpResponse::Created().json(ProviderBody::from(made)))
}

/// Change an identity provider; what is left out stays (Tenant Administrator)
#[utoipa::path(put, path = "/IdentityProviders/{identityProviderId}", params(IdentityProviderPath),
    request_body = ProviderInputBody,
    responses((status = 200, description = "The provider as changed", body = ProviderBody)))]
async fn update_provider(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: IdentityProviderPath,
    body: ApiJson<ProviderInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0.into();
    let changed =
        identity_providers::update(&ctx, caller.0, path.tenant, one.provider, input).await?;
    Ok(HttpResponse::Ok().json(ProviderBody::from(changed)))
}

/// Remove an identity provider; its people keep their users (Tenant Administrator)
#[utoipa::path(delete, path = "/IdentityProviders/{identityProviderId}", params(IdentityProviderPath),
    responses((status = 204, description = "Removed")))]
async fn delete_provider(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: IdentityProviderPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    identity_providers::delete(&ctx, caller.0, path.tenant, one.provider).await?;
    Ok(HttpResponse::NoContent().finish())
}
