//! Webhook endpoints and deliveries on PostgreSQL (see `store::webhooks`
//! and migration 0010). Several instances work the deliveries, so a claim
//! locks the due rows it takes with `FOR UPDATE SKIP LOCKED`, as the mail
//! outbox does: two workers never take one row, and neither waits.

use super::tx::PgTx;
use crate::domain::ids::{TenantId, WebhookDeliveryId, WebhookId};
use crate::domain::webhook::WebhookEndpoint;
use crate::domain::webhook_delivery::WebhookDelivery;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn limit(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

pub fn of_tenant(pg: &PgTx, tenant: TenantId) -> Result<Vec<WebhookEndpoint>, StoreError> {
    pg.query(
        "SELECT body FROM webhooks WHERE tenant = $1 ORDER BY id",
        &[&tenant.0],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

/// In the order redb lists them: by tenant as given, then by id.
pub fn of_tenants(pg: &PgTx, tenants: &[TenantId]) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let ids: Vec<Uuid> = tenants.iter().map(|t| t.0).collect();
    pg.query(
        "SELECT w.body FROM unnest($1::uuid[]) WITH ORDINALITY AS t(tenant, n)
         JOIN webhooks w ON w.tenant = t.tenant ORDER BY t.n, w.id",
        &[&ids],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

pub fn get(
    pg: &PgTx,
    tenant: TenantId,
    id: WebhookId,
) -> Result<Option<WebhookEndpoint>, StoreError> {
    pg.query_opt(
        "SELECT body FROM webhooks WHERE tenant = $1 AND id = $2",
        &[&tenant.0, &id.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn put(pg: &PgTx, endpoint: &WebhookEndpoint) -> Result<(), StoreError> {
    pg.execute(
        "INSERT INTO webhooks (tenant, id, body) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, id) DO UPDATE SET body = EXCLUDED.body",
        &[&endpoint.tenant.0, &endpoint.id.0, &encode(endpoint)?],
    )?;
    Ok(())
}

pub fn delete(pg: &PgTx, tenant: TenantId, id: WebhookId) -> Result<bool, StoreError> {
    let deleted = pg.execute(
        "DELETE FROM webhooks WHERE tenant = $1 AND id = $2",
        &[&tenant.0, &id.0],
    )?;
    if deleted == 0 {
        return Ok(false);
    }
    pg.execute(
        "DELETE FROM webhook_deliveries WHERE endpoint = $1",
        &[&id.0],
    )?;
    Ok(true)
}

pub fn delivery(pg: &PgTx, id: WebhookDeliveryId) -> Result<Option<WebhookDelivery>, StoreError> {
    pg.query_opt(
        "SELECT body FROM webhook_deliveries WHERE id = $1",
        &[&id.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

fn due_ms(delivery: &WebhookDelivery) -> Option<i64> {
    delivery
        .is_pending()
        .then(|| delivery.next_attempt.timestamp_millis())
}

/// As on redb: a claim on it stays.
pub fn put_delivery(pg: &PgTx, delivery: &WebhookDelivery) -> Result<(), StoreError> {
    pg.execute(
        "INSERT INTO webhook_deliveries (id, endpoint, due_ms, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET due_ms = EXCLUDED.due_ms, body = EXCLUDED.body",
        &[
            &delivery.id.0,
            &delivery.endpoint.0,
            &due_ms(delivery),
            &encode(delivery)?,
        ],
    )?;
    Ok(())
}

/// The outcome of a claimed delivery; the claim ends.
pub fn settle(pg: &PgTx, delivery: &WebhookDelivery) -> Result<(), StoreError> {
    pg.execute(
        "INSERT INTO webhook_deliveries (id, endpoint, due_ms, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET due_ms = EXCLUDED.due_ms, body = EXCLUDED.body,
             lease_until_ms = NULL, leased_to = NULL",
        &[
            &delivery.id.0,
            &delivery.endpoint.0,
            &due_ms(delivery),
            &encode(delivery)?,
        ],
    )?;
    Ok(())
}

/// Claims up to `count` due deliveries, soonest first, skipping rows
/// another transaction holds.
pub fn claim_due(
    pg: &PgTx,
    now: DateTime<Utc>,
    count: usize,
    lease_until: DateTime<Utc>,
    holder: Uuid,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let rows = pg.query(
        "SELECT id, body FROM webhook_deliveries WHERE due_ms <= $1
         ORDER BY due_ms, id LIMIT $2 FOR UPDATE SKIP LOCKED",
        &[&now.timestamp_millis(), &limit(count)],
    )?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: Uuid = row.try_get(0)?;
        let mut delivery: WebhookDelivery = match decode(row.try_get(1)?) {
            Ok(delivery) => delivery,
            Err(e) => {
                tracing::error!(delivery = %id, error = %e, "a webhook delivery cannot be read; it will not be tried");
                pg.execute(
                    "UPDATE webhook_deliveries SET due_ms = NULL WHERE id = $1",
                    &[&id],
                )?;
                continue;
            }
        };
        if !delivery.is_pending() {
            continue;
        }
        delivery.claim(lease_until);
        pg.execute(
            "UPDATE webhook_deliveries SET due_ms = $2, lease_until_ms = $2, leased_to = $3,
                 body = $4
             WHERE id = $1",
            &[
                &id,
                &lease_until.timestamp_millis(),
                &holder,
                &encode(&delivery)?,
            ],
        )?;
        claimed.push(delivery);
    }
    Ok(claimed)
}

/// Makes the deliveries whose lease ended by `now`, and those `holder`
/// leased in an earlier life, due at `now`.
pub fn release_claims(pg: &PgTx, now: DateTime<Utc>, holder: Uuid) -> Result<usize, StoreError> {
    let rows = pg.query(
        "SELECT id, body FROM webhook_deliveries
         WHERE lease_until_ms <= $1 OR (lease_until_ms IS NOT NULL AND leased_to = $2)
         FOR UPDATE SKIP LOCKED",
        &[&now.timestamp_millis(), &holder],
    )?;
    for row in &rows {
        let id: Uuid = row.try_get(0)?;
        let Ok(mut delivery) = decode::<WebhookDelivery>(row.try_get(1)?) else {
            continue;
        };
        delivery.next_attempt = now;
        pg.execute(
            "UPDATE webhook_deliveries SET lease_until_ms = NULL, leased_to = NULL,
                 due_ms = CASE WHEN due_ms = lease_until_ms THEN $2 ELSE due_ms END,
                 body = $3
             WHERE id = $1",
            &[&id, &now.timestamp_millis(), &encode(&delivery)?],
        )?;
    }
    Ok(rows.len())
}

pub fn next_due(pg: &PgTx) -> Result<Option<i64>, StoreError> {
    let row = pg.query_one("SELECT min(due_ms) FROM webhook_deliveries", &[])?;
    Ok(row.try_get(0)?)
}

pub fn log_of(
    pg: &PgTx,
    endpoint: WebhookId,
    before: Option<WebhookDeliveryId>,
    count: usize,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    pg.query(
        "SELECT body FROM webhook_deliveries
         WHERE endpoint = $1 AND ($2::uuid IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3",
        &[&endpoint.0, &before.map(|b| b.0), &limit(count)],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

pub fn deliveries_after(
    pg: &PgTx,
    after: Option<WebhookDeliveryId>,
    count: usize,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    pg.query(
        "SELECT body FROM webhook_deliveries WHERE $1::uuid IS NULL OR id > $1
         ORDER BY id LIMIT $2",
        &[&after.map(|a| a.0), &limit(count)],
    )?
    .iter()
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .collect()
}

pub fn is_claimed(pg: &PgTx, id: WebhookDeliveryId) -> Result<bool, StoreError> {
    let row = pg.query_opt(
        "SELECT 1 FROM webhook_deliveries WHERE id = $1 AND lease_until_ms IS NOT NULL",
        &[&id.0],
    )?;
    Ok(row.is_some())
}

#[cfg(test)]
mod tests {
    use crate::domain::audit::AuditKind;
    use crate::domain::ids::{TenantId, WebhookDeliveryId, WebhookId};
    use crate::domain::webhook::WebhookEndpoint;
    use crate::domain::webhook_delivery::{WebhookDelivery, WebhookDeliveryStatus};
    use crate::store::instance::Instance;
    use crate::store::outbox::Lease;
    use crate::store::pg::communities::{on_both, read, write};
    use crate::store::webhooks;
    use chrono::{DateTime, Duration, Utc};
    use uuid::Uuid;

    fn endpoint(tenant: TenantId, id: u128, at: DateTime<Utc>) -> WebhookEndpoint {
        let mut e = WebhookEndpoint::new(
            tenant,
            "https://hooks.example.com/in".into(),
            vec![AuditKind::ShareAdded],
            String::new(),
            at,
        );
        e.id = WebhookId(Uuid::from_u128(id));
        e.secret = vec![1; 32];
        e
    }

    fn delivery(endpoint: &WebhookEndpoint, id: u128, at: DateTime<Utc>) -> WebhookDelivery {
        let mut d = WebhookDelivery::new(
            endpoint.id,
            endpoint.tenant,
            AuditKind::ShareAdded,
            format!("{{\"n\":{id}}}"),
            at,
        );
        d.id = WebhookDeliveryId(Uuid::from_u128(id));
        d
    }

    /// Endpoints listed, deliveries queued, claimed once under a lease,
    /// settled, released after a crash, paged newest first and deleted
    /// with their endpoint: the same answers on both backends.
    #[test]
    fn a_delivery_life_answers_on_postgresql_as_on_redb() {
        let now = DateTime::from_timestamp_millis(1_760_000_000_000).unwrap();
        let (tenant, other) = (TenantId(Uuid::from_u128(7)), TenantId(Uuid::from_u128(8)));
        let (a, b) = (endpoint(tenant, 1, now), endpoint(tenant, 2, now));
        let foreign = endpoint(other, 3, now);
        let lease = |until| Lease {
            until,
            holder: Instance(Uuid::nil()),
        };
        let answers = on_both(|store| {
            write(store, |tx| {
                for e in [&a, &b, &foreign] {
                    webhooks::put(tx, e)?;
                }
                for (i, at) in [(10, now), (11, now + Duration::seconds(1)), (12, now)] {
                    webhooks::put_delivery(tx, &delivery(&a, i, at))?;
                }
                webhooks::put_delivery(tx, &delivery(&b, 20, now))
            })?;
            let listed = read(store, |tx| {
                let ids: Vec<WebhookId> = webhooks::of_tenants(tx, &[other, tenant])?
                    .iter()
                    .map(|e| e.id)
                    .collect();
                Ok((ids, webhooks::next_due(tx)?))
            })?;
            let until = now + Duration::minutes(5);
            let claimed = write(store, |tx| webhooks::claim_due(tx, now, 2, lease(until)))?;
            let again = write(store, |tx| webhooks::claim_due(tx, now, 10, lease(until)))?;
            let mut settled = claimed[0].clone();
            settled.delivered(now, 204);
            write(store, |tx| webhooks::settle(tx, &settled))?;
            // A crash leaves the other claims: released, due again at once.
            let released = write(store, |tx| {
                webhooks::release_claims(tx, until, Instance(Uuid::nil()))
            })?;
            let after = read(store, |tx| {
                Ok((
                    webhooks::is_claimed(tx, claimed[1].id)?,
                    webhooks::next_due(tx)?,
                    webhooks::delivery(tx, settled.id)?.map(|d| d.status),
                ))
            })?;
            let page = read(store, |tx| {
                let first = webhooks::log_of(tx, a.id, None, 2)?;
                let rest = webhooks::log_of(tx, a.id, Some(first[1].id), 10)?;
                let all = webhooks::deliveries_after(tx, None, 10)?;
                Ok((
                    first.iter().map(|d| d.id).collect::<Vec<_>>(),
                    rest.iter().map(|d| d.id).collect::<Vec<_>>(),
                    all.len(),
                ))
            })?;
            let deleted = write(store, |tx| {
                Ok((
                    webhooks::delete(tx, tenant, a.id)?,
                    webhooks::delete(tx, tenant, a.id)?,
                ))
            })?;
            let left = read(store, |tx| {
                Ok((
                    webhooks::of_tenant(tx, tenant)?.len(),
                    webhooks::log_of(tx, a.id, None, 10)?.len(),
                    webhooks::deliveries_after(tx, None, 10)?.len(),
                ))
            })?;
            let claimed_ids: Vec<_> = claimed.iter().map(|d| (d.id, d.attempts)).collect();
            let again_ids: Vec<_> = again.iter().map(|d| d.id).collect();
            Ok((
                listed,
                claimed_ids,
                again_ids,
                released,
                after,
                page,
                deleted,
                left,
            ))
        });
        let Some((listed, claimed, again, released, after, page, deleted, left)) = answers else {
            return;
        };
        let id = |n: u128| WebhookDeliveryId(Uuid::from_u128(n));
        assert_eq!(listed.0, [foreign.id, a.id, b.id]);
        assert_eq!(listed.1, Some(now.timestamp_millis()));
        assert_eq!(claimed, [(id(10), 1), (id(12), 1)], "soonest first");
        assert_eq!(again, [id(20)], "leased ones are not taken again");
        assert_eq!(released, 2);
        assert_eq!(
            after,
            (
                false,
                Some(now.timestamp_millis() + 1000),
                Some(WebhookDeliveryStatus::Delivered)
            )
        );
        assert_eq!(page.0, [id(12), id(11)], "newest first");
        assert_eq!(page.1, [id(10)]);
        assert_eq!(page.2, 4);
        assert_eq!(deleted, (true, false));
        assert_eq!(left, (1, 0, 1));
    }
}
