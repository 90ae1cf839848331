//! Every API and identity route, called by everyone who should get nothing
//! (or little) from it: no token, another tenant's administrator, a plain
//! Tenant Member, a paused member, a removed member, and a tenant that was
//! deactivated. Each cell's status is asserted, and no body carries data of
//! a tenant or community the caller may not see.
//!
//! The rows are checked against the API document, which is derived from
//! the route table: an operation without a row fails
//! `the_matrix_covers_every_documented_operation`. To add one, add a row to
//! `routes()`: its method, its path as documented (the world's ids fill the
//! placeholders), an optional body, and the status each caller gets, in
//! the order of `CALLERS`.

use crate::helpers::*;
use crate::sds_fixtures::stream_path;
use communityd::app::admin;
use communityd::domain::role::Role;
use communityd::domain::tenant::TenantState;
use reqwest::Method;
use serde_json::json;

/// Who calls, in the order of each row's statuses.
const CALLERS: [&str; 6] = [
    "no token",
    "foreign tenant administrator",
    "plain Tenant Member of the owner",
    "paused member",
    "removed member",
    "deactivated tenant",
];

/// One operation of the API document and what each caller gets. The path
/// is the document's own, placeholders and all; the world's ids fill them
/// (see `World::fill`). An operation may have several rows (bodies).
pub struct Route {
    pub method: &'static str,
    pub path: String,
    pub body: Option<&'static str>,
    pub expect: [u16; 6],
}

fn route(method: &'static str, path: &str, body: Option<&'static str>, expect: [u16; 6]) -> Route {
    Route {
        method,
        path: path.to_string(),
        body,
        expect,
    }
}

