//! A tenant's administrators manage its users and their invitations, under
//! AVEVA's Identity paths (`/api/v1/Tenants/{tenantId}/Users...` and
//! `.../Invitations...`), as AVEVA's sample libraries call them. Reading a
//! user stays in `directory`.

use super::directory::{user_body, UserBody};
use super::time;
use crate::app::user_invitations::{self, InvitationInput, InvitationView, Issued, Mode};
use crate::app::users::{self, Outcome, UserInput};
use crate::app::AppError;
use crate::domain::ids::TenantId;
use crate::web::extract::{context, ApiCaller, ApiJson, Paging};
use crate::web::path::{InvitationPath, TenantPath, UserPath};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn operations(table: &mut RouteTable) {
    use super::mounts::TENANT;
    table.add::<__path_create_user, _, _>(TENANT, create_user);
    table.add::<__path_get_or_create_user, _, _>(TENANT, get_or_create_user);
    table.add::<__path_create_or_update_user, _, _>(TENANT, create_or_update_user);
    table.add::<__path_delete_user, _, _>(TENANT, delete_user);
    table.add::<__path_user_invitation, _, _>(TENANT, user_invitation);
    table.add::<__path_get_or_create_invitation, _, _>(TENANT, get_or_create_invitation);
    table.add::<__path_create_or_update_invitation, _, _>(TENANT, create_or_update_invitation);
    table.add::<__path_delete_invitation, _, _>(TENANT, delete_invitation);
    table.add::<__path_invitations, _, _>(TENANT, invitations);
    table.add::<__path_invitation, _, _>(TENANT, invitation);
}

/// A `User` as clients send it. What communityd does not keep (names,
/// identity provider) is accepted and not stored.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UserInputBody {
    id: Option<String>,
    email: Option<String>,
    contact_email: Option<String>,
    role_ids: Option<Vec<String>>,
}

impl From<UserInputBody> for UserInput {
    fn from(b: UserInputBody) -> Self {
        UserInput {
            id: b.id,
            email: b.email,
            contact_email: b.contact_email,
            role_ids: b.role_ids,
        }
    }
}

/// `UserInvitation`: every property present, `null` where it does not
/// apply. `State` is AVEVA's `UserInvitationState` name.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UserInvitationBody {
    id: Uuid,
    issued: String,
    expires: String,
    expires_date_time: String,
    accepted: Option<String>,
    state: &'static str,
    send_invitation: bool,
    identity_provider_id: Option<Uuid>,
    tenant_id: TenantId,
    user_id: Uuid,
}

impl From<InvitationView> for UserInvitationBody {
    fn from(v: InvitationView) -> Self {
        let i = v.invitation;
        Self {
            id: i.id,
            issued: time(&i.issued),
            expires: time(&i.expires),
            expires_date_time: time(&i.expires),
            accepted: i.accepted.as_ref().map(time),
            state: v.state.name(),
            send_invitation: i.send_invitation,
            identity_provider_id: None,
            tenant_id: i.tenant,
            user_id: i.user.0,
        }
    }
}

/// A `UserInvitation` as clients send it: only `SendInvitation` is taken;
/// the rest (times, state) is the server's to set.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UserInvitationInput {
    send_invitation: Option<bool>,
}

fn created_or_ok(created: bool) -> actix_web::HttpResponseBuilder {
    if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    }
}

/// Add a user to your tenant (Tenant Administrator)
#[utoipa::path(post, path = "/Users", request_body = UserInputBody,
    responses((status = 201, description = "The new user", body = UserBody)))]
async fn create_user(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    body: ApiJson<UserInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let made = users::create(&ctx, caller.0, path.tenant, body.0.into()).await?;
    Ok(HttpResponse::Created().json(user_body(made)))
}

/// A user of your tenant, added with this id if it is not there (Tenant Administrator)
#[utoipa::path(post, path = "/Users/{userId}", params(UserPath), request_body = UserInputBody,
    responses((status = 200, description = "The user, already there", body = UserBody),
        (status = 201, description = "The new user", body = UserBody)))]
async fn get_or_create_user(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
    body: ApiJson<UserInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let (user, outcome) =
        users::get_or_create(&ctx, caller.0, path.tenant, one.user, body.0.into()).await?;
    Ok(created_or_ok(outcome == Outcome::Created).json(user_body(user)))
}

