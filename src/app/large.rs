//! Work a use case or a renderer knows may be long (building a large
//! answer): it shares the large reads' slots and their low-priority threads
//! (`store::large_work`), so it never holds an HTTP worker.

use super::{AppError, Context};

pub async fn run<T: Send + 'static>(
    ctx: &Context,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    Ok(crate::store::large_work::run(&ctx.large_reads, work).await?)
}
