//! The Invitations tab: the invitations awaiting Confirm Tenant at the top,
//! the list paged newest first with a filter by state, one invitation's
//! details, Invite Tenant, and Confirm / Resend / Delete behind a
//! confirmation step.

use super::frame::community_page;
use crate::app::communities::{self, CommunityView};
use crate::app::handshake::{self, Action};
use crate::app::invitations::{self, InvitationView};
use crate::app::portal;
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::invitation::InvitationState;
use crate::domain::notification::DeliveryStatus;
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::web::pages::confirmation::{confirm_page, ActionForm, Question};
use crate::web::pages::render::{readable_time, PageResult, Portal};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

/// Rows per page of the list.
const PER_PAGE: usize = 20;

/// The filter links: URL key, the words shown, the state it keeps.
const FILTERS: [(&str, &str, Option<InvitationState>); 6] = [
    ("all", "All", None),
    (
        "pending",
        "Pending",
        Some(InvitationState::InvitationCreated),
    ),
    (
        "accepted",
        "Accepted",
        Some(InvitationState::InvitationAccepted),
    ),
    (
        "declined",
        "Declined",
        Some(InvitationState::InvitationDeclined),
    ),
    (
        "expired",
        "Expired",
        Some(InvitationState::InvitationExpired),
    ),
    (
        "completed",
        "Completed",
        Some(InvitationState::InvitationCompleted),
    ),
];

#[derive(Serialize)]
struct FilterLink {
    key: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Serialize)]
struct InvitationRow {
    id: String,
    recipient: String,
    /// For styling only; people read `state_label`.
    state: &'static str,
    state_label: &'static str,
    issued: String,
    expires: String,
    delivery: String,
    /// The email is still on its way (queued or retrying): the page's
    /// script refreshes these cells until it settles.
    delivery_pending: bool,
    accepted_tenant_name: Option<String>,
    accepted_user_email: Option<String>,
    accepted: Option<String>,
    can_resend: bool,
    can_delete: bool,
    can_confirm: bool,
}

/// "Queued for sending", "Sent 3 May 2025 10:00 UTC", "Failing after 3
/// tries: <error>".
fn delivery_text(view: &InvitationView) -> (String, bool) {
    let Some(d) = &view.delivery else {
        return ("No email".into(), false);
    };
    let error = d.last_error.as_deref().unwrap_or("unknown error");
    match &d.status {
        DeliveryStatus::Queued => ("Queued for sending".into(), true),
        DeliveryStatus::Retrying => (
            format!("Retrying after {} tries: {error}", d.attempts),
            true,
        ),
        DeliveryStatus::Sent { at } => (format!("Sent {}", readable_time(at)), false),
        DeliveryStatus::Failed => (format!("Failed after {} tries: {error}", d.attempts), false),
        DeliveryStatus::Dropped { reason } => (format!("Not sent: {reason}"), false),
    }
}

fn invitation_row(view: &CommunityView, inv: &InvitationView) -> InvitationRow {
    let roles = view.viewer_roles;
    let state = inv.state;
    let i = &inv.invitation;
    let (delivery, delivery_pending) = delivery_text(inv);
    InvitationRow {
        id: i.id.to_string(),
        recipient: i.recipient.to_string(),
        state: state.name(),
        state_label: state.label(),
        issued: readable_time(&i.issued),
        expires: readable_time(&i.expires),
        delivery,
        delivery_pending,
        accepted_tenant_name: inv.accepted_tenant_name.clone(),
        accepted_user_email: i.accepted_user_email.as_ref().map(|e| e.to_string()),
        accepted: i.accepted.as_ref().map(readable_time),
        can_resend: matches!(
            state,
            InvitationState::InvitationCreated | InvitationState::InvitationExpired
        ) && view.may(Operation::ResendInvitation),
        can_delete: Operation::WithdrawInvitation.allows(roles),
        can_confirm: state == InvitationState::InvitationAccepted
            && view.may(Operation::ConfirmTenant),
    }
}

fn filter_of(key: Option<&str>) -> (&'static str, Option<InvitationState>) {
    FILTERS
        .iter()
        .find(|(k, _, _)| Some(*k) == key)
        .map(|(k, _, s)| (*k, *s))
        .unwrap_or(("all", None))
}

/// The tab, showing the states `filter` (one of `FILTERS`' keys) keeps,
/// from the row `skip` on.
pub async fn show(
    p: &Portal,
    view: &CommunityView,
    me: TenantId,
    filter: Option<&str>,
    skip: usize,
) -> PageResult {
    let v = p.visitor()?;
    let (key, only) = filter_of(filter);
    let page_of = Page {
        skip,
        count: PER_PAGE,
    };
    let found =
        portal::invitation_page(&p.ctx, v.caller(), view.community.id, only, page_of).await?;
    let rows = |list: &[InvitationView]| -> Vec<InvitationRow> {
        list.iter().map(|inv| invitation_row(view, inv)).collect()
    };
    let mut page = community_page(view, me, "invitations");
    page.insert("awaiting", &rows(&found.awaiting));
    page.insert("invitations", &rows(&found.rows));
    page.insert(
        "filters",
        &FILTERS
            .iter()
            .map(|(k, label, _)| FilterLink {
                key: k,
                label,
                current: *k == key,
            })
            .collect::<Vec<_>>(),
    );
    page.insert("state_key", key);
    page.insert("filtered", &only.is_some());
    page.insert(
        "newer_skip",
        &(skip > 0).then(|| skip.saturating_sub(PER_PAGE)),
    );
    page.insert("older_skip", &found.more.then_some(skip + PER_PAGE));
    page.insert(
        "delivery_pending",
        &found.rows.iter().any(|inv| delivery_text(inv).1),
    );
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
    let person = inv
        .invitation
        .accepted_user_email
        .as_ref()
        .map(|e| e.to_string())
        .unwrap_or_else(|| who.clone());
    let cname = &inv.community_name;
    let (title, question, button, danger) = match verb {
        "confirm" => ("Confirm Tenant?", format!("Tenant '{accepted_by}' (accepted by {person}) becomes a member of '{cname}' with sharing active. Confirm only if this is the tenant you meant to invite."), "Confirm Tenant", false),
        "resend" => ("Resend Invitation?", format!("A new email goes to {who} with a new link and a new expiry. The link in the earlier email stops working."), "Resend Invitation", false),
        "delete" => ("Delete invitation?", format!("The invitation to {who} is withdrawn and its link stops working."), "Delete invitation", true),
        _ => return Ok(p.message(StatusCode::NOT_FOUND, "Not found", "There is no such action.")),
    };
    let back = format!("/communities/{community}?tab=invitations");
    if !form.confirmed() {
        let url = format!("/communities/{community}/invitations/{id}/{verb}");
        return Ok(confirm_page(
            p,
            Question {
                title,
                question: &question,
                action: &url,
                button,
                cancel: &back,
                danger,
            },
        ));
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
