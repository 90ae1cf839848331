//! Webhook deliveries as the webhook worker works them. The worker only
//! sends; what to send and what an outcome means is decided here:
//! - a claim takes due deliveries under a lease, in its own transaction,
//!   and ends unsent those whose endpoint was deleted or disabled, or
//!   whose tries never finished;
//! - an outcome is written with what it means for the endpoint: a success
//!   forgets its failures; a failure that makes it fail for longer than
//!   `webhook_disable_after` disables it and emails the tenant's
//!   administrators, in the same transaction.

use super::audit;
use super::notify;
use super::{AppError, Context};
use crate::domain::audit::{AuditKind, Subject};
use crate::domain::notification::Notice;
use crate::domain::webhook::WebhookEndpoint;
use crate::domain::webhook_delivery::{WebhookDelivery, MAX_TRIES};
use crate::store::{outbox, tenants, webhooks, WriteTx};
use chrono::{DateTime, Duration, Utc};

/// A claimed delivery with the endpoint it goes to.
pub struct ToSend {
    pub delivery: WebhookDelivery,
    pub endpoint: WebhookEndpoint,
}

/// Releases the claims of workers that are gone; run when a worker starts.
pub async fn release_claims(ctx: &Context) -> Result<usize, AppError> {
    let now = ctx.clock.now();
    let instance = ctx.instance;
    ctx.store
        .write_leased(move |tx| Ok(webhooks::release_claims(tx, now, instance)?))
        .await
}

/// When the soonest pending delivery is due (ms), if any.
pub async fn next_due(ctx: &Context) -> Result<Option<i64>, AppError> {
    ctx.store.read(|tx| Ok(webhooks::next_due(tx)?)).await
}

/// Claims up to `want` due deliveries for `lease` and answers those to send.
pub async fn claim(
    ctx: &Context,
    want: usize,
    lease: std::time::Duration,
) -> Result<Vec<ToSend>, AppError> {
    let now = ctx.clock.now();
    let lease = outbox::Lease {
        until: now + Duration::from_std(lease).unwrap_or(Duration::minutes(5)),
        holder: ctx.instance,
    };
    ctx.store
        .write_leased(move |tx| {
            let mut to_send = Vec::new();
            for mut delivery in webhooks::claim_due(tx, now, want, lease)? {
                let endpoint = webhooks::get(tx, delivery.tenant, delivery.endpoint)?;
                let unsent = match &endpoint {
                    None => Some("the endpoint was deleted".to_string()),
                    Some(e) if !e.is_enabled() => Some("the endpoint is disabled".to_string()),
                    Some(_) if delivery.tries_exhausted() => Some(format!(
                        "gave up after {MAX_TRIES} tries that did not finish (the service stopped while sending)"
                    )),
                    Some(_) => None,
                };
                match (unsent, endpoint) {
                    (None, Some(endpoint)) => to_send.push(ToSend { delivery, endpoint }),
                    (reason, _) => {
                        delivery.give_up(now, reason.as_deref().unwrap_or_default());
                        webhooks::settle(tx, &delivery)?;
                    }
                }
            }
            Ok(to_send)
        })
        .await
}

/// Gives back claimed deliveries a stopping worker never tried.
pub async fn give_back(ctx: &Context, unstarted: Vec<WebhookDelivery>) -> Result<(), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write_leased(move |tx| {
            for mut delivery in unstarted.iter().cloned() {
                delivery.unclaim(now);
                webhooks::settle(tx, &delivery)?;
            }
            Ok(())
        })
        .await
}

/// Writes the outcomes of finished tries, and what they mean for their
/// endpoints, in one transaction.
pub async fn record(ctx: &Context, outcomes: Vec<WebhookDelivery>) -> Result<(), AppError> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let now = ctx.clock.now();
    let disable_after =
        Duration::from_std(ctx.settings.webhook_disable_after).unwrap_or(Duration::days(5));
    let who = audit::origin(ctx, None);
    let written = ctx
        .store
        .write_leased(move |tx| {
            for delivery in &outcomes {
                // Deleted during the try: the delivery went with it, and
                // writing it would leave a row nobody lists.
                let Some(mut endpoint) = webhooks::get(tx, delivery.tenant, delivery.endpoint)?
                else {
                    continue;
                };
                webhooks::settle(tx, delivery)?;
                if follow(&mut endpoint, delivery, now, disable_after) {
                    webhooks::put(tx, &endpoint)?;
                    if !endpoint.is_enabled() {
                        disabled(tx, &who, &endpoint, now)?;
                    }
                }
            }
            Ok(())
        })
        .await;
    // A disabled endpoint's email may be queued.
    ctx.mail_ready.notify_one();
    written
}

/// What a finished try means for its endpoint; true when it changed.
fn follow(
    endpoint: &mut WebhookEndpoint,
    delivery: &WebhookDelivery,
    now: DateTime<Utc>,
    disable_after: Duration,
) -> bool {
    let succeeded = delivery.last().is_some_and(|a| a.error.is_none());
    if succeeded {
        return endpoint.failing_since.take().is_some();
    }
    let Some(since) = endpoint.failing_since else {
        endpoint.failing_since = Some(delivery.last().map_or(now, |a| a.at));
        return true;
    };
    if endpoint.is_enabled() && now - since >= disable_after {
        let days = disable_after.num_hours() as f64 / 24.0;
        endpoint.disabled = Some(format!(
            "every delivery failed for more than {days} days (since {})",
            since.format("%Y-%m-%d %H:%M UTC")
        ));
        return true;
    }
    false
}

/// An endpoint the service just disabled: its administrators are told by
/// email, and the audit log says so.
fn disabled(
    tx: &WriteTx,
    who: &crate::domain::audit::Origin,
    endpoint: &WebhookEndpoint,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let reason = endpoint.disabled.clone().unwrap_or_default();
    tracing::warn!(webhook = %endpoint.id, tenant = %endpoint.tenant, reason = %reason, "webhook endpoint disabled");
    let tenant_name = tenants::get(tx, endpoint.tenant)?
        .map(|t| t.company_name)
        .unwrap_or_default();
    let to = notify::tenant_administrators(tx, endpoint.tenant)?;
    let notice = Notice::WebhookDisabled {
        webhook: endpoint.id,
        tenant_name,
        url: endpoint.url.clone(),
        reason: reason.clone(),
    };
    notify::queue(tx, to, notice, now)?;
    let detail = serde_json::json!({ "Enabled": false, "Reason": reason });
    let subject = Subject::webhook(endpoint.id);
    audit::record(
        tx,
        who,
        AuditKind::WebhookChanged,
        subject,
        detail,
        &[endpoint.tenant],
    )?;
    Ok(())
}
