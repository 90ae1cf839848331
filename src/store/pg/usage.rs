//! Usage counts on PostgreSQL (see `store::usage`). Streams are
//! `COLLATE "C"`, so rows sort bytewise like redb's keys; a flush adds to
//! the stored counts in one statement, so instances sharing the database
//! never overwrite each other's.

use super::tx::PgTx;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::usage::{split_stream_ref, UsageCounts, UsageKey, UsageRow as Row};
use crate::store::error::StoreError;
use tokio_postgres::Row as PgRow;
use uuid::Uuid;

fn stored(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn counted(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

const ADD: &str = "
INSERT INTO usage_counts AS t (community, day, reader, owner, stream, requests, values_read, refused)
SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::uuid[], $4::uuid[], $5::text[],
                     $6::bigint[], $7::bigint[], $8::bigint[])
ON CONFLICT (community, day, reader, owner, stream) DO UPDATE
SET requests = LEAST(t.requests::numeric + excluded.requests, 9223372036854775807)::bigint,
    values_read = LEAST(t.values_read::numeric + excluded.values_read, 9223372036854775807)::bigint,
    refused = LEAST(t.refused::numeric + excluded.refused, 9223372036854775807)::bigint";

pub fn add(pg: &PgTx, rows: &[Row]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let community: Vec<Uuid> = rows.iter().map(|(k, _)| k.community.0).collect();
    let day: Vec<i64> = rows.iter().map(|(k, _)| k.day).collect();
    let reader: Vec<Uuid> = rows.iter().map(|(k, _)| k.reader.0).collect();
    let owner: Vec<Uuid> = rows.iter().map(|(k, _)| k.owner.0).collect();
    let stream: Vec<String> = rows.iter().map(|(k, _)| k.stream_ref()).collect();
    let requests: Vec<i64> = rows.iter().map(|(_, c)| stored(c.requests)).collect();
    let values: Vec<i64> = rows.iter().map(|(_, c)| stored(c.values)).collect();
    let refused: Vec<i64> = rows.iter().map(|(_, c)| stored(c.refused)).collect();
    pg.execute(
        ADD,
        &[
            &community, &day, &reader, &owner, &stream, &requests, &values, &refused,
        ],
    )?;
    Ok(())
}

const COLUMNS: &str = "community, day, reader, owner, stream, requests, values_read, refused";

fn row_of(row: &PgRow) -> Row {
    let (namespace, stream) = split_stream_ref(row.get(4));
    (
        UsageKey {
            community: CommunityId(row.get(0)),
            day: row.get(1),
            reader: TenantId(row.get(2)),
            owner: TenantId(row.get(3)),
            namespace,
            stream,
        },
        UsageCounts {
            requests: counted(row.get(5)),
            values: counted(row.get(6)),
            refused: counted(row.get(7)),
        },
    )
}

pub fn of_tenant_in(
    pg: &PgTx,
    community: CommunityId,
    (from, to): (i64, i64),
    tenant: TenantId,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = pg.query(
        &format!(
            "SELECT {COLUMNS} FROM usage_counts
             WHERE community = $1 AND day BETWEEN $2 AND $3 AND (reader = $4 OR owner = $4)
             ORDER BY community, day, reader, owner, stream LIMIT $5"
        ),
        &[&community.0, &from, &to, &tenant.0, &limit],
    )?;
    Ok(rows.iter().map(row_of).collect())
}

pub fn page_of_community(
    pg: &PgTx,
    community: CommunityId,
    after: Option<&UsageKey>,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match after {
        None => pg.query(
            &format!(
                "SELECT {COLUMNS} FROM usage_counts WHERE community = $1
                 ORDER BY community, day, reader, owner, stream LIMIT $2"
            ),
            &[&community.0, &limit],
        )?,
        Some(k) => pg.query(
            &format!(
                "SELECT {COLUMNS} FROM usage_counts
                 WHERE community = $1 AND (day, reader, owner, stream) > ($2, $3, $4, $5)
                 ORDER BY community, day, reader, owner, stream LIMIT $6"
            ),
            &[
                &community.0,
                &k.day,
                &k.reader.0,
                &k.owner.0,
                &k.stream_ref(),
                &limit,
            ],
        )?,
    };
    Ok(rows.iter().map(row_of).collect())
}

pub fn forget_community(pg: &PgTx, community: CommunityId) -> Result<(), StoreError> {
    pg.execute(
        "DELETE FROM usage_counts WHERE community = $1",
        &[&community.0],
    )?;
    Ok(())
}
