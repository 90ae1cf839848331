//! Typed path extractors: one small struct per path shape. Each value is
//! parsed once, by its route name, and a bad one is a 400 that names it;
//! the same declaration documents the parameters, so the API document
//! cannot disagree with what a handler reads.

use crate::app::AppError;
use crate::domain::ids::{
    AuthorizationCodeClientId, ClientId, CommunityId, InvitationId, TenantId, UserId,
    WebhookDeliveryId, WebhookId,
};
use crate::web::schemas::uuid_schema;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::{ready, Ready};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{RefOr, Required, Schema};
use utoipa::PartialSchema;
use uuid::Uuid;

/// A value a path segment can hold.
pub trait PathValue: Sized {
    fn parse(name: &str, raw: &str) -> Result<Self, AppError>;
    fn schema() -> RefOr<Schema>;
}

fn guid(name: &str, raw: &str) -> Result<Uuid, AppError> {
    Uuid::try_parse(raw).map_err(|_| {
        let shown: String = raw.chars().take(64).collect();
        AppError::invalid(name, format!("'{shown}' is not a valid GUID"))
    })
}

macro_rules! guid_values {
    ($($t:ty),*) => {$(
        impl PathValue for $t {
            fn parse(name: &str, raw: &str) -> Result<Self, AppError> {
                guid(name, raw).map(<$t>::from)
            }

            fn schema() -> RefOr<Schema> {
                uuid_schema()
            }
        }
    )*};
}
guid_values!(
    TenantId,
    CommunityId,
    InvitationId,
    UserId,
    ClientId,
    AuthorizationCodeClientId,
    Uuid,
    WebhookId,
    WebhookDeliveryId
);

/// A client secret's id: a small number, unique within its client.
impl PathValue for u32 {
    fn parse(name: &str, raw: &str) -> Result<Self, AppError> {
        raw.parse().map_err(|_| {
            let shown: String = raw.chars().take(64).collect();
            AppError::invalid(
                name,
                format!("'{shown}' is not a secret id (a whole number)"),
            )
        })
    }

    fn schema() -> RefOr<Schema> {
        <u32 as PartialSchema>::schema()
    }
}

/// SDS ids (types, streams, metadata keys, namespaces) are names, taken as
/// written; their rules are SDS's and are checked by the use case.
impl PathValue for String {
    fn parse(_: &str, raw: &str) -> Result<Self, AppError> {
        Ok(raw.to_string())
    }

    fn schema() -> RefOr<Schema> {
        <String as PartialSchema>::schema()
    }
}

/// One path value by its route name, fully percent-decoded.
///
/// The router decodes a path before matching it, except `%25`, `%2F` and
/// `%2B` (so that `%2F` cannot split a segment): a client that encodes the
/// `+` of stream `a+b` or the `%` of `100%` sends them that way, and they
/// are decoded here, once, for every route. A literal `+` is a `+` (only
/// queries use it for a space).
pub fn value<T: PathValue>(req: &HttpRequest, name: &str) -> Result<T, AppError> {
    let raw = req.match_info().get(name).unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| AppError::invalid(name, "is not UTF-8 once percent-decoded"))?;
    T::parse(name, &decoded)
}

/// The path parameter `name` of type `T`, for the API document.
pub fn parameter<T: PathValue>(name: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(T::schema()))
        .build()
}

/// Declares a path shape: its fields, the route name of each, and so its
/// extractor and its documented parameters.
macro_rules! path_shape {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty = $route:literal),+ $(,)? }) => {
        $(#[$doc])*
        pub struct $name {
            $(pub $field: $ty),+
        }

        impl $name {
            /// The route names this shape reads, in path order.
            pub const NAMES: &'static [&'static str] = &[$($route),+];

            pub fn of(req: &HttpRequest) -> Result<Self, AppError> {
                Ok(Self { $($field: value(req, $route)?),+ })
            }

            pub fn parameters() -> Vec<Parameter> {
                vec![$(parameter::<$ty>($route)),+]
            }
        }

        impl FromRequest for $name {
            type Error = AppError;
            type Future = Ready<Result<Self, AppError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                ready(Self::of(req))
            }
        }

        impl utoipa::IntoParams for $name {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                Self::parameters()
            }
        }
    };
}

