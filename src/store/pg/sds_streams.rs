//! SdsStreams on PostgreSQL (see `store::sds_streams`): keyed (tenant,
//! namespace, lower-cased id), bodies in the codec's format.

use super::sds_types::KEYS_END;
use super::tx::PgTx;
use crate::domain::ids::TenantId;
use crate::domain::sds::identifier;
use crate::domain::sds::stream::SdsStream;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

/// How many streams one query of `each` reads: a namespace is walked in
/// bounded steps, never held whole.
const BATCH: i64 = 256;

pub fn get(
    tx: &PgTx,
    tenant: TenantId,
    namespace: &str,
    id: &str,
) -> Result<Option<SdsStream>, StoreError> {
    let row = tx.query_opt(
        "SELECT body FROM sds_streams WHERE tenant = $1 AND namespace = $2 AND stream_key = $3",
        &[&tenant.0, &namespace, &identifier::key(id)],
    )?;
    row.map(|r| decode(r.get(0))).transpose()
}

pub fn put(tx: &PgTx, tenant: TenantId, stream: &SdsStream) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sds_streams (tenant, namespace, stream_key, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, namespace, stream_key) DO UPDATE SET body = EXCLUDED.body",
        &[
            &tenant.0,
            &stream.namespace,
            &stream.key(),
            &encode(stream)?,
        ],
    )?;
    Ok(())
}

pub fn delete(tx: &PgTx, tenant: TenantId, stream: &SdsStream) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM sds_streams WHERE tenant = $1 AND namespace = $2 AND stream_key = $3",
        &[&tenant.0, &stream.namespace, &stream.key()],
    )?;
    Ok(())
}

/// Visits a namespace's streams in id order until `visit` returns false,
/// `BATCH` at a time, each query going on after the last key seen.
pub fn each(
    tx: &PgTx,
    tenant: TenantId,
    namespace: &str,
    mut visit: impl FnMut(SdsStream) -> bool,
) -> Result<(), StoreError> {
    let mut after: Option<String> = None;
    loop {
        let rows = batch(tx, tenant, namespace, after.as_deref())?;
        let full = rows.len() as i64 == BATCH;
        for row in &rows {
            if !visit(decode(row.get(1))?) {
                return Ok(());
            }
        }
        match rows.last() {
            Some(last) if full => after = Some(last.get(0)),
            _ => return Ok(()),
        }
    }
}

/// Up to `BATCH` streams (key, body) of a namespace from its start or after
/// a key. Two statements rather than `$4 IS NULL OR ...`, so that the key
/// bound is always part of the index scan, also in a generic plan.
fn batch(
    tx: &PgTx,
    tenant: TenantId,
    namespace: &str,
    after: Option<&str>,
) -> Result<Vec<tokio_postgres::Row>, StoreError> {
    let (from, key) = match after {
        None => (">=", ""),
        Some(key) => (">", key),
    };
    let sql = format!(
        "SELECT stream_key, body FROM sds_streams
         WHERE tenant = $1 AND namespace = $2 AND stream_key {from} $3 AND stream_key < $4
         ORDER BY stream_key LIMIT $5"
    );
    tx.query(&sql, &[&tenant.0, &namespace, &key, &KEYS_END, &BATCH])
}

/// Up to `limit` of a tenant's streams after the (namespace, stream key)
/// `after`, in key order.
pub fn page_of_tenant(
    tx: &PgTx,
    tenant: TenantId,
    after: Option<(&str, &str)>,
    limit: usize,
) -> Result<Vec<SdsStream>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match after {
        None => tx.query(
            "SELECT body FROM sds_streams WHERE tenant = $1
             ORDER BY namespace, stream_key LIMIT $2",
            &[&tenant.0, &limit],
        )?,
        Some((namespace, key)) => tx.query(
            "SELECT body FROM sds_streams
             WHERE tenant = $1 AND (namespace, stream_key) > ($2, $3)
             ORDER BY namespace, stream_key LIMIT $4",
            &[&tenant.0, &namespace, &key, &limit],
        )?,
    };
    rows.iter().map(|r| decode(r.get(0))).collect()
}

#[cfg(test)]
mod tests {
    use super::super::sds_types::both;
    use crate::domain::ids::TenantId;
    use crate::domain::sds::stream::SdsStream;
    use crate::store::{sds_streams as streams, StoreError};
    use uuid::Uuid;

    fn stream(namespace: &str, id: &str) -> SdsStream {
        let now = chrono::Utc::now();
        SdsStream {
            storage: streams::new_storage_id(),
            namespace: namespace.to_string(),
            id: id.to_string(),
            name: id.to_string(),
            description: String::new(),
            type_id: "t".to_string(),
            keys: Vec::new(),
            tags: vec!["tag".to_string()],
            metadata: Vec::new(),
            indexes: "[]".to_string(),
            acl: Default::default(),
            owner: None,
            created: now,
            modified: now,
            last_write: None,
            modes: Default::default(),
        }
    }

    #[test]
    fn a_namespace_is_walked_in_id_order_across_batches_until_told_to_stop() {
        let Some(both) = both() else { return };
        let tenant = TenantId(Uuid::now_v7());
        // More than one batch of `each`, in an order that is not the keys'.
        let ids: Vec<String> = (0..600).map(|i| format!("S{:03}", (i * 7) % 600)).collect();
        let made: Vec<SdsStream> = ids.iter().map(|id| stream("ns", id)).collect();
        let answer = both.same(|store| {
            store
                .write_blocking(|tx| {
                    for s in &made {
                        streams::put(tx, tenant, s)?;
                    }
                    streams::put(tx, tenant, &stream("other", "s000"))?;
                    streams::put(tx, TenantId(Uuid::nil()), &stream("ns", "s001"))
                })
                .expect("put");
            let walked = |stop_after: usize| {
                store
                    .read_blocking(|tx| {
                        let mut seen = Vec::new();
                        streams::each(tx, tenant, "ns", |s| {
                            seen.push(s.id);
                            seen.len() < stop_after
                        })?;
                        Ok::<_, StoreError>(seen)
                    })
                    .expect("each")
            };
            let all = walked(usize::MAX);
            let some = [1, 256, 257, 300].map(walked);
            let removed = &made[3];
            store
                .write_blocking(|tx| streams::delete(tx, tenant, removed))
                .expect("delete");
            let found = store
                .read_blocking(|tx| {
                    let gone = streams::get(tx, tenant, "ns", &removed.id.to_lowercase())?;
                    let kept = streams::get(tx, tenant, "ns", "s005")?;
                    Ok::<_, StoreError>((gone.is_some(), kept.map(|s| s.id)))
                })
                .expect("get");
            (all, some.map(|s| s.len()), found, walked(usize::MAX).len())
        });
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(answer.0, sorted);
        assert_eq!(answer.1, [1, 256, 257, 300]);
        assert_eq!(answer.2, (false, Some("S005".to_string())));
        assert_eq!(answer.3, 599);
    }

    #[test]
    fn a_stream_is_found_in_any_case_with_the_body_it_was_put_with() {
        let Some(both) = both() else { return };
        let tenant = TenantId(Uuid::now_v7());
        let mut made = stream("ns", "WaveData");
        made.metadata = vec![("k".to_string(), "v".to_string())];
        let answer = both.same(|store| {
            store
                .write_blocking(|tx| streams::put(tx, tenant, &made))
                .expect("put");
            store
                .read_blocking(|tx| streams::get(tx, tenant, "ns", "wAVEdATA"))
                .expect("get")
        });
        assert_eq!(answer, Some(made));
    }
}
