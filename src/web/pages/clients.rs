//! The tenant's clients, for its administrators: each client with its
//! roles and secrets (description, expiry, expired marked), and forms to
//! create a client, add a secret, revoke one and delete a client. The same
//! use cases as the API, so the same rules apply. A new secret is shown on
//! the page that answers the form, once (no-store, like every page), with
//! a copy button (static/clients.js); nothing keeps it.

use super::confirmation::{confirm_page, ActionForm, Question};
use super::render::{readable_time, sentence, Failure, PageResult, Portal};
use super::role_ticks::{self, Fields, Tick};
use crate::app::clients::{self, ClientChange, NewClient, SecretInput};
use crate::app::{custom_roles, AppError};
use crate::domain::client_secret::MAX_SECRETS_PER_CLIENT;
use crate::domain::ids::{ClientId, CustomRoleId, TenantId};
use crate::domain::role::Role;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct SecretRow {
    id: u32,
    description: String,
    created: String,
    expires: Option<String>,
    expired: bool,
}

#[derive(Serialize)]
struct ClientRow {
    id: String,
    name: String,
    roles: String,
    administrator: bool,
    member: bool,
    /// The tenant's own roles, ticked where the client holds them.
    custom: Vec<Tick>,
    enabled: bool,
    secrets: Vec<SecretRow>,
    full: bool,
}

/// What the create form held, to show again beside an error.
#[derive(Default, Serialize)]
struct Typed {
    name: String,
    secret_description: String,
    expires: String,
    administrator: bool,
    /// The custom roles ticked.
    custom: Vec<CustomRoleId>,
}

pub async fn show(p: Portal) -> HttpResponse {
    let result = clients_page(&p, StatusCode::OK, None, &Typed::default()).await;
    p.finish(result)
}

async fn clients_page(
    p: &Portal,
    status: StatusCode,
    error: Option<&str>,
    typed: &Typed,
) -> PageResult {
    let v = p.visitor()?;
    let now = p.ctx.clock.now();
    let listed = clients::manageable(&p.ctx, v.caller(), v.session.tenant).await?;
    let own = custom_roles::of_tenant(&p.ctx, v.caller(), v.session.tenant).await?;
    let rows: Vec<ClientRow> = listed
        .into_iter()
        .map(|l| {
            let c = l.identity;
            let mut roles: Vec<&str> = c.tenant_roles.roles().iter().map(|r| r.name()).collect();
            roles.extend(role_ticks::names(&own, &c.custom_roles));
            ClientRow {
                id: c.id.to_string(),
                roles: roles.join(", "),
                administrator: c.tenant_roles.contains(Role::TenantAdministrator),
                member: c.tenant_roles.contains(Role::TenantMember),
                custom: role_ticks::ticks(&own, &c.custom_roles),
                name: c.name,
                enabled: c.enabled,
                full: c.secrets.len() >= MAX_SECRETS_PER_CLIENT,
                secrets: c
                    .secrets
                    .iter()
                    .map(|s| SecretRow {
                        id: s.id,
                        description: s.description.clone(),
                        created: readable_time(&s.created),
                        expires: s.expires.as_ref().map(readable_time),
                        expired: !s.is_live_at(now),
                    })
                    .collect(),
            }
        })
        .collect();
    let mut page = tera::Context::new();
    page.insert("title", "Clients");
    page.insert("clients", &rows);
    page.insert("typed", typed);
    page.insert("custom", &role_ticks::ticks(&own, &typed.custom));
    page.insert("max_secrets", &MAX_SECRETS_PER_CLIENT);
    if let Some(e) = error {
        page.insert("error", e);
    }
    Ok(p.render_status(status, "clients", &mut page))
}

/// A date from the form's date field as the end of that day, UTC, in
/// RFC 3339; empty means no expiry.
fn end_of_day(raw: &str) -> Result<Option<String>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| AppError::invalid("expires", "is not a date (YYYY-MM-DD)"))?;
    let end = day
        .and_hms_opt(23, 59, 59)
        .ok_or_else(|| AppError::invalid("expires", "is not a date"))?;
    Ok(Some(end.and_utc().to_rfc3339()))
}

