//! The audit log: one event per change to memberships, invitations, roles,
//! shares, identities and settings, and per sign-in. Events are written in
//! the same transaction as the change they record and are never changed
//! afterwards; only the retention sweep removes them, oldest first.
//!
//! An event is visible to the tenant whose identity made it and to every
//! tenant whose membership the change touches (`visible_to`).

use super::identity::Caller;
use super::ids::{
    AuthorizationCodeClientId, ClientId, CommunityId, CustomRoleId, IdentityProviderId,
    InvitationId, PrincipalId, TenantId, UserId, WebhookId,
};
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// An event's id: its time in microseconds since 1970 in the high 64 bits
/// and 64 random bits below. Ids sort by time, and instances sharing a
/// database make them without agreeing on a counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditEventId(pub u128);

impl AuditEventId {
    pub fn generate(at: DateTime<Utc>) -> Self {
        Self::at(at, rand::random())
    }

    fn at(at: DateTime<Utc>, low: u64) -> Self {
        Self((u128::from(micros(at)) << 64) | u128::from(low))
    }

    /// The smallest id an event at `at` (or later) can have: a bound for
    /// time ranges over ids.
    pub fn first_at(at: DateTime<Utc>) -> Self {
        Self::at(at, 0)
    }

    /// When the event happened, to the microsecond.
    pub fn time(self) -> DateTime<Utc> {
        let micros = i64::try_from(self.0 >> 64).unwrap_or(i64::MAX);
        Utc.timestamp_micros(micros)
            .single()
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// 32 hexadecimal digits; sorts as the ids do.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u128::from_str_radix(text, 16).ok().map(Self)
    }

    /// The same 128 bits as a UUID (PostgreSQL compares UUIDs bytewise,
    /// so they sort there as the ids do).
    pub fn as_uuid(self) -> uuid::Uuid {
        uuid::Uuid::from_u128(self.0)
    }
}

impl fmt::Display for AuditEventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// Microseconds since 1970, 0 for anything earlier (no event is).
fn micros(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp_micros()).unwrap_or(0)
}

macro_rules! audit_kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// What an event records. Each kind has one stable name, stored,
        /// shown and filtered by: renaming one is a new kind.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum AuditKind {
            $($(#[$doc])* $variant,)*
        }

        impl AuditKind {
            /// Every kind, in the order the documentation lists them.
            pub const ALL: &'static [AuditKind] = &[$(AuditKind::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(AuditKind::$variant => $name,)*
                }
            }
        }
    };
}

audit_kinds! {
    CommunityCreated = "Community.Created",
    CommunityChanged = "Community.Changed",
    CommunityDeleted = "Community.Deleted",
    InvitationCreated = "Invitation.Created",
    InvitationResent = "Invitation.Resent",
    InvitationWithdrawn = "Invitation.Withdrawn",
    InvitationAccepted = "Invitation.Accepted",
    InvitationDeclined = "Invitation.Declined",
    MembershipConfirmed = "Membership.Confirmed",
    MembershipPaused = "Membership.Paused",
    MembershipResumed = "Membership.Resumed",
    MembershipRemoved = "Membership.Removed",
    MembershipLeft = "Membership.Left",
    MembershipSettingsChanged = "Membership.SettingsChanged",
    CommunityRoleGranted = "CommunityRole.Granted",
    CommunityRoleRevoked = "CommunityRole.Revoked",
    ShareAdded = "Share.Added",
    ShareRemoved = "Share.Removed",
    TenantCreated = "Tenant.Created",
    TenantStateChanged = "Tenant.StateChanged",
    SettingsChanged = "Settings.Changed",
    UserCreated = "User.Created",
    UserChanged = "User.Changed",
    UserDeleted = "User.Deleted",
    UserPasswordChanged = "User.PasswordChanged",
    UserTwoFactorChanged = "User.TwoFactorChanged",
    UserInvitationSent = "UserInvitation.Sent",
    UserInvitationWithdrawn = "UserInvitation.Withdrawn",
    UserInvitationAccepted = "UserInvitation.Accepted",
    ClientCreated = "Client.Created",
    ClientChanged = "Client.Changed",
    ClientDeleted = "Client.Deleted",
    ClientSecretAdded = "Client.SecretAdded",
    ClientSecretRevoked = "Client.SecretRevoked",
    ApplicationCreated = "Application.Created",
    ApplicationChanged = "Application.Changed",
    ApplicationDeleted = "Application.Deleted",
    CustomRoleCreated = "CustomRole.Created",
    CustomRoleChanged = "CustomRole.Changed",
    CustomRoleDeleted = "CustomRole.Deleted",
    IdentityProviderAdded = "IdentityProvider.Added",
    IdentityProviderChanged = "IdentityProvider.Changed",
    IdentityProviderRemoved = "IdentityProvider.Removed",
    SignInSucceeded = "SignIn.Succeeded",
    SignInFailed = "SignIn.Failed",
    InvitationExpired = "Invitation.Expired",
    WebhookCreated = "Webhook.Created",
    WebhookChanged = "Webhook.Changed",
    WebhookDeleted = "Webhook.Deleted",
}

