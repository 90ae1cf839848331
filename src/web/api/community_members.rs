//! Users and clients of the caller's tenant in a community (OCS U1-U4,
//! K1-K4): list, count (HEAD, `Total-Count`), grant roles, revoke.

use crate::app::community_roles::{self, Holder};
use crate::app::AppError;
use crate::domain::ids::PrincipalKind;
use crate::domain::role::Role;
use crate::web::api::directory::{ClientBody, UserBody};
use crate::web::api::mounts::{COMMUNITY_OF_TENANT, TENANT_IN_COMMUNITY};
use crate::web::extract::{context, ApiCaller, ApiJson, Paging};
use crate::web::path::{ClientPath, TenantCommunityPath, UserPath};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use uuid::Uuid;

pub fn operations(table: &mut RouteTable) {
    for mount in [COMMUNITY_OF_TENANT, TENANT_IN_COMMUNITY] {
        table.add::<__path_list_users, _, _>(mount, list_users);
        table.add::<__path_count_users, _, _>(mount, count_users);
        table.add::<__path_put_user_roles, _, _>(mount, put_user_roles);
        table.add::<__path_revoke_user, _, _>(mount, revoke_user);
        table.add::<__path_list_clients, _, _>(mount, list_clients);
        table.add::<__path_count_clients, _, _>(mount, count_clients);
        table.add::<__path_put_client_roles, _, _>(mount, put_client_roles);
        table.add::<__path_revoke_client, _, _>(mount, revoke_client);
    }
}

/// A `User` or a `ClientCredentialClient` with its roles in the community.
#[derive(Serialize)]
#[serde(untagged)]
enum HolderBody {
    User(UserBody),
    Client(ClientBody),
}

fn body(community: Uuid, h: Holder) -> HolderBody {
    let role_ids = h
        .roles
        .roles()
        .into_iter()
        .filter(|r| r.is_community_role())
        .map(|r: Role| r.instance_id(community))
        .collect();
    match h.id.kind() {
        PrincipalKind::User => HolderBody::User(UserBody::new(h.id.as_uuid(), &h.label, role_ids)),
        PrincipalKind::Client => {
            HolderBody::Client(ClientBody::new(h.id.as_uuid(), &h.label, role_ids))
        }
    }
}

/// Your users with community roles
#[utoipa::path(get, path = "/Users", params(Paging),
    responses((status = 200, description = "Users with their community roles", body = [UserBody])))]
async fn list_users(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    list(req, caller, path, paging, PrincipalKind::User).await
}

/// Your clients with community roles
#[utoipa::path(get, path = "/ClientCredentialClients", params(Paging),
    responses((status = 200, description = "Clients with their community roles", body = [ClientBody])))]
async fn list_clients(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    list(req, caller, path, paging, PrincipalKind::Client).await
}

/// How many of your users have community roles (Total-Count header)
#[utoipa::path(head, path = "/Users",
    responses((status = 200, description = "The count", headers(("Total-Count" = i64)))))]
async fn count_users(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
) -> Result<HttpResponse, AppError> {
    count(req, caller, path, PrincipalKind::User).await
}

/// How many of your clients have community roles (Total-Count header)
#[utoipa::path(head, path = "/ClientCredentialClients",
    responses((status = 200, description = "The count", headers(("Total-Count" = i64)))))]
async fn count_clients(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
) -> Result<HttpResponse, AppError> {
    count(req, caller, path, PrincipalKind::Client).await
}

/// Set a user's community roles (role ids from /Roles)
#[utoipa::path(put, path = "/Users/{userId}", params(UserPath), request_body = Vec<Uuid>,
    responses(
        (status = 200, description = "Roles changed", body = UserBody),
        (status = 201, description = "The user's first community roles", body = UserBody),
    ))]
async fn put_user_roles(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    user: UserPath,
    roles: ApiJson<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    put_roles(req, caller, path, PrincipalKind::User, user.user.0, roles.0).await
}

/// Set a client's community roles (role ids from /Roles)
#[utoipa::path(put, path = "/ClientCredentialClients/{clientId}", params(ClientPath),
    request_body = Vec<Uuid>,
    responses(
        (status = 200, description = "Roles changed", body = ClientBody),
        (status = 201, description = "The client's first community roles", body = ClientBody),
    ))]
async fn put_client_roles(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    client: ClientPath,
    roles: ApiJson<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    put_roles(
        req,
        caller,
        path,
        PrincipalKind::Client,
        client.client.0,
        roles.0,
    )
    .await
}

/// Take away a user's community roles
#[utoipa::path(delete, path = "/Users/{userId}", params(UserPath),
    responses((status = 204, description = "Taken away")))]
async fn revoke_user(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    user: UserPath,
) -> Result<HttpResponse, AppError> {
    revoke(req, caller, path, PrincipalKind::User, user.user.0).await
}

/// Take away a client's community roles
#[utoipa::path(delete, path = "/ClientCredentialClients/{clientId}", params(ClientPath),
    responses((status = 204, description = "Taken away")))]
async fn revoke_client(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    client: ClientPath,
) -> Result<HttpResponse, AppError> {
    revoke(req, caller, path, PrincipalKind::Client, client.client.0).await
}

async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    paging: Paging,
    kind: PrincipalKind,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let TenantCommunityPath { tenant, community } = path;
    let found = community_roles::holders(&ctx, caller.0, tenant, community, kind, paging.0).await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(|h| body(community.as_uuid(), h))
            .collect::<Vec<_>>(),
    ))
}

async fn count(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    kind: PrincipalKind,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let n =
        community_roles::holder_count(&ctx, caller.0, path.tenant, path.community, kind).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Total-Count", n.to_string()))
        .finish())
}

async fn put_roles(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    kind: PrincipalKind,
    id: Uuid,
    roles: Vec<String>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let TenantCommunityPath { tenant, community } = path;
    let (added, holder) =
        community_roles::put_roles(&ctx, caller.0, tenant, community, kind, id, roles).await?;
    let b = body(community.as_uuid(), holder);
    Ok(if added {
        HttpResponse::Created().json(b)
    } else {
        HttpResponse::Ok().json(b)
    })
}

async fn revoke(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    kind: PrincipalKind,
    id: Uuid,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    community_roles::revoke(&ctx, caller.0, path.tenant, path.community, kind, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
