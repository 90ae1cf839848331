//! `communityd store copy`: moves a deployment between backends (redb to
//! PostgreSQL and back) through the public store functions only, so one
//! code path serves both directions. Everything is read from the source in
//! bounded pieces (one tenant, one community, a page of streams, emails,
//! sessions or invitations, a batch of a stream's values) and written to
//! the destination through the same `put` functions the service uses, so
//! every index is kept, one piece per transaction. Then every piece is
//! read again from both stores and compared record by record (encoded
//! with the codec): the copy is only reported once the destination holds
//! exactly what the source does.
//!
//! Not copied: the sign-in throttle's buckets (they refill by themselves),
//! outbox entries set aside as unreadable (an operator's to look at in the
//! source), outbox claims (an entry in flight is due again at its lease's
//! end), and the values of streams deleted but not yet purged.

use super::codec::{encode, Record};
use super::error::StoreError;
use super::profiles::MemberProfile;
use super::sds_values::Direction;
use super::{
    audit_events, authorization_code_clients, communities, custom_roles, grants, identities,
    identity_providers, invitations, memberships, namespace_access, outbox, profiles, sds_streams,
    sds_types, sds_values, secrets, sessions, shares, sign_in_policies, stream_defaults, tenants,
    trusted_domains, two_factor, usage, user_invitations, webhooks,
};
use super::{ReadTx, Store, WriteTx};
use crate::domain::audit::{AuditEvent, AuditEventId};
use crate::domain::authorization_code_client::AuthorizationCodeClient;
use crate::domain::community::Community;
use crate::domain::custom_role::CustomRole;
use crate::domain::identity::{Client, User};
use crate::domain::identity_provider::IdentityProvider;
use crate::domain::ids::WebhookDeliveryId;
use crate::domain::ids::{CommunityId, InvitationId, OutboxId, PrincipalId, TenantId};
use crate::domain::invitation::Invitation;
use crate::domain::membership::Membership;
use crate::domain::notification::OutboxEntry;
use crate::domain::paging::Page;
use crate::domain::role::RoleSet;
use crate::domain::sds::acl::AccessControlList;
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::stream::SdsStream;
use crate::domain::session::Session;
use crate::domain::sign_in_policy::SignInPolicy;
use crate::domain::tenant::Tenant;
use crate::domain::trusted_domains::TrustedDomains;
use crate::domain::two_factor::TwoFactor;
use crate::domain::usage::UsageKey;
use crate::domain::user_invitation::UserInvitation;
use crate::domain::webhook::WebhookEndpoint;
use crate::domain::webhook_delivery::WebhookDelivery;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;
use uuid::Uuid;

/// The signing keys a deployment keeps (`app::context` makes them on first
/// start): tokens and links signed before the copy stay valid after it.
pub const SECRET_NAMES: [&str; 2] = ["access_token_key", "link_token_key"];

/// Records read or written per transaction (emails, sessions, invitations,
/// types, streams).
const PAGE: usize = 500;

/// Stream values read or written per transaction.
pub const VALUE_BATCH: usize = 1_000;

/// Why a copy stopped. Nothing is reported as copied unless verified.
#[derive(Debug)]
pub enum CopyError {
    Store(StoreError),
    /// The destination already holds a deployment.
    NotEmpty(String),
    /// The destination refused a record the source holds (a name or an
    /// address another record there already has).
    Refused {
        kind: &'static str,
        id: String,
    },
    /// Read back, the destination differs from the source.
    Mismatch {
        kind: &'static str,
        id: String,
        how: &'static str,
    },
}

impl From<StoreError> for CopyError {
    fn from(e: StoreError) -> Self {
        CopyError::Store(e)
    }
}

impl fmt::Display for CopyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopyError::Store(e) => write!(f, "{e}"),
            CopyError::NotEmpty(what) => write!(
                f,
                "the destination is not empty ({what}); copy into a new data dir or an empty database"
            ),
            CopyError::Refused { kind, id } => write!(
                f,
                "the destination refused {kind} {id} (its name or address is taken there); nothing more was copied"
            ),
            CopyError::Mismatch { kind, id, how } => write!(
                f,
                "verification failed: {kind} {id} {how}; do not use the destination"
            ),
        }
    }
}

/// How many records of each kind were copied and verified.
pub type Counts = BTreeMap<&'static str, u64>;

/// One stored thing, for comparing: its kind, its id, its bytes.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Item {
    kind: &'static str,
    id: String,
    bytes: Vec<u8>,
}

