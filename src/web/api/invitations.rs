//! Community invitations API: create, list, get, delete (withdraw), process
//! an action (Accept, Decline, Confirm, Resend), details, and the
//! invitations addressed to a tenant (accepted, or still open).

use super::mounts::{COMMUNITY, COMMUNITY_OF_TENANT, INVITATIONS, INVITATIONS_OF_TENANT};
use super::sds::request::Query;
use super::time;
use crate::app::handshake::{self, Action};
use crate::app::incoming_invitations;
use crate::app::invitations::{self, InvitationView};
use crate::app::AppError;
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::invitation::InvitationState;
use crate::web::extract::{context, ApiCaller, ApiJson, Paging};
use crate::web::path::{CommunityPath, InvitationPath, TenantPath, TenantScope};
use crate::web::route_table::RouteTable;
use crate::web::schemas::query_param;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};

pub fn operations(table: &mut RouteTable) {
    for mount in [COMMUNITY_OF_TENANT, COMMUNITY] {
        table.add::<__path_list, _, _>(mount, list);
        table.add::<__path_create, _, _>(mount, create);
        table.add::<__path_get, _, _>(mount, get);
        table.add::<__path_withdraw, _, _>(mount, withdraw);
    }
    table.add::<__path_process, _, _>(INVITATIONS, process);
    table.add::<__path_details, _, _>(INVITATIONS, details);
    table.add::<__path_accepted, _, _>(INVITATIONS_OF_TENANT, accepted);
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
    /// The inviting tenant's name, in the invited tenant's list of open
    /// invitations (`state=InvitationCreated`) only.
    #[serde(skip_serializing_if = "Option::is_none")]
    issuing_tenant_name: Option<String>,
}

impl InvitationBody {
    fn issued_by(mut self, tenant_name: String) -> Self {
        self.issuing_tenant_name = Some(tenant_name);
        self
    }
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
            issuing_tenant_name: None,
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateInvitationInput {
    invitation_recipient: String,
}

/// Invite a tenant by email
#[utoipa::path(post, path = "/Invitations", request_body = CreateInvitationInput,
    responses((status = 201, description = "Invited; the email is queued", body = InvitationBody)))]
async fn create(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
    body: ApiJson<CreateInvitationInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let created = invitations::create(
        &ctx,
        caller.0,
        scope.0,
        path.community,
        &body.0.invitation_recipient,
    )
    .await?;
    Ok(HttpResponse::Created().json(InvitationBody::from(created)))
}

/// Invitations the tenant issued
#[utoipa::path(get, path = "/Invitations", params(Paging),
    responses((status = 200, description = "Invitations the tenant issued", body = [InvitationBody])))]
async fn list(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = invitations::list(&ctx, caller.0, scope.0, path.community, paging.0).await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(InvitationBody::from)
            .collect::<Vec<_>>(),
    ))
}

/// An invitation
#[utoipa::path(get, path = "/Invitations/{invitationId}", params(InvitationPath),
    responses((status = 200, description = "The invitation", body = InvitationBody)))]
async fn get(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
    one: InvitationPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = invitations::get(&ctx, caller.0, scope.0, path.community, one.invitation).await?;
    Ok(HttpResponse::Ok().json(InvitationBody::from(found)))
}

/// Withdraw an invitation
#[utoipa::path(delete, path = "/Invitations/{invitationId}", params(InvitationPath),
    responses((status = 204, description = "Withdrawn")))]
async fn withdraw(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
    one: InvitationPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    invitations::withdraw(&ctx, caller.0, scope.0, path.community, one.invitation).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessInvitationInput {
    action: Action,
    /// AVEVA Data Hub: the accepting tenant's point of contact.
    contact_email: Option<String>,
}

/// Accept, decline, confirm or resend an invitation
///
/// 200 with the invitation; Resend answers 202 as in OCS, because its
/// email is queued rather than sent.
#[utoipa::path(put, path = "/CommunityInvitations/{invitationId}", params(InvitationPath),
    request_body = ProcessInvitationInput,
    responses(
        (status = 200, description = "The invitation after the action", body = InvitationBody),
        (status = 202, description = "Resent: the email is queued", body = InvitationBody),
    ))]
async fn process(
    req: HttpRequest,
    caller: ApiCaller,
    one: InvitationPath,
    body: ApiJson<ProcessInvitationInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let id = one.invitation;
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

/// What an invitation is for
#[utoipa::path(get, path = "/CommunityInvitations/{invitationId}/Details", params(InvitationPath),
    responses((status = 200, description = "What the invitation is for", body = DetailsBody)))]
async fn details(
    req: HttpRequest,
    caller: ApiCaller,
    one: InvitationPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let d = invitations::details(&ctx, caller.0, one.invitation).await?;
    Ok(HttpResponse::Ok().json(DetailsBody {
        community_name: d.community_name,
        community_id: d.community_id,
        tenant_already_member_of_community: d.tenant_already_member,
        invitation_state: d.state,
        contact_email: d.contact_email,
    }))
}

/// `state` of the tenant's invitation list: the accepted ones (I7's own
/// answer, the default) or the ones still waiting for an answer.
pub struct AddressedParams;

impl utoipa::IntoParams for AddressedParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = vec![query_param(
            "state",
            "InvitationAccepted (default): invitations the tenant accepted that await the inviter's confirmation. \
             InvitationCreated: open invitations addressed to the tenant's users that nobody has answered yet, \
             with the inviting tenant's name; accept or decline them by id without the email's link.",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(ADDRESSED_STATES)),
        )];
        params.extend(Paging::into_params(|| None));
        params
    }
}

/// The values `state` takes.
const ADDRESSED_STATES: [&str; 2] = ["InvitationAccepted", "InvitationCreated"];

/// The list `state` asks for: true for the open (created) ones.
fn wants_open(req: &HttpRequest) -> Result<bool, AppError> {
    let query = Query::of(req);
    match query.get("state") {
        None => Ok(false),
        Some(s) if s.eq_ignore_ascii_case(ADDRESSED_STATES[0]) => Ok(false),
        Some(s) if s.eq_ignore_ascii_case(ADDRESSED_STATES[1]) => Ok(true),
        Some(_) => Err(AppError::invalid(
            "state",
            format!("must be one of {}", ADDRESSED_STATES.join(", ")),
        )),
    }
}

/// Invitations addressed to the tenant: accepted ones awaiting
/// confirmation, or with `state=InvitationCreated` the open ones
#[utoipa::path(get, path = "/CommunityInvitations", params(AddressedParams),
    responses((status = 200, description = "Invitations addressed to the tenant in the state asked for", body = [InvitationBody])))]
async fn accepted(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let tenant = path.tenant;
    let bodies: Vec<InvitationBody> = if wants_open(&req)? {
        incoming_invitations::list(&ctx, caller.0, tenant, paging.0)
            .await?
            .into_iter()
            .map(|i| InvitationBody::from(i.view).issued_by(i.inviting_tenant))
            .collect()
    } else {
        invitations::accepted_by_tenant(&ctx, caller.0, tenant, paging.0)
            .await?
            .into_iter()
            .map(InvitationBody::from)
            .collect()
    };
    Ok(HttpResponse::Ok().json(bodies))
}
