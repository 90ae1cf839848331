//! The JSON REST API under OCS's paths.

/// Declares `$name`, one more function for an operation whose work is
/// `$target`'s: utoipa describes a function at one path, so each path (or
/// each kind of identity) gets its own, and each forwards the request, the
/// caller, its extractors and any fixed arguments (after `;`).
macro_rules! at_path {
    (
        $(#[$meta:meta])*
        $name:ident => $target:ident $(::<$generic:ty>)?
        ($($arg:ident: $ty:ty),* $(; $($fixed:expr),+)?)
    ) => {
        $(#[$meta])*
        async fn $name(
            req: actix_web::HttpRequest,
            caller: crate::web::extract::ApiCaller,
            $($arg: $ty),*
        ) -> Result<actix_web::HttpResponse, crate::app::AppError> {
            $target $(::<$generic>)? (req, caller, $($arg,)* $($($fixed),+)?).await
        }
    };
}

pub mod audit_events;
pub mod audit_export;
pub mod authorization_code_clients;
pub mod bulk_invitations;
pub mod clients;
pub mod communities;
pub mod community_members;
pub mod community_tenants;
pub mod directory;
pub mod identity_providers;
pub mod invitations;
pub mod mounts;
pub mod operations;
pub mod roles;
pub mod sds;
pub mod tenants;
pub mod usage;
pub mod users;
pub mod webhooks;

use actix_web::HttpRequest;
use chrono::{DateTime, SecondsFormat, Utc};

/// Which generation of the API a request speaks. OCS-2021's routes carry
/// `tenants/{tenantId}`; AVEVA Data Hub's take the tenant from the token and
/// follow its public models (for one, `CommunityTenantStatus` there has only
/// `None`, `Paused` and `Active`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Ocs2021,
    DataHub,
}

impl Dialect {
    pub fn of(req: &HttpRequest) -> Self {
        // Paths are lower-cased before routing (see `web::paths`).
        if req.path().starts_with("/api/v1-preview/tenants/") {
            Dialect::Ocs2021
        } else {
            Dialect::DataHub
        }
    }
}

/// Times as RFC 3339 UTC with milliseconds, e.g. `2026-11-23T10:00:00.000Z`.
pub fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
