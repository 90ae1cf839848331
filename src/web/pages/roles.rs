//! The tenant's Roles page: its two built-in roles, which never change,
//! and the roles it made for itself (a "Data Steward"), each with its
//! description. A Tenant Administrator creates, renames and deletes its
//! own roles here; a Tenant Member sees the list only. The same use cases
//! as the Roles API, so the same rules hold, and a refused name comes back
//! on the form that sent it.

use super::confirmation::{confirm_page, ActionForm, Question};
use super::form_error::{self, FormError};
use super::render::{Failure, PageResult, Portal};
use crate::app::custom_roles::{self, RoleInput};
use crate::app::AppError;
use crate::domain::permission::Operation;
use crate::domain::role::Role;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const PAGE: &str = "/tenant/roles";

#[derive(Serialize)]
struct Listed {
    id: String,
    name: String,
    description: String,
}

/// The form a refusal belongs to ("new", or the id of the role being
/// edited) and what it held, to show again beside the message.
#[derive(Default, Serialize)]
struct Typed {
    form: String,
    name: String,
    description: String,
}

pub async fn show(p: Portal) -> HttpResponse {
    let result = roles_page(&p, None, &Typed::default()).await;
    p.finish(result)
}

async fn roles_page(p: &Portal, error: Option<&FormError>, typed: &Typed) -> PageResult {
    let v = p.visitor()?;
    let own = custom_roles::of_tenant(&p.ctx, v.caller(), v.session.tenant).await?;
    let built_in: Vec<Listed> = Role::TENANT
        .iter()
        .map(|r| Listed {
            id: String::new(),
            name: r.name().to_string(),
            description: r.description().to_string(),
        })
        .collect();
    let own: Vec<Listed> = own
        .into_iter()
        .map(|r| Listed {
            id: r.id.to_string(),
            name: r.name,
            description: r.description,
        })
        .collect();
    let mut page = tera::Context::new();
    page.insert("title", "Roles");
    page.insert("built_in", &built_in);
    page.insert("roles", &own);
    page.insert(
        "can_edit",
        &Operation::ManageRoles.allows(v.who.tenant_roles),
    );
    page.insert("typed", typed);
    Ok(form_error::render(p, "roles", &mut page, error))
}

/// A name or description the rules refuse, or a name taken, shown on the
/// form that sent it; anything else is the page's failure.
async fn refused(p: &Portal, e: AppError, typed: Typed) -> PageResult {
    let error = FormError::or_conflict(e, "Name")?;
    roles_page(p, Some(&error), &typed).await
}

fn role_id(raw: &str) -> Result<Uuid, Failure> {
    Uuid::try_parse(raw)
        .map_err(|_| Failure::App(AppError::not_found("your tenant has no such role")))
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

impl RoleForm {
    fn input(&self) -> RoleInput {
        RoleInput {
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            ..RoleInput::default()
        }
    }

    /// What the form held, for the form `form`.
    fn typed(self, form: String) -> Typed {
        Typed {
            form,
            name: self.name,
            description: self.description,
        }
    }
}

pub async fn create(p: Portal, form: web::Form<RoleForm>) -> HttpResponse {
    let result = create_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn create_inner(p: &Portal, form: RoleForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    match custom_roles::create(&p.ctx, v.caller(), v.session.tenant, form.input()).await {
        Ok(_) => Ok(p.done("role_created", PAGE)),
        Err(e) => refused(p, e, form.typed("new".into())).await,
    }
}

pub async fn edit(p: Portal, path: web::Path<String>, form: web::Form<RoleForm>) -> HttpResponse {
    let result = edit_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn edit_inner(p: &Portal, raw: &str, form: RoleForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = role_id(raw)?;
    let tenant = v.session.tenant;
    match custom_roles::update(&p.ctx, v.caller(), tenant, id, form.input()).await {
        Ok(_) => Ok(p.done("role_saved", PAGE)),
        Err(e) => refused(p, e, form.typed(id.to_string())).await,
    }
}

pub async fn delete(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = delete_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn delete_inner(p: &Portal, raw: &str, form: ActionForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = role_id(raw)?;
    let tenant = v.session.tenant;
    if !form.confirmed() {
        let role = custom_roles::managed(&p.ctx, v.caller(), tenant, id).await?;
        let action = format!("{PAGE}/{id}/delete");
        let question = format!(
            "Delete the role {}? Every user and client holding it loses it at once. Access lists that name it keep the entry, which nobody holds any more.",
            role.name
        );
        return Ok(confirm_page(
            p,
            Question {
                title: "Delete role?",
                question: &question,
                action: &action,
                button: "Delete role",
                cancel: PAGE,
                danger: true,
            },
        ));
    }
    custom_roles::delete(&p.ctx, v.caller(), tenant, id).await?;
    Ok(p.done("role_deleted", PAGE))
}
