//! The JSON REST API under OCS's paths.

pub mod communities;
pub mod community_members;
pub mod community_tenants;
pub mod invitations;
pub mod tenants;

use chrono::{DateTime, SecondsFormat, Utc};

/// Times as RFC 3339 UTC with milliseconds, e.g. `2026-11-23T10:00:00.000Z`.
pub fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
