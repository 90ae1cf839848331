//! Queuing emails: an outbox row written inside the caller's transaction,
//! and who should receive each kind of notice.

use super::error::AppError;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{OutboxId, PrincipalId, TenantId};
use crate::domain::notification::{Notice, OutboxEntry};
use crate::domain::role::Role;
use crate::store::{identities, outbox, Readable, WriteTx};
use chrono::{DateTime, Utc};

/// Queues one email in the current transaction; nothing is queued when
/// there is nobody to send it to.
pub fn queue(
    tx: &WriteTx,
    to: Vec<EmailAddress>,
    notice: Notice,
    now: DateTime<Utc>,
) -> Result<Option<OutboxId>, AppError> {
    if to.is_empty() {
        tracing::warn!("no recipient for a notice; nothing queued");
        return Ok(None);
    }
    let entry = OutboxEntry::new(to, notice, now);
    outbox::put(tx, &entry)?;
    Ok(Some(entry.id))
}

/// The email addresses of a tenant's Tenant Administrator users.
pub fn tenant_administrators(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Vec<EmailAddress>, AppError> {
    Ok(identities::users_of_tenant(tx, tenant)?
        .into_iter()
        .filter(|u| u.tenant_roles.contains(Role::TenantAdministrator))
        .map(|u| u.email)
        .collect())
}

/// Where to reach whoever acted: a user's own address, or for a client
/// (which has no mailbox) its tenant's administrators.
pub fn contact_of(
    tx: &impl Readable,
    who: PrincipalId,
    tenant: TenantId,
) -> Result<Vec<EmailAddress>, AppError> {
    if let PrincipalId::User(id) = who {
        if let Some(user) = identities::get_user(tx, id)? {
            return Ok(vec![user.email]);
        }
    }
    tenant_administrators(tx, tenant)
}
