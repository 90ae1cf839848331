//! The caller's communities (and those awaiting the inviter's confirmation),
//! the invitations addressed to the tenant's people (answered through the
//! same form as an invitation's email link), creating a community, and
//! deleting one (by its owner).

use super::render::{readable_time, PageResult, Portal};
use crate::app::communities::{self, CommunityView};
use crate::app::incoming_invitations::{self, IncomingInvitation};
use crate::app::portal;
use crate::domain::ids::CommunityId;
use crate::domain::membership::CommunityTenantStatus;
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

/// A community the tenant joined that waits for the inviter's Confirm.
#[derive(Serialize)]
struct AwaitingRow {
    community_name: String,
    inviting_tenant: String,
    accepted: Option<String>,
}

/// An invitation to the tenant nobody has answered yet: Join or Decline.
#[derive(Serialize)]
struct IncomingRow {
    id: String,
    community_name: String,
    inviting_tenant: String,
    recipient: String,
    expires: String,
}

impl IncomingRow {
    fn of(i: &IncomingInvitation) -> Self {
        let inv = &i.view.invitation;
        Self {
            id: inv.id.to_string(),
            community_name: i.view.community_name.clone(),
            inviting_tenant: i.inviting_tenant.clone(),
            recipient: inv.recipient.to_string(),
            expires: readable_time(&inv.expires),
        }
    }
}

#[derive(Serialize)]
struct CommunityRow {
    id: String,
    name: String,
    alias: String,
    description: String,
    tenant_count: usize,
    summary: String,
}

/// "1 Sharing Active, 1 Awaiting Confirmation": what people scan for.
fn status_summary(view: &CommunityView) -> String {
    let order = [
        CommunityTenantStatus::Active,
        CommunityTenantStatus::Paused,
        CommunityTenantStatus::AwaitingConfirmation,
    ];
    order
        .iter()
        .filter_map(|s| {
            let n = view.tenants.iter().filter(|t| t.status == *s).count();
            (n > 0).then(|| format!("{n} {}", s.label()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(view: &CommunityView) -> CommunityRow {
    CommunityRow {
        id: view.community.id.to_string(),
        name: view.community.name.as_str().to_string(),
        alias: view.alias.clone(),
        description: view.community.description.clone(),
        tenant_count: view.tenants.len(),
        summary: status_summary(view),
    }
}

pub async fn list(p: Portal) -> HttpResponse {
    let result = list_inner(&p).await;
    p.finish(result)
}

async fn list_inner(p: &Portal) -> PageResult {
    let v = p.visitor()?;
    let views = communities::list(&p.ctx, v.caller(), None, Page::default()).await?;
    let rows: Vec<CommunityRow> = views.iter().map(row).collect();
    let awaiting: Vec<AwaitingRow> = portal::awaiting_memberships(&p.ctx, v.caller())
        .await?
        .into_iter()
        .map(|a| AwaitingRow {
            community_name: a.community_name,
            inviting_tenant: a.inviting_tenant,
            accepted: a.accepted.as_ref().map(readable_time),
        })
        .collect();
    let incoming: Vec<IncomingRow> =
        incoming_invitations::for_page(&p.ctx, v.caller(), Page::default())
            .await?
            .iter()
            .map(IncomingRow::of)
            .collect();
    let mut page = tera::Context::new();
    page.insert("communities", &rows);
    page.insert("awaiting", &awaiting);
    page.insert("incoming", &incoming);
    page.insert(
        "can_create",
        &Operation::CreateCommunity.allows(v.who.tenant_roles),
    );
    Ok(p.render("communities", page))
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    description: Option<String>,
}

pub async fn create(p: Portal, form: web::Form<CreateForm>) -> HttpResponse {
    let result = create_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn create_inner(p: &Portal, form: CreateForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let description = form.description.filter(|d| !d.trim().is_empty());
    let input = communities::NewCommunity {
        name: form.name,
        description,
        ..Default::default()
    };
    let view = communities::create(&p.ctx, v.caller(), None, input).await?;
    Ok(p.done("created", &format!("/communities/{}", view.community.id)))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm_name: String,
}

pub async fn delete(
    p: Portal,
    path: web::Path<CommunityId>,
    form: web::Form<DeleteForm>,
) -> HttpResponse {
    let result = delete_inner(&p, path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

/// Deleting ends every membership and share, so the name must be typed.
async fn delete_inner(p: &Portal, id: CommunityId, form: DeleteForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let view = communities::get(&p.ctx, v.caller(), None, id).await?;
    let name = view.community.name.as_str();
    if form.confirm_name.trim() != name {
        let mut page = tera::Context::new();
        page.insert("title", "Delete community?");
        page.insert(
            "question",
            &format!("Deleting '{name}' removes every tenant from it and stops all sharing. This cannot be undone."),
        );
        page.insert("action", &format!("/communities/{id}/delete"));
        page.insert("button", "Delete community");
        page.insert("cancel", &format!("/communities/{id}"));
        page.insert("typed_name", name);
        page.insert("danger", &true);
        page.insert("typed_wrong", &!form.confirm_name.is_empty());
        return Ok(p.render("confirm", page));
    }
    communities::delete(&p.ctx, v.caller(), None, id).await?;
    Ok(p.done("deleted", "/communities"))
}