impl AuditKind {
    /// The kinds a webhook endpoint may subscribe to, under the same names:
    /// the changes of a community that its member tenants' own systems
    /// want to hear of.
    pub const WEBHOOK_EVENTS: &'static [AuditKind] = &[
        AuditKind::InvitationCreated,
        AuditKind::InvitationAccepted,
        AuditKind::InvitationDeclined,
        AuditKind::InvitationExpired,
        AuditKind::InvitationWithdrawn,
        AuditKind::MembershipConfirmed,
        AuditKind::MembershipPaused,
        AuditKind::MembershipResumed,
        AuditKind::MembershipRemoved,
        AuditKind::MembershipLeft,
        AuditKind::ShareAdded,
        AuditKind::ShareRemoved,
        AuditKind::CommunityDeleted,
    ];

    /// Whether webhooks are told of this kind of change.
    pub fn is_webhook_event(self) -> bool {
        Self::WEBHOOK_EVENTS.contains(&self)
    }

    /// The kind with this name, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Stored by name, not by position, so adding a kind anywhere in the list
/// never changes what a stored event says.
impl Serialize for AuditKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for AuditKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown audit event kind '{name}'")))
    }
}

/// Who made a change: a user or client of a tenant. An event without an
/// actor was made by the operator (the command line) or by the service
/// itself, or is a sign-in that named nobody.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub principal: PrincipalId,
    pub tenant: TenantId,
    /// The user's email or the client's name, as known when it happened.
    pub name: Option<String>,
}

impl Actor {
    pub fn of(caller: Caller) -> Self {
        Self {
            principal: caller.principal,
            tenant: caller.tenant,
            name: None,
        }
    }
}

/// What an event is about: a type and an id, written as text so that new
/// subjects never change how older events read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub kind: String,
    pub id: String,
}

impl Subject {
    fn new(kind: &str, id: impl fmt::Display) -> Self {
        Self {
            kind: kind.to_string(),
            id: id.to_string(),
        }
    }

    pub fn community(id: CommunityId) -> Self {
        Self::new("Community", id)
    }
    pub fn invitation(id: InvitationId) -> Self {
        Self::new("Invitation", id)
    }
    /// A tenant's membership of a community: `community/tenant`.
    pub fn membership(community: CommunityId, tenant: TenantId) -> Self {
        Self::new("Membership", format!("{community}/{tenant}"))
    }
    /// A principal's community roles: `community/principal`.
    pub fn community_roles(community: CommunityId, principal: PrincipalId) -> Self {
        Self::new(
            "CommunityRoles",
            format!("{community}/{}", principal.as_uuid()),
        )
    }
    /// A stream shared into a community: `community/namespace/stream`.
    pub fn share(community: CommunityId, stream_ref: &str) -> Self {
        Self::new("Share", format!("{community}/{stream_ref}"))
    }
    pub fn tenant(id: TenantId) -> Self {
        Self::new("Tenant", id)
    }
    pub fn user(id: UserId) -> Self {
        Self::new("User", id)
    }
    pub fn client(id: ClientId) -> Self {
        Self::new("Client", id)
    }
    pub fn principal(id: PrincipalId) -> Self {
        match id {
            PrincipalId::User(user) => Self::user(user),
            PrincipalId::Client(client) => Self::client(client),
        }
    }
    pub fn application(id: AuthorizationCodeClientId) -> Self {
        Self::new("Application", id)
    }
    pub fn custom_role(id: CustomRoleId) -> Self {
        Self::new("CustomRole", id)
    }
    pub fn identity_provider(id: IdentityProviderId) -> Self {
        Self::new("IdentityProvider", id)
    }
    pub fn webhook(id: WebhookId) -> Self {
        Self::new("Webhook", id)
    }
    /// A sign-in that named no known identity: the name it gave.
    pub fn sign_in_name(name: &str) -> Self {
        Self::new("SignInName", bounded(name, MAX_NAME))
    }
}

