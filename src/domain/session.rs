//! A logged-in person in the portal.

use super::ids::{TenantId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: UserId,
    pub tenant: TenantId,
    /// Every form posts this back (synchronizer-token CSRF defence).
    pub csrf: String,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    /// Invitations whose signed link this session followed: proof that the
    /// person reads the recipient mailbox.
    pub invitation_links: Vec<crate::domain::ids::InvitationId>,
}
