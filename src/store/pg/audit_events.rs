//! The audit log on PostgreSQL (see `store::audit_events` and migration
//! 0009): events by id, and a visibility table whose primary key
//! (tenant, id) carries each event's kind and actor. Triggers refuse any
//! UPDATE, TRUNCATE, or DELETE outside the retention sweep.

use super::tx::PgTx;
use crate::domain::audit::{
    AuditEvent, AuditEventId, AuditEvents, AuditFilter, AuditPage, AUDIT_SCAN_LIMIT,
};
use crate::domain::ids::TenantId;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub fn append(pg: &PgTx, event: &AuditEvent) -> Result<(), StoreError> {
    let id = event.id.as_uuid();
    pg.execute(
        "INSERT INTO audit_events (id, body) VALUES ($1, $2)",
        &[&id, &encode(event)?],
    )?;
    let tenants: Vec<Uuid> = event.visible_to.iter().map(|t| t.0).collect();
    pg.execute(
        "INSERT INTO audit_visibility (tenant, id, kind, actor)
         SELECT tenant, $2, $3, $4 FROM unnest($1::uuid[]) AS t(tenant)",
        &[&tenants, &id, &event.kind.name(), &event.actor_uuid()],
    )?;
    Ok(())
}

/// As on redb: the first `count` matches among the newest
/// `AUDIT_SCAN_LIMIT` entries of the range, and where the next page starts.
pub fn list(
    pg: &PgTx,
    tenant: TenantId,
    filter: &AuditFilter,
    page: AuditPage,
) -> Result<AuditEvents, StoreError> {
    let mut found = AuditEvents {
        events: Vec::new(),
        next: None,
    };
    let (low, high) = filter.id_range(page.after);
    if low >= high || page.count == 0 {
        return Ok(found);
    }
    let (low, high) = (Uuid::from_u128(low), Uuid::from_u128(high));
    let scan = i64::try_from(AUDIT_SCAN_LIMIT).unwrap_or(i64::MAX);
    let count = i64::try_from(page.count).unwrap_or(i64::MAX);
    let kinds: Vec<&str> = filter.kinds.iter().map(|k| k.name()).collect();
    let rows = pg.query(
        "SELECT e.body FROM (
             SELECT id, kind, actor FROM audit_visibility
             WHERE tenant = $1 AND id >= $2 AND id < $3
             ORDER BY id DESC LIMIT $4) v
         JOIN audit_events e ON e.id = v.id
         WHERE (cardinality($5::text[]) = 0 OR v.kind = ANY($5))
           AND ($6::uuid IS NULL OR v.actor = $6)
         ORDER BY v.id DESC LIMIT $7",
        &[&tenant.0, &low, &high, &scan, &kinds, &filter.actor, &count],
    )?;
    for row in &rows {
        found.events.push(decode(row.get::<_, &[u8]>(0))?);
    }
    if found.events.len() == page.count {
        found.next = found.events.last().map(|e| e.id);
        return Ok(found);
    }
    // The oldest entry the page read, and how many it read (PostgreSQL
    // has no min() of uuid).
    let scanned = pg.query_opt(
        "SELECT id, count(*) OVER () FROM (
             SELECT id FROM audit_visibility
             WHERE tenant = $1 AND id >= $2 AND id < $3
             ORDER BY id DESC LIMIT $4) v
         ORDER BY id LIMIT 1",
        &[&tenant.0, &low, &high, &scan],
    )?;
    if let Some(row) = scanned.filter(|row| row.get::<_, i64>(1) == scan) {
        found.next = Some(AuditEventId(row.get::<_, Uuid>(0).as_u128()));
    }
    Ok(found)
}

pub fn all_after(
    pg: &PgTx,
    after: Option<AuditEventId>,
    count: usize,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = pg.query(
        "SELECT body FROM audit_events WHERE $1::uuid IS NULL OR id > $1
         ORDER BY id LIMIT $2",
        &[
            &after.map(AuditEventId::as_uuid),
            &i64::try_from(count).unwrap_or(i64::MAX),
        ],
    )?;
    rows.iter()
        .map(|row| decode(row.get::<_, &[u8]>(0)))
        .collect()
}

