//! How domain values appear in the API document: ids as GUID strings,
//! domain enums by their variant names.

use crate::app::handshake::Action;
use crate::domain::ids::{
    ClientId, CommunityId, InvitationId, TenantId, UserId, WebhookDeliveryId, WebhookId,
};
use crate::domain::invitation::InvitationState;
use crate::domain::membership::CommunityTenantStatus;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr, Required, Schema};
use utoipa::{PartialSchema, ToSchema};

/// GUIDs: strings in the `uuid` format.
pub fn uuid_schema() -> RefOr<Schema> {
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
uuid_schema!(
    TenantId,
    CommunityId,
    InvitationId,
    UserId,
    ClientId,
    WebhookId,
    WebhookDeliveryId
);

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

/// An optional query parameter, as the API document states it.
pub fn query_param(name: &str, text: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(text))
        .schema(Some(schema))
        .build()
}

/// A whole number of `format` (`Int32`, `Int64`) between `min` and `max`.
pub fn whole_number(format: KnownFormat, min: u64, max: Option<u64>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .minimum(Some(min))
        .maximum(max)
}
