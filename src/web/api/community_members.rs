//! Users and clients of the caller's tenant in a community (OCS U1-U4,
//! K1-K4): list, count (HEAD, `Total-Count`), grant roles, revoke.

use crate::app::community_roles::{self, Holder};
use crate::app::AppError;
use crate::domain::ids::{CommunityId, PrincipalKind, TenantId};
use crate::domain::role::Role;
use crate::web::api::directory::{ClientBody, UserBody};
use crate::web::extract::{context, path_id, ApiCaller, ApiJson, Paging};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use uuid::Uuid;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // OCS-2021's form, and AVEVA Data Hub's with the segments swapped.
    for base in [
        "/api/v1-preview/tenants/{tenantId}/communities/{communityId}",
        "/api/v1-preview/communities/{communityId}/tenants/{tenantId}",
    ] {
        for (segment, id_name) in [("users", "userId"), ("clientcredentialclients", "clientId")] {
            cfg.service(
                web::resource(format!("{base}/{segment}"))
                    .route(web::get().to(list))
                    .route(web::head().to(count)),
            )
            .service(
                web::resource(format!("{base}/{segment}/{{{id_name}}}"))
                    .route(web::put().to(put_roles))
                    .route(web::delete().to(revoke)),
            );
        }
    }
}

/// Which kind of identity the route is about, and the id parameter's name.
fn kind_of(req: &HttpRequest) -> (PrincipalKind, &'static str) {
    if req.path().contains("/clientcredentialclients") {
        (PrincipalKind::Client, "clientId")
    } else {
        (PrincipalKind::User, "userId")
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

async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant: TenantId = path_id(&req, "tenantId")?;
    let community: CommunityId = path_id(&req, "communityId")?;
    let (kind, _) = kind_of(&req);
    let found = community_roles::holders(&ctx, caller.0, tenant, community, kind, paging.0).await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(|h| body(community.as_uuid(), h))
            .collect::<Vec<_>>(),
    ))
}

async fn count(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant: TenantId = path_id(&req, "tenantId")?;
    let community = path_id(&req, "communityId")?;
    let (kind, _) = kind_of(&req);
    let n = community_roles::holder_count(&ctx, caller.0, tenant, community, kind).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Total-Count", n.to_string()))
        .finish())
}

async fn put_roles(
    req: HttpRequest,
    caller: ApiCaller,
    roles: ApiJson<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant: TenantId = path_id(&req, "tenantId")?;
    let community: CommunityId = path_id(&req, "communityId")?;
    let (kind, id_name) = kind_of(&req);
    let id: Uuid = path_id(&req, id_name)?;
    let (added, holder) =
        community_roles::put_roles(&ctx, caller.0, tenant, community, kind, id, roles.0).await?;
    let b = body(community.as_uuid(), holder);
    Ok(if added {
        HttpResponse::Created().json(b)
    } else {
        HttpResponse::Ok().json(b)
    })
}

async fn revoke(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant: TenantId = path_id(&req, "tenantId")?;
    let community = path_id(&req, "communityId")?;
    let (kind, id_name) = kind_of(&req);
    let id: Uuid = path_id(&req, id_name)?;
    community_roles::revoke(&ctx, caller.0, tenant, community, kind, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
