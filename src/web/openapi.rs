//! `GET /openapi.json`: the OpenAPI 3.1 document of every API route. Body
//! schemas come from the handlers' own request and response types (their
//! `ToSchema` derives), so a changed field changes the document. The
//! operations are one table below, next to each other so a route added to
//! `web::routes` without a line here stands out; every API operation gets
//! the ErrorResponse statuses, and the token endpoint its OAuth errors.

use super::api::{communities, community_tenants, directory, invitations, tenants};
use super::error::ErrorResponse;
use crate::app::handshake::Action;
use crate::domain::ids::{ClientId, CommunityId, InvitationId, TenantId, UserId};
use crate::domain::invitation::InvitationState;
use crate::domain::membership::CommunityTenantStatus;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HeaderBuilder, InfoBuilder, KnownFormat, OpenApi,
    OpenApiBuilder, Paths, RefOr, Required, ResponseBuilder, ResponsesBuilder, Schema,
};
use utoipa::{PartialSchema, ToSchema};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(serve));
}

async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// Built once: the document depends only on the code.
pub fn document() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(build)
}

fn uuid_schema() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .into()
}

/// GUID ids are strings in the `uuid` format.
macro_rules! uuid_schema {
    ($($t:ty),*) => {$(
        impl PartialSchema for $t {
            fn schema() -> RefOr<Schema> {
                uuid_schema()
            }
        }
        impl ToSchema for $t {}
    )*};
}
uuid_schema!(TenantId, CommunityId, InvitationId, UserId, ClientId);

/// Domain enums travel as their variant names.
macro_rules! name_schema {
    ($t:ty, $doc:literal, [$($v:literal),*]) => {
        impl PartialSchema for $t {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($doc))
                    .enum_values(Some([$($v),*]))
                    .into()
            }
        }
        impl ToSchema for $t {}
    };
}
name_schema!(
    InvitationState,
    "InvitationState",
    [
        "None",
        "InvitationCreated",
        "InvitationAccepted",
        "InvitationDeclined",
        "InvitationExpired",
        "InvitationCompleted"
    ]
);
name_schema!(
    CommunityTenantStatus,
    "CommunityTenantStatus (requests: Active, Paused or Remove)",
    ["None", "AwaitingConfirmation", "Paused", "Active", "Remove"]
);
name_schema!(
    Action,
    "ProcessInvitationAction",
    ["Accept", "Decline", "Confirm", "Resend"]
);

/// `POST /identity/connect/token`'s success body.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    access_token: String,
    /// Always `Bearer`.
    token_type: String,
    /// Seconds.
    expires_in: i64,
}

/// An OAuth 2.0 error (RFC 6749 section 5.2).
#[derive(Serialize, ToSchema)]
pub struct OAuthError {
    error: String,
    error_description: String,
}

