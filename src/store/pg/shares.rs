//! Shares on PostgreSQL (see `store::shares`). Streams are `COLLATE "C"`,
//! so they sort bytewise like redb's keys.

use super::tx::PgTx;
use crate::domain::ids::{CommunityId, TenantId};
use crate::store::error::StoreError;

/// Adding a share twice is one share, as on redb.
pub fn add(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
    stream_ref: &str,
) -> Result<(), StoreError> {
    pg.execute(
        "INSERT INTO shares (community, tenant, stream) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
        &[&community.0, &tenant.0, &stream_ref],
    )?;
    Ok(())
}

pub fn remove(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
    stream_ref: &str,
) -> Result<(), StoreError> {
    pg.execute(
        "DELETE FROM shares WHERE community = $1 AND tenant = $2 AND stream = $3",
        &[&community.0, &tenant.0, &stream_ref],
    )?;
    Ok(())
}

pub fn of_community(
    pg: &PgTx,
    community: CommunityId,
) -> Result<Vec<(TenantId, String)>, StoreError> {
    let rows = pg.query(
        "SELECT tenant, stream FROM shares WHERE community = $1 ORDER BY tenant, stream",
        &[&community.0],
    )?;
    Ok(rows
        .iter()
        .map(|row| (TenantId(row.get(0)), row.get(1)))
        .collect())
}

pub fn first_of_community(
    pg: &PgTx,
    community: CommunityId,
    only: Option<TenantId>,
    limit: usize,
) -> Result<Vec<(TenantId, String)>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match only {
        None => pg.query(
            "SELECT tenant, stream FROM shares WHERE community = $1
             ORDER BY tenant, stream LIMIT $2",
            &[&community.0, &limit],
        )?,
        Some(tenant) => pg.query(
            "SELECT tenant, stream FROM shares WHERE community = $1 AND tenant = $2
             ORDER BY stream LIMIT $3",
            &[&community.0, &tenant.0, &limit],
        )?,
    };
    Ok(rows
        .iter()
        .map(|row| (TenantId(row.get(0)), row.get(1)))
        .collect())
}

pub fn of_tenant(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Vec<String>, StoreError> {
    let rows = pg.query(
        "SELECT stream FROM shares WHERE community = $1 AND tenant = $2 ORDER BY stream",
        &[&community.0, &tenant.0],
    )?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

pub fn contains(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
    stream_ref: &str,
) -> Result<bool, StoreError> {
    let row = pg.query_one(
        "SELECT EXISTS (SELECT 1 FROM shares
                        WHERE community = $1 AND tenant = $2 AND stream = $3)",
        &[&community.0, &tenant.0, &stream_ref],
    )?;
    Ok(row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::communities::{on_both, read, write};
    use crate::store::shares;
    use uuid::Uuid;

    #[test]
    fn shares_list_bytewise_by_tenant_then_stream_like_on_redb() {
        let community = CommunityId::generate();
        let tenants = [TenantId(Uuid::new_v4()), TenantId(Uuid::new_v4())];
        // Bytewise: upper case before lower, 'é' after 'z'.
        let streams = ["ns/b", "ns/é", "NS/z", "ns/a", "ns/z"];
        let answers = on_both(|store| {
            write(store, |tx| {
                for (n, stream) in streams.iter().enumerate() {
                    shares::add(tx, community, tenants[n % 2], stream)?;
                }
                // Twice is once.
                shares::add(tx, community, tenants[0], "ns/b")?;
                shares::add(tx, CommunityId::generate(), tenants[0], "ns/elsewhere")?;
                shares::remove(tx, community, tenants[1], "ns/a")?;
                shares::remove(tx, community, tenants[1], "ns/never")
            })?;
            read(store, |tx| {
                Ok((
                    shares::of_community(tx, community)?,
                    shares::of_tenant(tx, community, tenants[0])?,
                    shares::contains(tx, community, tenants[0], "ns/z")?,
                    shares::contains(tx, community, tenants[1], "ns/a")?,
                    shares::contains(tx, community, tenants[0], "ns/Z")?,
                ))
            })
        });
        let Some((all, first, has_z, has_a, has_upper_z)) = answers else {
            return;
        };
        assert_eq!(first, vec!["NS/z", "ns/b", "ns/z"]);
        let mut expected: Vec<(TenantId, String)> = [
            (tenants[0], "NS/z"),
            (tenants[0], "ns/b"),
            (tenants[0], "ns/z"),
            (tenants[1], "ns/é"),
        ]
        .into_iter()
        .map(|(t, s)| (t, s.to_string()))
        .collect();
        expected.sort();
        assert_eq!(all, expected);
        assert_eq!((has_z, has_a, has_upper_z), (true, false, false));
    }
}