/// As on redb. The triggers let these deletes through only because this
/// transaction says it is the sweep's.
pub fn sweep_older_than(
    pg: &PgTx,
    cutoff: DateTime<Utc>,
    batch: usize,
) -> Result<usize, StoreError> {
    let bound = AuditEventId::first_at(cutoff).as_uuid();
    pg.query_one(
        "SELECT set_config('communityd.audit_retention', 'on', true)",
        &[],
    )?;
    let rows = pg.query(
        "DELETE FROM audit_events WHERE id IN (
             SELECT id FROM audit_events WHERE id < $1 ORDER BY id LIMIT $2)
         RETURNING body",
        &[&bound, &i64::try_from(batch).unwrap_or(i64::MAX)],
    )?;
    let (mut tenants, mut ids) = (Vec::<Uuid>::new(), Vec::<Uuid>::new());
    for row in &rows {
        let event: AuditEvent = decode(row.get::<_, &[u8]>(0))?;
        for tenant in &event.visible_to {
            tenants.push(tenant.0);
            ids.push(event.id.as_uuid());
        }
    }
    pg.execute(
        "DELETE FROM audit_visibility v
         USING unnest($1::uuid[], $2::uuid[]) AS d(tenant, id)
         WHERE v.tenant = d.tenant AND v.id = d.id",
        &[&tenants, &ids],
    )?;
    pg.query_one(
        "SELECT set_config('communityd.audit_retention', 'off', true)",
        &[],
    )?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{Actor, AuditKind, Origin, Subject};
    use crate::domain::ids::{CommunityId, PrincipalId, UserId};
    use crate::store::audit_events as audit;
    use crate::store::pg::communities::{on_both, on_postgres, pg_write, read, write};
    use crate::store::Store;
    use chrono::{Duration, TimeZone};

    fn event(
        at: DateTime<Utc>,
        actor: Option<(UserId, TenantId)>,
        kind: AuditKind,
        touched: &[TenantId],
    ) -> AuditEvent {
        let actor = actor.map(|(user, tenant)| Actor {
            principal: PrincipalId::User(user),
            tenant,
            name: Some("someone@example.com".into()),
        });
        let address = Some("192.0.2.7".parse().unwrap());
        let origin = Origin::new(actor, at, address, "op".into());
        AuditEvent::new(
            &origin,
            kind,
            Subject::community(CommunityId(Uuid::from_u128(1))),
            &serde_json::json!({ "N": at.timestamp() }),
            touched,
        )
    }

    fn ids(events: &AuditEvents) -> Vec<AuditEventId> {
        events.events.iter().map(|e| e.id).collect()
    }

    fn page(after: Option<AuditEventId>, count: usize) -> AuditPage {
        AuditPage { after, count }
    }

    /// Ten events a minute apart: even ones by `alice` of tenant `a`
    /// (Membership.Paused), odd ones by the operator touching `a` and `b`
    /// (Share.Added).
    fn ten(a: TenantId, b: TenantId, alice: UserId) -> Vec<AuditEvent> {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        (0..10)
            .map(|n| {
                let at = start + Duration::minutes(n);
                if n % 2 == 0 {
                    event(at, Some((alice, a)), AuditKind::MembershipPaused, &[])
                } else {
                    event(at, None, AuditKind::ShareAdded, &[a, b])
                }
            })
            .collect()
    }

    #[test]
    fn lists_are_newest_first_per_tenant_filtered_and_keyset_paged_like_on_redb() {
        let (a, b) = (TenantId(Uuid::from_u128(10)), TenantId(Uuid::from_u128(11)));
        let alice = UserId(Uuid::from_u128(20));
        let events = ten(a, b, alice);
        let start = events[0].at;
        let answers = on_both(|store| {
            write(store, |tx| {
                events.iter().try_for_each(|e| audit::append(tx, e))
            })?;
            read(store, |tx| {
                let all = AuditFilter::default();
                let first = audit::list(tx, a, &all, page(None, 4))?;
                let second = audit::list(tx, a, &all, page(first.next, 4))?;
                let third = audit::list(tx, a, &all, page(second.next, 4))?;
                let of_b = audit::list(tx, b, &all, page(None, 100))?;
                let paused_by_alice = AuditFilter {
                    kinds: vec![AuditKind::MembershipPaused],
                    actor: Some(alice.0),
                    ..AuditFilter::default()
                };
                let alices = audit::list(tx, a, &paused_by_alice, page(None, 100))?;
                let nobodys = AuditFilter {
                    actor: Some(Uuid::from_u128(99)),
                    ..AuditFilter::default()
                };
                let none = audit::list(tx, a, &nobodys, page(None, 100))?;
                let window = AuditFilter {
                    from: Some(start + Duration::minutes(2)),
                    to: Some(start + Duration::minutes(5)),
                    ..AuditFilter::default()
                };
                let windowed = audit::list(tx, a, &window, page(None, 100))?;
                let stranger = audit::list(tx, TenantId(Uuid::from_u128(12)), &all, page(None, 9))?;
                Ok((first, second, third, of_b, alices, none, windowed, stranger))
            })
        });
        let Some((first, second, third, of_b, alices, none, windowed, stranger)) = answers else {
            return;
        };
        let newest: Vec<AuditEventId> = events.iter().rev().map(|e| e.id).collect();
        assert_eq!(ids(&first), newest[0..4]);
        assert_eq!(first.next, Some(newest[3]));
        assert_eq!(ids(&second), newest[4..8]);
        assert_eq!(ids(&third), newest[8..10]);
        assert_eq!(third.next, None);
        assert_eq!(first.events[0], events[9], "the event reads back whole");
        // b sees only the events that touched it.
        let odd: Vec<AuditEventId> = newest.iter().copied().step_by(2).collect();
        assert_eq!(ids(&of_b), odd);
        let even: Vec<AuditEventId> = newest.iter().copied().skip(1).step_by(2).collect();
        assert_eq!(ids(&alices), even);
        assert!(none.events.is_empty() && none.next.is_none());
        // From minute 2 (inclusive) to minute 5 (exclusive).
        assert_eq!(
            ids(&windowed),
            vec![events[4].id, events[3].id, events[2].id]
        );
        assert!(stranger.events.is_empty());
    }

    #[test]
    fn the_sweep_removes_only_events_older_than_the_cutoff_in_batches_like_on_redb() {
        let (a, b) = (TenantId(Uuid::from_u128(10)), TenantId(Uuid::from_u128(11)));
        let events = ten(a, b, UserId(Uuid::from_u128(20)));
        let cutoff = events[6].at;
        let answers = on_both(|store| {
            write(store, |tx| {
                events.iter().try_for_each(|e| audit::append(tx, e))
            })?;
            let first = write(store, |tx| audit::sweep_older_than(tx, cutoff, 4))?;
            let second = write(store, |tx| audit::sweep_older_than(tx, cutoff, 4))?;
            let third = write(store, |tx| audit::sweep_older_than(tx, cutoff, 4))?;
            let left = read(store, |tx| {
                Ok((
                    audit::list(tx, a, &AuditFilter::default(), page(None, 100))?,
                    audit::list(tx, b, &AuditFilter::default(), page(None, 100))?,
                    audit::all_after(tx, None, 100)?,
                ))
            })?;
            Ok((first, second, third, left))
        });
        let Some((first, second, third, (of_a, of_b, all))) = answers else {
            return;
        };
        assert_eq!((first, second, third), (4, 2, 0));
        let kept: Vec<AuditEventId> = events[6..].iter().rev().map(|e| e.id).collect();
        assert_eq!(ids(&of_a), kept);
        assert_eq!(ids(&of_b), vec![events[9].id, events[7].id]);
        assert_eq!(all, events[6..].to_vec());
    }

    /// The database's own message refusing `sql`.
    fn refused(store: &Store, sql: &'static str) -> String {
        match pg_write(store, |pg| pg.execute(sql, &[])) {
            Ok(n) => panic!("{sql} was let through ({n} rows)"),
            Err(StoreError::Postgres(e)) => e
                .as_db_error()
                .map_or_else(|| e.to_string(), |db| db.message().to_string()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_database_refuses_to_change_or_delete_events_outside_the_sweep() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let (a, b) = (TenantId(Uuid::from_u128(10)), TenantId(Uuid::from_u128(11)));
        let events = ten(a, b, UserId(Uuid::from_u128(20)));
        write(&store, |tx| {
            events.iter().try_for_each(|e| audit::append(tx, e))
        })
        .unwrap();
        for sql in [
            "UPDATE audit_events SET body = body",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "UPDATE audit_visibility SET kind = 'SignIn.Succeeded'",
            "DELETE FROM audit_visibility",
            "TRUNCATE audit_visibility CASCADE",
        ] {
            let error = refused(&store, sql);
            assert!(error.contains("append-only"), "{sql}: {error}");
        }
        // The sweep's setting lasts only for its own transaction.
        write(&store, |tx| audit::sweep_older_than(tx, events[1].at, 10)).unwrap();
        let error = refused(&store, "DELETE FROM audit_events");
        assert!(error.contains("append-only"), "{error}");
        let left = read(&store, |tx| audit::all_after(tx, None, 100)).unwrap();
        assert_eq!(left, events[1..].to_vec());
    }
}
