//! Community details: the Tenants and Invitations tabs, an invitation's
//! details, and every action on them, each behind a confirmation step.

use super::render::{readable_time, PageResult, Portal};
use crate::app::communities::{self, CommunityView, TenantInCommunity};
use crate::app::community_tenants;
use crate::app::handshake::{self, Action};
use crate::app::invitations::{self, InvitationView};
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::invitation::InvitationState;
use crate::domain::membership::CommunityTenantStatus as Status;
use crate::domain::notification::DeliveryStatus;
use crate::domain::paging::Page;
use crate::domain::permission::{may_resume, Operation};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
}

#[derive(Serialize)]
struct TenantRow {
    id: String,
    name: String,
    status: &'static str,
    status_label: &'static str,
    is_owner: bool,
    is_mine: bool,
    actions: Vec<TenantAction>,
}

/// A More Options entry: the URL segment and the button's words.
#[derive(Serialize, Clone, Copy)]
struct TenantAction {
    verb: &'static str,
    label: &'static str,
}

const CONFIRM: TenantAction = TenantAction {
    verb: "confirm",
    label: "Confirm Tenant",
};
const PAUSE: TenantAction = TenantAction {
    verb: "pause",
    label: "Pause sharing",
};
const RESUME: TenantAction = TenantAction {
    verb: "resume",
    label: "Resume sharing",
};
const REMOVE: TenantAction = TenantAction {
    verb: "remove",
    label: "Remove Tenant",
};
const LEAVE: TenantAction = TenantAction {
    verb: "leave",
    label: "Leave community",
};

/// The options this viewer may use on this tenant (the server checks again).
fn actions_for(view: &CommunityView, me: TenantId, t: &TenantInCommunity) -> Vec<TenantAction> {
    let roles = view.viewer_roles;
    let owner_side = view.community.owner == me;
    let mine = t.id == me;
    let mut out = Vec::new();
    if t.status == Status::AwaitingConfirmation && owner_side && view.may(Operation::ConfirmTenant)
    {
        out.push(CONFIRM);
    }
    // The owner is Active for as long as the community exists.
    if !t.is_owner && (owner_side || mine) && Operation::PauseOrResumeTenant.allows(roles) {
        match t.status {
            Status::Active => out.push(PAUSE),
            Status::Paused if may_resume(t.paused_by, mine, owner_side) => out.push(RESUME),
            _ => {}
        }
    }
    if !mine && !t.is_owner && owner_side && Operation::RemoveTenant.allows(roles) {
        out.push(REMOVE);
    }
    if mine && !t.is_owner && Operation::LeaveCommunity.allows(roles) {
        out.push(LEAVE);
    }
    out
}

fn tenant_rows(view: &CommunityView, me: TenantId) -> Vec<TenantRow> {
    view.tenants
        .iter()
        .map(|t| TenantRow {
            id: t.id.to_string(),
            name: t.name.clone(),
            status: t.status.name(),
            status_label: t.status.label(),
            is_owner: t.is_owner,
            is_mine: t.id == me,
            actions: actions_for(view, me, t),
        })
        .collect()
}

#[derive(Serialize)]
struct InvitationRow {
    id: String,
    recipient: String,
    state: &'static str,
    state_label: &'static str,
    issued: String,
    expires: String,
    delivery: String,
    accepted_tenant_name: Option<String>,
    accepted_user_email: Option<String>,
    can_resend: bool,
    can_delete: bool,
    can_confirm: bool,
}

/// "sent 3 May 2025 10:00 UTC", "failing after 3 tries: <error>".
fn delivery_text(view: &InvitationView) -> String {
    let Some(d) = &view.delivery else {
        return "no email".into();
    };
    let error = d.last_error.as_deref().unwrap_or("unknown error");
    match &d.status {
        DeliveryStatus::Queued => "queued".into(),
        DeliveryStatus::Retrying => format!("retrying after {} tries: {error}", d.attempts),
        DeliveryStatus::Sent { at } => format!("sent {}", readable_time(at)),
        DeliveryStatus::Failed => format!("failed after {} tries: {error}", d.attempts),
        DeliveryStatus::Dropped { reason } => format!("not sent: {reason}"),
    }
}