fn item<T: Record>(
    kind: &'static str,
    id: impl fmt::Display,
    value: &T,
) -> Result<Item, StoreError> {
    Ok(Item {
        kind,
        id: id.to_string(),
        bytes: encode(value)?,
    })
}

fn raw(kind: &'static str, id: impl fmt::Display, bytes: impl Into<Vec<u8>>) -> Item {
    Item {
        kind,
        id: id.to_string(),
        bytes: bytes.into(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Copies everything in `from` into `to`, which must be empty, then
/// checks `to` against `from` record by record; answers the counts.
pub fn copy(from: &Store, to: &Store) -> Result<Counts, CopyError> {
    refuse_unless_empty(to)?;
    let copied = walk(from, Some(to), from)?;
    let verified = verify(from, to)?;
    if verified != copied {
        return Err(CopyError::Mismatch {
            kind: "records",
            id: String::new(),
            how: "were counted differently on the second reading",
        });
    }
    Ok(verified)
}

/// Reads every piece of `from` and the same piece of `to` and compares
/// them record by record; answers the counts, or names the first record
/// that differs (its kind and id).
pub fn verify(from: &Store, to: &Store) -> Result<Counts, CopyError> {
    walk(from, None, to)
}

/// A destination with a tenant or a signing key already holds a
/// deployment: refused before anything is written.
fn refuse_unless_empty(to: &Store) -> Result<(), CopyError> {
    let (tenants, keys) = to.read_blocking(|tx| {
        let tenants = tenants::all(tx)?.len();
        let mut keys = Vec::new();
        for name in SECRET_NAMES {
            if secrets::get(tx, name)?.is_some() {
                keys.push(name);
            }
        }
        Ok::<_, StoreError>((tenants, keys))
    })?;
    if tenants > 0 {
        return Err(CopyError::NotEmpty(format!("{tenants} tenants")));
    }
    if let Some(name) = keys.first() {
        return Err(CopyError::NotEmpty(format!("it has a signing key, {name}")));
    }
    Ok(())
}

/// Walks the source piece by piece. With `dest`, writes each piece there
/// (the copy); without, reads each piece again from the source and from
/// `check` and compares them (the verification). Answers the counts.
fn walk(source: &Store, dest: Option<&Store>, check: &Store) -> Result<Counts, CopyError> {
    let mut run = Run {
        source,
        dest,
        check,
        counts: Counts::new(),
    };
    run.piece(
        |tx| {
            let mut keys = Vec::new();
            for name in SECRET_NAMES {
                if let Some(key) = secrets::get(tx, name)? {
                    keys.push((name, key));
                }
            }
            Ok(keys)
        },
        |keys| {
            Ok(keys
                .iter()
                .map(|(n, k)| raw("secret", n, k.clone()))
                .collect())
        },
        |tx, keys| {
            for (name, key) in keys {
                secrets::put(tx, name, key)?;
            }
            Ok(())
        },
    )?;
    let all_tenants: Vec<TenantId> = source
        .read_blocking(|tx| tenants::all(tx))?
        .into_iter()
        .map(|t| t.id)
        .collect();
    for &tenant in &all_tenants {
        run.piece(|tx| read_tenant(tx, tenant), tenant_items, write_tenant)?;
        run.types_of(tenant)?;
        run.streams_of(tenant)?;
    }
    let all_communities: Vec<CommunityId> = source
        .read_blocking(|tx| communities::all(tx))?
        .into_iter()
        .map(|c| c.id)
        .collect();
    for &community in &all_communities {
        run.piece(
            |tx| read_community(tx, community),
            community_items,
            write_community,
        )?;
        run.usage_of(community)?;
    }
    // Through `invitations::put`, so the destination builds every index
    // over them; in id order, the order they were made in.
    run.pages(
        |tx, after: Option<&InvitationId>| invitations::page_after(tx, after.copied(), PAGE),
        |i: &Invitation| i.id,
        |i| item("invitation", i.id, i),
        |tx, i| invitations::put(tx, i),
    )?;
    run.pages(
        |tx, after: Option<&OutboxId>| outbox::page_after(tx, after.copied(), PAGE),
        |e: &OutboxEntry| e.id,
        |e| item("email", e.id, e),
        |tx, e| outbox::put(tx, e),
    )?;
    run.pages(
        |tx, after: Option<&Vec<u8>>| sessions::page_after(tx, after.map(Vec::as_slice), PAGE),
        |(key, _): &(Vec<u8>, Session)| key.clone(),
        |(key, s)| item("session", hex(key), s),
        |tx, (key, s)| sessions::put(tx, key, s),
    )?;
    // Appended as they are, oldest first: the audit log moves whole.
    run.pages(
        |tx, after: Option<&AuditEventId>| audit_events::all_after(tx, after.copied(), PAGE),
        |e: &AuditEvent| e.id,
        |e| item("audit event", e.id, e),
        |tx, e| audit_events::append(tx, e),
    )?;
    // After the tenants, whose endpoints they go to; each keeps its id
    // (its `webhook-id`) and its tries.
    run.pages(
        |tx, after: Option<&WebhookDeliveryId>| {
            webhooks::deliveries_after(tx, after.copied(), PAGE)
        },
        |d: &WebhookDelivery| d.id,
        |d| item("webhook delivery", d.id, d),
        |tx, d| webhooks::put_delivery(tx, d),
    )?;
    Ok(run.counts)
}

struct Run<'a> {
    source: &'a Store,
    dest: Option<&'a Store>,
    check: &'a Store,
    counts: Counts,
}

impl Run<'_> {
    /// One piece: read from the source, then written to the destination
    /// in one transaction, or compared with what `check` holds.
    fn piece<P: Send + Sync>(
        &mut self,
        read: impl Fn(&ReadTx) -> Result<P, StoreError> + Send + Sync,
        items: impl Fn(&P) -> Result<Vec<Item>, StoreError>,
        write: impl Fn(&WriteTx, &P) -> Result<(), CopyError> + Send + Sync,
    ) -> Result<P, CopyError> {
        let piece = self.source.read_blocking(&read)?;
        let mut from = items(&piece)?;
        match self.dest {
            Some(dest) => dest.write_blocking(|tx| write(tx, &piece))?,
            None => {
                let back = self.check.read_blocking(&read)?;
                compare(&mut from, &mut items(&back)?)?;
            }
        }
        for i in &from {
            *self.counts.entry(i.kind).or_default() += 1;
        }
        Ok(piece)
    }

    /// A whole area in pages of `PAGE` records, each page one piece: the
    /// next page starts after the last record's key.
    fn pages<R: Send + Sync, K: Send + Sync>(
        &mut self,
        page: impl Fn(&ReadTx, Option<&K>) -> Result<Vec<R>, StoreError> + Send + Sync,
        key: impl Fn(&R) -> K,
        item_of: impl Fn(&R) -> Result<Item, StoreError>,
        put: impl Fn(&WriteTx, &R) -> Result<(), StoreError> + Send + Sync,
    ) -> Result<(), CopyError> {
        let mut after: Option<K> = None;
        loop {
            let at = after.as_ref();
            let records = self.piece(
                |tx| page(tx, at),
                |rs| rs.iter().map(&item_of).collect(),
                |tx, rs| {
                    for r in rs {
                        put(tx, r)?;
                    }
                    Ok(())
                },
            )?;
            match records.last() {
                Some(last) if records.len() == PAGE => after = Some(key(last)),
                _ => return Ok(()),
            }
        }
    }

    /// A community's usage counts, a page at a time; added to the empty
    /// destination, so each row arrives as counted.
    fn usage_of(&mut self, community: CommunityId) -> Result<(), CopyError> {
        self.pages(
            |tx, after: Option<&UsageKey>| usage::page_of_community(tx, community, after, PAGE),
            |(key, _): &usage::Row| key.clone(),
            |(key, c)| {
                let id = format!(
                    "{community}/{}/{}/{}/{}",
                    key.day,
                    key.reader,
                    key.owner,
                    key.stream_ref()
                );
                let counts = format!("{}/{}/{}", c.requests, c.values, c.refused);
                Ok(raw("usage", id, counts))
            },
            |tx, row| usage::add(tx, std::slice::from_ref(row)),
        )
    }

    fn types_of(&mut self, tenant: TenantId) -> Result<(), CopyError> {
        self.pages(
            |tx, after: Option<&(String, String)>| {
                sds_types::page_of_tenant(
                    tx,
                    tenant,
                    after.map(|(n, k)| (n.as_str(), k.as_str())),
                    PAGE,
                )
            },
            |(namespace, t): &(String, SdsType)| {
                (
                    namespace.clone(),
                    crate::domain::sds::identifier::key(&t.id),
                )
            },
            |(namespace, t)| item("sds type", format!("{tenant}/{namespace}/{}", t.id), t),
            |tx, (namespace, t)| sds_types::put(tx, tenant, namespace, t),
        )
    }

    /// A tenant's streams a page at a time, and after each page the values
    /// of its streams, a batch at a time.
    fn streams_of(&mut self, tenant: TenantId) -> Result<(), CopyError> {
        let mut after: Option<(String, String)> = None;
        loop {
            let at = after.as_ref().map(|(n, k)| (n.as_str(), k.as_str()));
            let streams = self.piece(
                |tx| sds_streams::page_of_tenant(tx, tenant, at, PAGE),
                |ss| {
                    ss.iter()
                        .map(|s: &SdsStream| {
                            item(
                                "sds stream",
                                format!("{tenant}/{}/{}", s.namespace, s.id),
                                s,
                            )
                        })
                        .collect()
                },
                |tx, ss| {
                    for s in ss {
                        sds_streams::put(tx, tenant, s)?;
                    }
                    Ok(())
                },
            )?;
            for stream in &streams {
                self.values_of(stream.storage)?;
            }
            match streams.last() {
                Some(last) if streams.len() == PAGE => {
                    after = Some((last.namespace.clone(), last.key()))
                }
                _ => return Ok(()),
            }
        }
    }

    fn values_of(&mut self, storage: Uuid) -> Result<(), CopyError> {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let start = after.as_deref();
            let values = self.piece(
                |tx| values_batch(tx, storage, start),
                |vs| {
                    Ok(vs
                        .iter()
                        .map(|(k, v)| {
                            raw("stream value", format!("{storage}/{}", hex(k)), v.clone())
                        })
                        .collect())
                },
                |tx, vs| {
                    sds_values::put_each(
                        tx,
                        storage,
                        vs.iter().map(|(k, v)| (k.as_slice(), v.as_slice())),
                        |_, _| Ok::<_, StoreError>(()),
                    )?;
                    Ok(())
                },
            )?;
            match values.last() {
                Some((last, _)) if values.len() == VALUE_BATCH => after = Some(last.clone()),
                _ => return Ok(()),
            }
        }
    }
}

