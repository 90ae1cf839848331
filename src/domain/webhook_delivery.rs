//! One event sent to one webhook endpoint. Its id is the `webhook-id`
//! header, the same on every try and on a redelivery, so a receiver can
//! drop repeats. It is written in the transaction of the change it tells
//! of, and tried by the webhook worker under a lease (like an email in the
//! outbox): a process killed mid-try leaves the lease behind, the next
//! start releases it, and the delivery is tried again, never lost.

use super::audit::AuditKind;
use super::ids::{TenantId, WebhookDeliveryId, WebhookId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long to wait after each failed try before the next one; after the
/// last, the delivery has failed.
const RETRY_AFTER_SECONDS: [i64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
/// Tries a delivery gets (until a redelivery gives it as many again).
pub const MAX_TRIES: u32 = RETRY_AFTER_SECONDS.len() as u32 + 1;
/// Tries kept in a delivery's log, newest last.
const MAX_LOGGED: usize = 20;
/// The longest error kept, in characters.
const MAX_ERROR: usize = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookDeliveryStatus {
    /// Waiting for its first try or a retry (or being tried).
    Pending,
    Delivered,
    /// Out of tries, or its endpoint was disabled or deleted.
    Failed,
}

impl WebhookDeliveryStatus {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Delivered => "Delivered",
            Self::Failed => "Failed",
        }
    }
}

/// One try: when, the answer's status code (none when there was no
/// answer), and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    pub at: DateTime<Utc>,
    pub response: Option<u16>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub endpoint: WebhookId,
    pub tenant: TenantId,
    pub event: AuditKind,
    /// The JSON body, exactly as signed and sent.
    pub body: String,
    pub created: DateTime<Utc>,
    pub status: WebhookDeliveryStatus,
    /// Tries claimed since it was made or redelivered (a try counts when
    /// claimed, so tries cut short by a crash count too).
    pub attempts: u32,
    /// When it is due: the next try, or while claimed, the lease's end.
    pub next_attempt: DateTime<Utc>,
    pub log: Vec<WebhookAttempt>,
}

impl WebhookDelivery {
    pub fn new(
        endpoint: WebhookId,
        tenant: TenantId,
        event: AuditKind,
        body: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: WebhookDeliveryId::generate(),
            endpoint,
            tenant,
            event,
            body,
            created: now,
            status: WebhookDeliveryStatus::Pending,
            attempts: 0,
            next_attempt: now,
            log: Vec::new(),
        }
    }

    pub fn is_pending(&self) -> bool {
        self.status == WebhookDeliveryStatus::Pending
    }

    /// Leases it to a worker until `lease_until`; the try counts from here.
    pub fn claim(&mut self, lease_until: DateTime<Utc>) {
        self.attempts += 1;
        self.next_attempt = lease_until;
    }

    /// Gives a claim back unused (the worker stopped before trying).
    pub fn unclaim(&mut self, now: DateTime<Utc>) {
        self.attempts = self.attempts.saturating_sub(1);
        self.next_attempt = now;
    }

    /// Whether its tries are used up (tries cut short count).
    pub fn tries_exhausted(&self) -> bool {
        self.attempts > MAX_TRIES
    }

    pub fn last(&self) -> Option<&WebhookAttempt> {
        self.log.last()
    }

    fn note(&mut self, attempt: WebhookAttempt) {
        self.log.push(attempt);
        if self.log.len() > MAX_LOGGED {
            self.log.remove(0);
        }
    }

    pub fn delivered(&mut self, at: DateTime<Utc>, response: u16) {
        self.note(WebhookAttempt {
            at,
            response: Some(response),
            error: None,
        });
        self.status = WebhookDeliveryStatus::Delivered;
    }

    /// A try that failed: retried after the schedule's wait, or failed for
    /// good after the last try.
    pub fn try_failed(&mut self, at: DateTime<Utc>, response: Option<u16>, error: &str) {
        self.note(WebhookAttempt {
            at,
            response,
            error: Some(error.chars().take(MAX_ERROR).collect()),
        });
        let wait = usize::try_from(self.attempts.saturating_sub(1))
            .ok()
            .and_then(|i| RETRY_AFTER_SECONDS.get(i));
        match wait {
            Some(seconds) => self.next_attempt = at + Duration::seconds(*seconds),
            None => self.status = WebhookDeliveryStatus::Failed,
        }
    }

    /// Ends it unsent, saying why (its endpoint is disabled or gone).
    pub fn give_up(&mut self, at: DateTime<Utc>, reason: &str) {
        self.note(WebhookAttempt {
            at,
            response: None,
            error: Some(reason.chars().take(MAX_ERROR).collect()),
        });
        self.status = WebhookDeliveryStatus::Failed;
    }

    /// Queues it again now, with the same id and body and a fresh set of
    /// tries.
    pub fn redeliver(&mut self, now: DateTime<Utc>) {
        self.status = WebhookDeliveryStatus::Pending;
        self.attempts = 0;
        self.next_attempt = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(now: DateTime<Utc>) -> WebhookDelivery {
        WebhookDelivery::new(
            WebhookId::generate(),
            TenantId::generate(),
            AuditKind::ShareAdded,
            "{}".into(),
            now,
        )
    }

    #[test]
    fn failed_tries_back_off_then_fail_and_a_redelivery_starts_again() {
        let now = Utc::now();
        let mut d = delivery(now);
        d.claim(now + Duration::minutes(1));
        d.try_failed(now, Some(500), "500 Internal Server Error");
        assert_eq!(d.next_attempt, now + Duration::seconds(5));
        assert!(d.is_pending());
        for _ in 1..MAX_TRIES {
            d.claim(now);
            d.try_failed(now, None, "timed out");
        }
        assert_eq!(d.status, WebhookDeliveryStatus::Failed);
        assert_eq!(d.log.len(), MAX_TRIES as usize);
        d.redeliver(now);
        assert!(d.is_pending() && d.attempts == 0 && d.next_attempt == now);
        d.claim(now);
        d.delivered(now, 204);
        assert_eq!(d.status, WebhookDeliveryStatus::Delivered);
        assert_eq!(d.last().unwrap().response, Some(204));
    }

    #[test]
    fn the_log_keeps_the_newest_tries() {
        let now = Utc::now();
        let mut d = delivery(now);
        for i in 0..30 {
            d.redeliver(now);
            d.claim(now);
            d.try_failed(now + Duration::seconds(i), Some(500), "no");
        }
        assert_eq!(d.log.len(), MAX_LOGGED);
        assert_eq!(d.last().unwrap().at, now + Duration::seconds(29));
    }
}
