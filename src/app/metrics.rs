//! The Prometheus exposition. The outbox and invitation gauges are read
//! from counts the database keeps with the records (`store::counts`), so
//! they are right just after a restart, agree between processes sharing
//! the database, and cost a few rows per scrape however many records.

use super::{AppError, Context};
use crate::store::census;

pub async fn exposition(ctx: &Context) -> Result<String, AppError> {
    let now = ctx.clock.now();
    let counts = ctx
        .store
        .read(move |tx| Ok::<_, AppError>(census::take(tx, now)?))
        .await?;
    ctx.metrics.set_census(&counts);
    ctx.metrics
        .render()
        .map_err(|e| AppError::Unexpected(e.to_string()))
}
