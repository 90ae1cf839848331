//! The Roles tab: community roles of the tenant's own users and clients,
//! granted and revoked through the same use cases (and rules) as the API.

use super::frame::community_page;
use crate::app::communities::{self, CommunityView};
use crate::app::{community_roles, portal, AppError};
use crate::domain::ids::{CommunityId, PrincipalKind, TenantId};
use crate::domain::role::Role;
use crate::web::pages::confirmation::{confirm_page, ActionForm, Question};
use crate::web::pages::render::{self, Failure, PageResult, Portal};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A role as a checkbox: the form's value and the words shown.
#[derive(Serialize)]
struct RoleBox {
    key: &'static str,
    label: &'static str,
    held: bool,
}

#[derive(Serialize)]
struct IdentityRow {
    kind: &'static str,
    kind_label: &'static str,
    id: String,
    label: String,
    roles: Vec<RoleBox>,
    /// "Community Administrator, Community Member", or "No roles".
    summary: String,
    holds_any: bool,
}

/// The community roles in the order people read them, with form keys.
const ROLES: [(&str, Role); 3] = [
    ("administrator", Role::CommunityAdministrator),
    ("moderator", Role::CommunityModerator),
    ("member", Role::CommunityMember),
];

fn kind_key(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "users",
        PrincipalKind::Client => "clients",
    }
}

fn kind_of(key: &str) -> Option<PrincipalKind> {
    match key {
        "users" => Some(PrincipalKind::User),
        "clients" => Some(PrincipalKind::Client),
        _ => None,
    }
}

pub async fn show(p: &Portal, view: &CommunityView, me: TenantId) -> PageResult {
    let mut page = tab(p, view, me, None).await?;
    Ok(p.render_status(StatusCode::OK, "community", &mut page))
}

/// A form that was not saved: the ticks as they were sent, and why.
struct Refused<'a> {
    kind: PrincipalKind,
    id: Uuid,
    form: &'a RolesForm,
    reason: String,
}

/// The tab's page; with `refused`, that identity's row shows the ticks
/// as sent, and the reason is said above the table.
async fn tab(
    p: &Portal,
    view: &CommunityView,
    me: TenantId,
    refused: Option<Refused<'_>>,
) -> Result<tera::Context, Failure> {
    let v = p.visitor()?;
    let (can_grant, holders) =
        portal::community_identities(&p.ctx, v.caller(), view.community.id).await?;
    let mut refused_label = None;
    let rows: Vec<IdentityRow> = holders
        .iter()
        .map(|h| {
            let sent = refused
                .as_ref()
                .filter(|r| h.id.kind() == r.kind && h.id.as_uuid() == r.id)
                .map(|r| r.form);
            if sent.is_some() {
                refused_label = Some(h.label.clone());
            }
            let kind = h.id.kind();
            let held: Vec<&str> = ROLES
                .iter()
                .filter(|(_, r)| h.roles.contains(*r))
                .map(|(_, r)| r.name())
                .collect();
            IdentityRow {
                kind: kind_key(kind),
                kind_label: if kind == PrincipalKind::User {
                    "User"
                } else {
                    "Client"
                },
                id: h.id.as_uuid().to_string(),
                label: h.label.clone(),
                roles: ROLES
                    .iter()
                    .map(|(key, r)| RoleBox {
                        key,
                        label: r.name(),
                        held: match sent {
                            Some(form) => form.ticked(r),
                            None => h.roles.contains(*r),
                        },
                    })
                    .collect(),
                summary: if held.is_empty() {
                    "No roles".into()
                } else {
                    held.join(", ")
                },
                holds_any: !h.roles.is_empty(),
            }
        })
        .collect();
    let mut page = community_page(view, me, "roles");
    page.insert("identities", &rows);
    page.insert("can_grant", &can_grant);
    if let Some(r) = refused {
        let whose = refused_label.map_or(String::new(), |l| format!(" of {l}"));
        page.insert(
            "roles_error",
            &format!("The roles{whose} were not saved: {}", r.reason),
        );
    }
    Ok(page)
}

#[derive(Deserialize)]
pub struct RolesForm {
    #[serde(default)]
    csrf: String,
    administrator: Option<String>,
    moderator: Option<String>,
    member: Option<String>,
}

