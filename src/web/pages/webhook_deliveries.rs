//! Tenant settings -> Webhooks -> one endpoint's delivery log
//! (`/tenant/webhooks/{webhookId}`): its deliveries, newest first, a page
//! at a time as the API pages them (`before` the last one shown), each
//! with its event, `webhook-id`, status, tries, last response code and
//! times, and a Redeliver button that sends it again with the same
//! `webhook-id`. The same use cases as the API (`app::webhooks`).

use super::confirmation::ActionForm;
use super::render::{readable_time, Failure, PageResult, Portal};
use super::webhooks::{webhook_of, PAGE};
use crate::app::webhooks;
use crate::app::AppError;
use crate::domain::ids::WebhookDeliveryId;
use crate::domain::webhook_delivery::WebhookDelivery;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

/// Deliveries one page shows.
const SHOWN: usize = 50;

#[derive(Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    before: String,
}

#[derive(Serialize)]
struct DeliveryRow {
    id: String,
    event: &'static str,
    status: &'static str,
    attempts: u32,
    created: String,
    last_response_code: Option<u16>,
    last_error: String,
    last_attempt: Option<String>,
    /// When the next try is due, while it is pending.
    next_attempt: Option<String>,
}

fn delivery_row(d: &WebhookDelivery) -> DeliveryRow {
    let last = d.last();
    DeliveryRow {
        id: d.id.to_string(),
        event: d.event.name(),
        status: d.status.name(),
        attempts: d.attempts,
        created: readable_time(&d.created),
        last_response_code: last.and_then(|a| a.response),
        last_error: last.and_then(|a| a.error.clone()).unwrap_or_default(),
        last_attempt: last.map(|a| readable_time(&a.at)),
        next_attempt: d.is_pending().then(|| readable_time(&d.next_attempt)),
    }
}

fn before_of(raw: &str) -> Result<Option<WebhookDeliveryId>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    WebhookDeliveryId::parse(raw)
        .map(Some)
        .ok_or_else(|| AppError::invalid("before", "is not a valid GUID"))
}

pub async fn show(p: Portal, path: web::Path<String>, query: web::Query<LogQuery>) -> HttpResponse {
    let result = log_page(&p, &path.into_inner(), &query.before).await;
    p.finish(result)
}

async fn log_page(p: &Portal, raw: &str, before: &str) -> PageResult {
    let v = p.visitor()?;
    let id = webhook_of(raw)?;
    let tenant = v.session.tenant;
    let endpoint = webhooks::get(&p.ctx, v.caller(), tenant, id).await?;
    let before = before_of(before)?;
    // One more than shown tells whether an older page exists.
    let found = webhooks::deliveries(&p.ctx, v.caller(), tenant, id, before, SHOWN + 1).await?;
    let older = (found.len() > SHOWN).then(|| found[SHOWN - 1].id);
    let rows: Vec<DeliveryRow> = found.iter().take(SHOWN).map(delivery_row).collect();
    let mut page = tera::Context::new();
    page.insert("title", "Delivery log");
    page.insert("webhook_id", &id.to_string());
    page.insert("url", &endpoint.url);
    page.insert("enabled", &endpoint.is_enabled());
    page.insert("deliveries", &rows);
    page.insert("is_first_page", &before.is_none());
    if let Some(last) = older {
        page.insert("older", &format!("{PAGE}/{id}?before={last}"));
    }
    Ok(p.render_status(StatusCode::OK, "webhook_deliveries", &mut page))
}

pub async fn redeliver(
    p: Portal,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let (webhook, delivery) = path.into_inner();
    let result = redeliver_inner(&p, &webhook, &delivery, &form.csrf).await;
    p.finish(result)
}

async fn redeliver_inner(p: &Portal, raw: &str, raw_delivery: &str, csrf: &str) -> PageResult {
    let v = p.checked(csrf)?;
    let id = webhook_of(raw)?;
    let delivery = WebhookDeliveryId::parse(raw_delivery)
        .ok_or_else(|| Failure::App(AppError::not_found("the webhook has no such delivery")))?;
    webhooks::redeliver(&p.ctx, v.caller(), v.session.tenant, id, delivery).await?;
    Ok(p.done("webhook_redelivered", &format!("{PAGE}/{id}")))
}
