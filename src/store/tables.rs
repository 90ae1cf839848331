//! Every table, and nothing else. Values named `&[u8]` are records in the
//! codec's format; index tables map a composite key to `()` or an id.

use redb::TableDefinition;
use uuid::Uuid;

pub type Records = TableDefinition<'static, Uuid, &'static [u8]>;

/// schema version and other counters
pub const META: TableDefinition<&str, u64> = TableDefinition::new("META");
/// signing keys, generated on first start
pub const SECRETS: TableDefinition<&str, &[u8]> = TableDefinition::new("SECRETS");

pub const TENANTS: Records = TableDefinition::new("TENANTS");
/// lower-cased alias -> tenant
pub const TENANT_BY_ALIAS: TableDefinition<&str, Uuid> = TableDefinition::new("TENANT_BY_ALIAS");
/// (lower-cased company name, tenant): company names unique whatever the
/// case; a pair (not name -> tenant) so tenants that shared a name before
/// the rule existed still index, and only new clashes are refused
pub const TENANT_BY_NAME: TableDefinition<(&str, Uuid), ()> =
    TableDefinition::new("TENANT_BY_NAME");
/// tenant -> PNG bytes
pub const TENANT_ICONS: TableDefinition<Uuid, &[u8]> = TableDefinition::new("TENANT_ICONS");

pub const USERS: Records = TableDefinition::new("USERS");
/// (lower-cased email, tenant) -> user; unique per tenant, and a range by
/// email finds every tenant that owns an address
pub const USER_BY_EMAIL: TableDefinition<(&str, Uuid), Uuid> =
    TableDefinition::new("USER_BY_EMAIL");
/// (tenant, user)
pub const USERS_BY_TENANT: TableDefinition<(Uuid, Uuid), ()> =
    TableDefinition::new("USERS_BY_TENANT");

pub const CLIENTS: Records = TableDefinition::new("CLIENTS");
/// (tenant, client)
pub const CLIENTS_BY_TENANT: TableDefinition<(Uuid, Uuid), ()> =
    TableDefinition::new("CLIENTS_BY_TENANT");

pub const COMMUNITIES: Records = TableDefinition::new("COMMUNITIES");
/// (owner tenant, lower-cased name) -> community: names unique per owner
pub const COMMUNITY_NAMES: TableDefinition<(Uuid, &str), Uuid> =
    TableDefinition::new("COMMUNITY_NAMES");
/// (community, tenant) -> membership record
pub const MEMBERSHIPS: TableDefinition<(Uuid, Uuid), &[u8]> = TableDefinition::new("MEMBERSHIPS");
/// (tenant, community)
pub const MEMBERSHIPS_BY_TENANT: TableDefinition<(Uuid, Uuid), ()> =
    TableDefinition::new("MEMBERSHIPS_BY_TENANT");
/// (community, tenant, principal) -> (principal kind, role bits)
pub const GRANTS: TableDefinition<(Uuid, Uuid, Uuid), (u8, u8)> = TableDefinition::new("GRANTS");
/// (community, tenant, stream id): streams a tenant shares into a community
/// The stream is written `namespace/stream key` (ids cannot hold '/').
pub const SHARES: TableDefinition<(Uuid, Uuid, &str), ()> = TableDefinition::new("SHARES");

/// community -> its preferred region id (AVEVA Data Hub)
pub const COMMUNITY_PREFERRED_REGIONS: TableDefinition<Uuid, &str> =
    TableDefinition::new("COMMUNITY_PREFERRED_REGIONS");
/// (community, tenant) -> the member tenant's contact email there
pub const MEMBER_CONTACT_EMAILS: TableDefinition<(Uuid, Uuid), &str> =
    TableDefinition::new("MEMBER_CONTACT_EMAILS");
/// (community, tenant) -> the member tenant's own preferred region there
pub const MEMBER_PREFERRED_REGIONS: TableDefinition<(Uuid, Uuid), &str> =
    TableDefinition::new("MEMBER_PREFERRED_REGIONS");
/// tenant -> its external (AVEVA account) id
pub const TENANT_EXTERNAL_ACCOUNTS: TableDefinition<Uuid, &str> =
    TableDefinition::new("TENANT_EXTERNAL_ACCOUNTS");
/// (tenant, namespace, lower-cased type id) -> SdsType record
pub const SDS_TYPES: TableDefinition<(Uuid, &str, &str), &[u8]> = TableDefinition::new("SDS_TYPES");
/// (tenant, namespace, lower-cased stream id) -> SdsStream record
pub const SDS_STREAMS: TableDefinition<(Uuid, &str, &str), &[u8]> =
    TableDefinition::new("SDS_STREAMS");
/// (stream storage id, order-preserving index key) -> the value as JSON text
/// (self-describing, so it needs no record version)
pub const SDS_VALUES: TableDefinition<(Uuid, &[u8]), &[u8]> = TableDefinition::new("SDS_VALUES");

pub const INVITATIONS: Records = TableDefinition::new("INVITATIONS");
/// (community, issuing tenant, invitation): invitations not withdrawn, by
/// issuer, oldest first
pub const INVITATIONS_BY_COMMUNITY: TableDefinition<(Uuid, Uuid, Uuid), ()> =
    TableDefinition::new("INVITATIONS_BY_COMMUNITY");
/// (invited tenant, invitation): set on accept
pub const INVITATIONS_BY_INVITED_TENANT: TableDefinition<(Uuid, Uuid), ()> =
    TableDefinition::new("INVITATIONS_BY_INVITED_TENANT");
/// (community, recipient) -> the live invitation to that address
pub const LIVE_INVITATION: TableDefinition<(Uuid, &str), Uuid> =
    TableDefinition::new("LIVE_INVITATION");
/// (expires ms, invitation): what the expiry sweep visits
pub const INVITATIONS_BY_EXPIRY: TableDefinition<(i64, Uuid), ()> =
    TableDefinition::new("INVITATIONS_BY_EXPIRY");
/// (community, UTC day number) -> invitation emails issued that day
pub const INVITATION_QUOTA: TableDefinition<(Uuid, i64), u32> =
    TableDefinition::new("INVITATION_QUOTA");

pub const OUTBOX: Records = TableDefinition::new("OUTBOX");
/// (next attempt ms, outbox id): entries still to send, soonest first
pub const OUTBOX_DUE: TableDefinition<(i64, Uuid), ()> = TableDefinition::new("OUTBOX_DUE");
/// outbox id -> lease expiry ms: entries a worker has claimed and is sending
pub const OUTBOX_CLAIMS: TableDefinition<Uuid, i64> = TableDefinition::new("OUTBOX_CLAIMS");
/// outbox id -> (set aside ms, reason, the stored bytes): entries that could
/// not be read, kept for an operator instead of blocking the queue
pub const OUTBOX_QUARANTINE: TableDefinition<Uuid, (i64, &str, &[u8])> =
    TableDefinition::new("OUTBOX_QUARANTINE");

/// sha256(session id) -> session record
pub const SESSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("SESSIONS");
/// (expires ms, session key): what the sweep deletes
pub const SESSIONS_BY_EXPIRY: TableDefinition<(i64, &[u8]), ()> =
    TableDefinition::new("SESSIONS_BY_EXPIRY");
