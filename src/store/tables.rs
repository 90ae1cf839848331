//! Every table, and nothing else. Values named `&[u8]` are records in the
//! codec's format; index tables map a composite key to `()` or an id.
//!
//! Each table is declared once, in `tables!` below: the declaration makes
//! its `TableDefinition` (named as on disk) and enters it in `each_table`,
//! which creating the tables, backups and their checks walk. A table cannot
//! exist in the file without the backup copying it. A table whose values
//! the service decodes names how (`= record::<T>`), so a backup's check
//! reads every value the way the service will.

use super::codec::{decode, Record};
use super::error::StoreError;
use crate::domain::audit::AuditEvent;
use crate::domain::authorization_code::AuthorizationCode;
use crate::domain::authorization_code_client::AuthorizationCodeClient;
use crate::domain::community::Community;
use crate::domain::custom_role::CustomRole;
use crate::domain::identity::{Client, User};
use crate::domain::identity_provider::IdentityProvider;
use crate::domain::invitation::Invitation;
use crate::domain::membership::Membership;
use crate::domain::notification::OutboxEntry;
use crate::domain::sds::acl::AccessControlList;
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::stream::SdsStream;
use crate::domain::session::Session;
use crate::domain::sign_in_policy::SignInPolicy;
use crate::domain::tenant::Tenant;
use crate::domain::trusted_domains::TrustedDomains;
use crate::domain::two_factor::TwoFactor;
use crate::domain::user_invitation::UserInvitation;
use crate::domain::webhook::WebhookEndpoint;
use crate::domain::webhook_delivery::WebhookDelivery;
use redb::{Key, TableDefinition, Value};
use uuid::Uuid;

/// A record table: id -> record in the codec's format.
type Records = &'static [u8];

/// Something done to every table in turn, each with its own key and value
/// types (so a copy is typed per table, not through bytes).
pub(super) trait EachTable {
    fn table<K: Key + 'static, V: Value + 'static>(
        &mut self,
        def: TableDefinition<'static, K, V>,
    ) -> Result<(), StoreError>;
}

/// Reads a record the way the service does, keeping only whether it can.
fn record<T: Record>(bytes: &[u8]) -> Result<(), StoreError> {
    decode::<T>(bytes).map(drop)
}

/// Stream values are JSON text.
fn json(bytes: &[u8]) -> Result<(), StoreError> {
    serde_json::from_slice::<serde_json::Value>(bytes)?;
    Ok(())
}

