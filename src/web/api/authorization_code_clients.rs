//! A tenant's administrators register the applications its people sign in
//! to (`/api/v1/Tenants/{tenantId}/AuthorizationCodeClients`), in the
//! shape of OCS's Identity API. Such a client has no secret: its codes are
//! bound to PKCE and sent only to its registered redirect URIs.

use super::time;
use crate::app::authorization_code_clients::{self as clients, ClientInput};
use crate::app::AppError;
use crate::domain::authorization_code_client::AuthorizationCodeClient;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::{AuthorizationCodeClientPath, TenantPath};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn operations(table: &mut RouteTable) {
    use super::mounts::TENANT;
    table.add::<__path_list, _, _>(TENANT, list);
    table.add::<__path_one, _, _>(TENANT, one);
    table.add::<__path_create, _, _>(TENANT, create);
    table.add::<__path_update, _, _>(TENANT, update);
    table.add::<__path_delete, _, _>(TENANT, delete);
}

/// `AuthorizationCodeClient`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationCodeClientBody {
    client_id: String,
    name: String,
    enabled: bool,
    /// Where codes may be sent: compared character for character.
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
    allowed_cors_origins: Vec<String>,
    /// Always false: no refresh tokens are issued.
    allow_offline_access: bool,
    created: String,
}

impl From<AuthorizationCodeClient> for AuthorizationCodeClientBody {
    fn from(c: AuthorizationCodeClient) -> Self {
        Self {
            client_id: c.id.to_string(),
            name: c.name,
            enabled: c.enabled,
            redirect_uris: c.redirect_uris,
            post_logout_redirect_uris: c.post_logout_redirect_uris,
            allowed_cors_origins: c.allowed_cors_origins,
            allow_offline_access: false,
            created: time(&c.created),
        }
    }
}

/// `AuthorizationCodeClientCreate` and its update: on create, `Name` and
/// `RedirectUris` are required; on update, an absent property is left
/// alone.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationCodeClientInput {
    name: Option<String>,
    enabled: Option<bool>,
    /// 1 to 10 absolute URIs: https, or http on loopback only.
    redirect_uris: Option<Vec<String>>,
    /// 0 to 10 URIs, as `RedirectUris`.
    post_logout_redirect_uris: Option<Vec<String>>,
    /// 0 to 10 origins (`scheme://host[:port]`).
    allowed_cors_origins: Option<Vec<String>>,
    /// Accepted for OCS's shape; only false is honoured.
    allow_offline_access: Option<bool>,
}

impl AuthorizationCodeClientInput {
    fn input(self) -> ClientInput {
        ClientInput {
            name: self.name,
            enabled: self.enabled,
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            allowed_cors_origins: self.allowed_cors_origins,
            allow_offline_access: self.allow_offline_access,
        }
    }
}

/// The tenant's authorization code clients
#[utoipa::path(get, path = "/AuthorizationCodeClients",
    responses((status = 200, description = "Every authorization code client of the tenant", body = [AuthorizationCodeClientBody])))]
async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = clients::list(&ctx, caller.0, path.tenant).await?;
    let bodies: Vec<AuthorizationCodeClientBody> = found.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Total-Count", bodies.len().to_string()))
        .json(bodies))
}

/// One authorization code client
#[utoipa::path(get, path = "/AuthorizationCodeClients/{clientId}", params(AuthorizationCodeClientPath),
    responses((status = 200, description = "The client", body = AuthorizationCodeClientBody)))]
async fn one(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: AuthorizationCodeClientPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = clients::get(&ctx, caller.0, path.tenant, one.client).await?;
    Ok(HttpResponse::Ok().json(AuthorizationCodeClientBody::from(found)))
}

/// Register an application people sign in to (authorization code with PKCE)
#[utoipa::path(post, path = "/AuthorizationCodeClients", request_body = AuthorizationCodeClientInput,
    responses((status = 201, description = "The client", body = AuthorizationCodeClientBody)))]
async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<AuthorizationCodeClientInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0.input();
    let made = clients::create(&ctx, caller.0, path.tenant, input).await?;
    Ok(HttpResponse::Created().json(AuthorizationCodeClientBody::from(made)))
}

/// Rename a client, change its URIs, or whether people may sign in to it
#[utoipa::path(put, path = "/AuthorizationCodeClients/{clientId}", params(AuthorizationCodeClientPath),
    request_body = AuthorizationCodeClientInput,
    responses((status = 200, description = "The client as changed", body = AuthorizationCodeClientBody)))]
async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: AuthorizationCodeClientPath,
    body: ApiJson<AuthorizationCodeClientInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = body.0.input();
    let changed = clients::update(&ctx, caller.0, path.tenant, one.client, input).await?;
    Ok(HttpResponse::Ok().json(AuthorizationCodeClientBody::from(changed)))
}

/// Delete a client: no more codes or tokens for it (tokens issued run out within the hour)
#[utoipa::path(delete, path = "/AuthorizationCodeClients/{clientId}", params(AuthorizationCodeClientPath),
    responses((status = 204, description = "Deleted")))]
async fn delete(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: AuthorizationCodeClientPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    clients::delete(&ctx, caller.0, path.tenant, one.client).await?;
    Ok(HttpResponse::NoContent().finish())
}
