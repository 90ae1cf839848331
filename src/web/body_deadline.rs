//! Deadlines on reading the request body. actix times out slow request
//! heads but waits for a body forever, so a client trickling a byte now and
//! then held a connection (and a file descriptor) for as long as it liked.
//! Here a body must keep up a minimum average rate once a short grace has
//! passed (`body_min_bytes_per_second` after `body_rate_grace`, as
//! Kestrel's MinRequestBodyDataRate), and must be complete within
//! `body_read_timeout` of the request's start. A slower body reads as an
//! error, the answer is 408 and the connection is closed: a thousand
//! trickling clients now hold their descriptors for seconds, not minutes.

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

/// What a body must keep to.
#[derive(Clone, Copy)]
struct Pace {
    start: Instant,
    total: Duration,
    grace: Duration,
    bytes_per_second: u32,
}

/// Which deadline a body missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Late {
    Rate,
    Total,
}

impl Pace {
    fn of(req: &ServiceRequest) -> Self {
        let defaults = (Duration::from_secs(20), Duration::from_secs(5), 240);
        let (total, grace, bytes_per_second) =
            req.app_data::<web::Data<Context>>().map_or(defaults, |c| {
                let s = &c.settings;
                (
                    s.body_read_timeout,
                    s.body_rate_grace,
                    s.body_min_bytes_per_second,
                )
            });
        Self {
            start: Instant::now(),
            total,
            grace,
            bytes_per_second,
        }
    }

    /// When the next bytes must have come, with `received` so far, and
    /// which deadline that is: by the grace plus the time `received` bytes
    /// buy at the minimum rate, and never after the total.
    fn next_deadline(&self, received: u64) -> (Instant, Late) {
        let total = self.start + self.total;
        if self.bytes_per_second == 0 {
            return (total, Late::Total);
        }
        let bought = Duration::from_secs_f64(received as f64 / f64::from(self.bytes_per_second));
        let by_rate = self.start + self.grace.saturating_add(bought);
        if by_rate < total {
            (by_rate, Late::Rate)
        } else {
            (total, Late::Total)
        }
    }

    fn reason(&self, late: Late) -> String {
        match late {
            Late::Rate => format!(
                "body: arrived slower than {} bytes per second after the first {} seconds",
                self.bytes_per_second,
                self.grace.as_secs_f64()
            ),
            Late::Total => format!(
                "body: was not complete within {} seconds",
                self.total.as_secs_f64()
            ),
        }
    }
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let pace = Pace::of(&req);
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        // No body (most GETs): nothing to wait for.
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let missed = Rc::new(Cell::new(None));
    let body = paced(payload, pace, missed.clone());
    req.set_payload(Payload::Stream {
        payload: Box::pin(body),
    });
    let response = next.call(req).await?;
    let Some(late) = missed.get() else {
        return Ok(response.map_into_left_body());
    };
    let mut refused = HttpResponse::build(StatusCode::REQUEST_TIMEOUT).json(ErrorResponse {
        operation_id: super::operation::current(),
        error: "The request body arrived too slowly.".into(),
        reason: pace.reason(late),
        resolution: "Send the whole body promptly.".into(),
        parameter: Some("body".into()),
    });
    refused
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    let (request, _) = response.into_parts();
    Ok(ServiceResponse::new(request, refused).map_into_right_body())
}

/// The payload while it keeps `pace`, then one timeout error and its end.
/// Fused, because some readers (multipart) poll again after the end.
fn paced(
    payload: Payload,
    pace: Pace,
    missed: Rc<Cell<Option<Late>>>,
) -> impl futures_util::Stream<Item = Result<web::Bytes, PayloadError>> {
    futures_util::stream::unfold(Some((payload, 0u64)), move |state| {
        let missed = missed.clone();
        async move {
            let (mut payload, received) = state?;
            let (until, late) = pace.next_deadline(received);
            match tokio::time::timeout_at(until, payload.next()).await {
                Ok(Some(Ok(chunk))) => {
                    let received = received.saturating_add(chunk.len() as u64);
                    Some((Ok(chunk), Some((payload, received))))
                }
                Ok(Some(Err(e))) => Some((Err(e), Some((payload, received)))),
                Ok(None) => None,
                Err(_) => {
                    missed.set(Some(late));
                    let slow = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body arrived too slowly",
                    );
                    Some((Err(PayloadError::Io(slow)), None))
                }
            }
        }
    })
    .fuse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_byte_buys_time_at_the_minimum_rate_up_to_the_total() {
        let pace = Pace {
            start: Instant::now(),
            total: Duration::from_secs(20),
            grace: Duration::from_secs(5),
            bytes_per_second: 240,
        };
        let at = |received| {
            let (until, late) = pace.next_deadline(received);
            (until - pace.start, late)
        };
        assert_eq!(at(0), (Duration::from_secs(5), Late::Rate));
        assert_eq!(at(240), (Duration::from_secs(6), Late::Rate));
        assert_eq!(at(240 * 100), (Duration::from_secs(20), Late::Total));
        let no_rate = Pace {
            bytes_per_second: 0,
            ..pace
        };
        assert_eq!(no_rate.next_deadline(0).1, Late::Total);
    }
}
