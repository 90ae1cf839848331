//! Every request gets an OperationId: sent as a response header, put in
//! every ErrorResponse body, and logged with the route pattern (never the
//! raw path, which may carry a link token).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};
use std::rc::Rc;
use std::time::Instant;

pub const HEADER: &str = "operation-id";

tokio::task_local! {
    static OPERATION_ID: String;
}

/// The current request's OperationId (a fresh one outside a request).
pub fn current() -> String {
    OPERATION_ID
        .try_with(|id| id.clone())
        .unwrap_or_else(|_| fresh_id())
}

/// A random (v4) id from the thread's generator: an operation id needs to
/// be unique, not secret, and this costs no system call per request, where
/// `Uuid::new_v4` asks the kernel every time.
fn fresh_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

/// The route pattern the request matched, worked out once per request for
/// the log line and the metrics (actix rebuilds it on every call).
pub fn route_pattern(req: &HttpRequest) -> Rc<str> {
    #[derive(Clone)]
    struct Matched(Rc<str>);
    if let Some(Matched(route)) = req.extensions().get::<Matched>() {
        return route.clone();
    }
    let route: Rc<str> = req
        .match_pattern()
        .unwrap_or_else(|| "(unmatched)".into())
        .into();
    req.extensions_mut().insert(Matched(route.clone()));
    route
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = fresh_id();
    let started = Instant::now();
    let method = req.method().clone();
    let mut response = OPERATION_ID.scope(id.clone(), next.call(req)).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    let route = route_pattern(response.request());
    tracing::info!(
        operation_id = %id,
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    Ok(response)
}