macro_rules! tables {
    ($($(#[$doc:meta])* $name:ident: $key:ty => $value:ty $(= $read:expr)?;)*) => {
        $(
            $(#[$doc])*
            pub const $name: TableDefinition<'static, $key, $value> =
                TableDefinition::new(stringify!($name));
        )*

        /// Every table's name, as stored in the file.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Hands every table to `visit`, in declaration order.
        pub(super) fn each_table(visit: &mut impl EachTable) -> Result<(), StoreError> {
            $(visit.table($name)?;)*
            Ok(())
        }

        /// Decodes one stored value of `table` as the service would; tables
        /// whose values the service does not decode accept any bytes.
        pub(super) fn read_value(table: &str, bytes: &[u8]) -> Result<(), StoreError> {
            match table {
                $($(stringify!($name) => $read(bytes),)?)*
                _ => Ok(()),
            }
        }
    };
}

tables! {
    /// schema version and other counters
    META: &str => u64;
    /// counted state -> how many records are in it (see `counts`)
    COUNTS: &str => u64;
    /// signing keys, generated on first start
    SECRETS: &str => &[u8];

    TENANTS: Uuid => Records = record::<Tenant>;
    /// lower-cased alias -> tenant
    TENANT_BY_ALIAS: &str => Uuid;
    /// (lower-cased company name, tenant): company names unique whatever the
    /// case; a pair (not name -> tenant) so tenants that shared a name before
    /// the rule existed still index, and only new clashes are refused
    TENANT_BY_NAME: (&str, Uuid) => ();
    /// tenant -> PNG bytes
    TENANT_ICONS: Uuid => &[u8];
    /// tenant -> how its people may sign in (none: the defaults)
    SIGN_IN_POLICIES: Uuid => Records = record::<SignInPolicy>;

    USERS: Uuid => Records = record::<User>;
    /// (lower-cased email, tenant) -> user; unique per tenant, and a range by
    /// email finds every tenant that owns an address
    USER_BY_EMAIL: (&str, Uuid) => Uuid;
    /// (tenant, user)
    USERS_BY_TENANT: (Uuid, Uuid) => ();
    /// (tenant, user) -> the user's authenticator and recovery codes
    TWO_FACTOR: (Uuid, Uuid) => &[u8] = record::<TwoFactor>;

    /// user -> the user's invitation (one per user; a resend replaces it)
    USER_INVITATIONS: Uuid => Records = record::<UserInvitation>;
    /// (tenant, invitation) -> user: a tenant's invitations, oldest first
    USER_INVITATIONS_BY_TENANT: (Uuid, Uuid) => Uuid;

    CLIENTS: Uuid => Records = record::<Client>;
    /// (tenant, client)
    CLIENTS_BY_TENANT: (Uuid, Uuid) => ();

    /// authorization-code client -> record
    AUTHORIZATION_CODE_CLIENTS: Uuid => Records = record::<AuthorizationCodeClient>;
    /// (tenant, authorization-code client)
    AUTHORIZATION_CODE_CLIENTS_BY_TENANT: (Uuid, Uuid) => ();

    /// (tenant, role) -> the tenant's custom role, oldest first
    CUSTOM_ROLES: (Uuid, Uuid) => Records = record::<CustomRole>;
    /// (tenant, lower-cased name) -> role: names unique per tenant
    CUSTOM_ROLE_NAMES: (Uuid, &str) => Uuid;

    /// (tenant, provider) -> the tenant's OpenID provider, oldest first
    IDENTITY_PROVIDERS: (Uuid, Uuid) => Records = record::<IdentityProvider>;
    /// (tenant, lower-cased name) -> provider: names unique per tenant
    IDENTITY_PROVIDER_NAMES: (Uuid, &str) => Uuid;

    COMMUNITIES: Uuid => Records = record::<Community>;
    /// (owner tenant, lower-cased name) -> community: names unique per owner
    COMMUNITY_NAMES: (Uuid, &str) => Uuid;
    /// (community, tenant) -> membership record
    MEMBERSHIPS: (Uuid, Uuid) => &[u8] = record::<Membership>;
    /// (tenant, community)
    MEMBERSHIPS_BY_TENANT: (Uuid, Uuid) => ();
    /// (community, tenant, principal) -> (principal kind, role bits)
    GRANTS: (Uuid, Uuid, Uuid) => (u8, u8);
    /// (community, tenant, stream id): streams a tenant shares into a community
    /// The stream is written `namespace/stream key` (ids cannot hold '/').
    SHARES: (Uuid, Uuid, &str) => ();

    /// community -> its preferred region id (AVEVA Data Hub)
    COMMUNITY_PREFERRED_REGIONS: Uuid => &str;
    /// (community, tenant) -> the member tenant's contact email there
    MEMBER_CONTACT_EMAILS: (Uuid, Uuid) => &str;
    /// (community, tenant) -> the member tenant's own preferred region there
    MEMBER_PREFERRED_REGIONS: (Uuid, Uuid) => &str;
    /// tenant -> its external (AVEVA account) id
    TENANT_EXTERNAL_ACCOUNTS: Uuid => &str;
    /// (tenant, namespace, lower-cased type id) -> SdsType record
    SDS_TYPES: (Uuid, &str, &str) => &[u8] = record::<SdsType>;
    /// (tenant, namespace, lower-cased stream id) -> SdsStream record
    SDS_STREAMS: (Uuid, &str, &str) => &[u8] = record::<SdsStream>;
    /// (stream storage id, order-preserving index key) -> the value as JSON text
    /// (self-describing, so it needs no record version)
    SDS_VALUES: (Uuid, &[u8]) => &[u8] = json;
    /// (tenant, namespace) -> the AccessControlList the namespace gives new
    /// streams (none: the built-in list)
    SDS_STREAM_DEFAULTS: (Uuid, &str) => &[u8] = record::<AccessControlList>;
    /// (tenant, namespace) -> the namespace's own AccessControlList; the
    /// empty namespace (no namespace id is empty) holds the tenant's default
    /// list for namespaces (none: the built-in list)
    SDS_NAMESPACE_ACCESS: (Uuid, &str) => &[u8] = record::<AccessControlList>;
    /// storage ids of deleted streams whose values are still being removed
    /// (a bounded batch per transaction; see `sds_values::remove_some`)
    SDS_VALUE_PURGES: Uuid => ();

    INVITATIONS: Uuid => Records = record::<Invitation>;
    /// (community, issuing tenant, invitation): invitations not withdrawn, by
    /// issuer, oldest first
    INVITATIONS_BY_COMMUNITY: (Uuid, Uuid, Uuid) => ();
    /// (invited tenant, invitation): set on accept
    INVITATIONS_BY_INVITED_TENANT: (Uuid, Uuid) => ();
    /// (community, recipient) -> the live invitation to that address
    LIVE_INVITATION: (Uuid, &str) => Uuid;
    /// (expires ms, invitation): what the expiry sweep visits
    INVITATIONS_BY_EXPIRY: (i64, Uuid) => ();
    /// (community, UTC day number) -> invitation emails issued that day
    INVITATION_QUOTA: (Uuid, i64) => u32;
    /// (community, UTC day number, reader tenant, owner tenant,
    /// `namespace/stream id`) -> (read requests, values read, refused): see
    /// `usage`
    USAGE: (Uuid, i64, Uuid, Uuid, &str) => (u64, u64, u64);

    OUTBOX: Uuid => Records = record::<OutboxEntry>;
    /// (next attempt ms, outbox id): entries still to send, soonest first
    OUTBOX_DUE: (i64, Uuid) => ();
    /// outbox id -> lease expiry ms: entries a worker has claimed and is sending
    OUTBOX_CLAIMS: Uuid => i64;
    /// outbox id -> (set aside ms, reason, the stored bytes): entries that could
    /// not be read, kept for an operator instead of blocking the queue
    OUTBOX_QUARANTINE: Uuid => (i64, &str, &[u8]);

    /// throttle key -> (failures, drained at, probed at or -1): see `throttles`
    THROTTLES: &str => (f64, f64, f64);

    /// sha256(session id) -> session record
    SESSIONS: &[u8] => &[u8] = record::<Session>;
    /// (expires ms, session key): what the sweep deletes
    SESSIONS_BY_EXPIRY: (i64, &[u8]) => ();

    /// sha256(authorization code) -> the code's record, until traded
    AUTHORIZATION_CODES: &[u8] => &[u8] = record::<AuthorizationCode>;
    /// (expires ms, code key): what the sweep deletes
    AUTHORIZATION_CODES_BY_EXPIRY: (i64, &[u8]) => ();

    /// audit event id (time in microseconds << 64 | random) -> the event;
    /// written once, removed only by the retention sweep
    AUDIT_EVENTS: u128 => Records = record::<AuditEvent>;
    /// (tenant, event id) -> (kind name, actor principal or nil): the events
    /// each tenant sees, newest last, filtered without reading the events
    AUDIT_EVENTS_BY_TENANT: (Uuid, u128) => (&str, Uuid);

    /// community -> the email domains it invites and whether joiners from
    /// them are confirmed automatically (none: any domain, none automatic)
    COMMUNITY_TRUSTED_DOMAINS: Uuid => Records = record::<TrustedDomains>;

    /// (expires ms, invitation): open invitations whose current generation
    /// still awaits its "expires soon" reminder, soonest expiry first
    INVITATIONS_AWAITING_REMINDER: (i64, Uuid) => ();
    /// (tenant, endpoint) -> the endpoint: a tenant's webhooks are one range
    WEBHOOKS: (Uuid, Uuid) => Records = record::<WebhookEndpoint>;
    /// delivery id -> the delivery (its body and its tries)
    WEBHOOK_DELIVERIES: Uuid => Records = record::<WebhookDelivery>;
    /// (endpoint, delivery id): an endpoint's delivery log, newest last
    WEBHOOK_DELIVERIES_BY_ENDPOINT: (Uuid, Uuid) => ();
    /// (next attempt ms, delivery id): deliveries still to try, soonest first
    WEBHOOK_DUE: (i64, Uuid) => ();
    /// delivery id -> lease expiry ms: deliveries a worker is trying
    WEBHOOK_CLAIMS: Uuid => i64;
    /// (recipient, community) -> the live invitation to that address there:
    /// `LIVE_INVITATION` keyed by address first, so the invitations open to
    /// one address are one range (a tenant's incoming invitations)
    INVITATIONS_BY_RECIPIENT: (&str, Uuid) => Uuid;
}
