//! Community invitations API: create, list, get, delete (withdraw), process
//! an action (Accept, Decline, Confirm, Resend), details, and the accepted
//! invitations addressed to a tenant.

use super::communities::path_tenant;
use super::time;
use crate::app::handshake::{self, Action};
use crate::app::invitations::{self, InvitationView};
use crate::app::AppError;
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::invitation::InvitationState;
use crate::web::extract::{context, path_id, ApiCaller, ApiJson, Paging};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn routes(cfg: &mut web::ServiceConfig) {
    // OCS-2021's form, and AVEVA Data Hub's that takes the tenant from the token.
    for base in [
        "/api/v1-preview/tenants/{tenantId}/communities/{communityId}/invitations",
        "/api/v1-preview/communities/{communityId}/invitations",
    ] {
        cfg.service(
            web::resource(base)
                .route(web::get().to(list))
                .route(web::post().to(create)),
        )
        .service(
            web::resource(format!("{base}/{{invitationId}}"))
                .route(web::get().to(get))
                .route(web::delete().to(withdraw)),
        );
    }
    cfg.service(
        web::resource("/api/v1-preview/communityinvitations/{invitationId}")
            .route(web::put().to(process)),
    )
    .service(
        web::resource("/api/v1-preview/communityinvitations/{invitationId}/details")
            .route(web::get().to(details)),
    )
    .service(
        web::resource("/api/v1-preview/tenants/{tenantId}/communityinvitations")
            .route(web::get().to(accepted)),
    );
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DeliveryBody {
    status: &'static str,
    attempts: u32,
    last_error: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct InvitationBody {
    id: InvitationId,
    issued: String,
    expires: String,
    accepted: Option<String>,
    state: InvitationState,
    issuing_tenant_id: TenantId,
    invited_tenant_id: Option<TenantId>,
    community_id: CommunityId,
    community_name: String,
    invitation_recipient: String,
    accepted_user_email: Option<String>,
    accepted_tenant_name: Option<String>,
    /// Whether the latest invitation email went out (see SPEC 4a).
    email_delivery: Option<DeliveryBody>,
}

impl From<InvitationView> for InvitationBody {
    fn from(v: InvitationView) -> Self {
        let inv = v.invitation;
        Self {
            id: inv.id,
            issued: time(&inv.issued),
            expires: time(&inv.expires),
            accepted: inv.accepted.as_ref().map(time),
            state: v.state,
            issuing_tenant_id: inv.issuing_tenant,
            invited_tenant_id: inv.invited_tenant,
            community_id: inv.community,
            community_name: v.community_name,
            invitation_recipient: inv.recipient.to_string(),
            accepted_user_email: inv.accepted_user_email.map(|e| e.to_string()),
            accepted_tenant_name: v.accepted_tenant_name,
            email_delivery: v.delivery.map(|d| DeliveryBody {
                status: d.status.label(),
                attempts: d.attempts,
                last_error: d.last_error,
            }),
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateInvitationInput {
    invitation_recipient: String,
}

async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<CreateInvitationInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path_id(&req, "communityId")?;
    let created = invitations::create(
        &ctx,
        caller.0,
        path_tenant(&req)?,
        community,
        &body.0.invitation_recipient,
    )
    .await?;
    Ok(HttpResponse::Created().json(InvitationBody::from(created)))
}

async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path_id(&req, "communityId")?;
    let found = invitations::list(&ctx, caller.0, path_tenant(&req)?, community, paging.0).await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(InvitationBody::from)
            .collect::<Vec<_>>(),
    ))
}

async fn get(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path_id(&req, "communityId")?;
    let id = path_id(&req, "invitationId")?;
    let found = invitations::get(&ctx, caller.0, path_tenant(&req)?, community, id).await?;
    Ok(HttpResponse::Ok().json(InvitationBody::from(found)))
}

async fn withdraw(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let community = path_id(&req, "communityId")?;
    let id = path_id(&req, "invitationId")?;
    invitations::withdraw(&ctx, caller.0, path_tenant(&req)?, community, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessInvitationInput {
    action: Action,
    /// AVEVA Data Hub: the accepting tenant's point of contact.
    contact_email: Option<String>,
}

/// 200 with the invitation; Resend answers 202 as in OCS, because its
/// email is queued rather than sent.
async fn process(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<ProcessInvitationInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "invitationId")?;
    let ProcessInvitationInput {
        action,
        contact_email,
    } = body.0;
    let done =
        handshake::process_with_contact(&ctx, caller.0, id, action, None, contact_email).await?;
    let body = InvitationBody::from(done);
    Ok(match action {
        Action::Resend => HttpResponse::Accepted().json(body),
        _ => HttpResponse::Ok().json(body),
    })
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DetailsBody {
    community_name: String,
    community_id: CommunityId,
    tenant_already_member_of_community: bool,
    invitation_state: InvitationState,
    contact_email: Option<String>,
}

async fn details(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = path_id(&req, "invitationId")?;
    let d = invitations::details(&ctx, caller.0, id).await?;
    Ok(HttpResponse::Ok().json(DetailsBody {
        community_name: d.community_name,
        community_id: d.community_id,
        tenant_already_member_of_community: d.tenant_already_member,
        invitation_state: d.state,
        contact_email: d.contact_email,
    }))
}

async fn accepted(
    req: HttpRequest,
    caller: ApiCaller,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant = path_id(&req, "tenantId")?;
    let found = invitations::accepted_by_tenant(&ctx, caller.0, tenant, paging.0).await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(InvitationBody::from)
            .collect::<Vec<_>>(),
    ))
}
