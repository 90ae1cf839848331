//! The PostgreSQL side of `store::invitations`: one row per invitation, the
//! record in `body` and beside it the columns its lookups need, set from
//! the record on every `put` (redb keeps the same facts as index tables;
//! see `migrations/0001/30_invitations.sql`). Every lookup is one query.

use super::quota::Day;
use super::tx::PgTx;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::paging::Page;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;
use uuid::Uuid;

/// The number a stored state is kept as in the `state` column.
pub(super) fn state_code(state: InvitationState) -> i16 {
    match state {
        InvitationState::None => 0,
        InvitationState::InvitationCreated => 1,
        InvitationState::InvitationAccepted => 2,
        InvitationState::InvitationDeclined => 3,
        InvitationState::InvitationExpired => 4,
        InvitationState::InvitationCompleted => 5,
    }
}

/// The state a stored number stands for.
pub(super) fn state_of(code: i16) -> Option<InvitationState> {
    const STATES: [InvitationState; 6] = [
        InvitationState::None,
        InvitationState::InvitationCreated,
        InvitationState::InvitationAccepted,
        InvitationState::InvitationDeclined,
        InvitationState::InvitationExpired,
        InvitationState::InvitationCompleted,
    ];
    STATES.into_iter().find(|s| state_code(*s) == code)
}