const TENANT: &str = "/api/v1/Tenants/{tenantId}";
const PNG: Option<&str> = Some(
    "\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==\"",
);
const STATUS_PAUSED: Option<&str> = Some(r#"{"Status":"Paused"}"#);
/// The member is Active already: "nothing changed" must not answer first.
const STATUS_ACTIVE: Option<&str> = Some(r#"{"Status":"Active"}"#);
const ROLES: Option<&str> = Some(r#"["{roleId}"]"#);
const PUBLIC: [u16; 6] = [200; 6];
const NEW_USER: Option<&str> = Some(r#"{"Email":"new.colleague@matrix.example"}"#);
const SEND: Option<&str> = Some(r#"{"SendInvitation":true}"#);
const NEW_ROLE: Option<&str> = Some(r#"{"Name":"Data Steward","RoleScope":1}"#);
/// Rights come before the issuer's discovery is asked: nobody here gets
/// far enough for this issuer to matter.
const NEW_PROVIDER: Option<&str> = Some(
    r#"{"Name":"Directory","Issuer":"https://login.matrix.example","ClientId":"c","ClientSecret":"s","Domains":["matrix.example"]}"#,
);

//                                        none  foreign plain paused removed deactivated
#[rustfmt::skip]
pub fn routes() -> Vec<Route> {
    let mut rows = vec![
    // Operations and identity: public
    route("GET", "/health/live", None, PUBLIC),
    route("GET", "/health/ready", None, PUBLIC),
    route("GET", "/metrics", None, PUBLIC),
    route("GET", "/openapi.json", None, PUBLIC),
    route("GET", "/identity/.well-known/openid-configuration", None, PUBLIC),
    route("POST", "/identity/connect/token", Some("grant_type=client_credentials&client_id={clientId}&client_secret=guess"), [400, 400, 400, 400, 400, 400]),
    route("POST", "/identity/connect/token", Some("grant_type=authorization_code&client_id={clientId}&code=guess&redirect_uri=https://app.example/cb&code_verifier=guess"), [400, 400, 400, 400, 400, 400]),
    // An unknown client: a page, never a redirect, whoever asks.
    route("GET", "/identity/connect/authorize?client_id={clientId}&redirect_uri=https://evil.example/&response_type=code", None, [400, 400, 400, 400, 400, 400]),
    // Tenants
    route("GET", TENANT, None, [401, 403, 200, 403, 403, 403]),
    route("HEAD", TENANT, None, [401, 403, 204, 403, 403, 403]),
    route("PUT", TENANT, Some(r#"{"CompanyName":"Taken Over"}"#), [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/Icon", None, [401, 403, 200, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{tenantId}/Icon", PNG, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{tenantId}/Icon", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/Regions", None, [401, 403, 200, 403, 403, 403]),
    // The tenant's own directory
    route("GET", "/api/v1/Tenants/{tenantId}/Roles", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/Roles/{roleId}", None, [401, 403, 404, 403, 403, 403]),
    route("POST", "/api/v1/Tenants/{tenantId}/Roles", NEW_ROLE, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{tenantId}/Roles/{roleId}", NEW_ROLE, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{tenantId}/Roles/{roleId}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/IdentityProviders", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/IdentityProviders/{identityProviderId}", None, [401, 403, 404, 403, 403, 403]),
    route("POST", "/api/v1/Tenants/{tenantId}/IdentityProviders", NEW_PROVIDER, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{tenantId}/IdentityProviders/{identityProviderId}", NEW_PROVIDER, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{tenantId}/IdentityProviders/{identityProviderId}", None, [401, 403, 403, 403, 403, 403]),
    // The audit log: Tenant Administrators of the tenant only, exports too
    route("GET", "/api/v1/Tenants/{tenantId}/AuditEvents", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/AuditEvents?format=csv", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/Users", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/Users/{userId}", None, [401, 403, 200, 403, 403, 403]),
    // The tenant's users, managed by its Tenant Administrators
    route("POST", "/api/v1/Tenants/{tenantId}/Users", NEW_USER, [401, 403, 403, 403, 403, 403]),
    route("POST", "/api/v1/Tenants/{tenantId}/Users/{userId}", NEW_USER, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{tenantId}/Users/{userId}", NEW_USER, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{tenantId}/Users/{userId}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/Users/{userId}/Invitation", None, [401, 403, 404, 403, 403, 403]),
    route("POST", "/api/v1/Tenants/{tenantId}/Users/{userId}/Invitation", SEND, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{tenantId}/Users/{userId}/Invitation", SEND, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{tenantId}/Users/{userId}/Invitation", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/Invitations", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/Invitations/{invitationId}", None, [401, 403, 404, 403, 403, 403]),
    // Authorization code clients: Tenant Administrators only, reads too
    route("GET", "/api/v1/Tenants/{tenantId}/AuthorizationCodeClients", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/AuthorizationCodeClients/{clientId}", None, [401, 403, 403, 403, 403, 403]),
    route("POST", "/api/v1/Tenants/{tenantId}/AuthorizationCodeClients", Some(r#"{"Name":"Matrix","RedirectUris":["https://app.example/cb"]}"#), [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{tenantId}/AuthorizationCodeClients/{clientId}", Some(r#"{"Name":"Taken"}"#), [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{tenantId}/AuthorizationCodeClients/{clientId}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/ClientCredentialClients", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/ClientCredentialClients/{clientId}", None, [401, 403, 200, 403, 403, 403]),
    // The tenant's clients and their secrets: Tenant Administrators write
    route("POST", "/api/v1/Tenants/{tenantId}/ClientCredentialClients", Some(r#"{"Name":"Matrix","RoleIds":[]}"#), [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{tenantId}/ClientCredentialClients/{clientId}", Some(r#"{"Name":"Taken"}"#), [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{tenantId}/ClientCredentialClients/{clientId}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/ClientCredentialClients/{clientId}/Secrets", None, [401, 403, 200, 403, 403, 403]),
    route("POST", "/api/v1/Tenants/{tenantId}/ClientCredentialClients/{clientId}/Secrets", Some("{}"), [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{tenantId}/ClientCredentialClients/{clientId}/Secrets/{secretId}", None, [401, 403, 200, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{tenantId}/ClientCredentialClients/{clientId}/Secrets/{secretId}", Some(r#"{"Description":"Taken"}"#), [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{tenantId}/ClientCredentialClients/{clientId}/Secrets/{secretId}", None, [401, 403, 403, 403, 403, 403]),
    // Communities, with the tenant segment
    route("GET", "/api/v1-preview/Tenants/{tenantId}/Communities", None, [401, 403, 200, 403, 403, 403]),
    route("POST", "/api/v1-preview/Tenants/{tenantId}/Communities", Some(r#"{"Name":"Matrix"}"#), [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}", Some(r#"{"Name":"Taken"}"#), [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}/Summary", None, [401, 403, 200, 403, 403, 403]),
    // Communities, tenant from the token
    route("GET", "/api/v1-preview/Communities", None, [401, 200, 200, 200, 200, 403]),
    route("POST", "/api/v1-preview/Communities", Some(r#"{"Name":"Matrix"}"#), [401, 201, 403, 201, 201, 403]),
    route("GET", "/api/v1-preview/Communities/{communityId}", None, [401, 404, 403, 200, 404, 403]),
    route("PUT", "/api/v1-preview/Communities/{communityId}", Some(r#"{"Name":"Taken"}"#), [401, 404, 403, 403, 404, 403]),
    route("DELETE", "/api/v1-preview/Communities/{communityId}", None, [401, 404, 403, 403, 404, 403]),
    route("GET", "/api/v1-preview/Communities/{communityId}/Summary", None, [401, 404, 200, 200, 404, 403]),
    route("GET", "/api/v1-preview/Communities/{communityId}/Roles", None, [401, 404, 403, 200, 404, 403]),
    // Community tenants
    route("GET", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}/CommunityTenants", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}/CommunityTenants/{memberTenantId}", STATUS_PAUSED, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}/CommunityTenants/{memberTenantId}", STATUS_ACTIVE, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}/CommunityTenants/{memberTenantId}", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}/MemberTenants/{memberTenantId}", STATUS_PAUSED, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}/MemberTenants/{memberTenantId}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/Communities/{communityId}/Tenants", None, [401, 404, 403, 200, 404, 403]),
    route("PUT", "/api/v1-preview/Communities/{communityId}/Tenants/{memberTenantId}", STATUS_PAUSED, [401, 404, 403, 403, 404, 403]),
    route("PUT", "/api/v1-preview/Communities/{communityId}/Tenants/{memberTenantId}", STATUS_ACTIVE, [401, 404, 403, 403, 404, 403]),
    route("PATCH", "/api/v1-preview/Communities/{communityId}/Tenants/{memberTenantId}", STATUS_PAUSED, [401, 404, 403, 403, 404, 403]),
    route("DELETE", "/api/v1-preview/Communities/{communityId}/Tenants/{memberTenantId}", None, [401, 404, 403, 403, 404, 403]),
    // Usage: the tenant in the path is the caller's own, and the owner's
    // plain Tenant Member holds no community role.
    route("GET", "/api/v1/Communities/{communityId}/Tenants/{tenantId}/Usage", None, [401, 403, 403, 403, 403, 403]),
    // Invitations
    route("GET", "/api/v1-preview/CommunityInvitations/{invitationId}/Details", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/CommunityInvitations/{invitationId}", Some(r#"{"Action":"Accept"}"#), [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/CommunityInvitations/{invitationId}", Some(r#"{"Action":"Decline"}"#), [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/CommunityInvitations/{invitationId}", Some(r#"{"Action":"Confirm"}"#), [401, 404, 403, 404, 404, 403]),
    route("PUT", "/api/v1-preview/CommunityInvitations/{invitationId}", Some(r#"{"Action":"Resend"}"#), [401, 404, 403, 404, 404, 403]),
    route("GET", "/api/v1-preview/Tenants/{tenantId}/CommunityInvitations", None, [401, 403, 403, 403, 403, 403]),
    ];
    // A community seen by a tenant named in the path: OCS-2021's form.
    let of_tenant = "/api/v1-preview/Tenants/{tenantId}/Communities/{communityId}";
    // A community seen by the caller's tenant: AVEVA Data Hub's forms.
    let of_caller = "/api/v1-preview/Communities/{communityId}";
    let swapped = "/api/v1-preview/Communities/{communityId}/Tenants/{tenantId}";
    for (base, expect, outside) in [
        (of_tenant, [401, 403, 403, 403, 403, 403], [401, 403, 403, 403, 403, 403]),
        (swapped, [401, 403, 403, 403, 403, 403], [401, 403, 403, 403, 403, 403]),
    ] {
        for (kind, id) in [("Users", "{userId}"), ("ClientCredentialClients", "{clientId}")] {
            rows.extend([
                route("GET", &format!("{base}/{kind}"), None, expect),
                route("HEAD", &format!("{base}/{kind}"), None, expect),
                route("PUT", &format!("{base}/{kind}/{id}"), ROLES, outside),
                route("DELETE", &format!("{base}/{kind}/{id}"), None, outside),
            ]);
        }
    }
    // A paused member may list a community's invitations (it sees those
    // its own tenant issued: none) but not invite.
    let refused = [401, 403, 403, 403, 403, 403];
    for (base, list, create, one) in [
        (of_tenant, refused, refused, refused),
        (of_caller, [401, 404, 403, 200, 404, 403], [401, 404, 403, 403, 404, 403], [401, 404, 403, 404, 404, 403]),
    ] {
        rows.extend([
            route("GET", &format!("{base}/Invitations"), None, list),
            route("POST", &format!("{base}/Invitations"), Some(r#"{"InvitationRecipient":"new@matrix.example"}"#), create),
            route("GET", &format!("{base}/Invitations/{{invitationId}}"), None, one),
            route("DELETE", &format!("{base}/Invitations/{{invitationId}}"), None, one),
        ]);
    }
    rows.extend(sds_routes());
    // Invitations to the tenant nobody has answered yet: its own Tenant
    // Administrators only.
    rows.push(route("GET", "/api/v1-preview/Tenants/{tenantId}/CommunityInvitations?state=InvitationCreated", None, refused));
    // Several invitations at once: the same rights as one.
    for (base, create) in [
        (of_tenant, refused),
        (of_caller, [401, 404, 403, 403, 404, 403]),
    ] {
        rows.push(route("POST", &format!("{base}/Invitations/Bulk"), Some(r#"{"InvitationRecipients":["new@matrix.example"]}"#), create));
    }
    rows
}

// The world's own type, stream and first event, so writes that the
// caller's rights allow change nothing and every row sees the same world.
const TYPE: Option<&str> = Some(
    r#"{"Id":"WaveData_SampleType","SdsTypeCode":"Object","Name":"WaveDataSample","Description":"WaveData events","Properties":[{"Id":"Order","IsKey":true,"SdsType":{"Id":"intType","SdsTypeCode":"Int32","Properties":[]}},{"Id":"Radians","IsKey":false,"SdsType":{"Id":"doubleType","SdsTypeCode":"Double","Properties":[]}}]}"#,
);
const STREAM: Option<&str> = Some(
    r#"{"Id":"{streamId}","TypeId":"WaveData_SampleType","Name":"{streamId}","Description":"waves"}"#,
);
const EVENTS: Option<&str> = Some(r#"[{"Order":1,"Radians":0.1}]"#);
const ACL: Option<&str> = Some(r#"{"RoleTrusteeAccessControlEntries":[]}"#);
/// Takes away the first entry: needs ManageAccessControl.
const ACL_PATCH: Option<&str> =
    Some(r#"[{"op":"remove","path":"/RoleTrusteeAccessControlEntries/0"}]"#);
const NO_CHANGE: Option<&str> = Some("[]");
const OWNER: Option<&str> =
    Some(r#"{"Type":"User","ObjectId":"{userId}","TenantId":"{tenantId}"}"#);
const TAGS: Option<&str> = Some(r#"["taken"]"#);
const METADATA: Option<&str> = Some(r#"{"site":"taken"}"#);

/// SDS: a tenant's namespace (both API versions), the same read through the
/// community, and the community stream search.
#[rustfmt::skip]
fn sds_routes() -> Vec<Route> {
    // A stream's or type's default access control gives the Tenant Member
    // role Read and Write, not Delete or ManageAccessControl.
    let read = [401, 403, 200, 403, 403, 403];
    let write = [401, 403, 204, 403, 403, 403];
    let manage = [401, 403, 403, 403, 403, 403];
    let mut rows = Vec::new();
    // The tenant's namespaces: listed and read by those who use the
    // tenant's data (the built-in list gives Tenant Members Read), their
    // lists changed by Tenant Administrators only.
    rows.extend([
        route("GET", &format!("{TENANT}/Namespaces"), None, read),
        route("GET", &format!("{TENANT}/Namespaces/{{namespaceId}}"), None, read),
        route("GET", &format!("{TENANT}/Namespaces/{{namespaceId}}/AccessControl"), None, read),
        route("PUT", &format!("{TENANT}/Namespaces/{{namespaceId}}/AccessControl"), ACL, manage),
        route("PATCH", &format!("{TENANT}/Namespaces/{{namespaceId}}/AccessControl"), ACL_PATCH, manage),
        route("GET", &format!("{TENANT}/AccessControl/Namespaces"), None, read),
        route("PUT", &format!("{TENANT}/AccessControl/Namespaces"), ACL, manage),
        route("PATCH", &format!("{TENANT}/AccessControl/Namespaces"), ACL_PATCH, manage),
    ]);
    for ns in [
        "/api/v1/Tenants/{tenantId}/Namespaces/{namespaceId}",
        "/api/v1-preview/Tenants/{tenantId}/Namespaces/{namespaceId}",
    ] {
        rows.extend([
            route("GET", &format!("{ns}/Types"), None, read),
            route("GET", &format!("{ns}/Types/{{typeId}}"), None, read),
            route("POST", &format!("{ns}/Types/{{typeId}}"), TYPE, read),
            route("DELETE", &format!("{ns}/Types/{{typeId}}"), None, manage),
            route("GET", &format!("{ns}/Types/{{typeId}}/AccessControl"), None, read),
            route("PUT", &format!("{ns}/Types/{{typeId}}/AccessControl"), ACL, manage),
            route("PATCH", &format!("{ns}/Types/{{typeId}}/AccessControl"), ACL_PATCH, manage),
            route("GET", &format!("{ns}/Types/{{typeId}}/Owner"), None, read),
            route("PUT", &format!("{ns}/Types/{{typeId}}/Owner"), OWNER, manage),
            route("GET", &format!("{ns}/Types/{{typeId}}/AccessRights"), None, read),
            // A namespace's default stream list: read by those who use the
            // tenant's data, changed by Tenant Administrators only.
            route("GET", &format!("{ns}/AccessControl/Streams"), None, read),
            route("PUT", &format!("{ns}/AccessControl/Streams"), ACL, manage),
        ]);
        rows.extend(stream_routes(ns, Rights { read, manage_read: read, write, manage }));
    }
    // Through the community, streams are read-only and only what is shared
    // is found: the plain Tenant Member's client holds no community role,
    // and a paused member's view hides the owner's shares until it resumes.
    // Listing streams or reading their access control through a community
    // is refused to everyone, as is any write.
    let through = [401, 404, 403, 404, 404, 403];
    let refused = [401, 403, 403, 403, 403, 403];
    rows.extend(stream_routes(
        "/api/v1-preview/Communities/{communityId}/Tenants/{tenantId}/Namespaces/{namespaceId}",
        Rights { read: through, manage_read: refused, write: refused, manage: refused },
    ));
    rows.extend([
        route("GET", "/api/v1-preview/Search/Communities/{communityId}/Streams", None, [401, 404, 200, 200, 404, 403]),
        route("GET", "/api/v1-preview/Tenants/{tenantId}/Search/Communities/{communityId}/Streams", None, [401, 403, 200, 403, 403, 403]),
    ]);
    // Webhooks: Tenant Administrators of the tenant only, before anything
    // about the endpoint or its URL is looked at.
    let webhook = Some(r#"{"Url":"http://127.0.0.1:9/hook","Events":["Share.Added"]}"#);
    rows.extend([
        route("GET", &format!("{TENANT}/Webhooks"), None, [401, 403, 403, 403, 403, 403]),
        route("POST", &format!("{TENANT}/Webhooks"), webhook, [401, 403, 403, 403, 403, 403]),
        route("GET", &format!("{TENANT}/Webhooks/{{webhookId}}"), None, [401, 403, 403, 403, 403, 403]),
        route("PUT", &format!("{TENANT}/Webhooks/{{webhookId}}"), webhook, [401, 403, 403, 403, 403, 403]),
        route("DELETE", &format!("{TENANT}/Webhooks/{{webhookId}}"), None, [401, 403, 403, 403, 403, 403]),
        route("GET", &format!("{TENANT}/Webhooks/{{webhookId}}/Deliveries"), None, [401, 403, 403, 403, 403, 403]),
        route("POST", &format!("{TENANT}/Webhooks/{{webhookId}}/Deliveries/{{deliveryId}}/Redeliver"), None, [401, 403, 403, 403, 403, 403]),
    ]);
    rows
}

/// What each caller gets from a stream's routes under one namespace mount.
struct Rights {
    /// The stream, its type, tags, metadata and values.
    read: [u16; 6],
    /// Listing streams; reading access control, owner and rights.
    manage_read: [u16; 6],
    write: [u16; 6],
    /// Deleting, and changing access control or owner.
    manage: [u16; 6],
}

#[rustfmt::skip]
fn stream_routes(ns: &str, rights: Rights) -> Vec<Route> {
    let Rights { read, manage_read, write, manage } = rights;
    let one = format!("{ns}/Streams/{{streamId}}");
    // Where a write is allowed, what the unchanged world answers it.
    let allowed = |status: u16| write.map(|s| if s == 204 { status } else { s });
    vec![
        route("GET", &format!("{ns}/Streams"), None, manage_read),
        route("GET", &one, None, read),
        route("POST", &one, STREAM, allowed(200)),
        route("PUT", &one, STREAM, write),
        route("DELETE", &one, None, manage),
        route("GET", &format!("{one}/Type"), None, read),
        route("GET", &format!("{one}/Tags"), None, read),
        route("PUT", &format!("{one}/Tags"), TAGS, write),
        route("GET", &format!("{one}/Metadata"), None, read),
        route("PUT", &format!("{one}/Metadata"), METADATA, write),
        route("PATCH", &format!("{one}/Metadata"), NO_CHANGE, write),
        route("GET", &format!("{one}/Metadata/{{key}}"), None, read),
        route("GET", &format!("{one}/Data?startIndex=0&endIndex=10"), None, read),
        route("POST", &format!("{one}/Data"), EVENTS, allowed(409)),
        route("PUT", &format!("{one}/Data"), EVENTS, write),
        route("DELETE", &format!("{one}/Data?index=1000"), None, allowed(404)),
        route("GET", &format!("{one}/Data/First"), None, read),
        route("GET", &format!("{one}/Data/Last"), None, read),
        route("GET", &format!("{one}/Data/Transform?startIndex=0&endIndex=10"), None, read),
        route("GET", &format!("{ns}/Bulk/Streams/Data/Joins?streams={{streamId}}&startIndex=0&endIndex=10"), None, read),
        route("GET", &format!("{one}/Data/Interpolated?index=2"), None, read),
        route("GET", &format!("{one}/Data/Transform/Interpolated?startIndex=0&endIndex=10&count=3"), None, read),
        route("GET", &format!("{one}/Data/Summaries?startIndex=0&endIndex=10&count=2"), None, read),
        route("GET", &format!("{one}/Data/Transform/Summaries?startIndex=0&endIndex=10&count=2"), None, read),
        route("GET", &format!("{one}/Data/Sampled?startIndex=0&endIndex=10&intervals=2&sampleBy=Radians"), None, read),
        route("GET", &format!("{one}/Data/Transform/Sampled?startIndex=0&endIndex=10&intervals=2&sampleBy=Radians"), None, read),
        route("GET", &format!("{one}/AccessControl"), None, manage_read),
        route("PUT", &format!("{one}/AccessControl"), ACL, manage),
        route("PATCH", &format!("{one}/AccessControl"), ACL_PATCH, manage),
        route("GET", &format!("{one}/Owner"), None, manage_read),
        route("PUT", &format!("{one}/Owner"), OWNER, manage),
        route("GET", &format!("{one}/AccessRights"), None, manage_read),
    ]
}

/// The tenants and objects the matrix calls against.
struct World {
    app: TestApp,
    owner: TestTenant,
    member: TestTenant,
    community: String,
    invitation: String,
    role: String,
    /// Tokens, in the order of `CALLERS` (none for the first).
    tokens: Vec<Option<String>>,
    /// Data each caller may not see, in the order of `CALLERS`.
    secrets: Vec<Vec<String>>,
}

async fn deactivate(app: &TestApp, tenant: &TestTenant) {
    let store = app.ctx.store.clone();
    let id = tenant.id;
    tokio::task::spawn_blocking(move || {
        admin::set_tenant_state(&store, id, TenantState::Deactivated, chrono::Utc::now())
    })
    .await
    .unwrap()
    .unwrap();
}

async fn world() -> World {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    let member = app.tenant("Fabrikam").await;
    let paused = app.tenant("Pausedco").await;
    let removed = app.tenant("Removedco").await;
    let deactivated = app.tenant("Deactivatedco").await;
    let foreign = app.tenant("Foreignco").await;
    let community = app.community(&owner, "Plant data").await;
    for t in [&member, &paused, &removed, &deactivated] {
        app.join(&owner, &community, t).await;
    }
    app.wave_stream(&owner, STREAM_ID, &[1, 2, 3]).await;
    app.share_ok(&owner, &community, STREAM_ID).await;
    let r = app
        .put_json(
            &format!("{}/Metadata", stream_path(owner.id, STREAM_ID)),
            &owner.token,
            &json!({ "site": "north" }),
        )
        .await;
    assert_eq!(r.status(), 204, "metadata");
    let base = format!(
        "{}/{community}/communitytenants",
        communities_path(owner.id)
    );
    let r = app
        .put_json(
            &format!("{base}/{}", paused.id),
            &owner.token,
            &json!({ "Status": "Paused" }),
        )
        .await;
    assert_eq!(r.status(), 200, "pause");
    let r = app
        .delete(&format!("{base}/{}", removed.id), &owner.token)
        .await;
    assert_eq!(r.status(), 204, "remove");
    let invitation = app
        .invite_id(&owner, &community, "pending@elsewhere.example")
        .await;
    deactivate(&app, &deactivated).await;
    let foreign_community = app.community(&foreign, "Foreign secrets").await;
    let foreign_invitation = app
        .invite_id(&foreign, &foreign_community, "secret@partner.example")
        .await;
    let (_, plain) = app.client(owner.id, &[Role::TenantMember]).await;
    let roles = json_with_status(
        app.get(
            &format!("/api/v1-preview/Communities/{community}/Roles"),
            &owner.token,
        )
        .await,
        reqwest::StatusCode::OK,
    )
    .await;
    let role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["Name"]
                .as_str()
                .unwrap_or_default()
                .ends_with("Community Member")
        })
        .unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();

    // What outsiders of the community may not see, and what of the foreign
    // tenant nobody but it may see.
    let foreign_data = vec![
        foreign.id.to_string(),
        "Foreignco".to_string(),
        foreign_community.clone(),
        "Foreign secrets".to_string(),
        foreign_invitation,
        "secret@partner.example".to_string(),
        foreign.admin_email.clone(),
    ];
    let invitation_data = vec![invitation.clone(), "pending@elsewhere.example".to_string()];
    let owner_data = vec![
        owner.id.to_string(),
        "Contoso".to_string(),
        owner.admin_email.clone(),
        owner.admin_user.to_string(),
        owner.client_id.to_string(),
    ];
    let community_data = vec![
        community.clone(),
        "Plant data".to_string(),
        member.id.to_string(),
        "Fabrikam".to_string(),
        paused.id.to_string(),
        "Pausedco".to_string(),
        member.admin_email.clone(),
    ];
    let outsider: Vec<String> = [
        &owner_data,
        &community_data,
        &invitation_data,
        &foreign_data,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    let foreigner: Vec<String> = [&owner_data, &community_data, &invitation_data]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let plain_member: Vec<String> = [&community_data, &invitation_data, &foreign_data]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let paused_member: Vec<String> = [
        &invitation_data,
        &foreign_data,
        &vec![owner.admin_email.clone(), owner.admin_user.to_string()],
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    World {
        tokens: vec![
            None,
            Some(foreign.token.clone()),
            Some(plain),
            Some(paused.token.clone()),
            Some(removed.token.clone()),
            Some(deactivated.token.clone()),
        ],
        secrets: vec![
            outsider.clone(),
            foreigner,
            plain_member,
            paused_member,
            outsider.clone(),
            outsider,
        ],
        app,
        owner,
        member,
        community,
        invitation,
        role,
    }
}

const STREAM_ID: &str = "matrix";

impl World {
    /// The world's object for each placeholder of the document's paths.
    fn fill(&self, template: &str) -> String {
        template
            .replace("{tenantId}", &self.owner.id.to_string())
            .replace("{communityId}", &self.community)
            .replace("{memberTenantId}", &self.member.id.to_string())
            .replace("{userId}", &self.owner.admin_user.to_string())
            .replace("{clientId}", &self.owner.client_id.to_string())
            .replace("{secretId}", "1")
            .replace("{invitationId}", &self.invitation)
            .replace("{roleId}", &self.role)
            // The world has no provider: a reader who may look gets 404.
            .replace("{identityProviderId}", &uuid::Uuid::nil().to_string())
            .replace("{namespaceId}", "default")
            .replace("{typeId}", "WaveData_SampleType")
            .replace("{streamId}", STREAM_ID)
            .replace("{key}", "site")
            // Nobody here may look: any id does.
            .replace("{webhookId}", &uuid::Uuid::nil().to_string())
            .replace("{deliveryId}", &uuid::Uuid::nil().to_string())
    }

    async fn call(&self, r: &Route, token: Option<&str>) -> (u16, String) {
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        let mut request = self
            .app
            .http
            .request(method, format!("{}{}", self.app.url, self.fill(&r.path)));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = r.body {
            let content_type = if r.path.starts_with("/identity") {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            };
            request = request
                .header("content-type", content_type)
                .body(self.fill(body));
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }
}

#[tokio::test]
async fn every_route_refuses_every_caller_it_should_and_leaks_nothing() {
    let world = world().await;
    let mut failures = Vec::new();
    let rows = routes();
    for r in &rows {
        let sent = format!(
            "{} {}",
            world.fill(&r.path),
            world.fill(r.body.unwrap_or(""))
        );
        for (i, caller) in CALLERS.iter().enumerate() {
            let (status, body) = world.call(r, world.tokens[i].as_deref()).await;
            if status != r.expect[i] {
                failures.push(format!(
                    "{} {} as {caller}: {status}, expected {}: {body}",
                    r.method, r.path, r.expect[i]
                ));
            }
            let cell = format!("{} {} as {caller}", r.method, r.path);
            failures.extend(leaks(&cell, &body, &sent, &world.secrets[i]));
        }
    }
    assert_no_wrong_cells(&failures);
}

/// A failure for each of `secrets` that `body` shows. What the caller sent
/// may come back (an id in "does not exist", a path a confirmation
/// repeats); anything else may not.
pub fn leaks(cell: &str, body: &str, sent: &str, secrets: &[String]) -> Vec<String> {
    secrets
        .iter()
        .filter(|secret| body.contains(secret.as_str()) && !sent.contains(secret.as_str()))
        .map(|secret| format!("{cell}: the answer shows '{secret}'"))
        .collect()
}

pub fn assert_no_wrong_cells(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} cells are wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every operation of the API document has a row, and every row names an
/// operation of the document (its path as documented, before any query).
#[test]
fn the_matrix_covers_every_documented_operation() {
    let rows = routes()
        .iter()
        .map(|r| {
            let path = r.path.split('?').next().unwrap_or_default();
            (r.method.to_string(), path.to_string())
        })
        .collect();
    assert_rows_cover("authorisation matrix", &documented_operations(), &rows);
}

/// Routes as (METHOD, path).
pub type Routes = std::collections::BTreeSet<(String, String)>;

/// Fails unless `rows` names exactly the `routed` routes, and says how many
/// of them have rows.
pub fn assert_rows_cover(matrix: &str, routed: &Routes, rows: &Routes) {
    let missing: Vec<_> = routed.difference(rows).collect();
    let unknown: Vec<_> = rows.difference(routed).collect();
    println!(
        "{matrix}: {} of {} routes have rows",
        routed.len() - missing.len(),
        routed.len()
    );
    assert!(missing.is_empty(), "routes without a row: {missing:?}");
    assert!(unknown.is_empty(), "rows for no route: {unknown:?}");
}

/// (METHOD, path) of every operation in the API document.
pub fn documented_operations() -> Routes {
    let doc = serde_json::to_value(communityd::web::api_document()).expect("JSON");
    doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}
