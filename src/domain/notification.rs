//! Emails the service sends, as outbox entries. An entry holds what the
//! email needs from the moment it was caused (names may change or vanish
//! later) but no secret: links are signed when the email is sent.

use super::email::EmailAddress;
use super::ids::{CommunityId, InvitationId, OutboxId};
use chrono::{DateTime, Utc};
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
}