/// The longest detail kept, in bytes: details say what changed (names,
/// roles, a status), never carry data.
pub const MAX_DETAIL: usize = 2048;

/// The longest name kept (an actor's, a sign-in's), in characters.
pub const MAX_NAME: usize = 320;

/// `text` cut to at most `max` characters.
pub fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// An event's detail as stored: JSON text of at most `MAX_DETAIL` bytes.
/// Longer detail is kept as a JSON string of its beginning, marked cut.
pub fn detail_text(detail: &serde_json::Value) -> String {
    if detail.is_null() {
        return String::new();
    }
    let text = detail.to_string();
    if text.len() <= MAX_DETAIL {
        return text;
    }
    let mut end = MAX_DETAIL / 2;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    serde_json::json!({ "Truncated": &text[..end] }).to_string()
}

/// Where a change came from: who, when, from which address, in which
/// request. Taken while the request is still being answered (the operation
/// id is the request's own), before the use case's transaction runs
/// elsewhere.
#[derive(Clone, Debug)]
pub struct Origin {
    pub actor: Option<Actor>,
    pub at: DateTime<Utc>,
    pub address: Option<IpAddr>,
    pub operation_id: String,
    /// The low half of the next event's id: random at first, then one more
    /// per event, so one change's events (a tenant and its first user,
    /// say) list in the order they were made, and another change's in the
    /// same microsecond fall elsewhere. (63 random bits: it never wraps.)
    sequence: Arc<AtomicU64>,
}

impl Origin {
    pub fn new(
        actor: Option<Actor>,
        at: DateTime<Utc>,
        address: Option<IpAddr>,
        operation_id: String,
    ) -> Self {
        Self {
            actor,
            at,
            address,
            operation_id,
            sequence: Arc::new(AtomicU64::new(rand::random::<u64>() >> 1)),
        }
    }

    /// The same change's origin with no actor: what the service does
    /// itself because of the caller's change (confirming a joiner from a
    /// trusted domain, say). Its events list after the caller's.
    pub fn as_service(&self) -> Origin {
        Origin {
            actor: None,
            ..self.clone()
        }
    }

    /// The id of the next event this origin makes.
    pub fn next_id(&self) -> AuditEventId {
        AuditEventId::at(self.at, self.sequence.fetch_add(1, Ordering::Relaxed))
    }
}

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: AuditEventId,
    pub at: DateTime<Utc>,
    pub actor: Option<Actor>,
    pub kind: AuditKind,
    pub subject: Subject,
    /// JSON text (see `detail_text`), empty when there is none.
    pub detail: String,
    /// The client's address, as trusted proxies name it.
    pub address: Option<IpAddr>,
    pub operation_id: String,
    /// The tenants that see the event, each once, in order.
    pub visible_to: Vec<TenantId>,
}

impl AuditEvent {
    /// The event `origin` makes; visible to the actor's tenant and to
    /// `touched`.
    pub fn new(
        origin: &Origin,
        kind: AuditKind,
        subject: Subject,
        detail: &serde_json::Value,
        touched: &[TenantId],
    ) -> Self {
        let mut visible_to: Vec<TenantId> = origin.actor.iter().map(|a| a.tenant).collect();
        visible_to.extend_from_slice(touched);
        visible_to.sort();
        visible_to.dedup();
        Self {
            id: origin.next_id(),
            at: origin.at,
            actor: origin.actor.clone(),
            kind,
            subject,
            detail: detail_text(detail),
            address: origin.address,
            operation_id: bounded(&origin.operation_id, 64),
            visible_to,
        }
    }

