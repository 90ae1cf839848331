//! The base paths the API's operations are added under, each with the
//! parameters of its placeholders. OCS-2021's routes name the tenant in the
//! path; AVEVA Data Hub's take it from the token.

use crate::web::path::{
    CommunityNamespacePath, CommunityPath, NamespacePath, TenantCommunityPath, TenantPath,
};
use crate::web::route_table::Mount;

/// The caller's own tenant: the tenant itself and its directory.
pub const TENANT: Mount = Mount::token(
    "Tenants",
    "/api/v1/Tenants/{tenantId}",
    TenantPath::parameters,
);

pub const COMMUNITIES_OF_TENANT: Mount = Mount::token(
    "Communities",
    "/api/v1-preview/Tenants/{tenantId}/Communities",
    TenantPath::parameters,
);
pub const COMMUNITIES: Mount = Mount::token("Communities", "/api/v1-preview/Communities", Vec::new);

/// One community, seen by a tenant named in the path.
pub const COMMUNITY_OF_TENANT: Mount = Mount::token(
    "Communities",
    "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}",
    TenantCommunityPath::parameters,
);
/// One community, seen by the caller's tenant.
pub const COMMUNITY: Mount = Mount::token(
    "Communities",
    "/api/v1-preview/Communities/{communityId}",
    CommunityPath::parameters,
);
/// AVEVA Data Hub's form of `COMMUNITY_OF_TENANT`, segments swapped.
pub const TENANT_IN_COMMUNITY: Mount = Mount::token(
    "Communities",
    "/api/v1-preview/Communities/{communityId}/Tenants/{tenantId}",
    TenantCommunityPath::parameters,
);

/// Usage of a community as one member tenant sees it (AVEVA Data Hub's
/// usage route: `/api/v1`, the community before the tenant).
pub const COMMUNITY_USAGE: Mount = Mount::token(
    "Communities",
    "/api/v1/Communities/{communityId}/Tenants/{tenantId}",
    TenantCommunityPath::parameters,
);

/// Invitations addressed to the caller's tenant, or to one named.
pub const INVITATIONS: Mount = Mount::token("Invitations", "/api/v1-preview", Vec::new);
pub const INVITATIONS_OF_TENANT: Mount = Mount::token(
    "Invitations",
    "/api/v1-preview/Tenants/{tenantId}",
    TenantPath::parameters,
);

/// A tenant's SDS namespaces, under both API versions (AVEVA's
/// shared-stream client calls the preview one with a `community-id` header).
pub const NAMESPACES: [Mount; 2] = [
    Mount::token(
        "SDS",
        "/api/v1/Tenants/{tenantId}/Namespaces/{namespaceId}",
        NamespacePath::parameters,
    ),
    Mount::token(
        "SDS",
        "/api/v1-preview/Tenants/{tenantId}/Namespaces/{namespaceId}",
        NamespacePath::parameters,
    ),
];
/// A tenant's namespace read through a community: the `Self` link of a
/// community stream search result.
pub const COMMUNITY_NAMESPACE: Mount = Mount::token(
    "SDS",
    "/api/v1-preview/Communities/{communityId}/Tenants/{tenantId}/Namespaces/{namespaceId}",
    CommunityNamespacePath::parameters,
);
/// Community stream search, with and without the tenant segment.
pub const SEARCH: [Mount; 2] = [
    Mount::token("SDS", "/api/v1-preview", Vec::new),
    Mount::token(
        "SDS",
        "/api/v1-preview/Tenants/{tenantId}",
        TenantPath::parameters,
    ),
];