/// The token request form.
#[derive(Serialize, ToSchema)]
pub struct TokenRequest {
    /// `client_credentials`.
    grant_type: String,
    /// Or HTTP Basic authentication.
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OpenIdConfiguration {
    issuer: String,
    token_endpoint: String,
    grant_types_supported: Vec<String>,
    token_endpoint_auth_methods_supported: Vec<String>,
    response_types_supported: Vec<String>,
    scopes_supported: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Liveness {
    status: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MailTransport {
    /// `unknown`, `ok` or `failing`.
    status: String,
    /// Since when (absent while unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Readiness {
    /// `ready` or `not ready`.
    status: String,
    database: String,
    outbox_worker: String,
    mail_transport: MailTransport,
}

/// What an operation answers when it succeeds.
#[derive(Clone, Copy)]
enum Reply {
    /// No body (204, or a status alone).
    Empty,
    Json(fn() -> RefOr<Schema>),
    /// A JSON array of the schema.
    List(fn() -> RefOr<Schema>),
    Text,
}

/// Who may call it.
#[derive(Clone, Copy, PartialEq)]
enum Access {
    Public,
    Token,
}

struct Op {
    method: HttpMethod,
    path: String,
    summary: &'static str,
    body: Option<fn() -> RefOr<Schema>>,
    paged: bool,
    replies: Vec<(u16, Reply)>,
    access: Access,
}

fn schema_ref<T: ToSchema>() -> RefOr<Schema> {
    RefOr::Ref(utoipa::openapi::Ref::from_schema_name(T::name()))
}

fn json_string() -> RefOr<Schema> {
    String::schema()
}

fn role_ids() -> RefOr<Schema> {
    ArrayBuilder::new().items(uuid_schema()).into()
}

const T: &str = "/api/v1/Tenants/{tenantId}";
const C: &str = "/api/v1-preview/tenants/{tenantId}/Communities";
const CI: &str = "/api/v1-preview/tenants/{tenantId}/Communities/{communityId}";

fn operations() -> Vec<Op> {
    use HttpMethod::{Delete, Get, Head, Patch, Post, Put};
    use Reply::{Empty, Json, List, Text};
    let op = |method, path: &str, summary, body, paged, replies| Op {
        method,
        path: path.to_string(),
        summary,
        body,
        paged,
        replies,
        access: Access::Token,
    };
    let public = |method, path: &str, summary, replies| Op {
        method,
        path: path.to_string(),
        summary,
        body: None,
        paged: false,
        replies,
        access: Access::Public,
    };
    let community = schema_ref::<communities::CommunityBody>;
    let invitation = schema_ref::<invitations::InvitationBody>;
    let member = schema_ref::<communities::CommunityTenantBody>;
    let status_body =
        Some(schema_ref::<community_tenants::UpdateCommunityTenantInput> as fn() -> _);
    let mut ops = vec![
        public(
            Get,
            "/health/live",
            "The process answers",
            vec![(200, Json(schema_ref::<Liveness>))],
        ),
        public(
            Get,
            "/health/ready",
            "Database readable and outbox worker running; mail transport state",
            vec![
                (200, Json(schema_ref::<Readiness>)),
                (503, Json(schema_ref::<Readiness>)),
            ],
        ),
        public(Get, "/metrics", "Prometheus metrics", vec![(200, Text)]),
        public(
            Get,
            "/openapi.json",
            "This document",
            vec![(200, Json(|| ObjectBuilder::new().into()))],
        ),
        public(
            Get,
            "/identity/.well-known/openid-configuration",
            "OpenID discovery",
            vec![(200, Json(schema_ref::<OpenIdConfiguration>))],
        ),
        op(
            Get,
            T,
            "A tenant (your own)",
            None,
            false,
            vec![(200, Json(schema_ref::<tenants::TenantBody>))],
        ),
        op(
            Head,
            T,
            "Whether a tenant exists",
            None,
            false,
            vec![(204, Empty)],
        ),
        op(
            Put,
            T,
            "Update your tenant",
            Some(schema_ref::<tenants::TenantInput>),
            false,
            vec![(200, Json(schema_ref::<tenants::TenantBody>))],
        ),
        op(
            Get,
            "/api/v1/Tenants/{tenantId}/Icon",
            "The tenant's icon (base64 PNG)",
            None,
            false,
            vec![(200, Json(json_string))],
        ),
        op(
            Put,
            "/api/v1/Tenants/{tenantId}/Icon",
            "Set the tenant's icon (base64 PNG under 64 KiB)",
            Some(json_string),
            false,
            vec![(200, Json(json_string))],
        ),
        op(
            Delete,
            "/api/v1/Tenants/{tenantId}/Icon",
            "Remove the tenant's icon",
            None,
            false,
            vec![(204, Empty)],
        ),
        op(
            Get,
            "/api/v1/Tenants/{tenantId}/Regions",
            "The installation's region",
            None,
            false,
            vec![(200, List(schema_ref::<tenants::Region>))],
        ),
        op(
            Get,
            "/api/v1-preview/Communities/{communityId}/Roles",
            "The community's role instances",
            None,
            true,
            vec![(200, List(schema_ref::<directory::RoleBody>))],
        ),
        op(
            Get,
            "/api/v1-preview/Communities/{communityId}/Tenants",
            "Member tenants",
            None,
            false,
            vec![(200, List(member))],
        ),
        op(
            Put,
            "/api/v1-preview/Communities/{communityId}/Tenants/{memberTenantId}",
            "Confirm, pause, resume or remove a member tenant",
            status_body,
            false,
            vec![(200, Empty), (204, Empty)],
        ),
        op(
            Patch,
            "/api/v1-preview/Communities/{communityId}/Tenants/{memberTenantId}",
            "Confirm, pause, resume or remove a member tenant",
            status_body,
            false,
            vec![(200, Empty), (204, Empty)],
        ),
        op(
            Delete,
            "/api/v1-preview/Communities/{communityId}/Tenants/{memberTenantId}",
            "Remove a member tenant, or leave",
            None,
            false,
            vec![(204, Empty)],
        ),
        op(
            Put,
            "/api/v1-preview/communityinvitations/{invitationId}",
            "Accept, decline, confirm or resend an invitation",
            Some(schema_ref::<invitations::ProcessInvitationInput>),
            false,
            vec![(200, Json(invitation)), (202, Json(invitation))],
        ),
        op(
            Get,
            "/api/v1-preview/communityinvitations/{invitationId}/details",
            "What an invitation is for",
            None,
            false,
            vec![(200, Json(schema_ref::<invitations::DetailsBody>))],
        ),
        op(
            Get,
            "/api/v1-preview/tenants/{tenantId}/communityinvitations",
            "Accepted invitations awaiting confirmation",
            None,
            true,
            vec![(200, List(invitation))],
        ),
    ];
    // Invitations, with and without the tenant segment.
    for base in [
        "/api/v1-preview/tenants/{tenantId}/communities/{communityId}/invitations",
        "/api/v1-preview/Communities/{communityId}/Invitations",
    ] {
        let one = format!("{base}/{{invitationId}}");
        ops.extend([
            op(
                Get,
                base,
                "Invitations the tenant issued",
                None,
                true,
                vec![(200, List(invitation))],
            ),
            op(
                Post,
                base,
                "Invite a tenant by email",
                Some(schema_ref::<invitations::CreateInvitationInput>),
                false,
                vec![(201, Json(invitation))],
            ),
            op(
                Get,
                &one,
                "An invitation",
                None,
                false,
                vec![(200, Json(invitation))],
            ),
            op(
                Delete,
                &one,
                "Withdraw an invitation",
                None,
                false,
                vec![(204, Empty)],
            ),
        ]);
    }
    // The caller's own tenant directory.
    for (segment, id, body) in [
        (
            "Roles",
            "roleId",
            schema_ref::<directory::RoleBody> as fn() -> _,
        ),
        ("Users", "userId", schema_ref::<directory::UserBody>),
        (
            "ClientCredentialClients",
            "clientId",
            schema_ref::<directory::ClientBody>,
        ),
    ] {
        let list = format!("{T}/{segment}");
        let one = format!("{list}/{{{id}}}");
        ops.extend([
            op(
                Get,
                &list,
                "Your tenant's directory",
                None,
                true,
                vec![(200, List(body))],
            ),
            op(
                Get,
                &one,
                "One entry of your tenant's directory",
                None,
                false,
                vec![(200, Json(body))],
            ),
        ]);
    }
    // SDS: types, streams, data and stream access control under a tenant's
    // namespace (both API versions), the community-scoped read routes, and
    // community stream search. Their bodies are SDS's free-form JSON.
    ops.extend(sds_operations());
    // Communities, with and without the tenant segment.
    for base in [C, "/api/v1-preview/Communities"] {
        let with_id = format!("{base}/{{communityId}}");
        let summary = format!("{with_id}/Summary");
        ops.extend([
            op(
                Get,
                base,
                "Communities the tenant is in",
                None,
                true,
                vec![(200, List(community))],
            ),
            op(
                Post,
                base,
                "Create a community",
                Some(schema_ref::<communities::CreateCommunityInput>),
                false,
                vec![(201, Json(community))],
            ),
            op(
                Get,
                &with_id,
                "A community",
                None,
                false,
                vec![(200, Json(community))],
            ),
            op(
                Put,
                &with_id,
                "Rename, describe or alias a community",
                Some(schema_ref::<communities::UpdateCommunityInput>),
                false,
                vec![(200, Json(community))],
            ),
            op(
                Delete,
                &with_id,
                "Delete a community",
                None,
                false,
                vec![(204, Empty)],
            ),
            op(
                Get,
                &summary,
                "Stream counts",
                None,
                false,
                vec![(200, Json(schema_ref::<communities::SummaryBody>))],
            ),
        ]);
    }
    ops.push(op(
        Get,
        "/api/v1-preview/tenants/{tenantId}/Communities/{communityId}/communitytenants",
        "Member tenants",
        None,
        false,
        vec![(200, List(member))],
    ));
    for segment in ["communitytenants", "membertenants"] {
        let path = format!("{CI}/{segment}/{{memberTenantId}}");
        ops.push(op(
            Put,
            &path,
            "Confirm, pause, resume or remove a member tenant",
            status_body,
            false,
            vec![(200, Empty), (204, Empty)],
        ));
        ops.push(op(
            Delete,
            &path,
            "Remove a member tenant, or leave",
            None,
            false,
            vec![(204, Empty)],
        ));
    }
    // The community's view of your own users and clients.
    for (segment, id, holder) in [
        (
            "Users",
            "userId",
            schema_ref::<directory::UserBody> as fn() -> _,
        ),
        (
            "ClientCredentialClients",
            "clientId",
            schema_ref::<directory::ClientBody>,
        ),
    ] {
        let list = format!("{CI}/{segment}");
        let one = format!("{list}/{{{id}}}");
        ops.extend([
            op(
                Get,
                &list,
                "Your identities with community roles",
                None,
                true,
                vec![(200, List(holder))],
            ),
            op(
                Head,
                &list,
                "How many (Total-Count header)",
                None,
                false,
                vec![(200, Empty)],
            ),
            op(
                Put,
                &one,
                "Set an identity's community roles (role ids from /Roles)",
                Some(role_ids),
                false,
                vec![(200, Json(holder)), (201, Json(holder))],
            ),
            op(
                Delete,
                &one,
                "Take away an identity's community roles",
                None,
                false,
                vec![(204, Empty)],
            ),
        ]);
    }
    ops
}

/// Any JSON value: SDS types, streams, events and ACLs are free-form.
fn any_json() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
        .into()
}

fn sds_operations() -> Vec<Op> {
    use HttpMethod::{Delete, Get, Patch, Post, Put};
    use Reply::{Empty, Json};
    let op = |method, path: String, summary, body: bool, replies| Op {
        method,
        path,
        summary,
        body: body.then_some(any_json as fn() -> _),
        paged: false,
        replies,
        access: Access::Token,
    };
    let tenant_bases = [
        "/api/v1/Tenants/{tenantId}/Namespaces/{namespaceId}",
        "/api/v1-preview/Tenants/{tenantId}/Namespaces/{namespaceId}",
    ];
    let community_base =
        "/api/v1-preview/Communities/{communityId}/Tenants/{tenantId}/Namespaces/{namespaceId}";
    let mut ops = Vec::new();
    for base in tenant_bases {
        let one = format!("{base}/Types/{{typeId}}");
        ops.extend([
            op(
                Get,
                format!("{base}/Types"),
                "SDS types",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Get,
                one.clone(),
                "An SDS type",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Post,
                one.clone(),
                "Create an SDS type (200 when the same one exists)",
                true,
                vec![(200, Json(any_json)), (201, Json(any_json))],
            ),
            op(Delete, one, "Delete an SDS type", false, vec![(204, Empty)]),
        ]);
    }
    for base in tenant_bases.into_iter().chain([community_base]) {
        let one = format!("{base}/Streams/{{streamId}}");
        let data = format!("{one}/Data");
        ops.extend([
            op(
                Get,
                format!("{base}/Streams"),
                "Streams",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Get,
                one.clone(),
                "A stream",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Post,
                one.clone(),
                "Create a stream (200 when the same one exists)",
                true,
                vec![(200, Json(any_json)), (201, Json(any_json))],
            ),
            op(
                Put,
                one.clone(),
                "Create or update a stream",
                true,
                vec![(204, Empty)],
            ),
            op(
                Delete,
                one.clone(),
                "Delete a stream",
                false,
                vec![(204, Empty)],
            ),
            op(
                Get,
                format!("{one}/Type"),
                "The stream's type",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Get,
                format!("{one}/Tags"),
                "The stream's tags",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Put,
                format!("{one}/Tags"),
                "Replace the stream's tags",
                true,
                vec![(204, Empty)],
            ),
            op(
                Get,
                format!("{one}/Metadata"),
                "The stream's metadata",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Put,
                format!("{one}/Metadata"),
                "Replace the stream's metadata",
                true,
                vec![(204, Empty)],
            ),
            op(
                Patch,
                format!("{one}/Metadata"),
                "Change the stream's metadata",
                true,
                vec![(204, Empty)],
            ),
            op(
                Get,
                format!("{one}/Metadata/{{key}}"),
                "One metadata value",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Get,
                data.clone(),
                "Read events",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Post,
                data.clone(),
                "Insert events",
                true,
                vec![(204, Empty)],
            ),
            op(
                Put,
                data.clone(),
                "Replace events",
                true,
                vec![(204, Empty)],
            ),
            op(
                Delete,
                data.clone(),
                "Remove events",
                false,
                vec![(204, Empty)],
            ),
            op(
                Get,
                format!("{data}/First"),
                "The first event",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Get,
                format!("{data}/Last"),
                "The last event",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Get,
                format!("{data}/Transform"),
                "Events of a range",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Get,
                format!("{one}/AccessControl"),
                "The stream's ACL",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Put,
                format!("{one}/AccessControl"),
                "Replace the stream's ACL",
                true,
                vec![(204, Empty)],
            ),
            op(
                Patch,
                format!("{one}/AccessControl"),
                "Change the stream's ACL (JSON Patch)",
                true,
                vec![(204, Empty)],
            ),
            op(
                Get,
                format!("{one}/Owner"),
                "The stream's owner",
                false,
                vec![(200, Json(any_json))],
            ),
            op(
                Put,
                format!("{one}/Owner"),
                "Set the stream's owner",
                true,
                vec![(204, Empty)],
            ),
            op(
                Get,
                format!("{one}/AccessRights"),
                "The caller's rights on the stream",
                false,
                vec![(200, Json(any_json))],
            ),
        ]);
    }
    for path in [
        "/api/v1-preview/Search/Communities/{communityId}/Streams",
        "/api/v1-preview/Tenants/{tenantId}/Search/Communities/{communityId}/Streams",
    ] {
        ops.push(op(
            Get,
            path.to_string(),
            "Streams shared into a community",
            false,
            vec![(200, Json(any_json))],
        ));
    }
    ops
}

fn operation_id(op: &Op) -> String {
    let method = match op.method {
        HttpMethod::Get => "get",
        HttpMethod::Head => "head",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Patch => "patch",
        HttpMethod::Delete => "delete",
        HttpMethod::Options => "options",
        HttpMethod::Trace => "trace",
    };
    let path: String = op
        .path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "api")
        .map(|s| s.trim_matches(['{', '}']).replace('-', "_"))
        .collect::<Vec<_>>()
        .join("_");
    format!("{method}_{path}")
}

fn success(builder: ResponsesBuilder, status: u16, reply: Reply, op: &Op) -> ResponsesBuilder {
    let mut response = ResponseBuilder::new().description(op.summary);
    response = match reply {
        Reply::Empty => response,
        Reply::Json(schema) => response.content(
            "application/json",
            ContentBuilder::new().schema(Some(schema())).build(),
        ),
        Reply::List(schema) => response.content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(ArrayBuilder::new().items(schema())))
                .build(),
        ),
        Reply::Text => response.content(
            "text/plain",
            ContentBuilder::new().schema(Some(String::schema())).build(),
        ),
    };
    if op.method == HttpMethod::Head && status == 200 {
        response = response.header(
            "Total-Count",
            HeaderBuilder::new().schema(i64::schema()).build(),
        );
    }
    builder.response(status.to_string(), response.build())
}