/// A stream value as stored: its index key and its JSON text.
type StoredValue = (Vec<u8>, Vec<u8>);

/// Up to `VALUE_BATCH` of a stream's values (key, stored JSON text) after
/// `after`, in key order.
fn values_batch(
    tx: &ReadTx,
    storage: Uuid,
    after: Option<&[u8]>,
) -> Result<Vec<StoredValue>, StoreError> {
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut out = Vec::new();
    sds_values::each_in_range(
        tx,
        storage,
        (start, Bound::Unbounded),
        Direction::Forward,
        0,
        VALUE_BATCH,
        |key, json| {
            out.push((key.to_vec(), json.to_vec()));
            true
        },
    )?;
    Ok(out)
}

/// Compares what the source and the destination hold for one piece; the
/// first difference is the error, naming its kind and id.
fn compare(from: &mut [Item], back: &mut [Item]) -> Result<(), CopyError> {
    from.sort();
    back.sort();
    let mut theirs = back.iter().peekable();
    for mine in from.iter() {
        match theirs.peek() {
            Some(t) if (t.kind, &t.id) < (mine.kind, &mine.id) => {
                return Err(mismatch(t, "is in the destination but not in the source"))
            }
            Some(t) if (t.kind, &t.id) == (mine.kind, &mine.id) => {
                if t.bytes != mine.bytes {
                    return Err(mismatch(mine, "differs between source and destination"));
                }
                theirs.next();
            }
            _ => return Err(mismatch(mine, "is missing from the destination")),
        }
    }
    match theirs.next() {
        Some(t) => Err(mismatch(t, "is in the destination but not in the source")),
        None => Ok(()),
    }
}

