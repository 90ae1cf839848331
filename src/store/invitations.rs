//! Invitations and every index over them, kept in step by `put`.

use super::codec::{decode, encode, layout, Record};
use super::counts::{self, Counted};
use super::error::StoreError;
use super::lookup::Lookup;
use super::tables::{
    INVITATIONS, INVITATIONS_AWAITING_REMINDER, INVITATIONS_BY_COMMUNITY, INVITATIONS_BY_EXPIRY,
    INVITATIONS_BY_INVITED_TENANT, INVITATIONS_BY_RECIPIENT, INVITATION_QUOTA, LIVE_INVITATION,
};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{CommunityId, InvitationId, OutboxId, PrincipalId, TenantId};
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::paging::Page;
use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Layout 2 added `reminded`; layout 1 is converted on read.
impl Record for Invitation {
    const VERSION: u8 = 2;

    fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => Ok(layout::<InvitationV1>(body)?.into()),
            _ => Err(StoreError::Codec(format!(
                "unknown invitation record version {version}"
            ))),
        }
    }
}

/// An invitation as stored before reminders, without `reminded`.
#[derive(Serialize, Deserialize)]
struct InvitationV1 {
    id: InvitationId,
    community: CommunityId,
    issuing_tenant: TenantId,
    issued_by: PrincipalId,
    recipient: EmailAddress,
    issued: DateTime<Utc>,
    expires: DateTime<Utc>,
    accepted: Option<DateTime<Utc>>,
    state: InvitationState,
    invited_tenant: Option<TenantId>,
    accepted_by: Option<PrincipalId>,
    accepted_user_email: Option<EmailAddress>,
    generation: u32,
    withdrawn: Option<DateTime<Utc>>,
    last_email: Option<OutboxId>,
}

impl From<InvitationV1> for Invitation {
    /// An invitation from before reminders has had none: while it is still
    /// open its current generation may get one.
    fn from(old: InvitationV1) -> Self {
        Invitation {
            id: old.id,
            community: old.community,
            issuing_tenant: old.issuing_tenant,
            issued_by: old.issued_by,
            recipient: old.recipient,
            issued: old.issued,
            expires: old.expires,
            accepted: old.accepted,
            state: old.state,
            invited_tenant: old.invited_tenant,
            accepted_by: old.accepted_by,
            accepted_user_email: old.accepted_user_email,
            generation: old.generation,
            withdrawn: old.withdrawn,
            last_email: old.last_email,
            reminded: 0,
        }
    }
}

pub fn get(tx: &impl Readable, id: InvitationId) -> Result<Option<Invitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg.recall(Lookup::invitation(id), || {
        super::pg::invitations::get(pg, id)
    }));
    tx.recall(Lookup::invitation(id), || {
        let table = tx.table(INVITATIONS)?;
        let found = table.get(id.0)?;
        found.map(|v| decode(v.value())).transpose()
    })
}

/// Stored state Created or Accepted and not withdrawn: what blocks a second
/// invitation and what the expiry sweep must visit.
fn is_open(inv: &Invitation) -> bool {
    inv.withdrawn.is_none()
        && matches!(
            inv.state,
            InvitationState::InvitationCreated | InvitationState::InvitationAccepted
        )
}

/// Writes the invitation and diff-updates every index from `old` to `new`.
pub fn put(tx: &impl Writable, new: &Invitation) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::invitations::put(pg, new, is_open(new)));
    let old = get(tx, new.id)?;
    if let Some(old) = &old {
        unindex(tx, old)?;
    }
    let id = new.id.0;
    if new.withdrawn.is_none() {
        tx.open_table(INVITATIONS_BY_COMMUNITY)?
            .insert((new.community.0, new.issuing_tenant.0, id), ())?;
        if let Some(tenant) = new.invited_tenant {
            tx.open_table(INVITATIONS_BY_INVITED_TENANT)?
                .insert((tenant.0, id), ())?;
        }
    }
    if is_open(new) {
        tx.open_table(LIVE_INVITATION)?
            .insert((new.community.0, new.recipient.as_str()), id)?;
        tx.open_table(INVITATIONS_BY_RECIPIENT)?
            .insert((new.recipient.as_str(), new.community.0), id)?;
        tx.open_table(INVITATIONS_BY_EXPIRY)?
            .insert((new.expires.timestamp_millis(), id), ())?;
    }
    if new.awaits_reminder() {
        tx.open_table(INVITATIONS_AWAITING_REMINDER)?
            .insert((new.expires.timestamp_millis(), id), ())?;
    }
    tx.open_table(INVITATIONS)?
        .insert(id, encode(new)?.as_slice())?;
    counts::shift(
        tx,
        old.as_ref().and_then(Counted::of_invitation),
        Counted::of_invitation(new),
    )
}