path_shape!(
    /// `/Tenants/{tenantId}`
    TenantPath { tenant: TenantId = "tenantId" }
);
path_shape!(
    /// `/Communities/{communityId}`
    CommunityPath { community: CommunityId = "communityId" }
);
path_shape!(
    /// `/Tenants/{tenantId}/Communities/{communityId}` (either order)
    TenantCommunityPath { tenant: TenantId = "tenantId", community: CommunityId = "communityId" }
);
path_shape!(
    /// A member tenant of the community in the mount.
    MemberTenantPath { member: TenantId = "memberTenantId" }
);
path_shape!(
    /// `.../Invitations/{invitationId}`, `/CommunityInvitations/{invitationId}`
    InvitationPath { invitation: InvitationId = "invitationId" }
);
path_shape!(
    /// `.../Users/{userId}`
    UserPath { user: UserId = "userId" }
);
path_shape!(
    /// `.../ClientCredentialClients/{clientId}`
    ClientPath { client: ClientId = "clientId" }
);
path_shape!(
    /// `.../AuthorizationCodeClients/{clientId}`
    AuthorizationCodeClientPath { client: AuthorizationCodeClientId = "clientId" }
);
path_shape!(
    /// `.../ClientCredentialClients/{clientId}/Secrets/{secretId}`
    SecretPath { secret: u32 = "secretId" }
);
path_shape!(
    /// `.../IdentityProviders/{identityProviderId}`
    IdentityProviderPath { provider: Uuid = "identityProviderId" }
);
path_shape!(
    /// `.../Roles/{roleId}`
    RolePath { role: Uuid = "roleId" }
);
path_shape!(
    /// An SDS namespace of a tenant.
    NamespacePath { tenant: TenantId = "tenantId", namespace: String = "namespaceId" }
);
path_shape!(
    /// `.../Namespaces/{namespaceId}` under the tenant's mount.
    NamespaceIdPath { namespace: String = "namespaceId" }
);
path_shape!(
    /// An SDS namespace of a tenant, read through a community.
    CommunityNamespacePath {
        community: CommunityId = "communityId",
        tenant: TenantId = "tenantId",
        namespace: String = "namespaceId",
    }
);
path_shape!(
    /// `.../Types/{typeId}`
    TypePath { type_id: String = "typeId" }
);
path_shape!(
    /// `.../Streams/{streamId}`
    StreamPath { stream: String = "streamId" }
);
path_shape!(
    /// `.../Streams/{streamId}/Metadata/{key}`
    MetadataKeyPath { stream: String = "streamId", key: String = "key" }
);

/// The tenant a route names, when its mount has a `{tenantId}` segment
/// (OCS-2021's routes); AVEVA Data Hub's take it from the token.
pub struct TenantScope(pub Option<TenantId>);

impl FromRequest for TenantScope {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.match_info().get("tenantId") {
            Some(_) => value(req, "tenantId").map(|t| TenantScope(Some(t))),
            None => Ok(TenantScope(None)),
        })
    }
}

path_shape!(
    /// `.../Webhooks/{webhookId}`
    WebhookPath { webhook: WebhookId = "webhookId" }
);
path_shape!(
    /// `.../Webhooks/{webhookId}/Deliveries/{deliveryId}`
    WebhookDeliveryPath { webhook: WebhookId = "webhookId", delivery: WebhookDeliveryId = "deliveryId" }
);

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn a_bad_guid_is_a_400_naming_the_parameter() {
        let req = TestRequest::default()
            .param("communityId", "not-a-guid")
            .to_http_request();
        match CommunityPath::of(&req) {
            Err(AppError::Invalid { field, reason }) => {
                assert_eq!(field, "communityId");
                assert_eq!(reason, "'not-a-guid' is not a valid GUID");
            }
            other => panic!("expected a 400, got {:?}", other.err()),
        }
    }

    #[test]
    fn encoded_plus_and_percent_are_decoded_once() {
        let req = TestRequest::default()
            .param("streamId", "a%2Bb+c%25d%252B")
            .to_http_request();
        assert_eq!(StreamPath::of(&req).unwrap().stream, "a+b+c%d%2B");
        let req = TestRequest::default()
            .param("streamId", "%FF")
            .to_http_request();
        assert!(matches!(
            StreamPath::of(&req),
            Err(AppError::Invalid { field, .. }) if field == "streamId"
        ));
    }

    #[test]
    fn every_field_is_read_by_its_route_name() {
        let community = Uuid::now_v7();
        let req = TestRequest::default()
            .param("communityId", community.to_string())
            .param("tenantId", Uuid::nil().to_string())
            .param("namespaceId", "default")
            .to_http_request();
        let path = CommunityNamespacePath::of(&req).expect("parsed");
        assert_eq!(path.community.0, community);
        assert_eq!(path.namespace, "default");
        assert_eq!(
            CommunityNamespacePath::NAMES,
            ["communityId", "tenantId", "namespaceId"]
        );
    }
}