fn mismatch(item: &Item, how: &'static str) -> CopyError {
    CopyError::Mismatch {
        kind: item.kind,
        id: item.id.clone(),
        how,
    }
}

/// A tenant with what hangs off it alone.
struct TenantPiece {
    tenant: Option<Tenant>,
    icon: Option<Vec<u8>>,
    external_account: Option<String>,
    users: Vec<User>,
    user_invitations: Vec<UserInvitation>,
    clients: Vec<Client>,
    custom_roles: Vec<CustomRole>,
    identity_providers: Vec<IdentityProvider>,
    sign_in_policy: Option<SignInPolicy>,
    two_factor: Vec<TwoFactor>,
    authorization_code_clients: Vec<AuthorizationCodeClient>,
    /// (namespace, the list its new streams get)
    stream_defaults: Vec<(String, AccessControlList)>,
    /// (namespace, its own list; the empty namespace: the tenant's default)
    namespace_access: Vec<(String, AccessControlList)>,
    webhooks: Vec<WebhookEndpoint>,
}

fn read_tenant(tx: &ReadTx, id: TenantId) -> Result<TenantPiece, StoreError> {
    Ok(TenantPiece {
        tenant: tenants::get(tx, id)?,
        icon: tenants::icon(tx, id)?,
        external_account: profiles::external_account(tx, id)?,
        users: identities::users_of_tenant(tx, id)?,
        user_invitations: user_invitations::page_of_tenant(tx, id, Page::everything())?,
        clients: identities::clients_of_tenant(tx, id)?,
        custom_roles: custom_roles::of_tenant(tx, id)?,
        identity_providers: identity_providers::of_tenant(tx, id)?,
        sign_in_policy: sign_in_policies::stored(tx, id)?,
        two_factor: two_factor::of_tenant(tx, id)?,
        authorization_code_clients: authorization_code_clients::of_tenant(tx, id)?,
        stream_defaults: stream_defaults::of_tenant(tx, id)?,
        namespace_access: namespace_access::of_tenant(tx, id)?,
        webhooks: webhooks::of_tenant(tx, id)?,
    })
}

