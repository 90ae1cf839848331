//! The Tenants tab: the community's tenants with their contact, how many
//! streams each shares and since when it is a member, their More Options
//! (each change behind a confirmation step), and each tenant's shared
//! streams.

use super::frame::community_page;
use super::shared_streams;
use crate::app::communities::{self, CommunityView, TenantInCommunity};
use crate::app::community_tenants;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::CommunityTenantStatus as Status;
use crate::domain::permission::{may_resume, Operation};
use crate::web::pages::confirmation::{confirm_page, ActionForm, Question};
use crate::web::pages::render::{readable_date, Failure, PageResult, Portal};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;

#[derive(Serialize)]
struct TenantRow {
    id: String,
    name: String,
    /// For styling only; people read `status_label`.
    status: &'static str,
    status_label: &'static str,
    is_owner: bool,
    is_mine: bool,
    contact_email: Option<String>,
    streams_shared: u64,
    member_since: String,
    actions: Vec<TenantAction>,
}

/// A More Options entry: the URL segment, the button's words, and whether
/// it takes something away (shown in the one danger style).
#[derive(Serialize, Clone, Copy)]
struct TenantAction {
    verb: &'static str,
    label: &'static str,
    danger: bool,
}

const CONFIRM: TenantAction = TenantAction {
    verb: "confirm",
    label: "Confirm Tenant",
    danger: false,
};
const PAUSE: TenantAction = TenantAction {
    verb: "pause",
    label: "Pause sharing",
    danger: false,
};
const RESUME: TenantAction = TenantAction {
    verb: "resume",
    label: "Resume sharing",
    danger: false,
};
const REMOVE: TenantAction = TenantAction {
    verb: "remove",
    label: "Remove Tenant",
    danger: true,
};
const LEAVE: TenantAction = TenantAction {
    verb: "leave",
    label: "Leave community",
    danger: true,
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
            contact_email: t.contact_email.clone(),
            streams_shared: t.streams_shared,
            member_since: readable_date(&t.joined),
            actions: actions_for(view, me, t),
        })
        .collect()
}

/// A contact form that was refused: what was sent, and why.
pub struct ContactRefused {
    pub sent: String,
    pub reason: String,
}

#[derive(Serialize)]
struct ContactForm {
    email: String,
    error: Option<String>,
}

/// Puts the contact form on the tab for a viewer who may use it: the
/// tenant's point of contact for the community, which every member sees.
fn contact_form(
    page: &mut tera::Context,
    view: &CommunityView,
    me: TenantId,
    refused: Option<ContactRefused>,
) {
    let Some(mine) = view.tenants.iter().find(|t| t.id == me) else {
        return;
    };
    if !view.may(Operation::SetCommunityAlias) {
        return;
    }
    let form = match refused {
        Some(r) => ContactForm {
            email: r.sent,
            error: Some(r.reason),
        },
        None => ContactForm {
            email: mine.contact_email.clone().unwrap_or_default(),
            error: None,
        },
    };
    page.insert("contact_form", &form);
}

pub async fn show(p: &Portal, view: &CommunityView, me: TenantId) -> PageResult {
    let page = tab(p, view, me, None).await?;
    Ok(p.render("community", page))
}

/// The tab's context; `contact` is a contact form sent back with its error.
pub async fn tab(
    p: &Portal,
    view: &CommunityView,
    me: TenantId,
    contact: Option<ContactRefused>,
) -> Result<tera::Context, Failure> {
    let v = p.visitor()?;
    let mut page = community_page(view, me, "tenants");
    page.insert("tenants", &tenant_rows(view, me));
    let shares = shared_streams::rows(p, v, view.community.id).await?;
    page.insert("shares", &shares);
    // Shares need an Active membership; each stream's Share right is
    // checked when the streams are picked.
    page.insert("can_share", &(view.viewer_status == Status::Active));
    contact_form(&mut page, view, me, contact);
    Ok(page)
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
        return Ok(confirm_page(
            p,
            Question {
                title,
                question: &question,
                action: &url,
                button: action.label,
                cancel: &back,
                danger: action.danger,
            },
        ));
    }
    community_tenants::set_status(&p.ctx, v.caller(), None, community, tenant, status).await?;
    let to = if verb == "leave" {
        "/communities".to_string()
    } else {
        back
    };
    Ok(p.done(flash, &to))
}
