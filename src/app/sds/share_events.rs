//! The audit events of sharing: one per community a stream goes into or
//! leaves, seen by every member tenant of that community.

use crate::app::{audit, AppError};
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::ids::{CommunityId, TenantId};
use crate::store::{memberships, WriteTx};
use std::collections::BTreeSet;

/// One event per community `stream_ref` was shared into or taken out of.
pub fn record(
    tx: &WriteTx,
    who: &Origin,
    before: &BTreeSet<CommunityId>,
    after: &BTreeSet<CommunityId>,
    stream_ref: &str,
) -> Result<(), AppError> {
    let added = after.difference(before).map(|c| (c, AuditKind::ShareAdded));
    let removed = before
        .difference(after)
        .map(|c| (c, AuditKind::ShareRemoved));
    for (community, kind) in added.chain(removed) {
        let members: Vec<TenantId> = memberships::of_community(tx, *community)?
            .iter()
            .map(|m| m.tenant)
            .collect();
        let detail = serde_json::json!({ "Stream": stream_ref });
        let subject = Subject::share(*community, stream_ref);
        audit::record(tx, who, kind, subject, detail, &members)?;
    }
    Ok(())
}