fn tenant_items(p: &TenantPiece) -> Result<Vec<Item>, StoreError> {
    let mut out = Vec::new();
    if let Some(t) = &p.tenant {
        out.push(item("tenant", t.id, t)?);
        if let Some(icon) = &p.icon {
            out.push(raw("tenant icon", t.id, icon.clone()));
        }
        if let Some(account) = &p.external_account {
            out.push(raw("external account", t.id, account.clone()));
        }
    }
    for u in &p.users {
        out.push(item("user", u.id, u)?);
    }
    for i in &p.user_invitations {
        out.push(item("user invitation", i.id, i)?);
    }
    for c in &p.clients {
        out.push(item("client", c.id, c)?);
    }
    for r in &p.custom_roles {
        out.push(item("custom role", r.id, r)?);
    }
    for i in &p.identity_providers {
        out.push(item("identity provider", i.id, i)?);
    }
    if let (Some(t), Some(policy)) = (&p.tenant, &p.sign_in_policy) {
        out.push(item("sign-in policy", t.id, policy)?);
    }
    for f in &p.two_factor {
        out.push(item("two-factor", f.user, f)?);
    }
    for c in &p.authorization_code_clients {
        out.push(item("authorization code client", c.id, c)?);
    }
    if let Some(t) = &p.tenant {
        for (namespace, acl) in &p.stream_defaults {
            out.push(item(
                "stream default",
                format!("{}/{namespace}", t.id),
                acl,
            )?);
        }
        for (namespace, acl) in &p.namespace_access {
            out.push(item(
                "namespace access",
                format!("{}/{namespace}", t.id),
                acl,
            )?);
        }
    }
    for w in &p.webhooks {
        out.push(item("webhook", w.id, w)?);
    }
    Ok(out)
}

fn write_tenant(tx: &WriteTx, p: &TenantPiece) -> Result<(), CopyError> {
    let Some(t) = &p.tenant else { return Ok(()) };
    if tenants::put(tx, t)?.is_err() {
        return Err(CopyError::Refused {
            kind: "tenant",
            id: t.id.to_string(),
        });
    }
    if let Some(icon) = &p.icon {
        tenants::set_icon(tx, t.id, icon)?;
    }
    if let Some(account) = &p.external_account {
        profiles::set_external_account(tx, t.id, Some(account))?;
    }
    for u in &p.users {
        if !identities::put_user(tx, u)? {
            return Err(CopyError::Refused {
                kind: "user",
                id: u.id.to_string(),
            });
        }
    }
    for i in &p.user_invitations {
        user_invitations::put(tx, i)?;
    }
    for c in &p.clients {
        identities::put_client(tx, c)?;
    }
    for r in &p.custom_roles {
        if !custom_roles::put(tx, r)? {
            return Err(CopyError::Refused {
                kind: "custom role",
                id: r.id.to_string(),
            });
        }
    }
    for i in &p.identity_providers {
        if !identity_providers::put(tx, i)? {
            return Err(CopyError::Refused {
                kind: "identity provider",
                id: i.id.to_string(),
            });
        }
    }
    if let Some(policy) = &p.sign_in_policy {
        sign_in_policies::put(tx, t.id, policy)?;
    }
    for f in &p.two_factor {
        two_factor::put(tx, f)?;
    }
    for c in &p.authorization_code_clients {
        authorization_code_clients::put(tx, c)?;
    }
    for (namespace, acl) in &p.stream_defaults {
        stream_defaults::put(tx, t.id, namespace, acl)?;
    }
    for (namespace, acl) in &p.namespace_access {
        namespace_access::put_row(tx, t.id, namespace, acl)?;
    }
    for w in &p.webhooks {
        webhooks::put(tx, w)?;
    }
    Ok(())
}