/// A count or position as PostgreSQL's bigint (a `usize::MAX` page is "all").
fn bigint(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn bodies(rows: Vec<Row>) -> Result<Vec<Invitation>, StoreError> {
    rows.iter().map(|row| decode(row.get(0))).collect()
}

fn ids(rows: Vec<Row>) -> Vec<InvitationId> {
    rows.iter().map(|row| InvitationId(row.get(0))).collect()
}

pub fn get(tx: &PgTx, id: InvitationId) -> Result<Option<Invitation>, StoreError> {
    let row = tx.query_opt("SELECT body FROM invitations WHERE id = $1", &[&id.0])?;
    row.map(|row| decode(row.get(0))).transpose()
}

/// The `reminder_ms` column: the expiry while the reminder is still owed.
fn reminder_ms(inv: &Invitation) -> Option<i64> {
    inv.awaits_reminder()
        .then(|| inv.expires.timestamp_millis())
}

/// Writes the record and its lookup columns. `open` is `invitations`'
/// `is_open`: it holds the address and is visited by the expiry sweep.
pub fn put(tx: &PgTx, new: &Invitation, open: bool) -> Result<(), StoreError> {
    let live_recipient = open.then(|| new.recipient.as_str());
    if let Some(recipient) = live_recipient {
        // redb's live index holds the last open invitation put for an
        // address. Another may still be stored open (past its Expires, not
        // yet swept, so a new one was allowed): it gives the address up.
        tx.execute(
            "UPDATE invitations SET live_recipient = NULL
             WHERE community = $1 AND live_recipient = $2 AND id <> $3",
            &[&new.community.0, &recipient, &new.id.0],
        )?;
    }
    let expires_ms = open.then(|| new.expires.timestamp_millis());
    tx.execute(
        "INSERT INTO invitations
             (id, community, issuer, invited_tenant, state, withdrawn, live_recipient, expires_ms,
              reminder_ms, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET
             community = EXCLUDED.community, issuer = EXCLUDED.issuer,
             invited_tenant = EXCLUDED.invited_tenant, state = EXCLUDED.state,
             withdrawn = EXCLUDED.withdrawn, live_recipient = EXCLUDED.live_recipient,
             expires_ms = EXCLUDED.expires_ms, reminder_ms = EXCLUDED.reminder_ms,
             body = EXCLUDED.body",
        &[
            &new.id.0,
            &new.community.0,
            &new.issuing_tenant.0,
            &new.invited_tenant.map(|t| t.0),
            &state_code(new.state),
            &new.withdrawn.is_some(),
            &live_recipient,
            &expires_ms,
            &reminder_ms(new),
            &encode(new)?,
        ],
    )?;
    Ok(())
}

/// See `store::invitations::insert_unless_address_held`. The unique index
/// `live_invitation` decides: its check reads the index without the
/// predicate locks a query takes, and when the holder of the address
/// committed after this transaction's snapshot, SERIALIZABLE reports a
/// conflict (the write runs again and sees it) instead of doing nothing.
pub fn insert_unless_address_held(tx: &PgTx, new: &Invitation) -> Result<bool, StoreError> {
    let inserted = tx.execute(
        "INSERT INTO invitations
             (id, community, issuer, invited_tenant, state, withdrawn, live_recipient, expires_ms,
              reminder_ms, body)
         VALUES ($1, $2, $3, $4, $5, false, $6, $7, $8, $9)
         ON CONFLICT (community, live_recipient) WHERE live_recipient IS NOT NULL DO NOTHING",
        &[
            &new.id.0,
            &new.community.0,
            &new.issuing_tenant.0,
            &new.invited_tenant.map(|t| t.0),
            &state_code(new.state),
            &new.recipient.as_str(),
            &new.expires.timestamp_millis(),
            &reminder_ms(new),
            &encode(new)?,
        ],
    )?;
    Ok(inserted == 1)
}

pub fn purge(tx: &PgTx, inv: &Invitation) -> Result<(), StoreError> {
    tx.execute("DELETE FROM invitations WHERE id = $1", &[&inv.id.0])?;
    Ok(())
}

pub fn live_for(
    tx: &PgTx,
    community: CommunityId,
    recipient: &EmailAddress,
) -> Result<Option<Invitation>, StoreError> {
    let row = tx.query_opt(
        "SELECT body FROM invitations WHERE community = $1 AND live_recipient = $2",
        &[&community.0, &recipient.as_str()],
    )?;
    row.map(|row| decode(row.get(0))).transpose()
}

pub fn open_to(
    tx: &PgTx,
    recipient: &EmailAddress,
    limit: usize,
) -> Result<Vec<Invitation>, StoreError> {
    bodies(tx.query(
        "SELECT body FROM invitations WHERE live_recipient = $1
         ORDER BY community LIMIT $2",
        &[&recipient.as_str(), &bigint(limit)],
    )?)
}

pub fn issued_by(
    tx: &PgTx,
    community: CommunityId,
    issuer: TenantId,
    page: Option<Page>,
) -> Result<Vec<Invitation>, StoreError> {
    let skip = page.map_or(0, |p| bigint(p.skip));
    // NULL is "no limit".
    let take = page.map(|p| bigint(p.count));
    bodies(tx.query(
        "SELECT body FROM invitations
         WHERE community = $1 AND issuer = $2 AND NOT withdrawn
         ORDER BY id OFFSET $3 LIMIT $4",
        &[&community.0, &issuer.0, &skip, &take],
    )?)
}

/// The first batch a walk reads, doubling up to the largest: a page near
/// the top costs one small query, a long walk few round trips.
const WALK_FIRST: usize = 16;
const WALK_MOST: usize = 1024;

pub fn walk_issued_newest_first<E: From<StoreError>>(
    tx: &PgTx,
    community: CommunityId,
    issuer: TenantId,
    mut visit: impl FnMut(InvitationId) -> Result<bool, E>,
) -> Result<(), E> {
    let mut batch = WALK_FIRST;
    let mut below: Option<Uuid> = None;
    loop {
        let found = issued_below(tx, community, issuer, below, batch)?;
        for &id in &found {
            if !visit(id)? {
                return Ok(());
            }
        }
        match found.last() {
            Some(last) if found.len() == batch => below = Some(last.0),
            _ => return Ok(()),
        }
        batch = (batch * 2).min(WALK_MOST);
    }
}

/// Up to `limit` ids of the walk's range below `below` (from the top when
/// `None`), newest first.
fn issued_below(
    tx: &PgTx,
    community: CommunityId,
    issuer: TenantId,
    below: Option<Uuid>,
    limit: usize,
) -> Result<Vec<InvitationId>, StoreError> {
    let limit = bigint(limit);
    let rows = match below {
        None => tx.query(
            "SELECT id FROM invitations
             WHERE community = $1 AND issuer = $2 AND NOT withdrawn
             ORDER BY id DESC LIMIT $3",
            &[&community.0, &issuer.0, &limit],
        )?,
        Some(below) => tx.query(
            "SELECT id FROM invitations
             WHERE community = $1 AND issuer = $2 AND NOT withdrawn AND id < $3
             ORDER BY id DESC LIMIT $4",
            &[&community.0, &issuer.0, &below, &limit],
        )?,
    };
    Ok(ids(rows))
}

pub fn of_community(tx: &PgTx, community: CommunityId) -> Result<Vec<Invitation>, StoreError> {
    bodies(tx.query(
        "SELECT body FROM invitations WHERE community = $1 AND NOT withdrawn
         ORDER BY issuer, id",
        &[&community.0],
    )?)
}

pub fn accepted_by_tenant(tx: &PgTx, tenant: TenantId) -> Result<Vec<Invitation>, StoreError> {
    bodies(tx.query(
        "SELECT body FROM invitations WHERE invited_tenant = $1 AND NOT withdrawn
         ORDER BY id",
        &[&tenant.0],
    )?)
}

pub fn all(tx: &PgTx) -> Result<Vec<Invitation>, StoreError> {
    bodies(tx.query("SELECT body FROM invitations ORDER BY id", &[])?)
}

/// Up to `limit` invitations with ids after `after`, in id order.
pub fn page_after(
    tx: &PgTx,
    after: Option<InvitationId>,
    limit: usize,
) -> Result<Vec<Invitation>, StoreError> {
    bodies(match after {
        None => tx.query(
            "SELECT body FROM invitations ORDER BY id LIMIT $1",
            &[&bigint(limit)],
        )?,
        Some(id) => tx.query(
            "SELECT body FROM invitations WHERE id > $1 ORDER BY id LIMIT $2",
            &[&id.0, &bigint(limit)],
        )?,
    })
}

pub fn due_for_expiry(
    tx: &PgTx,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<InvitationId>, StoreError> {
    Ok(ids(tx.query(
        "SELECT id FROM invitations WHERE expires_ms <= $1
         ORDER BY expires_ms, id LIMIT $2",
        &[&now.timestamp_millis(), &bigint(limit)],
    )?))
}

pub fn awaiting_reminder(
    tx: &PgTx,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<InvitationId>, StoreError> {
    Ok(ids(tx.query(
        "SELECT id FROM invitations WHERE reminder_ms > $1 AND reminder_ms <= $2
         ORDER BY reminder_ms, id LIMIT $3",
        &[
            &after.timestamp_millis(),
            &until.timestamp_millis(),
            &bigint(limit),
        ],
    )?))
}

/// The records `due_for_expiry` names, in its order, in one query.
pub fn due_records(
    tx: &PgTx,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Invitation>, StoreError> {
    bodies(tx.query(
        "SELECT body FROM invitations WHERE expires_ms <= $1
         ORDER BY expires_ms, id LIMIT $2",
        &[&now.timestamp_millis(), &bigint(limit)],
    )?)
}

pub fn quota_used(tx: &PgTx, community: CommunityId, day: i64) -> Result<u32, StoreError> {
    let row = tx.query_opt(
        "SELECT used FROM invitation_quota WHERE community = $1 AND day = $2",
        &[&community.0, &day],
    )?;
    let used: i32 = row.map_or(0, |row| row.get(0));
    // The column's CHECK keeps it at least 0.
    Ok(u32::try_from(used).unwrap_or(0))
}

/// A community's quota rows: (day, used), oldest day first.
pub fn quota_rows(tx: &PgTx, community: CommunityId) -> Result<Vec<(i64, u32)>, StoreError> {
    let rows = tx.query(
        "SELECT day, used FROM invitation_quota WHERE community = $1 ORDER BY day",
        &[&community.0],
    )?;
    Ok(rows
        .iter()
        .map(|row| (row.get(0), u32::try_from(row.get::<_, i32>(1)).unwrap_or(0)))
        .collect())
}

/// One more email on the community's day, and its earlier days forgotten,
/// in one statement. The increment happens in the database, so two writers
/// never both read the same count and store the same next one; a caller
/// that checked `quota_used` first in the same transaction is held to its
/// answer by SERIALIZABLE (a concurrent spend makes one of them run again).
pub fn use_quota(tx: &PgTx, community: CommunityId, day: i64) -> Result<(), StoreError> {
    // The two statements touch different rows, so their order within the
    // statement does not matter.
    tx.execute(
        "WITH forgotten AS (
             DELETE FROM invitation_quota WHERE community = $1 AND day < $2
         )
         INSERT INTO invitation_quota (community, day, used) VALUES ($1, $2, 1)
         ON CONFLICT (community, day) DO UPDATE SET used = invitation_quota.used + 1",
        &[&community.0, &day],
    )?;
    Ok(())
}

/// See `store::invitations::spend_quota` and `quota`.
pub fn spend_quota(
    tx: &PgTx,
    community: CommunityId,
    day: i64,
    cap: u32,
) -> Result<bool, StoreError> {
    tx.spend_quota(Day { community, day }, cap)
}

/// The redb-against-PostgreSQL fixture, for the other areas' tests here.
#[cfg(test)]
pub(super) use tests::Twin;

#[cfg(test)]
mod tests {
    use crate::domain::email::EmailAddress;
    use crate::domain::ids::{CommunityId, InvitationId, PrincipalId, TenantId, UserId};
    use crate::domain::invitation::Invitation;
    use crate::domain::paging::Page;
    use crate::store::tx::WriteSide;
    use crate::store::{census, counts, invitations, ReadTx, Store, StoreError, Writable, WriteTx};
    use chrono::{DateTime, Duration, Utc};
    use std::fmt::Debug;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// The same store functions run on redb and on a fresh PostgreSQL
    /// database, every answer compared.
    pub(in crate::store::pg) struct Twin {
        _dirs: (tempfile::TempDir, tempfile::TempDir),
        pub redb: Store,
        pub pg: Store,
    }

    impl Twin {
        /// `None` (after saying so) when no test database is configured.
        pub fn new() -> Option<Self> {
            let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let Some(pg) = crate::store::pg::testing::fresh_store(b.path()) else {
                eprintln!("COMMUNITYD_TEST_DATABASE_URL is unset: PostgreSQL test skipped");
                return None;
            };
            Some(Self {
                redb: Store::open(a.path()).unwrap(),
                pg: pg.unwrap(),
                _dirs: (a, b),
            })
        }

        pub fn write<T: PartialEq + Debug + Send>(
            &self,
            f: impl Fn(&WriteTx) -> Result<T, StoreError> + Send + Sync,
        ) -> T {
            let on_redb = self.redb.write_blocking(&f).unwrap();
            let on_pg = self.pg.write_blocking(&f).unwrap();
            assert_eq!(on_redb, on_pg, "redb, then PostgreSQL");
            on_pg
        }

        pub fn read<T: PartialEq + Debug + Send>(
            &self,
            what: &str,
            f: impl Fn(&ReadTx) -> Result<T, StoreError> + Send + Sync,
        ) -> T {
            let on_redb = self.redb.read_blocking(&f).unwrap();
            let on_pg = self.pg.read_blocking(&f).unwrap();
            assert_eq!(on_redb, on_pg, "{what}: redb, then PostgreSQL");
            on_pg
        }
    }

    /// A small world of communities, issuers, tenants and addresses, and
    /// every read of it compared after each step.
    struct World {
        twin: Twin,
        now: DateTime<Utc>,
        communities: [CommunityId; 2],
        issuers: [TenantId; 2],
        tenants: [TenantId; 2],
        recipients: Vec<EmailAddress>,
    }

    impl World {
        fn new() -> Option<Self> {
            Some(Self {
                twin: Twin::new()?,
                now: Utc::now(),
                communities: [CommunityId::generate(), CommunityId::generate()],
                issuers: [TenantId::generate(), TenantId::generate()],
                tenants: [TenantId::generate(), TenantId::generate()],
                recipients: (0..4)
                    .map(|i| EmailAddress::parse(&format!("r{i}@b.example")).unwrap())
                    .collect(),
            })
        }

        fn invite(&self, community: usize, issuer: usize, recipient: usize) -> Invitation {
            let inv = Invitation::new(
                self.communities[community],
                self.issuers[issuer],
                PrincipalId::User(UserId::generate()),
                self.recipients[recipient].clone(),
                self.now,
                Duration::days(1),
            );
            self.put(&inv);
            inv
        }

        fn put(&self, inv: &Invitation) {
            self.twin.write(|tx| invitations::put(tx, inv));
        }

        fn change(&self, inv: &mut Invitation, f: impl FnOnce(&mut Invitation)) {
            f(inv);
            self.put(inv);
        }

        fn accept(&self, inv: &mut Invitation, tenant: usize) {
            let (now, tenant) = (self.now, self.tenants[tenant]);
            let by = PrincipalId::User(UserId::generate());
            self.change(inv, |i| i.accept(now, tenant, by, None).unwrap());
        }

        /// What the expiry sweep does.
        fn sweep(&self) -> usize {
            let now = self.now;
            self.twin.write(|tx| {
                let mut expired = 0;
                for id in invitations::due_for_expiry(tx, now, 100)? {
                    let mut inv = invitations::get(tx, id)?.unwrap();
                    if inv.settle_expiry(now) {
                        invitations::put(tx, &inv)?;
                        expired += 1;
                    }
                }
                Ok(expired)
            })
        }

        /// Every read, on both backends alike; the census from the counts
        /// equals the one from every record.
        fn check(&self) {
            let twin = &self.twin;
            let now = self.now;
            twin.read("all", |tx| invitations::all(tx));
            for (c, &community) in self.communities.iter().enumerate() {
                twin.read("of_community", |tx| {
                    invitations::of_community(tx, community)
                });
                for &issuer in &self.issuers {
                    for page in [
                        None,
                        Some(Page { skip: 1, count: 2 }),
                        Some(Page::everything()),
                    ] {
                        twin.read("issued_by", |tx| {
                            invitations::issued_by(tx, community, issuer, page)
                        });
                    }
                    for stop_after in [1, 3, usize::MAX] {
                        twin.read("walk_issued_newest_first", |tx| {
                            walk(tx, community, issuer, stop_after)
                        });
                    }
                }
                for recipient in &self.recipients {
                    let found = twin.read("live_for", |tx| {
                        invitations::live_for(tx, community, recipient)
                    });
                    assert!(found.is_none_or(|i| i.community == self.communities[c]));
                }
            }
            for recipient in &self.recipients {
                for limit in [1, 100] {
                    let open =
                        twin.read("open_to", |tx| invitations::open_to(tx, recipient, limit));
                    assert!(open.iter().all(|i| &i.recipient == recipient));
                    assert!(open.len() <= limit);
                }
            }
            for &tenant in &self.tenants {
                twin.read("accepted_by_tenant", |tx| {
                    invitations::accepted_by_tenant(tx, tenant)
                });
            }
            for limit in [1, 100] {
                twin.read("due_for_expiry", |tx| {
                    invitations::due_for_expiry(tx, now, limit)
                });
                for (after, until) in [
                    (now - Duration::days(3), now),
                    (now, now + Duration::days(3)),
                ] {
                    twin.read("awaiting_reminder", |tx| {
                        invitations::awaiting_reminder(tx, after, until, limit)
                    });
                }
            }
            let taken = twin.read("census::take", |tx| census::take(tx, now));
            let recounted = twin.read("census::recount", |tx| census::recount(tx, now));
            assert_eq!(taken, recounted);
            twin.read("counts::recount", |tx| counts::recount(tx));
            for counted in counts::Counted::ALL {
                twin.read("counts::get", |tx| counts::get(tx, counted));
            }
        }
    }

    /// The walk's ids until it has visited `stop_after` of them.
    fn walk(
        tx: &ReadTx,
        community: CommunityId,
        issuer: TenantId,
        stop_after: usize,
    ) -> Result<Vec<InvitationId>, StoreError> {
        let mut seen = Vec::new();
        invitations::walk_issued_newest_first(tx, community, issuer, |id| {
            seen.push(id);
            Ok::<_, StoreError>(seen.len() < stop_after)
        })?;
        Ok(seen)
    }

    #[test]
    fn every_lookup_answers_as_on_redb_through_an_invitations_life() {
        let Some(mut w) = World::new() else { return };
        let mut accepted = w.invite(0, 0, 0);
        let mut completed = w.invite(0, 0, 1);
        let mut declined = w.invite(0, 1, 2);
        let mut withdrawn = w.invite(0, 1, 3);
        let elsewhere = w.invite(1, 0, 0);
        w.check();
        w.accept(&mut accepted, 0);
        w.accept(&mut completed, 0);
        let now = w.now;
        w.change(&mut completed, |i| i.confirm(now).unwrap());
        w.change(&mut declined, |i| i.decline(now).unwrap());
        w.accept(&mut withdrawn, 1);
        w.change(&mut withdrawn, |i| i.withdraw(now).unwrap());
        w.check();

        // Time passes: open ones expire on read first, then the sweep
        // stores it; one address is invited again meanwhile.
        let mut lapsed = w.invite(0, 1, 3);
        w.now = now + Duration::days(2);
        w.check();
        let again = w.invite(0, 0, 3);
        let live = w.twin.read("live_for", |tx| {
            invitations::live_for(tx, w.communities[0], &w.recipients[3])
        });
        assert_eq!(live.map(|i| i.id), Some(again.id), "the last one put");
        assert_eq!(w.sweep(), 3);
        w.check();
        let later = w.now;
        w.change(&mut lapsed, |i| i.resend(later, Duration::days(1)).unwrap());
        w.check();
        for inv in [&accepted, &elsewhere] {
            w.twin.write(|tx| invitations::purge(tx, inv));
        }
        w.check();
        assert_eq!(w.sweep(), 0);
    }

    /// A new invitation is stored only while no open one (live or lapsed)
    /// holds its address in its community; every read then agrees.
    #[test]
    fn a_new_invitation_is_stored_only_while_its_address_is_free() {
        let Some(mut w) = World::new() else { return };
        let fresh = |w: &World, community: usize| {
            Invitation::new(
                w.communities[community],
                w.issuers[0],
                PrincipalId::User(UserId::generate()),
                w.recipients[0].clone(),
                w.now,
                Duration::days(1),
            )
        };
        let insert = |w: &World, inv: &Invitation| {
            w.twin
                .write(|tx| invitations::insert_unless_address_held(tx, inv))
        };
        let first = fresh(&w, 0);
        assert!(insert(&w, &first), "a free address");
        assert!(!insert(&w, &fresh(&w, 0)), "held by an open invitation");
        assert!(insert(&w, &fresh(&w, 1)), "free in another community");
        w.check();

        // Lapsed but not yet swept, it still holds the address.
        w.now += Duration::days(2);
        assert!(!insert(&w, &fresh(&w, 0)));
        let mut first = first;
        let now = w.now;
        w.change(&mut first, |i| i.withdraw(now).unwrap());
        let again = fresh(&w, 0);
        assert!(insert(&w, &again), "given up once withdrawn");
        let live = w.twin.read("live_for", |tx| {
            invitations::live_for(tx, w.communities[0], &w.recipients[0])
        });
        assert_eq!(live.map(|i| i.id), Some(again.id));
        w.check();
    }

    /// More invitations than one batch of the walk, to page through.
    #[test]
    fn the_walk_pages_newest_first_past_its_batches() {
        let Some(w) = World::new() else { return };
        let issued: Vec<Invitation> = (0..40).map(|i| w.invite(0, 0, i % 4)).collect();
        let (community, issuer) = (w.communities[0], w.issuers[0]);
        for stop_after in [15, 16, 17, 40, 48, usize::MAX] {
            let seen = w
                .twin
                .read("walk", |tx| walk(tx, community, issuer, stop_after));
            let mut newest_first: Vec<InvitationId> = issued.iter().map(|i| i.id).collect();
            newest_first.sort();
            newest_first.reverse();
            newest_first.truncate(stop_after);
            assert_eq!(seen, newest_first);
        }
        let page = Some(Page {
            skip: 30,
            count: 20,
        });
        let rest = w.twin.read("issued_by", |tx| {
            invitations::issued_by(tx, community, issuer, page)
        });
        assert_eq!(rest.len(), 10);
    }

    #[test]
    fn the_daily_quota_counts_and_forgets_earlier_days() {
        let Some(twin) = Twin::new() else { return };
        let (c, other) = (CommunityId::generate(), CommunityId::generate());
        let used = |community, day| {
            twin.read("quota_used", move |tx| {
                invitations::quota_used(tx, community, day)
            })
        };
        assert_eq!(used(c, 10), 0);
        for _ in 0..3 {
            twin.write(|tx| invitations::use_quota(tx, c, 10));
        }
        twin.write(|tx| invitations::use_quota(tx, other, 10));
        assert_eq!((used(c, 10), used(other, 10)), (3, 1));
        twin.write(|tx| invitations::use_quota(tx, c, 11));
        assert_eq!((used(c, 10), used(c, 11), used(other, 10)), (0, 1, 1));
    }

    /// Writers on several connections at once never spend past the cap,
    /// and every spend of a write that commits is kept.
    #[test]
    fn concurrent_spends_stop_at_the_cap() {
        let Some(twin) = Twin::new() else { return };
        let (community, day, cap) = (CommunityId::generate(), 7, 5);
        let spent: usize = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    let store = twin.pg.clone();
                    scope.spawn(move || {
                        (0..4)
                            .filter(|_| {
                                store
                                    .write_blocking(|tx| {
                                        invitations::spend_quota(tx, community, day, cap)
                                    })
                                    .unwrap()
                            })
                            .count()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        });
        assert_eq!(spent, cap as usize);
        let used = twin
            .pg
            .read_blocking(|tx| invitations::quota_used(tx, community, day))
            .unwrap();
        assert_eq!(used, cap);
    }

    /// PostgreSQL's answer to a conflicting write, raised on demand.
    fn conflict(tx: &WriteTx) -> Result<(), StoreError> {
        match tx.write_side() {
            WriteSide::Pg(pg) => pg
                .execute(
                    "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'serialization_failure'; END $$",
                    &[],
                )
                .map(|_| ()),
            WriteSide::Redb(_) => unreachable!("a PostgreSQL store"),
        }
    }

    /// A write run again after a conflict spends once; a write that fails
    /// in the end, or whose last run spent less, gives the rest back.
    #[test]
    fn a_write_spends_once_however_often_it_runs_and_only_what_it_keeps() {
        let Some(twin) = Twin::new() else { return };
        let (community, day) = (CommunityId::generate(), 3);
        let used = || {
            twin.pg
                .read_blocking(|tx| invitations::quota_used(tx, community, day))
                .unwrap()
        };
        let runs = AtomicU32::new(0);
        let kept = twin.pg.write_blocking(|tx| {
            let run = runs.fetch_add(1, Ordering::SeqCst);
            // Two spends in the first two runs, one in the last.
            let spends = if run < 2 { 2 } else { 1 };
            for _ in 0..spends {
                assert!(invitations::spend_quota(tx, community, day, 10)?);
            }
            if run < 2 {
                conflict(tx)?;
            }
            Ok::<_, StoreError>(spends)
        });
        assert_eq!((kept.unwrap(), runs.load(Ordering::SeqCst)), (1, 3));
        assert_eq!(
            used(),
            1,
            "two spent in the first run, reused, one given back"
        );

        let failed = twin.pg.write_blocking(|tx| {
            invitations::spend_quota(tx, community, day, 10)?;
            Err::<(), _>(StoreError::Task("the use case refused".into()))
        });
        assert!(failed.is_err());
        assert_eq!(used(), 1, "a failed write gives its spend back");

        let none_left: Result<bool, StoreError> = twin
            .pg
            .write_blocking(|tx| invitations::spend_quota(tx, community, day, 1));
        assert_eq!((none_left.unwrap(), used()), (false, 1), "the cap holds");
    }
}
