//! The caller's own tenant directory under AVEVA's Identity paths
//! (`/api/v1/Tenants/{tenantId}/Users|ClientCredentialClients`), and the
//! `User` and `ClientCredentialClient` bodies every route that shows one of
//! them shares. Roles are in `roles`.

use crate::app::directory::{self, Listed};
use crate::app::AppError;
use crate::auth::access_token::LIFETIME_SECONDS;
use crate::domain::identity::{Client, User};
use crate::web::extract::{context, ApiCaller, Paging};
use crate::web::path::{ClientPath, TenantPath, UserPath};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use uuid::Uuid;

pub fn operations(table: &mut RouteTable) {
    use super::mounts::TENANT;
    table.add::<__path_users, _, _>(TENANT, users);
    table.add::<__path_user, _, _>(TENANT, user);
    table.add::<__path_clients, _, _>(TENANT, clients);
    table.add::<__path_client, _, _>(TENANT, client);
}

/// `User`: every nullable property present; what communityd does not keep
/// (given names, identity provider) is `null`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UserBody {
    id: Uuid,
    given_name: Option<String>,
    surname: Option<String>,
    name: Option<String>,
    email: Option<String>,
    contact_email: Option<String>,
    contact_given_name: Option<String>,
    contact_surname: Option<String>,
    external_user_id: Option<String>,
    identity_provider_id: Option<Uuid>,
    identity_provider_specific_user_id: Option<String>,
    role_ids: Vec<Uuid>,
}

impl UserBody {
    pub fn new(id: Uuid, email: &str, role_ids: Vec<Uuid>) -> Self {
        Self {
            id,
            given_name: None,
            surname: None,
            name: Some(email.to_string()),
            email: Some(email.to_string()),
            contact_email: Some(email.to_string()),
            contact_given_name: None,
            contact_surname: None,
            external_user_id: None,
            identity_provider_id: None,
            identity_provider_specific_user_id: None,
            role_ids,
        }
    }
}

/// `ClientCredentialClient`: every nullable property present.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ClientBody {
    id: Uuid,
    name: Option<String>,
    enabled: bool,
    access_token_lifetime: i64,
    tags: Option<Vec<String>>,
    role_ids: Vec<Uuid>,
}

impl ClientBody {
    pub fn new(id: Uuid, name: &str, role_ids: Vec<Uuid>) -> Self {
        Self {
            id,
            name: Some(name.to_string()),
            enabled: true,
            access_token_lifetime: LIFETIME_SECONDS,
            tags: None,
            role_ids,
        }
    }
}

pub fn user_body(l: Listed<User>) -> UserBody {
    UserBody::new(l.identity.id.0, l.identity.email.as_str(), l.role_ids)
}

/// A client as its own tenant sees it: whether it is enabled, its tags.
pub fn client_body(l: Listed<Client>) -> ClientBody {
    let mut body = ClientBody::new(l.identity.id.0, &l.identity.name, l.role_ids);
    body.enabled = l.identity.enabled;
    let tags = l.identity.tags;
    body.tags = (!tags.is_empty()).then_some(tags);
    body
}

/// Your tenant's users
#[utoipa::path(get, path = "/Users", params(Paging),
    responses((status = 200, description = "Your tenant's users", body = [UserBody])))]
async fn users(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant = path.tenant;
    let found = directory::users(&ctx, caller.0, tenant, paging.0).await?;
    Ok(HttpResponse::Ok().json(found.into_iter().map(user_body).collect::<Vec<_>>()))
}

/// A user of your tenant
#[utoipa::path(get, path = "/Users/{userId}", params(UserPath),
    responses((status = 200, description = "A user of your tenant", body = UserBody)))]
async fn user(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant = path.tenant;
    let id = one.user;
    let found = directory::user(&ctx, caller.0, tenant, id).await?;
    Ok(HttpResponse::Ok().json(user_body(found)))
}

/// Your tenant's clients
#[utoipa::path(get, path = "/ClientCredentialClients", params(Paging),
    responses((status = 200, description = "Your tenant's clients", body = [ClientBody])))]
async fn clients(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant = path.tenant;
    let found = directory::clients(&ctx, caller.0, tenant, paging.0).await?;
    Ok(HttpResponse::Ok().json(found.into_iter().map(client_body).collect::<Vec<_>>()))
}

/// A client of your tenant
#[utoipa::path(get, path = "/ClientCredentialClients/{clientId}", params(ClientPath),
    responses((status = 200, description = "A client of your tenant", body = ClientBody)))]
async fn client(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: ClientPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant = path.tenant;
    let id = one.client;
    let found = directory::client(&ctx, caller.0, tenant, id).await?;
    Ok(HttpResponse::Ok().json(client_body(found)))
}
