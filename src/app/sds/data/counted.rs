//! What a read of stream values through a community counts as in the
//! community's usage (see `app::usage`). Reads of a tenant's own data are
//! not counted. A refused read (no Community Member role, a hidden share,
//! a stream not shared) is counted only when the stream exists and both
//! the reader's and the owner's tenants belong to the community: the owner
//! then learns that someone tried, and nobody can fill the owner's counts
//! with made-up stream ids or count into a community it is not in.

use crate::app::sds::stream_access::Target;
use crate::app::AppError;
use crate::domain::ids::CommunityId;
use crate::domain::sds::stream::SdsStream;
use crate::domain::usage::{UsageCounts, UsageKey};
use crate::store::{memberships, sds_streams, Readable, StoreError};

/// The cell a read of `stream_id` through `community` counts in.
fn key(target: &Target, community: CommunityId, stream_id: &str, day: i64) -> UsageKey {
    UsageKey {
        community,
        day,
        reader: target.caller.tenant,
        owner: target.tenant,
        namespace: target.namespace.clone(),
        stream: stream_id.to_string(),
    }
}

/// A read that was let through: one request and the `values` it answered
/// (none when it failed after the rights were checked, e.g. a bad index).
pub fn answered(
    target: &Target,
    stream: &SdsStream,
    day: i64,
    values: u64,
) -> Option<(UsageKey, UsageCounts)> {
    let community = target.via?;
    Some((
        key(target, community, &stream.id, day),
        UsageCounts::answered(values),
    ))
}

/// A read refused before any value was read, if it counts (see above).
pub fn refused(
    tx: &impl Readable,
    target: &Target,
    id: &str,
    day: i64,
    error: &AppError,
) -> Result<Option<(UsageKey, UsageCounts)>, StoreError> {
    let Some(community) = target.via else {
        return Ok(None);
    };
    if !matches!(error, AppError::Forbidden(_) | AppError::NotFound(_)) {
        return Ok(None);
    }
    let Some(stream) = sds_streams::get(tx, target.tenant, &target.namespace, id)? else {
        return Ok(None);
    };
    let members = memberships::get(tx, community, target.caller.tenant)?.is_some()
        && memberships::get(tx, community, target.tenant)?.is_some();
    Ok(members.then(|| {
        (
            key(target, community, &stream.id, day),
            UsageCounts::refused(),
        )
    }))
}
