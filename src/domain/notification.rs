//! Emails the service sends, as outbox entries. An entry holds what the
//! email needs from the moment it was caused (names may change or vanish
//! later) but no secret: links are signed when the email is sent.

use super::email::EmailAddress;
use super::ids::{CommunityId, InvitationId, OutboxId, UserId, WebhookId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// To the recipient: VIEW COMMUNITY INVITE.
    Invitation {
        invitation: InvitationId,
        generation: u32,
        community_name: String,
        inviting_tenant: String,
        expires: DateTime<Utc>,
    },
    /// To the inviter: VIEW PENDING INVITATIONS.
    PendingConfirmation {
        invitation: InvitationId,
        community: CommunityId,
        community_name: String,
        accepting_tenant: String,
    },
    Declined {
        community: CommunityId,
        community_name: String,
        recipient: String,
    },
    Confirmed {
        community: CommunityId,
        community_name: String,
        inviting_tenant: String,
    },
    Removed {
        community_name: String,
        tenant_name: String,
        /// true: the owner side removed the tenant; false: the tenant left.
        by_community: bool,
    },
    /// Forgot password: a set-password link for each account the address
    /// has (one per tenant), all in one email.
    PasswordReset {
        accounts: Vec<PasswordAccount>,
        /// When the links stop working (fixed when asked, not when sent).
        expires: DateTime<Utc>,
    },
    /// To a user a Tenant Administrator invited: one set-password link,
    /// signed for the user's password generation when the invitation was
    /// issued. (Last, so entries stored before it keep their encoding.)
    UserInvitation {
        user: UserId,
        generation: u32,
        tenant_name: String,
        expires: DateTime<Utc>,
    },
    /// To the recipient of an invitation still unanswered, a while before
    /// it expires: the same link as the invitation email, signed when sent
    /// for the generation it reminds of.
    InvitationReminder {
        invitation: InvitationId,
        generation: u32,
        community_name: String,
        inviting_tenant: String,
        expires: DateTime<Utc>,
    },
    /// To the inviting tenant's Community Administrators: an invitation
    /// expired unanswered, or accepted but not confirmed in time.
    InvitationExpired {
        community: CommunityId,
        community_name: String,
        recipient: String,
        expired: DateTime<Utc>,
        /// The tenant that accepted it and was left unconfirmed, if any.
        accepting_tenant: Option<String>,
    },
    /// To a tenant's administrators: the service disabled one of its
    /// webhook endpoints, whose deliveries failed for too long.
    WebhookDisabled {
        webhook: WebhookId,
        tenant_name: String,
        url: String,
        reason: String,
    },
}

/// One account in a forgot-password email: whose link, under which
/// password generation, and the tenant's name to tell the links apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordAccount {
    pub user: UserId,
    pub generation: u32,
    pub tenant_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    Queued,
    /// A try failed; another is scheduled.
    Retrying,
    Sent {
        at: DateTime<Utc>,
    },
    /// Gave up after the configured number of tries.
    Failed,
    /// No longer relevant when its turn came (the invitation was resent or withdrawn).
    Dropped {
        reason: String,
    },
}

impl DeliveryStatus {
    pub fn label(&self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "Queued",
            DeliveryStatus::Retrying => "Retrying",
            DeliveryStatus::Sent { .. } => "Sent",
            DeliveryStatus::Failed => "Failed",
            DeliveryStatus::Dropped { .. } => "Not sent",
        }
    }

    pub fn is_pending(&self) -> bool {
        matches!(self, DeliveryStatus::Queued | DeliveryStatus::Retrying)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: OutboxId,
    pub to: Vec<EmailAddress>,
    pub notice: Notice,
    pub created: DateTime<Utc>,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt: DateTime<Utc>,
    pub last_error: Option<String>,
}

impl OutboxEntry {
    pub fn new(to: Vec<EmailAddress>, notice: Notice, now: DateTime<Utc>) -> Self {
        Self {
            id: OutboxId::generate(),
            to,
            notice,
            created: now,
            status: DeliveryStatus::Queued,
            attempts: 0,
            next_attempt: now,
            last_error: None,
        }
    }

    /// Leases the entry to a sender until `lease_until`. The try counts
    /// from here, so tries that never finish (the process died mid-send)
    /// still use up `mail_max_attempts`, and a crash loop ends.
    pub fn claim(&mut self, lease_until: DateTime<Utc>) {
        self.attempts += 1;
        self.next_attempt = lease_until;
    }

