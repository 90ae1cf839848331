//! Writes the counted usage to the store: every `usage_flush_interval`,
//! earlier when the in-memory map fills, and once more when the service
//! stops (after the HTTP server has finished its requests). A crash loses
//! what was counted since the last flush: at most one interval.

use crate::app::{AppError, Context};
use crate::domain::ids::CommunityId;
use crate::store::usage::{self, Row};
use crate::store::{communities, WriteTx};
use std::collections::HashMap;
use tokio::sync::watch;

/// Cells added per transaction.
const BATCH: usize = 1_000;

/// Adds everything counted so far to the store; answers how many cells
/// were written. Cells a failed write did not take are given back to be
/// tried at the next flush.
pub async fn flush(ctx: &Context) -> Result<usize, AppError> {
    let (rows, lost) = ctx.usage.take();
    if lost > 0 {
        tracing::warn!(
            requests = lost,
            "usage counts were not kept: the in-memory map was full"
        );
    }
    let mut rest = rows;
    let mut written = 0;
    while !rest.is_empty() {
        let later = rest.split_off(rest.len().min(BATCH));
        let batch = std::mem::replace(&mut rest, later);
        let n = batch.len();
        // Each row is one atomic add (`INSERT ... ON CONFLICT DO UPDATE`
        // on PostgreSQL), so the write needs no SERIALIZABLE checks: an
        // instance adding to the same rows at once waits, never conflicts.
        let stored = batch.clone();
        let result = ctx
            .store
            .write_leased(move |tx| add_where_community_stands(tx, &stored))
            .await;
        if let Err(e) = result {
            ctx.usage.put_back(batch);
            ctx.usage.put_back(rest);
            return Err(e);
        }
        written += n;
    }
    Ok(written)
}

/// Adds the rows of communities that still exist: counts of reads made
/// just before a community was deleted go with it.
fn add_where_community_stands(tx: &WriteTx, rows: &[Row]) -> Result<(), AppError> {
    let mut standing: HashMap<CommunityId, bool> = HashMap::new();
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        let community = row.0.community;
        let stands = match standing.get(&community) {
            Some(s) => *s,
            None => {
                let s = communities::get(tx, community)?.is_some();
                standing.insert(community, s);
                s
            }
        };
        if stands {
            kept.push(row.clone());
        }
    }
    Ok(usage::add(tx, &kept)?)
}

/// The flush task: runs until `stop`, then flushes one last time.
pub async fn run(ctx: Context, mut stop: watch::Receiver<bool>) {
    let every = ctx
        .settings
        .usage_flush_interval
        .max(std::time::Duration::from_millis(10));
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep(every) => false,
            _ = ctx.usage.full.notified() => false,
            _ = stop.changed() => true,
        };
        if let Err(e) = flush(&ctx).await {
            tracing::error!(error = %e, "usage counts could not be written; kept for the next try");
        }
        if stopping || *stop.borrow() {
            return;
        }
    }
}