/// Path parameters that are GUIDs; any other (SDS names) is a string.
const UUID_PARAMETERS: &[&str] = &[
    "tenantId",
    "communityId",
    "invitationId",
    "memberTenantId",
    "userId",
    "clientId",
    "roleId",
];

const ERRORS: &[(u16, &str)] = &[
    (
        400,
        "A parameter or body field is not valid; Parameter names it",
    ),
    (401, "No token, or an expired or invalid one"),
    (403, "The caller's roles do not allow it"),
    (404, "Not found"),
    (409, "Conflicts with the current state"),
    (429, "Too many requests; see Retry-After"),
    (500, "Unexpected; report the OperationId"),
];

fn error_response(description: &str, schema: RefOr<Schema>) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        )
        .build()
}

fn operation(op: &Op) -> utoipa::openapi::path::Operation {
    let mut responses = ResponsesBuilder::new();
    for (status, reply) in &op.replies {
        responses = success(responses, *status, *reply, op);
    }
    if op.access == Access::Token {
        for (status, text) in ERRORS {
            responses = responses.response(
                status.to_string(),
                error_response(text, schema_ref::<ErrorResponse>()),
            );
        }
    }
    let mut parameters: Vec<_> = op
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(if UUID_PARAMETERS.contains(&name) {
                    uuid_schema()
                } else {
                    String::schema()
                }))
                .build()
        })
        .collect();
    if op.paged {
        for (name, min, max, text) in [
            ("skip", 0, None, "How many to skip (default 0)"),
            ("count", 1, Some(1000), "How many to return (default 100)"),
        ] {
            let mut schema = ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(min));
            if let Some(max) = max {
                schema = schema.maximum(Some(max));
            }
            parameters.push(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(text))
                    .schema(Some(schema))
                    .build(),
            );
        }
    }
    let mut builder = OperationBuilder::new()
        .summary(Some(op.summary))
        .operation_id(Some(operation_id(op)))
        .parameters(Some(parameters))
        .responses(responses.build());
    if let Some(body) = op.body {
        builder = builder.request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(body())).build(),
                )
                .required(Some(Required::True))
                .build(),
        ));
    }
    if op.access == Access::Public {
        // An empty requirement overrides the document's default: no token.
        builder = builder.securities(Some(Vec::<SecurityRequirement>::new()));
    }
    builder.build()
}

