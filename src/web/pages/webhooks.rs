//! Tenant settings -> Webhooks (`/tenant/webhooks`): the endpoints the
//! tenant's own systems listen on, for its Tenant Administrators. Each is
//! listed with its events and whether it is enabled (and why not); a form
//! registers a new one and shows its signing secret on the page that
//! answers it, once; each can be disabled, enabled again or deleted after
//! a confirmation. The same use cases as the Webhooks API
//! (`app::webhooks`), so the same rules hold, and a refused field comes
//! back on the form that sent it.

use super::confirmation::{confirm_page, ActionForm, Question};
use super::form_error::{self, FormError};
use super::render::{readable_time, Failure, PageResult, Portal};
use super::role_ticks::Fields;
use crate::app::webhooks::{self, WebhookInput};
use crate::app::AppError;
use crate::domain::audit::AuditKind;
use crate::domain::ids::WebhookId;
use crate::domain::webhook::{WebhookEndpoint, MAX_WEBHOOKS_PER_TENANT};
use actix_web::{web, HttpResponse};
use serde::Serialize;

pub const PAGE: &str = "/tenant/webhooks";

/// The create form's tick boxes, one per event: `event=<name>`.
const EVENT_FIELD: &str = "event";

#[derive(Serialize)]
struct EndpointRow {
    id: String,
    url: String,
    events: String,
    description: String,
    enabled: bool,
    disabled_reason: String,
    created: String,
    failing_since: Option<String>,
}

fn endpoint_row(e: &WebhookEndpoint) -> EndpointRow {
    let events: Vec<&str> = e.events.iter().map(|k| k.name()).collect();
    EndpointRow {
        id: e.id.to_string(),
        url: e.url.clone(),
        events: events.join(", "),
        description: e.description.clone(),
        enabled: e.is_enabled(),
        disabled_reason: e.disabled.clone().unwrap_or_default(),
        created: readable_time(&e.created),
        failing_since: e.failing_since.as_ref().map(readable_time),
    }
}

/// An event tick box of the create form.
#[derive(Serialize)]
struct EventTick {
    name: &'static str,
    ticked: bool,
}

/// What the create form held, to show again beside a refusal.
#[derive(Default, Serialize)]
struct Typed {
    url: String,
    description: String,
    events: Vec<String>,
}

impl Typed {
    fn of(form: &Fields) -> Self {
        Typed {
            url: form.text("url"),
            description: form.text("description"),
            events: form
                .0
                .iter()
                .filter(|(n, _)| n == EVENT_FIELD)
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }

    fn ticks(&self) -> Vec<EventTick> {
        AuditKind::WEBHOOK_EVENTS
            .iter()
            .map(|k| EventTick {
                name: k.name(),
                ticked: self.events.iter().any(|e| e == k.name()),
            })
            .collect()
    }

    fn input(&self) -> WebhookInput {
        WebhookInput {
            url: Some(self.url.clone()),
            events: Some(self.events.clone()),
            description: Some(self.description.clone()),
            enabled: None,
        }
    }
}

pub async fn show(p: Portal) -> HttpResponse {
    let result = webhooks_page(&p, None, &Typed::default()).await;
    p.finish(result)
}

async fn webhooks_page(p: &Portal, error: Option<&FormError>, typed: &Typed) -> PageResult {
    let v = p.visitor()?;
    let listed = webhooks::list(&p.ctx, v.caller(), v.session.tenant).await?;
    let mut page = tera::Context::new();
    page.insert("title", "Webhooks");
    page.insert(
        "endpoints",
        &listed.iter().map(endpoint_row).collect::<Vec<_>>(),
    );
    page.insert("full", &(listed.len() >= MAX_WEBHOOKS_PER_TENANT));
    page.insert("max_webhooks", &MAX_WEBHOOKS_PER_TENANT);
    page.insert("typed", typed);
    page.insert("events", &typed.ticks());
    Ok(form_error::render(p, "webhooks", &mut page, error))
}

/// The create form: its tick boxes repeat one name, so it is read as the
/// pairs it sends.
pub async fn create(p: Portal, form: web::Form<Fields>) -> HttpResponse {
    let result = create_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn create_inner(p: &Portal, form: Fields) -> PageResult {
    let v = p.checked(&form.text("csrf"))?;
    let typed = Typed::of(&form);
    match webhooks::create(&p.ctx, v.caller(), v.session.tenant, typed.input()).await {
        Ok(made) => Ok(secret_page(p, &made)),
        Err(e) => {
            let error = FormError::or_conflict(e, "")?;
            webhooks_page(p, Some(&error), &typed).await
        }
    }
}

/// The page that shows a new endpoint's signing secret, this once.
fn secret_page(p: &Portal, made: &WebhookEndpoint) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", "Webhook created");
    page.insert("endpoint", &endpoint_row(made));
    page.insert("secret", &made.shown_secret());
    p.render("webhook_secret", page)
}

pub(super) fn webhook_of(raw: &str) -> Result<WebhookId, Failure> {
    WebhookId::parse(raw)
        .ok_or_else(|| Failure::App(AppError::not_found("your tenant has no such webhook")))
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
    let id = webhook_of(raw)?;
    let tenant = v.session.tenant;
    let endpoint = webhooks::get(&p.ctx, v.caller(), tenant, id).await?;
    if !form.confirmed() {
        let action = format!("{PAGE}/{id}/delete");
        let question = format!(
            "Delete the webhook to {}? Its delivery log goes with it, and deliveries still waiting for it are not sent.",
            endpoint.url
        );
        return Ok(confirm_page(
            p,
            Question {
                title: "Delete webhook?",
                question: &question,
                action: &action,
                button: "Delete webhook",
                cancel: PAGE,
                danger: true,
            },
        ));
    }
    webhooks::delete(&p.ctx, v.caller(), tenant, id).await?;
    Ok(p.done("webhook_deleted", PAGE))
}

pub async fn enable(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = switch(&p, &path.into_inner(), &form.csrf, true).await;
    p.finish(result)
}

pub async fn disable(
    p: Portal,
    path: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let result = switch(&p, &path.into_inner(), &form.csrf, false).await;
    p.finish(result)
}

/// Enables an endpoint (its failures forgotten) or disables it.
async fn switch(p: &Portal, raw: &str, csrf: &str, enabled: bool) -> PageResult {
    let v = p.checked(csrf)?;
    let id = webhook_of(raw)?;
    let input = WebhookInput {
        enabled: Some(enabled),
        ..WebhookInput::default()
    };
    webhooks::update(&p.ctx, v.caller(), v.session.tenant, id, input).await?;
    let flash = if enabled {
        "webhook_enabled"
    } else {
        "webhook_disabled"
    };
    Ok(p.done(flash, PAGE))
}
