//! JSON answers that can be large (a window of up to the read limit's
//! values, a search over every shared stream) are built and written on the
//! blocking pool, within the same bound as the large reads, so an HTTP
//! worker only sends the bytes: turning a quarter of a million values into
//! text on a worker held every request queued behind it.

use crate::app::{large, AppError, Context};
use actix_web::http::header::ContentType;
use actix_web::HttpResponse;
use serde::Serialize;

/// 200 with the JSON of what `build` makes, made off the HTTP worker.
pub async fn ok<T: Serialize>(
    ctx: &Context,
    build: impl FnOnce() -> T + Send + 'static,
) -> Result<HttpResponse, AppError> {
    let bytes = large::run(ctx, move || serde_json::to_vec(&build()))
        .await?
        .map_err(|e| AppError::Unexpected(format!("an answer could not be written: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(bytes))
}