fn token_operation() -> utoipa::openapi::path::Operation {
    let oauth = || schema_ref::<OAuthError>();
    OperationBuilder::new()
        .summary(Some(
            "OAuth client_credentials: a client id and secret buy an access token",
        ))
        .operation_id(Some("post_identity_connect_token"))
        .request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "application/x-www-form-urlencoded",
                    ContentBuilder::new()
                        .schema(Some(schema_ref::<TokenRequest>()))
                        .build(),
                )
                .required(Some(Required::True))
                .build(),
        ))
        .responses(
            ResponsesBuilder::new()
                .response(
                    "200",
                    error_response("The access token", schema_ref::<TokenResponse>()),
                )
                .response("400", error_response("Bad request or credentials", oauth()))
                .response(
                    "429",
                    error_response("Too many attempts for this client", oauth()),
                )
                .response(
                    "500",
                    error_response("Unexpected", schema_ref::<ErrorResponse>()),
                )
                .build(),
        )
        .securities(Some(Vec::<SecurityRequirement>::new()))
        .build()
}

/// Every schema the operations name, with what they name in turn.
fn schemas() -> Vec<(String, RefOr<Schema>)> {
    let mut out = Vec::new();
    fn add<S: ToSchema>(out: &mut Vec<(String, RefOr<Schema>)>) {
        out.push((S::name().into_owned(), S::schema()));
        S::schemas(out);
    }
    add::<ErrorResponse>(&mut out);
    add::<TokenResponse>(&mut out);
    add::<TokenRequest>(&mut out);
    add::<OAuthError>(&mut out);
    add::<OpenIdConfiguration>(&mut out);
    add::<Liveness>(&mut out);
    add::<Readiness>(&mut out);
    add::<tenants::TenantBody>(&mut out);
    add::<tenants::TenantInput>(&mut out);
    add::<tenants::Region>(&mut out);
    add::<communities::CommunityBody>(&mut out);
    add::<communities::CommunityTenantBody>(&mut out);
    add::<communities::CreateCommunityInput>(&mut out);
    add::<communities::UpdateCommunityInput>(&mut out);
    add::<communities::SummaryBody>(&mut out);
    add::<directory::RoleBody>(&mut out);
    add::<directory::UserBody>(&mut out);
    add::<directory::ClientBody>(&mut out);
    add::<community_tenants::UpdateCommunityTenantInput>(&mut out);
    add::<invitations::InvitationBody>(&mut out);
    add::<invitations::CreateInvitationInput>(&mut out);
    add::<invitations::ProcessInvitationInput>(&mut out);
    add::<invitations::DetailsBody>(&mut out);
    out
}

fn build() -> OpenApi {
    let mut paths = Paths::new();
    for op in operations() {
        paths.add_path_operation(&op.path, vec![op.method.clone()], operation(&op));
    }
    paths.add_path_operation(
        "/identity/connect/token",
        vec![HttpMethod::Post],
        token_operation(),
    );
    let mut components = ComponentsBuilder::new().security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("An access token from POST /identity/connect/token"))
                .build(),
        ),
    );
    for (name, schema) in schemas() {
        components = components.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("communityd")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Communities of tenants that share data: OCS / AVEVA Data Hub's Communities and Tenants APIs. \
                     Literal path segments match in any case.",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components.build()))
        .security(Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_referenced_schema_is_defined_and_the_version_is_3_1() {
        let doc = serde_json::to_value(document()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap();
            assert!(
                schemas.contains_key(name),
                "{name} is referenced but not defined"
            );
        }
        let ids: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "operation ids repeat");
    }
}
