//! The SDS routes: a tenant's namespaces under `/api/v1` (and
//! `/api/v1-preview`, where AVEVA's shared-stream client calls them with a
//! `community-id` header), the community-scoped read routes that a search
//! result's `Self` names, and the community stream search.

pub mod access_control;
pub mod data;
pub mod request;
pub mod search;
pub mod streams;
pub mod types;

use actix_web::web;

/// The bases a tenant's namespace answers under. Paths are lower-cased
/// before routing, so these are too.
const TENANT_BASES: [&str; 2] = [
    "/api/v1/tenants/{tenantId}/namespaces/{namespaceId}",
    "/api/v1-preview/tenants/{tenantId}/namespaces/{namespaceId}",
];
const COMMUNITY_BASE: &str =
    "/api/v1-preview/communities/{communityId}/tenants/{tenantId}/namespaces/{namespaceId}";

pub fn routes(cfg: &mut web::ServiceConfig) {
    search::routes(cfg);
    for base in TENANT_BASES {
        types::routes(cfg, base);
    }
    for base in TENANT_BASES.into_iter().chain([COMMUNITY_BASE]) {
        streams::routes(cfg, base);
        data::routes(cfg, base);
        access_control::routes(cfg, base);
    }
}
