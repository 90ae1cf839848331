//! The webhook worker: claims due deliveries (a lease, in its own
//! transaction), tries a handful at once, and records the outcomes.
//!
//! What it promises:
//! - a delivery is never lost: a process killed mid-try leaves its claim,
//!   released when a worker starts again (on PostgreSQL also when the
//!   lease ends), and the delivery is tried again with the same
//!   `webhook-id`, so a receiver may see it twice, never not at all;
//! - several instances on one PostgreSQL never take the same delivery
//!   while its lease runs;
//! - on stop it claims nothing new, waits for tries in flight up to
//!   `mail_shutdown_deadline`, and leaves the rest queued.
//!
//! What to send and what an outcome means is `app::webhook_outbox`'s.

use super::sender::{self, Sending};
use crate::app::webhook_outbox::{self, ToSend};
use crate::app::Context;
use crate::domain::webhook_delivery::WebhookDelivery;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Tries in flight at once.
const AT_ONCE: usize = 4;
/// How often the worker looks for due deliveries (a change queues them
/// without waking it; a second's wait is nothing to a receiver).
const POLL: Duration = Duration::from_secs(1);
/// How soon to look again after the database refused.
const STORE_RETRY: Duration = Duration::from_secs(1);

/// Runs until `stop` turns true.
pub async fn run(ctx: Context, mut stop: watch::Receiver<bool>) {
    tracing::info!("webhook worker started");
    match webhook_outbox::release_claims(&ctx).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            deliveries = n,
            "webhook deliveries claimed by an earlier run were not recorded; trying them again"
        ),
        Err(e) => tracing::error!(error = %e, "could not release earlier webhook claims"),
    }
    while !*stop.borrow() {
        let wait = match due(&ctx).await {
            Ok(true) => match webhook_outbox::claim(&ctx, AT_ONCE, lease(&ctx)).await {
                Ok(batch) if !batch.is_empty() => {
                    if !try_batch(&ctx, batch, &mut stop).await {
                        break;
                    }
                    continue;
                }
                Ok(_) => POLL,
                Err(e) => {
                    tracing::error!(error = %e, "webhook worker could not claim deliveries");
                    STORE_RETRY
                }
            },
            Ok(false) => POLL,
            Err(()) => STORE_RETRY,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            changed = stop.changed() => if changed.is_err() { break },
        }
    }
    tracing::info!("webhook worker stopped");
}

/// Whether a delivery is due now; `Err` when the store could not say.
async fn due(ctx: &Context) -> Result<bool, ()> {
    match webhook_outbox::next_due(ctx).await {
        Ok(next) => Ok(next.is_some_and(|ms| ms <= ctx.clock.now().timestamp_millis())),
        Err(e) => {
            tracing::error!(error = %e, "webhook worker could not read its queue");
            Err(())
        }
    }
}

/// A claim holds a delivery longer than a try can take (resolving,
/// connecting and the answer each bounded by the timeout).
fn lease(ctx: &Context) -> Duration {
    3 * ctx.settings.webhook_timeout + Duration::from_secs(60)
}

/// Tries a claimed batch, recording each outcome as it comes; false when
/// the worker was told to stop meanwhile (what finished by the deadline is recorded,
/// the rest stays claimed and is tried again after a restart).
async fn try_batch(ctx: &Context, batch: Vec<ToSend>, stop: &mut watch::Receiver<bool>) -> bool {
    let mut tries = JoinSet::new();
    for item in batch {
        tries.spawn(attempt(ctx.clone(), item));
    }
    let mut finished = Vec::new();
    let mut stopping = false;
    loop {
        tokio::select! {
            // Each outcome is written as soon as it is known, so a slow
            // endpoint delays nobody else's and a crash repeats only the
            // tries still running.
            done = tries.join_next() => match done {
                Some(Ok(delivery)) => record(ctx, vec![delivery]).await,
                Some(Err(e)) => tracing::error!(error = %e, "a webhook try ended unexpectedly; it is tried again when its lease ends"),
                None => break,
            },
            _ = stop.changed(), if !stopping => {
                stopping = true;
                let deadline = ctx.settings.mail_shutdown_deadline;
                let drained = tokio::time::timeout(deadline, async {
                    while let Some(done) = tries.join_next().await {
                        if let Ok(delivery) = done {
                            finished.push(delivery);
                        }
                    }
                })
                .await;
                if drained.is_err() {
                    tracing::warn!(deliveries = tries.len(), "webhook tries still running at the shutdown deadline are tried again at the next start");
                    tries.abort_all();
                }
                break;
            }
        }
    }
    record(ctx, finished).await;
    !stopping
}

/// One try of one delivery; returns it with the outcome applied.
async fn attempt(ctx: Context, item: ToSend) -> WebhookDelivery {
    let ToSend {
        mut delivery,
        endpoint,
    } = item;
    let how = Sending {
        endpoint: &endpoint,
        timestamp: ctx.clock.now().timestamp(),
        allow_private: ctx.settings.webhook_allow_private_networks,
        timeout: ctx.settings.webhook_timeout,
    };
    match sender::send(how, &delivery).await {
        Ok(code) => {
            tracing::info!(delivery = %delivery.id, webhook = %endpoint.id, status = code, "webhook delivered");
            delivery.delivered(ctx.clock.now(), code);
        }
        Err(failure) => {
            tracing::warn!(delivery = %delivery.id, webhook = %endpoint.id, attempts = delivery.attempts, error = %failure.error, "webhook not delivered");
            delivery.try_failed(ctx.clock.now(), failure.response, &failure.error);
        }
    }
    delivery
}

/// Writes the outcomes, trying again while the database refuses (a few
/// times: an outcome never written only means the delivery is tried again
/// once its lease ends).
async fn record(ctx: &Context, finished: Vec<WebhookDelivery>) {
    for _ in 0..10 {
        match webhook_outbox::record(ctx, finished.clone()).await {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(error = %e, "could not record webhook outcomes; trying again");
                tokio::time::sleep(STORE_RETRY).await;
            }
        }
    }
}
