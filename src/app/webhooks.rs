//! A Tenant Administrator registers the endpoints its own systems listen
//! on, changes and deletes them, reads each one's delivery log and sends a
//! delivery again. Only the tenant's own administrators may: an endpoint
//! hears of every community the tenant is in.
//!
//! The URL is checked before the transaction (resolving a name needs the
//! network); the rights, the bounds and the write happen inside it.

use super::access::acting;
use super::audit;
use super::context::Context;
use super::error::AppError;
use super::webhook_target;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::identity::Caller;
use crate::domain::ids::{TenantId, WebhookDeliveryId, WebhookId};
use crate::domain::permission::Operation;
use crate::domain::webhook::{
    validate_description, validate_events, validate_url, WebhookEndpoint, MAX_WEBHOOKS_PER_TENANT,
};
use crate::domain::webhook_delivery::WebhookDelivery;
use crate::store::{webhooks, Readable, WriteTx};

/// Most deliveries one page of a log holds.
pub const MAX_LOG_PAGE: usize = 200;

/// An endpoint as a client sends one; `None` leaves a part as it is (on
/// an update) or is refused (on a create, for `Url` and `Events`).
#[derive(Clone, Debug, Default)]
pub struct WebhookInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// `true` enables a disabled endpoint (its failures forgotten),
    /// `false` disables it.
    pub enabled: Option<bool>,
}

/// The caller administers `tenant`, its own.
fn administrator(tx: &impl Readable, caller: Caller, tenant: TenantId) -> Result<(), AppError> {
    let me = acting(tx, caller)?;
    if tenant != caller.tenant {
        return Err(AppError::forbidden(
            "a caller may only manage its own tenant's webhooks",
        ));
    }
    me.require_tenant_role(Operation::ManageWebhooks)
}

fn own(tx: &impl Readable, tenant: TenantId, id: WebhookId) -> Result<WebhookEndpoint, AppError> {
    webhooks::get(tx, tenant, id)?
        .ok_or_else(|| AppError::not_found(format!("your tenant has no webhook {id}")))
}

/// The URL, checked for its form and where it points.
async fn checked_url(ctx: &Context, raw: &str) -> Result<String, AppError> {
    let url = validate_url(raw).map_err(|r| AppError::invalid("Url", r))?;
    let allow = ctx.settings.webhook_allow_private_networks;
    webhook_target::resolve(&url, allow)
        .await
        .map_err(|r| AppError::invalid("Url", r))?;
    Ok(url.to_string())
}

/// The parts of `input` that are given, checked (the URL was checked
/// already).
fn apply(endpoint: &mut WebhookEndpoint, input: &WebhookInput) -> Result<(), AppError> {
    if let Some(events) = &input.events {
        endpoint.events = validate_events(events).map_err(|r| AppError::invalid("Events", r))?;
    }
    if let Some(description) = &input.description {
        endpoint.description =
            validate_description(description).map_err(|r| AppError::invalid("Description", r))?;
    }
    match input.enabled {
        Some(true) => {
            endpoint.disabled = None;
            endpoint.failing_since = None;
        }
        Some(false) if endpoint.is_enabled() => {
            endpoint.disabled = Some("disabled by an administrator".into());
        }
        _ => {}
    }
    Ok(())
}

/// The tenant's endpoints, oldest first.
pub async fn list(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
) -> Result<Vec<WebhookEndpoint>, AppError> {
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            Ok(webhooks::of_tenant(tx, tenant)?)
        })
        .await
}

pub async fn get(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: WebhookId,
) -> Result<WebhookEndpoint, AppError> {
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            own(tx, tenant, id)
        })
        .await
}

