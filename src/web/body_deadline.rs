//! A deadline on reading the request body. actix times out slow request
//! heads but waits for a body forever, so a client trickling a byte now and
//! then held a connection (and a file descriptor) for as long as it liked.
//! Here every request's body must have arrived within `body_read_timeout`
//! of the request's start; after that the body reads as an error, the
//! answer is 408 and the connection is closed.

use super::error::ErrorResponse;
use crate::app::Context;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use futures_util::StreamExt;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use tokio::time::Instant;

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<Context>>()
        .map_or(Duration::from_secs(20), |c| c.settings.body_read_timeout);
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        // No body (most GETs): nothing to wait for.
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let timed_out = Rc::new(Cell::new(false));
    let body = deadline(payload, Instant::now() + limit, timed_out.clone());
    req.set_payload(Payload::Stream {
        payload: Box::pin(body),
    });
    let response = next.call(req).await?;
    if !timed_out.get() {
        return Ok(response.map_into_left_body());
    }
    let seconds = limit.as_secs_f64();
    let mut refused = HttpResponse::build(StatusCode::REQUEST_TIMEOUT).json(ErrorResponse {
        operation_id: super::operation::current(),
        error: "The request body arrived too slowly.".into(),
        reason: format!("body: was not complete within {seconds} seconds"),
        resolution: "Send the whole body promptly.".into(),
        parameter: Some("body".into()),
    });
    refused
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    let (request, _) = response.into_parts();
    Ok(ServiceResponse::new(request, refused).map_into_right_body())
}

/// The payload until `until`, then one timeout error and its end. Fused,
/// because some readers (multipart) poll again after the end.
fn deadline(
    payload: Payload,
    until: Instant,
    timed_out: Rc<Cell<bool>>,
) -> impl futures_util::Stream<Item = Result<web::Bytes, PayloadError>> {
    futures_util::stream::unfold(Some(payload), move |payload| {
        let timed_out = timed_out.clone();
        async move {
            let mut payload = payload?;
            match tokio::time::timeout_at(until, payload.next()).await {
                Ok(Some(chunk)) => Some((chunk, Some(payload))),
                Ok(None) => None,
                Err(_) => {
                    timed_out.set(true);
                    let late = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body arrived too slowly",
                    );
                    Some((Err(PayloadError::Io(late)), None))
                }
            }
        }
    })
    .fuse()
}