/// A refused field in the form's words.
fn refusal(field: &str, reason: &str) -> String {
    // A reason that starts with a role's id is about a ticked role the
    // tenant does not have (any more).
    let names_a_role = reason
        .split_whitespace()
        .next()
        .is_some_and(|w| uuid::Uuid::try_parse(w).is_ok());
    if field == "RoleIds" && names_a_role {
        return role_ticks::ROLE_GONE.to_string();
    }
    let label = match field {
        "Name" => "the name",
        "RoleIds" => "the roles",
        "SecretDescription" | "Description" => "the secret's description",
        "SecretExpirationDate" | "Expiration" | "expires" => "the expiry date",
        _ => "the form",
    };
    sentence(&format!("{label} {reason}"))
}

/// The role ids the tick boxes of `form` name: the built-in tenant roles
/// and the tenant's own, as the API's `RoleIds` would.
fn ticked_role_ids(form: &Fields, tenant: TenantId) -> Result<Vec<String>, AppError> {
    let mut role_ids: Vec<String> = form
        .built_in_roles()
        .roles()
        .into_iter()
        .map(|r| r.instance_id(tenant.0).to_string())
        .collect();
    role_ids.extend(form.custom_roles()?.iter().map(|c| c.to_string()));
    Ok(role_ids)
}

