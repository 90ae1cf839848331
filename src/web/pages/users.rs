//! The tenant's Users page: every user with their roles and invitation
//! status. A Tenant Administrator invites a colleague by email, sends an
//! invitation again, changes tenant roles and removes users; a Tenant
//! Member sees the list only. The same use cases as the Users API, so the
//! same rules hold; a refusal the rules make (the last Tenant
//! Administrator, an address already used) is shown on the page itself.

use super::confirmation::{confirm_page, ActionForm, Question};
use super::render::{readable_time, sentence, Failure, PageResult, Portal};
use super::role_ticks::{self, Fields, Tick};
use crate::app::user_invitations::{self, InvitationInput, Mode, UserRow};
use crate::app::AppError;
use crate::app::{custom_roles, two_factor, users};
use crate::domain::custom_role::CustomRole;
use crate::domain::ids::UserId;
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::domain::role::Role;
use crate::domain::user_invitation::UserInvitationState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;

/// Users the page lists (the API pages through any number).
pub const SHOWN: usize = 500;

#[derive(Serialize)]
struct Row {
    id: String,
    email: String,
    administrator: bool,
    member: bool,
    /// The tenant's own roles, ticked where the user holds them.
    custom: Vec<Tick>,
    roles: String,
    invitation: String,
    /// An invitation not yet accepted can be sent again.
    can_resend: bool,
    deactivated: bool,
    is_me: bool,
    /// Signs in with codes from an authenticator app.
    two_factor: bool,
}

fn row(r: UserRow, me: Option<UserId>, own: &[CustomRole], enrolled: &[UserId]) -> Row {
    let roles = r.user.identity.tenant_roles;
    let held = &r.user.identity.custom_roles;
    let mut names = roles.names();
    names.extend(role_ticks::names(own, held));
    let (invitation, can_resend) = match &r.invitation {
        None => (String::from("—"), false),
        Some(v) => {
            let text = match v.state {
                UserInvitationState::InvitationEmailSent | UserInvitationState::None => format!(
                    "{} (until {})",
                    v.state.label(),
                    readable_time(&v.invitation.expires)
                ),
                other => other.label().to_string(),
            };
            (text, v.state != UserInvitationState::InvitationAccepted)
        }
    };
    Row {
        id: r.user.identity.id.to_string(),
        email: r.user.identity.email.to_string(),
        administrator: roles.contains(Role::TenantAdministrator),
        member: roles.contains(Role::TenantMember),
        custom: role_ticks::ticks(own, held),
        roles: names.join(", "),
        invitation,
        can_resend: can_resend && !r.user.identity.deactivated,
        deactivated: r.user.identity.deactivated,
        is_me: Some(r.user.identity.id) == me,
        two_factor: enrolled.contains(&r.user.identity.id),
    }
}

pub async fn show(p: Portal) -> HttpResponse {
    let result = users_page(&p, StatusCode::OK, None, "").await;
    p.finish(result)
}

/// The page, optionally with an error and the address as typed.
async fn users_page(
    p: &Portal,
    status: StatusCode,
    error: Option<&str>,
    typed: &str,
) -> PageResult {
    let v = p.visitor()?;
    let page = Page {
        skip: 0,
        count: SHOWN,
    };
    let rows = user_invitations::rows(&p.ctx, v.caller(), v.session.tenant, page).await?;
    let own = custom_roles::of_tenant(&p.ctx, v.caller(), v.session.tenant).await?;
    let enrolled = two_factor::enrolled_users(&p.ctx, v.caller(), v.session.tenant).await?;
    let me = Some(v.session.user);
    let shown: Vec<Row> = rows
        .into_iter()
        .map(|r| row(r, me, &own, &enrolled))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("title", "Users");
    ctx.insert("users", &shown);
    ctx.insert("custom_roles", &role_ticks::ticks(&own, &[]));
    ctx.insert("more", &(shown.len() >= SHOWN));
    ctx.insert(
        "can_edit",
        &Operation::ManageUsers.allows(v.who.tenant_roles),
    );
    ctx.insert("typed_email", typed);
    ctx.insert(
        "invitation_days",
        &(p.ctx.settings.user_invitation_ttl.as_secs() / 86_400).max(1),
    );
    if let Some(e) = error {
        ctx.insert("error", e);
    }
    Ok(p.render_status(status, "users", &mut ctx))
}

/// A refusal the rules make, shown on the page; anything else is the
/// page's failure.
async fn refused(p: &Portal, e: AppError, typed: &str) -> PageResult {
    match e {
        AppError::Invalid { field, reason } => {
            let text = if field == "RoleIds" {
                role_ticks::ROLE_GONE.to_string()
            } else {
                sentence(&format!("the email address {reason}"))
            };
            users_page(p, StatusCode::BAD_REQUEST, Some(&text), typed).await
        }
        AppError::Conflict(reason) => {
            users_page(p, StatusCode::CONFLICT, Some(&sentence(&reason)), typed).await
        }
        other => Err(Failure::App(other)),
    }
}

fn user_id(raw: &str) -> Result<UserId, Failure> {
    UserId::parse(raw).ok_or_else(|| Failure::App(AppError::not_found("no such user")))
}