fn unindex(tx: &WriteTransaction, old: &Invitation) -> Result<(), StoreError> {
    let id = old.id.0;
    tx.open_table(INVITATIONS_BY_COMMUNITY)?
        .remove((old.community.0, old.issuing_tenant.0, id))?;
    if let Some(tenant) = old.invited_tenant {
        tx.open_table(INVITATIONS_BY_INVITED_TENANT)?
            .remove((tenant.0, id))?;
    }
    let mut live = tx.open_table(LIVE_INVITATION)?;
    let key = (old.community.0, old.recipient.as_str());
    if live.get(key)?.is_some_and(|v| v.value() == id) {
        live.remove(key)?;
    }
    let mut by_recipient = tx.open_table(INVITATIONS_BY_RECIPIENT)?;
    let key = (old.recipient.as_str(), old.community.0);
    if by_recipient.get(key)?.is_some_and(|v| v.value() == id) {
        by_recipient.remove(key)?;
    }
    tx.open_table(INVITATIONS_BY_EXPIRY)?
        .remove((old.expires.timestamp_millis(), id))?;
    tx.open_table(INVITATIONS_AWAITING_REMINDER)?
        .remove((old.expires.timestamp_millis(), id))?;
    Ok(())
}

/// Enters every stored invitation that awaits its reminder in the index
/// (the database layout step that added the index; see `migrate`).
pub(super) fn index_awaiting_reminders(tx: &WriteTransaction) -> Result<(), StoreError> {
    let mut awaiting = Vec::new();
    for row in tx.open_table(INVITATIONS)?.iter()? {
        let inv: Invitation = decode(row?.1.value())?;
        if inv.awaits_reminder() {
            awaiting.push((inv.expires.timestamp_millis(), inv.id.0));
        }
    }
    let mut index = tx.open_table(INVITATIONS_AWAITING_REMINDER)?;
    for key in awaiting {
        index.insert(key, ())?;
    }
    Ok(())
}

/// Stores a new open invitation unless an open one (live, or lapsed and not
/// yet swept) already holds its recipient's address in the community: true
/// when stored, false (nothing stored) when the address is held.
///
/// The check is the store's own uniqueness of the address, not a lookup:
/// on PostgreSQL a SERIALIZABLE lookup locks the index page it read, which
/// holds the addresses of the community's other invitations, so every two
/// invitations created in one community at once conflicted and one ran
/// again. A write that only inserts reads nothing the others write.
pub fn insert_unless_address_held(
    tx: &impl Writable,
    new: &Invitation,
) -> Result<bool, StoreError> {
    debug_assert!(is_open(new), "only an open invitation holds an address");
    let tx = redb_write_or_pg!(tx, |pg| {
        super::pg::invitations::insert_unless_address_held(pg, new)
    });
    let held = tx
        .open_table(LIVE_INVITATION)?
        .get((new.community.0, new.recipient.as_str()))?
        .is_some();
    if held {
        return Ok(false);
    }
    put(tx, new)?;
    Ok(true)
}

/// Removes an invitation and its index entries for good (community deleted).
pub fn purge(tx: &impl Writable, inv: &Invitation) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::invitations::purge(pg, inv));
    let stored = get(tx, inv.id)?;
    unindex(tx, inv)?;
    tx.open_table(INVITATIONS)?.remove(inv.id.0)?;
    counts::shift(tx, stored.as_ref().and_then(Counted::of_invitation), None)
}

/// The open invitation to this address for this community, if any.
pub fn live_for(
    tx: &impl Readable,
    community: CommunityId,
    recipient: &EmailAddress,
) -> Result<Option<Invitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::live_for(
        pg, community, recipient
    ));
    let id = {
        let table = tx.table(LIVE_INVITATION)?;
        let found = table.get((community.0, recipient.as_str()))?;
        found.map(|v| InvitationId(v.value()))
    };
    match id {
        Some(id) => get(tx, id),
        None => Ok(None),
    }
}