/// Add or change a user of your tenant (Tenant Administrator)
#[utoipa::path(put, path = "/Users/{userId}", params(UserPath), request_body = UserInputBody,
    responses((status = 200, description = "The user as changed", body = UserBody),
        (status = 201, description = "The new user", body = UserBody)))]
async fn create_or_update_user(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
    body: ApiJson<UserInputBody>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let (user, outcome) =
        users::create_or_update(&ctx, caller.0, path.tenant, one.user, body.0.into()).await?;
    Ok(created_or_ok(outcome == Outcome::Created).json(user_body(user)))
}

/// Remove a user of your tenant (Tenant Administrator)
#[utoipa::path(delete, path = "/Users/{userId}", params(UserPath),
    responses((status = 204, description = "Removed; the user's sessions ended")))]
async fn delete_user(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    users::delete(&ctx, caller.0, path.tenant, one.user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A user's invitation
#[utoipa::path(get, path = "/Users/{userId}/Invitation", params(UserPath),
    responses((status = 200, description = "The invitation", body = UserInvitationBody)))]
async fn user_invitation(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = user_invitations::of_user(&ctx, caller.0, path.tenant, one.user).await?;
    Ok(HttpResponse::Ok().json(UserInvitationBody::from(found)))
}

async fn issue(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
    body: ApiJson<UserInvitationInput>,
    mode: Mode,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let input = InvitationInput {
        send_invitation: body.0.send_invitation,
    };
    let (view, issued) =
        user_invitations::issue(&ctx, caller.0, path.tenant, one.user, input, mode).await?;
    Ok(created_or_ok(issued == Issued::Created).json(UserInvitationBody::from(view)))
}

/// Invite a user: emails a link to set a password, unless the user has an invitation already (Tenant Administrator)
#[utoipa::path(post, path = "/Users/{userId}/Invitation", params(UserPath),
    request_body = UserInvitationInput,
    responses((status = 200, description = "The invitation, already there", body = UserInvitationBody),
        (status = 201, description = "The new invitation", body = UserInvitationBody)))]
async fn get_or_create_invitation(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
    body: ApiJson<UserInvitationInput>,
) -> Result<HttpResponse, AppError> {
    issue(req, caller, path, one, body, Mode::GetOrCreate).await
}

/// Invite a user, or send the invitation again: a new link, the old one dead (Tenant Administrator)
#[utoipa::path(put, path = "/Users/{userId}/Invitation", params(UserPath),
    request_body = UserInvitationInput,
    responses((status = 200, description = "The invitation, issued again", body = UserInvitationBody),
        (status = 201, description = "The new invitation", body = UserInvitationBody)))]
async fn create_or_update_invitation(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
    body: ApiJson<UserInvitationInput>,
) -> Result<HttpResponse, AppError> {
    issue(req, caller, path, one, body, Mode::CreateOrUpdate).await
}

/// Withdraw a user's invitation: its link stops working (Tenant Administrator)
#[utoipa::path(delete, path = "/Users/{userId}/Invitation", params(UserPath),
    responses((status = 204, description = "Withdrawn")))]
async fn delete_invitation(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: UserPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    user_invitations::withdraw(&ctx, caller.0, path.tenant, one.user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Your tenant's user invitations
#[utoipa::path(get, path = "/Invitations", params(Paging),
    responses((status = 200, description = "The invitations, oldest first", body = [UserInvitationBody])))]
async fn invitations(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    paging: Paging,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = user_invitations::list(&ctx, caller.0, path.tenant, paging.0).await?;
    Ok(HttpResponse::Ok().json(
        found
            .into_iter()
            .map(UserInvitationBody::from)
            .collect::<Vec<_>>(),
    ))
}

/// A user invitation of your tenant
#[utoipa::path(get, path = "/Invitations/{invitationId}", params(InvitationPath),
    responses((status = 200, description = "The invitation", body = UserInvitationBody)))]
async fn invitation(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
    one: InvitationPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = user_invitations::get(&ctx, caller.0, path.tenant, one.invitation.0).await?;
    Ok(HttpResponse::Ok().json(UserInvitationBody::from(found)))
}