    /// Gives a claim back unused (the worker stopped before sending).
    pub fn unclaim(&mut self, now: DateTime<Utc>) {
        self.attempts = self.attempts.saturating_sub(1);
        self.next_attempt = now;
    }

    /// True when a claim went past the allowed number of tries: earlier
    /// tries were claimed but never finished.
    pub fn tries_exhausted(&self, max_attempts: u32) -> bool {
        self.attempts > max_attempts.max(1)
    }

    pub fn sent(&mut self, at: DateTime<Utc>) {
        self.status = DeliveryStatus::Sent { at };
        self.last_error = None;
    }

    /// A try that failed: retried at `retry_at` unless the failure is
    /// permanent or the tries are used up.
    pub fn try_failed(
        &mut self,
        error: String,
        permanent: bool,
        max_attempts: u32,
        retry_at: DateTime<Utc>,
    ) {
        self.last_error = Some(error);
        if permanent || self.attempts >= max_attempts {
            self.status = DeliveryStatus::Failed;
        } else {
            self.status = DeliveryStatus::Retrying;
            self.next_attempt = retry_at;
        }
    }

    /// Given up without a try that finished (a try panicked, or the claims ran out).
    pub fn give_up(&mut self, reason: String) {
        self.status = DeliveryStatus::Failed;
        self.last_error = Some(reason);
    }

    pub fn drop_as(&mut self, reason: String) {
        self.status = DeliveryStatus::Dropped { reason };
    }
}

/// Delay before the next try: `base`, doubling per try, capped at one hour.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    let factor = 1i32 << attempts.saturating_sub(1).min(20);
    (base * factor).min(Duration::hours(1))
}

/// How one email is doing, as the invitation list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReport {
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
}

impl DeliveryReport {
    pub fn of(entry: &OutboxEntry) -> Self {
        Self {
            status: entry.status.clone(),
            attempts: entry.attempts,
            last_error: entry.last_error.clone(),
        }
    }

    /// An entry whose stored bytes cannot be read: it will never be sent.
    pub fn unreadable(reason: &str) -> Self {
        Self {
            status: DeliveryStatus::Failed,
            attempts: 0,
            last_error: Some(format!(
                "the queued email could not be read and was set aside: {reason}"
            )),
        }
    }
}

/// One email to one address, due at `due`: what the tests of the outbox
/// and its counts queue.
#[cfg(test)]
impl OutboxEntry {
    pub(crate) fn sample(due: DateTime<Utc>) -> Self {
        let to = vec![EmailAddress::parse("a@b.example").expect("an address")];
        let notice = Notice::Removed {
            community_name: "Plant".into(),
            tenant_name: "Fabrikam".into(),
            by_community: true,
        };
        Self::new(to, notice, due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> OutboxEntry {
        OutboxEntry::sample(Utc::now())
    }

    #[test]
    fn a_claim_counts_as_a_try_and_moves_the_due_time_to_the_lease_end() {
        let mut e = entry();
        let lease = e.created + Duration::minutes(2);
        e.claim(lease);
        assert_eq!((e.attempts, e.next_attempt), (1, lease));
        assert!(e.status.is_pending());
    }

    #[test]
    fn claims_that_never_finished_run_out() {
        let mut e = entry();
        for _ in 0..3 {
            e.claim(e.created);
        }
        assert!(!e.tries_exhausted(3));
        e.claim(e.created);
        assert!(e.tries_exhausted(3));
    }

    #[test]
    fn a_failed_try_retries_until_permanent_or_used_up() {
        let mut e = entry();
        let later = e.created + Duration::seconds(4);
        e.claim(e.created);
        e.try_failed("451 busy".into(), false, 2, later);
        assert_eq!(e.status, DeliveryStatus::Retrying);
        assert_eq!(e.next_attempt, later);
        e.claim(e.created);
        e.try_failed("451 busy".into(), false, 2, later);
        assert_eq!(e.status, DeliveryStatus::Failed);
        let mut p = entry();
        p.claim(p.created);
        p.try_failed("550 no such user".into(), true, 8, later);
        assert_eq!(p.status, DeliveryStatus::Failed);
        assert_eq!(p.last_error.as_deref(), Some("550 no such user"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::seconds(2);
        assert_eq!(backoff(base, 1), Duration::seconds(2));
        assert_eq!(backoff(base, 3), Duration::seconds(8));
        assert_eq!(backoff(base, 40), Duration::hours(1));
    }
}