/// The open invitations to this address, one per community at most (the
/// one holding the address there), by community id; at most `limit`.
pub fn open_to(
    tx: &impl Readable,
    recipient: &EmailAddress,
    limit: usize,
) -> Result<Vec<Invitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::open_to(
        pg, recipient, limit
    ));
    let index = tx.table(INVITATIONS_BY_RECIPIENT)?;
    let address = recipient.as_str();
    let mut ids = Vec::new();
    for entry in index
        .range((address, Uuid::nil())..=(address, Uuid::max()))?
        .take(limit)
    {
        ids.push(InvitationId(entry?.1.value()));
    }
    drop(index);
    load_all(tx, ids)
}

/// Fills `INVITATIONS_BY_RECIPIENT` from `LIVE_INVITATION`, for a database
/// written before the index existed (see `migrate`).
pub(super) fn index_recipients(tx: &WriteTransaction) -> Result<(), StoreError> {
    let live = tx.open_table(LIVE_INVITATION)?;
    let mut by_recipient = tx.open_table(INVITATIONS_BY_RECIPIENT)?;
    for entry in live.iter()? {
        let (key, id) = entry?;
        let (community, recipient) = key.value();
        by_recipient.insert((recipient, community), id.value())?;
    }
    Ok(())
}

/// Invitations of a community (not withdrawn) issued by one tenant, oldest
/// first; `None` for the page means all of them.
pub fn issued_by(
    tx: &impl Readable,
    community: CommunityId,
    issuer: TenantId,
    page: Option<Page>,
) -> Result<Vec<Invitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::issued_by(
        pg, community, issuer, page
    ));
    let index = tx.table(INVITATIONS_BY_COMMUNITY)?;
    let range =
        index.range((community.0, issuer.0, Uuid::nil())..=(community.0, issuer.0, Uuid::max()))?;
    let (skip, take) = page.map(|p| (p.skip, p.count)).unwrap_or((0, usize::MAX));
    let mut ids = Vec::new();
    for entry in range.skip(skip).take(take) {
        ids.push(InvitationId(entry?.0.value().2));
    }
    drop(index);
    load_all(tx, ids)
}

/// Walks a community's invitations (not withdrawn) issued by one tenant,
/// newest first (ids are time-ordered), until `visit` says stop. Reads the
/// index range lazily, so a page near the top touches only its own keys.
pub fn walk_issued_newest_first<E: From<StoreError>>(
    tx: &impl Readable,
    community: CommunityId,
    issuer: TenantId,
    mut visit: impl FnMut(InvitationId) -> Result<bool, E>,
) -> Result<(), E> {
    let tx = &redb_or_pg!(tx, |pg| {
        super::pg::invitations::walk_issued_newest_first(pg, community, issuer, visit)
    });
    let index = tx.table(INVITATIONS_BY_COMMUNITY)?;
    let range = index
        .range((community.0, issuer.0, Uuid::nil())..=(community.0, issuer.0, Uuid::max()))
        .map_err(StoreError::from)?;
    for entry in range.rev() {
        let id = InvitationId(entry.map_err(StoreError::from)?.0.value().2);
        if !visit(id)? {
            break;
        }
    }
    Ok(())
}

/// The records behind ids read from an index (the index is dropped first,
/// so a write transaction can open the records table).
fn load_all(tx: &impl RedbReadable, ids: Vec<InvitationId>) -> Result<Vec<Invitation>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get(tx, id)?);
    }
    Ok(out)
}

/// Every invitation of a community (not withdrawn), whoever issued it.
pub fn of_community(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<Vec<Invitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::of_community(pg, community));
    let index = tx.table(INVITATIONS_BY_COMMUNITY)?;
    let mut ids = Vec::new();
    for entry in index
        .range((community.0, Uuid::nil(), Uuid::nil())..=(community.0, Uuid::max(), Uuid::max()))?
    {
        ids.push(InvitationId(entry?.0.value().2));
    }
    drop(index);
    load_all(tx, ids)
}

/// Invitations a tenant has accepted (any state since), oldest first.
pub fn accepted_by_tenant(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Vec<Invitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::accepted_by_tenant(
        pg, tenant
    ));
    let index = tx.table(INVITATIONS_BY_INVITED_TENANT)?;
    let mut ids = Vec::new();
    for entry in index.range((tenant.0, Uuid::nil())..=(tenant.0, Uuid::max()))? {
        ids.push(InvitationId(entry?.0.value().1));
    }
    drop(index);
    load_all(tx, ids)
}