impl RolesForm {
    fn ticked(&self, role: &Role) -> bool {
        match role {
            Role::CommunityAdministrator => self.administrator.is_some(),
            Role::CommunityModerator => self.moderator.is_some(),
            Role::CommunityMember => self.member.is_some(),
            _ => false,
        }
    }
}

/// What the tab says when Community Member is not ticked: the API's rule,
/// and the way to do what was probably meant.
const MEMBER_NEEDED: &str = "Community Member is needed for any other role. Tick it to keep or grant roles; to take every role away, use Revoke roles.";

pub async fn save(
    p: Portal,
    path: web::Path<(CommunityId, String, Uuid)>,
    form: web::Form<RolesForm>,
) -> HttpResponse {
    let (community, kind, id) = path.into_inner();
    let result = save_inner(&p, community, &kind, id, form.into_inner()).await;
    p.finish(result)
}

/// Sets exactly the ticked roles (the API's PUT): the role ids come from the
/// community's role instances, as a script would send them.
async fn save_inner(
    p: &Portal,
    community: CommunityId,
    kind: &str,
    id: Uuid,
    form: RolesForm,
) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let Some(kind) = kind_of(kind) else {
        return Ok(no_such_page(p));
    };
    if form.member.is_none() {
        return refused(p, community, kind, id, &form, MEMBER_NEEDED.into()).await;
    }
    let role_ids: Vec<String> = ROLES
        .iter()
        .filter(|(_, r)| form.ticked(r))
        .map(|(_, r)| r.instance_id(community.0).to_string())
        .collect();
    let tenant = v.session.tenant;
    match community_roles::put_roles(&p.ctx, v.caller(), tenant, community, kind, id, role_ids)
        .await
    {
        Ok(_) => Ok(p.done("roles_saved", &roles_tab(community))),
        // A rule of the roles (say, a Moderator granting Administrator):
        // the tab again, saying which, rather than a page without a way on.
        Err(e @ (AppError::Invalid { .. } | AppError::Forbidden(_))) => {
            let reason = match e {
                AppError::Invalid { reason, .. } => render::sentence(&reason),
                other => render::sentence(&other.to_string()),
            };
            refused(p, community, kind, id, &form, reason).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The Roles tab again (400), with the ticks as sent and the reason.
async fn refused(
    p: &Portal,
    community: CommunityId,
    kind: PrincipalKind,
    id: Uuid,
    form: &RolesForm,
    reason: String,
) -> PageResult {
    let v = p.visitor()?;
    let view = communities::get(&p.ctx, v.caller(), None, community).await?;
    let refused = Refused {
        kind,
        id,
        form,
        reason,
    };
    let mut page = tab(p, &view, v.session.tenant, Some(refused)).await?;
    Ok(p.render_status(StatusCode::BAD_REQUEST, "community", &mut page))
}

fn roles_tab(community: CommunityId) -> String {
    format!("/communities/{community}?tab=roles")
}

fn no_such_page(p: &Portal) -> HttpResponse {
    p.message(StatusCode::NOT_FOUND, "Not found", "There is no such page.")
}

pub async fn revoke(
    p: Portal,
    path: web::Path<(CommunityId, String, Uuid)>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let (community, kind, id) = path.into_inner();
    let result = revoke_inner(&p, community, &kind, id, form.into_inner()).await;
    p.finish(result)
}

async fn revoke_inner(
    p: &Portal,
    community: CommunityId,
    kind_text: &str,
    id: Uuid,
    form: ActionForm,
) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let Some(kind) = kind_of(kind_text) else {
        return Ok(no_such_page(p));
    };
    let tenant = v.session.tenant;
    if !form.confirmed() {
        let (_, holders) = portal::community_identities(&p.ctx, v.caller(), community).await?;
        let label = holders
            .iter()
            .find(|h| h.id.kind() == kind && h.id.as_uuid() == id)
            .map(|h| h.label.clone())
            .ok_or_else(|| crate::app::AppError::not_found("your tenant has no such identity"))?;
        let question = format!("{label} loses every role it holds in this community.");
        let url = format!("/communities/{community}/roles/{kind_text}/{id}/revoke");
        return Ok(confirm_page(
            p,
            Question {
                title: "Revoke roles?",
                question: &question,
                action: &url,
                button: "Revoke roles",
                cancel: &roles_tab(community),
                danger: true,
            },
        ));
    }
    community_roles::revoke(&p.ctx, v.caller(), tenant, community, kind, id).await?;
    Ok(p.done("roles_revoked", &roles_tab(community)))
}