/// A new endpoint; the answer holds its secret, which is never shown again.
pub async fn create(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    input: WebhookInput,
) -> Result<WebhookEndpoint, AppError> {
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    // The rights first: nobody else learns what the URL check finds.
    ctx.store
        .read(move |tx| administrator(tx, caller, tenant))
        .await?;
    let raw_url = input
        .url
        .as_deref()
        .ok_or_else(|| AppError::invalid("Url", "is required"))?;
    let url = checked_url(ctx, raw_url).await?;
    let events = input
        .events
        .as_deref()
        .ok_or_else(|| AppError::invalid("Events", "is required"))
        .and_then(|e| validate_events(e).map_err(|r| AppError::invalid("Events", r)))?;
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let (url, events) = (url.clone(), events.clone());
            let mut endpoint = WebhookEndpoint::new(tenant, url, events, String::new(), now);
            apply(&mut endpoint, &input)?;
            if webhooks::of_tenant(tx, tenant)?.len() >= MAX_WEBHOOKS_PER_TENANT {
                return Err(AppError::conflict(format!(
                    "your tenant has {MAX_WEBHOOKS_PER_TENANT} webhooks, the most it may have; delete one first"
                )));
            }
            webhooks::put(tx, &endpoint)?;
            record(tx, &who, AuditKind::WebhookCreated, &endpoint)?;
            Ok(endpoint)
        })
        .await
}

/// Changes an endpoint's URL, events, description or whether it is enabled.
pub async fn update(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: WebhookId,
    input: WebhookInput,
) -> Result<WebhookEndpoint, AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            own(tx, tenant, id).map(drop)
        })
        .await?;
    let url = match &input.url {
        Some(raw) => Some(checked_url(ctx, raw).await?),
        None => None,
    };
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let mut endpoint = own(tx, tenant, id)?;
            if let Some(url) = &url {
                endpoint.url = url.clone();
            }
            apply(&mut endpoint, &input)?;
            webhooks::put(tx, &endpoint)?;
            record(tx, &who, AuditKind::WebhookChanged, &endpoint)?;
            Ok(endpoint)
        })
        .await
}

/// Deletes an endpoint with its delivery log; deliveries still queued for
/// it are not sent.
pub async fn delete(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: WebhookId,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let endpoint = own(tx, tenant, id)?;
            webhooks::delete(tx, tenant, id)?;
            record(tx, &who, AuditKind::WebhookDeleted, &endpoint)
        })
        .await
}

/// One page of an endpoint's delivery log, newest first, from before
/// `before`.
pub async fn deliveries(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: WebhookId,
    before: Option<WebhookDeliveryId>,
    count: usize,
) -> Result<Vec<WebhookDelivery>, AppError> {
    let count = count.min(MAX_LOG_PAGE);
    ctx.store
        .read(move |tx| {
            administrator(tx, caller, tenant)?;
            own(tx, tenant, id)?;
            Ok(webhooks::log_of(tx, id, before, count)?)
        })
        .await
}

/// Queues a delivery again now, with the same `webhook-id` and body (one
/// waiting for a retry is tried now).
pub async fn redeliver(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: WebhookId,
    delivery: WebhookDeliveryId,
) -> Result<WebhookDelivery, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write(move |tx| {
            administrator(tx, caller, tenant)?;
            let endpoint = own(tx, tenant, id)?;
            let mut found = webhooks::delivery(tx, delivery)?
                .filter(|d| d.endpoint == id && d.tenant == tenant)
                .ok_or_else(|| {
                    AppError::not_found(format!("webhook {id} has no delivery {delivery}"))
                })?;
            if !endpoint.is_enabled() {
                return Err(AppError::conflict(
                    "the webhook is disabled; enable it before sending deliveries again",
                ));
            }
            // A pending one waiting for a retry is tried now instead.
            if found.is_pending() && webhooks::is_claimed(tx, delivery)? {
                return Err(AppError::conflict(
                    "the delivery is being tried right now; see its outcome in the log",
                ));
            }
            found.redeliver(now);
            webhooks::put_delivery(tx, &found)?;
            Ok(found)
        })
        .await
}

/// A change to an endpoint, with its host and events as they are now.
fn record(
    tx: &WriteTx,
    who: &Origin,
    kind: AuditKind,
    endpoint: &WebhookEndpoint,
) -> Result<(), AppError> {
    let events: Vec<&str> = endpoint.events.iter().map(|k| k.name()).collect();
    // The host only: a URL's path or query may carry the receiver's own
    // secret, which the audit log must not keep.
    let host = url::Url::parse(&endpoint.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let detail = serde_json::json!({
        "Host": host,
        "Events": events,
        "Enabled": endpoint.is_enabled(),
    });
    let subject = Subject::webhook(endpoint.id);
    audit::record(tx, who, kind, subject, detail, &[endpoint.tenant])?;
    Ok(())
}