/// The invite form: the address, the built-in tick boxes and one per
/// custom role, read as the pairs it sends (see `role_ticks`).
pub async fn invite(p: Portal, form: web::Form<Fields>) -> HttpResponse {
    let result = invite_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn invite_inner(p: &Portal, form: Fields) -> PageResult {
    let v = p.checked(&form.text("csrf"))?;
    let roles = form.built_in_roles();
    let typed: String = form.text("email").chars().take(320).collect();
    let custom = match form.custom_roles() {
        Ok(custom) => custom,
        Err(e) => return refused(p, e, &typed).await,
    };
    let tenant = v.session.tenant;
    match user_invitations::invite_new_user(&p.ctx, v.caller(), tenant, &typed, roles, custom).await
    {
        Ok(_) => Ok(p.done("user_invited", "/tenant/users")),
        Err(e) => refused(p, e, &typed).await,
    }
}

pub async fn resend(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = resend_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn resend_inner(p: &Portal, raw: &str, form: ActionForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = user_id(raw)?;
    let input = InvitationInput {
        send_invitation: Some(true),
    };
    let tenant = v.session.tenant;
    match user_invitations::issue(&p.ctx, v.caller(), tenant, id, input, Mode::CreateOrUpdate).await
    {
        Ok(_) => Ok(p.done("user_invitation_resent", "/tenant/users")),
        Err(e) => refused(p, e, "").await,
    }
}

/// The roles form: the two built-in tick boxes and one per custom role,
/// so it is read as the pairs it sends (see `role_ticks`).
pub async fn save_roles(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<Fields>,
) -> HttpResponse {
    let result = save_roles_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn save_roles_inner(p: &Portal, raw: &str, form: Fields) -> PageResult {
    let v = p.checked(&form.text("csrf"))?;
    let id = user_id(raw)?;
    let roles = form.built_in_roles();
    // Every tick box is on the form, so the unticked ones are taken away.
    let custom = match form.custom_roles() {
        Ok(custom) => custom,
        Err(e) => return refused(p, e, "").await,
    };
    let tenant = v.session.tenant;
    match users::set_roles(&p.ctx, v.caller(), tenant, id, roles, Some(custom)).await {
        Ok(()) => Ok(p.done("user_roles_saved", "/tenant/users")),
        Err(e) => refused(p, e, "").await,
    }
}

pub async fn remove(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = remove_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn remove_inner(p: &Portal, raw: &str, form: ActionForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = user_id(raw)?;
    if !form.confirmed() {
        let action = format!("/tenant/users/{id}/remove");
        return Ok(confirm_page(
            p,
            Question {
                title: "Remove user?",
                question: "The user is removed from the tenant with their roles and invitation, and signed out everywhere. They can be invited again later.",
                action: &action,
                button: "Remove user",
                cancel: "/tenant/users",
                danger: true,
            },
        ));
    }
    match users::delete(&p.ctx, v.caller(), v.session.tenant, id).await {
        Ok(()) => Ok(p.done("user_removed", "/tenant/users")),
        Err(e) => refused(p, e, "").await,
    }
}

pub async fn deactivate(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = deactivate_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn deactivate_inner(p: &Portal, raw: &str, form: ActionForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = user_id(raw)?;
    if !form.confirmed() {
        let action = format!("/tenant/users/{id}/deactivate");
        return Ok(confirm_page(
            p,
            Question {
                title: "Deactivate user?",
                question: "The user is signed out everywhere and cannot sign in or set a password until reactivated. Their roles stay.",
                action: &action,
                button: "Deactivate user",
                cancel: "/tenant/users",
                danger: true,
            },
        ));
    }
    match users::set_active(&p.ctx, v.caller(), v.session.tenant, id, false).await {
        Ok(()) => Ok(p.done("user_deactivated", "/tenant/users")),
        Err(e) => refused(p, e, "").await,
    }
}

pub async fn reactivate(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = reactivate_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn reactivate_inner(p: &Portal, raw: &str, form: ActionForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = user_id(raw)?;
    match users::set_active(&p.ctx, v.caller(), v.session.tenant, id, true).await {
        Ok(()) => Ok(p.done("user_reactivated", "/tenant/users")),
        Err(e) => refused(p, e, "").await,
    }
}

pub async fn reset_two_factor(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = reset_two_factor_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn reset_two_factor_inner(p: &Portal, raw: &str, form: ActionForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = user_id(raw)?;
    if !form.confirmed() {
        let action = format!("/tenant/users/{id}/two-factor/reset");
        return Ok(confirm_page(
            p,
            Question {
                title: "Reset two-factor sign-in?",
                question: "The user's authenticator app and recovery codes stop working. They sign in with their password alone, or set up an app again if your tenant requires codes. Do this for a user who lost their phone, once you know it is them asking.",
                action: &action,
                button: "Reset two-factor",
                cancel: "/tenant/users",
                danger: true,
            },
        ));
    }
    match two_factor::reset(&p.ctx, v.caller(), v.session.tenant, id).await {
        Ok(()) => Ok(p.done("two_factor_reset", "/tenant/users")),
        Err(e) => refused(p, e, "").await,
    }
}
