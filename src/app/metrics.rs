//! The Prometheus exposition. The outbox and invitation gauges are counted
//! from the database at scrape time, so they are right even just after a
//! restart.

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