/// Every invitation, withdrawn or not: for full recounts, never a request.
pub fn all(tx: &impl Readable) -> Result<Vec<Invitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::all(pg));
    let mut out = Vec::new();
    for row in tx.table(INVITATIONS)?.iter()? {
        out.push(decode(row?.1.value())?);
    }
    Ok(out)
}

/// Up to `limit` invitations (withdrawn or not) with ids after `after`,
/// in id order: every invitation in bounded pieces.
pub fn page_after(
    tx: &impl Readable,
    after: Option<InvitationId>,
    limit: usize,
) -> Result<Vec<Invitation>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::page_after(
        pg, after, limit
    ));
    let lower = after.map_or(std::ops::Bound::Unbounded, |id| {
        std::ops::Bound::Excluded(id.0)
    });
    let mut out = Vec::new();
    for row in tx
        .table(INVITATIONS)?
        .range::<Uuid>((lower, std::ops::Bound::Unbounded))?
        .take(limit)
    {
        out.push(decode(row?.1.value())?);
    }
    Ok(out)
}

/// Open invitations whose `Expires` is at or before `now`.
pub fn due_for_expiry(
    tx: &impl Readable,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<InvitationId>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::due_for_expiry(
        pg, now, limit
    ));
    let index = tx.table(INVITATIONS_BY_EXPIRY)?;
    let mut out = Vec::new();
    for entry in index
        .range(..=(now.timestamp_millis(), Uuid::max()))?
        .take(limit)
    {
        out.push(InvitationId(entry?.0.value().1));
    }
    Ok(out)
}

/// Invitations whose current generation awaits its reminder and that
/// expire after `after` and at or before `until`, soonest expiry first.
/// The reminder sweep asks from now to now plus the reminder window: the
/// ones that lapsed meanwhile are the expiry sweep's.
pub fn awaiting_reminder(
    tx: &impl Readable,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<InvitationId>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::awaiting_reminder(
        pg, after, until, limit
    ));
    let index = tx.table(INVITATIONS_AWAITING_REMINDER)?;
    let mut out = Vec::new();
    let (after, until) = (after.timestamp_millis(), until.timestamp_millis());
    if after >= until {
        return Ok(out);
    }
    for entry in index
        .range((after + 1, Uuid::nil())..=(until, Uuid::max()))?
        .take(limit)
    {
        out.push(InvitationId(entry?.0.value().1));
    }
    Ok(out)
}

/// Invitation emails a community has sent on a UTC day.
pub fn quota_used(tx: &impl Readable, community: CommunityId, day: i64) -> Result<u32, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::quota_used(
        pg, community, day
    ));
    let table = tx.table(INVITATION_QUOTA)?;
    let found = table.get((community.0, day))?;
    Ok(found.map(|v| v.value()).unwrap_or(0))
}

pub fn use_quota(tx: &impl Writable, community: CommunityId, day: i64) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::invitations::use_quota(
        pg, community, day
    ));
    let used = quota_used(tx, community, day)?;
    let mut table = tx.open_table(INVITATION_QUOTA)?;
    table.insert((community.0, day), used + 1)?;
    // Yesterday's counters are no longer needed.
    table.retain_in((community.0, i64::MIN)..(community.0, day), |_, _| false)?;
    Ok(())
}

/// Spends one of the `cap` invitation emails `community` may send on a UTC
/// day; false, spending nothing, when they are all spent. On PostgreSQL
/// the spend is made outside the write, at once (see `pg::quota`).
pub fn spend_quota(
    tx: &impl Writable,
    community: CommunityId,
    day: i64,
    cap: u32,
) -> Result<bool, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::invitations::spend_quota(
        pg, community, day, cap
    ));
    if quota_used(tx, community, day)? >= cap {
        return Ok(false);
    }
    use_quota(tx, community, day)?;
    Ok(true)
}