fn invitation_row(view: &CommunityView, inv: &InvitationView) -> InvitationRow {
    let roles = view.viewer_roles;
    let state = inv.state;
    let i = &inv.invitation;
    InvitationRow {
        id: i.id.to_string(),
        recipient: i.recipient.to_string(),
        state: state.name(),
        state_label: state.label(),
        issued: readable_time(&i.issued),
        expires: readable_time(&i.expires),
        delivery: delivery_text(inv),
        accepted_tenant_name: inv.accepted_tenant_name.clone(),
        accepted_user_email: i.accepted_user_email.as_ref().map(|e| e.to_string()),
        can_resend: matches!(
            state,
            InvitationState::InvitationCreated | InvitationState::InvitationExpired
        ) && view.may(Operation::ResendInvitation),
        can_delete: Operation::WithdrawInvitation.allows(roles),
        can_confirm: state == InvitationState::InvitationAccepted
            && view.may(Operation::ConfirmTenant),
    }
}

/// Accepted invitations first (they wait for this side), then newest first.
fn invitation_rows(view: &CommunityView, mut list: Vec<InvitationView>) -> Vec<InvitationRow> {
    list.sort_by_key(|inv| {
        (
            inv.state != InvitationState::InvitationAccepted,
            std::cmp::Reverse(inv.invitation.issued),
        )
    });
    list.iter().map(|inv| invitation_row(view, inv)).collect()
}

fn community_page(view: &CommunityView, me: TenantId, tab: &str) -> tera::Context {
    let roles = view.viewer_roles;
    let mut page = tera::Context::new();
    page.insert("id", &view.community.id.to_string());
    page.insert("name", view.community.name.as_str());
    page.insert("alias", &view.alias);
    page.insert("description", &view.community.description);
    page.insert("tab", tab);
    page.insert("tenants", &tenant_rows(view, me));
    page.insert(
        "can_view_invitations",
        &Operation::ViewInvitations.allows(roles),
    );
    page.insert("can_invite", &view.may(Operation::InviteTenant));
    page.insert(
        "can_delete",
        &(view.community.owner == me && Operation::DeleteCommunity.allows(roles)),
    );
    page
}

pub async fn show(
    p: Portal,
    path: web::Path<CommunityId>,
    q: web::Query<TabQuery>,
) -> HttpResponse {
    let result = show_inner(&p, path.into_inner(), q.tab.as_deref()).await;
    p.finish(result)
}

async fn show_inner(p: &Portal, id: CommunityId, tab: Option<&str>) -> PageResult {
    let v = p.visitor()?;
    let view = communities::get(&p.ctx, v.caller(), None, id).await?;
    let tab = if tab == Some("invitations") && Operation::ViewInvitations.allows(view.viewer_roles)
    {
        "invitations"
    } else {
        "tenants"
    };
    let mut page = community_page(&view, v.session.tenant, tab);
    if tab == "invitations" {
        let list = invitations::list(&p.ctx, v.caller(), None, id, Page::default()).await?;
        page.insert("invitations", &invitation_rows(&view, list));
    } else {
        page.insert("shares", &super::shared_streams::rows(p, v, id).await?);
    }
    Ok(p.render("community", page))
}

pub async fn invitation(p: Portal, path: web::Path<(CommunityId, InvitationId)>) -> HttpResponse {
    let (community, id) = path.into_inner();
    let result = invitation_inner(&p, community, id).await;
    p.finish(result)
}

async fn invitation_inner(p: &Portal, community: CommunityId, id: InvitationId) -> PageResult {
    let v = p.visitor()?;
    let view = communities::get(&p.ctx, v.caller(), None, community).await?;
    let inv = invitations::get(&p.ctx, v.caller(), None, community, id).await?;
    let mut page = community_page(&view, v.session.tenant, "invitations");
    page.insert("invitation", &invitation_row(&view, &inv));
    Ok(p.render("invitation", page))
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    confirm: Option<String>,
}

impl ActionForm {
    fn confirmed(&self) -> bool {
        self.confirm.as_deref() == Some("yes")
    }
}

/// The second step every state change goes through.
fn confirm_page(
    p: &Portal,
    title: &str,
    question: &str,
    action: &str,
    button: &str,
    cancel: &str,
) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", title);
    page.insert("question", question);
    page.insert("action", action);
    page.insert("button", button);
    page.insert("cancel", cancel);
    p.render("confirm", page)
}

pub async fn tenant_action(
    p: Portal,
    path: web::Path<(CommunityId, TenantId, String)>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let (community, tenant, verb) = path.into_inner();
    let result = tenant_action_inner(&p, community, tenant, &verb, form.into_inner()).await;
    p.finish(result)
}

