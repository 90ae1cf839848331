//! Inviting several addresses in one request (`POST .../Invitations/Bulk`):
//! one result per address, beside the single form, which stays as OCS
//! has it.

use super::invitations::InvitationBody;
use super::mounts::{COMMUNITY, COMMUNITY_OF_TENANT};
use crate::app::bulk_invitations::{self, Outcome, RecipientResult};
use crate::app::AppError;
use crate::domain::ids::InvitationId;
use crate::web::extract::{context, ApiCaller, ApiJson};
use crate::web::path::{CommunityPath, TenantScope};
use crate::web::route_table::RouteTable;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn operations(table: &mut RouteTable) {
    for mount in [COMMUNITY_OF_TENANT, COMMUNITY] {
        table.add::<__path_create_bulk, _, _>(mount, create_bulk);
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CreateInvitationsInput {
    /// Up to 100 email addresses; each listed once (in any case) is
    /// invited once.
    invitation_recipients: Vec<String>,
}

/// What happened to one address: `Sent`, `AlreadyMember`, `AlreadyInvited`,
/// `Invalid` or `OverDailyCap`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RecipientResultBody {
    invitation_recipient: String,
    result: &'static str,
    /// Why nothing was sent (every result but `Sent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The invitation sent, or the open one that holds the address.
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation_id: Option<InvitationId>,
    /// The invitation sent (`Sent` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation: Option<InvitationBody>,
}

impl RecipientResultBody {
    fn of(r: RecipientResult, cap: u32) -> Self {
        let reason = r.outcome.reason(cap);
        let result = r.outcome.name();
        let (invitation_id, invitation) = match r.outcome {
            Outcome::Sent(view) => (Some(view.invitation.id), Some((*view).into())),
            Outcome::AlreadyInvited(id) => (Some(id), None),
            _ => (None, None),
        };
        Self {
            invitation_recipient: r.recipient,
            result,
            reason,
            invitation_id,
            invitation,
        }
    }
}

/// Invite several tenants by email
///
/// One write for the whole list: the caller's right to invite is checked
/// once, and each address gets its own result. The daily cap counts each
/// address sent. More than 100 addresses: 400, nothing sent.
#[utoipa::path(post, path = "/Invitations/Bulk", request_body = CreateInvitationsInput,
    responses((status = 200, description = "One result per address, in the order listed", body = [RecipientResultBody])))]
async fn create_bulk(
    req: HttpRequest,
    caller: ApiCaller,
    scope: TenantScope,
    path: CommunityPath,
    body: ApiJson<CreateInvitationsInput>,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let recipients = body.0.invitation_recipients;
    let results =
        bulk_invitations::create(&ctx, caller.0, scope.0, path.community, &recipients).await?;
    let cap = ctx.settings.invitations_per_community_per_day;
    Ok(HttpResponse::Ok().json(
        results
            .into_iter()
            .map(|r| RecipientResultBody::of(r, cap))
            .collect::<Vec<_>>(),
    ))
}