/// A community with its members, roles, shares and quota.
struct CommunityPiece {
    community: Option<Community>,
    region: Option<String>,
    members: Vec<(Membership, MemberProfile)>,
    grants: Vec<(TenantId, PrincipalId, RoleSet)>,
    shares: Vec<(TenantId, String)>,
    quota: Vec<(i64, u32)>,
    trusted: Option<TrustedDomains>,
}

fn read_community(tx: &ReadTx, id: CommunityId) -> Result<CommunityPiece, StoreError> {
    let mut members = Vec::new();
    for m in memberships::of_community(tx, id)? {
        let profile = profiles::member(tx, id, m.tenant)?;
        members.push((m, profile));
    }
    Ok(CommunityPiece {
        community: communities::get(tx, id)?,
        region: profiles::community_region(tx, id)?,
        members,
        grants: grants::of_community(tx, id)?,
        shares: shares::of_community(tx, id)?,
        quota: invitations::quota_rows(tx, id)?,
        trusted: trusted_domains::stored(tx, id)?,
    })
}

fn community_items(p: &CommunityPiece) -> Result<Vec<Item>, StoreError> {
    let Some(c) = &p.community else {
        return Ok(Vec::new());
    };
    let id = c.id;
    let mut out = vec![item("community", id, c)?];
    if let Some(region) = &p.region {
        out.push(raw("community region", id, region.clone()));
    }
    for (m, profile) in &p.members {
        out.push(item("membership", format!("{id}/{}", m.tenant), m)?);
        if *profile != MemberProfile::default() {
            let text = format!(
                "{:?}/{:?}",
                profile.contact_email, profile.preferred_region_id
            );
            out.push(raw("member profile", format!("{id}/{}", m.tenant), text));
        }
    }
    for (tenant, who, roles) in &p.grants {
        let key = format!("{id}/{tenant}/{}", who.as_uuid());
        out.push(raw("grant", key, vec![who.kind().code(), roles.bits()]));
    }
    for (tenant, stream) in &p.shares {
        out.push(raw("share", format!("{id}/{tenant}/{stream}"), Vec::new()));
    }
    for (day, used) in &p.quota {
        out.push(raw(
            "invitation quota",
            format!("{id}/{day}"),
            used.to_be_bytes(),
        ));
    }
    if let Some(trusted) = &p.trusted {
        out.push(item("trusted domains", id, trusted)?);
    }
    Ok(out)
}

fn write_community(tx: &WriteTx, p: &CommunityPiece) -> Result<(), CopyError> {
    let Some(c) = &p.community else { return Ok(()) };
    if !communities::put(tx, c)? {
        return Err(CopyError::Refused {
            kind: "community",
            id: c.id.to_string(),
        });
    }
    if let Some(region) = &p.region {
        profiles::set_community_region(tx, c.id, Some(region))?;
    }
    for (m, profile) in &p.members {
        memberships::put(tx, m)?;
        if *profile != MemberProfile::default() {
            profiles::set_member(tx, c.id, m.tenant, profile)?;
        }
    }
    for (tenant, who, roles) in &p.grants {
        grants::set(tx, c.id, *tenant, *who, *roles)?;
    }
    for (tenant, stream) in &p.shares {
        shares::add(tx, c.id, *tenant, stream)?;
    }
    // The quota counts up one email at a time, as the service spends it.
    for (day, used) in &p.quota {
        for _ in 0..*used {
            invitations::use_quota(tx, c.id, *day)?;
        }
    }
    if let Some(trusted) = &p.trusted {
        trusted_domains::put(tx, c.id, trusted)?;
    }
    Ok(())
}