async fn tenant_action_inner(
    p: &Portal,
    community: CommunityId,
    tenant: TenantId,
    verb: &str,
    form: ActionForm,
) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let view = communities::get(&p.ctx, v.caller(), None, community).await?;
    let name = view
        .tenants
        .iter()
        .find(|t| t.id == tenant)
        .map(|t| t.name.clone())
        .ok_or_else(|| {
            crate::app::AppError::not_found("that tenant is not a member of this community")
        })?;
    let cname = view.community.name.as_str();
    let (action, title, question, status, flash) = match verb {
        "confirm" => (CONFIRM, "Confirm Tenant?", format!("Tenant '{name}' will become an Active member of '{cname}' and its users can share data there."), Status::Active, "confirmed"),
        "pause" => (PAUSE, "Pause sharing?", format!("Sharing between '{name}' and '{cname}' stops until it is resumed."), Status::Paused, "paused"),
        "resume" => (RESUME, "Resume sharing?", format!("Sharing between '{name}' and '{cname}' starts again."), Status::Active, "resumed"),
        "remove" => (REMOVE, "Remove Tenant?", format!("Tenant '{name}' leaves '{cname}'; its shares are revoked and it must be invited again to return."), Status::Remove, "removed"),
        "leave" => (LEAVE, "Leave community?", format!("Your tenant '{name}' leaves '{cname}'; its shares are revoked and it must be invited again to return."), Status::Remove, "left"),
        _ => return Ok(p.message(StatusCode::NOT_FOUND, "Not found", "There is no such action.")),
    };
    let back = format!("/communities/{community}");
    if !form.confirmed() {
        let url = format!("/communities/{community}/tenants/{tenant}/{verb}");
        return Ok(confirm_page(p, title, &question, &url, action.label, &back));
    }
    community_tenants::set_status(&p.ctx, v.caller(), None, community, tenant, status).await?;
    let to = if verb == "leave" {
        "/communities".to_string()
    } else {
        back
    };
    Ok(p.done(flash, &to))
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    recipient: String,
}

pub async fn invite(
    p: Portal,
    path: web::Path<CommunityId>,
    form: web::Form<InviteForm>,
) -> HttpResponse {
    let community = path.into_inner();
    let result = invite_inner(&p, community, form.into_inner()).await;
    p.finish(result)
}

async fn invite_inner(p: &Portal, community: CommunityId, form: InviteForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    invitations::create(&p.ctx, v.caller(), None, community, form.recipient.trim()).await?;
    Ok(p.done(
        "invited",
        &format!("/communities/{community}?tab=invitations"),
    ))
}

pub async fn invitation_action(
    p: Portal,
    path: web::Path<(CommunityId, InvitationId, String)>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let (community, id, verb) = path.into_inner();
    let result = invitation_action_inner(&p, community, id, &verb, form.into_inner()).await;
    p.finish(result)
}

async fn invitation_action_inner(
    p: &Portal,
    community: CommunityId,
    id: InvitationId,
    verb: &str,
    form: ActionForm,
) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let inv = invitations::get(&p.ctx, v.caller(), None, community, id).await?;
    let who = inv.invitation.recipient.to_string();
    let accepted_by = inv.accepted_tenant_name.clone().unwrap_or_default();
    let (title, question, button) = match verb {
        "confirm" => ("Confirm Tenant?", format!("Tenant '{accepted_by}' (accepted by {}) will become an Active member of '{}'. Confirm only if this is the tenant you meant to invite.", inv.invitation.accepted_user_email.as_ref().map(|e| e.to_string()).unwrap_or_else(|| who.clone()), inv.community_name), "Confirm Tenant"),
        "resend" => ("Resend Invitation?", format!("A new email goes to {who} with a new link and a new expiry; the old link stops working."), "Resend Invitation"),
        "delete" => ("Delete invitation?", format!("The invitation to {who} is withdrawn and its link stops working."), "Delete invitation"),
        _ => return Ok(p.message(StatusCode::NOT_FOUND, "Not found", "There is no such action.")),
    };
    let back = format!("/communities/{community}?tab=invitations");
    if !form.confirmed() {
        let url = format!("/communities/{community}/invitations/{id}/{verb}");
        return Ok(confirm_page(p, title, &question, &url, button, &back));
    }
    let flash = match verb {
        "confirm" => {
            handshake::process(&p.ctx, v.caller(), id, Action::Confirm, None).await?;
            return Ok(p.done("confirmed", &format!("/communities/{community}")));
        }
        "resend" => {
            handshake::process(&p.ctx, v.caller(), id, Action::Resend, None).await?;
            "resent"
        }
        _ => {
            invitations::withdraw(&p.ctx, v.caller(), None, community, id).await?;
            "withdrawn"
        }
    };
    Ok(p.done(flash, &back))
}