/// A community's quota rows: (UTC day, emails issued), oldest day first.
pub fn quota_rows(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<Vec<(i64, u32)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::invitations::quota_rows(pg, community));
    let table = tx.table(INVITATION_QUOTA)?;
    let mut out = Vec::new();
    for entry in table.range((community.0, i64::MIN)..=(community.0, i64::MAX))? {
        let (key, used) = entry?;
        out.push((key.value().1, used.value()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;
    use crate::store::tables::META;
    use crate::store::RedbStore as Store;
    use chrono::Duration;

    fn v1(now: DateTime<Utc>, recipient: &str) -> InvitationV1 {
        InvitationV1 {
            id: InvitationId::generate(),
            community: CommunityId::generate(),
            issuing_tenant: TenantId::generate(),
            issued_by: PrincipalId::User(UserId::generate()),
            recipient: EmailAddress::parse(recipient).unwrap(),
            issued: now,
            expires: now + Duration::days(14),
            accepted: None,
            state: InvitationState::InvitationCreated,
            invited_tenant: None,
            accepted_by: None,
            accepted_user_email: None,
            generation: 3,
            withdrawn: None,
            last_email: Some(OutboxId::generate()),
        }
    }

    /// Bytes exactly as a release before reminders wrote them: version 1,
    /// then the bincode body of the old layout.
    fn old_bytes(old: &InvitationV1) -> Vec<u8> {
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(old, bincode::config::standard()).unwrap());
        bytes
    }

    #[test]
    fn an_invitation_from_before_reminders_decodes_as_not_reminded() {
        let old = v1(Utc::now(), "b@fabrikam.example");
        let (id, expires, last_email) = (old.id, old.expires, old.last_email);
        let back: Invitation = decode(&old_bytes(&old)).unwrap();
        assert_eq!(
            (back.id, back.expires, back.last_email),
            (id, expires, last_email)
        );
        assert_eq!((back.generation, back.reminded), (3, 0));
        assert!(back.awaits_reminder());
        assert_eq!(encode(&back).unwrap()[0], 2, "written back in layout 2");
    }

    /// A database of the layout before the index: its open invitations
    /// are entered once opened, an answered one is not.
    #[test]
    fn opening_a_database_from_before_reminders_indexes_the_open_invitations() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let open = v1(now, "open@fabrikam.example");
        let mut declined = v1(now, "no@fabrikam.example");
        declined.state = InvitationState::InvitationDeclined;
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .write_blocking(|tx| {
                    let mut table = tx.open_table(INVITATIONS)?;
                    for old in [&open, &declined] {
                        table.insert(old.id.0, old_bytes(old).as_slice())?;
                    }
                    drop(table);
                    tx.delete_table(INVITATIONS_AWAITING_REMINDER)?;
                    tx.open_table(META)?.insert("schema_version", 2)?;
                    Ok::<_, StoreError>(())
                })
                .unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let window = (now, now + Duration::days(15));
        let due = store
            .read_blocking(|tx| awaiting_reminder(tx, window.0, window.1, 10))
            .unwrap();
        assert_eq!(due, vec![open.id]);
    }

    fn invitation(community: CommunityId, recipient: &EmailAddress) -> Invitation {
        Invitation::new(
            community,
            TenantId::generate(),
            PrincipalId::User(UserId::generate()),
            recipient.clone(),
            Utc::now(),
            Duration::days(1),
        )
    }

    /// A database from before the index (layout 3) has it filled from the
    /// live invitations when opened.
    #[test]
    fn a_database_from_before_the_recipient_index_is_indexed_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let to = EmailAddress::parse("ops@b.example").unwrap();
        let open: Vec<Invitation> = (0..3)
            .map(|_| invitation(CommunityId::generate(), &to))
            .collect();
        let mut withdrawn = invitation(CommunityId::generate(), &to);
        withdrawn.withdraw(Utc::now()).unwrap();
        store
            .write_blocking(|tx| {
                for inv in open.iter().chain([&withdrawn]) {
                    put(tx, inv)?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let indexed = |store: &Store| {
            let mut ids: Vec<InvitationId> = store
                .read_blocking(|tx| open_to(tx, &to, 100))
                .unwrap()
                .into_iter()
                .map(|i| i.id)
                .collect();
            ids.sort();
            ids
        };
        let mut expected: Vec<InvitationId> = open.iter().map(|i| i.id).collect();
        expected.sort();
        assert_eq!(indexed(&store), expected);

        // As layout 3 left it: no such table.
        store
            .write_blocking(|tx| {
                tx.delete_table(INVITATIONS_BY_RECIPIENT)?;
                tx.open_table(crate::store::tables::META)?
                    .insert("schema_version", 3)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(indexed(&store), expected);
        assert_eq!(
            store.read_blocking(|tx| open_to(tx, &to, 2)).unwrap().len(),
            2
        );
    }
}