/// The create form: fields and tick boxes, one per custom role, so it is
/// read as the pairs it sends (see `role_ticks`).
pub async fn create(p: Portal, form: web::Form<Fields>) -> HttpResponse {
    let result = create_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn create_inner(p: &Portal, form: Fields) -> PageResult {
    let v = p.checked(&form.text("csrf"))?;
    let tenant = v.session.tenant;
    let typed = Typed {
        name: form.text("name"),
        secret_description: form.text("secret_description"),
        expires: form.text("expires"),
        administrator: form.ticked("administrator"),
        custom: form.custom_roles().unwrap_or_default(),
    };
    let made = match ticked_role_ids(&form, tenant)
        .and_then(|ids| end_of_day(&typed.expires).map(|expiration| (ids, expiration)))
    {
        Ok((role_ids, expiration)) => {
            let new = NewClient {
                name: typed.name.clone(),
                role_ids,
                tags: None,
                enabled: None,
                secret_description: Some(typed.secret_description.clone()),
                secret_expiration: expiration,
            };
            clients::create(&p.ctx, v.caller(), tenant, new).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(made) => {
            let client = &made.made.identity;
            let secret_id = client.secrets.first().map(|s| s.id).unwrap_or(1);
            Ok(secret_page(
                p,
                &client.id.to_string(),
                &client.name,
                secret_id,
                &made.secret,
                true,
            ))
        }
        Err(AppError::Invalid { field, reason }) => {
            let text = refusal(&field, &reason);
            clients_page(p, StatusCode::BAD_REQUEST, Some(&text), &typed).await
        }
        Err(AppError::Conflict(reason)) => {
            let text = sentence(&reason);
            clients_page(p, StatusCode::CONFLICT, Some(&text), &typed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The roles form of one client: the built-in tick boxes and one per
/// custom role, read as pairs like the create form.
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
    let id = client_of(raw)?;
    let tenant = v.session.tenant;
    let saved = match ticked_role_ids(&form, tenant) {
        Ok(ids) => {
            let change = ClientChange {
                name: None,
                role_ids: Some(ids),
                tags: None,
                enabled: None,
            };
            clients::update(&p.ctx, v.caller(), tenant, id, change).await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(p.done("client_roles_saved", "/clients")),
        Err(AppError::Invalid { field, reason }) => {
            let text = refusal(&field, &reason);
            clients_page(p, StatusCode::BAD_REQUEST, Some(&text), &Typed::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The page that shows a new secret, this once.
fn secret_page(
    p: &Portal,
    client_id: &str,
    name: &str,
    secret_id: u32,
    secret: &str,
    new_client: bool,
) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert(
        "title",
        if new_client {
            "Client created"
        } else {
            "Secret added"
        },
    );
    page.insert("client_id", client_id);
    page.insert("client_name", name);
    page.insert("secret_id", &secret_id);
    page.insert("secret", secret);
    page.insert("new_client", &new_client);
    p.render("client_secret", page)
}

fn client_of(raw: &str) -> Result<ClientId, Failure> {
    ClientId::parse(raw).ok_or_else(|| Failure::App(AppError::not_found("there is no such client")))
}

#[derive(Deserialize)]
pub struct SecretForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    expires: String,
}

pub async fn add_secret(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<SecretForm>,
) -> HttpResponse {
    let result = add_secret_inner(&p, &path.into_inner(), form.into_inner()).await;
    p.finish(result)
}

async fn add_secret_inner(p: &Portal, raw: &str, form: SecretForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = client_of(raw)?;
    let tenant = v.session.tenant;
    let made = match end_of_day(&form.expires) {
        Ok(expiration) => {
            let input = SecretInput {
                description: Some(form.description),
                expiration,
            };
            clients::add_secret(&p.ctx, v.caller(), tenant, id, input).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(made) => {
            let client = clients::managed(&p.ctx, v.caller(), tenant, id).await?;
            Ok(secret_page(
                p,
                &id.to_string(),
                &client.name,
                made.made.id,
                &made.secret,
                false,
            ))
        }
        Err(AppError::Invalid { field, reason }) => {
            let text = refusal(&field, &reason);
            clients_page(p, StatusCode::BAD_REQUEST, Some(&text), &Typed::default()).await
        }
        Err(AppError::Conflict(reason)) => {
            let text = sentence(&reason);
            clients_page(p, StatusCode::CONFLICT, Some(&text), &Typed::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_secret(
    p: Portal,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let (client, secret) = path.into_inner();
    let result = revoke_secret_inner(&p, &client, &secret, form.into_inner()).await;
    p.finish(result)
}

async fn revoke_secret_inner(
    p: &Portal,
    raw: &str,
    raw_secret: &str,
    form: ActionForm,
) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = client_of(raw)?;
    let tenant = v.session.tenant;
    let client = clients::managed(&p.ctx, v.caller(), tenant, id).await?;
    let secret = raw_secret
        .parse::<u32>()
        .ok()
        .and_then(|s| client.secret(s).cloned())
        .ok_or_else(|| Failure::App(AppError::not_found("the client has no such secret")))?;
    if !form.confirmed() {
        let action = format!("/clients/{id}/secrets/{}/revoke", secret.id);
        let shown = if secret.description.is_empty() {
            format!("secret {}", secret.id)
        } else {
            format!("the secret \u{201c}{}\u{201d}", secret.description)
        };
        let question = format!(
            "Revoke {shown} of {}? Scripts using it can no longer get tokens; tokens already issued with it stay valid for up to an hour.",
            client.name
        );
        return Ok(confirm_page(
            p,
            Question {
                title: "Revoke secret?",
                question: &question,
                action: &action,
                button: "Revoke secret",
                cancel: "/clients",
                danger: true,
            },
        ));
    }
    clients::delete_secret(&p.ctx, v.caller(), tenant, id, secret.id).await?;
    Ok(p.done("secret_revoked", "/clients"))
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
    let id = client_of(raw)?;
    let tenant = v.session.tenant;
    let client = clients::managed(&p.ctx, v.caller(), tenant, id).await?;
    if !form.confirmed() {
        let action = format!("/clients/{id}/delete");
        let question = format!(
            "Delete the client {}? Its secrets stop working at once and it loses its community roles; tokens already issued stay valid for up to an hour.",
            client.name
        );
        return Ok(confirm_page(
            p,
            Question {
                title: "Delete client?",
                question: &question,
                action: &action,
                button: "Delete client",
                cancel: "/clients",
                danger: true,
            },
        ));
    }
    clients::delete(&p.ctx, v.caller(), tenant, id).await?;
    Ok(p.done("client_deleted", "/clients"))
}