    /// The actor's principal as a UUID (nil for none): what the actor
    /// filter matches.
    pub fn actor_uuid(&self) -> uuid::Uuid {
        self.actor
            .as_ref()
            .map_or(uuid::Uuid::nil(), |a| a.principal.as_uuid())
    }
}

/// Which of a tenant's events a list shows. `from` is inclusive, `to`
/// exclusive; no kinds means every kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub kinds: Vec<AuditKind>,
    /// A user's or client's id.
    pub actor: Option<uuid::Uuid>,
}

impl AuditFilter {
    /// Whether an event of `kind` by `actor` (nil for none) passes the
    /// kind and actor parts (the time part bounds the range read).
    pub fn admits(&self, kind: AuditKind, actor: uuid::Uuid) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&kind))
            && self.actor.is_none_or(|wanted| wanted == actor)
    }

    /// The ids a list may visit, as a half-open range [low, high).
    pub fn id_range(&self, after: Option<AuditEventId>) -> (u128, u128) {
        let low = self.from.map_or(0, |from| AuditEventId::first_at(from).0);
        let mut high = self.to.map_or(u128::MAX, |to| AuditEventId::first_at(to).0);
        if let Some(after) = after {
            high = high.min(after.0);
        }
        (low, high)
    }
}

/// A page of a list: up to `count` events older than `after` (the
/// previous page's `next`), newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditPage {
    pub after: Option<AuditEventId>,
    pub count: usize,
}

/// The events of one page, and where the next begins (none at the end).
/// A page may hold fewer than `count` events and still have a next: a
/// list reads at most `AUDIT_SCAN_LIMIT` index entries per page, so a
/// filter that matches rarely costs the same per page as one that
/// matches everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvents {
    pub events: Vec<AuditEvent>,
    pub next: Option<AuditEventId>,
}

/// Index entries one page reads at most.
pub const AUDIT_SCAN_LIMIT: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_name_that_parses_back() {
        let mut names: Vec<&str> = AuditKind::ALL.iter().map(|k| k.name()).collect();
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.name()), Some(*kind));
            assert_eq!(AuditKind::parse(&kind.name().to_lowercase()), Some(*kind));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), AuditKind::ALL.len());
        assert_eq!(AuditKind::parse("Membership.Exploded"), None);
    }

    #[test]
    fn ids_sort_by_time_and_read_back_their_time_and_text() {
        let early = Utc.timestamp_micros(1_700_000_000_123_456).unwrap();
        let later = early + chrono::Duration::microseconds(1);
        let a = AuditEventId::generate(early);
        let b = AuditEventId::generate(later);
        assert!(a < b);
        assert!(AuditEventId::first_at(early) <= a);
        assert_eq!(a.time(), early);
        assert_eq!(AuditEventId::parse(&a.to_string()), Some(a));
        assert_eq!(AuditEventId::parse("xyz"), None);
        assert_eq!(a.to_string().len(), 32);
    }

    #[test]
    fn the_events_of_one_origin_list_in_the_order_they_were_made() {
        let at = Utc::now();
        let origin = Origin::new(None, at, None, "op".into());
        let ids: Vec<AuditEventId> = (0..50).map(|_| origin.next_id()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(ids
            .iter()
            .all(|id| id.time() == AuditEventId::first_at(at).time()));
    }

    #[test]
    fn long_detail_is_cut_and_stays_json() {
        let long = serde_json::json!({ "Name": "é".repeat(5000) });
        let text = detail_text(&long);
        assert!(text.len() <= MAX_DETAIL + 32, "{}", text.len());
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(back["Truncated"].is_string());
        assert_eq!(detail_text(&serde_json::Value::Null), "");
    }

    #[test]
    fn an_event_is_visible_to_its_actor_and_the_tenants_it_touches_once_each() {
        let (a, b) = (TenantId::generate(), TenantId::generate());
        let actor = Actor {
            principal: PrincipalId::User(UserId::generate()),
            tenant: a,
            name: None,
        };
        let origin = Origin::new(Some(actor), Utc::now(), None, "op".into());
        let event = AuditEvent::new(
            &origin,
            AuditKind::MembershipPaused,
            Subject::membership(CommunityId::generate(), b),
            &serde_json::Value::Null,
            &[b, a, b],
        );
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(event.visible_to, expected);
    }
}
