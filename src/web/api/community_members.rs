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

/// The identity a route is about: a user or a client of the caller's tenant.
trait Named {
    const KIND: PrincipalKind;
    fn id(&self) -> Uuid;
}

impl Named for UserPath {
    const KIND: PrincipalKind = PrincipalKind::User;
    fn id(&self) -> Uuid {
        self.user.0
    }
}

impl Named for ClientPath {
    const KIND: PrincipalKind = PrincipalKind::Client;
    fn id(&self) -> Uuid {
        self.client.0
    }
}

at_path! {
    /// Your users with community roles
    #[utoipa::path(get, path = "/Users", params(Paging),
        responses((status = 200, description = "Users with their community roles", body = [UserBody])))]
    list_users => list::<UserPath>(path: TenantCommunityPath, paging: Paging)
}

at_path! {
    /// Your clients with community roles
    #[utoipa::path(get, path = "/ClientCredentialClients", params(Paging),
        responses((status = 200, description = "Clients with their community roles", body = [ClientBody])))]
    list_clients => list::<ClientPath>(path: TenantCommunityPath, paging: Paging)
}

at_path! {
    /// How many of your users have community roles (Total-Count header)
    #[utoipa::path(head, path = "/Users",
        responses((status = 200, description = "The count", headers(("Total-Count" = i64)))))]
    count_users => count::<UserPath>(path: TenantCommunityPath)
}

at_path! {
    /// How many of your clients have community roles (Total-Count header)
    #[utoipa::path(head, path = "/ClientCredentialClients",
        responses((status = 200, description = "The count", headers(("Total-Count" = i64)))))]
    count_clients => count::<ClientPath>(path: TenantCommunityPath)
}

at_path! {
    /// Set a user's community roles (role ids from /Roles)
    #[utoipa::path(put, path = "/Users/{userId}", params(UserPath), request_body = Vec<Uuid>,
        responses(
            (status = 200, description = "Roles changed", body = UserBody),
            (status = 201, description = "The user's first community roles", body = UserBody),
        ))]
    put_user_roles => put_roles(path: TenantCommunityPath, user: UserPath, roles: ApiJson<Vec<String>>)
}

at_path! {
    /// Set a client's community roles (role ids from /Roles)
    #[utoipa::path(put, path = "/ClientCredentialClients/{clientId}", params(ClientPath),
        request_body = Vec<Uuid>,
        responses(
            (status = 200, description = "Roles changed", body = ClientBody),
            (status = 201, description = "The client's first community roles", body = ClientBody),
        ))]
    put_client_roles => put_roles(path: TenantCommunityPath, client: ClientPath, roles: ApiJson<Vec<String>>)
}

at_path! {
    /// Take away a user's community roles
    #[utoipa::path(delete, path = "/Users/{userId}", params(UserPath),
        responses((status = 204, description = "Taken away")))]
    revoke_user => revoke(path: TenantCommunityPath, user: UserPath)
}

at_path! {
    /// Take away a client's community roles
    #[utoipa::path(delete, path = "/ClientCredentialClients/{clientId}", params(ClientPath),
        responses((status = 204, description = "Taken away")))]
    revoke_client => revoke(path: TenantCommunityPath, client: ClientPath)
}

async fn list<N: Named>(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let kind = N::KIND;
    let TenantCommunityPath { tenant, community } = path;
    let found = community_roles::holders(&ctx, caller.0, tenant, community, kind, paging.0).await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(|h| body(community.as_uuid(), h))
            .collect::<Vec<_>>(),
    ))
}

async fn count<N: Named>(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let (tenant, community) = (path.tenant, path.community);
    let n = community_roles::holder_count(&ctx, caller.0, tenant, community, N::KIND).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Total-Count", n.to_string()))
        .finish())
}

async fn put_roles<N: Named>(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    who: N,
    roles: ApiJson<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let TenantCommunityPath { tenant, community } = path;
    let (added, holder) = community_roles::put_roles(
        &ctx,
        caller.0,
        tenant,
        community,
        N::KIND,
        who.id(),
        roles.0,
    )
    .await?;
    let b = body(community.as_uuid(), holder);
    Ok(if added {
        HttpResponse::Created().json(b)
    } else {
        HttpResponse::Ok().json(b)
    })
}

async fn revoke<N: Named>(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
    who: N,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let (tenant, community) = (path.tenant, path.community);
    community_roles::revoke(&ctx, caller.0, tenant, community, N::KIND, who.id()).await?;
    Ok(HttpResponse::NoContent().finish())
}
